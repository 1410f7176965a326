//! Bundle archives on the command line (`spec/bundle.md#bundle-archives`): telling one from a single
//! bundle, reading its bundles in bounded batches for `tsvm replay`, writing one for `tsvm
//! gen-bundles`, and naming one of its bundles as `FILE#INDEX` for `tsvm bisect`, `inspect` and `diff`.

use crate::exit::Failure;
use crate::files::MAX_INPUT_FILE;
use abi::{ArchiveError, ArchiveReader, ArchiveWriter, Bundle};
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

/// The name of bundle `index` of the archive at `path`: `path#index`.
pub fn entry_name(path: &Path, index: u32) -> PathBuf {
    PathBuf::from(format!("{}#{index}", path.display()))
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

/// An archive opened for reading.
pub struct Archive {
    path: PathBuf,
    reader: ArchiveReader<BufReader<File>>,
    /// Bundles a batch holds at most: [`BATCH_BUNDLES`] (fewer in tests, to cross batches).
    batch_bundles: usize,
    /// Bundles the next batch holds at most: from [`FIRST_BATCH_BUNDLES`], doubled after each
    /// batch up to `batch_bundles`.
    next_bundles: usize,
}

/// Bundles of an archive as read, not yet decoded: their canonical forms back to back in one buffer,
/// which the next batch reuses (no allocation, and no fresh pages to fault in, per bundle).
#[derive(Default)]
pub struct Batch {
    bytes: Vec<u8>,
    /// Each bundle's index in the archive and where its bytes end in `bytes`.
    ends: Vec<(u32, usize)>,
}

impl Batch {
    /// Each bundle's index in the archive and its canonical form, in archive order.
    pub fn bundles(&self) -> impl Iterator<Item = (u32, &[u8])> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&(_, end)| end));
        self.ends.iter().zip(starts).map(|(&(index, end), start)| (index, &self.bytes[start..end]))
    }

    /// How many bundles it holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether it holds none (the archive was read to its end).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

impl Archive {
    /// Opens the archive at `path` and reads its header.
    ///
    /// # Errors
    /// I/O, no archive header, another archive format version.
    pub fn open(path: &Path) -> Result<Self, Failure> {
        let file = File::open(path)
            .with_context(|| format!("cannot read {}", path.display()))
            .map_err(Failure::io)?;
        let reader = ArchiveReader::new(BufReader::with_capacity(1 << 20, file), MAX_BUNDLE)
            .map_err(|e| failure(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            reader,
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
        self.reader.count()
    }

    /// Reads the next bundles into `batch` (emptied first), at most [`BATCH_BUNDLES`] of them
    /// ([`FIRST_BATCH_BUNDLES`] in the first, twice as many in each next) and about [`BATCH_BYTES`];
    /// it stays empty after the last. The error, if any, is what ended the archive
    /// early (truncated, padded, a bundle over the limit, I/O), named by the bundle it was met at (or
    /// the archive, for bytes after the last): the bundles before it are in `batch`, and the archive
    /// gives no more.
    pub fn next_batch(&mut self, batch: &mut Batch) -> Option<(PathBuf, Failure)> {
        batch.bytes.clear();
        batch.ends.clear();
        let most = self.next_bundles;
        self.next_bundles = (most * 2).min(self.batch_bundles);
        while batch.ends.len() < most && batch.bytes.len() < BATCH_BYTES {
            let index = self.reader.position();
            match self.reader.next_bundle_into(&mut batch.bytes) {
                Ok(Some(_)) => batch.ends.push((index, batch.bytes.len())),
                Ok(None) => break,
                Err(e) => {
                    let name = match e {
                        ArchiveError::TrailingBytes { .. } => self.path.clone(),
                        _ => entry_name(&self.path, index),
                    };
                    return Some((name, failure(&self.path, e)));
                }
            }
        }
        None
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
    let mut archive = Archive::open(path)?;
    let count = archive.count();
    if index >= count {
        return Err(Failure::invalid(anyhow!(
            "{}: the bundle archive holds {count} bundles (numbered from 0): there is no bundle {index}",
            path.display()
        )));
    }
    loop {
        let at = archive.reader.position();
        match archive.reader.next_bundle() {
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
