//! A CRD's life in one store: established, served, printed, scaled, deleted with its objects.

use serde_json::json;

use super::{controller, crd_res};
use crate::discovery::resource_list;
use crate::store::{Origin, Served, Store};
use crate::table::{Include, to_table};

fn widget_crd() -> serde_json::Value {
    json!({"metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com", "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList", "shortNames": ["wd"]},
        "versions": [
            {"name": "v1beta1", "served": true, "storage": false, "schema": {"openAPIV3Schema": {"type": "object"}}},
            {"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object"}},
             "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.size", "statusReplicasPath": ".status.size"}},
             "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]}]}})
}

fn establish(store: &Store) -> Served {
    store.create(crd_res(), widget_crd(), Origin::Api).unwrap();
    controller::reconcile(store, "widgets.example.com");
    store.served_custom("widgets.example.com").expect("established")
}

#[test]
fn an_established_crd_is_served_and_reports_its_conditions() {
    let store = Store::new(100);
    assert!(store.lookup("example.com", "v1", "widgets").is_none());
    let s = establish(&store);
    assert_eq!(store.lookup("example.com", "v1", "widgets"), Some(s.storage));
    assert_eq!(store.lookup("example.com", "v1beta1", "widgets"), Some(s.storage));
    let crd = store.get_value(crd_res(), "", "widgets.example.com").unwrap();
    let conds: Vec<(&str, &str)> = crd["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["type"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(conds, [("NamesAccepted", "True"), ("Established", "True")]);
    assert_eq!(crd["status"]["acceptedNames"]["shortNames"], json!(["wd"]));
    assert_eq!(crd["status"]["storedVersions"], json!(["v1"]));

    let list = resource_list(&store, "example.com", "v1").unwrap();
    let names: Vec<&str> = list["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["widgets", "widgets/status", "widgets/scale"]);
    assert_eq!(list["resources"][0]["shortNames"], json!(["wd"]));
    assert_eq!(list["resources"][0]["namespaced"], true);
    let beta = resource_list(&store, "example.com", "v1beta1").unwrap();
    assert_eq!(
        beta["resources"].as_array().unwrap().len(),
        1,
        "v1beta1 declares no subresources"
    );
}

#[test]
fn custom_objects_print_their_columns_and_leave_with_their_crd() {
    let store = Store::new(100);
    let s = establish(&store);
    store
        .create(
            s.storage,
            json!({"metadata": {"name": "w1", "namespace": "default"}, "spec": {"size": 3}}),
            Origin::Api,
        )
        .unwrap();
    let t = to_table(
        s.storage.def(),
        &[store.get_value(s.storage, "default", "w1").unwrap()],
        1,
        None,
        Include::None,
    );
    let heads: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(heads, ["Name", "Size"]);
    assert_eq!(t["rows"][0]["cells"], json!(["w1", 3]));

    controller::begin_delete(&store, "widgets.example.com").unwrap();
    store
        .update_with(crd_res(), "", "widgets.example.com", |c| {
            c["metadata"]["deletionTimestamp"] = json!(crate::store::now_str());
            Ok(())
        })
        .unwrap();
    controller::reconcile(&store, "widgets.example.com");
    assert_eq!(store.count(s.storage), 0, "objects are deleted with the CRD");
    assert!(
        store.get(crd_res(), "", "widgets.example.com").is_none(),
        "the finalizer went, so the CRD did"
    );
    assert!(store.lookup("example.com", "v1", "widgets").is_none());
}

#[test]
fn without_declared_columns_the_table_is_name_and_age() {
    let store = Store::new(100);
    let mut crd = widget_crd();
    crd["spec"]["versions"][1]["additionalPrinterColumns"] = json!(null);
    store.create(crd_res(), crd, Origin::Api).unwrap();
    controller::reconcile(&store, "widgets.example.com");
    let id = store.lookup("example.com", "v1", "widgets").unwrap();
    let t = to_table(id.def(), &[], 1, None, Include::None);
    let heads: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(heads, ["Name", "Age"]);
}

#[test]
fn a_short_name_another_crd_of_the_group_holds_is_not_accepted() {
    let store = Store::new(100);
    establish(&store);
    let mut other = widget_crd();
    other["metadata"]["name"] = json!("gadgets.example.com");
    other["spec"]["names"] = json!({"plural": "gadgets", "singular": "gadget", "kind": "Gadget", "listKind": "GadgetList", "shortNames": ["wd"]});
    store.create(crd_res(), other, Origin::Api).unwrap();
    controller::reconcile(&store, "gadgets.example.com");
    let crd = store.get_value(crd_res(), "", "gadgets.example.com").unwrap();
    let conds: Vec<(&str, &str, &str)> = crd["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        conds,
        [
            ("NamesAccepted", "False", "ShortNamesConflict"),
            ("Established", "False", "NotAccepted")
        ]
    );
    assert_eq!(crd["status"]["conditions"][0]["message"], "\"wd\" is already in use");
    assert!(
        store.lookup("example.com", "v1", "gadgets").is_none(),
        "not served until its names are accepted"
    );
}
