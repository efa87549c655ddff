//! The `:` command history on disk, `history` in the state directory (`~/.local/state/kubedeck/`):
//! one command a line, appended as commands run (so kubedeck sessions running side by side each add
//! theirs), read at start. Kept bounded: the file is rewritten with the newest commands alone once
//! it holds twice as many lines as are kept.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the history is kept, if there is a state directory.
pub fn default_path() -> Option<PathBuf> {
    Some(crate::logging::state_dir()?.join("history"))
}

/// The newest `keep` commands of the file, oldest first, each once; none when it cannot be read.
pub fn load(path: &Path, keep: usize) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    // Newest first, so a command run again counts where it was run last.
    for line in lines.iter().rev() {
        // The file is the user's, but what reaches the screen never carries control characters.
        let line: String = line.chars().filter(|c| !c.is_control()).collect();
        let line = line.trim();
        if !line.is_empty() && !out.iter().any(|l| l == line) {
            out.push(line.to_string());
            if out.len() == keep {
                break;
            }
        }
    }
    out.reverse();
    if lines.len() > 2 * keep {
        let text: String = out.iter().map(|l| format!("{l}\n")).collect();
        // A history that cannot be shortened keeps working; the next start tries again.
        if let Err(e) = std::fs::write(path, text) {
            tracing::warn!("could not shorten the command history {}: {e}", path.display());
        }
    }
    out
}

/// Add `commands` (taking them) to the file; a failure (a read-only home) is logged and forgotten.
pub fn append(path: &Path, commands: &mut Vec<String>) {
    if commands.is_empty() {
        return;
    }
    let text: String = commands.drain(..).map(|c| format!("{c}\n")).collect();
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    // Readable by its owner alone, as shells keep their history.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| opts.open(path))
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        tracing::warn!("could not save the command history to {}: {e}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_appended_read_back_newest_kept_once_and_the_file_stays_bounded() {
        let dir = std::env::temp_dir().join(format!("kubedeck-history-{}", std::process::id()));
        let path = dir.join("state/history");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(load(&path, 3).is_empty(), "no file yet");
        append(&path, &mut vec!["deploy".into(), "po all".into()]);
        let mut more = vec!["deploy".into(), "cm\u{1b}[2J".into()];
        append(&path, &mut more);
        assert!(more.is_empty(), "taken");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "its owner's alone");
        }
        assert_eq!(load(&path, 10), ["po all", "deploy", "cm[2J"]);
        // Past twice the bound, the file is rewritten with the newest alone.
        append(&path, &mut (0..10).map(|i| format!("ns n{i}")).collect());
        assert_eq!(load(&path, 3), ["ns n7", "ns n8", "ns n9"]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "ns n7\nns n8\nns n9\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
