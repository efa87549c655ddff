//! The real binary with config files: a malformed config stops it before the terminal is taken,
//! with file, line and field; the commands that need no terminal work with an unusable home.

use std::process::Command;

fn kubedeck() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kubedeck"));
    // A home under a regular file: nothing can be read or written there, not even by root.
    let blocker = std::env::temp_dir().join(format!("kubedeck-home-file-{}", std::process::id()));
    std::fs::write(&blocker, "").unwrap();
    c.env("HOME", blocker.join("home"))
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_STATE_HOME")
        .env_remove("KUBEDECK_CONFIG_DIR")
        .env_remove("KUBECONFIG");
    c
}

#[test]
fn malformed_config_is_refused_with_file_line_and_field() {
    let file = std::env::temp_dir().join(format!("kubedeck-bad-config-{}.yaml", std::process::id()));
    std::fs::write(&file, "theme: light\ncontexts:\n  prod:\n    readonyl: true\n").unwrap();
    let out = kubedeck().arg("--config").arg(&file).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "kubedeck: {}: line 4, column 5: contexts.prod: unknown field `readonyl`",
            file.display()
        )),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "the terminal was never taken");
}

#[test]
fn version_help_and_completions_need_no_home() {
    let out = kubedeck().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("kubedeck {}", env!("CARGO_PKG_VERSION"))
    );
    let out = kubedeck().args(["completions", "fish"]).output().unwrap();
    assert!(out.status.success());
    let script = String::from_utf8_lossy(&out.stdout);
    assert!(
        script.contains("complete -c kubedeck") && script.contains("theme"),
        "{script}"
    );
}

#[test]
fn without_a_terminal_it_says_one_is_needed() {
    // `output()` gives the child no stdin and pipes for stdout and stderr: no terminal anywhere.
    let out = kubedeck().arg("--demo").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kubedeck: a terminal is needed, but standard input and output are not terminals. Run"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing was drawn");
}
