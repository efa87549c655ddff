//! A program under a pseudo-terminal made by `script` (util-linux), its output collected as it
//! comes: for the tests of what kubedeck sends the terminal. Include with
//! `#[path = "common/pty.rs"] mod pty;`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Whether `script` is there to make a pseudo-terminal. Under CI (`CI` set, as `.ci/run` sets it
/// after installing `script`) its absence fails the test rather than skipping it.
pub fn script_available() -> bool {
    let there = Command::new("script")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        there || std::env::var_os("CI").is_none(),
        "`script` (util-linux) is needed for the terminal tests and CI must have it"
    );
    there
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubedeck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A program running under `script`'s pseudo-terminal, its output collected as it comes.
pub struct Pty {
    child: Child,
    out: Arc<Mutex<Vec<u8>>>,
    dir: PathBuf,
}

impl Pty {
    /// Run `program args…` in a 160×40 pseudo-terminal; its PID is written to `dir/pid` by the shell
    /// that then becomes it (`exec`).
    pub fn start(dir: &Path, program: &Path, args: &[&str], env: &[(&str, &str)]) -> Pty {
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

    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }

    pub fn type_keys(&mut self, keys: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(keys.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    pub fn pid(&self) -> u32 {
        wait_for(20, "the PID file", || {
            std::fs::read_to_string(self.dir.join("pid"))
                .ok()
                .and_then(|s| s.trim().parse().ok())
        })
    }

    /// Send `signal` and time how long until the process is gone; returns that and its exit code.
    pub fn signal_and_wait(&mut self, signal: &str) -> (Duration, Option<i32>) {
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
pub fn wait_for<T>(secs: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out after {secs}s waiting for: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What `stty -a` says of canonical (cooked) mode on the terminal standard input is.
pub fn line_mode() -> &'static str {
    let out = Command::new("stty")
        .arg("-a")
        .stdin(Stdio::inherit())
        .output()
        .expect("stty runs");
    let text = String::from_utf8_lossy(&out.stdout);
    if text.split_whitespace().any(|w| w == "-icanon") {
        "raw"
    } else {
        "cooked"
    }
}

/// The next character key the dashboard's input reader gives, within 30 s.
pub async fn key(events: &mut Option<crossterm::event::EventStream>) -> char {
    use crossterm::event::{Event, KeyCode};
    loop {
        let next = tokio::time::timeout(Duration::from_secs(30), kubedeck::exec::terminal::next_event(events)).await;
        match next.expect("a key within 30 s") {
            Some(Ok(Event::Key(k))) => {
                if let KeyCode::Char(c) = k.code {
                    return c;
                }
            }
            Some(Ok(_)) => {}
            other => panic!("the input reader ended: {other:?}"),
        }
    }
}

/// A file the program under the pseudo-terminal wrote into its scratch directory, if it is there.
pub fn read(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(name)).ok()
}
