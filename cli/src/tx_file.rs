//! The transaction file `tsvm run` reads: module and state by path (relative to the file), the
//! invocation, the context and the gas limit, all in JSON (`spec/abi.md#json`).

use crate::exit::Failure;
use abi::{Call, Context, Invocation, TokenId};
use anyhow::{anyhow, Context as _};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use vm::InMemoryState;

/// Largest input file read (modules, states, transactions): 64 MiB.
pub const MAX_INPUT_FILE: u64 = 64 * 1024 * 1024;

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

/// Reads a file, refusing ones larger than [`MAX_INPUT_FILE`]: the one way every command reads an
/// input file (module, state, transaction, bundle, artefact, list).
///
/// The size in the file's metadata is checked first, but it is not trusted: `/dev/zero`, a FIFO or a
/// growing file report no useful size, so at most `MAX_INPUT_FILE + 1` bytes are ever read.
///
/// # Errors
/// I/O (exit code `IO`) or an oversized file (exit code `INVALID_INPUT`).
pub fn read_bounded(path: &Path) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let too_big = |len: String| {
        Failure::invalid(anyhow!(
            "{} is {len} bytes, above the {MAX_INPUT_FILE}-byte limit for input files",
            path.display()
        ))
    };
    let cannot = || format!("cannot read {}", path.display());
    let file = std::fs::File::open(path).with_context(cannot).map_err(Failure::io)?;
    let meta = file.metadata().with_context(cannot).map_err(Failure::io)?;
    if meta.len() > MAX_INPUT_FILE {
        return Err(too_big(meta.len().to_string()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_FILE + 1).read_to_end(&mut bytes).with_context(cannot).map_err(Failure::io)?;
    if bytes.len() as u64 > MAX_INPUT_FILE {
        return Err(too_big(format!("more than {MAX_INPUT_FILE}")));
    }
    Ok(bytes)
}

/// Parses JSON from `path`, naming the file, the field (as a path like `context.height`) and the
/// line and column on error.
///
/// # Errors
/// As [`read_bounded`], or malformed JSON (exit code `INVALID_INPUT`).
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Failure> {
    let bytes = read_bounded(path)?;
    parse_json(path, &bytes)
}

/// Parses JSON already read from `path` (named in errors, with the field path, line and column).
///
/// # Errors
/// Malformed JSON or a wrong field (exit code `INVALID_INPUT`).
pub fn parse_json<T: serde::de::DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, Failure> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        let at = if field == "." { String::new() } else { format!(", field `{field}`") };
        Failure::invalid(anyhow!("{}: invalid JSON input{at}: {inner}", path.display()))
    })?;
    // Trailing garbage after the value.
    de.end().map_err(|e| Failure::invalid(anyhow!("{}: invalid JSON input: {e}", path.display())))?;
    Ok(value)
}

/// Reads a module: `.wat` files are compiled from text, anything else is taken as a binary.
///
/// # Errors
/// As [`read_bounded`], or a WAT syntax error (exit code `INVALID_MODULE`).
pub fn read_module(path: &Path) -> Result<Vec<u8>, Failure> {
    let bytes = read_bounded(path)?;
    if path.extension().is_some_and(|e| e == "wat") {
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| Failure::module(anyhow!("{}: not UTF-8 text: {e}", path.display())))?;
        return wat::parse_str(text).map_err(|e| Failure::module(anyhow!("{}: {e}", path.display())));
    }
    Ok(bytes)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_files_are_read_at_the_limit_and_refused_past_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = |len: u64| {
            let path = dir.path().join(format!("f{len}"));
            std::fs::File::create(&path).and_then(|f| f.set_len(len)).expect("sparse file");
            path
        };
        let at = read_bounded(&file(MAX_INPUT_FILE)).expect("a file at the limit is read");
        assert_eq!(at.len() as u64, MAX_INPUT_FILE);
        let past = read_bounded(&file(MAX_INPUT_FILE + 1)).expect_err("a file past the limit is refused");
        assert_eq!(past.code, crate::exit::INVALID_INPUT);
    }
}
