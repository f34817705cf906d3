//! `clearinghouse version`: compare versions and test range membership with each ecosystem's
//! own ordering.

use std::cmp::Ordering;
use std::process::ExitCode;

use clearinghouse_standards::range::{ComparatorList, VersSpec};
use clearinghouse_standards::version::Ecosystem;
use serde::Serialize;

use crate::exit::{self, CodedError};
use crate::output;

/// Arguments of `clearinghouse version`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Compare two versions: prints `<`, `=` or `>`.
    #[command(after_help = "Examples:\n  \
clearinghouse version compare pypi 1.0rc1 1.0          # <\n  \
clearinghouse version compare maven 1.0-SNAPSHOT 1.0   # <\n  \
clearinghouse version compare debian 1:1.0~rc1 1:1.0   # <\n  \
clearinghouse version compare go v2.0.0+incompatible 2.0.0   # =\n\n\
ECOSYSTEM is an OSV ecosystem name, a purl type or a vers scheme: pypi, npm, cargo (crates.io), \
go, maven, gem (rubygems), nuget, composer (packagist), hex, pub, deb (debian, ubuntu), rpm \
(red hat, rocky linux, suse…), apk (alpine, wolfi), semver, generic.")]
    Compare {
        /// Ecosystem whose ordering applies.
        ecosystem: String,
        /// First version.
        a: String,
        /// Second version.
        b: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Test whether a version is in a range: exit 0 if it is, 1 if not.
    #[command(after_help = "Examples:\n  \
clearinghouse version in npm 1.4.2 'vers:npm/>=1.0.0|<1.5.0'\n  \
clearinghouse version in pypi 2.0.1 '>=1.0,<2.0'\n  \
clearinghouse version in rpm 1.1.1k-7.el8 '<1:1.0'\n\n\
RANGE is a purl-spec vers specifier (its scheme's ordering is used) or a comma-separated list of \
comparators (>=, >, <=, <, =, !=) that must all hold.")]
    In {
        /// Ecosystem whose ordering applies (a vers specifier's own scheme takes precedence).
        ecosystem: String,
        /// The version to test.
        version: String,
        /// `vers:<scheme>/<constraints>` or `>=1.0,<2.0`.
        range: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Serialize)]
struct Comparison<'a> {
    ecosystem: &'a str,
    a: &'a str,
    b: &'a str,
    ordering: &'static str,
}

#[derive(Debug, Serialize)]
struct Membership<'a> {
    ecosystem: &'a str,
    version: &'a str,
    range: &'a str,
    contained: bool,
}

fn ecosystem(name: &str) -> anyhow::Result<Ecosystem> {
    let ecosystem = Ecosystem::from_user_input(name);
    if !ecosystem.has_ordering() {
        return Err(CodedError::new(
            exit::USAGE,
            format!("no version ordering known for ecosystem {name:?} (see --help for the list)"),
        )
        .into());
    }
    Ok(ecosystem)
}

fn usage(err: impl std::fmt::Display) -> anyhow::Error {
    CodedError::new(exit::USAGE, err.to_string()).into()
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Compare {
            ecosystem: name,
            a,
            b,
            json,
        } => {
            let ecosystem = ecosystem(&name)?;
            let ordering = ecosystem.compare(&a, &b).map_err(usage)?;
            let symbol = match ordering {
                Ordering::Less => "<",
                Ordering::Equal => "=",
                Ordering::Greater => ">",
            };
            if json {
                let report = Comparison {
                    ecosystem: ecosystem.osv_name(),
                    a: &a,
                    b: &b,
                    ordering: symbol,
                };
                output::json(&report)?;
            } else {
                output::line(symbol)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::In {
            ecosystem: name,
            version,
            range,
            json,
        } => {
            let (ecosystem, contained) = if range.trim_start().starts_with("vers:") {
                let spec = VersSpec::parse(&range).map_err(usage)?;
                let contained = spec.contains(&version).map_err(usage)?;
                (spec.ecosystem().clone(), contained)
            } else {
                let ecosystem = ecosystem(&name)?;
                let list = ComparatorList::parse(&ecosystem, &range).map_err(usage)?;
                let parsed = ecosystem.parse(&version).map_err(usage)?;
                let contained = list.contains_parsed(&parsed);
                (ecosystem, contained)
            };
            if json {
                let report = Membership {
                    ecosystem: ecosystem.osv_name(),
                    version: &version,
                    range: &range,
                    contained,
                };
                output::json(&report)?;
            } else {
                output::line(format_args!(
                    "{version} is {}in {range}",
                    if contained { "" } else { "not " }
                ))?;
            }
            Ok(if contained {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(exit::CHECK_FAILED)
            })
        }
    }
}
