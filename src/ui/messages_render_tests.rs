//! The message log: long toasts and errors kept whole after their toast, configuration errors said
//! once with the context named, connection failures logged once per reason.

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;

use crate::app::state::{Connection, ViewKind};
use crate::app::update::{TOAST_TTL, key};
use crate::app::{Input, update};
use crate::test_util::{self, draw, text, type_keys};

const NOW: i64 = 1_700_000_000;

/// The screen's text with each line's border and indent gone, joined, so that wrapped text reads on.
fn flowing(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A theme file with a colour no terminal has: the notice kubedeck starts with.
fn theme_notice() -> String {
    let dir = std::env::temp_dir().join(format!("kubedeck-msg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mine.yaml");
    std::fs::write(&path, "error: { fg: not-a-colour-at-all }\n").unwrap();
    let setup = crate::config::setup(None, Some(path.to_str().unwrap()), None, |_| None).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    setup.notices.into_iter().next().expect("a theme notice")
}

#[test]
fn a_theme_error_is_read_whole_in_the_message_log_after_its_toast_is_gone() {
    let notice = theme_notice();
    assert!(notice.chars().count() > 80, "{notice}");
    let mut s = test_util::connected("kind-dev", "default", false);
    s.toast(notice.clone(), true);
    // At 80 columns the toast is cut, and says where the rest is.
    let screen = text(&draw(&s, 80, 20, NOW));
    let footer = screen.lines().last().unwrap();
    assert!(footer.ends_with("… (:messages)"), "{footer}");
    // Gone after its time…
    let t0 = Instant::now();
    update(&mut s, Input::Tick(t0));
    update(&mut s, Input::Tick(t0 + TOAST_TTL + Duration::from_secs(1)));
    assert!(s.toasts.is_empty());
    // …but whole in the log, wrapped, with its time.
    type_keys(&mut s, ":messages");
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.top().kind, ViewKind::Page { screen: "messages", .. }));
    let screen = text(&draw(&s, 80, 20, NOW));
    let clock = crate::ui::views::health::clock(s.messages[0].at);
    assert!(screen.contains(&format!("{clock}  ✗ theme not loaded")), "{screen}");
    assert!(flowing(&screen).contains(&notice), "{screen}");
    // Esc goes back to where the user was.
    update(&mut s, key(KeyCode::Esc));
    assert!(matches!(s.top().kind, ViewKind::Resource(_)));
}

#[test]
fn the_log_is_newest_first_and_scrolls() {
    let mut s = test_util::connected("kind-dev", "default", false);
    for i in 0..40 {
        s.toast(format!("message number {i}"), i % 2 == 0);
    }
    type_keys(&mut s, ":msg");
    update(&mut s, key(KeyCode::Enter));
    let screen = text(&draw(&s, 80, 20, NOW));
    assert!(screen.contains("· message number 39"), "{screen}");
    assert!(!screen.contains("message number 0\n"), "{screen}");
    update(&mut s, key(KeyCode::Char('G')));
    let screen = text(&draw(&s, 80, 20, NOW));
    let body: String = screen.lines().skip(2).take(17).collect();
    assert!(body.contains("✗ message number 0 "), "{screen}");
    assert!(!body.contains("message number 39"), "{screen}");
}

#[test]
fn a_configuration_error_names_the_context_and_is_not_called_retrying() {
    let mut s = crate::app::State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    let message = "context \"v1\" user \"v1-user\" (kubeconfig /tmp/k): its client-certificate /tmp/c.crt is an X.509 version 1 certificate.";
    update(
        &mut s,
        Input::Misconfigured {
            context: Some("v1".into()),
            message: message.into(),
        },
    );
    assert_eq!(s.connection, Connection::Misconfigured(message.into()));
    let screen = text(&draw(&s, 120, 20, NOW));
    let header = screen.lines().next().unwrap();
    assert!(header.contains("ctx v1 "), "{header}");
    assert!(header.contains("configuration error, not retried"), "{header}");
    assert!(!screen.contains("retrying"), "{screen}");
    assert!(flowing(&screen).contains("X.509 version 1"), "{screen}");
    assert_eq!(s.messages.len(), 1);
    assert!(s.messages[0].text.contains(message));
}

#[test]
fn a_connection_failure_is_logged_once_per_reason() {
    let mut s = crate::app::State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    for _ in 0..5 {
        update(
            &mut s,
            Input::ConnectFailed("cannot connect to 127.0.0.1:1: connection refused".into()),
        );
    }
    update(
        &mut s,
        Input::ConnectFailed("cannot connect to 127.0.0.1:1: timed out".into()),
    );
    let texts: Vec<&str> = s.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].ends_with("connection refused") && texts[1].ends_with("timed out"));
}

#[test]
fn help_lists_the_message_log() {
    let mut s = test_util::connected("kind-dev", "default", false);
    update(&mut s, key(KeyCode::Char('?')));
    let screen = text(&draw(&s, 120, 40, NOW));
    assert!(screen.contains(":msg (messages)"), "{screen}");
}

#[test]
fn on_the_control_plane_screen_a_long_failure_wraps_instead_of_being_cut() {
    let mut s = crate::app::State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    crate::app::update::run_command(&mut s, "cp");
    let message = format!(
        "kubeconfig /home/user/.kube/config:14:7: field users[0].user: {}",
        "invalid type: sequence, expected a map ".repeat(3)
    );
    update(
        &mut s,
        Input::Misconfigured {
            context: None,
            message: message.clone(),
        },
    );
    let screen = text(&draw(&s, 80, 20, NOW));
    assert!(flowing(&screen).contains(message.trim_end()), "{screen}");
}
