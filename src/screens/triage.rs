//! The triage screen (`:triage`, `:problems`): every problem kubedeck can see, worst first;
//! `enter` goes to the object, `l` to its logs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::lists;
use super::screen::{Screen, never};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::state::{State, ViewKind};
use crate::app::triage::{self, COMMANDS};
use crate::cluster::ops::ObjRef;
use crate::config::theme::Theme;
use crate::ui::views::{self, List};

/// The triage screen.
pub static SCREEN: Screen = Screen {
    name: "triage",
    shows: |k| matches!(k, ViewKind::Triage(_)),
    scope: KeyScope::Table,
    commands: &COMMANDS,
    open: triage::open,
    on_key: super::screen::no_key,
    act,
    on_input,
    applies,
    explains: never,
    label: lists::label,
    selected,
    header,
    render,
    #[cfg(test)]
    samples,
};

fn applies(state: &State, action: Action) -> bool {
    match action {
        a if lists::moving(a) || lists::sorting(state, a) => true,
        Action::Filter | Action::CopyName => true,
        Action::Enter => triage::current(state).is_some(),
        Action::Logs => triage::has_logs(state),
        _ => false,
    }
}

fn selected(state: &State) -> Option<ObjRef> {
    let f = triage::current(state)?;
    Some(ObjRef::new(f.kind?, &f.namespace, &f.name))
}

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match action {
        Action::Enter => Some(triage::enter(state)),
        Action::Logs => Some(triage::logs(state)),
        _ => lists::act(state, action),
    }
}

/// Findings are kept whether or not the screen is on show (a view below takes them too).
fn on_input(state: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    match input {
        Input::Triage { findings, status } => {
            triage::received(state, findings, status);
            Ok(vec![])
        }
        other => Err(other),
    }
}

fn header(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let view = state.top();
    let [errors, warnings, infos] = match &view.kind {
        ViewKind::Triage(t) => model::triage::counts(&t.findings),
        _ => [0; 3],
    };
    let mut spans = vec![
        Span::styled("triage", theme.title),
        Span::raw(format!(" [{}/{}]", view.table.visible.len(), view.table.rows.len())),
        Span::styled(format!("  ✖ {errors} errors  ⚠ {warnings} warnings  · {infos} info"), theme.dim),
    ];
    if !view.filter_text.is_empty() {
        spans.push(Span::styled(format!("  /{}", view.filter_text), theme.prompt));
    }
    spans.push(Span::raw("  "));
    spans.push(crate::ui::header::status_span(view.status.as_ref(), theme));
    spans
}

fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: i64) {
    let ns = state.namespace.as_deref();
    let what = List {
        plural: "problems",
        title: format!(" triage({}) ", ns.unwrap_or("all")),
        with_ns: false,
        scope: ns,
        gone: None,
    };
    views::list(frame, area, state, state.top(), &what, theme, now)
}

#[cfg(test)]
fn samples() -> Vec<State> {
    tests::samples()
}

#[cfg(test)]
#[path = "triage_tests.rs"]
mod tests;
