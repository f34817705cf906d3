//! The case state machine, written once as a table: which state may follow which, who moves it
//! there, and when each state's work is due.
//!
//! ```text
//! submitted → triaged → validating → validated → coordinating → fix_available → published → closed
//!     └──────────┴───────────┴→ rejected (not_reproducible | duplicate | out_of_scope) → closed
//! ```
//! Analysts also publish straight from coordinating (the disclosure deadline passed without a
//! fix), reopen a rejected case, and close a case whose every finding was withdrawn.

use std::fmt;
use std::str::FromStr;

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::participant::{UnknownValue, wire_enum};

wire_enum!(
    /// Where a case stands.
    CaseState, "case state" {
        /// Accepted, waiting for an analyst.
        Submitted = "submitted",
        /// An analyst found it in scope and plausible.
        Triaged = "triaged",
        /// Open to independent validators.
        Validating = "validating",
        /// Reproduced by the validation quorum.
        Validated = "validated",
        /// Not pursued (with a reason).
        Rejected = "rejected",
        /// Vendors are working on it under embargo.
        Coordinating = "coordinating",
        /// A vendor has a fix.
        FixAvailable = "fix_available",
        /// Disclosed.
        Published = "published",
        /// Done.
        Closed = "closed",
    }
);

wire_enum!(
    /// Why a case was rejected.
    RejectReason, "reject reason" {
        /// Validators could not reproduce it.
        NotReproducible = "not_reproducible",
        /// It repeats another case.
        Duplicate = "duplicate",
        /// Not something the clearinghouse coordinates.
        OutOfScope = "out_of_scope",
    }
);

/// Who may make a transition. `authz` decides which actors count as which.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mover {
    /// A clearinghouse analyst.
    Analyst,
    /// A vendor on the case (or an analyst).
    Vendor,
    /// Reaching the validation quorum; the service makes it after a verdict, never on request.
    ValidationQuorum,
    /// The case's finders, by withdrawing its last active finding; never on request.
    Withdrawal,
}

/// Every allowed transition and who makes it. Anything absent is illegal.
pub const TRANSITIONS: &[(CaseState, CaseState, Mover)] = {
    use CaseState::*;
    &[
        (Submitted, Triaged, Mover::Analyst),
        (Submitted, Rejected, Mover::Analyst),
        (Submitted, Closed, Mover::Withdrawal),
        (Triaged, Validating, Mover::Analyst),
        (Triaged, Rejected, Mover::Analyst),
        (Triaged, Closed, Mover::Withdrawal),
        (Validating, Validated, Mover::ValidationQuorum),
        (Validating, Rejected, Mover::Analyst),
        (Validating, Closed, Mover::Withdrawal),
        (Validated, Coordinating, Mover::Analyst),
        (Coordinating, FixAvailable, Mover::Vendor),
        (Coordinating, Published, Mover::Analyst),
        (FixAvailable, Published, Mover::Analyst),
        (Published, Closed, Mover::Analyst),
        (Rejected, Triaged, Mover::Analyst),
        (Rejected, Closed, Mover::Analyst),
    ]
};

/// A transition the table does not allow.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a case cannot go from {from} to {to}; from {from} it can go to: {}", allowed_list(.allowed))]
pub struct IllegalTransition {
    /// Where the case is.
    pub from: CaseState,
    /// Where it was asked to go.
    pub to: CaseState,
    /// Where it may go.
    pub allowed: Vec<CaseState>,
}

fn allowed_list(allowed: &[CaseState]) -> String {
    if allowed.is_empty() {
        "nowhere (final)".to_owned()
    } else {
        allowed
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl CaseState {
    /// Who may move a case from this state to `to`, or why it may not move there.
    pub fn transition_to(self, to: CaseState) -> Result<Mover, IllegalTransition> {
        TRANSITIONS
            .iter()
            .find(|(from, target, _)| *from == self && *target == to)
            .map(|(_, _, mover)| *mover)
            .ok_or_else(|| IllegalTransition {
                from: self,
                to,
                allowed: self.next_states(),
            })
    }

    /// The states this one may move to.
    pub fn next_states(self) -> Vec<CaseState> {
        TRANSITIONS
            .iter()
            .filter(|(from, _, _)| *from == self)
            .map(|(_, to, _)| *to)
            .collect()
    }

    /// How long the work of this state may take: the due date is set on entering it. The
    /// coordinating period is the 90-day disclosure norm of CERT/CC and Project Zero.
    pub fn due_within(self) -> Option<SignedDuration> {
        let days = match self {
            CaseState::Submitted => 3,
            CaseState::Triaged => 7,
            CaseState::Validating => 14,
            CaseState::Validated => 7,
            CaseState::Rejected => 14,
            CaseState::Coordinating => 90,
            CaseState::FixAvailable => 14,
            CaseState::Published => 30,
            CaseState::Closed => return None,
        };
        Some(SignedDuration::from_hours(24 * days))
    }

    /// Whether the case still needs work (it belongs in the analysts' queue).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            CaseState::Rejected | CaseState::Published | CaseState::Closed
        )
    }
}

/// The default embargo: the 90-day disclosure norm, counted from the case's opening.
pub const DEFAULT_EMBARGO: SignedDuration = SignedDuration::from_hours(24 * 90);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_is_legal_and_skipping_is_not() {
        use CaseState::*;
        let path = [
            Submitted,
            Triaged,
            Validating,
            Validated,
            Coordinating,
            FixAvailable,
            Published,
            Closed,
        ];
        for pair in path.windows(2) {
            assert!(pair[0].transition_to(pair[1]).is_ok(), "{pair:?}");
        }
        let err = Submitted.transition_to(Published).expect_err("skips");
        assert_eq!(
            err.to_string(),
            "a case cannot go from submitted to published; from submitted it can go to: triaged, rejected, closed"
        );
        assert!(Closed.next_states().is_empty());
        assert!(
            Closed
                .transition_to(Submitted)
                .expect_err("final")
                .to_string()
                .contains("nowhere (final)")
        );
    }

    #[test]
    fn each_transition_is_listed_once_and_every_state_but_closed_can_move() {
        for (i, (from, to, _)) in TRANSITIONS.iter().enumerate() {
            assert_ne!(from, to);
            assert!(
                !TRANSITIONS[i + 1..]
                    .iter()
                    .any(|(f, t, _)| f == from && t == to),
                "{from} → {to} twice"
            );
        }
        for state in CaseState::ALL {
            assert_eq!(
                state.next_states().is_empty(),
                *state == CaseState::Closed,
                "{state}"
            );
            assert_eq!(state.due_within().is_none(), *state == CaseState::Closed);
        }
    }

    #[test]
    fn only_the_quorum_validates_and_vendors_mark_fixes() {
        assert_eq!(
            CaseState::Validating.transition_to(CaseState::Validated),
            Ok(Mover::ValidationQuorum)
        );
        assert_eq!(
            CaseState::Coordinating.transition_to(CaseState::FixAvailable),
            Ok(Mover::Vendor)
        );
        assert_eq!(
            CaseState::Validating.transition_to(CaseState::Closed),
            Ok(Mover::Withdrawal)
        );
    }
}
