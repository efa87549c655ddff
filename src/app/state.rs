//! The state of the screen: view stack, modes, connection facts, toasts. Plain data.

use std::time::Instant;

use ratatui_textarea::TextArea;

use super::action::{Action, KeyScope};
use super::effect::Effect;
use super::keys::{Key, Keymap, Match};
use super::table::{Filter, Fixed, Sort, Table};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

/// What a view shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewKind {
    /// A list of objects of one kind.
    Resource(Kind),
    /// The kubeconfig contexts.
    Contexts,
    /// The containers of one pod.
    Containers {
        /// The pod's namespace.
        namespace: String,
        /// The pod's name.
        pod: String,
    },
    /// A describe or YAML view of one object, fetched fresh.
    Doc(Box<super::text::Doc>),
    /// The rollout history of a workload, with the diff of the selected revision.
    History(Box<super::dialog::HistoryView>),
    /// Logs of a pod, container, workload or service.
    Logs(Box<super::logs::LogView>),
    /// The control-plane screen (`:cp`); `scroll` is its first line on screen.
    ControlPlane {
        /// First line shown.
        scroll: u16,
    },
    /// A scrolled text screen that keeps nothing but its place (the message log): the screen
    /// file named `screen` draws it.
    Page {
        /// The name of the screen it belongs to.
        screen: &'static str,
        /// First line shown.
        scroll: u16,
    },
    /// Every resource the server serves (`:api-resources`).
    ApiResources,
    /// The health of one node (`h` on the nodes screen).
    NodeHealth {
        /// Node name.
        node: String,
        /// First line shown.
        scroll: u16,
    },
    /// The keys of a ConfigMap or Secret.
    Keys(Box<crate::kinds::data::Keys>),
    /// The YAML editor of one object (`e`).
    Editor(Box<super::edit::Editor>),
    /// The owner tree of an object or of a kind (`T`, `:xray`).
    Xray(Box<super::xray::view::Xray>),
    /// Every problem kubedeck can see (`:triage`).
    Triage(Box<super::triage_rows::TriageView>),
}

/// One entry of the view stack.
#[derive(Debug, Clone)]
pub struct View {
    /// What it shows.
    pub kind: ViewKind,
    /// Rows, visible subset and cursor (for Text views: `cursor` is the scroll line).
    pub table: Table,
    /// The filter line as typed.
    pub filter_text: String,
    /// The compiled filter.
    pub filter: Filter,
    /// How the filter line was read, when that is not what it looks like, or why it is invalid.
    pub filter_note: Option<String>,
    /// Drill-down constraints.
    pub fixed: Fixed,
    /// A scope this view is pinned to (drill-down), instead of the global namespace.
    pub pinned: Option<Scope>,
    /// Extra title words ("app=web", "node worker-1").
    pub subtitle: String,
    /// Sort order.
    pub sort: Sort,
    /// The watch status (None until the first rows arrive).
    pub status: Option<WatchStatus>,
    /// An object this view was opened to show (a row's owner): its uid and how to name it, until
    /// the synced rows say whether it is there.
    pub seeking: Option<(String, String)>,
}

impl View {
    /// A fresh view.
    pub fn new(kind: ViewKind) -> View {
        let sort = match kind {
            ViewKind::Resource(k) => Sort::default_for(k),
            _ => Sort::default(),
        };
        View {
            kind,
            table: Table::default(),
            filter_text: String::new(),
            filter: Filter::None,
            filter_note: None,
            fixed: Fixed::default(),
            pinned: None,
            subtitle: String::new(),
            sort,
            status: None,
            seeking: None,
        }
    }

    /// A pod's containers view whose pod is gone: its watch is live and holds no pod (a pod has at
    /// least one container, so no rows means no pod).
    pub fn pod_gone(&self) -> bool {
        matches!(self.kind, ViewKind::Containers { .. })
            && self.status == Some(crate::cluster::watch::WatchStatus::Ready)
            && self.table.rows.is_empty()
    }

    /// Filter by the text of the filter line; an invalid selector keeps the last good filter, and
    /// the note in the title says why.
    pub fn apply_filter(&mut self, text: String, page: usize) {
        match Filter::parse(&text) {
            Ok((filter, note)) => {
                let narrowing = Filter::narrows(&self.filter_text, &text) && self.filter_note.is_none();
                self.filter = filter;
                self.filter_note = note;
                if narrowing {
                    // Typing on narrows what is shown: no need to look at the hidden rows or sort again.
                    self.table.narrow(&self.filter);
                } else {
                    self.refresh();
                }
                self.table.scroll_into_view(page);
            }
            Err(e) => self.filter_note = Some(format!("{e} (the last valid filter stays)")),
        }
        self.filter_text = text;
    }

    /// Drop the filter line and show every row again.
    pub fn clear_filter(&mut self) {
        self.filter_text.clear();
        self.filter = Filter::None;
        self.filter_note = None;
        self.refresh();
    }

    /// Re-run filter and sort over the current rows.
    pub fn refresh(&mut self) {
        self.table.refresh(&self.filter, &self.fixed, self.sort);
    }
}

/// The state of the connection to the cluster.
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    /// Connecting (the client is being built, or the server has not answered yet).
    Connecting,
    /// Connected.
    Connected,
    /// The client could not be built or the server cannot be reached.
    Failed(String),
    /// The context's configuration cannot work (a kubeconfig or certificate problem): said once,
    /// not retried until the context is chosen again.
    Misconfigured(String),
    /// The server answered before but does not now: what is shown is as of `since`.
    Lost {
        /// The last answer.
        since: Instant,
        /// Why, in a few words.
        error: String,
    },
}

/// A short message at the bottom of the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    /// The message.
    pub text: String,
    /// Red rather than neutral.
    pub error: bool,
    /// When it was first seen by a tick (None until then).
    pub shown_at: Option<Instant>,
}

/// A message of the log (`:messages`): kept whole, with its time, after its toast has gone.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// When it was said (Unix seconds).
    pub at: i64,
    /// The message, whole.
    pub text: String,
    /// An error rather than a notice.
    pub error: bool,
}

/// Messages the log keeps; older ones are dropped.
pub const MESSAGES_KEPT: usize = 500;

/// What the keyboard currently types into.
#[derive(Debug, Clone, Default)]
pub enum Mode {
    /// Keys are actions.
    #[default]
    Normal,
    /// Keys go into the filter line.
    Filter(TextArea<'static>),
    /// Keys go into the command line.
    Command(TextArea<'static>),
}

/// The whole state of the screen.
#[derive(Debug, Clone)]
pub struct State {
    /// Views, the last one on screen; never empty.
    pub stack: Vec<View>,
    /// metrics-server did not answer the last time usage was asked for: the usage columns are `n/a`.
    pub metrics_na: bool,
    /// The usage samples of the node or pod on show (node health, a pod's describe), oldest
    /// first, for its chart; None elsewhere.
    pub trend: Option<Vec<crate::store::usage::Point>>,
    /// Usage percentages at or above these (warn, error) are coloured (config `usage`).
    pub usage_levels: [u32; 2],
    /// The namespace lists show; None: every namespace.
    pub namespace: Option<String>,
    /// The namespace of the context, where `0` toggles back to.
    pub home_namespace: String,
    /// Current context name.
    pub context: String,
    /// API server URL.
    pub url: String,
    /// Server version (gitVersion), once known.
    pub server_version: Option<String>,
    /// Connection state.
    pub connection: Connection,
    /// Read-only and protected: what the session may do to the cluster.
    pub safety: super::dialog::Safety,
    /// The debug container's and node shell's image and namespace (config `debug`).
    pub debug: super::pick::DebugSettings,
    /// Keyboard mode.
    pub mode: Mode,
    /// Help screen shown.
    pub help: bool,
    /// The first line of help on screen.
    pub help_scroll: u16,
    /// Messages, oldest first.
    pub toasts: Vec<Toast>,
    /// The message log, oldest first, at most [`MESSAGES_KEPT`].
    pub messages: std::collections::VecDeque<Message>,
    /// Messages ever logged (the event loop writes the ones past what it has written to the log file).
    pub messages_total: u64,
    /// Table rows that fit on screen (set from the terminal size) for paging.
    pub page_rows: usize,
    /// The active keymap.
    pub keymap: Keymap,
    /// The keys of a sequence typed so far (`g` of `g g`).
    pub pending_keys: Vec<Key>,
    /// Take the namespace from the context once connected (neither -n nor -A given).
    pub namespace_from_context: bool,
    /// Set when the program should end.
    pub quit: bool,
    /// Show the `-o wide` columns too.
    pub wide: bool,
    /// The header's cluster counts.
    pub counts: super::counts::Counts,
    /// The open dialog (keys go to it).
    pub dialog: Option<super::dialog::Dialog>,
    /// Whether the last namespace an empty list showed exists.
    pub ns_check: Option<NsCheck>,
    /// A yes/no question on the bottom line (keys go to it).
    pub question: Option<Question>,
    /// The live rollout-status or drain panel.
    pub panel: Option<super::dialog::Panel>,
    /// Lines a log view keeps (`--log-lines`).
    pub log_lines: usize,
    /// The last control-plane report.
    pub control_plane: Option<Box<crate::cluster::health::Report>>,
    /// A control-plane report has been asked for and not arrived.
    pub cp_pending: bool,
    /// Each leader lease's leaseTransitions when first seen: a rising count means flapping leaders.
    pub cp_first_transitions: Vec<(String, i32)>,
    /// The last node health data (of the node health view on the stack).
    pub node_health: Option<Box<crate::cluster::nodehealth::NodeHealth>>,
    /// Node health data has been asked for and not arrived.
    pub nh_pending: bool,
    /// Connected to the built-in demo cluster (None: a real one).
    pub demo: Option<Demo>,
    /// What discovery found for the context in use.
    pub discovery: Discovery,
    /// The `:` line's history and completion.
    pub cmdline: super::cmdline::CmdLine,
    /// The port-forwards running in the background (`:pf`).
    pub forwards: Vec<super::forwards::Forward>,
}

/// What the server's discovery says it serves, for the context in use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovery {
    /// The registry, once discovery has answered.
    pub registry: Option<model::Registry>,
    /// Why the last discovery failed as a whole (a registry from before stays).
    pub error: Option<String>,
    /// A discovery is under way.
    pub pending: bool,
    /// Discover again when the one under way answers: something changed since it started.
    pub again: bool,
    /// A `:` line whose word the registry did not know, run again when discovery answers.
    pub waiting: Option<String>,
    /// Whether CRD changes reach the registry by a watch.
    pub crds: CrdWatch,
    /// The registries of the contexts used before, shown at once when one is used again.
    pub others: Registries,
}

/// What is known of the CRD watch of the context in use.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum CrdWatch {
    /// Not started, or no answer yet.
    #[default]
    Unknown,
    /// Running: a CRD change re-reads discovery.
    Watching,
    /// Refused (or not served): discovery is re-read on the timer and on an unknown word instead.
    Refused(String),
}

/// The registries of contexts used before, by context: shown at once when one is used again.
pub type Registries = std::collections::HashMap<String, model::Registry>;

impl State {
    /// Start on the pod list of `namespace` (None: all namespaces), keys bound by `keymap`.
    pub fn new(namespace: Option<String>, readonly: bool, keymap: Keymap) -> State {
        State {
            stack: vec![View::new(ViewKind::Resource(Kind::Pod))],
            metrics_na: false,
            trend: None,
            usage_levels: [80, 100],
            home_namespace: namespace.clone().unwrap_or_else(|| "default".into()),
            namespace,
            context: String::new(),
            url: String::new(),
            server_version: None,
            connection: Connection::Connecting,
            debug: Default::default(),
            safety: super::dialog::Safety {
                readonly,
                protected: false,
            },
            mode: Mode::Normal,
            help: false,
            help_scroll: 0,
            toasts: Vec::new(),
            messages: Default::default(),
            messages_total: 0,
            page_rows: 20,
            keymap,
            pending_keys: Vec::new(),
            namespace_from_context: false,
            quit: false,
            wide: false,
            counts: Default::default(),
            dialog: None,
            question: None,
            ns_check: None,
            panel: None,
            log_lines: super::logs::ring::DEFAULT_CAPACITY,
            control_plane: None,
            cp_pending: false,
            cp_first_transitions: Vec::new(),
            node_health: None,
            nh_pending: false,
            demo: None,
            discovery: Discovery::default(),
            cmdline: Default::default(),
            forwards: Vec::new(),
        }
    }

    /// Looks `key` up after the keys typed so far (taking them), in `scope` (the screen's); a
    /// sequence that went nowhere is forgotten, since its last key may start something of its own.
    /// Of actions sharing the keys, the first that `applies` on the screen wins.
    pub fn lookup_typed(
        &mut self,
        scope: KeyScope,
        key: &crossterm::event::KeyEvent,
        applies: fn(&State, Action) -> bool,
    ) -> (Vec<Key>, Match) {
        let mut typed = std::mem::take(&mut self.pending_keys);
        typed.push(Key::from_event(key));
        let applies = |a: Action| applies(self, a);
        let mut found = self.keymap.lookup_where(scope, &typed, applies);
        if found == Match::None && typed.len() > 1 {
            typed = vec![Key::from_event(key)];
            found = self.keymap.lookup_where(scope, &typed, applies);
        }
        (typed, found)
    }

    /// Forgets what belongs to the cluster left behind, on a switch to another context: a dialog or
    /// panel about the old cluster must not act on the new one.
    pub fn leave_context(&mut self) {
        self.stack = vec![View::new(ViewKind::Resource(Kind::Pod))];
        self.dialog = None;
        self.panel = None;
        self.connection = Connection::Connecting;
        self.server_version = None;
        self.namespace_from_context = true;
        self.control_plane = None;
        self.cp_pending = false;
        self.cp_first_transitions.clear();
        self.discovery.leave(&self.context);
    }

    /// The view on screen.
    pub fn top(&self) -> &View {
        self.stack.last().expect("view stack is never empty")
    }

    /// The view on screen, mutably.
    pub fn top_mut(&mut self) -> &mut View {
        self.stack.last_mut().expect("view stack is never empty")
    }

    /// The namespace the top view lists (None: all).
    pub fn view_namespace(&self) -> Option<&str> {
        match &self.top().pinned {
            Some(Scope::All) => None,
            Some(Scope::Namespace(ns)) => Some(ns),
            None => self.namespace.as_deref(),
        }
    }

    /// The watch the top view needs, if it shows a resource list.
    pub fn wanted(&self) -> Option<(Kind, Scope)> {
        match &self.top().kind {
            &ViewKind::Resource(kind) => {
                let scope = match self.view_namespace() {
                    Some(ns) => Scope::Namespace(ns.to_string()),
                    None => Scope::All,
                };
                Some((kind, scope.for_kind(kind)))
            }
            // A pod's containers come from the pod watch of its namespace.
            ViewKind::Containers { namespace, .. } => Some((Kind::Pod, Scope::Namespace(namespace.clone()))),
            _ => None,
        }
    }

    /// Queue a message; the message log keeps it whole.
    pub fn toast(&mut self, text: impl Into<String>, error: bool) {
        let text = text.into();
        self.log_message(text.clone(), error);
        self.toasts.push(Toast {
            text,
            error,
            shown_at: None,
        });
    }

    /// Keep a message in the log (`:messages`) without a toast.
    pub fn log_message(&mut self, text: String, error: bool) {
        if self.messages.len() >= MESSAGES_KEPT {
            self.messages.pop_front();
        }
        let at = jiff::Timestamp::now().as_second();
        self.messages.push_back(Message { at, text, error });
        self.messages_total += 1;
    }
}

/// Why the screen shows the demo cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    /// Where a kubeconfig was looked for, each with what was there (empty: `--demo` asked for it).
    pub looked_at: Vec<String>,
    /// The first-screen notice is up until a key dismisses it.
    pub notice: bool,
}

impl Demo {
    /// The demo started as a fallback after looking at `looked_at`: the notice says so.
    pub fn fallback(looked_at: Vec<String>) -> Demo {
        Demo {
            looked_at,
            notice: true,
        }
    }

    /// The demo asked for with `--demo`: marked, nothing to explain.
    pub fn asked() -> Demo {
        Demo {
            looked_at: Vec::new(),
            notice: false,
        }
    }
}

/// What is known about the last namespace checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NsCheck {
    /// The namespace.
    pub name: String,
    /// Whether it exists; None while asked, or when the answer could not be had (not permitted).
    pub exists: Option<bool>,
}

/// A question waiting for `y` or `n`.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// What is asked, ending in "(y/n)".
    pub text: String,
    /// What `y` does.
    pub yes: Effect,
    /// What is said when the answer is no.
    pub no: String,
}
