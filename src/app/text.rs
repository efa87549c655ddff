//! The describe and YAML views: the fetched document, scroll position, search and toggles. Plain data.

use base64::Engine;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;

use super::action::Action;
use crate::cluster::Kind;

pub use crate::kinds::data::MASK;
use crate::kinds::data::{Hidden, all_lines, lines, masked_lines};

/// The object a document shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Its kind.
    pub kind: Kind,
    /// Its namespace ("" when cluster-scoped).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Describe text rather than YAML.
    pub describe: bool,
}

impl Target {
    /// "describe pods shop/web-1", "yaml nodes worker-1".
    pub fn title(&self) -> String {
        let what = if self.describe { "describe" } else { "yaml" };
        if self.namespace.is_empty() {
            format!("{what} {} {}", self.kind.plural(), self.name)
        } else {
            format!("{what} {} {}/{}", self.kind.plural(), self.namespace, self.name)
        }
    }
}

/// The fetched content.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// The GET is under way.
    Loading,
    /// The GET failed; the server's message.
    Failed(String),
    /// Describe text lines.
    Describe(Vec<String>),
    /// The whole object.
    Yaml(Value),
    /// What a command printed (`:exec`): its lines as they came.
    Output(Vec<String>),
    /// Values of a ConfigMap or Secret, not fetched again: one key's (`key`), or every key's.
    Value {
        /// The key shown alone (its value is the only one); None: every key, each with its name.
        key: Option<String>,
        /// Keys and values.
        values: Vec<(String, Hidden)>,
        /// A Secret's: masked until `x`.
        secret: bool,
    },
}

/// One search match: line index and byte range within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// Line index.
    pub line: usize,
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset past the end.
    pub end: usize,
}

/// A describe or YAML view.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// What it shows.
    pub target: Target,
    /// The content.
    pub body: Body,
    /// The lines shown (rebuilt when the body or a toggle changes).
    pub lines: Vec<String>,
    /// First line shown.
    pub scroll: usize,
    /// Characters cut from the left of every line.
    pub hscroll: usize,
    /// The search being typed after `/`, if any.
    pub typing: Option<String>,
    /// The committed search (case-insensitive).
    pub search: String,
    /// Matches of `search` in `lines`.
    pub matches: Vec<Match>,
    /// Index into `matches` of the current one.
    pub current: usize,
    /// Show `metadata.managedFields` (hidden by default, as kubectl does since 1.21).
    pub show_managed: bool,
    /// Show secret values decoded instead of masked.
    pub reveal: bool,
    /// What the last search jump has to tell (it wrapped round, nothing matches), for a toast.
    pub notice: Option<String>,
    /// The title, when it is not the target's (a key's value, decoded values).
    pub title: Option<String>,
}

impl Doc {
    /// A document whose content is on its way.
    pub fn loading(target: Target) -> Doc {
        Doc {
            target,
            body: Body::Loading,
            lines: Vec::new(),
            scroll: 0,
            hscroll: 0,
            typing: None,
            search: String::new(),
            matches: Vec::new(),
            current: 0,
            show_managed: false,
            reveal: false,
            notice: None,
            title: None,
        }
    }

    /// The title: "describe pods shop/web-1", "secret shop/db: password".
    pub fn title(&self) -> String {
        self.title.clone().unwrap_or_else(|| self.target.title())
    }

    /// Replace the content and rebuild the lines.
    pub fn set_body(&mut self, body: Body) {
        self.body = body;
        self.rebuild();
    }

    /// Whether the object is a Secret (values masked, `x` reveals).
    pub fn is_secret(&self) -> bool {
        matches!(&self.body, Body::Yaml(v) if v["kind"] == "Secret")
            || matches!(self.body, Body::Value { secret: true, .. })
    }

    /// Recompute `lines` and the matches from the body and toggles.
    pub fn rebuild(&mut self) {
        self.lines = match &self.body {
            Body::Loading | Body::Failed(_) => Vec::new(),
            Body::Describe(lines) | Body::Output(lines) => lines.clone(),
            Body::Yaml(v) => yaml_lines(v, self.show_managed, self.reveal),
            Body::Value { key, values, secret } => {
                let masked = *secret && !self.reveal;
                match (key, values.as_slice()) {
                    (Some(_), [(_, v)]) if masked => masked_lines(v),
                    (Some(_), [(_, v)]) => lines(v),
                    _ => all_lines(values, masked),
                }
            }
        };
        self.find();
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(1));
    }

    fn find(&mut self) {
        self.matches.clear();
        self.current = 0;
        if self.search.is_empty() {
            return;
        }
        let needle = self.search.to_lowercase();
        for (i, line) in self.lines.iter().enumerate() {
            let hay = line.to_lowercase();
            // Lower-casing can change byte lengths; only ASCII-safe offsets are kept.
            if hay.len() != line.len() {
                continue;
            }
            let mut from = 0;
            while let Some(pos) = hay[from..].find(&needle) {
                let start = from + pos;
                self.matches.push(Match {
                    line: i,
                    start,
                    end: start + needle.len(),
                });
                from = start + needle.len().max(1);
            }
        }
    }

    fn jump(&mut self, page: usize, forward: bool, from_scroll: bool) {
        if self.matches.is_empty() {
            if !self.search.is_empty() {
                self.notice = Some(format!("no line matches {:?}", self.search));
            }
            return;
        }
        let n = self.matches.len();
        let (current, wrapped) = if from_scroll {
            match self.matches.iter().position(|m| m.line >= self.scroll) {
                Some(i) => (i, false),
                None => (0, true),
            }
        } else if forward {
            ((self.current + 1) % n, self.current + 1 == n)
        } else {
            ((self.current + n - 1) % n, self.current == 0)
        };
        self.current = current;
        // Search goes round at either end, as less and vim do, and says so.
        if wrapped {
            self.notice = Some(
                if forward {
                    "search hit the bottom, continued from the top"
                } else {
                    "search hit the top, continued from the bottom"
                }
                .into(),
            );
        }
        let line = self.matches[self.current].line;
        if line < self.scroll || line >= self.scroll + page {
            self.scroll = line.saturating_sub(page / 3);
        }
    }

    fn scroll_to(&mut self, to: isize, page: usize) {
        let max = self.lines.len().saturating_sub(page) as isize;
        self.scroll = to.clamp(0, max.max(0)) as usize;
    }

    /// Handle a key while a search is being typed; false when no search is being typed.
    pub fn on_typing_key(&mut self, key: &KeyEvent, page: usize) -> bool {
        let Some(typing) = &mut self.typing else { return false };
        match key.code {
            KeyCode::Esc => self.typing = None,
            KeyCode::Enter => {
                self.search = self.typing.take().unwrap_or_default();
                self.find();
                self.jump(page.max(1), true, true);
            }
            KeyCode::Backspace => {
                typing.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => typing.push(c),
            _ => {}
        }
        true
    }

    /// Perform a keymap action on the document; false when it is not the document's (back, quit …).
    pub fn act(&mut self, action: Action, page: usize) -> bool {
        let page = page.max(1);
        let s = self.scroll as isize;
        let p = page as isize;
        match action {
            Action::Down => self.scroll_to(s + 1, page),
            Action::Up => self.scroll_to(s - 1, page),
            Action::PageDown => self.scroll_to(s + p, page),
            Action::PageUp => self.scroll_to(s - p, page),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll_to(isize::MAX / 2, page),
            Action::ScrollRight => self.hscroll += 8,
            Action::ScrollLeft => self.hscroll = self.hscroll.saturating_sub(8),
            Action::Search => self.typing = Some(String::new()),
            Action::NextMatch => self.jump(page, true, false),
            Action::PrevMatch => self.jump(page, false, false),
            Action::ToggleManaged if matches!(self.body, Body::Yaml(_)) => {
                self.show_managed = !self.show_managed;
                self.rebuild();
            }
            Action::ToggleReveal if self.is_secret() => {
                self.reveal = !self.reveal;
                self.rebuild();
            }
            // Back clears a search before it leaves the view.
            Action::Back if !self.search.is_empty() => {
                self.search.clear();
                self.find();
            }
            _ => return false,
        }
        true
    }
}

/// The YAML lines of an object: managedFields dropped unless asked for, secret values masked
/// unless revealed (revealed `data` values are shown base64-decoded).
pub fn yaml_lines(obj: &Value, show_managed: bool, reveal: bool) -> Vec<String> {
    let mut v = obj.clone();
    let mut notes = Vec::new();
    if let Some(md) = v.get_mut("metadata").and_then(Value::as_object_mut)
        && !show_managed
        && md.remove("managedFields").is_some()
    {
        notes.push("# managedFields hidden (m shows them)".to_string());
    }
    if v["kind"] == "Secret" {
        for field in ["data", "stringData"] {
            let Some(map) = v.get_mut(field).and_then(Value::as_object_mut) else {
                continue;
            };
            for val in map.values_mut() {
                let text = val.as_str().unwrap_or_default();
                *val = Value::String(match (reveal, field) {
                    (false, _) => MASK.to_string(),
                    (true, "data") => decode(text),
                    (true, _) => text.to_string(),
                });
            }
        }
        // kubectl apply keeps the whole object, values included, in this annotation.
        let last = "kubectl.kubernetes.io/last-applied-configuration";
        if !reveal && let Some(a) = v.pointer_mut(&format!("/metadata/annotations/{}", last.replace('/', "~1"))) {
            *a = Value::String(MASK.to_string());
        }
        notes.push(if reveal {
            "# secret values shown decoded (x masks them)".to_string()
        } else {
            "# secret values masked (x reveals them)".to_string()
        });
    }
    let yaml = serde_yaml::to_string(&v).unwrap_or_else(|e| format!("# cannot render YAML: {e}"));
    notes.into_iter().chain(yaml.lines().map(str::to_string)).collect()
}

fn decode(b64: &str) -> String {
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => b64.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::{State, ViewKind};
    use crate::app::table::Row;
    use crate::app::update::{key, update};
    use crate::app::{Effect, Input};
    use crate::cluster::Scope;
    use crate::cluster::watch::WatchStatus;

    fn with_pod() -> State {
        let mut s = State::new(Some("shop".into()), false, crate::config::keymap::default_keymap());
        let row = Row {
            key: "shop/web".into(),
            name: "web".into(),
            namespace: "shop".into(),
            ..Default::default()
        };
        update(
            &mut s,
            Input::Rows {
                watch: (Kind::Pod, Scope::Namespace("shop".into())),
                rows: Some(vec![std::sync::Arc::new(row)]),
                status: WatchStatus::Ready,
            },
        );
        s
    }

    #[test]
    fn d_opens_a_loading_view_then_y_switches_and_a_stale_result_is_ignored() {
        let mut s = with_pod();
        let effects = update(&mut s, key(KeyCode::Char('d')));
        let describe = Target {
            kind: Kind::Pod,
            namespace: "shop".into(),
            name: "web".into(),
            describe: true,
        };
        assert_eq!(
            effects,
            vec![Effect::Fetch {
                kind: Kind::Pod,
                namespace: "shop".into(),
                name: "web".into(),
                describe: true
            }]
        );
        let ViewKind::Doc(doc) = &s.top().kind else {
            panic!("doc view")
        };
        assert_eq!(doc.body, Body::Loading);
        // `y` in the describe view switches it to YAML; the late describe result must not land in it.
        let effects = update(&mut s, key(KeyCode::Char('y')));
        assert!(matches!(effects[..], [Effect::Fetch { describe: false, .. }]));
        assert_eq!(s.stack.len(), 2);
        let result = Ok(crate::cluster::describe::fetch::Fetched {
            object: serde_json::json!({}),
            describe: Some(vec!["Name: web".into()]),
        });
        update(
            &mut s,
            Input::Fetched {
                target: describe,
                result,
            },
        );
        let ViewKind::Doc(doc) = &s.top().kind else {
            panic!("doc view")
        };
        assert_eq!(doc.body, Body::Loading);
        let yaml = Target {
            describe: false,
            ..doc.target.clone()
        };
        update(
            &mut s,
            Input::Fetched {
                target: yaml,
                result: Err("Error from server (Forbidden): pods \"web\" is forbidden".into()),
            },
        );
        let ViewKind::Doc(doc) = &s.top().kind else {
            panic!("doc view")
        };
        assert!(matches!(&doc.body, Body::Failed(e) if e.contains("Forbidden")));
        // Esc leaves the document.
        update(&mut s, key(KeyCode::Esc));
        assert_eq!(s.stack.len(), 1);
    }

    #[test]
    fn search_goes_round_at_either_end_and_says_so() {
        let mut s = with_pod();
        update(&mut s, key(KeyCode::Char('d')));
        let target = match &s.top().kind {
            ViewKind::Doc(d) => d.target.clone(),
            _ => panic!("doc view"),
        };
        let lines = ["x err", "y", "z err"].map(String::from).to_vec();
        let result = Ok(crate::cluster::describe::fetch::Fetched {
            object: serde_json::json!({}),
            describe: Some(lines),
        });
        update(&mut s, Input::Fetched { target, result });
        let current = |s: &State| match &s.top().kind {
            ViewKind::Doc(d) => d.current,
            _ => panic!("doc view"),
        };
        let said = |s: &State| s.toasts.last().map(|t| t.text.clone());
        for c in "/err".chars() {
            update(&mut s, key(KeyCode::Char(c)));
        }
        update(&mut s, key(KeyCode::Enter));
        assert_eq!((current(&s), said(&s)), (0, None));
        update(&mut s, key(KeyCode::Char('n')));
        assert_eq!((current(&s), said(&s)), (1, None));
        update(&mut s, key(KeyCode::Char('n')));
        assert_eq!(current(&s), 0);
        assert_eq!(said(&s).unwrap(), "search hit the bottom, continued from the top");
        update(&mut s, key(KeyCode::Char('N')));
        assert_eq!(current(&s), 1);
        assert_eq!(said(&s).unwrap(), "search hit the top, continued from the bottom");
        for c in "/zzz".chars() {
            update(&mut s, key(KeyCode::Char(c)));
        }
        update(&mut s, key(KeyCode::Enter));
        assert_eq!(said(&s).unwrap(), "no line matches \"zzz\"");
    }
}
