//! The describe/YAML fetch path against the demo cluster: fresh GET, events, errors.

mod common;

use kubedeck::app::text::{Body, Target};
use kubedeck::app::{Effect, Input, State, update};
use kubedeck::cluster::Kind;
use kubedeck::cluster::describe::fetch::fetch;
use sim::DemoCluster;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::ListParams;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_of_crash_looping_pod_has_its_events() {
    let cluster = DemoCluster::start(common::fast_opts()).await.expect("demo cluster");
    let client = cluster.client().await.expect("client");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    let name = common::eventually(60, "a checkout pod that has restarted", || {
        let pods = pods.clone();
        async move {
            let list = pods.list(&ListParams::default()).await.ok()?;
            list.items
                .into_iter()
                .find(|p| {
                    p.metadata.name.as_deref().unwrap_or("").starts_with("checkout-")
                        && p.status
                            .as_ref()
                            .and_then(|s| s.container_statuses.as_ref())
                            .is_some_and(|cs| cs.iter().any(|c| c.restart_count > 0))
                })
                .and_then(|p| p.metadata.name)
        }
    })
    .await;

    let text = common::eventually(60, "describe shows a BackOff warning", || {
        let (client, name) = (client.clone(), name.clone());
        async move {
            let f = fetch(client, Kind::Pod, "shop", &name, true).await.ok()?;
            let lines = f.describe?;
            lines
                .iter()
                .any(|l| l.trim_start().starts_with("Warning") && l.contains("BackOff"))
                .then_some(lines)
        }
    })
    .await;
    assert_eq!(text[0], format!("Name:             {name}"));
    assert!(
        text.iter()
            .any(|l| l.starts_with("Controlled By:  ReplicaSet/checkout-"))
    );
    assert!(text.iter().any(|l| l.trim_start().starts_with("Restart Count:")));
    let events = text.iter().position(|l| l == "Events:").expect("events section");
    assert!(text[events + 1].contains("Type") && text[events + 1].contains("Message"));

    // The state machine takes the same result: `d` pushes a loading view, the result fills it.
    let mut state = State::new(Some("shop".into()), false, kubedeck::config::keymap::default_keymap());
    let target = Target {
        kind: Kind::Pod,
        namespace: "shop".into(),
        name: name.clone(),
        describe: false,
    };
    let result = fetch(client.clone(), Kind::Pod, "shop", &name, false).await;
    state
        .stack
        .push(kubedeck::app::state::View::new(kubedeck::app::state::ViewKind::Doc(
            Box::new(kubedeck::app::text::Doc::loading(target.clone())),
        )));
    let effects: Vec<Effect> = update(&mut state, Input::Fetched { target, result });
    assert!(effects.is_empty());
    let kubedeck::app::state::ViewKind::Doc(doc) = &state.top().kind else {
        panic!("doc view")
    };
    assert!(matches!(doc.body, Body::Yaml(_)));
    assert!(
        doc.lines.iter().any(|l| l == &format!("  name: {name}")),
        "{:#?}",
        doc.lines
    );

    // A missing object comes back as the server's message, not a hang.
    let err = fetch(client, Kind::Pod, "shop", "no-such-pod", true).await.unwrap_err();
    assert!(err.contains("NotFound") && err.contains("no-such-pod"), "{err}");
}
