//! One evaluation of the gate from raw material, shared by the pull request
//! reconcile and `bosun gate`: Trivy report bytes, ignore files, Rego
//! sources, exceptions, plan JSON and rendered manifests in; the verdict
//! out, with every input that could not be read named as a problem (a
//! problem fails the gate: an unreadable input never passes as clean).

use chrono::NaiveDate;

use crate::config::GateSettings;
use crate::gate::{
    Exceptions, GateInputs, GateState, GateVerdict, IgnoreList, ManifestSet, PlanInput, PolicyRun,
    PolicySet, PolicySource, TrivyUpload, decide, parse_report,
};
use crate::ids::Sha;

/// An overlay's rendered manifests, or why it could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedOverlay {
    /// Its folder (`flux-config/apps/prd`).
    pub overlay: String,
    /// The environment it deploys to.
    pub env: String,
    /// The YAML stream, or the renderer's error.
    pub yaml: Result<String, String>,
}

/// Everything the gate reads for one commit, unparsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateMaterial {
    /// The commit judged.
    pub head_sha: Sha,
    /// Trivy reports for this commit: file name and bytes, or why the
    /// artifact holding it could not be read.
    pub reports: Vec<super::reports::NamedReport>,
    /// `.trivyignore` at the commit.
    pub ignore_text: Option<String>,
    /// `.trivyignore.yaml` at the commit.
    pub ignore_yaml: Option<String>,
    /// The Rego policies (from the default branch).
    pub policies: Vec<PolicySource>,
    /// `policies/exceptions.yaml` (from the default branch).
    pub exceptions: Option<String>,
    /// Terraform plans (`show -json`) made at this commit, per environment.
    pub plans: Vec<PlanInput>,
    /// Rendered overlays.
    pub manifests: Vec<RenderedOverlay>,
    /// Lines the summary shows before the tables (where the policies came from…).
    pub notes: Vec<String>,
    /// Whether to wait for CI's reports (`gate.expect`, else any one report
    /// of the artifact); `bosun gate` judges what it is given and waits for nothing.
    pub wait_for_reports: bool,
}

/// The verdict with what the summary adds to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The gate's decision (failure when any problem).
    pub verdict: GateVerdict,
    /// Inputs that could not be read or evaluated.
    pub problems: Vec<String>,
    /// Notes for the summary.
    pub notes: Vec<String>,
    /// Expected inputs not received (also when the gate failed already).
    pub missing: Vec<String>,
}

/// The name a plan's policy run goes by (`plan prd`).
pub fn plan_source(env: &str) -> String {
    format!("plan {env}")
}

/// Judges `material` with `settings` on `today`.
pub fn evaluate(material: &GateMaterial, settings: &GateSettings, today: NaiveDate) -> Evaluation {
    let mut problems = Vec::new();
    let mut trivy = Vec::new();
    for (name, bytes) in &material.reports {
        match bytes {
            Ok(bytes) => match parse_report(name, bytes) {
                Ok(report) => trivy.push(TrivyUpload {
                    name: name.clone(),
                    sha: material.head_sha.clone(),
                    report,
                }),
                Err(e) => problems.push(e.to_string()),
            },
            Err(why) => problems.push(format!("{name}: {why}")),
        }
    }
    let mut ignores = IgnoreList::default();
    for (text, parse) in [
        (
            &material.ignore_text,
            IgnoreList::parse_text as fn(&str) -> _,
        ),
        (&material.ignore_yaml, IgnoreList::parse_yaml),
    ] {
        if let Some(text) = text {
            match parse(text) {
                Ok(list) => ignores.entries.extend(list.entries),
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    let expected = if !material.wait_for_reports {
        Vec::new()
    } else if !settings.expect.is_empty() {
        settings.expect.clone()
    } else if material.reports.is_empty() {
        vec![settings.artifact.clone()]
    } else {
        Vec::new()
    };
    let policy = run_policies(material, today, &mut problems);
    let received: Vec<&str> = material
        .reports
        .iter()
        .map(|(name, _)| name.as_str())
        .chain(policy.iter().map(|run| run.name.as_str()))
        .collect();
    let missing: Vec<String> = expected
        .iter()
        .filter(|name| !received.contains(&name.as_str()))
        .cloned()
        .collect();
    let inputs = GateInputs {
        head_sha: material.head_sha.clone(),
        expected,
        trivy,
        policy,
        ignores,
    };
    let mut verdict = decide(&inputs, &settings.thresholds, today);
    if !problems.is_empty() {
        verdict.state = GateState::Failure;
    }
    Evaluation {
        verdict,
        problems,
        notes: material.notes.clone(),
        missing,
    }
}

fn run_policies(
    material: &GateMaterial,
    today: NaiveDate,
    problems: &mut Vec<String>,
) -> Vec<PolicyRun> {
    let mut runs = Vec::new();
    for overlay in &material.manifests {
        if let Err(why) = &overlay.yaml {
            problems.push(why.clone());
        }
    }
    if material.policies.is_empty() {
        return runs;
    }
    let set = match PolicySet::compile(&material.policies) {
        Ok(set) => set,
        Err(e) => {
            problems.push(e.to_string());
            return runs;
        }
    };
    let exceptions = match material.exceptions.as_deref().map(Exceptions::parse) {
        None => Exceptions::default(),
        Some(Ok(exceptions)) => exceptions,
        Some(Err(e)) => {
            problems.push(e.to_string());
            Exceptions::default()
        }
    };
    for plan in &material.plans {
        let name = plan_source(&plan.environment);
        match set.evaluate_plan(&name, plan, &exceptions, today) {
            Ok(report) => runs.push(PolicyRun { name, report }),
            Err(e) => problems.push(e.to_string()),
        }
    }
    for overlay in &material.manifests {
        let Ok(yaml) = &overlay.yaml else { continue };
        let judged = ManifestSet::parse(&overlay.overlay, &overlay.env, yaml)
            .and_then(|set_of| set.evaluate_manifests(&set_of, &exceptions, today));
        match judged {
            Ok(report) => runs.push(PolicyRun {
                name: overlay.overlay.clone(),
                report,
            }),
            Err(e) => problems.push(e.to_string()),
        }
    }
    runs
}
