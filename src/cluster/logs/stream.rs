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
            match read_capped(&mut r, RAW_CAP).await {
                Ok(None) => None,
                Ok(Some(line)) => Some((Ok(line), r)),
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
                    Ok((buf, dropped)) => {
                        let raw = String::from_utf8_lossy(&buf);
                        let (ts, text) = split(&raw);
                        let (text, over) = cap(text);
                        if resume.accept(ts, text) {
                            lines.push(Line {
                                source: self.id,
                                ts,
                                text: text.to_string(),
                                cut: dropped + over,
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

/// Bytes of a raw line (timestamp, text, newline) read into memory: the text cap and room for the stamp.
const RAW_CAP: usize = super::LINE_CAP + 64;

/// Read one line, keeping at most `cap` bytes of it and counting the rest as it streams past; `None` at
/// the end of the stream. Memory and time per line stay bounded however long the line is.
pub async fn read_capped(
    r: &mut (impl futures::AsyncBufRead + Unpin),
    cap: usize,
) -> std::io::Result<Option<(Vec<u8>, u64)>> {
    let mut kept = Vec::new();
    let mut dropped = 0u64;
    let mut any = false;
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(any.then(|| finish(kept, dropped, false)));
        }
        any = true;
        let (part, end) = match memchr(chunk) {
            Some(i) => (&chunk[..=i], true),
            None => (chunk, false),
        };
        let room = cap.saturating_sub(kept.len()).min(part.len());
        kept.extend_from_slice(&part[..room]);
        dropped += (part.len() - room) as u64;
        let n = part.len();
        r.consume_unpin(n);
        if end {
            return Ok(Some(finish(kept, dropped, true)));
        }
    }
}

/// A cut line: its newline went with the cut, and a character the cap split in two goes whole.
fn finish(mut kept: Vec<u8>, mut dropped: u64, newline: bool) -> (Vec<u8>, u64) {
    if dropped > 0 {
        dropped -= u64::from(newline);
        if let Err(e) = std::str::from_utf8(&kept)
            && e.error_len().is_none()
        {
            dropped += (kept.len() - e.valid_up_to()) as u64;
            kept.truncate(e.valid_up_to());
        }
    }
    (kept, dropped)
}

fn memchr(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// `text` cut to [`super::LINE_CAP`] bytes on a character boundary, and the bytes cut off.
pub fn cap(text: &str) -> (&str, u64) {
    if text.len() <= super::LINE_CAP {
        return (text, 0);
    }
    let mut end = super::LINE_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], (text.len() - end) as u64)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_long_line_is_kept_to_the_cap_and_the_rest_counted() {
        let mut data = b"short\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100));
        data.extend("é".as_bytes());
        data.extend(b"\nlast");
        let mut r = futures::io::Cursor::new(data);
        assert_eq!(read_capped(&mut r, 64).await.unwrap(), Some((b"short\n".to_vec(), 0)));
        let (kept, cut) = read_capped(&mut r, 64).await.unwrap().unwrap();
        assert_eq!(
            (kept.len(), cut),
            (64, 38),
            "100 x and a 2-byte é, the newline not counted"
        );
        assert_eq!(read_capped(&mut r, 64).await.unwrap(), Some((b"last".to_vec(), 0)));
        assert_eq!(read_capped(&mut r, 64).await.unwrap(), None);
        // The cap splitting a character keeps none of it.
        let mut r = futures::io::Cursor::new("ab\u{e9}cd\n".as_bytes().to_vec());
        assert_eq!(read_capped(&mut r, 3).await.unwrap(), Some((b"ab".to_vec(), 4)));
        assert_eq!(cap("abc"), ("abc", 0));
    }
}
