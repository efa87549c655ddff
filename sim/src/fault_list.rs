//! The `--demo-faults` list (kubedeck --demo and kubedeck demo-server): fault names switched on at start.

use super::faults::Faults;

/// Switch on the faults a `--demo-faults` list names; an unknown name is an error naming the known ones.
pub fn apply_demo_faults(list: &str, faults: &Faults) -> anyhow::Result<()> {
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item.split_once('=') {
            Some(("failing-check", name)) if !name.is_empty() => faults.set_failing_check(Some(name)),
            None if item == "stale-leader" => faults.set_stale_leader(true),
            Some(("huge-log-line", size)) => faults.set_huge_log_line(parse_size(size)?),
            None if item == "bidi-event" => faults.bidi_event(),
            None if item == "metrics-unavailable" => faults.set_metrics_unavailable(true),
            // The restricted user's Role: only this namespace (context kubedeck-demo-jane).
            Some(("jane-only", ns)) if !ns.is_empty() => faults.confine("jane", ns),
            // A validating admission webhook that refuses every write of one resource.
            Some(("webhook-deny", plural)) if !plural.is_empty() => faults.set_webhook(Some(super::faults::Webhook {
                name: "policy.demo.kubedeck.io".into(),
                plural: plural.into(),
                message: format!("{plural} are read-only in this demo (--demo-faults webhook-deny)"),
            })),
            _ => anyhow::bail!(
                "unknown demo fault {item:?}: use failing-check=NAME, stale-leader, huge-log-line=SIZE, bidi-event, \
                 metrics-unavailable, jane-only=NAMESPACE or webhook-deny=PLURAL (freeze and restart are switched at run \
                 time: see \"When the cluster \
                 misbehaves\" in the README)"
            ),
        }
    }
    Ok(())
}

/// A size such as `20MB`, `512K` or `1000` (bytes); K and M are powers of 1024.
pub fn parse_size(text: &str) -> anyhow::Result<u64> {
    let t = text.trim().to_ascii_uppercase();
    let t = t.strip_suffix('B').unwrap_or(&t);
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let unit = match unit {
        "" => 1,
        "K" | "KI" => 1 << 10,
        "M" | "MI" => 1 << 20,
        "G" | "GI" => 1 << 30,
        _ => anyhow::bail!("huge-log-line={text}: the size takes a K, M or G suffix, e.g. 20MB"),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| anyhow::anyhow!("huge-log-line={text}: not a size, e.g. 20MB"))?;
    n.checked_mul(unit)
        .filter(|&b| b > 0)
        .ok_or_else(|| anyhow::anyhow!("huge-log-line={text}: use a size above 0 and below 16 EiB"))
}
