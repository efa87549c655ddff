//! Pod logs and the scale subresource of the demo cluster, through kube-rs.

mod common;

use common::{cluster_with_ns, eventually, running_pod};
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams, Patch, PatchParams, PostParams};
use serde_json::json;
use sim::Origin;
use sim::res;

#[tokio::test]
async fn logs_tail_previous_and_follow() {
    let (c, client) = cluster_with_ns("logs").await;
    c.store()
        .create(res("Pod"), running_pod("api-1", 1, 20), Origin::Internal)
        .unwrap();
    c.store()
        .create(res("Pod"), running_pod("fresh", 0, 20), Origin::Internal)
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client, "logs");

    let tail = pods
        .logs(
            "api-1",
            &LogParams {
                tail_lines: Some(5),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(tail.lines().count(), 5);
    let all = pods.logs("api-1", &LogParams::default()).await.unwrap();
    assert!(all.lines().count() >= 600, "30s at 20 lines/s");

    let prev = pods
        .logs(
            "api-1",
            &LogParams {
                previous: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        prev.lines().count(),
        30 * 20 + 1 + 2,
        "a 30s run at 20 lines/s, then its last words"
    );
    assert!(
        prev.lines().last().unwrap().contains("fatal"),
        "a crashed run ends with its last words"
    );
    // The same span read twice gives the same lines: the generator is deterministic.
    let prev_again = pods
        .logs(
            "api-1",
            &LogParams {
                previous: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(prev, prev_again);
    match pods
        .logs(
            "fresh",
            &LogParams {
                previous: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err()
    {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 400);
            assert_eq!(
                s.message,
                "previous terminated container \"app\" in pod \"fresh\" not found"
            );
        }
        other => panic!("{other:?}"),
    }

    let stream = pods
        .log_stream(
            "api-1",
            &LogParams {
                follow: true,
                tail_lines: Some(1),
                timestamps: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut lines = stream.lines();
    let mut stamps = Vec::new();
    while stamps.len() < 10 {
        let line = lines.next().await.expect("stream open").unwrap();
        stamps.push(
            line.split(' ')
                .next()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .expect("RFC 3339 timestamp"),
        );
    }
    assert!(
        stamps.windows(2).all(|w| w[0] < w[1]),
        "followed lines arrive in order without duplicates"
    );
}

#[tokio::test]
async fn scale_subresource_and_validation() {
    let (_c, client) = cluster_with_ns("apps").await;
    let api: Api<Deployment> = Api::namespaced(client, "apps");
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}
    }))
    .unwrap();
    api.create(&PostParams::default(), &d).await.unwrap();
    let s = api
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 4}})),
        )
        .await
        .unwrap();
    assert_eq!(s.spec.unwrap().replicas, Some(4));
    assert_eq!(s.status.unwrap().selector.as_deref(), Some("app=web"));
    eventually(5, "replicas stored", || async {
        (api.get("web").await.unwrap().spec.unwrap().replicas == Some(4)).then_some(())
    })
    .await;
    match api
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": -1}})),
        )
        .await
    {
        Err(kube::Error::Api(s)) => {
            assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"));
            assert_eq!(
                s.message,
                "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
            );
        }
        other => panic!("{other:?}"),
    }
    // A server-side dry run validates without storing.
    let dry = PatchParams {
        dry_run: true,
        ..Default::default()
    };
    let out = api
        .patch("web", &dry, &Patch::Merge(json!({"spec": {"replicas": 9}})))
        .await
        .unwrap();
    assert_eq!(out.spec.unwrap().replicas, Some(9));
    assert_eq!(api.get("web").await.unwrap().spec.unwrap().replicas, Some(4));
}
