//! `clearinghouse sbom`: print the normalized components of a CycloneDX or SPDX SBOM.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use comfy_table::Table;

use crate::exit::{self, CodedError};
use crate::output;

/// Arguments of `clearinghouse sbom`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  clearinghouse sbom bom.cdx.json\n  clearinghouse sbom --json app.spdx.json | jq '.components[].purl'"
)]
pub struct Args {
    /// CycloneDX (1.2–1.6) or SPDX 2.2/2.3 JSON file.
    file: PathBuf,
    /// Print the normalized SBOM as JSON (components and dependency edges).
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let sbom = clearinghouse_standards::sbom::parse(&bytes)
        .map_err(|err| CodedError::new(exit::CHECK_FAILED, err.to_string()))
        .with_context(|| format!("reading {}", args.file.display()))?;
    if args.json {
        output::json(&sbom)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new();
    table.set_header([
        "name", "version", "purl", "cpe", "supplier", "hashes", "deps",
    ]);
    for (index, component) in sbom.components.iter().enumerate() {
        let name = match &component.group {
            Some(group) => format!("{group}/{}", component.name),
            None => component.name.clone(),
        };
        table.add_row([
            name,
            component.version.clone().unwrap_or_default(),
            component.purl.clone().unwrap_or_default(),
            component.cpes.first().cloned().unwrap_or_default(),
            component.supplier.clone().unwrap_or_default(),
            component
                .hashes
                .iter()
                .map(|(alg, _)| alg.as_str())
                .collect::<Vec<_>>()
                .join(","),
            sbom.dependencies_of(index).count().to_string(),
        ]);
    }
    output::line(format_args!(
        "{} — {} components, {} dependency edges",
        sbom.format,
        sbom.components.len(),
        sbom.dependencies.len()
    ))?;
    output::line(&table)?;
    Ok(ExitCode::SUCCESS)
}
