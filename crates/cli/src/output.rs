//! Output for people and for scripts: tables by default, JSON with `--json`.

use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

/// Prints rows as a table with a header.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let mut table = Table::new();
    table
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    for row in rows {
        table.add_row(row);
    }
    println!("{table}");
}

/// Prints a value as pretty JSON.
pub fn json(value: &(impl Serialize + ?Sized)) -> anyhow::Result<()> {
    line(serde_json::to_string_pretty(value)?)
}

/// Prints one line to standard output. Unlike `println!` it returns a closed pipe as an error
/// (`clearinghouse scan … | head`), which `exit::report` turns into a quiet success.
pub fn line(text: impl std::fmt::Display) -> anyhow::Result<()> {
    use std::io::Write;
    writeln!(std::io::stdout().lock(), "{text}")?;
    Ok(())
}
