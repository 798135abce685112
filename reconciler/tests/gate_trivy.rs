//! Trivy reports, ignore files and the verdict, on Trivy's own golden outputs.

mod gate_support;

use bosun_reconciler::gate::{
    Disposition, FindingKind, GateInputs, GateState, GateThresholds, IgnoreList, Severity,
    TrivyUpload, decide, parse_report,
};
use bosun_reconciler::ids::Sha;
use chrono::NaiveDate;
use gate_support::today;

const HEAD: &str = "0123456789abcdef0123456789abcdef01234567";
const OLD: &str = "fedcba9876543210fedcba9876543210fedcba98";

fn upload(name: &str, sha: &str, bytes: &[u8]) -> TrivyUpload {
    TrivyUpload {
        name: name.into(),
        sha: sha.parse().unwrap(),
        report: parse_report(name, bytes).unwrap(),
    }
}

fn alpine(sha: &str) -> TrivyUpload {
    upload(
        "trivy-image.json",
        sha,
        include_bytes!("fixtures/trivy/image-alpine-39.json"),
    )
}

fn inputs(trivy: Vec<TrivyUpload>, ignores: IgnoreList) -> GateInputs {
    GateInputs {
        head_sha: HEAD.parse::<Sha>().unwrap(),
        expected: trivy.iter().map(|u| u.name.clone()).collect(),
        trivy,
        policy: vec![],
        ignores,
    }
}

#[test]
fn report_of_another_schema_version_is_rejected_by_name() {
    let err = parse_report("old.json", br#"{"SchemaVersion": 1, "Results": []}"#).unwrap_err();
    assert_eq!(err.metric_label(), "trivy_schema");
    assert!(err.to_string().contains("SchemaVersion 1"), "{err}");
    let missing = parse_report("x.json", br#"{"Results": []}"#).unwrap_err();
    assert_eq!(missing.metric_label(), "trivy_schema");
    assert_eq!(
        parse_report("x.json", b"[").unwrap_err().metric_label(),
        "trivy_json"
    );
}

#[test]
fn critical_vulnerabilities_with_a_fix_fail_and_medium_ones_do_not() {
    let v = decide(
        &inputs(vec![alpine(HEAD)], IgnoreList::default()),
        &GateThresholds::default(),
        today(),
    );
    assert_eq!(v.state, GateState::Failure);
    let blocking: Vec<_> = v
        .blocking_scan()
        .map(|f| f.package.clone().unwrap())
        .collect();
    assert_eq!(blocking, ["musl", "musl-utils"]);
    assert_eq!(
        v.scan
            .iter()
            .filter(|f| f.disposition == Disposition::BelowThreshold)
            .count(),
        4
    );
}

#[test]
fn fail_on_medium_makes_medium_findings_block() {
    let t = GateThresholds {
        fail_on: vec![Severity::Medium],
        ignore_unfixed: true,
    };
    let v = decide(
        &inputs(vec![alpine(HEAD)], IgnoreList::default()),
        &t,
        today(),
    );
    assert_eq!(v.blocking_scan().count(), 4);
}

#[test]
fn unfixed_vulnerability_blocks_only_when_ignore_unfixed_is_off() {
    let json = String::from_utf8(include_bytes!("fixtures/trivy/image-alpine-39.json").to_vec())
        .unwrap()
        .replace("\"FixedVersion\": \"1.1.20-r5\",", "")
        .replace("\"Status\": \"fixed\",\n          \"Layer\": {\n            \"Digest\": \"sha256:e7c9", "\"Status\": \"affected\",\n          \"Layer\": {\n            \"Digest\": \"sha256:e7c9");
    let up = upload("trivy-image.json", HEAD, json.as_bytes());
    let on = decide(
        &inputs(vec![up.clone()], IgnoreList::default()),
        &GateThresholds::default(),
        today(),
    );
    assert_eq!(
        on.state,
        GateState::Success,
        "{:?}",
        on.blocking_scan().collect::<Vec<_>>()
    );
    assert_eq!(
        on.scan
            .iter()
            .filter(|f| f.disposition == Disposition::Unfixed)
            .count(),
        2
    );
    let off = GateThresholds {
        ignore_unfixed: false,
        ..GateThresholds::default()
    };
    assert_eq!(
        decide(&inputs(vec![up], IgnoreList::default()), &off, today()).state,
        GateState::Failure
    );
}

#[test]
fn live_ignore_entry_suppresses_and_expired_one_no_longer_does() {
    let live = IgnoreList::parse_text("CVE-2019-14697 exp:2026-03-02\n").unwrap();
    let v = decide(
        &inputs(vec![alpine(HEAD)], live),
        &GateThresholds::default(),
        today(),
    );
    assert_eq!(v.state, GateState::Success);
    assert!(
        matches!(&v.scan.iter().find(|f| f.id == "CVE-2019-14697").unwrap().disposition,
        Disposition::Suppressed(s) if s.expires == NaiveDate::from_ymd_opt(2026, 3, 2))
    );

    let expired = IgnoreList::parse_text("CVE-2019-14697 exp:2026-03-01\n").unwrap();
    let v = decide(
        &inputs(vec![alpine(HEAD)], expired),
        &GateThresholds::default(),
        today(),
    );
    assert_eq!(v.state, GateState::Failure);
    let musl = v.scan.iter().find(|f| f.id == "CVE-2019-14697").unwrap();
    assert_eq!(
        musl.expired_ignore.as_ref().unwrap().origin,
        ".trivyignore:1"
    );
}

#[test]
fn trivy_text_ignore_fixture_reads_ids_expiry_and_extra_fields() {
    let list =
        IgnoreList::parse_text(include_str!("fixtures/trivy/trivyignore.testdata.txt")).unwrap();
    let ids: Vec<&str> = list.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "CVE-2019-0001",
            "CVE-2019-0002",
            "CVE-2019-0004",
            "CVE-2019-0005",
            "CVE-2019-0006",
            "ID300",
            "AVD-ID400",
            "generic-unwanted-rule",
            "GPL-3.0"
        ]
    );
    assert!(list.entries[2].is_expired(today()));
    assert!(!list.entries[4].is_expired(today()));
    assert_eq!(list.entries[4].kinds.len(), 3);
}

#[test]
fn trivy_yaml_ignore_fixture_reads_sections_paths_purls_and_expiry() {
    let list =
        IgnoreList::parse_yaml(include_str!("fixtures/trivy/trivyignore.testdata.yaml")).unwrap();
    assert_eq!(list.entries.len(), 7 + 4 + 3);
    let first = &list.entries[0];
    assert_eq!(
        (first.id.as_str(), first.paths.as_slice()),
        ("CVE-2019-0001", &["**/*-lock.json".to_owned()][..])
    );
    assert!(
        list.entries
            .iter()
            .find(|e| e.id == "CVE-2019-0006")
            .unwrap()
            .is_expired(today())
    );
    assert_eq!(
        list.entries
            .iter()
            .find(|e| e.id == "AVD-ID400")
            .unwrap()
            .kinds,
        [FindingKind::Misconfiguration]
    );
    assert_eq!(list.entries[6].purls.len(), 2);
}

#[test]
fn yaml_ignore_with_paths_suppresses_only_matching_targets() {
    let yaml = "vulnerabilities:\n  - id: CVE-2019-14697\n    paths: [\"other/*\"]\n    statement: not reachable\n";
    let v = decide(
        &inputs(vec![alpine(HEAD)], IgnoreList::parse_yaml(yaml).unwrap()),
        &GateThresholds::default(),
        today(),
    );
    assert_eq!(v.state, GateState::Failure);
    let yaml = "vulnerabilities:\n  - id: CVE-2019-14697\n    purls: [\"pkg:apk/alpine/musl\"]\n";
    let v = decide(
        &inputs(vec![alpine(HEAD)], IgnoreList::parse_yaml(yaml).unwrap()),
        &GateThresholds::default(),
        today(),
    );
    let blocking: Vec<_> = v
        .blocking_scan()
        .map(|f| f.package.clone().unwrap())
        .collect();
    assert_eq!(blocking, ["musl-utils"]);
}

#[test]
fn bad_expiry_date_is_an_error_naming_the_line() {
    let err = IgnoreList::parse_text("# c\nCVE-1 exp:2026-13-01\n").unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn misconfiguration_matches_ignore_by_id_and_secrets_block_by_severity() {
    let docker = upload(
        "config.json",
        HEAD,
        include_bytes!("fixtures/trivy/config-dockerfile.json"),
    );
    let secrets = upload(
        "secrets.json",
        HEAD,
        include_bytes!("fixtures/trivy/fs-secrets.json"),
    );
    let v = decide(
        &inputs(vec![docker.clone(), secrets], IgnoreList::default()),
        &GateThresholds::default(),
        today(),
    );
    let kinds: Vec<_> = v.blocking_scan().map(|f| (f.kind, f.id.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (FindingKind::Misconfiguration, "DS-0002"),
            (FindingKind::Secret, "aws-access-key-id"),
            (FindingKind::Secret, "mysecret")
        ]
    );
    let ignored = IgnoreList::parse_text("DS-0002\n").unwrap();
    assert_eq!(
        decide(
            &inputs(vec![docker], ignored),
            &GateThresholds::default(),
            today()
        )
        .state,
        GateState::Success
    );
}

#[test]
fn upload_for_an_older_commit_is_set_aside_and_the_gate_waits() {
    let mut i = inputs(vec![alpine(OLD)], IgnoreList::default());
    i.expected = vec!["trivy-image.json".into()];
    let v = decide(&i, &GateThresholds::default(), today());
    assert_eq!(
        v.state,
        GateState::Pending {
            missing: vec!["trivy-image.json".into()]
        }
    );
    assert_eq!(v.stale_uploads, ["trivy-image.json"]);
}

#[test]
fn empty_report_with_every_input_in_is_success() {
    let empty = upload(
        "skip.json",
        HEAD,
        include_bytes!("fixtures/trivy/image-alpine-39-skip.no-results.json"),
    );
    let v = decide(
        &inputs(vec![empty], IgnoreList::default()),
        &GateThresholds::default(),
        today(),
    );
    assert_eq!(v.state, GateState::Success);
}

#[test]
fn failure_wins_over_pending() {
    let mut i = inputs(vec![alpine(HEAD)], IgnoreList::default());
    i.expected.push("plan prd".into());
    assert_eq!(
        decide(&i, &GateThresholds::default(), today()).state,
        GateState::Failure
    );
}
