//! Port-forwards as plain data: the dialog's fields, what a forward session is asked and says,
//! the forwards running (`:pf`'s rows), and the reading of what is typed. The update functions are
//! in `portforward.rs`, the sessions in `exec::sessions::portforward`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use ratatui_textarea::TextArea;

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
    pub editing: Option<u64>,
}

/// What a forward session is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PfSpec {
    /// Its session number (its row in `:pf`).
    pub id: u64,
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
