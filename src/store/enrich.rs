//! Columns a kind's rows gain from another kind's watch (joins): what an enricher is, and how its
//! cells are filled, after the kind's printer cells in registration order (`store::enrichers`).

use std::sync::Arc;

use super::usage::{Of, Sample};
use crate::cluster::rows::Row;
use crate::cluster::{Kind, printers};

/// How an enricher computes its cells: one per row, from the needed watch's rows (None: that watch
/// has no rows yet).
pub type Cells = fn(rows: &[Arc<Row>], needed: Option<&[Arc<Row>]>) -> Vec<String>;

/// How a usage column computes a row's cell, from the row's entry in the latest metrics sample of
/// the rows' kind and scope (None: no entry, no sample yet, or no metrics API). Computed when the
/// cell is read (drawn, sorted, filtered: `store::usage_cols`), never stored in the row: each
/// sample changes every pod's usage, and rows holding it were all copied on every sample.
pub type UsageCell = fn(row: &Row, entry: Option<&Of>) -> String;

/// How a workload's usage column computes its cells: one per row, from the pods' and ReplicaSets'
/// rows of the view's scope (None: not synced) and the pods' latest metrics sample.
pub type PodsUsageCells = fn(
    rows: &[Arc<Row>],
    pods: Option<&[Arc<Row>]>,
    replica_sets: Option<&[Arc<Row>]>,
    usage: Option<&Sample>,
) -> Vec<String>;

/// What an enricher reads.
pub enum Needs {
    /// The rows of another kind's watch in the view's scope; the store starts that watch.
    Watch(Kind, Cells),
    /// metrics-server's usage of the rows themselves (`store::usage`), fetched while shown.
    Usage(UsageCell),
    /// metrics-server's usage of the pods the rows own, directly or through their ReplicaSets
    /// (workloads): the pods' (and, when `true`, the ReplicaSets') watches in the view's scope and
    /// the pods' usage, one LIST of the scope's PodMetrics.
    PodsUsage(bool, PodsUsageCells),
}

/// A column of `kind`'s rows filled from the rows of another watch in the same scope, or from usage.
pub struct Enricher {
    /// The kind whose rows gain the column.
    pub kind: Kind,
    /// The column's title.
    pub title: &'static str,
    /// The title of the column it is shown before (at the end when the kind has none).
    pub before: &'static str,
    /// What it reads, and how it computes its cells.
    pub needs: Needs,
}

impl Enricher {
    /// The kinds whose watches it reads.
    pub fn watches(&self) -> Vec<Kind> {
        match self.needs {
            Needs::Watch(k, _) => vec![k],
            Needs::Usage(_) => vec![],
            Needs::PodsUsage(false, _) => vec![Kind::Pod],
            Needs::PodsUsage(true, _) => vec![Kind::Pod, Kind::ReplicaSet],
        }
    }

    /// The kind whose metrics it reads (None: none).
    pub fn metrics(&self) -> Option<Kind> {
        match self.needs {
            Needs::Watch(..) => None,
            Needs::Usage(_) => Some(self.kind),
            Needs::PodsUsage(..) => Some(Kind::Pod),
        }
    }
}

/// How many cells a row of `kind` has from its printer (every column but NAME); enriched cells follow.
pub fn printer_cells(kind: Kind) -> usize {
    printers::columns_for(kind.name())
        .iter()
        .filter(|c| c.format != "name")
        .count()
}

/// Fill the cells of `enrichers` (all of `kind`) in `rows`, reading each one's needed rows from
/// `needed` and the workloads' usage from `usage`; a row is copied only when one of its cells
/// changes. The rows' own usage columns ([`Needs::Usage`]) are not filled: they are read through
/// `store::usage_cols` from the sample itself.
pub fn apply(
    kind: Kind,
    rows: &mut [Arc<Row>],
    enrichers: &[&Enricher],
    needed: impl Fn(Kind) -> Option<Vec<Arc<Row>>>,
    usage: Option<&Sample>,
) {
    let base = printer_cells(kind);
    // Each needed watch's rows read once, whatever the number of columns reading them (a node's
    // CPU R/L and MEM R/L both read every pod).
    let mut read: Vec<(Kind, Option<Vec<Arc<Row>>>)> = Vec::new();
    for k in enrichers.iter().flat_map(|e| e.watches()) {
        if !read.iter().any(|(of, _)| *of == k) {
            read.push((k, needed(k)));
        }
    }
    let rows_of = |k: Kind| read.iter().find(|(of, _)| *of == k).and_then(|(_, r)| r.as_deref());
    for (i, e) in enrichers.iter().enumerate() {
        let cells = match e.needs {
            Needs::Watch(k, cells) => cells(rows, rows_of(k)),
            Needs::Usage(_) => continue,
            Needs::PodsUsage(_, cells) => cells(rows, rows_of(Kind::Pod), rows_of(Kind::ReplicaSet), usage),
        };
        let at = base + i;
        for (row, text) in rows.iter_mut().zip(cells) {
            // A missing cell reads as empty (drawn, sorted and filtered so): without metrics, the
            // usage columns of 100,000 rows would otherwise copy every row on every feed.
            if row.cells.get(at).map_or(text.is_empty(), |c| *c == text) {
                continue;
            }
            let row = Arc::make_mut(row);
            if row.cells.len() <= at {
                row.cells.resize(at + 1, String::new().into());
            }
            row.cells[at] = text.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, cells: &[&str]) -> Arc<Row> {
        Arc::new(Row {
            name: name.into(),
            cells: cells.iter().map(|c| (*c).into()).collect(),
            ..Default::default()
        })
    }

    /// A made-up join: how many pods run on each node, as a new enricher would be written.
    static PODS_ON_NODE: Enricher = Enricher {
        kind: Kind::Node,
        title: "PODS",
        before: "AGE",
        needs: Needs::Watch(Kind::Pod, |nodes, pods| {
            nodes
                .iter()
                .map(|n| match pods {
                    Some(pods) => pods
                        .iter()
                        .filter(|p| p.node.as_deref() == Some(&n.name))
                        .count()
                        .to_string(),
                    None => "?".into(),
                })
                .collect()
        }),
    };

    #[test]
    fn an_enricher_fills_the_cell_after_the_printer_cells_from_the_watch_it_needs() {
        let base = printer_cells(Kind::Node);
        let printed = vec![""; base];
        let mut nodes = vec![row("a", &printed), row("b", &printed)];
        let pod = |node: &str| {
            Arc::new(Row {
                node: Some(node.into()),
                ..Default::default()
            })
        };
        apply(
            Kind::Node,
            &mut nodes,
            &[&PODS_ON_NODE],
            |k| (k == Kind::Pod).then(|| vec![pod("a"), pod("a"), pod("b")]),
            None,
        );
        let cells: Vec<&str> = nodes.iter().map(|n| n.cells[base].as_str()).collect();
        assert_eq!(cells, ["2", "1"]);
        assert!(nodes[0].stamps.is_empty());
        // Without the needed watch's rows the enricher says so itself.
        apply(Kind::Node, &mut nodes, &[&PODS_ON_NODE], |_| None, None);
        assert_eq!(nodes[1].cells[base], "?");
    }

    #[test]
    fn an_unchanged_cell_does_not_copy_the_row() {
        let base = printer_cells(Kind::Service);
        let mut cells = vec![""; base];
        cells.push("?");
        let shared = row("web", &cells);
        let mut rows = vec![shared.clone()];
        apply(
            Kind::Service,
            &mut rows,
            &crate::store::enrichers::of(Kind::Service),
            |_| None,
            None,
        );
        assert!(Arc::ptr_eq(&rows[0], &shared));
    }

    #[test]
    fn empty_usage_cells_do_not_copy_rows_that_lack_them() {
        // Pods without metrics (no metrics-server, a pod not running): the usage cells are all
        // empty, and a row without them already reads so.
        let shared = row("web-1", &vec![""; printer_cells(Kind::Pod)]);
        let mut rows = vec![shared.clone()];
        apply(
            Kind::Pod,
            &mut rows,
            &crate::store::enrichers::of(Kind::Pod),
            |_| None,
            None,
        );
        assert!(Arc::ptr_eq(&rows[0], &shared), "the row was copied");
    }

    #[test]
    fn a_new_sample_copies_no_pod_row() {
        let base = printer_cells(Kind::Pod);
        let sample = |cpu| {
            let mut s = crate::store::usage::Sample::default();
            s.insert("shop", "a", crate::store::usage::Used { cpu, mem: 1 << 20 });
            s
        };
        let shared = Arc::new(Row {
            namespace: "shop".into(),
            name: "a".into(),
            cells: vec!["".into(); base],
            ..Default::default()
        });
        let mut rows = vec![shared.clone()];
        let enrichers = crate::store::enrichers::of(Kind::Pod);
        for cpu in [5, 9] {
            apply(Kind::Pod, &mut rows, &enrichers, |_| None, Some(&sample(cpu)));
            // The usage is read from the sample when drawn (`store::usage_cols`), not kept here.
            assert!(Arc::ptr_eq(&rows[0], &shared), "the row was copied");
        }
    }
}
