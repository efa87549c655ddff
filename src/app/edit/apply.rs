//! Create from YAML (`:apply`): the editor opens empty but for a template of the kind in view; on
//! save every document (separated by `---`) is server-side applied in order (field manager
//! `kubedeck`), first as a dry run whose diffs are confirmed, each with its own result line.

use serde::Deserialize;
use serde_json::Value;

use super::yaml::Problem;
use super::{DocResult, Editor, Request, Stage};
use crate::app::effect::Effect;
use crate::app::state::{State, View, ViewKind};
use crate::cluster::Kind;
use crate::cluster::ops::ObjRef;
use crate::cluster::ops::history::{DiffLine, diff_between};

/// `:apply`: an editor for new objects, with a template of the kind in view.
pub fn open(state: &mut State) -> Vec<Effect> {
    if state.safety.readonly {
        state.toast(crate::app::workload::readonly_refusal("apply"), true);
        return vec![];
    }
    let kind = match state.top().kind {
        ViewKind::Resource(k) => k,
        _ => Kind::Deployment,
    };
    let ns = state.view_namespace().unwrap_or(&state.home_namespace).to_string();
    let mut ed = Editor::loading(ObjRef::new(kind, &ns, ""), &state.context);
    ed.apply = true;
    ed.opened = Value::Null;
    ed.set_text(&template(kind, &ns));
    ed.original = ed.area.lines().to_vec();
    ed.stage = Stage::Editing;
    state.stack.push(View::new(ViewKind::Editor(Box::new(ed))));
    vec![]
}

/// A starting point for a new object of `kind`.
pub fn template(kind: Kind, ns: &str) -> String {
    let api_version = match kind.group() {
        "" => "v1".to_string(),
        g => format!("{g}/{}", kind.resource().map_or("v1", |r| r.version.as_str())),
    };
    let mut t = format!(
        "apiVersion: {api_version}\nkind: {}\nmetadata:\n  name: \n",
        kind.name()
    );
    if kind.namespaced() {
        t.push_str(&format!("  namespace: {ns}\n"));
    }
    if matches!(kind, Kind::Deployment | Kind::StatefulSet | Kind::DaemonSet) {
        t.push_str(
            "spec:\n  selector:\n    matchLabels:\n      app: \n  template:\n    metadata:\n      labels:\n        app: \n    spec:\n      containers:\n      - name: \n        image: \n",
        );
    }
    t
}

/// The objects of a multi-document text, in order, each with the object it names (namespaced ones
/// in `default_ns` unless they say otherwise); an error names the document, line and column.
pub fn documents(
    text: &str,
    registry: Option<&model::Registry>,
    default_ns: &str,
) -> Result<Vec<(ObjRef, Value)>, Problem> {
    let mut out = Vec::new();
    for (i, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let v = Value::deserialize(doc).map_err(|e| Problem {
            message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
            at: e.location().map(|l| (l.line(), l.column())),
        })?;
        if v.is_null() {
            continue;
        }
        let what = |m: &str| Problem {
            message: format!("document {}: {m}", i + 1),
            at: None,
        };
        let api_version = v["apiVersion"].as_str().ok_or_else(|| what("apiVersion is missing"))?;
        let kind_name = v["kind"].as_str().ok_or_else(|| what("kind is missing"))?;
        let name = v["metadata"]["name"]
            .as_str()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| what("metadata.name is missing"))?;
        let (group, _) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let kind = registry
            .and_then(|r| {
                r.resources
                    .iter()
                    .find(|r| r.api_version() == api_version && r.kind == kind_name)
            })
            .map(Kind::from_resource)
            .or_else(|| Kind::of(group, kind_name))
            .ok_or_else(|| what(&format!("the server serves no {kind_name} in {api_version}")))?;
        let mut v = v.clone();
        let ns = if kind.namespaced() {
            let ns = v["metadata"]["namespace"].as_str().unwrap_or(default_ns).to_string();
            v["metadata"]["namespace"] = Value::String(ns.clone());
            ns
        } else {
            String::new()
        };
        out.push((ObjRef::new(kind, &ns, name), v));
    }
    Ok(out)
}

/// The save of `:apply`: the documents, dry-run applied.
pub fn save(ed: &mut Editor, registry: Option<&model::Registry>) -> Vec<Effect> {
    let docs = match documents(&ed.text(), registry, &ed.target.namespace) {
        Ok(d) if d.is_empty() => {
            ed.message = Some(("nothing to apply".into(), false));
            return vec![];
        }
        Ok(d) => d,
        Err(p) => {
            ed.show_problem(&p);
            return vec![];
        }
    };
    ed.stage = Stage::Checking(Value::Array(docs.iter().map(|(_, v)| v.clone()).collect()));
    ed.docs = docs.clone();
    vec![Effect::Edit(Request::ApplyDocs { docs, dry: true })]
}

/// kubectl's line for one document's result.
fn line(r: &DocResult, dry: bool) -> Result<String, String> {
    let suffix = if dry { " (server dry run)" } else { "" };
    match &r.result {
        Ok(_) => Ok(format!("{} serverside-applied{suffix}", r.target.kubectl_name())),
        Err(e) => Err(format!("{}: {}", r.target.kubectl_name(), e.text)),
    }
}

/// The answer to a dry run (a diff per document to confirm) or to the apply (a result line each).
pub fn answered(state: &mut State, results: Vec<DocResult>, dry: bool) -> Vec<Effect> {
    let lines: Vec<Result<String, String>> = results.iter().map(|r| line(r, dry)).collect();
    let failed = lines.iter().any(Result::is_err);
    let protected = state.safety.protected;
    let Some(ed) = state.stack.iter_mut().rev().find_map(|v| match &mut v.kind {
        ViewKind::Editor(e) if e.apply => Some(e),
        _ => None,
    }) else {
        return vec![];
    };
    let said = lines
        .iter()
        .map(|l| l.clone().unwrap_or_else(|e| format!("✗ {e}")))
        .collect::<Vec<_>>()
        .join("\n");
    if dry && !failed {
        let Stage::Checking(send) = &ed.stage else {
            return vec![];
        };
        let mut diff: Vec<DiffLine> = Vec::new();
        for r in &results {
            let after = r.result.as_ref().map(super::yaml::without_managed).unwrap_or_default();
            let before = r.before.as_ref().map(super::yaml::without_managed);
            let how = if before.is_none() { "created" } else { "configured" };
            diff.push(DiffLine::Header(format!("=== {} ({how})", r.target.kubectl_name())));
            let d = diff_between(
                &before.unwrap_or(Value::Null),
                &after,
                "live",
                "after apply (server dry run)",
            );
            if d.is_empty() {
                diff.push(DiffLine::Same("(unchanged)".into()));
            }
            diff.extend(d);
        }
        let confirm = results.first().map(|r| r.target.name.clone()).unwrap_or_default();
        ed.stage = Stage::Review(Box::new(super::Review {
            diff,
            stored: Value::Null,
            send: send.clone(),
            scroll: 0,
            typed: protected.then(|| crate::app::nav::text_line("")),
            confirm,
        }));
        ed.message = Some((said, false));
        return vec![];
    }
    if failed {
        ed.stage = Stage::Editing;
        ed.message = Some((said, true));
        return vec![];
    }
    state
        .stack
        .retain(|v| !matches!(&v.kind, ViewKind::Editor(e) if e.apply));
    for l in lines.into_iter().flatten() {
        state.toast(l, false);
    }
    crate::app::nav::watch_top(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_read_in_order_and_errors_say_which() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
        let docs = documents(text, None, "dev").unwrap();
        assert_eq!(docs[0].0, ObjRef::new(Kind::Deployment, "dev", "web"));
        assert_eq!(
            docs[0].1["metadata"]["namespace"], "dev",
            "a namespaced object goes where the view is"
        );
        assert_eq!(docs[1].0, ObjRef::new(Kind::Namespace, "", "shop"));
        let e = documents("apiVersion: v1\nkind: Pod\nmetadata: {}\n", None, "dev").unwrap_err();
        assert_eq!(e.message, "document 1: metadata.name is missing");
        let e = documents("apiVersion: x.io/v1\nkind: Thing\nmetadata: {name: a}\n", None, "dev").unwrap_err();
        assert!(
            e.message.contains("the server serves no Thing in x.io/v1"),
            "{}",
            e.message
        );
        assert!(documents("kind: [\n", None, "dev").unwrap_err().at.is_some());
    }

    #[test]
    fn apply_opens_a_template_and_is_refused_read_only() {
        let mut s = crate::test_util::connected("prod", "shop", false);
        assert!(crate::app::update::run_command(&mut s, "apply").is_empty());
        let ViewKind::Editor(ed) = &s.top().kind else {
            panic!("no editor")
        };
        assert!(
            ed.apply
                && ed
                    .text()
                    .starts_with("apiVersion: v1\nkind: Pod\nmetadata:\n  name: \n  namespace: shop\n")
        );
        let mut s = crate::test_util::connected("prod", "shop", true);
        crate::app::update::run_command(&mut s, "apply");
        assert!(!matches!(s.top().kind, ViewKind::Editor(_)));
        assert!(s.toasts.last().unwrap().text.contains("read-only"));
    }
}
