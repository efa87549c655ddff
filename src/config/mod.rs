//! The config file, themes and keymaps: embedded defaults with the user's files layered over them.
//!
//! Nothing here writes: kubedeck runs with a read-only home and no config directory at all.
//! Every error names the file, the line and the field, because a typo in a protected context's
//! settings must never pass silently.

pub mod keymap;
pub mod theme;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The embedded config defaults (also the documented example of every key).
pub const DEFAULT_CONFIG: &str = include_str!("../../config/default.yaml");

/// Where a piece of configuration came from, for error messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A file on disk.
    File(PathBuf),
    /// A file built into the binary (its path in the source tree).
    Embedded(String),
    /// A command-line flag or config key by name.
    Flag(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Embedded(p) => write!(f, "{p} (built in)"),
            Source::Flag(n) => write!(f, "--{n}"),
        }
    }
}

/// A configuration error that says where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A YAML file that does not parse or has a wrong or unknown field.
    #[error("{file}: line {line}, column {column}: {message}")]
    At {
        /// The file.
        file: Source,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, with the field path when serde knows it.
        message: String,
    },
    /// Anything without a position (a file that cannot be read, an unknown name).
    #[error("{file}: {message}")]
    Other {
        /// The file or flag.
        file: Source,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// Wrap a serde_yaml error with its file; the message keeps serde's field path.
    pub fn yaml(source: &Source, e: &serde_yaml::Error) -> ConfigError {
        let text = e.to_string();
        // serde_yaml appends " at line L column C"; the position goes in front instead.
        let message = match text.find(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        match e.location() {
            Some(l) => ConfigError::At {
                file: source.clone(),
                line: l.line(),
                column: l.column(),
                message,
            },
            None => ConfigError::Other {
                file: source.clone(),
                message,
            },
        }
    }

    /// A file that could not be read.
    pub fn io(source: &Source, e: &std::io::Error) -> ConfigError {
        ConfigError::Other {
            file: source.clone(),
            message: format!("cannot read: {e}"),
        }
    }
}

/// The config directory: `--config`'s directory, else `$KUBEDECK_CONFIG_DIR`, else `$XDG_CONFIG_HOME/kubedeck`
/// (`~/.config/kubedeck`). None when there is no home to find one in.
pub fn config_dir(flag: Option<&Path>, get: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(if names_file(p) {
            p.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        } else {
            p.to_path_buf()
        });
    }
    if let Some(d) = get("KUBEDECK_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.config_dir().join("kubedeck"))
}

/// A user's theme or keymap file named by `spec`: a path (it has a `/` or a YAML extension), or a
/// name in `<config dir>/<folder>/`; returns its name, text and source, or None for a built-in name.
pub fn user_file(
    spec: &str,
    config_dir: Option<&Path>,
    folder: &str,
) -> Result<Option<(String, String, Source)>, ConfigError> {
    let looks_like_path = spec.contains('/') || spec.ends_with(".yaml") || spec.ends_with(".yml");
    let path = if looks_like_path {
        Some(Path::new(spec).to_path_buf())
    } else {
        config_dir
            .map(|d| d.join(folder).join(format!("{spec}.yaml")))
            .filter(|p| p.is_file())
    };
    let Some(p) = path else { return Ok(None) };
    let source = Source::File(p.clone());
    let text = std::fs::read_to_string(&p).map_err(|e| ConfigError::io(&source, &e))?;
    let name = p
        .file_stem()
        .map_or(spec.to_string(), |s| s.to_string_lossy().into_owned());
    Ok(Some((name, text, source)))
}

/// Whether `--config PATH` names the config file itself rather than a config directory: an
/// existing file, or a missing path with a YAML extension. Any other path is a directory, and
/// like `$KUBEDECK_CONFIG_DIR` none of it has to exist.
pub fn names_file(p: &Path) -> bool {
    p.is_file() || (!p.is_dir() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
}

/// The config file: `--config FILE`, else `config.yaml` in the config directory.
pub fn config_file(flag: Option<&Path>, dir: Option<&Path>) -> Option<PathBuf> {
    match flag {
        Some(p) if names_file(p) => Some(p.to_path_buf()),
        _ => dir.map(|d| d.join("config.yaml")),
    }
}

/// A missing file, or a directory that cannot hold one: what an optional file may be.
fn optional(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

/// Per-context safety settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextConfig {
    /// Refuse every mutation in this context, as `--readonly` does.
    #[serde(default)]
    pub readonly: bool,
    /// Mutations need the context name typed to confirm.
    #[serde(default)]
    pub protected: bool,
}

/// How often things are refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    /// Least time between two frames, in milliseconds.
    pub frame_ms: u64,
    /// Stop a watch nobody looked at for this many seconds.
    pub idle_watch_secs: u64,
    /// Read discovery again this often when CRDs cannot be watched (403).
    pub discovery_secs: u64,
    /// Ask metrics-server for the usage on screen no more often than this.
    pub metrics_secs: u64,
}

/// Thresholds of the usage percentages, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageLevels {
    /// At or above: the warning colour.
    pub warn: u32,
    /// At or above (of a limit or of a node's allocatable): the error colour.
    pub error: u32,
}

/// The effective configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Theme name or path.
    pub theme: String,
    /// Keymap name or path.
    pub keymap: String,
    /// The screen to start on: a command-line alias (`pods`, `deploy`, `nodes` …).
    pub default_screen: String,
    /// Log lines kept per log view.
    pub log_ring: usize,
    /// Capture the mouse (off: the terminal's own text selection keeps working).
    pub mouse: bool,
    /// Where copied text goes.
    pub clipboard: crate::clipboard::Target,
    /// Refresh settings.
    pub refresh: Refresh,
    /// Usage colour thresholds.
    pub usage: UsageLevels,
    /// The debug container's and node shell's image and namespace.
    pub debug: crate::app::pick::DebugSettings,
    /// Per-context settings by context name.
    pub contexts: BTreeMap<String, ContextConfig>,
    /// The file the user's settings came from, if one was read.
    pub file: Option<PathBuf>,
    /// The config directory themes and keymaps are looked up in.
    pub dir: Option<PathBuf>,
}

/// The config file as written: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    keymap: Option<String>,
    default_screen: Option<String>,
    log_ring: Option<usize>,
    mouse: Option<bool>,
    clipboard: Option<ClipboardFile>,
    refresh: Option<RefreshFile>,
    usage: Option<UsageLevels>,
    debug: Option<DebugFile>,
    contexts: Option<BTreeMap<String, ContextConfig>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DebugFile {
    image: Option<String>,
    node_namespace: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ClipboardFile {
    Osc52,
    System,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshFile {
    frame_ms: Option<u64>,
    idle_watch_secs: Option<u64>,
    discovery_secs: Option<u64>,
    metrics_secs: Option<u64>,
}

impl ConfigFile {
    fn over(self, mut c: Config) -> Config {
        if let Some(v) = self.theme {
            c.theme = v;
        }
        if let Some(v) = self.keymap {
            c.keymap = v;
        }
        if let Some(v) = self.default_screen {
            c.default_screen = v;
        }
        if let Some(v) = self.log_ring {
            c.log_ring = v;
        }
        if let Some(v) = self.mouse {
            c.mouse = v;
        }
        if let Some(v) = self.clipboard {
            c.clipboard = match v {
                ClipboardFile::Osc52 => crate::clipboard::Target::Osc52,
                ClipboardFile::System => crate::clipboard::Target::System,
            };
        }
        if let Some(r) = self.refresh {
            c.refresh.frame_ms = r.frame_ms.unwrap_or(c.refresh.frame_ms);
            c.refresh.idle_watch_secs = r.idle_watch_secs.unwrap_or(c.refresh.idle_watch_secs);
            c.refresh.discovery_secs = r.discovery_secs.unwrap_or(c.refresh.discovery_secs);
            c.refresh.metrics_secs = r.metrics_secs.unwrap_or(c.refresh.metrics_secs);
        }
        if let Some(u) = self.usage {
            c.usage = u;
        }
        if let Some(d) = self.debug {
            c.debug.image = d.image.unwrap_or(c.debug.image);
            c.debug.node_namespace = d.node_namespace.unwrap_or(c.debug.node_namespace);
        }
        c.contexts.extend(self.contexts.unwrap_or_default());
        c
    }
}

fn parse_file(text: &str, source: &Source) -> Result<ConfigFile, ConfigError> {
    // An empty file (or one with only comments) is an empty config, not an error.
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(ConfigFile::default());
    }
    let file: ConfigFile = serde_yaml::from_str(text).map_err(|e| ConfigError::yaml(source, &e))?;
    if let Some(r) = &file.refresh
        && r.frame_ms == Some(0)
    {
        return Err(ConfigError::Other {
            file: source.clone(),
            message: "refresh.frame_ms: must be at least 1".into(),
        });
    }
    if let Some(u) = &file.usage
        && (u.warn == 0 || u.error < u.warn)
    {
        return Err(ConfigError::Other {
            file: source.clone(),
            message: format!(
                "usage: warn ({}) must be above 0 and error ({}) at least warn",
                u.warn, u.error
            ),
        });
    }
    if let Some(d) = &file.debug {
        let bad = |v: &Option<String>| {
            v.as_ref()
                .is_some_and(|s| s.trim().is_empty() || s.contains(char::is_whitespace))
        };
        if bad(&d.image) || bad(&d.node_namespace) {
            return Err(ConfigError::Other {
                file: source.clone(),
                message: "debug: image and node_namespace must be single words (e.g. busybox:1.36, default)".into(),
            });
        }
    }
    if let Some(r) = &file.refresh
        && r.metrics_secs == Some(0)
    {
        return Err(ConfigError::Other {
            file: source.clone(),
            message: "refresh.metrics_secs: must be at least 1".into(),
        });
    }
    if let Some(r) = &file.refresh
        && r.discovery_secs == Some(0)
    {
        return Err(ConfigError::Other {
            file: source.clone(),
            message: "refresh.discovery_secs: must be at least 1".into(),
        });
    }
    Ok(file)
}

impl Default for Config {
    fn default() -> Config {
        let src = Source::Embedded("config/default.yaml".into());
        let bare = Config {
            theme: "default".into(),
            keymap: "default".into(),
            default_screen: "cp".into(),
            log_ring: 100_000,
            mouse: false,
            clipboard: crate::clipboard::Target::Osc52,
            refresh: Refresh {
                frame_ms: 33,
                idle_watch_secs: 120,
                discovery_secs: 300,
                metrics_secs: 15,
            },
            usage: UsageLevels { warn: 80, error: 100 },
            debug: Default::default(),
            contexts: BTreeMap::new(),
            file: None,
            dir: None,
        };
        parse_file(DEFAULT_CONFIG, &src)
            .unwrap_or_else(|e| panic!("{e}"))
            .over(bare)
    }
}

impl Config {
    /// The embedded defaults with the user's config file over them; a missing file or directory is
    /// no error (there is nothing kubedeck must write), a malformed one is.
    pub fn load(flag: Option<&Path>, get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let dir = config_dir(flag, &get);
        let file = config_file(flag, dir.as_deref());
        let config = Config {
            dir,
            ..Config::default()
        };
        let Some(path) = file else { return Ok(config) };
        let source = Source::File(path.clone());
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            // Only an explicit --config FILE must exist; config.yaml in a directory is optional.
            Err(e) if !flag.is_some_and(names_file) && optional(&e) => return Ok(config),
            Err(e) => return Err(ConfigError::io(&source, &e)),
        };
        let mut config = parse_file(&text, &source)?.over(config);
        config.file = Some(path);
        Ok(config)
    }

    /// The safety settings of a context (all off when the config does not name it).
    pub fn context(&self, name: &str) -> ContextConfig {
        self.contexts.get(name).copied().unwrap_or_default()
    }
}

/// Everything the front end takes from configuration, resolved once at start.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The config file's settings over the defaults.
    pub config: Config,
    /// The theme, degraded to the terminal's colour depth.
    pub theme: theme::Theme,
    /// The keymap.
    pub keymap: crate::app::keys::Keymap,
    /// Problems that were worked around (a theme or keymap that did not load), for toasts.
    pub notices: Vec<String>,
}

/// Resolve config, theme and keymap: flags over the config file over the defaults. A theme or
/// keymap that does not load falls back to the default with a notice; a bad config file is an error.
pub fn setup(
    config_flag: Option<&Path>,
    theme_flag: Option<&str>,
    keymap_flag: Option<&str>,
    get: impl Fn(&str) -> Option<String>,
) -> Result<Setup, ConfigError> {
    let config = Config::load(config_flag, &get)?;
    let dir = config.dir.as_deref();
    let mut notices = Vec::new();
    // NO_COLOR yields to an explicit choice (flag or config file), as no-color.org asks.
    let theme_spec = match theme_flag {
        Some(t) => t.to_string(),
        None if config.theme == "default" && theme::no_color(&get) => "mono".into(),
        None => config.theme.clone(),
    };
    let theme = theme::load(&theme_spec, dir).unwrap_or_else(|e| {
        notices.push(format!("theme not loaded, using the default: {e}"));
        theme::Theme::default()
    });
    let theme = theme.degrade(theme::detect_depth(&get));
    let keymap_spec = keymap_flag.map_or_else(|| config.keymap.clone(), String::from);
    let keymap = keymap::load(&keymap_spec, dir).unwrap_or_else(|e| {
        notices.push(format!("keymap not loaded, using the default: {e}"));
        keymap::builtin("default").expect("the default keymap is built in")
    });
    Ok(Setup {
        config,
        theme,
        keymap,
        notices,
    })
}

/// Read an environment variable (the `get` argument of the functions here, so tests pass their own).
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests;
