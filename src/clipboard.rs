//! Copy text to the user's clipboard from anywhere kubedeck runs: OSC 52 travels through SSH and
//! tmux to the terminal on the user's desk; a local display's clipboard tool is the other option.

use std::io::{self, Write};
use std::process::{Command, Stdio};

use base64::Engine;

/// Terminals cap OSC 52 payloads (xterm: 100,000 bytes of base64); longer text is refused, not cut.
pub const MAX_BYTES: usize = 74_000;

/// How to reach the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The OSC 52 escape sequence, written to the terminal.
    Osc52,
    /// A clipboard program of the local display (wl-copy, xclip, xsel, pbcopy).
    System,
}

/// The OSC 52 sequence that puts `text` on the clipboard. Under GNU screen (TERM=screen*, not
/// tmux) it is wrapped in a DCS passthrough, which screen needs; tmux takes plain OSC 52 from
/// programs and passes it on when its `set-clipboard` option is `on`.
pub fn osc52(text: &str, get: impl Fn(&str) -> Option<String>) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let seq = format!("\x1b]52;c;{b64}\x07");
    let in_tmux = get("TMUX").is_some_and(|v| !v.is_empty());
    let in_screen = get("TERM").is_some_and(|t| t.starts_with("screen")) && !in_tmux;
    if in_screen { format!("\x1bP{seq}\x1b\\") } else { seq }
}

/// The clipboard program for the local display, if there is a display.
pub fn system_tool(get: impl Fn(&str) -> Option<String>) -> Option<(&'static str, &'static [&'static str])> {
    let set = |k: &str| get(k).is_some_and(|v| !v.is_empty());
    if cfg!(target_os = "macos") {
        Some(("pbcopy", &[]))
    } else if set("WAYLAND_DISPLAY") {
        Some(("wl-copy", &[]))
    } else if set("DISPLAY") {
        Some(("xclip", &["-selection", "clipboard"]))
    } else {
        None
    }
}

/// Copy `text`; Ok(what was used) or an error that says why nothing was copied.
pub fn copy(text: &str, target: Target) -> io::Result<&'static str> {
    if text.len() > MAX_BYTES {
        return Err(io::Error::other(format!(
            "{} bytes is more than a terminal clipboard takes ({MAX_BYTES})",
            text.len()
        )));
    }
    let env = |k: &str| std::env::var(k).ok();
    if target == Target::System
        && let Some((prog, args)) = system_tool(env)
    {
        let mut child = Command::new(prog)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(text.as_bytes())?;
        }
        child.wait()?;
        return Ok(prog);
    }
    let mut out = io::stdout();
    out.write_all(osc52(text, env).as_bytes())?;
    out.flush()?;
    Ok("OSC 52")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn osc52_is_base64_of_the_text_and_wrapped_only_for_screen() {
        let plain = osc52("shop/web-1", env(&[("TERM", "xterm-256color")]));
        assert_eq!(plain, "\x1b]52;c;c2hvcC93ZWItMQ==\x07");
        let tmux = osc52(
            "shop/web-1",
            env(&[("TERM", "screen-256color"), ("TMUX", "/tmp/t,1,0")]),
        );
        assert_eq!(tmux, plain, "tmux forwards plain OSC 52");
        let screen = osc52("shop/web-1", env(&[("TERM", "screen")]));
        assert_eq!(screen, format!("\x1bP{plain}\x1b\\"));
    }

    #[test]
    fn system_clipboard_needs_a_display() {
        if cfg!(target_os = "macos") {
            return;
        }
        assert_eq!(system_tool(env(&[])), None);
        assert_eq!(
            system_tool(env(&[("WAYLAND_DISPLAY", "wayland-0")])).unwrap().0,
            "wl-copy"
        );
        assert_eq!(system_tool(env(&[("DISPLAY", ":0")])).unwrap().0, "xclip");
    }

    #[test]
    fn oversized_text_is_refused_not_cut() {
        let err = copy(&"x".repeat(MAX_BYTES + 1), Target::Osc52).unwrap_err();
        assert!(
            err.to_string().contains("more than a terminal clipboard takes"),
            "{err}"
        );
    }
}
