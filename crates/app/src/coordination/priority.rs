//! Ranking cases for the analysts' queue: the CISA SSVC coordinator decision, then CVSS, then
//! exposure, then age, each with the sentence that explains it. Pure.
//!
//! SSVC inputs:
//! - Exploitation: `active` when a matching knowledge-base vulnerability is in CISA KEV or reported
//!   exploited, `poc` when a proof of concept is attached (or the knowledge base knows a public
//!   one), else `none`.
//! - Automatable: from the CVSS vector, as `inventory` does for deployers: a network attack with low
//!   complexity, no privileges and no user interaction (and, in CVSS 4.0, no attack requirements).
//! - Technical Impact: `total` when confidentiality, integrity and availability impacts are all
//!   high (CVSS 3.1 C/I/A, CVSS 4.0 VC/VI/VA), else `partial`.
//! - Mission and Well-Being, from exposure (how many registered operators run the component, and
//!   in which sectors): `high` when an operator of a lifeline sector (CISA's lifelines:
//!   communications, energy, transportation, water; plus healthcare) or at least
//!   [`WIDESPREAD_OPERATORS`] operators run it, `medium` when any operator does, else `low`.

use clearinghouse_domain::Sector;
use clearinghouse_domain::coordination::{CoordinatorDecision, Priority, SectorCount};
use clearinghouse_standards::cvss::{CvssVector, CvssVersion};
use clearinghouse_standards::ssvc::{BuiltinTable, DecisionTable};

/// Operators from which a component counts as widespread (Mission and Well-Being high).
pub const WIDESPREAD_OPERATORS: u64 = 25;

/// The sectors whose outage endangers public well-being at once.
const LIFELINES: [Sector; 5] = [
    Sector::Communications,
    Sector::Energy,
    Sector::TransportationSystems,
    Sector::WaterAndWastewaterSystems,
    Sector::HealthcareAndPublicHealth,
];

/// SSVC Exploitation as the coordinator sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exploitation {
    /// No evidence.
    None,
    /// A proof of concept exists.
    Poc,
    /// Exploited in the wild.
    Active,
}

impl Exploitation {
    fn key(self) -> &'static str {
        match self {
            Exploitation::None => "N",
            Exploitation::Poc => "P",
            Exploitation::Active => "A",
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Exploitation::None => "none",
            Exploitation::Poc => "poc",
            Exploitation::Active => "active",
        }
    }

    /// Reads the stored spelling (anything unknown is `none`).
    pub fn parse(text: &str) -> Self {
        match text {
            "active" => Exploitation::Active,
            "poc" => Exploitation::Poc,
            _ => Exploitation::None,
        }
    }
}

/// Automatable and Technical Impact from a vector.
pub fn vector_inputs(vector: Option<&CvssVector>) -> (bool, bool) {
    let Some(vector) = vector else {
        return (false, false);
    };
    let is = |metric: &str, value: &str| vector.metric(metric) == Some(value);
    let v4 = vector.version() == CvssVersion::V4_0;
    let automatable =
        is("AV", "N") && is("AC", "L") && is("PR", "N") && is("UI", "N") && (!v4 || is("AT", "N"));
    let total = if v4 {
        is("VC", "H") && is("VI", "H") && is("VA", "H")
    } else {
        is("C", "H") && is("I", "H") && is("A", "H")
    };
    (automatable, total)
}

fn mission_wellbeing(exposure: &[SectorCount]) -> &'static str {
    let total: u64 = exposure.iter().map(|s| s.operators).sum();
    let lifeline = exposure
        .iter()
        .any(|s| s.operators > 0 && s.sector.is_some_and(|sector| LIFELINES.contains(&sector)));
    if lifeline || total >= WIDESPREAD_OPERATORS {
        "high"
    } else if total > 0 {
        "medium"
    } else {
        "low"
    }
}

fn table() -> Option<&'static DecisionTable> {
    static TABLE: std::sync::OnceLock<Option<DecisionTable>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| BuiltinTable::CisaCoordinator.load().ok())
        .as_ref()
}

/// The coordinator decision and the stored ranking inputs.
pub fn rank(
    exploitation: Exploitation,
    automatable: bool,
    technical_impact_total: bool,
    exposure: Vec<SectorCount>,
    cvss_score: Option<f64>,
) -> Priority {
    let mwi = mission_wellbeing(&exposure);
    let decision = table()
        .and_then(|t| {
            t.evaluate(&[
                ("E", exploitation.key()),
                ("A", if automatable { "Y" } else { "N" }),
                ("TI", if technical_impact_total { "T" } else { "P" }),
                ("MWI", &mwi[..1].to_ascii_uppercase()),
            ])
            .ok()
        })
        .map_or(CoordinatorDecision::Track, |d| {
            match d.outcome.key.as_str() {
                "AC" => CoordinatorDecision::Act,
                "AT" => CoordinatorDecision::Attend,
                "T*" => CoordinatorDecision::TrackStar,
                _ => CoordinatorDecision::Track,
            }
        });
    let operators: u64 = exposure.iter().map(|s| s.operators).sum();
    let cvss_tenths = cvss_score.map_or(0, |s| (s * 10.0).round().clamp(0.0, 100.0) as i64);
    let key =
        (decision as i64) * 1_000_000_000 + cvss_tenths * 1_000_000 + operators.min(999_999) as i64;
    Priority {
        exploitation: exploitation.as_str().to_owned(),
        automatable,
        technical_impact_total,
        mission_wellbeing: mwi.to_owned(),
        decision,
        exposure,
        key,
    }
}

/// The same inputs with new exposure (the background refresh).
pub fn rerank(
    priority: &Priority,
    exposure: Vec<SectorCount>,
    cvss_score: Option<f64>,
) -> Priority {
    rank(
        Exploitation::parse(&priority.exploitation),
        priority.automatable,
        priority.technical_impact_total,
        exposure,
        cvss_score,
    )
}

/// Why a case ranks where it does, in one sentence.
pub fn reason(priority: &Priority, cvss_score: Option<f64>, age_days: i64) -> String {
    let decision = match priority.decision {
        CoordinatorDecision::Act => "Act",
        CoordinatorDecision::Attend => "Attend",
        CoordinatorDecision::TrackStar => "Track*",
        CoordinatorDecision::Track => "Track",
    };
    let operators = priority.operators();
    let lifeline: u64 = priority
        .exposure
        .iter()
        .filter(|s| s.sector.is_some_and(|sector| LIFELINES.contains(&sector)))
        .map(|s| s.operators)
        .sum();
    let exposure = match (operators, lifeline) {
        (0, _) => "no registered operator runs it".to_owned(),
        (n, 0) => format!(
            "{n} operator{} run{} it",
            plural(n),
            if n == 1 { "s" } else { "" }
        ),
        (n, l) => format!(
            "{n} operator{} run{} it, {l} in lifeline sectors",
            plural(n),
            if n == 1 { "s" } else { "" }
        ),
    };
    format!(
        "{decision} (SSVC coordinator): exploitation {}, {}automatable, technical impact {}, mission and well-being {} ({exposure}); CVSS {}; open {age_days} day{}",
        priority.exploitation,
        if priority.automatable { "" } else { "not " },
        if priority.technical_impact_total {
            "total"
        } else {
            "partial"
        },
        priority.mission_wellbeing,
        cvss_score.map_or_else(|| "not given".to_owned(), |s| format!("{s:.1}")),
        plural(age_days.unsigned_abs()),
    )
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(text: &str) -> CvssVector {
        CvssVector::parse(text).expect("valid vector")
    }

    #[test]
    fn vectors_give_automatable_and_technical_impact() {
        let critical = vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(vector_inputs(Some(&critical)), (true, true));
        let local = vector("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N");
        assert_eq!(vector_inputs(Some(&local)), (false, false));
        let v4 = vector("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
        assert_eq!(
            vector_inputs(Some(&v4)),
            (false, true),
            "attack requirements"
        );
        assert_eq!(vector_inputs(None), (false, false));
    }

    #[test]
    fn exploited_automatable_total_and_lifeline_exposure_is_act() {
        let water = vec![SectorCount {
            sector: Some(Sector::WaterAndWastewaterSystems),
            operators: 2,
        }];
        let act = rank(Exploitation::Active, true, true, water.clone(), Some(9.8));
        assert_eq!(act.decision, CoordinatorDecision::Act);
        assert_eq!(act.mission_wellbeing, "high");
        let quiet = rank(Exploitation::None, false, false, Vec::new(), Some(4.3));
        assert_eq!(quiet.decision, CoordinatorDecision::Track);
        assert_eq!(quiet.mission_wellbeing, "low");
        assert!(act.key > quiet.key);
        // Same decision: CVSS breaks the tie, then exposure.
        let a = rank(Exploitation::None, false, false, Vec::new(), Some(7.5));
        let b = rank(Exploitation::None, false, false, Vec::new(), Some(5.0));
        assert_eq!(a.decision, b.decision);
        assert!(a.key > b.key);
        let exposed = rank(Exploitation::None, false, false, water, Some(5.0));
        assert!(exposed.key >= b.key);
        let sentence = reason(&act, Some(9.8), 3);
        assert!(
            sentence.starts_with("Act (SSVC coordinator): exploitation active, automatable"),
            "{sentence}"
        );
        assert!(
            sentence.contains("2 operators run it, 2 in lifeline sectors"),
            "{sentence}"
        );
        assert!(sentence.ends_with("CVSS 9.8; open 3 days"), "{sentence}");
    }

    #[test]
    fn reranking_keeps_the_inputs_and_follows_exposure() {
        let before = rank(Exploitation::Poc, true, true, Vec::new(), Some(8.1));
        let many = vec![SectorCount {
            sector: Some(Sector::FinancialServices),
            operators: WIDESPREAD_OPERATORS,
        }];
        let after = rerank(&before, many, Some(8.1));
        assert_eq!(after.exploitation, "poc");
        assert_eq!(after.mission_wellbeing, "high");
        assert!(after.decision >= before.decision);
    }
}
