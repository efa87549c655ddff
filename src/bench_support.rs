//! A headless dashboard for benchmarks: the event loop's own update → store → draw path, drawn into a
//! ratatui `TestBackend` instead of a terminal, so frames can be timed and the table inspected.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

use crate::app::{Effect, Input, State, update};
use crate::cluster::client::{self, ConnectOptions};
use crate::cluster::watch::{Notice, WatchStatus};
use crate::store::Store;
use crate::store::cache::Cache;
use crate::store::usage::{self, Usage};

/// Watches idle this long are swept; the same value as the real event loop.
const IDLE_WATCH: Duration = Duration::from_secs(120);

/// A connected dashboard without a terminal.
pub struct Headless {
    /// The screen state, as the real loop keeps it.
    pub state: State,
    store: Store,
    notices: mpsc::Receiver<Notice>,
    terminal: Terminal<TestBackend>,
    /// The executor of a [`Headless::driven`] dashboard.
    driver: Option<Driver>,
}

/// What performs every effect of a driven dashboard, and brings its inputs back.
struct Driver {
    exec: crate::exec::Executor,
    inputs: mpsc::UnboundedReceiver<Input>,
    // Kept so that log readers' sends do not fail.
    _logs: mpsc::Receiver<crate::cluster::logs::Tagged>,
    opts: ConnectOptions,
}

impl Headless {
    /// Connect with `kubeconfig` (its current context) and open the pod list of every namespace on a `width`×`height` screen.
    pub async fn connect(kubeconfig: &Path, width: u16, height: u16) -> anyhow::Result<Headless> {
        let opts = ConnectOptions {
            kubeconfig: Some(kubeconfig.to_path_buf()),
            ..Default::default()
        };
        let conn = client::connect(&opts).await?;
        let (tx, notices) = mpsc::channel(256);
        let cache = Arc::new(Cache::new(conn.client.clone(), tx.clone(), IDLE_WATCH));
        let mut state = State::new(None, false, crate::config::keymap::default_keymap());
        update(&mut state, Input::Resize(height));
        let usage = Usage::new(conn.no_retry.clone(), tx, usage::DEFAULT_INTERVAL);
        let mut h = Headless {
            state,
            store: Store::new(cache).with_usage(usage),
            notices,
            terminal: Terminal::new(TestBackend::new(width, height))?,
            driver: None,
        };
        h.input(Input::Connected {
            context: conn.context,
            namespace: conn.namespace,
            url: conn.url,
        })?;
        Ok(h)
    }

    /// Feed the top view from the store if its watch moved on, then draw one frame; true if rows were held back (throttled).
    pub fn frame(&mut self) -> anyhow::Result<bool> {
        Ok(self.frame_parts()?.0)
    }

    /// [`Headless::frame`], with the CPU time of this thread each part took: the rows fed to the
    /// view, the header's counts, the drawing.
    pub fn frame_parts(&mut self) -> anyhow::Result<(bool, [Duration; 3])> {
        let t0 = thread_cpu();
        let pending = self.store.feed_rows(&mut self.state);
        let t1 = thread_cpu();
        // As the real loop does before each frame: the header's watches and counts cost what they cost.
        self.store.feed_header(&mut self.state);
        let t2 = thread_cpu();
        let now = jiff::Timestamp::now().as_second();
        let state = &self.state;
        self.terminal.draw(|f| crate::ui::draw(f, state, now))?;
        Ok((pending, [t1 - t0, t2 - t1, thread_cpu() - t2]))
    }

    /// Feed one input through `update`, perform the watch effects it asks for, and draw the resulting
    /// frame; the other effects are returned for the caller to perform or ignore.
    pub fn input(&mut self, input: Input) -> anyhow::Result<Vec<Effect>> {
        let mut rest = Vec::new();
        for effect in update(&mut self.state, input) {
            match effect {
                Effect::Watch(kind, scope) => self.store.watch(kind, scope),
                other => rest.push(other),
            }
        }
        self.frame()?;
        Ok(rest)
    }

    /// Ask metrics-server no more often than `interval` (the default is its 15 s resolution).
    pub fn set_metrics_interval(&self, interval: Duration) {
        if let Some(u) = self.store.usage() {
            u.set_interval(interval);
        }
    }

    /// The watch cache under the store.
    pub fn cache(&self) -> &Arc<Cache> {
        self.store.cache()
    }

    /// The client the cache watches with.
    pub fn client(&self) -> kube::Client {
        self.store.cache().client().clone()
    }

    /// The last drawn frame.
    pub fn buffer(&self) -> &ratatui::buffer::Buffer {
        self.terminal.backend().buffer()
    }

    /// Wait until the cache announces a change (true) or `timeout` passes (false); a burst counts as one.
    pub async fn changed(&mut self, timeout: Duration) -> bool {
        match tokio::time::timeout(timeout, self.notices.recv()).await {
            Ok(Some(_)) => {
                while self.notices.try_recv().is_ok() {}
                true
            }
            _ => false,
        }
    }

    /// Rows in the top view's table (before filtering) and its watch status.
    pub fn table(&self) -> (usize, Option<WatchStatus>) {
        let view = self.state.top();
        (view.table.rows.len(), view.status.clone())
    }

    /// Rows of the top view that pass its filter.
    pub fn visible(&self) -> usize {
        self.state.top().table.visible.len()
    }

    /// The last drawn screen as plain text, one line per row.
    pub fn screen(&self) -> String {
        let buf = self.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    /// Stop every watch.
    pub fn shutdown(&self) {
        self.store.cache().shutdown();
    }

    /// Connect to `context` of `kubeconfig` (None: its current one) on a `width`×`height` screen,
    /// every effect performed by the real executor as the event loop performs it (discovery, the
    /// CRD watch, fetches, sessions), its answers fed back by [`Headless::pump`].
    pub async fn driven(kubeconfig: &Path, context: Option<&str>, width: u16, height: u16) -> anyhow::Result<Headless> {
        let opts = ConnectOptions {
            kubeconfig: Some(kubeconfig.to_path_buf()),
            context: context.map(str::to_string),
            ..Default::default()
        };
        let conn = client::connect(&opts).await?;
        let (tx, notices) = mpsc::channel(256);
        let cache = Arc::new(Cache::new(conn.client.clone(), tx.clone(), IDLE_WATCH));
        let usage = Usage::new(conn.no_retry.clone(), tx, usage::DEFAULT_INTERVAL);
        let (input_tx, inputs) = mpsc::unbounded_channel();
        let (log_tx, logs) = mpsc::channel(16);
        let mut exec = crate::exec::Executor::new(input_tx, log_tx, crate::clipboard::Target::Osc52);
        exec.connected(cache.clone(), conn.no_retry.clone());
        let mut state = State::new(None, false, crate::config::keymap::default_keymap());
        update(&mut state, Input::Resize(height));
        let mut h = Headless {
            state,
            store: Store::new(cache).with_usage(usage),
            notices,
            terminal: Terminal::new(TestBackend::new(width, height))?,
            driver: Some(Driver {
                exec,
                inputs,
                _logs: logs,
                opts,
            }),
        };
        h.step(Input::Connected {
            context: conn.context,
            namespace: conn.namespace,
            url: conn.url,
        })?;
        Ok(h)
    }

    /// Feed one input through `update` and perform every effect it asks for, then draw.
    pub fn step(&mut self, input: Input) -> anyhow::Result<()> {
        let effects = update(&mut self.state, input);
        self.perform(effects);
        self.frame()?;
        Ok(())
    }

    /// Perform `effects` as the event loop does (a driven dashboard; otherwise only watches).
    pub fn perform(&mut self, effects: Vec<Effect>) {
        use crate::exec::ForLoop;
        for effect in effects {
            let Some(d) = &mut self.driver else {
                if let Effect::Watch(kind, scope) = effect {
                    self.store.watch(kind, scope);
                }
                continue;
            };
            match d.exec.perform(effect, &d.opts) {
                Some(ForLoop::Watch(kind, scope)) => self.store.watch(kind, scope),
                Some(ForLoop::Unwatch(kind)) => self.store.cache().stop_kind(kind),
                // Quitting, another context and the terminal are the real loop's.
                _ => {}
            }
        }
        if let Some(d) = &mut self.driver {
            d.exec.release(&crate::app::sessions::held(&self.state));
        }
    }

    /// Wait up to `timeout` for an answer of the executor and take it (true), then draw; the rows
    /// of the view on show are fed either way.
    pub async fn pump(&mut self, timeout: Duration) -> anyhow::Result<bool> {
        let Some(d) = &mut self.driver else {
            anyhow::bail!("pump needs a driven dashboard (Headless::driven)");
        };
        let input = tokio::time::timeout(timeout, d.inputs.recv()).await.ok().flatten();
        let took = input.is_some();
        match input {
            Some(input) => self.step(input)?,
            None => {
                self.frame()?;
            }
        }
        Ok(took)
    }
}

/// CPU time the calling thread has used: frame costs measured with it are not inflated by other
/// processes sharing the machine, as wall-clock times are.
pub fn thread_cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec, which `t` is.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}
