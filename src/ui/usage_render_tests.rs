//! Render tests of the usage columns: the titles, the values, `n/a` once in the header, and the
//! percentages over the thresholds in the warning and error colours.

use crate::app::state::State;
use crate::app::table::Row;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::config::theme::Theme;
use crate::test_util::{self, show, text};
use ratatui::buffer::Buffer;

const NOW: i64 = 1_700_000_000;

/// A pod row with its printer cells and then the six usage cells.
fn pod(name: &str, usage: [&str; 6]) -> Row {
    let mut cells: Vec<String> = ["1/1", "Running", "0", "", "10.0.0.5", "node-1", "<none>", "<none>"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    cells.extend(usage.iter().map(|c| c.to_string()));
    Row {
        key: name.into(),
        namespace: "shop".into(),
        name: name.into(),
        stamps: cells.iter().map(|c| c.is_empty().then_some(NOW - 60)).collect(),
        cells: cells.into_iter().map(Into::into).collect(),
        created: Some(NOW - 60),
        ..Default::default()
    }
}

fn state(rows: Vec<Row>) -> State {
    let mut s = test_util::connected("demo", "shop", false);
    show(
        &mut s,
        Kind::Pod,
        Scope::Namespace("shop".into()),
        rows,
        WatchStatus::Ready,
    );
    s
}

/// The style of the first cell showing `needle` on the line holding `line`.
fn fg_of(buf: &Buffer, line: &str, needle: &str) -> Option<ratatui::style::Color> {
    let out = text(buf);
    let y = out.lines().position(|l| l.contains(line))?;
    let x = out.lines().nth(y)?.find(needle)?;
    // Columns are single-width here: the byte offset is the cell offset.
    buf.cell((x as u16, y as u16)).map(|c| c.fg)
}

#[test]
fn usage_columns_show_values_and_colour_percentages_over_the_thresholds() {
    let theme = Theme::default();
    let s = state(vec![
        pod("calm", ["12m", "40Mi", "24", "", "31", "62"]),
        pod("leaky", ["30m", "126Mi", "60", "", "196", "198"]),
        pod("busy", ["95m", "70Mi", "190", "", "54", "85"]),
    ]);
    let buf = test_util::draw_themed(&s, &theme, 160, 12, NOW);
    let out = text(&buf);
    for t in ["CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L"] {
        assert!(out.contains(t), "{t}\n{out}");
    }
    assert!(out.contains("126Mi") && out.contains("95m"), "{out}");
    // Over a limit: error; over 80% of a limit: warn; a request exceeded only warns.
    assert_eq!(fg_of(&buf, "leaky", "198"), theme.error.fg);
    assert_eq!(fg_of(&buf, "busy", "85"), theme.warn.fg);
    assert_eq!(fg_of(&buf, "busy", "190"), theme.warn.fg);
    let calm = fg_of(&buf, "calm", "62");
    assert!(calm != theme.warn.fg && calm != theme.error.fg, "{calm:?}");
    assert!(!out.contains("n/a"));
}

#[test]
fn metrics_unavailable_says_n_a_once_in_the_header() {
    let mut s = state(vec![pod("a", [""; 6]), pod("b", [""; 6])]);
    s.metrics_na = true;
    let out = text(&test_util::draw(&s, 160, 12, NOW));
    assert_eq!(out.matches("n/a").count(), 1, "{out}");
    assert!(out.contains("CPU/MEM n/a (metrics API not available)"), "{out}");
}

#[test]
fn node_health_and_a_pods_describe_chart_the_samples_since_kubedeck_started_looking() {
    use crate::store::usage::Point;
    let points: Vec<Point> = [10, 40, 80, 160, 120]
        .iter()
        .map(|&c| Point {
            cpu: c,
            mem_ki: c * 1024,
        })
        .collect();
    let mut s = test_util::connected("demo", "shop", false);
    crate::app::nodehealth::open(&mut s, "node-1".into());
    s.trend = Some(points.clone());
    let out = text(&test_util::draw(&s, 120, 30, NOW));
    assert!(out.contains("CPU now 120m · peak 160m"), "{out}");
    assert!(out.contains("MEM now 120Mi · peak 160Mi"), "{out}");
    assert!(out.contains("5 samples since kubedeck started looking"), "{out}");
    // Under the view: the chart's bars fill the rows above its bottom border, the peak a full block.
    let lines: Vec<&str> = out.lines().collect();
    let title = lines.iter().position(|l| l.contains("CPU now")).unwrap();
    assert!(title >= lines.len() - 8, "{out}");
    assert!(lines[title + 1..title + 4].iter().any(|l| l.contains('█')), "{out}");
    // No samples yet: no chart, the view keeps the room.
    s.trend = Some(vec![]);
    assert!(!text(&test_util::draw(&s, 120, 30, NOW)).contains("CPU now"));

    let mut s = (crate::screens::doc::SCREEN.samples)().remove(0);
    s.trend = Some(points);
    let out = text(&test_util::draw(&s, 120, 30, NOW));
    assert!(
        out.contains("describe pods shop/web-1") && out.contains("MEM now 120Mi"),
        "{out}"
    );
}

/// Pods with requests and limits, and a sample of their usage (one unmeasured).
fn measured() -> (Vec<Row>, std::sync::Arc<crate::store::usage::Sample>) {
    use crate::store::usage::{Sample, Used};
    use model::quantity::Capacity;
    let mi = 1i128 << 20;
    let mut sample = Sample::default();
    let mut rows = Vec::new();
    for (name, cpu, mem) in [("calm", 12, 40), ("leaky", 30, 130), ("busy", 95, 70), ("new", -1, 0)] {
        let mut row = pod(name, [""; 6]);
        row.cells.truncate(8);
        row.stamps.truncate(8);
        row.capacity = Some(std::sync::Arc::new(Capacity::Pod {
            cpu_request: Some(50),
            cpu_limit: (name != "calm").then_some(100),
            mem_request: Some(64 << 20),
            mem_limit: Some(128 << 20),
        }));
        if cpu >= 0 {
            sample.insert("shop", name, Used { cpu, mem: mem * mi });
        }
        rows.push(row);
    }
    (rows, std::sync::Arc::new(sample))
}

#[test]
fn usage_read_from_the_sample_draws_what_cells_holding_it_drew() {
    use crate::app::{Input, update};
    use crate::store::usage_cols::UsageCols;
    let theme = Theme::default();
    let (rows, sample) = measured();
    let cols = UsageCols::new(Kind::Pod, Some(sample)).unwrap();
    // As the rows were fed before: each one's usage in its cells.
    let held: Vec<Row> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let usage: Vec<String> = (8..15).map(|n| cols.cell(&r, n).unwrap()).collect();
            r.cells.extend(usage.into_iter().map(Into::into));
            r
        })
        .collect();
    let before = test_util::draw_themed(&state(held), &theme, 170, 12, NOW);
    // Now: the rows without usage, the sample beside them.
    let mut s = state(rows);
    let watch = (Kind::Pod, Scope::Namespace("shop".into()));
    update(
        &mut s,
        Input::Usage {
            watch,
            usage: Some(std::sync::Arc::new(cols)),
        },
    );
    let after = test_util::draw_themed(&s, &theme, 170, 12, NOW);
    assert!(text(&after).contains("130Mi"), "{}", text(&after));
    assert_eq!(fg_of(&after, "leaky", "101"), theme.error.fg);
    assert_eq!(before, after, "{}\n{}", text(&before), text(&after));
}
