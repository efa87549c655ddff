//! The YAML editor of one object (`e` on a row, in describe or YAML): it takes every key (no global
//! key fires while it has focus), its own keymap scope `editor` first, the text widget the rest.

use ratatui::text::Span;

use super::screen::{Screen, never, no_label};
use crate::app::action::{Action, EditorAction, KeyScope};
use crate::app::edit::flow::{self, editor};
use crate::app::edit::Stage;
use crate::app::event::Input;
use crate::app::state::{State, ViewKind};
use crate::cluster::ops::ObjRef;

/// The editor.
pub static SCREEN: Screen = Screen {
    name: "editor",
    shows: |k| matches!(k, ViewKind::Editor(_)),
    scope: KeyScope::Editor,
    commands: &["apply"],
    open: crate::app::edit::apply::open,
    on_key: flow::on_key,
    act: |state, action| matches!(action, Action::Editor(_) | Action::Search | Action::NextMatch | Action::PrevMatch).then(|| flow::act(state, action)),
    on_input,
    applies,
    explains: never,
    label: no_label,
    selected,
    header: |state, theme| {
        let Some(ed) = editor(state) else { return vec![] };
        if ed.apply {
            return vec![Span::styled("apply: new or changed objects, server-side applied", theme.title)];
        }
        let verb = if ed.set_image { "set image" } else { "edit" };
        let mut out = vec![Span::styled(format!("{verb} {}", ed.target.kubectl_name()), theme.title)];
        if !ed.target.namespace.is_empty() {
            out.push(Span::raw(format!(" in {}", ed.target.namespace)));
        }
        out
    },
    render: |frame, area, state, theme, _now| {
        if let Some(ed) = editor(state) {
            crate::ui::views::editor::render(frame, area, ed, theme)
        }
    },
    #[cfg(test)]
    samples,
};

fn applies(state: &State, action: Action) -> bool {
    let Some(ed) = editor(state) else { return false };
    // While the diff or a question is up, its own keys (y, n, r, l, esc) are said on screen.
    match (&ed.stage, action) {
        (Stage::Editing, Action::NextMatch | Action::PrevMatch) => !ed.pattern.is_empty(),
        (Stage::Editing, Action::Editor(_) | Action::Search | Action::Help) => true,
        (Stage::Loading | Stage::Failed(_), Action::Editor(EditorAction::Close)) => true,
        (Stage::Loading | Stage::Failed(_) | Stage::Checking(_) | Stage::Applying(_), Action::Help) => true,
        _ => false,
    }
}

fn selected(state: &State) -> Option<ObjRef> {
    editor(state).map(|e| e.target.clone())
}

/// The editor's answers, wherever its view is; pasted text goes into the text being edited.
fn on_input(state: &mut State, input: Input) -> Result<Vec<crate::app::Effect>, Input> {
    match input {
        Input::Edit(reply) => Ok(flow::on_reply(state, *reply)),
        Input::Paste(text) if editor(state).is_some_and(|e| matches!(e.stage, Stage::Editing)) => {
            if let ViewKind::Editor(ed) = &mut state.top_mut().kind {
                match &mut ed.search {
                    Some(line) => {
                        line.insert_str(text.replace(['\n', '\r'], " "));
                    }
                    None => {
                        ed.area.insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
                    }
                }
            }
            Ok(vec![])
        }
        other => Err(other),
    }
}

/// An editor open on a Deployment with one line changed, in each stage the keys differ in.
#[cfg(test)]
pub fn samples() -> Vec<State> {
    use crate::app::edit::{Conflict, Editor, Review};
    use crate::app::state::View;
    let obj = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "7"},
        "spec": {"replicas": 2}, "status": {"replicas": 2}});
    let mut out = Vec::new();
    for stage in 0..3 {
        let mut s = crate::test_util::connected("demo", "shop", false);
        let mut ed = Editor::loading(ObjRef::new(crate::cluster::Kind::Deployment, "shop", "web"), "demo");
        ed.open(obj.clone());
        ed.set_text(&crate::app::edit::yaml::editable(&obj).replace("replicas: 2\nstatus", "replicas: 3\nstatus"));
        ed.pattern = "replicas".into();
        // Something to undo and something to redo.
        ed.area.insert_char('#');
        ed.area.insert_char('#');
        ed.area.undo();
        let diff = crate::cluster::ops::history::diff_between(&obj, &serde_json::json!({}), "a", "b");
        ed.stage = match stage {
            0 => Stage::Editing,
            1 => Stage::Review(Box::new(Review {
                diff,
                stored: obj.clone(),
                send: obj.clone(),
                scroll: 0,
                typed: None,
                confirm: "web".into(),
            })),
            _ => Stage::Conflict(Conflict {
                fresh: obj.clone(),
                diff,
                scroll: 0,
            }),
        };
        s.stack.push(View::new(ViewKind::Editor(Box::new(ed))));
        out.push(s);
    }
    out
}
