//! WATCH: a stream of JSON lines, from a resourceVersion, with bookmarks, selectors and timeouts,
//! and 410 Gone (as an ERROR event) for versions that left the window — as the watch cache does.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, Bytes, BytesMut};
use futures::FutureExt as _;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::request::{Query, SimState, Target};
use super::resources::ResId;
use super::select::{FieldSelector, LabelSelector};
use super::status::ApiError;
use super::store::{Event, EventType, Obj, selectable_fields};
use super::table::{self, Include};

/// How often a watch that asked for bookmarks gets one.
const BOOKMARK_EVERY: Duration = Duration::from_secs(15);

/// What a watch sees of the store.
pub struct Filter {
    /// Resource.
    pub res: ResId,
    /// Namespace, when the watch is namespaced.
    pub ns: Option<String>,
    /// labelSelector.
    pub labels: LabelSelector,
    /// fieldSelector.
    pub fields: FieldSelector,
}

impl Filter {
    /// Parses the selectors of a request.
    pub fn from_request(t: &Target, q: &Query) -> Result<Self, ApiError> {
        Ok(Filter {
            res: t.res,
            ns: t.ns.clone(),
            labels: super::select::parse_labels(q.get("labelSelector").map(String::as_str).unwrap_or(""))?,
            fields: FieldSelector::parse(
                q.get("fieldSelector").map(String::as_str).unwrap_or(""),
                selectable_fields(t.res),
            )?,
        })
    }

    /// Whether an object is in view.
    pub fn matches(&self, o: &Obj) -> bool {
        o.res == self.res
            && self.ns.as_deref().is_none_or(|ns| ns == o.ns)
            && self.labels.matches(&o.labels)
            && self.fields.matches(&o.fields)
    }

    /// The event a watcher with this filter sees for a store event: a move into the selection
    /// is ADDED, a move out is DELETED, as the real watch cache reports it.
    pub fn translate(&self, ev: &Event) -> Option<EventType> {
        if ev.obj.res != self.res {
            return None;
        }
        let now = self.matches(&ev.obj);
        let before = ev.prev.as_ref().is_some_and(|p| self.matches(p));
        match ev.kind {
            EventType::Added => now.then_some(EventType::Added),
            EventType::Deleted => (now || before).then_some(EventType::Deleted),
            EventType::Modified => match (before, now) {
                (true, true) => Some(EventType::Modified),
                (false, true) => Some(EventType::Added),
                (true, false) => Some(EventType::Deleted),
                (false, false) => None,
            },
        }
    }
}

/// One watch event line.
pub fn event_line(kind: &str, obj: &[u8]) -> Bytes {
    let mut b = BytesMut::with_capacity(obj.len() + 32);
    b.put_slice(b"{\"type\":\"");
    b.put_slice(kind.as_bytes());
    b.put_slice(b"\",\"object\":");
    b.put_slice(obj);
    b.put_slice(b"}\n");
    b.freeze()
}

fn bookmark_object(def: ResId, rv: u64, initial_end: bool) -> Value {
    let d = def.def();
    let mut md = json!({ "resourceVersion": rv.to_string(), "creationTimestamp": null });
    if initial_end {
        md["annotations"] = json!({ "k8s.io/initial-events-end": "true" });
    }
    json!({ "kind": d.kind, "apiVersion": d.api_version(), "metadata": md })
}

fn flag(q: &Query, k: &str) -> bool {
    q.get(k).is_some_and(|v| v == "true" || v == "1")
}

/// Turns store objects into watch event lines: raw objects, or one-row Tables when the client
/// asked for the Table format (column definitions only in the first event, as the server does).
pub struct Encoder {
    table: Option<(Include, bool)>,
    /// The `apiVersion` to show objects in, when not the stored one.
    as_version: Option<String>,
}

impl Encoder {
    /// An encoder for a request's Accept header and `includeObject`.
    pub fn new(accept: &str, q: &Query) -> Result<Self, ApiError> {
        if !table::accepts_table(accept) {
            return Ok(Encoder {
                table: None,
                as_version: None,
            });
        }
        let include = Include::parse(q.get("includeObject").map(String::as_str))?;
        Ok(Encoder {
            table: Some((include, true)),
            as_version: None,
        })
    }

    /// A BOOKMARK line at `rv`. The real server passes bookmarks through the same encoder as
    /// objects (`watchEncoder.Encode`), so a Table watch's bookmark is a Table of the empty
    /// object, and carries the column definitions when it is the watch's first event.
    pub fn bookmark(&mut self, def: ResId, rv: u64, initial_end: bool) -> Bytes {
        let obj = bookmark_object(def, rv, initial_end);
        let Some((include, first)) = self.table else {
            return event_line("BOOKMARK", &serde_json::to_vec(&obj).expect("JSON values serialize"));
        };
        self.table = Some((include, false));
        let mut t = table::to_table(def.def(), &[obj], rv, None, include);
        if !first {
            t.as_object_mut().map(|m| m.remove("columnDefinitions"));
        }
        event_line("BOOKMARK", &serde_json::to_vec(&t).expect("JSON values serialize"))
    }

    /// One event line for an object.
    pub fn line(&mut self, kind: &str, o: &Obj) -> Bytes {
        let value = || {
            let mut v = o.value();
            if let Some(av) = &self.as_version {
                v["apiVersion"] = json!(av);
            }
            v
        };
        let Some((include, first)) = &self.table else {
            return match &self.as_version {
                Some(_) => event_line(kind, &serde_json::to_vec(&value()).expect("JSON values serialize")),
                None => event_line(kind, &o.json),
            };
        };
        let (include, first) = (*include, *first);
        let mut t = table::to_table(o.res.def(), &[value()], o.rv, None, include);
        self.table = Some((include, false));
        if !first {
            t.as_object_mut().map(|m| m.remove("columnDefinitions"));
        }
        event_line(kind, &serde_json::to_vec(&t).expect("JSON values serialize"))
    }
}

/// Starts a watch response.
pub fn serve(st: Arc<SimState>, t: Target, q: Query, accept: &str) -> Response {
    let enc = match Encoder::new(accept, &q) {
        Ok(e) => Encoder {
            as_version: t.as_version.clone(),
            ..e
        },
        Err(e) => return e.into_response(),
    };
    let filter = match Filter::from_request(&t, &q) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let rv_param = q.get("resourceVersion").cloned().unwrap_or_default();
    let bookmarks = flag(&q, "allowWatchBookmarks");
    let send_initial = q.get("sendInitialEvents").map(|v| v == "true");
    // The real server ends a watch after timeoutSeconds, or after a randomised default.
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or_else(|| Duration::from_secs(1800 + rand::random_range(0..1800)));

    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(256);
    let start = match rv_param.as_str() {
        "" | "0" => None,
        s => match s.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return ApiError::bad_request(format!("invalid resource version: {s}")).into_response();
            }
        },
    };
    // Without a version (or with sendInitialEvents) the watch starts with the current state.
    let initial = start.is_none() && send_initial != Some(false) || send_initial == Some(true);
    let opts = RunOpts {
        start,
        initial,
        initial_end_bookmark: send_initial == Some(true),
        bookmarks,
        timeout,
    };
    tokio::spawn(run(st, filter, opts, enc, tx));
    let stream = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut()
        .insert(header::TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
    r
}

/// How much of a burst of events is written at once.
const FLUSH_AT: usize = 64 * 1024;

type Tx = mpsc::Sender<Result<Bytes, std::io::Error>>;

/// How a watch starts and ends.
struct RunOpts {
    start: Option<u64>,
    initial: bool,
    initial_end_bookmark: bool,
    bookmarks: bool,
    timeout: Duration,
}

async fn run(st: Arc<SimState>, filter: Filter, opts: RunOpts, mut enc: Encoder, tx: Tx) {
    let RunOpts {
        start,
        initial,
        initial_end_bookmark,
        bookmarks,
        timeout,
    } = opts;
    let mut drops = st.faults.watch_drops();
    drops.mark_unchanged();
    let mut frozen = st.faults.frozen();
    let (mut last_rv, past, mut live) = if initial {
        // Subscribe before listing so nothing falls between the list and the live events.
        let live = st.store.subscribe();
        let (items, rv) = st.store.list(filter.res, filter.ns.as_deref());
        // The real server flushes only when no event is waiting, so a burst (the initial state)
        // leaves in large writes rather than one small chunk per object.
        let mut batch = BytesMut::new();
        for o in items.iter().filter(|o| filter.matches(o)) {
            batch.put(enc.line("ADDED", o));
            if batch.len() >= FLUSH_AT && tx.send(Ok(batch.split().freeze())).await.is_err() {
                return;
            }
        }
        if initial_end_bookmark && bookmarks {
            batch.put(enc.bookmark(filter.res, rv, true));
        }
        if !batch.is_empty() && tx.send(Ok(batch.freeze())).await.is_err() {
            return;
        }
        (rv, Vec::new(), live)
    } else {
        let from = start.unwrap_or(0);
        match st.store.watch_from(from) {
            Ok((past, live)) => (from, past, live),
            Err(e) => {
                // The watch cache answers 200 and a single ERROR event carrying the Status.
                let status = serde_json::to_vec(&e.to_status()).expect("JSON values serialize");
                let _ = tx.send(Ok(event_line("ERROR", &status))).await;
                return;
            }
        }
    };
    for ev in past {
        if !emit(&filter, &ev, &mut last_rv, &mut enc, &tx).await {
            return;
        }
    }
    let deadline = tokio::time::Instant::now() + timeout;
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + BOOKMARK_EVERY, BOOKMARK_EVERY);
    loop {
        tokio::select! {
            _ = st.shutdown.cancelled() => return,
            _ = tokio::time::sleep_until(deadline) => return,
            _ = drops.changed() => {
                let _ = tx.send(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "watch dropped by fault"))).await;
                return;
            }
            _ = tx.closed() => return,
            // A frozen server writes nothing, bookmarks included, until it thaws.
            _ = frozen.wait_for(|f| *f).map(|r| r.is_ok()) => tokio::select! {
                _ = st.shutdown.cancelled() => return,
                _ = st.faults.thawed() => {}
                // A restart ends a frozen server's watches too.
                _ = drops.changed() => {
                    let _ = tx.send(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "watch dropped by fault"))).await;
                    return;
                }
            },
            _ = tick.tick(), if bookmarks => {
                let rv = st.store.rv().max(last_rv);
                if tx.send(Ok(enc.bookmark(filter.res, rv, false))).await.is_err() {
                    return;
                }
            }
            ev = live.recv() => match ev {
                Ok(ev) => {
                    if ev.obj.rv > last_rv && !emit(&filter, &ev, &mut last_rv, &mut enc, &tx).await {
                        return;
                    }
                }
                // A watcher too slow to keep up is closed, as the real server does; it resumes from its last version.
                Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

async fn emit(filter: &Filter, ev: &Event, last_rv: &mut u64, enc: &mut Encoder, tx: &Tx) -> bool {
    *last_rv = (*last_rv).max(ev.obj.rv);
    match filter.translate(ev) {
        Some(kind) => tx.send(Ok(enc.line(kind.as_str(), &ev.obj))).await.is_ok(),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::res;

    fn event(line: &Bytes) -> serde_json::Value {
        serde_json::from_slice(line).unwrap()
    }

    #[test]
    fn a_table_watch_sends_bookmarks_as_tables_and_columns_only_in_its_first_event() {
        let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
        let q: Query = [("includeObject".to_string(), "Metadata".to_string())].into();
        let mut enc = Encoder::new(accept, &q).unwrap();
        let first = event(&enc.bookmark(res("ConfigMap"), 42, false));
        assert_eq!(
            (first["type"].as_str(), first["object"]["kind"].as_str()),
            (Some("BOOKMARK"), Some("Table"))
        );
        assert_eq!(first["object"]["metadata"]["resourceVersion"], "42");
        assert!(
            first["object"]["columnDefinitions"].is_array(),
            "the first event carries the columns"
        );
        let later = event(&enc.bookmark(res("ConfigMap"), 43, false));
        assert!(later["object"].get("columnDefinitions").is_none(), "{later}");
        // Without Tables a bookmark is the bare object, as before.
        let mut plain = Encoder::new("application/json", &q).unwrap();
        let b = event(&plain.bookmark(res("ConfigMap"), 44, false));
        assert_eq!(
            (
                b["object"]["kind"].as_str(),
                b["object"]["metadata"]["resourceVersion"].as_str()
            ),
            (Some("ConfigMap"), Some("44"))
        );
    }
}
