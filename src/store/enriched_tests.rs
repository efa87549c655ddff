use kube::runtime::watcher::Event;
use model::quantity::Capacity;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::app::table::{Filter, Fixed, Sort, SortCol, Table};
use crate::cluster::rows::RowStore;
use crate::store::enrichers;
use crate::store::usage::Used;

fn pod(i: usize, owner: usize) -> Arc<Row> {
    Arc::new(Row {
        key: format!("uid-pod-{i}"),
        namespace: format!("ns-{}", i % 3).into(),
        name: format!("pod-{i}").into(),
        owners: vec![format!("uid-dep-{owner}")].into(),
        capacity: Some(std::sync::Arc::new(Capacity::Pod {
            cpu_request: Some(100 + i as i64),
            cpu_limit: i.is_multiple_of(3).then_some(500),
            mem_request: Some(64 << 20),
            mem_limit: None,
        })),
        ..Default::default()
    })
}

fn deployment(n: usize, uid: usize, version: usize) -> Row {
    Row {
        key: format!("uid-dep-{uid}"),
        namespace: format!("ns-{}", n % 3).into(),
        name: format!("dep-{n}").into(),
        cells: vec!["1/1".into(), format!("{}", version % 4).into()],
        ..Default::default()
    }
}

fn sample(pods: &[Arc<Row>], rng: &mut StdRng) -> Sample {
    let mut sample = Sample::default();
    for p in pods {
        let u = Used {
            cpu: rng.random_range(0..1000),
            mem: rng.random_range(0..(1 << 30)),
        };
        sample.insert(&p.namespace, &p.name, u);
    }
    sample
}

fn put(store: &RowStore, row: Row) {
    store.apply_rows(&mut Event::Apply(row));
}

/// Each shown row's key and cells.
fn shown(t: &Table) -> Vec<(String, Vec<String>)> {
    t.visible
        .iter()
        .map(|&i| {
            let r = &t.rows[i];
            (r.key.clone(), r.cells.iter().map(|c| c.to_string()).collect())
        })
        .collect()
}

/// Workloads fed from their row store as the store feeds a view (what changed, enriched alone, the
/// enriched rows adopted by the store), against every row enriched and fed afresh, over random
/// creates, updates, re-creates, deletes, re-lists and new usage samples (which sum into every
/// workload's cells).
#[test]
fn a_view_fed_what_its_row_store_changed_equals_one_fed_every_row() {
    let mut rng = StdRng::seed_from_u64(20);
    let es = enrichers::of(Kind::Deployment);
    let watch = (Kind::Deployment, Scope::All);
    let pods: Vec<Arc<Row>> = (0..300).map(|i| pod(i, i % 50)).collect();
    let needed = |k: Kind| match k {
        Kind::Pod => Some(pods.clone()),
        _ => Some(Vec::new()),
    };
    let store = RowStore::default();
    let mut live: Vec<(usize, usize)> = Vec::new();
    let (mut next, mut uids) = (0, 0);
    for _ in 0..60 {
        put(&store, deployment(next, uids, 0));
        live.push((next, uids));
        next += 1;
        uids += 1;
    }
    let mut s = sample(&pods, &mut rng);
    let mut usage_generation = 1;
    let filters = ["", "dep-1", "ns-2", "!3"];
    // By name, by a printer cell, and by the CPU the workload's pods use (an enriched cell).
    let sorts = [
        SortCol::Name,
        SortCol::Cell(1),
        SortCol::Cell(enrich::printer_cells(Kind::Deployment)),
    ];
    let (mut filter, fixed, mut sort) = (Filter::None, Fixed::default(), Sort::default());
    let mut t = Table::default();
    let mut changed_feeds = 0;
    for step in 0..600 {
        let mut events = 0;
        match rng.random_range(0..20) {
            0 => {
                s = sample(&pods, &mut rng);
                usage_generation += 1;
            }
            1 => {
                // A re-list (after 410 Gone): the store's rows replaced at once.
                store.apply_rows(&mut Event::Init);
                for &(n, uid) in &live {
                    store.apply_rows(&mut Event::InitApply(deployment(n, uid, step)));
                }
                store.apply_rows(&mut Event::InitDone);
            }
            2 => {
                filter = Filter::parse(filters[rng.random_range(0..filters.len())]).unwrap().0;
                t.refresh(&filter, &fixed, sort);
            }
            3 => {
                sort = Sort {
                    col: sorts[rng.random_range(0..sorts.len())],
                    descending: rng.random_bool(0.5),
                };
                t.refresh(&filter, &fixed, sort);
            }
            _ => {
                for _ in 0..rng.random_range(1..5) {
                    events += 1;
                    let at = rng.random_range(0..live.len().max(1));
                    match rng.random_range(0..6) {
                        0 => {
                            put(&store, deployment(next, uids, step));
                            live.push((next, uids));
                            next += 1;
                            uids += 1;
                        }
                        1 if !live.is_empty() => {
                            let (n, uid) = live.swap_remove(at);
                            store.apply_rows(&mut Event::Delete(deployment(n, uid, step)));
                        }
                        2 if !live.is_empty() => {
                            // Deleted and created again under its name: a new uid.
                            live[at].1 = uids;
                            put(&store, deployment(live[at].0, uids, step));
                            uids += 1;
                        }
                        _ if !live.is_empty() => put(&store, deployment(live[at].0, live[at].1, step)),
                        _ => {}
                    }
                }
            }
        }
        let basis = basis(&es, 0, usage_generation);
        let since = since(t.fed(), &watch, basis);
        let before: Vec<Arc<Row>> = t.rows.clone();
        let read = |m| Some(store.changes(m));
        let (feed, adopt) = feed(watch.clone(), since, basis, read, &es, needed, Some(&s)).unwrap();
        let changes = match &feed.rows {
            Fresh::Changed(list) => Some(list.len()),
            Fresh::All(_) => None,
        };
        store.adopt(&adopt.base, &adopt.shown);
        assert!(t.feed(feed, &filter, &fixed, sort), "step {step}");
        if let Some(n) = changes {
            // Only the rows that changed are new to the view: the others are the rows it held.
            changed_feeds += 1;
            assert!(n <= events, "step {step}");
            let new = t
                .rows
                .iter()
                .filter(|r| !before.iter().any(|b| Arc::ptr_eq(r, b)))
                .count();
            assert!(new <= n, "step {step}: {new} rows new to the view after {n} changes");
        }
        // Every row enriched afresh and fed whole.
        let mut rows = store.rows();
        enrich::apply(Kind::Deployment, &mut rows, &es, needed, Some(&s));
        let mut full = Table::default();
        full.replace_rows(rows);
        full.refresh(&filter, &fixed, sort);
        assert_eq!(shown(&t), shown(&full), "step {step}");
        assert_eq!(t.rows.len(), live.len(), "step {step}");
    }
    assert!(changed_feeds > 400, "fed what changed {changed_feeds} times");
}

/// Pods gain no cells in their rows (their usage is read from the sample when drawn): a feed after
/// a new sample copies no row, and one after a pod changed brings that pod alone.
#[test]
fn a_changed_pod_is_the_only_row_fed_again_and_a_sample_copies_none() {
    let es = enrichers::of(Kind::Pod);
    let watch = (Kind::Pod, Scope::All);
    let store = RowStore::default();
    for i in 0..1000 {
        put(&store, Arc::unwrap_or_clone(pod(i, 0)));
    }
    let mut t = Table::default();
    let (filter, fixed, sort) = (Filter::None, Fixed::default(), Sort::default());
    let feed_now = |t: &mut Table, usage: u64| {
        let basis = basis(&es, 0, usage);
        let since = since(t.fed(), &watch, basis);
        let read = |m| Some(store.changes(m));
        let (feed, adopt) = feed(watch.clone(), since, basis, read, &es, |_| None, None).unwrap();
        assert!(adopt.base.is_empty(), "no pod row is copied");
        let rows = match &feed.rows {
            Fresh::All(rows) => rows.len(),
            Fresh::Changed(list) => list.len(),
        };
        assert!(t.feed(feed, &filter, &fixed, sort));
        rows
    };
    assert_eq!(feed_now(&mut t, 1), 1000);
    put(&store, Arc::unwrap_or_clone(pod(17, 1)));
    assert_eq!(feed_now(&mut t, 1), 1, "one pod changed");
    assert_eq!(feed_now(&mut t, 2), 0, "a new sample changes no pod row");
    assert!(t.rows.iter().any(|r| *r.owners == ["uid-dep-1".to_string()]));
}

#[test]
fn rows_the_store_adopted_are_kept_and_the_watchs_copies_are_let_go() {
    // Services gain ENDPOINTS ("?" until the slices are known): every row is copied.
    let es = enrichers::of(Kind::Service);
    let watch = (Kind::Service, Scope::All);
    let store = RowStore::default();
    for i in 0..200 {
        put(&store, Arc::unwrap_or_clone(pod(i, 0)));
    }
    let weak: Vec<_> = store.rows().iter().map(Arc::downgrade).collect();
    let read = |m| Some(store.changes(m));
    let (first, adopt) = feed(watch.clone(), None, 0, read, &es, |_| None, None).unwrap();
    assert_eq!(store.adopt(&adopt.base, &adopt.shown), 200);
    drop(adopt);
    let mut t = Table::default();
    let (filter, fixed, sort) = (Filter::None, Fixed::default(), Sort::default());
    assert!(t.feed(first, &filter, &fixed, sort));
    // Only the view's and the store's one copy of each row is alive.
    assert_eq!(weak.iter().filter(|w| w.upgrade().is_some()).count(), 0);
    assert!(
        t.rows.iter().all(|r| Arc::strong_count(r) == 3),
        "the store's, the view's, its search text's"
    );
    // The next feed from the view's rows brings nothing: adopted rows are not changes.
    let read = |m| Some(store.changes(m));
    let (again, adopt) = feed(watch, t.fed(), 0, read, &es, |_| None, None).unwrap();
    assert!(matches!(&again.rows, Fresh::Changed(list) if list.is_empty()));
    assert!(adopt.base.is_empty());
}
