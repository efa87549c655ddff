//! The registry kept current: an unknown `:` word re-reads discovery before it is unknown, CRD
//! changes re-read it (once, even mid-discovery), a refused CRD watch turns the timer on, each
//! context keeps its registry, and a kind no longer served closes its screens.

use std::sync::Arc;

use super::*;
use crate::app::table::Row;
use crate::app::update::{run_command, update};
use crate::app::{Input, text};
use crate::cluster::Scope;
use crate::cluster::watch::WatchStatus;
use crate::screens::apiresources::{discovered as demo, sample_registry};
use model::Resource;

fn widgets() -> Resource {
    Resource {
        group: "shop.example.com".into(),
        version: "v1".into(),
        kind: "Widget".into(),
        plural: "widgets".into(),
        singular: "widget".into(),
        short_names: vec!["wdg".into()],
        namespaced: true,
        verbs: vec!["get".into(), "list".into(), "watch".into()],
        ..Default::default()
    }
}

fn with_widgets() -> model::Registry {
    let mut r = sample_registry();
    r.resources.push(widgets());
    r
}

fn answer(s: &mut State, context: &str, registry: model::Registry) -> Vec<Effect> {
    let result = Ok(registry);
    update(
        s,
        Input::Discovered {
            context: context.into(),
            result,
        },
    )
}

fn said(s: &State) -> Vec<String> {
    s.toasts.iter().map(|t| t.text.clone()).collect()
}

#[test]
fn an_unknown_word_reads_discovery_again_and_is_unknown_only_after() {
    let mut s = demo();
    assert_eq!(run_command(&mut s, "wdg shop"), [Effect::Discover("demo".into())]);
    assert!(s.discovery.pending);
    let t = s.toasts.last().unwrap();
    assert!(
        !t.error && t.text.contains("reading the server's resource list again"),
        "{t:?}"
    );
    // The CRD was created meanwhile: the line runs again and resolves (never "unknown").
    let effects = answer(&mut s, "demo", with_widgets());
    assert!(s.discovery.waiting.is_none());
    assert!(
        !said(&s).iter().any(|t| t.contains("unknown command")),
        "{:?}",
        said(&s)
    );
    let opened = matches!(s.top().kind, ViewKind::Resource(k) if k.plural() == "widgets");
    let refused = said(&s).iter().any(|t| t.contains("Widget (widgets.shop.example.com"));
    assert!(opened || refused, "{:?} {effects:?}", said(&s));

    // A word that is nowhere: unknown once discovery has answered, in kubectl's words.
    assert_eq!(run_command(&mut s, "bogus"), [Effect::Discover("demo".into())]);
    assert!(answer(&mut s, "demo", with_widgets()).is_empty());
    assert_eq!(
        s.toasts.last().unwrap().text,
        "unknown command \"bogus\": the server doesn't have a resource type \"bogus\""
    );
    // Discovery failing says so rather than that the server has no such type.
    run_command(&mut s, "bogus");
    update(
        &mut s,
        Input::Discovered {
            context: "demo".into(),
            result: Err("discovery failed: refused".into()),
        },
    );
    let t = &s.toasts.last().unwrap().text;
    assert_eq!(
        t,
        "unknown command \"bogus\" (the server's resource list could not be read: discovery failed: refused)"
    );
    // Before the first answer, the word waits for it rather than asking twice.
    let mut s = crate::test_util::connected("demo", "shop", false);
    assert!(run_command(&mut s, "wdg").is_empty());
    assert!(said(&s).last().unwrap().contains("still loading"));
    answer(&mut s, "demo", sample_registry());
    assert!(
        said(&s).last().unwrap().starts_with("unknown command \"wdg\""),
        "{:?}",
        said(&s)
    );
}

#[test]
fn crd_changes_read_discovery_again_once_even_while_one_is_under_way() {
    let mut s = demo();
    let changed = |s: &mut State, context: &str| {
        update(
            s,
            Input::CrdsChanged {
                context: context.into(),
            },
        )
    };
    assert_eq!(changed(&mut s, "demo"), [Effect::Discover("demo".into())]);
    // Two more while that one runs: one more discovery when it answers, not two.
    assert!(changed(&mut s, "demo").is_empty());
    assert!(changed(&mut s, "demo").is_empty());
    assert!(changed(&mut s, "other").is_empty(), "another context's");
    assert_eq!(
        answer(&mut s, "demo", sample_registry()),
        [Effect::Discover("demo".into())]
    );
    assert!(answer(&mut s, "demo", with_widgets()).is_empty());
    assert!(s.discovery.registry.as_ref().unwrap().find("wdg").is_some());
    assert!(!s.discovery.pending);
}

#[test]
fn a_refused_crd_watch_turns_the_timer_on_and_says_so_in_the_log() {
    let mut s = demo();
    assert!(!polling(&s));
    update(
        &mut s,
        Input::CrdWatch {
            context: "demo".into(),
            refused: None,
        },
    );
    assert_eq!((s.discovery.crds.clone(), polling(&s)), (CrdWatch::Watching, false));
    let why = "customresourcedefinitions.apiextensions.k8s.io is forbidden".to_string();
    update(
        &mut s,
        Input::CrdWatch {
            context: "demo".into(),
            refused: Some(why),
        },
    );
    assert!(polling(&s));
    assert!(s.messages.back().unwrap().text.contains("read again every few minutes"));
    assert_eq!(refresh(&mut s), [Effect::Discover("demo".into())]);
}

#[test]
fn a_context_used_before_shows_its_registry_at_once_and_reads_it_again_behind() {
    let mut s = demo();
    let connect = |s: &mut State, context: &str| {
        let input = Input::Connected {
            context: context.into(),
            namespace: "shop".into(),
            url: "https://x".into(),
        };
        update(s, input)
    };
    crate::app::nav::switch_context(&mut s, "other".into());
    assert!(s.discovery.registry.is_none());
    let effects = connect(&mut s, "other");
    assert!(s.discovery.registry.is_none(), "never used: nothing to show yet");
    assert!(
        effects.contains(&Effect::Discover("other".into())) && effects.contains(&Effect::WatchCrds("other".into()))
    );
    answer(&mut s, "other", with_widgets());
    crate::app::nav::switch_context(&mut s, "demo".into());
    let effects = connect(&mut s, "demo");
    assert_eq!(s.discovery.registry, Some(sample_registry()), "at once");
    assert!(
        s.discovery.pending && effects.contains(&Effect::Discover("demo".into())),
        "{effects:?}"
    );
    assert!(s.discovery.others.contains_key("other"));
}

#[test]
fn a_kind_no_longer_served_closes_its_screens_says_why_and_stops_its_watch() {
    let mut s = demo();
    answer(&mut s, "demo", with_widgets());
    let kind = Kind::from_resource(&widgets());
    // The pods, then the widgets' screen and the YAML of one widget over it.
    s.stack.push(View::new(ViewKind::Resource(kind)));
    let target = text::Target {
        kind,
        namespace: "shop".into(),
        name: "w1".into(),
        describe: false,
    };
    s.stack
        .push(View::new(ViewKind::Doc(Box::new(text::Doc::loading(target)))));
    // Its group failing to answer is not its going.
    let mut failed = sample_registry();
    failed.failed.push(model::registry::Failed {
        group_version: "shop.example.com/v1".into(),
        error: "503".into(),
    });
    answer(&mut s, "demo", failed);
    assert_eq!(s.stack.len(), 3);

    let effects = answer(&mut s, "demo", sample_registry());
    assert_eq!(s.stack.len(), 1);
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Pod));
    let t = s.toasts.last().unwrap();
    assert!(
        t.error && t.text == "widgets.shop.example.com is no longer served by the server: its screen is closed",
        "{t:?}"
    );
    assert_eq!(effects[0], Effect::Unwatch(kind));
    assert!(matches!(effects[1], Effect::Watch(Kind::Pod, _)), "{effects:?}");

    // Alone on the stack (`:` starts a new one): the pods come back.
    answer(&mut s, "demo", with_widgets());
    s.stack = vec![View::new(ViewKind::Resource(kind))];
    answer(&mut s, "demo", sample_registry());
    assert_eq!(s.stack.len(), 1);
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Pod));
}

#[test]
fn the_first_screen_shows_its_rows_while_discovery_is_under_way() {
    let mut s = crate::test_util::connected("demo", "shop", false);
    assert!(s.discovery.pending && s.discovery.registry.is_none());
    let row = Row {
        key: "shop/web-1".into(),
        name: "web-1".into(),
        namespace: "shop".into(),
        ..Default::default()
    };
    let watch = (Kind::Pod, Scope::Namespace("shop".into()));
    update(
        &mut s,
        Input::Rows {
            watch,
            rows: Some(vec![Arc::new(row)]),
            status: WatchStatus::Ready,
        },
    );
    let screen = crate::test_util::text(&crate::test_util::draw(&s, 100, 10, 0));
    assert!(screen.contains("web-1"), "{screen}");
    assert!(s.discovery.pending, "discovery still under way");
}
