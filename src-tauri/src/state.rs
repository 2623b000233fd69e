//! What the app keeps between commands: the open case and the cancellation flags of running
//! jobs (imports, the analysis, report exports).
//!
//! The case sits behind one mutex, so commands on it run one at a time. Cancellation flags
//! sit behind another, so a cancel request gets through while a job has the case locked.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use scancase::case::Case;

use crate::error::CommandError;

/// The open case.
#[derive(Default)]
pub struct Session {
    /// The open case, if any.
    pub case: Option<Case>,
}

impl Session {
    /// Returns the open case, or [`CommandError::NoCaseOpen`].
    pub fn case_mut(&mut self) -> Result<&mut Case, CommandError> {
        self.case.as_mut().ok_or(CommandError::NoCaseOpen)
    }
}

/// State managed by Tauri and shared by all commands.
#[derive(Default)]
pub struct AppState {
    session: Arc<Mutex<Session>>,
    cancel_flags: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

impl AppState {
    /// Returns a handle to the session for a background task.
    pub fn session(&self) -> Arc<Mutex<Session>> {
        Arc::clone(&self.session)
    }

    /// Registers a job and returns its cancellation flag.
    pub fn start_job(&self, job_id: &str) -> Result<Arc<AtomicBool>, CommandError> {
        let flag = Arc::new(AtomicBool::new(false));
        lock(&self.cancel_flags)?.insert(job_id.to_string(), Arc::clone(&flag));
        Ok(flag)
    }

    /// Forgets a finished job.
    pub fn finish_job(&self, job_id: &str) {
        if let Ok(mut flags) = lock(&self.cancel_flags) {
            flags.remove(job_id);
        }
    }

    /// Asks a running job to stop; returns false when no such job is running.
    pub fn cancel_job(&self, job_id: &str) -> Result<bool, CommandError> {
        let flags = lock(&self.cancel_flags)?;
        let Some(flag) = flags.get(job_id) else {
            return Ok(false);
        };
        flag.store(true, Ordering::Relaxed);
        Ok(true)
    }
}

/// Locks a mutex, turning a poisoned lock (a panic in an earlier command) into an error.
pub fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>, CommandError> {
    mutex
        .lock()
        .map_err(|_| CommandError::Internal("an earlier command failed while holding the case; restart the app".into()))
}
