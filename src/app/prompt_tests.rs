//! Key flows on the `:` line: recall with Up/Down, Tab completion from kubedeck's commands and the
//! registry, and the candidate line drawn over the screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::state::ViewKind;
use crate::app::update::{key, update};
use crate::cluster::Kind;
use crate::screens::apiresources::discovered;
use crate::test_util::{draw, text, type_keys};

fn line(s: &State) -> String {
    match &s.mode {
        Mode::Command(ta) => ta.lines().join(" "),
        other => panic!("the command line is not open: {other:?}"),
    }
}

fn run(s: &mut State, command: &str) {
    type_keys(s, &format!(":{command}"));
    update(s, key(KeyCode::Enter));
}

#[test]
fn up_and_down_recall_earlier_commands_and_give_back_what_was_typed() {
    let mut s = discovered();
    for c in ["deploy", "po all", "no", "deploy"] {
        run(&mut s, c);
    }
    assert_eq!(
        s.cmdline.history,
        ["po all", "no", "deploy"],
        "a repeat moves to the end"
    );
    assert_eq!(s.cmdline.unsaved.len(), 4, "each run is saved");
    type_keys(&mut s, ":");
    update(&mut s, key(KeyCode::Up));
    assert_eq!(line(&s), "deploy");
    update(&mut s, key(KeyCode::Up));
    assert_eq!(line(&s), "no");
    update(
        &mut s,
        crate::app::Input::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL)),
    );
    assert_eq!(line(&s), "po all");
    update(&mut s, key(KeyCode::Up));
    assert_eq!(line(&s), "po all", "the oldest stays");
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(line(&s), "deploy");
    update(&mut s, key(KeyCode::Down));
    assert_eq!(line(&s), "", "past the newest: what was typed");
    // What is typed first narrows the recall to the commands starting with it.
    type_keys(&mut s, "p");
    update(&mut s, key(KeyCode::Up));
    assert_eq!(line(&s), "po all");
    update(&mut s, key(KeyCode::Up));
    assert_eq!(line(&s), "po all");
    // A recalled command runs as typed.
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        (s.top().kind.clone(), s.namespace.clone()),
        (ViewKind::Resource(Kind::Pod), None)
    );
    assert_eq!(s.cmdline.history.last().map(String::as_str), Some("po all"));
    // Esc forgets nothing and adds nothing.
    type_keys(&mut s, ":xyz");
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.cmdline.history.len(), 3);
}

#[test]
fn tab_completes_a_unique_name_and_the_common_prefix_then_cycles_the_candidates() {
    let mut s = discovered();
    // Only the registry has it: the custom resource's plural.
    type_keys(&mut s, ":certi");
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "certificate");
    assert!(
        s.cmdline.completion.is_some(),
        "certificate and certificates.cert-manager.io …"
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(s.cmdline.completion.is_none());

    type_keys(&mut s, ":dep");
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "deploy", "the prefix every candidate shares");
    let c = s.cmdline.completion.clone().expect("candidates");
    assert_eq!(
        c.candidates,
        ["deploy", "deployment", "deployments", "deployments.apps"]
    );
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "deploy");
    assert_eq!(s.cmdline.completion.as_ref().unwrap().selected, Some(0));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "deployment");
    update(&mut s, key(KeyCode::BackTab));
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(line(&s), "deploy", "back to what Tab made of it");
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(line(&s), "deployments.apps", "round from the end");
    // Typing ends the cycle; Enter runs what is in the line.
    update(&mut s, key(KeyCode::Backspace));
    assert!(s.cmdline.completion.is_none());
    type_keys(&mut s, "s");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Deployment));

    // Nothing completes after the command word.
    type_keys(&mut s, ":po sh");
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "po sh");
}

#[test]
fn own_commands_come_first_and_every_one_is_understood() {
    let s = discovered();
    // kubedeck's `service` and `services` first, then the registry's names.
    assert_eq!(
        candidates(&s, "se"),
        ["service", "services", "sec", "secret", "secrets"]
    );
    let c = candidates(&s, "n");
    assert_eq!(c.iter().filter(|n| *n == "nodes").count(), 1, "each once");
    for word in own_commands() {
        let mut s = discovered();
        crate::app::update::run_command(&mut s, word);
        let said = s.toasts.last().map(|t| t.text.clone()).unwrap_or_default();
        assert!(!said.contains("unknown command"), "{word}: {said}");
    }
}

#[test]
fn the_candidates_show_on_one_line_over_the_screen_with_the_one_in_the_line_marked() {
    let mut s = discovered();
    type_keys(&mut s, ":de");
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    let buf = draw(&s, 80, 12, 0);
    let lines: Vec<String> = text(&buf).lines().map(str::to_string).collect();
    assert_eq!(lines[11].trim_end(), ":deployment");
    let list = lines[10].trim_end();
    assert_eq!(
        list,
        "  deploy  deployment  deployments  deployments.apps",
        "{}",
        lines.join("\n")
    );
    let x = list.find("deployment ").unwrap() as u16;
    let reversed = |x: u16| buf[(x, 10)].modifier.contains(ratatui::style::Modifier::REVERSED);
    assert!(
        reversed(x) && !reversed(2),
        "the one in the line, alone, is marked as the cursor row is"
    );

    // Too many for the line: the page holding the selected one, and how many more.
    let mut s = discovered();
    type_keys(&mut s, ":");
    update(&mut s, key(KeyCode::Tab));
    let list = text(&draw(&s, 40, 12, 0)).lines().nth(10).unwrap().to_string();
    assert!(list.starts_with("  aliases  api-resources  "), "{list}");
    assert!(list.contains("more"), "{list}");

    let mut s = discovered();
    type_keys(&mut s, ":zz");
    update(&mut s, key(KeyCode::Tab));
    let list = text(&draw(&s, 80, 12, 0)).lines().nth(10).unwrap().to_string();
    assert!(
        list.contains("no command or resource name starts with \"zz\""),
        "{list}"
    );
}
