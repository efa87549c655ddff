//! The rules run over watched rows (the model's pure evaluation, with the joins it needs), plus
//! the control plane's problems from its last report: what the triage screen and the header count.

use std::sync::Arc;

use model::triage::{self, Ctx, Finding, Severity};

use crate::cluster::Kind;
use crate::cluster::rows::Row;

/// The findings of `lists` at `now`, with the control plane's problems from its last report.
pub fn evaluate(
    lists: &[(Kind, Vec<Arc<Row>>)],
    now: i64,
    control_plane: Option<&crate::cluster::health::Report>,
) -> Vec<Finding> {
    let rows = |k: Kind| lists.iter().find(|(kind, _)| *kind == k).map(|(_, r)| r.as_slice());
    let ctx = Ctx::of(now, rows);
    let borrowed: Vec<(Kind, &[Arc<Row>])> = lists.iter().map(|(k, r)| (*k, r.as_slice())).collect();
    let mut findings = triage::evaluate(&borrowed, &ctx);
    if let Some(report) = control_plane {
        findings.extend(report.alerts(now).into_iter().map(|alert| Finding {
            severity: Severity::Error,
            rule: "control-plane",
            kind: None,
            namespace: "kube-system".into(),
            name: "control plane".into(),
            key: String::new(),
            problem: alert,
            since: Some(report.taken),
            evidence: "the :cp screen's checks".into(),
        }));
        triage::sort(&mut findings);
    }
    findings
}
