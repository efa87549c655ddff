//! The text of `/readyz?verbose` and `/livez?verbose`, as the API server's healthz handler prints it.

/// One named check of a health endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The check's name ("etcd", "poststarthook/rbac/bootstrap-roles").
    pub name: String,
    /// `[+]` rather than `[-]`.
    pub passed: bool,
    /// What follows "failed:" (usually "reason withheld"), or "excluded" for an excluded check.
    pub note: Option<String>,
}

/// Parses the verbose body: `[+]name ok`, `[+]name excluded: ok`, `[-]name failed: reason`; the
/// closing "readyz check passed/failed" line and anything else is not a check.
pub fn parse_checks(body: &str) -> Vec<Check> {
    body.lines()
        .filter_map(|line| {
            let line = line.trim_end();
            if let Some(rest) = line.strip_prefix("[+]") {
                let (name, note) = match rest.strip_suffix(" excluded: ok") {
                    Some(name) => (name, Some("excluded".to_string())),
                    None => (rest.strip_suffix(" ok").unwrap_or(rest), None),
                };
                Some(Check {
                    name: name.to_string(),
                    passed: true,
                    note,
                })
            } else if let Some(rest) = line.strip_prefix("[-]") {
                let (name, reason) = match rest.split_once(" failed: ") {
                    Some((n, r)) => (n, Some(r.to_string())),
                    None => (rest.strip_suffix(" failed").unwrap_or(rest), None),
                };
                Some(Check {
                    name: name.to_string(),
                    passed: false,
                    note: reason,
                })
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_real_servers_lines() {
        let body = "[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n\
                    [+]poststarthook/start-apiextensions-informers excluded: ok\n\
                    [+]poststarthook/rbac/bootstrap-roles ok\nreadyz check failed\n";
        let checks = parse_checks(body);
        assert_eq!(checks.len(), 5);
        assert_eq!(
            checks[2],
            Check {
                name: "etcd".into(),
                passed: false,
                note: Some("reason withheld".into())
            }
        );
        assert_eq!(checks[3].name, "poststarthook/start-apiextensions-informers");
        assert_eq!(checks[3].note.as_deref(), Some("excluded"));
        assert_eq!(checks[4].name, "poststarthook/rbac/bootstrap-roles");
        assert!(checks[4].passed);
    }

    #[test]
    fn the_sims_output_round_trips() {
        let (_, body) = sim::render_health("livez", true, Some("etcd"), None);
        let checks = parse_checks(&body);
        assert_eq!(checks.len(), sim::health_checks("livez").len());
        assert_eq!(checks.iter().filter(|c| !c.passed).count(), 1);
        assert!(parse_checks("ok").is_empty());
    }
}
