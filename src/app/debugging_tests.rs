//! Key-flow tests of shell, attach, debug container and node shell: the container picker, the
//! image field, the default-container annotation, and `--readonly`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::table::Row;
use crate::app::update::{key, update};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::test_util;

fn on(kind: Kind, name: &str, readonly: bool) -> State {
    let mut s = test_util::connected("prod", "shop", readonly);
    let ns = if kind.namespaced() { "shop" } else { "" };
    let row = Row {
        key: name.into(),
        namespace: ns.into(),
        name: name.into(),
        ..Default::default()
    };
    let scope = if kind.namespaced() {
        Scope::Namespace("shop".into())
    } else {
        Scope::All
    };
    test_util::show(&mut s, kind, scope, vec![row], WatchStatus::Ready);
    s
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(s, key(KeyCode::Char(c)))).collect()
}

/// Help's entries and the footer's, as text.
fn help_text(s: &State) -> String {
    crate::app::help::entries(s)
        .into_iter()
        .map(|(keys, what)| format!("{} {what}", keys.join(" ")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn pod() -> ObjRef {
    ObjRef::new(Kind::Pod, "shop", "web-1")
}

fn two(default: Option<&str>) -> PodContainers {
    PodContainers {
        names: vec!["istio-proxy".into(), "app".into()],
        default: default.map(String::from),
    }
}

fn answer(s: &mut State, purpose: Purpose, c: PodContainers) -> Vec<Effect> {
    update(
        s,
        Input::Containers {
            pod: pod(),
            purpose,
            preselect: None,
            result: Ok(c),
        },
    )
}

#[test]
fn a_pod_with_several_containers_asks_in_a_dialog_and_the_annotation_skips_it() {
    let mut s = on(Kind::Pod, "web-1", false);
    let asked = Effect::Containers {
        pod: pod(),
        purpose: Purpose::Attach,
        preselect: None,
    };
    assert_eq!(typed(&mut s, "a"), [asked]);
    // Two containers, no annotation: the picker, on the first.
    assert!(answer(&mut s, Purpose::Attach, two(None)).is_empty());
    assert!(matches!(&s.dialog, Some(Dialog::Container(d)) if d.cursor == 0 && d.image.is_none()));
    assert!(update(&mut s, key(KeyCode::Down)).is_empty());
    let attach = Effect::Attach {
        pod: pod(),
        container: "app".into(),
    };
    assert_eq!(update(&mut s, key(KeyCode::Enter)), std::slice::from_ref(&attach));
    assert!(s.dialog.is_none());
    // A digit picks at once; esc cancels.
    answer(&mut s, Purpose::Shell, two(None));
    let shell = Effect::Shell {
        pod: pod(),
        container: Some("istio-proxy".into()),
    };
    assert_eq!(typed(&mut s, "1"), [shell]);
    answer(&mut s, Purpose::Shell, two(None));
    assert!(update(&mut s, key(KeyCode::Esc)).is_empty());
    assert!(s.dialog.is_none());
    // The default-container annotation chooses, as kubectl does: no dialog.
    assert_eq!(answer(&mut s, Purpose::Attach, two(Some("app"))), [attach]);
    assert!(s.dialog.is_none());
}

#[test]
fn the_debug_container_asks_target_and_image_from_the_config() {
    let mut s = on(Kind::Pod, "web-1", false);
    s.debug.image = "nicolaka/netshoot".into();
    assert_eq!(
        typed(&mut s, "b"),
        [Effect::Containers {
            pod: pod(),
            purpose: Purpose::Debug,
            preselect: None
        }]
    );
    // Even with the annotation the target is asked (the annotated one under the cursor).
    answer(&mut s, Purpose::Debug, two(Some("app")));
    let Some(Dialog::Container(d)) = &s.dialog else {
        panic!("no dialog")
    };
    assert_eq!(d.cursor, 1);
    assert_eq!(d.image.as_ref().unwrap().lines(), ["nicolaka/netshoot"]);
    // Digits type into the image field; an image with a space is refused, named.
    typed(&mut s, " 1");
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(matches!(&s.dialog, Some(Dialog::Container(d)) if d.error.as_deref().unwrap().contains("no spaces")));
    for _ in 0..2 {
        update(&mut s, key(KeyCode::Backspace));
    }
    assert_eq!(
        update(&mut s, key(KeyCode::Enter)),
        [Effect::Debug {
            pod: pod(),
            target: "app".into(),
            image: "nicolaka/netshoot".into()
        }]
    );
}

#[test]
fn s_on_a_node_is_a_node_shell_in_the_configured_namespace() {
    let mut s = on(Kind::Node, "worker-1", false);
    s.debug.node_namespace = "debug".into();
    assert_eq!(
        typed(&mut s, "s"),
        [Effect::NodeShell {
            node: "worker-1".into(),
            namespace: "debug".into(),
            image: "busybox:1.36".into()
        }]
    );
    // The vim keymap: `g x` there too.
    s.keymap = crate::config::keymap::builtin("vim").unwrap();
    assert_eq!(typed(&mut s, "gx").len(), 1);
}

#[test]
fn readonly_refuses_attach_debug_and_node_shell_and_hides_them() {
    for (kind, name, keys) in [
        (Kind::Pod, "web-1", "a"),
        (Kind::Pod, "web-1", "b"),
        (Kind::Node, "worker-1", "s"),
    ] {
        let mut s = on(kind, name, true);
        assert!(typed(&mut s, keys).is_empty(), "{keys}");
        assert!(
            s.toasts.iter().any(|t| t.text.starts_with("read-only session")),
            "{keys}: {:?}",
            s.toasts
        );
        let help = help_text(&s);
        for word in ["attach", "debug container", "shell"] {
            assert!(!help.contains(word), "{word} in the read-only help:\n{help}");
        }
    }
    let mut s = on(Kind::Pod, "web-1", false);
    let help = help_text(&s);
    assert!(help.contains("attach") && help.contains("debug container"), "{help}");
    // A picker opened before read-only took hold sends nothing that writes.
    answer(&mut s, Purpose::Attach, two(None));
    s.safety.readonly = true;
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(update(&mut s, Input::Key(ctrl_c)).is_empty());
}

#[test]
fn the_picker_draws_the_containers_the_cursor_the_default_and_the_image() {
    let mut s = on(Kind::Pod, "web-1", false);
    answer(&mut s, Purpose::Debug, two(Some("app")));
    let screen = test_util::text(&test_util::draw(&s, 120, 30, 0));
    for want in [
        "debug container pod/web-1",
        "Target container",
        "1) istio-proxy",
        "▸ 2) app  (default-container)",
        "Image: busybox:1.36",
        "cannot be removed or restarted",
    ] {
        assert!(screen.contains(want), "{want:?} missing:\n{screen}");
    }
    // A container name from the cluster is drawn without its control characters.
    let mut s = on(Kind::Pod, "web-1", false);
    let odd = PodContainers {
        names: vec!["a\u{1b}[31mb".into(), "c".into()],
        default: None,
    };
    answer(&mut s, Purpose::Attach, odd);
    let screen = test_util::text(&test_util::draw(&s, 120, 30, 0));
    assert!(!screen.contains('\u{1b}'), "{screen}");
    assert!(screen.contains("Attach to which container?"), "{screen}");
}
