//! Triage: what is wrong in the cluster, from the compact rows the watches keep. The rules are
//! plain data ([`rules::RULES`]: rule → kinds → condition → severity); evaluating them is pure,
//! with the time passed in.

pub mod facts;
pub mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use crate::{Kind, Row};

pub use facts::{Cond, Facts};
pub use rules::{RULES, Rule};

/// How bad a problem is; the order is worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Broken: something does not run or cannot be reached.
    Error,
    /// Degraded or about to break.
    Warning,
    /// Worth knowing (cordoned, suspended).
    Info,
}

impl Severity {
    /// The word the SEVERITY column shows.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        }
    }
}

/// What a rule found on one row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hit {
    /// The problem in words.
    pub problem: String,
    /// Since when (Unix seconds), where known.
    pub since: Option<i64>,
    /// The evidence: the event or condition message.
    pub evidence: String,
    /// The object the problem is about when it is not the row's (an event's object): kind and name.
    pub about: Option<(Kind, String)>,
}

/// One problem, as the triage table lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// The rule that found it.
    pub rule: &'static str,
    /// The object's kind; None for the control plane.
    pub kind: Option<Kind>,
    /// Namespace ("" for cluster-scoped objects).
    pub namespace: String,
    /// Object name.
    pub name: String,
    /// The object's row key (its uid) where known: the cursor goes on it.
    pub key: String,
    /// The problem in words.
    pub problem: String,
    /// Since when (Unix seconds).
    pub since: Option<i64>,
    /// The evidence.
    pub evidence: String,
}

/// What rules joining other kinds read, built once per evaluation.
#[derive(Debug, Default)]
pub struct Ctx {
    /// Now (Unix seconds).
    pub now: i64,
    /// Ready and total endpoints per service (namespace, name); None while EndpointSlices are unknown.
    pub endpoints: Option<HashMap<(String, String), (usize, usize)>>,
    /// The newest Job of each CronJob (by the CronJob's uid); None while Jobs are unknown.
    pub last_jobs: Option<HashMap<String, Arc<Row>>>,
}

impl Ctx {
    /// A context of the time alone: the rules that join other kinds find nothing.
    pub fn at(now: i64) -> Ctx {
        Ctx { now, ..Ctx::default() }
    }

    /// The context the rows of `rows` give (EndpointSlices, Jobs), at `now`.
    pub fn of<'a>(now: i64, rows: impl Fn(Kind) -> Option<&'a [Arc<Row>]>) -> Ctx {
        Ctx {
            now,
            endpoints: rows(Kind::EndpointSlice).map(endpoint_counts),
            last_jobs: rows(Kind::Job).map(last_jobs),
        }
    }
}

/// Ready and total endpoints per service (namespace, name), from the slices' `kubernetes.io/service-name` label.
pub fn endpoint_counts(slices: &[Arc<Row>]) -> HashMap<(String, String), (usize, usize)> {
    let mut seen: HashMap<(&str, &str), HashMap<&str, bool>> = HashMap::new();
    for es in slices {
        let Some(svc) = es.label("kubernetes.io/service-name") else {
            continue;
        };
        let entry = seen.entry((es.namespace.as_str(), svc)).or_default();
        for (id, ready) in &es.backends {
            // Dual-stack services have one slice per family: count each backend once.
            entry.entry(id.as_str()).or_insert(*ready);
        }
    }
    seen.into_iter()
        .map(|((ns, name), ids)| {
            let ready = ids.values().filter(|r| **r).count();
            ((ns.to_string(), name.to_string()), (ready, ids.len()))
        })
        .collect()
}

/// The newest Job of each CronJob (by the CronJob's uid), from the Jobs' owners.
pub fn last_jobs(jobs: &[Arc<Row>]) -> HashMap<String, Arc<Row>> {
    let mut out: HashMap<String, Arc<Row>> = HashMap::new();
    for j in jobs {
        for owner in j.owners.iter() {
            let newer = out.get(owner).is_none_or(|o| j.created > o.created);
            if newer {
                out.insert(owner.clone(), j.clone());
            }
        }
    }
    out
}

/// Whether `rule` applies to `kind`.
fn covers(rule: &Rule, kind: Kind) -> bool {
    rule.kinds.iter().any(|(g, k)| *g == kind.group() && *k == kind.name())
}

/// Whether any rule applies to `kind` at all.
pub fn watched(kind: Kind) -> bool {
    RULES.iter().any(|r| covers(r, kind))
}

/// The rules that apply to `kind` (picked once per list rather than per row).
pub fn rules_of(kind: Kind) -> Vec<&'static Rule> {
    RULES.iter().filter(|r| covers(r, kind)).collect()
}

/// The problems of one row of `kind`, as (rule, hit).
pub fn check<'r>(kind: Kind, row: &Row, ctx: &Ctx) -> impl Iterator<Item = (&'static Rule, Hit)> + use<'r> {
    let hits: Vec<_> = RULES
        .iter()
        .filter(|r| covers(r, kind))
        .filter_map(|r| (r.check)(kind, row, ctx).map(|h| (r, h)))
        .collect();
    hits.into_iter()
}

/// Whether a rule flags `row` (the problems-only toggle).
pub fn flagged(kind: Kind, row: &Row, ctx: &Ctx) -> bool {
    RULES
        .iter()
        .any(|r| covers(r, kind) && (r.check)(kind, row, ctx).is_some())
}

/// The findings `rules` (those of `kind`) make on one row, unsorted; a finding about another
/// object than the row (an event's pod) has no key yet (see [`evaluate`]).
pub fn row_findings(kind: Kind, row: &Row, rules: &[&'static Rule], ctx: &Ctx) -> Vec<Finding> {
    rules
        .iter()
        .filter_map(|rule| {
            let hit = (rule.check)(kind, row, ctx)?;
            let (kind, name, key) = match hit.about {
                Some((k, name)) => (k, name, String::new()),
                None => (kind, row.name.to_string(), row.key.clone()),
            };
            Some(Finding {
                severity: rule.severity,
                rule: rule.name,
                kind: Some(kind),
                namespace: row.namespace.to_string(),
                name,
                key,
                problem: hit.problem,
                since: hit.since,
                evidence: hit.evidence,
            })
        })
        .collect()
}

/// The first instant after `now` from which time alone may change what `rules` (those of `kind`)
/// find on `row`; None when nothing they find depends on the time.
pub fn next_turn(kind: Kind, row: &Row, rules: &[&'static Rule], now: i64) -> Option<i64> {
    rules
        .iter()
        .filter_map(|rule| (rule.turns)(kind, row))
        .filter(|t| *t > now)
        .min()
}

/// Every problem in `rows` (per kind), worst first, then oldest first; an object's problem found
/// twice (two probe events) is listed once.
pub fn evaluate(rows: &[(Kind, &[Arc<Row>])], ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    // Findings about another object than their row's (an event's pod), keyed once all are known.
    let mut about = false;
    for (kind, list) in rows {
        let rules = rules_of(*kind);
        if rules.is_empty() {
            continue;
        }
        for row in list.iter() {
            for f in row_findings(*kind, row, &rules, ctx) {
                about |= f.key.is_empty();
                out.push(f);
            }
        }
    }
    if about {
        let kinds = out.iter().filter(|f| f.key.is_empty()).filter_map(|f| f.kind);
        let keys = keys_by_name(rows, kinds);
        for f in out.iter_mut().filter(|f| f.key.is_empty()) {
            if let Some(key) = f
                .kind
                .and_then(|k| keys.get(&(k, f.namespace.as_str(), f.name.as_str())))
            {
                f.key = key.to_string();
            }
        }
    }
    sort(&mut out);
    out
}

/// The row keys of the objects of `kinds` in `rows`, by kind, namespace and name.
fn keys_by_name<'a>(
    rows: &'a [(Kind, &'a [Arc<Row>])],
    kinds: impl Iterator<Item = Kind>,
) -> HashMap<(Kind, &'a str, &'a str), &'a str> {
    let mut kinds: Vec<Kind> = kinds.collect();
    kinds.sort();
    kinds.dedup();
    rows.iter()
        .filter(|(k, _)| kinds.contains(k))
        .flat_map(|(k, list)| {
            list.iter()
                .map(move |r| ((*k, r.namespace.as_str(), r.name.as_str()), r.key.as_str()))
        })
        .collect()
}

/// Worst first, then oldest first, then by name; duplicates (same object, rule and problem) dropped.
pub fn sort(out: &mut Vec<Finding>) {
    out.sort_by(|a, b| {
        (
            a.severity,
            a.since.unwrap_or(i64::MAX),
            &a.namespace,
            &a.name,
            &a.problem,
        )
            .cmp(&(
                b.severity,
                b.since.unwrap_or(i64::MAX),
                &b.namespace,
                &b.name,
                &b.problem,
            ))
    });
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert(f.same()));
}

/// What makes two findings the same problem (object, rule, problem), however many rows found it.
pub type Same = (Option<Kind>, String, String, &'static str, String);

impl Finding {
    /// Its identity among findings: [`sort`] keeps one finding of each.
    pub fn same(&self) -> Same {
        (
            self.kind,
            self.namespace.clone(),
            self.name.clone(),
            self.rule,
            self.problem.clone(),
        )
    }
}

/// Problems per severity: (errors, warnings, infos).
pub fn counts(findings: &[Finding]) -> [usize; 3] {
    let mut c = [0; 3];
    for f in findings {
        c[f.severity as usize] += 1;
    }
    c
}

#[cfg(test)]
mod tests;
