//! Key-flow tests of the usage shortcuts: `Z` sorts by CPU and `M` by MEM, largest first and by
//! number (not text), and again reverses; the vim keymap's `s c` / `s m` do the same.

use super::state::State;
use super::table::Row;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::test_util;

/// A pod row whose usage cells (after the printer's eight) are `cpu` and `mem`.
fn pod(name: &str, cpu: &str, mem: &str) -> Row {
    let mut cells = vec![String::new(); 8];
    cells.extend([cpu.to_string(), mem.to_string()]);
    cells.resize(15, String::new());
    Row {
        key: name.into(),
        namespace: "shop".into(),
        name: name.into(),
        cells: cells.into_iter().map(Into::into).collect(),
        ..Default::default()
    }
}

fn pods(s: &mut State) {
    let rows = vec![
        pod("a", "7m", "900Mi"),
        pod("b", "150m", "16Mi"),
        pod("c", "20m", "1200Mi"),
        pod("d", "", ""),
    ];
    test_util::show(s, Kind::Pod, Scope::Namespace("shop".into()), rows, WatchStatus::Ready);
}

fn shown(s: &State) -> Vec<String> {
    let t = &s.top().table;
    t.visible.iter().map(|&i| t.rows[i].name.to_string()).collect()
}

#[test]
fn z_and_m_sort_by_cpu_and_mem_as_numbers_largest_first() {
    let mut s = test_util::connected("demo", "shop", false);
    pods(&mut s);
    test_util::type_keys(&mut s, "Z");
    // As text "7m" would come after "150m"; a pod without a sample goes last.
    assert_eq!(shown(&s), ["b", "c", "a", "d"]);
    test_util::type_keys(&mut s, "Z");
    assert_eq!(shown(&s), ["d", "a", "c", "b"]);
    test_util::type_keys(&mut s, "M");
    assert_eq!(shown(&s), ["c", "a", "b", "d"]);
    // Help lists the shortcuts where they do something.
    let help = super::help::entries(&s);
    assert!(help.iter().any(|(k, d)| k == &["Z"] && d == "sort by CPU"), "{help:?}");
}

#[test]
fn vim_keys_s_c_and_s_m_sort_by_usage_and_nothing_happens_without_the_columns() {
    let mut s = State::new(
        Some("shop".into()),
        false,
        crate::config::keymap::builtin("vim").unwrap(),
    );
    let svc = vec![pod("svc", "", "")];
    test_util::show(
        &mut s,
        Kind::Service,
        Scope::Namespace("shop".into()),
        svc,
        WatchStatus::Ready,
    );
    let before = s.top().sort;
    test_util::type_keys(&mut s, "sc");
    assert_eq!(s.top().sort, before, "services have no CPU column");
    assert!(!super::help::entries(&s).iter().any(|(_, d)| d.contains("CPU")));
    pods(&mut s);
    test_util::type_keys(&mut s, "sm");
    assert_eq!(shown(&s), ["c", "a", "b", "d"]);
    test_util::type_keys(&mut s, "sc");
    assert_eq!(shown(&s), ["b", "c", "a", "d"]);
}

/// The pods `a`…`d` without usage cells, and a sample giving each the CPU in `cpu` (millicores).
fn sampled(cpu: [i128; 4]) -> Option<std::sync::Arc<crate::store::usage_cols::UsageCols>> {
    let mut sample = crate::store::usage::Sample::default();
    for (name, cpu) in ["a", "b", "c", "d"].into_iter().zip(cpu) {
        sample.insert("shop", name, crate::store::usage::Used { cpu, mem: cpu << 20 });
    }
    let cols = crate::store::usage_cols::UsageCols::new(Kind::Pod, Some(std::sync::Arc::new(sample)));
    Some(std::sync::Arc::new(cols.unwrap()))
}

fn feed_usage(s: &mut State, cpu: [i128; 4]) {
    let watch = (Kind::Pod, Scope::Namespace("shop".into()));
    super::update(
        s,
        super::Input::Usage {
            watch,
            usage: sampled(cpu),
        },
    );
}

fn bare_pods(s: &mut State) {
    let rows = ["a", "b", "c", "d"].map(|n| pod(n, "", "")).to_vec();
    let rows = rows.into_iter().map(|mut r| {
        r.cells.truncate(8);
        r.capacity = Some(std::sync::Arc::new(model::quantity::Capacity::Pod {
            cpu_request: None,
            cpu_limit: None,
            mem_request: None,
            mem_limit: None,
        }));
        r
    });
    test_util::show(
        s,
        Kind::Pod,
        Scope::Namespace("shop".into()),
        rows.collect(),
        WatchStatus::Ready,
    );
}

#[test]
fn a_new_sample_reorders_a_table_sorted_by_cpu_and_leaves_the_rows_alone() {
    let mut s = test_util::connected("demo", "shop", false);
    bare_pods(&mut s);
    feed_usage(&mut s, [7, 150, 20, 90]);
    test_util::type_keys(&mut s, "Z");
    assert_eq!(shown(&s), ["b", "d", "c", "a"]);
    let rows = s.top().table.rows.clone();
    feed_usage(&mut s, [300, 1, 20, 90]);
    assert_eq!(shown(&s), ["a", "d", "c", "b"]);
    // The rows are the ones the view held: none was copied to take the new usage.
    let same = rows
        .iter()
        .zip(&s.top().table.rows)
        .all(|(a, b)| std::sync::Arc::ptr_eq(a, b));
    assert!(same, "the rows were replaced");
    // Sorted by name, a sample leaves the order as it is.
    test_util::type_keys(&mut s, "N");
    let by_name = shown(&s);
    feed_usage(&mut s, [1, 2, 3, 4]);
    assert_eq!(shown(&s), by_name);
}

#[test]
fn a_filter_matches_the_usage_of_the_last_sample() {
    let mut s = test_util::connected("demo", "shop", false);
    bare_pods(&mut s);
    feed_usage(&mut s, [7, 150, 20, 90]);
    // As plain text (searched in the rows' text) and as a regex (cell by cell).
    for filter in ["150m", "^150m$"] {
        test_util::type_keys(&mut s, "/");
        test_util::type_keys(&mut s, filter);
        assert_eq!(shown(&s), ["b"], "{filter}");
        feed_usage(&mut s, [150, 1, 20, 90]);
        assert_eq!(shown(&s), ["a"], "{filter}");
        feed_usage(&mut s, [7, 150, 20, 90]);
        s.top_mut().clear_filter();
        s.mode = super::state::Mode::Normal;
    }
}
