//! Filtering, sorting and the cursor of a table.

use super::*;

fn row(name: &str, labels: &[(&str, &str)]) -> Row {
    Row {
        key: format!("uid-{name}"),
        namespace: "default".into(),
        name: name.into(),
        labels: labels.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
        ..Default::default()
    }
}

fn names(t: &Table) -> Vec<&str> {
    t.visible.iter().map(|&i| t.rows[i].name.as_str()).collect()
}

#[test]
fn the_sorted_order_is_kept_only_while_it_still_sorts_the_rows() {
    let rows: Vec<Arc<Row>> = ["c", "a", "b"].iter().map(|n| Arc::new(row(n, &[]))).collect();
    let by_status = Sort {
        col: SortCol::Cell(0),
        descending: false,
    };
    let status = |r: &Arc<Row>, s: &str| {
        let mut r = (**r).clone();
        r.cells = vec![s.into()];
        Arc::new(r)
    };
    let rows: Vec<Arc<Row>> = rows.iter().map(|r| status(r, "Running")).collect();
    let mut t = Table::default();
    t.replace_rows(rows.clone());
    t.refresh(&Filter::None, &Fixed::default(), by_status);
    assert_eq!(names(&t), ["a", "b", "c"]);
    // A change that leaves the sort key alone keeps the order (and must equal a full sort)…
    let mut same = rows.clone();
    same[1] = Arc::new(Row {
        warn: true,
        ..(*same[1]).clone()
    });
    t.replace_rows(same);
    t.refresh(&Filter::None, &Fixed::default(), by_status);
    assert_eq!(names(&t), ["a", "b", "c"]);
    assert!(t.current().is_some());
    // …one that moves a row in the sort does not.
    let mut moved = rows.clone();
    moved[1] = status(&moved[1], "Terminating");
    t.replace_rows(moved.clone());
    t.refresh(&Filter::None, &Fixed::default(), by_status);
    assert_eq!(names(&t), ["b", "c", "a"]);
    // Rows in other places (a new object re-hashed the store) are sorted again.
    let mut reordered = moved;
    reordered.swap(0, 2);
    t.replace_rows(reordered);
    t.refresh(&Filter::None, &Fixed::default(), by_status);
    assert_eq!(names(&t), ["b", "c", "a"]);
}

#[test]
fn typing_on_narrows_to_what_a_full_refresh_shows() {
    assert!(Filter::narrows("", "web"));
    assert!(Filter::narrows("we", "web-"));
    assert!(!Filter::narrows("web", "we"), "deleting widens");
    assert!(!Filter::narrows("web", "web.*"), "regex syntax");
    assert!(!Filter::narrows("", "!web"));
    assert!(!Filter::narrows("-", "-l app=web"));
    let rows: Vec<Row> = ["web-1", "WEB-10", "web-2", "db-web", "db-0", "webby"]
        .iter()
        .map(|n| row(n, &[]))
        .collect();
    let sort = Sort {
        col: SortCol::Name,
        descending: true,
    };
    let mut typed = Table::default();
    typed.set_rows(rows.clone(), &Filter::None, &Fixed::default(), sort);
    typed.select(2);
    let mut old = String::new();
    for new in ["w", "we", "web", "web-", "web-1"] {
        assert!(Filter::narrows(&old, new));
        let filter = Filter::parse(new).unwrap().0;
        typed.narrow(&filter);
        let mut full = Table::default();
        full.set_rows(rows.clone(), &filter, &Fixed::default(), sort);
        assert_eq!(names(&typed), names(&full), "after {new:?}");
        old = new.to_string();
    }
    assert_eq!(names(&typed), ["web-1", "WEB-10"], "case-insensitive, still sorted");
}

#[test]
fn plain_text_matches_within_one_field_as_a_regex_does() {
    let mut r = row("web-1", &[]);
    r.namespace = "shop".into();
    r.cells = vec!["1/1".into(), "Running".into(), "node-a".into()];
    let hit = |text: &str| Filter::parse(text).unwrap().0.matches(&r);
    assert!(hit("RUNN") && hit("shop") && hit("node-a") && hit("1/1"));
    // The fields are searched as one text: a match never spans two of them.
    assert!(!hit("shop1/1") && !hit("1running") && !hit("ning node"));
    assert!(!hit("!running") && hit("!nothing"));
    // Taken literally after an invalid regex, the same holds.
    assert!(!hit("1/1[") && !hit("[shop"));
}

#[test]
fn regex_inverted_and_label_filters() {
    let rows = vec![
        row("web-1", &[("app", "web")]),
        row("db-0", &[("app", "db")]),
        row("web-2", &[]),
    ];
    let mut t = Table::default();
    let f = Filter::parse("^web").unwrap().0;
    t.set_rows(rows.clone(), &f, &Fixed::default(), Sort::default());
    assert_eq!(names(&t), ["web-1", "web-2"]);
    t.refresh(&Filter::parse("!web").unwrap().0, &Fixed::default(), Sort::default());
    assert_eq!(names(&t), ["db-0"]);
    t.refresh(
        &Filter::parse("-l app=web").unwrap().0,
        &Fixed::default(),
        Sort::default(),
    );
    assert_eq!(names(&t), ["web-1"]);
    t.refresh(
        &Filter::parse("-l app!=web").unwrap().0,
        &Fixed::default(),
        Sort::default(),
    );
    assert_eq!(names(&t), ["db-0", "web-2"]);
    // An unbalanced bracket is searched for literally instead of failing.
    t.refresh(&Filter::parse("web[").unwrap().0, &Fixed::default(), Sort::default());
    assert!(names(&t).is_empty());
    t.refresh(
        &Filter::parse("-l app in (db, api)").unwrap().0,
        &Fixed::default(),
        Sort::default(),
    );
    assert_eq!(names(&t), ["db-0"]);
    assert!(Filter::parse("-l a b").is_err());
}

#[test]
fn cursor_follows_its_object_when_rows_move() {
    let mut t = Table::default();
    let f = Filter::None;
    t.set_rows(
        vec![row("b", &[]), row("c", &[]), row("d", &[])],
        &f,
        &Fixed::default(),
        Sort::default(),
    );
    t.select(1);
    assert_eq!(t.current().unwrap().name, "c");
    t.set_rows(
        vec![row("a", &[]), row("b", &[]), row("c", &[]), row("d", &[])],
        &f,
        &Fixed::default(),
        Sort::default(),
    );
    assert_eq!(t.current().unwrap().name, "c");
    assert_eq!(t.cursor, 2);
    // When the object goes away the cursor keeps its position, clamped.
    t.set_rows(vec![row("a", &[])], &f, &Fixed::default(), Sort::default());
    assert_eq!(t.current().unwrap().name, "a");
}

#[test]
fn sort_by_age_puts_the_youngest_first_and_descending_reverses() {
    let mut rows = vec![row("old", &[]), row("new", &[])];
    rows[0].created = Some(100);
    rows[1].created = Some(200);
    let mut t = Table::default();
    t.set_rows(
        rows,
        &Filter::None,
        &Fixed::default(),
        Sort {
            col: SortCol::Age,
            descending: false,
        },
    );
    assert_eq!(names(&t), ["new", "old"]);
    t.refresh(
        &Filter::None,
        &Fixed::default(),
        Sort {
            col: SortCol::Age,
            descending: true,
        },
    );
    assert_eq!(names(&t), ["old", "new"]);
}

#[test]
fn natural_order_reads_numbers_ratios_and_ips() {
    assert_eq!(natural("2/3", "10/10"), Ordering::Less);
    assert_eq!(natural("3/3", "2/3"), Ordering::Greater);
    assert_eq!(natural("10.0.0.9", "10.0.0.12"), Ordering::Less);
    assert_eq!(natural("9", "10"), Ordering::Less);
    assert_eq!(natural("007", "7"), Ordering::Equal);
    assert_eq!(natural("Running", "Pending"), Ordering::Greater);
}

#[test]
fn cell_sort_uses_numbers_then_stamps() {
    let mut rows = vec![row("a", &[]), row("b", &[]), row("c", &[])];
    rows[0].cells = vec!["10".into(), String::new().into()];
    rows[1].cells = vec!["9".into(), String::new().into()];
    rows[2].cells = vec!["10".into(), String::new().into()];
    rows[0].stamps = vec![Some(100), Some(5)].into();
    rows[1].stamps = vec![None, Some(50)].into();
    rows[2].stamps = vec![Some(200), Some(7)].into();
    let mut t = Table::default();
    let sort = |n| Sort {
        col: SortCol::Cell(n),
        descending: false,
    };
    t.set_rows(rows, &Filter::None, &Fixed::default(), sort(0));
    // 9 restarts first; of the two with 10, the one restarted last (stamp 200) first.
    assert_eq!(names(&t), ["b", "c", "a"]);
    // An age column: newest stamp first.
    t.refresh(&Filter::None, &Fixed::default(), sort(1));
    assert_eq!(names(&t), ["b", "c", "a"]);
    let mut changed = t.rows.clone();
    Arc::make_mut(&mut changed[1]).stamps.set(1, Some(1));
    t.replace_rows(changed);
    t.refresh(&Filter::None, &Fixed::default(), sort(1));
    assert_eq!(names(&t), ["c", "a", "b"]);
}

#[test]
fn offset_moves_only_as_much_as_needed() {
    assert_eq!(visible_offset(0, 5, 10, 100), 0);
    assert_eq!(visible_offset(0, 15, 10, 100), 6);
    assert_eq!(visible_offset(20, 15, 10, 100), 15);
    assert_eq!(visible_offset(95, 99, 10, 100), 90);
}
