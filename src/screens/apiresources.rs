//! Every resource the server serves (`:api-resources`, `:aliases`), as `kubectl api-resources`
//! lists them, from the registry discovery filled; `enter` opens the kind's table.
//! Also where a `:` word that is no command of kubedeck's is looked up in the registry.

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::lists;
use super::screen::{PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::state::{State, View, ViewKind};
use crate::app::table::Row;
use crate::cluster::Kind;
use crate::cluster::watch::WatchStatus;
use crate::config::theme::Theme;
use crate::ui::table::{self, Columns};
use crate::ui::views::health::wrap;
use model::Resource;

/// The resource list.
pub static SCREEN: Screen = Screen {
    name: "api-resources",
    shows: |k| *k == ViewKind::ApiResources,
    scope: KeyScope::Table,
    commands: &["api-resources", "aliases"],
    open,
    act,
    on_input,
    applies,
    label: |_, action| (action == Action::Refresh).then(|| "discover again".into()),
    header,
    render,
    #[cfg(test)]
    samples,
    ..PLAIN
};

/// Put the list on top of the stack (`esc` goes back to where the user was).
fn open(state: &mut State) -> Vec<Effect> {
    if !(SCREEN.shows)(&state.top().kind) {
        state.stack.push(View::new(ViewKind::ApiResources));
    }
    fill(state);
    vec![]
}

/// Rows from the registry into every view of this screen: the group in the namespace column, so
/// the default sort (namespace, then name) is kubectl's (group, then name) and `/` finds groups.
fn fill(state: &mut State) {
    let Some(registry) = &state.discovery.registry else { return };
    let rows: Vec<Arc<Row>> = registry
        .resources
        .iter()
        .map(|r| {
            Arc::new(Row {
                key: r.qualified(),
                namespace: r.group.clone().into(),
                name: r.plural.clone().into(),
                cells: vec![
                    r.short_names.join(","),
                    r.api_version(),
                    r.namespaced.to_string(),
                    r.kind.clone(),
                ]
                .into_iter()
                .map(Into::into)
                .collect(),
                ..Default::default()
            })
        })
        .collect();
    let page = state.page_rows;
    for view in state.stack.iter_mut().filter(|v| v.kind == ViewKind::ApiResources) {
        view.table.replace_rows(rows.clone());
        view.status = Some(WatchStatus::Ready);
        view.refresh();
        view.table.scroll_into_view(page);
    }
}

fn applies(state: &State, action: Action) -> bool {
    match action {
        Action::Enter => state.top().table.current().is_some(),
        Action::Filter => true,
        Action::Refresh => !state.discovery.pending,
        other => lists::moving(other),
    }
}

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match action {
        Action::Enter => {
            let key = state.top().table.current()?.key.clone();
            let registry = state.discovery.registry.as_ref()?;
            let resource = registry.resources.iter().find(|r| r.qualified() == key)?.clone();
            Some(open_resource(state, &resource, None))
        }
        Action::Refresh => {
            state.discovery.pending = true;
            Some(vec![Effect::Discover(state.context.clone())])
        }
        other => lists::act(state, other),
    }
}

/// Open `resource` as `:` opens it (`arg`: a namespace or `all`): with kubedeck's own printer where
/// it has one, else with the server's Table columns; one the server does not let list and watch
/// is refused with the reason, never a table that stays loading.
fn open_resource(state: &mut State, resource: &Resource, arg: Option<&str>) -> Vec<Effect> {
    if let Some(why) = model::table::unlisted(resource) {
        state.toast(why, true);
        return vec![];
    }
    crate::app::nav::open_kind(state, Kind::from_resource(resource), arg)
}

/// A `:` word that is none of kubedeck's commands: the resource the registry says it names, or
/// (after discovery was read again) `unknown command`.
pub fn command(state: &mut State, word: &str, arg: Option<&str>) -> Vec<Effect> {
    let found = state.discovery.registry.as_ref().and_then(|r| r.find(word)).cloned();
    match found {
        Some(resource) => open_resource(state, &resource, arg),
        None => {
            let line = arg.map_or_else(|| word.to_string(), |a| format!("{word} {a}"));
            crate::app::discovery::unknown(state, line)
        }
    }
}

/// Discovery's answer: into the registry, and into this screen's rows.
fn on_input(state: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    let Input::Discovered { context, result } = input else {
        return Err(input);
    };
    let (mut effects, waiting) = crate::app::discovery::discovered(state, context, result);
    fill(state);
    // The `:` line that waited for this answer: its word is in the registry now, or unknown.
    if let Some(line) = waiting {
        let mut words = line.split_whitespace();
        let word = words.next().unwrap_or_default();
        match state.discovery.registry.as_ref().and_then(|r| r.find(word)).cloned() {
            Some(resource) => effects.extend(open_resource(state, &resource, words.next())),
            None => crate::app::discovery::still_unknown(state, word),
        }
    }
    Ok(effects)
}

fn header(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let d = &state.discovery;
    let mut out = vec![Span::styled("api-resources", theme.title)];
    if let Some(r) = &d.registry {
        out.push(Span::raw(format!(" [{}]", r.resources.len())));
    }
    if d.pending {
        out.push(Span::styled("  discovering…", theme.dim));
    } else if let Some(e) = &d.error {
        out.push(Span::styled(format!("  {e}"), theme.error));
    } else {
        out.push(Span::styled("  enter opens a kind kubedeck has a table for", theme.dim));
    }
    out
}

fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, _now: i64) {
    // kubectl's warning for each failed group, wrapped so that none is cut.
    let failed = state.discovery.registry.iter().flat_map(|r| &r.failed);
    let width = usize::from(area.width.saturating_sub(1)).max(10);
    let notes: Vec<Line> = failed
        .flat_map(|f| wrap(&format!("couldn't get resource list for {}: {}", f.group_version, f.error), width))
        .map(|l| Line::from(Span::styled(format!(" {l}"), theme.warn)))
        .collect();
    let [note, area] = Layout::vertical([Constraint::Length(notes.len() as u16), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(notes), note);
    let cells = |r: &Row| {
        let mut out = vec![r.name.to_string()];
        out.extend(r.cells.iter().map(ToString::to_string));
        out
    };
    let cols = Columns {
        titles: ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"].map(String::from).to_vec(),
        free: vec![false; 5],
        cells: &cells,
        tint: None,
    };
    let block = crate::ui::views::frame_block(" api-resources ".into(), theme);
    table::render(frame, area, block, &state.top().table, &cols, theme);
}

/// A registry like the demo's, small: core kinds, apps, a custom resource, a failed group.
#[cfg(test)]
pub fn sample_registry() -> model::Registry {
    let res = |group: &str, kind: &str, plural: &str, short: &[&str], namespaced: bool| Resource {
        group: group.into(),
        version: "v1".into(),
        kind: kind.into(),
        plural: plural.into(),
        singular: kind.to_ascii_lowercase(),
        short_names: short.iter().map(|s| s.to_string()).collect(),
        namespaced,
        verbs: vec!["get".into(), "list".into(), "watch".into()],
        ..Default::default()
    };
    model::Registry {
        resources: vec![
            res("", "Pod", "pods", &["po"], true),
            res("", "Node", "nodes", &["no"], false),
            res("", "Secret", "secrets", &[], true),
            res("apps", "Deployment", "deployments", &["deploy"], true),
            res("cert-manager.io", "Certificate", "certificates", &["cert", "certs"], true),
        ],
        failed: vec![model::registry::Failed {
            group_version: "metrics.k8s.io/v1beta1".into(),
            error: "the server is currently unable to handle the request".into(),
        }],
    }
}

/// A connected state whose discovery answered with [`sample_registry`].
#[cfg(test)]
pub fn discovered() -> State {
    let mut s = crate::test_util::connected("demo", "shop", false);
    let result = Ok(sample_registry());
    crate::app::update(&mut s, Input::Discovered { context: "demo".into(), result });
    s
}

#[cfg(test)]
fn samples() -> Vec<State> {
    let mut s = discovered();
    crate::app::update::run_command(&mut s, "api-resources");
    lists::act(&mut s, Action::Down);
    vec![s]
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::*;
    use crate::app::update::{key, run_command};
    use crate::app::{Effect, update};
    use crate::test_util::{draw, text, type_keys};
    use crate::cluster::Scope;

    /// The screen's lines, borders and trailing blanks gone.
    fn screen(s: &State) -> Vec<String> {
        let borders = |l: &str| l.replace('│', " ").trim_end().to_string();
        text(&draw(s, 100, 16, 0)).lines().map(borders).collect()
    }

    #[test]
    fn it_lists_every_kind_as_kubectl_api_resources_does_with_the_failed_group_noted() {
        let mut s = discovered();
        run_command(&mut s, "api-resources");
        let lines = screen(&s);
        let at = |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} not in\n{}", lines.join("\n")));
        let note = at("couldn't get resource list for metrics.k8s.io/v1beta1");
        assert!(lines[note..note + 2].join(" ").contains("unable to handle  the request"), "{}", lines.join("\n"));
        let head = &lines[at("SHORTNAMES")];
        let words: Vec<&str> = head.split_whitespace().filter(|w| w.chars().all(|c| c.is_ascii_uppercase())).collect();
        assert_eq!(words, ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]);
        // kubectl's order: the core group first, by name, then the groups by name.
        let row = |name: &str| lines.iter().position(|l| l.split_whitespace().next() == Some(name)).expect(name);
        let order: Vec<usize> = ["nodes", "pods", "secrets", "deployments", "certificates"].map(row).to_vec();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{}", lines.join("\n"));
        let cert: Vec<&str> = lines[row("certificates")].split_whitespace().collect();
        assert_eq!(cert, ["certificates", "cert,certs", "cert-manager.io/v1", "true", "Certificate"]);
        let nodes: Vec<&str> = lines[row("nodes")].split_whitespace().collect();
        assert_eq!(nodes, ["nodes", "no", "v1", "false", "Node"]);
        assert!(lines[1].contains("api-resources [5]"), "{}", lines[1]);
    }

    #[test]
    fn enter_opens_any_kind_and_refuses_one_the_server_does_not_let_list() {
        let mut s = discovered();
        run_command(&mut s, ":aliases".trim_start_matches(':'));
        type_keys(&mut s, "/deploy");
        update(&mut s, key(KeyCode::Enter));
        assert_eq!(s.top().table.visible.len(), 1);
        let effects = update(&mut s, key(KeyCode::Enter));
        assert_eq!(s.top().kind, ViewKind::Resource(Kind::Deployment));
        assert_eq!(s.stack.len(), 1, "as :deploy does, a new stack");
        assert!(effects.iter().any(|e| matches!(e, Effect::Watch(Kind::Deployment, _))), "{effects:?}");

        // A custom resource: its own kind, watched through the server's Tables.
        run_command(&mut s, "aliases");
        type_keys(&mut s, "/cert");
        update(&mut s, key(KeyCode::Enter));
        let effects = update(&mut s, key(KeyCode::Enter));
        let ViewKind::Resource(cert) = s.top().kind.clone() else { panic!("{:?}", s.top().kind) };
        assert_eq!((cert.name(), cert.group(), cert.typed()), ("Certificate", "cert-manager.io", false));
        assert!(effects.iter().any(|e| matches!(e, Effect::Watch(k, _) if *k == cert)), "{effects:?}");

        // Discovery says TokenReviews can only be created: refused, saying so, and nothing watched.
        let mut registry = sample_registry();
        registry.resources.push(Resource {
            group: "authentication.k8s.io".into(),
            version: "v1".into(),
            kind: "TokenReview".into(),
            plural: "tokenreviews".into(),
            verbs: vec!["create".into()],
            ..Default::default()
        });
        update(&mut s, Input::Discovered { context: "demo".into(), result: Ok(registry) });
        run_command(&mut s, "aliases");
        type_keys(&mut s, "/tokenreview");
        update(&mut s, key(KeyCode::Enter));
        let effects = update(&mut s, key(KeyCode::Enter));
        assert!(effects.is_empty() && s.top().kind == ViewKind::ApiResources, "{effects:?}");
        let toast = &s.toasts.last().expect("a message").text;
        assert_eq!(
            toast,
            "TokenReview (tokenreviews.authentication.k8s.io) cannot be listed: the server does not allow list or watch on it (only create)"
        );
    }

    #[test]
    fn a_colon_word_the_registry_knows_opens_its_table() {
        let mut s = crate::test_util::connected("demo", "shop", false);
        run_command(&mut s, "secret");
        assert!(s.toasts.last().unwrap().text.contains("still loading"), "{:?}", s.toasts);
        let mut s = discovered();
        run_command(&mut s, "sec");
        let ViewKind::Resource(secrets) = s.top().kind.clone() else { panic!("{:?}", s.top().kind) };
        assert_eq!((secrets.plural(), secrets.namespaced()), ("secrets", true));
        run_command(&mut s, "certs all");
        assert_eq!(s.wanted().map(|(k, scope)| (k.plural(), scope)), Some(("certificates", Scope::All)));
        run_command(&mut s, "Pod");
        assert_eq!(s.top().kind, ViewKind::Resource(Kind::Pod));
        run_command(&mut s, "deployments.apps all");
        assert_eq!((s.top().kind.clone(), s.namespace.clone()), (ViewKind::Resource(Kind::Deployment), None));
        assert_eq!(run_command(&mut s, "bogus"), [Effect::Discover("demo".into())]);
        assert!(s.toasts.last().unwrap().text.contains("reading the server's resource list again"));
        // With no registry at all (discovery failed as a whole), an unknown word asks again.
        let mut s = crate::test_util::connected("demo", "shop", false);
        update(&mut s, Input::Discovered { context: "demo".into(), result: Err("discovery failed: refused".into()) });
        assert_eq!(run_command(&mut s, "cert"), [Effect::Discover("demo".into())]);
        assert!(s.discovery.pending && s.toasts.last().unwrap().text.contains("again"));
    }

    #[test]
    fn discovery_starts_after_the_first_watch_and_belongs_to_its_context() {
        let mut s = State::new(Some("shop".into()), false, crate::config::keymap::default_keymap());
        let input = Input::Connected { context: "demo".into(), namespace: "shop".into(), url: "https://x".into() };
        let effects = update(&mut s, input);
        assert!(matches!(effects.first(), Some(Effect::Watch(..))), "{effects:?}");
        assert_eq!(effects[1..], [Effect::Discover("demo".into()), Effect::WatchCrds("demo".into())]);
        assert!(s.discovery.pending);
        // An answer about another context is dropped; a context switch forgets this one's.
        update(&mut s, Input::Discovered { context: "other".into(), result: Ok(sample_registry()) });
        assert!(s.discovery.registry.is_none() && s.discovery.pending);
        update(&mut s, Input::Discovered { context: "demo".into(), result: Ok(sample_registry()) });
        assert!(s.discovery.registry.is_some() && !s.discovery.pending);
        assert!(s.messages.iter().any(|m| m.text.contains("metrics.k8s.io/v1beta1")));
        s.leave_context();
        assert!(s.discovery.registry.is_none() && !s.discovery.pending);
        assert!(s.discovery.others.contains_key("demo"), "kept for when it is used again");
        // ctrl-r on the list discovers again.
        let mut s = discovered();
        run_command(&mut s, "api-resources");
        assert_eq!(act(&mut s, Action::Refresh), Some(vec![Effect::Discover("demo".into())]));
    }
}
