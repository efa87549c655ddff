//! API errors as the real API server writes them: `Status` objects with its codes, reasons and messages.

use serde_json::{Value, json};

use super::resources::ResourceDef;

/// An error answer, rendered as a `metav1.Status` body.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status code.
    pub code: u16,
    /// Status `reason` (NotFound, Conflict, Invalid, …).
    pub reason: &'static str,
    /// Human-readable message, worded as the real server words it.
    pub message: String,
    /// Status `details`, when the real server fills them.
    pub details: Option<Value>,
    /// Seconds for the `Retry-After` header (429).
    pub retry_after: Option<u32>,
}

/// One entry of `details.causes` on a 422.
#[derive(Debug, Clone, PartialEq)]
pub struct Cause {
    /// Path of the invalid field, e.g. `spec.replicas`.
    pub field: String,
    /// Cause reason, e.g. `FieldValueInvalid`.
    pub reason: &'static str,
    /// What is wrong, e.g. `Invalid value: -1: must be greater than or equal to 0`.
    pub message: String,
}

impl Cause {
    /// A `FieldValueInvalid` cause.
    pub fn invalid(field: &str, value: &Value, why: &str) -> Self {
        let shown = match value {
            Value::String(s) => format!("\"{s}\""),
            other => other.to_string(),
        };
        Cause {
            field: field.into(),
            reason: "FieldValueInvalid",
            message: format!("Invalid value: {shown}: {why}"),
        }
    }

    /// A `FieldValueRequired` cause.
    pub fn required(field: &str) -> Self {
        Cause {
            field: field.into(),
            reason: "FieldValueRequired",
            message: "Required value".into(),
        }
    }
}

fn details(def: &ResourceDef, name: Option<&str>) -> Value {
    let mut d = json!({ "kind": def.plural });
    if let Some(n) = name {
        d["name"] = json!(n);
    }
    if !def.group.is_empty() {
        d["group"] = json!(def.group);
    }
    d
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: String) -> Self {
        ApiError {
            code,
            reason,
            message,
            details: None,
            retry_after: None,
        }
    }

    /// 404 for a named object.
    pub fn not_found(def: &ResourceDef, name: &str) -> Self {
        let mut e = Self::new(404, "NotFound", format!("{} \"{name}\" not found", def.qualified()));
        e.details = Some(details(def, Some(name)));
        e
    }

    /// 404 for a path that names nothing served.
    pub fn no_route() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource".into(),
        )
    }

    /// 409 on create of an existing name.
    pub fn already_exists(def: &ResourceDef, name: &str) -> Self {
        let mut e = Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", def.qualified()),
        );
        e.details = Some(details(def, Some(name)));
        e
    }

    /// 409 on a stale resourceVersion (optimistic concurrency).
    pub fn conflict(def: &ResourceDef, name: &str) -> Self {
        let mut e = Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                def.qualified()
            ),
        );
        e.details = Some(details(def, Some(name)));
        e
    }

    /// 409 with a free message, e.g. a precondition on delete.
    pub fn conflict_msg(def: &ResourceDef, name: &str, why: &str) -> Self {
        let mut e = Self::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {} \"{name}\": {why}", def.qualified()),
        );
        e.details = Some(details(def, Some(name)));
        e
    }

    /// 422 with field causes.
    pub fn invalid(def: &ResourceDef, name: &str, causes: Vec<Cause>) -> Self {
        let kind = if def.group.is_empty() {
            def.kind.to_string()
        } else {
            format!("{}.{}", def.kind, def.group)
        };
        let list: Vec<String> = causes.iter().map(|c| format!("{}: {}", c.field, c.message)).collect();
        let message = if list.len() == 1 {
            format!("{kind} \"{name}\" is invalid: {}", list[0])
        } else {
            format!("{kind} \"{name}\" is invalid: [{}]", list.join(", "))
        };
        let mut d = json!({ "name": name, "kind": def.kind });
        if !def.group.is_empty() {
            d["group"] = json!(def.group);
        }
        d["causes"] = Value::Array(
            causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect(),
        );
        let mut e = Self::new(422, "Invalid", message);
        e.details = Some(d);
        e
    }

    /// 403 naming the user, verb and resource, as the RBAC authorizer words it.
    pub fn forbidden(
        user: &str,
        verb: &str,
        def: &ResourceDef,
        ns: Option<&str>,
        name: Option<&str>,
        sub: Option<&str>,
    ) -> Self {
        let what = match name {
            Some(n) => format!("{} \"{n}\"", def.qualified()),
            None => def.qualified(),
        };
        let resource = match sub {
            Some(s) => format!("{}/{s}", def.plural),
            None => def.plural.to_string(),
        };
        let scope = match ns {
            Some(ns) if def.namespaced => format!("in the namespace \"{ns}\""),
            _ => "at the cluster scope".to_string(),
        };
        let mut e = Self::new(
            403,
            "Forbidden",
            format!(
                "{what} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{}\" {scope}",
                def.group
            ),
        );
        e.details = Some(details(def, name));
        e
    }

    /// 403 for a path (not a resource) the user may not use, as the RBAC authorizer words it.
    pub fn forbidden_path(user: &str, verb: &str, path: &str) -> Self {
        Self::new(
            403,
            "Forbidden",
            format!("forbidden: User \"{user}\" cannot {verb} path \"{path}\""),
        )
    }

    /// 401 for a missing or unknown bearer token.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized".into())
    }

    /// 429 with Retry-After, as API priority and fairness answers.
    pub fn too_many_requests(retry_after: u32) -> Self {
        let mut e = Self::new(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.".into(),
        );
        e.details = Some(json!({ "retryAfterSeconds": retry_after }));
        e.retry_after = Some(retry_after);
        e
    }

    /// 410 for a resourceVersion that has left the retained window.
    pub fn expired(requested: u64, oldest: u64) -> Self {
        Self::new(
            410,
            "Expired",
            format!("too old resource version: {requested} ({oldest})"),
        )
    }

    /// 410 for a continue token older than the retained window.
    pub fn continue_expired() -> Self {
        Self::new(
            410,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.".into(),
        )
    }

    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message.into())
    }

    /// 405 for a verb the resource does not support.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource".into(),
        )
    }

    /// 415 for a patch type the server does not take.
    pub fn unsupported_media(ct: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got {ct})"
            ),
        )
    }

    /// 406 for an Accept header naming no media type the server can answer in.
    pub fn not_acceptable(produced: &[&str]) -> Self {
        Self::new(
            406,
            "NotAcceptable",
            format!("only the following media types are accepted: {}", produced.join(", ")),
        )
    }

    /// 500 for a failure inside the simulation itself.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message.into())
    }

    /// The `Status` body.
    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            s["details"] = d.clone();
        }
        s
    }
}

/// The `Status` a successful delete of a collection-less object answers with (kept for callers that need it).
pub fn success_status(def: &ResourceDef, name: &str, uid: &str) -> Value {
    let mut d = details(def, Some(name));
    d["uid"] = json!(uid);
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": d})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::res;

    #[test]
    fn forbidden_message_matches_rbac_wording() {
        let e = ApiError::forbidden("jane", "list", res("Pod").def(), Some("default"), None, None);
        assert_eq!(
            e.message,
            "pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        );
        let e = ApiError::forbidden("jane", "watch", res("Node").def(), None, None, None);
        assert!(
            e.message.ends_with("in API group \"\" at the cluster scope"),
            "{}",
            e.message
        );
    }

    #[test]
    fn invalid_lists_causes() {
        let e = ApiError::invalid(
            res("Deployment").def(),
            "web",
            vec![Cause::invalid(
                "spec.replicas",
                &json!(-1),
                "must be greater than or equal to 0",
            )],
        );
        assert_eq!(
            e.message,
            "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(e.to_status()["details"]["causes"][0]["field"], "spec.replicas");
        assert_eq!(e.code, 422);
    }
}
