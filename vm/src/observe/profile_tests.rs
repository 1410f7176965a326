//! Unit tests of the profile's queries and of the profiler's attribution (`spec/profile.md`).

use super::*;
use crate::observe::profiler::Profiler;

fn entry() -> Frame {
    Frame::Entry { export: "e".into() }
}

fn func(index: u32) -> Frame {
    Frame::Func { index }
}

/// Load 10; entry e: f0 (5) calls f1 (7), f1 calls host `log` (base 3, 2 per byte), f1 calls
/// itself (4), back in f0 (1); the entry traps in f1's last block (6).
fn collected() -> Profile {
    let mut p = Profiler::new(100);
    p.charged_at_root(Frame::Load, 90);
    p.entry("e", 90);
    assert_eq!(p.enter(0, 90), 2);
    assert_eq!(p.enter(1, 85), 3);
    p.host_call("log", 3, 78, 73);
    assert_eq!(p.enter(1, 73), 4);
    p.resume(3, 69);
    p.resume(2, 69);
    assert_eq!(p.enter(1, 68), 3);
    p.entry_end(62);
    p.finish(62, 38, [(1, "one".to_string())].into())
}

#[test]
fn the_profiler_gives_each_charge_to_the_stack_between_two_points() {
    let p = collected();
    assert_eq!(p.total(), 38);
    let by: Vec<(Vec<Frame>, u64)> = p.stacks.iter().map(|s| (s.stack.clone(), s.gas)).collect();
    let host = |part| Frame::Host { name: "log".into(), part };
    assert_eq!(
        by,
        [
            (vec![Frame::Load], 10),
            (vec![entry(), func(0)], 6),
            (vec![entry(), func(0), func(1)], 13),
            (vec![entry(), func(0), func(1), func(1)], 4),
            (vec![entry(), func(0), func(1), host(HostPart::Base)], 3),
            (vec![entry(), func(0), func(1), host(HostPart::PerByte)], 2),
        ]
    );
}

#[test]
fn self_and_inclusive_count_recursion_once() {
    let p = collected();
    let f = p.functions();
    let one = f.iter().find(|g| g.index == 1).unwrap();
    assert_eq!((one.self_gas, one.inclusive, one.calls), (17, 22, 3));
    let zero = f.iter().find(|g| g.index == 0).unwrap();
    assert_eq!((zero.self_gas, zero.inclusive, zero.calls), (6, 28, 1));
    assert_eq!(f[0].index, 1, "sorted by self gas");
    let h = p.hosts();
    assert_eq!((h[0].name.as_str(), h[0].base, h[0].per_byte, h[0].calls), ("log", 3, 2, 1));
    assert_eq!(p.category(&entry()), 28);
    assert_eq!(p.categories(), [(Frame::Load, 10), (entry(), 28)]);
}

#[test]
fn a_host_call_out_of_gas_on_its_base_is_all_base() {
    let mut p = Profiler::new(10);
    p.entry("e", 10);
    p.host_call("blake3", 50, 10, 0);
    let p = p.finish(0, 10, Default::default());
    assert_eq!(p.hosts()[0].base, 10);
    assert_eq!(p.total(), 10);
}

#[test]
fn folded_lines_name_frames_and_replace_separators() {
    let mut p = collected();
    p.func_names.insert(0, "a;b\nc".into());
    let folded = p.folded();
    assert!(folded.starts_with("(load) 10\ne;a_b_c 6\ne;a_b_c;one 13\n"), "{folded}");
    assert!(folded.contains("e;a_b_c;one;host:log (per byte) 2\n"), "{folded}");
    assert_eq!(p.frame_name(&func(9)), "func[9]");
}

#[test]
fn the_profiling_variant_imports_the_hooks_and_validates() {
    let wasm = wat::parse_str(
        r#"(module (import "tsvm" "input_size" (func $s (result i32)))
             (memory (export "memory") 1)
             (func $g (result i32) call $s)
             (func (export "tsvm_method_a") (drop (call $g)) (drop (call_indirect (type 0) (i32.const 0))))
             (table 1 funcref) (elem (i32.const 0) $s) (type (func (result i32))))"#,
    )
    .unwrap();
    let rules = crate::Rules::default();
    let info = crate::validate(&wasm, &rules.limits).unwrap();
    let plain = crate::instrument(&wasm, &info, &rules.gas, &rules.limits).unwrap();
    let profiled =
        crate::prepare::instrument::instrument_profiling(&wasm, &info, &rules.gas, &rules.limits).unwrap();
    wasmparser::Validator::new().validate_all(&profiled).unwrap();
    let imports = |m: &[u8]| -> Vec<String> {
        wasmparser::Parser::new(0)
            .parse_all(m)
            .filter_map(|p| match p.unwrap() {
                wasmparser::Payload::ImportSection(r) => {
                    Some(r.into_imports().map(|i| i.unwrap().name.to_string()).collect::<Vec<_>>())
                }
                _ => None,
            })
            .flatten()
            .collect()
    };
    assert_eq!(imports(&plain), ["input_size", "__gas_slow"]);
    assert_eq!(imports(&profiled), ["input_size", "__gas_slow", "__profile_enter", "__profile_resume"]);
}
