//! The one error type of the services. Each variant is a cause a caller branches on; the server
//! maps each to one HTTP status in one place.

use clearinghouse_domain::authz::Denied;
use clearinghouse_domain::participant::{InvalidParticipant, UnknownValue};

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The actor may not do this.
    #[error("forbidden: {0}")]
    Denied(#[from] Denied),
    /// No credentials, or credentials that are unknown, expired or revoked.
    #[error("unauthenticated: {0}")]
    Unauthenticated(&'static str),
    /// The object does not exist, or the actor may not know that it exists.
    #[error("{0} not found")]
    NotFound(String),
    /// A field of the request is invalid.
    #[error("{field}: {problem}")]
    Invalid {
        /// Where the problem is (a field name or JSON pointer).
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// The request conflicts with existing state (a name already taken).
    #[error("{0} already exists")]
    Conflict(String),
    /// The object is not in a state that allows this (an illegal case transition, a claim on a
    /// case not open for validation), or it changed meanwhile.
    #[error("{0}")]
    StateConflict(String),
    /// A well-formed request a rule refuses (a campaign without its operators' authorization):
    /// each entry is where (a JSON pointer) and why. Nothing was stored.
    #[error("refused: {}", .0.iter().map(|(at, why)| format!("{at}: {why}")).collect::<Vec<_>>().join("; "))]
    Refused(Vec<(String, String)>),
    /// Concurrent changes kept invalidating the decision; the client may retry.
    #[error("busy: {0}")]
    Busy(&'static str),
    /// Storage failed.
    #[error(transparent)]
    Store(clearinghouse_store::Error),
    /// A key could not be read or created.
    #[error("key file {path}: {problem}")]
    Key {
        /// The key file.
        path: String,
        /// What went wrong.
        problem: String,
    },
}

impl From<clearinghouse_store::Error> for Error {
    fn from(err: clearinghouse_store::Error) -> Self {
        match err {
            clearinghouse_store::Error::Conflict(what) => Error::Conflict(what),
            clearinghouse_store::Error::NotFound(what) => Error::NotFound(what),
            clearinghouse_store::Error::Stale(what) => {
                Error::StateConflict(format!("{what} changed meanwhile; read it again and retry"))
            }
            other => Error::Store(other),
        }
    }
}

impl From<InvalidParticipant> for Error {
    fn from(err: InvalidParticipant) -> Self {
        match err {
            InvalidParticipant::Field { field, problem } => Error::Invalid {
                field: field.to_owned(),
                problem,
            },
        }
    }
}

impl Error {
    /// An invalid value of a closed set, reported at `field`.
    pub fn unknown_value(field: &str, err: UnknownValue) -> Self {
        Error::Invalid {
            field: field.to_owned(),
            problem: err.to_string(),
        }
    }
}

/// Shorthand for service results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
