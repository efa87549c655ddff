//! The YAML editor against the demo cluster, through the pure update and the requests the editor's
//! session sends: an image edit rolls a Deployment out, a ConfigMap (a kind kubedeck only knows from
//! discovery) is edited through the dynamic API, a 409 from a concurrent write is resolved by
//! re-applying, and a 422 (or a misspelt field, refused under strict field validation) keeps the
//! text with the field named.

mod common;

use common::{cluster_with_ns, eventually};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kubedeck::app::edit::{Editor, Stage, flow};
use kubedeck::app::state::{State, ViewKind};
use kubedeck::app::{Effect, Input, update};
use kubedeck::cluster::Kind;
use kubedeck::cluster::ops::{ObjRef, edit};
use serde_json::json;

fn state() -> State {
    let mut s = State::new(Some("ed".into()), false, kubedeck::config::keymap::default_keymap());
    update(
        &mut s,
        Input::Connected {
            context: "demo".into(),
            namespace: "ed".into(),
            url: "https://x".into(),
        },
    );
    s
}

fn editor(s: &State) -> &Editor {
    match &s.top().kind {
        ViewKind::Editor(e) => e,
        other => panic!("not in the editor: {other:?}"),
    }
}

fn editor_mut(s: &mut State) -> &mut Editor {
    match &mut s.top_mut().kind {
        ViewKind::Editor(e) => e,
        _ => panic!("not in the editor"),
    }
}

/// Perform the cluster requests among `effects` as the editor's session does, feeding the answers back.
async fn run(client: &kube::Client, s: &mut State, effects: Vec<Effect>) {
    let mut todo = effects;
    while let Some(effect) = todo.pop() {
        if let Effect::Edit(request) = effect
            && let Some(reply) = edit::answer(Some(client), request, None).await
        {
            todo.extend(update(s, Input::Edit(Box::new(reply))));
        }
    }
}

async fn press(client: &kube::Client, s: &mut State, code: KeyCode, mods: KeyModifiers) {
    let effects = update(s, Input::Key(KeyEvent::new(code, mods)));
    run(client, s, effects).await;
}

async fn save(client: &kube::Client, s: &mut State) {
    press(client, s, KeyCode::Char('s'), KeyModifiers::CONTROL).await;
}

/// Say yes to the diff; a controller writing the status meanwhile brings the diff back once more
/// (checked again against the fresh version), which is confirmed again.
async fn confirm(client: &kube::Client, s: &mut State) {
    for _ in 0..5 {
        if !matches!(s.top().kind, ViewKind::Editor(_)) || !matches!(editor(s).stage, Stage::Review(_)) {
            return;
        }
        press(client, s, KeyCode::Char('y'), KeyModifiers::NONE).await;
    }
}

async fn open(client: &kube::Client, target: ObjRef) -> State {
    let mut s = state();
    let effects = flow::open(&mut s, Some(target), false);
    run(client, &mut s, effects).await;
    assert!(matches!(editor(&s).stage, Stage::Editing), "{:?}", editor(&s).stage);
    s
}

/// Replace `from` by `to` in the editor's text (as typing would).
fn change(s: &mut State, from: &str, to: &str) {
    let ed = editor_mut(s);
    let text = ed.text();
    assert!(text.contains(from), "{from:?} not in\n{text}");
    ed.set_text(&text.replacen(from, to, 1));
}

fn deployment(name: &str) -> Deployment {
    serde_json::from_value(json!({
        "metadata": {"name": name},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}}
    }))
    .unwrap()
}

#[tokio::test]
async fn editing_a_deployments_image_rolls_out_a_new_replica_set() {
    let (_cluster, client) = cluster_with_ns("ed").await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "ed");
    api.create(&PostParams::default(), &deployment("web")).await.unwrap();
    let rss: Api<ReplicaSet> = Api::namespaced(client.clone(), "ed");
    let image_of = |rs: &ReplicaSet| {
        rs.spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .and_then(|t| t.spec.as_ref())
            .map(|p| p.containers[0].image.clone().unwrap_or_default())
    };
    eventually(30, "a first ReplicaSet", || async {
        rss.list(&Default::default())
            .await
            .ok()?
            .items
            .iter()
            .find(|r| image_of(r).as_deref() == Some("nginx:1"))
            .map(|_| ())
    })
    .await;

    let mut s = open(&client, ObjRef::new(Kind::Deployment, "ed", "web")).await;
    change(&mut s, "image: nginx:1", "image: nginx:2");
    save(&client, &mut s).await;
    let Stage::Review(r) = &editor(&s).stage else {
        panic!("no review: {:?}", editor(&s).message)
    };
    let diff = format!("{:?}", r.diff);
    assert!(diff.contains("nginx:2") && diff.contains("nginx:1"), "{diff}");
    assert_eq!(
        api.get("web")
            .await
            .unwrap()
            .spec
            .unwrap()
            .template
            .spec
            .unwrap()
            .containers[0]
            .image
            .as_deref(),
        Some("nginx:1"),
        "the dry run changed nothing"
    );
    confirm(&client, &mut s).await;
    assert!(matches!(s.top().kind, ViewKind::Resource(_)), "the editor closed");
    assert_eq!(s.toasts.last().unwrap().text, "deployment.apps/web edited");
    eventually(30, "a ReplicaSet running nginx:2", || async {
        rss.list(&Default::default())
            .await
            .ok()?
            .items
            .iter()
            .find(|r| image_of(r).as_deref() == Some("nginx:2"))
            .map(|_| ())
    })
    .await;
}

#[tokio::test]
async fn a_config_map_is_edited_through_the_dynamic_api() {
    let (_cluster, client) = cluster_with_ns("ed").await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "ed");
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "settings"}, "data": {"level": "info"}})).unwrap();
    api.create(&PostParams::default(), &cm).await.unwrap();
    let kind = Kind::from_resource(&model::Resource {
        group: String::new(),
        version: "v1".into(),
        kind: "ConfigMap".into(),
        plural: "configmaps".into(),
        singular: "configmap".into(),
        namespaced: true,
        ..Default::default()
    });
    assert!(matches!(kind, Kind::Other(_)));
    let mut s = open(&client, ObjRef::new(kind, "ed", "settings")).await;
    change(&mut s, "level: info", "level: debug");
    save(&client, &mut s).await;
    assert!(matches!(editor(&s).stage, Stage::Review(_)), "{:?}", editor(&s).message);
    press(&client, &mut s, KeyCode::Enter, KeyModifiers::NONE).await;
    assert_eq!(s.toasts.last().unwrap().text, "configmap/settings edited");
    let data = api.get("settings").await.unwrap().data.unwrap();
    assert_eq!(data.get("level").map(String::as_str), Some("debug"));
}

#[tokio::test]
async fn a_conflict_from_a_concurrent_write_is_resolved_by_reapplying() {
    let (_cluster, client) = cluster_with_ns("ed").await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "ed");
    api.create(&PostParams::default(), &deployment("api")).await.unwrap();
    let mut s = open(&client, ObjRef::new(Kind::Deployment, "ed", "api")).await;
    change(&mut s, "image: nginx:1", "image: nginx:3");
    // Someone else writes meanwhile.
    let patch = json!({"metadata": {"labels": {"team": "core"}}});
    api.patch("api", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();

    save(&client, &mut s).await;
    let ed = editor(&s);
    let Stage::Conflict(c) = &ed.stage else {
        panic!("no conflict: {:?} {:?}", ed.stage, ed.message)
    };
    assert!(
        ed.message.as_ref().unwrap().0.contains("the object has been modified"),
        "{:?}",
        ed.message
    );
    assert!(
        format!("{:?}", c.diff).contains("team: core"),
        "the server's change is shown: {:?}",
        c.diff
    );
    press(&client, &mut s, KeyCode::Char('r'), KeyModifiers::NONE).await;
    assert!(matches!(editor(&s).stage, Stage::Editing));
    save(&client, &mut s).await;
    assert!(matches!(editor(&s).stage, Stage::Review(_)), "{:?}", editor(&s).message);
    confirm(&client, &mut s).await;
    assert!(matches!(s.top().kind, ViewKind::Resource(_)), "the editor closed");
    let d = api.get("api").await.unwrap();
    assert_eq!(
        d.metadata.labels.unwrap().get("team").map(String::as_str),
        Some("core"),
        "the other write stands"
    );
    assert_eq!(
        d.spec.unwrap().template.spec.unwrap().containers[0].image.as_deref(),
        Some("nginx:3")
    );
}

#[tokio::test]
async fn a_refused_edit_keeps_the_text_and_names_the_field() {
    let (_cluster, client) = cluster_with_ns("ed").await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "ed");
    api.create(&PostParams::default(), &deployment("db")).await.unwrap();
    // The controller stamps its revision on the new Deployment: a change of its own, said as a conflict.
    eventually(30, "the revision annotation", || async {
        let d = api.get("db").await.ok()?;
        d.metadata
            .annotations?
            .contains_key("deployment.kubernetes.io/revision")
            .then_some(())
    })
    .await;
    let mut s = open(&client, ObjRef::new(Kind::Deployment, "ed", "db")).await;
    change(&mut s, "replicas: 1", "replicas: -1");
    let text = editor(&s).text();
    save(&client, &mut s).await;
    let ed = editor(&s);
    assert!(matches!(ed.stage, Stage::Editing), "{:?} {:?}", ed.stage, ed.message);
    assert_eq!(ed.text(), text);
    let (msg, error) = ed.message.clone().unwrap();
    assert!(error, "{msg}");
    assert!(
        msg.contains("Error from server (Invalid)") && msg.contains("spec.replicas: Invalid value: -1"),
        "{msg}"
    );
    let cursor_line = |s: &State| {
        let ed = editor(s);
        ed.area.lines()[ed.area.cursor().0].trim().to_string()
    };
    assert_eq!(
        cursor_line(&s),
        "replicas: -1",
        "the cursor is on the field the server named"
    );
    change(&mut s, "replicas: -1", "replicas: 1");
    change(&mut s, "name: c\n", "name: C_1\n");
    save(&client, &mut s).await;
    let (msg, _) = editor(&s).message.clone().unwrap();
    assert!(
        msg.contains("spec.template.spec.containers[0].name: Invalid value: \"C_1\""),
        "{msg}"
    );
    assert!(matches!(editor(&s).stage, Stage::Editing));
    assert_eq!(cursor_line(&s), "name: C_1");
}

#[tokio::test]
async fn apply_creates_two_documents_in_order_after_a_dry_run() {
    let (_cluster, client) = cluster_with_ns("ed").await;
    let mut s = state();
    // What discovery says of ConfigMaps (a kind kubedeck has no typed watch of).
    let configmaps = model::Resource {
        version: "v1".into(),
        kind: "ConfigMap".into(),
        plural: "configmaps".into(),
        singular: "configmap".into(),
        namespaced: true,
        ..Default::default()
    };
    s.discovery.registry = Some(model::Registry {
        resources: vec![configmaps],
        failed: Vec::new(),
    });
    for c in ":apply".chars() {
        update(&mut s, Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
    }
    update(&mut s, Input::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert!(
        editor(&s).apply && editor(&s).text().contains("kind: Pod"),
        "{}",
        editor(&s).text()
    );
    editor_mut(&mut s).set_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  mode: fast\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: app\n  \
         template:\n    metadata:\n      labels:\n        app: app\n    spec:\n      containers:\n      - name: app\n        image: nginx:1\n",
    );
    save(&client, &mut s).await;
    let Stage::Review(r) = &editor(&s).stage else {
        panic!("no review: {:?}", editor(&s).message)
    };
    let diff = format!("{:?}", r.diff);
    assert!(
        diff.contains("=== configmap/app-config (created)") && diff.contains("=== deployment.apps/app (created)"),
        "{diff}"
    );
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "ed");
    assert!(
        cms.get_opt("app-config").await.unwrap().is_none(),
        "the dry run created nothing"
    );
    confirm(&client, &mut s).await;
    assert!(
        matches!(s.top().kind, ViewKind::Resource(_)),
        "the editor closed: {:?}",
        s.toasts
    );
    let said: Vec<&str> = s.toasts.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(
        said[said.len() - 2..],
        [
            "configmap/app-config serverside-applied",
            "deployment.apps/app serverside-applied"
        ]
    );
    assert_eq!(cms.get("app-config").await.unwrap().data.unwrap()["mode"], "fast");
    let deps: Api<Deployment> = Api::namespaced(client.clone(), "ed");
    assert!(deps.get_opt("app").await.unwrap().is_some());
}

#[tokio::test]
async fn a_forbidden_save_is_said_in_the_servers_words_and_the_text_stays() {
    let (cluster, client) = cluster_with_ns("ed").await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "ed");
    api.create(&PostParams::default(), &deployment("cache")).await.unwrap();
    let jane = cluster.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
    let mut s = open(&jane, ObjRef::new(Kind::Deployment, "ed", "cache")).await;
    change(&mut s, "image: nginx:1", "image: nginx:9");
    let text = editor(&s).text();
    // Her rights are taken away while she edits.
    cluster.faults().deny(sim::Deny {
        user: "jane".into(),
        plural: "deployments".into(),
        namespace: Some("ed".into()),
    });
    save(&jane, &mut s).await;
    let ed = editor(&s);
    assert!(matches!(ed.stage, Stage::Editing), "{:?}", ed.stage);
    assert_eq!(ed.text(), text);
    let (msg, error) = ed.message.clone().unwrap();
    assert!(error && msg.starts_with("Error from server (Forbidden): "), "{msg}");
    assert!(msg.contains("jane") && msg.contains("deployments"), "{msg}");
}

#[tokio::test]
async fn set_image_patches_as_kubectl_does_after_a_dry_run() {
    let (_cluster, client) = cluster_with_ns("ed").await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "ed");
    api.create(&PostParams::default(), &deployment("front")).await.unwrap();
    let mut s = state();
    let effects = kubedeck::app::edit::image::open(&mut s, Some(ObjRef::new(Kind::Deployment, "ed", "front")));
    run(&client, &mut s, effects).await;
    assert_eq!(editor(&s).text(), "c=nginx:1\n");
    editor_mut(&mut s).set_text("c=nginx:7");
    save(&client, &mut s).await;
    let Stage::Review(r) = &editor(&s).stage else {
        panic!("no review: {:?}", editor(&s).message)
    };
    assert!(format!("{:?}", r.diff).contains("image: nginx:7"), "{:?}", r.diff);
    confirm(&client, &mut s).await;
    assert_eq!(s.toasts.last().unwrap().text, "deployment.apps/front image updated");
    let d = api.get("front").await.unwrap();
    assert_eq!(
        d.spec.unwrap().template.spec.unwrap().containers[0].image.as_deref(),
        Some("nginx:7")
    );
}

#[tokio::test]
async fn an_admission_webhook_refusal_is_said_and_the_text_stays() {
    let (cluster, client) = cluster_with_ns("ed").await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "ed");
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "flags"}, "data": {"a": "1"}})).unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    cluster.faults().set_webhook(Some(sim::Webhook {
        name: "policy.example.com".into(),
        plural: "configmaps".into(),
        message: "configmaps in ed are frozen".into(),
    }));
    let kind = Kind::from_resource(&model::Resource {
        version: "v1".into(),
        kind: "ConfigMap".into(),
        plural: "configmaps".into(),
        singular: "configmap".into(),
        namespaced: true,
        ..Default::default()
    });
    let mut s = open(&client, ObjRef::new(kind, "ed", "flags")).await;
    change(&mut s, "a: '1'", "a: '2'");
    let text = editor(&s).text();
    save(&client, &mut s).await;
    let ed = editor(&s);
    assert!(matches!(ed.stage, Stage::Editing), "{:?}", ed.stage);
    assert_eq!(ed.text(), text);
    let (msg, _) = ed.message.clone().unwrap();
    assert_eq!(
        msg,
        "Error from server (BadRequest): admission webhook \"policy.example.com\" denied the request: configmaps in ed are frozen"
    );
}

#[tokio::test]
async fn a_misspelt_field_is_refused_by_the_dry_run_and_named() {
    let (_cluster, client) = cluster_with_ns("ed").await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "ed");
    api.create(&PostParams::default(), &deployment("typo")).await.unwrap();
    eventually(30, "the revision annotation", || async {
        let d = api.get("typo").await.ok()?;
        d.metadata
            .annotations?
            .contains_key("deployment.kubernetes.io/revision")
            .then_some(())
    })
    .await;
    let mut s = open(&client, ObjRef::new(Kind::Deployment, "ed", "typo")).await;
    let before = api.get("typo").await.unwrap();
    change(&mut s, "replicas: 1", "replica: 5");
    let text = editor(&s).text();
    save(&client, &mut s).await;
    let ed = editor(&s);
    assert!(matches!(ed.stage, Stage::Editing), "{:?} {:?}", ed.stage, ed.message);
    assert_eq!(ed.text(), text, "the text is kept");
    let (msg, error) = ed.message.clone().unwrap();
    assert!(error, "{msg}");
    assert!(
        msg.contains("Error from server (BadRequest)")
            && msg.contains("strict decoding error: unknown field \"spec.replica\""),
        "{msg}"
    );
    assert_eq!(ed.area.lines()[ed.area.cursor().0].trim(), "replica: 5");
    // The controller writes the status meanwhile: the spec is what the edit would have changed.
    let after = api.get("typo").await.unwrap();
    assert_eq!(after.spec, before.spec, "nothing changed on the server");
}

#[tokio::test]
async fn apply_of_a_misspelt_field_is_refused_and_creates_nothing() {
    let (_cluster, client) = cluster_with_ns("ed").await;
    let mut s = state();
    for c in ":apply".chars() {
        update(&mut s, Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
    }
    update(&mut s, Input::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    editor_mut(&mut s).set_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replica: 1\n  selector:\n    matchLabels:\n      app: app\n  \
         template:\n    metadata:\n      labels:\n        app: app\n    spec:\n      containers:\n      - name: app\n        image: nginx:1\n",
    );
    save(&client, &mut s).await;
    let ed = editor(&s);
    let (msg, error) = ed.message.clone().unwrap();
    assert!(
        error && msg.contains(".spec.replica: field not declared in schema"),
        "{msg}"
    );
    assert!(!matches!(ed.stage, Stage::Review(_)), "{:?}", ed.stage);
    let deps: Api<Deployment> = Api::namespaced(client.clone(), "ed");
    assert!(deps.get_opt("app").await.unwrap().is_none());
}
