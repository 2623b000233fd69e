//! `scancase evaluate`: runs the analysis over a labelled corpus and prints what it found
//! against the labels, as a Markdown table with totals.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use scancase::analysis::Parameters;
use scancase::evaluation;

/// Arguments of `scancase evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Labels file: a JSON array with `file`, `kind`, `technique`, `attacker` and optionally
    /// `fwlog`, `start` and `psad` per capture; paths are relative to its folder.
    #[arg(value_name = "LABELS")]
    pub labels: PathBuf,
    /// Also write the table to this Markdown file.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
}

/// Runs the evaluation and prints the table.
pub fn run(args: EvaluateArgs) -> Result<()> {
    let parameters = Parameters::default();
    let results = evaluation::evaluate(&args.labels, &parameters)?;
    let table = evaluation::to_markdown(&results, &parameters);
    std::io::stdout().lock().write_all(table.as_bytes())?;
    if let Some(path) = &args.markdown {
        std::fs::write(path, &table).with_context(|| format!("could not write {}", path.display()))?;
    }
    Ok(())
}
