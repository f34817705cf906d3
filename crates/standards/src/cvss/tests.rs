//! Unit tests: error messages name the metric, severities, and v4 nomenclature.

use super::*;

#[test]
fn errors_name_the_metric() {
    match CvssVector::parse("CVSS:3.1/AV:Z/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") {
        Err(CvssError::InvalidValue { metric, value, .. }) => {
            assert_eq!((metric.as_str(), value.as_str()), ("AV", "Z"));
        }
        other => panic!("{other:?}"),
    }
    let err = CvssVector::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H").unwrap_err();
    assert!(
        matches!(&err, CvssError::MissingMetric { metric, .. } if metric == "A"),
        "{err}"
    );
    assert!(err.to_string().contains("mandatory metric A"));
    let err = CvssVector::parse("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap_err();
    assert!(matches!(err, CvssError::DuplicateMetric { metric, .. } if metric == "AV"));
    let err =
        CvssVector::parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/XX:Y")
            .unwrap_err();
    assert!(matches!(err, CvssError::UnknownMetric { metric, .. } if metric == "XX"));
    assert!(matches!(
        CvssVector::parse("CVSS:5.0/AV:N"),
        Err(CvssError::Malformed { .. })
    ));
    assert!(matches!(
        CvssVector::parse(""),
        Err(CvssError::Malformed { .. })
    ));
    assert!(matches!(
        CvssVector::parse("CVSS:3.1/AV"),
        Err(CvssError::Malformed { .. })
    ));
}

#[test]
fn well_known_scores() {
    let log4shell = CvssVector::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H").unwrap();
    let scores = log4shell.scores();
    assert_eq!(scores.base, 10.0);
    assert_eq!(scores.severity, Severity::Critical);
    assert_eq!(scores.nomenclature, "CVSS-B");

    let v2 = CvssVector::parse("(AV:N/AC:L/Au:N/C:P/I:P/A:P)").unwrap();
    assert_eq!(v2.version(), CvssVersion::V2);
    assert_eq!(v2.scores().base, 7.5);
    assert_eq!(v2.scores().severity, Severity::High);
    assert_eq!(v2.scores().temporal, None);

    let v4 = CvssVector::parse(
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/CR:L",
    )
    .unwrap();
    let scores = v4.scores();
    assert_eq!(scores.base, 9.3);
    assert_eq!(scores.nomenclature, "CVSS-BTE");
    assert!(scores.temporal.is_some_and(|t| t < 9.3));
    assert!(scores.environmental.is_some());
    assert!(scores.overall <= scores.temporal.unwrap_or(10.0));
}

#[test]
fn v3_temporal_uses_the_multipliers() {
    let vector =
        CvssVector::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C").unwrap();
    let scores = vector.scores();
    assert_eq!(scores.base, 9.8);
    assert_eq!(scores.temporal, Some(8.8));
    assert_eq!(scores.nomenclature, "CVSS-BT");
    assert_eq!(scores.overall, 8.8);
}

#[test]
fn severity_scales() {
    assert_eq!(Severity::from_score(CvssVersion::V3_1, 0.0), Severity::None);
    assert_eq!(Severity::from_score(CvssVersion::V3_1, 3.9), Severity::Low);
    assert_eq!(
        Severity::from_score(CvssVersion::V4_0, 9.0),
        Severity::Critical
    );
    assert_eq!(Severity::from_score(CvssVersion::V2, 10.0), Severity::High);
    assert_eq!(Severity::from_score(CvssVersion::V2, 0.0), Severity::Low);
}

#[test]
fn display_is_canonical() {
    let vector = CvssVector::parse(" (AV:N/AC:L/Au:N/C:N/I:N/A:P) ").unwrap();
    assert_eq!(vector.to_string(), "AV:N/AC:L/Au:N/C:N/I:N/A:P");
    let again = CvssVector::parse(&vector.to_string()).unwrap();
    assert_eq!(again, vector);
}
