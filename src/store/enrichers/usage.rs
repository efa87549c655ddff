//! The usage columns of pods and nodes from metrics-server (`store::usage`): CPU and MEM as
//! `kubectl top` prints them, and k9s's percentages of a pod's requests and limits (summed as
//! `kubectl describe node` sums them) or of a node's allocatable. Empty where there is nothing to
//! measure against, or no sample.

use std::sync::Arc;

use model::quantity::Capacity;

use crate::cluster::Kind;
use crate::cluster::rows::{Row, Text};
use crate::store::enrich::{Enricher, Needs};
use crate::store::usage::{Of, Used};

/// How a usage percentage is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// At or above the warning threshold.
    Warn,
    /// At or above the error threshold of a limit or of a node's allocatable.
    Error,
}

/// The level of a usage cell under column `title` at the thresholds `[warn, error]` (percent);
/// a request can be exceeded by design, so its columns only warn.
pub fn level(title: &str, text: &str, [warn, error]: [u32; 2]) -> Option<Level> {
    if !title.starts_with('%') {
        return None;
    }
    let p: u32 = text.parse().ok()?;
    match p {
        p if p >= error && !title.ends_with("/R") => Some(Level::Error),
        p if p >= warn => Some(Level::Warn),
        _ => None,
    }
}

/// `used` as a whole percentage of `of`, rounded down as k9s rounds it; None without an `of`.
pub fn percent(used: i128, of: Option<i128>) -> Option<i128> {
    of.filter(|o| *o > 0).map(|o| used * 100 / o)
}

/// CPU as `kubectl top` prints it: millicores.
pub fn cpu_text(m: i128) -> String {
    format!("{m}m")
}

/// Memory as `kubectl top` prints it: whole MiB, rounded down.
pub fn mem_text(bytes: i128) -> String {
    format!("{}Mi", bytes >> 20)
}

/// A row's cell: `f` of the row's usage and capacity, "" where either is missing.
fn per_row(row: &Row, entry: Option<&Of>, f: impl Fn(Used, &Capacity) -> Option<String>) -> String {
    match (entry, row.capacity.as_deref()) {
        (Some(e), Some(c)) => f(e.used, c).unwrap_or_default(),
        _ => String::new(),
    }
}

fn pct(v: Option<i128>) -> Option<String> {
    v.map(|p| p.to_string())
}

macro_rules! column {
    ($name:ident, $kind:expr, $title:literal, |$u:ident, $c:ident| $body:expr) => {
        static $name: Enricher = Enricher {
            kind: $kind,
            title: $title,
            before: "AGE",
            needs: Needs::Usage(|row, entry| per_row(row, entry, |$u, $c| $body)),
        };
    };
}

fn pod(c: &Capacity) -> [Option<i128>; 4] {
    match *c {
        Capacity::Pod {
            cpu_request,
            cpu_limit,
            mem_request,
            mem_limit,
        } => [cpu_request, cpu_limit, mem_request, mem_limit].map(|v| v.map(i128::from)),
        Capacity::Node { .. } => [None; 4],
    }
}

fn node(c: &Capacity) -> [Option<i128>; 2] {
    match *c {
        Capacity::Node { cpu, mem } => [cpu, mem].map(|v| v.map(i128::from)),
        Capacity::Pod { .. } => [None; 2],
    }
}

column!(POD_CPU, Kind::Pod, "CPU", |u, _c| Some(cpu_text(u.cpu)));
column!(POD_MEM, Kind::Pod, "MEM", |u, _c| Some(mem_text(u.mem)));
column!(POD_CPU_R, Kind::Pod, "%CPU/R", |u, c| pct(percent(u.cpu, pod(c)[0])));
column!(POD_CPU_L, Kind::Pod, "%CPU/L", |u, c| pct(percent(u.cpu, pod(c)[1])));
column!(POD_MEM_R, Kind::Pod, "%MEM/R", |u, c| pct(percent(u.mem, pod(c)[2])));
column!(POD_MEM_L, Kind::Pod, "%MEM/L", |u, c| pct(percent(u.mem, pod(c)[3])));
column!(NODE_CPU, Kind::Node, "CPU", |u, _c| Some(cpu_text(u.cpu)));
column!(NODE_MEM, Kind::Node, "MEM", |u, _c| Some(mem_text(u.mem)));
column!(NODE_CPU_A, Kind::Node, "%CPU/A", |u, c| pct(percent(u.cpu, node(c)[0])));
column!(NODE_MEM_A, Kind::Node, "%MEM/A", |u, c| pct(percent(u.mem, node(c)[1])));

/// The titles of the usage cells of a container row, after its own cells.
pub const CONTAINER_TITLES: [&str; 6] = ["CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L"];

/// Append to each container row of one pod its usage cells ([`CONTAINER_TITLES`]): CPU and MEM as
/// `kubectl top pod --containers` prints them, and the percentages of that container's own
/// requests and limits; empty where it has no sample (a finished init container) or nothing to
/// measure against.
pub fn container_cells(rows: &mut [Arc<Row>], used: Option<&[(String, Used)]>) {
    for r in rows {
        let u = used.and_then(|us| us.iter().find(|(n, _)| *n == r.name)).map(|(_, u)| *u);
        let cells = match (u, r.capacity.as_deref()) {
            (Some(u), Some(c)) => {
                let [cr, cl, mr, ml] = pod(c);
                let p = |used, of| pct(percent(used, of)).unwrap_or_default();
                vec![cpu_text(u.cpu), mem_text(u.mem), p(u.cpu, cr), p(u.cpu, cl), p(u.mem, mr), p(u.mem, ml)]
            }
            _ => vec![String::new(); CONTAINER_TITLES.len()],
        };
        let row = Arc::make_mut(r);
        row.cells.extend(cells.into_iter().map(Text::from));
    }
}

/// Samples as a sparkline, each bar its share of the largest: one glyph per sample.
pub fn sparkline(values: &[u32]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0).max(1) as u64;
    values.iter().map(|&v| BARS[(v as u64 * 7 / max) as usize]).collect()
}

fn trend(_row: &Row, entry: Option<&Of>) -> String {
    entry
        .map(|e| sparkline(&e.trend().iter().map(|p| p.cpu).collect::<Vec<_>>()))
        .unwrap_or_default()
}

static POD_TREND: Enricher = Enricher {
    kind: Kind::Pod,
    title: "CPU TREND",
    before: "AGE",
    needs: Needs::Usage(trend),
};

static NODE_TREND: Enricher = Enricher {
    kind: Kind::Node,
    title: "CPU TREND",
    before: "AGE",
    needs: Needs::Usage(trend),
};

/// This file's enrichers, in column order.
pub static ENRICHERS: &[&Enricher] = &[
    &POD_CPU, &POD_MEM, &POD_CPU_R, &POD_CPU_L, &POD_MEM_R, &POD_MEM_L, &POD_TREND, &NODE_CPU, &NODE_MEM, &NODE_CPU_A,
    &NODE_MEM_A, &NODE_TREND,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::usage::{Point, Sample};
    use crate::store::usage_cols::UsageCols;

    fn pod_row(name: &str, cap: Capacity) -> Arc<Row> {
        Arc::new(Row {
            namespace: "shop".into(),
            name: name.into(),
            capacity: Some(std::sync::Arc::new(cap)),
            ..Default::default()
        })
    }

    #[test]
    fn thresholds_warn_at_80_and_err_at_a_full_limit_never_on_a_request() {
        let t = [80, 100];
        assert_eq!(level("%CPU/L", "79", t), None);
        assert_eq!(level("%CPU/L", "80", t), Some(Level::Warn));
        assert_eq!(level("%MEM/L", "100", t), Some(Level::Error));
        assert_eq!(level("%CPU/R", "187", t), Some(Level::Warn));
        assert_eq!(level("%MEM/A", "101", t), Some(Level::Error));
        assert_eq!(level("CPU", "900", t), None);
        assert_eq!(level("%CPU/L", "", t), None);
    }

    #[test]
    fn percentages_of_requests_and_limits_as_k9s_computes_them() {
        assert_eq!(percent(199, Some(200)), Some(99));
        assert_eq!(percent(250, Some(200)), Some(125));
        assert_eq!(percent(5, None), None);
        assert_eq!(percent(5, Some(0)), None);
        assert_eq!(mem_text((76 << 20) + 1000), "76Mi");
    }

    #[test]
    fn pods_gain_usage_and_percentages_empty_where_nothing_is_requested() {
        let mi = 1i128 << 20;
        let full = Capacity::Pod {
            cpu_request: Some(100),
            cpu_limit: Some(400),
            mem_request: Some(64 << 20),
            mem_limit: Some(128 << 20),
        };
        let bare = Capacity::Pod {
            cpu_request: None,
            cpu_limit: None,
            mem_request: Some(64 << 20),
            mem_limit: None,
        };
        let rows = [pod_row("a", full), pod_row("b", bare), pod_row("gone", Capacity::Node { cpu: None, mem: None })];
        let mut sample = Sample::default();
        let trend = [0, 75, 150].map(|cpu| Point { cpu, mem_ki: 0 });
        sample.insert_with_trend("shop", "a", Used { cpu: 150, mem: 120 * mi }, &trend);
        sample.insert("shop", "b", Used { cpu: 7, mem: 16 * mi });
        let base = crate::store::enrich::printer_cells(Kind::Pod);
        let cells = |cols: &UsageCols, r: &Row| -> Vec<String> { (base..base + 7).map(|i| cols.cell(r, i).unwrap()).collect() };
        let cols = UsageCols::new(Kind::Pod, Some(Arc::new(sample))).unwrap();
        assert_eq!(cells(&cols, &rows[0]), ["150m", "120Mi", "150", "37", "187", "93", "▁▄█"]);
        assert_eq!(cells(&cols, &rows[1]), ["7m", "16Mi", "", "", "25", "", ""]);
        assert_eq!(cells(&cols, &rows[2]), ["", "", "", "", "", "", ""]);
        // The printer's cells are the row's own.
        assert_eq!(cols.cell(&rows[0], base - 1), None);
        // No sample (metrics unavailable): every cell empty, the header says n/a.
        let none = UsageCols::new(Kind::Pod, None).unwrap();
        assert_eq!(cells(&none, &rows[0]), ["", "", "", "", "", "", ""]);
        // Services have no usage columns.
        assert!(UsageCols::new(Kind::Service, None).is_none());
    }

    #[test]
    fn a_container_is_measured_against_its_own_requests_and_limits() {
        let mi = 1i128 << 20;
        let row = |name: &str, cap| {
            Arc::new(Row {
                name: name.into(),
                cells: vec!["main".into()],
                capacity: Some(std::sync::Arc::new(cap)),
                ..Default::default()
            })
        };
        let mut rows = vec![
            row("app", Capacity::Pod { cpu_request: Some(50), cpu_limit: Some(200), mem_request: Some(64 << 20), mem_limit: Some(128 << 20) }),
            row("side", Capacity::Pod { cpu_request: None, cpu_limit: None, mem_request: None, mem_limit: None }),
            row("init", Capacity::Pod { cpu_request: Some(10), cpu_limit: None, mem_request: None, mem_limit: None }),
        ];
        let used = [("app".to_string(), Used { cpu: 75, mem: 100 * mi }), ("side".to_string(), Used { cpu: 3, mem: 9 * mi })];
        container_cells(&mut rows, Some(&used));
        // 75m of 50m / 200m, 100Mi of 64Mi / 128Mi; a finished init container has no sample.
        assert_eq!(rows[0].cells[1..], ["75m", "100Mi", "150", "37", "156", "78"]);
        assert_eq!(rows[1].cells[1..], ["3m", "9Mi", "", "", "", ""]);
        assert_eq!(rows[2].cells[1..], ["", "", "", "", "", ""]);
        assert!(rows[2].stamps.is_empty());
    }

    #[test]
    fn a_sparkline_draws_each_sample_against_the_largest() {
        assert_eq!(sparkline(&[0, 10, 20, 40, 80]), "▁▁▂▄█");
        assert_eq!(sparkline(&[0, 0]), "▁▁");
        assert_eq!(sparkline(&[]), "");
    }
}
