//! Tables for custom objects, as the apiextensions server's table convertor builds them: a Name
//! column, then the served version's `additionalPrinterColumns` evaluated by JSONPath.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::{Column, Custom, jsonpath};
use model::printers::age::{human_duration, seconds_between};

/// The column definitions: Name, then the CRD's columns.
pub fn column_defs(c: &Custom) -> Vec<Value> {
    let mut out = vec![json!({"name": "Name", "type": "string", "format": "name",
        "description": model::printers::NAME_DESC, "priority": 0})];
    out.extend(c.columns.iter().map(|col| {
        json!({"name": col.name, "type": col.ty, "format": col.format,
            "description": col.description, "priority": col.priority})
    }));
    out
}

/// `cellForJSONValue`: a typed cell, or null when the value does not fit the column's type.
fn cell(col: &Column, v: &Value, now: Timestamp) -> Value {
    match (col.ty.as_str(), v) {
        ("string", _) => json!(jsonpath::text(v)),
        ("integer", Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map_or(Value::Null, |i| json!(i)),
        ("number", Value::Number(n)) => n.as_f64().map_or(Value::Null, |f| json!(f)),
        ("boolean", Value::Bool(b)) => json!(b),
        ("date", Value::String(s)) => json!(date_cell(s, now)),
        _ => Value::Null,
    }
}

/// `ConvertToHumanReadableDateType`: an age such as "5d2h" at the moment the server answers.
fn date_cell(s: &str, now: Timestamp) -> String {
    if s.is_empty() || s == "null" {
        return "<unknown>".into();
    }
    match s.parse::<Timestamp>() {
        Ok(t) => human_duration(seconds_between(t, now)),
        Err(_) => "<invalid>".into(),
    }
}

/// The cells of one object's row.
pub fn cells(c: &Custom, item: &Value, now: Timestamp) -> Vec<Value> {
    let mut out = vec![json!(item["metadata"]["name"].as_str().unwrap_or_default())];
    out.extend(c.columns.iter().map(|col| match jsonpath::first(&col.json_path, item) {
        Some(v) if !v.is_null() => cell(col, v, now),
        _ => Value::Null,
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert_columns() -> Custom {
        let col = |name: &str, ty: &str, path: &str, priority: i64| Column {
            name: name.into(),
            ty: ty.into(),
            format: String::new(),
            description: String::new(),
            priority,
            json_path: path.into(),
        };
        Custom {
            crd: "certificates.cert-manager.io".into(),
            list_kind: "CertificateList".into(),
            columns: vec![
                col("Ready", "string", r#".status.conditions[?(@.type=="Ready")].status"#, 0),
                col("Secret", "string", ".spec.secretName", 0),
                col("Renewals", "integer", ".status.renewals", 1),
                col("Age", "date", ".metadata.creationTimestamp", 0),
            ],
            scale: None,
        }
    }

    #[test]
    fn cells_follow_the_column_types() {
        let now: Timestamp = "2025-06-10T12:00:00Z".parse().unwrap();
        let item = json!({"metadata": {"name": "web-tls", "creationTimestamp": "2025-06-05T10:00:00Z"},
            "spec": {"secretName": "web-tls"}, "status": {"renewals": 2.0,
            "conditions": [{"type": "Ready", "status": "True"}]}});
        assert_eq!(
            cells(&cert_columns(), &item, now),
            vec![
                json!("web-tls"),
                json!("True"),
                json!("web-tls"),
                json!(2),
                json!("5d2h")
            ]
        );
        let bare = json!({"metadata": {"name": "x", "creationTimestamp": "garbage"}, "spec": {"secretName": 7}});
        assert_eq!(
            cells(&cert_columns(), &bare, now),
            vec![json!("x"), Value::Null, json!("7"), Value::Null, json!("<invalid>")]
        );
        let defs = column_defs(&cert_columns());
        assert_eq!(defs[0]["format"], "name");
        assert_eq!(defs[3]["priority"], 1);
    }
}
