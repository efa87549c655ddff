//! Field validation (`fieldValidation=Strict|Warn|Ignore`): the fields of a request body that the
//! kind's schema does not declare, found by decoding the body into its typed struct and encoding it
//! back: a key with a value in the body that the round trip dropped is one the server would drop.

use k8s_openapi::api::{
    admissionregistration::v1 as admreg, apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch,
    coordination::v1 as coordination, core::v1 as core, discovery::v1 as discovery, networking::v1 as networking,
    policy::v1 as policy, rbac::v1 as rbac, storage::v1 as storage,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiext;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1 as apireg;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use bytes::Bytes;

use super::patch::PatchType;
use super::request::{Target, parse_body};
use super::resources::ResId;
use super::status::ApiError;

/// What a request asks of field validation (kubectl sends Strict by default; a request without
/// the parameter gets Warn, the server's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    /// Refuse the request.
    Strict,
    /// Accept it with a `Warning` header per field.
    Warn,
    /// Drop the fields silently.
    Ignore,
}

impl Directive {
    /// The directive of the `fieldValidation` query value (absent: Warn, as the server defaults).
    pub fn parse(q: Option<&str>) -> Result<Directive, ApiError> {
        match q {
            None | Some("") | Some("Warn") => Ok(Directive::Warn),
            Some("Strict") => Ok(Directive::Strict),
            Some("Ignore") => Ok(Directive::Ignore),
            Some(other) => Err(ApiError::bad_request(format!(
                "fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got {other:?}"
            ))),
        }
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(v: &Value) -> Option<Value> {
    let t: T = serde_json::from_value(v.clone()).ok()?;
    serde_json::to_value(t).ok()
}

/// The body as its kind's typed struct reads and writes it; None for a kind without one (custom
/// resources) or a body that does not decode (its other errors are said elsewhere).
fn typed(res: ResId, v: &Value) -> Option<Value> {
    let d = res.def();
    match (d.group, d.kind) {
        ("", "Namespace") => round_trip::<core::Namespace>(v),
        ("", "Node") => round_trip::<core::Node>(v),
        ("", "Pod") => round_trip::<core::Pod>(v),
        ("", "Service") => round_trip::<core::Service>(v),
        ("", "Endpoints") => round_trip::<core::Endpoints>(v),
        ("", "ConfigMap") => round_trip::<core::ConfigMap>(v),
        ("", "Secret") => round_trip::<core::Secret>(v),
        ("", "PersistentVolume") => round_trip::<core::PersistentVolume>(v),
        ("", "PersistentVolumeClaim") => round_trip::<core::PersistentVolumeClaim>(v),
        ("", "ServiceAccount") => round_trip::<core::ServiceAccount>(v),
        ("", "Event") => round_trip::<core::Event>(v),
        ("apps", "Deployment") => round_trip::<apps::Deployment>(v),
        ("apps", "ReplicaSet") => round_trip::<apps::ReplicaSet>(v),
        ("apps", "StatefulSet") => round_trip::<apps::StatefulSet>(v),
        ("apps", "DaemonSet") => round_trip::<apps::DaemonSet>(v),
        ("apps", "ControllerRevision") => round_trip::<apps::ControllerRevision>(v),
        ("batch", "Job") => round_trip::<batch::Job>(v),
        ("batch", "CronJob") => round_trip::<batch::CronJob>(v),
        ("discovery.k8s.io", "EndpointSlice") => round_trip::<discovery::EndpointSlice>(v),
        ("networking.k8s.io", "Ingress") => round_trip::<networking::Ingress>(v),
        ("networking.k8s.io", "NetworkPolicy") => round_trip::<networking::NetworkPolicy>(v),
        ("networking.k8s.io", "IngressClass") => round_trip::<networking::IngressClass>(v),
        ("storage.k8s.io", "StorageClass") => round_trip::<storage::StorageClass>(v),
        ("rbac.authorization.k8s.io", "Role") => round_trip::<rbac::Role>(v),
        ("rbac.authorization.k8s.io", "RoleBinding") => round_trip::<rbac::RoleBinding>(v),
        ("rbac.authorization.k8s.io", "ClusterRole") => round_trip::<rbac::ClusterRole>(v),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding") => round_trip::<rbac::ClusterRoleBinding>(v),
        ("autoscaling", "HorizontalPodAutoscaler") => round_trip::<autoscaling::HorizontalPodAutoscaler>(v),
        ("coordination.k8s.io", "Lease") => round_trip::<coordination::Lease>(v),
        ("policy", "PodDisruptionBudget") => round_trip::<policy::PodDisruptionBudget>(v),
        ("apiregistration.k8s.io", "APIService") => round_trip::<apireg::APIService>(v),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration") => {
            round_trip::<admreg::ValidatingWebhookConfiguration>(v)
        }
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration") => {
            round_trip::<admreg::MutatingWebhookConfiguration>(v)
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => round_trip::<apiext::CustomResourceDefinition>(v),
        _ => None,
    }
}

fn walk(body: &Value, kept: &Value, path: &str, out: &mut Vec<String>) {
    match (body, kept) {
        (Value::Object(b), Value::Object(k)) => {
            for (key, v) in b {
                // Strategic merge patch directives ($patch, $setElementOrder/…) are not fields.
                if v.is_null() || key.starts_with('$') {
                    continue;
                }
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match k.get(key) {
                    Some(kv) => walk(v, kv, &here, out),
                    None => out.push(here),
                }
            }
        }
        (Value::Array(b), Value::Array(k)) if b.len() == k.len() => {
            for (i, (bv, kv)) in b.iter().zip(k).enumerate() {
                walk(bv, kv, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The fields of `body` (an object of kind `res`, whole or a merge patch's part) the kind does not
/// declare, as the API server names them (`spec.template.spec.containers[0].imagePullPolcy`);
/// None when the kind has no typed schema here.
pub fn unknown_fields(res: ResId, body: &Value) -> Option<Vec<String>> {
    let kept = typed(res, body)?;
    let mut out = Vec::new();
    walk(body, &kept, "", &mut out);
    Some(out)
}

/// The real server's refusal of a body with unknown fields under `fieldValidation=Strict`: a 400
/// whose message says the body cannot be decoded strictly, every field named.
pub fn strict_error(res: ResId, fields: &[String]) -> ApiError {
    let d = res.def();
    let list: Vec<String> = fields.iter().map(|f| format!("unknown field \"{f}\"")).collect();
    ApiError::bad_request(format!(
        "{kind} in version \"{v}\" cannot be handled as a {kind}: strict decoding error: {}",
        list.join(", "),
        kind = d.kind,
        v = d.version
    ))
}

/// The real server's refusal of a server-side apply naming a field outside the schema (always, the
/// directive aside: the typed patch cannot be built). The real server answers 500 (kubernetes
/// issue 122480); kept so, that a client is seen to cope with it.
pub fn apply_error(res: ResId, ns: &str, name: &str, fields: &[String]) -> ApiError {
    let d = res.def();
    let gv = if d.group.is_empty() {
        d.version.to_string()
    } else {
        format!("{}/{}", d.group, d.version)
    };
    let why: Vec<String> = fields
        .iter()
        .map(|f| format!(".{f}: field not declared in schema"))
        .collect();
    let mut e = ApiError::bad_request(format!(
        "failed to create typed patch object ({ns}/{name}; {gv}, Kind={}): {}",
        d.kind,
        why.join("\n")
    ));
    e.code = 500;
    e.reason = "";
    e
}

/// `body` without the fields its kind does not declare, as the server stores it under Warn or
/// Ignore.
pub fn prune(res: ResId, body: &mut Value) {
    if let Some(kept) = typed(res, body) {
        prune_at(body, &kept);
    }
}

fn prune_at(body: &mut Value, kept: &Value) {
    match (body, kept) {
        (Value::Object(b), Value::Object(k)) => {
            b.retain(|key, v| v.is_null() || key.starts_with('$') || k.contains_key(key));
            for (key, v) in b.iter_mut() {
                if let Some(kv) = k.get(key) {
                    prune_at(v, kv);
                }
            }
        }
        (Value::Array(b), Value::Array(k)) if b.len() == k.len() => {
            for (bv, kv) in b.iter_mut().zip(k) {
                prune_at(bv, kv);
            }
        }
        _ => {}
    }
}

/// Field validation of a write's body (POST, PUT or a PATCH of `kind`, None for the first two):
/// the body to go on with (unknown fields dropped unless refused) and the warnings to send.
pub fn check(
    t: &Target,
    patch: Option<PatchType>,
    directive: Option<&str>,
    body: Bytes,
) -> Result<(Bytes, Vec<String>), ApiError> {
    let directive = Directive::parse(directive)?;
    if patch == Some(PatchType::Json) || body.is_empty() {
        return Ok((body, Vec::new()));
    }
    let Ok(mut v) = parse_body(&body) else {
        return Ok((body, Vec::new()));
    };
    let fields = match unknown_fields(t.res, &v) {
        Some(f) if !f.is_empty() => f,
        _ => return Ok((body, Vec::new())),
    };
    if patch == Some(PatchType::Apply) {
        return Err(apply_error(
            t.res,
            t.ns.as_deref().unwrap_or(""),
            t.name.as_deref().unwrap_or(""),
            &fields,
        ));
    }
    if directive == Directive::Strict {
        return Err(strict_error(t.res, &fields));
    }
    prune(t.res, &mut v);
    let body = Bytes::from(serde_json::to_vec(&v).expect("JSON values serialize"));
    let warns = if directive == Directive::Warn {
        warnings(&fields)
    } else {
        Vec::new()
    };
    Ok((body, warns))
}

/// The `Warning` header values for unknown fields under `fieldValidation=Warn`.
pub fn warnings(fields: &[String]) -> Vec<String> {
    fields
        .iter()
        .map(|f| format!("299 - \"unknown field \\\"{f}\\\"\""))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::options::SimOptions;
    use crate::resources::{RESOURCES, res};
    use crate::store::Store;

    #[test]
    fn a_typo_is_found_where_it_is() {
        let d = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"replica": "x"}},
            "spec": {"replica": 5, "selector": {"matchLabels": {"app": "web"}}, "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [
                    {"name": "a", "image": "nginx"},
                    {"name": "b", "image": "nginx", "imagePulPolicy": "Always", "ports": null}
                ]}}}
        });
        assert_eq!(
            unknown_fields(res("Deployment"), &d),
            Some(vec![
                "spec.replica".to_string(),
                "spec.template.spec.containers[1].imagePulPolicy".to_string()
            ])
        );
        let e = strict_error(res("Deployment"), &unknown_fields(res("Deployment"), &d).unwrap());
        assert_eq!(e.code, 400);
        assert_eq!(
            e.message,
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: \
             unknown field \"spec.replica\", unknown field \"spec.template.spec.containers[1].imagePulPolicy\""
        );
    }

    #[test]
    fn each_directive_refuses_warns_or_drops() {
        let t = Target {
            res: res("ConfigMap"),
            ns: Some("shop".into()),
            name: Some("cfg".into()),
            sub: None,
            as_version: None,
        };
        let body = Bytes::from(r#"{"metadata":{"name":"cfg"},"dat":{"a":"b"},"data":{"c":"d"}}"#);
        let e = check(&t, None, Some("Strict"), body.clone()).unwrap_err();
        assert!(
            e.message.ends_with("strict decoding error: unknown field \"dat\""),
            "{}",
            e.message
        );
        let (kept, warns) = check(&t, None, None, body.clone()).unwrap();
        assert_eq!(warns, ["299 - \"unknown field \\\"dat\\\"\""]);
        assert_eq!(
            parse_body(&kept).unwrap(),
            json!({"metadata": {"name": "cfg"}, "data": {"c": "d"}})
        );
        let (kept2, warns) = check(&t, Some(PatchType::Merge), Some("Ignore"), body.clone()).unwrap();
        assert!(warns.is_empty());
        assert_eq!(kept2, kept);
        let e = check(&t, Some(PatchType::Apply), Some("Ignore"), body).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                500,
                "failed to create typed patch object (shop/cfg; v1, Kind=ConfigMap): .dat: field not declared in schema"
            )
        );
    }

    #[test]
    fn every_scenario_object_of_a_built_in_kind_passes() {
        let s = Store::new(100_000);
        crate::scenario::load(&s, &SimOptions::default());
        let mut checked = 0;
        for def in RESOURCES {
            let id = res(def.kind);
            assert_eq!(id.def().group, def.group, "kind {} is not unique", def.kind);
            for o in s.list(id, None).0 {
                let v: Value = serde_json::from_slice(&o.json).unwrap();
                let unknown = unknown_fields(id, &v);
                if def.custom.is_none() {
                    assert_eq!(unknown, Some(vec![]), "{} {}", def.kind, v["metadata"]["name"]);
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "only {checked} objects checked");
    }
}
