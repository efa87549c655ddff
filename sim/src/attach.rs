//! `pods/attach` over WebSocket, on the same channel protocols as exec (`v5.channel.k8s.io`,
//! `v4.channel.k8s.io`): the container's main process is its generated log (`logs.rs`), streamed
//! from the moment of the attach, and what is typed on stdin comes back on stdout (with a TTY's
//! echo of each key). The session ends when the container stops running or its pod goes. A shell
//! image (busybox, alpine …) run with stdin and a TTY, as a debug container or a node shell is, has
//! the simulated shell of `exec_shell.rs` as its main process instead.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Extensions, HeaderMap};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use jiff::Timestamp;
use tokio_tungstenite::tungstenite::protocol::Message;

use super::exec::{self, ExecOpts, STDIN, STDOUT, Socket, container, frame, normal_close, upgrade};
use super::exec_shell::Ctx;
use super::logs::{Instance, instance, rate_of, render};
use super::request::{SimState, Target};
use super::status::ApiError;
use super::store::pods;

/// How often the session looks whether the container still runs.
const CHECK: Duration = Duration::from_millis(200);

/// Serves a `pods/NAME/attach` request: the checks, then the upgrade and the session (an error
/// is answered as the real server answers it).
pub fn serve(
    st: &Arc<SimState>,
    t: &Target,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    ext: &mut Extensions,
) -> Result<Response, ApiError> {
    let pod = super::exec::target_pod(st, t)?;
    let (ns, name) = (t.ns.clone().unwrap_or_default(), t.name.clone().unwrap_or_default());
    let opts = ExecOpts::parse(raw_query);
    let c = container(&pod, opts.container.as_deref())?;
    let cname = c["name"].as_str().unwrap_or_default().to_string();
    if opts.stdin && opts.tty && shell_image(&c) {
        // A shell image run with stdin and a TTY (a debug container, a node shell): its main
        // process is the shell, as busybox's default command is.
        let pod_ok = running(&pod, &cname, rate_of(st, &pod)).is_some();
        if !pod_ok {
            return Err(ApiError::bad_request(format!("container not found (\"{cname}\")")));
        }
        let ctx = Ctx::of(&pod, &c);
        let mut o = opts;
        o.command = vec!["sh".into()];
        return upgrade(st, headers, ext, move |ws, v5| exec::session(ws, ctx, o, v5));
    }
    let run = running(&pod, &cname, rate_of(st, &pod))
        .ok_or_else(|| ApiError::bad_request(format!("container not found (\"{cname}\")")))?;
    let st = st.clone();
    upgrade(&st.clone(), headers, ext, move |ws, _v5| {
        session(ws, st, ns, name, run, opts.tty)
    })
}

/// Whether a container runs a shell image with stdin and a TTY (its main process is then `sh`).
fn shell_image(c: &serde_json::Value) -> bool {
    const SHELLS: [&str; 5] = ["busybox", "alpine", "ubuntu", "debian", "netshoot"];
    let image = c["image"].as_str().unwrap_or_default();
    let repo = image.split([':', '@']).next().unwrap_or(image);
    let last = repo.rsplit('/').next().unwrap_or(repo);
    c["stdin"] == true && c["tty"] == true && SHELLS.contains(&last)
}

/// The running run of a container, regular or ephemeral (None: it does not run).
fn running(pod: &serde_json::Value, container: &str, rate: f64) -> Option<Instance> {
    if let Ok(i) = instance(pod, Some(container), false, rate) {
        return i.finished.is_none().then_some(i);
    }
    // `logs::instance` knows regular and init containers; an ephemeral one is read here.
    let s = pod["status"]["ephemeralContainerStatuses"]
        .as_array()?
        .iter()
        .find(|s| s["name"] == container)?;
    let started: Timestamp = s["state"]["running"]["startedAt"].as_str()?.parse().ok()?;
    let image = s["image"].as_str().unwrap_or_default().to_string();
    Some(Instance {
        pod_uid: pod["metadata"]["uid"].as_str().unwrap_or_default().to_string(),
        container: container.to_string(),
        run: 0,
        started,
        finished: None,
        exit_code: None,
        rate,
        image,
        huge: None,
    })
}

/// What a TTY's line discipline makes of output: `\n` goes out as `\r\n`.
fn onlcr(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

/// What the process writes back for the bytes typed: a TTY echoes each key (enter as a new line);
/// without one the process reads the bytes and prints them again.
pub fn echo(data: &[u8], tty: bool) -> Vec<u8> {
    if !tty {
        return data.to_vec();
    }
    let mut out = Vec::with_capacity(data.len());
    for &b in data {
        match b {
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            _ => out.push(b),
        }
    }
    out
}

async fn session(mut ws: Socket, st: Arc<SimState>, ns: String, name: String, run: Instance, tty: bool) {
    let mut next = run.lines_by(Timestamp::now());
    let mut tick = tokio::time::interval(CHECK);
    loop {
        tokio::select! {
            msg = ws.next() => match msg {
                Some(Ok(Message::Binary(b))) if !b.is_empty() => match (b[0], &b[1..]) {
                    (STDIN, data) if ws.send(frame(STDOUT, &echo(data, tty))).await.is_err() => return,
                    // Stdin closed (v5): the process reads EOF; a log writer goes on writing.
                    _ => {}
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            _ = tick.tick() => {
                let now = Timestamp::now();
                let total = run.lines_by(now);
                if total > next {
                    let text: String = (next..total).map(|i| render(&run, i, &run.line(i), false)).collect();
                    next = total;
                    let bytes = if tty { onlcr(&text) } else { text.into_bytes() };
                    if ws.send(frame(STDOUT, &bytes)).await.is_err() {
                        return;
                    }
                }
                // The process ends with its container: stopped, restarted, or the pod gone.
                let current = st.store.get_value(pods(), &ns, &name);
                let same = current
                    .as_ref()
                    .and_then(|p| running(p, &run.container, run.rate))
                    .is_some_and(|r| r.run == run.run && r.pod_uid == run.pod_uid);
                if !same {
                    let _ = ws.close(Some(normal_close())).await;
                    while let Some(Ok(_)) = ws.next().await {}
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_tty_echoes_keys_and_enter_as_a_new_line() {
        assert_eq!(echo(b"ls\r", true), b"ls\r\n");
        assert_eq!(echo(b"ls\n", false), b"ls\n");
        assert_eq!(onlcr("a\nb\n"), b"a\r\nb\r\n");
    }

    #[test]
    fn an_ephemeral_container_runs_from_its_status() {
        let pod = json!({"metadata": {"name": "p", "uid": "u"},
            "spec": {"containers": [{"name": "app"}], "ephemeralContainers": [{"name": "debugger-x", "image": "busybox:1.36"}]},
            "status": {"ephemeralContainerStatuses": [{"name": "debugger-x", "image": "busybox:1.36",
                "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}});
        let r = running(&pod, "debugger-x", 1.0).unwrap();
        assert_eq!((r.container.as_str(), r.run), ("debugger-x", 0));
        assert!(running(&pod, "app", 1.0).is_none(), "no status: not running");
    }
}
