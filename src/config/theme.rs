//! Colour themes: named semantic styles read from YAML, degraded to the terminal's colour depth.
//!
//! Views ask for a meaning (`ok`, `warn`, `selected` …), never for a colour, so a theme file or a
//! monochrome terminal changes every screen at once. State is always carried by a word or glyph as
//! well, which is what lets the `mono` theme drop colour without losing information.

use std::path::Path;
use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use super::{ConfigError, Source};

/// The themes shipped inside the binary, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.yaml")),
    ("light", include_str!("../../themes/light.yaml")),
    ("high-contrast", include_str!("../../themes/high-contrast.yaml")),
    ("ansi16", include_str!("../../themes/ansi16.yaml")),
    ("mono", include_str!("../../themes/mono.yaml")),
];

/// Declares the theme's styles once: the runtime struct, the file struct and the overlay.
macro_rules! styles {
    ($($(#[doc = $doc:literal])* $field:ident,)*) => {
        /// A colour theme: one style per meaning.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            /// The theme's name (file stem or built-in name).
            pub name: String,
            $($(#[doc = $doc])* pub $field: Style,)*
            /// Styles cycled through to tell log sources (pods, containers) apart.
            pub log_sources: Vec<Style>,
        }

        /// A theme file as written: every style optional, unknown keys refused.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ThemeFile {
            /// Free text shown nowhere; lets a file say what it is for.
            #[allow(dead_code)]
            description: Option<String>,
            $($field: Option<StyleSpec>,)*
            log_sources: Option<Vec<StyleSpec>>,
        }

        impl ThemeFile {
            /// This file's styles over `base`.
            fn over(self, mut base: Theme) -> Theme {
                $(if let Some(s) = self.$field { base.$field = s.style(); })*
                if let Some(l) = self.log_sources.filter(|l| !l.is_empty()) {
                    base.log_sources = l.into_iter().map(StyleSpec::style).collect();
                }
                base
            }

            /// The names of the styles this file leaves out.
            fn missing(&self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $(if self.$field.is_none() { out.push(stringify!($field)); })*
                if self.log_sources.is_none() { out.push("log_sources"); }
                out
            }
        }

        impl Theme {
            /// Every style of this theme with `f` applied (used to degrade colours).
            fn map(mut self, f: impl Fn(Style) -> Style) -> Theme {
                $(self.$field = f(self.$field);)*
                self.log_sources = self.log_sources.into_iter().map(&f).collect();
                self
            }

            /// A theme with every style empty: the base under a built-in file.
            fn blank(name: &str) -> Theme {
                Theme { name: name.to_string(), $($field: Style::new(),)* log_sources: vec![Style::new()] }
            }
        }
    };
}

styles! {
    /// Ordinary text.
    text,
    /// Secondary text: labels, hints, empty-list messages.
    dim,
    /// The program name and other highlights.
    accent,
    /// The title of the view (kind name, document title).
    title,
    /// Frame borders.
    border,
    /// Table column titles.
    header,
    /// The cursor row.
    selected,
    /// Good state (connected, live, all ready).
    ok,
    /// Needs attention (loading, rows in trouble).
    warn,
    /// Failed (unreachable, forbidden, stale, error toasts).
    error,
    /// The read-only badge.
    readonly,
    /// Key names in the footer and help.
    key,
    /// The filter/command prompt and the filter text.
    prompt,
    /// YAML mapping keys.
    yaml_key,
    /// YAML strings.
    yaml_string,
    /// YAML numbers, booleans and null.
    yaml_literal,
    /// Comments.
    yaml_comment,
    /// List dashes and block-scalar indicators.
    yaml_punct,
    /// Masked secret values.
    masked,
    /// A search match.
    search_hit,
    /// The current search match.
    search_current,
    /// Added lines of a diff.
    diff_add,
    /// Removed lines of a diff.
    diff_del,
}

impl Default for Theme {
    fn default() -> Theme {
        builtin("default").expect("the built-in default theme parses (tested)")
    }
}

/// A style as written in a theme file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<ColorSpec>,
    bg: Option<ColorSpec>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underlined: bool,
    #[serde(default)]
    reversed: bool,
}

impl StyleSpec {
    fn style(self) -> Style {
        let mut s = Style::new();
        if let Some(c) = self.fg {
            s = s.fg(c.0);
        }
        if let Some(c) = self.bg {
            s = s.bg(c.0);
        }
        for (on, m) in [
            (self.bold, Modifier::BOLD),
            (self.dim, Modifier::DIM),
            (self.italic, Modifier::ITALIC),
            (self.underlined, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ] {
            if on {
                s = s.add_modifier(m);
            }
        }
        s
    }
}

/// A colour: one of the 16 terminal colour names, `#rrggbb`, or a 256-palette index.
#[derive(Debug, Clone, Copy)]
struct ColorSpec(Color);

impl<'de> Deserialize<'de> for ColorSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ColorSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a colour name, #rrggbb or 0-255")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ColorSpec, E> {
                u8::try_from(v)
                    .map(|i| ColorSpec(Color::Indexed(i)))
                    .map_err(|_| E::custom(format!("colour index {v} is not in 0-255")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ColorSpec, E> {
                parse_color(v).map(ColorSpec).ok_or_else(|| {
                    E::custom(format!(
                        "unknown colour {v:?}: use a terminal colour name (red, light-blue, dark-gray …), #rrggbb or 0-255"
                    ))
                })
            }
        }
        d.deserialize_any(V)
    }
}

fn parse_color(s: &str) -> Option<Color> {
    if let Some(hex) = s.strip_prefix('#') {
        let v = u32::from_str_radix(hex, 16).ok().filter(|_| hex.len() == 6)?;
        return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    let norm = s.to_ascii_lowercase().replace(['_', ' '], "-");
    Some(match norm.as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" | "white-dim" => Color::Gray,
        "dark-gray" | "dark-grey" | "bright-black" => Color::DarkGray,
        "light-red" | "bright-red" => Color::LightRed,
        "light-green" | "bright-green" => Color::LightGreen,
        "light-yellow" | "bright-yellow" => Color::LightYellow,
        "light-blue" | "bright-blue" => Color::LightBlue,
        "light-magenta" | "bright-magenta" => Color::LightMagenta,
        "light-cyan" | "bright-cyan" => Color::LightCyan,
        "white" | "bright-white" => Color::White,
        _ => return None,
    })
}

/// Parse a theme file's text; `base` supplies the styles it leaves out.
fn parse(name: &str, text: &str, source: &Source, base: Theme) -> Result<Theme, ConfigError> {
    let file: ThemeFile = serde_yaml::from_str(text).map_err(|e| ConfigError::yaml(source, &e))?;
    let mut theme = file.over(base);
    theme.name = name.to_string();
    Ok(theme)
}

/// A built-in theme by name.
pub fn builtin(name: &str) -> Option<Theme> {
    static CACHE: OnceLock<Vec<Theme>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        BUILTIN
            .iter()
            .map(|(n, text)| {
                let src = Source::Embedded(format!("themes/{n}.yaml"));
                parse(n, text, &src, Theme::blank(n)).unwrap_or_else(|e| panic!("{e}"))
            })
            .collect()
    });
    all.iter().find(|t| t.name == name).cloned()
}

/// The styles a built-in theme file leaves out (a complete theme leaves none).
pub fn builtin_missing(text: &str) -> Result<Vec<&'static str>, serde_yaml::Error> {
    serde_yaml::from_str::<ThemeFile>(text).map(|f| f.missing())
}

/// Load `spec`: a built-in name, a name in `<config dir>/themes/`, or a path to a YAML file.
/// A user theme file fills what it leaves out from the `default` theme.
pub fn load(spec: &str, config_dir: Option<&Path>) -> Result<Theme, ConfigError> {
    match super::user_file(spec, config_dir, "themes")? {
        Some((name, text, source)) => parse(&name, &text, &source, Theme::default()),
        None => builtin(spec).ok_or_else(|| ConfigError::Other {
            file: Source::Flag("theme".into()),
            message: format!(
                "no theme named {spec:?} (built-in: {})",
                BUILTIN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Depth {
    /// The 16 terminal colours.
    Ansi16,
    /// The xterm 256-colour palette.
    Ansi256,
    /// 24-bit colour.
    TrueColor,
}

/// The colour depth from COLORTERM and TERM (`get` reads an environment variable).
pub fn detect_depth(get: impl Fn(&str) -> Option<String>) -> Depth {
    let colorterm = get("COLORTERM").unwrap_or_default().to_ascii_lowercase();
    if colorterm == "truecolor" || colorterm == "24bit" {
        return Depth::TrueColor;
    }
    let term = get("TERM").unwrap_or_default().to_ascii_lowercase();
    if term.contains("direct") {
        Depth::TrueColor
    } else if term.contains("256") {
        Depth::Ansi256
    } else {
        Depth::Ansi16
    }
}

/// Whether NO_COLOR asks for no colour (set and not empty, per no-color.org).
pub fn no_color(get: impl Fn(&str) -> Option<String>) -> bool {
    get("NO_COLOR").is_some_and(|v| !v.is_empty())
}

impl Theme {
    /// The style of the `i`-th log source (pods, containers), cycling through the palette.
    pub fn log_source(&self, i: usize) -> Style {
        self.log_sources[i % self.log_sources.len().max(1)]
    }

    /// This theme with every colour the terminal cannot show replaced by its nearest neighbour.
    pub fn degrade(self, depth: Depth) -> Theme {
        if depth == Depth::TrueColor {
            return self;
        }
        self.map(|s| Style {
            fg: s.fg.map(|c| degrade_color(c, depth)),
            bg: s.bg.map(|c| degrade_color(c, depth)),
            ..s
        })
    }
}

/// The xterm default RGB values of the 16 terminal colours, in ratatui's order.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The RGB value of a 256-palette index.
fn indexed_rgb(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI16[i as usize].1,
        16..=231 => {
            let n = i - 16;
            (
                CUBE[(n / 36) as usize],
                CUBE[(n / 6 % 6) as usize],
                CUBE[(n % 6) as usize],
            )
        }
        _ => {
            let g = 8 + 10 * (i - 232);
            (g, g, g)
        }
    }
}

fn dist(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (x as i32 - y as i32).pow(2) as u32;
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// The nearest colour the terminal can show.
pub fn degrade_color(c: Color, depth: Depth) -> Color {
    let rgb = match c {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) if depth == Depth::Ansi16 && i >= 16 => indexed_rgb(i),
        Color::Indexed(i) if i < 16 => return ANSI16[i as usize].0,
        other => return other,
    };
    match depth {
        Depth::TrueColor => c,
        Depth::Ansi256 => {
            let best = (16..=255u8).min_by_key(|&i| dist(indexed_rgb(i), rgb)).unwrap_or(16);
            Color::Indexed(best)
        }
        Depth::Ansi16 => ANSI16.iter().min_by_key(|(_, v)| dist(*v, rgb)).map_or(c, |(n, _)| *n),
    }
}

#[cfg(test)]
#[path = "theme_tests.rs"]
mod tests;
