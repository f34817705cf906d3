//! `clearinghouse validate`: detect each file's format, check it against its bundled official
//! schema, and for CSAF also run the mandatory tests; every problem is printed with its JSON path.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clearinghouse_standards::schema::{self, Format, Problem, Schema};
use clearinghouse_standards::{csaf, osv, sarif};
use serde::Serialize;

use crate::exit;
use crate::output;

/// Arguments of `clearinghouse validate`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  clearinghouse validate advisory.json bom.cdx.json\n  clearinghouse validate --json PYSEC-2024-1.yaml\n\nExit status 1 when any file is invalid."
)]
pub struct Args {
    /// Files to check (JSON; OSV also as YAML). A directory is walked for `.json`, `.yaml` and `.yml`
    /// files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print a JSON array, one object per file.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    file: String,
    format: Option<&'static str>,
    valid: bool,
    problems: Vec<Problem>,
}

/// Checks one document already read into memory.
fn check(bytes: &[u8]) -> (Option<Format>, Vec<Problem>) {
    let parse_problem = |path: &str, message: String| Problem {
        path: path.to_owned(),
        message,
        rule: "parse".into(),
    };
    let text = String::from_utf8_lossy(bytes);
    let value: serde_json::Value =
        if text.trim_start().starts_with('{') || text.trim_start().starts_with('[') {
            match serde_json::from_str(&text) {
                Ok(value) => value,
                Err(err) => return (None, vec![parse_problem("$", err.to_string())]),
            }
        } else {
            match serde_yaml::from_str(&text) {
                Ok(value) => value,
                Err(err) => {
                    return (
                        None,
                        vec![parse_problem("$", format!("neither JSON nor YAML: {err}"))],
                    );
                }
            }
        };
    let Some(format) = schema::detect(&value) else {
        return (
            None,
            vec![parse_problem(
                "$",
                "not an OSV, CSAF, CycloneDX, SPDX or SARIF document".into(),
            )],
        );
    };
    let mut problems = match Schema::for_document(format, &value) {
        Some(schema) => schema::validate(schema, &value),
        None if format == Format::CycloneDx => vec![parse_problem(
            "$.specVersion",
            "only the CycloneDX 1.2 to 1.7 JSON schemas are bundled (1.0 and 1.1 were XML only)"
                .into(),
        )],
        None => Vec::new(),
    };
    let typed = match format {
        Format::Osv => osv::from_json(&value.to_string()).map(|_| Vec::new()),
        Format::Csaf => {
            csaf::from_json(&value.to_string()).map(|document| csaf::mandatory::run(&document))
        }
        Format::Sarif => sarif::from_slice(value.to_string().as_bytes()).map(|_| Vec::new()),
        Format::CycloneDx | Format::Spdx => {
            clearinghouse_standards::sbom::parse(value.to_string().as_bytes()).map(|_| Vec::new())
        }
    };
    match typed {
        Ok(more) => problems.extend(more),
        Err(err) => problems.push(parse_problem(err.path(), err.to_string())),
    }
    (Some(format), problems)
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut files = Vec::new();
    for path in &args.files {
        collect_documents(path, &mut files)
            .with_context(|| format!("reading {}", path.display()))?;
    }
    let mut reports = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let (format, problems) = check(&bytes);
        reports.push(Report {
            file: file.display().to_string(),
            format: format.map(Format::name),
            valid: problems.is_empty(),
            problems,
        });
    }
    if args.json {
        output::json(&reports)?;
    } else {
        for report in &reports {
            let format = report.format.unwrap_or("unknown format");
            if report.valid {
                output::line(format_args!("{}: valid {format}", report.file))?;
            } else {
                let count = report.problems.len();
                output::line(format_args!(
                    "{}: INVALID {format} ({count} problem{})",
                    report.file,
                    if count == 1 { "" } else { "s" }
                ))?;
                for problem in &report.problems {
                    output::line(format_args!(
                        "  {} [{}] {}",
                        problem.path, problem.rule, problem.message
                    ))?;
                }
            }
        }
    }
    Ok(if reports.iter().all(|r| r.valid) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::CHECK_FAILED)
    })
}

/// Expands directories into the documents inside them, in a stable (sorted) order.
fn collect_documents(path: &std::path::Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        let is_document = entry
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "json" | "yaml" | "yml"));
        if entry.is_dir() {
            collect_documents(&entry, out)?;
        } else if is_document {
            out.push(entry);
        }
    }
    Ok(())
}
