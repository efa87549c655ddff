//! Container logs, generated deterministically from each container's start time: nothing is
//! stored, so 100,000 pods cost no memory, and every read of the same span gives the same lines.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use jiff::Timestamp;
use serde_json::Value;
use tokio::sync::mpsc;

use super::request::{Query, SimState, Target};
use super::status::ApiError;
use super::store::pods;

/// Lines a container log keeps before rotation drops the oldest, like kubelet's 10 MiB files.
const RETAINED: u64 = 20_000;

/// One run of a container: the span its lines cover.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Pod uid (seeds the content).
    pub pod_uid: String,
    /// Container name.
    pub container: String,
    /// Which run (0 for the first).
    pub run: u64,
    /// When it started.
    pub started: Timestamp,
    /// When it ended, for a terminated run.
    pub finished: Option<Timestamp>,
    /// Exit code of a terminated run.
    pub exit_code: Option<i64>,
    /// Lines per second.
    pub rate: f64,
    /// Image, which picks the log format.
    pub image: String,
    /// A line of many bytes in place of a regular one (its index, its size): the huge-log-line fault.
    pub huge: Option<(u64, u64)>,
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}

fn mix(mut x: u64) -> u64 {
    // splitmix64: cheap, good enough to vary log content deterministically.
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Instance {
    fn seed(&self) -> u64 {
        let mut h: u64 = 1469598103934665603;
        for b in self.pod_uid.bytes().chain(self.container.bytes()) {
            h = (h ^ b as u64).wrapping_mul(1099511628211);
        }
        h ^ self.run
    }

    /// Time of line `i`.
    pub fn time_of(&self, i: u64) -> Timestamp {
        let nanos = (i as f64 * 1e9 / self.rate) as i64;
        self.started + jiff::SignedDuration::from_nanos(nanos)
    }

    /// Number of regular lines written by `now` (or by the end of a terminated run).
    pub fn lines_by(&self, now: Timestamp) -> u64 {
        let end = self.finished.map_or(now, |f| f.min(now));
        let secs = (end.as_nanosecond() - self.started.as_nanosecond()).max(0) as f64 / 1e9;
        (secs * self.rate).floor() as u64 + 1
    }

    /// Index of the first line at or after `t`.
    pub fn first_at(&self, t: Timestamp) -> u64 {
        let secs = (t.as_nanosecond() - self.started.as_nanosecond()).max(0) as f64 / 1e9;
        (secs * self.rate).ceil() as u64
    }

    /// The text of line `i`.
    pub fn line(&self, i: u64) -> String {
        if let Some((at, bytes)) = self.huge
            && at == i
        {
            return super::hostile::huge_line(bytes);
        }
        let r = mix(self.seed() ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d));
        if i == 0 {
            return format!("starting {} (run {})", self.container, self.run);
        }
        if self.image.contains("nginx") {
            const PATHS: &[&str] = &[
                "/",
                "/healthz",
                "/api/cart",
                "/static/app.js",
                "/api/products?page=2",
                "/login",
            ];
            const CODES: &[u16] = &[200, 200, 200, 200, 304, 201, 404, 500];
            let ip = format!("10.244.{}.{}", r % 4, (r >> 8) % 250 + 2);
            let t = self.time_of(i).strftime("%d/%b/%Y:%H:%M:%S +0000");
            return format!(
                "{ip} - - [{t}] \"GET {} HTTP/1.1\" {} {} \"-\" \"Mozilla/5.0\"",
                PATHS[(r >> 16) as usize % PATHS.len()],
                CODES[(r >> 24) as usize % CODES.len()],
                (r >> 32) % 20_000 + 120
            );
        }
        const MSGS: &[(&str, &str)] = &[
            ("info", "request completed"),
            ("info", "cache refreshed"),
            ("debug", "connection pool stats"),
            ("info", "order accepted"),
            ("warn", "slow upstream response"),
            ("info", "healthcheck ok"),
            ("error", "upstream returned 503"),
        ];
        let (level, msg) = MSGS[(r >> 12) as usize % MSGS.len()];
        format!(
            "{{\"ts\":\"{}\",\"level\":\"{level}\",\"msg\":\"{msg}\",\"request_id\":\"{:08x}\",\"latency_ms\":{}}}",
            self.time_of(i),
            r as u32,
            (r >> 40) % 900 + 1
        )
    }

    /// Lines printed when a run ends with an error (after the regular ones).
    pub fn last_words(&self) -> Vec<String> {
        match self.exit_code {
            Some(0) | None => Vec::new(),
            Some(_) => vec![
                "{\"level\":\"error\",\"msg\":\"failed to connect to database\",\"error\":\"dial tcp 10.96.12.7:5432: connect: connection refused\"}".into(),
                "{\"level\":\"fatal\",\"msg\":\"exiting: dependency not ready\"}".into(),
            ],
        }
    }
}

pub(crate) fn rate_of(st: &SimState, pod: &Value) -> f64 {
    pod["metadata"]["annotations"]["sim.kubedeck.io/log-rate"]
        .as_str()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|r| *r > 0.0)
        .unwrap_or(st.log_rate)
        .max(0.001)
}

/// Finds the run to read, or the error the kubelet answers with.
pub fn instance(pod: &Value, container: Option<&str>, previous: bool, rate: f64) -> Result<Instance, ApiError> {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let names = |field: &str| -> Vec<String> {
        pod["spec"][field]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str().map(String::from))
            .collect()
    };
    let (main, init) = (names("containers"), names("initContainers"));
    let container = match container {
        Some(c) => c.to_string(),
        None if main.len() == 1 => main[0].clone(),
        None => {
            let mut m = format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                main.join(" ")
            );
            if !init.is_empty() {
                m.push_str(&format!(" or one of the init containers: [{}]", init.join(" ")));
            }
            return Err(ApiError::bad_request(m));
        }
    };
    if !main.contains(&container) && !init.contains(&container) {
        return Err(ApiError::bad_request(format!(
            "container {container} is not valid for pod {name}"
        )));
    }
    let status = ["containerStatuses", "initContainerStatuses"]
        .iter()
        .flat_map(|f| pod["status"][f].as_array().into_iter().flatten())
        .find(|s| s["name"] == container.as_str());
    let image = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .chain(pod["spec"]["initContainers"].as_array())
        .flatten()
        .find(|c| c["name"] == container.as_str())
        .and_then(|c| c["image"].as_str())
        .unwrap_or_default()
        .to_string();
    let waiting = |reason: &str| {
        let why = match reason {
            "ErrImagePull" | "ImagePullBackOff" => "trying and failing to pull image".to_string(),
            r => r.to_string(),
        };
        ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {why}"
        ))
    };
    let Some(s) = status else {
        return Err(waiting("ContainerCreating"));
    };
    let restarts = s["restartCount"].as_u64().unwrap_or(0);
    let base = Instance {
        pod_uid: pod["metadata"]["uid"].as_str().unwrap_or_default().to_string(),
        container: container.clone(),
        run: restarts,
        started: Timestamp::UNIX_EPOCH,
        finished: None,
        exit_code: None,
        rate,
        image,
        huge: None,
    };
    let terminated = |t: &Value, run: u64| -> Option<Instance> {
        Some(Instance {
            run,
            started: ts(&t["startedAt"])?,
            finished: ts(&t["finishedAt"]),
            exit_code: t["exitCode"].as_i64(),
            ..base.clone()
        })
    };
    if previous {
        return terminated(&s["lastState"]["terminated"], restarts.saturating_sub(1)).ok_or_else(|| {
            ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{name}\" not found"
            ))
        });
    }
    let state = &s["state"];
    if let Some(started) = ts(&state["running"]["startedAt"]) {
        return Ok(Instance { started, ..base });
    }
    if let Some(i) = terminated(&state["terminated"], restarts) {
        return Ok(i);
    }
    // A container waiting to restart serves the logs of its last run, as the kubelet does.
    if restarts > 0
        && let Some(i) = terminated(&s["lastState"]["terminated"], restarts - 1)
    {
        return Ok(i);
    }
    Err(waiting(
        state["waiting"]["reason"].as_str().unwrap_or("ContainerCreating"),
    ))
}

/// Log options from the query string.
#[derive(Debug, Clone, Default)]
pub struct LogOpts {
    /// `follow`.
    pub follow: bool,
    /// `tailLines`.
    pub tail: Option<u64>,
    /// `timestamps`.
    pub timestamps: bool,
    /// `sinceSeconds` / `sinceTime`, resolved to a time.
    pub since: Option<Timestamp>,
    /// `limitBytes`.
    pub limit_bytes: Option<u64>,
}

impl LogOpts {
    /// Parses the query, refusing malformed values with 400 as the server does.
    pub fn parse(q: &Query, now: Timestamp) -> Result<Self, ApiError> {
        let num = |k: &str| -> Result<Option<u64>, ApiError> {
            q.get(k)
                .map(|v| {
                    v.parse::<i64>()
                        .map_err(|_| ApiError::bad_request(format!("invalid {k}: {v}")))
                })
                .transpose()
                .and_then(|n| match n {
                    Some(n) if n < 0 && k != "tailLines" => {
                        Err(ApiError::bad_request(format!("{k} must be greater than 0")))
                    }
                    Some(n) if n < 0 => Ok(None),
                    other => Ok(other.map(|n| n as u64)),
                })
        };
        let since = match (num("sinceSeconds")?, q.get("sinceTime")) {
            (Some(s), _) => Some(now - jiff::SignedDuration::from_secs(s as i64)),
            (None, Some(t)) => Some(
                t.parse()
                    .map_err(|_| ApiError::bad_request(format!("invalid sinceTime: {t}")))?,
            ),
            _ => None,
        };
        let flag = |k: &str| q.get(k).is_some_and(|v| v == "true" || v == "1");
        Ok(LogOpts {
            follow: flag("follow"),
            tail: num("tailLines")?,
            timestamps: flag("timestamps"),
            since,
            limit_bytes: num("limitBytes")?,
        })
    }
}

pub(crate) fn render(inst: &Instance, i: u64, text: &str, timestamps: bool) -> String {
    if timestamps {
        format!("{} {text}\n", inst.time_of(i).strftime("%Y-%m-%dT%H:%M:%S%.fZ"))
    } else {
        format!("{text}\n")
    }
}

/// The lines of a run up to `now`, after `since`, the last `tail` of them.
pub fn snapshot(inst: &Instance, opts: &LogOpts, now: Timestamp) -> (Vec<String>, u64) {
    let total = inst.lines_by(now);
    let mut first = total.saturating_sub(RETAINED);
    if let Some(s) = opts.since {
        first = first.max(inst.first_at(s));
    }
    let mut lines: Vec<String> = (first..total)
        .map(|i| render(inst, i, &inst.line(i), opts.timestamps))
        .collect();
    if inst.finished.is_some_and(|f| f <= now) {
        let end = total.saturating_sub(1);
        lines.extend(inst.last_words().iter().map(|w| render(inst, end, w, opts.timestamps)));
    }
    if let Some(t) = opts.tail {
        let skip = lines.len().saturating_sub(t as usize);
        lines.drain(..skip);
    }
    (lines, total)
}

/// Serves `GET pods/{name}/log`.
pub fn serve(st: &Arc<SimState>, t: &Target, q: &Query) -> Response {
    match start(st, t, q) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn start(st: &Arc<SimState>, t: &Target, q: &Query) -> Result<Response, ApiError> {
    if t.res != pods() {
        return Err(ApiError::no_route());
    }
    let (ns, name) = (t.ns.clone().unwrap_or_default(), t.name.clone().unwrap_or_default());
    let pod = st
        .store
        .get_value(pods(), &ns, &name)
        .ok_or_else(|| ApiError::not_found(t.res.def(), &name))?;
    let now = Timestamp::now();
    let opts = LogOpts::parse(q, now)?;
    let previous = q.get("previous").is_some_and(|v| v == "true" || v == "1");
    let container = q.get("container").map(String::as_str);
    let inst = instance(&pod, container, previous, rate_of(st, &pod))?;
    let mut inst = inst;
    if let Some((bytes, since)) = st.faults.huge_log_line_since() {
        // The line written when the fault was switched on (or the second line): the same line on every read.
        inst.huge = Some((inst.first_at(since).max(1), bytes));
    }
    let (mut lines, next) = snapshot(&inst, &opts, now);
    if *st.faults.bidi_events().borrow() && !previous {
        let end = next.saturating_sub(1);
        lines.push(render(&inst, end, super::hostile::BIDI_MESSAGE, opts.timestamps));
    }
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(64);
    let mut budget = opts.limit_bytes.unwrap_or(u64::MAX);
    let first: String = lines.concat();
    let first = clip(first, &mut budget);
    let follow = opts.follow && !previous && inst.finished.is_none() && budget > 0;
    let st = st.clone();
    tokio::spawn(async move {
        if !first.is_empty() && tx.send(Ok(Bytes::from(first))).await.is_err() {
            return;
        }
        if follow {
            follow_run(st, ns, name, inst, next, opts.timestamps, budget, tx).await;
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(r)
}

fn clip(mut s: String, budget: &mut u64) -> String {
    if s.len() as u64 > *budget {
        let mut cut = *budget as usize;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    *budget -= s.len() as u64;
    s
}

#[allow(clippy::too_many_arguments)]
async fn follow_run(
    st: Arc<SimState>,
    ns: String,
    name: String,
    inst: Instance,
    mut next: u64,
    timestamps: bool,
    mut budget: u64,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    // Small ticks keep latency low; each tick sends every line that has become due in one chunk.
    let tick = Duration::from_millis(50);
    let mut last_check = tokio::time::Instant::now();
    let mut drops = st.faults.log_drops();
    loop {
        tokio::select! {
            _ = st.shutdown.cancelled() => return,
            _ = tx.closed() => return,
            _ = drops.changed() => {
                // An error ends the body without its last chunk: the client sees a broken connection.
                let _ = tx.send(Err(std::io::Error::other("connection dropped (fault)"))).await;
                return;
            }
            _ = tokio::time::sleep(tick) => {}
        }
        let now = Timestamp::now();
        let total = inst.lines_by(now);
        if total > next {
            let chunk: String = (next..total)
                .map(|i| render(&inst, i, &inst.line(i), timestamps))
                .collect();
            next = total;
            let chunk = clip(chunk, &mut budget);
            if tx.send(Ok(Bytes::from(chunk))).await.is_err() || budget == 0 {
                return;
            }
        }
        if last_check.elapsed() >= Duration::from_millis(500) {
            last_check = tokio::time::Instant::now();
            // The stream ends when this run does: the pod is gone or the container restarted.
            let current = st.store.get_value(pods(), &ns, &name);
            let same_run = current
                .as_ref()
                .and_then(|p| instance(p, Some(&inst.container), false, inst.rate).ok());
            match same_run {
                Some(run) if run.run == inst.run && run.finished.is_none() => {}
                Some(run) if run.run == inst.run => {
                    let end = run.lines_by(now).saturating_sub(1);
                    let tail: String = (next..=end)
                        .map(|i| render(&run, i, &run.line(i), timestamps))
                        .chain(run.last_words().iter().map(|w| render(&run, end, w, timestamps)))
                        .collect();
                    let _ = tx.send(Ok(Bytes::from(clip(tail, &mut budget)))).await;
                    return;
                }
                _ => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(state: Value, last: Value, restarts: u64) -> Value {
        json!({
            "metadata": {"name": "web-1", "uid": "u-1"},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            "status": {"containerStatuses": [{"name": "web", "state": state, "lastState": last, "restartCount": restarts}]}
        })
    }

    #[test]
    fn tail_and_since_select_lines_deterministically() {
        let p = pod(json!({"running": {"startedAt": "2026-01-01T00:00:00Z"}}), json!({}), 0);
        let inst = instance(&p, None, false, 2.0).unwrap();
        let now: Timestamp = "2026-01-01T00:01:00Z".parse().unwrap();
        let (all, total) = snapshot(&inst, &LogOpts::default(), now);
        assert_eq!(total, 121);
        assert_eq!(all.len(), 121);
        let (tail, _) = snapshot(
            &inst,
            &LogOpts {
                tail: Some(5),
                ..Default::default()
            },
            now,
        );
        assert_eq!(tail, all[116..].to_vec());
        let since = LogOpts {
            since: Some("2026-01-01T00:00:30Z".parse().unwrap()),
            timestamps: true,
            ..Default::default()
        };
        let (s, _) = snapshot(&inst, &since, now);
        assert_eq!(s.len(), 61);
        assert!(s[0].starts_with("2026-01-01T00:00:30Z "), "{}", s[0]);
        assert!(
            s[1].starts_with("2026-01-01T00:00:30.5Z "),
            "RFC 3339 with trimmed nanoseconds, as kubelet writes: {}",
            s[1]
        );
    }

    #[test]
    fn waiting_previous_and_container_errors_match_kubelet() {
        let p = pod(json!({"waiting": {"reason": "ContainerCreating"}}), json!({}), 0);
        let e = instance(&p, None, false, 1.0).unwrap_err();
        assert_eq!(
            e.message,
            "container \"web\" in pod \"web-1\" is waiting to start: ContainerCreating"
        );
        let e = instance(&p, None, true, 1.0).unwrap_err();
        assert_eq!(
            e.message,
            "previous terminated container \"web\" in pod \"web-1\" not found"
        );
        let e = instance(&p, Some("db"), false, 1.0).unwrap_err();
        assert_eq!(e.message, "container db is not valid for pod web-1");
        let crashed = pod(
            json!({"waiting": {"reason": "CrashLoopBackOff"}}),
            json!({"terminated": {"exitCode": 1, "startedAt": "2026-01-01T00:00:00Z", "finishedAt": "2026-01-01T00:00:10Z"}}),
            3,
        );
        let cur = instance(&crashed, None, false, 1.0).unwrap();
        assert_eq!(cur.run, 2, "a waiting container serves its last run");
        let (lines, _) = snapshot(&cur, &LogOpts::default(), "2026-01-02T00:00:00Z".parse().unwrap());
        assert_eq!(lines.len(), 11 + 2);
        assert!(lines.last().unwrap().contains("fatal"));
    }
}
