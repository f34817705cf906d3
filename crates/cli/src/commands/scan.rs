//! `clearinghouse scan`: an offline scanner. Loads OSV records (directories or osv.dev `all.zip`
//! files), CSAF documents and an optional KEV catalog, then matches SBOMs against them.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clearinghouse_standards::matching::{self, Index};
use clearinghouse_standards::{csaf, cyclonedx, kev, knowledge, osv, sbom};
use comfy_table::Table;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::exit::{self, CodedError};
use crate::output;

/// Arguments of `clearinghouse scan`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  clearinghouse scan bom.cdx.json --advisories ~/osv/PyPI/all.zip --advisories kev.json\n  clearinghouse scan sboms/*.json --advisories advisory-db/ --json\n\nAdvisory paths may be directories (OSV JSON/YAML and CSAF JSON, searched recursively), zip files\n(osv.dev's per-ecosystem all.zip), CycloneDX VEX documents, or a CISA KEV catalog JSON (used to flag\nmatches).\nExit status 1 when anything matched, 2 when an SBOM cannot be read, 3 when a path does not exist."
)]
pub struct Args {
    /// SBOM files (CycloneDX or SPDX JSON).
    #[arg(required = true)]
    sboms: Vec<PathBuf>,
    /// Advisory sources: directories, zip files, KEV catalog.
    #[arg(long = "advisories", required = true, num_args = 1..)]
    advisories: Vec<PathBuf>,
    /// Print one JSON object per (component, advisory) match.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Hit<'a> {
    sbom: String,
    purl: Option<&'a str>,
    name: &'a str,
    version: Option<&'a str>,
    id: &'a str,
    aliases: &'a [String],
    record: &'a str,
    range: String,
    matched_by: &'static str,
    source: &'a str,
    kev: bool,
}

#[derive(Default)]
struct Loaded {
    index: Index,
    kev: HashSet<String>,
    skipped: Vec<String>,
}

impl Loaded {
    fn add_document(&mut self, name: &str, bytes: &[u8]) {
        let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        if is_yaml {
            match osv::from_slice(bytes) {
                Ok(record) => {
                    self.index.add_osv(&record, name);
                }
                Err(err) => self.skipped.push(format!("{name}: {err}")),
            }
            return;
        }
        let value: serde_json::Value = match serde_json::from_slice(bytes) {
            Ok(value) => value,
            Err(err) => return self.skipped.push(format!("{name}: {err}")),
        };
        if value.get("catalogVersion").is_some() {
            match serde_json::from_value::<kev::Catalog>(value) {
                Ok(catalog) => self
                    .kev
                    .extend(catalog.vulnerabilities.into_iter().map(|e| e.cve_id)),
                Err(err) => self.skipped.push(format!("{name}: {err}")),
            }
            return;
        }
        if value.get("bomFormat").is_some() {
            // A CycloneDX VEX (or a BOM carrying vulnerabilities): its `exploitable` statements.
            match cyclonedx::from_value(value) {
                Ok(bom) => self
                    .index
                    .add_record(&knowledge::from_cyclonedx_vex(&bom, name), name),
                Err(err) => self.skipped.push(format!("{name}: {err}")),
            }
            return;
        }
        if value.get("document").is_some() {
            match serde_json::from_value::<csaf::Csaf>(value) {
                Ok(document) => self.index.add_csaf(&document, name),
                Err(err) => self.skipped.push(format!("{name}: {err}")),
            }
            return;
        }
        if value.get("id").is_some() {
            match serde_json::from_value::<osv::Record>(value) {
                Ok(record) => {
                    self.index.add_osv(&record, name);
                }
                Err(err) => self.skipped.push(format!("{name}: {err}")),
            }
        }
    }
}

fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("listing {}", path.display()))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .collect();
        entries.sort();
        for entry in entries {
            collect_files(&entry, out)?;
        }
    } else if let Some(ext) = path.extension().and_then(|e| e.to_str())
        && matches!(ext, "json" | "yaml" | "yml" | "zip")
    {
        out.push(path.to_owned());
    }
    Ok(())
}

fn load(paths: &[PathBuf], quiet: bool) -> anyhow::Result<Loaded> {
    let mut files = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(CodedError::new(
                exit::NOT_FOUND,
                format!("{} does not exist", path.display()),
            )
            .into());
        }
        collect_files(path, &mut files)?;
    }
    let progress = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(files.len() as u64)
    };
    progress.set_style(
        ProgressStyle::with_template("loading advisories {bar:30} {pos}/{len} files")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut loaded = Loaded::default();
    for file in &files {
        let name = file.display().to_string();
        if name.ends_with(".zip") {
            let reader = std::fs::File::open(file).with_context(|| format!("opening {name}"))?;
            let mut archive =
                zip::ZipArchive::new(reader).with_context(|| format!("reading zip {name}"))?;
            for i in 0..archive.len() {
                let mut entry = archive
                    .by_index(i)
                    .with_context(|| format!("reading zip {name}"))?;
                let entry_name = format!(
                    "{name}!{}",
                    entry
                        .name()
                        .map(|n| n.into_owned())
                        .unwrap_or_else(|_| i.to_string())
                );
                let mut bytes = Vec::with_capacity(entry.size() as usize);
                entry
                    .read_to_end(&mut bytes)
                    .with_context(|| format!("reading {entry_name}"))?;
                loaded.add_document(&entry_name, &bytes);
            }
        } else {
            let bytes = std::fs::read(file).with_context(|| format!("reading {name}"))?;
            loaded.add_document(&name, &bytes);
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(loaded)
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // SBOMs first, and any that cannot be read stops the scan: skipping it would report "no
    // matches" for software nobody looked at.
    let mut sboms = Vec::new();
    for file in &args.sboms {
        if !file.exists() {
            return Err(CodedError::new(
                exit::NOT_FOUND,
                format!("{} does not exist", file.display()),
            )
            .into());
        }
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let parsed = sbom::parse(&bytes).map_err(|err| {
            CodedError::new(
                exit::USAGE,
                format!("{} is not a readable SBOM: {err}", file.display()),
            )
        })?;
        sboms.push((file.display().to_string(), parsed));
    }
    let loaded = load(&args.advisories, args.json)?;
    if args.json && !loaded.skipped.is_empty() {
        // The table reports the count; with --json stdout is the match list, so say it here.
        eprintln!(
            "warning: {} advisory files skipped, the first: {}",
            loaded.skipped.len(),
            loaded.skipped[0]
        );
    }
    let advisories = loaded.index.advisories();
    let groups = matching::alias_groups(advisories);
    let mut hits = Vec::new();
    let mut hit_groups = Vec::new();
    for (name, parsed) in &sboms {
        for found in loaded.index.match_sbom(parsed) {
            let component = &parsed.components[found.component];
            let advisory = &advisories[found.advisory];
            let kev = std::iter::once(&advisory.id)
                .chain(&advisory.aliases)
                .any(|id| loaded.kev.contains(id));
            hit_groups.push(groups[found.advisory]);
            hits.push(Hit {
                sbom: name.clone(),
                purl: component.purl.as_deref(),
                name: &component.name,
                version: component.version.as_deref(),
                id: &advisory.id,
                aliases: &advisory.aliases,
                record: &advisory.record,
                range: found.range.clone(),
                matched_by: found.matched_by,
                source: &advisory.source,
                kev,
            });
        }
    }
    if args.json {
        output::json(&hits)?;
    } else {
        // One row per (component, alias group): ids from several sources shown together.
        let mut rows: BTreeMap<(String, String, usize), (Vec<&str>, bool)> = BTreeMap::new();
        for (hit, group) in hits.iter().zip(&hit_groups) {
            let component = hit.purl.map_or_else(
                || format!("{} {}", hit.name, hit.version.unwrap_or("")),
                str::to_owned,
            );
            let row = rows
                .entry((hit.sbom.clone(), component, *group))
                .or_default();
            for id in std::iter::once(hit.id).chain(hit.aliases.iter().map(String::as_str)) {
                if !row.0.contains(&id) {
                    row.0.push(id);
                }
            }
            row.1 |= hit.kev;
        }
        let mut table = Table::new();
        table.set_header(["sbom", "component", "vulnerability (all ids)", "KEV"]);
        for ((sbom_name, component, _), (ids, kev)) in &rows {
            table.add_row([
                sbom_name.as_str(),
                component,
                &ids.join(", "),
                if *kev { "yes" } else { "" },
            ]);
        }
        output::line(format_args!(
            "{} advisories loaded ({} files skipped); {} SBOMs; {} matches in {} vulnerability groups",
            advisories.len(),
            loaded.skipped.len(),
            sboms.len(),
            hits.len(),
            rows.len()
        ))?;
        if !rows.is_empty() {
            output::line(&table)?;
        }
    }
    Ok(if hits.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::CHECK_FAILED)
    })
}
