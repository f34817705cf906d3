//! CPE 2.3 names: the formatted-string binding (`cpe:2.3:a:vendor:product:…`), the legacy URI
//! binding (`cpe:/a:vendor:product:…`), and name matching per NISTIR 7696.
//!
//! Written here rather than taken from the `cpe` crate: that crate is unmaintained, pulls `syn` 1
//! and does not implement NISTIR 7696 attribute comparison. Values are kept unescaped and lowercase
//! (CPE comparison is case-insensitive) with their leading and trailing wildcards split out, which
//! is the only place the specification allows unquoted `*` and `?`.

use std::fmt;
use std::str::FromStr;

/// The eleven WFN attributes, in binding order.
pub const ATTRIBUTES: [&str; 11] = [
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
];

/// One attribute value of a well-formed CPE name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CpeValue {
    /// `*`: any value.
    Any,
    /// `-`: not applicable.
    Na,
    /// A string, possibly with wildcards at its ends.
    Value(Pattern),
}

/// A string value: literal text (unescaped, lowercase) with the wildcards at either end.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    leading: Wildcard,
    text: String,
    trailing: Wildcard,
}

/// Wildcards allowed at one end of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Wildcard {
    None,
    /// `*`: any number of characters.
    Star,
    /// `?` repeated: up to that many characters.
    Questions(usize),
}

/// How two CPE attribute values (or names) relate, NISTIR 7696 §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// Source and target are the same.
    Equal,
    /// Source covers target.
    Superset,
    /// Target covers source.
    Subset,
    /// No overlap.
    Disjoint,
    /// Target has wildcards: not comparable.
    Undefined,
}

/// A CPE 2.3 name (well-formed name, WFN).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cpe {
    values: [CpeValue; 11],
}

/// Why a CPE string was rejected; carries the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CPE {input:?}: {reason}")]
pub struct CpeError {
    /// The offending text.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Pattern {
    fn literal(text: &str) -> Self {
        Pattern {
            leading: Wildcard::None,
            text: text.to_lowercase(),
            trailing: Wildcard::None,
        }
    }

    fn has_wildcards(&self) -> bool {
        self.leading != Wildcard::None || self.trailing != Wildcard::None
    }

    /// The literal text, unescaped.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value as written, wildcards included, without escapes (`1.*`): for showing or
    /// comparing a value that is not a plain string.
    pub fn to_unescaped_string(&self) -> String {
        self.render(|c, out| out.push(c))
    }

    /// NISTIR 7696 `compareStrings`: does the source pattern cover the literal target?
    fn covers(&self, target: &str) -> bool {
        let source = self.text.as_str();
        let mut from = 0;
        while from <= target.len() {
            let Some(found) = target[from..].find(source) else {
                return false;
            };
            let index = from + found;
            let before_ok = match self.leading {
                Wildcard::Star => true,
                Wildcard::None => index == 0,
                Wildcard::Questions(n) => target[..index].chars().count() <= n,
            };
            if !before_ok {
                return false;
            }
            let leftover = target[index + source.len()..].chars().count();
            let after_ok = match self.trailing {
                Wildcard::Star => true,
                Wildcard::None => leftover == 0,
                Wildcard::Questions(n) => leftover <= n,
            };
            if after_ok {
                return true;
            }
            // Try the next occurrence, one character further.
            from = index + target[index..].chars().next().map_or(1, char::len_utf8);
        }
        false
    }

    fn render(&self, escape: impl Fn(char, &mut String)) -> String {
        let mut out = String::new();
        let wildcard = |w: Wildcard, out: &mut String| match w {
            Wildcard::None => {}
            Wildcard::Star => out.push('*'),
            Wildcard::Questions(n) => out.push_str(&"?".repeat(n)),
        };
        wildcard(self.leading, &mut out);
        for c in self.text.chars() {
            escape(c, &mut out);
        }
        wildcard(self.trailing, &mut out);
        out
    }
}

impl CpeValue {
    /// NISTIR 7696 attribute comparison of a source value against a target value.
    pub fn compare(&self, target: &CpeValue) -> Relation {
        if let CpeValue::Value(pattern) = target
            && pattern.has_wildcards()
        {
            return Relation::Undefined;
        }
        if self == target {
            return Relation::Equal;
        }
        match (self, target) {
            (CpeValue::Any, _) => Relation::Superset,
            (_, CpeValue::Any) => Relation::Subset,
            (CpeValue::Na, _) | (_, CpeValue::Na) => Relation::Disjoint,
            (CpeValue::Value(source), CpeValue::Value(target)) => {
                if source.covers(&target.text) {
                    Relation::Superset
                } else {
                    Relation::Disjoint
                }
            }
        }
    }

    fn is_logical(&self) -> bool {
        matches!(self, CpeValue::Any | CpeValue::Na)
    }
}

impl Cpe {
    /// Parses either binding: `cpe:2.3:…` (formatted string) or `cpe:/…` (URI).
    pub fn parse(input: &str) -> Result<Self, CpeError> {
        let text = input.trim();
        if text.starts_with("cpe:2.3:") {
            Cpe::parse_formatted(text).map_err(|reason| CpeError {
                input: input.to_owned(),
                reason,
            })
        } else if text.starts_with("cpe:/") {
            Cpe::parse_uri(text).map_err(|reason| CpeError {
                input: input.to_owned(),
                reason,
            })
        } else {
            Err(CpeError {
                input: input.to_owned(),
                reason: "expected \"cpe:2.3:\" or \"cpe:/\"".to_owned(),
            })
        }
    }

    fn parse_formatted(text: &str) -> Result<Self, String> {
        let body = &text["cpe:2.3:".len()..];
        let mut components = Vec::with_capacity(11);
        let mut current = String::new();
        let mut chars = body.chars();
        // Split on unescaped colons, keeping escapes for the value parser.
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    current.push('\\');
                    current.push(chars.next().ok_or("trailing backslash")?);
                }
                ':' => components.push(std::mem::take(&mut current)),
                _ => current.push(c),
            }
        }
        components.push(current);
        if components.len() != 11 {
            return Err(format!(
                "expected 11 attributes after cpe:2.3, found {}",
                components.len()
            ));
        }
        let mut values = Vec::with_capacity(11);
        for (index, component) in components.iter().enumerate() {
            let value = formatted_value(component)
                .map_err(|reason| format!("{}: {reason}", ATTRIBUTES[index]))?;
            values.push(value);
        }
        Cpe::from_values(values)
    }

    fn parse_uri(text: &str) -> Result<Self, String> {
        let body = &text["cpe:/".len()..];
        let components: Vec<&str> = body.split(':').collect();
        if components.len() > 7 {
            return Err(format!(
                "at most 7 URI components, found {}",
                components.len()
            ));
        }
        let mut values = vec![CpeValue::Any; 11];
        for (index, component) in components.iter().enumerate() {
            if index == 5 && component.starts_with('~') {
                // Packed edition: ~edition~sw_edition~target_sw~target_hw~other.
                let packed: Vec<&str> = component[1..].split('~').collect();
                if packed.len() != 5 {
                    return Err("packed edition needs five ~-separated fields".to_owned());
                }
                for (offset, field) in packed.iter().enumerate() {
                    let slot = [5, 7, 8, 9, 10][offset];
                    values[slot] =
                        uri_value(field).map_err(|r| format!("{}: {r}", ATTRIBUTES[slot]))?;
                }
            } else {
                values[index] =
                    uri_value(component).map_err(|r| format!("{}: {r}", ATTRIBUTES[index]))?;
            }
        }
        Cpe::from_values(values)
    }

    fn from_values(values: Vec<CpeValue>) -> Result<Self, String> {
        let values: [CpeValue; 11] = values
            .try_into()
            .map_err(|_| "expected 11 attributes".to_owned())?;
        match &values[0] {
            CpeValue::Any => {}
            CpeValue::Value(part)
                if !part.has_wildcards() && matches!(part.text(), "a" | "o" | "h") => {}
            _ => return Err("part must be a, o, h or *".to_owned()),
        }
        Ok(Cpe { values })
    }

    /// The value of one attribute by index (see [`ATTRIBUTES`]).
    pub fn value(&self, index: usize) -> Option<&CpeValue> {
        self.values.get(index)
    }

    /// `a` (application), `o` (operating system), `h` (hardware) or `None` for ANY.
    pub fn part(&self) -> Option<&str> {
        self.text_of(0)
    }

    /// The vendor, when it is a plain string.
    pub fn vendor(&self) -> Option<&str> {
        self.text_of(1)
    }

    /// The product, when it is a plain string.
    pub fn product(&self) -> Option<&str> {
        self.text_of(2)
    }

    /// The version, when it is a plain string.
    pub fn version(&self) -> Option<&str> {
        self.text_of(3)
    }

    fn text_of(&self, index: usize) -> Option<&str> {
        match &self.values[index] {
            CpeValue::Value(pattern) if !pattern.has_wildcards() => Some(pattern.text()),
            _ => None,
        }
    }

    /// Attribute-by-attribute relation of this (source) name to a target name.
    pub fn compare(&self, target: &Cpe) -> [Relation; 11] {
        let mut relations = [Relation::Equal; 11];
        for (slot, (source, target)) in relations
            .iter_mut()
            .zip(self.values.iter().zip(&target.values))
        {
            *slot = source.compare(target);
        }
        relations
    }

    /// NISTIR 7696 name relation: `Equal` when every attribute is equal, `Superset` when each is
    /// a superset or equal, `Subset` likewise, `Disjoint` when any attribute is disjoint.
    pub fn relation(&self, target: &Cpe) -> Relation {
        let relations = self.compare(target);
        if relations.contains(&Relation::Undefined) {
            return Relation::Undefined;
        }
        if relations.contains(&Relation::Disjoint) {
            return Relation::Disjoint;
        }
        if relations.iter().all(|r| *r == Relation::Equal) {
            return Relation::Equal;
        }
        if relations
            .iter()
            .all(|r| matches!(r, Relation::Equal | Relation::Superset))
        {
            return Relation::Superset;
        }
        if relations
            .iter()
            .all(|r| matches!(r, Relation::Equal | Relation::Subset))
        {
            return Relation::Subset;
        }
        Relation::Undefined
    }

    /// Whether this name (an applicability pattern, e.g. from NVD) matches the target name:
    /// every attribute is a superset of or equal to the target's.
    pub fn matches(&self, target: &Cpe) -> bool {
        matches!(self.relation(target), Relation::Equal | Relation::Superset)
    }

    /// The formatted-string binding, `cpe:2.3:…`.
    pub fn to_formatted_string(&self) -> String {
        let mut out = String::from("cpe:2.3");
        for value in &self.values {
            out.push(':');
            match value {
                CpeValue::Any => out.push('*'),
                CpeValue::Na => out.push('-'),
                CpeValue::Value(pattern) => out.push_str(&pattern.render(|c, out| {
                    if !(c.is_alphanumeric() || c == '_') {
                        out.push('\\');
                    }
                    out.push(c);
                })),
            }
        }
        out
    }

    /// The URI binding, `cpe:/…` (edition packed when the extended attributes are set).
    pub fn to_uri(&self) -> String {
        let component = |value: &CpeValue| -> String {
            match value {
                CpeValue::Any => String::new(),
                CpeValue::Na => "-".to_owned(),
                CpeValue::Value(pattern) => {
                    let mut out = String::new();
                    let wildcard = |w: Wildcard, out: &mut String| match w {
                        Wildcard::None => {}
                        Wildcard::Star => out.push_str("%02"),
                        Wildcard::Questions(n) => out.push_str(&"%01".repeat(n)),
                    };
                    wildcard(pattern.leading, &mut out);
                    for c in pattern.text.chars() {
                        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                            out.push(c);
                        } else {
                            let mut buffer = [0u8; 4];
                            for byte in c.encode_utf8(&mut buffer).bytes() {
                                out.push_str(&format!("%{byte:02x}"));
                            }
                        }
                    }
                    wildcard(pattern.trailing, &mut out);
                    out
                }
            }
        };
        let extended = [7, 8, 9, 10]
            .iter()
            .any(|&i| self.values[i] != CpeValue::Any);
        let mut parts: Vec<String> = self.values[..7].iter().map(component).collect();
        if extended {
            parts[5] = format!(
                "~{}~{}~{}~{}~{}",
                component(&self.values[5]),
                component(&self.values[7]),
                component(&self.values[8]),
                component(&self.values[9]),
                component(&self.values[10])
            );
        }
        while parts.last().is_some_and(String::is_empty) {
            parts.pop();
        }
        format!("cpe:/{}", parts.join(":"))
    }

    /// Whether any attribute is a logical value only (no strings at all), i.e. matches anything.
    pub fn is_fully_unspecified(&self) -> bool {
        self.values.iter().all(CpeValue::is_logical)
    }
}

/// Parses one formatted-string component (escapes still present).
fn formatted_value(component: &str) -> Result<CpeValue, String> {
    match component {
        "" => return Err("empty value".to_owned()),
        "*" => return Ok(CpeValue::Any),
        "-" => return Ok(CpeValue::Na),
        _ => {}
    }
    let mut tokens: Vec<(char, bool)> = Vec::new(); // (char, escaped)
    let mut chars = component.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            tokens.push((chars.next().ok_or("trailing backslash")?, true));
        } else {
            tokens.push((c, false));
        }
    }
    let mut end = tokens.len();
    let (start, leading) = if tokens.first() == Some(&('*', false)) {
        (1, Wildcard::Star)
    } else {
        let n = tokens.iter().take_while(|t| **t == ('?', false)).count();
        (
            n,
            if n > 0 {
                Wildcard::Questions(n)
            } else {
                Wildcard::None
            },
        )
    };
    let trailing = if end > start && tokens[end - 1] == ('*', false) {
        end -= 1;
        Wildcard::Star
    } else {
        let n = tokens[start..]
            .iter()
            .rev()
            .take_while(|t| **t == ('?', false))
            .count();
        end -= n;
        if n > 0 {
            Wildcard::Questions(n)
        } else {
            Wildcard::None
        }
    };
    let mut text = String::new();
    for &(c, escaped) in &tokens[start..end] {
        // WFN values never hold whitespace (NISTIR 7695 §5.3.2), and an escaped trailing space
        // would be trimmed off the rendered string, leaving a dangling `\` (found by fuzzing).
        if c.is_control() || c.is_whitespace() {
            return Err(format!("control or whitespace character {c:?}"));
        }
        if !escaped && matches!(c, '*' | '?') {
            return Err(format!("unquoted {c:?} inside a value"));
        }
        if !(escaped || c.is_alphanumeric() || matches!(c, '_' | '.' | '-')) {
            return Err(format!("character {c:?} must be escaped"));
        }
        text.push(c);
    }
    if text.is_empty() && leading == Wildcard::None && trailing == Wildcard::None {
        return Err("empty value".to_owned());
    }
    let mut pattern = Pattern::literal(&text);
    pattern.leading = leading;
    pattern.trailing = trailing;
    Ok(CpeValue::Value(pattern))
}

/// Parses one URI component (percent-encoded; `%01` is `?`, `%02` is `*`).
fn uri_value(component: &str) -> Result<CpeValue, String> {
    match component {
        "" | "*" => return Ok(CpeValue::Any),
        "-" => return Ok(CpeValue::Na),
        _ => {}
    }
    let bytes = component.as_bytes();
    let mut decoded: Vec<(u8, bool)> = Vec::new(); // (byte, is wildcard)
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = component
                .get(i + 1..i + 3)
                .ok_or("truncated percent escape")?;
            let byte = u8::from_str_radix(hex, 16).map_err(|_| format!("bad escape %{hex}"))?;
            match byte {
                1 => decoded.push((b'?', true)),
                2 => decoded.push((b'*', true)),
                _ => decoded.push((byte, false)),
            }
            i += 3;
        } else {
            decoded.push((bytes[i], false));
            i += 1;
        }
    }
    // A lone `%02` is `*`, which the formatted string binds as ANY: read it as ANY here too, or
    // the two bindings disagree (found by fuzzing: `cpe:/a:%02:2.3_a`).
    if decoded == [(b'*', true)] {
        return Ok(CpeValue::Any);
    }
    let leading_stars = decoded.first() == Some(&(b'*', true));
    let leading_questions = decoded.iter().take_while(|t| **t == (b'?', true)).count();
    let start = if leading_stars { 1 } else { leading_questions };
    let trailing_star = decoded.len() > start && decoded.last() == Some(&(b'*', true));
    let trailing_questions = decoded[start..]
        .iter()
        .rev()
        .take_while(|t| **t == (b'?', true))
        .count();
    let end = decoded.len() - if trailing_star { 1 } else { trailing_questions };
    if decoded[start..end].iter().any(|(_, wildcard)| *wildcard) {
        return Err("wildcard inside a value".to_owned());
    }
    let literal: Vec<u8> = decoded[start..end].iter().map(|(b, _)| *b).collect();
    if literal.iter().any(u8::is_ascii_control) {
        return Err("control character".to_owned());
    }
    let text = String::from_utf8(literal).map_err(|_| "not UTF-8".to_owned())?;
    if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("control or whitespace character".to_owned());
    }
    let mut pattern = Pattern::literal(&text);
    pattern.leading = if leading_stars {
        Wildcard::Star
    } else if leading_questions > 0 {
        Wildcard::Questions(leading_questions)
    } else {
        Wildcard::None
    };
    pattern.trailing = if trailing_star {
        Wildcard::Star
    } else if trailing_questions > 0 {
        Wildcard::Questions(trailing_questions)
    } else {
        Wildcard::None
    };
    Ok(CpeValue::Value(pattern))
}

impl FromStr for Cpe {
    type Err = CpeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cpe::parse(s)
    }
}

impl fmt::Display for Cpe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_formatted_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both bindings of a parsed name reparse to the same name (the fuzz target's property).
    fn assert_bindings_agree(text: &str) -> Cpe {
        let cpe = Cpe::parse(text).unwrap_or_else(|err| panic!("{text:?}: {err}"));
        let formatted = cpe.to_formatted_string();
        assert_eq!(
            Cpe::parse(&formatted).unwrap(),
            cpe,
            "{text:?} -> {formatted:?}"
        );
        let uri = cpe.to_uri();
        assert_eq!(Cpe::parse(&uri).unwrap(), cpe, "{text:?} -> {uri:?}");
        cpe
    }

    /// Fuzzing crash: the URI value `%02` became a pattern "`*` then nothing", which the
    /// formatted string prints as `*` and reads back as ANY.
    #[test]
    fn fuzz_cpe_uri_lone_star_round_trip() {
        let cpe = assert_bindings_agree("cpe:/a:%02:2.3_a");
        assert_eq!(cpe.value(1), Some(&CpeValue::Any));
        // Shapes around it: wildcards with no text between them.
        for text in [
            "cpe:/a:%02",
            "cpe:/a:x:%02:%02",
            "cpe:/a:%01",
            "cpe:/a:%01%01",
            "cpe:/a:%02%02",
            "cpe:/a:%01%02",
            "cpe:/a:%02x%01",
            "cpe:2.3:a:*:x:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:?:x:??*:*:*:*:*:*:*:*",
        ] {
            assert_bindings_agree(text);
        }
    }

    /// Fuzzing crash: a URI value with spaces bound to a formatted string ending in `\ `, which
    /// `parse` trims to a dangling backslash. Whitespace is not allowed in WFN values.
    #[test]
    fn fuzz_cpe_whitespace_in_value_is_rejected() {
        let crash = format!(
            "{}cpe:/::::/:~~~~~{}:/{}a",
            " ".repeat(23),
            " ".repeat(51),
            " ".repeat(38)
        );
        assert_eq!(crash.len(), 23 + 16 + 51 + 2 + 38 + 1);
        assert!(Cpe::parse(&crash).is_err());
        for text in [
            "cpe:/a:x:y%20",
            "cpe:/a:x y:z",
            "cpe:/a:x:y:1%09",
            "cpe:2.3:a:x:y\\ :*:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:x\\ y:z:*:*:*:*:*:*:*:*:*",
        ] {
            assert!(Cpe::parse(text).is_err(), "{text:?} should be rejected");
        }
        assert_bindings_agree("  cpe:/a:x:y:1.0  ");
    }

    fn cpe(text: &str) -> Cpe {
        Cpe::parse(text).unwrap()
    }

    #[test]
    fn parses_formatted_strings_with_escapes() {
        let name = cpe(r"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*");
        assert_eq!(name.vendor(), Some("microsoft"));
        assert_eq!(name.version(), Some("8.0.6001"));
        let escaped =
            cpe(r"cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*");
        assert_eq!(escaped.value(4), Some(&CpeValue::Na));
        let colon = cpe(r"cpe:2.3:a:foo\:bar:baz\!:1.0:*:*:*:*:*:*:*");
        assert_eq!(colon.vendor(), Some("foo:bar"));
        assert_eq!(colon.product(), Some("baz!"));
        assert_eq!(Cpe::parse(&colon.to_string()).unwrap(), colon);
    }

    #[test]
    fn uri_binding_round_trips_through_the_wfn() {
        let uri = cpe("cpe:/a:microsoft:internet_explorer:8.%02:sp%01");
        assert_eq!(
            uri.to_formatted_string(),
            r"cpe:2.3:a:microsoft:internet_explorer:8\.*:sp?:*:*:*:*:*:*"
        );
        let packed = cpe("cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~");
        assert_eq!(
            packed.value(7),
            Some(&CpeValue::Value(Pattern::literal("online")))
        );
        assert_eq!(
            packed.value(8),
            Some(&CpeValue::Value(Pattern::literal("win2003")))
        );
        assert_eq!(packed.value(10), Some(&CpeValue::Any));
        assert_eq!(
            packed.to_uri(),
            "cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~"
        );
        assert_eq!(
            cpe("cpe:/o:linux:linux_kernel:5.10").to_uri(),
            "cpe:/o:linux:linux_kernel:5.10"
        );
    }

    #[test]
    fn rejects_malformed_names() {
        for bad in [
            "cpe:2.3:a:vendor",
            "cpe:2.3:x:vendor:product:1:*:*:*:*:*:*:*",
            "cpe:2.3:a:ven*dor:product:1:*:*:*:*:*:*:*",
            "cpe:2.3:a:vendor:pro duct:1:*:*:*:*:*:*:*",
            "cpe:2.3:a::product:1:*:*:*:*:*:*:*",
            "cpe:/a:b:c:d:e:f:g:h",
            "cpe:/a:ven%zzdor",
            // Found by fuzzing: a literal control byte re-encodes as a URI wildcard (%01).
            "cpe:/a:v%0a",
            "cpe:2.3:a:c\\\u{1}:p:1:*:*:*:*:*:*:*",
            "not a cpe",
        ] {
            assert!(Cpe::parse(bad).is_err(), "{bad}");
        }
    }

    /// Attribute comparison table, NISTIR 7696 Table 6-2.
    #[test]
    fn attribute_comparison_table() {
        let value = |text: &str| formatted_value(text).unwrap();
        let cases = [
            ("*", "*", Relation::Equal),
            ("*", "-", Relation::Superset),
            ("*", "foo", Relation::Superset),
            ("*", "fo*", Relation::Undefined),
            ("-", "*", Relation::Subset),
            ("-", "-", Relation::Equal),
            ("-", "foo", Relation::Disjoint),
            ("foo", "*", Relation::Subset),
            ("foo", "-", Relation::Disjoint),
            ("foo", "foo", Relation::Equal),
            ("foo", "bar", Relation::Disjoint),
            ("fo*", "foo", Relation::Superset),
            ("fo*", "fo", Relation::Superset),
            ("*oo", "foo", Relation::Superset),
            ("fo?", "foo", Relation::Superset),
            ("fo?", "fooo", Relation::Disjoint),
            ("?oo", "foo", Relation::Superset),
            ("foo*", "bar", Relation::Disjoint),
            ("Foo", "foo", Relation::Equal),
        ];
        for (source, target, expected) in cases {
            assert_eq!(
                value(source).compare(&value(target)),
                expected,
                "{source} vs {target}"
            );
        }
    }

    #[test]
    fn name_matching() {
        let pattern = cpe("cpe:2.3:a:apache:log4j:2.*:*:*:*:*:*:*:*");
        assert!(pattern.matches(&cpe("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*")));
        assert!(!pattern.matches(&cpe("cpe:2.3:a:apache:log4j:1.2.17:*:*:*:*:*:*:*")));
        assert!(!pattern.matches(&cpe("cpe:2.3:a:apache:tomcat:2.0:*:*:*:*:*:*:*")));
        let any_version = cpe("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*");
        assert_eq!(
            any_version.relation(&cpe("cpe:2.3:a:apache:log4j:2.0:*:*:*:*:*:*:*")),
            Relation::Superset
        );
        assert_eq!(
            cpe("cpe:2.3:a:apache:log4j:2.0:*:*:*:*:*:*:*").relation(&any_version),
            Relation::Subset
        );
        assert_eq!(any_version.relation(&any_version), Relation::Equal);
    }

    fn component() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            Just("*".to_owned()),
            Just("-".to_owned()),
            "[a-z0-9_]{1,6}(\\\\[.:!~/]|[.-])?[a-z0-9_]{0,4}",
            "[a-z0-9]{1,5}\\*",
            "\\?[a-z0-9]{1,5}",
        ]
    }

    proptest::proptest! {
        /// Formatted string → name → formatted string → the same name; URI binding likewise.
        #[test]
        fn bindings_round_trip(parts in proptest::collection::vec(component(), 10)) {
            let text = format!("cpe:2.3:a:{}", parts.join(":"));
            if let Ok(name) = Cpe::parse(&text) {
                let again = Cpe::parse(&name.to_formatted_string()).unwrap();
                proptest::prop_assert_eq!(&again, &name);
                let via_uri = Cpe::parse(&name.to_uri()).unwrap();
                proptest::prop_assert_eq!(via_uri, name);
            }
        }
    }
}
