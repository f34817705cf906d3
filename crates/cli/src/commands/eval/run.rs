//! `eval run`, `eval check-suite` (being written).
