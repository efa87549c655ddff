//! How a log line reads as text: prefix, timestamp, JSON fields or indentation. Shared by drawing,
//! saving and copying, so a saved file matches the screen.

use serde_json::{Map, Value};

use super::{JsonMode, LogView};
use crate::cluster::logs::{Line, Target};

/// The file name the save prompt offers: "<name>.log" in the working directory.
pub fn default_file(target: &Target) -> String {
    let name = match target {
        Target::Pod {
            name,
            container: Some(c),
            ..
        } => format!("{name}-{c}"),
        Target::Pod { name, .. } | Target::Workload { name, .. } => name.clone(),
    };
    format!("{name}.log")
}

/// The prefix of a line's source: "pod container" (only the container for a single pod).
pub fn prefix(view: &LogView, line: &Line) -> String {
    match view.sources.get(line.source as usize) {
        Some(s) if matches!(view.target, Target::Pod { .. }) => s.container.clone(),
        Some(s) => format!("{} {}", s.pod, s.container),
        None => String::new(),
    }
}

/// The timestamp as the runtime wrote it (RFC 3339, trimmed nanoseconds).
pub fn stamp(line: &Line) -> String {
    line.ts
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.fZ").to_string())
        .unwrap_or_default()
}

/// The body rows of a line in the view's JSON mode (one row unless indented).
pub fn body(view: &LogView, line: &Line) -> Vec<String> {
    match view.json {
        JsonMode::Raw => vec![line.text.clone()],
        JsonMode::Fields => vec![fields(&line.text).unwrap_or_else(|| line.text.clone())],
        JsonMode::Indented => indented(&line.text).unwrap_or_else(|| vec![line.text.clone()]),
    }
}

fn object(text: &str) -> Option<Map<String, Value>> {
    let t = text.trim_start();
    if !t.starts_with('{') {
        return None;
    }
    match serde_json::from_str::<Value>(t) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// `LEVEL msg key=value …`: the level and message first, the other fields by key.
pub fn fields(text: &str) -> Option<String> {
    let m = object(text)?;
    let first = ["level", "lvl", "severity", "msg", "message"];
    let mut out = Vec::new();
    for k in first {
        if let Some(v) = m.get(k) {
            out.push(match (k, v) {
                ("level" | "lvl" | "severity", Value::String(s)) => format!("{:<5}", s.to_uppercase()),
                (_, Value::String(s)) => s.clone(),
                (_, v) => v.to_string(),
            });
        }
    }
    for (k, v) in &m {
        if first.contains(&k.as_str()) {
            continue;
        }
        let v = match v {
            Value::String(s) if s.contains(' ') => format!("{s:?}"),
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        out.push(format!("{k}={v}"));
    }
    Some(out.join("  "))
}

/// The object indented over several rows.
pub fn indented(text: &str) -> Option<Vec<String>> {
    let m = object(text)?;
    let s = serde_json::to_string_pretty(&Value::Object(m)).ok()?;
    Some(s.lines().map(String::from).collect())
}

/// What says a line was cut: ` … 19,922,944 more bytes` (None for a whole line).
pub fn cut_marker(line: &Line) -> Option<String> {
    (line.cut > 0).then(|| format!(" … {} more bytes", thousands(line.cut)))
}

/// `n` with thousands separators: 19,922,944.
pub fn thousands(n: u64) -> String {
    model::watch_status::thousands(n as usize)
}

/// A line as plain text (copy and save): prefix and timestamp when shown, then the body rows.
pub fn plain(view: &LogView, seq: u64) -> String {
    let Some(line) = view.ring.get(seq) else {
        return String::new();
    };
    let mut head = String::new();
    if view.show_prefix() {
        head.push_str(&prefix(view, line));
        head.push(' ');
    }
    if view.timestamps {
        head.push_str(&stamp(line));
        head.push(' ');
    }
    let mut text = body(view, line)
        .iter()
        .map(|row| format!("{head}{row}"))
        .collect::<Vec<_>>()
        .join("\n");
    // A saved or copied cut line says so, as the screen does.
    text.push_str(&cut_marker(line).unwrap_or_default());
    text
}

/// The text of a saved file: the shown (filtered) lines, or the whole buffer; and how many lines.
pub fn export(view: &LogView, shown_only: bool) -> (String, usize) {
    let seqs: Vec<u64> = if shown_only {
        (0..view.len()).filter_map(|i| view.seq_at(i)).collect()
    } else {
        view.ring.iter().map(|(s, _)| s).collect()
    };
    let mut out = String::new();
    for &s in &seqs {
        out.push_str(&plain(view, s));
        out.push('\n');
    }
    (out, seqs.len())
}

/// The OSC 52 escape that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_wraps_base64_in_the_escape() {
        assert_eq!(osc52("hi\n"), "\x1b]52;c;aGkK\x07");
    }

    #[test]
    fn json_fields_put_level_and_message_first() {
        let t = r#"{"ts":"x","level":"warn","msg":"slow upstream response","latency_ms":12,"who":"a b"}"#;
        assert_eq!(
            fields(t).unwrap(),
            "WARN   slow upstream response  latency_ms=12  ts=x  who=\"a b\""
        );
        assert_eq!(fields("plain text"), None);
        assert_eq!(fields("{not json"), None);
        let rows = indented(r#"{"a":1,"b":"c"}"#).unwrap();
        assert_eq!(rows, vec!["{", "  \"a\": 1,", "  \"b\": \"c\"", "}"]);
    }
}
