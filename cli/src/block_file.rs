//! The block files of the CLI (`spec/block.md#files`): a block file `tsvm run` executes (the
//! pre-state by path and the transactions, each with its module by path, relative to the file), the
//! block result file `tsvm run` writes and `tsvm diff` compares, and telling a block bundle from a
//! transaction bundle.

use crate::artefact::TraceBody;
use crate::exit::Failure;
use crate::files::{is_json, parse_json, read_bounded, read_json, read_module};
use abi::{BlockBundle, Call, Code, Context, Hash32, Invocation, Receipt, StateDiff, TokenId, TxData};
use borsh::BorshDeserialize as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vm::InMemoryState;

/// The `kind` field of a block file: `"block"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockKind {
    /// `"block"`.
    #[default]
    #[serde(rename = "block")]
    Tag,
}

/// The `kind` field of a block result file: `"block_result"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockResultKind {
    /// `"block_result"`.
    #[default]
    #[serde(rename = "block_result")]
    Tag,
}

/// One transaction of a block file: a transaction file without its state.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct BlockTxFile {
    /// Path of the module (`.wasm` or `.wat`), relative to the block file.
    pub module: PathBuf,
    /// The token whose script runs.
    pub token: TokenId,
    /// What to run (args as hex).
    pub call: Call,
    /// Block and transaction context.
    pub context: Context,
    /// Gas available.
    pub gas_limit: u64,
}

/// A block file as written: `{"kind": "block", "state": path, "transactions": [...]}`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct BlockFile {
    /// `"block"`.
    pub kind: BlockKind,
    /// Path of the pre-state JSON, relative to the block file.
    pub state: PathBuf,
    /// The transactions, in block order.
    pub transactions: Vec<BlockTxFile>,
}

/// A block file with its state and modules loaded.
pub struct LoadedBlock {
    /// The pre-state.
    pub state: InMemoryState,
    /// The transactions, each with its code as bytes.
    pub transactions: Vec<TxData>,
}

/// A block result file: `{"kind": "block_result", "receipts", "commitments", "diff", "traces"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockResultFile {
    /// `"block_result"`.
    pub kind: BlockResultKind,
    /// Each transaction's receipt.
    pub receipts: Vec<Receipt>,
    /// The running block commitment after each transaction (`spec/block.md#block-commitment`).
    pub commitments: Vec<Hash32>,
    /// The block's combined diff.
    pub diff: StateDiff,
    /// Each transaction's full trace, when recorded (`tsvm run --trace full`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traces: Option<Vec<TraceBody>>,
}

/// The `kind` of a JSON file, if it has one.
fn json_kind(bytes: &[u8]) -> Option<String> {
    if !is_json(bytes) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    value.get("kind")?.as_str().map(str::to_string)
}

/// Whether `path` is a block file (a JSON object whose `kind` is `"block"`).
///
/// # Errors
/// The file cannot be read.
pub fn is_block_file(path: &Path) -> Result<bool, Failure> {
    Ok(json_kind(&read_bounded(path)?).as_deref() == Some("block"))
}

/// Whether `path` is a block result file.
///
/// # Errors
/// The file cannot be read.
pub fn is_block_result(path: &Path) -> Result<bool, Failure> {
    Ok(json_kind(&read_bounded(path)?).as_deref() == Some("block_result"))
}

/// The block bundle in `path`, if it is one: JSON with a `block_format_version` field, or borsh
/// that decodes as a whole to a block bundle (`spec/bundle.md#block-bundles`).
///
/// # Errors
/// The file cannot be read, or is a JSON block bundle that does not parse.
pub fn block_bundle(path: &Path) -> Result<Option<BlockBundle>, Failure> {
    let bytes = read_bounded(path)?;
    if is_json(&bytes) {
        let value: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
        if value.as_ref().and_then(|v| v.get("block_format_version")).is_none() {
            return Ok(None);
        }
        return parse_json(path, &bytes).map(Some);
    }
    Ok(BlockBundle::try_from_slice(&bytes).ok())
}

impl BlockFile {
    /// Loads a block file, its state and its modules (each distinct path read once).
    ///
    /// # Errors
    /// Any file that cannot be read or parsed, named with its path.
    pub fn load(path: &Path) -> Result<LoadedBlock, Failure> {
        let file: BlockFile = read_json(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let state = read_json(&base.join(&file.state))?;
        let mut modules: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
        let mut transactions = Vec::with_capacity(file.transactions.len());
        for tx in file.transactions {
            let module = base.join(&tx.module);
            let code = match modules.get(&module) {
                Some(code) => code.clone(),
                None => {
                    let code = read_module(&module)?;
                    modules.insert(module, code.clone());
                    code
                }
            };
            transactions.push(TxData {
                code: Code::Bytes(code),
                invocation: Invocation { token: tx.token, call: tx.call },
                context: tx.context,
                gas_limit: tx.gas_limit,
            });
        }
        Ok(LoadedBlock { state, transactions })
    }
}
