//! Reading and writing files: the one place the CLI touches the file system for its inputs and
//! outputs. Every input is read through [`read_bounded`] (at most [`MAX_INPUT_FILE`] bytes, whatever
//! the file claims to be); JSON is parsed strictly with the failing field named; a bundle's form is
//! told by its first byte when read ([`is_json`]) and by its extension when written.

use crate::exit::Failure;
use abi::Bundle;
use anyhow::{anyhow, Context as _};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Largest input file read (modules, states, transactions, bundles, artefacts, lists): 64 MiB.
pub const MAX_INPUT_FILE: u64 = 64 * 1024 * 1024;

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
    // Sized by the metadata (at most the limit, and one byte to see the end): one allocation for a
    // regular file; a file whose size the metadata does not tell grows as it is read.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
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

/// Whether file contents are JSON (an object) rather than borsh: the first non-blank byte is `{`.
pub fn is_json(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// The files of `dir` (not its subdirectories), sorted by path.
///
/// # Errors
/// A directory or an entry that cannot be read.
pub fn sorted_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        // The entry's type comes with the directory listing on most file systems; a symbolic link is
        // followed (`is_file`), as it would be for the path.
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            files.push(path);
        }
    }
    // Every path is `dir` joined with one file name, so the paths' order is their names' (`Path`'s
    // order compares component by component, the names last): comparing the bytes is that order
    // without splitting each path into components on every comparison.
    files.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    Ok(files)
}

/// The bundle files and archives named by `inputs` (a directory stands for its `*.json`, `*.bundle`
/// and `*.bundles` files, sorted) and by a list file (one path a line, relative to the list's
/// directory; blank lines and `#` comments skipped).
///
/// # Errors
/// A directory or list that cannot be read, or a list that is not UTF-8.
pub fn bundle_paths(inputs: &[PathBuf], list: Option<&Path>) -> Result<Vec<PathBuf>, Failure> {
    let mut paths = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let found = sorted_files(input)
                .with_context(|| format!("cannot read directory {}", input.display()))
                .map_err(Failure::io)?;
            paths.extend(
                found.into_iter().filter(|p| {
                    p.extension().is_some_and(|e| e == "json" || e == "bundle" || e == "bundles")
                }),
            );
        } else {
            paths.push(input.clone());
        }
    }
    if let Some(list) = list {
        let text = String::from_utf8(read_bounded(list)?)
            .map_err(|e| Failure::invalid(anyhow!("{}: not UTF-8 text: {e}", list.display())))?;
        let base = list.parent().unwrap_or(Path::new("."));
        paths.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| base.join(l)),
        );
    }
    Ok(paths)
}

/// Writes `value` as pretty JSON (fields in their declared order) with a final newline.
///
/// # Errors
/// I/O (exit code `IO`).
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), Failure> {
    let json = serde_json::to_string_pretty(value).context("encoding JSON").map_err(Failure::host)?;
    write_file(path, (json + "\n").as_bytes())
}

/// Writes a bundle: JSON if `path` ends in `.json`, borsh otherwise.
///
/// # Errors
/// I/O (exit code `IO`).
pub fn write_bundle(path: &Path, bundle: &Bundle) -> Result<(), Failure> {
    if path.extension().is_some_and(|e| e == "json") {
        write_json(path, bundle)
    } else {
        let bytes = borsh::to_vec(bundle).context("encoding the bundle").map_err(Failure::host)?;
        write_file(path, &bytes)
    }
}

/// Writes bytes to `path`, naming it on error.
///
/// # Errors
/// I/O (exit code `IO`).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(Failure::io)
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

    #[test]
    fn sorted_files_are_the_directory_files_in_path_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let names =
            ["b", "a", "a.b", "a-b", "a b", "A", "a0", "\u{e9}", "tx-000010.json", "tx-000009.json", "~"];
        for name in names {
            std::fs::write(dir.path().join(name), name).expect("file");
        }
        std::fs::create_dir(dir.path().join("a.d")).expect("a subdirectory is skipped");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("b"), dir.path().join("link"))
                .expect("link to a file");
            std::os::unix::fs::symlink(dir.path().join("a.d"), dir.path().join("link.d"))
                .expect("link to a dir");
        }
        let mut expected: Vec<PathBuf> = names.iter().map(|n| dir.path().join(n)).collect();
        if cfg!(unix) {
            expected.push(dir.path().join("link"));
        }
        expected.sort();
        for base in [dir.path().to_path_buf(), dir.path().join("."), dir.path().join("a.d").join("..")] {
            let found = sorted_files(&base).expect("listed");
            let names: Vec<_> = found.iter().map(|p| p.file_name().map(ToOwned::to_owned)).collect();
            let want: Vec<_> = expected.iter().map(|p| p.file_name().map(ToOwned::to_owned)).collect();
            assert_eq!(names, want, "{}", base.display());
            let mut by_path = found.clone();
            by_path.sort();
            assert_eq!(found, by_path, "{}", base.display());
        }
    }

    #[test]
    fn json_is_told_from_borsh_by_its_first_byte() {
        assert!(is_json(b"  \n{\"kind\": 1}"));
        assert!(!is_json(&[1, 0, 0, 0, b'{']));
        assert!(!is_json(b""));
    }
}
