//! The header's counts kept up to date from what changed in its watches, not from every row: a
//! row with something to say (a finding, a time rule's next turn, a count against its list's
//! tally) is remembered by its key, and only the rows that changed, the rows whose joined list
//! moved, and the rows a time rule said may have changed by now are judged again. At 100,000 pods
//! a watch event costs what its rows cost, not a pass of every rule over every pod.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use model::triage::{self, Ctx, Rule, Same, Severity};

use crate::cluster::rows::{Changes, Mark, Row};
use crate::cluster::{Kind, Scope};

/// One watch read: kind, scope, field selector.
pub type Watch = (Kind, Scope, Option<&'static str>);

/// What a list's rows are counted for beside the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Nodes: those not Ready are flagged.
    Nodes,
    /// Pods: those not Running are flagged.
    Pods,
    /// Events: Warnings of the last [`WARNING_SECS`] are flagged.
    Warnings,
    /// The rules alone.
    Rules,
}

/// How far back the header counts a Warning event.
pub const WARNING_SECS: i64 = 3600;

/// A node whose STATUS starts with Ready (cordoned ones included: "Ready,SchedulingDisabled").
pub fn node_ready(n: &Row) -> bool {
    // STATUS is the first cell after NAME.
    n.cells.first().and_then(|s| s.split(',').next()) == Some("Ready")
}

/// A pod whose kubectl STATUS is "Running" (a crash-looping pod is not, even in phase Running).
pub fn pod_running(p: &Row) -> bool {
    // READY, then STATUS.
    p.cells.get(1).map(model::rows::Text::as_str) == Some("Running")
}

/// When a Warning event was last seen (LAST SEEN is its first cell); None for other events.
pub fn warning_seen(e: &Row) -> Option<i64> {
    e.stamp(0).filter(|_| e.warn)
}

/// What is remembered of a row that has something to say.
#[derive(Debug)]
struct Entry {
    row: Arc<Row>,
    found: Vec<Same>,
    wake: Option<i64>,
    /// Counts against its list's tally (see [`Role`]).
    flag: bool,
}

/// One list's memory: its rows with something to say, by key, and when each must be judged again.
#[derive(Debug)]
struct List {
    watch: Watch,
    role: Role,
    rules: Vec<&'static Rule>,
    mark: Mark,
    len: usize,
    flagged: usize,
    rows: HashMap<Arc<str>, Entry>,
    wakes: BTreeSet<(i64, Arc<str>)>,
    /// Its watch was not running at the last read: dropped once the read is over.
    gone: bool,
    /// Rows judged since the list was made (what an update cost).
    judged: u64,
}

/// The distinct findings, each with its severity and the number of rows that found it (an
/// object's problem found by two rows counts once, and stays while one of them finds it).
#[derive(Debug, Default)]
struct Found {
    refs: HashMap<Same, (Severity, usize)>,
    counts: [usize; 3],
}

impl Found {
    fn add(&mut self, same: Same, severity: Severity) {
        let e = self.refs.entry(same).or_insert((severity, 0));
        e.1 += 1;
        if e.1 == 1 {
            self.counts[severity as usize] += 1;
        }
    }

    fn remove(&mut self, same: &Same) {
        let Some(e) = self.refs.get_mut(same) else { return };
        e.1 -= 1;
        if e.1 == 0 {
            self.counts[e.0 as usize] -= 1;
            self.refs.remove(same);
        }
    }
}

/// The findings and tallies of the lists read, kept up to date by [`Live::update`].
#[derive(Debug, Default)]
pub struct Live {
    lists: Vec<List>,
    found: Found,
    ctx: Ctx,
}

/// The joins the rules read: the rows of the first kind sum up into the context that rules on
/// the second read (endpoints per Service, the last Job of each CronJob).
const JOINS: [(Kind, Kind); 2] = [(Kind::EndpointSlice, Kind::Service), (Kind::Job, Kind::CronJob)];

impl Live {
    /// Bring the counts to `now` over `watches` (each with what its rows count for), reading what
    /// changed in each through `source` (what `Cache::changes_selected` gives; None: the watch is
    /// not running, and its list is left out). A watch no longer asked for is forgotten.
    pub fn update(
        &mut self,
        watches: &[(Watch, Role)],
        now: i64,
        source: impl Fn(&Watch, Mark) -> Option<(Changes, Mark)>,
    ) {
        // A clock set back would leave rows judged in the future: judge everything again.
        let again = now < self.ctx.now;
        self.ctx.now = now;
        let (kept, gone): (Vec<List>, Vec<List>) = std::mem::take(&mut self.lists)
            .into_iter()
            .partition(|l| watches.iter().any(|(w, r)| *w == l.watch && *r == l.role));
        for mut l in gone {
            l.clear(&mut self.found);
        }
        self.lists = kept;
        for (w, role) in watches {
            if !self.lists.iter().any(|l| l.watch == *w && l.role == *role) {
                self.lists.push(List::new(w.clone(), *role));
            }
        }
        // The joined lists first, so that the rows read after are judged in their context; where
        // a join's sum changed, every row of the kind that reads it is judged again (those lists,
        // Services and CronJobs, are small beside pods).
        let mut read = vec![false; self.lists.len()];
        let mut whole: Vec<Kind> = Vec::new();
        for (of, for_) in JOINS {
            let i = self.lists.iter().position(|l| l.watch.0 == of);
            let moved = i.and_then(|i| {
                read[i] = true;
                self.lists[i].read(&mut self.found, &self.ctx, again, &source)
            });
            // The joined list is summed up again when it moved (it is read whole: it is small), and
            // forgotten when it is not read; unmoved, its sum stands.
            let rows = match (i, moved) {
                (_, Some(false)) => continue,
                (Some(i), Some(true)) => Some(all(&self.lists[i].watch, &source)),
                _ => None,
            };
            let changed = match of {
                Kind::EndpointSlice => {
                    let fresh = rows.map(|rows| triage::endpoint_counts(&rows));
                    let changed = fresh != self.ctx.endpoints;
                    self.ctx.endpoints = fresh;
                    changed
                }
                _ => {
                    let fresh = rows.map(|rows| triage::last_jobs(&rows));
                    let changed = !same_jobs(fresh.as_ref(), self.ctx.last_jobs.as_ref());
                    self.ctx.last_jobs = fresh;
                    changed
                }
            };
            if changed {
                whole.push(for_);
            }
        }
        for (i, list) in self.lists.iter_mut().enumerate() {
            if !read[i] {
                let whole = again || whole.contains(&list.watch.0);
                list.read(&mut self.found, &self.ctx, whole, &source);
            }
        }
        self.lists.retain(|l| !l.gone);
        for list in &mut self.lists {
            list.wake(&mut self.found, &self.ctx);
        }
    }

    /// Problems per severity (errors, warnings, infos), distinct as [`triage::sort`] keeps them.
    pub fn counts(&self) -> [usize; 3] {
        self.found.counts
    }

    /// The rows of `watch` read as `role`, and how many of them are flagged; None if not read.
    pub fn tally(&self, watch: &Watch, role: Role) -> Option<(usize, usize)> {
        self.lists
            .iter()
            .find(|l| l.watch == *watch && l.role == role)
            .map(|l| (l.len, l.flagged))
    }

    /// How many rows the lists read now have judged since they were first read: what the updates
    /// cost, in rows.
    pub fn judged(&self) -> u64 {
        self.lists.iter().map(|l| l.judged).sum()
    }

    /// The first instant at which time alone may change a count (Unix seconds).
    pub fn next_wake(&self) -> Option<i64> {
        self.lists.iter().filter_map(|l| l.wakes.first().map(|w| w.0)).min()
    }
}

/// Every row of `watch`, read past any mark.
fn all(watch: &Watch, source: &impl Fn(&Watch, Mark) -> Option<(Changes, Mark)>) -> Vec<Arc<Row>> {
    match source(watch, Mark::default()) {
        Some((Changes::All(rows), _)) => rows,
        // A default mark has read nothing, so every row comes back.
        _ => Vec::new(),
    }
}

/// Whether two "last Job per CronJob" sums name the same Job rows.
fn same_jobs(a: Option<&HashMap<String, Arc<Row>>>, b: Option<&HashMap<String, Arc<Row>>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.len() == b.len() && a.iter().all(|(k, j)| b.get(k).is_some_and(|o| Arc::ptr_eq(j, o))),
        _ => false,
    }
}

/// The key a store files a row under.
fn key_of(r: &Row) -> Arc<str> {
    format!("{}/{}", r.namespace, r.name).into()
}

impl List {
    fn new(watch: Watch, role: Role) -> List {
        List {
            rules: triage::rules_of(watch.0),
            watch,
            role,
            mark: Mark::default(),
            len: 0,
            flagged: 0,
            rows: HashMap::new(),
            wakes: BTreeSet::new(),
            gone: false,
            judged: 0,
        }
    }

    /// Take in what changed since the last read (`whole`: every row, judged again); whether
    /// anything did, None when the watch is not running (the list is then emptied, to be dropped).
    fn read(
        &mut self,
        found: &mut Found,
        ctx: &Ctx,
        whole: bool,
        source: &impl Fn(&Watch, Mark) -> Option<(Changes, Mark)>,
    ) -> Option<bool> {
        let mark = if whole { Mark::default() } else { self.mark };
        let Some((changes, next)) = source(&self.watch, mark) else {
            self.clear(found);
            self.gone = true;
            return None;
        };
        self.mark = next;
        match changes {
            Changes::All(rows) => {
                self.clear(found);
                self.len = rows.len();
                for row in rows {
                    self.judge(found, ctx, None, row);
                }
                Some(true)
            }
            Changes::Since(changes) => {
                let moved = !changes.is_empty();
                for c in changes {
                    let key: Option<Arc<str>> = match self.rows.remove_entry(c.key.as_str()) {
                        Some((key, entry)) => {
                            self.forget(found, &key, entry, true);
                            Some(key)
                        }
                        None => None,
                    };
                    self.len -= usize::from(c.was);
                    if let Some(row) = c.row {
                        self.len += 1;
                        self.judge(found, ctx, key, row);
                    }
                }
                Some(moved)
            }
        }
    }

    /// Judge again the rows whose time rules may have turned by `ctx.now`.
    fn wake(&mut self, found: &mut Found, ctx: &Ctx) {
        while let Some((at, key)) = self.wakes.first().cloned()
            && at <= ctx.now
        {
            self.wakes.pop_first();
            if let Some(entry) = self.rows.remove(&key) {
                let row = self.forget(found, &key, entry, false);
                self.judge(found, ctx, Some(key), row);
            }
        }
    }

    /// Judge one row, and remember it if it has something to say (`key`: its key, if known).
    fn judge(&mut self, found: &mut Found, ctx: &Ctx, key: Option<Arc<str>>, row: Arc<Row>) {
        let kind = self.watch.0;
        self.judged += 1;
        let findings = triage::row_findings(kind, &row, &self.rules, ctx);
        let mut wake = triage::next_turn(kind, &row, &self.rules, ctx.now);
        let flag = match self.role {
            Role::Nodes => !node_ready(&row),
            Role::Pods => !pod_running(&row),
            Role::Warnings => match warning_seen(&row) {
                Some(seen) if seen >= ctx.now - WARNING_SECS => {
                    // Counted until the second it is more than WARNING_SECS old.
                    let ends = seen + WARNING_SECS + 1;
                    wake = wake.into_iter().chain([ends]).filter(|t| *t > ctx.now).min();
                    true
                }
                _ => false,
            },
            Role::Rules => false,
        };
        if findings.is_empty() && wake.is_none() && !flag {
            return;
        }
        let key = key.unwrap_or_else(|| key_of(&row));
        let found_here = findings
            .into_iter()
            .map(|f| {
                let same = f.same();
                found.add(same.clone(), f.severity);
                same
            })
            .collect();
        if let Some(at) = wake {
            self.wakes.insert((at, key.clone()));
        }
        self.flagged += usize::from(flag);
        self.rows.insert(
            key,
            Entry {
                row,
                found: found_here,
                wake,
                flag,
            },
        );
    }

    /// Take back what a remembered row counted for (its wake too, unless already taken); its row.
    fn forget(&mut self, found: &mut Found, key: &Arc<str>, entry: Entry, wake: bool) -> Arc<Row> {
        for same in &entry.found {
            found.remove(same);
        }
        if wake && let Some(at) = entry.wake {
            self.wakes.remove(&(at, key.clone()));
        }
        self.flagged -= usize::from(entry.flag);
        entry.row
    }

    /// Forget every row.
    fn clear(&mut self, found: &mut Found) {
        for entry in self.rows.values() {
            for same in &entry.found {
                found.remove(same);
            }
        }
        self.rows.clear();
        self.wakes.clear();
        self.len = 0;
        self.flagged = 0;
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
