//! Protobuf request bodies (`application/vnd.kubernetes.protobuf`), as client-go's typed clients
//! send them for creates, updates and deletes of built-in kinds: decoded with Kubernetes' message
//! descriptors (`sim/proto/k8s-v1_35.binpb`, written by `scripts/k8s-descriptors.py`) and turned
//! into the JSON object the rest of the server handles.

use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use bytes::Bytes;
use prost_reflect::{DescriptorPool, DynamicMessage, MapKey, MessageDescriptor, ReflectMessage, Value as Pv};
use serde_json::{Map, Value};

use super::request::Target;
use super::status::ApiError;

/// The media type of Kubernetes' protobuf encoding.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";
/// What every protobuf-encoded object starts with ("k8s" and a zero byte).
const MAGIC: &[u8] = b"k8s\0";

static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    DescriptorPool::decode(&include_bytes!("../proto/k8s-v1_35.binpb")[..])
        .expect("the checked-in Kubernetes descriptors decode")
});

/// Whether a Content-Type names the protobuf encoding.
pub fn is_protobuf(content_type: &str) -> bool {
    content_type.trim().starts_with(MEDIA_TYPE)
}

/// A request body in JSON: a protobuf one for a built-in kind is decoded and its Content-Type
/// rewritten; any other is returned as it came (custom resources take JSON and YAML only, and
/// the handlers answer 415 to protobuf for them).
pub fn json_body(t: &Target, headers: &mut HeaderMap, body: Bytes) -> Result<Bytes, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .unwrap_or("");
    if !is_protobuf(ct) || t.res.is_custom() {
        return Ok(body);
    }
    let v = decode(&body, t.res.def().kind)?;
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(Bytes::from(serde_json::to_vec(&v).expect("JSON values serialize")))
}

/// Decodes a protobuf body (magic, `runtime.Unknown` envelope, the object's own message) into the
/// object's JSON, for a request to a resource whose objects are of kind `into` (for the errors'
/// words, which are the API server's).
pub fn decode(body: &[u8], into: &str) -> Result<Value, ApiError> {
    let unrecognized = |why: String| {
        ApiError::bad_request(format!(
            "the object provided is unrecognized (must be of type {into}): {why} ({})",
            summarize(body)
        ))
    };
    if body.is_empty() {
        return Err(unrecognized("empty data".into()));
    }
    let Some(data) = body.strip_prefix(MAGIC) else {
        return Err(unrecognized(
            "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]".into(),
        ));
    };
    if data.is_empty() {
        return Err(unrecognized("empty body".into()));
    }
    let unknown = message("apimachinery.pkg.runtime.Unknown");
    let env = DynamicMessage::decode(unknown, data).map_err(|e| unrecognized(e.to_string()))?;
    let type_meta = msg_field(&env, "typeMeta");
    let api_version = type_meta
        .as_ref()
        .map(|t| str_field(t, "apiVersion"))
        .unwrap_or_default();
    let kind = type_meta.as_ref().map(|t| str_field(t, "kind")).unwrap_or_default();
    let version = api_version.rsplit('/').next().unwrap_or("");
    let not_handled = |why: String| {
        ApiError::bad_request(format!(
            "{kind} in version \"{version}\" cannot be handled as a {into}: {why}"
        ))
    };
    let Some(desc) = descriptor(&api_version, &kind) else {
        return Err(not_handled(format!(
            "no kind \"{kind}\" is registered for version \"{api_version}\" in scheme \"pkg/api/legacyscheme/scheme.go:30\""
        )));
    };
    let raw = match env.get_field_by_name("raw").as_deref() {
        Some(Pv::Bytes(b)) => b.clone(),
        _ => Default::default(),
    };
    let obj = DynamicMessage::decode(desc, raw).map_err(|e| not_handled(e.to_string()))?;
    let mut v = match to_json(&obj) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    // The envelope carries the type; the object's own typeMeta is empty on the wire.
    v.insert("apiVersion".into(), Value::String(api_version.clone()));
    v.insert("kind".into(), Value::String(kind.clone()));
    Ok(Value::Object(v))
}

/// The message for a type, by the package its group and version live in. The options kinds
/// (`DeleteOptions`…) are registered in every group version but defined in meta/v1.
fn descriptor(api_version: &str, kind: &str) -> Option<MessageDescriptor> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    if kind.is_empty() || version.is_empty() {
        return None;
    }
    let options = matches!(
        kind,
        "DeleteOptions" | "CreateOptions" | "UpdateOptions" | "PatchOptions" | "GetOptions" | "ListOptions"
    );
    let package = match group {
        _ if options => "apimachinery.pkg.apis.meta".to_string(),
        "" => "api.core".to_string(),
        "meta.k8s.io" => "apimachinery.pkg.apis.meta".to_string(),
        "apiextensions.k8s.io" => "apiextensions_apiserver.pkg.apis.apiextensions".to_string(),
        "apiregistration.k8s.io" => "kube_aggregator.pkg.apis.apiregistration".to_string(),
        g => format!("api.{}", g.split('.').next().unwrap_or(g)),
    };
    let version = if options { "v1" } else { version };
    POOL.get_message_by_name(&format!("{package}.{version}.{kind}"))
}

fn message(name: &str) -> MessageDescriptor {
    POOL.get_message_by_name(name)
        .unwrap_or_else(|| panic!("{name} is in the checked-in descriptors"))
}

fn msg_field(m: &DynamicMessage, name: &str) -> Option<DynamicMessage> {
    match m.get_field_by_name(name).as_deref() {
        Some(Pv::Message(x)) if m.has_field_by_name(name) => Some(x.clone()),
        _ => None,
    }
}

fn str_field(m: &DynamicMessage, name: &str) -> String {
    match m.get_field_by_name(name).as_deref() {
        Some(Pv::String(s)) => s.clone(),
        _ => String::new(),
    }
}

fn int_field(m: &DynamicMessage, name: &str) -> i64 {
    match m.get_field_by_name(name).as_deref() {
        Some(Pv::I64(n)) => *n,
        Some(Pv::I32(n)) => i64::from(*n),
        _ => 0,
    }
}

/// The start of a body the server could not read, as the API server quotes it in its error.
fn summarize(body: &[u8]) -> String {
    const MAX: usize = 30;
    let hex: String = body.iter().take(MAX).map(|b| format!("{b:02x}")).collect();
    if body.is_empty() {
        "<empty>".into()
    } else if body.len() > MAX {
        format!("{hex} ...")
    } else {
        hex
    }
}

/// Fields whose zero value (0, false, "") means something, being Go pointers: client-go writes
/// every set pointer and every non-pointer field, and the API server's JSON omits the zero
/// non-pointer ones (`omitempty`), so a zero is dropped unless its field is one of these.
/// An entry is a field name, or `Message.field` where other messages' fields of that name are not
/// pointers.
const ZERO_MEANS_SOMETHING: &[&str] = &[
    "DeploymentSpec.replicas",
    "ReplicaSetSpec.replicas",
    "StatefulSetSpec.replicas",
    "ReplicationControllerSpec.replicas",
    "minReplicas",
    "revisionHistoryLimit",
    "progressDeadlineSeconds",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "backoffLimit",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "completions",
    "parallelism",
    "ttlSecondsAfterFinished",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "startingDeadlineSeconds",
    "tolerationSeconds",
    "defaultMode",
    "mode",
    "runAsUser",
    "runAsGroup",
    "fsGroup",
    "priority",
    "gracePeriodSeconds",
    "expirationSeconds",
    "partition",
    "automountServiceAccountToken",
    "enableServiceLinks",
    "readOnlyRootFilesystem",
    "privileged",
    "allowPrivilegeEscalation",
    "runAsNonRoot",
    "hostUsers",
    "optional",
    "suspend",
    "setHostnameAsFQDN",
    "shareProcessNamespace",
    "manualSelector",
    "allocateLoadBalancerNodePorts",
    "orphanDependents",
    "storageClassName",
    "ready",
    "serving",
    "terminating",
    "exitCode",
    "restartCount",
];

/// A message as the API server writes it in JSON, `None` for a value JSON leaves out.
fn to_json(m: &DynamicMessage) -> Option<Value> {
    let name = m.descriptor().full_name().to_string();
    let short = name.rsplit('.').next().unwrap_or("");
    match name.as_str() {
        "apimachinery.pkg.api.resource.Quantity" => return Some(Value::String(str_field(m, "string"))),
        "apimachinery.pkg.apis.meta.v1.Time" => return time(m, false),
        "apimachinery.pkg.apis.meta.v1.MicroTime" => return time(m, true),
        "apimachinery.pkg.apis.meta.v1.Duration" => {
            return Some(Value::String(go_duration(int_field(m, "duration"))));
        }
        "apimachinery.pkg.util.intstr.IntOrString" => {
            return Some(if int_field(m, "type") == 1 {
                Value::String(str_field(m, "strVal"))
            } else {
                Value::from(int_field(m, "intVal"))
            });
        }
        "apimachinery.pkg.runtime.RawExtension" | "apimachinery.pkg.apis.meta.v1.FieldsV1" => {
            return embedded_json(m);
        }
        _ if short == "JSON" => return embedded_json(m),
        _ if name.starts_with(APIEXTENSIONS) => return schema_json(m, short),
        _ if matches!(short, "ExtraValue" | "Verbs") => {
            return m.fields().next().and_then(|(_, v)| value(v, false));
        }
        _ => {}
    }
    let mut out = Map::new();
    for (f, v) in m.fields() {
        let qualified = format!("{short}.{}", f.name());
        let keep_zero = ZERO_MEANS_SOMETHING.iter().any(|z| *z == f.name() || *z == qualified);
        match value(v, keep_zero) {
            Some(Value::Object(inner)) if INLINE.iter().any(|i| *i == f.name() || *i == qualified) => {
                out.extend(inner);
            }
            Some(j) => {
                out.insert(f.name().to_string(), j);
            }
            None => {}
        }
    }
    Some(Value::Object(out))
}

const APIEXTENSIONS: &str = "apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps";

/// A CRD's schema types, whose JSON is OpenAPI's: `$ref`, `$schema`, `x-kubernetes-*`, and the
/// "schema or array/bool/string list" unions written as whichever is set.
fn schema_json(m: &DynamicMessage, short: &str) -> Option<Value> {
    let schema = msg_field(m, "schema");
    let either = |other: &str| match &schema {
        Some(s) => to_json(s),
        None => m.get_field_by_name(other).and_then(|v| value(&v, false)),
    };
    match short {
        "JSONSchemaPropsOrArray" => either("jSONSchemas"),
        "JSONSchemaPropsOrStringArray" => either("property"),
        "JSONSchemaPropsOrBool" => match &schema {
            Some(s) => to_json(s),
            None => Some(Value::Bool(matches!(
                m.get_field_by_name("allows").as_deref(),
                Some(Pv::Bool(true))
            ))),
        },
        _ => {
            let mut out = Map::new();
            for (f, v) in m.fields() {
                let keep_zero = SCHEMA_POINTERS.contains(&f.name());
                let Some(j) = value(v, keep_zero) else { continue };
                let key = match f.name() {
                    "ref" => "$ref".to_string(),
                    "schema" => "$schema".to_string(),
                    n if n.starts_with("xKubernetes") => kebab(n),
                    n => n.to_string(),
                };
                out.insert(key, j);
            }
            Some(Value::Object(out))
        }
    }
}

/// JSONSchemaProps' pointer fields: a 0 there is a bound.
const SCHEMA_POINTERS: &[&str] = &[
    "maximum",
    "minimum",
    "multipleOf",
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maxProperties",
    "minProperties",
    "xKubernetesPreserveUnknownFields",
];

/// `xKubernetesListType` → `x-kubernetes-list-type`.
fn kebab(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Go structs embedded with `json:",inline"`: a field of their own in protobuf, their fields
/// written into the parent's in JSON (`Message.field`, or a field name for every message).
const INLINE: &[&str] = &[
    "Volume.volumeSource",
    "PersistentVolumeSpec.persistentVolumeSource",
    "Probe.handler",
    "EphemeralContainer.ephemeralContainerCommon",
    "IngressRule.ingressRuleValue",
    "localObjectReference",
];

/// One field's value, `None` when JSON leaves it out.
fn value(v: &Pv, keep_zero: bool) -> Option<Value> {
    let scalar = |j: Value, zero: bool| (!zero || keep_zero).then_some(j);
    match v {
        Pv::Bool(b) => scalar(Value::Bool(*b), !b),
        Pv::I32(n) => scalar(Value::from(*n), *n == 0),
        Pv::I64(n) => scalar(Value::from(*n), *n == 0),
        Pv::U32(n) => scalar(Value::from(*n), *n == 0),
        Pv::U64(n) => scalar(Value::from(*n), *n == 0),
        Pv::F32(x) => scalar(Value::from(f64::from(*x)), *x == 0.0),
        Pv::F64(x) => scalar(Value::from(*x), *x == 0.0),
        Pv::EnumNumber(n) => scalar(Value::from(*n), *n == 0),
        Pv::String(s) => scalar(Value::String(s.clone()), s.is_empty()),
        Pv::Bytes(b) => scalar(
            Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
            b.is_empty(),
        ),
        Pv::Message(m) => to_json(m),
        Pv::List(items) => {
            let list: Vec<Value> = items.iter().map(|x| item(x).unwrap_or(Value::Null)).collect();
            (!list.is_empty()).then_some(Value::Array(list))
        }
        Pv::Map(entries) => {
            let mut out = Map::new();
            for (k, x) in entries {
                out.insert(map_key(k), item(x).unwrap_or(Value::Null));
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
    }
}

/// An element of a list or a map's value: its zero is a value, not an absence.
fn item(v: &Pv) -> Option<Value> {
    Some(match v {
        Pv::Bool(b) => Value::Bool(*b),
        Pv::I32(n) => Value::from(*n),
        Pv::I64(n) => Value::from(*n),
        Pv::U32(n) => Value::from(*n),
        Pv::U64(n) => Value::from(*n),
        Pv::F32(x) => Value::from(f64::from(*x)),
        Pv::F64(x) => Value::from(*x),
        Pv::EnumNumber(n) => Value::from(*n),
        Pv::String(s) => Value::String(s.clone()),
        Pv::Bytes(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Pv::Message(m) => return to_json(m),
        Pv::List(_) | Pv::Map(_) => return None,
    })
}

fn map_key(k: &MapKey) -> String {
    match k {
        MapKey::String(s) => s.clone(),
        MapKey::Bool(b) => b.to_string(),
        MapKey::I32(n) => n.to_string(),
        MapKey::I64(n) => n.to_string(),
        MapKey::U32(n) => n.to_string(),
        MapKey::U64(n) => n.to_string(),
    }
}

/// A `raw` bytes field that holds JSON (RawExtension, FieldsV1, apiextensions' JSON).
fn embedded_json(m: &DynamicMessage) -> Option<Value> {
    let (_, v) = m.fields().next()?;
    match v {
        Pv::Bytes(b) if !b.is_empty() => serde_json::from_slice(b).ok(),
        _ => None,
    }
}

/// `metav1.Time` (seconds, RFC 3339) or `MicroTime` (microseconds); the zero time is omitted,
/// as the API server writes it as null.
fn time(m: &DynamicMessage, micro: bool) -> Option<Value> {
    const GO_ZERO_TIME: i64 = -62_135_596_800;
    let secs = int_field(m, "seconds");
    let nanos = i32::try_from(int_field(m, "nanos")).unwrap_or(0);
    if secs == GO_ZERO_TIME || (secs == 0 && nanos == 0 && !m.has_field_by_name("seconds")) {
        return None;
    }
    let ts = jiff::Timestamp::new(secs, if micro { nanos } else { 0 }).ok()?;
    let fmt = if micro {
        "%Y-%m-%dT%H:%M:%S%.6fZ"
    } else {
        "%Y-%m-%dT%H:%M:%SZ"
    };
    Some(Value::String(ts.strftime(fmt).to_string()))
}

/// A duration as Go's `time.Duration.String` writes it ("1h0m0s", "1.5s", "300ms", "0s").
fn go_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let sign = if ns < 0 { "-" } else { "" };
    let n = ns.unsigned_abs();
    if n < 1_000_000_000 {
        let (unit, div) = match n {
            ..1_000 => ("ns", 1),
            1_000..1_000_000 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{sign}{}{unit}", fraction(n, div));
    }
    let (h, rest) = (n / 3_600_000_000_000, n % 3_600_000_000_000);
    let (min, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let secs = fraction(rest, 1_000_000_000);
    match (h, min) {
        (0, 0) => format!("{sign}{secs}s"),
        (0, m) => format!("{sign}{m}m{secs}s"),
        (h, m) => format!("{sign}{h}h{m}m{secs}s"),
    }
}

/// `n / div` with its fraction's significant digits ("1.5", "2").
fn fraction(n: u64, div: u64) -> String {
    let (whole, frac) = (n / div, n % div);
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
#[path = "proto_tests.rs"]
mod tests;
