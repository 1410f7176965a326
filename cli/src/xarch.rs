//! The cross-architecture digest (`spec/determinism.md#across-machines`): one line per execution,
//! with everything consensus-visible about it, over the conformance vectors, the example bundles,
//! the battery's modules, the fuzz seed corpora and modules generated from seeded bytes.
//!
//! `.ci/cross-arch` builds the `tsvm-xarch` binary for aarch64 and i686, runs them under qemu
//! user-mode emulation and compares their output byte for byte with the native build's: any
//! difference is a consensus bug. Nothing printed may depend on the machine except through a bug.
//! The generated and corpus modules are made once, natively, by the tests crate's `xarch-gen`
//! (wasm-smith's output is not what is under test; the VM's execution of it is).

use abi::{
    Address, Call, Context, EntryKind, Hash32, HookKind, Invocation, Operation, TokenId, TokenInfo,
    TokenPolicy,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use vm::{ExecOptions, Execution, InMemoryState, Rules, TokenState, TraceLevel, Transaction, Vm};

/// The token every digested execution runs on.
const TOKEN: TokenId = TokenId([0x70; 32]);

fn addr(n: u8) -> Address {
    Address([n; 32])
}

/// Accounts 1 and 2 hold 5,000 each; the script may mint and burn up to 1,000,000.
fn default_state() -> InMemoryState {
    let balances = BTreeMap::from([(addr(1), 5_000), (addr(2), 5_000)]);
    let policy = TokenPolicy { script_can_mint: true, script_can_burn: true, max_supply: 1_000_000 };
    let token = TokenState {
        info: TokenInfo { owner: addr(0xee), policy },
        supply: 10_000,
        balances,
        storage: BTreeMap::new(),
    };
    InMemoryState { tokens: BTreeMap::from([(TOKEN, token)]) }
}

fn context() -> Context {
    Context {
        height: 7,
        timestamp_ms: 1_700_000_000_000,
        tx_hash: Hash32([0x11; 32]),
        prev_block_hash: Hash32([0x22; 32]),
        caller: addr(1),
    }
}

fn method(name: &str, args: &[u8]) -> Call {
    Call::Method { name: name.into(), args: args.to_vec() }
}

fn view(name: &str, args: &[u8]) -> Call {
    Call::View { name: name.into(), args: args.to_vec() }
}

fn transfer(from: Address, to: Address, amount: u128) -> Operation {
    Operation::Transfer { from, to, amount }
}

/// Checkpoint interval of every digested execution: the specified minimum (`spec/trace.md#checkpoints`),
/// so that executions past it record one.
pub const CHECKPOINT_INTERVAL: u64 = vm::MIN_CHECKPOINT_INTERVAL;

/// Gas for the battery's and generated executions: past one checkpoint interval.
const GAS: u64 = 5_000_000;

/// The digest being built: one line per execution.
pub struct Digest {
    vm: Vm,
    out: String,
    executions: usize,
}

impl Default for Digest {
    fn default() -> Self {
        Self::new()
    }
}

impl Digest {
    /// An empty digest with the default rules.
    pub fn new() -> Self {
        Self { vm: Vm::new(Rules::default()), out: String::new(), executions: 0 }
    }

    /// Executions digested so far.
    pub fn executions(&self) -> usize {
        self.executions
    }

    /// The lines so far, then a closing line with the count.
    pub fn finish(mut self) -> String {
        let _ = writeln!(self.out, "executions\t{}", self.executions);
        self.out
    }

    /// One line for `execution`: status, gas, the receipt's hashes, return data, the checkpoints,
    /// and the full trace's encoding.
    fn line(&mut self, label: &str, execution: &Execution) {
        let r = &execution.receipt;
        let hash = |bytes: &[u8]| abi::hash::content_hash(bytes).to_string();
        let checkpoints = hash(&borsh::to_vec(&execution.checkpoints).unwrap_or_default());
        let trace = hash(&borsh::to_vec(&execution.trace).unwrap_or_default());
        let witness = hash(&borsh::to_vec(&execution.witness).unwrap_or_default());
        let _ = writeln!(
            self.out,
            "{label}\t{}\t{}\t{}\t{}\t{}\t{}\tckpt={}:{checkpoints}\ttrace={trace}\twitness={witness}",
            r.status as u8,
            r.gas_used,
            r.receipt_hash,
            r.trace_hash,
            r.diff_hash,
            hash(&r.return_data),
            execution.checkpoints.len(),
        );
        self.executions += 1;
    }

    /// Executes and digests one transaction; a host failure is a line too (it must not differ
    /// either).
    pub fn execute(
        &mut self,
        label: &str,
        state: &InMemoryState,
        code: &[u8],
        call: Call,
        ctx: &Context,
        gas: u64,
    ) {
        let invocation = Invocation { token: TOKEN, call };
        let tx = Transaction { code, invocation: &invocation, context: ctx, gas_limit: gas };
        let opts = ExecOptions { trace: TraceLevel::Full, checkpoint_interval: CHECKPOINT_INTERVAL };
        match self.vm.execute_with(state, &tx, &opts) {
            Ok(execution) => self.line(label, &execution),
            Err(e) => {
                let _ = writeln!(self.out, "{label}\thost-error\t{}", e);
                self.executions += 1;
            }
        }
    }

    /// Every entry `code` exports (and a transfer through its pipeline), each as one execution.
    pub fn every_entry(&mut self, label: &str, code: &[u8]) {
        let ctx = context();
        let state = default_state();
        let Ok(info) = vm::validate(code, &Rules::default().limits) else {
            // Rejected modules still make a receipt (status and load gas).
            self.execute(&format!("{label}:rejected"), &state, code, method("a", &[]), &ctx, GAS);
            return;
        };
        let mut calls: Vec<Call> = Vec::new();
        for e in &info.exports {
            match EntryKind::classify(&e.name) {
                Some((EntryKind::Method, name)) => calls.push(method(name, &[7; 40])),
                Some((EntryKind::View, name)) => calls.push(view(name, &[7; 40])),
                Some((EntryKind::Hook, _)) => {
                    if let Some(hook) = HookKind::from_export_name(&e.name) {
                        calls.push(Call::Hook { hook, operation: transfer(addr(1), addr(2), 3) });
                    }
                }
                None => {}
            }
        }
        calls.push(Call::Operation { operation: transfer(addr(1), addr(2), 10) });
        calls.push(Call::Operation { operation: Operation::Mint { to: addr(3), amount: 5 } });
        for (i, call) in calls.into_iter().enumerate() {
            self.execute(&format!("{label}#{i}"), &state, code, call, &ctx, GAS);
        }
    }

    /// The conformance vectors of `spec/vectors/conformance.json` under `root`.
    ///
    /// # Errors
    /// If the vector file or a module cannot be read or parsed.
    pub fn vectors(&mut self, root: &Path) -> Result<(), String> {
        let dir = root.join("spec/vectors");
        let text = std::fs::read_to_string(dir.join("conformance.json"))
            .map_err(|e| format!("conformance.json: {e}"))?;
        let file: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("conformance.json: {e}"))?;
        let field =
            |v: &serde_json::Value, k: &str| v.get(k).cloned().ok_or(format!("conformance.json: no `{k}`"));
        let ctx: Context = serde_json::from_value(field(&file, "context")?).map_err(|e| e.to_string())?;
        let state: InMemoryState =
            serde_json::from_value(field(&file, "state")?).map_err(|e| e.to_string())?;
        let vectors = field(&file, "vectors")?;
        for v in vectors.as_array().ok_or("conformance.json: `vectors` is not a list")? {
            let name = field(v, "name")?.as_str().unwrap_or_default().to_string();
            let module = field(v, "module")?.as_str().unwrap_or_default().to_string();
            let call: Call = serde_json::from_value(field(v, "call")?).map_err(|e| e.to_string())?;
            let gas = field(v, "gas_limit")?.as_u64().ok_or("gas_limit")?;
            let wat = std::fs::read_to_string(dir.join("modules").join(&module))
                .map_err(|e| format!("{module}: {e}"))?;
            let code = wat::parse_str(&wat).map_err(|e| format!("{module}: {e}"))?;
            self.execute(&format!("vector:{name}"), &state, &code, call, &ctx, gas);
        }
        Ok(())
    }

    /// Every bundle under `examples/`, replayed from its witness.
    ///
    /// # Errors
    /// If a bundle cannot be read or decoded.
    pub fn bundles(&mut self, root: &Path) -> Result<(), String> {
        for path in sorted_files(&root.join("examples"))? {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).map_err(|e| format!("{name}: {e}"))?;
            if name.ends_with(".bundle.json") && is_block_bundle(&bytes) {
                self.block_bundle(&name, &bytes)?;
                continue;
            }
            let bundle: abi::Bundle = if name.ends_with(".bundle.json") {
                serde_json::from_slice(&bytes).map_err(|e| format!("{name}: {e}"))?
            } else if name.ends_with(".bundle") {
                borsh::from_slice(&bytes).map_err(|e| format!("{name}: {e}"))?
            } else {
                continue;
            };
            let opts = ExecOptions { trace: TraceLevel::Full, checkpoint_interval: CHECKPOINT_INTERVAL };
            match vm::replay(&self.vm, &bundle, &opts) {
                Ok(replayed) => {
                    let label = format!("bundle:{name}:matched={}", replayed.matched());
                    self.line(&label, &replayed.execution);
                }
                Err(e) => {
                    let _ = writeln!(self.out, "bundle:{name}\thost-error\t{}", e);
                    self.executions += 1;
                }
            }
        }
        Ok(())
    }

    /// A block bundle (`spec/bundle.md#block-bundles`) replayed from its witness: each transaction's
    /// execution, then the running commitments and the combined diff.
    fn block_bundle(&mut self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let bundle: abi::BlockBundle = serde_json::from_slice(bytes).map_err(|e| format!("{name}: {e}"))?;
        match vm::replay_block(&self.vm, &bundle, TraceLevel::Full) {
            Ok(replayed) => {
                let matched = replayed.divergence.is_none();
                for (i, execution) in replayed.block.executions.iter().enumerate() {
                    self.line(&format!("block:{name}#{i}:matched={matched}"), execution);
                }
                let hash = |bytes: &[u8]| abi::hash::content_hash(bytes).to_string();
                let commitments = hash(&borsh::to_vec(&replayed.block.commitments).unwrap_or_default());
                let diff = hash(&borsh::to_vec(&replayed.block.diff).unwrap_or_default());
                let _ = writeln!(self.out, "block:{name}\tcommitments={commitments}\tdiff={diff}");
            }
            Err(e) => {
                let _ = writeln!(self.out, "block:{name}\thost-error\t{e}");
                self.executions += 1;
            }
        }
        Ok(())
    }

    /// Every module written out in the battery's sources (`tests/battery/*.rs`): raw-string WAT,
    /// whole modules or bodies wrapped as the tests crate's `module` helper does; format templates are skipped.
    ///
    /// # Errors
    /// If the battery's sources cannot be read.
    pub fn battery(&mut self, root: &Path) -> Result<(), String> {
        for path in sorted_files(&root.join("tests/battery"))? {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let source = std::fs::read_to_string(&path).map_err(|e| format!("{name}: {e}"))?;
            for (i, wat) in raw_strings(&source).into_iter().enumerate() {
                let text = wat.trim_start();
                if wat.contains('{') {
                    continue;
                }
                let full = if text.starts_with("(module") {
                    text.to_string()
                } else if text.starts_with('(') {
                    format!("(module {} (memory (export \"memory\") 1) {text})", abi::wat_imports())
                } else {
                    continue;
                };
                if let Ok(code) = wat::parse_str(&full) {
                    self.every_entry(&format!("battery:{name}:{i}"), &code);
                }
            }
        }
        Ok(())
    }

    /// Every `.wasm` module under `dir` (made by the tests crate's `xarch-gen`: the modules the
    /// `execute` and `validate` seed corpora generate, and modules generated for the profile from
    /// seeded bytes), run through every entry.
    ///
    /// # Errors
    /// If the directory or a module cannot be read.
    pub fn modules(&mut self, dir: &Path) -> Result<(), String> {
        for path in sorted_files(dir)? {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            if name.ends_with(".wasm") {
                let code = std::fs::read(&path).map_err(|e| format!("{name}: {e}"))?;
                self.every_entry(&format!("module:{name}"), &code);
            }
        }
        Ok(())
    }
}

/// The files of `dir`, sorted by name.
fn sorted_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    crate::files::sorted_files(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

/// The contents of every `r#"..."#` literal in `source`, in order.
fn raw_strings(source: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("r#\"") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("\"#") else { break };
        found.push(&after[..end]);
        rest = &after[end + 2..];
    }
    found
}

/// The digest of everything: vectors, bundles and battery of the repository under `root`, then
/// the modules under `modules` if given.
///
/// # Errors
/// If a file cannot be read.
pub fn digest_all(root: &Path, modules: Option<&Path>) -> Result<String, String> {
    let mut d = Digest::new();
    d.vectors(root)?;
    d.bundles(root)?;
    d.battery(root)?;
    if let Some(dir) = modules {
        d.modules(dir)?;
    }
    Ok(d.finish())
}

/// Whether a `.bundle.json` file is a block bundle (it names `block_format_version`).
fn is_block_bundle(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| v.get("block_format_version").is_some())
}
