//! The triage screen's rows: a finding as a table row, and what its view keeps beside them.

use model::triage::{Finding, Severity};

use super::table::Row;

/// Columns of the triage table; NAMESPACE/NAME is the row's name.
pub const COLUMNS: &[&str] = &["SEVERITY", "KIND", "NAMESPACE/NAME", "PROBLEM", "SINCE", "EVIDENCE"];

/// What the triage screen keeps beside its rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TriageView {
    /// The findings its rows show, by row key.
    pub findings: Vec<Finding>,
    /// Findings have arrived at least once.
    pub synced: bool,
}

/// The SEVERITY cell: a glyph that sorts worst last (the table sorts it descending) and the word.
pub fn severity_cell(s: Severity) -> String {
    // '·' < '⚠' < '✖' as text, so a descending sort is worst first.
    let glyph = match s {
        Severity::Error => '✖',
        Severity::Warning => '⚠',
        Severity::Info => '·',
    };
    format!("{glyph} {}", s.word())
}

/// A finding's row key: unique per object and rule.
pub fn key(f: &Finding) -> String {
    match f.kind {
        Some(k) => format!("{}/{}/{}/{}", k.name(), f.namespace, f.name, f.rule),
        None => format!("ControlPlane/{}", f.problem),
    }
}

/// A finding as a table row (text from the cluster is cleaned when drawn).
pub fn row_of(f: &Finding) -> Row {
    let kind = f.kind.map_or("ControlPlane", |k| k.name());
    let name = match f.namespace.as_str() {
        "" => f.name.clone(),
        ns => format!("{ns}/{}", f.name),
    };
    Row {
        key: key(f),
        namespace: f.namespace.clone().into(),
        name: name.into(),
        cells: vec![
            severity_cell(f.severity),
            kind.to_string(),
            f.problem.clone(),
            // SINCE: drawn from its stamp, "-" when unknown.
            if f.since.is_some() { String::new() } else { "-".into() },
            f.evidence.replace(['\n', '\r'], " "),
        ]
        .into_iter()
        .map(Into::into)
        .collect(),
        stamps: vec![None, None, None, f.since, None].into(),
        warn: f.severity == Severity::Error,
        ..Row::default()
    }
}
