//! The watch of a kind kubedeck has no typed watch or printer for (any registry resource, custom
//! resources included): LIST and WATCH asking for server-side Tables, so the rows carry the server's
//! own columns (a CRD's `additionalPrinterColumns`) exactly as `kubectl get` prints them.
//!
//! kube-rs's `watcher` cannot ask for Tables, so this is its own stream with the watcher's
//! semantics (LIST in pages, WATCH from the list's resourceVersion with bookmarks, a fresh LIST
//! on 410 Gone), driven by [`super::watch::drive`] like every other watch: back-off, stale marker,
//! 403 per view and contact are shared. Facts it rests on (apiserver `handlers/response.go`,
//! `watch.go`): every watch event's object (bookmarks included) is a Table of one row, and only the
//! first response of a request carries `columnDefinitions` (later ones are asked `NoHeaders`), so
//! the columns come from the LIST and are kept.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::BoxStream;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Client;
use kube::api::{Api, DynamicObject};
use kube::core::WatchEvent;
use kube::runtime::watcher;
use model::table::{self, Column};
use serde::Deserialize;
use serde_json::Value;

use super::rows::{Row, RowStore};
use super::watch::{self, Events, FALLBACK, InitialList, Watch};
use super::{Kind, Scope};

/// What kubectl sends to get Tables: v1, then v1beta1, then the plain object for a server (an
/// aggregated API) that prints no Tables.
pub const ACCEPT: &str =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// The server ends a watch after this long (as kube-rs's watcher asks); it is then resumed.
const WATCH_TIMEOUT_SECS: u32 = 290;

/// A Table (a LIST page or one watch event's object), or the plain list or object of a server
/// that does not print Tables.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct Table {
    kind: String,
    metadata: Value,
    #[serde(rename = "columnDefinitions")]
    column_definitions: Vec<Column>,
    rows: Vec<TableRow>,
    /// A plain list's objects (read for their metadata only).
    items: Vec<Partial>,
}

#[derive(Deserialize, Clone)]
struct TableRow {
    #[serde(default)]
    cells: Vec<Value>,
    /// The `includeObject=Metadata` object.
    #[serde(default)]
    object: Option<Partial>,
}

#[derive(Deserialize, Default, Clone)]
struct Partial {
    #[serde(default)]
    metadata: ObjectMeta,
}

/// Where the list/watch protocol stands.
enum Phase {
    /// About to (re)list from scratch.
    Start,
    /// Listing; the next page's continue token ("" for the first).
    Listing(String),
    /// Listed (or watched) up to this resourceVersion; a watch is to start from it.
    Watch(String),
    /// Watching from a resourceVersion, kept up to date as events and bookmarks arrive.
    Watching(String, TableEvents),
}

/// The events of one WATCH request.
type TableEvents = BoxStream<'static, kube::Result<WatchEvent<Table>>>;

/// One Table list/watch: the stream of row events [`watch::drive`] runs.
struct Lister {
    client: Client,
    /// The collection's path (`/apis/g/v/namespaces/ns/plural`).
    path: String,
    /// A field selector the server filters with.
    fields: Option<String>,
    kind: Kind,
    page: Option<u32>,
    columns: Arc<[Column]>,
    phase: Phase,
    pending: VecDeque<watcher::Event<Row>>,
}

/// Run the Table watch of `kind` (a [`Kind::Other`]) in `scope` into `store` until cancelled.
pub async fn run(
    client: Client,
    kind: Kind,
    scope: Scope,
    fields: Option<String>,
    initial: InitialList,
    store: Arc<RowStore>,
    watch: Watch,
) {
    let ar = super::ops::api_resource(kind);
    let api: Api<DynamicObject> = match (&scope, kind.namespaced()) {
        (Scope::Namespace(ns), true) => Api::namespaced_with(client.clone(), ns, &ar),
        _ => Api::all_with(client.clone(), &ar),
    };
    if fields.is_none() {
        let (shared, notices, cancel) = (watch.shared.clone(), watch.notices.clone(), watch.cancel.clone());
        tokio::spawn(watch::estimate(api.clone(), kind, shared, notices, cancel));
    }
    let path = api.resource_url().to_string();
    let known = match kind {
        Kind::Other(r) => table::columns(r),
        _ => None,
    };
    let columns = known.unwrap_or_else(|| table::default_columns().into());
    // Tables are listed in pages: a streaming list (`sendInitialEvents`) would answer objects.
    let initial = match initial {
        InitialList::Streaming => FALLBACK,
        other => other,
    };
    let open = move |initial: InitialList| -> Events<Row> {
        let lister = Lister {
            client: client.clone(),
            path: path.clone(),
            fields: fields.clone(),
            kind,
            page: match initial {
                InitialList::Paged(n) => Some(n),
                _ => None,
            },
            columns: columns.clone(),
            phase: Phase::Start,
            pending: VecDeque::new(),
        };
        futures::stream::unfold(lister, |mut l| async move {
            let item = l.next().await;
            Some((item, l))
        })
        .boxed()
    };
    watch::drive(watch, initial, open, move |event| store.apply_rows(event)).await
}

/// Unix seconds now: when a Table's ages were rendered, near enough.
fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl Lister {
    /// The next event or error; after an error the phase says what the next call retries.
    async fn next(&mut self) -> Result<watcher::Event<Row>, watcher::Error> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(event);
            }
            match std::mem::replace(&mut self.phase, Phase::Start) {
                Phase::Start => {
                    self.phase = Phase::Listing(String::new());
                    return Ok(watcher::Event::Init);
                }
                Phase::Listing(token) => {
                    let page = match self.list(&token).await {
                        Ok(page) => page,
                        // An expired continue token (410) or any other failure: list from scratch.
                        Err(e) => return Err(watcher::Error::InitialListFailed(e)),
                    };
                    let received = now();
                    let text = |k: &str| page.metadata[k].as_str().unwrap_or_default().to_string();
                    let (next, rv) = (text("continue"), text("resourceVersion"));
                    self.take_columns(&page);
                    let rows = self.rows_of(page.into_rows(), received);
                    self.pending.extend(rows.into_iter().map(watcher::Event::InitApply));
                    self.phase = if next.is_empty() {
                        self.pending.push_back(watcher::Event::InitDone);
                        Phase::Watch(rv)
                    } else {
                        Phase::Listing(next)
                    };
                }
                Phase::Watch(rv) => match self.watch(&rv).await {
                    Ok(events) => self.phase = Phase::Watching(rv, events),
                    Err(e) => {
                        if !gone(&e) {
                            self.phase = Phase::Watch(rv);
                        }
                        return Err(watcher::Error::WatchStartFailed(e));
                    }
                },
                Phase::Watching(rv, mut events) => match events.next().await {
                    // The server ended the watch (its timeout): resume from where it was.
                    None => self.phase = Phase::Watch(rv),
                    Some(Err(e)) => {
                        self.phase = Phase::Watch(rv);
                        return Err(watcher::Error::WatchFailed(e));
                    }
                    Some(Ok(WatchEvent::Error(status))) => {
                        if status.code != 410 {
                            self.phase = Phase::Watch(rv);
                        }
                        return Err(watcher::Error::WatchError(status));
                    }
                    Some(Ok(WatchEvent::Bookmark(b))) => {
                        self.phase = Phase::Watching(b.metadata.resource_version, events);
                    }
                    Some(Ok(WatchEvent::Added(t) | WatchEvent::Modified(t))) => {
                        let rv = self.apply(t, rv, watcher::Event::Apply);
                        self.phase = Phase::Watching(rv, events);
                    }
                    Some(Ok(WatchEvent::Deleted(t))) => {
                        let rv = self.apply(t, rv, watcher::Event::Delete);
                        self.phase = Phase::Watching(rv, events);
                    }
                },
            }
        }
    }

    /// Queue the rows of one watch event's Table as `event`s; the resourceVersion it brings.
    fn apply(&mut self, t: Table, rv: String, event: fn(Row) -> watcher::Event<Row>) -> String {
        self.take_columns(&t);
        let rv = match t.metadata["resourceVersion"].as_str() {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => rv,
        };
        let rows = self.rows_of(t.into_rows(), now());
        self.pending.extend(rows.into_iter().map(event));
        rv
    }

    /// A Table's columns, when it carries them, replace the ones kept (and the view's).
    fn take_columns(&mut self, t: &Table) {
        if t.column_definitions.is_empty() || *t.column_definitions == *self.columns {
            return;
        }
        self.columns = t.column_definitions.clone().into();
        if let Kind::Other(r) = self.kind {
            table::set_columns(r, self.columns.clone());
        }
    }

    fn rows_of(&self, rows: Vec<(Vec<Value>, ObjectMeta)>, received: i64) -> Vec<Row> {
        rows.iter()
            .map(|(cells, meta)| table::row_of(&self.columns, cells, meta, received))
            .collect()
    }

    /// A LIST page (a future that borrows nothing: the phase holds a stream that is not `Sync`).
    fn list(&self, token: &str) -> impl Future<Output = kube::Result<Table>> + Send + 'static {
        let limit = self.page.map(|n| n.to_string());
        let mut pairs = vec![("includeObject", "Metadata")];
        pairs.extend(limit.as_deref().map(|n| ("limit", n)));
        pairs.extend((!token.is_empty()).then_some(("continue", token)));
        pairs.extend(self.fields.as_deref().map(|f| ("fieldSelector", f)));
        let (client, request) = (self.client.clone(), self.get(query(&pairs)));
        async move {
            let mut t: Table = client.request(request?).await?;
            if t.kind != "Table" {
                // A server that prints no Tables answered the plain list: NAME and AGE, as kubectl.
                t.column_definitions = table::default_columns();
            }
            Ok(t)
        }
    }

    /// A WATCH from `rv` (a future that borrows nothing, as [`Lister::list`]).
    fn watch(&self, rv: &str) -> impl Future<Output = kube::Result<TableEvents>> + Send + 'static {
        let timeout = WATCH_TIMEOUT_SECS.to_string();
        let mut pairs = vec![
            ("watch", "true"),
            ("resourceVersion", rv),
            ("allowWatchBookmarks", "true"),
            ("includeObject", "Metadata"),
            ("timeoutSeconds", timeout.as_str()),
        ];
        pairs.extend(self.fields.as_deref().map(|f| ("fieldSelector", f)));
        let (client, request) = (self.client.clone(), self.get(query(&pairs)));
        async move {
            let events = client.request_events::<Table>(request?).await?;
            Ok(StreamExt::boxed(events))
        }
    }

    fn get(&self, query: String) -> kube::Result<http::Request<Vec<u8>>> {
        http::Request::get(format!("{}?{query}", self.path))
            .header(http::header::ACCEPT, ACCEPT)
            .body(vec![])
            .map_err(kube::Error::HttpError)
    }
}

impl Table {
    /// Each row's cells and metadata; a plain list or object gets a NAME and AGE row from its metadata.
    fn into_rows(self) -> Vec<(Vec<Value>, ObjectMeta)> {
        if self.kind == "Table" {
            return self
                .rows
                .into_iter()
                .map(|r| (r.cells, r.object.unwrap_or_default().metadata))
                .collect();
        }
        let plain = |meta: ObjectMeta| {
            let age = meta.creation_timestamp.as_ref().map_or_else(
                || "<unknown>".to_string(),
                |t| model::printers::age::human_duration(now() - t.0.as_second()),
            );
            (
                vec![Value::from(meta.name.clone().unwrap_or_default()), Value::from(age)],
                meta,
            )
        };
        if self.items.is_empty() && self.metadata.get("name").is_some() {
            // One plain object (a watch event of a server that prints no Tables).
            let meta = serde_json::from_value(self.metadata).unwrap_or_default();
            return vec![plain(meta)];
        }
        self.items.into_iter().map(|i| plain(i.metadata)).collect()
    }
}

/// Whether the server answered 410 Gone (the resourceVersion is too old: list again).
fn gone(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 410)
}

/// A query string from pairs, each value percent-encoded but for URI's unreserved characters.
fn query(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        for b in v.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            query(&[("continue", "eyJ2+/="), ("fieldSelector", "type=Warning,a!=b")]),
            "continue=eyJ2%2B%2F%3D&fieldSelector=type%3DWarning%2Ca%21%3Db"
        );
    }
}
