//! The fairness benchmark (issue 9, `benches/README.md#fairness`): wall nanoseconds per gas of every
//! workload in `tsvm_benches::fairness`, run through the real `Vm`, and each one's ratio to the
//! median of the execution workloads. Time is the minimum of `--runs` runs (default 7): the machine
//! is shared, and the minimum is the run least disturbed by others.
//!
//! `fairness [FILTER] [--runs R]` prints the table; `fairness once NAME N K` builds workload NAME at
//! `N` iterations and runs it `K` times (after one warm-up run for execution workloads), for
//! instruction counts with `valgrind --tool=callgrind`.

use std::hint::black_box;
use std::time::{Duration, Instant};
use tsvm_benches::fairness::{self, Kind, Workload};
use vm::{ExecOptions, Receipt, Rules, Transaction, Vm};

/// Gas limit of every run: never the bound.
const GAS: u64 = 1 << 50;

struct Runner {
    rules: Rules,
    state: vm::InMemoryState,
    context: abi::Context,
}

impl Runner {
    fn run(&self, vm: &Vm, w: &Workload, code: &[u8]) -> (Receipt, Duration) {
        let invocation = fairness::invocation(w.args.clone());
        let tx = Transaction { code, invocation: &invocation, context: &self.context, gas_limit: GAS };
        let options = ExecOptions {
            checkpoint_interval: if let Kind::Checkpoints(k) = w.kind { k } else { 0 },
            ..ExecOptions::default()
        };
        let start = Instant::now();
        let exec = vm.execute_with(&self.state, &tx, &options).expect("the host does not fail");
        let elapsed = start.elapsed();
        black_box(&exec);
        (exec.receipt, elapsed)
    }

    /// Minimum time of `runs` runs of `code` and its receipt.
    fn best(&self, w: &Workload, code: &[u8], runs: u32) -> (Receipt, Duration) {
        let warm = (w.kind != Kind::Load).then(|| {
            let vm = Vm::new(self.rules.clone());
            self.run(&vm, w, code);
            vm
        });
        let mut best = None::<(Receipt, Duration)>;
        for _ in 0..runs {
            let cold;
            let vm = match &warm {
                Some(vm) => vm,
                None => {
                    cold = Vm::new(self.rules.clone());
                    &cold
                }
            };
            let (r, t) = self.run(vm, w, code);
            if best.as_ref().is_none_or(|(_, b)| t < *b) {
                best = Some((r, t));
            }
        }
        best.expect("runs > 0")
    }
}

struct Row {
    name: String,
    kind: Kind,
    gas: u64,
    ns: f64,
    status: String,
}

impl Row {
    fn ns_per_gas(&self) -> f64 {
        self.ns / self.gas.max(1) as f64
    }
}

fn measure(r: &Runner, w: &Workload, runs: u32) -> Row {
    let status = |rc: &Receipt| format!("{:?}", rc.status);
    match w.kind {
        Kind::Exec | Kind::Checkpoints(_) => {
            let (r1, t1) = r.best(w, &(w.build)(w.n), runs);
            let (r2, t2) = r.best(w, &(w.build)(2 * w.n), runs);
            let gas = r2.gas_used.saturating_sub(r1.gas_used);
            let ns = (t2.as_nanos() as f64 - t1.as_nanos() as f64).max(0.0);
            Row { name: w.name.clone(), kind: w.kind, gas, ns, status: status(&r2) }
        }
        Kind::Whole | Kind::Load => {
            let (rc, t) = r.best(w, &(w.build)(w.n), runs);
            Row {
                name: w.name.clone(),
                kind: w.kind,
                gas: rc.gas_used,
                ns: t.as_nanos() as f64,
                status: status(&rc),
            }
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let once = args.first().map(String::as_str) == Some("once");
    // Instruction counting of a loading workload need not build the large state.
    let keys =
        if once && args.get(1).is_some_and(|n| n.starts_with("load/")) { 0 } else { fairness::STORED_KEYS };
    let runner =
        Runner { rules: Rules::default(), state: fairness::state_with(keys), context: fairness::context() };
    let mut all = fairness::exec_workloads();
    all.extend(fairness::load_workloads());
    if once {
        let usage = "usage: fairness once NAME N K";
        let w = all.iter().find(|w| Some(&w.name) == args.get(1)).expect(usage);
        let n: u32 = args.get(2).and_then(|a| a.parse().ok()).expect(usage);
        let k: u32 = args.get(3).and_then(|a| a.parse().ok()).expect(usage);
        let code = (w.build)(n);
        let warm = Vm::new(runner.rules.clone());
        if w.kind != Kind::Load {
            runner.run(&warm, w, &code);
        }
        for _ in 0..k {
            let (rc, _) = if w.kind == Kind::Load {
                runner.run(&Vm::new(runner.rules.clone()), w, &code)
            } else {
                runner.run(&warm, w, &code)
            };
            eprintln!("{} n={n}: {:?}, gas {}", w.name, rc.status, rc.gas_used);
        }
        return;
    }
    let mut runs = 7;
    let mut filter = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--runs" {
            runs = it.next().and_then(|r| r.parse().ok()).expect("--runs takes a number");
        } else {
            filter = Some(a.clone());
        }
    }
    let rows: Vec<Row> = all
        .iter()
        .filter(|w| filter.as_ref().is_none_or(|f| w.name.contains(f.as_str())))
        .map(|w| {
            let row = measure(&runner, w, runs);
            eprintln!("{:<44} {:>14} gas {:>9.3} ns/gas {}", row.name, row.gas, row.ns_per_gas(), row.status);
            row
        })
        .collect();
    let med = median(rows.iter().filter(|r| r.kind == Kind::Exec).map(Row::ns_per_gas).collect());
    println!("\nmedian of execution workloads: {med:.3} ns/gas\n");
    println!("| workload | gas | ns/gas | / median | status |");
    println!("| --- | ---: | ---: | ---: | --- |");
    for r in &rows {
        println!(
            "| `{}` | {} | {:.3} | {:.2} | {} |",
            r.name,
            r.gas,
            r.ns_per_gas(),
            r.ns_per_gas() / med,
            r.status
        );
    }
    for (label, pick) in [
        ("execution", &(|k: Kind| k == Kind::Exec) as &dyn Fn(Kind) -> bool),
        ("loading and per-execution", &|k: Kind| matches!(k, Kind::Load | Kind::Whole)),
        ("checkpoints", &|k: Kind| matches!(k, Kind::Checkpoints(_))),
    ] {
        let worst =
            rows.iter().filter(|r| pick(r.kind)).max_by(|a, b| a.ns_per_gas().total_cmp(&b.ns_per_gas()));
        if let Some(w) = worst {
            println!("\nworst {label}: `{}` {:.2}x median", w.name, w.ns_per_gas() / med);
        }
    }
}
