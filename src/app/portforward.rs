//! Port-forwarding on the pure side: `F` (the ports read first, then the dialog), the dialog's keys,
//! `:pf`'s edit, the sessions' reports, and which rows carry the marker. The data is in
//! `forwards.rs`, the sessions in `exec::sessions::portforward`, the `:pf` list in
//! `screens::portforwards`.

use std::net::SocketAddr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::dialog::Dialog;
use super::effect::{Effect, SessionId, next_session};
pub use super::forwards::*;
use super::nav::text_line;
use super::state::State;
use crate::cluster::Kind;
use crate::cluster::ops::ObjRef;

/// `F` on a pod, a container row or a Service: read its ports first (the dialog opens with them).
pub fn open(state: &mut State, target: Option<ObjRef>, container: Option<String>) -> Vec<Effect> {
    if state.safety.readonly {
        let refusal = super::workload::readonly_refusal(Action::PortForward.describe());
        state.toast(refusal, true);
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

/// A key while the dialog is open: `tab` switches fields, `enter` starts the forwards, `esc` closes.
pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Dialog::PortForward(mut d)) = state.dialog.take() else {
        return vec![];
    };
    if key.code == KeyCode::Esc || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)) {
        return vec![];
    }
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
    state.dialog = Some(Dialog::PortForward(d));
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
    state.dialog = Some(Dialog::PortForward(Box::new(d)));
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
    use std::net::{IpAddr, Ipv4Addr};

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
