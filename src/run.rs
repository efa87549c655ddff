//! The event loop: keys, cache notices, effect results and a frame deadline; draws only when something changed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::app::{Effect, Input, State, update};
use crate::cli::Cli;
use crate::cluster::client::{self, ConnectOptions, Connection};
use crate::exec::terminal::{Dashboard, next_event};
use crate::exec::{Executor, ForLoop};
use crate::store::Store;
use crate::store::cache::Cache;
use crate::tui::{self, Tui};
use crate::ui;

/// Log batches in flight between the readers and the loop: a full channel makes the readers wait.
const LOG_CHANNEL: usize = 256;
/// Log batches folded into one update, so a flood cannot starve the keyboard.
const LOG_BATCHES: usize = 512;
/// The control-plane and node health screens refresh this often while on screen.
const HEALTH_REFRESH: Duration = Duration::from_secs(crate::app::controlplane::REFRESH_SECS);

/// Run the dashboard until the user quits or a termination signal arrives.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // Config first: a malformed config file stops here, before the terminal is taken.
    let setup = crate::config::setup(
        cli.config.as_deref(),
        cli.theme.as_deref(),
        cli.keymap.as_deref(),
        crate::config::env,
    )?;
    {
        use std::io::IsTerminal;
        crate::tui::require_terminal(std::io::stdin().is_terminal(), std::io::stdout().is_terminal())
            .map_err(anyhow::Error::msg)?;
    }
    let config = setup.config.clone();
    let theme = setup.theme.clone();
    let frame_interval = Duration::from_millis(config.refresh.frame_ms.max(1));
    let idle_watch = Duration::from_secs(config.refresh.idle_watch_secs);
    // No kubeconfig anywhere: a newcomer gets the built-in demo cluster rather than an error.
    let fallback = !cli.demo && !crate::cluster::client::any_config(cli.kubeconfig.as_deref());
    let demo = if cli.demo || fallback {
        Some(crate::demo::start(cli.demo_faults.as_deref()).await?)
    } else {
        None
    };
    let mut opts = ConnectOptions {
        kubeconfig: cli.kubeconfig.clone(),
        context: cli.context.clone(),
        inline: demo.as_ref().map(crate::demo::kubeconfig),
    };
    let namespace = if cli.all_namespaces {
        None
    } else {
        Some(cli.namespace.clone().unwrap_or_else(|| "default".into()))
    };
    // --screen wins over the config's default_screen (the control plane unless configured).
    let screen = cli.screen.clone().unwrap_or_else(|| config.default_screen.clone());
    if !crate::app::controlplane::is_screen(&screen) {
        anyhow::bail!(
            "unknown screen {screen:?}: use cp (the control plane) or a resource such as pods, deploy, nodes"
        );
    }
    let mut state = State::new(namespace, cli.readonly, setup.keymap);
    state.usage_levels = [config.usage.warn, config.usage.error];
    state.debug = config.debug.clone();
    // The `:` history of earlier runs; commands run now are added to it as they run.
    let history = crate::history::default_path();
    if let Some(path) = &history {
        state.cmdline.history = crate::history::load(path, crate::app::cmdline::HISTORY_KEPT);
    }
    for n in setup.notices {
        state.toast(n, true);
    }
    // Not connected yet: this only sets up the stack; connecting starts its watch or fetch.
    if screen != "pods" {
        crate::app::update::run_command(&mut state, &screen);
    }
    state.safety.protected = cli.protected;
    state.log_lines = cli.log_lines.unwrap_or(config.log_ring).max(1);
    if fallback {
        state.demo = Some(crate::app::demo::Demo::fallback(
            crate::cluster::client::searched_places(),
        ));
    } else if cli.demo {
        state.demo = Some(crate::app::demo::Demo::asked());
    }
    state.namespace_from_context = cli.namespace.is_none() && !cli.all_namespaces;

    let (input_tx, mut input_rx) = mpsc::unbounded_channel::<Input>();
    let (conn_tx, mut conn_rx) = mpsc::unbounded_channel::<(u64, anyhow::Result<Connection>)>();
    let (notice_tx, mut notice_rx) = mpsc::channel(256);
    let mut cache: Option<Arc<Cache>> = None;
    // What the screen is fed from the cache: rows of the top view, header counts.
    let mut store: Option<Store> = None;
    let (log_tx, mut log_rx) = mpsc::channel::<crate::cluster::logs::Tagged>(LOG_CHANNEL);
    let mut exec = Executor::new(input_tx.clone(), log_tx, config.clipboard);
    let mut attempt = 0u64;
    // Cancels the connection attempt (and its retries) of the context being left.
    let mut conn_cancel = CancellationToken::new();
    spawn_connect(opts.clone(), attempt, conn_tx.clone(), conn_cancel.clone());

    tui::exit_on_termination_signals()?;
    let mut tui = Tui::init(cli.mouse || config.mouse)?;
    // None while a session has the terminal (see `exec::terminal`).
    let mut events = Some(EventStream::new());
    let size = tui.terminal.size()?;
    update(&mut state, Input::Resize(size.height));

    let mut dirty = true;
    let mut next_frame = tokio::time::Instant::now();
    let mut sweep = tokio::time::interval(Duration::from_secs(30));
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // While usage columns are on screen, the loop wakes each second to see whether a sample is due.
    let mut usage_tick = tokio::time::interval(Duration::from_secs(1));
    let mut health_tick = tokio::time::interval(HEALTH_REFRESH);
    // Discovery read again on a timer, only while CRDs cannot be watched.
    let every = Duration::from_secs(config.refresh.discovery_secs.max(1));
    let mut discovery_tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    discovery_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // Effects that arise outside an input (rows projected before a frame): performed next turn.
    let mut carried: Vec<Effect> = Vec::new();

    // Messages written to the log file so far: each toast and error lands there too, whole.
    let mut logged = 0u64;
    loop {
        crate::logging::messages(&state, &mut logged);
        if let Some(path) = &history {
            crate::history::append(path, &mut state.cmdline.unsaved);
        }
        if dirty && tokio::time::Instant::now() >= next_frame {
            let pending = store.as_mut().is_some_and(|s| s.feed_rows(&mut state));
            if let Some(s) = &mut store {
                s.feed_header(&mut state);
            }
            // An empty list: is its namespace there at all?
            carried.extend(crate::app::namespaces::check(&mut state));
            let now = jiff::Timestamp::now().as_second();
            // Freshly projected rows may put a node under the nodes list's cursor: fetch its health now.
            carried.extend(crate::app::nodehealth::follow_cursor(&mut state, now));
            tui.draw(|f| ui::draw_with(f, &state, &theme, now))?;
            dirty = pending;
            next_frame = tokio::time::Instant::now() + frame_interval;
        }
        // Something on screen moves with time: toasts expire, stale and loading ages count.
        let ticking = !state.toasts.is_empty()
            || matches!(state.connection, crate::app::state::Connection::Lost { .. })
            || crate::app::controlplane::periodic(&state)
            || state
                .top()
                .status
                .as_ref()
                .is_some_and(|s| !matches!(s, crate::cluster::watch::WatchStatus::Ready));
        let mut effects = Vec::new();
        let carry = std::mem::take(&mut carried);
        tokio::select! {
            _ = std::future::ready(()), if !carry.is_empty() => {}
            ev = next_event(&mut events) => match ev {
                Some(Ok(TermEvent::Key(k))) => {
                    // Keys typed ahead (`:deploy⏎/web⏎l`) act on the rows the cache already has,
                    // not on a view still waiting for its first frame.
                    if let Some(s) = &mut store {
                        s.feed_rows(&mut state);
                    }
                    effects = update(&mut state, Input::Key(k));
                }
                Some(Ok(TermEvent::Paste(p))) => effects = update(&mut state, Input::Paste(p)),
                Some(Ok(TermEvent::Resize(_, h))) => effects = update(&mut state, Input::Resize(h)),
                Some(Ok(TermEvent::Mouse(m))) => effects = on_mouse(&mut state, m),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(_notice) = notice_rx.recv() => {
                // Drain the burst: one re-projection per frame is enough.
                while notice_rx.try_recv().is_ok() {}
            }
            Some(input) = input_rx.recv() => effects = update(&mut state, input),
            Some(first) = log_rx.recv() => {
                let mut batch = vec![first];
                while batch.len() < LOG_BATCHES {
                    match log_rx.try_recv() {
                        Ok(item) => batch.push(item),
                        Err(_) => break,
                    }
                }
                effects = update(&mut state, Input::Logs(batch));
            }
            Some((id, res)) = conn_rx.recv() => {
                if id == attempt {
                    match res {
                        Ok(conn) => {
                            let c = Arc::new(Cache::new(conn.client.clone(), notice_tx.clone(), idle_watch));
                            // A context the config marks read-only or protected is so whatever the flags say.
                            let per_context = config.context(&conn.context);
                            state.safety.readonly = cli.readonly || per_context.readonly;
                            state.safety.protected = cli.protected || per_context.protected;
                            tokio::spawn(crate::cluster::liveness::probe(
                                conn.client.clone(),
                                c.contact().clone(),
                                conn_cancel.clone(),
                            ));
                            exec.connected(c.clone(), conn.no_retry.clone());
                            let usage = crate::store::usage::Usage::new(
                                conn.no_retry.clone(),
                                notice_tx.clone(),
                                Duration::from_secs(config.refresh.metrics_secs),
                            );
                            store = Some(Store::new(c.clone()).with_usage(usage));
                            cache = Some(c);
                            let input = Input::Connected { context: conn.context, namespace: conn.namespace, url: conn.url };
                            effects = update(&mut state, input);
                        }
                        Err(e) => {
                            let (context, message) = crate::cluster::config_error::describe(&opts, &e);
                            effects = update(&mut state, Input::Misconfigured { context, message });
                        }
                    }
                }
            }
            _ = tokio::time::sleep_until(next_frame), if dirty => {}
            _ = tick.tick(), if ticking => effects = update(&mut state, Input::Tick(Instant::now())),
            _ = usage_tick.tick(), if usage_shown(&state) => {
                // A due sample is asked for here; only its arrival (a notice) is worth a frame.
                if let Some(s) = &store {
                    s.ask_usage(&state);
                }
                carried = carry;
                continue;
            }
            _ = health_tick.tick(), if crate::app::controlplane::periodic(&state) => {
                effects = crate::app::controlplane::due(&mut state)
            }
            _ = discovery_tick.tick(), if crate::app::discovery::polling(&state) => {
                effects = crate::app::discovery::refresh(&mut state)
            }
            _ = sweep.tick() => if let Some(s) = &store {
                s.sweep(&state, Instant::now())
            },
        }
        effects.splice(0..0, carry);
        dirty = true;
        for effect in effects {
            match exec.perform(effect, &opts) {
                None => {}
                Some(ForLoop::Quit) => state.quit = true,
                Some(ForLoop::Watch(kind, scope)) => {
                    if let Some(s) = &mut store {
                        s.watch(kind, scope);
                    }
                }
                Some(ForLoop::Unwatch(kind)) => {
                    if let Some(s) = &store {
                        s.cache().stop_kind(kind);
                    }
                }
                Some(ForLoop::SwitchContext(name)) => {
                    if let Some(c) = cache.take() {
                        c.shutdown();
                    }
                    store = None;
                    opts.context = Some(name);
                    attempt += 1;
                    conn_cancel.cancel();
                    conn_cancel = CancellationToken::new();
                    spawn_connect(opts.clone(), attempt, conn_tx.clone(), conn_cancel.clone());
                }
                Some(ForLoop::HandOver(session)) => {
                    let mut screen = Dashboard {
                        tui: &mut tui,
                        events: &mut events,
                    };
                    exec.hand_over(&mut screen, session).await?;
                    // A resize while the session had the terminal reached no reader: say the size now.
                    let _ = input_tx.send(Input::Resize(tui.terminal.size()?.height));
                }
            }
        }
        // A session started for a screen (a log view's stream) stops when no screen holds it.
        exec.release(&crate::app::sessions::held(&state));
        if state.quit {
            break;
        }
    }
    crate::logging::messages(&state, &mut logged);
    exec.shutdown();
    if let Some(c) = cache {
        c.shutdown();
    }
    drop(tui);
    Ok(())
}

/// The mouse wheel scrolls like the up/down keys; clicks are left to the terminal's selection.
fn on_mouse(state: &mut State, m: crossterm::event::MouseEvent) -> Vec<Effect> {
    use crossterm::event::MouseEventKind;
    if state.help || !matches!(state.mode, crate::app::state::Mode::Normal) {
        return vec![];
    }
    match m.kind {
        MouseEventKind::ScrollDown => crate::app::update::act(state, crate::app::Action::Down),
        MouseEventKind::ScrollUp => crate::app::update::act(state, crate::app::Action::Up),
        _ => vec![],
    }
}

/// Build the client once: building it does no network I/O, so a failure is the configuration's
/// (a malformed kubeconfig, a certificate that cannot be loaded) and is said once, not retried;
/// choosing the context again tries again. An unreachable server shows up in the requests instead.
fn spawn_connect(
    opts: ConnectOptions,
    id: u64,
    tx: mpsc::UnboundedSender<(u64, anyhow::Result<Connection>)>,
    cancel: CancellationToken,
) {
    tokio::spawn(async move {
        tokio::select! {
            _ = cancel.cancelled() => {}
            result = client::connect(&opts) => {
                let _ = tx.send((id, result));
            }
        }
    });
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;

/// Whether the view on top has usage columns (so samples are due while it stays).
fn usage_shown(state: &State) -> bool {
    use crate::app::state::ViewKind;
    match state.top().kind {
        ViewKind::Resource(k) => crate::store::enrichers::has_usage(k),
        ViewKind::Containers { .. } => true,
        // Node health and a pod's describe chart its samples.
        _ => crate::store::trend_of(state).is_some(),
    }
}
