//! PodDisruptionBudgets: `enter` leads to the pods of its namespace that its selector selects
//! (an empty selector selects every pod, a missing one none, as policy/v1 says).

use serde_json::Value;

use super::extra::{Extras, Found, Link, id, list};
use super::mounts::PODS;
use crate::labels::LabelSelector;

/// A PDB's extras.
pub static EXTRAS: &[Extras] = &[Extras {
    group: "policy",
    kind: "PodDisruptionBudget",
    enter: Some(Link {
        needs: PODS,
        resolve: |obj, lists| {
            let Some(selector) = selector(&obj["spec"]["selector"])? else {
                return Ok(vec![Found::named("", "Pod", vec![])]);
            };
            let ns = id(obj).0;
            let pods = list(lists, 0)
                .iter()
                .filter(|p| id(p).0 == ns && selector.matches_pairs(&labels(p)))
                .map(id)
                .collect();
            Ok(vec![Found::named("", "Pod", pods)])
        },
        what: "guarded by",
        none: "its selector selects no pod",
    }),
    ..Extras::NONE
}];

/// The selector as kubectl writes it, parsed; None when there is none.
fn selector(sel: &Value) -> Result<Option<LabelSelector>, String> {
    if sel.is_null() {
        return Ok(None);
    }
    let typed = serde_json::from_value(sel.clone()).map_err(|e| format!("its selector cannot be read: {e}"))?;
    let text = crate::cluster::printers::selector_string(Some(&typed)).map_err(|e| format!("its selector: {e}"))?;
    LabelSelector::parse(&text)
        .map(Some)
        .map_err(|e| format!("its selector: {e}"))
}

fn labels(pod: &Value) -> Vec<(String, String)> {
    pod["metadata"]["labels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}
