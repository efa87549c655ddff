//! RoleBindings and ClusterRoleBindings (Roles and ClusterRoles have no printer: the API server's
//! default convertor prints Name and Created At).

use jiff::Timestamp;
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{AGE, Cell, Column, NAME, age_of, col, name_of, wide};

/// RoleBinding and ClusterRoleBinding columns.
pub static BINDING_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Role",
        "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.",
    ),
    AGE,
    wide("Users", "Users in the roleBinding"),
    wide("Groups", "Groups in the roleBinding"),
    wide("ServiceAccounts", "ServiceAccounts in the roleBinding"),
];

/// `rbac.SubjectsStrings`: users, groups and "namespace/name" service accounts.
pub fn subjects_strings(subjects: &[Subject]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut users, mut groups, mut sas) = (vec![], vec![], vec![]);
    for s in subjects {
        match s.kind.as_str() {
            "ServiceAccount" => sas.push(format!("{}/{}", s.namespace.as_deref().unwrap_or(""), s.name)),
            "User" => users.push(s.name.clone()),
            "Group" => groups.push(s.name.clone()),
            _ => {}
        }
    }
    (users, groups, sas)
}

fn binding_row(meta: &ObjectMeta, role: &RoleRef, subjects: &[Subject], now: Timestamp) -> Vec<Cell> {
    let (users, groups, sas) = subjects_strings(subjects);
    vec![
        name_of(meta).into(),
        format!("{}/{}", role.kind, role.name).into(),
        age_of(meta, now),
        users.join(", ").into(),
        groups.join(", ").into(),
        sas.join(", ").into(),
    ]
}

/// The full role binding row.
pub fn role_binding_row(rb: &RoleBinding, now: Timestamp) -> Vec<Cell> {
    binding_row(
        &rb.metadata,
        &rb.role_ref,
        rb.subjects.as_deref().unwrap_or_default(),
        now,
    )
}

/// The full cluster role binding row.
pub fn cluster_role_binding_row(rb: &ClusterRoleBinding, now: Timestamp) -> Vec<Cell> {
    binding_row(
        &rb.metadata,
        &rb.role_ref,
        rb.subjects.as_deref().unwrap_or_default(),
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::super::{obj, test_now, texts};
    use super::*;
    use serde_json::json;

    #[test]
    fn binding_row_lists_subjects() {
        let rb: RoleBinding = obj(json!({
            "metadata": {"name": "read", "creationTimestamp": "2024-05-01T11:59:00Z"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [
                {"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"},
                {"kind": "User", "name": "bob", "apiGroup": "rbac.authorization.k8s.io"},
                {"kind": "Group", "name": "devs", "apiGroup": "rbac.authorization.k8s.io"},
                {"kind": "ServiceAccount", "name": "ci", "namespace": "build"}
            ]
        }));
        assert_eq!(
            texts(&role_binding_row(&rb, test_now())),
            vec!["read", "ClusterRole/view", "60s", "alice, bob", "devs", "build/ci"]
        );
    }
}
