use kube::runtime::watcher::Event;
use model::triage::{Cond, Facts};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::app::counts::Tally;
use crate::cluster::rows::RowStore;
use crate::store::header::{self, WARNINGS};

const NOW: i64 = 1_800_000_000;

/// The lists the property test reads: the header's three, the Services and EndpointSlices a
/// services screen adds, Jobs and CronJobs, and every event (the Warnings again among them).
fn watches() -> Vec<(Watch, Role)> {
    let w = |k: Kind, f: Option<&'static str>| (k, Scope::All, f);
    vec![
        (w(Kind::Node, None), Role::Nodes),
        (w(Kind::Pod, None), Role::Pods),
        (w(Kind::Event, WARNINGS), Role::Warnings),
        (w(Kind::Service, None), Role::Rules),
        (w(Kind::EndpointSlice, None), Role::Rules),
        (w(Kind::Job, None), Role::Rules),
        (w(Kind::CronJob, None), Role::Rules),
        (w(Kind::Event, None), Role::Rules),
    ]
}

fn pick<'a>(rng: &mut StdRng, of: &[&'a str]) -> &'a str {
    of[rng.random_range(0..of.len())]
}

fn cond(type_: &str, status: &str, reason: &str, since: Option<i64>) -> Cond {
    Cond {
        type_: type_.into(),
        status: status.into(),
        reason: reason.into(),
        message: format!("{type_} is {status}"),
        since,
    }
}

/// A row of `kind` drawn from few names and states, around `now`, so that rows collide (two
/// events about one pod), time rules sit near their turn, and joins match.
fn random_row(rng: &mut StdRng, kind: Kind, now: i64) -> Row {
    let ns = pick(rng, &["a", "b"]).to_string();
    let mut r = Row {
        namespace: ns.into(),
        created: rng.random_bool(0.9).then(|| now - rng.random_range(-5..90)),
        ..Row::default()
    };
    match kind {
        Kind::Pod => {
            r.name = format!("p{}", rng.random_range(0..30)).into();
            let status = pick(rng, &["Running", "Pending", "CrashLoopBackOff", "Evicted"]);
            r.cells = vec!["0/1".into(), status.into(), rng.random_range(0..3).to_string().into()];
            if rng.random_bool(0.6) {
                let waiting = match rng.random_range(0..5) {
                    0 => Some(("CrashLoopBackOff".into(), "back-off".into())),
                    1 => Some(("ImagePullBackOff".into(), "pull".into())),
                    _ => None,
                };
                let last_term = rng.random_bool(0.4).then(|| {
                    let why = pick(rng, &["OOMKilled", "Error"]).to_string();
                    // Some killed lately, some about to leave the hour.
                    let ago = if rng.random_bool(0.5) { 0..100 } else { 3550..3650 };
                    (why, rng.random_bool(0.9).then(|| now - rng.random_range(ago)))
                });
                r.facts = Some(Box::new(Facts {
                    phase: pick(rng, &["Pending", "Running"]).into(),
                    waiting,
                    last_term,
                    reason: rng.random_bool(0.1).then(|| ("Evicted".into(), "low on memory".into())),
                    conditions: if rng.random_bool(0.5) {
                        vec![cond("PodScheduled", "False", "Unschedulable", r.created)]
                    } else {
                        Vec::new()
                    },
                    ..Facts::default()
                }));
            }
            r.node = rng.random_bool(0.5).then(|| "n1".into());
        }
        Kind::Node => {
            r.namespace.clear();
            r.name = format!("n{}", rng.random_range(0..6)).into();
            r.cells = vec![pick(rng, &["Ready", "NotReady", "Ready,SchedulingDisabled"]).into()];
            if rng.random_bool(0.5) {
                let mut conditions = Vec::new();
                if rng.random_bool(0.5) {
                    conditions.push(cond("Ready", "False", "KubeletDown", Some(now - 30)));
                }
                if rng.random_bool(0.3) {
                    conditions.push(cond("MemoryPressure", "True", "", Some(now - 10)));
                }
                r.facts = Some(Box::new(Facts {
                    conditions,
                    off: rng.random_bool(0.3),
                    ..Facts::default()
                }));
            }
        }
        Kind::Event => {
            r.name = format!("e{}", rng.random_range(0..40)).into();
            r.warn = rng.random_bool(0.8);
            let reason = pick(rng, &["Unhealthy", "Unhealthy", "BackOff"]);
            let probe = pick(rng, &["Readiness probe failed", "Liveness probe failed"]);
            let object = format!("pod/p{}", rng.random_range(0..4));
            let back = if rng.random_bool(0.7) { 700 } else { 4000 };
            let last = now - rng.random_range(-5..back);
            r.cells = vec![
                "".into(),
                if r.warn { "Warning" } else { "Normal" }.into(),
                reason.into(),
                object.into(),
                "".into(),
                "kubelet".into(),
                probe.into(),
                "".into(),
            ];
            let first = rng.random_bool(0.5).then(|| last - 100);
            r.stamps = vec![Some(last), None, None, None, None, None, None, first].into();
        }
        Kind::Service => {
            r.name = format!("s{}", rng.random_range(0..6)).into();
            r.cells = vec![pick(rng, &["ClusterIP", "ClusterIP", "ExternalName"]).into()];
            r.selector = rng.random_bool(0.8).then(|| vec![("app".into(), r.name.to_string())]);
        }
        Kind::EndpointSlice => {
            r.name = format!("es{}", rng.random_range(0..10)).into();
            let svc = format!("s{}", rng.random_range(0..6));
            r.labels = vec![("kubernetes.io/service-name".into(), svc.into())].into();
            r.backends = (0..rng.random_range(0..3))
                .map(|i| (format!("10.0.0.{i}"), rng.random_bool(0.5)))
                .collect();
        }
        Kind::Job => {
            r.name = format!("j{}", rng.random_range(0..8)).into();
            r.key = r.name.to_string();
            r.owners = vec![format!("cj{}", rng.random_range(0..3))].into();
            if rng.random_bool(0.5) {
                r.facts = Some(Box::new(Facts {
                    conditions: vec![cond("Failed", "True", "BackoffLimitExceeded", Some(now - 50))],
                    ..Facts::default()
                }));
            }
        }
        Kind::CronJob => {
            let i = rng.random_range(0..3);
            // The CronJob's uid is what its Jobs name as owner.
            r.name = format!("cron{i}").into();
            r.key = format!("cj{i}");
            r.facts = rng.random_bool(0.3).then(|| {
                Box::new(Facts {
                    off: true,
                    ..Facts::default()
                })
            });
        }
        _ => unreachable!(),
    }
    if r.key.is_empty() {
        r.key = format!("uid-{}-{}", r.namespace, r.name);
    }
    r
}

/// The stores of `watches`, and what the engine reads through them.
struct Stores(Vec<(Watch, RowStore)>);

impl Stores {
    fn new() -> Stores {
        Stores(watches().into_iter().map(|(w, _)| (w, RowStore::default())).collect())
    }

    fn rows(&self, w: &Watch) -> Vec<Arc<Row>> {
        self.0.iter().find(|(x, _)| x == w).map(|(_, s)| s.rows()).unwrap()
    }

    fn changes(&self, w: &Watch, mark: Mark) -> Option<(Changes, Mark)> {
        self.0.iter().find(|(x, _)| x == w).map(|(_, s)| s.changes(mark))
    }
}

/// What the header counted before: every rule over every row, and each tally over its list.
fn full(stores: &Stores, read: &[(Watch, Role)], now: i64) -> ([usize; 3], Vec<(usize, usize)>) {
    let lists: Vec<(Kind, Vec<Arc<Row>>)> = read.iter().map(|(w, _)| (w.0, stores.rows(w))).collect();
    let counts = model::triage::counts(&crate::store::findings::evaluate(&lists, now, None));
    let tallies = read
        .iter()
        .zip(&lists)
        .map(|((_, role), (_, rows))| match (role, rows.as_slice()) {
            (Role::Nodes, rows) => of(header::nodes(rows)),
            (Role::Pods, rows) => of(header::pods(rows)),
            (Role::Warnings, rows) => match header::warnings(rows, now - WARNING_SECS) {
                Tally::Count(n) => (rows.len(), n),
                t => panic!("{t:?}"),
            },
            (Role::Rules, rows) => (rows.len(), 0),
        })
        .collect();
    (counts, tallies)
}

/// A tally as (total, flagged).
fn of(t: Tally) -> (usize, usize) {
    match t {
        Tally::Of { good, total } => (total, total - good),
        t => panic!("{t:?}"),
    }
}

fn live(engine: &Live, read: &[(Watch, Role)]) -> ([usize; 3], Vec<(usize, usize)>) {
    let tallies = read.iter().map(|(w, r)| engine.tally(w, *r).unwrap()).collect();
    (engine.counts(), tallies)
}

#[test]
fn incremental_counts_equal_a_full_evaluation_over_random_events_and_time() {
    let mut rng = StdRng::seed_from_u64(20);
    let all = watches();
    let stores = Stores::new();
    let mut engine = Live::default();
    let mut now = NOW;
    let mut flagged_seen = 0;
    for step in 0..800 {
        let (w, store) = &stores.0[rng.random_range(0..stores.0.len())];
        match rng.random_range(0..22) {
            0..=9 => {
                let mut row = random_row(&mut rng, w.0, now);
                if w.2 == WARNINGS {
                    row.warn = true;
                    // A Warning is among every event too: one problem, found in two lists.
                    if rng.random_bool(0.5) {
                        stores.0[7].1.apply_rows(&mut Event::Apply(row.clone()));
                    }
                }
                store.apply_rows(&mut Event::Apply(row));
            }
            10..=12 => {
                let rows = store.rows();
                if !rows.is_empty() {
                    let r = rows[rng.random_range(0..rows.len())].as_ref().clone();
                    store.apply_rows(&mut Event::Delete(r));
                }
            }
            13 => {
                // A re-list: some rows stay, some go, some arrive.
                store.apply_rows(&mut Event::Init);
                for r in store.rows() {
                    if rng.random_bool(0.7) {
                        store.apply_rows(&mut Event::InitApply(r.as_ref().clone()));
                    }
                }
                store.apply_rows(&mut Event::InitApply(random_row(&mut rng, w.0, now)));
                store.apply_rows(&mut Event::InitDone);
            }
            14..=16 => now += rng.random_range(0..3),
            // To a time rule's turn, or the second before: where an answer changes.
            17 | 20 => now = now.max(engine.next_wake().unwrap_or(now) - rng.random_range(0..2)),
            18 => now += rng.random_range(1..700),
            19 => now += rng.random_range(1..4000),
            _ => {}
        }
        // Now and then a screen closes: the lists after the header's are read or not.
        let read: Vec<(Watch, Role)> = if step % 50 < 40 { all.clone() } else { all[..3].to_vec() };
        // Several changes may pile up between two counts.
        if rng.random_bool(0.7) {
            engine.update(&read, now, |w, m| stores.changes(w, m));
            let want = full(&stores, &read, now);
            assert_eq!(live(&engine, &read), want, "step {step}, now {now}");
            flagged_seen += want.0.iter().sum::<usize>();
        }
    }
    assert!(
        flagged_seen > 1000,
        "the rows drawn found too few problems: {flagged_seen}"
    );
}

/// One store per watch of `lists`, read by a fresh engine at each `update`.
fn counted(stores: &Stores, engine: &mut Live, read: &[(Watch, Role)], now: i64) -> [usize; 3] {
    engine.update(read, now, |w, m| stores.changes(w, m));
    engine.counts()
}

fn put(stores: &Stores, w: &Watch, row: Row) {
    let store = &stores.0.iter().find(|(x, _)| x == w).unwrap().1;
    store.apply_rows(&mut Event::Apply(row));
}

fn delete(stores: &Stores, w: &Watch, row: Row) {
    let store = &stores.0.iter().find(|(x, _)| x == w).unwrap().1;
    store.apply_rows(&mut Event::Delete(row));
}

fn probe_event(name: &str, pod: &str, seen: i64) -> Row {
    Row {
        key: name.into(),
        namespace: "a".into(),
        name: name.into(),
        warn: true,
        cells: [
            "",
            "Warning",
            "Unhealthy",
            &format!("pod/{pod}"),
            "",
            "kubelet",
            "Readiness probe failed",
            "",
        ]
        .map(Into::into)
        .to_vec(),
        stamps: vec![Some(seen)].into(),
        ..Row::default()
    }
}

#[test]
fn one_problem_found_by_two_rows_counts_once_until_both_are_gone() {
    let stores = Stores::new();
    let read = &watches()[..3];
    let events = &read[2].0;
    let mut engine = Live::default();
    put(&stores, events, probe_event("e1", "web", NOW - 5));
    put(&stores, events, probe_event("e2", "web", NOW - 3));
    assert_eq!(counted(&stores, &mut engine, read, NOW), [0, 1, 0]);
    assert_eq!(engine.tally(events, Role::Warnings), Some((2, 2)));
    delete(&stores, events, probe_event("e1", "web", NOW - 5));
    assert_eq!(counted(&stores, &mut engine, read, NOW), [0, 1, 0], "e2 still finds it");
    delete(&stores, events, probe_event("e2", "web", NOW - 3));
    assert_eq!(counted(&stores, &mut engine, read, NOW), [0, 0, 0]);
}

#[test]
fn a_pending_pod_becomes_a_problem_when_time_passes_without_an_event() {
    let stores = Stores::new();
    let read = &watches()[..3];
    let mut engine = Live::default();
    let pod = Row {
        namespace: "a".into(),
        name: "waits".into(),
        created: Some(NOW - 30),
        cells: vec!["0/1".into(), "Pending".into(), "0".into()],
        facts: Some(Box::new(Facts {
            phase: "Pending".into(),
            conditions: vec![cond("PodScheduled", "False", "Unschedulable", Some(NOW - 30))],
            ..Facts::default()
        })),
        ..Row::default()
    };
    put(&stores, &read[1].0, pod);
    assert_eq!(counted(&stores, &mut engine, read, NOW), [0, 0, 0], "30 s is not long");
    // Pending for more than PENDING_SECS: from 61 s after its creation.
    assert_eq!(engine.next_wake(), Some(NOW - 30 + 61));
    assert_eq!(counted(&stores, &mut engine, read, NOW + 30), [0, 0, 0]);
    assert_eq!(counted(&stores, &mut engine, read, NOW + 31), [1, 0, 0]);
    assert_eq!(engine.next_wake(), None, "nothing more changes with time");
}

#[test]
fn a_service_is_judged_again_when_its_endpoint_slice_appears() {
    let stores = Stores::new();
    let all = watches();
    let read = &all[..5];
    let (services, slices) = (&read[3].0, &read[4].0);
    let mut engine = Live::default();
    let svc = Row {
        namespace: "a".into(),
        name: "web".into(),
        cells: vec!["ClusterIP".into()],
        selector: Some(vec![("app".into(), "web".into())]),
        ..Row::default()
    };
    put(&stores, services, svc);
    assert_eq!(counted(&stores, &mut engine, read, NOW), [1, 0, 0], "no endpoints");
    let slice = |ready: bool| Row {
        namespace: "a".into(),
        name: "web-x1".into(),
        labels: vec![("kubernetes.io/service-name".into(), "web".into())].into(),
        backends: vec![("10.0.0.1".into(), ready)],
        ..Row::default()
    };
    put(&stores, slices, slice(true));
    assert_eq!(counted(&stores, &mut engine, read, NOW), [0, 0, 0], "a ready endpoint");
    put(&stores, slices, slice(false));
    assert_eq!(counted(&stores, &mut engine, read, NOW), [1, 0, 0], "none ready");
    // Without the slices' list the rule cannot tell, and says nothing (as a full evaluation).
    assert_eq!(counted(&stores, &mut engine, &all[..4], NOW), [0, 0, 0]);
}

#[test]
fn a_watch_event_judges_its_row_alone_and_quiet_time_judges_none() {
    let stores = Stores::new();
    let all = watches();
    let read = &all[..5];
    let (pods, services, slices) = (&read[1].0, &read[3].0, &read[4].0);
    let pod = |i: usize, status: &str| Row {
        namespace: "a".into(),
        name: format!("p{i}").into(),
        cells: vec!["1/1".into(), status.into(), "0".into()],
        ..Row::default()
    };
    for i in 0..200 {
        put(&stores, pods, pod(i, "Running"));
        let name = format!("s{i}");
        let svc = Row {
            namespace: "a".into(),
            name: name.clone().into(),
            selector: Some(vec![("app".into(), name.clone())]),
            cells: vec!["ClusterIP".into()],
            ..Row::default()
        };
        put(&stores, services, svc);
        let slice = Row {
            namespace: "a".into(),
            name: format!("{name}-x").into(),
            labels: vec![("kubernetes.io/service-name".into(), name.into())].into(),
            backends: vec![(format!("10.0.0.{i}"), true)],
            ..Row::default()
        };
        put(&stores, slices, slice);
    }
    let mut engine = Live::default();
    counted(&stores, &mut engine, read, NOW);
    let first = engine.judged();
    assert_eq!(first, 600, "the first read judges every row");
    put(&stores, pods, pod(7, "Error"));
    assert_eq!(counted(&stores, &mut engine, read, NOW + 1), [0, 0, 0]);
    assert_eq!(engine.tally(pods, Role::Pods), Some((200, 1)));
    assert_eq!(engine.judged() - first, 1, "one changed pod, one row judged");
    counted(&stores, &mut engine, read, NOW + 100);
    assert_eq!(
        engine.judged() - first,
        1,
        "time alone, with no turn due, judges nothing"
    );
}
