//! The transaction file `tsvm run` reads: module and state by path (relative to the file), the
//! invocation, the context and the gas limit, all in JSON (`spec/abi.md#json`). A view's or
//! method's `args` may be typed JSON values when the module declares an ABI
//! (`spec/abi.md#typed-arguments-in-transaction-files`).

use crate::abi_view;
use crate::exit::Failure;
use crate::files::{parse_json, read_bounded, read_module};
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
        let bytes = read_bounded(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let (tx, code) = match parse_json::<TxFile>(path, &bytes) {
            Ok(tx) => {
                let code = read_module(&base.join(&tx.module))?;
                (tx, code)
            }
            // Typed args are not hex: the hex form's error stands unless the call has them.
            Err(hex_error) => {
                let Ok(raw) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                    return Err(hex_error);
                };
                let Some(call) = raw.get("call").filter(|c| abi_view::typed_args(c).is_some()) else {
                    return Err(hex_error);
                };
                let mut hex_form = raw.clone();
                hex_form["call"]["args"] = serde_json::Value::String("0x".into());
                // From the value, not re-serialised text: the error names the field, and no line
                // or column that would not be the file's.
                let mut tx: TxFile = serde_path_to_error::deserialize(hex_form).map_err(|e| {
                    let field = e.path().to_string();
                    Failure::invalid(anyhow::anyhow!(
                        "{}: invalid JSON input, field `{field}`: {}",
                        path.display(),
                        e.into_inner()
                    ))
                })?;
                let code = read_module(&base.join(&tx.module))?;
                tx.call = abi_view::encode_call(path, "call.args", call, &code)?;
                (tx, code)
            }
        };
        let state = crate::files::read_json(&base.join(&tx.state))?;
        Ok(LoadedTx {
            code,
            state,
            invocation: Invocation { token: tx.token, call: tx.call },
            context: tx.context,
            gas_limit: tx.gas_limit,
        })
    }
}
