//! Writing a file the user named (log saves): the name made absolute for the report, and an existing
//! file never replaced unless the user said so.

use std::io::Write;
use std::path::{Path, PathBuf};

/// What a save did.
#[derive(Debug, PartialEq)]
pub enum Saved {
    /// Written to this absolute path.
    Written(PathBuf),
    /// Not written: this absolute path exists and overwriting was not asked for.
    Exists(PathBuf),
}

/// The absolute path of a name as typed: `~/` is the home directory, a relative name is taken from
/// the working directory kubedeck was started in.
pub fn resolve(path: &str) -> PathBuf {
    let file = match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    };
    std::path::absolute(&file).unwrap_or(file)
}

/// Write `text` to `path`; an existing file is left alone unless `overwrite`. The check and the
/// creation are one step (`create_new`), so a file appearing in between is not replaced either.
pub fn save(path: &str, text: &str, overwrite: bool) -> Result<Saved, String> {
    let file = resolve(path);
    let opened = if overwrite {
        std::fs::File::create(&file)
    } else {
        std::fs::OpenOptions::new().write(true).create_new(true).open(&file)
    };
    let mut f = match opened {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(Saved::Exists(file)),
        Err(e) => return Err(failed(&file, &e)),
    };
    f.write_all(text.as_bytes()).map_err(|e| failed(&file, &e))?;
    Ok(Saved::Written(file))
}

fn failed(file: &Path, e: &std::io::Error) -> String {
    format!("could not save {}: {e}", file.display())
}

#[cfg(test)]
mod tests {
    use super::{Saved, resolve, save};

    #[test]
    fn an_existing_file_is_kept_unless_overwriting_was_asked_and_paths_are_absolute() {
        let dir = std::env::temp_dir().join(format!("kubedeck-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("web.log");
        let name = path.to_str().unwrap();
        assert_eq!(save(name, "one\n", false), Ok(Saved::Written(path.clone())));
        assert_eq!(save(name, "two\n", false), Ok(Saved::Exists(path.clone())));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\n", "not replaced");
        assert_eq!(save(name, "two\n", true), Ok(Saved::Written(path.clone())));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        let err = save(dir.join("no/such/dir.log").to_str().unwrap(), "x", false).unwrap_err();
        assert!(err.starts_with(&format!("could not save {}", dir.display())), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
        let rel = resolve("web.log");
        assert!(rel.is_absolute() && rel.ends_with("web.log"), "{rel:?}");
    }
}
