//! What the log view's actions do (the keymap's `logs` scope binds keys to them), its prompts, and
//! the keys that stay fixed: Esc and the prompt's editing keys.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::{Found, JsonMode, LogView, Prompt, compile, format, next_session};
use crate::app::action::{Action, LogAction};
use crate::app::effect::Effect;
use crate::cluster::logs::whole::WholeLine;
use crate::cluster::logs::{Params, Target};

impl LogAction {
    /// A toggle's state for the footer ("follow: on"); None for actions that are not toggles.
    pub fn state(self, view: &LogView) -> Option<String> {
        let on = |b: bool| if b { "on" } else { "off" };
        Some(match self {
            LogAction::Follow => format!("follow: {}", on(view.follow)),
            LogAction::Wrap => format!("wrap: {}", on(view.wrap)),
            LogAction::Timestamps => format!("timestamps: {}", on(view.timestamps)),
            LogAction::Previous => format!("previous: {}", on(view.params.previous)),
            LogAction::Json => format!("json: {:?}", view.json).to_lowercase(),
            _ => return None,
        })
    }

    /// What a keymap action does in the log view: its own actions, and the moves and search it
    /// shares with the other screens.
    pub fn from_action(action: Action) -> Option<LogAction> {
        Some(match action {
            Action::Log(a) => a,
            Action::Up => LogAction::Up,
            Action::Down => LogAction::Down,
            Action::Top => LogAction::Top,
            Action::Bottom => LogAction::Bottom,
            Action::PageUp => LogAction::PageUp,
            Action::PageDown => LogAction::PageDown,
            Action::ScrollLeft => LogAction::Left,
            Action::ScrollRight => LogAction::Right,
            Action::Search => LogAction::Search,
            Action::NextMatch => LogAction::Next,
            Action::PrevMatch => LogAction::Prev,
            _ => return None,
        })
    }
}

/// What a key did: effects, and a message for the user.
#[derive(Debug, Default)]
pub struct Outcome {
    /// I/O to perform.
    pub effects: Vec<Effect>,
    /// A toast (text, is an error).
    pub toast: Option<(String, bool)>,
}

impl Outcome {
    fn say(text: impl Into<String>, error: bool) -> Outcome {
        Outcome {
            effects: vec![],
            toast: Some((text.into(), error)),
        }
    }
}

/// Handle a key in the log view that the keymap does not: an open prompt, and Esc peeling off a
/// selection, search or filters. None: the keymap gets the key.
pub fn on_key(view: &mut LogView, key: &KeyEvent, page: usize) -> Option<Outcome> {
    if view.prompt.is_some() {
        return Some(prompt_key(view, key, page));
    }
    if key.code == KeyCode::Esc {
        // Esc peels off one layer at a time; with nothing left it leaves the view.
        if view.mark.take().is_some() {
            return Some(Outcome::default());
        }
        if view.search.take().is_some() {
            return Some(Outcome::default());
        }
        if view.include.is_some() || view.exclude.is_some() {
            view.include = None;
            view.exclude = None;
            view.refilter();
            return Some(Outcome::default());
        }
        return None;
    }
    // Everything else goes through the keymap's `logs` scope to `act`.
    None
}

fn open(view: &mut LogView, prompt: Prompt, initial: &str) {
    let mut ta = TextArea::new(vec![initial.to_string()]);
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    view.prompt = Some((prompt, ta));
}

/// Perform a log action.
pub fn act(view: &mut LogView, action: LogAction, page: usize) -> Outcome {
    use LogAction as A;
    let page = page.max(1);
    match action {
        A::Follow if view.follow => view.hold(page),
        A::Follow | A::Bottom => view.follow_on(),
        A::Top => {
            if !view.is_empty() {
                view.set_cursor(0, page);
            }
        }
        A::Up => view.move_by(-1, page),
        A::Down => view.move_by(1, page),
        A::PageUp => view.move_by(-(page as isize), page),
        A::PageDown => view.move_by(page as isize, page),
        A::Left => view.hscroll = view.hscroll.saturating_sub(8),
        A::Right => view.hscroll += 8,
        A::FarLeft => view.hscroll = 0,
        A::FarRight => view.hscroll += 80,
        A::Wrap => view.wrap = !view.wrap,
        A::Timestamps => view.timestamps = !view.timestamps,
        A::Prefix => view.prefix = Some(!view.show_prefix()),
        A::Json => {
            view.json = match view.json {
                JsonMode::Raw => JsonMode::Fields,
                JsonMode::Fields => JsonMode::Indented,
                JsonMode::Indented => JsonMode::Raw,
            }
        }
        A::Previous => {
            let mut params = view.params.clone();
            params.previous = !params.previous;
            return restart(view, params);
        }
        A::Search => {
            let text = view.search.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
            open(view, Prompt::Search, &text);
        }
        A::Include => {
            let text = view.include.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
            open(view, Prompt::Include, &text);
        }
        A::Exclude => {
            let text = view.exclude.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
            open(view, Prompt::Exclude, &text);
        }
        A::Start => {
            let text = match (view.params.tail, view.params.since_seconds) {
                (_, Some(s)) => format!("{s}s"),
                (Some(n), None) => n.to_string(),
                (None, None) => "all".into(),
            };
            open(view, Prompt::Start, &text);
        }
        A::SaveShown | A::SaveAll => {
            let prompt = if action == A::SaveShown {
                Prompt::SaveShown
            } else {
                Prompt::SaveAll
            };
            open(view, prompt, &format::default_file(&view.target));
        }
        A::Next | A::Prev => {
            if view.search.is_none() {
                return Outcome::say("no search: press / first", true);
            }
            let forward = action == A::Next;
            match view.find(forward, false, page) {
                Found::Yes => {}
                Found::Wrapped => return Outcome::say(wrapped(forward), false),
                Found::No => return Outcome::say("no line matches the search", false),
            }
        }
        A::Mark => {
            view.mark = match view.mark {
                Some(_) => None,
                None => {
                    // Selecting holds the view still, so the lines do not move under the selection.
                    view.hold(page);
                    Some(view.cursor)
                }
            }
        }
        A::SaveLine => return save_line(view),
        A::Copy => {
            let seqs = view.selection();
            if seqs.is_empty() {
                return Outcome::say("nothing to copy", true);
            }
            let text = seqs
                .iter()
                .map(|&s| format::plain(view, s))
                .collect::<Vec<_>>()
                .join("\n");
            view.mark = None;
            return Outcome {
                effects: vec![Effect::Copy(text)],
                toast: Some((
                    format!("copied {} line(s) to the clipboard (OSC 52)", seqs.len()),
                    false,
                )),
            };
        }
    }
    Outcome::default()
}

/// The line under the cursor (the newest when following) to a new file named after its source and time.
fn save_line(view: &LogView) -> Outcome {
    let seq = if view.follow { view.last() } else { Some(view.cursor) };
    let Some(line) = seq.and_then(|s| view.ring.get(s)) else {
        return Outcome::say("no line to save", true);
    };
    let (pod, container) = match view.sources.get(line.source as usize) {
        Some(s) => (s.pod.clone(), s.container.clone()),
        None => return Outcome::say("the line's source is unknown: not saved", true),
    };
    let namespace = match &view.target {
        Target::Pod { namespace, .. } | Target::Workload { namespace, .. } => namespace.clone(),
    };
    let stamp = line
        .ts
        .map_or_else(|| "line".to_string(), |t| t.strftime("%Y%m%dT%H%M%S%.fZ").to_string());
    let path = format!("{pod}-{container}-{stamp}.log");
    let whole = match line.ts {
        Some(ts) if line.cut > 0 => Some(WholeLine {
            namespace,
            pod,
            container,
            ts,
            previous: view.params.previous,
            prefix: crate::cluster::logs::whole::prefix_of(&line.text),
        }),
        _ => None,
    };
    let toast = whole.as_ref().map(|_| {
        (
            format!(
                "reading the whole line again ({} bytes)…",
                format::thousands(line.text.len() as u64 + line.cut)
            ),
            false,
        )
    });
    Outcome {
        effects: vec![Effect::SaveLine {
            path,
            kept: line.text.clone(),
            whole,
        }],
        toast,
    }
}

fn restart(view: &mut LogView, params: Params) -> Outcome {
    let session = next_session();
    view.restart(params.clone(), session);
    Outcome {
        effects: vec![Effect::Logs {
            session,
            target: view.target.clone(),
            params,
        }],
        toast: None,
    }
}

fn prompt_key(view: &mut LogView, key: &KeyEvent, page: usize) -> Outcome {
    let Some((prompt, mut ta)) = view.prompt.take() else {
        return Outcome::default();
    };
    let text = ta.lines().join(" ");
    match key.code {
        KeyCode::Esc => {
            if prompt == Prompt::Search {
                view.search = None;
            }
            Outcome::default()
        }
        KeyCode::Enter => submit(view, prompt, &text, page),
        _ => {
            ta.input(*key);
            let text = ta.lines().join(" ");
            view.prompt = Some((prompt, ta));
            // Search highlights as you type; an unfinished pattern keeps the last good one.
            if prompt == Prompt::Search
                && let Ok(re) = compile(&text)
            {
                view.search = re;
            }
            Outcome::default()
        }
    }
}

fn submit(view: &mut LogView, prompt: Prompt, text: &str, page: usize) -> Outcome {
    match prompt {
        // Patterns are kept as typed: `/ 500 ` looks for " 500 ", not for "500" inside "15000".
        Prompt::Search => match compile(text) {
            Ok(re) => {
                view.search = re;
                if view.search.is_none() {
                    return Outcome::default();
                }
                // From the bottom the newest match is the interesting one; else search on downwards.
                let forward = !view.follow;
                match view.find(forward, true, page) {
                    Found::Yes => Outcome::default(),
                    Found::Wrapped => Outcome::say(wrapped(forward), false),
                    Found::No => Outcome::say(format!("no line matches /{text}/"), false),
                }
            }
            Err(e) => Outcome::say(format!("search {text:?}: {e}"), true),
        },
        Prompt::Include | Prompt::Exclude => match compile(text) {
            Ok(re) => {
                if prompt == Prompt::Include {
                    view.include = re;
                } else {
                    view.exclude = re;
                }
                view.refilter();
                Outcome::default()
            }
            Err(e) => {
                let what = prompt.label().trim_end_matches(": ");
                Outcome::say(format!("{what} {text:?}: {e}; the filter in force stays"), true)
            }
        },
        Prompt::Start => match parse_start(text) {
            Ok((tail, since_seconds)) => {
                let params = Params {
                    tail,
                    since_seconds,
                    ..view.params.clone()
                };
                restart(view, params)
            }
            Err(e) => Outcome::say(e, true),
        },
        Prompt::SaveShown | Prompt::SaveAll => {
            let text = text.trim();
            if text.is_empty() {
                return Outcome::say("no file name given: nothing saved", true);
            }
            let (text_out, n) = format::export(view, prompt == Prompt::SaveShown);
            Outcome {
                effects: vec![Effect::Save {
                    path: text.to_string(),
                    text: text_out,
                    lines: n,
                    overwrite: false,
                }],
                toast: None,
            }
        }
    }
}

/// What `n`/`N` say when the search went past the end and on from the other one.
fn wrapped(forward: bool) -> &'static str {
    if forward {
        "search hit the bottom, continued from the top"
    } else {
        "search hit the top, continued from the bottom"
    }
}

/// "500" → tail 500; "5m", "2h", "1d", "30s" → since; "all" → everything the server keeps.
pub fn parse_start(text: &str) -> Result<(Option<i64>, Option<i64>), String> {
    let t = text.trim();
    if t.is_empty() || t == "all" {
        return Ok((None, None));
    }
    if let Ok(n) = t.parse::<i64>() {
        return if n >= 0 {
            Ok((Some(n), None))
        } else {
            Err(format!("tail must be 0 or more, not {n}"))
        };
    }
    let (num, unit) = t.split_at(t.len() - 1);
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "{t:?}: give a line count (500), a duration (30s, 5m, 2h, 1d) or all"
            ));
        }
    };
    match num.parse::<i64>() {
        Ok(n) if n > 0 => Ok((None, Some(n * mult))),
        _ => Err(format!(
            "{t:?}: give a line count (500), a duration (30s, 5m, 2h, 1d) or all"
        )),
    }
}
