//! What request handlers share: the server's state, a parsed request target and query, the
//! authenticated user, and JSON responses. Plain types, so handlers need not import the router.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::faults::Faults;
use super::resources::ResId;
use super::status::ApiError;
use super::store::{Obj, Store};

/// Everything a request handler needs.
pub struct SimState {
    /// Objects.
    pub store: Arc<Store>,
    /// Fault switches.
    pub faults: Arc<Faults>,
    /// Cancelled when the server stops; long-running responses end with it.
    pub shutdown: CancellationToken,
    /// Where the server listens, for discovery's serverAddressByClientCIDRs.
    pub addr: SocketAddr,
    /// Log lines per second per container.
    pub log_rate: f64,
    /// The User-Agent of every request.
    pub agents: super::agents::UserAgents,
}

/// The parsed query string.
pub type Query = HashMap<String, String>;

/// Where a resource request points.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Resource.
    pub res: ResId,
    /// Namespace from the path.
    pub ns: Option<String>,
    /// Object name, absent for collections.
    pub name: Option<String>,
    /// Subresource (scale, status, log, eviction).
    pub sub: Option<String>,
    /// The `apiVersion` the client asked in, when it is not the one objects are stored in (a
    /// custom resource's other served version): answers carry it.
    pub as_version: Option<String>,
}

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct User(pub String);

/// A JSON response with a status code.
pub fn json_response(code: u16, v: &Value) -> Response {
    bytes_response(code, Bytes::from(serde_json::to_vec(v).expect("JSON values serialize")))
}

/// A JSON response from bytes that are already JSON.
pub fn bytes_response(code: u16, body: Bytes) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = json_response(self.code, &self.to_status());
        if let Some(s) = self.retry_after {
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}

/// Parses a query string into a map (last value wins, as for the server's single-valued options).
pub fn parse_query(q: Option<&str>) -> Query {
    q.and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .map(|v| v.into_iter().collect())
        .unwrap_or_default()
}

/// The namespace from the path, empty for cluster-scoped targets.
pub(super) fn ns(t: &Target) -> &str {
    t.ns.as_deref().unwrap_or("")
}

/// The object name from the path, empty for collections.
pub(super) fn name(t: &Target) -> &str {
    t.name.as_deref().unwrap_or("")
}

/// An object as a JSON response.
pub(super) fn obj_response(code: u16, o: &Obj) -> Response {
    bytes_response(code, o.json.clone())
}

/// A request body as a JSON object (JSON or YAML, as the API server accepts).
pub(super) fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => serde_yaml::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding request body: {e}")))?,
    };
    if !v.is_object() {
        return Err(ApiError::bad_request("request body must be an object"));
    }
    Ok(v)
}
