//! Exit codes that let scripts tell failures apart.
//!
//! 0 success, 1 a check failed (invalid document, verification failure), 2 usage error (clap's own
//! convention), 3 not found, 4 server or I/O error, 5 permission denied.

use std::process::ExitCode;

/// A check ran and its answer was "no" (for example an invalid document).
pub const CHECK_FAILED: u8 = 1;
/// The command line or its input was malformed.
pub const USAGE: u8 = 2;
/// The object asked for does not exist.
pub const NOT_FOUND: u8 = 3;
/// The server or the local system failed.
pub const FAILURE: u8 = 4;
/// Authentication or authorization was refused.
pub const DENIED: u8 = 5;

/// An error that carries the exit code it should produce.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CodedError {
    pub code: u8,
    pub message: String,
}

impl CodedError {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Prints the error chain once and picks the exit code. A reader that closed the pipe early
/// (`| head`) is not an error: it got what it wanted.
pub fn report(err: &anyhow::Error) -> ExitCode {
    let broken_pipe = err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {err:#}");
    let code = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<CodedError>())
        .map_or(FAILURE, |coded| coded.code);
    ExitCode::from(code)
}
