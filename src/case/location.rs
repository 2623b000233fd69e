//! Checks on a case file's location: whether its file or folder can be written, whether
//! SQLite's journal or WAL files are present, and whether it is on a network file system.

use std::path::{Path, PathBuf};

/// File system types on which SQLite's file locking is unreliable (SQLite's documentation,
/// "How To Corrupt An SQLite Database File", section 2: network file systems).
const NETWORK_FILE_SYSTEMS: &[&str] =
    &["nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "fuse.sshfs", "fuse.rclone", "davfs"];

/// Returns true when the file, or the folder SQLite needs for its journal files, cannot be
/// written by this process.
pub fn is_read_only(path: &Path) -> bool {
    let file_read_only = std::fs::metadata(path).map(|m| m.permissions().readonly()).unwrap_or(false);
    file_read_only || !can_write_folder(path) || !can_open_for_writing(path)
}

/// Returns true when no rollback journal, WAL or shared-memory file lies beside a case, as
/// after a clean close or on a copy made without them.
pub fn journal_files_absent(path: &Path) -> bool {
    ["-journal", "-wal", "-shm"].iter().all(|suffix| !sibling(path, suffix).exists())
}

/// Returns the path with a suffix appended to its file name, such as `case.scancase-wal`.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn can_open_for_writing(path: &Path) -> bool {
    std::fs::OpenOptions::new().append(true).open(path).is_ok()
}

/// Checks that a file can be created in the case's folder, as SQLite must for its journal.
fn can_write_folder(path: &Path) -> bool {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let probe = folder.join(format!(".scancase-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}

/// Returns the file system type of the mount that holds `path` when it is a network file
/// system, from `/proc/self/mounts` (Linux); `None` elsewhere or when the type is unknown.
pub fn network_file_system(path: &Path) -> Option<String> {
    let absolute = std::fs::canonicalize(path).ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    let mut best: Option<(usize, String)> = None;
    for line in mounts.lines() {
        let mut fields = line.split_whitespace();
        let (Some(_device), Some(mount_point), Some(fs_type)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        // The mounts file writes spaces in mount points as the octal escape \040.
        let mount_point = mount_point.replace("\\040", " ");
        if absolute.starts_with(&mount_point) && best.as_ref().is_none_or(|(length, _)| mount_point.len() > *length) {
            best = Some((mount_point.len(), fs_type.to_string()));
        }
    }
    let (_, fs_type) = best?;
    NETWORK_FILE_SYSTEMS.contains(&fs_type.as_str()).then_some(fs_type)
}
