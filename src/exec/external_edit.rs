//! `E`: the object's text edited in `$KUBE_EDITOR`, `$EDITOR` or `vi`, as `kubectl edit` runs it,
//! with the terminal handed over. The file lives in a directory only the user can enter (0700, under
//! `$XDG_RUNTIME_DIR`, else the state directory), is 0600, and is removed as soon as the editor
//! returns: a Secret's values are on disk only while the editor has them open.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use super::terminal::TerminalSession;
use crate::app::Input;
use crate::app::edit::Reply;
use crate::cluster::ops::ObjRef;

static FILES: AtomicU64 = AtomicU64::new(0);

/// One run of the outside editor on one object's text.
pub struct ExternalEdit {
    target: ObjRef,
    text: String,
    /// The editor command; None: `$KUBE_EDITOR`, `$EDITOR`, `vi` (read when it runs).
    editor: Option<String>,
    /// Where the file goes; None: [`private_dir`].
    dir: Option<PathBuf>,
    /// The text as the editor left it, once it returned.
    edited: Mutex<Option<String>>,
}

impl ExternalEdit {
    /// Edit `text` (the object `target`'s) with the user's editor.
    pub fn new(target: ObjRef, text: String) -> ExternalEdit {
        ExternalEdit {
            target,
            text,
            editor: None,
            dir: None,
            edited: Mutex::new(None),
        }
    }

    /// The same with a given editor command and directory (tests).
    pub fn with(target: ObjRef, text: String, editor: &str, dir: PathBuf) -> ExternalEdit {
        ExternalEdit {
            editor: Some(editor.to_string()),
            dir: Some(dir),
            ..ExternalEdit::new(target, text)
        }
    }
}

/// The editor kubectl would run: `$KUBE_EDITOR`, else `$EDITOR`, else `vi`.
pub fn editor_command() -> String {
    ["KUBE_EDITOR", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// A directory only the user can enter: `$XDG_RUNTIME_DIR/kubedeck`, else the state directory's
/// `kubedeck/tmp`.
pub fn private_dir() -> Option<PathBuf> {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|v| !v.is_empty())
        .map(|d| PathBuf::from(d).join("kubedeck"));
    runtime.or_else(|| crate::logging::default_log_path()?.parent().map(|d| d.join("tmp")))
}

impl TerminalSession for ExternalEdit {
    fn kind(&self) -> &'static str {
        "editor"
    }

    fn run(&self) -> Result<(), String> {
        let dir = self
            .dir
            .clone()
            .or_else(private_dir)
            .ok_or("no directory for the file ($XDG_RUNTIME_DIR, $XDG_STATE_HOME, $HOME)")?;
        let fail = |e: std::io::Error| format!("{}: {e}", dir.display());
        std::fs::create_dir_all(&dir).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
        }
        let n = FILES.fetch_add(1, Ordering::Relaxed);
        let safe: String = (self.target.name.chars())
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        let path = dir.join(format!("{safe}-{}-{n}.yaml", std::process::id()));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        opts.open(&path)
            .and_then(|mut f| f.write_all(self.text.as_bytes()))
            .map_err(fail)?;
        let editor = self.editor.clone().unwrap_or_else(editor_command);
        // As kubectl does, the command may carry arguments ("code --wait"): the shell splits it.
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("sh")
            .arg(&path)
            .status();
        let text = std::fs::read_to_string(&path);
        let _ = std::fs::remove_file(&path);
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => return Err(format!("{editor} exited with {s}: nothing was changed")),
            Err(e) => return Err(format!("{editor} could not be started: {e}")),
        }
        *self.edited.lock() = Some(text.map_err(fail)?);
        Ok(())
    }

    fn report(&self) -> Option<Input> {
        let text = self.edited.lock().take()?;
        Some(Input::Edit(Box::new(Reply::External {
            target: self.target.clone(),
            text,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Kind;

    #[test]
    fn the_file_is_private_edited_and_removed_when_the_editor_returns() {
        let dir = std::env::temp_dir().join(format!("kubedeck-ext-{}", std::process::id()));
        let target = ObjRef::new(Kind::Deployment, "shop", "web");
        // The "editor" checks the file's mode, then changes the image.
        let editor = "test \"$(stat -c %a \"$1\")\" = 600 && sed -i s/nginx:1/nginx:2/";
        let e = ExternalEdit::with(target.clone(), "image: nginx:1\n".into(), editor, dir.clone());
        e.run().unwrap();
        match e.report() {
            Some(Input::Edit(r)) => assert_eq!(
                *r,
                Reply::External {
                    target,
                    text: "image: nginx:2\n".into()
                }
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "the file is gone");
        let failing = ExternalEdit::with(ObjRef::new(Kind::Pod, "", "x"), "a\n".into(), "false", dir.clone());
        assert!(failing.run().unwrap_err().contains("exited with"));
        assert!(failing.report().is_none());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "gone after a failure too");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
