//! Settings of a demo cluster run.

/// How big and how lively the demo cluster is.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Worker nodes (besides the control-plane node).
    pub nodes: usize,
    /// Extra pods to load on top of the realistic scenario, spread over bulk deployments.
    pub pods: usize,
    /// Pod replacements per second across the bulk deployments (0: none).
    pub churn: f64,
    /// Log lines per second per container.
    pub log_rate: f64,
    /// Events kept for watches; older resourceVersions get 410 Gone.
    pub watch_window: usize,
    /// Seed for everything random, so a run can be repeated.
    pub seed: u64,
    /// Scale of simulated delays (1.0 = realistic seconds; tests use smaller values).
    pub time_scale: f64,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            nodes: 3,
            pods: 0,
            churn: 0.0,
            log_rate: 2.0,
            watch_window: 200_000,
            seed: 42,
            time_scale: 1.0,
        }
    }
}
