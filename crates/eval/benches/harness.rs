//! Harness overhead benchmark (being written).

fn main() {}
