//! The per-kind extras: registry lookups, what each link finds in objects as the API serves them,
//! keys and values, and the describers they name.

use serde_json::{Value, json};

use super::extra::{Found, Why};
use super::mounts::{Source, uses};
use crate::cluster::Kind;
use model::registry::Resource;

/// The resources the extras deal in, as discovery lists them.
pub fn registry() -> model::Registry {
    let res = |group: &str, kind: &str, plural: &str, namespaced: bool| Resource {
        group: group.into(),
        version: "v1".into(),
        kind: kind.into(),
        plural: plural.into(),
        singular: kind.to_ascii_lowercase(),
        namespaced,
        verbs: vec!["get".into(), "list".into(), "watch".into()],
        ..Default::default()
    };
    let rbac = "rbac.authorization.k8s.io";
    model::Registry {
        resources: vec![
            res("", "Pod", "pods", true),
            res("", "ConfigMap", "configmaps", true),
            res("", "Secret", "secrets", true),
            res("", "PersistentVolumeClaim", "persistentvolumeclaims", true),
            res("", "PersistentVolume", "persistentvolumes", false),
            res("", "ServiceAccount", "serviceaccounts", true),
            res("", "Service", "services", true),
            res("apps", "Deployment", "deployments", true),
            res("networking.k8s.io", "Ingress", "ingresses", true),
            res(
                "autoscaling",
                "HorizontalPodAutoscaler",
                "horizontalpodautoscalers",
                true,
            ),
            res("policy", "PodDisruptionBudget", "poddisruptionbudgets", true),
            res(rbac, "Role", "roles", true),
            res(rbac, "RoleBinding", "rolebindings", true),
            res(rbac, "ClusterRole", "clusterroles", false),
            res(rbac, "ClusterRoleBinding", "clusterrolebindings", false),
            res(
                "apiextensions.k8s.io",
                "CustomResourceDefinition",
                "customresourcedefinitions",
                false,
            ),
            res("cert-manager.io", "Certificate", "certificates", true),
        ],
        failed: vec![],
    }
}

/// The kind `group`/`kind` of [`registry`].
pub fn kind(group: &str, kind: &str) -> Kind {
    let reg = registry();
    let r = reg
        .resources
        .iter()
        .find(|r| r.group == group && r.kind == kind)
        .unwrap_or_else(|| panic!("{group}/{kind} in the test registry"));
    Kind::from_resource(r)
}

fn resolve(group: &str, k: &str, why: Why, obj: &Value, lists: &[Vec<Value>]) -> Result<Vec<Found>, String> {
    let x = super::of(kind(group, k)).expect("extras");
    let link = match why {
        Why::Enter => x.enter,
        _ => x.used_by,
    };
    (link.expect("a link").resolve)(obj, lists)
}

fn pod(name: &str, spec: Value) -> Value {
    json!({"metadata": {"name": name, "namespace": "shop", "labels": {"app": name}}, "spec": spec})
}

fn names(found: &[Found]) -> Vec<Vec<String>> {
    found
        .iter()
        .map(|f| f.objects.iter().flatten().map(|(ns, n)| format!("{ns}/{n}")).collect())
        .collect()
}

#[test]
fn extras_are_found_by_group_and_kind_and_typed_kinds_have_none() {
    assert!(super::of(kind("", "ConfigMap")).is_some_and(|x| x.data.is_some()));
    assert!(super::of(kind("rbac.authorization.k8s.io", "ClusterRole")).is_some_and(|x| x.enter.is_some()));
    assert!(super::of(Kind::Pod).is_none());
    assert!(super::of(kind("cert-manager.io", "Certificate")).is_none());
}

#[test]
fn a_pod_uses_what_its_volumes_env_and_pull_secrets_name() {
    let p = pod(
        "api",
        json!({
            "volumes": [{"name": "cfg", "configMap": {"name": "site"}},
                {"name": "data", "persistentVolumeClaim": {"claimName": "data-0"}},
                {"name": "all", "projected": {"sources": [{"secret": {"name": "proj"}}, {"configMap": {"name": "proj-cm"}}]}}],
            "imagePullSecrets": [{"name": "registry"}],
            "initContainers": [{"name": "init", "envFrom": [{"secretRef": {"name": "init-env"}}]}],
            "containers": [{"name": "api", "env": [{"name": "DB", "valueFrom": {"secretKeyRef": {"name": "db", "key": "url"}}},
                {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "modes", "key": "m"}}}],
                "envFrom": [{"configMapRef": {"name": "env"}}]}]
        }),
    );
    for cm in ["site", "proj-cm", "modes", "env"] {
        assert!(uses(&p, Source::ConfigMap, cm), "configmap {cm}");
    }
    for s in ["proj", "registry", "init-env", "db"] {
        assert!(uses(&p, Source::Secret, s), "secret {s}");
    }
    assert!(uses(&p, Source::Claim, "data-0"));
    assert!(!uses(&p, Source::ConfigMap, "db") && !uses(&p, Source::Secret, "site") && !uses(&p, Source::Claim, "x"));
}

#[test]
fn used_by_lists_the_pods_of_the_namespace_that_use_it() {
    let cm = json!({"metadata": {"name": "env", "namespace": "shop"}});
    let uses_it = pod(
        "a",
        json!({"containers": [{"envFrom": [{"configMapRef": {"name": "env"}}]}]}),
    );
    let not = pod("b", json!({"containers": [{"name": "b"}]}));
    let mut elsewhere = uses_it.clone();
    elsewhere["metadata"]["namespace"] = json!("other");
    let found = resolve("", "ConfigMap", Why::UsedBy, &cm, &[vec![uses_it, not, elsewhere]]).unwrap();
    assert_eq!(names(&found), [["shop/a"]]);
    assert_eq!(found[0].kind, "Pod");
}

#[test]
fn a_claim_leads_to_its_volume_or_says_it_is_not_bound() {
    let bound = json!({"metadata": {"name": "data-0", "namespace": "shop"}, "spec": {"volumeName": "pvc-123"}});
    let found = resolve("", "PersistentVolumeClaim", Why::Enter, &bound, &[]).unwrap();
    assert_eq!(
        (found[0].kind.as_str(), names(&found)),
        ("PersistentVolume", vec![vec!["/pvc-123".to_string()]])
    );
    let pending = json!({"metadata": {"name": "data-1", "namespace": "shop"}, "spec": {}});
    let said = resolve("", "PersistentVolumeClaim", Why::Enter, &pending, &[]).unwrap_err();
    assert_eq!(said, "not bound to a volume yet");
    // And back: a volume leads to its claim.
    let pv = json!({"metadata": {"name": "pvc-123"}, "spec": {"claimRef": {"kind": "PersistentVolumeClaim", "namespace": "shop", "name": "data-0"}}});
    let found = resolve("", "PersistentVolume", Why::Enter, &pv, &[]).unwrap();
    assert_eq!(
        (found[0].kind.as_str(), names(&found)),
        ("PersistentVolumeClaim", vec![vec!["shop/data-0".to_string()]])
    );
    let released = json!({"metadata": {"name": "pvc-9"}, "spec": {}});
    assert_eq!(
        resolve("", "PersistentVolume", Why::Enter, &released, &[]).unwrap_err(),
        "no claim is bound to it"
    );
}

#[test]
fn an_ingress_leads_to_its_backend_services_once_each() {
    let ing = json!({"metadata": {"name": "shop", "namespace": "shop"}, "spec": {
        "defaultBackend": {"service": {"name": "web", "port": {"number": 80}}},
        "rules": [{"http": {"paths": [{"backend": {"service": {"name": "api"}}}, {"backend": {"service": {"name": "web"}}},
            {"backend": {"resource": {"kind": "StorageBucket", "name": "static"}}}]}}]}});
    let found = resolve("networking.k8s.io", "Ingress", Why::Enter, &ing, &[]).unwrap();
    assert_eq!(names(&found), [["shop/web", "shop/api"]]);
}

#[test]
fn a_service_account_leads_to_the_bindings_that_grant_it_something() {
    let sa = json!({"metadata": {"name": "shop", "namespace": "shop"}});
    let rb = |name: &str, ns: &str, subjects: Value| json!({"metadata": {"name": name, "namespace": ns}, "roleRef": {"kind": "Role", "name": "r"}, "subjects": subjects});
    let rbs = vec![
        rb(
            "named",
            "shop",
            json!([{"kind": "ServiceAccount", "name": "shop", "namespace": "shop"}]),
        ),
        rb(
            "implicit-ns",
            "shop",
            json!([{"kind": "ServiceAccount", "name": "shop"}]),
        ),
        rb(
            "other-ns",
            "payments",
            json!([{"kind": "ServiceAccount", "name": "shop", "namespace": "shop"}]),
        ),
        rb(
            "another-sa",
            "shop",
            json!([{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}]),
        ),
        rb(
            "same-name-elsewhere",
            "payments",
            json!([{"kind": "ServiceAccount", "name": "shop"}]),
        ),
    ];
    let crbs = vec![
        json!({"metadata": {"name": "all-sas"}, "subjects": [{"kind": "Group", "name": "system:serviceaccounts"}]}),
        json!({"metadata": {"name": "users"}, "subjects": [{"kind": "User", "name": "shop"}]}),
    ];
    let found = resolve("", "ServiceAccount", Why::Enter, &sa, &[rbs, crbs]).unwrap();
    assert_eq!(
        names(&found),
        [
            vec!["shop/named", "shop/implicit-ns", "payments/other-ns"],
            vec!["/all-sas"]
        ]
    );
    assert_eq!(
        (found[0].kind.as_str(), found[1].kind.as_str()),
        ("RoleBinding", "ClusterRoleBinding")
    );
}

#[test]
fn a_role_leads_to_the_bindings_that_refer_to_it() {
    let b = |name: &str, ns: &str, kind: &str, role: &str| json!({"metadata": {"name": name, "namespace": ns}, "roleRef": {"kind": kind, "name": role}});
    let role = json!({"metadata": {"name": "reader", "namespace": "shop"}});
    let rbs = vec![
        b("a", "shop", "Role", "reader"),
        b("b", "shop", "ClusterRole", "reader"),
        b("c", "shop", "Role", "writer"),
    ];
    let found = resolve(
        "rbac.authorization.k8s.io",
        "Role",
        Why::Enter,
        &role,
        std::slice::from_ref(&rbs),
    )
    .unwrap();
    assert_eq!(names(&found)[0], ["shop/a"]);
    let crole = json!({"metadata": {"name": "reader"}});
    let crbs =
        vec![json!({"metadata": {"name": "cluster-readers"}, "roleRef": {"kind": "ClusterRole", "name": "reader"}})];
    let found = resolve(
        "rbac.authorization.k8s.io",
        "ClusterRole",
        Why::Enter,
        &crole,
        &[rbs, crbs],
    )
    .unwrap();
    assert_eq!(names(&found), [vec!["shop/b"], vec!["/cluster-readers"]]);
}

#[test]
fn an_hpa_leads_to_its_target_and_a_crd_to_its_objects() {
    let hpa = json!({"metadata": {"name": "web", "namespace": "shop"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}});
    let found = resolve("autoscaling", "HorizontalPodAutoscaler", Why::Enter, &hpa, &[]).unwrap();
    assert_eq!(
        found,
        [Found::named("apps", "Deployment", vec![("shop".into(), "web".into())])]
    );
    let crd = json!({"metadata": {"name": "certificates.cert-manager.io"},
        "spec": {"group": "cert-manager.io", "names": {"kind": "Certificate", "plural": "certificates"}}});
    let found = resolve(
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        Why::Enter,
        &crd,
        &[],
    )
    .unwrap();
    assert_eq!(
        (found[0].group.as_str(), found[0].kind.as_str(), &found[0].objects),
        ("cert-manager.io", "Certificate", &None)
    );
}

#[test]
fn a_pdb_leads_to_the_pods_its_selector_selects() {
    let pods = vec![
        pod("web-1", json!({})),
        pod("api-1", json!({})),
        json!({"metadata": {"name": "web-9", "namespace": "other", "labels": {"app": "web-9"}}}),
    ];
    let pdb = |sel: Value| json!({"metadata": {"name": "p", "namespace": "shop"}, "spec": {"selector": sel}});
    let by = |sel: Value| {
        names(
            &resolve(
                "policy",
                "PodDisruptionBudget",
                Why::Enter,
                &pdb(sel),
                std::slice::from_ref(&pods),
            )
            .unwrap(),
        )
    };
    assert_eq!(by(json!({"matchLabels": {"app": "web-1"}})), [["shop/web-1"]]);
    assert_eq!(
        by(json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web-1", "api-1"]}]})),
        [["shop/web-1", "shop/api-1"]]
    );
    assert_eq!(
        by(json!({})),
        [["shop/web-1", "shop/api-1"]],
        "an empty selector selects every pod"
    );
    assert_eq!(by(Value::Null), [Vec::<String>::new()], "no selector selects none");
}

#[test]
fn keys_and_values_are_read_as_kubectl_lists_them() {
    use super::data::{Hidden, values};
    use super::extra::Data;
    let cm = json!({"data": {"b": "two\nlines"}, "binaryData": {"a": "AAEC"}});
    assert_eq!(
        values(&cm, Data::Plain),
        [
            ("a".to_string(), Hidden(vec![0, 1, 2])),
            ("b".to_string(), Hidden(b"two\nlines".to_vec()))
        ]
    );
    let secret = json!({"data": {"password": "czNjcjN0"}, "stringData": {"user": "admin"}});
    let v = values(&secret, Data::Secret);
    assert_eq!(v[0], ("password".to_string(), Hidden(b"s3cr3t".to_vec())));
    assert_eq!(format!("{:?}", v[0].1), "<6 bytes>", "Debug never shows a value");
}

#[test]
fn values_never_carry_control_sequences_to_the_terminal() {
    use super::data::{Hidden, lines, preview};
    let v = Hidden(b"\x1b[31mred\x1b]0;title\x07\tend\nsecond".to_vec());
    let shown = lines(&v);
    assert_eq!(shown, ["\\u{1b}[31mred\\u{1b}]0;title\\u{7}    end", "second"]);
    assert!(shown.iter().all(|l| !l.chars().any(char::is_control)));
    assert_eq!(preview(&v, false), "\\u{1b}[31mred\\u{1b}]0;title\\u{7}    end…");
    assert_eq!(preview(&v, true), super::data::MASK);
    let long = preview(&Hidden(vec![b'a'; 300]), false);
    assert_eq!(
        (long.chars().count(), long.ends_with('…')),
        (201, true),
        "cut at 200 characters"
    );
    assert_eq!(
        preview(&Hidden(b"one line\n".to_vec()), false),
        "one line",
        "a final newline is not more"
    );
    assert_eq!(
        lines(&Hidden(vec![0, b'A']))[0],
        "binary data, 2 bytes",
        "a NUL makes it binary"
    );
    let binary = lines(&Hidden(vec![0xff, 0x00, b'A']));
    assert_eq!(
        binary,
        [
            "binary data, 3 bytes".to_string(),
            format!("00000000  {:<47}  |..A|", "ff 00 41")
        ]
    );
}

#[test]
fn configmap_and_secret_describe_as_kubectl_does() {
    let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
    let rel = crate::cluster::describe::Related::default();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "site", "namespace": "shop"},
        "data": {"default.conf": "server {}\n"}, "binaryData": {"logo": "AAEC"}});
    let text = crate::cluster::describe::describe(kind("", "ConfigMap"), &cm, &rel, now)
        .unwrap()
        .join("\n");
    assert!(text.contains("default.conf:\n----\nserver {}"), "{text}");
    assert!(text.contains("logo: 3 bytes"), "{text}");
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"},
        "type": "Opaque", "data": {"password": "czNjcjN0"}});
    let text = crate::cluster::describe::describe(kind("", "Secret"), &secret, &rel, now)
        .unwrap()
        .join("\n");
    assert!(text.contains("password:  6 bytes"), "{text}");
    assert!(!text.contains("s3cr3t") && !text.contains("czNjcjN0"), "{text}");
}

#[test]
fn a_secrets_yaml_masks_the_last_applied_configuration_that_holds_its_values() {
    let last = r#"{"apiVersion":"v1","data":{"password":"czNjcjN0"},"kind":"Secret"}"#;
    let secret = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": last, "team": "shop"}},
        "data": {"password": "czNjcjN0"}});
    let masked = crate::app::text::yaml_lines(&secret, false, false).join("\n");
    assert!(
        !masked.contains("czNjcjN0") && masked.contains("team: shop"),
        "{masked}"
    );
    let revealed = crate::app::text::yaml_lines(&secret, false, true).join("\n");
    assert!(
        revealed.contains("s3cr3t") && revealed.contains("czNjcjN0"),
        "{revealed}"
    );
}
