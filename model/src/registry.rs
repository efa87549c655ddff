//! The resource registry: every resource the server serves, as its discovery documents list them,
//! and how a name typed at `:` resolves to one. Plain data; `cluster::discovery` in the app fills it.

/// One resource the server serves, at its group's preferred version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resource {
    /// API group ("" for the legacy core group).
    pub group: String,
    /// The version it is served at.
    pub version: String,
    /// Its kind, as the API spells it.
    pub kind: String,
    /// Lower-case plural resource name (`deployments`).
    pub plural: String,
    /// Lower-case singular name (`deployment`); the kind lower-cased when the server leaves it out.
    pub singular: String,
    /// The server's short names (`deploy`).
    pub short_names: Vec<String>,
    /// The categories it belongs to (`all`).
    pub categories: Vec<String>,
    /// Whether its objects live in a namespace.
    pub namespaced: bool,
    /// The verbs the server allows on it.
    pub verbs: Vec<String>,
    /// Its subresources (`status`, `scale`, `log` …), in the server's order.
    pub subresources: Vec<String>,
}

impl Resource {
    /// `apiVersion` as objects carry it: `v1`, `apps/v1`.
    pub fn api_version(&self) -> String {
        match self.group.as_str() {
            "" => self.version.clone(),
            g => format!("{g}/{}", self.version),
        }
    }

    /// `plural.group` (the plural alone for the core group): the name that is never ambiguous.
    pub fn qualified(&self) -> String {
        match self.group.as_str() {
            "" => self.plural.clone(),
            g => format!("{}.{g}", self.plural),
        }
    }

    /// Whether the server allows `verb` on it.
    pub fn can(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// Whether it has the subresource `sub` (`scale`, `status`).
    pub fn has(&self, sub: &str) -> bool {
        self.subresources.iter().any(|s| s == sub)
    }

    /// Whether `name` (lower case) is its plural, singular or kind.
    fn named(&self, name: &str) -> bool {
        self.plural == name || self.singular == name || self.kind.eq_ignore_ascii_case(name)
    }

    /// Whether `name` (lower case) is one of its names, short names included.
    fn answers(&self, name: &str) -> bool {
        self.named(name) || self.short_names.iter().any(|s| s == name)
    }
}

/// A group version whose resource list could not be had (kubectl's "couldn't get resource list").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// `group/version`.
    pub group_version: String,
    /// Why, in the server's or the client's words.
    pub error: String,
}

/// The names k9s users type that are not the server's names for the resource: alias, group, plural.
/// Server short names (`cm`, `pvc` …) are listed too, so they resolve even where a server leaves
/// its short names out.
pub const ALIASES: &[(&str, &str, &str)] = &[
    ("cm", "", "configmaps"),
    ("secret", "", "secrets"),
    ("sec", "", "secrets"),
    ("pvc", "", "persistentvolumeclaims"),
    ("pv", "", "persistentvolumes"),
    ("sa", "", "serviceaccounts"),
    ("ep", "", "endpoints"),
    ("quota", "", "resourcequotas"),
    ("limits", "", "limitranges"),
    ("sc", "storage.k8s.io", "storageclasses"),
    ("ing", "networking.k8s.io", "ingresses"),
    ("np", "networking.k8s.io", "networkpolicies"),
    ("netpol", "networking.k8s.io", "networkpolicies"),
    ("role", "rbac.authorization.k8s.io", "roles"),
    ("rb", "rbac.authorization.k8s.io", "rolebindings"),
    ("crole", "rbac.authorization.k8s.io", "clusterroles"),
    ("crb", "rbac.authorization.k8s.io", "clusterrolebindings"),
    ("hpa", "autoscaling", "horizontalpodautoscalers"),
    ("pdb", "policy", "poddisruptionbudgets"),
    ("crd", "apiextensions.k8s.io", "customresourcedefinitions"),
    ("crds", "apiextensions.k8s.io", "customresourcedefinitions"),
    ("pc", "scheduling.k8s.io", "priorityclasses"),
    ("lease", "coordination.k8s.io", "leases"),
    ("apiservices", "apiregistration.k8s.io", "apiservices"),
    ("mwc", "admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("vwc", "admissionregistration.k8s.io", "validatingwebhookconfigurations"),
];

/// Every resource the server serves, and the group versions that failed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registry {
    /// In kubectl's priority order: the core group first, then the groups in the order the server
    /// lists them (its group priority), each group's resources in the server's order.
    pub resources: Vec<Resource>,
    /// Group versions whose discovery failed: their resources are missing, the rest stands.
    pub failed: Vec<Failed>,
}

impl Registry {
    /// The resource a name typed at `:` means, as kubectl resolves it: plural, singular or kind
    /// (any case), then the server's short names, then k9s's aliases; `name.group` and
    /// `name.version.group` pick a group. A name two groups share goes to the group the server
    /// lists first (core first), as kubectl's priority mapper does.
    pub fn find(&self, typed: &str) -> Option<&Resource> {
        let typed = typed.trim().to_ascii_lowercase();
        if typed.is_empty() {
            return None;
        }
        let named = self.resources.iter().find(|r| r.named(&typed));
        let short = || self.resources.iter().find(|r| r.short_names.contains(&typed));
        let alias = || {
            let (_, group, plural) = ALIASES.iter().find(|(a, _, _)| *a == typed)?;
            self.resources.iter().find(|r| r.group == *group && r.plural == *plural)
        };
        named
            .or_else(short)
            .or_else(alias)
            .or_else(|| self.find_qualified(&typed))
    }

    /// `name.group` or `name.version.group` (the group may hold dots itself).
    fn find_qualified(&self, typed: &str) -> Option<&Resource> {
        let (name, rest) = typed.split_once('.')?;
        let in_group = |group: &str, version: Option<&str>| {
            self.resources
                .iter()
                .filter(|r| r.group == group && version.is_none_or(|v| r.version == v))
                .find(|r| r.answers(name))
        };
        in_group(rest, None).or_else(|| {
            let (version, group) = rest.split_once('.')?;
            in_group(group, Some(version))
        })
    }

    /// Every name `:` resolves through this registry (plurals, singulars, short names, aliases
    /// whose resource is served, `plural.group`), sorted and without repeats: for completion.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.resources {
            out.extend([r.plural.clone(), r.singular.clone(), r.qualified()]);
            out.extend(r.short_names.iter().cloned());
        }
        for (alias, group, plural) in ALIASES {
            if self.resources.iter().any(|r| r.group == *group && r.plural == *plural) {
                out.push((*alias).to_string());
            }
        }
        out.retain(|n| !n.is_empty());
        out.sort();
        out.dedup();
        out
    }

    /// The resources as `kubectl api-resources` lists them: sorted by group, then by name.
    pub fn sorted(&self) -> Vec<&Resource> {
        let mut out: Vec<&Resource> = self.resources.iter().collect();
        out.sort_by(|a, b| (&a.group, &a.plural).cmp(&(&b.group, &b.plural)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(group: &str, kind: &str, plural: &str, short: &[&str]) -> Resource {
        Resource {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_ascii_lowercase(),
            short_names: short.iter().map(|s| s.to_string()).collect(),
            namespaced: true,
            verbs: vec!["get".into(), "list".into()],
            ..Default::default()
        }
    }

    /// Core first, then groups in the server's order (as `/apis` lists them).
    fn registry() -> Registry {
        Registry {
            resources: vec![
                res("", "Pod", "pods", &["po"]),
                res("", "ConfigMap", "configmaps", &["cm"]),
                res("", "Secret", "secrets", &[]),
                res("", "Event", "events", &["ev"]),
                res("apps", "Deployment", "deployments", &["deploy"]),
                res("events.k8s.io", "Event", "events", &["ev"]),
                res("networking.k8s.io", "NetworkPolicy", "networkpolicies", &["netpol"]),
                res(
                    "rbac.authorization.k8s.io",
                    "ClusterRoleBinding",
                    "clusterrolebindings",
                    &[],
                ),
                res("gateway.networking.k8s.io", "Gateway", "gateways", &["gtw"]),
                res("networking.istio.io", "Gateway", "gateways", &["gw"]),
                res("cert-manager.io", "Certificate", "certificates", &["cert", "certs"]),
            ],
            failed: vec![],
        }
    }

    fn found(r: &Registry, typed: &str) -> Option<String> {
        r.find(typed).map(|r| r.qualified())
    }

    #[test]
    fn plural_singular_kind_and_short_names_resolve() {
        let r = registry();
        for typed in ["pods", "pod", "Pod", "PODS", "po"] {
            assert_eq!(found(&r, typed).as_deref(), Some("pods"), "{typed}");
        }
        assert_eq!(found(&r, "deploy").as_deref(), Some("deployments.apps"));
        assert_eq!(
            found(&r, "Certificate").as_deref(),
            Some("certificates.cert-manager.io")
        );
        assert_eq!(found(&r, "cert").as_deref(), Some("certificates.cert-manager.io"));
        assert_eq!(found(&r, "nothing"), None);
        assert_eq!(found(&r, ""), None);
    }

    #[test]
    fn a_shared_name_goes_to_the_group_listed_first_and_plural_group_picks_either() {
        let r = registry();
        // Core before any group (kubectl's `/v1 is special`), then the server's group order.
        assert_eq!(found(&r, "events").as_deref(), Some("events"));
        assert_eq!(found(&r, "ev").as_deref(), Some("events"));
        assert_eq!(
            found(&r, "gateway").as_deref(),
            Some("gateways.gateway.networking.k8s.io")
        );
        assert_eq!(
            found(&r, "events.events.k8s.io").as_deref(),
            Some("events.events.k8s.io")
        );
        assert_eq!(
            found(&r, "gateways.networking.istio.io").as_deref(),
            Some("gateways.networking.istio.io")
        );
        assert_eq!(
            found(&r, "gw.networking.istio.io").as_deref(),
            Some("gateways.networking.istio.io")
        );
        assert_eq!(
            found(&r, "gateway.v1.networking.istio.io").as_deref(),
            Some("gateways.networking.istio.io")
        );
        assert_eq!(
            found(&r, "certificates.cert-manager.io").as_deref(),
            Some("certificates.cert-manager.io")
        );
        assert_eq!(found(&r, "gateways.v2.networking.istio.io"), None, "no such version");
        assert_eq!(found(&r, "pods.apps"), None, "no pods in apps");
    }

    #[test]
    fn k9s_aliases_resolve_only_to_what_the_server_serves() {
        let r = registry();
        assert_eq!(found(&r, "sec").as_deref(), Some("secrets"));
        assert_eq!(found(&r, "secret").as_deref(), Some("secrets"));
        assert_eq!(found(&r, "np").as_deref(), Some("networkpolicies.networking.k8s.io"));
        assert_eq!(
            found(&r, "crb").as_deref(),
            Some("clusterrolebindings.rbac.authorization.k8s.io")
        );
        // Not served here: the alias means nothing.
        assert_eq!(found(&r, "crd"), None);
        assert_eq!(found(&r, "mwc"), None);
    }

    #[test]
    fn a_server_short_name_wins_over_a_k9s_alias() {
        let mut r = registry();
        r.resources.push(res("example.com", "Seal", "seals", &["sec"]));
        assert_eq!(found(&r, "sec").as_deref(), Some("seals.example.com"));
    }

    #[test]
    fn names_cover_every_form_once_and_sorted_is_kubectls_order() {
        let r = registry();
        let names = r.names();
        for n in ["po", "pods", "pod", "sec", "np", "certificates.cert-manager.io", "cert"] {
            assert!(names.iter().any(|x| x == n), "{n} missing");
        }
        assert!(!names.iter().any(|x| x == "crd"), "crd is not served");
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        let order: Vec<String> = r.sorted().iter().map(|r| r.qualified()).collect();
        assert_eq!(order[..4], ["configmaps", "events", "pods", "secrets"]);
        assert_eq!(order[4], "deployments.apps");
        assert_eq!(order[5], "certificates.cert-manager.io");
    }

    #[test]
    fn api_version_and_capabilities() {
        let mut d = res("apps", "Deployment", "deployments", &[]);
        d.subresources = vec!["scale".into(), "status".into()];
        assert_eq!(d.api_version(), "apps/v1");
        assert!(d.can("list") && !d.can("create"));
        assert!(d.has("scale") && !d.has("log"));
        assert_eq!(res("", "Pod", "pods", &[]).api_version(), "v1");
    }
}
