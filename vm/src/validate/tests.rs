//! Unit tests of the determinism profile, one fixture per rule and limit.
