//! Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job, JobCondition};
use k8s_openapi::api::core::v1::PodTemplateSpec;

use super::{
    AGE, CONTAINERS, Cell, Column, IMAGES, NAME, age, age_of, col, describe_selector, format_labels, int,
    layout_containers, name_of, selector_string, wide,
};

/// Deployment columns.
pub static DEPLOYMENT_COLUMNS: &[Column] = &[
    NAME,
    col("Ready", "Number of the pod with ready state"),
    col(
        "Up-to-date",
        "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
    ),
    col(
        "Available",
        "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    wide(
        "Selector",
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
    ),
];

/// ReplicaSet columns.
pub static REPLICA_SET_COLUMNS: &[Column] = &[
    NAME,
    int("Desired", "Replicas is the number of desired replicas."),
    int("Current", "Replicas is the most recently observed number of replicas."),
    int("Ready", "The number of ready replicas for this replica set."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide(
        "Selector",
        "Selector is a label query over pods that should match the replica count.",
    ),
];

/// StatefulSet columns.
pub static STATEFUL_SET_COLUMNS: &[Column] = &[
    NAME,
    col("Ready", "Number of the pod with ready state"),
    AGE,
    CONTAINERS,
    IMAGES,
];

/// DaemonSet columns.
pub static DAEMON_SET_COLUMNS: &[Column] = &[
    NAME,
    int(
        "Desired",
        "The total number of nodes that should be running the daemon pod.",
    ),
    int(
        "Current",
        "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
    ),
    int(
        "Ready",
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.",
    ),
    int(
        "Up-to-date",
        "The total number of nodes that are running updated daemon pod",
    ),
    int(
        "Available",
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.",
    ),
    col(
        "Node Selector",
        "NodeSelector is a selector which must be true for the pod to fit on a node.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    wide(
        "Selector",
        "A label query over pods that are managed by the daemon set.",
    ),
];

/// Job columns.
pub static JOB_COLUMNS: &[Column] = &[
    NAME,
    col("Status", "Status of the job."),
    col("Completions", "The number of pods which reached phase Succeeded."),
    col("Duration", "Time required to complete the job."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "A label query over pods that should match the pod count."),
];

/// CronJob columns.
pub static CRON_JOB_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Schedule",
        "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
    ),
    col(
        "Timezone",
        "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
    ),
    Column {
        name: "Suspend",
        ty: "boolean",
        format: "",
        priority: 0,
        description: "This flag tells the controller to suspend subsequent executions.",
    },
    int("Active", "A list of pointers to currently running jobs."),
    col(
        "Last Schedule",
        "Information when was the last time the job was successfully scheduled.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "A label query over pods that should match the pod count."),
];

fn template_cells(t: Option<&PodTemplateSpec>) -> (Cell, Cell) {
    let containers = t
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    let (n, i) = layout_containers(containers);
    (n.into(), i.into())
}

/// The full deployment row: READY is "ready/desired".
pub fn deployment_row(d: &Deployment, now: Timestamp) -> Vec<Cell> {
    let spec = d.spec.as_ref();
    let st = d.status.as_ref();
    // The API server defaults spec.replicas to 1.
    let desired = spec.and_then(|s| s.replicas).unwrap_or(1);
    let (names, images) = template_cells(spec.map(|s| &s.template));
    let selector = selector_string(spec.map(|s| &s.selector)).unwrap_or_else(|_| "<invalid>".into());
    vec![
        name_of(&d.metadata).into(),
        format!("{}/{desired}", st.and_then(|s| s.ready_replicas).unwrap_or(0)).into(),
        st.and_then(|s| s.updated_replicas).unwrap_or(0).into(),
        st.and_then(|s| s.available_replicas).unwrap_or(0).into(),
        age_of(&d.metadata, now),
        names,
        images,
        selector.into(),
    ]
}

/// The full replica set row.
pub fn replica_set_row(rs: &ReplicaSet, now: Timestamp) -> Vec<Cell> {
    let spec = rs.spec.as_ref();
    let st = rs.status.as_ref();
    let (names, images) = template_cells(spec.and_then(|s| s.template.as_ref()));
    vec![
        name_of(&rs.metadata).into(),
        spec.and_then(|s| s.replicas).unwrap_or(1).into(),
        st.map(|s| s.replicas).unwrap_or(0).into(),
        st.and_then(|s| s.ready_replicas).unwrap_or(0).into(),
        age_of(&rs.metadata, now),
        names,
        images,
        spec.map(|s| describe_selector(&s.selector))
            .unwrap_or_else(|| "<none>".into())
            .into(),
    ]
}

/// The full stateful set row: READY is "ready/desired".
pub fn stateful_set_row(s: &StatefulSet, now: Timestamp) -> Vec<Cell> {
    let spec = s.spec.as_ref();
    let ready = s.status.as_ref().and_then(|st| st.ready_replicas).unwrap_or(0);
    let (names, images) = template_cells(spec.map(|s| &s.template));
    vec![
        name_of(&s.metadata).into(),
        format!("{ready}/{}", spec.and_then(|s| s.replicas).unwrap_or(1)).into(),
        age_of(&s.metadata, now),
        names,
        images,
    ]
}

/// The full daemon set row.
pub fn daemon_set_row(ds: &DaemonSet, now: Timestamp) -> Vec<Cell> {
    let spec = ds.spec.as_ref();
    let st = ds.status.as_ref();
    let (names, images) = template_cells(spec.map(|s| &s.template));
    let node_selector = spec
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.node_selector.as_ref());
    vec![
        name_of(&ds.metadata).into(),
        st.map(|s| s.desired_number_scheduled).unwrap_or(0).into(),
        st.map(|s| s.current_number_scheduled).unwrap_or(0).into(),
        st.map(|s| s.number_ready).unwrap_or(0).into(),
        st.and_then(|s| s.updated_number_scheduled).unwrap_or(0).into(),
        st.and_then(|s| s.number_available).unwrap_or(0).into(),
        format_labels(node_selector).into(),
        age_of(&ds.metadata, now),
        names,
        images,
        spec.map(|s| describe_selector(&s.selector))
            .unwrap_or_else(|| "<none>".into())
            .into(),
    ]
}

/// kubectl's `hasJobCondition`: the first condition of that type decides.
fn has_condition(conds: &[JobCondition], ty: &str) -> bool {
    conds.iter().find(|c| c.type_ == ty).is_some_and(|c| c.status == "True")
}

/// Job STATUS: Complete, Failed, Terminating, Suspended, FailureTarget or Running.
pub fn job_status(job: &Job) -> &'static str {
    let conds = job
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    if has_condition(conds, "Complete") {
        "Complete"
    } else if has_condition(conds, "Failed") {
        "Failed"
    } else if job.metadata.deletion_timestamp.is_some() {
        "Terminating"
    } else if has_condition(conds, "Suspended") {
        "Suspended"
    } else if has_condition(conds, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    }
}

/// Job COMPLETIONS: "1/3", or for jobs without completions "0/1" / "0/1 of 4".
pub fn job_completions(job: &Job) -> String {
    let succeeded = job.status.as_ref().and_then(|s| s.succeeded).unwrap_or(0);
    let spec = job.spec.as_ref();
    match spec.and_then(|s| s.completions) {
        Some(c) => format!("{succeeded}/{c}"),
        None => match spec.and_then(|s| s.parallelism).unwrap_or(0) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    }
}

/// Job DURATION: from start to completion (or to now while running); "" before it starts.
pub fn job_duration(job: &Job, now: Timestamp) -> String {
    let st = job.status.as_ref();
    match (
        st.and_then(|s| s.start_time.as_ref()),
        st.and_then(|s| s.completion_time.as_ref()),
    ) {
        (None, _) => String::new(),
        (Some(start), None) => age::human_duration(age::seconds_between(start.0, now)),
        (Some(start), Some(end)) => age::human_duration(age::seconds_between(start.0, end.0)),
    }
}

/// The full job row.
pub fn job_row(job: &Job, now: Timestamp) -> Vec<Cell> {
    let spec = job.spec.as_ref();
    let (names, images) = template_cells(spec.map(|s| &s.template));
    vec![
        name_of(&job.metadata).into(),
        job_status(job).into(),
        job_completions(job).into(),
        job_duration(job, now).into(),
        age_of(&job.metadata, now),
        names,
        images,
        super::describe_selector_opt(spec.and_then(|s| s.selector.as_ref())).into(),
    ]
}

/// kubectl's `printBoolPtr`: "True", "False" or "<unset>".
fn bool_ptr(b: Option<bool>) -> String {
    match b {
        Some(true) => "True".into(),
        Some(false) => "False".into(),
        None => "<unset>".into(),
    }
}

/// The full cron job row.
pub fn cron_job_row(cj: &CronJob, now: Timestamp) -> Vec<Cell> {
    let spec = cj.spec.as_ref();
    let st = cj.status.as_ref();
    let job_spec = spec.and_then(|s| s.job_template.spec.as_ref());
    let (names, images) = template_cells(job_spec.map(|s| &s.template));
    let last = st
        .and_then(|s| s.last_schedule_time.as_ref())
        .map(|t| age::age(Some(t), now))
        .unwrap_or_else(|| "<none>".into());
    vec![
        name_of(&cj.metadata).into(),
        spec.map(|s| s.schedule.clone()).unwrap_or_default().into(),
        spec.and_then(|s| s.time_zone.clone())
            .unwrap_or_else(|| "<none>".into())
            .into(),
        bool_ptr(spec.and_then(|s| s.suspend)).into(),
        (st.and_then(|s| s.active.as_ref()).map_or(0, Vec::len) as i64).into(),
        last.into(),
        age_of(&cj.metadata, now),
        names,
        images,
        super::describe_selector_opt(job_spec.and_then(|s| s.selector.as_ref())).into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::{obj, test_now, texts};
    use super::*;
    use serde_json::json;

    fn template() -> serde_json::Value {
        json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
            {"name": "web", "image": "nginx:1.27"}, {"name": "log", "image": "busybox"}]}})
    }

    #[test]
    fn deployment_row_matches_kubectl() {
        let d: Deployment = obj(json!({
            "metadata": {"name": "web", "creationTimestamp": "2024-04-30T12:00:00Z"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template()},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}
        }));
        let row = deployment_row(&d, test_now());
        assert_eq!(
            texts(&row),
            vec![
                "web",
                "2/3",
                "3",
                "2",
                "24h",
                "web,log",
                "nginx:1.27,busybox",
                "app=web"
            ]
        );
        assert_eq!(row[2], Cell::Int(3));
        let empty_sel: Deployment = obj(json!({"metadata": {"name": "d"}, "spec": {"selector": {}, "template": {}}}));
        let row = texts(&deployment_row(&empty_sel, test_now()));
        assert_eq!((row[1].as_str(), row[7].as_str()), ("0/1", ""));
    }

    #[test]
    fn replica_stateful_daemon_sets() {
        let rs: ReplicaSet = obj(json!({
            "metadata": {"name": "web-5d4f"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "5d4f"}}, "template": template()},
            "status": {"replicas": 2, "readyReplicas": 1}
        }));
        let row = texts(&replica_set_row(&rs, test_now()));
        assert_eq!(&row[1..4], &["2", "2", "1"]);
        assert_eq!(row[7], "app=web,pod-template-hash=5d4f");

        let sts: StatefulSet = obj(json!({"metadata": {"name": "db"}, "spec": {"replicas": 3,
            "selector": {}, "serviceName": "db", "template": template()}, "status": {"replicas": 3, "readyReplicas": 1}}));
        assert_eq!(texts(&stateful_set_row(&sts, test_now()))[1], "1/3");

        let ds: DaemonSet = obj(
            json!({"metadata": {"name": "agent"}, "spec": {"selector": {"matchLabels": {"app": "a"}},
            "template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"}, "containers": [{"name": "a", "image": "a:1"}]}}},
            "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
                       "updatedNumberScheduled": 3, "numberAvailable": 2, "numberMisscheduled": 0}}),
        );
        let row = texts(&daemon_set_row(&ds, test_now()));
        assert_eq!(&row[1..7], &["3", "3", "2", "3", "2", "kubernetes.io/os=linux"]);
        assert_eq!(row[10], "app=a");
    }

    #[test]
    fn job_status_completions_duration() {
        let job = |status: serde_json::Value, spec: serde_json::Value| -> Job {
            obj(json!({"metadata": {"name": "j"}, "spec": spec, "status": status}))
        };
        let base = json!({"template": {}});
        let complete = job(
            json!({"succeeded": 1, "startTime": "2024-05-01T11:00:00Z", "completionTime": "2024-05-01T11:00:42Z",
                   "conditions": [{"type": "Complete", "status": "True"}]}),
            json!({"completions": 1, "template": {}}),
        );
        assert_eq!(job_status(&complete), "Complete");
        assert_eq!(job_completions(&complete), "1/1");
        assert_eq!(job_duration(&complete, test_now()), "42s");

        let running = job(
            json!({"startTime": "2024-05-01T11:56:40Z", "active": 1}),
            json!({"parallelism": 4, "template": {}}),
        );
        assert_eq!(job_status(&running), "Running");
        assert_eq!(job_completions(&running), "0/1 of 4");
        assert_eq!(job_duration(&running, test_now()), "3m20s");

        let failed = job(
            json!({"conditions": [{"type": "Failed", "status": "True"}]}),
            base.clone(),
        );
        assert_eq!(job_status(&failed), "Failed");
        assert_eq!(job_completions(&failed), "0/1");
        assert_eq!(job_duration(&failed, test_now()), "");

        let suspended = job(
            json!({"conditions": [{"type": "Suspended", "status": "True"}]}),
            base.clone(),
        );
        assert_eq!(job_status(&suspended), "Suspended");
        let target = job(
            json!({"conditions": [{"type": "FailureTarget", "status": "True"}]}),
            base.clone(),
        );
        assert_eq!(job_status(&target), "FailureTarget");
        let not_complete = job(
            json!({"conditions": [{"type": "Complete", "status": "False"}]}),
            base.clone(),
        );
        assert_eq!(job_status(&not_complete), "Running");
        let mut deleting = job(json!({}), base);
        deleting.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(test_now()));
        assert_eq!(job_status(&deleting), "Terminating");
    }

    #[test]
    fn cron_job_row_matches_kubectl() {
        let cj: CronJob = obj(json!({
            "metadata": {"name": "backup", "creationTimestamp": "2024-04-21T12:00:00Z"},
            "spec": {"schedule": "*/5 * * * *", "suspend": false, "jobTemplate": {"spec": {"template": template()}}},
            "status": {"active": [{"name": "backup-1"}], "lastScheduleTime": "2024-05-01T11:55:00Z"}
        }));
        let row = cron_job_row(&cj, test_now());
        assert_eq!(
            texts(&row),
            vec![
                "backup",
                "*/5 * * * *",
                "<none>",
                "False",
                "1",
                "5m",
                "10d",
                "web,log",
                "nginx:1.27,busybox",
                "<none>"
            ]
        );
        assert_eq!(row[4], Cell::Int(1));
        let unset: CronJob = obj(
            json!({"metadata": {"name": "c"}, "spec": {"schedule": "@daily", "timeZone": "Etc/UTC",
            "jobTemplate": {}}}),
        );
        let row = texts(&cron_job_row(&unset, test_now()));
        assert_eq!(&row[2..6], &["Etc/UTC", "<unset>", "0", "<none>"]);
    }
}
