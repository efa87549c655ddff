//! RBAC: `enter` on a ServiceAccount leads to the RoleBindings and ClusterRoleBindings that grant
//! it something (by name, or through its `system:serviceaccounts` groups); on a Role or
//! ClusterRole, to the bindings that refer to it.

use serde_json::Value;

use super::extra::{Extras, Found, Link, Need, id, list};

const RBAC: &str = "rbac.authorization.k8s.io";

const BINDINGS: &[Need] = &[
    Need {
        group: RBAC,
        kind: "RoleBinding",
        everywhere: true,
    },
    Need {
        group: RBAC,
        kind: "ClusterRoleBinding",
        everywhere: true,
    },
];

/// The extras of ServiceAccounts, Roles and ClusterRoles.
pub static EXTRAS: &[Extras] = &[
    Extras {
        group: "",
        kind: "ServiceAccount",
        enter: Some(Link {
            needs: BINDINGS,
            resolve: |sa, lists| Ok(bindings(lists, |b| grants(b, sa))),
            what: "bindings of",
            none: "no binding grants it anything",
        }),
        ..Extras::NONE
    },
    Extras {
        group: RBAC,
        kind: "Role",
        enter: Some(Link {
            needs: &[Need {
                group: RBAC,
                kind: "RoleBinding",
                everywhere: false,
            }],
            resolve: |role, lists| Ok(bindings(lists, |b| refers(b, "Role", role))),
            what: "bindings of",
            none: "no binding refers to it",
        }),
        ..Extras::NONE
    },
    Extras {
        group: RBAC,
        kind: "ClusterRole",
        enter: Some(Link {
            needs: BINDINGS,
            resolve: |role, lists| Ok(bindings(lists, |b| refers(b, "ClusterRole", role))),
            what: "bindings of",
            none: "no binding refers to it",
        }),
        ..Extras::NONE
    },
];

/// The RoleBindings (list 0) and ClusterRoleBindings (list 1) that pass `keep`.
fn bindings(lists: &[Vec<Value>], keep: impl Fn(&Value) -> bool) -> Vec<Found> {
    ["RoleBinding", "ClusterRoleBinding"]
        .into_iter()
        .enumerate()
        .map(|(n, kind)| Found::named(RBAC, kind, list(lists, n).iter().filter(|b| keep(b)).map(id).collect()))
        .collect()
}

/// Whether the binding's roleRef is the role `role` of kind `kind` (a RoleBinding's Role lives in
/// the binding's namespace).
fn refers(binding: &Value, kind: &str, role: &Value) -> bool {
    let (role_ns, role_name) = id(role);
    let r = &binding["roleRef"];
    r["kind"] == kind && r["name"] == role_name.as_str() && (kind != "Role" || id(binding).0 == role_ns)
}

/// Whether the binding names the service account `sa` as a subject, itself or through the groups
/// every service account (of its namespace) belongs to.
fn grants(binding: &Value, sa: &Value) -> bool {
    let (ns, name) = id(sa);
    let binding_ns = id(binding).0;
    binding["subjects"].as_array().into_iter().flatten().any(|s| {
        let subject_ns = s["namespace"].as_str().filter(|n| !n.is_empty()).unwrap_or(&binding_ns);
        match s["kind"].as_str() {
            Some("ServiceAccount") => s["name"] == name.as_str() && subject_ns == ns,
            Some("Group") => {
                let group = s["name"].as_str().unwrap_or_default();
                group == "system:serviceaccounts" || group == format!("system:serviceaccounts:{ns}")
            }
            _ => false,
        }
    })
}
