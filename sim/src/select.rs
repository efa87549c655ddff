//! Label and field selectors, parsed and matched as the API server does.

use super::status::ApiError;

/// The label selector of `labelSelector`: parse errors become 400 Bad Request as the server sends them.
pub use model::labels::LabelSelector;

/// Parse the `labelSelector` query parameter.
pub fn parse_labels(s: &str) -> Result<LabelSelector, ApiError> {
    LabelSelector::parse(s).map_err(ApiError::bad_request)
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
    use std::collections::BTreeMap;

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
