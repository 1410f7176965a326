//! Bundle archives (`spec/bundle.md#bundle-archives`): many transaction bundles in one file, each in
//! its canonical form behind its length, after a header that names the format and the count. A
//! reader streams them one at a time and tells a truncated or padded file from a whole one; a writer
//! appends them as they are recorded.

use crate::Bundle;
use core::fmt;
use std::io::{self, Read, Write};
use std::ops::Range;

/// The first 8 bytes of every bundle archive (`spec/bundle.md#bundle-archives`). No bundle form
/// starts so: a borsh bundle starts with its format version, a JSON one with `{` or blanks.
pub const BUNDLE_ARCHIVE_MAGIC: [u8; 8] = *b"tsvmbndl";

/// Version of the archive's framing (`spec/bundle.md#bundle-archives`); the bundles inside carry
/// their own [`crate::BUNDLE_FORMAT_VERSION`].
pub const BUNDLE_ARCHIVE_FORMAT_VERSION: u32 = 1;

/// Bytes before the first bundle: the magic, the format version and the count.
pub const BUNDLE_ARCHIVE_HEADER_LEN: usize = 16;

/// Whether `bytes` (a file's start) begin with [`BUNDLE_ARCHIVE_MAGIC`].
#[must_use]
pub fn is_bundle_archive(bytes: &[u8]) -> bool {
    bytes.starts_with(&BUNDLE_ARCHIVE_MAGIC)
}

/// Why an archive could not be read or written. Bundles are numbered from 0 in archive order.
#[derive(Debug)]
pub enum ArchiveError {
    /// The underlying reader or writer failed.
    Io(io::Error),
    /// The input does not start with [`BUNDLE_ARCHIVE_MAGIC`] (or is shorter than the header).
    NotAnArchive,
    /// A format version other than [`BUNDLE_ARCHIVE_FORMAT_VERSION`].
    Version(u32),
    /// A bundle's length is above the reader's limit (nothing of it was read).
    TooLarge {
        /// The bundle's index.
        index: u32,
        /// Its length as the archive gives it.
        len: u32,
        /// The reader's limit.
        max: u32,
    },
    /// The input ends inside bundle `index` or its length, before the `count` the header declares.
    Truncated {
        /// The bundle that is cut or missing.
        index: u32,
        /// The count the header declares.
        count: u32,
    },
    /// Bytes follow the last of the `count` bundles.
    TrailingBytes {
        /// The count the header declares.
        count: u32,
    },
    /// A writer was given another number of bundles than it declared.
    CountMismatch {
        /// The count written in the header.
        declared: u32,
        /// Bundles pushed (at the first one too many, or at `finish`).
        pushed: u32,
    },
    /// A bundle's canonical form is longer than a `u32` length can say.
    BundleTooLong {
        /// Its length in bytes.
        len: usize,
    },
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "{e}"),
            Self::NotAnArchive => write!(f, "not a bundle archive (no `tsvmbndl` header)"),
            Self::Version(v) => write!(
                f,
                "bundle archive format version {v} (this tsvm reads version {BUNDLE_ARCHIVE_FORMAT_VERSION})"
            ),
            Self::TooLarge { index, len, max } => {
                write!(f, "bundle {index} is {len} bytes, above the {max}-byte limit")
            }
            Self::Truncated { index, count } => {
                write!(f, "truncated: the archive ends in bundle {index} of the {count} its header declares")
            }
            Self::TrailingBytes { count } => {
                write!(f, "bytes follow the last of the {count} bundles the header declares")
            }
            Self::CountMismatch { declared, pushed } => {
                write!(f, "the archive declares {declared} bundles, {pushed} were given")
            }
            Self::BundleTooLong { len } => write!(f, "a bundle of {len} bytes does not fit an archive"),
        }
    }
}

impl std::error::Error for ArchiveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for ArchiveError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// Reads an archive one bundle at a time, as bytes (decode each with `borsh`; a bundle that does not
/// decode is that bundle's failure, not the archive's).
#[derive(Debug)]
pub struct ArchiveReader<R> {
    inner: R,
    count: u32,
    next: u32,
    max_len: u32,
}

/// Reads exactly `buf.len()` bytes; `Ok(false)` if the input ends first (whatever part was read).
fn read_all<R: Read>(inner: &mut R, buf: &mut [u8]) -> io::Result<bool> {
    match inner.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

/// Reads and checks an archive's header; gives the count it declares.
fn read_header<R: Read>(inner: &mut R) -> Result<u32, ArchiveError> {
    let mut header = [0u8; BUNDLE_ARCHIVE_HEADER_LEN];
    if !read_all(inner, &mut header)? || !is_bundle_archive(&header) {
        return Err(ArchiveError::NotAnArchive);
    }
    let word = |at: usize| u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    if word(8) != BUNDLE_ARCHIVE_FORMAT_VERSION {
        return Err(ArchiveError::Version(word(8)));
    }
    Ok(word(12))
}

/// Bundle `index`'s length from its 4 length bytes, if it is within `max_len`.
fn bundle_len(len: [u8; 4], index: u32, max_len: u32) -> Result<u32, ArchiveError> {
    let len = u32::from_le_bytes(len);
    if len > max_len {
        return Err(ArchiveError::TooLarge { index, len, max: max_len });
    }
    Ok(len)
}

impl<R: Read> ArchiveReader<R> {
    /// Reads and checks the header. A bundle longer than `max_len` bytes is refused when it is
    /// reached ([`ArchiveError::TooLarge`]) without allocating for it.
    ///
    /// # Errors
    /// I/O, no magic, another format version.
    pub fn new(mut inner: R, max_len: u32) -> Result<Self, ArchiveError> {
        let count = read_header(&mut inner)?;
        Ok(Self { inner, count, next: 0, max_len })
    }

    /// The number of bundles the header declares.
    #[must_use]
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The index the next call to [`Self::next_bundle`] reads.
    #[must_use]
    pub fn position(&self) -> u32 {
        self.next
    }

    /// The next bundle's bytes (its canonical form), or `None` after the last one, having checked
    /// that nothing follows it. After an error the rest of the archive cannot be located: stop.
    ///
    /// # Errors
    /// I/O, a length above the limit, the input ending early, bytes after the last bundle.
    pub fn next_bundle(&mut self) -> Result<Option<Vec<u8>>, ArchiveError> {
        let mut bytes = Vec::new();
        Ok(self.next_bundle_into(&mut bytes)?.map(|_| bytes))
    }

    /// [`Self::next_bundle`], appending the bundle's bytes to `out` (so many bundles can share one
    /// buffer, reused from batch to batch) and giving its length. On an error `out` is as it was.
    ///
    /// # Errors
    /// As [`Self::next_bundle`].
    pub fn next_bundle_into(&mut self, out: &mut Vec<u8>) -> Result<Option<usize>, ArchiveError> {
        let (index, count) = (self.next, self.count);
        if index == count {
            let mut extra = [0u8; 1];
            return match self.inner.read(&mut extra)? {
                0 => Ok(None),
                _ => Err(ArchiveError::TrailingBytes { count }),
            };
        }
        let mut len = [0u8; 4];
        if !read_all(&mut self.inner, &mut len)? {
            return Err(ArchiveError::Truncated { index, count });
        }
        let len = bundle_len(len, index, self.max_len)?;
        // Grown as it is read: a length the input does not back costs no allocation beyond 1 MiB.
        let start = out.len();
        out.reserve((len as usize).min(1 << 20));
        let read = (&mut self.inner).take(u64::from(len)).read_to_end(out);
        if read.is_err() || out.len() - start != len as usize {
            out.truncate(start);
            read?;
            return Err(ArchiveError::Truncated { index, count });
        }
        self.next += 1;
        Ok(Some(len as usize))
    }
}

/// Reads an archive in blocks into a caller's buffer and finds the bundles there, so each byte is
/// copied once (by the underlying reader) and many bundles share one buffer. The rules and errors
/// are [`ArchiveReader`]'s: the same bundles, then the same fault, at the same place.
#[derive(Debug)]
pub struct ArchiveBlocks<R> {
    inner: R,
    count: u32,
    next: u32,
    max_len: u32,
    /// Bytes a read asks for at least.
    block: usize,
    /// Whether `inner` has ended.
    at_end: bool,
}

impl<R: Read> ArchiveBlocks<R> {
    /// Reads and checks the header; then reads `block` bytes at a time (more when a bundle needs
    /// more). A bundle longer than `max_len` bytes is refused ([`ArchiveError::TooLarge`]) before
    /// anything of it is read for it.
    ///
    /// # Errors
    /// I/O, no magic, another format version.
    pub fn new(mut inner: R, max_len: u32, block: usize) -> Result<Self, ArchiveError> {
        let count = read_header(&mut inner)?;
        Ok(Self { inner, count, next: 0, max_len, block: block.max(1), at_end: false })
    }

    /// The number of bundles the header declares.
    #[must_use]
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The index of the next bundle to be found.
    #[must_use]
    pub fn position(&self) -> u32 {
        self.next
    }

    /// Finds the next bundles in `buf`, starting at its start (what the last call left unused must
    /// be there first), reading more of the input into it as needed, and appends each one's index
    /// and where its canonical form lies in `buf` to `spans`. Stops when `most` are found, when
    /// `max_bytes` of `buf` are taken, when the archive has ended (having checked that nothing
    /// follows its last bundle), or at a fault, which is the error [`ArchiveReader`] would give
    /// there (the bundles before it are in `spans`; stop reading then). Gives where the bytes not
    /// yet taken start, and the fault.
    pub fn find(
        &mut self,
        buf: &mut Vec<u8>,
        spans: &mut Vec<(u32, Range<usize>)>,
        most: usize,
        max_bytes: usize,
    ) -> (usize, Option<ArchiveError>) {
        let (count, mut at, mut found) = (self.count, 0, 0);
        loop {
            let index = self.next;
            if index == count {
                // Whole: nothing may follow the last bundle.
                return match self.read_more(buf, at + 1) {
                    Ok(false) => (at, None),
                    Ok(true) => (at, Some(ArchiveError::TrailingBytes { count })),
                    Err(e) => (at, Some(e)),
                };
            }
            if found >= most || at >= max_bytes {
                return (at, None);
            }
            // The bytes that must be in `buf`: the length, then the bundle.
            let need = match buf.get(at..at + 4).and_then(|len| <[u8; 4]>::try_from(len).ok()) {
                None => at + 4,
                Some(len) => match bundle_len(len, index, self.max_len) {
                    Err(e) => return (at, Some(e)),
                    Ok(len) => {
                        let end = at + 4 + len as usize;
                        if end <= buf.len() {
                            spans.push((index, at + 4..end));
                            self.next += 1;
                            found += 1;
                            at = end;
                            continue;
                        }
                        end
                    }
                },
            };
            match self.read_more(buf, need) {
                Ok(true) => {}
                Ok(false) => return (at, Some(ArchiveError::Truncated { index, count })),
                Err(e) => return (at, Some(e)),
            }
        }
    }

    /// Whether `buf` holds at least `need` bytes, having read more of the input into its spare room
    /// if it did not: at least `block` bytes, or up to `need` in all if that is more (grown as it is
    /// read, so a length the input does not back allocates nothing for the missing bytes).
    fn read_more(&mut self, buf: &mut Vec<u8>, need: usize) -> Result<bool, ArchiveError> {
        while buf.len() < need && !self.at_end {
            let ask = (need - buf.len()).max(self.block);
            let read = (&mut self.inner).take(ask as u64).read_to_end(buf)?;
            self.at_end = read < ask;
        }
        Ok(buf.len() >= need)
    }
}

/// Writes an archive of a declared number of bundles, appending each as it comes.
#[derive(Debug)]
pub struct ArchiveWriter<W> {
    inner: W,
    count: u32,
    pushed: u32,
}

impl<W: Write> ArchiveWriter<W> {
    /// Writes the header of an archive of `count` bundles.
    ///
    /// # Errors
    /// I/O.
    pub fn new(mut inner: W, count: u32) -> Result<Self, ArchiveError> {
        let mut header = [0u8; BUNDLE_ARCHIVE_HEADER_LEN];
        header[..8].copy_from_slice(&BUNDLE_ARCHIVE_MAGIC);
        header[8..12].copy_from_slice(&BUNDLE_ARCHIVE_FORMAT_VERSION.to_le_bytes());
        header[12..].copy_from_slice(&count.to_le_bytes());
        inner.write_all(&header)?;
        Ok(Self { inner, count, pushed: 0 })
    }

    /// Appends `bundle` in its canonical form.
    ///
    /// # Errors
    /// I/O, or more bundles than declared.
    pub fn push(&mut self, bundle: &Bundle) -> Result<(), ArchiveError> {
        let bytes = borsh::to_vec(bundle)?;
        self.push_encoded(&bytes)
    }

    /// Appends a bundle already in its canonical form (not checked: a reader decodes each bundle on
    /// its own and fails only that one).
    ///
    /// # Errors
    /// I/O, more bundles than declared, or more than `u32::MAX` bytes.
    pub fn push_encoded(&mut self, bytes: &[u8]) -> Result<(), ArchiveError> {
        if self.pushed == self.count {
            return Err(ArchiveError::CountMismatch {
                declared: self.count,
                pushed: self.pushed.saturating_add(1),
            });
        }
        let len = u32::try_from(bytes.len()).map_err(|_| ArchiveError::BundleTooLong { len: bytes.len() })?;
        self.inner.write_all(&len.to_le_bytes())?;
        self.inner.write_all(bytes)?;
        self.pushed += 1;
        Ok(())
    }

    /// Checks that every declared bundle was pushed, flushes, and gives the writer back.
    ///
    /// # Errors
    /// I/O, or fewer bundles than declared (the archive is then unreadable as a whole: its reader
    /// reports it truncated).
    pub fn finish(mut self) -> Result<W, ArchiveError> {
        if self.pushed != self.count {
            return Err(ArchiveError::CountMismatch { declared: self.count, pushed: self.pushed });
        }
        self.inner.flush()?;
        Ok(self.inner)
    }
}

#[cfg(test)]
mod tests;
