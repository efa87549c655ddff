//! Saving from the log view, off the event loop: each save reports back as an `Input`.

use kube::Client;
use tokio::sync::mpsc;

use crate::app::Input;

/// Write a saved log off the event loop and report the outcome as a toast.
pub fn spawn_save(path: String, text: String, lines: usize, overwrite: bool, tx: mpsc::UnboundedSender<Input>) {
    tokio::task::spawn_blocking(move || {
        let input = match crate::save::save(&path, &text, overwrite) {
            Ok(crate::save::Saved::Written(file)) => Input::Toast {
                text: format!("saved {lines} line(s) to {}", file.display()),
                error: false,
            },
            Ok(crate::save::Saved::Exists(file)) => Input::SaveExists {
                path: file.display().to_string(),
                text,
                lines,
            },
            Err(e) => Input::Toast { text: e, error: true },
        };
        let _ = tx.send(input);
    });
}

/// Save one log line to a new file: read again from the server when it was cut, else as kept.
pub fn spawn_save_line(
    client: Option<Client>,
    path: String,
    kept: String,
    whole: Option<crate::cluster::logs::whole::WholeLine>,
    tx: mpsc::UnboundedSender<Input>,
) {
    use crate::cluster::logs::whole;
    tokio::spawn(async move {
        let file = crate::save::resolve(&path);
        let result = match (whole, client) {
            (Some(w), Some(client)) => whole::save(client, &w, &file).await,
            (Some(_), None) => Err("not connected: the whole line cannot be read again".into()),
            (None, _) => whole::save_kept(&kept, &file).await,
        };
        let _ = tx.send(match result {
            Ok(n) => Input::Toast {
                text: format!("saved the line ({n} bytes) to {}", file.display()),
                error: false,
            },
            Err(e) => Input::Toast { text: e, error: true },
        });
    });
}
