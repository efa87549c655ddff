//! `:triage` on the demo cluster, through the headless loop with the real executor: each problem
//! the scenario plants is listed with the right words (and evidence), and the header counts them.

mod common;

use common::cluster_and_kubeconfig as cluster;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubedeck::app::Input;
use kubedeck::app::state::ViewKind;
use kubedeck::bench_support::Headless;
use model::triage::Finding;

fn typed(h: &mut Headless, keys: &str) {
    for c in keys.chars() {
        let code = if c == '\r' { KeyCode::Enter } else { KeyCode::Char(c) };
        h.step(Input::Key(KeyEvent::new(code, KeyModifiers::NONE))).unwrap();
    }
}

/// [`common::until`], saying the findings too when it times out.
async fn until(h: &mut Headless, secs: u64, what: &str, check: impl Fn(&Headless) -> bool) {
    common::until_or(h, secs, what, check, |h| {
        let all = findings(h);
        let found: Vec<_> = all
            .iter()
            .map(|f| (f.kind.map(|k| k.name()), &f.name, f.rule, &f.problem))
            .collect();
        format!("{found:#?}")
    })
    .await
}

fn findings(h: &Headless) -> Vec<Finding> {
    match &h.state.top().kind {
        ViewKind::Triage(t) => t.findings.clone(),
        _ => vec![],
    }
}

/// What the scenario plants: kind, name prefix, rule, words the problem starts with, evidence words.
const PLANTED: &[(&str, &str, &str, &str, &str)] = &[
    ("Pod", "checkout-", "crash-loop", "CrashLoopBackOff (", "back-off"),
    ("Pod", "recommendations-", "image-pull", "", "does-not-exist"),
    (
        "Pod",
        "render-gpu-0",
        "pending",
        "Pending: Unschedulable",
        "0/4 nodes are available: ",
    ),
    (
        "Pod",
        "thumbnails-",
        "oom-killed",
        "OOMKilled in the last hour",
        "OOMKilled",
    ),
    (
        "Pod",
        "search-",
        "probe-failing",
        "Readiness probe failing",
        "Readiness probe failed: ",
    ),
    (
        "Service",
        "search",
        "no-endpoints",
        "no ready endpoints",
        "selector app.kubernetes.io/name=search",
    ),
    (
        "Deployment",
        "search",
        "unavailable-replicas",
        "1 of 1 replicas unavailable",
        "",
    ),
    (
        "Node",
        "worker-3",
        "node-not-ready",
        "NotReady (NodeStatusUnknown)",
        "Kubelet stopped posting node status",
    ),
    ("PersistentVolumeClaim", "uploads", "claim-unbound", "Pending", ""),
    (
        "HorizontalPodAutoscaler",
        "api",
        "hpa-at-max",
        "at max replicas (2/2)",
        "",
    ),
    (
        "HorizontalPodAutoscaler",
        "web",
        "hpa-unable",
        "unable to compute the replica count",
        "<unknown>",
    ),
    (
        "Job",
        "ledger-reconcile",
        "job-failed",
        "failed: BackoffLimitExceeded",
        "backoff limit",
    ),
];

fn listed(fs: &[Finding], (kind, name, rule, problem, evidence): &(&str, &str, &str, &str, &str)) -> bool {
    fs.iter().any(|f| {
        f.kind.is_some_and(|k| k.name() == *kind)
            && f.name.starts_with(name)
            && f.rule == *rule
            && f.problem.starts_with(problem)
            && f.evidence.contains(evidence)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triage_lists_every_planted_problem_with_its_words() {
    let (_c, kubeconfig) = cluster("triage").await;
    let mut h = Headless::driven(&kubeconfig, None, 220, 60).await.unwrap();
    until(&mut h, 30, "discovery", |h| h.state.discovery.registry.is_some()).await;
    typed(&mut h, ":triage\r");
    assert!(matches!(h.state.top().kind, ViewKind::Triage(_)));
    until(&mut h, 60, "every planted problem", |h| {
        let fs = findings(h);
        PLANTED.iter().all(|p| listed(&fs, p))
    })
    .await;
    let fs = findings(&h);
    // Worst first: every error before any warning.
    let first_warning = fs
        .iter()
        .position(|f| f.severity != model::triage::Severity::Error)
        .unwrap();
    assert!(
        fs[first_warning..]
            .iter()
            .all(|f| f.severity != model::triage::Severity::Error)
    );
    h.frame().unwrap();
    let screen = h.screen();
    for words in [
        "✖ ERROR",
        "CrashLoopBackOff",
        "Pending: Unschedulable",
        "at max replicas (2/2)",
    ] {
        assert!(screen.contains(words), "{words} not on screen:\n{screen}");
    }
    // The header counts what the screen lists.
    let counts = h.state.counts.problems.expect("problem counts in the header");
    assert_eq!(counts, model::triage::counts(&fs));
    h.shutdown();
}
