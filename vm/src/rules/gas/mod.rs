//! The gas table: the one schedule of static and per-execution costs (`spec/gas.md`).
//!
//! Unit: 1 gas is about one simple integer Wasm instruction (`spec/gas.md#unit`), the same unit as
//! the host function table's `base`/`per_byte` (`abi::HOST_FUNCTIONS`). Costs are defined over the
//! *input* Wasm operators, never over an engine's internal code, so they do not change when the
//! engine does. Every field is part of the rules hash (borsh, in declaration order); changing any
//! number must bump [`GAS_TABLE_VERSION`].
//!
//! The `gas_table!` table below is the only list of costs. Adding a cost is one entry there (at
//! the end, with its reason), its use (in [`GasTable::static_cost`] or a `*_cost` helper), its row
//! in `spec/gas.md#cost-table` (a test checks the rows are the table) and a version bump.

use crate::ModuleInfo;
use borsh::BorshSerialize;
use wasmparser::Operator;

/// Version of the gas table (`spec/gas.md#versioning`). Bumped on any change to a number, to the
/// operator classes, or to the metering rules of `spec/gas.md`.
pub const GAS_TABLE_VERSION: u32 = 2;

/// Generates [`GasTable`] from one table: the struct (its fields in table order, which is its
/// borsh order and so part of the rules hash: never reorder), its `Default`, [`GasTable::FIELDS`]
/// and [`GasTable::named`]. Each entry is `/// class and reason` `field = default;`.
macro_rules! gas_table {
    ($( $(#[doc = $doc:literal])* $field:ident = $default:expr; )*) => {
        /// The gas schedule (`spec/gas.md#cost-table`). [`GasTable::default`] is the current table.
        ///
        /// Each field's doc gives its class of operators and the reason for its default.
        #[derive(Clone, Debug, PartialEq, Eq, BorshSerialize)]
        pub struct GasTable {
            $( $(#[doc = $doc])* pub $field: u64, )*
        }

        impl Default for GasTable {
            /// The current table (version [`GAS_TABLE_VERSION`]); each number's reason is on its field.
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl GasTable {
            /// The name and doc of every field, in declaration (and borsh) order.
            pub const FIELDS: [(&'static str, &'static str); count!($($field)*)] =
                [ $( (stringify!($field), concat!($($doc, "\n"),*)), )* ];

            /// Every field's name and value, in declaration (and borsh) order.
            pub fn named(&self) -> [(&'static str, u64); count!($($field)*)] {
                [ $( (stringify!($field), self.$field), )* ]
            }
        }
    };
}

// The current table. Each field's doc names its class of operators and gives the reason for its
// default as `Default N: ...` (a test checks the number is the value).
gas_table! {
    /// `nop`. Default 0: engines emit no code for it.
    nop = 0;
    /// `block`, `loop`. Default 0: structural, no runtime work; a loop's back edge is paid by its `br`/`br_if`.
    block = 0;
    /// `end`. Default 0: structural; falling out of a block is free, leaving a function is paid by `call`.
    end = 0;
    /// `if`. Default 4: a test and a conditional jump, like `br_if`, and a new metered block.
    if_ = 4;
    /// `else`. Default 2: the then arm ends in one unconditional jump over the else arm, and the
    /// else arm is a new metered block.
    else_ = 2;
    /// `br`. Default 4: a jump plus moving the label's values; the target starts a new metered block.
    br = 4;
    /// `br_if`. Default 3: a test and a conditional jump; a taken branch enters a new metered block.
    br_if = 3;
    /// `br_table`, fixed part. Default 6: index clamp plus an indirect, often mispredicted, jump, and
    /// the target starts a new metered block.
    br_table_base = 6;
    /// `br_table`, per listed target (default excluded). Default 1: the jump table's size and
    /// decoding grow with it, so a huge `switch` is not free.
    br_table_per_target = 1;
    /// `return`. Default 2: a jump to the function's outermost label.
    return_ = 2;
    /// `call` (to a defined or a host function). Default 30: frame push, argument copy, the
    /// callee's stack check and gas reload, and the return (measured: `benches/README.md#fairness`).
    /// Host calls also pay their own `base` in the host; the callee's locals are paid at its entry
    /// ([`GasTable::entry_locals`]).
    call = 30;
    /// `call_indirect`. Default 40: a `call` plus table bounds, null and signature checks.
    call_indirect = 40;
    /// `unreachable`. Default 1: one trap instruction; the halt itself is the host's work.
    unreachable = 1;
    /// `drop`. Default 1: one simple instruction.
    drop = 1;
    /// `select`. Default 1: one conditional move.
    select = 1;
    /// `local.get`, `local.set`, `local.tee`. Default 1: one register/slot move.
    local = 1;
    /// `global.get`, `global.set`. Default 2: a load or store through the instance, not a register.
    global = 2;
    /// `i32.const`, `i64.const`. Default 1: one immediate move.
    const_ = 1;
    /// Simple integer ALU: add, sub, and, or, xor, shifts, rotates, clz, ctz, popcnt, eqz and all
    /// comparisons, `i32.wrap_i64`, `i64.extend_i32_*` and the sign-extension operators. Default 1:
    /// one native instruction each.
    alu = 1;
    /// `i32.mul`, `i64.mul`. Default 2: 3-4 cycles of latency against 1 for an add.
    mul = 2;
    /// `div_s`, `div_u`, `rem_s`, `rem_u` (i32 and i64). Default 8: hardware division takes
    /// 20-90 cycles (64-bit, x86-64), plus the engine's divide-by-zero and overflow checks.
    div = 8;
    /// Every integer load (`i32.load`, `i64.load8_s`, ...). Default 2: bounds check plus the access.
    load = 2;
    /// Every integer store (`i32.store`, `i64.store32`, ...). Default 2: bounds check plus the access.
    store = 2;
    /// `memory.size`. Default 2: reads the memory's size through the instance.
    memory_size = 2;
    /// `memory.grow`. Default 1: rewritten to `drop; i32.const -1` (memory never grows).
    memory_grow = 1;
    /// `memory.copy`, fixed part. Default 12: two range checks, a `memmove` call and the run-time
    /// charge of its length (`spec/gas.md#dynamic-costs`).
    memory_copy_base = 12;
    /// `memory.copy`, per byte of length. Default 1: the host's `per_byte` for copying guest bytes,
    /// so copying costs the same in the guest and through the host.
    memory_copy_per_byte = 1;
    /// `memory.fill`, fixed part. Default 12: a range check, a `memset` call and the run-time charge.
    memory_fill_base = 12;
    /// `memory.fill`, per byte of length. Default 1: as `memory_copy_per_byte`.
    memory_fill_per_byte = 1;
    /// Loading code, per byte of the module, charged on every call whatever the cache holds, valid
    /// or not. Default 150: validating, instrumenting and compiling a module on a cache miss, per
    /// byte of code with loops, branches, memory access and calls (`benches/README.md#fairness`);
    /// any call may be a miss.
    code_byte = 150;
    /// Instantiation, per 64 KiB page of the fixed memory. Default 4,096: allocating and zeroing
    /// 64 KiB is about 4,096 16-byte stores.
    memory_page = 4_096;
    /// Instantiation, per byte of active data segments. Default 1: copying bytes into memory, as
    /// `memory_copy_per_byte`.
    data_byte = 1;
    /// Loading a valid module, once. Default 18,500: a cache miss's fixed work (engine module,
    /// instrumented module, first instance) measured on an empty module.
    load_module = 18_500;
    /// Loading a valid module, per defined function. Default 2,500: each body is validated,
    /// rewritten and translated with its own allocations and tables, whatever its size.
    load_function = 2_500;
    /// Loading a valid module, per declared local (parameters excluded). Default 10: the engine
    /// translates each local declaration into a frame slot.
    load_local = 10;
    /// Loading a valid module, per `block`, `loop`, `if` and `else` operator. Default 600: each
    /// opens a control frame in the validator and the compiler, and `loop`, `if` and `else` start a
    /// metered block with an injected charge sequence.
    load_control = 600;
    /// Entering a defined function, per 8 declared locals (rounded up, parameters excluded).
    /// Default 1: the engine zeroes every declared local of a new frame.
    entry_locals_8 = 1;
}

impl GasTable {
    /// Static cost of one operator (`spec/gas.md#cost-table`): for `br_table` base plus per target,
    /// for `memory.copy`/`memory.fill` only the base (the per-byte part is charged at run time).
    ///
    /// Operators outside the determinism profile (floats, SIMD, reference types, ...) cost
    /// `u64::MAX`: they can never be paid for. The instrumenter rejects them instead.
    #[must_use]
    pub fn op_cost(&self, op: &Operator) -> u64 {
        self.static_cost(op).unwrap_or(u64::MAX)
    }

    /// Gas for loading `code_size` bytes of code, valid or not, charged on every call
    /// (`spec/gas.md#per-execution-costs`).
    #[must_use]
    pub fn load_cost(&self, code_size: u32) -> u64 {
        self.code_byte.saturating_mul(u64::from(code_size))
    }

    /// Gas for compiling a valid module, on top of [`GasTable::load_cost`], charged on every call
    /// (`spec/gas.md#per-execution-costs`): per module, per defined function, per declared local
    /// and per control operator.
    #[must_use]
    pub fn compile_cost(&self, info: &ModuleInfo) -> u64 {
        let locals: u64 = info.functions.iter().map(|f| u64::from(f.locals)).sum();
        self.load_module
            .saturating_add(self.load_function.saturating_mul(info.functions.len() as u64))
            .saturating_add(self.load_local.saturating_mul(locals))
            .saturating_add(self.load_control.saturating_mul(info.control_ops))
    }

    /// Gas charged on entering a defined function with `locals` declared locals, with its first
    /// metered block (`spec/gas.md#cost-table`): `entry_locals_8` per 8 locals, rounded up.
    #[must_use]
    pub fn entry_locals(&self, locals: u32) -> u64 {
        self.entry_locals_8.saturating_mul(u64::from(locals.div_ceil(8)))
    }

    /// Gas for instantiating a module with `memory_pages` pages of fixed memory and `data_bytes`
    /// bytes of active data segments (`spec/gas.md#per-execution-costs`).
    #[must_use]
    pub fn instantiate_cost(&self, memory_pages: u32, data_bytes: u64) -> u64 {
        self.memory_page
            .saturating_mul(u64::from(memory_pages))
            .saturating_add(self.data_byte.saturating_mul(data_bytes))
    }

    /// Run-time gas of a `memory.copy` of `len` bytes, base excluded (`spec/gas.md#dynamic-costs`).
    #[must_use]
    pub fn memory_copy_dynamic(&self, len: u32) -> u64 {
        self.memory_copy_per_byte.saturating_mul(u64::from(len))
    }

    /// Run-time gas of a `memory.fill` of `len` bytes, base excluded (`spec/gas.md#dynamic-costs`).
    #[must_use]
    pub fn memory_fill_dynamic(&self, len: u32) -> u64 {
        self.memory_fill_per_byte.saturating_mul(u64::from(len))
    }

    /// Static cost of `op`, or `None` if `op` is outside the profile (`spec/gas.md#cost-table`).
    #[must_use]
    pub(crate) fn static_cost(&self, op: &Operator) -> Option<u64> {
        use Operator as O;
        Some(match op {
            O::Nop => self.nop,
            O::Block { .. } | O::Loop { .. } => self.block,
            O::End => self.end,
            O::If { .. } => self.if_,
            O::Else => self.else_,
            O::Br { .. } => self.br,
            O::BrIf { .. } => self.br_if,
            O::BrTable { targets } => self
                .br_table_base
                .saturating_add(self.br_table_per_target.saturating_mul(u64::from(targets.len()))),
            O::Return => self.return_,
            O::Call { .. } => self.call,
            O::CallIndirect { .. } => self.call_indirect,
            O::Unreachable => self.unreachable,
            O::Drop => self.drop,
            O::Select | O::TypedSelect { .. } => self.select,
            O::LocalGet { .. } | O::LocalSet { .. } | O::LocalTee { .. } => self.local,
            O::GlobalGet { .. } | O::GlobalSet { .. } => self.global,
            O::I32Const { .. } | O::I64Const { .. } => self.const_,

            O::I32Load { .. }
            | O::I64Load { .. }
            | O::I32Load8S { .. }
            | O::I32Load8U { .. }
            | O::I32Load16S { .. }
            | O::I32Load16U { .. }
            | O::I64Load8S { .. }
            | O::I64Load8U { .. }
            | O::I64Load16S { .. }
            | O::I64Load16U { .. }
            | O::I64Load32S { .. }
            | O::I64Load32U { .. } => self.load,
            O::I32Store { .. }
            | O::I64Store { .. }
            | O::I32Store8 { .. }
            | O::I32Store16 { .. }
            | O::I64Store8 { .. }
            | O::I64Store16 { .. }
            | O::I64Store32 { .. } => self.store,
            O::MemorySize { .. } => self.memory_size,
            O::MemoryGrow { .. } => self.memory_grow,
            O::MemoryCopy { .. } => self.memory_copy_base,
            O::MemoryFill { .. } => self.memory_fill_base,

            O::I32Mul | O::I64Mul => self.mul,
            O::I32DivS
            | O::I32DivU
            | O::I32RemS
            | O::I32RemU
            | O::I64DivS
            | O::I64DivU
            | O::I64RemS
            | O::I64RemU => self.div,

            op if is_alu(op) => self.alu,

            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests;

/// The integer ALU class of the cost table (`spec/gas.md#cost-table`): comparisons, bit operations,
/// add/sub, shifts and rotations, wrap/extend and sign-extension. None of these traps; the
/// instrumenter relies on that (`spec/gas.md#synced-blocks`).
pub(crate) fn is_alu(op: &Operator) -> bool {
    use Operator as O;
    matches!(
        op,
        O::I32Eqz
            | O::I32Eq
            | O::I32Ne
            | O::I32LtS
            | O::I32LtU
            | O::I32GtS
            | O::I32GtU
            | O::I32LeS
            | O::I32LeU
            | O::I32GeS
            | O::I32GeU
            | O::I64Eqz
            | O::I64Eq
            | O::I64Ne
            | O::I64LtS
            | O::I64LtU
            | O::I64GtS
            | O::I64GtU
            | O::I64LeS
            | O::I64LeU
            | O::I64GeS
            | O::I64GeU
            | O::I32Clz
            | O::I32Ctz
            | O::I32Popcnt
            | O::I32Add
            | O::I32Sub
            | O::I32And
            | O::I32Or
            | O::I32Xor
            | O::I32Shl
            | O::I32ShrS
            | O::I32ShrU
            | O::I32Rotl
            | O::I32Rotr
            | O::I64Clz
            | O::I64Ctz
            | O::I64Popcnt
            | O::I64Add
            | O::I64Sub
            | O::I64And
            | O::I64Or
            | O::I64Xor
            | O::I64Shl
            | O::I64ShrS
            | O::I64ShrU
            | O::I64Rotl
            | O::I64Rotr
            | O::I32WrapI64
            | O::I64ExtendI32S
            | O::I64ExtendI32U
            | O::I32Extend8S
            | O::I32Extend16S
            | O::I64Extend8S
            | O::I64Extend16S
            | O::I64Extend32S
    )
}
