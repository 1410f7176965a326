#!/usr/bin/env python3
"""Prints the median of every criterion bench from the last run, and its ratio to a baseline of its
group: `python3 benches/report.py [target/criterion]`. Baselines: `wasmi` in `execute/kernel/*`,
`wasmi_module_new` in `instantiate/cold_100k`, `revm_erc20` and `wasmi_fresh_store` in
`execute/transfer`. Also the geometric mean of the kernel ratios."""
import json, math, os, sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"
medians = {}
for dirpath, _, files in os.walk(root):
    if "estimates.json" in files and os.path.basename(dirpath) == "new":
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            full = json.load(f)["full_id"]
        with open(os.path.join(dirpath, "estimates.json")) as f:
            medians[full] = json.load(f)["median"]["point_estimate"]

def fmt(ns):
    return f"{ns / 1e6:.3f} ms" if ns >= 1e6 else f"{ns / 1e3:.2f} us" if ns >= 1e3 else f"{ns:.0f} ns"

def base_of(name):
    group = name.rsplit("/", 1)[0]
    if group.startswith("execute/kernel/"):
        return [group + "/wasmi"]
    if group == "instantiate/cold_100k":
        return [group + "/wasmi_module_new"]
    if group == "execute/transfer":
        return [group + "/revm_erc20", group + "/wasmi_fresh_store"]
    return []

kernel_ratios = {}
for name in sorted(medians):
    ratios = []
    for base in base_of(name):
        if base in medians and base != name:
            r = medians[name] / medians[base]
            ratios.append(f"{r:.2f}x {base.rsplit('/', 1)[1]}")
            if name.startswith("execute/kernel/"):
                kernel_ratios.setdefault(name.rsplit("/", 1)[1], []).append(r)
    print(f"{name:45} {fmt(medians[name]):>12}  {'  '.join(ratios)}")
for variant, rs in sorted(kernel_ratios.items()):
    print(f"kernel geomean {variant:20} {math.exp(sum(map(math.log, rs)) / len(rs)):.2f}x wasmi ({len(rs)} kernels)")
