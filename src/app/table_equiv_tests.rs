//! The fast paths of filtering (a plain text searched in each row's lowercased text) and sorting
//! (a key per row) give exactly what the filter's regex and the row comparator give, over random rows.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::sort_key::natural_key;
use super::*;

/// Letters of both cases, digits (leading zeros too), separators, and the non-ASCII letters whose
/// case folding reaches ASCII (Kelvin sign, long s) or does not (é).
const ALPHABET: &[char] = &[
    'a', 'b', 'k', 's', 'A', 'K', 'S', '0', '0', '1', '2', '9', '-', '.', ' ', '/', '\u{212A}', '\u{17F}', 'é', '\0',
    '\u{1}',
];

fn text(rng: &mut StdRng, max: usize) -> String {
    (0..rng.random_range(0..=max))
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
        .collect()
}

fn random_row(rng: &mut StdRng, n: usize) -> Arc<Row> {
    let cells = (0..3).map(|_| text(rng, 6).into()).collect();
    let stamps = (0..3)
        .map(|_| rng.random_bool(0.5).then(|| rng.random_range(0..4)))
        .collect();
    Arc::new(Row {
        key: format!("uid-{n}"),
        namespace: text(rng, 3).into(),
        name: text(rng, 8).into(),
        cells,
        stamps,
        created: rng.random_bool(0.8).then(|| rng.random_range(-3..4)),
        ..Default::default()
    })
}

/// What the table should show: every row sorted by the comparator, then filtered by the regex.
fn expected(rows: &[Arc<Row>], filter: &Filter, sort: Sort) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| ordered(&rows[a], &rows[b], a, b, sort, None));
    order.retain(|&i| filter.matches(&rows[i]));
    order
}

#[test]
fn typed_filters_pass_exactly_the_rows_their_regex_passes_while_rows_change() {
    let mut rng = StdRng::seed_from_u64(20);
    let mut rows: Vec<Arc<Row>> = (0..400).map(|n| random_row(&mut rng, n)).collect();
    let mut t = Table::default();
    let sort = Sort::default();
    let fixed = Fixed::default();
    for round in 0..60 {
        t.replace_rows(rows.clone());
        t.refresh(&Filter::None, &fixed, sort);
        // Typed key by key, as the filter line narrows or refreshes.
        let typed: String = match round % 4 {
            0 => format!("!{}", text(&mut rng, 3)),
            1 => format!("{}[", text(&mut rng, 2)),
            _ => text(&mut rng, 4),
        };
        let mut before = String::new();
        for c in typed.chars() {
            let mut now = before.clone();
            now.push(c);
            let (filter, note) = Filter::parse(&now).unwrap();
            if Filter::narrows(&before, &now) && note.is_none() && !before.is_empty() {
                t.narrow(&filter);
            } else {
                t.refresh(&filter, &fixed, sort);
            }
            assert_eq!(t.visible, expected(&rows, &filter, sort), "filter {now:?}");
            // Rows change under the filter: in place, and sometimes one more.
            for _ in 0..rng.random_range(0..3) {
                let i = rng.random_range(0..rows.len());
                rows[i] = random_row(&mut rng, i);
            }
            if rng.random_bool(0.1) {
                rows.push(random_row(&mut rng, rows.len()));
            }
            t.replace_rows(rows.clone());
            t.refresh(&filter, &fixed, sort);
            assert_eq!(
                t.visible,
                expected(&rows, &filter, sort),
                "filter {now:?} after rows changed"
            );
            before = now;
        }
    }
    t.refresh(&Filter::None, &fixed, sort);
    assert!(t.search_bytes() > 0, "the text is kept for the next filter");
}

/// A row's text as a plain filter searches it: None when it has non-ASCII text.
pub(super) fn joined(row: &Row) -> Option<Vec<u8>> {
    let fields: Vec<&str> = [&row.name, &row.namespace]
        .into_iter()
        .chain(&row.cells)
        .map(|t| t.as_str())
        .collect();
    let text = fields.join("\n");
    text.is_ascii().then(|| text.to_ascii_lowercase().into_bytes())
}

#[test]
fn the_kept_text_follows_rows_that_change_come_go_and_move() {
    let mut rng = StdRng::seed_from_u64(21);
    let mut rows: Vec<Arc<Row>> = (0..300).map(|n| random_row(&mut rng, n)).collect();
    let mut t = Table::default();
    let (fixed, sort) = (Fixed::default(), Sort::default());
    let mut n = rows.len();
    for step in 0..400 {
        match rng.random_range(0..10) {
            // In place, a few rows.
            0..=3 => {
                for _ in 0..rng.random_range(1..5) {
                    let i = rng.random_range(0..rows.len());
                    rows[i] = random_row(&mut rng, i);
                }
            }
            4 => {
                n += 1;
                let at = rng.random_range(0..=rows.len());
                rows.insert(at, random_row(&mut rng, n));
            }
            5 if rows.len() > 1 => {
                rows.remove(rng.random_range(0..rows.len()));
            }
            6 => {
                let (a, b) = (rng.random_range(0..rows.len()), rng.random_range(0..rows.len()));
                rows.swap(a, b);
            }
            // Every row new (a metrics sample).
            7 => rows = rows.iter().enumerate().map(|(i, _)| random_row(&mut rng, i)).collect(),
            8 => rows.truncate(rng.random_range(0..3)),
            _ => {}
        }
        if rows.is_empty() {
            rows = (0..rng.random_range(1..200)).map(|i| random_row(&mut rng, i)).collect();
        }
        t.replace_rows(rows.clone());
        let typed = text(&mut rng, 2);
        let filter = match step % 3 {
            0 => Filter::None,
            _ => Filter::parse(&typed).unwrap().0,
        };
        t.refresh(&filter, &fixed, sort);
        assert_eq!(t.search.len(), rows.len(), "step {step}");
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(
                t.search.text_of(i).map(<[u8]>::to_vec),
                joined(r),
                "step {step}, row {i}"
            );
        }
        assert_eq!(
            t.visible,
            expected(&rows, &filter, sort),
            "step {step}, filter {typed:?}"
        );
    }
}

#[test]
fn case_folding_beyond_ascii_is_the_regex_s() {
    let row = |name: &str| {
        Arc::new(Row {
            key: name.into(),
            name: name.into(),
            ..Default::default()
        })
    };
    let mut t = Table::default();
    t.replace_rows(vec![
        row("\u{212A}ube"),
        row("kube"),
        row("KUBE"),
        row("\u{17F}ys"),
        row("cube"),
    ]);
    let (filter, _) = Filter::parse("kube").unwrap();
    t.refresh(&filter, &Fixed::default(), Sort::default());
    let mut shown: Vec<&str> = t.visible.iter().map(|&i| t.rows[i].name.as_str()).collect();
    shown.sort();
    assert_eq!(shown, ["KUBE", "kube", "\u{212A}ube"]);
    let (filter, _) = Filter::parse("SYS").unwrap();
    t.refresh(&filter, &Fixed::default(), Sort::default());
    assert_eq!(t.visible, [3]);
}

#[test]
fn sorts_by_key_give_the_comparator_s_order() {
    let mut rng = StdRng::seed_from_u64(5);
    for _ in 0..20 {
        let rows: Vec<Arc<Row>> = (0..300).map(|n| random_row(&mut rng, n)).collect();
        let cols = [
            SortCol::Name,
            SortCol::Age,
            SortCol::Cell(0),
            SortCol::Cell(1),
            SortCol::Cell(7),
        ];
        for col in cols {
            for descending in [false, true] {
                let sort = Sort { col, descending };
                let mut t = Table::default();
                t.replace_rows(rows.clone());
                t.refresh(&Filter::None, &Fixed::default(), sort);
                assert_eq!(t.visible, expected(&rows, &Filter::None, sort), "{sort:?}");
            }
        }
    }
}

#[test]
fn natural_keys_order_as_natural_compares() {
    let texts = [
        "",
        "0",
        "00",
        "007",
        "7",
        "10",
        "9",
        "a",
        "a0",
        "a00b",
        "a0b",
        "2/3",
        "10/10",
        "10.0.0.9",
        "10.0.0.12",
        "-1",
        "1-",
        "1a",
        "1 ",
        "18446744073709551616",
        "18446744073709551615",
        "é1",
        "é01",
        "a\0",
        "a\u{1}",
        "a\u{2}",
        "\0",
    ];
    let key = |s: &str| {
        let mut k = Vec::new();
        natural_key(&mut k, s);
        k
    };
    for a in texts {
        for b in texts {
            assert_eq!(key(a).cmp(&key(b)), natural(a, b), "{a:?} vs {b:?}");
        }
    }
}

#[test]
fn usage_cells_are_matched_as_the_regex_matches_them_though_not_kept_in_the_text() {
    use crate::store::usage::{Sample, Used};
    use crate::store::usage_cols::UsageCols;
    use model::quantity::Capacity;
    let mut rng = StdRng::seed_from_u64(22);
    let base = crate::store::enrich::printer_cells(crate::cluster::Kind::Pod);
    let digits = |rng: &mut StdRng| -> String {
        let pick = ['0', '1', '2', '5', '9', 'm', 'M', 'i', '-', 'a', 'x'];
        (0..rng.random_range(1..4))
            .map(|_| pick[rng.random_range(0..pick.len())])
            .collect()
    };
    let mut t = Table::default();
    let (sort, fixed) = (Sort::default(), Fixed::default());
    for round in 0..30 {
        // Pods whose own cells hold digits too, and a sample that measures most of them.
        let mut sample = Sample::default();
        let rows: Vec<Arc<Row>> = (0..200)
            .map(|n| {
                let row = Row {
                    key: format!("uid-{n}"),
                    namespace: "shop".into(),
                    name: format!("p{n}").into(),
                    cells: (0..base).map(|_| digits(&mut rng).into()).collect(),
                    capacity: Some(std::sync::Arc::new(Capacity::Pod {
                        cpu_request: rng.random_bool(0.7).then(|| rng.random_range(1..500)),
                        cpu_limit: rng.random_bool(0.5).then(|| rng.random_range(1..900)),
                        mem_request: rng.random_bool(0.7).then(|| rng.random_range(1..900) << 20),
                        mem_limit: rng.random_bool(0.5).then(|| rng.random_range(1..900) << 20),
                    })),
                    ..Default::default()
                };
                if rng.random_bool(0.8) {
                    let used = Used {
                        cpu: rng.random_range(0..1200),
                        mem: rng.random_range(0..2000) << 20,
                    };
                    sample.insert("shop", &row.name, used);
                }
                Arc::new(row)
            })
            .collect();
        let usage = UsageCols::new(crate::cluster::Kind::Pod, Some(Arc::new(sample))).map(Arc::new);
        t.replace_rows(rows.clone());
        t.set_usage(usage.clone(), &Filter::None, sort);
        t.refresh(&Filter::None, &fixed, sort);
        let typed = if round % 3 == 0 {
            format!("!{}", digits(&mut rng))
        } else {
            digits(&mut rng)
        };
        let (filter, _) = Filter::parse(&typed).unwrap();
        t.refresh(&filter, &fixed, sort);
        let want: Vec<usize> = (0..rows.len())
            .filter(|&i| filter.matches_with(&rows[i], usage.as_deref()))
            .collect();
        let mut got = t.visible.clone();
        got.sort_unstable();
        assert_eq!(got, want, "filter {typed:?}");
        // Every usage cell's ASCII bytes are ones a plain filter is checked against.
        for r in &rows {
            usage.as_ref().unwrap().each(r, |c| {
                let ascii = c.bytes().filter(u8::is_ascii);
                assert!(
                    ascii
                        .clone()
                        .all(|b| crate::store::usage_cols::may_show(b.to_ascii_lowercase())),
                    "{c:?}"
                );
            });
        }
    }
}
