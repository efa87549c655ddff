//! What to know before scaling: current replicas, and who would undo the change (an
//! HorizontalPodAutoscaler targeting the object, or a GitOps controller managing it).

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use kube::{Api, Client};
use serde_json::Value;

use super::{ObjRef, dyn_api, error_text, get_value};

/// Current replicas and warnings for the scale dialog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScaleInfo {
    /// `spec.replicas` now.
    pub current: Option<i64>,
    /// Reasons the new count may not stick.
    pub warnings: Vec<String>,
}

/// Labels and annotations Argo CD and Flux put on what they manage.
const GITOPS_MARKERS: [(&str, &str); 5] = [
    ("argocd.argoproj.io/tracking-id", "Argo CD"),
    ("argocd.argoproj.io/instance", "Argo CD"),
    ("kustomize.toolkit.fluxcd.io/name", "Flux"),
    ("helm.toolkit.fluxcd.io/name", "Flux"),
    ("fluxcd.io/sync-checksum", "Flux"),
];

/// The GitOps controllers whose markers the object carries (pure).
pub fn gitops_managers(obj: &Value) -> Vec<&'static str> {
    let meta = &obj["metadata"];
    let mut out: Vec<&'static str> = GITOPS_MARKERS
        .iter()
        .filter(|(k, _)| meta["labels"].get(*k).is_some() || meta["annotations"].get(*k).is_some())
        .map(|(_, who)| *who)
        .collect();
    out.dedup();
    out
}

/// The warnings for scaling `obj`, given its HPAs' JSON (pure).
pub fn warnings(target: &ObjRef, obj: &Value, hpas: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for h in hpas {
        let r = &h["spec"]["scaleTargetRef"];
        if r["kind"] == target.kind.name() && r["name"] == target.name.as_str() {
            out.push(format!(
                "HorizontalPodAutoscaler {} manages this {} ({}–{} replicas): it will override the new count",
                h["metadata"]["name"].as_str().unwrap_or_default(),
                target.kind.name(),
                h["spec"]["minReplicas"].as_i64().unwrap_or(1),
                h["spec"]["maxReplicas"].as_i64().unwrap_or(0),
            ));
        }
    }
    // A Deployment's ReplicaSet is scaled back by the Deployment controller at once.
    if let Some(owner) = obj["metadata"]["ownerReferences"]
        .as_array()
        .and_then(|refs| refs.iter().find(|r| r["controller"] == true))
    {
        out.push(format!(
            "controlled by {} {}: it will set the replicas back",
            owner["kind"].as_str().unwrap_or_default(),
            owner["name"].as_str().unwrap_or_default()
        ));
    }
    for who in gitops_managers(obj) {
        out.push(format!("managed by {who}: the next sync will revert the change"));
    }
    out
}

/// GET the object, its scale subresource (where the replicas are for any kind, custom resources
/// included: a CRD maps them from its own `specReplicasPath`) and the namespace's HPAs.
pub async fn scale_info(client: &Client, target: &ObjRef) -> Result<ScaleInfo, String> {
    let obj = get_value(client, target).await?;
    let scale = dyn_api(client, target)
        .get_scale(&target.name)
        .await
        .map_err(|e| error_text(&e))?;
    let api: Api<HorizontalPodAutoscaler> = Api::namespaced(client.clone(), &target.namespace);
    // Not being allowed to list HPAs must not block scaling; it only loses the warning.
    let hpas: Vec<Value> = match api.list(&Default::default()).await {
        Ok(l) => l
            .items
            .into_iter()
            .map(|h| serde_json::to_value(h).unwrap_or_default())
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok(ScaleInfo {
        current: scale.spec.and_then(|s| s.replicas).map(i64::from),
        warnings: warnings(target, &obj, &hpas),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Kind;
    use serde_json::json;

    #[test]
    fn hpa_and_gitops_markers_warn() {
        let t = ObjRef::new(Kind::Deployment, "shop", "web");
        let obj = json!({"metadata": {"labels": {"kustomize.toolkit.fluxcd.io/name": "apps"}}});
        let hpas = [
            json!({"metadata": {"name": "web"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 2, "maxReplicas": 6}}),
            json!({"metadata": {"name": "api"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "api"}, "maxReplicas": 3}}),
        ];
        let w = warnings(&t, &obj, &hpas);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].starts_with("HorizontalPodAutoscaler web manages this Deployment (2–6 replicas)"));
        assert!(w[1].contains("Flux"));
        assert!(
            warnings(
                &t,
                &json!({"metadata": {"labels": {"app.kubernetes.io/instance": "web"}}}),
                &[]
            )
            .is_empty()
        );
    }
}
