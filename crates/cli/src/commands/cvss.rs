//! `clearinghouse cvss`: validate and score CVSS vectors offline.

use std::io::BufRead;
use std::process::ExitCode;

use clearinghouse_standards::cvss::{CvssScores, CvssVector};
use comfy_table::Table;
use serde::Serialize;

use crate::exit;
use crate::output;

/// Arguments of `clearinghouse cvss`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
clearinghouse cvss CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H\n  \
clearinghouse cvss 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A'\n  \
clearinghouse cvss AV:N/AC:L/Au:N/C:P/I:P/A:P          (CVSS v2, read-only)\n  \
cut -f3 scores.tsv | clearinghouse cvss - --json\n\n\
Versions 4.0, 3.1 and 3.0 are scored per the FIRST specifications; v4 reports CVSS-B, -BT, -BE and the \
vector's own score. An invalid vector is reported with the metric at fault; the valid ones are still \
printed and the exit status is 1.")]
pub struct Args {
    /// Vectors to score; `-` reads one vector per line from standard input.
    #[arg(required = true, value_name = "VECTOR")]
    vectors: Vec<String>,
    /// Print JSON (one object per vector) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Row {
    vector: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scores: Option<CvssScores>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut inputs = Vec::new();
    for vector in args.vectors {
        if vector == "-" {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                if !line.trim().is_empty() {
                    inputs.push(line.trim().to_owned());
                }
            }
        } else {
            inputs.push(vector);
        }
    }
    let rows: Vec<Row> = inputs
        .into_iter()
        .map(|vector| match CvssVector::parse(&vector) {
            Ok(parsed) => Row {
                vector: parsed.to_string(),
                scores: Some(parsed.scores()),
                error: None,
            },
            Err(err) => Row {
                vector,
                scores: None,
                error: Some(err.to_string()),
            },
        })
        .collect();
    let failed = rows.iter().any(|row| row.error.is_some());
    if args.json {
        output::json(&rows)?;
    } else {
        let mut table = Table::new();
        table.set_header([
            "vector",
            "version",
            "base",
            "temporal/threat",
            "environmental",
            "score",
            "severity",
        ]);
        let show = |score: Option<f64>| score.map_or_else(|| "-".to_owned(), |s| format!("{s:.1}"));
        for row in &rows {
            match (&row.scores, &row.error) {
                (Some(scores), _) => {
                    table.add_row([
                        row.vector.clone(),
                        scores.version.to_string(),
                        format!("{:.1}", scores.base),
                        show(scores.temporal),
                        show(scores.environmental),
                        format!("{:.1} ({})", scores.overall, scores.nomenclature),
                        scores.severity.to_string(),
                    ]);
                }
                (None, Some(error)) => eprintln!("error: {error}"),
                (None, None) => {}
            }
        }
        if rows.iter().any(|row| row.scores.is_some()) {
            output::line(&table)?;
        }
    }
    Ok(if failed {
        ExitCode::from(exit::CHECK_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}
