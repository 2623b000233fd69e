//! The integrity subcommands: `verify` (re-hash evidence), `audit` (print and check the audit
//! log) and `custody` (record a chain-of-custody entry). Paths, names and audit details are
//! printed through `escape_invisible`, because they can quote evidence file names.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use scancase::case::{now_ns, PathRemap};
use scancase::model::{format_rfc3339, CustodyEntry, VerificationStatus};
use scancase::text_escape::escape_invisible;

use super::options::CasePath;

/// Arguments of `scancase verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// Look for evidence recorded under OLD at NEW instead, for files that moved since import
    /// (for example `--path /media/usb=/mnt/evidence`); may be repeated.
    #[arg(long = "path", value_name = "OLD=NEW", value_parser = parse_remap)]
    pub remaps: Vec<PathRemap>,
}

/// Arguments of `scancase audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// Check the hash chain and fail when an entry does not match.
    #[arg(long)]
    pub verify: bool,
}

/// Arguments of `scancase custody`.
#[derive(Debug, Args)]
pub struct CustodyArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// Evidence id, as `E1` or `1` (see the report's evidence list).
    #[arg(value_name = "EVIDENCE", value_parser = parse_evidence_id)]
    pub evidence: i64,
    /// Person who acquired or received the evidence.
    #[arg(long, value_name = "NAME")]
    pub acquired_by: Option<String>,
    /// When it was acquired or handed over, as free text (for example 2026-12-04 09:30 CET).
    #[arg(long, value_name = "TIME")]
    pub acquired_at: Option<String>,
    /// System or device the evidence came from.
    #[arg(long, value_name = "SYSTEM")]
    pub source_system: Option<String>,
    /// Acquisition or transfer method.
    #[arg(long, value_name = "TEXT")]
    pub method: Option<String>,
    /// Storage place of the original.
    #[arg(long, value_name = "TEXT")]
    pub storage: Option<String>,
    /// Further notes.
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

fn parse_remap(text: &str) -> Result<PathRemap, String> {
    let (old, new) = text.split_once('=').ok_or_else(|| format!("invalid --path '{text}'; expected OLD=NEW"))?;
    if old.is_empty() || new.is_empty() {
        return Err(format!("invalid --path '{text}'; both OLD and NEW must be given"));
    }
    Ok(PathRemap { old: PathBuf::from(old), new: PathBuf::from(new) })
}

fn parse_evidence_id(text: &str) -> Result<i64, String> {
    let digits = text.strip_prefix('E').or_else(|| text.strip_prefix('e')).unwrap_or(text);
    digits.parse::<i64>().map_err(|_| format!("invalid evidence id '{text}'; expected E1, E2, ... or 1, 2, ..."))
}

/// Re-hashes every evidence file and prints one line per file; fails when any does not match.
pub fn verify(args: VerifyArgs) -> Result<()> {
    let mut case = args.case.open()?;
    let actor = case.actor();
    let checks = case.verify_evidence(&args.remaps, actor.as_deref())?;
    let mut stdout = std::io::stdout().lock();
    let mut failed = 0;
    for check in &checks {
        let status = check.verification.status;
        if status != VerificationStatus::Match {
            failed += 1;
        }
        writeln!(
            stdout,
            "E{}  {}  {}  sha256 {}",
            check.evidence_id,
            status.as_str(),
            escape_invisible(&check.verification.path_checked),
            check.recorded_sha256
        )?;
    }
    if checks.is_empty() {
        writeln!(stdout, "The case holds no evidence.")?;
    }
    if failed > 0 {
        bail!("{failed} of {} evidence files did not match their import hash", checks.len());
    }
    Ok(())
}

/// Prints the audit log; with `--verify`, fails when the hash chain is broken.
pub fn audit(args: AuditArgs) -> Result<()> {
    let case = args.case.open()?;
    let log = case.audit_log()?;
    let mut stdout = std::io::stdout().lock();
    for entry in &log.entries {
        writeln!(
            stdout,
            "{}  {}  {}  {}  {}",
            entry.id,
            format_rfc3339(entry.at_ns),
            escape_invisible(entry.actor.as_deref().unwrap_or("-")),
            entry.action,
            escape_invisible(&entry.details_json)
        )?;
    }
    if args.verify {
        match log.first_mismatch {
            None => log::info!("audit log verified: {} entries, hash chain intact", log.entries.len()),
            Some(id) => bail!(
                "audit log of {} does not verify: entry {id} does not match the hash chain (it or an earlier entry was changed)",
                args.case.case.display()
            ),
        }
    }
    Ok(())
}

/// Records a chain-of-custody entry for one evidence file.
pub fn custody(args: CustodyArgs) -> Result<()> {
    let mut case = args.case.open()?;
    let entry = CustodyEntry {
        acquired_by: args.acquired_by,
        acquired_at: args.acquired_at,
        source_system: args.source_system,
        method: args.method,
        storage: args.storage,
        notes: args.notes,
        recorded_by: case.actor(),
        recorded_at_ns: now_ns(),
    };
    let fields =
        [&entry.acquired_by, &entry.acquired_at, &entry.source_system, &entry.method, &entry.storage, &entry.notes];
    if fields.iter().all(|field| field.is_none()) {
        bail!("give at least one of --acquired-by, --acquired-at, --source-system, --method, --storage or --notes");
    }
    case.add_custody(args.evidence, &entry).context("could not record the custody entry")?;
    log::info!("recorded a custody entry for evidence E{}", args.evidence);
    Ok(())
}
