//! Exit codes: the contract CI scripts rely on (SPEC §5).

use std::process::ExitCode;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// 0: every image passed (or the command simply succeeded).
    Success,
    /// 1: at least one image failed the policy.
    PolicyFailed,
    /// 2: usage or configuration error.
    Usage,
    /// 3: the work could not be completed (image unreadable, DB missing, …).
    Incomplete,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(match s {
            ExitStatus::Success => 0,
            ExitStatus::PolicyFailed => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Incomplete => 3,
        })
    }
}

/// An error that knows its exit status; anything else counts as incomplete.
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
