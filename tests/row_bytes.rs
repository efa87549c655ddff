//! What a pod's row costs in memory: real-size pods (`fixtures/pod-real.json` shaped as the demo
//! cluster's bulk load: three labels, a ReplicaSet owner, CPU and memory requests) projected and held
//! by a watch's row store, counted by this test binary's allocator (every byte asked for, and the
//! heap chunks glibc's malloc rounds them to). Fails when the rows' compact representation regresses.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use k8s_openapi::api::core::v1::Pod;
use kube::runtime::watcher::Event;
use kubedeck::cluster::rows::{self, Row, RowStore};
use serde_json::{Value, json};

/// Counts the live bytes of the thread that allocates them (tests run on threads of their own).
struct Counting;

thread_local! {
    /// Live bytes asked for, and live bytes in malloc chunks.
    static LIVE: Cell<(isize, isize)> = const { Cell::new((0, 0)) };
}

/// The chunk glibc's malloc takes for `n` bytes (8 bytes of header, 16-byte steps, 32 at least).
fn chunk(n: usize) -> isize {
    ((n + 8 + 15) & !15).max(32) as isize
}

fn count(n: usize, sign: isize) {
    // `try_with`: the thread's counter may be gone while it exits.
    let _ = LIVE.try_with(|l| {
        let (a, c) = l.get();
        l.set((a + sign * n as isize, c + sign * chunk(n)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size(), 1);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(layout.size(), -1);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(layout.size(), -1);
        count(new_size, 1);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> (isize, isize) {
    LIVE.with(Cell::get)
}

const PODS: usize = 10_000;

/// The `i`th bulk pod: `fixtures/pod-real.json` renamed as the demo's load pods are named and labelled.
fn bulk_pod(real: &Value, i: usize) -> Pod {
    let mut v = real.clone();
    let deploy = format!("load-{:04}", i / 100);
    let rs = format!("{deploy}-5869d7778c");
    let m = &mut v["metadata"];
    m["name"] = json!(format!("{rs}-{:05x}", i * 7919 % 0xfffff));
    m["namespace"] = json!("load");
    m["uid"] = json!(format!("3f4f6d4e-8d0a-4c55-9a57-{i:012}"));
    m["labels"] = json!({"app.kubernetes.io/name": "load", "app.kubernetes.io/instance": deploy,
        "pod-template-hash": "5869d7778c"});
    m["ownerReferences"][0]["name"] = json!(rs);
    v["spec"]["containers"][0]["resources"] = json!({"requests": {"cpu": "1m", "memory": "8Mi"}});
    v["status"]["podIP"] = json!(format!("10.244.{}.{}", i / 250 % 256, i % 250 + 2));
    serde_json::from_value(v).expect("a pod")
}

fn real_pod() -> Value {
    let path = format!("{}/tests/fixtures/pod-real.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture is JSON")
}

/// Bytes a pod costs (asked for, in malloc chunks): its row alone, and its row held by a synced store.
fn measure() -> ((isize, isize), (isize, isize)) {
    let real = real_pod();
    let pods: Vec<Pod> = (0..PODS).map(|i| bulk_pod(&real, i)).collect();
    let per = |(a, c): (isize, isize), (a0, c0): (isize, isize)| ((a - a0) / PODS as isize, (c - c0) / PODS as isize);

    let before = live();
    let held: Vec<Row> = pods.iter().map(rows::pod).collect();
    let row = per(live(), before);
    drop(held);

    let before = live();
    let store = RowStore::default();
    store.apply::<Pod>(&Event::Init, rows::pod);
    for p in &pods {
        store.apply(&Event::InitApply(p.clone()), rows::pod);
    }
    store.apply::<Pod>(&Event::InitDone, rows::pod);
    let stored = per(live(), before);
    assert_eq!(store.len(), PODS);
    (row, stored)
}

#[test]
fn a_real_size_pod_row_stays_compact() {
    let (row, stored) = measure();
    eprintln!(
        "a pod's row: {} bytes ({} in malloc chunks); held by a synced store: {} ({})",
        row.0, row.1, stored.0, stored.1
    );
    // 1,430 bytes a pod (1,269 asked for) with the capacity in i128s, a stamp per cell, a
    // `namespace/name` String per row as the store's key and each pod's own labels, owners and
    // capacity; 609 (556) since: the row (288 bytes with its Arc), its uid, name and cells.
    assert!(stored.1 < 680, "{} bytes a pod held by a store", stored.1);
    // Labels, owners and capacity are shared in the store alone: a row by itself has its own.
    assert!(row.1 < 1_050, "{} bytes a pod's row", row.1);
}
