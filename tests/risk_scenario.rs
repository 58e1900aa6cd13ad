//! The residual-risk ladder on one YAML backlog: an epic accepted by a product owner, a story
//! accepted by the security group, a done task with no acceptance and a definition of done
//! without a risk entry give exactly those four errors, each at its line; a correctly accepted
//! item gives none.

mod common;

#[test]
fn exactly_the_four_risk_errors() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let backlog = "\
definition_of_done:            # line 1
  - Code reviewed
  - Tests pass
items:
  - id: EPIC-1
    title: Customer accounts with login and sessions
    type: epic
    status: done
    spikes: [SPIKE-1]
    risk_acceptance: {decision: accepted, by: Pat, role: product-owner, date: 2026-03-01}  # line 10
  - id: STORY-1
    title: Password reset by email
    type: story
    parent: EPIC-1
    status: done
    spikes: [SPIKE-1]
    risk_acceptance: {decision: accepted, by: Sam, role: security, date: 2026-03-02}  # line 17
  - id: TASK-1
    title: Store session tokens in Redis
    type: task
    parent: STORY-1
    status: done                  # line 22
    spikes: [SPIKE-1]
  - id: TASK-2
    title: Hash passwords with argon2id
    type: task
    parent: STORY-1
    status: done
    spikes: [SPIKE-1]
    risk_acceptance: {decision: mitigated, by: Dana, role: team, date: 2026-03-03}
  - id: STORY-2
    title: As an attacker, I must not be able to reset another customer's password
    type: attacker-story
    parent: EPIC-1
    status: todo
    spikes: [SPIKE-1]
  - id: SPIKE-1
    title: Threat analysis of accounts
    type: spike
    status: done
    labels: [threat-analysis]
";
    std::fs::write(dir.path().join("backlog.yaml"), backlog).unwrap_or_else(|e| panic!("{e}"));
    let report = common::check_json(dir.path());
    let mut errors: Vec<(String, u64, String)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["item"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    errors.sort();
    assert_eq!(
        errors,
        vec![
            ("dod/missing-risk-acceptance".to_string(), 1, String::new()),
            (
                "risk/acceptance-level".to_string(),
                10,
                "EPIC-1".to_string()
            ),
            (
                "risk/acceptance-missing".to_string(),
                22,
                "TASK-1".to_string()
            ),
            (
                "risk/security-group-acceptance".to_string(),
                17,
                "STORY-1".to_string()
            ),
        ],
        "{report:#}"
    );
}
