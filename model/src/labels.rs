//! Kubernetes label selectors (`app=web,tier in (a,b),!legacy`), parsed and matched as the API
//! server does: the demo cluster serves `labelSelector` with them and the filter line's `-l` uses them.

use std::collections::BTreeMap;

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

/// The values of `key in (a, b)`; None when the parentheses are missing.
fn set_values(key: &str, rest: &str) -> Result<Option<Vec<String>>, String> {
    let rest = rest.trim();
    let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
        return Ok(None);
    };
    let vals: Vec<String> = inner
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| value(key, v))
        .collect::<Result<_, _>>()?;
    if vals.is_empty() {
        return Err(format!(
            "{}: for 'in', 'notin' operators, values set can't be empty",
            key.trim()
        ));
    }
    Ok(Some(vals))
}

/// The characters and shape a label name and value share: alphanumerics at both ends, `-_.` between.
fn label_shaped(s: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    alnum(s.chars().next())
        && alnum(s.chars().last())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// A label key as the API server validates it: `[prefix/]name`, the prefix a DNS subdomain.
fn key(raw: &str) -> Result<String, String> {
    let k = raw.trim();
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let why = if k.is_empty() {
        Some("the key is empty".to_string())
    } else if name.len() > 63 {
        Some("the name part is longer than 63 characters".into())
    } else if !label_shaped(name) {
        Some("the name part must consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character".into())
    } else if let Some(p) = prefix
        && (p.is_empty()
            || p.len() > 253
            || !p.split('.').all(|l| {
                l.len() <= 63
                    && label_shaped(l)
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            }))
    {
        Some("the prefix must be a DNS subdomain (lower-case alphanumerics, '-' and '.')".into())
    } else {
        None
    };
    match why {
        Some(why) => Err(format!("invalid label key {k:?}: {why}")),
        None => Ok(k.to_string()),
    }
}

/// A label value as the API server validates it: empty, or up to 63 label-shaped characters.
fn value(key: &str, raw: &str) -> Result<String, String> {
    let v = raw.trim();
    if v.is_empty() || (v.len() <= 63 && label_shaped(v)) {
        return Ok(v.to_string());
    }
    Err(format!(
        "invalid label value {v:?} for key {:?}: a value must be empty or up to 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character",
        key.trim()
    ))
}

impl LabelSelector {
    /// Parse selector text as the API server and kubectl `-l` read it; the error is the server's wording.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        if s.trim().is_empty() {
            return Ok(LabelSelector(reqs));
        }
        for part in split_top(s) {
            let p = part.trim();
            let bad = || format!("unable to parse requirement: found '{p}', expected: identifier");
            if p.is_empty() {
                return Err(bad());
            }
            let req = if let Some(k) = p.strip_prefix('!') {
                Req::NotExists(key(k)?)
            } else if let Some((k, v)) = p.split_once("!=") {
                Req::NotEq(key(k)?, value(k, v)?)
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                Req::Eq(key(k)?, value(k, v)?)
            } else if let Some((k, rest)) = p.split_once(" notin ") {
                Req::NotIn(key(k)?, set_values(k, rest)?.ok_or_else(bad)?)
            } else if let Some((k, rest)) = p.split_once(" in ") {
                Req::In(key(k)?, set_values(k, rest)?.ok_or_else(bad)?)
            } else if p.contains([' ', '(', ')', '<', '>']) {
                return Err(bad());
            } else {
                Req::Exists(key(p)?)
            };
            reqs.push(req);
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

    /// The keys compared with an empty value (`app=`, `app!=`): valid, and easily typed by mistake.
    pub fn empty_values(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter_map(|r| match r {
                Req::Eq(k, v) | Req::NotEq(k, v) if v.is_empty() => Some(k.as_str()),
                _ => None,
            })
            .collect()
    }

    /// True when the selector has no requirement (matches everything).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the labels satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_with(|k| labels.get(k).map(String::as_str))
    }

    /// Whether labels kept as pairs (a table row's) satisfy every requirement.
    pub fn matches_pairs<K: AsRef<str>, V: AsRef<str>>(&self, labels: &[(K, V)]) -> bool {
        self.matches_with(|k| labels.iter().find(|(lk, _)| lk.as_ref() == k).map(|(_, v)| v.as_ref()))
    }

    /// Whether the labels that `get` looks up satisfy every requirement.
    pub fn matches_with<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => get(k) == Some(v.as_str()),
            Req::NotEq(k, v) => get(k) != Some(v.as_str()),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Req::Exists(k) => get(k).is_some(),
            Req::NotExists(k) => get(k).is_none(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::LabelSelector;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn set_based_and_equality_requirements() {
        let web = pairs(&[("app", "web"), ("tier", "front")]);
        let db = pairs(&[("app", "db")]);
        let sel = LabelSelector::parse("app in (web, api),tier").unwrap();
        assert!(sel.matches_pairs(&web) && !sel.matches_pairs(&db));
        let sel = LabelSelector::parse("app notin (web),!tier").unwrap();
        assert!(!sel.matches_pairs(&web) && sel.matches_pairs(&db));
        // `!=` also holds when the key is absent.
        assert!(LabelSelector::parse("tier!=front").unwrap().matches_pairs(&db));
        let err = LabelSelector::parse("app in web").unwrap_err();
        assert_eq!(
            err,
            "unable to parse requirement: found 'app in web', expected: identifier"
        );
    }

    #[test]
    fn keys_and_values_are_validated_as_the_api_server_does() {
        // kubectl reads `app==` as "label app is empty": valid, and said so by empty_values.
        let sel = LabelSelector::parse("app==").unwrap();
        assert_eq!(sel.empty_values(), ["app"]);
        assert!(sel.matches_pairs(&pairs(&[("app", "")])));
        assert!(LabelSelector::parse("app.kubernetes.io/name=web,x!=").is_ok());
        for (sel, says) in [
            ("app===", "invalid label value \"=\" for key \"app\""),
            ("app=a=b", "invalid label value \"a=b\""),
            ("app=web!", "invalid label value \"web!\""),
            ("=web", "invalid label key \"\": the key is empty"),
            ("-app=web", "invalid label key \"-app\": the name part"),
            ("Example.com/app", "the prefix must be a DNS subdomain"),
            ("app in (a, b c)", "invalid label value \"b c\""),
            ("app in ()", "values set can't be empty"),
        ] {
            let err = LabelSelector::parse(sel).unwrap_err();
            assert!(err.contains(says), "{sel}: {err}");
        }
    }
}
