//! Fuzz target: SBOM matching must never panic on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sbom) = clearinghouse_standards::sbom::parse(data) {
        let mut index = clearinghouse_standards::matching::Index::new();
        for component in &sbom.components {
            if let Some(purl) = &component.purl {
                let record = clearinghouse_standards::osv::Record {
                    id: "FUZZ-1".into(),
                    affected: vec![clearinghouse_standards::osv::Affected {
                        package: Some(clearinghouse_standards::osv::Package {
                            ecosystem: "npm".into(),
                            name: purl.clone(),
                            purl: None,
                        }),
                        versions: component.version.iter().cloned().collect(),
                        ..Default::default()
                    }],
                    ..Default::default()
                };
                index.add_osv(&record, "fuzz");
            }
        }
        let _ = index.match_sbom(&sbom);
    }
});
