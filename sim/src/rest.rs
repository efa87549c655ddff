//! GET, LIST, POST, PUT, PATCH and DELETE on objects and their status and scale subresources.

use std::sync::Arc;

use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use base64::Engine;
use bytes::{BufMut, Bytes, BytesMut};
use serde_json::{Value, json};

use super::managed::{self, Writer};
use super::patch::{self, PatchType};
use super::request::{Query, SimState, Target, bytes_response, json_response, name, ns, obj_response, parse_body};
use super::resources::ResourceDef;
use super::status::{ApiError, Cause};
use super::store::{Origin, now_str, pods};
use super::watch::Filter;
use super::{crd, delete, evict, strict, table, validate};

/// Which part of an object a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Main,
    Status,
}

/// Routes a resource request that is not a watch or a log read.
pub async fn dispatch(
    st: &Arc<SimState>,
    method: &Method,
    headers: &HeaderMap,
    t: &Target,
    q: &Query,
    body: Bytes,
) -> Result<Response, ApiError> {
    let dry = q.get("dryRun").is_some_and(|v| v == "All");
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/vnd.kubernetes.protobuf") || ct.starts_with("application/cbor") {
        // Protobuf for a built-in kind was decoded on arrival (`proto::json_body`); what is left
        // is a custom resource's, which the real server also refuses, or CBOR.
        let mut e = ApiError::unsupported_media(ct);
        e.message = format!(
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got {ct})"
        );
        return Err(e);
    }
    if !produces_json(accept(headers)) {
        return Err(ApiError::not_acceptable(&["application/json"]));
    }
    if t.res.def().namespaced && t.name.is_some() && t.ns.is_none() {
        return Err(ApiError::no_route());
    }
    // A validating webhook sees creates, updates and patches, dry runs included (as one declaring
    // no side effects does), and its refusal comes back as the API server words it.
    if matches!(method.as_str(), "POST" | "PUT" | "PATCH")
        && t.sub.is_none()
        && let Some(w) = st.faults.webhook_for(t.res.def().plural)
    {
        return Err(ApiError::bad_request(format!(
            "admission webhook \"{}\" denied the request: {}",
            w.name, w.message
        )));
    }
    let mut warnings = Vec::new();
    let body = match (method.as_str(), t.sub.as_deref()) {
        ("POST", None) | ("PUT", None | Some("status")) | ("PATCH", None | Some("status")) => {
            let patch = (method == Method::PATCH)
                .then(|| PatchType::from_content_type(ct))
                .transpose()?;
            let (body, w) = strict::check(t, patch, q.get("fieldValidation").map(String::as_str), body)?;
            warnings = w;
            body
        }
        _ => body,
    };
    let mut answer = route(st, method, headers, t, q, body, dry)?;
    for w in warnings {
        if let Ok(h) = header::HeaderValue::from_str(&w) {
            answer.headers_mut().append(header::WARNING, h);
        }
    }
    Ok(answer)
}

fn route(
    st: &Arc<SimState>,
    method: &Method,
    headers: &HeaderMap,
    t: &Target,
    q: &Query,
    body: Bytes,
    dry: bool,
) -> Result<Response, ApiError> {
    match (method.as_str(), t.name.is_some(), t.sub.as_deref()) {
        ("GET", false, None) => list(st, headers, t, q),
        ("GET", true, None | Some("status")) => get(st, headers, t, q),
        ("POST", false, None) => create(st, t, &body, dry, writer(headers, q, "Update", Part::Main)),
        ("PUT", true, None) => replace(st, t, &body, dry, writer(headers, q, "Update", Part::Main), Part::Main),
        ("PUT", true, Some("status")) => {
            let by = writer(headers, q, "Update", Part::Status);
            replace(st, t, &body, dry, by, Part::Status)
        }
        ("PATCH", true, None) => patch_obj(st, headers, t, q, &body, dry, Part::Main),
        ("PATCH", true, Some("status")) => patch_obj(st, headers, t, q, &body, dry, Part::Status),
        ("DELETE", true, None) => delete::delete(st, t, q, &body, dry),
        ("DELETE", false, None) => delete::delete_collection(st, t, q, &body, dry),
        (_, true, Some("scale")) if t.res.def().has_sub("scale") => scale(st, method, headers, t, &body, dry),
        ("POST", true, Some("eviction")) if t.res == pods() => evict::evict(st, t, &body, dry),
        (_, _, Some(sub)) if !t.res.def().has_sub(sub) => Err(ApiError::no_route()),
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// The managedFields writer of a request.
fn writer(headers: &HeaderMap, q: &Query, operation: &'static str, part: Part) -> Writer {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|a| a.to_str().ok())
        .unwrap_or("");
    Writer {
        manager: managed::request_manager(q.get("fieldManager").map(String::as_str), ua),
        operation,
        subresource: (part == Part::Status).then_some("status"),
    }
}

fn accept(headers: &HeaderMap) -> &str {
    headers.get(header::ACCEPT).and_then(|a| a.to_str().ok()).unwrap_or("")
}

/// Whether an Accept header lets the server answer in JSON, the one encoding it writes (a real
/// API server also writes YAML and protobuf; clients that ask for those list JSON after them).
fn produces_json(accept: &str) -> bool {
    accept.trim().is_empty()
        || accept.split(',').any(|m| {
            let media = m.split(';').next().unwrap_or("").trim();
            matches!(media, "*/*" | "application/*" | "application/json")
        })
}

fn encode_continue(rv: u64, ns: &str, name: &str) -> String {
    let doc = json!({ "v": "meta.k8s.io/v1", "rv": rv, "start": format!("{ns}/{name}\u{0}") });
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(doc.to_string())
}

fn decode_continue(token: &str) -> Result<(u64, String, String), ApiError> {
    let bad = || ApiError::bad_request("continue key is not valid: illegal base64 data");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| bad())?;
    let doc: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    let start = doc["start"].as_str().ok_or_else(bad)?.trim_end_matches('\u{0}');
    let (ns, name) = start.split_once('/').ok_or_else(bad)?;
    Ok((doc["rv"].as_u64().ok_or_else(bad)?, ns.to_string(), name.to_string()))
}

fn list(st: &SimState, headers: &HeaderMap, t: &Target, q: &Query) -> Result<Response, ApiError> {
    let filter = Filter::from_request(t, q)?;
    let limit = q.get("limit").and_then(|l| l.parse::<usize>().ok()).filter(|l| *l > 0);
    let now_rv = st.store.rv();
    let (list_rv, after) = match q.get("continue").filter(|c| !c.is_empty()) {
        Some(c) => {
            let (rv, cns, cname) = decode_continue(c)?;
            if rv < st.store.oldest_watchable() {
                return Err(ApiError::continue_expired());
            }
            (rv, Some((cns, cname)))
        }
        None => (now_rv, None),
    };
    let after_ref = after.as_ref().map(|(n, m)| (n.as_str(), m.as_str()));
    let (page, more) = st
        .store
        .list_page(t.res, t.ns.as_deref(), after_ref, limit.unwrap_or(usize::MAX), |o| {
            filter.matches(o)
        });
    let cont = more.then(|| {
        let last = page.last().expect("a page before remaining items is not empty");
        encode_continue(list_rv, &last.ns, &last.name)
    });
    // The server reports remainingItemCount only for unfiltered lists, where it is a plain count.
    let remaining = (more && filter.labels.is_empty() && filter.fields.is_empty()).then(|| {
        let last = page.last().expect("non-empty");
        st.store.count_after(t.res, t.ns.as_deref(), (&last.ns, &last.name))
    });
    let def = t.res.def();
    if table::accepts_table(accept(headers)) {
        let values: Vec<Value> = page.iter().map(|o| o.value()).collect();
        let include = table::Include::parse(q.get("includeObject").map(String::as_str))?;
        return Ok(json_response(
            200,
            &table::to_table(def, &values, list_rv, cont.as_deref(), include),
        ));
    }
    let mut md = json!({ "resourceVersion": list_rv.to_string() });
    if let Some(c) = &cont {
        md["continue"] = json!(c);
    }
    if let Some(n) = remaining {
        md["remainingItemCount"] = json!(n);
    }
    // Items are already JSON: splice them instead of re-serialising 100,000 objects.
    let head = format!(
        "{{\"kind\":\"{}List\",\"apiVersion\":\"{}\",\"metadata\":{},\"items\":[",
        def.kind,
        def.api_version(),
        md
    );
    let mut b = BytesMut::with_capacity(head.len() + page.iter().map(|o| o.json.len() + 1).sum::<usize>() + 2);
    b.put_slice(head.as_bytes());
    for (i, o) in page.iter().enumerate() {
        if i > 0 {
            b.put_u8(b',');
        }
        b.put_slice(&o.json);
    }
    b.put_slice(b"]}");
    Ok(bytes_response(200, b.freeze()))
}

fn get(st: &SimState, headers: &HeaderMap, t: &Target, q: &Query) -> Result<Response, ApiError> {
    let o = st
        .store
        .get(t.res, ns(t), name(t))
        .ok_or_else(|| ApiError::not_found(t.res.def(), name(t)))?;
    if table::accepts_table(accept(headers)) {
        let include = table::Include::parse(q.get("includeObject").map(String::as_str))?;
        return Ok(json_response(
            200,
            &table::to_table(t.res.def(), &[o.value()], o.rv, None, include),
        ));
    }
    Ok(obj_response(200, &o))
}

fn check_kind(def: &ResourceDef, v: &Value) -> Result<(), ApiError> {
    if let Some(k) = v["kind"].as_str()
        && k != def.kind
    {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({k}) does not match the expected kind ({})",
            def.kind
        )));
    }
    Ok(())
}

fn create(st: &SimState, t: &Target, body: &[u8], dry: bool, by: Writer) -> Result<Response, ApiError> {
    let def = t.res.def();
    let mut v = parse_body(body)?;
    check_kind(def, &v)?;
    if let Some(c) = def.custom
        && crd::controller::terminating(&st.store, &c.crd)
    {
        let mut e = ApiError::method_not_allowed();
        e.message = "create not allowed while custom resource definition is terminating".into();
        return Err(e);
    }
    if t.res == crd::crd_res() {
        crd::default(&mut v);
    }
    if def.namespaced {
        let path_ns = ns(t);
        match v["metadata"]["namespace"].as_str() {
            Some(b) if !b.is_empty() && b != path_ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => v["metadata"]["namespace"] = json!(path_ns),
        }
        let nsdef = super::resources::res("Namespace");
        match st.store.get_value(nsdef, "", path_ns) {
            None => return Err(ApiError::not_found(nsdef.def(), path_ns)),
            Some(n) if n["metadata"].get("deletionTimestamp").is_some() => {
                let mut e = ApiError::forbidden("", "create", def, Some(path_ns), None, None);
                e.message = format!(
                    "{} \"{}\" is forbidden: unable to create new content in namespace {path_ns} because it is being terminated",
                    def.qualified(),
                    v["metadata"]["name"].as_str().unwrap_or_default()
                );
                return Err(e);
            }
            _ => {}
        }
    }
    if t.res == pods() {
        super::podsecurity::admit(&st.store, ns(t), &v)?;
    }
    validate::check(t.res, &v, None)?;
    if dry {
        v["metadata"]["uid"] = json!(super::store::new_uid());
        v["metadata"]["creationTimestamp"] = json!(now_str());
        return Ok(json_response(201, &v));
    }
    let o = st.store.create_by(t.res, v, Origin::Api, Some(by))?;
    Ok(obj_response(201, &o))
}

/// Applies the rules of the main resource vs its status subresource to a proposed new state.
fn merge_part(def: &ResourceDef, old: &Value, mut new: Value, part: Part) -> Value {
    match part {
        Part::Main if def.has_sub("status") => {
            match old.get("status") {
                Some(s) => new["status"] = s.clone(),
                None => {
                    new.as_object_mut().map(|m| m.remove("status"));
                }
            }
            new
        }
        Part::Main => new,
        Part::Status => {
            let mut out = old.clone();
            out["status"] = new.get("status").cloned().unwrap_or(Value::Null);
            out
        }
    }
}

fn check_rv(def: &ResourceDef, name: &str, proposed: &Value, current: &Value) -> Result<(), ApiError> {
    match proposed["metadata"]["resourceVersion"].as_str() {
        Some(rv) if !rv.is_empty() && Some(rv) != current["metadata"]["resourceVersion"].as_str() => {
            Err(ApiError::conflict(def, name))
        }
        _ => Ok(()),
    }
}

fn replace(st: &SimState, t: &Target, body: &[u8], dry: bool, by: Writer, part: Part) -> Result<Response, ApiError> {
    let def = t.res.def();
    let v = parse_body(body)?;
    check_kind(def, &v)?;
    if let Some(n) = v["metadata"]["name"].as_str()
        && n != name(t)
    {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({n}) does not match the name on the URL ({})",
            name(t)
        )));
    }
    let write = |cur: &mut Value| -> Result<(), ApiError> {
        check_rv(def, name(t), &v, cur)?;
        let mut next = merge_part(def, cur, v.clone(), part);
        next["metadata"]["namespace"] = cur["metadata"]["namespace"].clone();
        if t.res == crd::crd_res() {
            crd::default(&mut next);
        }
        validate::check(t.res, &next, Some(cur))?;
        *cur = next;
        Ok(())
    };
    commit(st, t, dry, by, write)
}

/// Applies `write` to the stored object under the store lock or, for a dry run, to a copy that is
/// answered but never stored.
fn commit(
    st: &SimState,
    t: &Target,
    dry: bool,
    by: Writer,
    write: impl FnOnce(&mut Value) -> Result<(), ApiError>,
) -> Result<Response, ApiError> {
    if dry {
        let mut cur = st
            .store
            .get_value(t.res, ns(t), name(t))
            .ok_or_else(|| ApiError::not_found(t.res.def(), name(t)))?;
        write(&mut cur)?;
        return Ok(json_response(200, &cur));
    }
    let o = st.store.update_by(t.res, ns(t), name(t), Some(by), write)?;
    Ok(obj_response(200, &o))
}

#[allow(clippy::too_many_arguments)]
fn patch_obj(
    st: &SimState,
    headers: &HeaderMap,
    t: &Target,
    q: &Query,
    body: &[u8],
    dry: bool,
    part: Part,
) -> Result<Response, ApiError> {
    let def = t.res.def();
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .unwrap_or("");
    let kind = PatchType::from_content_type(ct)?;
    if def.custom.is_some() && kind == PatchType::Strategic {
        // Custom objects have no patch strategies to merge by: the real server refuses.
        let mut e = ApiError::unsupported_media(ct);
        e.message = "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml".into();
        return Err(e);
    }
    let op = if kind == PatchType::Apply { "Apply" } else { "Update" };
    let by = writer(headers, q, op, part);
    if kind == PatchType::Apply {
        if q.get("fieldManager").is_none_or(|m| m.is_empty()) {
            return Err(ApiError::bad_request("PATCH with apply-patch requires fieldManager"));
        }
        // Server-side apply creates what does not exist yet.
        if st.store.get(t.res, ns(t), name(t)).is_none() && part == Part::Main {
            let mut v = patch::apply(kind, &json!({}), body)?;
            v["metadata"]["name"] = json!(name(t));
            return create(st, t, &serde_json::to_vec(&v).expect("JSON values serialize"), dry, by);
        }
    }
    let write = |cur: &mut Value| -> Result<(), ApiError> {
        let patched = patch::apply(kind, cur, body)?;
        check_rv(def, name(t), &patched, cur)?;
        let mut next = merge_part(def, cur, patched, part);
        if t.res == crd::crd_res() {
            crd::default(&mut next);
        }
        validate::check(t.res, &next, Some(cur))?;
        *cur = next;
        Ok(())
    };
    commit(st, t, dry, by, write)
}

const SCALE: ResourceDef = ResourceDef {
    group: "autoscaling",
    version: "v1",
    kind: "Scale",
    plural: "scale",
    singular: "scale",
    namespaced: true,
    short_names: &[],
    subresources: &[],
    categories: &[],
    custom: None,
};

/// The label selector as a string (`metav1.FormatLabelSelector` without the `<none>` placeholder).
pub fn selector_string(sel: &Value) -> String {
    let mut parts: Vec<String> = sel["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    for e in sel["matchExpressions"].as_array().into_iter().flatten() {
        let key = e["key"].as_str().unwrap_or_default();
        let vals: Vec<&str> = e["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        parts.push(match e["operator"].as_str().unwrap_or("") {
            "In" => format!("{key} in ({})", vals.join(",")),
            "NotIn" => format!("{key} notin ({})", vals.join(",")),
            "Exists" => key.to_string(),
            _ => format!("!{key}"),
        });
    }
    parts.join(",")
}

fn scale_of(def: &ResourceDef, v: &Value) -> Value {
    if let Some(paths) = def.custom.and_then(|c| c.scale.as_ref()) {
        return crd::scale::scale_of(paths, v);
    }
    let md = &v["metadata"];
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": md["name"], "namespace": md["namespace"], "uid": md["uid"],
            "resourceVersion": md["resourceVersion"], "creationTimestamp": md["creationTimestamp"],
        },
        "spec": { "replicas": v["spec"]["replicas"].as_i64().unwrap_or(1) },
        "status": { "replicas": v["status"]["replicas"].as_i64().unwrap_or(0), "selector": selector_string(&v["spec"]["selector"]) },
    })
}

fn scale(
    st: &SimState,
    method: &Method,
    headers: &HeaderMap,
    t: &Target,
    body: &[u8],
    dry: bool,
) -> Result<Response, ApiError> {
    let def = t.res.def();
    let proposed = |cur: &Value| -> Result<Option<Value>, ApiError> {
        let current = scale_of(def, cur);
        let next = match method.as_str() {
            "GET" => return Ok(None),
            "PUT" => parse_body(body)?,
            "PATCH" => {
                let ct = headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|c| c.to_str().ok())
                    .unwrap_or("");
                patch::apply(PatchType::from_content_type(ct)?, &current, body)?
            }
            _ => return Err(ApiError::method_not_allowed()),
        };
        check_rv(def, name(t), &next, cur)?;
        let replicas = &next["spec"]["replicas"];
        match replicas.as_i64() {
            Some(n) if n >= 0 => Ok(Some(json!(n))),
            _ => Err(ApiError::invalid(
                &SCALE,
                name(t),
                vec![Cause::invalid(
                    "spec.replicas",
                    replicas,
                    "must be greater than or equal to 0",
                )],
            )),
        }
    };
    let cur = st
        .store
        .get_value(t.res, ns(t), name(t))
        .ok_or_else(|| ApiError::not_found(def, name(t)))?;
    if method == Method::GET || dry {
        let mut s = scale_of(def, &cur);
        if let Some(n) = proposed(&cur)? {
            s["spec"]["replicas"] = n;
        }
        return Ok(json_response(200, &s));
    }
    let by = Writer {
        subresource: Some("scale"),
        ..writer(headers, &Query::default(), "Update", Part::Main)
    };
    let o = st.store.update_by(t.res, ns(t), name(t), Some(by), |cur| {
        if let Some(n) = proposed(cur)? {
            match def.custom.and_then(|c| c.scale.as_ref()) {
                Some(paths) => crd::scale::set_replicas(paths, cur, n.as_i64().unwrap_or(0)),
                None => cur["spec"]["replicas"] = n,
            }
        }
        Ok(())
    })?;
    Ok(json_response(200, &scale_of(def, &o.value())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip() {
        let c = encode_continue(42, "shop", "web-1");
        assert_eq!(decode_continue(&c).unwrap(), (42, "shop".into(), "web-1".into()));
        assert_eq!(decode_continue("!!").unwrap_err().code, 400);
    }

    #[test]
    fn selector_strings_match_kubectl() {
        let s = json!({"matchLabels": {"app": "web", "tier": "front"}, "matchExpressions": [{"key": "env", "operator": "In", "values": ["a", "b"]}]});
        assert_eq!(selector_string(&s), "app=web,tier=front,env in (a,b)");
    }
}
