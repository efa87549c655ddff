//! A table mended where its rows changed shows what a table computed afresh shows.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

fn row(i: usize, rng: &mut StdRng) -> Arc<Row> {
    let status = ["Running", "Pending", "CrashLoopBackOff", "Completed"][rng.random_range(0..4)];
    Arc::new(Row {
        key: format!("uid-{i}"),
        namespace: format!("ns-{}", i % 5).into(),
        name: format!("pod-{i}").into(),
        created: Some(rng.random_range(0..50)),
        node: Some(format!("node-{}", rng.random_range(0..3)).into()),
        cells: vec![format!("{}/1", rng.random_range(0..2)).into(), status.into()],
        ..Default::default()
    })
}

/// What a table computed from scratch shows: its rows in order, and the row under the cursor.
fn fresh(rows: &[Arc<Row>], filter: &Filter, fixed: &Fixed, sort: Sort) -> Vec<String> {
    let mut t = Table::default();
    t.replace_rows(rows.to_vec());
    t.refresh(filter, fixed, sort);
    t.visible.iter().map(|&i| t.rows[i].key.clone()).collect()
}

#[test]
fn a_mended_table_equals_one_computed_afresh_over_random_events() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut rows: Vec<Arc<Row>> = (0..400).map(|i| row(i, &mut rng)).collect();
    let filters = ["", "pod-1", "Pending", "!Running", "-l app=x"];
    let sorts = [SortCol::Name, SortCol::Age, SortCol::Cell(0), SortCol::Cell(1)];
    let (mut filter, mut fixed, mut sort) = (Filter::None, Fixed::default(), Sort::default());
    let mut t = Table::default();
    t.replace_rows(rows.clone());
    t.refresh(&filter, &fixed, sort);
    for step in 0..600 {
        match rng.random_range(0..20) {
            // Another filter, sort or node constraint now and then; otherwise objects change in place.
            0 => filter = Filter::parse(filters[rng.random_range(0..filters.len())]).unwrap().0,
            1 => {
                sort = Sort {
                    col: sorts[rng.random_range(0..sorts.len())],
                    descending: rng.random_bool(0.5),
                }
            }
            2 => fixed.node = rng.random_bool(0.5).then(|| "node-1".to_string()),
            3 => {
                // A create re-hashes the store: rows in other places.
                let n = rows.len();
                rows.push(row(n, &mut rng));
                let (a, b) = (rng.random_range(0..rows.len()), rng.random_range(0..rows.len()));
                rows.swap(a, b);
            }
            _ => {
                for _ in 0..rng.random_range(1..6) {
                    let i = rng.random_range(0..rows.len());
                    rows[i] = row(rows[i].key[4..].parse().unwrap(), &mut rng);
                }
            }
        }
        t.replace_rows(rows.clone());
        t.refresh(&filter, &fixed, sort);
        let shown: Vec<String> = t.visible.iter().map(|&i| t.rows[i].key.clone()).collect();
        assert_eq!(shown, fresh(&rows, &filter, &fixed, sort), "step {step}");
        // The cursor stays on its object while it is shown.
        let selected = t.selected.clone();
        if let Some(k) = &selected
            && shown.contains(k)
        {
            assert_eq!(t.current().map(|r| &r.key), Some(k), "step {step}");
        }
        if step % 50 == 0 && !shown.is_empty() {
            t.select(rng.random_range(0..shown.len()));
        }
    }
}
