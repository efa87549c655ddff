//! Logging to a file, never to the terminal (the terminal belongs to the dashboard).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use regex::Regex;
use tracing_subscriber::EnvFilter;

/// Where the log goes by default: `$XDG_STATE_HOME/kubedeck/kubedeck.log`, else `~/.local/state/kubedeck/kubedeck.log`.
pub fn default_log_path() -> Option<PathBuf> {
    Some(state_dir()?.join("kubedeck.log"))
}

/// kubedeck's state directory (the log, the command history): `$XDG_STATE_HOME/kubedeck`, else
/// `~/.local/state/kubedeck`.
pub fn state_dir() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("kubedeck"))
}

/// Start logging to `override_path` or the default path; returns the file used, or None when nothing was writable.
pub fn init(override_path: Option<&Path>) -> Option<PathBuf> {
    let path = override_path.map(Path::to_path_buf).or_else(default_log_path)?;
    let file = open(&path).ok()?;
    // kube-client's trace layer logs every failed request as an error: while a server is down that is
    // several lines a second. The callers log a failure once per change of state instead.
    let filter = EnvFilter::try_from_env("KUBEDECK_LOG").unwrap_or_else(|_| {
        EnvFilter::new("info,kube=warn,kube_client::client::builder=off,hyper=warn,tower=warn,rustls=warn")
    });
    let writer = RedactingFile(Arc::new(Mutex::new(file)));
    let ok = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .is_ok();
    ok.then_some(path)
}

fn open(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

/// Replace bearer tokens (and other Authorization values) in a log line.
pub fn redact(line: &str) -> std::borrow::Cow<'_, str> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re =
        RE.get_or_init(|| Regex::new(r"(?i)(bearer\s+|token[\x22']?\s*[:=]\s*[\x22']?)[A-Za-z0-9._~+/=-]+").unwrap());
    re.replace_all(line, "${1}<redacted>")
}

/// A shared log file whose writes pass through [`redact`]; the fmt layer writes one whole event per call.
#[derive(Clone)]
struct RedactingFile(Arc<Mutex<File>>);

impl Write for RedactingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.lock().write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.lock().flush()
    }
}

/// Write the messages of the log (`:messages`) that the log file has not seen yet, whole; errors
/// as warnings. `logged` counts those written so far.
pub fn messages(state: &crate::app::State, logged: &mut u64) {
    let new = state.messages_total.saturating_sub(*logged);
    let skip = state
        .messages
        .len()
        .saturating_sub(usize::try_from(new).unwrap_or(usize::MAX));
    for m in state.messages.iter().skip(skip) {
        if m.error {
            tracing::warn!(target: "kubedeck::messages", "{}", m.text);
        } else {
            tracing::info!(target: "kubedeck::messages", "{}", m.text);
        }
    }
    *logged = state.messages_total;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_reaches_the_log_file_once_and_whole() {
        let long = format!("theme not loaded, using the default: {}", "x".repeat(300));
        let mut state = crate::app::State::new(None, false, crate::config::keymap::default_keymap());
        let mut logged = 0;
        let text = crate::test_util::logged(|| {
            state.toast(long.clone(), true);
            messages(&state, &mut logged);
            state.toast("copied web-1", false);
            messages(&state, &mut logged);
            messages(&state, &mut logged);
        });
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.lines().next().unwrap().contains("WARN") && text.contains(&long),
            "{text}"
        );
        assert!(text.lines().nth(1).unwrap().contains("INFO") && text.contains("copied web-1"));
    }

    #[test]
    fn bearer_tokens_are_redacted() {
        let out = redact("GET /api headers: authorization: Bearer eyJhbGciOi.abc-def_1 ok");
        assert!(!out.contains("eyJhbGciOi"), "{out}");
        assert!(out.contains("Bearer <redacted> ok"), "{out}");
        let out = redact(r#"user {"token": "s3cr3t"}"#);
        assert!(!out.contains("s3cr3t"), "{out}");
    }
}
