//! An interactive shell in a container through kube's WebSocket exec, on the handed-over terminal:
//! raw bytes both ways, the terminal's size on the resize channel, `bash` then `sh`. Every way it
//! ends (exit, no shell, pod not running, refused, connection dropped) comes back as words.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::SinkExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams, AttachedProcess, TerminalSize};
use kube::{Client, ResourceExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::terminal::TerminalSession;
use crate::app::Input;
use crate::cluster::ops::ObjRef;

/// The shells tried in turn, as k9s and kubectl users try them.
pub const SHELLS: [&str; 2] = ["bash", "sh"];

/// A shell session for the terminal hand-over.
pub struct ShellSession {
    /// The connection.
    pub client: Client,
    /// The pod.
    pub pod: ObjRef,
    /// The container (None: the default container annotation's, else the first).
    pub container: Option<String>,
    /// Where the exit code is said.
    pub inputs: mpsc::UnboundedSender<Input>,
    /// The runtime the WebSocket runs on.
    pub handle: tokio::runtime::Handle,
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
    /// The connection ended without a status (pod deleted, network, server gone).
    Dropped,
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

/// The container a shell goes to: the one asked, else the `kubectl.kubernetes.io/default-container`
/// annotation's (when it names one), else the only one; `Err` with the names when the user must
/// choose (none: the pod has no containers).
pub fn pick_container(pod: &Pod, asked: Option<&str>) -> Result<String, Vec<String>> {
    let names: Vec<String> = pod
        .spec
        .as_ref()
        .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    if let Some(a) = asked {
        return Ok(a.to_string());
    }
    let annotated = pod.annotations().get("kubectl.kubernetes.io/default-container");
    match annotated.filter(|a| names.contains(a)) {
        Some(a) => Ok(a.clone()),
        None if names.len() == 1 => Ok(names[0].clone()),
        None => Err(names),
    }
}

/// Asks on the handed-over terminal which container to open (raw mode: one key); None when
/// cancelled (`esc`, `q`, `ctrl-c`) or standard input ends.
fn choose(pod: &str, names: &[String]) -> Option<String> {
    let shown = names.len().min(9);
    let mut text = format!("pod {} has {} containers:\r\n", clean(pod), names.len());
    for (i, n) in names.iter().take(shown).enumerate() {
        text.push_str(&format!("  {}) {}\r\n", i + 1, clean(n)));
    }
    text.push_str(&format!("shell in which container? [1-{shown}, esc cancels] "));
    let mut out = std::io::stdout();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    loop {
        match read_byte()? {
            b @ b'1'..=b'9' if usize::from(b - b'1') < shown => {
                let _ = out.write_all(b"\r\n");
                return Some(names[usize::from(b - b'1')].clone());
            }
            0x1b | b'q' | 0x03 | 0x04 => return None,
            _ => {}
        }
    }
}

/// Text from the cluster without control characters, for the terminal.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// One byte of standard input (blocking: the terminal is the session's while it runs).
fn read_byte() -> Option<u8> {
    let mut b = 0u8;
    // SAFETY: reads at most one byte into `b`.
    let n = unsafe { libc::read(0, (&raw mut b).cast(), 1) };
    (n == 1).then_some(b)
}

/// Why a container cannot take a shell now, in words (None: it runs).
pub fn not_running(pod: &Pod, container: &str) -> Option<String> {
    let name = pod.name_any();
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    let Some(s) = statuses.iter().find(|s| s.name == container) else {
        return Some(format!("container {container} of pod {name} has not started"));
    };
    let state = s.state.as_ref();
    if state.is_some_and(|st| st.running.is_some()) {
        return None;
    }
    let why = state
        .and_then(|st| st.waiting.as_ref().and_then(|w| w.reason.clone()))
        .or_else(|| state.and_then(|st| st.terminated.as_ref().and_then(|t| t.reason.clone())))
        .unwrap_or_else(|| "not running".into());
    Some(format!("container {container} of pod {name} is not running ({why})"))
}

impl TerminalSession for ShellSession {
    fn kind(&self) -> &'static str {
        "shell"
    }

    fn run(&self) -> Result<(), String> {
        crossterm::terminal::enable_raw_mode().map_err(|e| format!("raw mode: {e}"))?;
        let result = self.handle.block_on(self.session());
        // The hand-over restores the dashboard's modes; cooked mode first so any words below read.
        let _ = crossterm::terminal::disable_raw_mode();
        let notice = result?;
        let _ = self.inputs.send(Input::Notice(notice));
        Ok(())
    }
}

impl ShellSession {
    async fn session(&self) -> Result<String, String> {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.pod.namespace);
        let name = &self.pod.name;
        let pod = pods
            .get(name)
            .await
            .map_err(|e| format!("pod {name}: {}", crate::cluster::errors::explain(&e)))?;
        let container = match pick_container(&pod, self.container.as_deref()) {
            Ok(c) => c,
            Err(names) if names.is_empty() => return Err(format!("pod {name} has no containers")),
            Err(names) => match choose(name, &names) {
                Some(c) => c,
                None => return Ok(format!("shell in {name}: no container chosen")),
            },
        };
        if let Some(why) = not_running(&pod, &container) {
            return Err(why);
        }
        let mut missing = Vec::new();
        for shell in SHELLS {
            let ap = AttachParams::interactive_tty().container(container.clone());
            let process = pods
                .exec(name, [shell], &ap)
                .await
                .map_err(|e| refused(&e, name, &container, "shell"))?;
            match pump(process).await? {
                Ended::Exit(code) => return Ok(format!("shell in {name}/{container} exited with code {code}")),
                Ended::Missing(_) => missing.push(shell),
                Ended::Failed(m) => return Err(m),
                Ended::Dropped => {
                    return Err(format!(
                        "the connection to the shell in {name}/{container} ended (pod deleted or connection lost)"
                    ));
                }
            }
        }
        Err(format!(
            "container {container} of pod {name} has no shell: neither {} is in its image",
            missing.join(" nor ")
        ))
    }
}

/// Words for an exec (`what`: shell, exec) the server refused before the upgrade (kube keeps only
/// the HTTP status).
pub fn refused(e: &kube::Error, pod: &str, container: &str, what: &str) -> String {
    let text = e.to_string();
    if text.contains("403") {
        format!("not allowed to exec in pod {pod}: RBAC refuses create on pods/exec")
    } else if text.contains("400") {
        format!("the server refused the {what}: container {container} of pod {pod} is not running")
    } else if text.contains("404") {
        format!("pod {pod} not found")
    } else {
        format!("{what}: {}", crate::cluster::errors::explain(e))
    }
}

/// Carries bytes between the terminal and the process until it ends; how it ended.
async fn pump(mut p: AttachedProcess) -> Result<Ended, String> {
    let status = p.take_status().ok_or("no status channel")?;
    tokio::pin!(status);
    let mut got = None;
    let (Some(mut stdin), Some(mut stdout)) = (p.stdin(), p.stdout()) else {
        return Err("no stdin/stdout on the shell".into());
    };
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
    loop {
        tokio::select! {
            n = stdout.read(&mut buf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let _ = out.write_all(&buf[..n]);
                    let _ = out.flush();
                }
            },
            Some(bytes) = keys_rx.recv() => {
                if stdin.write_all(&bytes).await.is_err() {
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
    fn the_default_container_annotation_is_honoured() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p", "annotations": {"kubectl.kubernetes.io/default-container": "app"}},
            "spec": {"containers": [{"name": "istio-proxy"}, {"name": "app"}]}}))
        .unwrap();
        assert_eq!(pick_container(&pod, None), Ok("app".into()));
        assert_eq!(pick_container(&pod, Some("istio-proxy")), Ok("istio-proxy".into()));
        // Without the annotation (or naming no container of the pod) the user chooses.
        let mut other = pod.clone();
        other.metadata.annotations = Some([("kubectl.kubernetes.io/default-container".into(), "gone".into())].into());
        assert_eq!(
            pick_container(&other, None),
            Err(vec!["istio-proxy".into(), "app".into()])
        );
        other.spec.as_mut().unwrap().containers.truncate(1);
        assert_eq!(pick_container(&other, None), Ok("istio-proxy".into()));
        assert!(not_running(&pod, "app").unwrap().contains("has not started"));
    }
}
