//! The list of recently opened cases, kept as a small JSON file in the app's config folder.
//!
//! The list contains paths and names only, newest first, at most [`MAX_RECENT_CASES`] entries and
//! each path once. A case file that was moved or deleted stays on the list, marked missing,
//! until the examiner removes it. A missing or unreadable list file is read as an empty list,
//! because losing the list loses no evidence; the problem is logged.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CommandError;
use crate::workspace_dto::RecentCaseView;

/// Most cases kept on the list: the start screen shows them all without scrolling at
/// 1366×768.
pub const MAX_RECENT_CASES: usize = 10;

/// File name of the list in the app's config folder.
pub const RECENT_CASES_FILE: &str = "recent-cases.json";

/// One case on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentCase {
    /// Path of the case file as it was opened.
    pub path: String,
    /// Case name when it was last opened.
    pub name: String,
    /// When it was last opened or created, UTC nanoseconds.
    pub opened_at_ns: i64,
}

/// The list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentCases {
    /// Entries, newest first.
    pub cases: Vec<RecentCase>,
}

impl RecentCases {
    /// Reads the list from `file`; a missing or unreadable file gives an empty list.
    pub fn load(file: &Path) -> RecentCases {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return RecentCases::default(),
            Err(error) => {
                log::warn!("could not read the recent cases from {}: {error}; starting an empty list", file.display());
                return RecentCases::default();
            }
        };
        match serde_json::from_str::<RecentCases>(&text) {
            Ok(mut list) => {
                list.cases.truncate(MAX_RECENT_CASES);
                list
            }
            Err(error) => {
                log::warn!("{} is not a list of recent cases ({error}); starting an empty list", file.display());
                RecentCases::default()
            }
        }
    }

    /// Writes the list to `file`, creating its folder, through a temporary file so a crash
    /// leaves the old list or the new one.
    pub fn save(&self, file: &Path) -> Result<(), CommandError> {
        let fail = |error: std::io::Error| {
            CommandError::Internal(format!("could not save the recent cases to {}: {error}", file.display()))
        };
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder).map_err(fail)?;
        }
        let text = serde_json::to_string_pretty(self)
            .map_err(|error| CommandError::Internal(format!("could not encode the recent cases: {error}")))?;
        let temporary = file.with_extension("json.tmp");
        std::fs::write(&temporary, text).map_err(fail)?;
        std::fs::rename(&temporary, file).map_err(fail)
    }

    /// Puts a case at the top of the list, removing an older entry with the same path and
    /// the oldest entries beyond [`MAX_RECENT_CASES`].
    pub fn add(&mut self, path: &str, name: &str, opened_at_ns: i64) {
        self.cases.retain(|case| case.path != path);
        self.cases.insert(0, RecentCase { path: path.to_string(), name: name.to_string(), opened_at_ns });
        self.cases.truncate(MAX_RECENT_CASES);
    }

    /// Removes a case from the list; returns false when it was not on it.
    pub fn remove(&mut self, path: &str) -> bool {
        let before = self.cases.len();
        self.cases.retain(|case| case.path != path);
        self.cases.len() != before
    }

    /// Returns the list for display, each entry marked missing when no file is at its path.
    pub fn views(&self) -> Vec<RecentCaseView> {
        self.cases
            .iter()
            .map(|case| RecentCaseView {
                path: case.path.clone(),
                name: case.name.clone(),
                opened_at: scancase::model::format_rfc3339(case.opened_at_ns),
                missing: !Path::new(&case.path).is_file(),
            })
            .collect()
    }
}

/// Returns the path of the list file in `config_folder`.
pub fn list_file(config_folder: &Path) -> PathBuf {
    config_folder.join(RECENT_CASES_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_puts_newest_first_and_dedupes() {
        let mut list = RecentCases::default();
        list.add("/cases/a.scancase", "A", 1);
        list.add("/cases/b.scancase", "B", 2);
        list.add("/cases/a.scancase", "A renamed", 3);
        let paths: Vec<&str> = list.cases.iter().map(|case| case.path.as_str()).collect();
        assert_eq!(paths, ["/cases/a.scancase", "/cases/b.scancase"]);
        assert_eq!(list.cases[0].name, "A renamed");
    }

    #[test]
    fn add_keeps_at_most_the_cap() {
        let mut list = RecentCases::default();
        for index in 0..MAX_RECENT_CASES + 3 {
            list.add(&format!("/cases/{index}.scancase"), "case", index as i64);
        }
        assert_eq!(list.cases.len(), MAX_RECENT_CASES);
        assert_eq!(list.cases[0].path, format!("/cases/{}.scancase", MAX_RECENT_CASES + 2));
        assert!(!list.cases.iter().any(|case| case.path == "/cases/0.scancase"), "the oldest entry is dropped");
    }

    #[test]
    fn missing_file_marked_missing() {
        let folder = tempfile::tempdir().unwrap();
        let present = folder.path().join("here.scancase");
        std::fs::write(&present, b"x").unwrap();
        let mut list = RecentCases::default();
        list.add(&folder.path().join("gone.scancase").display().to_string(), "Gone", 1);
        list.add(&present.display().to_string(), "Here", 2);
        let views = list.views();
        assert!(!views[0].missing, "{} exists", views[0].path);
        assert!(views[1].missing, "{} does not exist", views[1].path);
    }

    #[test]
    fn save_and_load_round_trip() {
        let folder = tempfile::tempdir().unwrap();
        let file = list_file(&folder.path().join("config"));
        let mut list = RecentCases::default();
        list.add("/cases/a.scancase", "A", 7);
        list.save(&file).unwrap();
        assert_eq!(RecentCases::load(&file), list);
    }

    #[test]
    fn unreadable_list_loads_empty() {
        let folder = tempfile::tempdir().unwrap();
        let file = list_file(folder.path());
        assert_eq!(RecentCases::load(&file), RecentCases::default(), "a missing file is an empty list");
        std::fs::write(&file, b"{ not json").unwrap();
        assert_eq!(RecentCases::load(&file), RecentCases::default(), "a damaged file is an empty list");
    }

    #[test]
    fn remove_reports_whether_listed() {
        let mut list = RecentCases::default();
        list.add("/cases/a.scancase", "A", 1);
        assert!(list.remove("/cases/a.scancase"));
        assert!(!list.remove("/cases/a.scancase"));
        assert!(list.cases.is_empty());
    }
}
