//! Document metadata and serialization of the PDF, made reproducible.
//!
//! The creation and modification dates and the document ID are the only parts of the file
//! that would differ between two renders of the same report. [`creation_time`] takes the
//! time from `SOURCE_DATE_EPOCH` when it is set, following the reproducible-builds
//! convention (<https://reproducible-builds.org/specs/source-date-epoch/>), and the ID is a
//! hash of the report and that time. printpdf 0.12 writes a pseudo-random trailer ID, so
//! [`save`] replaces it before writing the bytes.

use std::ffi::OsStr;

use chrono::{Datelike, Timelike};
use printpdf::{ImageCompression, ImageOptimizationOptions, PdfDocument, PdfSaveOptions, PdfWarnMsg};
use sha2::{Digest, Sha256};

use super::{Report, ReportError};

/// Name of the environment variable that fixes the export time.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// The time written as the PDF's creation and modification date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreationTime {
    /// Seconds since the Unix epoch, UTC.
    pub epoch_seconds: i64,
}

/// Returns the export time: `SOURCE_DATE_EPOCH` when it is set and not empty, else now.
///
/// This is the only place that reads the variable. A value that is not whole seconds
/// since the epoch (or lies outside the calendar range) is rejected, as the convention
/// requires, instead of being replaced by the current time.
pub fn creation_time() -> Result<CreationTime, ReportError> {
    let variable = std::env::var_os(SOURCE_DATE_EPOCH);
    match parse_source_date_epoch(variable.as_deref())? {
        Some(fixed) => Ok(fixed),
        None => Ok(CreationTime { epoch_seconds: chrono::Utc::now().timestamp() }),
    }
}

/// Parses a `SOURCE_DATE_EPOCH` value; `None` or an empty value means the variable is unset.
pub fn parse_source_date_epoch(value: Option<&OsStr>) -> Result<Option<CreationTime>, ReportError> {
    let Some(raw) = value else {
        return Ok(None);
    };
    let text = raw.to_string_lossy();
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let invalid = || ReportError::SourceDateEpoch { value: text.to_string() };
    let epoch_seconds: i64 = trimmed.parse().map_err(|_| invalid())?;
    if epoch_seconds < 0 || chrono::DateTime::from_timestamp(epoch_seconds, 0).is_none() {
        return Err(invalid());
    }
    Ok(Some(CreationTime { epoch_seconds }))
}

/// Sets the document information and writes the PDF with a document ID derived from the
/// report and the creation time.
pub fn save(doc: &mut PdfDocument, report: &Report, created: CreationTime) -> Result<Vec<u8>, ReportError> {
    let date = pdf_date(created);
    let document_id = document_id(report, created);
    let info = &mut doc.metadata.info;
    info.creation_date = date;
    info.modification_date = date;
    info.metadata_date = date;
    info.document_title = report.title.clone();
    info.author = report.examiner.clone().unwrap_or_default();
    info.creator = format!("scancase {}", report.tool_version);
    info.producer = format!("scancase {} with printpdf 0.12", report.tool_version);
    info.subject = format!("Incident report of case {}", report.case_name);
    info.identifier = document_id.clone();

    // Screenshots are evidence the examiner attached, so they are stored losslessly at
    // their own size; printpdf's default re-encodes large images as downscaled JPEG.
    let options = PdfSaveOptions {
        image_optimization: Some(ImageOptimizationOptions {
            quality: None,
            max_image_size: None,
            dither_greyscale: None,
            convert_to_greyscale: Some(false),
            auto_optimize: Some(false),
            format: Some(ImageCompression::Flate),
        }),
        ..PdfSaveOptions::default()
    };
    let mut warnings: Vec<PdfWarnMsg> = Vec::new();
    let mut lopdf_doc = doc.to_lopdf_document(&options, &mut warnings);
    let errors: Vec<String> = warnings
        .iter()
        .filter(|warning| matches!(warning.severity, printpdf::PdfParseErrorSeverity::Error))
        .map(|warning| warning.msg.clone())
        .collect();
    if !errors.is_empty() {
        return Err(ReportError::PdfWrite { details: errors.join("; ") });
    }

    // The trailer ID is an array of two byte strings (ISO 32000-1, 14.4): the permanent ID
    // and the ID of this version. Both are set to the derived ID.
    if let Ok(ids) = lopdf_doc.trailer.get_mut(b"ID").and_then(|id| id.as_array_mut()) {
        for id in ids.iter_mut() {
            if let Ok(bytes) = id.as_str_mut() {
                *bytes = document_id.clone().into_bytes();
            }
        }
    }
    if options.optimize {
        lopdf_doc.compress();
    }
    let mut bytes = Vec::new();
    lopdf_doc
        .save_to(&mut bytes)
        .map_err(|error| ReportError::PdfWrite { details: format!("serializing the document failed: {error}") })?;
    Ok(bytes)
}

/// Returns 32 hex digits of the SHA-256 of the report's JSON and the creation time.
fn document_id(report: &Report, created: CreationTime) -> String {
    let mut hasher = Sha256::new();
    // serde_json fails only on maps with non-string keys, and a Report has no maps. Even an
    // empty input would give a stable ID.
    hasher.update(serde_json::to_vec(report).unwrap_or_default());
    hasher.update(created.epoch_seconds.to_be_bytes());
    crate::case::hex_lower(&hasher.finalize()[..16])
}

/// Converts the creation time to printpdf's date type (UTC, whole seconds).
fn pdf_date(created: CreationTime) -> printpdf::OffsetDateTime {
    let time = chrono::DateTime::from_timestamp(created.epoch_seconds, 0).unwrap_or_default();
    printpdf::OffsetDateTime::new_in_offset(
        printpdf::Date { year: time.year(), month: time.month() as u8, day: time.day() as u8 },
        printpdf::Time {
            hour: time.hour() as u8,
            minute: time.minute() as u8,
            second: time.second() as u8,
            millisecond: 0,
        },
        printpdf::Offset { hours: 0, minutes: 0, seconds: 0, milliseconds: 0 },
    )
}
