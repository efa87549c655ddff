//! `pods/exec` over WebSocket, as the API server streams it since kubectl 1.31: the
//! `v5.channel.k8s.io` subprotocol (or `v4.channel.k8s.io`), one channel byte before each binary
//! message (0 stdin, 1 stdout, 2 stderr, 3 error: a `Status` with the exit code, 4 resize: JSON
//! `{"Width","Height"}`, and v5's 255 to close a stream). The container runs [`Shell`].

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Message, Role};

use super::exec_shell::{Ctx, Output, Shell};
use super::request::{SimState, Target};
use super::status::ApiError;
use super::store::pods;

pub(crate) const STDIN: u8 = 0;
pub(crate) const STDOUT: u8 = 1;
pub(crate) const STDERR: u8 = 2;
pub(crate) const ERROR: u8 = 3;
pub(crate) const RESIZE: u8 = 4;
pub(crate) const CLOSE: u8 = 255;

/// The exec options of a request (`command` repeats, so the raw query is parsed here).
#[derive(Debug, Default, PartialEq)]
pub struct ExecOpts {
    /// `container`.
    pub container: Option<String>,
    /// `command`, in order.
    pub command: Vec<String>,
    /// `stdin`.
    pub stdin: bool,
    /// `tty`.
    pub tty: bool,
}

impl ExecOpts {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs: Vec<(String, String)> = raw.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
        let mut o = ExecOpts::default();
        for (k, v) in pairs {
            let yes = v == "true" || v == "1";
            match k.as_str() {
                "container" => o.container = Some(v),
                "command" => o.command.push(v),
                "stdin" => o.stdin = yes,
                "tty" => o.tty = yes,
                _ => {}
            }
        }
        o
    }
}

/// The subprotocol the server picks from a client's `Sec-WebSocket-Protocol` list: the first of
/// its own `protocols` (in its order of preference) that the client offers.
pub fn pick_protocol(offered: &str, protocols: &[&'static str]) -> Option<&'static str> {
    let list: Vec<&str> = offered.split(',').map(str::trim).collect();
    protocols.iter().copied().find(|p| list.contains(p))
}

/// What exec speaks, preferred first.
const EXEC_PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// The Status sent on the error channel when the process exits with `code`.
pub fn exit_status(command: &[String], code: i32) -> Value {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!(
            "command terminated with non-zero exit code: error executing command [{}], exit code {code}",
            command.join(" ")
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
    })
}

/// The Status containerd's runtime answers when the executable is not in the image.
pub fn missing_executable(exe: &str) -> Value {
    let m = format!(
        "error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: \"{exe}\": executable file not found in $PATH: unknown"
    );
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!("Internal error occurred: {m}"),
        "reason": "InternalError",
        "details": {"causes": [{"message": m}]},
        "code": 500,
    })
}

/// Finds the container to exec in or attach to (ephemeral containers too), or the error the API
/// server (or the kubelet behind it) answers.
pub(crate) fn container(pod: &Value, wanted: Option<&str>) -> Result<Value, ApiError> {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let list = |f: &str| pod["spec"][f].as_array().cloned().unwrap_or_default();
    let spec = list("containers");
    let names: Vec<&str> = spec.iter().filter_map(|c| c["name"].as_str()).collect();
    let wanted = match wanted {
        Some(w) => w.to_string(),
        None if names.len() == 1 => names[0].to_string(),
        None => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            )));
        }
    };
    let ephemeral = list("ephemeralContainers");
    let Some(c) = spec.iter().chain(&ephemeral).find(|c| c["name"] == wanted.as_str()) else {
        return Err(ApiError::bad_request(format!(
            "container {wanted} is not valid for pod {name}"
        )));
    };
    if pod["spec"]["nodeName"].as_str().unwrap_or("").is_empty() {
        return Err(ApiError::bad_request(format!(
            "pod {name} does not have a host assigned"
        )));
    }
    let running = ["containerStatuses", "ephemeralContainerStatuses"]
        .iter()
        .flat_map(|f| pod["status"][f].as_array().into_iter().flatten())
        .any(|s| s["name"] == wanted.as_str() && s["state"]["running"].is_object());
    if !running {
        // The kubelet's words; kubectl shows them after "unable to upgrade connection: ".
        return Err(ApiError::bad_request(format!("container not found (\"{wanted}\")")));
    }
    Ok(c.clone())
}

/// The pod a `pods/NAME/…` subresource request names, or the real server's 404.
pub fn target_pod(st: &Arc<SimState>, t: &Target) -> Result<Value, ApiError> {
    let (ns, name) = (t.ns.clone().unwrap_or_default(), t.name.clone().unwrap_or_default());
    st.store
        .get_value(pods(), &ns, &name)
        .ok_or_else(|| ApiError::not_found(t.res.def(), &name))
}

/// Serves a `pods/NAME/exec` request: the checks, then the upgrade and the session (an error
/// is answered as the real server answers it).
pub fn serve(
    st: &Arc<SimState>,
    t: &Target,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    ext: &mut Extensions,
) -> Result<Response, ApiError> {
    let pod = target_pod(st, t)?;
    let opts = ExecOpts::parse(raw_query);
    if opts.command.is_empty() {
        return Err(ApiError::bad_request("you must specify at least 1 command"));
    }
    let c = container(&pod, opts.container.as_deref())?;
    let (response, on_upgrade, protocol) = accept(headers, ext, &EXEC_PROTOCOLS)?;
    let ctx = Ctx::of(&pod, &c);
    spawn_upgraded(st, on_upgrade, move |ws| {
        session(ws, ctx, opts, protocol == "v5.channel.k8s.io")
    });
    Ok(response)
}

/// The upgraded connection a session runs on.
pub type Upgraded = WebSocketStream<hyper_util::rt::TokioIo<hyper::upgrade::Upgraded>>;

/// Checks a WebSocket upgrade request and answers it (101 with the subprotocol picked from
/// `protocols`, in the server's order of preference); the connection comes with the upgrade.
pub fn accept(
    headers: &HeaderMap,
    ext: &mut Extensions,
    protocols: &[&'static str],
) -> Result<(Response, hyper::upgrade::OnUpgrade, &'static str), ApiError> {
    let header = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok()).unwrap_or("");
    let key = header(header::SEC_WEBSOCKET_KEY);
    if !header(header::UPGRADE).eq_ignore_ascii_case("websocket") || key.is_empty() {
        // SPDY (kubectl before 1.31 without its WebSocket fallback) is not simulated.
        return Err(ApiError::bad_request("Upgrade request required"));
    }
    let Some(protocol) = pick_protocol(header(header::SEC_WEBSOCKET_PROTOCOL), protocols) else {
        return Err(ApiError::bad_request(format!(
            "unable to upgrade: the demo cluster speaks {} only",
            protocols.join(" and ")
        )));
    };
    let on_upgrade = ext
        .remove::<hyper::upgrade::OnUpgrade>()
        .ok_or_else(|| ApiError::internal("connection cannot be upgraded"))?;
    let accept = derive_accept_key(key.as_bytes());
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = r.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(header::SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(protocol));
    h.insert(
        header::SEC_WEBSOCKET_ACCEPT,
        HeaderValue::from_str(&accept).map_err(|e| ApiError::internal(e.to_string()))?,
    );
    Ok((r, on_upgrade, protocol))
}

/// Runs `session` on the connection once upgraded, until it ends, the server stops or restarts.
pub fn spawn_upgraded<F, Fut>(st: &Arc<SimState>, on_upgrade: hyper::upgrade::OnUpgrade, session: F)
where
    F: FnOnce(Upgraded) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let shutdown = st.shutdown.clone();
    let mut restarts = st.faults.restarts();
    tokio::spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(u) => u,
            Err(e) => return tracing::debug!("upgrade failed: {e}"),
        };
        let io = hyper_util::rt::TokioIo::new(upgraded);
        let ws = WebSocketStream::from_raw_socket(io, Role::Server, None).await;
        tokio::select! {
            _ = session(ws) => {}
            // The server stopping drops the connection, as a broken one would.
            _ = shutdown.cancelled() => {}
            // A restart cuts every connection; an upgraded one is no longer read by the server's
            // HTTP layer, so it is ended here.
            _ = restarts.changed() => {}
        }
    });
}

/// The upgraded connection a channel session runs on (attach's name for it).
pub(crate) type Socket = Upgraded;

/// Answers a WebSocket upgrade with a channel subprotocol (v5 preferred, v4 accepted) and runs
/// `run` on the upgraded connection (told whether it speaks v5) until it ends, the server stops or
/// restarts.
pub(crate) fn upgrade<F, Fut>(
    st: &Arc<SimState>,
    headers: &HeaderMap,
    ext: &mut Extensions,
    run: F,
) -> Result<Response, ApiError>
where
    F: FnOnce(Socket, bool) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let (response, on_upgrade, protocol) = accept(headers, ext, &EXEC_PROTOCOLS)?;
    spawn_upgraded(st, on_upgrade, move |ws| run(ws, protocol == "v5.channel.k8s.io"));
    Ok(response)
}

/// A message on one channel.
pub fn frame(channel: u8, data: &[u8]) -> Message {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(channel);
    v.extend_from_slice(data);
    Message::Binary(v.into())
}

/// A normal closure (1000): kubectl's WebSocket client reads a close without a code as an error.
pub fn normal_close() -> CloseFrame {
    CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    }
}

/// What a resize message asks for: (width, height).
pub fn parse_resize(data: &[u8]) -> Option<(u16, u16)> {
    let v: Value = serde_json::from_slice(data).ok()?;
    Some((v["Width"].as_u64()? as u16, v["Height"].as_u64()? as u16))
}

/// Runs the command of `opts` in the container `ctx` on an upgraded connection.
pub(crate) async fn session<S>(mut ws: WebSocketStream<S>, ctx: Ctx, opts: ExecOpts, v5: bool)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let exe = opts.command[0].clone();
    let mut outs = Vec::new();
    let mut shell = None;
    if !ctx.image.has(&exe) {
        let _ = ws
            .send(frame(ERROR, missing_executable(&exe).to_string().as_bytes()))
            .await;
        let _ = ws.close(Some(normal_close())).await;
        return;
    }
    let base = exe.rsplit('/').next().unwrap_or(&exe);
    let tty = opts.tty;
    if base == "sh" || base == "bash" {
        let mut sh = Shell::new(ctx, &exe, tty);
        match opts.command.iter().position(|a| a == "-c") {
            Some(i) => outs.push(sh.script(opts.command.get(i + 1).map_or("", String::as_str))),
            None if opts.stdin => {
                outs.push(sh.start());
                shell = Some(sh);
            }
            None => outs.push(sh.eof()),
        }
    } else {
        let mut sh = Shell::new(ctx.clone(), "sh", tty);
        outs.push(sh.program(&opts.command));
    }
    loop {
        for out in outs.drain(..) {
            if let Some(code) = send_output(&mut ws, out, tty).await {
                let _ = ws
                    .send(frame(ERROR, exit_status(&opts.command, code).to_string().as_bytes()))
                    .await;
                let _ = ws.close(Some(normal_close())).await;
                // Drain until the client acknowledges the close, so it reads every frame first.
                while let Some(Ok(_)) = ws.next().await {}
                return;
            }
        }
        let Some(sh) = shell.as_mut() else { return };
        let msg = match ws.next().await {
            Some(Ok(m)) => m,
            // The client went away: the process would get SIGHUP.
            _ => return,
        };
        match msg {
            Message::Binary(b) if !b.is_empty() => match (b[0], &b[1..]) {
                (STDIN, data) => outs.push(sh.feed(data)),
                (RESIZE, data) => {
                    if let Some((w, h)) = parse_resize(data) {
                        sh.resize(w, h);
                    }
                }
                (CLOSE, [STDIN]) if v5 => outs.push(sh.eof()),
                _ => {}
            },
            Message::Close(_) => return,
            _ => {}
        }
    }
}

/// Sends a shell's output; its exit code when it exited.
async fn send_output<S>(ws: &mut WebSocketStream<S>, out: Output, tty: bool) -> Option<i32>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if !out.stdout.is_empty() {
        let _ = ws.send(frame(STDOUT, &out.stdout)).await;
    }
    if !out.stderr.is_empty() {
        // A TTY has one output stream; the shell has merged stderr already.
        let _ = ws.send(frame(if tty { STDOUT } else { STDERR }, &out.stderr)).await;
    }
    out.exit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_keep_every_command_word_in_order() {
        let o = ExecOpts::parse(Some(
            "command=sh&command=-c&command=echo+hi&container=web&stdin=true&tty=1&stdout=true",
        ));
        assert_eq!(o.command, ["sh", "-c", "echo hi"]);
        assert_eq!((o.container.as_deref(), o.stdin, o.tty), (Some("web"), true, true));
    }

    #[test]
    fn v5_is_preferred_and_v4_accepted() {
        assert_eq!(
            pick_protocol("v5.channel.k8s.io, v4.channel.k8s.io", &EXEC_PROTOCOLS),
            Some("v5.channel.k8s.io")
        );
        assert_eq!(
            pick_protocol("v4.channel.k8s.io,channel.k8s.io", &EXEC_PROTOCOLS),
            Some("v4.channel.k8s.io")
        );
        assert_eq!(pick_protocol("base64.channel.k8s.io", &EXEC_PROTOCOLS), None);
    }

    #[test]
    fn statuses_carry_the_exit_code_as_kubectl_reads_it() {
        let s = exit_status(&["sh".into()], 3);
        assert_eq!(s["details"]["causes"][0]["reason"], "ExitCode");
        assert_eq!(s["details"]["causes"][0]["message"], "3");
        assert_eq!(exit_status(&[], 0)["status"], "Success");
        assert!(
            missing_executable("bash")["message"]
                .as_str()
                .unwrap()
                .contains("executable file not found in $PATH")
        );
        assert_eq!(parse_resize(br#"{"Width":120,"Height":40}"#), Some((120, 40)));
        assert_eq!(frame(RESIZE, b"x"), Message::Binary(vec![4, b'x'].into()));
    }

    #[test]
    fn a_pod_not_running_answers_as_the_kubelet_does() {
        let mut pod = json!({"metadata": {"name": "web-1"}, "spec": {"nodeName": "n1",
            "containers": [{"name": "web"}, {"name": "side"}]},
            "status": {"containerStatuses": [{"name": "web", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        let msg = |r: Result<Value, ApiError>| r.err().map(|e| e.message);
        assert_eq!(
            msg(container(&pod, Some("web"))).unwrap(),
            "container not found (\"web\")"
        );
        assert!(
            msg(container(&pod, None))
                .unwrap()
                .contains("choose one of: [web side]")
        );
        assert_eq!(
            msg(container(&pod, Some("x"))).unwrap(),
            "container x is not valid for pod web-1"
        );
        pod["spec"]["nodeName"] = json!("");
        assert_eq!(
            msg(container(&pod, Some("web"))).unwrap(),
            "pod web-1 does not have a host assigned"
        );
    }
}
