//! Config file tests: defaults, layering, precise errors, and no writes needed anywhere.

use std::path::PathBuf;

use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

fn env_with<'a>(vars: &'a [(&'a str, String)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
}

/// A fresh directory under the target dir (no temp-file crate needed).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubedeck-config-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn embedded_defaults_parse_and_name_every_key() {
    let c = Config::default();
    assert_eq!((c.theme.as_str(), c.keymap.as_str()), ("default", "default"));
    assert_eq!(c.default_screen, "cp");
    assert_eq!(c.log_ring, 100_000);
    assert!(!c.mouse, "mouse capture is off by default");
    assert_eq!(c.refresh.frame_ms, 33);
    assert_eq!(c.context("prod"), ContextConfig::default());
}

#[test]
fn user_file_is_layered_over_the_defaults() {
    let dir = scratch("layer");
    std::fs::write(
        dir.join("config.yaml"),
        "theme: light\nrefresh:\n  frame_ms: 50\ncontexts:\n  prod:\n    readonly: true\n  staging:\n    protected: true\n",
    )
    .unwrap();
    let vars = [("KUBEDECK_CONFIG_DIR", dir.display().to_string())];
    let c = Config::load(None, env_with(&vars)).unwrap();
    assert_eq!(c.theme, "light");
    assert_eq!(c.keymap, "default", "keys the file leaves out keep their defaults");
    assert_eq!((c.refresh.frame_ms, c.refresh.idle_watch_secs), (50, 120));
    assert_eq!(
        c.context("prod"),
        ContextConfig {
            readonly: true,
            protected: false
        }
    );
    assert!(c.context("staging").protected && !c.context("staging").readonly);
    assert_eq!(c.file.as_deref(), Some(dir.join("config.yaml").as_path()));
}

#[test]
fn config_flag_takes_a_file_or_a_directory() {
    let dir = scratch("flag");
    let file = dir.join("mine.yaml");
    std::fs::write(&file, "keymap: vim\n").unwrap();
    let c = Config::load(Some(&file), no_env).unwrap();
    assert_eq!((c.keymap.as_str(), c.dir.as_deref()), ("vim", Some(dir.as_path())));
    std::fs::write(dir.join("config.yaml"), "default_screen: deploy\n").unwrap();
    let c = Config::load(Some(&dir), no_env).unwrap();
    assert_eq!(c.default_screen, "deploy");
    let missing = Config::load(Some(&dir.join("nope.yaml")), no_env).unwrap_err();
    assert!(missing.to_string().contains("nope.yaml: cannot read"), "{missing}");
}

#[test]
fn config_flag_on_a_directory_needs_none_of_it_to_exist() {
    // As with KUBEDECK_CONFIG_DIR: a directory without config.yaml, or no directory at all.
    let dir = scratch("flag-empty");
    let c = Config::load(Some(&dir), no_env).unwrap();
    assert_eq!((c.theme.as_str(), c.file.as_deref()), ("default", None));
    assert_eq!(c.dir.as_deref(), Some(dir.as_path()));
    let absent = dir.join("not-yet");
    let s = setup(Some(&absent), None, None, no_env).unwrap();
    assert_eq!(s.config.dir.as_deref(), Some(absent.as_path()));
    assert!(s.notices.is_empty(), "{:?}", s.notices);
}

#[test]
fn unknown_keys_are_reported_with_file_line_and_field() {
    let dir = scratch("unknown");
    let file = dir.join("config.yaml");
    std::fs::write(&file, "theme: light\ncontexts:\n  prod:\n    readonyl: true\n").unwrap();
    let err = Config::load(Some(&file), no_env).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: line 4", file.display())), "{err}");
    assert!(
        err.contains("contexts.prod") && err.contains("unknown field `readonyl`"),
        "{err}"
    );
    assert!(err.contains("expected `readonly` or `protected`"), "{err}");

    std::fs::write(&file, "theme: light\ncolour: red\n").unwrap();
    let err = Config::load(Some(&file), no_env).unwrap_err().to_string();
    assert!(
        err.contains("line 2") && err.contains("unknown field `colour`"),
        "{err}"
    );

    std::fs::write(&file, "log_ring: lots\n").unwrap();
    let err = Config::load(Some(&file), no_env).unwrap_err().to_string();
    assert!(
        err.contains("line 1") && err.contains("log_ring: invalid type"),
        "{err}"
    );
}

#[test]
fn empty_or_comment_only_file_is_the_defaults() {
    let dir = scratch("empty");
    std::fs::write(dir.join("config.yaml"), "# nothing yet\n").unwrap();
    let c = Config::load(Some(&dir), no_env).unwrap();
    assert_eq!(c.theme, "default");
}

#[test]
fn works_without_a_writable_or_existing_config_dir() {
    // A config dir under a regular file can be neither read nor created, not even by root:
    // kubedeck must start on its defaults all the same, and write nothing.
    let dir = scratch("readonly");
    let blocker = dir.join("home-is-a-file");
    std::fs::write(&blocker, "").unwrap();
    let vars = [
        ("KUBEDECK_CONFIG_DIR", blocker.join("kubedeck").display().to_string()),
        ("HOME", blocker.display().to_string()),
    ];
    let s = setup(None, None, None, env_with(&vars)).unwrap();
    assert_eq!(s.config.theme, "default");
    assert!(s.notices.is_empty(), "{:?}", s.notices);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing was written");
    // A read-only directory that exists: read it, never write into it.
    let ro = dir.join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::write(ro.join("config.yaml"), "theme: mono\n").unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).unwrap();
    let vars = [("KUBEDECK_CONFIG_DIR", ro.display().to_string())];
    let s = setup(None, None, None, env_with(&vars)).unwrap();
    assert_eq!(s.theme.name, "mono");
    assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 1, "nothing was written");
}

#[test]
fn setup_falls_back_to_the_default_theme_with_a_notice() {
    let dir = scratch("badtheme");
    std::fs::create_dir(dir.join("themes")).unwrap();
    std::fs::write(
        dir.join("themes/broken.yaml"),
        "ok: { fg: green }\nwarn: { fg: yelow }\n",
    )
    .unwrap();
    std::fs::write(dir.join("config.yaml"), "theme: broken\n").unwrap();
    let vars = [("KUBEDECK_CONFIG_DIR", dir.display().to_string())];
    let s = setup(None, None, None, env_with(&vars)).unwrap();
    assert_eq!(s.theme.name, "default");
    let notice = &s.notices[0];
    assert!(notice.starts_with("theme not loaded, using the default: "), "{notice}");
    assert!(
        notice.contains("themes/broken.yaml: line 2") && notice.contains("warn.fg"),
        "{notice}"
    );
    assert!(notice.contains("unknown colour \"yelow\""), "{notice}");
}

#[test]
fn no_color_selects_mono_unless_a_theme_is_chosen() {
    let vars = [
        ("NO_COLOR", "1".to_string()),
        ("KUBEDECK_CONFIG_DIR", "/nonexistent/kd".into()),
    ];
    assert_eq!(setup(None, None, None, env_with(&vars)).unwrap().theme.name, "mono");
    assert_eq!(
        setup(None, Some("light"), None, env_with(&vars)).unwrap().theme.name,
        "light"
    );
    let empty = [
        ("NO_COLOR", String::new()),
        ("KUBEDECK_CONFIG_DIR", "/nonexistent/kd".into()),
    ];
    assert_eq!(setup(None, None, None, env_with(&empty)).unwrap().theme.name, "default");
}

#[test]
fn unknown_theme_or_keymap_names_fall_back_with_notices() {
    let vars = [("KUBEDECK_CONFIG_DIR", "/nonexistent/kd".to_string())];
    let s = setup(None, Some("solarized"), Some("emacs"), env_with(&vars)).unwrap();
    assert_eq!((s.theme.name.as_str(), s.keymap.name.as_str()), ("default", "default"));
    assert!(s.notices[0].contains("no theme named \"solarized\""), "{:?}", s.notices);
    assert!(s.notices[1].contains("no keymap named \"emacs\""), "{:?}", s.notices);
}

#[test]
fn discovery_secs_defaults_to_five_minutes_is_layered_and_refuses_zero() {
    assert_eq!(Config::default().refresh.discovery_secs, 300);
    let dir = scratch("discovery-secs");
    std::fs::write(dir.join("config.yaml"), "refresh:\n  discovery_secs: 60\n").unwrap();
    let vars = [("KUBEDECK_CONFIG_DIR", dir.display().to_string())];
    let c = Config::load(None, env_with(&vars)).unwrap();
    assert_eq!((c.refresh.discovery_secs, c.refresh.frame_ms), (60, 33));
    std::fs::write(dir.join("config.yaml"), "refresh:\n  discovery_secs: 0\n").unwrap();
    let err = Config::load(None, env_with(&vars)).unwrap_err().to_string();
    assert!(err.contains("refresh.discovery_secs: must be at least 1"), "{err}");
}

#[test]
fn usage_thresholds_and_metrics_interval_default_layer_and_refuse_nonsense() {
    let d = Config::default();
    assert_eq!((d.usage.warn, d.usage.error, d.refresh.metrics_secs), (80, 100, 15));
    let dir = scratch("usage-levels");
    std::fs::write(
        dir.join("config.yaml"),
        "usage:\n  warn: 70\n  error: 90\nrefresh:\n  metrics_secs: 30\n",
    )
    .unwrap();
    let vars = [("KUBEDECK_CONFIG_DIR", dir.display().to_string())];
    let c = Config::load(None, env_with(&vars)).unwrap();
    assert_eq!((c.usage.warn, c.usage.error, c.refresh.metrics_secs), (70, 90, 30));
    std::fs::write(dir.join("config.yaml"), "usage:\n  warn: 90\n  error: 80\n").unwrap();
    let err = Config::load(None, env_with(&vars)).unwrap_err().to_string();
    assert!(
        err.contains("usage: warn (90) must be above 0 and error (80) at least warn"),
        "{err}"
    );
}
