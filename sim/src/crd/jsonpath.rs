//! The JSONPath subset printer columns and scale paths use, evaluated as client-go's `jsonpath`
//! does with missing keys allowed: fields, `[n]`, `[*]`, `.*`, `['key']` and filters such as
//! `[?(@.type=="Ready")]`.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    All,
    Filter {
        path: Vec<Step>,
        op: Option<(String, Value)>,
    },
}

fn parse_filter(body: &str) -> Option<Step> {
    let body = body.trim();
    let ops = ["==", "!=", "<=", ">=", "<", ">"];
    let (lhs, op) = match ops.iter().find_map(|o| body.find(o).map(|i| (i, *o))) {
        Some((i, o)) => {
            let lit = body[i + o.len()..].trim();
            let value = if (lit.starts_with('"') && lit.ends_with('"') || lit.starts_with('\'') && lit.ends_with('\''))
                && lit.len() >= 2
            {
                Value::String(lit[1..lit.len() - 1].to_string())
            } else {
                serde_json::from_str(lit).ok()?
            };
            (body[..i].trim(), Some((o.to_string(), value)))
        }
        None => (body, None),
    };
    let path = parse(lhs.strip_prefix('@')?)?;
    Some(Step::Filter { path, op })
}

fn parse(path: &str) -> Option<Vec<Step>> {
    let p = path.trim();
    let p = p.strip_prefix('{').and_then(|x| x.strip_suffix('}')).unwrap_or(p);
    let p = p.strip_prefix('$').unwrap_or(p);
    let b = p.as_bytes();
    let mut i = 0;
    let mut steps = Vec::new();
    while i < b.len() {
        match b[i] {
            b'.' => {
                i += 1;
                if b.get(i) == Some(&b'.') {
                    // Recursive descent is not used by printer columns; treat it as unsupported.
                    return None;
                }
                let start = i;
                while i < b.len() && b[i] != b'.' && b[i] != b'[' {
                    i += 1;
                }
                match &p[start..i] {
                    "" => {}
                    "*" => steps.push(Step::All),
                    name => steps.push(Step::Field(name.to_string())),
                }
            }
            b'[' => {
                let close = if p[i..].starts_with("[?(") {
                    i + p[i..].find(")]")? + 1
                } else {
                    i + p[i..].find(']')?
                };
                let inner = &p[i + 1..close];
                steps.push(
                    if let Some(f) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
                        parse_filter(f)?
                    } else if inner == "*" {
                        Step::All
                    } else if (inner.starts_with('\'') || inner.starts_with('"')) && inner.len() >= 2 {
                        Step::Field(inner[1..inner.len() - 1].to_string())
                    } else {
                        Step::Index(inner.trim().parse().ok()?)
                    },
                );
                i = close + 1;
            }
            _ => {
                // A leading bare name, as in `metadata.name`.
                let start = i;
                while i < b.len() && b[i] != b'.' && b[i] != b'[' {
                    i += 1;
                }
                steps.push(Step::Field(p[start..i].to_string()));
            }
        }
    }
    Some(steps)
}

fn compare(a: &Value, op: &str, b: &Value) -> bool {
    match op {
        "==" => a == b || a.as_f64().zip(b.as_f64()).is_some_and(|(x, y)| x == y),
        "!=" => !compare(a, "==", b),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => match op {
                "<" => x < y,
                ">" => x > y,
                "<=" => x <= y,
                _ => x >= y,
            },
            _ => false,
        },
    }
}

fn eval<'a>(steps: &[Step], root: &'a Value) -> Vec<&'a Value> {
    let mut cur = vec![root];
    for s in steps {
        let mut next = Vec::new();
        for v in cur {
            match s {
                Step::Field(name) => next.extend(v.get(name.as_str())),
                Step::Index(n) => {
                    if let Some(a) = v.as_array() {
                        let idx = if *n < 0 { a.len() as i64 + n } else { *n };
                        next.extend(usize::try_from(idx).ok().and_then(|i| a.get(i)));
                    }
                }
                Step::All => match v {
                    Value::Array(a) => next.extend(a.iter()),
                    Value::Object(m) => next.extend(m.values()),
                    _ => {}
                },
                Step::Filter { path, op } => {
                    for item in v.as_array().into_iter().flatten() {
                        let found = eval(path, item);
                        let keep = match op {
                            None => !found.is_empty(),
                            Some((o, lit)) => found.first().is_some_and(|x| compare(x, o, lit)),
                        };
                        if keep {
                            next.push(item);
                        }
                    }
                }
            }
        }
        cur = next;
    }
    cur
}

/// The first value `path` finds in `v`; `None` when nothing matches or the path does not parse.
pub fn first<'a>(path: &str, v: &'a Value) -> Option<&'a Value> {
    eval(&parse(path)?, v).into_iter().next()
}

/// A value as jsonpath's text output prints it: strings bare, numbers and booleans as Go's `%v`,
/// maps and lists in Go's `map[k:v]` / `[a b]` form.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(text).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => format!(
            "map[{}]",
            m.iter()
                .map(|(k, x)| format!("{k}:{}", text(x)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// Sets the value at a plain dotted path (`.spec.replicas`), creating objects on the way.
pub fn set(path: &str, root: &mut Value, value: Value) {
    let mut cur = root;
    for seg in path.trim_start_matches('.').split('.').filter(|s| !s.is_empty()) {
        if !cur.is_object() {
            *cur = Value::Object(Default::default());
        }
        cur = &mut cur[seg];
    }
    *cur = value;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn column_paths_evaluate_like_client_go() {
        let v = json!({"spec": {"secretName": "tls", "n": 3, "l": [1, 2, 3]},
            "status": {"conditions": [{"type": "Issuing", "status": "False"}, {"type": "Ready", "status": "True", "message": "ok"}]}});
        assert_eq!(first(".spec.secretName", &v), Some(&json!("tls")));
        assert_eq!(
            first(r#".status.conditions[?(@.type=="Ready")].status"#, &v),
            Some(&json!("True"))
        );
        assert_eq!(
            first(".status.conditions[?(@.type=='Ready')].message", &v),
            Some(&json!("ok"))
        );
        assert_eq!(first(".status.conditions[?(@.type==\"Gone\")].status", &v), None);
        assert_eq!(first(".spec.l[-1]", &v), Some(&json!(3)));
        assert_eq!(first(".spec.l[*]", &v), Some(&json!(1)));
        assert_eq!(first(".spec['n']", &v), Some(&json!(3)));
        assert_eq!(first(".spec.missing.deeper", &v), None);
        assert_eq!(text(&json!({"a": [1, "x"]})), "map[a:[1 x]]");
        let mut o = json!({});
        set(".spec.replicas", &mut o, json!(4));
        assert_eq!(o, json!({"spec": {"replicas": 4}}));
    }
}
