//! `pods/portforward` over WebSocket, as the kubelet serves it behind the API server to kube-rs and
//! kubectl's WebSocket client: subprotocol `v4.channel.k8s.io`, two channels per port asked for (in
//! the order of the `ports` query: data `2i`, error `2i+1`), the first message on each carrying the
//! port as two bytes little-endian, then data both ways with the channel byte in front. Each TCP
//! container port of a running pod answers with [`Responder`]; a port nothing listens on gets the
//! runtime's words on its error channel. kubectl's SPDY-in-WebSocket tunnelling
//! (`SPDY/3.1+portforward.k8s.io`) is not simulated.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Extensions, HeaderMap};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::protocol::Message;

use super::exec::{Upgraded, accept, frame, normal_close, spawn_upgraded};
use super::http_responder::Responder;
use super::request::{SimState, Target};
use super::status::ApiError;
use super::store::pods;

/// The kubelet's WebSocket port-forward speaks this one (kube-rs offers v5 and v4).
const PROTOCOLS: [&str; 1] = ["v4.channel.k8s.io"];

/// The largest data message sent: the kubelet copies through a 32 KiB buffer.
const CHUNK: usize = 32 << 10;

/// The ports of the `ports` query (repeated or comma-separated), or the kubelet's complaint.
pub fn parse_ports(raw: Option<&str>) -> Result<Vec<u16>, String> {
    let pairs: Vec<(String, String)> = raw.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    let mut ports = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "ports") {
        for p in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let n: u16 = p
                .parse()
                .map_err(|e| format!("unable to parse \"{p}\" as a port: {e}"))?;
            if n == 0 {
                return Err(format!("port \"{p}\" must be > 0"));
            }
            ports.push(n);
        }
    }
    if ports.is_empty() {
        return Err("query parameter \"port\" is required".into());
    }
    Ok(ports)
}

/// Whether a TCP container port `port` is declared by one of the pod's containers (what listens).
fn listens(pod: &Value, port: u16) -> bool {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .any(|p| {
            p["containerPort"].as_u64() == Some(u64::from(port)) && p["protocol"].as_str().unwrap_or("TCP") == "TCP"
        })
}

/// containerd's words when nothing listens on the port inside the pod's network namespace.
pub fn refused(pod: &Value, port: u16) -> String {
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
    let netns = format!("/var/run/netns/cni-{}", uid.get(..8).unwrap_or(uid));
    format!(
        "error forwarding port {port} to pod {uid}, uid : failed to execute portforward in network namespace \"{netns}\": failed to connect to localhost:{port} inside namespace \"{uid}\", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused "
    )
}

/// Serves a `pods/NAME/portforward` request: the checks, then the upgrade and the session (an error
/// is answered as the real server answers it).
pub fn serve(
    st: &Arc<SimState>,
    t: &Target,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    ext: &mut Extensions,
) -> Result<Response, ApiError> {
    let pod = super::exec::target_pod(st, t)?;
    let name = t.name.clone().unwrap_or_default();
    let ports = parse_ports(raw_query).map_err(ApiError::bad_request)?;
    if pod["spec"]["nodeName"].as_str().unwrap_or("").is_empty() {
        return Err(ApiError::bad_request(format!(
            "pod {name} does not have a host assigned"
        )));
    }
    let phase = pod["status"]["phase"].as_str().unwrap_or("Unknown");
    if phase != "Running" {
        // The pod's sandbox has no network namespace to dial into.
        return Err(ApiError::bad_request(format!(
            "unable to forward port because pod is not running. Current status={phase}"
        )));
    }
    let (response, on_upgrade, _) = accept(headers, ext, &PROTOCOLS)?;
    let st2 = st.clone();
    spawn_upgraded(st, on_upgrade, move |ws| session(ws, st2, pod, ports));
    Ok(response)
}

async fn session(ws: Upgraded, st: Arc<SimState>, pod: Value, ports: Vec<u16>) {
    let (mut tx, mut rx) = ws.split();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
    let uid = pod["metadata"]["uid"].clone();
    let mut responders: Vec<Option<Responder>> = Vec::new();
    for (i, &port) in ports.iter().enumerate() {
        let ch = (2 * i) as u8;
        let le = port.to_le_bytes();
        if tx.send(frame(ch, &le)).await.is_err() || tx.send(frame(ch + 1, &le)).await.is_err() {
            return;
        }
        if listens(&pod, port) {
            responders.push(Some(Responder::new(&name)));
        } else {
            responders.push(None);
            let _ = tx.send(frame(ch + 1, refused(&pod, port).as_bytes())).await;
        }
    }
    // The pod going (deleted, or replaced under its name) takes its network namespace with it.
    let mut check = tokio::time::interval(Duration::from_millis(200));
    loop {
        let msg = tokio::select! {
            m = rx.next() => m,
            _ = check.tick() => {
                let same = st.store.get_value(pods(), &ns, &name).is_some_and(|p| p["metadata"]["uid"] == uid);
                if same { continue }
                let _ = tx.send(Message::Close(Some(normal_close()))).await;
                return;
            }
        };
        let Some(Ok(msg)) = msg else { return };
        match msg {
            Message::Binary(b) if b.len() > 1 && b[0] % 2 == 0 => {
                let i = usize::from(b[0] / 2);
                let Some(Some(r)) = responders.get_mut(i) else { continue };
                let reply = r.feed(&b[1..]);
                for chunk in reply.out.chunks(CHUNK) {
                    if tx.send(frame(b[0], chunk)).await.is_err() {
                        return;
                    }
                }
                if reply.close {
                    // The connection inside the pod is closed: nothing more answers on it.
                    responders[i] = None;
                }
            }
            Message::Close(_) => {
                let _ = tx.send(Message::Close(Some(normal_close()))).await;
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ports_come_repeated_or_comma_separated_and_bad_ones_are_named() {
        assert_eq!(parse_ports(Some("ports=80%2C1234")), Ok(vec![80, 1234]));
        assert_eq!(parse_ports(Some("ports=80&ports=81")), Ok(vec![80, 81]));
        assert_eq!(
            parse_ports(Some("")),
            Err("query parameter \"port\" is required".into())
        );
        assert!(
            parse_ports(Some("ports=http"))
                .unwrap_err()
                .starts_with("unable to parse \"http\" as a port")
        );
        assert_eq!(parse_ports(Some("ports=0")), Err("port \"0\" must be > 0".into()));
    }

    #[test]
    fn only_declared_tcp_ports_listen() {
        let pod = json!({"metadata": {"uid": "0123456789"}, "spec": {"containers": [{"ports": [
            {"containerPort": 8080}, {"containerPort": 53, "protocol": "UDP"}]}]}});
        assert!(listens(&pod, 8080) && !listens(&pod, 53) && !listens(&pod, 9));
        assert!(refused(&pod, 9).contains("dial tcp4 127.0.0.1:9: connect: connection refused"));
    }
}
