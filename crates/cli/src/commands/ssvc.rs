//! `clearinghouse ssvc`: evaluate SSVC decisions (CISA coordinator, deployer, or any CERT/CC
//! decision table) from named inputs or from a CVE record's CISA ADP assessment.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clearinghouse_standards::ssvc::{self, BuiltinTable, Decision, DecisionTable};
use comfy_table::Table;

use crate::exit::{self, CodedError};
use crate::output;

/// Arguments of `clearinghouse ssvc`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// CISA coordinator decision: Track, Track*, Attend or Act.
    #[command(after_help = "Examples:\n  \
clearinghouse ssvc coordinator --exploitation active --automatable yes --technical-impact total --mission-wellbeing high\n  \
clearinghouse ssvc coordinator --from-cve CVE-2024-3400.json            (all three mission levels)\n  \
clearinghouse ssvc coordinator --from-cve CVE-2024-3400.json --mission-wellbeing medium --json\n\n\
--from-cve reads Exploitation, Automatable and Technical Impact from the CISA ADP (Vulnrichment) \
container of a CVE 5 record; Mission and Well-Being is yours to judge.")]
    Coordinator {
        /// none, poc (public PoC) or active.
        #[arg(long, required_unless_present = "from_cve")]
        exploitation: Option<String>,
        /// yes or no.
        #[arg(long, required_unless_present = "from_cve")]
        automatable: Option<String>,
        /// partial or total.
        #[arg(long, required_unless_present = "from_cve")]
        technical_impact: Option<String>,
        /// low, medium or high; when omitted every level is shown.
        #[arg(long)]
        mission_wellbeing: Option<String>,
        /// A CVE 5 JSON record with CISA ADP SSVC data.
        #[arg(long, value_name = "FILE")]
        from_cve: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// SSVC deployer decision: Defer, Scheduled, Out-of-Cycle or Immediate.
    #[command(after_help = "Example:\n  \
clearinghouse ssvc deployer --exploitation poc --exposure open --automatable no --human-impact high")]
    Deployer {
        /// none, poc (public PoC) or active.
        #[arg(long)]
        exploitation: String,
        /// small, controlled or open.
        #[arg(long)]
        exposure: String,
        /// yes or no.
        #[arg(long)]
        automatable: String,
        /// low, medium, high or "very high".
        #[arg(long)]
        human_impact: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Evaluate any decision table in CERT/CC's JSON format (e.g. from CERT/CC's SSVC repository).
    #[command(
        name = "cert-table",
        after_help = "Example:\n  \
clearinghouse ssvc cert-table data/json/decision_tables/ssvc/supplier_patch_development_priority_1_0_0.json \\\n    \
--input exploitation=active --input utility=efficient --input 'technical impact'=total --input psi=significant\n\n\
Inputs are NAME=VALUE; names match a decision point's key, name or id, values its key or name, in any case."
    )]
    CertTable {
        /// The decision table JSON file.
        file: PathBuf,
        /// NAME=VALUE, once per input decision point.
        #[arg(long = "input", value_name = "NAME=VALUE")]
        inputs: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the built-in tables (and any CERT/CC tables given) with their decision points.
    List {
        /// CERT/CC decision table files to describe as well.
        files: Vec<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Coordinator {
            exploitation,
            automatable,
            technical_impact,
            mission_wellbeing,
            from_cve,
            json,
        } => {
            let table = BuiltinTable::CisaCoordinator.load()?;
            let mut base: Vec<(String, String)> = Vec::new();
            if let Some(path) = &from_cve {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let record: serde_json::Value = serde_json::from_str(&text)
                    .with_context(|| format!("parsing {}", path.display()))?;
                let inputs = ssvc::cisa_inputs_from_cve(&record).map_err(|err| {
                    CodedError::new(exit::NOT_FOUND, format!("{}: {err}", path.display()))
                })?;
                base.extend(
                    inputs
                        .selections()
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
                );
            }
            // Flags override values read from the record.
            for (name, value) in [
                ("E", exploitation),
                ("A", automatable),
                ("TI", technical_impact),
            ] {
                if let Some(value) = value {
                    base.retain(|(existing, _)| existing != name);
                    base.push((name.to_owned(), value));
                }
            }
            let levels: Vec<String> = match mission_wellbeing {
                Some(level) => vec![level],
                None => vec!["low".into(), "medium".into(), "high".into()],
            };
            let mut decisions = Vec::new();
            for level in levels {
                let mut selections = base.clone();
                selections.push(("MWI".to_owned(), level));
                decisions.push(evaluate(&table, &selections)?);
            }
            print(&decisions, json)
        }
        Command::Deployer {
            exploitation,
            exposure,
            automatable,
            human_impact,
            json,
        } => {
            let table = BuiltinTable::Deployer.load()?;
            let selections = vec![
                ("E".to_owned(), exploitation),
                ("EXP".to_owned(), exposure),
                ("A".to_owned(), automatable),
                ("HI".to_owned(), human_impact),
            ];
            print(&[evaluate(&table, &selections)?], json)
        }
        Command::CertTable { file, inputs, json } => {
            let table = load_file(&file)?;
            let mut selections = Vec::new();
            for input in inputs {
                let (name, value) = input.split_once('=').ok_or_else(|| {
                    CodedError::new(exit::USAGE, format!("--input {input:?} is not NAME=VALUE"))
                })?;
                selections.push((name.trim().to_owned(), value.trim().to_owned()));
            }
            print(&[evaluate(&table, &selections)?], json)
        }
        Command::List { files, json } => {
            let mut tables = Vec::new();
            for builtin in BuiltinTable::ALL {
                tables.push((
                    format!("built-in: ssvc {}", builtin.slug()),
                    builtin.load()?,
                ));
            }
            for file in files {
                let table = load_file(&file)?;
                tables.push((file.display().to_string(), table));
            }
            if json {
                let listing: Vec<serde_json::Value> = tables
                    .iter()
                    .map(|(source, table)| {
                        serde_json::json!({
                            "source": source,
                            "id": table.id(),
                            "name": table.name(),
                            "inputs": table.inputs(),
                            "outcome": table.outcome_point(),
                            "rows": table.row_count(),
                        })
                    })
                    .collect();
                output::json(&listing)?;
            } else {
                let mut out = Table::new();
                out.set_header(["source", "table", "inputs (values)", "outcome"]);
                for (source, table) in &tables {
                    let describe = |point: &ssvc::DecisionPoint| {
                        let values: Vec<&str> =
                            point.values.iter().map(|v| v.name.as_str()).collect();
                        format!("{} [{}]: {}", point.name, point.key, values.join(" / "))
                    };
                    let inputs: Vec<String> = table.inputs().iter().map(describe).collect();
                    out.add_row([
                        source.clone(),
                        table.name().to_owned(),
                        inputs.join("\n"),
                        describe(table.outcome_point()),
                    ]);
                }
                output::line(&out)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load_file(path: &PathBuf) -> anyhow::Result<DecisionTable> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    DecisionTable::from_json(&text).map_err(|err| {
        CodedError::new(exit::CHECK_FAILED, format!("{}: {err}", path.display())).into()
    })
}

fn evaluate(table: &DecisionTable, selections: &[(String, String)]) -> anyhow::Result<Decision> {
    let borrowed: Vec<(&str, &str)> = selections
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    table
        .evaluate(&borrowed)
        .map_err(|err| CodedError::new(exit::USAGE, err.to_string()).into())
}

fn print(decisions: &[Decision], json: bool) -> anyhow::Result<ExitCode> {
    if json {
        output::json(decisions)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new();
    let Some(first) = decisions.first() else {
        return Ok(ExitCode::SUCCESS);
    };
    let mut header: Vec<String> = first.inputs.iter().map(|(name, _)| name.clone()).collect();
    header.push(first.outcome_point.clone());
    table.set_header(header);
    for decision in decisions {
        let mut row: Vec<String> = decision
            .inputs
            .iter()
            .map(|(_, value)| value.name.clone())
            .collect();
        row.push(decision.outcome.name.clone());
        table.add_row(row);
    }
    output::line(format_args!("{}\n{table}", first.table))?;
    Ok(ExitCode::SUCCESS)
}
