//! What exactly ended an execution that failed: the trap's kind, the limit or the argument at fault
//! (`spec/abi.md#faults`).
//!
//! Codes are stable numbers fixed by WebAssembly semantics or by this ABI, never by an engine: the
//! VM maps its engine's trap codes in one place. Like status codes, they are consensus-visible (the
//! receipt and the trace's end carry them); their text is not.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($(#[$tdoc:meta])* $ty:ident { $( $(#[$doc:meta])* $name:ident = $code:literal, $snake:literal, $text:literal; )* }) => {
        $(#[$tdoc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
            BorshSerialize, BorshDeserialize, Serialize, Deserialize,
        )]
        #[borsh(use_discriminant = true)]
        #[serde(rename_all = "snake_case")]
        #[repr(u8)]
        pub enum $ty {
            $( $(#[$doc])* $name = $code, )*
        }

        impl $ty {
            /// Every code, in numeric order.
            pub const ALL: &'static [$ty] = &[$(Self::$name),*];

            /// The numeric code.
            pub fn code(self) -> u8 {
                self as u8
            }

            /// The code for a number, if there is one.
            pub fn from_u8(code: u8) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$name), )*
                    _ => None,
                }
            }

            /// A short human description (not consensus-visible).
            pub fn describe(self) -> &'static str {
                match self {
                    $( Self::$name => $text, )*
                }
            }

            /// The name JSON writes (`snake_case`).
            pub fn name(self) -> &'static str {
                match self {
                    $( Self::$name => $snake, )*
                }
            }
        }
    };
}

codes! {
    /// The kind of a WebAssembly trap, as the WebAssembly specification defines its trapping
    /// conditions (status `trap`).
    TrapKind {
        /// `unreachable` was executed.
        Unreachable = 1, "unreachable", "unreachable executed";
        /// An integer division or remainder by zero.
        IntegerDivisionByZero = 2, "integer_division_by_zero", "integer division by zero";
        /// A signed division overflowed (`MIN / -1`).
        IntegerOverflow = 3, "integer_overflow", "integer overflow";
        /// A float-to-integer truncation of NaN or of a value out of range.
        InvalidConversionToInteger = 4, "invalid_conversion_to_integer", "invalid conversion to integer";
        /// A load, store, bulk memory operation or data segment out of the memory's bounds.
        MemoryOutOfBounds = 5, "memory_out_of_bounds", "out-of-bounds memory access";
        /// A table access, bulk table operation or element segment out of the table's bounds.
        TableOutOfBounds = 6, "table_out_of_bounds", "out-of-bounds table access";
        /// `call_indirect` of a null (uninitialised) table element.
        UninitializedElement = 7, "uninitialized_element", "uninitialised table element";
        /// `call_indirect` of a function whose type is not the expected one.
        IndirectCallTypeMismatch = 8, "indirect_call_type_mismatch", "indirect call type mismatch";
    }
}

codes! {
    /// The limit (a `Limits` field of the same name, `spec/determinism.md#limits`) an execution
    /// exceeded (status `limit_exceeded`, or `stack_overflow` for `max_stack_units`).
    LimitKind {
        /// A storage key longer than `max_key_len`.
        MaxKeyLen = 1, "max_key_len", "storage key longer than max_key_len";
        /// A storage value longer than `max_value_len`.
        MaxValueLen = 2, "max_value_len", "storage value longer than max_value_len";
        /// Return data longer than `max_return_data_len`.
        MaxReturnDataLen = 3, "max_return_data_len", "return data longer than max_return_data_len";
        /// A revert reason longer than `max_revert_reason_len`.
        MaxRevertReasonLen = 4, "max_revert_reason_len", "revert reason longer than max_revert_reason_len";
        /// An event topic longer than `max_event_topic_len`.
        MaxEventTopicLen = 5, "max_event_topic_len", "event topic longer than max_event_topic_len";
        /// An event payload longer than `max_event_data_len`.
        MaxEventDataLen = 6, "max_event_data_len", "event data longer than max_event_data_len";
        /// One event more than `max_events`.
        MaxEvents = 7, "max_events", "more events than max_events";
        /// A log message longer than `max_log_len`.
        MaxLogLen = 8, "max_log_len", "log message longer than max_log_len";
        /// One log record more than `max_logs`.
        MaxLogs = 9, "max_logs", "more log records than max_logs";
        /// View or method args longer than `max_input_len`.
        MaxInputLen = 10, "max_input_len", "args longer than max_input_len";
        /// The specified stack limit, `max_stack_units` (`spec/gas.md#stack-limit`).
        MaxStackUnits = 11, "max_stack_units", "stack deeper than max_stack_units";
    }
}

codes! {
    /// The host-function argument at fault (status `invalid_argument`).
    ArgumentKind {
        /// `log`'s `level` is not 0-3.
        LogLevel = 1, "log_level", "log level is not 0-3";
        /// `cancel_native` was called outside an operation pipeline's before-hook.
        CancelNativeOutsideBeforeHook = 2, "cancel_native_outside_before_hook", "cancel_native outside a before-hook";
    }
}

/// What ended a failed execution, beyond its status: `None` unless the status is `trap`,
/// `limit_exceeded`, `stack_overflow` or `invalid_argument`. Borsh: a `u8` variant index (the order
/// below), then the kind's `u8` code.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// 0: nothing more to say (success, or a status that says it all).
    #[default]
    None,
    /// 1: the trap's kind.
    Trap(TrapKind),
    /// 2: the limit exceeded.
    Limit(LimitKind),
    /// 3: the argument at fault.
    Argument(ArgumentKind),
}

impl Fault {
    /// A short human description, `None` for [`Fault::None`] (not consensus-visible).
    pub fn describe(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Trap(k) => Some(k.describe()),
            Self::Limit(k) => Some(k.describe()),
            Self::Argument(k) => Some(k.describe()),
        }
    }

    /// The fault's kind as JSON names it (`"integer_division_by_zero"`), `None` for [`Fault::None`].
    pub fn name(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Trap(k) => Some(k.name()),
            Self::Limit(k) => Some(k.name()),
            Self::Argument(k) => Some(k.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_names_are_serde_names() {
        fn check<T: Copy + PartialEq + core::fmt::Debug + Serialize + BorshSerialize>(
            all: &[T],
            code: fn(T) -> u8,
            from: fn(u8) -> Option<T>,
            name: fn(T) -> &'static str,
        ) {
            for (i, &k) in all.iter().enumerate() {
                assert_eq!(code(k) as usize, i + 1, "codes are dense from 1");
                assert_eq!(from(code(k)), Some(k));
                assert_eq!(borsh::to_vec(&k).unwrap(), vec![code(k)]);
                assert_eq!(serde_json::to_string(&k).unwrap(), alloc::format!("\"{}\"", name(k)));
            }
            assert_eq!(from(0), None);
            assert_eq!(from(all.len() as u8 + 1), None);
        }
        check(TrapKind::ALL, TrapKind::code, TrapKind::from_u8, TrapKind::name);
        check(LimitKind::ALL, LimitKind::code, LimitKind::from_u8, LimitKind::name);
        check(ArgumentKind::ALL, ArgumentKind::code, ArgumentKind::from_u8, ArgumentKind::name);
        // Pinned: consensus-visible numbers.
        assert_eq!(TrapKind::IntegerDivisionByZero.code(), 2);
        assert_eq!(LimitKind::MaxStackUnits.code(), 11);
        assert_eq!(ArgumentKind::CancelNativeOutsideBeforeHook.code(), 2);
    }

    #[test]
    fn fault_encodings() {
        let f = Fault::Trap(TrapKind::IntegerDivisionByZero);
        assert_eq!(borsh::to_vec(&f).unwrap(), vec![1, 2]);
        assert_eq!(borsh::to_vec(&Fault::None).unwrap(), vec![0]);
        assert_eq!(borsh::to_vec(&Fault::Limit(LimitKind::MaxKeyLen)).unwrap(), vec![2, 1]);
        assert_eq!(borsh::to_vec(&Fault::Argument(ArgumentKind::LogLevel)).unwrap(), vec![3, 1]);
        assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"trap":"integer_division_by_zero"}"#);
        assert_eq!(serde_json::to_string(&Fault::None).unwrap(), r#""none""#);
        assert_eq!(
            serde_json::from_str::<Fault>(r#"{"limit":"max_key_len"}"#).unwrap(),
            Fault::Limit(LimitKind::MaxKeyLen)
        );
        assert_eq!(f.name(), Some("integer_division_by_zero"));
    }
}
