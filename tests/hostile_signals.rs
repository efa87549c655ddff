//! SIGTERM and SIGHUP end kubedeck within a second and give the terminal back, even while its event
//! loop is busy: the real binary (and a loop that never yields) run under a pseudo-terminal made by
//! `script`, and the test sends the signal to the PID it started.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Leaving the alternate screen and showing the cursor again: what a restored terminal was sent.
const LEAVE_ALT_SCREEN: &str = "\x1b[?1049l";
const SHOW_CURSOR: &str = "\x1b[?25h";

/// A program running under `script`'s pseudo-terminal, its output collected as it comes.
struct Pty {
    child: Child,
    out: Arc<Mutex<Vec<u8>>>,
    dir: PathBuf,
}

fn script_available() -> bool {
    Command::new("script")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubedeck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Pty {
    /// Run `program args…` in a 160×40 pseudo-terminal; its PID is written to `dir/pid` by the shell
    /// that then becomes it (`exec`).
    fn start(dir: &Path, program: &Path, args: &[&str], env: &[(&str, &str)]) -> Pty {
        let quoted: Vec<String> = std::iter::once(program.to_str().unwrap())
            .chain(args.iter().copied())
            .map(|a| format!("'{a}'"))
            .collect();
        let line = format!(
            "stty cols 160 rows 40; cd '{}'; echo $$ > pid; exec {}",
            dir.display(),
            quoted.join(" ")
        );
        let mut cmd = Command::new("script");
        cmd.args(["-qfec", &line, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .env("HOME", dir)
            .env("XDG_STATE_HOME", dir)
            .env("KUBEDECK_CONFIG_DIR", dir.join("config"))
            .env("TERM", "xterm-256color")
            .env_remove("KUBECONFIG");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("script starts");
        let out = Arc::new(Mutex::new(Vec::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            child,
            out,
            dir: dir.to_path_buf(),
        }
    }

    fn output(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }

    fn type_keys(&mut self, keys: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(keys.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    fn pid(&self) -> u32 {
        wait_for(20, "the PID file", || {
            std::fs::read_to_string(self.dir.join("pid"))
                .ok()
                .and_then(|s| s.trim().parse().ok())
        })
    }

    /// Send `signal` and time how long until the process is gone; returns that and its exit code.
    fn signal_and_wait(&mut self, signal: &str) -> (Duration, Option<i32>) {
        let pid = self.pid();
        let sent = Instant::now();
        let ok = Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .unwrap();
        assert!(ok.success(), "kill -{signal} {pid}");
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (sent.elapsed(), status.code());
            }
            if sent.elapsed() > Duration::from_secs(10) {
                let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                let _ = self.child.wait();
                return (sent.elapsed(), None);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Re-check `check` until it gives a value, failing after `secs` seconds.
fn wait_for<T>(secs: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out after {secs}s waiting for: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

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
