//! The keys and values of a ConfigMap or Secret: read from the object, listed as rows (KEY, SIZE,
//! VALUE), and written out as lines a terminal can take. Secret values are masked unless revealed,
//! and their type prints no value in `Debug`, so no log line can carry one.

use base64::Engine;
use serde_json::Value;

use super::extra::Data;
use crate::cluster::ops::ObjRef;
use crate::cluster::rows::Row;

/// What a masked value shows instead of the value.
pub const MASK: &str = "••••••";

/// A value's bytes; `Debug` says only how many, so that a logged state or input never shows one.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Hidden(pub Vec<u8>);

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

/// The keys view of one ConfigMap or Secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Keys {
    /// The object.
    pub target: ObjRef,
    /// A Secret's (masked) or a ConfigMap's values.
    pub data: Data,
    /// Each key and its value, sorted by key.
    pub values: Vec<(String, Hidden)>,
    /// Why the object could not be had.
    pub error: Option<String>,
    /// Secret values shown in the VALUE column (`x`).
    pub reveal: bool,
}

impl Keys {
    /// A keys view of `target` whose object is on its way.
    pub fn loading(target: ObjRef, data: Data) -> Keys {
        Keys {
            target,
            data,
            values: Vec::new(),
            error: None,
            reveal: false,
        }
    }

    /// Whether VALUE shows masks.
    pub fn masked(&self) -> bool {
        self.data == Data::Secret && !self.reveal
    }

    /// The rows of the list: KEY, then SIZE and VALUE (a preview of its first line).
    pub fn rows(&self) -> Vec<Row> {
        self.values
            .iter()
            .map(|(k, v)| Row {
                key: k.clone(),
                name: k.clone().into(),
                cells: vec![v.0.len().to_string().into(), preview(v, self.masked()).into()],
                ..Default::default()
            })
            .collect()
    }

    /// The value of `key`.
    pub fn value(&self, key: &str) -> Option<&Hidden> {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// The keys and values of a ConfigMap (`data`, `binaryData`) or Secret (`data` decoded, `stringData`),
/// sorted by key, as kubectl describe lists them.
pub fn values(obj: &Value, data: Data) -> Vec<(String, Hidden)> {
    let b64 = |v: &Value| {
        let text = v.as_str().unwrap_or_default();
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap_or_else(|_| text.as_bytes().to_vec())
    };
    let plain = |v: &Value| v.as_str().unwrap_or_default().as_bytes().to_vec();
    type Read<'a> = &'a dyn Fn(&Value) -> Vec<u8>;
    let fields: [(&str, Read); 2] = if data == Data::Secret {
        [("data", &b64), ("stringData", &plain)]
    } else {
        [("data", &plain), ("binaryData", &b64)]
    };
    let mut out: Vec<(String, Hidden)> = Vec::new();
    for (field, read) in fields {
        for (k, v) in obj[field].as_object().into_iter().flatten() {
            out.push((k.clone(), Hidden(read(v))));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The VALUE cell: the mask, or the first line (control characters escaped, cut at 200 characters,
/// `…` when more follows), or `<binary>`.
pub fn preview(v: &Hidden, masked: bool) -> String {
    if masked {
        return MASK.into();
    }
    let Some(text) = text(v) else {
        return "<binary>".into();
    };
    let first = text.lines().next().unwrap_or_default();
    let escaped = escape(first);
    let mut out: String = escaped.chars().take(200).collect();
    if out.len() < escaped.len() || text.trim_end_matches(['\n', '\r']).len() > first.len() {
        out.push('…');
    }
    out
}

/// A value as lines for the value view: text with control characters written as escapes (so that
/// none reaches the terminal) and tabs as spaces, or a hex dump of binary data.
pub fn lines(v: &Hidden) -> Vec<String> {
    match text(v) {
        Some(text) => text.lines().map(escape).collect(),
        None => hex(&v.0),
    }
}

/// The value as text, unless it is binary: not UTF-8, or holding a NUL (as `file` and git decide).
fn text(v: &Hidden) -> Option<&str> {
    std::str::from_utf8(&v.0).ok().filter(|t| !t.contains('\0'))
}

/// The masked form of a value in the value view.
pub fn masked_lines(v: &Hidden) -> Vec<String> {
    vec![format!("{MASK}  ({} bytes; x reveals)", v.0.len())]
}

/// Every key and value as lines: `key: value`, or `key: |` and the value's lines indented.
pub fn all_lines(values: &[(String, Hidden)], masked: bool) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in values {
        let key = escape(k);
        let body = if masked { masked_lines(v) } else { lines(v) };
        match body.as_slice() {
            [one] => out.push(format!("{key}: {one}")),
            _ => {
                out.push(format!("{key}: |"));
                out.extend(body.into_iter().map(|l| format!("  {l}")));
            }
        }
    }
    out
}

/// Control characters as escapes (`\u{1b}`), tabs as four spaces.
fn escape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\t' => out.push_str("    "),
            c if c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// `hexdump -C`: offset, 16 bytes in hex, the printable ones as text.
fn hex(bytes: &[u8]) -> Vec<String> {
    let mut out = vec![format!("binary data, {} bytes", bytes.len())];
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let text: String = chunk
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push(format!("{:08x}  {:<47}  |{text}|", i * 16, hex.join(" ")));
    }
    out
}
