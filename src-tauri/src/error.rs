//! The error every command returns, and its shape on the front end.
//!
//! A command fails with a [`CommandError`], which keeps the library error as its source. It
//! crosses IPC as `{kind, message, context}`: `kind` is a stable camelCase word the UI can
//! branch on, `message` is the error with all its causes joined by ": ", and `context` contains
//! the values the error names (for example the path of the file).

use std::collections::BTreeMap;
use std::error::Error as _;
use std::path::Path;

use scancase::case::CaseError;
use scancase::import::ImportError;
use scancase::workflow::WorkflowError;
use serde::{Serialize, Serializer};
use ts_rs::TS;

/// An error returned by a command.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The command needs an open case and none is open.
    #[error("no case is open; create a case or open one first")]
    NoCaseOpen,
    /// A request value is invalid.
    #[error("invalid {field}: {problem}")]
    InvalidInput {
        /// Name of the request field, as the UI labels it.
        field: &'static str,
        /// The problem, with the value to enter instead.
        problem: String,
    },
    /// The case file could not be created, opened, read or written.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// An evidence file was rejected; nothing of it was written to the case.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Drafting or exporting the report failed.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// The background task or a lock failed; the case file itself is unchanged.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CommandError {
    /// Returns the stable word the UI branches on.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NoCaseOpen => "noCaseOpen",
            Self::InvalidInput { .. } => "invalidInput",
            Self::Case(CaseError::ReadOnly { .. }) => "readOnly",
            Self::Case(CaseError::InvalidSetting { .. }) => "invalidInput",
            Self::Case(CaseError::Cancelled { .. })
            | Self::Workflow(WorkflowError::Case(CaseError::Cancelled { .. })) => "cancelled",
            Self::Case(_) => "case",
            Self::Import(ImportError::Cancelled { .. }) => "importCancelled",
            Self::Import(_) => "import",
            Self::Workflow(WorkflowError::NotAnalyzed { .. }) => "notAnalyzed",
            Self::Workflow(_) => "report",
            Self::Internal(_) => "internal",
        }
    }

    /// Returns the error and its causes as one line.
    pub fn full_message(&self) -> String {
        let mut message = self.to_string();
        // A transparent variant forwards `source` to the library error's own source, so the
        // chain starts below the message already written.
        let mut cause = self.source();
        while let Some(error) = cause {
            message.push_str(": ");
            message.push_str(&error.to_string());
            cause = error.source();
        }
        message
    }

    /// Returns the values the error names, by name.
    pub fn context(&self) -> BTreeMap<&'static str, String> {
        let mut context = BTreeMap::new();
        match self {
            Self::InvalidInput { field, .. } => {
                context.insert("field", (*field).to_string());
            }
            Self::Case(error) => {
                if let Some(path) = case_error_path(error) {
                    context.insert("path", path.display().to_string());
                }
            }
            Self::Import(error) => {
                if let Some(path) = import_error_path(error) {
                    context.insert("path", path.display().to_string());
                }
            }
            Self::Workflow(WorkflowError::Write { path, .. } | WorkflowError::NotAnalyzed { path }) => {
                context.insert("path", path.clone());
            }
            Self::Workflow(WorkflowError::Case(error)) => {
                if let Some(path) = case_error_path(error) {
                    context.insert("path", path.display().to_string());
                }
            }
            Self::NoCaseOpen | Self::Workflow(_) | Self::Internal(_) => {}
        }
        context
    }
}

/// Value the front end receives when a command fails: the shape of a serialized
/// [`CommandError`], declared as a type so that its TypeScript declaration is generated.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandErrorPayload {
    /// Stable word the UI branches on, from [`CommandError::kind`].
    pub kind: String,
    /// The error and its causes as one line.
    pub message: String,
    /// Values the error names, by name (for example `path`).
    pub context: BTreeMap<String, String>,
}

impl Serialize for CommandError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CommandErrorPayload {
            kind: self.kind().to_string(),
            message: self.full_message(),
            context: self.context().into_iter().map(|(name, value)| (name.to_string(), value)).collect(),
        }
        .serialize(serializer)
    }
}

// The wildcard arms keep this crate compiling when the library adds an error variant.
fn case_error_path(error: &CaseError) -> Option<&Path> {
    match error {
        CaseError::NotFound { path }
        | CaseError::AlreadyExists { path }
        | CaseError::NotACase { path, .. }
        | CaseError::NewerSchema { path, .. }
        | CaseError::Sqlite { path, .. }
        | CaseError::Busy { path, .. }
        | CaseError::ReadOnly { path, .. }
        | CaseError::Cancelled { path, .. }
        | CaseError::EvidenceNotFound { path, .. }
        | CaseError::Json { path, .. } => Some(path),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn import_error_path(error: &ImportError) -> Option<&Path> {
    match error {
        ImportError::NotFound { path }
        | ImportError::IsDirectory { path }
        | ImportError::Unreadable { path, .. }
        | ImportError::Empty { path }
        | ImportError::UnrecognisedFormat { path }
        | ImportError::Capture { path, .. }
        | ImportError::Firewall { path, .. }
        | ImportError::Decompress { path, .. }
        | ImportError::ExpansionLimit { path, .. }
        | ImportError::FormatMismatch { path, .. }
        | ImportError::Cancelled { path }
        | ImportError::Case { path, .. } => Some(path),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_kind_message_context() {
        let error = CommandError::InvalidInput { field: "year", problem: "expected 1970 to 9999".to_string() };
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(value["kind"], "invalidInput");
        assert_eq!(value["message"], "invalid year: expected 1970 to 9999");
        assert_eq!(value["context"]["field"], "year");
    }

    #[test]
    fn import_error_carries_path() {
        let error = CommandError::from(ImportError::Empty { path: "/tmp/empty.log".into() });
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(value["kind"], "import");
        assert_eq!(value["context"]["path"], "/tmp/empty.log");
        assert!(value["message"].as_str().unwrap().contains("the file is empty"));
    }

    #[test]
    fn message_includes_every_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let error = CommandError::from(ImportError::Unreadable { path: "/tmp/gone.pcap".into(), source: io });
        assert_eq!(error.full_message(), "/tmp/gone.pcap: cannot read the file: no such file");
    }
}
