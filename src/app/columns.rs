//! The columns of each list: kubectl's printer columns per kind (in kubectl's order, NAME included),
//! the containers list, which of them a normal (not wide) screen shows, and how sorting walks them.

use super::state::ViewKind;
use super::table::SortCol;
use crate::cluster::{Kind, printers};
use model::Res;
use model::table;

pub use crate::cluster::rows::{TimeFmt, time_fmt};

/// Where a column's text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The row's name.
    Name,
    /// `row.cells[n]`.
    Cell(usize),
}

/// One column of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColSpec {
    /// Header text, as kubectl prints it.
    pub title: String,
    /// Only shown in wide mode (`priority 1`, as `kubectl get -o wide`).
    pub wide: bool,
    /// Drawn from a time stamp.
    pub time: Option<TimeFmt>,
    /// Where the text comes from.
    pub source: Source,
    /// Free text of any length (a message, a selector): it takes the width the identifying columns
    /// leave and is cut with `…`, so that NAME or OBJECT stay whole.
    pub free: bool,
}

impl ColSpec {
    /// The sort column this column stands for.
    pub fn sort_col(&self) -> SortCol {
        match self.source {
            // A server's NAME column is a cell (it may say more than the name), sorted as the name.
            Source::Name => SortCol::Name,
            Source::Cell(_) if self.title == "NAME" => SortCol::Name,
            Source::Cell(_) if self.title == "AGE" => SortCol::Age,
            Source::Cell(n) => SortCol::Cell(n),
        }
    }
}

/// Titles of free-text columns, whatever the kind: long descriptive values, not identities.
pub const FREE_TEXT: &[&str] = &[
    "MESSAGE",
    "PROBES",
    "SELECTOR",
    "LABELS",
    "IMAGES",
    "IMAGE",
    "CONTAINERS",
];

/// Whether a column of this title holds free text.
pub fn is_free_text(title: &str) -> bool {
    FREE_TEXT.contains(&title)
}

/// Columns of the containers drill-down.
/// Its usage cells follow the row's own (`store::enrichers::usage::CONTAINER_TITLES`): CPU and MEM
/// are shown after RESTARTS, the four percentages in wide mode (at 80 columns they would push
/// PORTS and PROBES out).
pub const CONTAINER_COLUMNS: &[&str] = &["NAME", "TYPE", "IMAGE", "READY", "STATE", "RESTARTS", "PORTS", "PROBES"];

/// The containers view's columns: (title, cell (None: the name), wide only), in the order shown.
fn container_columns() -> Vec<(&'static str, Option<usize>, bool)> {
    let titles = crate::store::enrichers::usage::CONTAINER_TITLES;
    let own = CONTAINER_COLUMNS.len() - 1;
    let usage = |i: usize| (titles[i], Some(own + i), i >= 2);
    let mut cols = Vec::new();
    for (i, t) in CONTAINER_COLUMNS.iter().enumerate() {
        cols.push((*t, i.checked_sub(1), false));
        if *t == "RESTARTS" {
            cols.extend([usage(0), usage(1)]);
        }
    }
    cols.extend((2..titles.len()).map(usage));
    cols
}

/// Every column of a view (wide ones included), without NAMESPACE.
pub fn all(kind: &ViewKind) -> Vec<ColSpec> {
    match kind {
        ViewKind::Resource(Kind::Other(r)) => server_columns(*r),
        ViewKind::Resource(k) => {
            let mut n = 0;
            let mut cols: Vec<ColSpec> = printers::columns_for(k.name())
                .iter()
                .map(|c| {
                    let source = if c.format == "name" {
                        Source::Name
                    } else {
                        n += 1;
                        Source::Cell(n - 1)
                    };
                    ColSpec {
                        free: is_free_text(&c.header()),
                        title: c.header(),
                        wide: c.priority > 0,
                        time: time_fmt(c.name),
                        source,
                    }
                })
                .collect();
            // Columns joined in by the store's enrichers, after the printer's cells.
            for (title, before, cell) in crate::store::enrichers::columns(*k) {
                let at = cols.iter().position(|c| c.title == before).unwrap_or(cols.len());
                let joined = ColSpec {
                    title: title.into(),
                    wide: false,
                    time: None,
                    source: Source::Cell(cell),
                    free: false,
                };
                cols.insert(at, joined);
            }
            cols
        }
        ViewKind::Containers { .. } => container_columns()
            .into_iter()
            .map(|(t, cell, wide)| ColSpec {
                title: t.to_string(),
                wide,
                time: (t == "RESTARTS").then_some(TimeFmt::Ago),
                source: cell.map_or(Source::Name, Source::Cell),
                free: is_free_text(t),
            })
            .collect(),
        ViewKind::Keys(_) => ["KEY", "SIZE", "VALUE"]
            .iter()
            .enumerate()
            .map(|(i, t)| ColSpec {
                title: t.to_string(),
                wide: false,
                time: None,
                source: if i == 0 { Source::Name } else { Source::Cell(i - 1) },
                free: i == 2,
            })
            .collect(),
        ViewKind::Triage(_) => super::triage_rows::COLUMNS
            .iter()
            .enumerate()
            .map(|(i, t)| ColSpec {
                title: t.to_string(),
                wide: false,
                time: (*t == "SINCE").then_some(TimeFmt::Age),
                source: match i {
                    2 => Source::Name,
                    i if i < 2 => Source::Cell(i),
                    i => Source::Cell(i - 1),
                },
                free: matches!(*t, "PROBLEM" | "EVIDENCE"),
            })
            .collect(),
        _ => vec![],
    }
}

/// The columns of a kind kubedeck has no printer for: the server's Table columns, as `kubectl get`
/// prints them (priority above 0 only in wide mode, `date` columns and AGE as ages that tick), every one a
/// cell (see `model::table::row_of`); NAME and AGE until its first Table arrives.
fn server_columns(r: Res) -> Vec<ColSpec> {
    let columns = table::columns(r).unwrap_or_else(|| table::default_columns().into());
    columns
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let title = c.name.to_uppercase();
            ColSpec {
                free: is_free_text(&title),
                wide: c.priority > 0,
                time: c.is_time().then_some(TimeFmt::Age),
                source: Source::Cell(n),
                title,
            }
        })
        .collect()
}

/// The columns shown: wide ones only in wide mode.
pub fn shown(kind: &ViewKind, wide: bool) -> Vec<ColSpec> {
    all(kind).into_iter().filter(|c| wide || !c.wide).collect()
}

/// The sort column `step` columns left (negative) or right of `current` among the shown ones;
/// at either edge it stays where it is.
pub fn step_sort(kind: &ViewKind, wide: bool, current: SortCol, step: isize) -> SortCol {
    let cols: Vec<SortCol> = shown(kind, wide).iter().map(ColSpec::sort_col).collect();
    let Some(last) = cols.len().checked_sub(1) else {
        return current;
    };
    let pos = cols.iter().position(|c| *c == current).unwrap_or(0);
    cols[pos.saturating_add_signed(step).min(last)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_columns_follow_kubectl_and_hide_wide_ones() {
        let titles = |wide| -> Vec<String> {
            shown(&ViewKind::Resource(Kind::Pod), wide)
                .into_iter()
                .map(|c| c.title)
                .collect()
        };
        // The usage columns (store::enrichers::usage) sit before AGE, as in k9s.
        let usage = ["CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L", "CPU TREND"];
        let narrow: Vec<&str> = ["NAME", "READY", "STATUS", "RESTARTS"]
            .into_iter()
            .chain(usage)
            .chain(["AGE"])
            .collect();
        assert_eq!(titles(false), narrow);
        assert_eq!(
            titles(true),
            narrow
                .into_iter()
                .chain(["IP", "NODE", "NOMINATED NODE", "READINESS GATES"])
                .collect::<Vec<_>>()
        );
        let cols = all(&ViewKind::Resource(Kind::Pod));
        assert_eq!(cols[3].time, Some(TimeFmt::Ago));
        assert_eq!(cols[4].source, Source::Cell(8), "CPU, after the printer's cells");
        assert_eq!(cols[11].sort_col(), SortCol::Age);
        assert_eq!(cols[12].source, Source::Cell(4));
    }

    #[test]
    fn event_name_is_a_wide_column_at_the_end() {
        let cols = all(&ViewKind::Resource(Kind::Event));
        assert_eq!(cols[0].title, "LAST SEEN");
        assert_eq!(cols.last().unwrap().source, Source::Name);
        assert!(cols.last().unwrap().wide);
    }

    #[test]
    fn services_gain_endpoints_before_age() {
        let titles: Vec<String> = shown(&ViewKind::Resource(Kind::Service), false)
            .into_iter()
            .map(|c| c.title)
            .collect();
        assert_eq!(
            titles,
            [
                "NAME",
                "TYPE",
                "CLUSTER-IP",
                "EXTERNAL-IP",
                "PORT(S)",
                "ENDPOINTS",
                "AGE"
            ]
        );
    }

    #[test]
    fn a_kind_without_a_printer_takes_the_servers_columns_wide_ones_in_wide_mode() {
        let resource = model::Resource {
            group: "cert-manager.io".into(),
            version: "v1".into(),
            kind: "Certificate".into(),
            plural: "certificates".into(),
            namespaced: true,
            ..Default::default()
        };
        let kind = Kind::from_resource(&resource);
        let Kind::Other(r) = kind else { panic!("{kind:?}") };
        let view = ViewKind::Resource(kind);
        let titles = |wide| -> Vec<String> { shown(&view, wide).into_iter().map(|c| c.title).collect() };
        assert_eq!(titles(false), ["NAME", "AGE"], "before its first Table");
        let columns: Vec<table::Column> = serde_json::from_value(serde_json::json!([
            {"name": "Name", "type": "string", "format": "name"},
            {"name": "Ready", "type": "string"},
            {"name": "Renewals", "type": "integer", "priority": 1},
            {"name": "Expires", "type": "date"},
            {"name": "Age", "type": "date"},
        ]))
        .unwrap();
        table::set_columns(r, columns.into());
        assert_eq!(titles(false), ["NAME", "READY", "EXPIRES", "AGE"]);
        assert_eq!(titles(true), ["NAME", "READY", "RENEWALS", "EXPIRES", "AGE"]);
        let cols = all(&view);
        assert_eq!((cols[0].source, cols[0].sort_col()), (Source::Cell(0), SortCol::Name));
        assert_eq!(cols[2].source, Source::Cell(2));
        assert_eq!(
            (cols[3].time, cols[3].sort_col()),
            (Some(TimeFmt::Age), SortCol::Cell(3))
        );
        assert_eq!(cols[4].sort_col(), SortCol::Age);
        assert_eq!(
            step_sort(&view, false, SortCol::Cell(1), 1),
            SortCol::Cell(3),
            "RENEWALS is wide"
        );
    }

    #[test]
    fn stepping_stops_at_the_edges() {
        let pods = ViewKind::Resource(Kind::Pod);
        assert_eq!(step_sort(&pods, false, SortCol::Name, -1), SortCol::Name);
        assert_eq!(step_sort(&pods, false, SortCol::Name, 1), SortCol::Cell(0));
        assert_eq!(step_sort(&pods, false, SortCol::Cell(2), 1), SortCol::Cell(8));
        assert_eq!(step_sort(&pods, false, SortCol::Cell(14), 1), SortCol::Age);
        assert_eq!(step_sort(&pods, false, SortCol::Age, 1), SortCol::Age);
        assert_eq!(step_sort(&pods, true, SortCol::Age, 1), SortCol::Cell(4));
    }
}
