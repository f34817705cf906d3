//! Go module versions: SemVer with a mandatory `v` in Go itself (optional in OSV, which strips it).
//!
//! Pseudo-versions (`v0.0.0-20210101000000-abcdef123456`) are SemVer pre-releases and sort as such;
//! `+incompatible` is build metadata and is ignored by precedence, exactly as `go` does.

/// Parses a Go module version with or without its `v` prefix.
pub(super) fn parse(text: &str) -> Result<semver::Version, String> {
    let bare = text.strip_prefix('v').unwrap_or(text);
    semver::Version::parse(bare).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incompatible_and_pseudo_versions() {
        let plain = parse("v2.0.0").unwrap();
        let incompatible = parse("v2.0.0+incompatible").unwrap();
        assert_eq!(
            plain.cmp_precedence(&incompatible),
            std::cmp::Ordering::Equal
        );
        let pseudo = parse("v1.2.4-0.20210101000000-abcdef123456").unwrap();
        assert!(pseudo.cmp_precedence(&parse("1.2.3").unwrap()).is_gt());
        assert!(pseudo.cmp_precedence(&parse("1.2.4").unwrap()).is_lt());
        assert!(parse("v1.2").is_err());
    }
}
