//! The resource kinds the demo cluster serves, with the discovery facts clients read.

use parking_lot::RwLock;

/// One served resource: what discovery says about it and where it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceDef {
    /// API group ("" for the core group).
    pub group: &'static str,
    /// Served (and storage) version.
    pub version: &'static str,
    /// Kind as written in objects.
    pub kind: &'static str,
    /// Plural resource name used in paths.
    pub plural: &'static str,
    /// Singular name, as discovery reports it.
    pub singular: &'static str,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// kubectl short names.
    pub short_names: &'static [&'static str],
    /// Subresources served for this resource.
    pub subresources: &'static [&'static str],
    /// Discovery categories ("all" makes `kubectl get all` include it).
    pub categories: &'static [&'static str],
    /// What a CustomResourceDefinition adds (printer columns, scale paths); `None` for built-in kinds.
    pub custom: Option<&'static crate::crd::types::Custom>,
}

impl ResourceDef {
    /// `apiVersion` as written in objects: "v1" or "apps/v1".
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The name used in error messages and RBAC: "pods", "deployments.apps".
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// Whether the resource has the named subresource.
    pub fn has_sub(&self, sub: &str) -> bool {
        self.subresources.contains(&sub)
    }
}

const ST: &[&str] = &["status"];
const NONE: &[&str] = &[];
const ALL: &[&str] = &["all"];

macro_rules! res {
    ($g:expr, $v:expr, $kind:expr, $plural:expr, $singular:expr, $ns:expr, $short:expr, $sub:expr, $cat:expr) => {
        ResourceDef {
            group: $g,
            version: $v,
            kind: $kind,
            plural: $plural,
            singular: $singular,
            namespaced: $ns,
            short_names: $short,
            subresources: $sub,
            categories: $cat,
            custom: None,
        }
    };
}

/// Every resource the demo cluster serves. The index into this table is a [`ResId`].
pub static RESOURCES: &[ResourceDef] = &[
    res!(
        "",
        "v1",
        "Namespace",
        "namespaces",
        "namespace",
        false,
        &["ns"],
        ST,
        NONE
    ),
    res!("", "v1", "Node", "nodes", "node", false, &["no"], ST, NONE),
    res!(
        "",
        "v1",
        "Pod",
        "pods",
        "pod",
        true,
        &["po"],
        &["status", "log", "eviction", "ephemeralcontainers"],
        ALL
    ),
    res!("", "v1", "Service", "services", "service", true, &["svc"], ST, ALL),
    res!(
        "",
        "v1",
        "Endpoints",
        "endpoints",
        "endpoints",
        true,
        &["ep"],
        NONE,
        NONE
    ),
    res!(
        "",
        "v1",
        "ConfigMap",
        "configmaps",
        "configmap",
        true,
        &["cm"],
        NONE,
        NONE
    ),
    res!("", "v1", "Secret", "secrets", "secret", true, NONE, NONE, NONE),
    res!(
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        "persistentvolume",
        false,
        &["pv"],
        ST,
        NONE
    ),
    res!(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        true,
        &["pvc"],
        ST,
        NONE
    ),
    res!(
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        "serviceaccount",
        true,
        &["sa"],
        NONE,
        NONE
    ),
    res!("", "v1", "Event", "events", "event", true, &["ev"], NONE, NONE),
    res!(
        "apps",
        "v1",
        "Deployment",
        "deployments",
        "deployment",
        true,
        &["deploy"],
        &["status", "scale"],
        ALL
    ),
    res!(
        "apps",
        "v1",
        "ReplicaSet",
        "replicasets",
        "replicaset",
        true,
        &["rs"],
        &["status", "scale"],
        ALL
    ),
    res!(
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        "statefulset",
        true,
        &["sts"],
        &["status", "scale"],
        ALL
    ),
    res!(
        "apps",
        "v1",
        "DaemonSet",
        "daemonsets",
        "daemonset",
        true,
        &["ds"],
        ST,
        ALL
    ),
    res!(
        "apps",
        "v1",
        "ControllerRevision",
        "controllerrevisions",
        "controllerrevision",
        true,
        NONE,
        NONE,
        NONE
    ),
    res!("batch", "v1", "Job", "jobs", "job", true, NONE, ST, ALL),
    res!("batch", "v1", "CronJob", "cronjobs", "cronjob", true, &["cj"], ST, ALL),
    res!(
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        "endpointslices",
        "endpointslice",
        true,
        NONE,
        NONE,
        NONE
    ),
    res!(
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        "ingress",
        true,
        &["ing"],
        ST,
        NONE
    ),
    res!(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        "networkpolicy",
        true,
        &["netpol"],
        NONE,
        NONE
    ),
    res!(
        "networking.k8s.io",
        "v1",
        "IngressClass",
        "ingressclasses",
        "ingressclass",
        false,
        NONE,
        NONE,
        NONE
    ),
    res!(
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        "storageclass",
        false,
        &["sc"],
        NONE,
        NONE
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        "role",
        true,
        NONE,
        NONE,
        NONE
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        "rolebinding",
        true,
        NONE,
        NONE,
        NONE
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        "clusterrole",
        false,
        NONE,
        NONE,
        NONE
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        "clusterrolebinding",
        false,
        NONE,
        NONE,
        NONE
    ),
    res!(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        true,
        &["hpa"],
        ST,
        ALL
    ),
    res!(
        "coordination.k8s.io",
        "v1",
        "Lease",
        "leases",
        "lease",
        true,
        NONE,
        NONE,
        NONE
    ),
    res!(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        true,
        &["pdb"],
        ST,
        NONE
    ),
    res!(
        "apiregistration.k8s.io",
        "v1",
        "APIService",
        "apiservices",
        "apiservice",
        false,
        NONE,
        ST,
        NONE
    ),
    res!(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        false,
        NONE,
        NONE,
        NONE
    ),
    res!(
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        false,
        NONE,
        NONE,
        NONE
    ),
    res!(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        "customresourcedefinition",
        false,
        &["crd", "crds"],
        ST,
        &["api-extensions"]
    ),
];

/// Index of a resource: below `RESOURCES.len()` in [`RESOURCES`], above it a definition a CRD
/// added at run time (see [`intern`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResId(pub u16);

impl ResId {
    /// The definition this id names.
    pub fn def(self) -> &'static ResourceDef {
        let i = self.0 as usize;
        match RESOURCES.get(i) {
            Some(d) => d,
            None => DYNAMIC.read()[i - RESOURCES.len()],
        }
    }

    /// Whether a CustomResourceDefinition defines this resource.
    pub fn is_custom(self) -> bool {
        self.0 as usize >= RESOURCES.len()
    }
}

/// Definitions CustomResourceDefinitions added at run time, indexed by `ResId` beyond
/// [`RESOURCES`], so `ResId::def()` needs no store at hand. The table only grows: an identical
/// definition (two demo clusters, a CRD re-created) reuses its entry. Which of them a cluster
/// serves is its store's business (`Store::serve_custom`).
static DYNAMIC: RwLock<Vec<&'static ResourceDef>> = RwLock::new(Vec::new());

/// The id of a definition equal to `def`, adding it to the table if it is new.
pub fn intern(def: ResourceDef) -> ResId {
    if let Some(i) = DYNAMIC.read().iter().position(|d| **d == def) {
        return id_at(i);
    }
    let mut w = DYNAMIC.write();
    // Another thread may have added it between the read and the write lock.
    if let Some(i) = w.iter().position(|d| **d == def) {
        return id_at(i);
    }
    w.push(Box::leak(Box::new(def)));
    id_at(w.len() - 1)
}

fn id_at(i: usize) -> ResId {
    let id = RESOURCES.len() + i;
    ResId(u16::try_from(id).expect("fewer than 65,536 distinct custom resource definitions"))
}

/// Finds a built-in resource by group, version and plural (`Store::lookup` also finds custom ones).
pub fn lookup(group: &str, version: &str, plural: &str) -> Option<ResId> {
    RESOURCES
        .iter()
        .position(|r| r.group == group && r.version == version && r.plural == plural)
        .map(|i| ResId(i as u16))
}

/// Finds a resource by its kind (the demo cluster serves each kind once).
pub fn by_kind(kind: &str) -> Option<ResId> {
    RESOURCES.iter().position(|r| r.kind == kind).map(|i| ResId(i as u16))
}

/// Id of a resource that is known to exist; panics on a typo, which tests catch.
pub fn res(kind: &str) -> ResId {
    by_kind(kind).unwrap_or_else(|| panic!("demo cluster serves no kind {kind}"))
}

/// The API groups served by `defs`, in the order discovery lists them, each with its versions
/// (the first is the preferred one).
pub fn groups<'a>(defs: impl Iterator<Item = &'a ResourceDef>) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    for r in defs.filter(|r| !r.group.is_empty()) {
        match out.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, vs)) if !vs.contains(&r.version) => vs.push(r.version),
            Some(_) => {}
            None => out.push((r.group, vec![r.version])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_are_unique_within_a_group() {
        for (i, a) in RESOURCES.iter().enumerate() {
            for b in &RESOURCES[i + 1..] {
                assert!(!(a.group == b.group && a.plural == b.plural), "{} twice", a.plural);
                assert_ne!(a.kind, b.kind, "kind served twice");
            }
        }
    }

    #[test]
    fn lookup_finds_grouped_and_core_resources() {
        assert_eq!(lookup("apps", "v1", "deployments").unwrap().def().kind, "Deployment");
        assert_eq!(lookup("", "v1", "pods").unwrap().def().kind, "Pod");
        assert!(lookup("apps", "v1", "pods").is_none());
        assert_eq!(res("Deployment").def().qualified(), "deployments.apps");
    }
}
