//! Tests of the gas table: its costs per operator class, its helpers, and its agreement with the
//! normative table in `spec/gas.md`.

use super::*;
use wasmparser::{BlockType, Operator, OperatorsReader};

const SPEC: &str = include_str!("../../../../spec/gas.md");

/// `(field, cost)` rows of the spec's cost table, in order.
fn spec_rows() -> Vec<(String, u64)> {
    let section = SPEC.split("## Cost table").nth(1).expect("cost table section");
    section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cols[1].trim_matches('`').to_string();
            let cost = cols[3].replace(',', "").parse().expect("numeric cost");
            (name, cost)
        })
        .collect()
}

#[test]
fn spec_table_matches_default_table_in_order() {
    let code: Vec<(String, u64)> =
        GasTable::default().named().into_iter().map(|(n, c)| (n.to_string(), c)).collect();
    assert_eq!(spec_rows(), code);
}

#[test]
fn every_field_doc_states_its_default() {
    let table = GasTable::default();
    for ((name, doc), (_, value)) in GasTable::FIELDS.iter().zip(table.named()) {
        let digits = value.to_string();
        let grouped: Vec<&str> =
            digits.as_bytes().rchunks(3).rev().map(|c| std::str::from_utf8(c).unwrap()).collect();
        let stated = format!("Default {}:", grouped.join(","));
        assert!(doc.replace('\n', " ").contains(&stated), "{name}: doc lacks `{stated}`: {doc}");
    }
}

#[test]
fn spec_states_the_version() {
    assert_eq!(GAS_TABLE_VERSION, 2);
    assert!(SPEC.contains(&format!("gas table version **{GAS_TABLE_VERSION}**")));
}

#[test]
fn borsh_serializes_every_field_in_declaration_order() {
    let t = GasTable::default();
    let bytes = borsh::to_vec(&t).unwrap();
    let fields = t.named();
    assert_eq!(bytes.len(), fields.len() * 8);
    for (i, (_, cost)) in fields.iter().enumerate() {
        assert_eq!(bytes[i * 8..i * 8 + 8], cost.to_le_bytes());
    }
}

/// The operators of the only function of a module given in WAT.
fn ops_of(wat: &str) -> Vec<Operator<'static>> {
    let wasm: &'static [u8] = Box::leak(wat::parse_str(wat).unwrap().into_boxed_slice());
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::CodeSectionEntry(b) = payload.unwrap() {
            let mut r: OperatorsReader<'static> = b.get_operators_reader().unwrap();
            let mut ops = Vec::new();
            while !r.eof() {
                ops.push(r.read().unwrap());
            }
            return ops;
        }
    }
    unreachable!("no function")
}

#[test]
fn op_cost_per_class() {
    use Operator as O;
    let t = GasTable::default();
    let Operator::I32Load { memarg: m } = ops_of("(module (memory 1) (func i32.const 0 i32.load drop))")[1]
    else {
        panic!("not a load")
    };
    let cases: Vec<(Operator, u64)> = vec![
        (O::Nop, t.nop),
        (O::Block { blockty: BlockType::Empty }, t.block),
        (O::Loop { blockty: BlockType::Empty }, t.block),
        (O::End, t.end),
        (O::If { blockty: BlockType::Empty }, t.if_),
        (O::Else, t.else_),
        (O::Br { relative_depth: 0 }, t.br),
        (O::BrIf { relative_depth: 0 }, t.br_if),
        (O::Return, t.return_),
        (O::Call { function_index: 3 }, t.call),
        (O::CallIndirect { type_index: 0, table_index: 0 }, t.call_indirect),
        (O::Unreachable, t.unreachable),
        (O::Drop, t.drop),
        (O::Select, t.select),
        (O::LocalGet { local_index: 0 }, t.local),
        (O::LocalSet { local_index: 0 }, t.local),
        (O::LocalTee { local_index: 0 }, t.local),
        (O::GlobalGet { global_index: 0 }, t.global),
        (O::GlobalSet { global_index: 0 }, t.global),
        (O::I32Const { value: 1 }, t.const_),
        (O::I64Const { value: 1 }, t.const_),
        (O::I32Add, t.alu),
        (O::I64Rotr, t.alu),
        (O::I64Popcnt, t.alu),
        (O::I32LeU, t.alu),
        (O::I64Eqz, t.alu),
        (O::I32WrapI64, t.alu),
        (O::I64ExtendI32U, t.alu),
        (O::I32Extend8S, t.alu),
        (O::I64Extend32S, t.alu),
        (O::I32Mul, t.mul),
        (O::I64Mul, t.mul),
        (O::I32DivS, t.div),
        (O::I64RemU, t.div),
        (O::I32Load { memarg: m }, t.load),
        (O::I64Load32U { memarg: m }, t.load),
        (O::I32Store8 { memarg: m }, t.store),
        (O::I64Store { memarg: m }, t.store),
        (O::MemorySize { mem: 0 }, t.memory_size),
        (O::MemoryGrow { mem: 0 }, t.memory_grow),
        (O::MemoryCopy { dst_mem: 0, src_mem: 0 }, t.memory_copy_base),
        (O::MemoryFill { mem: 0 }, t.memory_fill_base),
    ];
    for (op, cost) in &cases {
        assert_eq!(t.op_cost(op), *cost, "{op:?}");
    }
}

#[test]
fn br_table_costs_base_plus_listed_targets() {
    let t = GasTable::default();
    for n in [0u64, 1, 5] {
        let labels = "0 ".repeat(n as usize);
        let ops = ops_of(&format!("(module (func (param i32) block local.get 0 br_table {labels} 0 end))"));
        let bt = ops.iter().find(|o| matches!(o, Operator::BrTable { .. })).unwrap();
        assert_eq!(t.op_cost(bt), t.br_table_base + n * t.br_table_per_target);
    }
}

#[test]
fn operators_outside_the_profile_cannot_be_paid() {
    let t = GasTable::default();
    for op in [
        Operator::F32Add,
        Operator::I64TruncF64S,
        Operator::RefIsNull,
        Operator::MemoryInit { data_index: 0, mem: 0 },
        Operator::ReturnCall { function_index: 0 },
    ] {
        assert_eq!(t.op_cost(&op), u64::MAX, "{op:?}");
    }
}

#[test]
fn per_execution_costs() {
    let t = GasTable::default();
    assert_eq!(t.load_cost(0), 0);
    assert_eq!(t.load_cost(1000), 1000 * t.code_byte);
    assert_eq!(t.instantiate_cost(3, 17), 3 * t.memory_page + 17 * t.data_byte);
    assert_eq!(t.memory_copy_dynamic(9), 9 * t.memory_copy_per_byte);
    assert_eq!(t.memory_fill_dynamic(u32::MAX), u64::from(u32::MAX) * t.memory_fill_per_byte);
}

#[test]
fn compile_and_entry_costs() {
    let t = GasTable::default();
    let f = |locals| crate::FuncInfo { type_index: 0, params: 2, results: 0, locals, max_operand_height: 0 };
    let info = ModuleInfo { functions: vec![f(3), f(1_024)], control_ops: 5, ..ModuleInfo::default() };
    let want = t.load_module + 2 * t.load_function + 1_027 * t.load_local + 5 * t.load_control;
    assert_eq!(t.compile_cost(&info), want);
    assert_eq!(t.compile_cost(&ModuleInfo::default()), t.load_module);
    // Per 8 declared locals, rounded up.
    assert_eq!(t.entry_locals(0), 0);
    assert_eq!(t.entry_locals(1), t.entry_locals_8);
    assert_eq!(t.entry_locals(8), t.entry_locals_8);
    assert_eq!(t.entry_locals(9), 2 * t.entry_locals_8);
    assert_eq!(t.entry_locals(1_024), 128 * t.entry_locals_8);
    let max = GasTable { entry_locals_8: u64::MAX, load_module: u64::MAX, ..GasTable::default() };
    assert_eq!(max.entry_locals(9), u64::MAX);
    assert_eq!(max.compile_cost(&info), u64::MAX);
}

#[test]
fn arithmetic_saturates() {
    let t = GasTable {
        code_byte: u64::MAX,
        memory_page: u64::MAX,
        br_table_per_target: u64::MAX,
        memory_copy_per_byte: u64::MAX,
        ..GasTable::default()
    };
    assert_eq!(t.load_cost(2), u64::MAX);
    assert_eq!(t.instantiate_cost(2, 2), u64::MAX);
    assert_eq!(t.memory_copy_dynamic(2), u64::MAX);
    let ops = ops_of("(module (func (param i32) block local.get 0 br_table 0 0 0 end))");
    let bt = ops.iter().find(|o| matches!(o, Operator::BrTable { .. })).unwrap();
    assert_eq!(t.op_cost(bt), u64::MAX);
}
