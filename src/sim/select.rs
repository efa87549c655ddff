//! Label and field selectors, parsed and matched as the API server does.

use std::collections::BTreeMap;

use super::status::ApiError;

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq)]
enum Req {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector (`app=web,tier in (a,b),!legacy`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector(Vec<Req>);

fn split_top(s: &str) -> Vec<&str> {
    // Commas inside parentheses belong to a set, not to the selector.
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn set_values(rest: &str) -> Option<Vec<String>> {
    let rest = rest.trim();
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

impl LabelSelector {
    /// Parses the `labelSelector` query parameter.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let mut reqs = Vec::new();
        if s.trim().is_empty() {
            return Ok(LabelSelector(reqs));
        }
        for part in split_top(s) {
            let p = part.trim();
            let bad = || {
                ApiError::bad_request(format!(
                    "unable to parse requirement: found '{p}', expected: identifier"
                ))
            };
            if p.is_empty() {
                return Err(bad());
            }
            if let Some(k) = p.strip_prefix('!') {
                reqs.push(Req::NotExists(k.trim().to_string()));
            } else if let Some((k, v)) = p.split_once("!=") {
                reqs.push(Req::NotEq(k.trim().into(), v.trim().into()));
            } else if let Some((k, v)) = p.split_once("==") {
                reqs.push(Req::Eq(k.trim().into(), v.trim().into()));
            } else if let Some((k, v)) = p.split_once('=') {
                reqs.push(Req::Eq(k.trim().into(), v.trim().into()));
            } else if let Some((k, rest)) = p.split_once(" notin ") {
                reqs.push(Req::NotIn(k.trim().into(), set_values(rest).ok_or_else(bad)?));
            } else if let Some((k, rest)) = p.split_once(" in ") {
                reqs.push(Req::In(k.trim().into(), set_values(rest).ok_or_else(bad)?));
            } else if p.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)) {
                reqs.push(Req::Exists(p.to_string()));
            } else {
                return Err(bad());
            }
        }
        Ok(LabelSelector(reqs))
    }

    /// Builds a selector from `matchLabels` / `matchExpressions` of a `metav1.LabelSelector` value.
    pub fn from_value(v: &serde_json::Value) -> Self {
        let mut reqs = Vec::new();
        if let Some(m) = v.get("matchLabels").and_then(|m| m.as_object()) {
            for (k, val) in m {
                reqs.push(Req::Eq(k.clone(), val.as_str().unwrap_or_default().to_string()));
            }
        }
        for e in v
            .get("matchExpressions")
            .and_then(|m| m.as_array())
            .into_iter()
            .flatten()
        {
            let key = e["key"].as_str().unwrap_or_default().to_string();
            let vals: Vec<String> = e["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(String::from))
                .collect();
            match e["operator"].as_str() {
                Some("In") => reqs.push(Req::In(key, vals)),
                Some("NotIn") => reqs.push(Req::NotIn(key, vals)),
                Some("Exists") => reqs.push(Req::Exists(key)),
                Some("DoesNotExist") => reqs.push(Req::NotExists(key)),
                _ => {}
            }
        }
        LabelSelector(reqs)
    }

    /// True when the selector has no requirement (matches everything).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the labels satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => labels.get(k) == Some(v),
            Req::NotEq(k, v) => labels.get(k) != Some(v),
            Req::In(k, vs) => labels.get(k).is_some_and(|x| vs.contains(x)),
            Req::NotIn(k, vs) => labels.get(k).is_none_or(|x| !vs.contains(x)),
            Req::Exists(k) => labels.contains_key(k),
            Req::NotExists(k) => !labels.contains_key(k),
        })
    }
}

/// A parsed field selector: `field=value` and `field!=value` terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    /// Parses the `fieldSelector` query parameter, refusing fields the resource does not index.
    pub fn parse(s: &str, supported: &[&str]) -> Result<Self, ApiError> {
        let mut terms = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, neg, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, false, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{s}'; can't understand '{part}'"
                )));
            };
            let field = field.trim();
            if !supported.contains(&field) {
                return Err(ApiError::bad_request(format!(
                    "\"{field}\" is not a known field selector: only \"{}\"",
                    supported.join("\", \"")
                )));
            }
            terms.push((field.to_string(), neg, value.trim().to_string()));
        }
        Ok(FieldSelector(terms))
    }

    /// True when the selector has no term.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the object's indexed fields satisfy every term.
    pub fn matches(&self, fields: &[(&'static str, String)]) -> bool {
        self.0.iter().all(|(f, neg, v)| {
            let actual = fields
                .iter()
                .find(|(k, _)| k == f)
                .map(|(_, x)| x.as_str())
                .unwrap_or("");
            (actual == v) != *neg
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn label_selector_forms() {
        let l = labels(&[("app", "web"), ("tier", "front")]);
        for (sel, want) in [
            ("app=web", true),
            ("app==web,tier=front", true),
            ("app!=web", false),
            ("tier in (front, back)", true),
            ("tier notin (front)", false),
            ("app,!legacy", true),
            ("legacy", false),
            ("app in (api),tier=front", false),
        ] {
            assert_eq!(LabelSelector::parse(sel).unwrap().matches(&l), want, "{sel}");
        }
        assert!(LabelSelector::parse("app in api").is_err());
    }

    #[test]
    fn field_selector_matches_and_refuses_unknown_fields() {
        let f = FieldSelector::parse(
            "spec.nodeName=n1,status.phase!=Failed",
            &["spec.nodeName", "status.phase"],
        )
        .unwrap();
        assert!(f.matches(&[("spec.nodeName", "n1".into()), ("status.phase", "Running".into())]));
        assert!(!f.matches(&[("spec.nodeName", "n2".into()), ("status.phase", "Running".into())]));
        let e = FieldSelector::parse("spec.bogus=1", &["metadata.name"]).unwrap_err();
        assert_eq!(e.code, 400);
    }
}
