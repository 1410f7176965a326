//! Bundle archives on the command line (`spec/bundle.md#bundle-archives`): telling one from a single
//! bundle, reading its bundles in bounded batches for `tsvm replay`, writing one for `tsvm
//! gen-bundles`, and naming one of its bundles as `FILE#INDEX` for `tsvm bisect`, `inspect` and `diff`.

use crate::exit::Failure;
use crate::files::MAX_INPUT_FILE;
use abi::{ArchiveBlocks, ArchiveError, ArchiveReader, ArchiveWriter, Bundle};
use anyhow::{anyhow, Context as _};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read as _};
use std::path::{Path, PathBuf};

/// At most this many bundles of an archive are held in memory at once by `tsvm replay`.
pub const BATCH_BUNDLES: usize = 4096;

/// The first batch holds at most this many bundles, each next one twice as many up to
/// [`BATCH_BUNDLES`]: the threads start on a small batch instead of waiting for a full one to be
/// read.
pub const FIRST_BATCH_BUNDLES: usize = 256;

/// ... and at most about this many bytes of them (a batch ends after the bundle that reaches it).
pub const BATCH_BYTES: usize = 64 << 20;

/// The largest bundle an archive may hold: the limit for a bundle file ([`MAX_INPUT_FILE`]).
const MAX_BUNDLE: u32 = MAX_INPUT_FILE as u32;

/// The name of bundle `index` of the archive at `path`: `path#index`, as [`EntryName`] displays it.
/// A name is made for every replayed bundle: a UTF-8 path is copied as it is, without the
/// formatting machinery (a lossy display of the path) that any other takes.
pub fn entry_name(path: &Path, index: u32) -> PathBuf {
    use std::fmt::Write as _;
    let Some(path) = path.to_str() else { return PathBuf::from(EntryName(path, index).to_string()) };
    let mut name = String::with_capacity(path.len() + 11);
    name.push_str(path);
    name.push('#');
    let _ = write!(name, "{index}");
    PathBuf::from(name)
}

/// [`entry_name`] as it is displayed, made only when it is written (into an error, say).
pub struct EntryName<'a>(pub &'a Path, pub u32);

impl std::fmt::Display for EntryName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.0.display(), self.1)
    }
}

/// Whether `path` is to be read as an archive: a name ending in `.json` or `.bundle` is a single
/// bundle (so a directory of them is listed and read with no extra open); any other file is an
/// archive when it starts with the archive's magic. A file that cannot be opened is not: reading it
/// as a bundle reports the error.
pub fn is_archive(path: &Path) -> bool {
    if path.extension().is_some_and(|e| e == "json" || e == "bundle") {
        return false;
    }
    let mut magic = [0u8; abi::BUNDLE_ARCHIVE_MAGIC.len()];
    File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && abi::is_bundle_archive(&magic)
}

/// An archive's error as a [`Failure`] naming `name`: I/O is `IO`, the rest `INVALID_INPUT`.
fn failure(name: &Path, error: ArchiveError) -> Failure {
    let io = matches!(error, ArchiveError::Io(_));
    let error = anyhow!(error).context(format!("{}: bundle archive", name.display()));
    if io {
        Failure::io(error)
    } else {
        Failure::invalid(error)
    }
}

/// The name of the fault `error` that ended the archive at `path` at bundle `index`: the bundle's
/// `ARCHIVE#INDEX`, or the archive for bytes after its last bundle.
fn fault_name(path: &Path, index: u32, error: &ArchiveError) -> PathBuf {
    match error {
        ArchiveError::TrailingBytes { .. } => path.to_path_buf(),
        _ => entry_name(path, index),
    }
}

/// The file at `path`, opened to be read.
fn open(path: &Path) -> Result<File, Failure> {
    File::open(path).with_context(|| format!("cannot read {}", path.display())).map_err(Failure::io)
}

/// An archive opened for reading in batches, each read straight into the batch's buffer
/// ([`ArchiveBlocks`]).
pub struct Archive {
    path: PathBuf,
    blocks: ArchiveBlocks<File>,
    /// Bytes read past the last bundle of the previous batch: the start of the next one.
    carry: Vec<u8>,
    /// Bundles a batch holds at most: [`BATCH_BUNDLES`] (fewer in tests, to cross batches).
    batch_bundles: usize,
    /// Bundles the next batch holds at most: from [`FIRST_BATCH_BUNDLES`], doubled after each
    /// batch up to `batch_bundles`.
    next_bundles: usize,
}

/// The file is read this many bytes at a time (more when a bundle needs more). What a batch's last
/// read brings past its last bundle is copied to the next batch: small reads keep that copy small.
const READ_BYTES: usize = 256 << 10;

/// Bundles of an archive as read, not yet decoded: the archive's bytes in one buffer, which the next
/// batch reuses (no allocation, and no fresh pages to fault in, per bundle).
#[derive(Default)]
pub struct Batch {
    /// The archive's bytes as read: the bundles with their lengths, maybe the start of the next.
    bytes: Vec<u8>,
    /// Each bundle's index in the archive and where its canonical form lies in `bytes`.
    spans: Vec<(u32, std::ops::Range<usize>)>,
}

impl Batch {
    /// Each bundle's index in the archive and its canonical form, in archive order.
    pub fn bundles(&self) -> impl Iterator<Item = (u32, &[u8])> + '_ {
        self.spans.iter().map(|(index, span)| (*index, &self.bytes[span.clone()]))
    }

    /// How many bundles it holds.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether it holds none (the archive was read to its end).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

impl Archive {
    /// Opens the archive at `path` and reads its header.
    ///
    /// # Errors
    /// I/O, no archive header, another archive format version.
    pub fn open(path: &Path) -> Result<Self, Failure> {
        Self::open_with(path, MAX_BUNDLE, READ_BYTES)
    }

    /// [`Archive::open`] refusing bundles over `max_len` bytes and reading `read_bytes` a read
    /// (tests cut bundles and lengths at every byte with a small limit and small reads).
    fn open_with(path: &Path, max_len: u32, read_bytes: usize) -> Result<Self, Failure> {
        let blocks = ArchiveBlocks::new(open(path)?, max_len, read_bytes).map_err(|e| failure(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            blocks,
            carry: Vec::new(),
            batch_bundles: BATCH_BUNDLES,
            next_bundles: FIRST_BATCH_BUNDLES.min(BATCH_BUNDLES),
        })
    }

    /// The archive read `first` bundles in its first batch, then twice as many a batch up to `most`,
    /// so a test crosses batch boundaries with a few bundles.
    #[cfg(test)]
    pub(crate) fn with_batches_of(self, first: usize, most: usize) -> Self {
        Self { batch_bundles: most, next_bundles: first.min(most), ..self }
    }

    /// The number of bundles its header declares.
    pub fn count(&self) -> u32 {
        self.blocks.count()
    }

    /// Reads the next bundles into `batch` (emptied first), at most [`BATCH_BUNDLES`] of them
    /// ([`FIRST_BATCH_BUNDLES`] in the first, twice as many in each next) and about [`BATCH_BYTES`];
    /// it stays empty after the last. The error, if any, is what ended the archive early
    /// (truncated, padded, a bundle over the limit, I/O), named by the bundle it was met at (or the
    /// archive, for bytes after the last): the bundles before it are in `batch`, and the archive
    /// gives no more.
    pub fn next_batch(&mut self, batch: &mut Batch) -> Option<(PathBuf, Failure)> {
        batch.bytes.clear();
        batch.spans.clear();
        batch.bytes.append(&mut self.carry);
        let most = self.next_bundles;
        self.next_bundles = (most * 2).min(self.batch_bundles);
        let (at, fault) = self.blocks.find(&mut batch.bytes, &mut batch.spans, most, BATCH_BYTES);
        self.carry.extend_from_slice(&batch.bytes[at..]);
        fault.map(|e| (fault_name(&self.path, self.blocks.position(), &e), failure(&self.path, e)))
    }
}

/// `FILE#INDEX` when no file has that whole name and `FILE` is an archive: `FILE` and `INDEX`.
pub fn split_entry(path: &Path) -> Option<(PathBuf, u32)> {
    let text = path.to_str()?;
    let (file, index) = text.rsplit_once('#')?;
    let index = index.parse().ok()?;
    let file = PathBuf::from(file);
    (!path.exists() && file.is_file() && is_archive(&file)).then_some((file, index))
}

/// The canonical form of bundle `index` of the archive at `path`, read past the bundles before it.
///
/// # Errors
/// As [`Archive::open`]; an index past the archive's count; the archive ending before it.
pub fn read_entry(path: &Path, index: u32) -> Result<Vec<u8>, Failure> {
    let mut reader =
        ArchiveReader::new(BufReader::new(open(path)?), MAX_BUNDLE).map_err(|e| failure(path, e))?;
    let count = reader.count();
    if index >= count {
        return Err(Failure::invalid(anyhow!(
            "{}: the bundle archive holds {count} bundles (numbered from 0): there is no bundle {index}",
            path.display()
        )));
    }
    loop {
        let at = reader.position();
        match reader.next_bundle() {
            Ok(Some(bytes)) if at == index => return Ok(bytes),
            Ok(Some(_)) => {}
            // The reader ends cleanly only at the count, which is past `index`.
            Ok(None) => {
                return Err(Failure::host(anyhow!("{}: ended before bundle {index}", path.display())))
            }
            Err(e) => return Err(failure(&entry_name(path, at), e)),
        }
    }
}

/// Writes `bundles` (as many as declared) as an archive at `path`.
///
/// # Errors
/// I/O (exit code `IO`), a host failure encoding a bundle, a count other than `count`.
pub fn write(
    path: &Path,
    count: u32,
    bundles: impl IntoIterator<Item = Result<Bundle, Failure>>,
) -> Result<(), Failure> {
    let cannot = |e: ArchiveError| match e {
        ArchiveError::Io(e) => Failure::io(anyhow!(e).context(format!("cannot write {}", path.display()))),
        e => Failure::host(anyhow!(e).context(format!("writing {}", path.display()))),
    };
    let file = File::create(path)
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(Failure::io)?;
    let mut writer = ArchiveWriter::new(BufWriter::new(file), count).map_err(cannot)?;
    for bundle in bundles {
        writer.push(&bundle?).map_err(cannot)?;
    }
    writer.finish().map_err(cannot)?.into_inner().map_err(|e| cannot(ArchiveError::Io(e.into_error())))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_name_is_as_displayed() {
        use std::os::unix::ffi::OsStrExt as _;
        let not_utf8 = std::ffi::OsStr::from_bytes(b"/tmp/a\xff.bundles");
        for path in [Path::new("/tmp/b.bundles"), Path::new(""), Path::new("\u{e9}#1"), Path::new(not_utf8)] {
            for index in [0, 7, 4_096, u32::MAX] {
                assert_eq!(entry_name(path, index), PathBuf::from(EntryName(path, index).to_string()));
            }
        }
        assert_eq!(entry_name(Path::new("x/a"), 42), PathBuf::from("x/a#42"));
        assert_eq!(entry_name(Path::new(not_utf8), 3), PathBuf::from("/tmp/a\u{fffd}.bundles#3"));
    }

    /// The lengths of the batches an archive of `count` one-byte bundles is read in, up to the
    /// empty one that ends it, and each bundle's index and byte in order.
    fn batches(count: u32, archive: impl FnOnce(Archive) -> Archive) -> (Vec<usize>, Vec<(u32, u8)>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.bundles");
        let mut writer = abi::ArchiveWriter::new(Vec::new(), count).expect("header");
        for i in 0..count {
            writer.push_encoded(&[i as u8]).expect("pushed");
        }
        std::fs::write(&path, writer.finish().expect("written")).expect("written");
        let mut archive = archive(Archive::open(&path).expect("opened"));
        let (mut lens, mut seen, mut batch) = (Vec::new(), Vec::new(), Batch::default());
        loop {
            assert!(archive.next_batch(&mut batch).is_none(), "a whole archive reads without fault");
            lens.push(batch.len());
            seen.extend(batch.bundles().map(|(index, bytes)| (index, bytes[0])));
            if batch.is_empty() {
                return (lens, seen);
            }
        }
    }

    /// What an archive gives: each bundle with its index, then the fault that ended it, if any, as
    /// its name and message.
    type Read = (Vec<(u32, Vec<u8>)>, Option<(PathBuf, String)>);

    /// The archive at `path` read bundle by bundle with the streaming [`ArchiveReader`]: the rules.
    fn streamed(path: &Path, max_len: u32) -> Read {
        let mut reader =
            ArchiveReader::new(std::fs::File::open(path).expect("opened"), max_len).expect("header");
        let mut bundles = Vec::new();
        loop {
            let index = reader.position();
            match reader.next_bundle() {
                Ok(Some(bytes)) => bundles.push((index, bytes)),
                Ok(None) => return (bundles, None),
                Err(e) => {
                    let name = fault_name(path, index, &e);
                    return (bundles, Some((name, format!("{:#}", failure(path, e).error))));
                }
            }
        }
    }

    /// The archive at `path` read in batches by [`Archive`], `read_bytes` a read.
    fn batched(path: &Path, max_len: u32, read_bytes: usize, (first, most): (usize, usize)) -> Read {
        let mut archive =
            Archive::open_with(path, max_len, read_bytes).expect("opened").with_batches_of(first, most);
        let (mut bundles, mut batch) = (Vec::new(), Batch::default());
        loop {
            let fault = archive.next_batch(&mut batch);
            bundles.extend(batch.bundles().map(|(index, bytes)| (index, bytes.to_vec())));
            if let Some((name, f)) = fault {
                return (bundles, Some((name, format!("{:#}", f.error))));
            }
            if batch.is_empty() {
                return (bundles, None);
            }
        }
    }

    /// Read in batches, from blocks of any size, an archive gives what the streaming reader gives:
    /// whole, cut at every byte after its header, padded, declaring more or fewer bundles than it
    /// holds, and with a bundle over the limit.
    #[test]
    fn batches_read_what_the_streaming_reader_reads() {
        let sizes = [0usize, 1, 5, 40, 3, 64];
        let archive = |declared: u32, sizes: &[usize]| {
            let mut writer = abi::ArchiveWriter::new(Vec::new(), declared).expect("header");
            for (i, &n) in sizes.iter().enumerate() {
                writer.push_encoded(&vec![i as u8 + 1; n]).expect("pushed");
            }
            writer.finish().unwrap_or_else(|_| Vec::new())
        };
        let whole = archive(sizes.len() as u32, &sizes);
        let mut variants: Vec<Vec<u8>> =
            (abi::BUNDLE_ARCHIVE_HEADER_LEN..=whole.len()).map(|n| whole[..n].to_vec()).collect();
        variants.push([whole.clone(), vec![0]].concat());
        variants.push([whole.clone(), vec![9; 7]].concat());
        // The header declares one bundle more (truncated), or one fewer (trailing bytes).
        let mut more = whole.clone();
        more[12..16].copy_from_slice(&(sizes.len() as u32 + 1).to_le_bytes());
        let mut fewer = whole.clone();
        fewer[12..16].copy_from_slice(&(sizes.len() as u32 - 1).to_le_bytes());
        variants.extend([more, fewer, archive(0, &[])]);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.bundles");
        let mut faults = String::new();
        for bytes in &variants {
            std::fs::write(&path, bytes).expect("written");
            // 64: the limit exactly; 39: the fourth bundle is over it.
            for max_len in [64, 39] {
                let expected = streamed(&path, max_len);
                if let Some((_, message)) = &expected.1 {
                    faults.push_str(message);
                }
                for read_bytes in [1, 2, 3, 5, 64, READ_BYTES] {
                    for batches in [(1, 1), (1, 2), (2, 3), (FIRST_BATCH_BUNDLES, BATCH_BUNDLES)] {
                        let got = batched(&path, max_len, read_bytes, batches);
                        assert_eq!(
                            got,
                            expected,
                            "{} bytes, limit {max_len}, reads of {read_bytes}, batches {batches:?}",
                            bytes.len()
                        );
                    }
                }
            }
        }
        // Every kind of fault was met: truncation, trailing bytes, a bundle over the limit.
        for kind in
            ["truncated: the archive ends in bundle", "bytes follow the last", "above the 39-byte limit"]
        {
            assert!(faults.contains(kind), "no {kind:?} among the faults");
        }
    }

    /// The first batch holds `FIRST_BATCH_BUNDLES`, each next one twice as many up to
    /// `BATCH_BUNDLES`, and every bundle is read once, in order.
    #[test]
    fn batches_start_small_and_double() {
        let (lens, seen) = batches(9000, |a| a);
        assert_eq!(lens, [256, 512, 1024, 2048, 4096, 1064, 0]);
        assert_eq!(lens[0], FIRST_BATCH_BUNDLES);
        assert_eq!(lens[4], BATCH_BUNDLES);
        assert!(seen.iter().enumerate().all(|(i, &(index, byte))| index as usize == i && byte == i as u8));
        assert_eq!(seen.len(), 9000);
        let (lens, _) = batches(20, |a| a.with_batches_of(2, 5));
        assert_eq!(lens, [2, 4, 5, 5, 4, 0]);
    }
}
