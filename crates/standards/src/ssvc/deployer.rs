//! The SSVC deployer decision for one vulnerability on one system, from typed inputs.
//!
//! Human Impact combines Safety Impact and Mission Impact by CERT/CC's `human_impact_1_0_0` table
//! (transcribed below and proven equal to CERT/CC's CSV by the shared-data tests); the decision
//! itself is the built-in deployer table ([`super::BuiltinTable::Deployer`]).

use std::sync::OnceLock;

use super::{BuiltinTable, Decision, DecisionTable, SsvcError};

/// SSVC Safety Impact 2.0.1 values, least severe first.
pub const SAFETY_IMPACT: [&str; 4] = ["negligible", "marginal", "critical", "catastrophic"];
/// SSVC Mission Impact 2.0.0 values, least severe first.
pub const MISSION_IMPACT: [&str; 4] = [
    "degraded",
    "mef support crippled",
    "mef failure",
    "mission failure",
];

/// Human Impact 2.0.2 value keys (`L`, `M`, `H`, `VH`) by [safety][mission], from CERT/CC's
/// `human_impact_1_0_0` decision table.
const HUMAN_IMPACT: [[&str; 4]; 4] = [
    ["L", "L", "M", "VH"],
    ["L", "L", "M", "VH"],
    ["M", "H", "H", "VH"],
    ["VH", "VH", "VH", "VH"],
];

/// Human Impact key for a safety impact and a mission impact, each given as an index into
/// [`SAFETY_IMPACT`] and [`MISSION_IMPACT`] (values past the end are clamped to the most severe).
pub fn human_impact(safety: usize, mission: usize) -> &'static str {
    HUMAN_IMPACT[safety.min(3)][mission.min(3)]
}

/// The deployer's inputs, as SSVC value keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeployerInputs {
    /// Exploitation: `N`, `P` or `A`.
    pub exploitation: &'static str,
    /// System Exposure: `S`, `C` or `O`.
    pub exposure: &'static str,
    /// Automatable: `N` or `Y`.
    pub automatable: &'static str,
    /// Human Impact: `L`, `M`, `H` or `VH`.
    pub human_impact: &'static str,
}

fn table() -> Result<&'static DecisionTable, SsvcError> {
    static TABLE: OnceLock<Result<DecisionTable, SsvcError>> = OnceLock::new();
    TABLE
        .get_or_init(|| BuiltinTable::Deployer.load())
        .as_ref()
        .map_err(Clone::clone)
}

/// Evaluates the deployer table. The outcome key is `D` (defer), `S` (scheduled), `O`
/// (out-of-cycle) or `I` (immediate).
pub fn deployer_decision(inputs: DeployerInputs) -> Result<Decision, SsvcError> {
    table()?.evaluate(&[
        ("E", inputs.exploitation),
        ("EXP", inputs.exposure),
        ("A", inputs.automatable),
        ("HI", inputs.human_impact),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_impact_follows_the_certcc_table_corners() {
        assert_eq!(human_impact(0, 0), "L");
        assert_eq!(human_impact(2, 1), "H");
        assert_eq!(human_impact(1, 3), "VH");
        assert_eq!(human_impact(3, 0), "VH");
    }

    #[test]
    fn deployer_decisions_span_defer_to_immediate() {
        let calm = DeployerInputs {
            exploitation: "N",
            exposure: "S",
            automatable: "N",
            human_impact: "L",
        };
        assert_eq!(deployer_decision(calm).unwrap().outcome.key, "D");
        let worst = DeployerInputs {
            exploitation: "A",
            exposure: "O",
            automatable: "Y",
            human_impact: "VH",
        };
        assert_eq!(deployer_decision(worst).unwrap().outcome.key, "I");
    }
}
