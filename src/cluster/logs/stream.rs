//! One reader per (pod, container): reads with back-pressure, reconnects from the last timestamp it saw.

use std::time::Duration;

use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::resume::{Resume, floor, split};
use super::{Event, Line, Params, SourceState, Tagged};

/// Lines sent in one batch at most: big enough to keep up, small enough to keep memory in check.
const BATCH: usize = 1024;
/// The longest wait between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Who a reader reads, and where its lines go.
#[derive(Clone)]
pub struct Reader {
    /// Pods of the namespace.
    pub api: Api<Pod>,
    /// Pod name.
    pub pod: String,
    /// Pod uid at start: a pod recreated under the same name is another source.
    pub uid: Option<String>,
    /// Container name.
    pub container: String,
    /// Source index.
    pub id: u32,
    /// Session tag.
    pub session: u64,
    /// Where to start.
    pub params: Params,
    /// Bounded: a full channel makes the reader wait, so nothing is dropped.
    pub tx: mpsc::Sender<Tagged>,
}

enum Outcome {
    /// The server closed the stream normally.
    Eof,
    /// The connection broke.
    Broken(String),
    /// The receiver is gone or we were cancelled.
    Stop,
}

impl Reader {
    async fn send(&self, event: Event) -> bool {
        self.tx.send((self.session, event)).await.is_ok()
    }

    async fn state(&self, state: SourceState) -> bool {
        self.send(Event::State { id: self.id, state }).await
    }

    /// Read until the source ends, the pod goes away, or `cancel` fires.
    pub async fn run(self, cancel: CancellationToken) {
        tokio::select! {
            _ = cancel.cancelled() => {}
            _ = self.read() => {}
        }
    }

    async fn read(&self) {
        let mut resume = Resume::default();
        let mut opened_at: Option<jiff::Timestamp> = None;
        let mut backoff = Duration::from_millis(200);
        loop {
            let mut lp = LogParams {
                container: Some(self.container.clone()),
                follow: self.params.follow && !self.params.previous,
                previous: self.params.previous,
                timestamps: true,
                ..Default::default()
            };
            match (resume.since(), opened_at) {
                (Some(since), _) => lp.since_time = Some(since),
                // Connected before but nothing came: everything since then is new.
                (None, Some(at)) => lp.since_time = Some(floor(at)),
                (None, None) => {
                    lp.tail_lines = self.params.tail;
                    lp.since_seconds = self.params.since_seconds;
                }
            }
            resume.reconnect();
            let started = jiff::Timestamp::now();
            let reader = match self.api.log_stream(&self.pod, &lp).await {
                Ok(r) => r,
                Err(e) => {
                    let (state, retry) = classify(&e);
                    if !self.state(state).await || !retry {
                        return;
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            };
            opened_at.get_or_insert(started);
            if !self.state(SourceState::Streaming).await {
                return;
            }
            let (outcome, got) = self.pump(reader, &mut resume).await;
            if got {
                backoff = Duration::from_millis(200);
            }
            match outcome {
                Outcome::Stop => return,
                Outcome::Broken(msg) => {
                    if !self.state(SourceState::Reconnecting(msg)).await {
                        return;
                    }
                }
                Outcome::Eof if !lp.follow => {
                    self.state(SourceState::Ended).await;
                    return;
                }
                Outcome::Eof => match self.after_eof().await {
                    Some(state @ (SourceState::Gone | SourceState::Ended)) => {
                        self.state(state).await;
                        return;
                    }
                    Some(state) if !self.state(state.clone()).await => return,
                    _ => {}
                },
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Copy lines to the channel; true in the second field if any new line came.
    async fn pump(&self, reader: impl futures::AsyncBufRead, resume: &mut Resume) -> (Outcome, bool) {
        let reader = Box::pin(reader);
        let chunks = futures::stream::unfold(reader, |mut r| async move {
            let mut buf = Vec::new();
            match r.read_until(b'\n', &mut buf).await {
                Ok(0) => None,
                Ok(_) => Some((Ok(buf), r)),
                Err(e) => Some((Err(e), r)),
            }
        })
        .ready_chunks(BATCH);
        let mut chunks = std::pin::pin!(chunks);
        let mut got = false;
        while let Some(chunk) = chunks.next().await {
            let mut lines = Vec::with_capacity(chunk.len());
            let mut broken = None;
            for item in chunk {
                match item {
                    Ok(buf) => {
                        let raw = String::from_utf8_lossy(&buf);
                        let (ts, text) = split(&raw);
                        if resume.accept(ts, text) {
                            lines.push(Line {
                                source: self.id,
                                ts,
                                text: text.to_string(),
                            });
                        }
                    }
                    Err(e) => broken = Some(e.to_string()),
                }
            }
            if !lines.is_empty() {
                got = true;
                if !self.send(Event::Lines(lines)).await {
                    return (Outcome::Stop, got);
                }
            }
            if let Some(msg) = broken {
                return (Outcome::Broken(msg), got);
            }
        }
        (Outcome::Eof, got)
    }

    /// A follow stream ended: decide whether the pod is gone, done for good, or worth reading again.
    async fn after_eof(&self) -> Option<SourceState> {
        let pod = match self.api.get_opt(&self.pod).await {
            Ok(Some(p)) => p,
            Ok(None) => return Some(SourceState::Gone),
            Err(e) => return Some(SourceState::Reconnecting(crate::cluster::errors::explain(&e))),
        };
        if self.uid.is_some() && pod.metadata.uid != self.uid {
            return Some(SourceState::Gone);
        }
        if pod.metadata.deletion_timestamp.is_some() {
            return Some(SourceState::Gone);
        }
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        // Succeeded and Failed pods never run their containers again.
        if matches!(phase, Some("Succeeded" | "Failed")) {
            return Some(SourceState::Ended);
        }
        None
    }
}

/// What an error opening a stream means: the state to show and whether to try again.
pub fn classify(e: &kube::Error) -> (SourceState, bool) {
    match e {
        kube::Error::Api(s) if s.code == 404 => (SourceState::Gone, false),
        kube::Error::Api(s) if s.code == 400 && s.message.contains("is waiting to start") => {
            (SourceState::Waiting(s.message.clone()), true)
        }
        kube::Error::Api(s) if s.code == 403 => (SourceState::Failed(format!("Forbidden: {}", s.message)), false),
        kube::Error::Api(s) if (400..500).contains(&s.code) && s.code != 429 => {
            (SourceState::Failed(s.message.clone()), false)
        }
        other => (SourceState::Reconnecting(crate::cluster::errors::explain(other)), true),
    }
}
