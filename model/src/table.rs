//! Server-side Tables (`meta.k8s.io/v1` `Table`): the columns the server chose for a resource, and
//! a table row as a compact [`Row`], for the kinds kubedeck has no printer of its own for.
//!
//! The server renders `type: date` cells (and AGE, which the built-in printers declare a `string`)
//! as ages at the moment it answers ("5m"), so a cached cell would freeze: AGE becomes the creation
//! time from the row's metadata, another date cell the receipt time less the age read back, and
//! both are drawn against the time of drawing.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde_json::Value;

use crate::printers::age::human_duration;
use crate::rows::{Row, Text};
use crate::{Res, Resource};

/// One column definition of a Table, as the server sends it (`TableColumnDefinition`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Column {
    /// Name as the server sends it ("Ready"); kubectl upper-cases it for the header.
    pub name: String,
    /// OpenAPI type: "string", "integer", "number", "boolean", "date".
    #[serde(rename = "type", default)]
    pub ty: String,
    /// OpenAPI format: "name" for the object-name column.
    #[serde(default)]
    pub format: String,
    /// 0 for normal columns; higher ones only `-o wide` shows.
    #[serde(default)]
    pub priority: i32,
}

impl Column {
    /// Whether this is the column of the object's name.
    pub fn is_name(&self) -> bool {
        self.format == "name"
    }

    /// Whether its cells are ages the server rendered at answer time: `date` columns (a CRD's), and
    /// AGE, which the built-in printers declare a `string`.
    pub fn is_time(&self) -> bool {
        self.ty == "date" || self.is_age()
    }

    /// Whether it is AGE, the age of the object's creation in every printer that has it.
    fn is_age(&self) -> bool {
        self.name == "Age"
    }
}

/// The columns a server without Table support gets, as kubectl prints such objects.
pub fn default_columns() -> Vec<Column> {
    let col = |name: &str, ty: &str, format: &str| Column {
        name: name.into(),
        ty: ty.into(),
        format: format.into(),
        priority: 0,
    };
    vec![col("Name", "string", "name"), col("Age", "date", "")]
}

/// The columns last received per resource: what the server said of it, like discovery.
static COLUMNS: RwLock<Option<HashMap<Res, Arc<[Column]>>>> = RwLock::new(None);

/// The server's columns for `res`, once a Table of it has been received.
pub fn columns(res: Res) -> Option<Arc<[Column]>> {
    let table = COLUMNS.read().unwrap_or_else(PoisonError::into_inner);
    table.as_ref()?.get(&res).cloned()
}

/// Keep `columns` as the server's columns for `res` (a Table's `columnDefinitions`).
pub fn set_columns(res: Res, columns: Arc<[Column]>) {
    let mut table = COLUMNS.write().unwrap_or_else(PoisonError::into_inner);
    let map = table.get_or_insert_with(HashMap::new);
    if map.get(&res) != Some(&columns) {
        map.insert(res, columns);
    }
}

/// Why `r` can have no list screen, if so: a list screen is a LIST then a WATCH, and discovery
/// says which verbs the server allows.
pub fn unlisted(r: &Resource) -> Option<String> {
    let missing: Vec<&str> = ["list", "watch"].into_iter().filter(|v| !r.can(v)).collect();
    if missing.is_empty() {
        return None;
    }
    let allowed = match r.verbs.is_empty() {
        true => "none".to_string(),
        false => r.verbs.join(", "),
    };
    Some(format!(
        "{} ({}) cannot be listed: the server does not allow {} on it (only {allowed})",
        r.kind,
        r.qualified(),
        missing.join(" or ")
    ))
}

/// A cell as kubectl prints it: strings up to the first line break (then "..."), numbers and
/// booleans as Go prints them, null as nothing.
pub fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => match s.find(['\n', '\r', '\x0c']) {
            Some(at) => format!("{}...", &s[..at]),
            None => s.clone(),
        },
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => n.as_f64().map(|f| f.to_string()).unwrap_or_else(|| n.to_string()),
        },
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Seconds in an age as `duration.HumanDuration` writes it ("3m20s", "5d2h", "2y45d"); None for
/// anything else ("<unknown>", "<invalid>", "").
pub fn parse_age(text: &str) -> Option<i64> {
    let mut total = 0i64;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits.parse().ok()?;
        digits.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'y' => 365 * 86_400,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    (digits.is_empty() && !text.is_empty()).then_some(total)
}

/// The stamp of a date cell received at `received` (Unix seconds): the creation time when the age
/// is the object's (to the second the server may have rounded across), else the receipt time less
/// the age; None when the text is no age.
fn date_stamp(text: &str, created: Option<i64>, received: i64) -> Option<i64> {
    let age = parse_age(text)?;
    if let Some(created) = created {
        let own = received - created;
        if (own - 1..=own + 1).any(|s| human_duration(s) == text) {
            return Some(created);
        }
    }
    Some(received - age)
}

/// One Table row (its cells and the `includeObject=Metadata` object's metadata) as a [`Row`]:
/// every cell, the name's too (the server may print more than the name there: a default
/// StorageClass is "standard (default)"), date cells as stamps; `received` is when the server
/// answered.
pub fn row_of(columns: &[Column], cells: &[Value], meta: &ObjectMeta, received: i64) -> Row {
    let created = meta.creation_timestamp.as_ref().map(|t| t.0.as_second());
    let mut name = meta.name.clone().unwrap_or_default();
    let mut texts = Vec::with_capacity(cells.len());
    let mut stamps = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let column = columns.get(i);
        let text = cell_text(cell);
        if name.is_empty() && column.is_some_and(Column::is_name) {
            name = text.clone();
        }
        let stamp = match column {
            // AGE is the creation time, in every printer kubectl and the apiextensions server
            // have: taken from the metadata, it owes nothing to when the answer arrived.
            Some(c) if c.is_age() && created.is_some() && parse_age(&text).is_some() => created,
            Some(c) if c.is_time() => date_stamp(&text, created, received),
            _ => None,
        };
        texts.push(if stamp.is_some() { Text::default() } else { text.into() });
        stamps.push(stamp);
    }
    let identity = Row::of_meta(meta);
    Row {
        // A server's own name cell stands in where the metadata has none.
        key: meta
            .uid
            .clone()
            .unwrap_or_else(|| format!("{}/{name}", identity.namespace)),
        name: name.into(),
        cells: texts,
        stamps: stamps.into(),
        ..identity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cols() -> Vec<Column> {
        serde_json::from_value(json!([
            {"name": "Name", "type": "string", "format": "name", "priority": 0},
            {"name": "Ready", "type": "string", "format": "", "priority": 0},
            {"name": "Renewals", "type": "integer", "format": "", "priority": 1},
            {"name": "Expires", "type": "date", "format": "", "priority": 0},
            {"name": "Age", "type": "string", "format": "", "priority": 0},
        ]))
        .unwrap()
    }

    #[test]
    fn ages_read_back_as_seconds() {
        assert_eq!(parse_age("45s"), Some(45));
        assert_eq!(parse_age("3m20s"), Some(200));
        assert_eq!(parse_age("5d2h"), Some(5 * 86_400 + 7200));
        assert_eq!(parse_age("2y45d"), Some(2 * 365 * 86_400 + 45 * 86_400));
        for bad in ["", "<unknown>", "<invalid>", "5", "3x"] {
            assert_eq!(parse_age(bad), None, "{bad}");
        }
    }

    #[test]
    fn cells_print_as_kubectl_prints_them() {
        assert_eq!(cell_text(&json!(null)), "");
        assert_eq!(cell_text(&json!(3)), "3");
        assert_eq!(cell_text(&json!(2.5)), "2.5");
        assert_eq!(cell_text(&json!(true)), "true");
        assert_eq!(cell_text(&json!("two\nlines")), "two...");
    }

    #[test]
    fn a_row_keeps_every_cell_and_turns_dates_into_stamps() {
        let meta: ObjectMeta = serde_json::from_value(json!({
            "name": "web-tls", "namespace": "shop", "uid": "u-1",
            "creationTimestamp": "2025-06-05T10:00:00Z", "labels": {"app": "web"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "owner-1"}]
        }))
        .unwrap();
        let created = 1_749_117_600; // 2025-06-05T10:00:00Z
        let received = created + 5 * 86_400 + 7200 + 30;
        let cells = [json!("web-tls"), json!("True"), json!(2), json!("3h"), json!("5d2h")];
        let row = row_of(&cols(), &cells, &meta, received);
        assert_eq!(
            (row.key.as_str(), row.namespace.as_str(), row.name.as_str()),
            ("u-1", "shop", "web-tls")
        );
        assert_eq!(row.cells, ["web-tls", "True", "2", "", ""]);
        // AGE is the object's own: its creation time, exact; another date: read back from its text.
        assert_eq!(
            row.stamps,
            crate::rows::Stamps::from(vec![None, None, None, Some(received - 3 * 3600), Some(created)])
        );
        assert_eq!(row.created, Some(created));
        assert_eq!(row.label("app"), Some("web"));
        assert_eq!(*row.owners, ["owner-1"]);
        // AGE from the metadata even when the answer is read late (here a minute after it was written).
        let young = [json!("web-tls"), json!("True"), json!(2), json!("3h"), json!("45s")];
        let late = row_of(&cols(), &young, &meta, created + 45 + 60);
        assert_eq!(late.stamp(4), Some(created));
        // A date cell that is no age keeps its text.
        let row = row_of(
            &cols(),
            &[json!("x"), json!(""), json!(null), json!("<unknown>"), json!("1s")],
            &meta,
            received,
        );
        assert_eq!(row.cells[3], "<unknown>");
        assert_eq!(row.stamp(3), None);
    }
}
