//! What a transaction asks a token script to do (`spec/abi.md#invocations`).

use crate::{Address, TokenId};
use alloc::{string::String, vec::Vec};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// A native token operation: the data a hook sees and what the pipeline applies.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operation {
    /// Move `amount` from `from` to `to`.
    Transfer {
        /// Debited account.
        from: Address,
        /// Credited account.
        to: Address,
        /// How much.
        #[serde(with = "crate::hex::amount")]
        amount: u128,
    },
    /// Create `amount` new units for `to`.
    Mint {
        /// Credited account.
        to: Address,
        /// How much.
        #[serde(with = "crate::hex::amount")]
        amount: u128,
    },
    /// Destroy `amount` units held by `from`.
    Burn {
        /// Debited account.
        from: Address,
        /// How much.
        #[serde(with = "crate::hex::amount")]
        amount: u128,
    },
    /// `owner` allows `spender` to move up to `amount` (allowances are kept by the node; the script
    /// only sees the approval through `on_approve`).
    Approve {
        /// Owner of the funds.
        owner: Address,
        /// Who may spend.
        spender: Address,
        /// Up to how much.
        #[serde(with = "crate::hex::amount")]
        amount: u128,
    },
}

/// The hooks a node fires around native operations. Each is a Wasm export of the same name.
#[derive(
    Clone,
    Copy,
    Debug,
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
#[borsh(use_discriminant = true)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum HookKind {
    /// Before a transfer is applied; may reject it (revert) or add mutations.
    BeforeTransfer = 0,
    /// After a transfer is applied; may add mutations.
    AfterTransfer = 1,
    /// Before a mint.
    BeforeMint = 2,
    /// After a mint.
    AfterMint = 3,
    /// Before a burn.
    BeforeBurn = 4,
    /// After a burn.
    AfterBurn = 5,
    /// When an approval is made.
    OnApprove = 6,
}

impl HookKind {
    /// Every hook, in discriminant order.
    pub const ALL: [HookKind; 7] = [
        Self::BeforeTransfer,
        Self::AfterTransfer,
        Self::BeforeMint,
        Self::AfterMint,
        Self::BeforeBurn,
        Self::AfterBurn,
        Self::OnApprove,
    ];

    /// The Wasm export that implements this hook.
    pub fn export_name(self) -> &'static str {
        match self {
            Self::BeforeTransfer => "before_transfer",
            Self::AfterTransfer => "after_transfer",
            Self::BeforeMint => "before_mint",
            Self::AfterMint => "after_mint",
            Self::BeforeBurn => "before_burn",
            Self::AfterBurn => "after_burn",
            Self::OnApprove => "on_approve",
        }
    }

    /// The hook for an export name, if it is one.
    pub fn from_export_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.export_name() == name)
    }

    /// The `(before, after)` hooks that surround `op` in the operation pipeline. `Approve` has only
    /// `on_approve`, which runs in the "before" position (it may reject the approval).
    pub fn pipeline(op: &Operation) -> (HookKind, Option<HookKind>) {
        match op {
            Operation::Transfer { .. } => (Self::BeforeTransfer, Some(Self::AfterTransfer)),
            Operation::Mint { .. } => (Self::BeforeMint, Some(Self::AfterMint)),
            Operation::Burn { .. } => (Self::BeforeBurn, Some(Self::AfterBurn)),
            Operation::Approve { .. } => (Self::OnApprove, None),
        }
    }
}

/// What to run.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Call {
    /// A native operation's whole pipeline, atomically: the before-hook, the native mutation, the
    /// after-hook. Hooks the script does not export are skipped.
    Operation {
        /// The operation.
        operation: Operation,
    },
    /// One hook alone (the native mutation is not applied).
    Hook {
        /// Which hook.
        hook: HookKind,
        /// The operation it sees.
        operation: Operation,
    },
    /// A read-only view: export `view_<name>`.
    View {
        /// The view's name (see [`crate::valid_entry_name`]).
        name: String,
        /// Arguments, opaque to the host.
        #[serde(with = "crate::hex::bytes")]
        args: Vec<u8>,
    },
    /// A state-changing method: export `method_<name>`.
    Method {
        /// The method's name.
        name: String,
        /// Arguments, opaque to the host.
        #[serde(with = "crate::hex::bytes")]
        args: Vec<u8>,
    },
}

impl Call {
    /// Whether the call may change state (everything but a view).
    pub fn is_read_only(&self) -> bool {
        matches!(self, Self::View { .. })
    }
}

/// A call on a token's script.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invocation {
    /// The token whose script runs (and whose storage it sees).
    pub token: TokenId,
    /// What to run.
    pub call: Call,
}
