//! Render tests of the control-plane and node health screens: healthy, degraded, refused and
//! managed-cluster reports drawn into a TestBackend.

use ratatui::style::{Color, Modifier};

use crate::app::state::{State, View, ViewKind};
use crate::app::{Input, update};
use crate::cluster::health::{
    ApiServer, BlockingWebhook, Check, CpPod, LeaseInfo, Panel, Report, UnavailableApi, WarningEvent,
};
use crate::cluster::nodehealth::{Allocation, Condition, Load, NodeHealth, Usage};
use crate::test_util;

const NOW: i64 = 1_700_000_000;

fn check(name: &str, passed: bool) -> Check {
    Check {
        name: name.into(),
        passed,
        note: (!passed).then(|| "reason withheld".into()),
    }
}

fn lease(name: &str, renewed_ago: i64, transitions: i32) -> LeaseInfo {
    LeaseInfo {
        name: name.into(),
        holder: Some(format!("control-plane-1_{name}")),
        renewed: Some(NOW - renewed_ago),
        duration: Some(15),
        transitions: Some(transitions),
        present: true,
    }
}

fn pod(component: &str, ready: usize) -> CpPod {
    CpPod {
        component: component.into(),
        name: format!("{component}-control-plane-1"),
        node: "control-plane-1".into(),
        ready,
        total: 1,
        restarts: 0,
        phase: "Running".into(),
    }
}

fn healthy() -> Report {
    let checks = |extra: &str| Panel::Ok(["ping", "log", "etcd", extra].iter().map(|n| check(n, true)).collect());
    let mut absent = lease("cloud-controller-manager", 0, 0);
    absent.present = false;
    Report {
        taken: NOW - 3,
        api: ApiServer {
            version: Panel::Ok(("v1.33.4".into(), "linux/amd64".into())),
            rtt_ms: Some(4),
            readyz: checks("informer-sync"),
            livez: checks("poststarthook/rbac/bootstrap-roles"),
            instances: Panel::Ok(vec![LeaseInfo {
                duration: Some(3600),
                ..lease("apiserver-abc123", 5, 0)
            }]),
        },
        leaders: Panel::Ok(vec![
            lease("kube-scheduler", 1, 0),
            lease("kube-controller-manager", 2, 0),
            absent,
        ]),
        pods: Panel::Ok(
            ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]
                .iter()
                .map(|c| pod(c, 1))
                .collect(),
        ),
        apis: Panel::Ok(vec![]),
        webhooks: Panel::Ok(vec![]),
        events: Panel::Ok(vec![]),
        watch_restarts: 0,
        throttled: 0,
    }
}

fn degraded() -> Report {
    let mut r = healthy();
    if let Panel::Ok(c) = &mut r.api.readyz {
        c[2] = check("etcd", false);
    }
    if let Panel::Ok(l) = &mut r.leaders {
        l[0] = lease("kube-scheduler", 40, 3);
    }
    r.apis = Panel::Ok(vec![UnavailableApi {
        name: "v1beta1.metrics.k8s.io".into(),
        service: "kube-system/metrics-server".into(),
        reason: "MissingEndpoints".into(),
        message: "service/metrics-server in \"kube-system\" is not present".into(),
    }]);
    r.webhooks = Panel::Ok(vec![BlockingWebhook {
        kind: "validating",
        config: "policy-guard".into(),
        webhook: "validate.policy-guard.example.com".into(),
        service: "policy/guard".into(),
        why: "no ready endpoints".into(),
        rules: "CREATE,UPDATE apps/deployments".into(),
    }]);
    r.events = Panel::Ok(vec![WarningEvent {
        last: Some(NOW - 120),
        reason: "BackOff".into(),
        object: "pod/etcd-control-plane-1".into(),
        message: "Back-off restarting failed container".into(),
        count: 4,
    }]);
    r.watch_restarts = 2;
    r.throttled = 7;
    r
}

fn connected_on(kind: ViewKind) -> State {
    let mut s = State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    s.stack = vec![View::new(kind)];
    update(
        &mut s,
        Input::Connected {
            context: "demo".into(),
            namespace: "default".into(),
            url: "https://x".into(),
        },
    );
    s
}

fn draw(state: &State, w: u16, h: u16) -> (String, ratatui::buffer::Buffer) {
    let buf = test_util::draw(state, w, h, NOW);
    (test_util::text(&buf), buf)
}

fn cp_screen(report: Report) -> (String, ratatui::buffer::Buffer) {
    let mut s = connected_on(ViewKind::ControlPlane { scroll: 0 });
    update(&mut s, Input::ControlPlane(Box::new(report)));
    draw(&s, 150, 60)
}

fn line_index(out: &str, needle: &str) -> usize {
    out.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{out}"))
}

/// The style of the first cell of `needle` on screen.
fn style_at(out: &str, buf: &ratatui::buffer::Buffer, needle: &str) -> ratatui::style::Style {
    let y = line_index(out, needle);
    let line = out.lines().nth(y).unwrap();
    let x = line[..line.find(needle).unwrap()].chars().count();
    buf[(x as u16, y as u16)].style()
}

#[test]
fn a_healthy_control_plane_says_ok_in_words() {
    let (out, buf) = cp_screen(healthy());
    assert!(out.contains("✔ CONTROL PLANE OK: no problems found"), "{out}");
    assert!(out.contains("v1.33.4 (linux/amd64)"));
    assert!(out.contains("round trip 4ms"));
    assert!(out.contains("readyz    ✔ all 4 checks passed"));
    assert!(line_index(&out, "✔ ok     kube-scheduler") < line_index(&out, "– absent cloud-controller-manager"));
    assert!(out.contains("renewed 1s ago (lease 15s)"));
    assert!(out.contains("✔ ready  etcd"));
    assert!(out.contains("✔ every APIService Available"));
    assert!(out.contains("✔ none without ready endpoints"));
    assert!(out.contains("refreshed 3s ago"));
    assert!(!out.contains('✖'), "{out}");
    assert_eq!(style_at(&out, &buf, "CONTROL PLANE OK").fg, Some(Color::Green));
}

#[test]
fn a_degraded_control_plane_lists_its_problems_first_and_highlighted() {
    let (out, buf) = cp_screen(degraded());
    let problems = line_index(&out, "✖ 4 PROBLEMS");
    assert!(problems < line_index(&out, "API SERVER"), "problems come first:\n{out}");
    for p in [
        "✖ readyz check etcd failed",
        "✖ no kube-scheduler leader (lease not renewed)",
        "✖ APIService v1beta1.metrics.k8s.io unavailable",
        "✖ webhook validate.policy-guard.example.com blocks writes (no ready endpoints)",
    ] {
        let at = line_index(&out, p);
        assert!(at > problems && at < line_index(&out, "API SERVER"), "{p}\n{out}");
    }
    let style = style_at(&out, &buf, "readyz check etcd failed");
    assert_eq!(style.fg, Some(Color::Red));
    assert!(style.add_modifier.contains(Modifier::BOLD));
    assert!(out.contains("readyz    ✖ 1 of 4 checks FAILING"));
    assert!(out.contains("✖ [-]etcd failed: reason withheld"));
    let stale = out.lines().nth(line_index(&out, "✖ STALE  kube-scheduler")).unwrap();
    assert!(
        stale.contains("renewed 40s ago (lease 15s)") && stale.contains("no leader"),
        "{stale}"
    );
    assert!(out.contains("transitions 3"));
    assert!(out.contains("✖ UNAVAILABLE  v1beta1.metrics.k8s.io  → kube-system/metrics-server"));
    assert!(out.contains(
        "✖ BLOCKING  validating policy-guard/validate.policy-guard.example.com  → policy/guard: no ready endpoints"
    ));
    assert!(out.contains("! 2m ") && out.contains("BackOff") && out.contains("(×4)"));
    assert!(out.contains("watch restarts 2   429s 7"));
    // The passing checks come last, after the failing one was shown on its own.
    assert!(line_index(&out, "PASSING CHECKS") > line_index(&out, "WARNING EVENTS"));
}

#[test]
fn an_unreachable_server_is_a_problem_not_ok() {
    let mut r = healthy();
    let err = "client error (Connect): tcp connect error: Connection refused".to_string();
    r.api.version = Panel::Failed(err.clone());
    r.api.readyz = Panel::Failed(err.clone());
    r.api.livez = Panel::Failed(err.clone());
    r.leaders = Panel::Failed(err.clone());
    r.api.rtt_ms = None;
    let (out, _) = cp_screen(r);
    assert!(!out.contains("CONTROL PLANE OK"), "{out}");
    assert!(out.contains("✖ 3 PROBLEMS"));
    assert!(out.contains("✖ API server not answering: client error (Connect)"));
    assert!(out.contains("✖ readyz unanswered"));
    assert!(out.contains("! unavailable: client error"));

    let mut s = connected_on(ViewKind::ControlPlane { scroll: 0 });
    update(&mut s, Input::ConnectFailed("connection refused".into()));
    let (out, _) = draw(&s, 100, 12);
    assert!(out.contains("✖ Cannot reach the cluster: connection refused"), "{out}");
}

#[test]
fn rising_leader_transitions_read_as_flapping() {
    let mut s = connected_on(ViewKind::ControlPlane { scroll: 0 });
    update(&mut s, Input::ControlPlane(Box::new(healthy())));
    let mut later = healthy();
    if let Panel::Ok(l) = &mut later.leaders {
        l[1] = lease("kube-controller-manager", 1, 2);
    }
    update(&mut s, Input::ControlPlane(Box::new(later)));
    let (out, _) = draw(&s, 150, 60);
    let line = out
        .lines()
        .nth(line_index(&out, "ok     kube-controller-manager"))
        .unwrap();
    assert!(line.contains("transitions 2 ↑ +2 since start: flapping"), "{line}");
}

#[test]
fn refused_panels_say_not_permitted_and_the_rest_still_shows() {
    let mut r = healthy();
    let msg = r#"leases.coordination.k8s.io is forbidden: User "jane" cannot list resource "leases""#;
    r.leaders = Panel::Forbidden(msg.into());
    r.api.instances = Panel::Forbidden(msg.into());
    r.webhooks = Panel::Forbidden("validatingwebhookconfigurations is forbidden".into());
    let (out, _) = cp_screen(r);
    let leaders = line_index(&out, "LEADERS");
    assert!(
        out.lines()
            .nth(leaders + 1)
            .unwrap()
            .contains("! not permitted: leases.coordination.k8s.io is forbidden")
    );
    assert!(out.contains("instances  ! not permitted"));
    let hooks = line_index(&out, "ADMISSION WEBHOOKS");
    assert!(out.lines().nth(hooks + 1).unwrap().contains("! not permitted"));
    assert!(
        out.contains("✔ ready  kube-scheduler"),
        "other panels keep working:\n{out}"
    );
    // A refused panel is not a failure, nor a pass: the verdict says what was not checked.
    assert!(!out.contains("CONTROL PLANE OK"), "{out}");
    assert!(!out.contains("PROBLEM"), "{out}");
    // First in the frame, where the verdict stands.
    assert_eq!(
        line_index(&out, "? 3 of 9 checks not permitted; no problems in the 6 checked"),
        3,
        "{out}"
    );
}

#[test]
fn a_user_who_may_check_nothing_gets_no_green_verdict() {
    let mut r = healthy();
    let no = |what: &str| format!("{what} is forbidden: User \"jane\" cannot list resource \"{what}\"");
    r.api.version = Panel::Forbidden(no("version"));
    r.api.readyz = Panel::Forbidden(no("readyz"));
    r.api.livez = Panel::Forbidden(no("livez"));
    r.api.instances = Panel::Forbidden(no("leases"));
    r.leaders = Panel::Forbidden(no("leases"));
    r.pods = Panel::Forbidden(no("pods"));
    r.apis = Panel::Forbidden(no("apiservices"));
    r.webhooks = Panel::Forbidden(no("validatingwebhookconfigurations"));
    r.events = Panel::Forbidden(no("events"));
    let (out, buf) = cp_screen(r);
    assert_eq!(
        line_index(&out, "? 9 of 9 checks not permitted: nothing could be checked"),
        3,
        "{out}"
    );
    assert!(!out.contains("CONTROL PLANE OK") && !out.contains('✔'), "{out}");
    assert_ne!(style_at(&out, &buf, "9 of 9 checks").fg, Some(Color::Green));
    // A panel that failed otherwise is not checked either; problems still come first.
    let mut r = degraded();
    r.events = Panel::Failed("timed out".into());
    r.apis = Panel::Forbidden(no("apiservices"));
    let (out, _) = cp_screen(r);
    let verdict = line_index(&out, "? 1 of 9 checks not permitted, 1 of 9 checks unanswered");
    assert!(verdict > line_index(&out, "PROBLEM"), "{out}");
}

#[test]
fn a_managed_control_plane_is_not_visible_never_down() {
    let mut r = healthy();
    r.pods = Panel::Ok(vec![]);
    let (out, _) = cp_screen(r);
    assert!(out.contains("– not visible (managed control plane)"), "{out}");
    assert!(!out.contains("NOT READY") && !out.contains('✖'));
}

#[test]
fn before_the_first_report_the_screen_says_loading_and_scrolls_clamped() {
    let s = connected_on(ViewKind::ControlPlane { scroll: 0 });
    assert!(s.cp_pending);
    let (out, _) = draw(&s, 100, 12);
    assert!(out.contains("Loading control-plane health…"));
    let mut s = connected_on(ViewKind::ControlPlane { scroll: u16::MAX });
    update(&mut s, Input::ControlPlane(Box::new(degraded())));
    let (out, _) = draw(&s, 150, 14);
    assert!(
        out.contains("PASSING CHECKS") || out.contains("✔ ping"),
        "scrolled to the end:\n{out}"
    );
    assert!(!out.contains("PROBLEMS"));
}

fn not_ready_node() -> NodeHealth {
    let cond = |kind: &str, status: &str, reason: &str| Condition {
        kind: kind.into(),
        status: status.into(),
        reason: reason.into(),
        message: if status == "Unknown" {
            "Kubelet stopped posting node status.".into()
        } else {
            String::new()
        },
        since: Some(NOW - 18 * 60),
    };
    NodeHealth {
        name: "worker-3".into(),
        taken: NOW,
        error: None,
        conditions: vec![
            cond("Ready", "Unknown", "NodeStatusUnknown"),
            cond("MemoryPressure", "Unknown", "NodeStatusUnknown"),
            cond("NetworkUnavailable", "False", "CalicoIsUp"),
        ],
        lease: Panel::Ok(Some(LeaseInfo {
            duration: Some(40),
            ..lease("worker-3", 18 * 60, 0)
        })),
        kubelet: "v1.33.4".into(),
        kube_proxy: String::new(),
        runtime: "containerd://1.7.27".into(),
        unschedulable: true,
        taints: vec!["node.kubernetes.io/unreachable:NoExecute".into()],
        pod_capacity: Some(110),
        load: Panel::Ok(Load {
            pods: 12,
            cpu: Allocation {
                requests: 4_500,
                limits: 8_000,
                allocatable: 4_000,
            },
            memory: Allocation {
                requests: 1_073_741_824_000,
                limits: 2_147_483_648_000,
                allocatable: 16 * 1_073_741_824_000,
            },
            kube_proxy_from_pod: Some("v1.33.4".into()),
        }),
        usage: Usage::NotAvailable,
    }
}

fn node_screen(h: NodeHealth) -> String {
    let mut s = connected_on(ViewKind::Resource(crate::cluster::Kind::Node));
    crate::app::nodehealth::open(&mut s, h.name.clone());
    update(&mut s, Input::NodeHealth(Box::new(h)));
    draw(&s, 150, 40).0
}

#[test]
fn a_not_ready_node_shows_its_conditions_stale_heartbeat_and_load() {
    let out = node_screen(not_ready_node());
    assert!(out.contains("node health(worker-3)"));
    let ready = out.lines().nth(line_index(&out, "✖ Ready")).unwrap();
    assert!(
        ready.contains("Unknown") && ready.contains("since 18m ago") && ready.contains("Kubelet stopped posting"),
        "{ready}"
    );
    assert!(out.contains("✔ NetworkUnavailable  False"));
    assert!(out.contains("✖ STALE  renewed 18m ago (lease 40s)"));
    assert!(out.contains("kube-proxy  v1.33.4 (from its pod)"));
    assert!(out.contains("! cordoned (SchedulingDisabled)"));
    assert!(out.contains("taint       node.kubernetes.io/unreachable:NoExecute"));
    assert!(out.contains("pods        12 of 110"));
    let cpu = out.lines().nth(line_index(&out, "requests 4500m")).unwrap();
    assert!(
        cpu.contains("(112%)") && cpu.contains("limits 8 (200%)") && cpu.contains("✖ OVER-REQUESTED"),
        "{cpu}"
    );
    assert!(out.contains("memory      requests 1Gi (6%)   limits 2Gi (12%)   allocatable 16Gi"));
    assert_eq!(out.matches("metrics-server not available").count(), 1);
}

#[test]
fn node_usage_shows_when_metrics_server_answers() {
    let mut h = not_ready_node();
    h.usage = Usage::Usage {
        cpu: 1_000,
        memory: 512 * 1_048_576_000,
    };
    let out = node_screen(h);
    assert!(out.contains("cpu         1 (25%)"), "{out}");
    assert!(out.contains("memory      512Mi (3%)"));
    assert!(!out.contains("not available"));
}

#[test]
fn the_nodes_list_shows_the_health_of_the_node_under_the_cursor() {
    use crate::app::table::Row;
    use crate::cluster::watch::WatchStatus;
    use crate::cluster::{Kind, Scope};
    let mut s = connected_on(ViewKind::Resource(Kind::Node));
    let row = |name: &str| Row {
        key: format!("uid-{name}"),
        name: name.into(),
        ..Default::default()
    };
    update(
        &mut s,
        Input::Rows {
            watch: (Kind::Node, Scope::All),
            rows: Some(vec![row("worker-1").into(), row("worker-3").into()]),
            status: WatchStatus::Ready,
        },
    );
    // What the event loop does after each frame.
    let follow = |s: &mut State| crate::app::nodehealth::follow_cursor(s, NOW);
    assert_eq!(follow(&mut s), [crate::app::Effect::FetchNodeHealth("worker-1".into())]);
    let (out, _) = draw(&s, 150, 30);
    assert!(
        out.contains("worker-1: health (H: details)") && out.contains("Loading node worker-1…"),
        "{out}"
    );
    // The cursor moves on before the answer lands: the answer is dropped, the new node asked for.
    update(&mut s, crate::app::update::key(crossterm::event::KeyCode::Down));
    assert!(follow(&mut s).is_empty(), "one request at a time");
    let mut h1 = not_ready_node();
    h1.name = "worker-1".into();
    update(&mut s, Input::NodeHealth(Box::new(h1)));
    assert_eq!(follow(&mut s), [crate::app::Effect::FetchNodeHealth("worker-3".into())]);
    assert!(s.node_health.is_none());
    update(&mut s, Input::NodeHealth(Box::new(not_ready_node())));
    let (out, _) = draw(&s, 150, 30);
    assert!(out.contains("worker-3: health (H: details)"), "{out}");
    assert!(out.contains("✖ Ready Unknown since 18m ago (NodeStatusUnknown)"));
    assert!(out.contains("! cordoned"));
    assert!(out.contains("heartbeat ✖ STALE renewed 18m ago"));
    assert!(out.contains("pods 12 of 110   cpu requests 112% limits 200%   memory requests 6% limits 12%"));
    assert!(out.contains("metrics-server not available"));
    assert!(out.contains("taints node.kubernetes.io/unreachable:NoExecute"));
}

#[test]
fn in_the_mono_theme_problems_still_read_as_problems() {
    let mut s = connected_on(ViewKind::ControlPlane { scroll: 0 });
    update(&mut s, Input::ControlPlane(Box::new(degraded())));
    let theme = crate::config::theme::builtin("mono").unwrap();
    let buf = test_util::draw_themed(&s, &theme, 150, 60, NOW);
    let text = test_util::text(&buf);
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "no colour in mono"
    );
    assert!(
        text.contains("✖ 4 PROBLEMS") && text.contains("✖ STALE  kube-scheduler") && text.contains("✖ [-]etcd failed")
    );
}

#[test]
fn a_report_taken_before_the_server_stopped_answering_is_not_shown_as_current() {
    let mut s = connected_on(ViewKind::ControlPlane { scroll: 0 });
    update(&mut s, Input::ControlPlane(Box::new(healthy())));
    let since = std::time::Instant::now() - std::time::Duration::from_secs(40);
    update(
        &mut s,
        Input::ContactLost {
            since,
            error: "no answer within 4s".into(),
        },
    );
    let (out, _) = draw(&s, 150, 40);
    let first = line_index(&out, "API SERVER NOT ANSWERING for 40s (no answer within 4s)");
    assert!(first < line_index(&out, "CONTROL PLANE OK"), "{out}");
    assert!(out.contains("what follows is from 3s ago, not current"), "{out}");

    // Lost before any report came: no "Loading…" forever.
    let mut s = connected_on(ViewKind::ControlPlane { scroll: 0 });
    let error = "connection refused".to_string();
    update(&mut s, Input::ContactLost { since, error });
    let (out, _) = draw(&s, 150, 12);
    assert!(
        out.contains("✖ API server not answering for 40s (connection refused)"),
        "{out}"
    );
}
