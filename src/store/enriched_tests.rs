use std::collections::HashMap;

use model::quantity::Capacity;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::store::enrichers;
use crate::store::usage::Used;

fn pod(i: usize, version: u32) -> Arc<Row> {
    Arc::new(Row {
        key: format!("uid-{i}"),
        namespace: format!("ns-{}", i % 7).into(),
        name: format!("pod-{i}").into(),
        cells: vec!["1/1".into(), "Running".into(), version.to_string().into()],
        capacity: Some(std::sync::Arc::new(Capacity::Pod {
            cpu_request: Some(100 + i as i64),
            cpu_limit: i.is_multiple_of(3).then_some(500),
            mem_request: Some(64 << 20),
            mem_limit: None,
        })),
        ..Default::default()
    })
}

fn sample(pods: &HashMap<usize, Arc<Row>>, rng: &mut StdRng) -> Arc<Sample> {
    let mut sample = Sample::default();
    for p in pods.values() {
        let u = Used {
            cpu: rng.random_range(0..1000),
            mem: rng.random_range(0..(1 << 30)),
        };
        if rng.random_bool(0.8) {
            sample.insert(&p.namespace, &p.name, u.into());
        }
    }
    Arc::new(sample)
}

/// What a feed gave before the memo: every row enriched afresh.
fn full(rows: &[Arc<Row>], sample: Option<&Sample>) -> Vec<Arc<Row>> {
    let mut rows = rows.to_vec();
    let es = enrichers::of(Kind::Pod);
    enrich::apply(Kind::Pod, &mut rows, &es, |_| None, sample);
    rows
}

#[test]
fn incremental_enrichment_equals_a_full_one_over_random_events() {
    let mut rng = StdRng::seed_from_u64(20);
    let es = enrichers::of(Kind::Pod);
    let watch = (Kind::Pod, Scope::All);
    // As the row store keeps them: a map, read in its order.
    let mut pods: HashMap<usize, Arc<Row>> = (0..300).map(|i| (i, pod(i, 0))).collect();
    let mut next = 300;
    let mut s = Some(sample(&pods, &mut rng));
    let mut memo = Memo::default();
    for step in 0..400 {
        match rng.random_range(0..10) {
            0 => {
                pods.insert(next, pod(next, 0));
                next += 1;
            }
            1 => {
                let k = *pods.keys().nth(rng.random_range(0..pods.len())).unwrap();
                pods.remove(&k);
            }
            2 => s = Some(sample(&pods, &mut rng)),
            3 => s = None,
            _ => {
                for _ in 0..rng.random_range(1..4) {
                    let k = *pods.keys().nth(rng.random_range(0..pods.len())).unwrap();
                    pods.insert(k, pod(k, step));
                }
            }
        }
        let rows: Vec<Arc<Row>> = pods.values().cloned().collect();
        let want = full(&rows, s.as_deref());
        let got = memo.apply(watch.clone(), rows, &es, 0, |_| None, s.clone());
        let cells = |v: &[Arc<Row>]| v.iter().map(|r| (r.key.clone(), r.cells.clone())).collect::<Vec<_>>();
        assert_eq!(cells(&got), cells(&want), "step {step}");
    }
}

#[test]
fn a_changed_pod_is_the_only_row_enriched_again() {
    let mut rng = StdRng::seed_from_u64(5);
    let es = enrichers::of(Kind::Pod);
    let watch = (Kind::Pod, Scope::All);
    let mut pods: HashMap<usize, Arc<Row>> = (0..1000).map(|i| (i, pod(i, 0))).collect();
    let s = Some(sample(&pods, &mut rng));
    let mut memo = Memo::default();
    let before = memo.apply(
        watch.clone(),
        pods.values().cloned().collect(),
        &es,
        0,
        |_| None,
        s.clone(),
    );
    pods.insert(17, pod(17, 1));
    let after = memo.apply(
        watch.clone(),
        pods.values().cloned().collect(),
        &es,
        0,
        |_| None,
        s.clone(),
    );
    // Every other row is the one the view already holds: the view's order check is a pointer
    // comparison, and no row was copied.
    let shared = before.iter().zip(&after).filter(|(a, b)| Arc::ptr_eq(a, b)).count();
    assert_eq!(shared, 999);
    assert_eq!(after.iter().find(|r| r.name == "pod-17").unwrap().cells[2], "1");
    // A new sample enriches no row: the pods' usage is read from it when drawn
    // (`store::usage_cols`), and it was every row copied on every sample.
    let fresh = memo.apply(
        watch,
        pods.values().cloned().collect(),
        &es,
        0,
        |_| None,
        Some(sample(&pods, &mut rng)),
    );
    let enriched = after.iter().zip(&fresh).filter(|(a, b)| !Arc::ptr_eq(a, b)).count();
    assert_eq!(enriched, 0, "rows enriched again by a new sample");
}

#[test]
fn a_new_sample_enriches_the_workloads_again_which_sum_it() {
    let mut rng = StdRng::seed_from_u64(6);
    let es = enrichers::of(Kind::Deployment);
    let watch = (Kind::Deployment, Scope::All);
    // Every pod owned by the one Deployment (directly: no ReplicaSets known).
    let owned = |i| {
        let mut p = Arc::unwrap_or_clone(pod(i, 0));
        p.owners = vec!["uid-1000".into()].into();
        Arc::new(p)
    };
    let pods: HashMap<usize, Arc<Row>> = (0..50).map(|i| (i, owned(i))).collect();
    let deploys: Vec<Arc<Row>> = vec![pod(1000, 0)];
    let mut memo = Memo::default();
    let pod_rows = |k: Kind| (k == Kind::Pod).then(|| pods.values().cloned().collect());
    let s = Some(sample(&pods, &mut rng));
    let before = memo.apply(watch.clone(), deploys.clone(), &es, 0, pod_rows, s);
    let s = Some(sample(&pods, &mut rng));
    let after = memo.apply(watch, deploys, &es, 0, pod_rows, s);
    assert!(before.iter().zip(&after).all(|(a, b)| !Arc::ptr_eq(a, b)));
}

#[test]
fn rows_the_cache_adopted_are_kept_and_the_watchs_copies_are_let_go() {
    // Services gain ENDPOINTS ("?" until the slices are known): every row is copied.
    let es = enrichers::of(Kind::Service);
    let watch = (Kind::Service, Scope::All);
    let pods: HashMap<usize, Arc<Row>> = (0..200).map(|i| (i, pod(i, 0))).collect();
    let s = None;
    let mut memo = Memo::default();
    let base: Vec<Arc<Row>> = pods.values().cloned().collect();
    let out = memo.apply(watch.clone(), base.clone(), &es, 0, |_| None, s.clone());
    // As `Cache::adopt` does: the cache now holds the enriched rows, the watch's rows are dropped.
    memo.adopted();
    drop(pods);
    let weak: Vec<_> = base.iter().map(Arc::downgrade).collect();
    drop(base);
    let enriched_copies = out
        .iter()
        .zip(&weak)
        .filter(|(o, w)| !std::ptr::eq(Arc::as_ptr(o), w.as_ptr()))
        .count();
    assert!(enriched_copies > 100, "most rows should gain the ENDPOINTS cell");
    let held = weak.iter().filter(|w| w.upgrade().is_some()).count();
    // Only the rows enrichment left as they were (the same row) are still alive.
    assert_eq!(
        held,
        200 - enriched_copies,
        "the memo kept the watch's copies of enriched rows"
    );
    // The next feed hands the adopted rows back: nothing is enriched again.
    let again = memo.apply(watch, out.clone(), &es, 0, |_| None, s);
    assert!(out.iter().zip(&again).all(|(a, b)| Arc::ptr_eq(a, b)));
}
