//! The editor in the pure update: opening, typing, and the safety steps of a save. A save is parsed
//! (an error puts the cursor on its line and column), checked (apiVersion, kind, name and namespace
//! stay), sent as a server-side dry run, shown as a diff against the live object, and only on a yes
//! PUT with the resourceVersion fetched. A 409 shows what changed on the server and offers to
//! re-apply the edits on the fresh object or to reload. Until applied or discarded the text is kept
//! in a recovery file (never for a Secret).

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::CursorMove;
use serde_json::Value;

use super::yaml;
use super::{Conflict, Editor, Refusal, Reply, Request, Review, Stage};
use crate::app::action::{Action, EditorAction, KeyScope};
use crate::app::effect::Effect;
use crate::app::keys::Match;
use crate::app::nav::{text_line, watch_top};
use crate::app::state::{State, View, ViewKind};
use crate::cluster::ops::ObjRef;
use crate::cluster::ops::history::{DiffLine, diff_between};

/// How often typing writes the recovery file at most (a save, a close and a failed request write it
/// at once).
pub const KEEP_EVERY: Duration = Duration::from_secs(2);

/// The editor on show, if the top view is one.
pub fn editor(state: &State) -> Option<&Editor> {
    match &state.top().kind {
        ViewKind::Editor(e) => Some(e),
        _ => None,
    }
}

fn editor_mut(state: &mut State) -> Option<&mut Editor> {
    match &mut state.top_mut().kind {
        ViewKind::Editor(e) => Some(e),
        _ => None,
    }
}

/// `e` (`E`: through the outside editor): open the editor on `selected`, fetching it fresh
/// (refused in a read-only session).
pub fn open(state: &mut State, selected: Option<ObjRef>, external: bool) -> Vec<Effect> {
    if state.safety.readonly {
        state.toast(crate::app::workload::readonly_refusal("edit"), true);
        return vec![];
    }
    let Some(target) = selected else {
        state.toast("edit: nothing selected", true);
        return vec![];
    };
    let mut editor = Editor::loading(target.clone(), &state.context);
    editor.external = external;
    state.stack.push(View::new(ViewKind::Editor(Box::new(editor))));
    vec![Effect::Edit(Request::Fetch {
        target,
        context: state.context.clone(),
    })]
}

fn close(state: &mut State) -> Vec<Effect> {
    state.stack.pop();
    watch_top(state)
}

fn forget(ed: &Editor) -> Effect {
    Effect::Edit(Request::Forget {
        target: ed.target.clone(),
        context: ed.context.clone(),
    })
}

/// Write the text to the recovery file now (never a Secret's, never an unchanged text).
fn keep(ed: &mut Editor) -> Option<Effect> {
    if ed.secret() || ed.apply || ed.set_image || !ed.modified() {
        return None;
    }
    ed.kept_at = Some(Instant::now());
    Some(Effect::Edit(Request::Keep {
        target: ed.target.clone(),
        context: ed.context.clone(),
        text: ed.text(),
    }))
}

/// Hand the terminal to the outside editor with the editor's text.
fn hand_over(ed: &Editor) -> Effect {
    let session = crate::exec::external_edit::ExternalEdit::new(ed.target.clone(), ed.text());
    Effect::HandOverTerminal(crate::exec::terminal::HandOver::new(session))
}

/// Every key while the editor is on show: no global key fires there.
pub fn on_key(state: &mut State, key: &KeyEvent) -> Option<Vec<Effect>> {
    let ed = editor(state)?;
    let asks = !matches!(ed.stage, Stage::Editing) || ed.search.is_some();
    let help = Match::Action(Action::Help);
    if asks
        && state
            .keymap
            .lookup(KeyScope::Editor, &[crate::app::keys::Key::from_event(key)])
            == help
    {
        state.help = true;
        return Some(vec![]);
    }
    let ed = editor(state)?;
    let effects = match &ed.stage {
        Stage::Editing if ed.search.is_some() => search_key(state, key),
        Stage::Editing => editing_key(state, key),
        Stage::Review(_) => review_key(state, key),
        Stage::Conflict(_) => conflict_key(state, key),
        Stage::Recovered(_) => recovered_key(state, key),
        Stage::Closing => closing_key(state, key),
        Stage::Loading | Stage::Failed(_) | Stage::Checking(_) | Stage::Applying(_) => waiting_key(state, key),
    };
    Some(effects)
}

/// While the object loads or a request is under way: help, and closing a screen that has no text.
fn waiting_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let (_, found) = state.lookup_typed(KeyScope::Editor, key, |_, _| true);
    let loaded = editor(state).is_some_and(|e| !matches!(e.stage, Stage::Loading | Stage::Failed(_)));
    match found {
        Match::Action(Action::Help) => state.help = true,
        Match::Action(Action::Editor(EditorAction::Close)) if !loaded => return close(state),
        _ => {}
    }
    vec![]
}

fn editing_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let (typed, found) = state.lookup_typed(KeyScope::Editor, key, |_, _| true);
    match found {
        Match::Action(action) => act(state, action),
        Match::Prefix => {
            state.pending_keys = typed;
            vec![]
        }
        Match::None => {
            let Some(ed) = editor_mut(state) else { return vec![] };
            if !ed.area.input(*key) {
                return vec![];
            }
            ed.message = None;
            if ed.kept_at.is_none_or(|at| at.elapsed() >= KEEP_EVERY) {
                return keep(ed).into_iter().collect();
            }
            vec![]
        }
    }
}

/// An editor action (its keymap scope's).
pub fn act(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(ed) = editor_mut(state) else { return vec![] };
    match action {
        Action::Editor(EditorAction::Save) => return save(state),
        Action::Editor(EditorAction::Close) if ed.modified() => ed.stage = Stage::Closing,
        Action::Editor(EditorAction::Close) => {
            let forget = forget(ed);
            let mut effects = close(state);
            effects.insert(0, forget);
            return effects;
        }
        Action::Editor(EditorAction::Undo) => {
            ed.area.undo();
        }
        Action::Editor(EditorAction::Redo) => {
            ed.area.redo();
        }
        Action::Search => ed.search = Some(text_line(&ed.pattern)),
        Action::NextMatch | Action::PrevMatch => {
            let found = if action == Action::NextMatch {
                ed.area.search_forward(false)
            } else {
                ed.area.search_back(false)
            };
            if !found {
                ed.message = Some((format!("no match for {:?}", ed.pattern), false));
            }
        }
        Action::Help => state.help = true,
        _ => {}
    }
    vec![]
}

fn search_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let Some(ed) = editor_mut(state) else { return vec![] };
    let Some(line) = &mut ed.search else { return vec![] };
    match key.code {
        KeyCode::Esc => ed.search = None,
        KeyCode::Enter => {
            ed.pattern = line.lines().join("");
            ed.search = None;
            // The text is searched for as typed, not as a regex: YAML is full of `.` and `*`.
            let _ = ed.area.set_search_pattern(regex::escape(&ed.pattern));
            if !ed.pattern.is_empty() && !ed.area.search_forward(true) {
                ed.message = Some((format!("no match for {:?}", ed.pattern), false));
            }
        }
        _ => {
            line.input(*key);
        }
    }
    vec![]
}

/// The save: read the text, check it, and ask the server for a dry run.
fn save(state: &mut State) -> Vec<Effect> {
    if state.safety.readonly {
        state.toast(crate::app::workload::readonly_refusal("edit"), true);
        return vec![];
    }
    let registry = state.discovery.registry.clone();
    let Some(ed) = editor_mut(state) else { return vec![] };
    if ed.apply {
        return super::apply::save(ed, registry.as_ref());
    }
    if ed.set_image {
        return super::image::save(ed);
    }
    save_editor(ed)
}

/// Read the editor's text, check it, and ask for the dry run (plus the recovery file).
fn save_editor(ed: &mut Editor) -> Vec<Effect> {
    let mut effects: Vec<Effect> = keep(ed).into_iter().collect();
    let text = ed.text();
    let parsed = yaml::parse(&text).map(|v| yaml::from_editing(&v));
    let edited = match parsed.and_then(|v| yaml::check_identity(&ed.opened, &v, &text).map(|_| v)) {
        Ok(v) => v,
        Err(p) => {
            ed.show_problem(&p);
            return effects;
        }
    };
    if edited == yaml::without_managed(&ed.opened) {
        ed.message = Some(("Edit cancelled, no changes made.".into(), false));
        return effects;
    }
    let (send, status_edited) = yaml::to_send(&ed.opened, &edited);
    ed.message = status_edited.then(|| {
        (
            "status is set by the cluster: your changes to it are ignored".to_string(),
            false,
        )
    });
    ed.stage = Stage::Checking(send.clone());
    effects.push(Effect::Edit(Request::DryRun {
        target: ed.target.clone(),
        object: send,
    }));
    effects
}

/// The diff of two versions of the object; a Secret's values masked unless the user revealed them.
fn diff(from: &Value, to: &Value, reveal: bool, labels: (&str, &str)) -> Vec<DiffLine> {
    let (a, b) = (yaml::without_managed(from), yaml::without_managed(to));
    let (a, b) = if yaml::is_secret(&a) && !reveal {
        yaml::masked_pair(&a, &b)
    } else {
        (yaml::for_editing(&a), yaml::for_editing(&b))
    };
    diff_between(&a, &b, labels.0, labels.1)
}

const REVIEW: (&str, &str) = ("live", "after save (server dry run)");
const CONFLICT: (&str, &str) = ("when the edit began", "on the server now");

fn scroll_key(scroll: &mut usize, key: &KeyEvent, page: usize) -> bool {
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => *scroll += 1,
        KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => *scroll += page,
        KeyCode::PageUp => *scroll = scroll.saturating_sub(page),
        KeyCode::Home => *scroll = 0,
        _ => return false,
    }
    true
}

/// The diff is up: yes sends the PUT (in a protected context once the name is typed), no goes back
/// to the text, unchanged.
fn review_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let page = state.page_rows.max(1);
    let Some(ed) = editor_mut(state) else { return vec![] };
    let Stage::Review(r) = &mut ed.stage else { return vec![] };
    let yes = match (&mut r.typed, key.code) {
        (_, KeyCode::Esc) | (None, KeyCode::Char('n')) => {
            ed.stage = Stage::Editing;
            ed.message = Some(("not applied: the text is as you left it".into(), false));
            return vec![];
        }
        (Some(t), KeyCode::Enter) => {
            let typed = t.lines().join("");
            if typed != r.confirm {
                ed.message = Some((format!("type {} to apply (protected context)", r.confirm), true));
                return vec![];
            }
            true
        }
        (Some(t), _) => {
            t.input(*key);
            return vec![];
        }
        (None, KeyCode::Enter | KeyCode::Char('y')) => true,
        (None, KeyCode::Char('x')) if yaml::is_secret(&ed.opened) => {
            ed.reveal = !ed.reveal;
            r.diff = diff(&ed.opened, &r.stored, ed.reveal, REVIEW);
            return vec![];
        }
        (None, _) => {
            scroll_key(&mut r.scroll, key, page);
            return vec![];
        }
    };
    if !yes {
        return vec![];
    }
    let send = r.send.clone();
    ed.stage = Stage::Applying(send.clone());
    ed.message = None;
    if ed.set_image {
        return vec![Effect::Edit(Request::Patch {
            target: ed.target.clone(),
            patch: send,
            dry: false,
        })];
    }
    if ed.apply {
        return vec![Effect::Edit(Request::ApplyDocs {
            docs: ed.docs.clone(),
            dry: false,
        })];
    }
    vec![Effect::Edit(Request::Apply {
        target: ed.target.clone(),
        object: send,
    })]
}

/// A 409: re-apply the edits on the fresh object, reload it, or go back to the text.
fn conflict_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let page = state.page_rows.max(1);
    let Some(ed) = editor_mut(state) else { return vec![] };
    let Stage::Conflict(c) = &mut ed.stage else {
        return vec![];
    };
    match key.code {
        KeyCode::Char('r') => {
            let fresh = c.fresh.clone();
            reapply(ed, fresh);
        }
        KeyCode::Char('l') => {
            let fresh = c.fresh.clone();
            ed.open(fresh);
            ed.message = Some(("reloaded the server's version: your edits were dropped".into(), false));
        }
        KeyCode::Esc => {
            ed.stage = Stage::Editing;
            ed.message = Some((
                "the object changed on the server: saving this text will conflict again (save, then r to re-apply)"
                    .into(),
                true,
            ));
        }
        _ => {
            scroll_key(&mut c.scroll, key, page);
        }
    }
    vec![]
}

/// Lay the user's change (opened → text) onto `fresh`, which becomes the object the edit is of.
fn reapply(ed: &mut Editor, fresh: Value) {
    let mine = match yaml::parse(&ed.text()) {
        Ok(v) => v,
        Err(p) => {
            ed.stage = Stage::Editing;
            ed.show_problem(&p);
            return;
        }
    };
    let merged = super::merge::merge(&yaml::for_editing(&ed.opened), &mine, &yaml::for_editing(&fresh));
    let rv = fresh["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let text = serde_yaml::to_string(&merged.object).unwrap_or_default();
    let (cursor, pattern) = (ed.area.cursor(), ed.pattern.clone());
    ed.open(fresh);
    ed.pattern = pattern;
    ed.set_text(&text);
    let (row, col) = (
        u16::try_from(cursor.0).unwrap_or(0),
        u16::try_from(cursor.1).unwrap_or(0),
    );
    ed.area.move_cursor(CursorMove::Jump(row, col));
    let mut note =
        format!("your edits are re-applied on the server's version (resourceVersion {rv}); save to see the diff");
    if !merged.both.is_empty() {
        note.push_str(&format!(
            ". Changed on both sides, your value kept: {}",
            merged.both.join(", ")
        ));
    }
    ed.message = Some((note, !merged.both.is_empty()));
}

fn recovered_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let Some(ed) = editor_mut(state) else { return vec![] };
    let Stage::Recovered(text) = &ed.stage else {
        return vec![];
    };
    match key.code {
        KeyCode::Char('y') => {
            let text = text.clone();
            ed.set_text(&text);
            ed.stage = Stage::Editing;
            ed.message = Some(("restored the unsaved edit (save shows its diff)".into(), false));
            vec![]
        }
        KeyCode::Char('n') | KeyCode::Esc => {
            ed.stage = Stage::Editing;
            ed.message = Some(("the unsaved edit was discarded".into(), false));
            vec![forget(ed)]
        }
        _ => vec![],
    }
}

fn closing_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let Some(ed) = editor_mut(state) else { return vec![] };
    if key.code == KeyCode::Char('y') {
        let forget = forget(ed);
        let mut effects = close(state);
        effects.insert(0, forget);
        state.toast("edit discarded", false);
        return effects;
    }
    ed.stage = Stage::Editing;
    vec![]
}

/// An answer of the cluster or the disk, for the editor of its object.
pub fn on_reply(state: &mut State, reply: Reply) -> Vec<Effect> {
    let reply = match reply {
        Reply::AppliedDocs { dry, results } => return super::apply::answered(state, results, dry),
        other => other,
    };
    let Some(target) = reply.target().cloned() else {
        return vec![];
    };
    let protected = state.safety.protected;
    let Some(ed) = state.stack.iter_mut().rev().find_map(|v| match &mut v.kind {
        ViewKind::Editor(e) if e.target == target => Some(e),
        _ => None,
    }) else {
        return vec![];
    };
    match (reply, &ed.stage) {
        (Reply::Fetched { result, recovered, .. }, Stage::Loading) => match result {
            Ok(obj) => {
                ed.open(obj);
                if ed.set_image {
                    super::image::opened(ed);
                } else if let Some(text) = recovered.filter(|t| *t != ed.text() && !ed.secret()) {
                    ed.stage = Stage::Recovered(text);
                } else if ed.external {
                    return vec![hand_over(ed)];
                }
            }
            Err(e) => ed.stage = Stage::Failed(e),
        },
        (Reply::External { text, .. }, Stage::Editing) => {
            ed.set_text(&text);
            if !ed.modified() {
                // kubectl's words; the outside editor's edit was the whole point of this screen.
                state
                    .stack
                    .retain(|v| !matches!(&v.kind, ViewKind::Editor(e) if e.target == target));
                state.toast("Edit cancelled, no changes made.", false);
                return watch_top(state);
            }
            // The same save as in the editor; what goes wrong is shown there, the text kept.
            return save_editor(ed);
        }
        (Reply::DryRun { result, .. }, Stage::Checking(send)) => match result {
            Ok(stored) => {
                let diff = diff(&ed.opened, &stored, ed.reveal, REVIEW);
                if diff.is_empty() {
                    ed.stage = Stage::Editing;
                    ed.message = Some(("no change: the server would store the object as it is".into(), false));
                } else {
                    let typed = protected.then(|| text_line(""));
                    ed.stage = Stage::Review(Box::new(Review {
                        diff,
                        stored,
                        send: send.clone(),
                        scroll: 0,
                        typed,
                        confirm: target.name.clone(),
                    }));
                }
            }
            Err(r) => return refused(ed, r),
        },
        (Reply::Applied { result, .. }, Stage::Applying(_)) => match result {
            Ok(_) => {
                let forget = forget(ed);
                let verb = if ed.set_image { "image updated" } else { "edited" };
                let line = format!("{} {verb}", target.kubectl_name());
                let on_top = editor(state).is_some_and(|e| e.target == target);
                if on_top {
                    state.stack.pop();
                }
                state.toast(line, false);
                let mut effects = vec![forget];
                if on_top {
                    effects.extend(watch_top(state));
                }
                return effects;
            }
            Err(r) => {
                let mut effects = refused(ed, r);
                effects.extend(keep(ed));
                return effects;
            }
        },
        _ => {}
    }
    vec![]
}

/// The object without what the server changes on its own: status, resourceVersion, managedFields.
fn own_part(obj: &Value) -> Value {
    let mut v = yaml::without_managed(obj);
    if let Some(m) = v.as_object_mut() {
        m.remove("status");
    }
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
    }
    v
}

/// A refused dry run or PUT: a 409 shows the server's change; anything else its words, the text kept.
/// A 409 whose only change is the status (a controller at work) takes the fresh version and dry-runs
/// again: nothing of the server's is overwritten, and the diff is confirmed anew.
fn refused(ed: &mut Editor, r: Refusal) -> Vec<Effect> {
    match r.conflict {
        Some(Ok(fresh)) if own_part(&fresh) == own_part(&ed.opened) => {
            let stored_rv = fresh["metadata"]["resourceVersion"].clone();
            ed.opened = fresh;
            ed.stage = Stage::Editing;
            let effects = save_editor(ed);
            ed.message = Some((
                format!(
                    "only the status changed on the server meanwhile: checked again against resourceVersion {stored_rv}"
                ),
                false,
            ));
            effects
        }
        Some(Ok(fresh)) => {
            let diff = diff(&ed.opened, &fresh, ed.reveal, CONFLICT);
            ed.message = Some((r.text, true));
            ed.stage = Stage::Conflict(Conflict { fresh, diff, scroll: 0 });
            vec![]
        }
        Some(Err(e)) => {
            ed.stage = Stage::Editing;
            ed.message = Some((
                format!("{}\n(and the object could not be read again: {e})", r.text),
                true,
            ));
            vec![]
        }
        None => {
            ed.stage = Stage::Editing;
            // The cursor goes to the first field the server named, where the text says it.
            if let Some((line, col)) = r.fields.first().and_then(|f| yaml::locate(&ed.text(), f)) {
                let at = |n: usize| u16::try_from(n.saturating_sub(1)).unwrap_or(u16::MAX);
                ed.area
                    .move_cursor(ratatui_textarea::CursorMove::Jump(at(line), at(col)));
            }
            ed.message = Some((r.text, true));
            vec![]
        }
    }
}
