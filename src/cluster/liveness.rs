//! Whether the API server answers at all: a small timed GET of `/version`, every 10 s while it does
//! and every 2–3 s once it does not. Watches alone cannot tell: a frozen server or a half-open
//! connection leaves them silent, which looks like a quiet cluster; bookmarks come about once a
//! minute with no promise, and kube-client (HTTP/1.1) has no PING. Only a timed request shows it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kube::Client;
use parking_lot::Mutex;
use tokio::sync::{Notify, mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::notice::Notice;

/// Time between probes while the server answers: at most 6 small GETs an idle minute, no LIST.
pub const PERIOD: Duration = Duration::from_secs(10);
/// How long a probe may take. With [`PERIOD`], a server that goes silent is seen within 14 s.
pub const TIMEOUT: Duration = Duration::from_secs(4);
/// Probes while contact is lost come this often (jittered to 2–3 s, so that many clients of one
/// restarted server do not come back in step): recovery is seen within about 3 s.
const LOST_PERIOD_SECS: std::ops::Range<f64> = 2.0..3.0;

/// What the probe knows of the API server.
#[derive(Debug, Clone, PartialEq)]
pub enum ContactState {
    /// Not probed yet.
    Unknown,
    /// The last probe was answered.
    Up,
    /// The last probe failed.
    Lost {
        /// The last answer (or the first attempt, if none was ever answered).
        since: Instant,
        /// Why, in words: "connection refused", "no answer within 4s", …
        error: String,
        /// Whether the server ever answered in this connection's life.
        ever_up: bool,
    },
}

/// The probe's findings, shared with the watches (which retry at once when contact returns) and the
/// screen (which marks what it shows stale while contact is lost).
#[derive(Debug)]
pub struct Contact {
    state: Mutex<ContactState>,
    last_ok: Mutex<Option<Instant>>,
    noticed: Mutex<Option<Instant>>,
    /// How long the last loss lasted, from the last answer before it to the first after.
    last_loss: Mutex<Option<Duration>>,
    version: Mutex<Option<String>>,
    generation: AtomicU64,
    regained: watch::Sender<u64>,
    suspect: Notify,
    notices: Option<mpsc::Sender<Notice>>,
}

impl Contact {
    /// A contact not probed yet; changes are announced on `notices`.
    pub fn new(notices: Option<mpsc::Sender<Notice>>) -> Contact {
        Contact {
            state: Mutex::new(ContactState::Unknown),
            last_ok: Mutex::new(None),
            noticed: Mutex::new(None),
            last_loss: Mutex::new(None),
            version: Mutex::new(None),
            generation: AtomicU64::new(0),
            regained: watch::channel(0).0,
            suspect: Notify::new(),
            notices,
        }
    }

    /// The current state.
    pub fn state(&self) -> ContactState {
        self.state.lock().clone()
    }

    /// Since when contact is lost, if it is.
    pub fn lost_since(&self) -> Option<Instant> {
        match &*self.state.lock() {
            ContactState::Lost { since, .. } => Some(*since),
            _ => None,
        }
    }

    /// Bumped on every change of state: equal generations mean the same state.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    /// The server's gitVersion, once it has answered.
    pub fn version(&self) -> Option<String> {
        self.version.lock().clone()
    }

    /// A receiver that changes each time contact comes back after a loss.
    pub fn regained(&self) -> watch::Receiver<u64> {
        self.regained.subscribe()
    }

    /// Whether the server answered a probe after `t`.
    pub fn answered_since(&self, t: Instant) -> bool {
        self.last_ok.lock().is_some_and(|ok| ok > t)
    }

    /// When the server last answered a probe, if ever.
    pub fn last_answer(&self) -> Option<Instant> {
        *self.last_ok.lock()
    }

    /// When the last loss of contact was noticed (its first failed probe).
    pub fn noticed_loss(&self) -> Option<Instant> {
        *self.noticed.lock()
    }

    /// How long the last loss of contact lasted (from the last answer before it to the first after);
    /// None before any loss ended.
    pub fn last_loss(&self) -> Option<Duration> {
        *self.last_loss.lock()
    }

    /// A watch lost its connection (refused, reset): probe now rather than at the next period.
    pub fn suspect(&self) {
        self.suspect.notify_one();
    }

    /// Record an answer.
    pub fn answered(&self, version: String) {
        *self.last_ok.lock() = Some(Instant::now());
        *self.version.lock() = Some(version);
        let was = std::mem::replace(&mut *self.state.lock(), ContactState::Up);
        if was == ContactState::Up {
            return;
        }
        if let ContactState::Lost { since, .. } = was {
            tracing::info!(after = ?since.elapsed(), "API server answers again");
            *self.last_loss.lock() = Some(since.elapsed());
            self.regained.send_modify(|n| *n += 1);
        }
        self.changed();
    }

    /// Record a probe that failed with `error`.
    pub fn unanswered(&self, error: String) {
        let last_ok = *self.last_ok.lock();
        let mut state = self.state.lock();
        let (since, first) = match &*state {
            ContactState::Lost { since, error: e, .. } if *e == error => return,
            ContactState::Lost { since, .. } => (*since, false),
            _ => (last_ok.unwrap_or_else(Instant::now), true),
        };
        if first {
            *self.noticed.lock() = Some(Instant::now());
            tracing::warn!(%error, "API server not answering");
        } else {
            tracing::info!(%error, "API server still not answering");
        }
        *state = ContactState::Lost {
            since,
            error,
            ever_up: last_ok.is_some(),
        };
        drop(state);
        self.changed();
    }

    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
        if let Some(tx) = &self.notices {
            let _ = tx.try_send(Notice::Contact);
        }
    }
}

/// Probe `client`'s server until `cancel`, recording what it finds in `contact`.
pub async fn probe(client: Client, contact: Arc<Contact>, cancel: CancellationToken) {
    loop {
        let started = Instant::now();
        let answer = tokio::select! {
            _ = cancel.cancelled() => return,
            a = tokio::time::timeout(TIMEOUT, client.apiserver_version()) => a,
        };
        match answer {
            Ok(Ok(info)) => contact.answered(info.git_version),
            Ok(Err(e)) => contact.unanswered(reason(&e)),
            Err(_) => contact.unanswered(format!("no answer within {}s", TIMEOUT.as_secs())),
        }
        let lost = contact.lost_since().is_some();
        let wait = if lost {
            Duration::from_secs_f64(rand::random_range(LOST_PERIOD_SECS))
        } else {
            PERIOD
        };
        // A watch that saw its connection fail brings the next probe forward, but never closer than
        // the lost period to the last one.
        let earliest = started + Duration::from_secs_f64(LOST_PERIOD_SECS.start);
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
            _ = contact.suspect.notified(), if !lost => {
                tokio::time::sleep_until(earliest.into()).await;
            }
        }
    }
}

/// Why a request failed, in a few words for the header: the I/O cause if there is one.
pub fn reason(err: &kube::Error) -> String {
    if let kube::Error::Api(s) = err {
        return format!("{} {}", s.code, s.reason);
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            return match io.kind() {
                ConnectionRefused => "connection refused".into(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => "connection reset".into(),
                TimedOut => "connection timed out".into(),
                _ => io.to_string(),
            };
        }
        source = e.source();
    }
    let text = err.to_string();
    if text.contains("connection closed") {
        return "connection reset".into();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loss_keeps_the_time_of_the_last_answer_and_a_return_is_announced() {
        let contact = Contact::new(None);
        let mut back = contact.regained();
        contact.unanswered("connection refused".into());
        let ContactState::Lost { ever_up: false, .. } = contact.state() else {
            panic!("{:?}", contact.state())
        };
        contact.answered("v1.33.1".into());
        assert!(back.has_changed().unwrap(), "a return after a loss wakes the watches");
        back.mark_unchanged();
        let answered_at = Instant::now();
        let g = contact.generation();
        contact.unanswered("no answer within 4s".into());
        contact.unanswered("no answer within 4s".into());
        assert_eq!(contact.generation(), g + 1, "the same failure again is no change");
        let ContactState::Lost { since, ever_up, .. } = contact.state() else {
            panic!()
        };
        assert!(ever_up && since <= answered_at);
        contact.unanswered("connection refused".into());
        assert_eq!(contact.lost_since(), Some(since), "the age counts from the last answer");
        contact.answered("v1.33.1".into());
        assert_eq!(contact.state(), ContactState::Up);
        let lasted = contact.last_loss().unwrap();
        assert!(
            lasted >= answered_at.elapsed() && lasted < since.elapsed() + Duration::from_secs(1),
            "{lasted:?}"
        );
        assert_eq!(contact.version().as_deref(), Some("v1.33.1"));
    }
}
