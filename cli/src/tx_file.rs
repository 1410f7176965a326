//! The transaction file `tsvm run` reads: module and state by path (relative to the file), the
//! invocation, the context and the gas limit, all in JSON (`spec/abi.md#json`).

use crate::exit::Failure;
use crate::files::{read_json, read_module};
use abi::{Call, Context, Invocation, TokenId};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use vm::InMemoryState;

/// A transaction file as written.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct TxFile {
    /// Path of the module (`.wasm` binary or `.wat` text), relative to the transaction file.
    pub module: PathBuf,
    /// Path of the pre-state JSON, relative to the transaction file.
    pub state: PathBuf,
    /// The token whose script runs.
    pub token: TokenId,
    /// What to run.
    pub call: Call,
    /// Block and transaction context.
    pub context: Context,
    /// Gas available.
    pub gas_limit: u64,
}

/// A transaction file with its module and state loaded.
pub struct LoadedTx {
    /// Module bytes (WebAssembly binary).
    pub code: Vec<u8>,
    /// Pre-state.
    pub state: InMemoryState,
    /// Invocation.
    pub invocation: Invocation,
    /// Context.
    pub context: Context,
    /// Gas limit.
    pub gas_limit: u64,
}

impl TxFile {
    /// Loads a transaction file and what it points to.
    ///
    /// # Errors
    /// Any file that cannot be read or parsed, named with its path.
    pub fn load(path: &Path) -> Result<LoadedTx, Failure> {
        let tx: TxFile = read_json(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let code = read_module(&base.join(&tx.module))?;
        let state = read_json(&base.join(&tx.state))?;
        Ok(LoadedTx {
            code,
            state,
            invocation: Invocation { token: tx.token, call: tx.call },
            context: tx.context,
            gas_limit: tx.gas_limit,
        })
    }
}
