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

/// Whether an error was caused by writing to a closed pipe (`… | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Whether a panic is `println!`'s on a closed stdout ("failed printing to stdout: Broken pipe").
pub fn is_broken_pipe_panic(payload: &(dyn std::any::Any + Send)) -> bool {
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    message.starts_with("failed printing to std")
        && (message.contains("Broken pipe") || message.contains("os error 32"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipes_are_recognized_as_errors_and_as_println_panics() {
        let err = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing the table");
        assert!(is_broken_pipe(&err));
        assert!(!is_broken_pipe(&anyhow::anyhow!("no")));
        let panic: Box<dyn std::any::Any + Send> =
            Box::new("failed printing to stdout: Broken pipe (os error 32)".to_owned());
        assert!(is_broken_pipe_panic(panic.as_ref()));
        let other: Box<dyn std::any::Any + Send> = Box::new("index out of bounds");
        assert!(!is_broken_pipe_panic(other.as_ref()));
    }
}
