//! The kinds kubedeck knows and the namespaces a watch covers.

use std::sync::{PoisonError, RwLock};

use crate::registry::Resource;

/// A kind: one kubedeck watches with typed k8s-openapi structs and its own printer, or any other
/// resource the server serves ([`Kind::Other`], shown through the server's own Table columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// core/v1 Pod.
    Pod,
    /// core/v1 Node.
    Node,
    /// core/v1 Service.
    Service,
    /// apps/v1 Deployment.
    Deployment,
    /// apps/v1 ReplicaSet.
    ReplicaSet,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// apps/v1 DaemonSet.
    DaemonSet,
    /// batch/v1 Job.
    Job,
    /// batch/v1 CronJob.
    CronJob,
    /// core/v1 Namespace.
    Namespace,
    /// core/v1 Event.
    Event,
    /// discovery.k8s.io/v1 EndpointSlice (the ENDPOINTS column of services).
    EndpointSlice,
    /// Any other resource of the registry, known by what discovery said of it.
    Other(Res),
}

/// A registry resource interned for the life of the process: a small copyable handle, so a
/// [`Kind`] stays `Copy` whatever the server serves. Bounded by the number of distinct
/// (group, plural) pairs the clusters serve, a few hundred at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Res(u32);

/// The interned resources, by handle; an entry is replaced (and the old one leaked) when
/// discovery says something new of it (a version or verbs change), which is rare.
static INTERNED: RwLock<Vec<&'static Resource>> = RwLock::new(Vec::new());

impl Res {
    /// The handle of `resource`, keyed by group and plural: the same resource always gets the same
    /// handle, with what discovery said of it last.
    pub fn intern(resource: &Resource) -> Res {
        let same = |r: &&Resource| r.group == resource.group && r.plural == resource.plural;
        {
            let table = INTERNED.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(n) = table.iter().position(same)
                && table[n] == resource
            {
                return Res(n as u32);
            }
        }
        let mut table = INTERNED.write().unwrap_or_else(PoisonError::into_inner);
        let leaked: &'static Resource = Box::leak(Box::new(resource.clone()));
        match table.iter().position(same) {
            Some(n) => {
                table[n] = leaked;
                Res(n as u32)
            }
            None => {
                table.push(leaked);
                Res(table.len() as u32 - 1)
            }
        }
    }

    /// What discovery said of it.
    pub fn get(self) -> &'static Resource {
        INTERNED.read().unwrap_or_else(PoisonError::into_inner)[self.0 as usize]
    }
}

impl Kind {
    /// The kind a registry resource is: a typed kind where kubedeck has one (at the group and kind),
    /// else [`Kind::Other`].
    pub fn from_resource(resource: &Resource) -> Kind {
        Kind::of(&resource.group, &resource.kind).unwrap_or_else(|| Kind::Other(Res::intern(resource)))
    }

    /// What discovery said of an [`Kind::Other`]; None for the typed kinds.
    pub fn resource(self) -> Option<&'static Resource> {
        match self {
            Kind::Other(r) => Some(r.get()),
            _ => None,
        }
    }

    /// Whether kubedeck watches it with typed structs and its own printer.
    pub fn typed(self) -> bool {
        !matches!(self, Kind::Other(_))
    }

    /// Every typed kind, in menu order.
    pub const ALL: [Kind; 12] = [
        Kind::Pod,
        Kind::Node,
        Kind::Service,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::Job,
        Kind::CronJob,
        Kind::Namespace,
        Kind::Event,
        Kind::EndpointSlice,
    ];

    /// Whether objects of this kind live in a namespace.
    pub fn namespaced(self) -> bool {
        match self {
            Kind::Other(r) => r.get().namespaced,
            _ => !matches!(self, Kind::Node | Kind::Namespace),
        }
    }

    /// The lower-case plural resource name, as in kubectl and RBAC messages.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Pod => "pods",
            Kind::Node => "nodes",
            Kind::Service => "services",
            Kind::Deployment => "deployments",
            Kind::ReplicaSet => "replicasets",
            Kind::StatefulSet => "statefulsets",
            Kind::DaemonSet => "daemonsets",
            Kind::Job => "jobs",
            Kind::CronJob => "cronjobs",
            Kind::Namespace => "namespaces",
            Kind::Event => "events",
            Kind::EndpointSlice => "endpointslices",
            Kind::Other(r) => &r.get().plural,
        }
    }

    /// Its API group ("" for the core group).
    pub fn group(self) -> &'static str {
        match self {
            Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet => "apps",
            Kind::Job | Kind::CronJob => "batch",
            Kind::EndpointSlice => "discovery.k8s.io",
            Kind::Other(r) => &r.get().group,
            _ => "",
        }
    }

    /// The typed kind with this group and kind name, if kubedeck has one.
    pub fn of(group: &str, kind: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.group() == group && k.name() == kind)
    }

    /// The kind name as the API spells it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pod => "Pod",
            Kind::Node => "Node",
            Kind::Service => "Service",
            Kind::Deployment => "Deployment",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::Job => "Job",
            Kind::CronJob => "CronJob",
            Kind::Namespace => "Namespace",
            Kind::Event => "Event",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::Other(r) => &r.get().kind,
        }
    }
}

/// Which namespaces a watch covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every namespace (and the only scope of cluster-scoped kinds).
    All,
    /// One namespace.
    Namespace(String),
}

impl Scope {
    /// The scope a watch of `kind` really uses: cluster-scoped kinds ignore the namespace.
    pub fn for_kind(self, kind: Kind) -> Scope {
        if kind.namespaced() { self } else { Scope::All }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(group: &str, kind: &str, plural: &str, version: &str) -> Resource {
        Resource {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            namespaced: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_resource_keeps_its_handle_and_takes_what_discovery_said_last() {
        let v1 = res("example.com", "Widget", "widgets", "v1");
        let a = Kind::from_resource(&v1);
        assert_eq!(a, Kind::from_resource(&v1));
        assert_eq!((a.plural(), a.group(), a.name()), ("widgets", "example.com", "Widget"));
        assert!(a.namespaced() && !a.typed());
        let v2 = res("example.com", "Widget", "widgets", "v2");
        assert_eq!(Kind::from_resource(&v2), a, "same group and plural: same kind");
        assert_eq!(a.resource().map(|r| r.version.as_str()), Some("v2"));
        let other = Kind::from_resource(&res("other.io", "Widget", "widgets", "v1"));
        assert_ne!(other, a, "another group is another kind");
    }

    #[test]
    fn a_resource_kubedeck_has_types_for_stays_typed() {
        assert_eq!(
            Kind::from_resource(&res("apps", "Deployment", "deployments", "v1")),
            Kind::Deployment
        );
        assert_eq!(Kind::from_resource(&res("", "Pod", "pods", "v1")), Kind::Pod);
        assert!(Kind::Pod.resource().is_none());
    }
}
