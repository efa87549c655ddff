//! Port-forwards as plain data: the `F` dialog (local address and ports), the forwards running in
//! the background and what their sessions report. The sessions themselves are in
//! `exec::sessions::portforward`, the `:pf` list in `screens::portforwards`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::action::Action;
use super::effect::{Effect, SessionId, next_session};
use super::nav::text_line;
use super::state::State;
use crate::cluster::Kind;
use crate::cluster::ops::ObjRef;

/// What a pod or Service row shows after its name while a port-forward to it runs.
pub const MARKER: &str = "⇄";

/// Ports one dialog may forward at once (a range is spelt out).
pub const MAX_PORTS: usize = 100;

/// A port the target declares: a container port, or a Service's port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The port number.
    pub port: u16,
    /// Its name ("" when unnamed).
    pub name: String,
    /// The local port offered for it: the same, or the next free one.
    pub local: u16,
}

/// The port-forward dialog.
#[derive(Debug, Clone)]
pub struct PfDialog {
    /// A pod or a Service.
    pub target: ObjRef,
    /// The ports it declares (what the ports field was filled with).
    pub declared: Vec<Declared>,
    /// The local address as typed.
    pub address: TextArea<'static>,
    /// `LOCAL:REMOTE` pairs, single ports and ranges, comma-separated, as typed.
    pub ports: TextArea<'static>,
    /// Typing goes to the ports field (else the address).
    pub on_ports: bool,
    /// What was wrong with the last `enter`.
    pub error: Option<String>,
    /// The forward this dialog changes (`e` in `:pf`), stopped when the new one starts.
    pub editing: Option<SessionId>,
}

/// What a forward session is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PfSpec {
    /// Its session number (its row in `:pf`).
    pub id: SessionId,
    /// A pod or a Service.
    pub target: ObjRef,
    /// Where to listen.
    pub local: SocketAddr,
    /// The pod's port, or the Service's port (resolved to its target port on a ready pod).
    pub remote: u16,
}

/// A forward's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes from the pod to the local clients.
    pub bytes_in: u64,
    /// Bytes from the local clients to the pod.
    pub bytes_out: u64,
    /// Connections open now.
    pub open: u64,
    /// Connections accepted so far.
    pub total: u64,
    /// Connections that failed (refused upgrade, the port's error channel).
    pub errors: u64,
}

/// What a forward session says.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// Listening there (the port the system chose when 0 was asked).
    Listening(SocketAddr),
    /// This pod (and its port) serves the connections from now on.
    Serving(String, u16),
    /// The counters now.
    Stats(Stats),
    /// A connection failed: why.
    Error(String),
    /// It ended, saying why (an error, or stopped).
    Ended {
        /// Why, in words.
        message: String,
        /// It ended badly.
        error: bool,
    },
}

/// A forward running in the background: a row of `:pf`.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// What it was asked to do.
    pub spec: PfSpec,
    /// Where it listens, once it does.
    pub bound: Option<SocketAddr>,
    /// The pod and port now serving.
    pub pod: Option<(String, u16)>,
    /// Its counters.
    pub stats: Stats,
    /// The last connection error.
    pub last_error: Option<String>,
    /// Started (Unix seconds).
    pub since: i64,
}

impl Forward {
    /// `127.0.0.1:8080` (the bound port once known).
    pub fn local(&self) -> String {
        self.bound.unwrap_or(self.spec.local).to_string()
    }

    /// `svc/shop/web:80`.
    pub fn remote(&self) -> String {
        let t = &self.spec.target;
        let kind = if t.kind == Kind::Service { "svc" } else { "pod" };
        format!("{kind}/{}/{}:{}", t.namespace, t.name, self.spec.remote)
    }
}

/// One `LOCAL:REMOTE` pair of the ports field: local 0 lets the system choose.
pub type Pair = (u16, u16);

fn port(word: &str, what: &str, zero_ok: bool) -> Result<u16, String> {
    let w = word.trim();
    if w.is_empty() || !w.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{what} port {w:?} is not a number"));
    }
    match w.parse::<u32>() {
        Ok(0) if zero_ok => Ok(0),
        Ok(n @ 1..=65535) => Ok(n as u16),
        _ => Err(format!("{what} port {w} is out of range: 1 to 65535")),
    }
}

/// Reads the ports field: `8080:80` (local:remote), `9090` (the same both sides), `:80` or `0:80`
/// (a local port the system chooses, as kubectl), `8000-8010` (a range, the same both sides),
/// comma-separated.
pub fn parse_ports(text: &str) -> Result<Vec<Pair>, String> {
    let mut out: Vec<Pair> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if let Some((a, b)) = item.split_once('-') {
            let (a, b) = (port(a, "range start", false)?, port(b, "range end", false)?);
            if b < a {
                return Err(format!("range {item} runs backwards"));
            }
            out.extend((a..=b).map(|p| (p, p)).take(MAX_PORTS + 1));
        } else if let Some((l, r)) = item.split_once(':') {
            let local = if l.trim().is_empty() {
                0
            } else {
                port(l, "local", true)?
            };
            out.push((local, port(r, "remote", false)?));
        } else {
            let p = port(item, "remote", false)?;
            out.push((p, p));
        }
        if out.len() > MAX_PORTS {
            return Err(format!("at most {MAX_PORTS} ports at once"));
        }
    }
    if out.is_empty() {
        return Err("no port given: type e.g. 8080:80, 9090 or 8000-8002".into());
    }
    let mut locals: Vec<u16> = out.iter().map(|p| p.0).filter(|&l| l != 0).collect();
    locals.sort_unstable();
    if let Some(w) = locals.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("local port {} is given twice", w[0]));
    }
    Ok(out)
}

/// Reads the address field: an IP address, or `localhost`.
pub fn parse_address(text: &str) -> Result<IpAddr, String> {
    let t = text.trim();
    if t.is_empty() || t == "localhost" {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    t.parse()
        .map_err(|_| format!("address {t:?} is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1)"))
}

/// What the ports field starts with: each declared port, its local one in front when it differs.
pub fn ports_text(declared: &[Declared]) -> String {
    let pair = |d: &Declared| match d.local == d.port {
        true => d.port.to_string(),
        false => format!("{}:{}", d.local, d.port),
    };
    declared.iter().map(pair).collect::<Vec<_>>().join(",")
}

/// `F` on a pod, a container row or a Service: read its ports first (the dialog opens with them).
pub fn open(state: &mut State, target: Option<ObjRef>, container: Option<String>) -> Vec<Effect> {
    if state.safety.readonly {
        state.toast(super::workload::readonly_refusal(Action::PortForward.describe()), true);
        return vec![];
    }
    match target {
        Some(target) if matches!(target.kind, Kind::Pod | Kind::Service) => {
            vec![Effect::PortForwardInfo { target, container }]
        }
        Some(t) => {
            state.toast(
                format!("port-forward works on pods and services, not {}", t.kind.plural()),
                true,
            );
            vec![]
        }
        None => vec![],
    }
}

/// The dialog, filled with what the target declares.
pub fn dialog(target: ObjRef, declared: Vec<Declared>) -> PfDialog {
    PfDialog {
        target,
        address: text_line("127.0.0.1"),
        ports: text_line(&ports_text(&declared)),
        declared,
        on_ports: true,
        error: None,
        editing: None,
    }
}

/// A key in the dialog (esc was handled): `tab` switches fields, `enter` starts the forwards.
pub fn on_key(state: &mut State, mut d: Box<PfDialog>, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => d.on_ports = !d.on_ports,
        KeyCode::Enter => match submit(&d) {
            Ok(specs) => {
                let mut effects: Vec<Effect> = d
                    .editing
                    .map(|id| Effect::StopPortForwards(vec![id]))
                    .into_iter()
                    .collect();
                for spec in specs {
                    state.forwards.retain(|f| Some(f.spec.id) != d.editing);
                    state.forwards.push(Forward {
                        spec: spec.clone(),
                        bound: None,
                        pod: None,
                        stats: Stats::default(),
                        last_error: None,
                        since: jiff::Timestamp::now().as_second(),
                    });
                    effects.push(Effect::PortForward(Box::new(spec)));
                }
                return effects;
            }
            Err(e) => d.error = Some(e),
        },
        _ => {
            let field = if d.on_ports { &mut d.ports } else { &mut d.address };
            field.input(key);
            d.error = None;
        }
    }
    state.dialog = Some(super::dialog::Dialog::PortForward(d));
    vec![]
}

/// The forwards the dialog asks for, or what is wrong with what was typed.
pub fn submit(d: &PfDialog) -> Result<Vec<PfSpec>, String> {
    let ip = parse_address(&d.address.lines().join(""))?;
    let pairs = parse_ports(&d.ports.lines().join(""))?;
    if d.editing.is_some() && pairs.len() != 1 {
        return Err("a forward has one port: type LOCAL:REMOTE".into());
    }
    Ok(pairs
        .into_iter()
        .map(|(local, remote)| PfSpec {
            id: next_session(),
            target: d.target.clone(),
            local: SocketAddr::new(ip, local),
            remote,
        })
        .collect())
}

/// `e` in `:pf`: the dialog on one forward, to change where it listens.
pub fn edit(state: &mut State, id: SessionId) {
    let Some(f) = state.forwards.iter().find(|f| f.spec.id == id) else {
        return;
    };
    let local = f.bound.unwrap_or(f.spec.local);
    let mut d = dialog(f.spec.target.clone(), Vec::new());
    d.address = text_line(&local.ip().to_string());
    d.ports = text_line(&format!("{}:{}", local.port(), f.spec.remote));
    d.editing = Some(id);
    state.dialog = Some(super::dialog::Dialog::PortForward(Box::new(d)));
}

/// What a forward session said.
pub fn report(state: &mut State, id: SessionId, report: Report) {
    let Some(i) = state.forwards.iter().position(|f| f.spec.id == id) else {
        return;
    };
    let f = &mut state.forwards[i];
    match report {
        Report::Listening(addr) => f.bound = Some(addr),
        Report::Serving(pod, port) => {
            let moved = f.pod.as_ref().is_some_and(|(p, _)| *p != pod);
            let text = format!("port-forward {} → {} now served by pod {pod}", f.local(), f.remote());
            f.pod = Some((pod, port));
            if moved {
                state.toast(text, false);
            }
        }
        Report::Stats(s) => f.stats = s,
        Report::Error(e) => f.last_error = Some(e),
        Report::Ended { message, error } => {
            state.forwards.remove(i);
            state.toast(message, error);
        }
    }
}

/// The namespace/name of every pod or Service with a forward of `kind` (the tables' marker).
pub fn forwarded(state: &State, kind: Kind) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    for f in &state.forwards {
        if f.spec.target.kind == kind {
            out.push((f.spec.target.namespace.as_str(), f.spec.target.name.as_str()));
        }
        // A Service's forward is served by a pod, which is marked too.
        if kind == Kind::Pod
            && f.spec.target.kind == Kind::Service
            && let Some((pod, _)) = &f.pod
        {
            out.push((f.spec.target.namespace.as_str(), pod.as_str()));
        }
    }
    out
}

/// Forwards for the tests of the screens that show them.
#[cfg(test)]
pub mod tests_support {
    use super::*;

    /// Two forwards on `state`: a pod's with traffic, a Service's with an error.
    pub fn forwards(state: &mut State) {
        let pod = ObjRef::new(Kind::Pod, "shop", "web-1");
        let svc = ObjRef::new(Kind::Service, "shop", "web");
        for (i, (target, local, remote)) in [(pod, 8080, 8080), (svc, 9090, 80)].into_iter().enumerate() {
            let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), local);
            state.forwards.push(Forward {
                spec: PfSpec {
                    id: 9000 + i as u64,
                    target,
                    local: addr,
                    remote,
                },
                bound: Some(addr),
                pod: Some((if i == 0 { "web-1" } else { "web-2" }.into(), 8080)),
                stats: Stats {
                    bytes_in: 123_456 * (1 - i as u64),
                    bytes_out: 2048,
                    open: 1,
                    total: 100 * (1 - i as u64) + 1,
                    errors: i as u64,
                },
                last_error: (i == 1).then(|| "connection refused".to_string()),
                since: jiff::Timestamp::now().as_second() - 90,
            });
        }
    }
}
