//! Tests of the object store.

use super::*;

fn pod(ns: &str, name: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": "web"}}, "spec": {"nodeName": "n1"}})
}

#[test]
fn writes_bump_one_global_version_and_noops_write_nothing() {
    let s = Store::new(100);
    let a = s.create(pods(), pod("default", "a"), Origin::Api).unwrap();
    let b = s
        .create(
            res("ConfigMap"),
            json!({"metadata": {"name": "c", "namespace": "default"}}),
            Origin::Api,
        )
        .unwrap();
    assert_eq!(b.rv, a.rv + 1);
    let same = s.update_with(pods(), "default", "a", |_| Ok(())).unwrap();
    assert_eq!(same.rv, a.rv, "a no-op update must not bump the version");
    let changed = s
        .update_with(pods(), "default", "a", |v| {
            v["spec"]["nodeName"] = json!("n2");
            Ok(())
        })
        .unwrap();
    assert_eq!(changed.rv, b.rv + 1);
    assert!(
        changed.value()["metadata"]["generation"].is_null(),
        "a v1.33 server does not track pod generations"
    );
    assert_eq!(changed.fields.iter().find(|f| f.0 == "spec.nodeName").unwrap().1, "n2");
    let d = json!({"metadata": {"name": "d", "namespace": "default"}, "spec": {"replicas": 1}});
    s.create(res("Deployment"), d, Origin::Api).unwrap();
    let scaled = s
        .update_with(res("Deployment"), "default", "d", |v| {
            v["spec"]["replicas"] = json!(2);
            Ok(())
        })
        .unwrap();
    assert_eq!(scaled.value()["metadata"]["generation"], 2);
}

#[test]
fn create_refuses_duplicates_and_fills_generate_name() {
    let s = Store::new(100);
    s.create(pods(), pod("default", "a"), Origin::Api).unwrap();
    assert_eq!(
        s.create(pods(), pod("default", "a"), Origin::Api).unwrap_err().code,
        409
    );
    let g = s
        .create(
            pods(),
            json!({"metadata": {"generateName": "web-", "namespace": "default"}}),
            Origin::Api,
        )
        .unwrap();
    assert!(g.name.starts_with("web-") && g.name.len() == 9, "{}", g.name);
}

#[test]
fn empty_maps_lists_and_nulls_normalise_away_but_empty_structs_stay() {
    let mut v = json!({"metadata": {"annotations": {}, "labels": {"a": "b"}, "finalizers": []},
        "spec": {"containers": [{"name": "c", "resources": {}, "env": null}]}});
    normalize(&mut v);
    assert_eq!(
        v,
        json!({"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "resources": {}}]}})
    );
}

#[test]
fn watch_window_expires_old_versions() {
    let s = Store::new(3);
    let first = s.create(pods(), pod("default", "a"), Origin::Api).unwrap().rv;
    for i in 0..5 {
        s.create(pods(), pod("default", &format!("p{i}")), Origin::Api).unwrap();
    }
    assert_eq!(s.watch_from(first).unwrap_err().code, 410);
    let (past, _rx) = s.watch_from(s.rv() - 2).unwrap();
    assert_eq!(past.len(), 2);
    s.compact();
    assert_eq!(s.watch_from(s.rv() - 1).unwrap_err().code, 410);
    assert!(s.watch_from(s.rv()).is_ok());
}

#[test]
fn owners_index_and_removal() {
    let s = Store::new(100);
    let mut p = pod("default", "a");
    p["metadata"]["ownerReferences"] =
        json!([{"uid": "u1", "controller": true, "kind": "ReplicaSet", "name": "rs", "apiVersion": "apps/v1"}]);
    s.create(pods(), p, Origin::Api).unwrap();
    assert_eq!(s.dependents("u1").len(), 1);
    let gone = s.remove(pods(), "default", "a").unwrap();
    assert_eq!(gone.rv, s.rv());
    assert!(s.dependents("u1").is_empty());
    assert_eq!(s.list(pods(), Some("default")).0.len(), 0);
}
