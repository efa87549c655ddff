//! The kinds kubedeck knows and the namespaces a watch covers.

/// The kinds kubedeck watches with typed k8s-openapi structs.
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
}

impl Kind {
    /// Every kind, in menu order.
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
        !matches!(self, Kind::Node | Kind::Namespace)
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
        }
    }

    /// Its API group ("" for the core group).
    pub fn group(self) -> &'static str {
        match self {
            Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet => "apps",
            Kind::Job | Kind::CronJob => "batch",
            Kind::EndpointSlice => "discovery.k8s.io",
            _ => "",
        }
    }

    /// The kind with this group and kind name, if kubedeck has it.
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
