//! Key-flow tests of port-forwarding on the pure `update`: `F` on pods, containers and Services,
//! the dialog's fields and its words for bad input (the text kept), `:pf`'s stop and edit, reports,
//! read-only; and the `:pf` screen drawn.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::dialog::Dialog;
use super::effect::Effect;
use super::event::Input;
use super::portforward::{Declared, PfDialog, Report, Stats, parse_address, parse_ports, tests_support};
use super::state::State;
use super::table::Row;
use super::update::{key, update};
use crate::cluster::ops::ObjRef;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::test_util::{self, draw, text};

fn on(kind: Kind, readonly: bool) -> State {
    let mut s = test_util::connected("prod", "shop", readonly);
    let rows = ["web-1", "web"]
        .iter()
        .map(|n| Row {
            key: n.to_string(),
            namespace: "shop".into(),
            name: n.to_string().into(),
            ..Default::default()
        })
        .collect();
    test_util::show(&mut s, kind, Scope::Namespace("shop".into()), rows, WatchStatus::Ready);
    s
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(s, key(KeyCode::Char(c)))).collect()
}

fn dialog(s: &State) -> &PfDialog {
    match &s.dialog {
        Some(Dialog::PortForward(d)) => d,
        other => panic!("no port-forward dialog: {other:?}"),
    }
}

fn field(ta: &ratatui_textarea::TextArea<'static>) -> String {
    ta.lines().join("")
}

fn info(s: &mut State, target: ObjRef, declared: Vec<Declared>) {
    update(
        s,
        Input::PortForwardInfo {
            target,
            result: Ok(declared),
        },
    );
}

fn clear(s: &mut State) {
    for _ in 0..20 {
        update(s, key(KeyCode::Backspace));
    }
}

#[test]
fn f_reads_the_ports_then_the_dialog_offers_them_and_starts_one_forward_per_pair() {
    let mut s = on(Kind::Pod, false);
    let pod = ObjRef::new(Kind::Pod, "shop", "web");
    assert_eq!(
        typed(&mut s, "F"),
        [Effect::PortForwardInfo {
            target: pod.clone(),
            container: None
        }]
    );
    let declared = vec![
        Declared {
            port: 8080,
            name: "http".into(),
            local: 8080,
        },
        Declared {
            port: 9090,
            name: "metrics".into(),
            local: 9091,
        },
    ];
    info(&mut s, pod.clone(), declared);
    assert_eq!(field(&dialog(&s).address), "127.0.0.1");
    assert_eq!(
        field(&dialog(&s).ports),
        "8080,9091:9090",
        "the next free local port when taken"
    );
    let effects = update(&mut s, key(KeyCode::Enter));
    let specs: Vec<(String, u16)> = effects
        .iter()
        .map(|e| match e {
            Effect::PortForward(spec) => (spec.local.to_string(), spec.remote),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        specs,
        [("127.0.0.1:8080".into(), 8080), ("127.0.0.1:9091".into(), 9090)]
    );
    assert_eq!(s.forwards.len(), 2);
    assert!(s.dialog.is_none());
}

#[test]
fn bad_ports_and_addresses_are_named_and_the_text_is_kept() {
    let mut s = on(Kind::Service, false);
    let svc = ObjRef::new(Kind::Service, "shop", "web-1");
    info(&mut s, svc, vec![]);
    assert_eq!(field(&dialog(&s).ports), "");
    for (typed_text, words) in [
        ("80x", "remote port \"80x\" is not a number"),
        ("70000", "remote port 70000 is out of range: 1 to 65535"),
        ("9000-8000", "range 9000-8000 runs backwards"),
        ("1-200", "at most 100 ports at once"),
        ("8080:80,8080:81", "local port 8080 is given twice"),
        ("", "no port given"),
    ] {
        clear(&mut s);
        assert!(typed(&mut s, typed_text).is_empty());
        assert!(update(&mut s, key(KeyCode::Enter)).is_empty(), "{typed_text}");
        let d = dialog(&s);
        assert!(
            d.error.as_deref().unwrap_or("").contains(words),
            "{typed_text}: {:?}",
            d.error
        );
        assert_eq!(field(&d.ports), typed_text, "the text stays to be corrected");
    }
    // Typing clears the error; tab goes to the address field.
    clear(&mut s);
    typed(&mut s, "8000-8002");
    assert!(dialog(&s).error.is_none());
    update(&mut s, key(KeyCode::Tab));
    clear(&mut s);
    typed(&mut s, "localhost:1");
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(
        dialog(&s)
            .error
            .as_deref()
            .unwrap()
            .contains("address \"localhost:1\" is not an IP address")
    );
    clear(&mut s);
    typed(&mut s, "0.0.0.0");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(effects.len(), 3, "a range is one forward per port");
    assert!(matches!(&effects[2], Effect::PortForward(p) if p.local.to_string() == "0.0.0.0:8002" && p.remote == 8002));
    // esc closes the dialog, sending nothing.
    info(&mut s, ObjRef::new(Kind::Service, "shop", "web"), vec![]);
    assert!(update(&mut s, key(KeyCode::Esc)).is_empty());
    assert!(s.dialog.is_none());
}

#[test]
fn parsing_reads_kubectls_forms() {
    assert_eq!(
        parse_ports("8080:80, 9090,:53"),
        Ok(vec![(8080, 80), (9090, 9090), (0, 53)])
    );
    assert_eq!(parse_ports("8000-8001"), Ok(vec![(8000, 8000), (8001, 8001)]));
    assert_eq!(parse_address(" ").unwrap().to_string(), "127.0.0.1");
    assert_eq!(parse_address("::1").unwrap().to_string(), "::1");
}

#[test]
fn other_kinds_and_readonly_are_refused_and_vim_binds_g_f() {
    let mut s = on(Kind::Deployment, false);
    assert!(typed(&mut s, "F").is_empty());
    assert!(s.toasts.last().unwrap().text.contains("pods"), "{:?}", s.toasts);
    let mut s = on(Kind::Pod, true);
    assert!(typed(&mut s, "F").is_empty());
    assert!(
        s.toasts
            .last()
            .unwrap()
            .text
            .starts_with("read-only session: port-forward")
    );
    let help: Vec<String> = crate::ui::help::entries(&s).into_iter().map(|(_, h)| h).collect();
    assert!(!help.iter().any(|h| h == "port-forward"), "{help:?}");
    let s = on(Kind::Pod, false);
    let help: Vec<String> = crate::ui::help::entries(&s).into_iter().map(|(_, h)| h).collect();
    assert!(help.iter().any(|h| h == "port-forward"), "{help:?}");
    // vim: g f.
    let mut s = on(Kind::Service, false);
    s.keymap = crate::config::keymap::builtin("vim").unwrap();
    let svc = ObjRef::new(Kind::Service, "shop", "web");
    assert_eq!(
        typed(&mut s, "gf"),
        [Effect::PortForwardInfo {
            target: svc,
            container: None
        }]
    );
}

fn pf_screen() -> State {
    let mut s = test_util::connected("prod", "shop", false);
    tests_support::forwards(&mut s);
    typed(&mut s, ":pf");
    update(&mut s, key(KeyCode::Enter));
    s
}

#[test]
fn pf_stops_one_or_all_after_asking_and_edits_where_one_listens() {
    let mut s = pf_screen();
    assert!(typed(&mut s, "D").is_empty());
    assert!(
        s.question
            .as_ref()
            .unwrap()
            .text
            .starts_with("stop port-forward 127.0.0.1:8080 → pod/shop/web-1:8080?")
    );
    assert_eq!(typed(&mut s, "y"), [Effect::StopPortForwards(vec![9000])]);
    let ctrl_k = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL);
    assert!(update(&mut s, Input::Key(ctrl_k)).is_empty());
    assert_eq!(typed(&mut s, "y"), [Effect::StopPortForwards(vec![9000, 9001])]);
    // The session says it stopped: the row goes, the message stays.
    let ended = Report::Ended {
        message: "port-forward 127.0.0.1:8080 → pod/shop/web-1:8080 stopped".into(),
        error: false,
    };
    update(
        &mut s,
        Input::PortForward {
            id: 9000,
            report: ended,
        },
    );
    assert_eq!(s.forwards.len(), 1);
    // Edit: the local port of the forward under the cursor.
    typed(&mut s, "e");
    assert_eq!(field(&dialog(&s).ports), "9090:80");
    clear(&mut s);
    typed(&mut s, "9191:80");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(effects[0], Effect::StopPortForwards(vec![9001]));
    assert!(matches!(&effects[1], Effect::PortForward(p) if p.local.port() == 9191 && p.remote == 80));
    assert_eq!(s.forwards.len(), 1, "the edited forward is replaced");
    update(
        &mut s,
        Input::PortForward {
            id: 1,
            report: Report::Stats(Stats::default()),
        },
    );
}

#[test]
fn pf_draws_each_forward_with_its_counters_and_the_last_error() {
    let mut s = pf_screen();
    let screen = text(&draw(&s, 120, 14, jiff::Timestamp::now().as_second()));
    for cell in [
        "LOCAL",
        "REMOTE",
        "POD",
        "CONN",
        "127.0.0.1:8080",
        "pod/shop/web-1:8080",
        "web-1:8080",
        "120.6 KiB",
        "2.0 KiB",
        "1/101",
    ] {
        assert!(screen.contains(cell), "{cell} missing:\n{screen}");
    }
    assert!(
        screen.contains("svc/shop/web:80") && screen.contains("web-2:8080"),
        "{screen}"
    );
    assert!(screen.contains("port-forwards [2]"), "{screen}");
    assert!(
        screen.contains("D stop · ctrl-k stop all · e move"),
        "the header says what D and e do here: {screen}"
    );
    assert!(
        screen.contains("1m ago") || screen.contains("90s ago"),
        "SINCE whole: {screen}"
    );
    typed(&mut s, "j");
    let screen = text(&draw(&s, 120, 14, jiff::Timestamp::now().as_second()));
    assert!(screen.contains("last error: connection refused"), "{screen}");
    s.forwards.clear();
    let screen = text(&draw(&s, 120, 14, 0));
    assert!(screen.contains("No port-forwards."), "{screen}");
}

#[test]
fn pods_and_services_with_a_forward_carry_the_marker_after_their_name() {
    let mut s = on(Kind::Pod, false);
    tests_support::forwards(&mut s);
    let screen = text(&draw(&s, 120, 10, 0));
    assert!(screen.contains("web-1 ⇄"), "{screen}");
    assert!(!screen.contains("web ⇄"), "the pod named web has no forward: {screen}");
    let mut s = on(Kind::Service, false);
    tests_support::forwards(&mut s);
    let screen = text(&draw(&s, 120, 10, 0));
    assert!(screen.contains("web ⇄") && !screen.contains("web-1 ⇄"), "{screen}");
}
