//! `scancase report SUBCOMMAND`: showing the drafted report and assembling it (section
//! texts, the findings covered, response events, attachments, withdrawals of events and
//! attachments). `scancase report CASE
//! --format ...`, the export, is in `case_commands`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use scancase::case::{NewAttachment, NewTimelineEvent, WithdrawableKind};
use scancase::model::format_rfc3339;
use scancase::report::{self, AttachmentKind, EventPhase, SectionKind};
use scancase::text_escape::escape_invisible;
use scancase::workflow;

use super::options::CasePath;

/// Subcommands of `scancase report`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Print the drafted report, or one section, as Markdown.
    Show(ShowArgs),
    /// Store the examiner's Markdown for a narrative section, replacing its drafted text.
    Edit(SectionEditArgs),
    /// Keep the examiner's text of a section after its drafted text changed (a conflict).
    Confirm(SectionArg),
    /// Choose the findings the report covers, or list them with what the report covers.
    Findings(FindingsChoiceArgs),
    /// Add a response event (containment, eradication, recovery, notification).
    Event(EventArgs),
    /// Attach a screenshot (PNG or JPEG) or a statement (UTF-8 text) to the report.
    Attach(AttachArgs),
    /// List the response events and attachments with their IDs, withdrawn ones last.
    Items(ItemsArgs),
    /// Withdraw a response event or an attachment from the report; the case keeps it.
    Withdraw(WithdrawArgs),
}

/// Arguments of `scancase report items`.
#[derive(Debug, Args)]
pub struct ItemsArgs {
    #[command(flatten)]
    pub case: CasePath,
}

/// Arguments of `scancase report withdraw`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("item").required(true).args(["event", "attachment"])))]
pub struct WithdrawArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// ID of the response event, for example E2 or 2 (see `scancase report items`).
    #[arg(long, value_name = "ID", value_parser = parse_event_id)]
    pub event: Option<i64>,
    /// ID of the attachment, for example A1 or 1.
    #[arg(long, value_name = "ID", value_parser = parse_attachment_id)]
    pub attachment: Option<i64>,
    /// Reason for withdrawing the item, kept in the case and the audit log.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Name of the person withdrawing it; by default the case's examiner or the login name.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

/// Arguments of `scancase report show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// Only this section: its ID (for example executive_summary) or number (1 to 8).
    #[arg(long, value_name = "ID", value_parser = parse_section)]
    pub section: Option<SectionKind>,
    /// Show the drafted text, without the examiner's section texts.
    #[arg(long)]
    pub drafted: bool,
}

/// Arguments of `scancase report edit`.
#[derive(Debug, Args)]
pub struct SectionEditArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// Narrative section: executive_summary, response_actions, impact_assessment or
    /// lessons_learned (or its number).
    #[arg(long, value_name = "ID", value_parser = parse_section)]
    pub section: SectionKind,
    /// UTF-8 Markdown file with the section's text.
    #[arg(long, value_name = "FILE", required_unless_present = "text", conflicts_with = "text")]
    pub file: Option<PathBuf>,
    /// The section's text as Markdown.
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
}

/// A subcommand that takes a case and a section.
#[derive(Debug, Args)]
pub struct SectionArg {
    #[command(flatten)]
    pub case: CasePath,
    /// Section ID or number.
    #[arg(long, value_name = "ID", value_parser = parse_section)]
    pub section: SectionKind,
}

/// Arguments of `scancase report findings`.
#[derive(Debug, Args)]
pub struct FindingsChoiceArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// IDs of the findings the report covers, for example F-1 F-3; without IDs the
    /// findings are listed.
    #[arg(value_name = "FINDING", conflicts_with = "default")]
    pub findings: Vec<String>,
    /// Return to the default: every finding that is not suppressed.
    #[arg(long)]
    pub default: bool,
}

/// Arguments of `scancase report event`.
#[derive(Debug, Args)]
pub struct EventArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// Response phase.
    #[arg(long, value_enum)]
    pub phase: PhaseArg,
    /// When it happened: RFC 3339 with an offset, for example 2026-12-04T21:05:00+01:00.
    #[arg(long, value_name = "TIME")]
    pub at: String,
    /// Person or team who acted, for example "NOC on-call".
    #[arg(long, value_name = "NAME")]
    pub actor: String,
    /// Description of the action.
    #[arg(long, value_name = "TEXT")]
    pub description: String,
}

/// Response phases on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PhaseArg {
    /// Stopping the activity.
    Containment,
    /// Removing the cause.
    Eradication,
    /// Returning systems to normal operation.
    Recovery,
    /// Informing others.
    Notification,
}

/// Arguments of `scancase report attach`.
#[derive(Debug, Args)]
pub struct AttachArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// File to attach.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// screenshot (PNG or JPEG, at most 16 MiB) or statement (UTF-8 text, at most 1 MiB).
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// Short description shown with the attachment.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
}

/// Attachment kinds on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// A PNG or JPEG image.
    Screenshot,
    /// A UTF-8 text.
    Statement,
}

fn parse_event_id(text: &str) -> Result<i64, String> {
    parse_item_id(text, 'E')
}

fn parse_attachment_id(text: &str) -> Result<i64, String> {
    parse_item_id(text, 'A')
}

/// Parses an item ID with or without its letter, for example `A3` or `3`.
fn parse_item_id(text: &str, prefix: char) -> Result<i64, String> {
    let trimmed = text.trim();
    let digits =
        trimmed.strip_prefix(prefix).or_else(|| trimmed.strip_prefix(prefix.to_ascii_lowercase())).unwrap_or(trimmed);
    digits
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| format!("invalid ID '{text}'; give {prefix} and a number, for example {prefix}1"))
}

fn parse_section(text: &str) -> Result<SectionKind, String> {
    SectionKind::from_id(text).ok_or_else(|| {
        let ids: Vec<&str> = SectionKind::ALL.iter().map(|kind| kind.id()).collect();
        format!("unknown section '{text}'; give a number from 1 to 8 or one of {}", ids.join(", "))
    })
}

/// Runs a `scancase report` subcommand.
pub fn run(command: ReportCommand) -> Result<()> {
    match command {
        ReportCommand::Show(args) => show(args),
        ReportCommand::Edit(args) => edit(args),
        ReportCommand::Confirm(args) => confirm(args),
        ReportCommand::Findings(args) => findings(args),
        ReportCommand::Event(args) => event(args),
        ReportCommand::Attach(args) => attach(args),
        ReportCommand::Items(args) => items(args),
        ReportCommand::Withdraw(args) => withdraw(args),
    }
}

fn show(args: ShowArgs) -> Result<()> {
    let mut case = args.case.open()?;
    let examiner = case.actor();
    let drafted = workflow::prepare_report(&mut case, examiner.as_deref())?;
    let mut report = drafted.report;
    if args.drafted {
        report.sections = drafted.drafted_sections;
    }
    let text = match args.section {
        Some(kind) => report::section_to_markdown(&report, kind),
        None => report::to_markdown(&report),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).context("could not write the report to stdout")?;
    Ok(())
}

fn edit(args: SectionEditArgs) -> Result<()> {
    let mut case = args.case.open()?;
    let examiner = case.actor();
    let markdown = match (args.text, &args.file) {
        (Some(text), None) => text,
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("could not read the section text from {} (it must be UTF-8)", path.display()))?,
        _ => bail!("give the section's text with --file FILE or --text TEXT"),
    };
    if markdown.trim().is_empty() {
        bail!("the text for section {} is empty; give the section's new text", args.section.id());
    }
    workflow::set_section_text(&mut case, args.section, &markdown, examiner.as_deref())
        .with_context(|| format!("could not store the text of section {}", args.section.id()))?;
    log::info!("stored a new revision of the text of section {}", args.section.id());
    Ok(())
}

fn confirm(args: SectionArg) -> Result<()> {
    let mut case = args.case.open()?;
    let examiner = case.actor();
    workflow::confirm_section_text(&mut case, args.section, examiner.as_deref())
        .with_context(|| format!("could not confirm the text of section {}", args.section.id()))?;
    log::info!("confirmed the examiner's text of section {}", args.section.id());
    Ok(())
}

fn findings(args: FindingsChoiceArgs) -> Result<()> {
    let mut case = args.case.open()?;
    let examiner = case.actor();
    if args.default || !args.findings.is_empty() {
        let ids = (!args.default).then_some(args.findings.as_slice());
        workflow::choose_report_findings(&mut case, ids, examiner.as_deref())
            .context("could not choose the report's findings")?;
        log::info!(
            "the report covers {}",
            if args.default { "every finding not suppressed".to_string() } else { args.findings.join(", ") }
        );
        return Ok(());
    }
    let drafted = workflow::prepare_report_to_edit(&mut case, examiner.as_deref())?;
    let mut stdout = std::io::stdout().lock();
    for finding in &drafted.input.findings {
        writeln!(stdout, "{}\tcovered", escape_invisible(&finding.id))?;
    }
    for excluded in &drafted.input.excluded_findings {
        writeln!(stdout, "{}\tleft out\t{}", escape_invisible(&excluded.id), escape_invisible(&excluded.reason))?;
    }
    for id in &drafted.missing_findings {
        writeln!(stdout, "{}\tmissing\tchosen but not in the latest analysis", escape_invisible(id))?;
    }
    Ok(())
}

fn event(args: EventArgs) -> Result<()> {
    let mut case = args.case.open()?;
    let examiner = case.actor();
    let phase = match args.phase {
        PhaseArg::Containment => EventPhase::Containment,
        PhaseArg::Eradication => EventPhase::Eradication,
        PhaseArg::Recovery => EventPhase::Recovery,
        PhaseArg::Notification => EventPhase::Notification,
    };
    let event = NewTimelineEvent { phase, at_text: args.at, actor: args.actor, description: args.description };
    let id = case.add_report_event(&event, examiner.as_deref())?;
    log::info!("added {} event {id}", phase.as_str());
    Ok(())
}

fn attach(args: AttachArgs) -> Result<()> {
    let mut case = args.case.open()?;
    let examiner = case.actor();
    let kind = match args.kind {
        KindArg::Screenshot => AttachmentKind::Screenshot,
        KindArg::Statement => AttachmentKind::Statement,
    };
    let new = NewAttachment { file: &args.file, kind, description: args.description.as_deref() };
    let id = case.add_report_attachment(&new, examiner.as_deref())?;
    log::info!("attached {} as A{id}", args.file.display());
    Ok(())
}

fn items(args: ItemsArgs) -> Result<()> {
    let case = args.case.open()?;
    let mut stdout = std::io::stdout().lock();
    for event in case.report_events()? {
        let text = format!("{} {}: {}: {}", event.phase.as_str(), event.at_text, event.actor, event.description);
        writeln!(stdout, "E{}\tevent\tin report\t{}", event.id, escape_invisible(&text))?;
    }
    for attachment in case.report_attachments()? {
        let text = format!("{} {}", attachment.kind.as_str(), attachment.name);
        writeln!(stdout, "A{}\tattachment\tin report\t{}", attachment.id, escape_invisible(&text))?;
    }
    for withdrawal in case.report_withdrawals()? {
        let by = withdrawal.withdrawn_by.as_deref().map(|name| format!(" by {name}")).unwrap_or_default();
        let when = format!("withdrawn {}{by}: {}", format_rfc3339(withdrawal.withdrawn_at_ns), withdrawal.reason);
        writeln!(
            stdout,
            "{}{}\t{}\twithdrawn\t{}\t{}",
            withdrawal.kind.prefix(),
            withdrawal.item_id,
            withdrawal.kind.as_str(),
            escape_invisible(&withdrawal.item_label),
            escape_invisible(&when)
        )?;
    }
    Ok(())
}

fn withdraw(args: WithdrawArgs) -> Result<()> {
    let mut case = args.case.open()?;
    let by = args.by.or_else(|| case.actor());
    let (kind, id) = match (args.event, args.attachment) {
        (Some(id), None) => (WithdrawableKind::Event, id),
        (None, Some(id)) => (WithdrawableKind::Attachment, id),
        _ => bail!("give either --event ID or --attachment ID"),
    };
    case.withdraw_report_item(kind, id, &args.reason, by.as_deref())?;
    log::info!("withdrew {} {}{id} from the report", kind.as_str(), kind.prefix());
    Ok(())
}
