//! Bundle archives: round trips, the header pinned byte for byte, and every malformed archive
//! refused with its own error (truncated at every byte, padded, oversized, another version).

use super::*;
use crate::{
    Address, Call, Context, Fault, Hash32, Invocation, Operation, Receipt, StateDiff, StatusCode, TokenId,
    Witness, BUNDLE_FORMAT_VERSION,
};
use borsh::BorshDeserialize as _;
use proptest::prelude::*;

fn bundle(n: u8) -> Bundle {
    Bundle {
        format_version: BUNDLE_FORMAT_VERSION,
        rules_hash: Hash32([n; 32]),
        module: vec![n; usize::from(n) * 3],
        invocation: Invocation {
            token: TokenId([7; 32]),
            call: Call::Operation {
                operation: Operation::Transfer {
                    from: Address([1; 32]),
                    to: Address([2; 32]),
                    amount: n.into(),
                },
            },
        },
        context: Context { height: n.into(), ..Context::default() },
        gas_limit: 1000,
        witness: Witness::default(),
        expected: Receipt {
            status: StatusCode::Success,
            fault: Fault::None,
            gas_used: n.into(),
            return_data: Vec::new(),
            revert_reason: Vec::new(),
            events: Vec::new(),
            logs: Vec::new(),
            diff: StateDiff(Vec::new()),
            diff_hash: Hash32::ZERO,
            trace_hash: Hash32::ZERO,
            rules_hash: Hash32([n; 32]),
            receipt_hash: Hash32::ZERO,
        }
        .seal(),
    }
}

fn archive(bundles: &[Bundle]) -> Vec<u8> {
    let mut writer = ArchiveWriter::new(Vec::new(), bundles.len() as u32).unwrap();
    for b in bundles {
        writer.push(b).unwrap();
    }
    writer.finish().unwrap()
}

/// Every bundle of `bytes`, decoded, or the first error.
fn read(bytes: &[u8], max_len: u32) -> Result<Vec<Bundle>, ArchiveError> {
    let mut reader = ArchiveReader::new(bytes, max_len)?;
    let mut out = Vec::new();
    while let Some(b) = reader.next_bundle()? {
        out.push(Bundle::try_from_slice(&b).unwrap());
    }
    assert_eq!(reader.position(), reader.count());
    Ok(out)
}

#[test]
fn the_header_and_framing_are_pinned() {
    let b = bundle(1);
    let bytes = archive(core::slice::from_ref(&b));
    let one = borsh::to_vec(&b).unwrap();
    let mut expected = b"tsvmbndl".to_vec();
    expected.extend([1, 0, 0, 0, 1, 0, 0, 0]);
    expected.extend((one.len() as u32).to_le_bytes());
    expected.extend(&one);
    assert_eq!(bytes, expected);
    // The framing is borsh of (magic, version, the bundles' canonical forms as byte vectors).
    let as_borsh =
        borsh::to_vec(&(BUNDLE_ARCHIVE_MAGIC, BUNDLE_ARCHIVE_FORMAT_VERSION, vec![one.clone()])).unwrap();
    assert_eq!(bytes, as_borsh);
    assert_eq!(archive(&[]), b"tsvmbndl\x01\0\0\0\0\0\0\0");
    assert!(is_bundle_archive(&bytes) && !is_bundle_archive(&bytes[..7]) && !is_bundle_archive(&one));
}

#[test]
fn bundles_come_back_in_order() {
    let bundles: Vec<Bundle> = (0..5).map(bundle).collect();
    assert_eq!(read(&archive(&bundles), u32::MAX).unwrap(), bundles);
    assert_eq!(read(&archive(&[]), u32::MAX).unwrap(), Vec::new());
}

#[test]
fn bundles_read_into_one_buffer_are_appended_and_a_failed_read_leaves_it_as_it_was() {
    let bundles: Vec<Bundle> = (1..4).map(bundle).collect();
    let bytes = archive(&bundles);
    let mut buf = b"kept".to_vec();
    let mut reader = ArchiveReader::new(&bytes[..bytes.len() - 1], u32::MAX).unwrap();
    let mut at = buf.len();
    for b in &bundles[..2] {
        let len = reader.next_bundle_into(&mut buf).unwrap().unwrap();
        assert_eq!(Bundle::try_from_slice(&buf[at..at + len]).unwrap(), *b);
        at += len;
    }
    let before = buf.clone();
    let err = reader.next_bundle_into(&mut buf).unwrap_err();
    assert!(matches!(err, ArchiveError::Truncated { index: 2, count: 3 }), "{err}");
    assert_eq!(buf, before);
    assert!(buf.starts_with(b"kept"));
}

#[test]
fn every_truncation_is_refused_and_names_the_cut_bundle() {
    let bundles: Vec<Bundle> = (1..4).map(bundle).collect();
    let bytes = archive(&bundles);
    let ends: Vec<usize> = {
        // Where each bundle's frame ends.
        let mut at = BUNDLE_ARCHIVE_HEADER_LEN;
        bundles
            .iter()
            .map(|b| {
                at += 4 + borsh::to_vec(b).unwrap().len();
                at
            })
            .collect()
    };
    for cut in 0..bytes.len() {
        let err = read(&bytes[..cut], u32::MAX).unwrap_err();
        if cut < BUNDLE_ARCHIVE_HEADER_LEN {
            assert!(matches!(err, ArchiveError::NotAnArchive), "cut at {cut}: {err}");
            continue;
        }
        let index = ends.iter().position(|&end| cut < end).unwrap() as u32;
        assert!(
            matches!(err, ArchiveError::Truncated { index: i, count: 3 } if i == index),
            "cut at {cut}: {err}"
        );
    }
}

#[test]
fn trailing_bytes_another_version_and_no_magic_are_refused() {
    let bytes = archive(&[bundle(2)]);
    let padded = [&bytes[..], &[0]].concat();
    assert!(matches!(read(&padded, u32::MAX), Err(ArchiveError::TrailingBytes { count: 1 })));
    let mut v2 = bytes.clone();
    v2[8] = 2;
    let err = read(&v2, u32::MAX).unwrap_err();
    assert!(matches!(err, ArchiveError::Version(2)));
    assert_eq!(err.to_string(), "bundle archive format version 2 (this tsvm reads version 1)");
    let mut other = bytes.clone();
    other[0] = b'T';
    assert!(matches!(read(&other, u32::MAX), Err(ArchiveError::NotAnArchive)));
    assert!(matches!(read(&borsh::to_vec(&bundle(2)).unwrap(), u32::MAX), Err(ArchiveError::NotAnArchive)));
}

#[test]
fn the_length_limit_holds_at_the_limit_and_refuses_past_it() {
    let b = bundle(5);
    let len = borsh::to_vec(&b).unwrap().len() as u32;
    let bytes = archive(&[bundle(1), b.clone()]);
    assert_eq!(read(&bytes, len).unwrap()[1], b);
    let err = read(&bytes, len - 1).unwrap_err();
    assert!(matches!(err, ArchiveError::TooLarge { index: 1, len: l, max } if l == len && max == len - 1));
    // A huge declared length with nothing behind it is truncation, found without allocating it.
    let mut lying = archive(&[]);
    lying[12] = 1;
    lying.extend(u32::MAX.to_le_bytes());
    assert!(matches!(read(&lying, u32::MAX), Err(ArchiveError::Truncated { index: 0, count: 1 })));
}

#[test]
fn a_writer_holds_to_its_count() {
    let mut writer = ArchiveWriter::new(Vec::new(), 1).unwrap();
    writer.push(&bundle(1)).unwrap();
    let err = writer.push(&bundle(2)).unwrap_err();
    assert!(matches!(err, ArchiveError::CountMismatch { declared: 1, pushed: 2 }));
    assert_eq!(writer.finish().unwrap().len(), archive(&[bundle(1)]).len());
    let short = ArchiveWriter::new(Vec::new(), 2).unwrap();
    assert!(matches!(short.finish(), Err(ArchiveError::CountMismatch { declared: 2, pushed: 0 })));
}

proptest! {
    #[test]
    fn reading_arbitrary_bytes_never_panics(bytes in any::<Vec<u8>>(), header in any::<bool>()) {
        let input = if header { [&b"tsvmbndl\x01\0\0\0"[..], &bytes].concat() } else { bytes };
        if let Ok(mut reader) = ArchiveReader::new(&input[..], 1 << 16) {
            while let Ok(Some(_)) = reader.next_bundle() {}
        }
    }
}
