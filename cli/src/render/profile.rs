//! Rendering a gas profile (`spec/profile.md`): the readable table of `tsvm profile`, and the
//! speedscope file (`spec/profile.md#speedscope`). The folded stacks are [`vm::Profile::folded`].

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use vm::{Frame, Profile};

/// `part` of `whole` as a percentage with one decimal.
fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".into();
    }
    // Integer arithmetic: the same text on every machine.
    let tenths = (u128::from(part) * 1000 + u128::from(whole) / 2) / u128::from(whole);
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// The readable profile: the categories, the `top` guest functions by self gas and every host
/// function called, each with its gas and share of `gas_used`.
pub fn table(profile: &Profile, top: usize) -> String {
    let total = profile.gas_used;
    let mut out = String::new();
    let _ = writeln!(out, "gas used: {total} (profile total {})", profile.total());
    let _ = writeln!(out, "\ncategories:");
    for (root, gas) in profile.categories() {
        let _ = writeln!(out, "  {:<40} {gas:>12}  {:>6}", profile.frame_name(&root), share(gas, total));
    }
    let funcs = profile.functions();
    let _ = writeln!(out, "\nguest functions (top {} of {} by self gas):", top.min(funcs.len()), funcs.len());
    let _ = writeln!(
        out,
        "  {:<32} {:>7} {:>12} {:>6} {:>12} {:>6}",
        "function", "calls", "self", "share", "inclusive", "share"
    );
    for f in funcs.iter().take(top) {
        let name = profile.frame_name(&Frame::Func { index: f.index });
        let _ = writeln!(
            out,
            "  {name:<32} {:>7} {:>12} {:>6} {:>12} {:>6}",
            f.calls,
            f.self_gas,
            share(f.self_gas, total),
            f.inclusive,
            share(f.inclusive, total)
        );
    }
    let hosts = profile.hosts();
    let _ = writeln!(out, "\nhost functions ({}):", hosts.len());
    let _ = writeln!(
        out,
        "  {:<32} {:>7} {:>12} {:>12} {:>12} {:>6}",
        "host function", "calls", "base", "per byte", "total", "share"
    );
    for h in &hosts {
        let sum = h.base + h.per_byte;
        let _ = writeln!(
            out,
            "  {:<32} {:>7} {:>12} {:>12} {sum:>12} {:>6}",
            h.name,
            h.calls,
            h.base,
            h.per_byte,
            share(sum, total)
        );
    }
    out
}

/// The profile in speedscope's file format (`https://www.speedscope.app/file-format-schema.json`):
/// one sampled profile whose samples are the profile's stacks and whose weights are their gas
/// (unit `none`: speedscope has no gas unit; the profile is named for it).
pub fn speedscope(profile: &Profile, name: &str) -> Value {
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut frames: Vec<Value> = Vec::new();
    let mut samples = Vec::new();
    let mut weights = Vec::new();
    for s in &profile.stacks {
        let sample: Vec<usize> = s
            .stack
            .iter()
            .map(|f| {
                let n = profile.frame_name(f);
                *index.entry(n.clone()).or_insert_with(|| {
                    frames.push(json!({ "name": n }));
                    frames.len() - 1
                })
            })
            .collect();
        samples.push(sample);
        weights.push(s.gas);
    }
    json!({
        "$schema": "https://www.speedscope.app/file-format-schema.json",
        "shared": { "frames": frames },
        "profiles": [{
            "type": "sampled",
            "name": format!("{name} (gas)"),
            "unit": "none",
            "startValue": 0,
            "endValue": profile.total(),
            "samples": samples,
            "weights": weights,
        }],
        "name": format!("{name}: gas"),
        "activeProfileIndex": 0,
        "exporter": concat!("tsvm ", env!("CARGO_PKG_VERSION")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vm::{HostPart, StackGas};

    fn sample() -> Profile {
        let entry = Frame::Entry { export: "e".into() };
        let f = Frame::Func { index: 3 };
        let host = Frame::Host { name: "log".into(), part: HostPart::Base };
        Profile {
            gas_used: 30,
            func_names: BTreeMap::new(),
            stacks: vec![
                StackGas { stack: vec![Frame::Load], gas: 10 },
                StackGas { stack: vec![entry.clone(), f.clone()], gas: 15 },
                StackGas { stack: vec![entry, f, host], gas: 5 },
            ],
            func_calls: [(3, 1)].into(),
            host_calls: [("log".to_string(), 1)].into(),
        }
    }

    #[test]
    fn shares_are_integer_rounded() {
        assert_eq!(share(1, 3), "33.3%");
        assert_eq!(share(2, 3), "66.7%");
        assert_eq!(share(0, 0), "-");
    }

    #[test]
    fn the_table_shows_self_inclusive_and_host_gas() {
        let t = table(&sample(), 10);
        assert!(t.contains("gas used: 30 (profile total 30)"), "{t}");
        assert!(t.contains("func[3]"), "{t}");
        assert!(t.lines().any(|l| l.contains("func[3]") && l.contains(" 15 ") && l.contains(" 20 ")), "{t}");
        assert!(t.lines().any(|l| l.trim_start().starts_with("log") && l.contains("16.7%")), "{t}");
    }

    #[test]
    fn speedscope_samples_are_the_stacks_weighted_by_gas() {
        let v = speedscope(&sample(), "t");
        let p = &v["profiles"][0];
        assert_eq!(p["weights"], json!([10, 15, 5]));
        assert_eq!(p["endValue"], json!(30));
        assert_eq!(v["shared"]["frames"][p["samples"][2][2].as_u64().unwrap() as usize]["name"], "host:log");
    }
}
