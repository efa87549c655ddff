//! Set image (`i` on a Deployment, StatefulSet, DaemonSet or CronJob): the editor holds one line,
//! `NAME=IMAGE …` for every container as `kubectl set image` takes it (the container is picked by
//! its name, the image edited in place); the save sends kubectl's strategic merge patch of the
//! named containers, after a dry run and its diff.

use serde_json::{Value, json};

use super::yaml::Problem;
use super::{Editor, Request, Stage};
use crate::app::effect::Effect;
use crate::app::state::{State, View, ViewKind};
use crate::cluster::Kind;
use crate::cluster::ops::ObjRef;

const KINDS: [Kind; 4] = [Kind::Deployment, Kind::StatefulSet, Kind::DaemonSet, Kind::CronJob];

/// `i`: fetch the workload and offer its containers' images on one line.
pub fn open(state: &mut State, selected: Option<ObjRef>) -> Vec<Effect> {
    if state.safety.readonly {
        state.toast(crate::app::workload::readonly_refusal("set image"), true);
        return vec![];
    }
    let Some(target) = selected.filter(|t| KINDS.contains(&t.kind)) else {
        state.toast(
            "set image works on deployments, statefulsets, daemonsets and cronjobs",
            true,
        );
        return vec![];
    };
    let mut ed = Editor::loading(target.clone(), &state.context);
    ed.set_image = true;
    state.stack.push(View::new(ViewKind::Editor(Box::new(ed))));
    vec![Effect::Edit(Request::Fetch {
        target,
        context: state.context.clone(),
    })]
}

/// The pod spec of a workload (a CronJob's is in its job template).
fn pod_spec(obj: &Value) -> &Value {
    match obj.pointer("/spec/jobTemplate") {
        Some(job) => &job["spec"]["template"]["spec"],
        None => &obj["spec"]["template"]["spec"],
    }
}

/// (list, name, image) of every container, init containers first.
fn containers(obj: &Value) -> Vec<(&'static str, String, String)> {
    let spec = pod_spec(obj);
    ["initContainers", "containers"]
        .into_iter()
        .flat_map(|list| {
            spec[list].as_array().into_iter().flatten().map(move |c| {
                let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
                (list, s("name"), s("image"))
            })
        })
        .collect()
}

/// The object arrived: its line of `NAME=IMAGE` pairs.
pub fn opened(ed: &mut Editor) {
    let line: Vec<String> = containers(&ed.opened)
        .iter()
        .map(|(_, n, i)| format!("{n}={i}"))
        .collect();
    let line = line.join(" ");
    ed.set_text(&line);
    ed.original = vec![line];
    ed.area.move_cursor(ratatui_textarea::CursorMove::End);
    ed.message = Some((
        "NAME=IMAGE for each container to change (as kubectl set image takes them); ctrl-s: dry run and diff".into(),
        false,
    ));
}

/// `kubectl set image`'s patch for `line`, or what is wrong with it in kubectl's words.
pub fn patch(obj: &Value, line: &str) -> Result<Value, Problem> {
    let have = containers(obj);
    let (mut init, mut main) = (Vec::new(), Vec::new());
    for pair in line.split_whitespace() {
        let problem = |m: String| Problem { message: m, at: None };
        let (name, image) = pair
            .split_once('=')
            .filter(|(n, i)| !n.is_empty() && !i.is_empty())
            .ok_or_else(|| problem(format!("expected NAME=IMAGE, got {pair:?}")))?;
        let (list, _, was) = have
            .iter()
            .find(|(_, n, _)| n == name)
            .ok_or_else(|| problem(format!("error: unable to find container named \"{name}\"")))?;
        if was == image {
            continue;
        }
        let entry = json!({"name": name, "image": image});
        if *list == "initContainers" {
            init.push(entry)
        } else {
            main.push(entry)
        }
    }
    let mut spec = serde_json::Map::new();
    if !init.is_empty() {
        spec.insert("initContainers".into(), Value::Array(init));
    }
    if !main.is_empty() {
        spec.insert("containers".into(), Value::Array(main));
    }
    if spec.is_empty() {
        return Ok(Value::Null);
    }
    let template = json!({"template": {"spec": spec}});
    Ok(if obj.pointer("/spec/jobTemplate").is_some() {
        json!({"spec": {"jobTemplate": {"spec": template}}})
    } else {
        json!({"spec": template})
    })
}

/// The save of set image: the patch, dry-run first.
pub fn save(ed: &mut Editor) -> Vec<Effect> {
    match patch(&ed.opened, &ed.text()) {
        Err(p) => {
            ed.show_problem(&p);
            vec![]
        }
        Ok(Value::Null) => {
            ed.message = Some(("no image changed".into(), false));
            vec![]
        }
        Ok(p) => {
            ed.stage = Stage::Checking(p.clone());
            vec![Effect::Edit(Request::Patch {
                target: ed.target.clone(),
                patch: p,
                dry: true,
            })]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_becomes_kubectls_patch() {
        let d = json!({"spec": {"template": {"spec": {"initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [{"name": "web", "image": "nginx:1"}, {"name": "side", "image": "envoy:1"}]}}}});
        assert_eq!(
            patch(&d, "init=busybox web=nginx:2 side=envoy:1").unwrap(),
            json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:2"}]}}}})
        );
        assert_eq!(patch(&d, "web=nginx:1").unwrap(), Value::Null);
        assert_eq!(
            patch(&d, "db=pg").unwrap_err().message,
            "error: unable to find container named \"db\""
        );
        assert!(patch(&d, "web").unwrap_err().message.contains("NAME=IMAGE"));
        let cj = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "a"}]}}}}}});
        assert_eq!(
            patch(&cj, "job=b").unwrap(),
            json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "b"}]}}}}}})
        );
    }
}
