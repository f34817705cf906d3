//! SemVer 2.0 as found in the wild: an optional `v` prefix and a missing minor or patch number
//! (`v1.2` → `1.2.0`) are tolerated, everything else follows the `semver` crate.

/// Parses SemVer, tolerating `v1.2`-style shorthand; the error says what is wrong.
pub(super) fn parse_lenient(text: &str) -> Result<semver::Version, String> {
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    match semver::Version::parse(text) {
        Ok(version) => Ok(version),
        Err(strict_error) => {
            let core_end = text.find(['-', '+']).unwrap_or(text.len());
            let (core, rest) = text.split_at(core_end);
            let parts = core.split('.').count();
            if parts == 0 || parts >= 3 || !core.split('.').all(is_number) {
                return Err(strict_error.to_string());
            }
            let padded = format!("{core}{}{rest}", ".0".repeat(3 - parts));
            semver::Version::parse(&padded).map_err(|_| strict_error.to_string())
        }
    }
}

fn is_number(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_shorthand_and_strips_v() {
        assert_eq!(
            parse_lenient("v1.2").unwrap(),
            semver::Version::new(1, 2, 0)
        );
        assert_eq!(parse_lenient("3").unwrap(), semver::Version::new(3, 0, 0));
        assert_eq!(parse_lenient("1.2-rc.1").unwrap().pre.as_str(), "rc.1");
        assert!(parse_lenient("1.x").is_err());
        assert!(parse_lenient("").is_err());
    }
}
