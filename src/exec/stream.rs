//! Raw bytes between the handed-over terminal and a process in a container (exec or attach):
//! standard input on a thread of its own, output as it comes, the terminal's size on the resize
//! channel, and for an attach the client-side detach sequence `ctrl-p ctrl-q` (docker's and
//! kubectl's), which ends the connection and leaves the process running.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::SinkExt;
use kube::api::{AttachedProcess, TerminalSize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

const CTRL_P: u8 = 0x10;
const CTRL_Q: u8 = 0x11;

/// Watches typed bytes for `ctrl-p ctrl-q`. A `ctrl-p` is held back until the next byte says
/// whether it starts the sequence (then both are swallowed) or was meant for the process.
#[derive(Debug, Default)]
pub struct Detach {
    held: bool,
}

impl Detach {
    /// The bytes to send on for `typed`, and whether the sequence is complete (what follows it in
    /// the same read is dropped: the connection ends).
    pub fn feed(&mut self, typed: &[u8]) -> (Vec<u8>, bool) {
        let mut out = Vec::with_capacity(typed.len() + 1);
        for &b in typed {
            if self.held {
                self.held = false;
                if b == CTRL_Q {
                    return (out, true);
                }
                out.push(CTRL_P);
            }
            if b == CTRL_P {
                self.held = true;
            } else {
                out.push(b);
            }
        }
        (out, false)
    }
}

/// How one exec ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The process exited with this code.
    Exit(i32),
    /// The executable is not in the image (the runtime's message).
    Missing(String),
    /// The server ended it with this message.
    Failed(String),
    /// The connection ended without a status (pod deleted, network, server gone, or an attached
    /// process that ended).
    Dropped,
    /// The user typed the detach sequence (attach only): the process goes on.
    Detached,
}

/// Run a hand-over session (`session`, on `handle`) with the terminal in raw mode, then send the
/// loop its closing words; the hand-over restores the dashboard's modes, cooked mode first so any
/// words printed before it read.
pub fn in_raw_mode(
    handle: &tokio::runtime::Handle,
    inputs: &mpsc::UnboundedSender<crate::app::Input>,
    session: impl std::future::Future<Output = Result<String, String>>,
) -> Result<(), String> {
    crossterm::terminal::enable_raw_mode().map_err(|e| format!("raw mode: {e}"))?;
    let result = handle.block_on(session);
    let _ = crossterm::terminal::disable_raw_mode();
    let notice = result?;
    let _ = inputs.send(crate::app::Input::Notice(notice));
    Ok(())
}

/// Reads the error channel's Status as kubectl does: success, a non-zero exit code, or a failure.
pub fn ended(status: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Status>) -> Ended {
    let Some(s) = status else { return Ended::Dropped };
    if s.status.as_deref() == Some("Success") {
        return Ended::Exit(0);
    }
    let causes = s.details.and_then(|d| d.causes).unwrap_or_default();
    if s.reason.as_deref() == Some("NonZeroExitCode")
        && let Some(code) = causes
            .iter()
            .find(|c| c.reason.as_deref() == Some("ExitCode"))
            .and_then(|c| c.message.as_deref()?.parse().ok())
    {
        return Ended::Exit(code);
    }
    let message = s.message.unwrap_or_default();
    if message.contains("executable file not found") || message.contains("no such file or directory") {
        Ended::Missing(message)
    } else {
        Ended::Failed(message)
    }
}

/// Carries bytes between the terminal and the process until it ends; how it ended.
pub async fn pump(mut p: AttachedProcess, detach: bool) -> Result<Ended, String> {
    let status = p.take_status().ok_or("no status channel")?;
    tokio::pin!(status);
    let mut got = None;
    // An attach to a process without stdin has none; without a TTY, stderr comes on its own.
    let mut stdin = p.stdin();
    let mut stderr = p.stderr();
    let Some(mut stdout) = p.stdout() else {
        return Err("no output stream from the process".into());
    };
    let mut ebuf = vec![0u8; 4096];
    let mut sizes = p.terminal_size();
    let size = || {
        crossterm::terminal::size()
            .ok()
            .map(|(w, h)| TerminalSize { width: w, height: h })
    };
    if let (Some(tx), Some(s)) = (sizes.as_mut(), size()) {
        let _ = tx.send(s).await;
    }
    let (keys, mut keys_rx) = mpsc::unbounded_channel();
    let stop = Arc::new(AtomicBool::new(false));
    let reader = read_stdin(keys, stop.clone());
    let mut winch = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()).ok();
    let mut buf = vec![0u8; 16 * 1024];
    let mut out = std::io::stdout();
    let mut seq = Detach::default();
    let mut detached_now = false;
    loop {
        tokio::select! {
            n = stdout.read(&mut buf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let _ = out.write_all(&buf[..n]);
                    let _ = out.flush();
                }
            },
            n = async {
                match stderr.as_mut() {
                    Some(e) => e.read(&mut ebuf).await.unwrap_or(0),
                    None => std::future::pending().await,
                }
            } => {
                if n == 0 {
                    stderr = None;
                } else {
                    let _ = out.write_all(&ebuf[..n]);
                    let _ = out.flush();
                }
            }
            Some(bytes) = keys_rx.recv() => {
                let (bytes, detached) = if detach { seq.feed(&bytes) } else { (bytes, false) };
                if let Some(w) = stdin.as_mut()
                    && w.write_all(&bytes).await.is_err()
                {
                    break;
                }
                if detached {
                    detached_now = true;
                    break;
                }
            }
            // kube-rs ends the status channel when the connection drops, but leaves stdout open.
            s = &mut status => {
                got = Some(s);
                break;
            }
            Some(()) = async { winch.as_mut()?.recv().await } => {
                if let (Some(tx), Some(s)) = (sizes.as_mut(), size()) {
                    let _ = tx.send(s).await;
                }
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let _ = tokio::task::spawn_blocking(move || reader.join()).await;
    if detached_now {
        return Ok(Ended::Detached);
    }
    let status = match got {
        Some(s) => {
            if s.is_some() {
                // Output sent before the status may still be in the pipe: show it (kube-rs closes
                // the pipe after a status).
                let drain = async {
                    while let Ok(n) = stdout.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        let _ = out.write_all(&buf[..n]);
                    }
                };
                let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
                let _ = out.flush();
            }
            s
        }
        // The status comes just before the close; a connection that just broke has none.
        None => tokio::time::timeout(Duration::from_secs(2), status)
            .await
            .ok()
            .flatten(),
    };
    Ok(ended(status))
}

/// Reads standard input on a thread of its own, polling so it stops reading the moment `stop` is
/// set (a read left blocked would swallow the dashboard's next key).
fn read_stdin(keys: mpsc::UnboundedSender<Vec<u8>>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while !stop.load(Ordering::Relaxed) {
            let mut fd = libc::pollfd {
                fd: 0,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd, for the duration of the call.
            let ready = unsafe { libc::poll(&mut fd, 1, 50) };
            if ready <= 0 || fd.revents & libc::POLLIN == 0 {
                if fd.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
                    return;
                }
                continue;
            }
            // SAFETY: reads at most buf.len() bytes into buf.
            let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 || keys.send(buf[..n as usize].to_vec()).is_err() {
                return;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn status(v: serde_json::Value) -> Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Status> {
        Some(serde_json::from_value(v).unwrap())
    }

    #[test]
    fn the_error_channel_reads_as_kubectl_reads_it() {
        assert_eq!(ended(status(json!({"status": "Success"}))), Ended::Exit(0));
        let exit3 = json!({"status": "Failure", "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": "3"}]}});
        assert_eq!(ended(status(exit3)), Ended::Exit(3));
        let missing = json!({"status": "Failure", "reason": "InternalError",
            "message": "exec: \"bash\": executable file not found in $PATH: unknown"});
        assert!(matches!(ended(status(missing)), Ended::Missing(_)));
        assert_eq!(ended(None), Ended::Dropped);
    }

    #[test]
    fn ctrl_p_ctrl_q_detaches_and_a_lone_ctrl_p_reaches_the_process() {
        let mut d = Detach::default();
        assert_eq!(d.feed(b"ls\r"), (b"ls\r".to_vec(), false));
        assert_eq!(d.feed(&[CTRL_P, CTRL_Q, b'x']), (vec![], true));
        // Split over two reads, as a slow terminal sends it.
        let mut d = Detach::default();
        assert_eq!(d.feed(b"a\x10"), (b"a".to_vec(), false));
        assert_eq!(d.feed(b"\x11"), (vec![], true));
        // ctrl-p then anything else: both go on (shell history keeps working).
        let mut d = Detach::default();
        assert_eq!(d.feed(&[CTRL_P, b'k']), (vec![CTRL_P, b'k'], false));
        assert_eq!(d.feed(&[CTRL_P, CTRL_P, CTRL_Q]), (vec![CTRL_P], true));
    }
}
