//! Answers in a custom resource's other served versions. With `conversion.strategy: None` the
//! real server converts by changing `apiVersion` only; the demo stores the storage version and
//! rewrites `apiVersion` on the way out.

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::request::json_response;
use crate::resources::ResourceDef;
use crate::status::ApiError;

/// Sets `apiVersion` on an object, a list and its items, or the objects of a Table's rows.
pub fn rewrite(doc: &mut Value, def: &ResourceDef, api_version: &str) {
    let list_kind = def.custom.map(|c| c.list_kind.as_str()).unwrap_or_default();
    let kind = doc["kind"].as_str().unwrap_or_default().to_string();
    if kind == def.kind || kind == list_kind {
        doc["apiVersion"] = json!(api_version);
    }
    for item in doc["items"].as_array_mut().into_iter().flatten() {
        if item["kind"] == def.kind {
            item["apiVersion"] = json!(api_version);
        }
    }
    for row in doc["rows"].as_array_mut().into_iter().flatten() {
        if row["object"]["kind"] == def.kind {
            row["object"]["apiVersion"] = json!(api_version);
        }
    }
}

/// The response with its objects shown in `api_version`; non-JSON and error bodies pass through.
pub async fn response(r: Response, def: &ResourceDef, api_version: &str) -> Response {
    if !r.status().is_success() {
        return r;
    }
    let status = r.status().as_u16();
    let bytes = match axum::body::to_bytes(r.into_body(), usize::MAX).await {
        Ok(b) => b,
        Err(e) => return ApiError::internal(format!("reading a response: {e}")).into_response(),
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut doc) => {
            rewrite(&mut doc, def, api_version);
            json_response(status, &doc)
        }
        Err(_) => crate::request::bytes_response(status, bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_lists_and_table_rows_take_the_asked_version() {
        let custom = crate::crd::Custom {
            crd: "widgets.example.com".into(),
            list_kind: "WidgetList".into(),
            columns: vec![],
            scale: None,
        };
        let def = ResourceDef {
            group: "example.com",
            version: "v1",
            kind: "Widget",
            plural: "widgets",
            singular: "widget",
            namespaced: true,
            short_names: &[],
            subresources: &[],
            categories: &[],
            custom: Some(Box::leak(Box::new(custom))),
        };
        let mut list = json!({"kind": "WidgetList", "apiVersion": "example.com/v1",
            "items": [{"kind": "Widget", "apiVersion": "example.com/v1"}]});
        rewrite(&mut list, &def, "example.com/v1beta1");
        assert_eq!(list["apiVersion"], "example.com/v1beta1");
        assert_eq!(list["items"][0]["apiVersion"], "example.com/v1beta1");
        let mut status = json!({"kind": "Status", "apiVersion": "v1"});
        rewrite(&mut status, &def, "example.com/v1beta1");
        assert_eq!(status["apiVersion"], "v1", "a Status keeps its own apiVersion");
        let mut table = json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "rows": [{"object": {"kind": "Widget", "apiVersion": "example.com/v1"}}]});
        rewrite(&mut table, &def, "example.com/v1beta1");
        assert_eq!(
            (
                table["apiVersion"].as_str(),
                table["rows"][0]["object"]["apiVersion"].as_str()
            ),
            (Some("meta.k8s.io/v1"), Some("example.com/v1beta1"))
        );
    }
}
