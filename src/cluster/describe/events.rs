//! kubectl's `DescribeEvents`: Type / Reason / Age / From / Message, with "(x3 over 5m)" for repeats.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Event;

use super::Out;
use crate::cluster::printers::age::{age, micro_age};

/// When an event last happened, kubectl's sort key (`SortableEvents` orders by lastTimestamp).
fn last_seen(e: &Event) -> Option<Timestamp> {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref().map(|t| t.0))
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
}

/// The Age cell: "5m", or "2m (x3 over 5m)" for an event seen several times.
pub fn event_interval(e: &Event, now: Timestamp) -> String {
    let first = match &e.event_time {
        Some(t) => micro_age(Some(t), now),
        None => age(e.first_timestamp.as_ref(), now),
    };
    if let Some(series) = &e.series {
        format!(
            "{} (x{} over {first})",
            micro_age(series.last_observed_time.as_ref(), now),
            series.count.unwrap_or(0)
        )
    } else if e.count.unwrap_or(0) > 1 {
        format!(
            "{} (x{} over {first})",
            age(e.last_timestamp.as_ref(), now),
            e.count.unwrap_or(0)
        )
    } else {
        first
    }
}

/// Write the Events section (or "Events: <none>").
pub fn describe_events(o: &mut Out, events: &[Event], now: Timestamp) {
    if events.is_empty() {
        o.w(0, "Events:\t<none>\n");
        return;
    }
    let mut events: Vec<&Event> = events.iter().collect();
    events.sort_by_key(|e| last_seen(e));
    o.w(0, "Events:\n");
    o.w(1, "Type\tReason\tAge\tFrom\tMessage\n");
    o.w(1, "----\t------\t----\t----\t-------\n");
    for e in events {
        let from = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .filter(|c| !c.is_empty())
            .or_else(|| e.reporting_component.clone())
            .unwrap_or_default();
        o.w(
            1,
            &format!(
                "{}\t{}\t{}\t{}\t{}\n",
                e.type_.as_deref().unwrap_or(""),
                e.reason.as_deref().unwrap_or(""),
                event_interval(e, now),
                from,
                e.message.as_deref().unwrap_or("").trim()
            ),
        );
    }
}
