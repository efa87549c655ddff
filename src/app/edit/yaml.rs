//! The editor's text and the object it stands for: the YAML shown (managedFields hidden, as
//! `kubectl edit` hides them), reading it back with the place of an error, and what may be sent.

use base64::Engine;
use serde_json::Value;

/// A problem with the text, and where it is (1-based line and column) when that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong, in words.
    pub message: String,
    /// Line and column, 1-based.
    pub at: Option<(usize, usize)>,
}

impl Problem {
    fn new(message: impl Into<String>) -> Problem {
        Problem {
            message: message.into(),
            at: None,
        }
    }

    /// The message, with its place in front when known.
    pub fn text(&self) -> String {
        match self.at {
            Some((l, c)) => format!("line {l}, column {c}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// The object without what the editor hides: `metadata.managedFields`.
pub fn without_managed(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    v
}

/// Whether the object is a Secret (core group).
pub fn is_secret(obj: &Value) -> bool {
    obj["kind"] == "Secret" && obj["apiVersion"] == "v1"
}

/// The object as the editor shows it: managedFields hidden and, for a Secret, every `data` value
/// that is text decoded into `stringData` (the user never edits base64; binary values stay in `data`).
pub fn for_editing(obj: &Value) -> Value {
    let mut v = without_managed(obj);
    if !is_secret(&v) {
        return v;
    }
    let Some(data) = v.get("data").and_then(Value::as_object).cloned() else {
        return v;
    };
    let (mut text, mut binary) = (serde_json::Map::new(), serde_json::Map::new());
    for (k, val) in data {
        let decoded = val
            .as_str()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|b| String::from_utf8(b).ok());
        match decoded {
            Some(t) => text.insert(k, Value::String(t)),
            None => binary.insert(k, val),
        };
    }
    let m = v.as_object_mut().expect("an object has a kind");
    m.remove("data");
    if !binary.is_empty() {
        m.insert("data".into(), Value::Object(binary));
    }
    if !text.is_empty() {
        let mut string_data = m
            .get("stringData")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        string_data.extend(text);
        m.insert("stringData".into(), Value::Object(string_data));
    }
    v
}

/// The edited object as the server takes it: a Secret's `stringData` encoded back into `data`.
pub fn from_editing(edited: &Value) -> Value {
    let mut v = edited.clone();
    if !is_secret(&v) {
        return v;
    }
    let Some(m) = v.as_object_mut() else { return v };
    let Some(Value::Object(text)) = m.remove("stringData") else {
        return v;
    };
    let mut data = m.get("data").and_then(Value::as_object).cloned().unwrap_or_default();
    for (k, t) in text {
        let plain = t.as_str().map_or_else(|| t.to_string(), str::to_string);
        data.insert(
            k,
            Value::String(base64::engine::general_purpose::STANDARD.encode(plain)),
        );
    }
    m.insert("data".into(), Value::Object(data));
    v
}

/// A Secret's values masked for a diff: every `data` value of `from` masked, and of `to` masked too
/// but marked where it differs from `from` (so the diff says which keys change, not to what).
pub fn masked_pair(from: &Value, to: &Value) -> (Value, Value) {
    const MASK: &str = crate::app::text::MASK;
    let (mut a, mut b) = (from.clone(), to.clone());
    let before = from["data"].as_object().cloned().unwrap_or_default();
    if let Some(d) = a.get_mut("data").and_then(Value::as_object_mut) {
        d.values_mut().for_each(|v| *v = Value::String(MASK.into()));
    }
    if let Some(d) = b.get_mut("data").and_then(Value::as_object_mut) {
        for (k, v) in d.iter_mut() {
            let same = before.get(k) == Some(v);
            *v = Value::String(if same { MASK.into() } else { format!("{MASK} (changed)") });
        }
    }
    (a, b)
}

/// The text the editor opens with.
pub fn editable(obj: &Value) -> String {
    serde_yaml::to_string(&for_editing(obj)).unwrap_or_default()
}

/// Read the text back as an object; an error names the line and column.
pub fn parse(text: &str) -> Result<Value, Problem> {
    let v: Value = serde_yaml::from_str(text).map_err(|e| Problem {
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
        at: e.location().map(|l| (l.line(), l.column())),
    })?;
    if !v.is_object() {
        return Err(Problem::new(
            "the text is not a YAML mapping (an object with apiVersion, kind, metadata …)",
        ));
    }
    Ok(v)
}

/// The 1-based line of the first `key:` at `indent` spaces after `after` (a line index), for
/// pointing at a field an error names.
fn line_of_key(text: &str, key: &str, indent: usize) -> Option<usize> {
    let want = format!("{}{key}:", " ".repeat(indent));
    text.lines().position(|l| l.starts_with(&want)).map(|i| i + 1)
}

/// Where the field a server cause names (`spec.template.spec.containers[0].name`) is written in the
/// text (1-based line and column), as far as it can be followed (the deepest part found).
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    // A key on line `i` at or after column `min`, list dashes skipped: its column.
    let key_at = |i: usize, key: &str, min: usize| -> Option<usize> {
        let line = lines[i];
        let mut col = indent(line);
        while line[col..].starts_with("- ") {
            col += 2;
        }
        (col >= min && line[col..].starts_with(&format!("{key}:"))).then_some(col)
    };
    let (mut from, mut min, mut found) = (0usize, 0usize, None);
    for seg in path.split('.') {
        let (key, rest) = seg.split_once('[').map_or((seg, ""), |(k, r)| (k, r));
        let idxs: Vec<usize> = rest
            .split('[')
            .filter_map(|r| r.trim_end_matches(']').parse().ok())
            .collect();
        let mut hit = None;
        for (i, line) in lines.iter().enumerate().skip(from) {
            if i > from && !line.trim().is_empty() && indent(line) < min {
                break;
            }
            if let Some(col) = key_at(i, key, min) {
                hit = Some((i, col));
                break;
            }
        }
        let Some((i, col)) = hit else { return found };
        found = Some((i + 1, col + 1));
        (from, min) = (i + 1, col + 1);
        for idx in idxs {
            // Items of a list under a key start with `- ` at the key's column or deeper.
            let items: Vec<usize> = (from..lines.len())
                .take_while(|&j| lines[j].trim().is_empty() || indent(lines[j]) >= col)
                .filter(|&j| {
                    lines[j].trim_start().starts_with("- ")
                        && indent(lines[j]) == indent(lines[from.min(lines.len() - 1)])
                })
                .collect();
            let Some(&j) = items.get(idx) else { return found };
            found = Some((j + 1, indent(lines[j]) + 1));
            (from, min) = (j, indent(lines[j]) + 2);
        }
    }
    found
}

/// What the edited object may not change, checked against the object opened: the answer says
/// which field and what it was (kubectl edit refuses the same).
pub fn check_identity(opened: &Value, edited: &Value, text: &str) -> Result<(), Problem> {
    let fields: [(&str, &[&str], usize); 4] = [
        ("apiVersion", &["apiVersion"], 0),
        ("kind", &["kind"], 0),
        ("metadata.name", &["metadata", "name"], 2),
        ("metadata.namespace", &["metadata", "namespace"], 2),
    ];
    for (name, path, indent) in fields {
        let get = |v: &Value| {
            path.iter()
                .fold(v.clone(), |v, k| v.get(*k).cloned().unwrap_or(Value::Null))
        };
        let (was, now) = (get(opened), get(edited));
        // A namespace left out is the one of the object (the request's path says it).
        if name == "metadata.namespace" && now.is_null() {
            continue;
        }
        if was != now {
            let show = |v: &Value| v.as_str().map_or_else(|| v.to_string(), |s| format!("\"{s}\""));
            return Err(Problem {
                message: format!(
                    "{name} may not change (was {}, now {}): the editor saves the object it opened; \
                     to make another one, use :apply",
                    show(&was),
                    show(&now)
                ),
                at: line_of_key(text, path[path.len() - 1], indent).map(|l| (l, indent + 1)),
            });
        }
    }
    Ok(())
}

/// The object to PUT: the edited one with the `resourceVersion` fetched (so a change made on the
/// server meanwhile is a 409, never overwritten), and the live `status` (a PUT of a kind without a
/// status subresource replaces status too: leaving it out would wipe it). Also says whether the
/// user's changes to status were set aside.
pub fn to_send(opened: &Value, edited: &Value) -> (Value, bool) {
    let mut out = edited.clone();
    let status_edited = edited.get("status") != opened.get("status");
    match opened.get("status") {
        Some(s) => out["status"] = s.clone(),
        None => {
            out.as_object_mut().map(|m| m.remove("status"));
        }
    }
    if let Some(rv) = opened.pointer("/metadata/resourceVersion") {
        out["metadata"]["resourceVersion"] = rv.clone();
    }
    if let Some(m) = out.get_mut("metadata").and_then(Value::as_object_mut) {
        // Left out of an update, managedFields are kept by the server as they are.
        m.remove("managedFields");
    }
    (out, status_edited)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "7", "managedFields": [{"manager": "kubectl"}]},
            "spec": {"replicas": 2}, "status": {"replicas": 2}})
    }

    #[test]
    fn the_text_hides_managed_fields_and_reads_back() {
        let text = editable(&deploy());
        assert!(!text.contains("managedFields"), "{text}");
        assert_eq!(parse(&text).unwrap(), without_managed(&deploy()));
    }

    #[test]
    fn a_secret_is_edited_as_decoded_text_and_encoded_back() {
        let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
            "data": {"password": "aHVudGVyMg==", "blob": "/w=="}});
        let shown = editable(&secret);
        assert!(shown.contains("password: hunter2"), "{shown}");
        assert!(shown.contains("blob: /w=="), "binary stays base64: {shown}");
        let edited = parse(&shown.replace("hunter2", "s3cret")).unwrap();
        let back = from_editing(&edited);
        assert_eq!(back["data"], json!({"password": "czNjcmV0", "blob": "/w=="}));
        assert!(back.get("stringData").is_none());
        assert_eq!(from_editing(&parse(&shown).unwrap()), without_managed(&secret));
        let (a, b) = masked_pair(&secret, &back);
        let (a, b) = (a.to_string(), b.to_string());
        assert!(!a.contains("aHVudGVyMg") && !b.contains("czNjcmV0"), "{a} {b}");
        assert!(b.contains("(changed)"), "{b}");
    }

    #[test]
    fn a_cause_s_field_is_found_in_the_text() {
        let text = "apiVersion: apps/v1\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  template:\n    spec:\n      containers:\n      - image: a\n        name: one\n      - image: b\n        name: Two_2\n";
        assert_eq!(locate(text, "spec.replicas"), Some((5, 3)));
        assert_eq!(locate(text, "spec.template.spec.containers[1].name"), Some((12, 9)));
        assert_eq!(locate(text, "spec.template.spec.containers[0].image"), Some((9, 9)));
        assert_eq!(locate(text, "spec.nothing"), Some((4, 1)), "as deep as it goes");
        assert_eq!(locate(text, "status"), None);
    }

    #[test]
    fn a_yaml_error_names_line_and_column() {
        let p = parse("kind: Deployment\nmetadata:\n  name: [web\n").unwrap_err();
        assert!(p.at.is_some(), "{p:?}");
        assert!(p.text().starts_with("line "), "{}", p.text());
        assert!(parse("- a\n- b\n").is_err());
    }

    #[test]
    fn identity_fields_may_not_change() {
        let mut edited = without_managed(&deploy());
        edited["metadata"]["name"] = json!("web2");
        let text = serde_yaml::to_string(&edited).unwrap();
        let p = check_identity(&deploy(), &edited, &text).unwrap_err();
        assert!(p.message.contains("metadata.name may not change"), "{p:?}");
        assert!(p.message.contains("\"web\""), "{p:?}");
        assert_eq!(
            p.at.map(|a| a.0),
            text.lines().position(|l| l == "  name: web2").map(|i| i + 1)
        );
        let mut ns_left_out = without_managed(&deploy());
        ns_left_out["metadata"].as_object_mut().unwrap().remove("namespace");
        assert!(check_identity(&deploy(), &ns_left_out, "").is_ok());
    }

    #[test]
    fn what_is_sent_carries_the_live_status_and_the_fetched_version() {
        let mut edited = without_managed(&deploy());
        edited["status"] = json!({"replicas": 9});
        edited["metadata"]["resourceVersion"] = json!("99");
        edited["spec"]["replicas"] = json!(5);
        let (sent, status_edited) = to_send(&deploy(), &edited);
        assert!(status_edited);
        assert_eq!(sent["status"], json!({"replicas": 2}));
        assert_eq!(sent["metadata"]["resourceVersion"], json!("7"));
        assert_eq!(sent["spec"]["replicas"], json!(5));
        let mut gone = without_managed(&deploy());
        gone.as_object_mut().unwrap().remove("status");
        let (sent, _) = to_send(&deploy(), &gone);
        assert_eq!(sent["status"], json!({"replicas": 2}), "status is never wiped");
    }
}
