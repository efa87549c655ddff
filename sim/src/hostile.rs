//! Hostile content on demand: a log line of many megabytes and an Event whose message hides bidi
//! controls and zero-width characters, so kubedeck can be seen (and tested) facing both.

use super::controllers::Ctx;
use super::events::{Source, record};
use super::store::pods;

/// The message of the bidi Event: a right-to-left override that would show `exe.evil` as
/// `live.exe`, an isolate, and zero-width characters hiding inside a word.
pub const BIDI_MESSAGE: &str =
    "Back-off pulling image \u{202E}exe.evil\u{202C} from reg\u{200B}istry \u{2066}x\u{2069}\u{FEFF}";

/// One log line of about `bytes` bytes: a JSON object whose `blob` field fills it.
pub fn huge_line(bytes: u64) -> String {
    let head = "{\"level\":\"info\",\"msg\":\"state dump\",\"blob\":\"";
    let tail = "\"}";
    let fill = (bytes as usize).saturating_sub(head.len() + tail.len());
    let mut s = String::with_capacity(head.len() + fill + tail.len());
    s.push_str(head);
    // Varied text, so a search or a wrap has something to chew on.
    const PATTERN: &str = "0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ ";
    while s.len() < head.len() + fill {
        let take = PATTERN.len().min(head.len() + fill - s.len());
        s.push_str(&PATTERN[..take]);
    }
    s.push_str(tail);
    s
}

/// Records the bidi Event about the first pod of the "shop" namespace whenever the fault is switched
/// on (waiting for the pod to exist when the cluster is still starting).
pub async fn run(ctx: Ctx) {
    let mut asked = ctx.faults.bidi_events();
    loop {
        let mut pending = *asked.borrow_and_update();
        while pending {
            let (pods, _) = ctx.store.list(pods(), Some("shop"));
            if let Some(pod) = pods.first().map(|p| p.value()) {
                let src = Source {
                    component: "kubelet",
                    host: pod["spec"]["nodeName"].as_str(),
                };
                record(&ctx.store, &pod, None, "Warning", "Failed", BIDI_MESSAGE, src);
                pending = false;
            } else {
                tokio::select! {
                    _ = ctx.cancel.cancelled() => return,
                    _ = tokio::time::sleep(std::time::Duration::from_millis(200)) => {}
                }
            }
        }
        tokio::select! {
            _ = ctx.cancel.cancelled() => return,
            changed = asked.changed() => if changed.is_err() { return },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::res;

    #[tokio::test]
    async fn the_bidi_fault_records_its_event() {
        let c = crate::DemoCluster::start(Default::default()).await.unwrap();
        c.faults().bidi_event();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (events, _) = c.store().list(res("Event"), Some("shop"));
            if events.iter().any(|e| e.value()["message"] == BIDI_MESSAGE) {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "no bidi Event recorded");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(huge_line(1000).len() == 1000 && huge_line(1000).ends_with("\"}"));
    }
}
