//! Screenshots and statements attached to the report, stored in the case file.
//!
//! An attachment is read whole, checked, hashed and stored in one transaction with its
//! name, kind, media type, SHA-256 and who attached it, so a rejected file leaves nothing
//! in the case. A screenshot must be a PNG or JPEG image that decodes (with the decoder the
//! PDF uses); a statement must be UTF-8 text. The same content cannot be attached twice.

use std::path::Path;

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use super::revisions;
use super::withdrawals::{self, WithdrawableKind};
use super::{audit, now_ns, sqlite_error, Case, CaseError};
use crate::report::{Attachment, AttachmentKind};

/// Maximum size of a screenshot in bytes (16 MiB). The limit is an estimate of what a
/// full-screen PNG needs; the case file stores every attachment, so it grows by as much.
pub const MAX_SCREENSHOT_BYTES: u64 = 16 * 1024 * 1024;

/// Maximum size of a statement in bytes (1 MiB): several hundred pages of text.
pub const MAX_STATEMENT_BYTES: u64 = 1024 * 1024;

/// Maximum width or height of a screenshot in pixels. The PDF draws it at most 482 points
/// wide, so larger images only grow the case and the PDF.
pub const MAX_SCREENSHOT_SIDE_PX: usize = 10_000;

/// The PNG file signature (PNG specification, section 5.2).
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The JPEG start-of-image marker followed by the first marker's prefix.
const JPEG_SIGNATURE: &[u8] = b"\xFF\xD8\xFF";

/// An attachment as the examiner gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment<'a> {
    /// File to read.
    pub file: &'a Path,
    /// Screenshot or statement.
    pub kind: AttachmentKind,
    /// Short description, if any.
    pub description: Option<&'a str>,
}

impl Case {
    /// Reads the attachments not withdrawn, in the order attached, with their content.
    pub fn report_attachments(&self) -> Result<Vec<Attachment>, CaseError> {
        let fail = |source| self.sqlite("could not read the attachments", source);
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT id, kind, name, media_type, sha256, size_bytes, description, added_by, added_at_ns, content
                 FROM report_attachment WHERE {} ORDER BY id",
                withdrawals::not_withdrawn(WithdrawableKind::Attachment)
            ))
            .map_err(fail)?;
        let rows = statement
            .query_map([], |row| {
                let kind: String = row.get(1)?;
                // The schema's CHECK admits only the two kinds.
                let kind = AttachmentKind::parse(&kind).unwrap_or(AttachmentKind::Statement);
                let content: Vec<u8> = row.get(9)?;
                let (text, image) = match kind {
                    AttachmentKind::Statement => (Some(String::from_utf8_lossy(&content).into_owned()), None),
                    AttachmentKind::Screenshot => (None, Some(content)),
                };
                Ok(Attachment {
                    id: row.get(0)?,
                    kind,
                    name: row.get(2)?,
                    media_type: row.get(3)?,
                    sha256: row.get(4)?,
                    size_bytes: row.get::<_, i64>(5)? as u64,
                    description: row.get(6)?,
                    added_by: row.get(7)?,
                    added_at_ns: row.get(8)?,
                    text,
                    image,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }

    /// Checks and stores an attachment; returns its row id.
    pub fn add_report_attachment(&mut self, new: &NewAttachment<'_>, actor: Option<&str>) -> Result<i64, CaseError> {
        let path = self.path.clone();
        let (content, media_type) = read_attachment(&path, new)?;
        let sha256 = audit::hex_lower(&Sha256::digest(&content));
        let name = new
            .file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| new.file.display().to_string());
        let tx = self.transaction("could not start storing the attachment")?;
        let earlier: Option<(i64, String)> = tx
            .query_row("SELECT id, name FROM report_attachment WHERE sha256 = ?1", [&sha256], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()
            .map_err(|source| sqlite_error(&path, "could not look up attachments", source))?;
        if let Some((id, earlier_name)) = earlier {
            let withdrawn: bool = tx
                .query_row(
                    "SELECT count(*) > 0 FROM report_withdrawal WHERE item_kind = 'attachment' AND item_id = ?1",
                    [id],
                    |row| row.get(0),
                )
                .map_err(|source| sqlite_error(&path, "could not look up withdrawals", source))?;
            // NOTE: the SHA-256 column is UNIQUE, so withdrawn content cannot be attached again.
            let state = if withdrawn { "was attached and withdrawn" } else { "is attached already" };
            return Err(invalid(
                &path,
                new.file,
                format!("the same content (SHA-256 {sha256}) {state} as A{id} ({earlier_name})"),
            ));
        }
        let reason = format!("{} {name} attached after approval", new.kind.as_str());
        let revision = revisions::revision_for_change(&tx, &path, actor, "change", &reason)?;
        let description = new.description.map(str::trim).filter(|text| !text.is_empty());
        tx.execute(
            "INSERT INTO report_attachment
                (kind, name, media_type, sha256, size_bytes, content, description, added_by, added_at_ns, revision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                new.kind.as_str(),
                name,
                media_type,
                sha256,
                content.len() as i64,
                content,
                description,
                actor,
                now_ns(),
                revision
            ],
        )
        .map_err(|source| sqlite_error(&path, "could not store the attachment", source))?;
        let id = tx.last_insert_rowid();
        let details = serde_json::json!({
            "attachment_id": id,
            "kind": new.kind.as_str(),
            "name": name,
            "sha256": sha256,
            "size_bytes": content.len(),
            "revision": revision,
        });
        audit::append(&tx, &path, actor, "report_attachment_added", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the attachment", source))?;
        Ok(id)
    }
}

fn invalid(case: &Path, file: &Path, problem: String) -> CaseError {
    CaseError::InvalidReportInput {
        path: case.to_path_buf(),
        subject: format!("attachment {}", file.display()),
        problem,
    }
}

/// Reads and checks an attachment's file; returns its content and media type.
fn read_attachment(case: &Path, new: &NewAttachment<'_>) -> Result<(Vec<u8>, &'static str), CaseError> {
    let file = new.file;
    let metadata = std::fs::metadata(file).map_err(|error| invalid(case, file, format!("cannot be read: {error}")))?;
    if !metadata.is_file() {
        return Err(invalid(case, file, "is not a regular file".to_string()));
    }
    let limit = match new.kind {
        AttachmentKind::Screenshot => MAX_SCREENSHOT_BYTES,
        AttachmentKind::Statement => MAX_STATEMENT_BYTES,
    };
    if metadata.len() > limit {
        return Err(invalid(
            case,
            file,
            format!("is {} bytes, more than the {limit} bytes allowed for a {}", metadata.len(), new.kind.as_str()),
        ));
    }
    let content = std::fs::read(file).map_err(|error| invalid(case, file, format!("cannot be read: {error}")))?;
    if content.is_empty() {
        return Err(invalid(case, file, "is empty".to_string()));
    }
    let media_type = match new.kind {
        AttachmentKind::Screenshot => check_image(&content).map_err(|problem| invalid(case, file, problem))?,
        AttachmentKind::Statement => {
            let text = std::str::from_utf8(&content).map_err(|error| {
                invalid(case, file, format!("is not UTF-8 text (invalid byte at offset {})", error.valid_up_to()))
            })?;
            if text.contains('\0') {
                return Err(invalid(case, file, "contains NUL bytes, so it is not a text file".to_string()));
            }
            if text.trim().is_empty() {
                return Err(invalid(case, file, "contains only white space".to_string()));
            }
            "text/plain"
        }
    };
    Ok((content, media_type))
}

/// Checks that the bytes are a PNG or JPEG image that decodes, and returns its media type.
fn check_image(content: &[u8]) -> Result<&'static str, String> {
    let media_type = if content.starts_with(PNG_SIGNATURE) {
        "image/png"
    } else if content.starts_with(JPEG_SIGNATURE) {
        "image/jpeg"
    } else {
        return Err("is not a PNG or JPEG image (its first bytes match neither signature)".to_string());
    };
    let mut warnings = Vec::new();
    let image = printpdf::RawImage::decode_from_bytes(content, &mut warnings)
        .map_err(|error| format!("starts like {media_type} but does not decode: {error}"))?;
    if image.width > MAX_SCREENSHOT_SIDE_PX || image.height > MAX_SCREENSHOT_SIDE_PX {
        return Err(format!(
            "is {} by {} pixels, more than {MAX_SCREENSHOT_SIDE_PX} on a side; scale it down",
            image.width, image.height
        ));
    }
    Ok(media_type)
}
