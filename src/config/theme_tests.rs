//! Theme tests: every shipped file is complete and parses; colours degrade; errors say where.

use ratatui::style::{Color, Modifier};

use super::*;

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
}

#[test]
fn every_theme_file_parses_and_sets_every_style() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut built_in: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
    built_in.sort();
    assert_eq!(on_disk, built_in, "every file in themes/ is embedded, and nothing else");
    for (name, text) in BUILTIN {
        let missing = builtin_missing(text).unwrap_or_else(|e| panic!("themes/{name}.yaml: {e}"));
        assert!(missing.is_empty(), "themes/{name}.yaml leaves out {missing:?}");
        let theme = builtin(name).unwrap();
        assert_eq!(theme.name, *name);
        assert!(!theme.log_sources.is_empty());
    }
}

/// Every colour a theme uses, foreground and background.
fn colours(t: &Theme) -> Vec<Color> {
    let mut styles = vec![
        t.text,
        t.dim,
        t.accent,
        t.title,
        t.border,
        t.header,
        t.selected,
        t.ok,
        t.warn,
        t.error,
        t.readonly,
        t.key,
        t.prompt,
        t.yaml_key,
        t.yaml_string,
        t.yaml_literal,
        t.yaml_comment,
        t.yaml_punct,
        t.masked,
        t.search_hit,
        t.search_current,
        t.diff_add,
        t.diff_del,
    ];
    styles.extend(t.log_sources.iter().copied());
    styles.iter().flat_map(|s| [s.fg, s.bg]).flatten().collect()
}

#[test]
fn mono_has_no_colour_and_ansi16_only_the_sixteen() {
    let mono = builtin("mono").unwrap();
    assert!(
        colours(&mono).iter().all(|c| *c == Color::Reset),
        "{:?}",
        colours(&mono)
    );
    // Without colour the cursor, matches and errors still differ from plain text.
    assert!(mono.selected.add_modifier.contains(Modifier::REVERSED));
    assert!(mono.search_current.add_modifier.contains(Modifier::UNDERLINED));
    assert!(mono.error.add_modifier.contains(Modifier::BOLD));
    // Log sources cycle through the palette; in mono they differ by modifier.
    assert_eq!(mono.log_source(mono.log_sources.len()), mono.log_source(0));
    assert_ne!(mono.log_source(0), mono.log_source(1));
    let ansi = builtin("ansi16").unwrap();
    assert!(
        colours(&ansi)
            .iter()
            .all(|c| !matches!(c, Color::Rgb(..) | Color::Indexed(_))),
        "{:?}",
        colours(&ansi)
    );
}

#[test]
fn colour_depth_comes_from_colorterm_and_term() {
    assert_eq!(detect_depth(env(&[("COLORTERM", "truecolor")])), Depth::TrueColor);
    assert_eq!(
        detect_depth(env(&[("COLORTERM", "24bit"), ("TERM", "xterm")])),
        Depth::TrueColor
    );
    assert_eq!(detect_depth(env(&[("TERM", "tmux-256color")])), Depth::Ansi256);
    assert_eq!(detect_depth(env(&[("TERM", "xterm-direct")])), Depth::TrueColor);
    assert_eq!(detect_depth(env(&[("TERM", "vt100")])), Depth::Ansi16);
    assert_eq!(detect_depth(env(&[])), Depth::Ansi16);
    assert!(no_color(env(&[("NO_COLOR", "1")])));
    assert!(!no_color(env(&[("NO_COLOR", "")])));
}

#[test]
fn colours_degrade_truecolor_to_256_to_16() {
    let red = Color::Rgb(0xcf, 0x22, 0x2e);
    assert_eq!(degrade_color(red, Depth::TrueColor), red);
    let Color::Indexed(i) = degrade_color(red, Depth::Ansi256) else {
        panic!("not a palette colour")
    };
    assert!(i >= 16, "a cube or grey entry, not one the terminal redefines");
    assert_eq!(degrade_color(red, Depth::Ansi16), Color::Red);
    assert_eq!(degrade_color(Color::Rgb(0xfc, 0xfc, 0xfc), Depth::Ansi16), Color::White);
    assert_eq!(degrade_color(Color::Indexed(196), Depth::Ansi16), Color::LightRed);
    assert_eq!(degrade_color(Color::Indexed(9), Depth::Ansi256), Color::LightRed);
    assert_eq!(
        degrade_color(Color::Cyan, Depth::Ansi16),
        Color::Cyan,
        "named colours stay"
    );
    let light = builtin("light").unwrap().degrade(Depth::Ansi16);
    assert!(
        colours(&light)
            .iter()
            .all(|c| !matches!(c, Color::Rgb(..) | Color::Indexed(_)))
    );
    let light256 = builtin("light").unwrap().degrade(Depth::Ansi256);
    assert!(colours(&light256).iter().all(|c| !matches!(c, Color::Rgb(..))));
}

#[test]
fn user_theme_overrides_some_styles_and_keeps_the_rest() {
    let src = Source::File("/home/u/.config/kubedeck/themes/mine.yaml".into());
    let t = parse("mine", "ok: { fg: \"#00ff00\", bold: true }\n", &src, Theme::default()).unwrap();
    assert_eq!(t.ok.fg, Some(Color::Rgb(0, 255, 0)));
    assert!(t.ok.add_modifier.contains(Modifier::BOLD));
    assert_eq!(t.error, Theme::default().error);
}

#[test]
fn malformed_theme_errors_name_file_line_and_field() {
    let src = Source::File("/home/u/.config/kubedeck/themes/mine.yaml".into());
    let cases = [
        (
            "ok: { fg: green }\nwarning: { fg: yellow }\n",
            2,
            "unknown field `warning`",
        ),
        (
            "ok: { fg: green }\nerror:\n  fg: \"#12345\"\n",
            3,
            "error.fg: unknown colour \"#12345\"",
        ),
        ("ok: { fg: green, blink: true }\n", 1, "ok: unknown field `blink`"),
        ("ok: { fg: 300 }\n", 1, "ok.fg: colour index 300 is not in 0-255"),
        ("ok: { fg: green\n", 2, "did not find expected"),
    ];
    for (text, line, what) in cases {
        let err = parse("mine", text, &src, Theme::default()).unwrap_err().to_string();
        let prefix = format!("/home/u/.config/kubedeck/themes/mine.yaml: line {line},");
        assert!(err.starts_with(&prefix), "{err}");
        assert!(err.contains(what), "{err}");
    }
}
