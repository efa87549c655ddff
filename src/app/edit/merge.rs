//! The three-way merge that re-applies the user's edits on a version of the object that changed on
//! the server meanwhile: what the user changed (opened → edited) is laid onto the fresh object;
//! where the server changed the same field to something else, the user's value is kept and the
//! field is named, so nothing is overwritten unseen.

use serde_json::{Map, Value};

/// The merged object and the fields both sides changed differently (dotted paths).
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The fresh object with the user's changes on it.
    pub object: Value,
    /// Fields changed on both sides (the user's value kept).
    pub both: Vec<String>,
}

/// Lay the change `base → mine` onto `theirs`.
pub fn merge(base: &Value, mine: &Value, theirs: &Value) -> Merged {
    let mut both = Vec::new();
    let object = merge_at(Some(base), Some(mine), Some(theirs), "", &mut both).unwrap_or(Value::Null);
    Merged { object, both }
}

fn merge_at(
    base: Option<&Value>,
    mine: Option<&Value>,
    theirs: Option<&Value>,
    path: &str,
    both: &mut Vec<String>,
) -> Option<Value> {
    if mine == base {
        return theirs.cloned();
    }
    if theirs == base || mine == theirs {
        return mine.cloned();
    }
    match (base, mine, theirs) {
        (b, Some(Value::Object(m)), Some(Value::Object(t))) => {
            let empty = Map::new();
            let b = b.and_then(Value::as_object).unwrap_or(&empty);
            let mut out = Map::new();
            let keys = t.keys().chain(m.keys().filter(|k| !t.contains_key(*k)));
            for k in keys.chain(b.keys().filter(|k| !t.contains_key(*k) && !m.contains_key(*k))) {
                if out.contains_key(k) {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if let Some(v) = merge_at(b.get(k), m.get(k), t.get(k), &p, both) {
                    out.insert(k.clone(), v);
                }
            }
            Some(Value::Object(out))
        }
        (b, Some(Value::Array(m)), Some(Value::Array(t))) if named(m) && named(t) => {
            // Lists of named items (containers, ports, env) merge item by item, as strategic merge does.
            let empty = Vec::new();
            let b = b.and_then(Value::as_array).filter(|b| named(b)).unwrap_or(&empty);
            let find = |l: &[Value], n: &Value| l.iter().find(|i| &i["name"] == n).cloned();
            let mut names: Vec<Value> = t.iter().map(|i| i["name"].clone()).collect();
            names.extend(
                m.iter()
                    .map(|i| i["name"].clone())
                    .filter(|n| !t.iter().any(|i| &i["name"] == n)),
            );
            let mut out = Vec::new();
            for n in names {
                let p = format!("{path}[name={}]", n.as_str().unwrap_or_default());
                let (bi, mi, ti) = (find(b, &n), find(m, &n), find(t, &n));
                if let Some(v) = merge_at(bi.as_ref(), mi.as_ref(), ti.as_ref(), &p, both) {
                    out.push(v);
                }
            }
            Some(Value::Array(out))
        }
        _ => {
            both.push(path.to_string());
            mine.cloned()
        }
    }
}

fn named(list: &[Value]) -> bool {
    !list.is_empty() && list.iter().all(|i| i["name"].is_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_users_change_lands_on_the_servers_version() {
        let base = json!({"spec": {"replicas": 2, "paused": false, "template": {"containers": [
            {"name": "web", "image": "nginx:1"}, {"name": "side", "image": "busybox"}]}}});
        let mut mine = base.clone();
        mine["spec"]["template"]["containers"][0]["image"] = json!("nginx:2");
        let mut theirs = base.clone();
        theirs["spec"]["replicas"] = json!(5);
        theirs["spec"]["template"]["containers"][1]["image"] = json!("busybox:2");
        let m = merge(&base, &mine, &theirs);
        assert!(m.both.is_empty(), "{:?}", m.both);
        assert_eq!(m.object["spec"]["replicas"], json!(5));
        assert_eq!(m.object["spec"]["template"]["containers"][0]["image"], json!("nginx:2"));
        assert_eq!(
            m.object["spec"]["template"]["containers"][1]["image"],
            json!("busybox:2")
        );
    }

    #[test]
    fn a_field_changed_on_both_sides_is_named_and_the_users_value_kept() {
        let base = json!({"spec": {"replicas": 2}, "metadata": {"labels": {"a": "1"}}});
        let mine = json!({"spec": {"replicas": 3}, "metadata": {"labels": {"a": "1", "b": "2"}}});
        let theirs = json!({"spec": {"replicas": 4}, "metadata": {"labels": {}}});
        let m = merge(&base, &mine, &theirs);
        assert_eq!(m.both, vec!["spec.replicas".to_string()]);
        assert_eq!(m.object["spec"]["replicas"], json!(3));
        // The server removed `a`, the user added `b`: both stand.
        assert_eq!(m.object["metadata"]["labels"], json!({"b": "2"}));
    }
}
