//! Entry points: which Wasm exports a call runs (`spec/abi.md#entry-points`).
//!
//! Hooks are exported under their [`crate::HookKind::export_name`]; a view `NAME` is the export
//! `view_NAME`, a method `NAME` the export `method_NAME`. `NAME` is 1 to [`MAX_ENTRY_NAME_LEN`]
//! characters of `[a-z0-9_]`, starting with a letter.

use alloc::{format, string::String};

/// Longest view or method name (the export name adds its prefix).
pub const MAX_ENTRY_NAME_LEN: usize = 64;

/// The kind of entry point an export is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A hook (`before_transfer`, ...).
    Hook,
    /// `view_*`.
    View,
    /// `method_*`.
    Method,
}

impl EntryKind {
    /// The export-name prefix for views and methods; hooks have none.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Hook => "",
            Self::View => "view_",
            Self::Method => "method_",
        }
    }

    /// Classifies an export name: `Some((kind, name))` for a valid entry point.
    pub fn classify(export: &str) -> Option<(EntryKind, &str)> {
        if crate::HookKind::from_export_name(export).is_some() {
            return Some((Self::Hook, export));
        }
        for kind in [Self::View, Self::Method] {
            if let Some(name) = export.strip_prefix(kind.prefix()) {
                return valid_entry_name(name).then_some((kind, name));
            }
        }
        None
    }
}

/// Whether `name` is a valid view or method name.
pub fn valid_entry_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_ENTRY_NAME_LEN
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

/// The export a view or method `name` runs, or `None` if the name is invalid.
pub fn entry_export_name(kind: EntryKind, name: &str) -> Option<String> {
    match kind {
        EntryKind::Hook => crate::HookKind::from_export_name(name).map(|_| String::from(name)),
        _ => valid_entry_name(name).then(|| format!("{}{name}", kind.prefix())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_rule() {
        assert_eq!(entry_export_name(EntryKind::View, "count").unwrap(), "view_count");
        assert_eq!(entry_export_name(EntryKind::Method, "set_limit2").unwrap(), "method_set_limit2");
        assert!(entry_export_name(EntryKind::View, "").is_none());
        assert!(entry_export_name(EntryKind::View, "2x").is_none());
        assert!(entry_export_name(EntryKind::View, "Count").is_none());
        assert!(entry_export_name(EntryKind::View, &"a".repeat(MAX_ENTRY_NAME_LEN)).is_some());
        assert!(entry_export_name(EntryKind::View, &"a".repeat(MAX_ENTRY_NAME_LEN + 1)).is_none());
        assert_eq!(EntryKind::classify("before_mint"), Some((EntryKind::Hook, "before_mint")));
        assert_eq!(EntryKind::classify("view_x"), Some((EntryKind::View, "x")));
        assert_eq!(EntryKind::classify("helper"), None);
    }
}
