//! The standards the clearinghouse speaks, as a pure library: no I/O, no database, no async.
#![deny(missing_docs)]
