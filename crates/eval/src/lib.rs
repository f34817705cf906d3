//! Confidential cyber-capability benchmark harness.
