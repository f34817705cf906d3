//! Counts read straight from raw JSON, independently of the readers under test, so a data-driven
//! test compares two separate readings of one document.

use serde_json::Value;

/// Components in a raw CycloneDX BOM: the metadata component, the top-level list and every
/// nested `components` list.
pub fn cyclonedx_components(bom: &Value) -> usize {
    fn count(components: Option<&Value>) -> usize {
        components
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| 1 + count(c.get("components")))
            .sum()
    }
    let main = bom.get("metadata").and_then(|m| m.get("component"));
    main.map_or(0, |m| 1 + count(m.get("components"))) + count(bom.get("components"))
}
