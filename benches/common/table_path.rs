//! The table's CPU path at N rows without a cluster (`UI_SCALE_SYNTHETIC=1 ui_scale N`): synthetic pod
//! rows shaped as the pods' projection makes them (8 printer cells, labels, owner, capacity, 6 usage
//! cells from a metrics sample) in a row store, fed as the store feeds a view (what changed since the
//! view's rows, enriched: [`enriched::feed`]) through the real update → view → draw path on a
//! TestBackend. What it leaves out: the watch and its decoding, the header's counts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use kube::runtime::watcher::Event;
use kubedeck::app::update::key;
use kubedeck::app::{Input, State, update};
use kubedeck::bench_support::thread_cpu;
use kubedeck::cluster::rows::{Row, RowStore};
use kubedeck::cluster::watch::WatchStatus;
use kubedeck::cluster::{Kind, Scope};
use kubedeck::store::usage::{Sample, Used};
use kubedeck::store::{enriched, enrichers};
use model::quantity::Capacity;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn pod(i: usize, version: usize) -> Arc<Row> {
    let deploy = i / 50;
    Arc::new(Row {
        key: format!("{:08x}-1f2e-4d3c-9b8a-{:012x}", i, i * 7919),
        namespace: "load".into(),
        name: format!("load-{deploy:04}-7d9f8c6b5-{:05x}", i * 31).into(),
        cells: vec![
            "1/1".into(),
            "Running".into(),
            version.to_string().into(),
            Default::default(),
            format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255).into(),
            format!("node-{:03}", i % 100).into(),
            "<none>".into(),
            "<none>".into(),
        ],
        stamps: vec![None, None, None, Some(1_700_000_000), None, None, None, None].into(),
        created: Some(1_700_000_000 + i as i64),
        labels: vec![
            ("app".into(), format!("load-{deploy:04}").into()),
            ("pod-template-hash".into(), "7d9f8c6b5".into()),
        ]
        .into(),
        node: Some(format!("node-{:03}", i % 100).into()),
        owners: vec![format!("rs-{deploy:06}")].into(),
        capacity: Some(std::sync::Arc::new(Capacity::Pod {
            cpu_request: Some(100),
            cpu_limit: Some(500),
            mem_request: Some(64 << 20),
            mem_limit: Some(256 << 20),
        })),
        ..Default::default()
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median_max(mut v: Vec<Duration>) -> String {
    v.sort();
    format!("{:.2} / {:.2} ms", ms(v[v.len() / 2]), ms(v[v.len() - 1]))
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    ms(v[v.len() / 2])
}

/// Feed the view the rows of `store` (the watch it wants) as the store does, and `update`, then draw.
struct Path {
    state: State,
    store: RowStore,
    sample: Arc<Sample>,
    terminal: Terminal<TestBackend>,
}

impl Path {
    /// Feed and draw; the CPU time of each.
    fn feed(&mut self) -> [Duration; 2] {
        let c = thread_cpu();
        let es = enrichers::of(Kind::Pod);
        let watch = (Kind::Pod, Scope::All);
        let basis = enriched::basis(&es, 0, 0);
        let since = enriched::since(self.state.top().table.fed(), &watch, basis);
        let read = |m| Some(self.store.changes(m));
        let (feed, adopt) = enriched::feed(watch, since, basis, read, &es, |_| None, Some(&self.sample)).expect("rows");
        self.store.adopt(&adopt.base, &adopt.shown);
        let input = Input::Feed {
            feed,
            status: WatchStatus::Ready,
        };
        update(&mut self.state, input);
        let d = thread_cpu();
        self.draw();
        [d - c, thread_cpu() - d]
    }

    fn put(&self, row: Arc<Row>) {
        self.store.apply_rows(&mut Event::Apply(Arc::unwrap_or_clone(row)));
    }

    fn draw(&mut self) {
        let state = &self.state;
        self.terminal
            .draw(|f| kubedeck::ui::draw(f, state, 1_700_100_000))
            .expect("draw");
    }

    fn key(&mut self, code: KeyCode) {
        update(&mut self.state, key(code));
        self.draw();
    }
}

/// Print the median and max of 30 watch events (`event` changes the store), fed and drawn, and the
/// medians of their parts.
fn report(what: &str, p: &mut Path, event: &mut dyn FnMut(&mut Path, usize)) {
    let (mut total, mut rows, mut draw) = (Vec::new(), Vec::new(), Vec::new());
    for v in 1..=30 {
        event(p, v);
        let [r, d] = p.feed();
        total.push(r + d);
        rows.push(r);
        draw.push(d);
    }
    println!(
        "  watch event ({what}), feed + draw: {} (rows {:.2} draw {:.2})",
        median_max(total),
        median(rows),
        median(draw)
    );
}

/// Print what one watch event, a filter's keys and a sort cost at `n` rows, in CPU time of this thread.
pub fn run(n: usize, filter: &str) {
    let t = Instant::now();
    let store = RowStore::default();
    let mut sample = Sample::default();
    for i in 0..n {
        let r = pod(i, 0);
        let u = Used {
            cpu: 42,
            mem: 100 << 20,
        };
        sample.insert(&r.namespace, &r.name, u);
        store.apply_rows(&mut Event::Apply(Arc::unwrap_or_clone(r)));
    }
    let mut state = State::new(None, false, kubedeck::config::keymap::default_keymap());
    update(&mut state, Input::Resize(45));
    update(
        &mut state,
        Input::Connected {
            context: "bench".into(),
            namespace: "default".into(),
            url: "https://127.0.0.1".into(),
        },
    );
    // The pods of every namespace, as `ui_scale` opens them.
    for c in ":pods all".chars() {
        update(&mut state, key(KeyCode::Char(c)));
    }
    update(&mut state, key(KeyCode::Enter));
    let mut p = Path {
        state,
        store,
        sample: Arc::new(sample),
        terminal: Terminal::new(TestBackend::new(160, 45)).expect("terminal"),
    };
    let c = thread_cpu();
    p.feed();
    println!(
        "synthetic {n} rows (built in {:.0} ms): first feed {:.1} ms, table rows {}",
        ms(t.elapsed()),
        ms(thread_cpu() - c),
        p.state.top().table.rows.len()
    );
    // Watch events, each timed as fed (rows) and drawn: one pod changes its RESTARTS (the default
    // sort, by name, keeps its place), the same while sorted by RESTARTS (the row moves), a pod
    // created, one deleted.
    report("update in place", &mut p, &mut |p, v| {
        let i = (v * 7919) % n;
        p.put(pod(i, v));
    });
    p.key(KeyCode::Char('>'));
    report("moving its row in the sort", &mut p, &mut |p, v| {
        let i = ((v + 30) * 7919) % n;
        p.put(pod(i, v + 30));
    });
    p.key(KeyCode::Char('N'));
    report("create", &mut p, &mut |p, v| p.put(pod(n + v, 0)));
    report("delete", &mut p, &mut |p, v| {
        let r = pod(n + v, 0);
        p.store.apply_rows(&mut Event::Delete(Arc::unwrap_or_clone(r)));
    });
    // Filter keys, as ui_scale types them, 5 rounds.
    let mut keys = Vec::new();
    let mut first = Vec::new();
    let mut text_bytes = 0;
    for round in 0..5 {
        for code in std::iter::once(KeyCode::Char('/')).chain(filter.chars().map(KeyCode::Char)) {
            let c = thread_cpu();
            p.key(code);
            let d = thread_cpu() - c;
            keys.push(d);
            if round == 0 {
                first.push(format!("{:.1}", ms(d)));
            }
        }
        text_bytes = p.state.top().table.search_bytes();
        p.key(KeyCode::Esc);
    }
    println!(
        "  filter keys: {} (first round: {}), searched text {:.1} MiB",
        median_max(keys),
        first.join(","),
        text_bytes as f64 / (1 << 20) as f64
    );
    let mut sorts = Vec::new();
    for code in ['A', 'N', '>', 'S', 'N'] {
        let c = thread_cpu();
        p.key(KeyCode::Char(code));
        sorts.push(format!("{code}={:.1}", ms(thread_cpu() - c)));
    }
    println!("  sorts (ms): {}", sorts.join(" "));
}
