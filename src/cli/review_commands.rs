//! `scancase edit` and `scancase review`: the examiner's report entries and the review.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};

use super::options::CasePath;
use scancase::case::{Case, ReviewAction};
use scancase::model::format_rfc3339;
use scancase::text_escape::escape_invisible;
use scancase::workflow;

/// Arguments of `scancase edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// Key of the examiner entry, for example detection.root_cause; without it the entries
    /// are listed with their state.
    #[arg(value_name = "KEY")]
    pub key: Option<String>,
    /// The text to enter.
    #[arg(long, value_name = "TEXT", conflicts_with = "file")]
    pub text: Option<String>,
    /// Read the text from a UTF-8 file; the report prints it as written.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// Arguments of `scancase review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// The step: submit a draft, approve a submitted report, or reopen it; `history` lists
    /// the revisions and review steps.
    #[arg(value_name = "STEP")]
    pub step: StepArg,
    /// Name of the reviewer; by default the case's examiner or the login name.
    #[arg(long, visible_alias = "by", value_name = "NAME")]
    pub reviewer: Option<String>,
    /// A note kept with the step, for example what was checked.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// Review steps on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StepArg {
    /// Hand the draft to a reviewer.
    Submit,
    /// Approve a submitted report; every examiner entry must be filled.
    Approve,
    /// Return a submitted report to draft, or start a new revision of an approved one.
    Reopen,
    /// List the report's revisions and review steps.
    History,
}

/// Runs `scancase edit`.
pub fn edit(args: EditArgs) -> Result<()> {
    let mut case = args.case.open()?;
    let examiner = case.actor();
    let Some(key) = args.key else {
        let drafted = workflow::prepare_report_to_edit(&mut case, examiner.as_deref())?;
        for entry in drafted.report.examiner_entries() {
            let state = if entry.value.as_deref().is_some_and(|v| !v.trim().is_empty()) { "filled" } else { "empty" };
            println!("{}\t{state}\t{}", entry.key, escape_invisible(&entry.label));
        }
        return Ok(());
    };
    let text = match (args.text, args.file) {
        (Some(text), None) => text,
        (None, Some(path)) => std::fs::read_to_string(&path)
            .with_context(|| format!("could not read the entry text from {}", path.display()))?,
        _ => bail!("give the entry's text with --text TEXT or --file FILE"),
    };
    if text.trim().is_empty() {
        bail!("the text for {key} is empty; an entry keeps its last text, so give the new text");
    }
    workflow::set_examiner_entry(&mut case, &key, &text, examiner.as_deref())
        .with_context(|| format!("could not store the entry {key}"))?;
    log::info!("stored a new revision of {key}");
    Ok(())
}

/// Runs `scancase review`.
pub fn review(args: ReviewArgs) -> Result<()> {
    let mut case = args.case.open()?;
    let action = match args.step {
        StepArg::Submit => ReviewAction::Submit,
        StepArg::Approve => ReviewAction::Approve,
        StepArg::Reopen => ReviewAction::Reopen,
        StepArg::History => return history(&case),
    };
    let reviewer = args.reviewer.or_else(|| case.actor());
    let status = workflow::review_report(&mut case, action, reviewer.as_deref(), args.note.as_deref())
        .with_context(|| format!("could not {} the report", action.verb()))?;
    log::info!("report state: {}", status.label());
    Ok(())
}

/// Prints each revision with its state and approval, then its review steps.
fn history(case: &Case) -> Result<()> {
    use std::io::Write;
    let revisions = case.report_revisions()?;
    let steps = case.review_history()?;
    let mut stdout = std::io::stdout().lock();
    for revision in &revisions {
        let started = match revision.started_at_ns {
            Some(at_ns) => format!("started {}", format_rfc3339(at_ns)),
            None => "started with the case".to_string(),
        };
        let by = revision.started_by.as_deref().map(|name| format!(" by {name}")).unwrap_or_default();
        writeln!(
            stdout,
            "revision {}\t{}\t{started}{by}\t{}",
            revision.number,
            revision.state.as_str(),
            escape_invisible(&revision.reason)
        )?;
        if let (Some(at_ns), Some(sha256)) = (revision.approved_at_ns, &revision.approved_sha256) {
            let by = revision.approved_by.as_deref().map(|name| format!(" by {name}")).unwrap_or_default();
            writeln!(stdout, "  approved {}{}\treport sha256 {sha256}", format_rfc3339(at_ns), escape_invisible(&by))?;
        }
        for step in steps.iter().filter(|step| step.revision == revision.number) {
            let by = step.actor.as_deref().map(|name| format!(" by {name}")).unwrap_or_default();
            let note = step.note.as_deref().map(|note| format!("\t{note}")).unwrap_or_default();
            writeln!(
                stdout,
                "  {} {}{}",
                step.action,
                format_rfc3339(step.at_ns),
                escape_invisible(&format!("{by}{note}"))
            )?;
        }
    }
    Ok(())
}
