//! `eval policy`, `eval decide`, `eval report`, `eval import-inspect` (being written).
