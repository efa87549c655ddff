//! A table fed what changed shows exactly what a table fed every row shows: its order, what passes
//! the filter, the marks, the cursor and the search text, over random creates, updates, re-creates
//! (the same name, a new uid) and deletes, in batches small and big, under changing filters, sorts
//! and constraints.

use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::*;
use crate::cluster::rows::Mark;
use crate::cluster::{Kind, Scope};

/// Object `n`'s row with uid `uid`: few distinct cells, so sorts by a cell tie and stamps and
/// names decide; now and then a non-ASCII cell, whose filtering the regex decides.
fn row(n: usize, uid: usize, rng: &mut StdRng) -> Arc<Row> {
    let status = ["Running", "Pending", "CrashLoopBackOff", "Completed", "Évicted"][rng.random_range(0..5)];
    let labels = match rng.random_bool(0.3) {
        true => vec![("app".into(), "x".into())],
        false => vec![],
    };
    Arc::new(Row {
        key: format!("uid-{uid}"),
        namespace: format!("ns-{}", n % 5).into(),
        name: format!("pod-{n}").into(),
        created: rng.random_bool(0.9).then(|| rng.random_range(0..50)),
        node: Some(format!("node-{}", rng.random_range(0..3)).into()),
        cells: vec![format!("{}/1", rng.random_range(0..2)).into(), status.into()],
        stamps: vec![None, rng.random_bool(0.5).then(|| rng.random_range(0..5))].into(),
        labels: labels.into(),
        ..Default::default()
    })
}

fn key_of(r: &Row) -> String {
    format!("{}/{}", r.namespace, r.name)
}

fn fed(step: usize) -> Fed {
    Fed {
        watch: (Kind::Pod, Scope::All),
        mark: Mark::default(),
        basis: step as u64,
    }
}

/// The objects a watch holds, changed at random; each batch's changes as a row store gives them.
struct World {
    objects: BTreeMap<String, Arc<Row>>,
    next: usize,
    uids: usize,
}

impl World {
    fn new(n: usize, rng: &mut StdRng) -> World {
        let mut w = World {
            objects: BTreeMap::new(),
            next: n,
            uids: n,
        };
        for i in 0..n {
            let r = row(i, i, rng);
            w.objects.insert(key_of(&r), r);
        }
        w
    }

    /// Every row, in some order (a map's).
    fn rows(&self, rng: &mut StdRng) -> Vec<Arc<Row>> {
        let mut rows: Vec<Arc<Row>> = self.objects.values().cloned().collect();
        rows.shuffle(rng);
        rows
    }

    /// `n` random events, and the keys they changed, each once, with its row now.
    fn events(&mut self, n: usize, rng: &mut StdRng) -> Vec<Changed> {
        let mut touched: BTreeMap<String, ()> = BTreeMap::new();
        for _ in 0..n {
            let pick = |w: &World, rng: &mut StdRng| {
                let i = rng.random_range(0..w.objects.len().max(1));
                w.objects.keys().nth(i).cloned()
            };
            match rng.random_range(0..10) {
                0..=2 => {
                    let r = row(self.next, self.uids, rng);
                    self.next += 1;
                    self.uids += 1;
                    touched.insert(key_of(&r), ());
                    self.objects.insert(key_of(&r), r);
                }
                3..=4 => {
                    if let Some(k) = pick(self, rng) {
                        self.objects.remove(&k);
                        touched.insert(k, ());
                    }
                }
                5 => {
                    // Deleted and created again under its name: a new uid.
                    if let Some(k) = pick(self, rng) {
                        let n: usize = k.rsplit_once("pod-").unwrap().1.parse().unwrap();
                        self.objects.insert(k.clone(), row(n, self.uids, rng));
                        self.uids += 1;
                        touched.insert(k, ());
                    }
                }
                _ => {
                    if let Some(k) = pick(self, rng) {
                        let old = &self.objects[&k];
                        let (n, uid) = (old.name[4..].parse().unwrap(), old.key[4..].parse().unwrap());
                        self.objects.insert(k.clone(), row(n, uid, rng));
                        touched.insert(k, ());
                    }
                }
            }
        }
        touched
            .into_keys()
            .map(|key| Changed {
                row: self.objects.get(&key).cloned(),
                key,
            })
            .collect()
    }
}

fn shown(t: &Table) -> Vec<String> {
    t.visible.iter().map(|&i| t.rows[i].key.clone()).collect()
}

use super::equiv_tests::joined;

/// The fed table holds the world's rows themselves and shows what the table fed every row shows.
fn same(fed: &Table, full: &Table, world: &World, what: &str) {
    assert_eq!(fed.rows.len(), world.objects.len(), "{what}: rows");
    for r in &fed.rows {
        assert!(Arc::ptr_eq(r, &world.objects[&key_of(r)]), "{what}: row {}", r.key);
    }
    assert_eq!(shown(fed), shown(full), "{what}: shown");
    assert_eq!(
        fed.cursor,
        full.cursor,
        "{what}: cursor on {:?}, {:?}",
        fed.current().map(|r| &r.key),
        full.current().map(|r| &r.key)
    );
    assert_eq!(fed.selected, full.selected, "{what}: selected");
    assert_eq!(fed.marks, full.marks, "{what}: marks");
    assert_eq!(fed.search.len(), fed.rows.len(), "{what}: search text rows");
    for (i, r) in fed.rows.iter().enumerate() {
        assert_eq!(
            fed.search.text_of(i).map(<[u8]>::to_vec),
            joined(r),
            "{what}: text of {i}"
        );
    }
}

#[test]
fn a_table_fed_changes_equals_one_fed_every_row_over_random_events() {
    let mut rng = StdRng::seed_from_u64(20);
    let mut world = World::new(300, &mut rng);
    let filters = ["", "pod-1", "pending", "!Running", "-l app=x", "ns-2", "é", "1/1"];
    let sorts = [SortCol::Name, SortCol::Age, SortCol::Cell(0), SortCol::Cell(1)];
    let (mut filter, mut fixed, mut sort) = (Filter::None, Fixed::default(), Sort::default());
    let (mut fed_t, mut full) = (Table::default(), Table::default());
    let mut text = String::new();
    assert!(fed_t.feed(
        Feed {
            since: None,
            at: fed(0),
            rows: Fresh::All(world.rows(&mut rng)),
        },
        &filter,
        &fixed,
        sort,
    ));
    full.replace_rows(world.rows(&mut rng));
    full.refresh(&filter, &fixed, sort);
    let mut mended = 0;
    for step in 1..2000 {
        match rng.random_range(0..40) {
            0 => {
                text = filters[rng.random_range(0..filters.len())].to_string();
                filter = Filter::parse(&text).unwrap().0;
                fed_t.refresh(&filter, &fixed, sort);
                full.refresh(&filter, &fixed, sort);
            }
            1 => {
                // Typed on: the filter narrows what is shown.
                let more = format!("{text}{}", ["-", "1", "p", "o"][rng.random_range(0..4)]);
                let f = Filter::parse(&more).unwrap().0;
                if Filter::narrows(&text, &more) && !text.is_empty() {
                    fed_t.narrow(&f);
                    full.narrow(&f);
                } else {
                    fed_t.refresh(&f, &fixed, sort);
                    full.refresh(&f, &fixed, sort);
                }
                (text, filter) = (more, f);
            }
            2 => {
                sort = Sort {
                    col: sorts[rng.random_range(0..sorts.len())],
                    descending: rng.random_bool(0.5),
                };
                fed_t.refresh(&filter, &fixed, sort);
                full.refresh(&filter, &fixed, sort);
            }
            3 => {
                fixed.node = rng.random_bool(0.5).then(|| "node-1".to_string());
                fed_t.refresh(&filter, &fixed, sort);
                full.refresh(&filter, &fixed, sort);
            }
            4..=7 if !full.visible.is_empty() => {
                // Often on the fed table's last row, the one a delete elsewhere moves.
                let last = fed_t.rows.last().map(|r| r.key.clone());
                let pos = match fed_t
                    .visible
                    .iter()
                    .position(|&i| Some(&fed_t.rows[i].key) == last.as_ref())
                {
                    Some(pos) if rng.random_bool(0.5) => pos,
                    _ => rng.random_range(0..full.visible.len()),
                };
                fed_t.select(pos);
                full.select(pos);
                if rng.random_bool(0.5) {
                    fed_t.toggle_mark();
                    full.toggle_mark();
                }
            }
            _ => {
                // Mostly a few events; now and then none, or more than the table mends one by one.
                let n = match rng.random_range(0..20) {
                    0 => 0,
                    1 => rng.random_range(70..200),
                    _ => rng.random_range(1..5),
                };
                let list = world.events(n, &mut rng);
                mended += usize::from(list.len() <= feed::MEND_MAX);
                let taken = fed_t.feed(
                    Feed {
                        since: Some(fed(step - 1)),
                        at: fed(step),
                        rows: Fresh::Changed(list),
                    },
                    &filter,
                    &fixed,
                    sort,
                );
                assert!(taken, "step {step}: the feed starts from the rows held");
                full.replace_rows(world.rows(&mut rng));
                full.refresh(&filter, &fixed, sort);
            }
        }
        // A feed of changes names the rows it starts from: keep the marks in step.
        if fed_t.fed().is_some_and(|f| f.basis != step as u64) {
            fed_t.fed = Some(fed(step));
        }
        same(&fed_t, &full, &world, &format!("step {step}"));
    }
    assert!(mended > 500, "the mended path ran {mended} times");
}

#[test]
fn changes_from_other_rows_than_those_held_are_refused() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut world = World::new(20, &mut rng);
    let (filter, fixed, sort) = (Filter::None, Fixed::default(), Sort::default());
    let mut t = Table::default();
    let all = Fresh::All(world.rows(&mut rng));
    assert!(t.feed(
        Feed {
            since: None,
            at: fed(1),
            rows: all,
        },
        &filter,
        &fixed,
        sort
    ));
    let list = world.events(3, &mut rng);
    let stale = Feed {
        since: Some(fed(0)),
        at: fed(2),
        rows: Fresh::Changed(list),
    };
    assert!(!t.feed(stale, &filter, &fixed, sort));
    assert_eq!(t.fed(), None, "the next feed gives every row");
    assert_eq!(t.rows.len(), 20);
}

#[test]
fn a_create_lengthens_the_lists_by_a_sixteenth_not_double() {
    let mut rng = StdRng::seed_from_u64(4);
    let mut world = World::new(1600, &mut rng);
    let (filter, fixed, sort) = (Filter::None, Fixed::default(), Sort::default());
    let mut t = Table::default();
    assert!(t.feed(
        Feed {
            since: None,
            at: fed(0),
            rows: Fresh::All(world.rows(&mut rng)),
        },
        &filter,
        &fixed,
        sort
    ));
    let before = t.search_bytes();
    let r = row(world.next, world.uids, &mut rng);
    world.objects.insert(key_of(&r), r.clone());
    let list = vec![Changed {
        key: key_of(&r),
        row: Some(r),
    }];
    let change = Feed {
        since: Some(fed(0)),
        at: fed(1),
        rows: Fresh::Changed(list),
    };
    assert!(t.feed(change, &filter, &fixed, sort));
    let most = 1601 + 1600 / 16 + 1;
    assert!(t.rows.capacity() <= most, "the rows doubled: {}", t.rows.capacity());
    // The text's rows and spans (16 bytes a row) and a new row's text, not 1,600 rows' more.
    assert!(t.search_bytes() - before < 1600 * 16 / 2, "the search text doubled");
}
