//! SIGTERM and SIGHUP end kubedeck within a second and give the terminal back, even while its event
//! loop is busy: the real binary (and a loop that never yields) run under a pseudo-terminal made by
//! `script`, and the test sends the signal to the PID it started.

#[path = "common/pty.rs"]
mod pty;

use std::path::Path;
use std::time::Duration;

use pty::{Pty, scratch, script_available, wait_for};

/// Leaving the alternate screen and showing the cursor again: what a restored terminal was sent.
const LEAVE_ALT_SCREEN: &str = "\x1b[?1049l";
const SHOW_CURSOR: &str = "\x1b[?25h";

fn assert_restored_within_a_second(pty: &Pty, took: Duration, code: Option<i32>, signal: &str, number: i32) {
    let out = pty.output();
    let after = out.rfind("\x1b[?1049h").map_or(&out[..], |i| &out[i..]);
    assert!(
        took <= Duration::from_secs(1),
        "{signal}: exited after {took:?} (limit 1 s)"
    );
    assert_eq!(code, Some(128 + number), "{signal}: exit status 128 + {number}");
    assert!(
        after.contains(LEAVE_ALT_SCREEN) && after.contains(SHOW_CURSOR),
        "{signal}: the terminal was not restored (no leave-alternate-screen / show-cursor after the last enter)"
    );
}

#[test]
fn sigterm_and_sighup_end_the_real_binary_within_a_second_with_a_huge_line_wrapped() {
    if !script_available() {
        eprintln!("skipped: `script` (util-linux) is needed to make a pseudo-terminal");
        return;
    }
    for (signal, number) in [("TERM", 15), ("HUP", 1)] {
        let dir = scratch(&format!("sig-{signal}"));
        let bin = Path::new(env!("CARGO_BIN_EXE_kubedeck"));
        let log = dir.join("state.txt");
        let mut pty = Pty::start(
            &dir,
            bin,
            &[
                "--demo",
                "--screen",
                "deploy",
                "--demo-faults",
                "huge-log-line=20MB",
                "--log-file",
                log.to_str().unwrap(),
            ],
            &[],
        );
        wait_for(60, "the deployments listed", || {
            pty.output().contains("● live").then_some(())
        });
        // Logs of the first deployment, wrapped, then a save: once the file exists the loop has
        // taken every key, and the wrapped 20 MB lines are on (or coming to) the screen.
        pty.type_keys("l");
        wait_for(60, "the log view", || pty.output().contains("logs(").then_some(()));
        pty.type_keys("w");
        // The save prompt offers <name>.log in the working directory (the scratch one).
        pty.type_keys("s\r");
        wait_for(60, "the saved file", || {
            std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "log"))
                .then_some(())
        });
        let (took, code) = pty.signal_and_wait(signal);
        eprintln!("SIG{signal}: gone after {took:?}");
        assert_restored_within_a_second(&pty, took, code, &format!("SIG{signal}"), number);
    }
}

/// Not a test on its own: the program the next test runs under a pseudo-terminal. It takes the
/// terminal as kubedeck does and then never yields, as a loop stuck on a huge frame would.
#[test]
fn busy_loop_child() {
    let Ok(ready) = std::env::var("KUBEDECK_BUSY_CHILD") else {
        return;
    };
    let _tui = kubedeck::tui::Tui::init(false).expect("a terminal");
    kubedeck::tui::exit_on_termination_signals().expect("signal thread");
    std::fs::write(ready, "ready").unwrap();
    let mut n = 0u64;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

#[test]
fn sigterm_and_sighup_end_a_loop_that_never_yields_within_a_second() {
    if !script_available() {
        eprintln!("skipped: `script` (util-linux) is needed to make a pseudo-terminal");
        return;
    }
    for (signal, number) in [("TERM", 15), ("HUP", 1)] {
        let dir = scratch(&format!("busy-{signal}"));
        let ready = dir.join("ready");
        let me = std::env::current_exe().unwrap();
        let mut pty = Pty::start(
            &dir,
            &me,
            &["--exact", "busy_loop_child", "--nocapture", "--test-threads", "1"],
            &[("KUBEDECK_BUSY_CHILD", ready.to_str().unwrap())],
        );
        wait_for(30, "the busy child ready", || ready.exists().then_some(()));
        let (took, code) = pty.signal_and_wait(signal);
        eprintln!("busy loop, SIG{signal}: gone after {took:?}");
        assert_restored_within_a_second(&pty, took, code, &format!("SIG{signal}"), number);
    }
}
