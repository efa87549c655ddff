//! Render tests: draw states into a TestBackend and read the buffer.

use std::time::Instant;

use crate::app::state::{Connection, State};
use crate::app::table::Row;
use crate::app::update::key;
use crate::app::{Input, update};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::test_util::{self, draw, show, text};
use crossterm::event::KeyCode;

const NOW: i64 = 1_700_000_000;

fn screen(state: &State) -> String {
    text(&draw(state, 100, 20, NOW))
}

fn connected() -> State {
    let mut s = test_util::connected("kind-dev", "default", false);
    update(&mut s, Input::ServerVersion("v1.33.1".into()));
    s
}

/// A row with the given cells; an empty cell is a time column (AGE, LAST SEEN) stamped `age` ago.
fn row(name: &str, ns: &str, cells: &[&str], age: i64) -> Row {
    Row {
        key: name.into(),
        namespace: ns.into(),
        name: name.into(),
        cells: cells.iter().map(|c| (*c).into()).collect(),
        stamps: cells.iter().map(|c| c.is_empty().then_some(NOW - age)).collect(),
        created: Some(NOW - age),
        ..Default::default()
    }
}

fn ns(n: &str) -> Scope {
    Scope::Namespace(n.into())
}

#[test]
fn pods_view_shows_header_columns_rows_and_footer_hints() {
    let mut s = connected();
    let rows = vec![
        row(
            "web-1",
            "default",
            &["1/1", "Running", "0", "", "10.0.0.5", "node-1"],
            150,
        ),
        row("db-0", "default", &["0/1", "Pending", "0", "", "<none>", "<none>"], 30),
    ];
    show(&mut s, Kind::Pod, ns("default"), rows, WatchStatus::Ready);
    let out = screen(&s);
    assert!(
        out.contains("ctx kind-dev") && out.contains("k8s v1.33.1") && out.contains("ns default"),
        "{out}"
    );
    assert!(out.contains("connected"), "{out}");
    assert!(out.contains("pods [2/2]") && out.contains("live"), "{out}");
    assert!(
        out.contains("NAME↑") && out.contains("READY") && out.contains("STATUS") && out.contains("RESTARTS"),
        "{out}"
    );
    assert!(!out.contains("NAMESPACE"), "one namespace: no NAMESPACE column\n{out}");
    assert!(
        out.contains("AGE") && !out.contains("10.0.0.5"),
        "IP is a wide column\n{out}"
    );
    assert!(
        out.contains("web-1") && out.contains("Running") && out.contains("2m30s"),
        "{out}"
    );
    assert!(out.contains("<:> command") && out.contains("</> filter"), "{out}");
    let footer = |s: &State| text(&draw(s, 160, 20, NOW)).lines().last().unwrap().to_string();
    assert!(footer(&s).contains("<w> wide: off"), "{}", footer(&s));
    update(&mut s, key(KeyCode::Char('w')));
    // Wide, beside the usage columns: room enough for IP.
    let out = text(&draw(&s, 200, 20, NOW));
    assert!(out.contains("IP") && out.contains("10.0.0.5"), "{out}");
    assert!(footer(&s).contains("wide: on"), "{}", footer(&s));
}

#[test]
fn all_namespaces_adds_the_namespace_column() {
    let mut s = connected();
    update(&mut s, key(KeyCode::Char('0')));
    show(
        &mut s,
        Kind::Pod,
        Scope::All,
        vec![row("coredns", "kube-system", &["Running", "n"], 5)],
        WatchStatus::Ready,
    );
    let out = screen(&s);
    assert!(
        out.contains("NAMESPACE") && out.contains("kube-system") && out.contains("pods(all)"),
        "{out}"
    );
}

#[test]
fn loading_shows_progress_instead_of_an_empty_table() {
    let mut s = connected();
    show(
        &mut s,
        Kind::Pod,
        ns("default"),
        vec![],
        WatchStatus::Loading {
            listed: 3500,
            total: Some(10_000),
        },
    );
    let out = screen(&s);
    assert!(out.contains("Loading pods: 3,500 / ~10,000"), "{out}");
    assert!(out.contains("loading 3,500 / ~10,000"), "header: {out}");
}

#[test]
fn empty_namespace_says_so() {
    let mut s = connected();
    show(&mut s, Kind::Deployment, ns("default"), vec![], WatchStatus::Ready);
    assert!(screen(&s).contains("No deployments in namespace default"));
    show(&mut s, Kind::Node, Scope::All, vec![], WatchStatus::Ready);
    assert!(screen(&s).contains("No nodes found"));
}

#[test]
fn forbidden_shows_the_servers_message() {
    let mut s = connected();
    let message = r#"services is forbidden: User "jane" cannot list resource "services" in API group "" in the namespace "default""#;
    show(
        &mut s,
        Kind::Service,
        ns("default"),
        vec![],
        WatchStatus::Forbidden {
            message: message.into(),
        },
    );
    let out = screen(&s);
    assert!(out.contains("Forbidden: services is forbidden"), "{out}");
    assert!(out.contains(r#"User "jane""#), "{out}");
    assert!(
        !out.contains(":ns NAME"),
        "the namespace hint belongs to the namespaces view: {out}"
    );
}

#[test]
fn a_user_who_may_not_list_namespaces_is_told_how_to_pick_one() {
    let mut s = connected();
    let message = r#"namespaces is forbidden: User "jane" cannot list resource "namespaces" in API group "" at the cluster scope"#;
    show(
        &mut s,
        Kind::Namespace,
        Scope::All,
        vec![],
        WatchStatus::Forbidden {
            message: message.into(),
        },
    );
    let out = screen(&s);
    assert!(out.contains("Type :ns NAME to work in a namespace"), "{out}");
}

#[test]
fn stale_keeps_the_rows_and_says_it_is_reconnecting() {
    let mut s = connected();
    let status = WatchStatus::Stale {
        since: Instant::now(),
        error: "connection reset".into(),
    };
    show(
        &mut s,
        Kind::Namespace,
        Scope::All,
        vec![row("default", "", &["Active", ""], 86400 * 3)],
        status,
    );
    let out = screen(&s);
    assert!(
        out.contains("stale: connection lost") && out.contains("connection reset"),
        "{out}"
    );
    assert!(
        out.contains("default") && out.contains("Active") && out.contains("3d"),
        "{out}"
    );
}

#[test]
fn nodes_services_and_events_render_their_columns() {
    let mut s = connected();
    show(
        &mut s,
        Kind::Node,
        Scope::All,
        vec![row("worker-1", "", &["Ready", "<none>", "", "v1.33.1"], 7200)],
        WatchStatus::Ready,
    );
    let out = screen(&s);
    assert!(
        out.contains("VERSION") && out.contains("worker-1") && out.contains("120m"),
        "{out}"
    );
    show(
        &mut s,
        Kind::Service,
        ns("default"),
        vec![row(
            "web",
            "default",
            &["ClusterIP", "10.96.0.12", "<none>", "80/TCP", "", "app=web", "2/3"],
            60,
        )],
        WatchStatus::Ready,
    );
    let out = screen(&s);
    assert!(out.contains("CLUSTER-IP") && out.contains("10.96.0.12"), "{out}");
    assert!(out.contains("ENDPOINTS") && out.contains("2/3"), "{out}");
    let ev = row(
        "web-1.17a",
        "default",
        &[
            "",
            "Warning",
            "BackOff",
            "pod/web-1",
            "",
            "kubelet",
            "Back-off restarting",
            "",
            "1",
        ],
        3,
    );
    show(&mut s, Kind::Event, ns("default"), vec![ev], WatchStatus::Ready);
    let out = screen(&s);
    assert!(
        out.contains("LAST SEEN↑") && out.contains("REASON") && out.contains("BackOff") && out.contains("pod/web-1"),
        "{out}"
    );
}

#[test]
fn only_the_visible_slice_is_drawn_and_the_cursor_scrolls_into_view() {
    let mut s = connected();
    update(&mut s, Input::Resize(20));
    let rows: Vec<Row> = (0..100_000)
        .map(|i| row(&format!("pod-{i:06}"), "default", &["Running", "n"], 10))
        .collect();
    show(&mut s, Kind::Pod, ns("default"), rows, WatchStatus::Ready);
    update(&mut s, key(KeyCode::Char('G')));
    let out = screen(&s);
    assert!(out.contains("pod-099999") && !out.contains("pod-000000"), "{out}");
    assert!(out.contains("pods [100000/100000]"), "{out}");
}

#[test]
fn filter_line_help_and_failed_connection() {
    let mut s = connected();
    show(
        &mut s,
        Kind::Pod,
        ns("default"),
        vec![row("web-1", "default", &["Running", "n"], 1)],
        WatchStatus::Ready,
    );
    update(&mut s, key(KeyCode::Char('/')));
    update(&mut s, key(KeyCode::Char('x')));
    let out = screen(&s);
    assert!(
        out.contains("No pods match the filter") && out.lines().last().unwrap().starts_with("/x"),
        "{out}"
    );
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char('?')));
    // Tall enough for the whole help: the commands come after every key.
    let out = text(&draw(&s, 100, 40, NOW));
    assert!(
        out.contains("help") && out.contains("all ns") && out.contains(":po"),
        "{out}"
    );
    let mut s = State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    s.connection = Connection::Failed("connection refused".into());
    let out = screen(&s);
    assert!(
        out.contains("Cannot connect to the cluster (retrying): connection refused"),
        "{out}"
    );
    // The server answers later: the failure is over.
    update(&mut s, Input::ServerVersion("v1.33.1".into()));
    assert_eq!(s.connection, Connection::Connected);
}

#[test]
fn a_narrow_footer_drops_hints_from_the_end_but_keeps_help() {
    let mut s = connected();
    show(&mut s, Kind::Pod, ns("default"), vec![], WatchStatus::Ready);
    let wide = text(&draw(&s, 200, 20, NOW));
    let footer = wide.lines().last().unwrap();
    assert!(footer.contains("<q> quit") && footer.contains("<?> help"), "{footer}");
    let narrow = text(&draw(&s, 80, 20, NOW));
    let footer = narrow.lines().last().unwrap().trim_end();
    assert!(footer.starts_with("</> filter  <enter> open"), "{footer}");
    assert!(footer.ends_with("<:> command  <?> help"), "{footer}");
    assert!(!footer.contains("<q> quit") && !footer.contains("<l> logs"), "{footer}");
}

#[test]
fn help_names_every_screen_and_scrolls_with_the_usual_keys() {
    let mut s = connected();
    show(&mut s, Kind::Pod, ns("default"), vec![], WatchStatus::Ready);
    update(&mut s, Input::Resize(24));
    update(&mut s, key(KeyCode::Char('?')));
    let out = text(&draw(&s, 80, 24, NOW));
    assert!(out.contains(":deploy") && out.contains(":po :no :svc"), "{out}");
    // Too short for all of it: the commands are below the fold until the end key.
    update(&mut s, Input::Resize(14));
    let out = text(&draw(&s, 80, 14, NOW));
    assert!(
        !out.contains(":deploy") && out.contains("esc to close, j k to scroll"),
        "{out}"
    );
    update(&mut s, key(KeyCode::Char('G')));
    let out = text(&draw(&s, 80, 14, NOW));
    assert!(out.contains(":deploy") && !out.contains("/  filter"), "{out}");
    let bottom = s.help_scroll;
    update(&mut s, key(KeyCode::Char('k')));
    assert_eq!(s.help_scroll, bottom - 1);
    update(&mut s, key(KeyCode::Char('g')));
    assert_eq!(s.help_scroll, 0);
    update(&mut s, key(KeyCode::Char('j')));
    assert_eq!(s.help_scroll, 1);
    assert!(s.help, "scrolling keeps help open");
    update(&mut s, key(KeyCode::Esc));
    assert!(!s.help);
}
