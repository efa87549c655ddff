//! kubectl's column printers (`k8s.io/kubernetes/pkg/printers/internalversion`), for typed objects.
//!
//! Every kind has a column list (named as the API server names them in a `Table`; kubectl shows them
//! upper-cased) and a row function returning typed cells. The API server always prints the wide
//! columns; plain `kubectl get` hides the columns with priority 1.

pub mod age;
pub mod config;
pub mod misc;
pub mod network;
pub mod nodes;
pub mod pods;
pub mod rbac;
pub mod workloads;

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Container;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One column of a printed table, as in `metav1.TableColumnDefinition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Name as the API server sends it ("Nominated Node"); kubectl upper-cases it for the header.
    pub name: &'static str,
    /// OpenAPI type: "string", "integer", "boolean", "date".
    pub ty: &'static str,
    /// OpenAPI format: "name" for the object-name column, otherwise empty.
    pub format: &'static str,
    /// 0 for normal columns, 1 for the columns only `-o wide` shows.
    pub priority: u8,
    /// Human description of the column.
    pub description: &'static str,
}

impl Column {
    /// The header kubectl prints for this column ("NOMINATED NODE").
    pub fn header(&self) -> String {
        self.name.to_uppercase()
    }
}

/// A normal string column.
pub const fn col(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        ty: "string",
        format: "",
        priority: 0,
        description,
    }
}

/// A normal integer column.
pub const fn int(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        ty: "integer",
        format: "",
        priority: 0,
        description,
    }
}

/// A string column only shown by `-o wide`.
pub const fn wide(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        ty: "string",
        format: "",
        priority: 1,
        description,
    }
}

/// `ObjectMeta.name`'s swagger description, used by every Name column.
pub const NAME_DESC: &str = "Name must be unique within a namespace. It is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

/// `ObjectMeta.creationTimestamp`'s swagger description, used by every Age column.
pub const AGE_DESC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// The object-name column.
pub const NAME: Column = Column {
    name: "Name",
    ty: "string",
    format: "name",
    priority: 0,
    description: NAME_DESC,
};
/// The age column (a string such as "3m20s").
pub const AGE: Column = col("Age", AGE_DESC);
/// Wide "Containers" column of workload kinds.
pub const CONTAINERS: Column = wide("Containers", "Names of each container in the template.");
/// Wide "Images" column of workload kinds.
pub const IMAGES: Column = wide("Images", "Images referenced by each container in the template.");

/// Columns of the API server's default table convertor, for kinds without a printer (Roles, ClusterRoles).
pub static DEFAULT_COLUMNS: &[Column] = &[
    NAME,
    Column {
        name: "Created At",
        ty: "date",
        format: "",
        priority: 0,
        description: AGE_DESC,
    },
];

/// One table cell, typed as the API server serialises it (kubectl prints it with Go's `%v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// A string cell.
    Str(String),
    /// An integer cell.
    Int(i64),
    /// A boolean cell (printed "true"/"false").
    Bool(bool),
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Str(s) => f.write_str(s),
            Cell::Int(i) => write!(f, "{i}"),
            Cell::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Str(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Str(s.to_string())
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Self {
        Cell::Int(i)
    }
}

impl From<i32> for Cell {
    fn from(i: i32) -> Self {
        Cell::Int(i64::from(i))
    }
}

impl From<bool> for Cell {
    fn from(b: bool) -> Self {
        Cell::Bool(b)
    }
}

impl Cell {
    /// The cell as JSON, the way a `Table` row carries it.
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Str(s) => Value::String(s.clone()),
            Cell::Int(i) => Value::from(*i),
            Cell::Bool(b) => Value::Bool(*b),
        }
    }
}

/// The cells as the strings kubectl prints.
pub fn texts(cells: &[Cell]) -> Vec<String> {
    cells.iter().map(ToString::to_string).collect()
}

/// The object's name, or "" when missing.
pub fn name_of(meta: &ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

/// The object's age column.
pub fn age_of(meta: &ObjectMeta, now: Timestamp) -> Cell {
    Cell::Str(age::age(meta.creation_timestamp.as_ref(), now))
}

/// `labels.FormatLabels`: "k=v,k2=v2" sorted by key, or "<none>".
pub fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    let s = labels_string(labels);
    if s.is_empty() { "<none>".into() } else { s }
}

/// `labels.Set.String`: "k=v,k2=v2" sorted by key, "" when empty.
pub fn labels_string(labels: Option<&BTreeMap<String, String>>) -> String {
    labels
        .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
        .unwrap_or_default()
}

/// `metav1.LabelSelectorAsSelector(sel).String()`; `Err` where the selector is invalid.
pub fn selector_string(sel: Option<&LabelSelector>) -> Result<String, String> {
    let Some(sel) = sel else { return Ok(String::new()) };
    let mut reqs: Vec<(String, String)> = Vec::new();
    for (k, v) in sel.match_labels.iter().flatten() {
        reqs.push((k.clone(), format!("{k}={v}")));
    }
    for e in sel.match_expressions.iter().flatten() {
        let mut values = e.values.clone().unwrap_or_default();
        let text = match e.operator.as_str() {
            "In" | "NotIn" => {
                if values.is_empty() {
                    return Err(format!(
                        "for '{}', '{}' operator, values set can't be empty",
                        e.key, e.operator
                    ));
                }
                values.sort();
                let op = if e.operator == "In" { "in" } else { "notin" };
                format!("{} {op} ({})", e.key, values.join(","))
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    return Err("values set must be empty for exists and does not exist".to_string());
                }
                let bang = if e.operator == "Exists" { "" } else { "!" };
                format!("{bang}{}", e.key)
            }
            other => return Err(format!("{other:?} is not a valid label selector operator")),
        };
        reqs.push((e.key.clone(), text));
    }
    // The selector keeps its requirements sorted by key.
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(reqs.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(","))
}

/// `metav1.FormatLabelSelector`: the selector string, "<none>" when it selects everything/nothing,
/// "<error>" when invalid.
pub fn describe_selector(sel: &LabelSelector) -> String {
    match selector_string(Some(sel)) {
        Ok(s) if s.is_empty() => "<none>".into(),
        Ok(s) => s,
        Err(_) => "<error>".into(),
    }
}

/// `FormatLabelSelector` for an optional selector (nil selects nothing, printed "<none>").
pub fn describe_selector_opt(sel: Option<&LabelSelector>) -> String {
    sel.map(describe_selector).unwrap_or_else(|| "<none>".into())
}

/// `layoutContainerCells`: container names and images, each comma-joined.
pub fn layout_containers(containers: &[Container]) -> (String, String) {
    let names = containers.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(",");
    let images = containers
        .iter()
        .map(|c| c.image.as_deref().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(",");
    (names, images)
}

/// The columns the API server prints for `kind`; kinds without a printer get the default convertor's.
pub fn columns_for(kind: &str) -> &'static [Column] {
    match kind {
        "Pod" => pods::POD_COLUMNS,
        "Node" => nodes::NODE_COLUMNS,
        "Namespace" => misc::NAMESPACE_COLUMNS,
        "Event" => misc::EVENT_COLUMNS,
        "Lease" => misc::LEASE_COLUMNS,
        "HorizontalPodAutoscaler" => misc::HPA_COLUMNS,
        "PodDisruptionBudget" => misc::PDB_COLUMNS,
        "ServiceAccount" => misc::SERVICE_ACCOUNT_COLUMNS,
        "ControllerRevision" => misc::CONTROLLER_REVISION_COLUMNS,
        "APIService" => misc::API_SERVICE_COLUMNS,
        "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => misc::WEBHOOK_COLUMNS,
        "Deployment" => workloads::DEPLOYMENT_COLUMNS,
        "ReplicaSet" => workloads::REPLICA_SET_COLUMNS,
        "StatefulSet" => workloads::STATEFUL_SET_COLUMNS,
        "DaemonSet" => workloads::DAEMON_SET_COLUMNS,
        "Job" => workloads::JOB_COLUMNS,
        "CronJob" => workloads::CRON_JOB_COLUMNS,
        "Service" => network::SERVICE_COLUMNS,
        "Endpoints" => network::ENDPOINTS_COLUMNS,
        "EndpointSlice" => network::ENDPOINT_SLICE_COLUMNS,
        "Ingress" => network::INGRESS_COLUMNS,
        "IngressClass" => network::INGRESS_CLASS_COLUMNS,
        "NetworkPolicy" => network::NETWORK_POLICY_COLUMNS,
        "ConfigMap" => config::CONFIG_MAP_COLUMNS,
        "Secret" => config::SECRET_COLUMNS,
        "PersistentVolume" => config::PV_COLUMNS,
        "PersistentVolumeClaim" => config::PVC_COLUMNS,
        "StorageClass" => config::STORAGE_CLASS_COLUMNS,
        "RoleBinding" | "ClusterRoleBinding" => rbac::BINDING_COLUMNS,
        _ => DEFAULT_COLUMNS,
    }
}

fn typed<T: DeserializeOwned>(v: &Value) -> Result<T, serde_json::Error> {
    T::deserialize(v)
}

/// The row for one object of `kind` given as JSON, matching [`columns_for`]; `Err` when the JSON
/// does not deserialize into the kind's typed struct.
pub fn row_for(kind: &str, v: &Value, now: Timestamp) -> Result<Vec<Cell>, serde_json::Error> {
    Ok(match kind {
        "Pod" => pods::pod_row(&typed(v)?, now),
        "Node" => nodes::node_row(&typed(v)?, now),
        "Namespace" => misc::namespace_row(&typed(v)?, now),
        "Event" => misc::event_row(&typed(v)?, now),
        "Lease" => misc::lease_row(&typed(v)?, now),
        "HorizontalPodAutoscaler" => misc::hpa_row(&typed(v)?, now),
        "PodDisruptionBudget" => misc::pdb_row(&typed(v)?, now),
        "ServiceAccount" => misc::service_account_row(&typed(v)?, now),
        "ControllerRevision" => misc::controller_revision_row(&typed(v)?, now),
        "APIService" => misc::api_service_row(&typed(v)?, now),
        "ValidatingWebhookConfiguration" => misc::validating_webhook_row(&typed(v)?, now),
        "MutatingWebhookConfiguration" => misc::mutating_webhook_row(&typed(v)?, now),
        "Deployment" => workloads::deployment_row(&typed(v)?, now),
        "ReplicaSet" => workloads::replica_set_row(&typed(v)?, now),
        "StatefulSet" => workloads::stateful_set_row(&typed(v)?, now),
        "DaemonSet" => workloads::daemon_set_row(&typed(v)?, now),
        "Job" => workloads::job_row(&typed(v)?, now),
        "CronJob" => workloads::cron_job_row(&typed(v)?, now),
        "Service" => network::service_row(&typed(v)?, now),
        "Endpoints" => network::endpoints_row(&typed(v)?, now),
        "EndpointSlice" => network::endpoint_slice_row(&typed(v)?, now),
        "Ingress" => network::ingress_row(&typed(v)?, now),
        "IngressClass" => network::ingress_class_row(&typed(v)?, now),
        "NetworkPolicy" => network::network_policy_row(&typed(v)?, now),
        "ConfigMap" => config::config_map_row(&typed(v)?, now),
        "Secret" => config::secret_row(&typed(v)?, now),
        "PersistentVolume" => config::pv_row(&typed(v)?, now),
        "PersistentVolumeClaim" => config::pvc_row(&typed(v)?, now),
        "StorageClass" => config::storage_class_row(&typed(v)?, now),
        "RoleBinding" => rbac::role_binding_row(&typed(v)?, now),
        "ClusterRoleBinding" => rbac::cluster_role_binding_row(&typed(v)?, now),
        _ => default_row(v),
    })
}

/// The default table convertor's row: name and creation time in RFC 3339 UTC.
pub fn default_row(v: &Value) -> Vec<Cell> {
    let meta = &v["metadata"];
    let name = meta["name"].as_str().unwrap_or_default().to_string();
    let created = meta["creationTimestamp"]
        .as_str()
        .and_then(|s| s.parse::<Timestamp>().ok())
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        // Go formats the zero time this way when creationTimestamp is unset.
        .unwrap_or_else(|| "0001-01-01T00:00:00Z".into());
    vec![Cell::Str(name), Cell::Str(created)]
}

/// Builds a typed object from a JSON literal (tests).
#[cfg(test)]
pub(crate) fn obj<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("test object deserializes")
}

/// A fixed "now" for tests: 2024-05-01T12:00:00Z.
#[cfg(test)]
pub(crate) fn test_now() -> Timestamp {
    "2024-05-01T12:00:00Z".parse().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selector_formats_like_metav1() {
        let sel: LabelSelector = obj(json!({
            "matchLabels": {"app": "web", "tier": "fe"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "dev"]},
                {"key": "zz", "operator": "DoesNotExist"},
                {"key": "canary", "operator": "Exists"},
                {"key": "os", "operator": "NotIn", "values": ["win"]}
            ]
        }));
        assert_eq!(
            describe_selector(&sel),
            "app=web,canary,env in (dev,prod),os notin (win),tier=fe,!zz"
        );
        assert_eq!(describe_selector(&LabelSelector::default()), "<none>");
        let bad: LabelSelector = obj(json!({"matchExpressions": [{"key": "a", "operator": "Bogus"}]}));
        assert_eq!(describe_selector(&bad), "<error>");
        let empty_in: LabelSelector = obj(json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}));
        assert_eq!(describe_selector(&empty_in), "<error>");
        assert_eq!(describe_selector_opt(None), "<none>");
    }

    #[test]
    fn labels_format_sorted_or_none() {
        let mut m = BTreeMap::new();
        assert_eq!(format_labels(Some(&m)), "<none>");
        m.insert("b".to_string(), "2".to_string());
        m.insert("a".to_string(), "1".to_string());
        assert_eq!(format_labels(Some(&m)), "a=1,b=2");
        assert_eq!(format_labels(None), "<none>");
    }

    #[test]
    fn kinds_without_printer_get_created_at() {
        let v = json!({"metadata": {"name": "admin", "creationTimestamp": "2024-04-01T10:00:00Z"}});
        assert_eq!(columns_for("ClusterRole")[1].name, "Created At");
        assert_eq!(columns_for("ClusterRole")[1].ty, "date");
        let row = row_for("ClusterRole", &v, test_now()).unwrap();
        assert_eq!(texts(&row), vec!["admin", "2024-04-01T10:00:00Z"]);
    }

    #[test]
    fn every_row_matches_its_column_count() {
        let kinds = [
            "Pod",
            "Node",
            "Namespace",
            "Event",
            "Lease",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "ServiceAccount",
            "ControllerRevision",
            "APIService",
            "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "CronJob",
            "Service",
            "Endpoints",
            "EndpointSlice",
            "Ingress",
            "IngressClass",
            "NetworkPolicy",
            "ConfigMap",
            "Secret",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "StorageClass",
            "RoleBinding",
            "ClusterRoleBinding",
            "Role",
        ];
        for kind in kinds {
            let v = minimal(kind);
            let row = row_for(kind, &v, test_now()).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(row.len(), columns_for(kind).len(), "{kind}");
            assert_eq!(
                row[if kind == "Event" { 9 } else { 0 }].to_string(),
                "x",
                "{kind} name cell"
            );
        }
    }

    /// The smallest JSON each kind's typed struct accepts.
    fn minimal(kind: &str) -> Value {
        let mut v = json!({"metadata": {"name": "x", "creationTimestamp": "2024-05-01T11:00:00Z"}});
        let extra = match kind {
            "Event" => json!({"involvedObject": {"kind": "Pod", "name": "p"}}),
            "APIService" => json!({"spec": {"groupPriorityMinimum": 1, "versionPriority": 1}}),
            "ControllerRevision" => json!({"revision": 1}),
            "RoleBinding" | "ClusterRoleBinding" => {
                json!({"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"}})
            }
            "StorageClass" => json!({"provisioner": "p"}),
            "EndpointSlice" => json!({"addressType": "IPv4", "endpoints": []}),
            "IngressClass" | "NetworkPolicy" => json!({"spec": {}}),
            _ => json!({}),
        };
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    }
}
