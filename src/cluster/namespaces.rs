//! Whether a namespace exists, for an empty list shown in it: from the namespace watch when it is
//! running and synced (no request), else one GET.

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;

use super::watch::WatchStatus;
use super::{Kind, Scope};
use crate::store::cache::Cache;

/// Whether `name` exists; None when it cannot be told (the GET is not permitted or failed).
pub async fn exists(cache: &Cache, name: &str) -> Option<bool> {
    if cache.status(Kind::Namespace, &Scope::All) == Some(WatchStatus::Ready)
        && let Some(rows) = cache.rows(Kind::Namespace, &Scope::All)
    {
        return Some(rows.iter().any(|r| r.name == name));
    }
    match Api::<Namespace>::all(cache.client().clone()).get_opt(name).await {
        Ok(found) => Some(found.is_some()),
        Err(e) => {
            tracing::debug!(namespace = name, error = %e, "namespace check failed");
            None
        }
    }
}
