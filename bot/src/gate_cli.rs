//! `bosun gate`: the merge gate's evaluation on a local checkout, without a
//! server or a forge. Trivy reports and terraform plans are given as files;
//! the Rego policies and `.bosun.yaml` are read from the base branch's tip
//! (never the working tree, as on a pull request); `.trivyignore` and the
//! overlays come from the working tree, every overlay rendered with the real
//! `kubectl kustomize`. Prints the summary; exits 0 when the gate passes, 1
//! when it fails or an input is bad.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use bosun_reconciler::config::{GateSettings, REPO_CONFIG_PATH, RepoConfig};
use bosun_reconciler::gate::{GateState, PlanInput, PolicySource};
use bosun_reconciler::gating::evaluate::{GateMaterial, RenderedOverlay, evaluate};
use bosun_reconciler::gating::outcome::outcome;
use bosun_reconciler::gating::{POLICIES_DIR, overlays};
use bosun_reconciler::ids::Sha;
use clap::Args;
use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use crate::kustomize::KustomizeRenderer;

/// `bosun gate` arguments.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// The checkout to judge.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// The branch (or any revision) whose policies and `.bosun.yaml` judge
    /// (default: `main`, else `master`).
    #[arg(long)]
    pub base: Option<String>,
    /// The folder of the base branch holding the Rego policies and `exceptions.yaml`.
    #[arg(long, default_value = POLICIES_DIR)]
    pub policies: String,
    /// A Trivy JSON report (SchemaVersion 2); repeat for several.
    #[arg(long = "trivy", value_name = "FILE")]
    pub trivy: Vec<PathBuf>,
    /// A terraform plan (`terraform show -json`) as `ENV=FILE`, or `FILE`
    /// named after its environment (`prd.json`); repeat for several.
    #[arg(long = "plan", value_name = "[ENV=]FILE")]
    pub plans: Vec<String>,
}

/// Runs `bosun gate`.
pub async fn run(args: &GateArgs) -> anyhow::Result<ExitCode> {
    let repo = Repository::discover(&args.repo)
        .with_context(|| format!("{} is not a git checkout", args.repo.display()))?;
    let root = repo
        .workdir()
        .ok_or_else(|| anyhow!("{} has no working tree", args.repo.display()))?
        .to_path_buf();
    let base = base_branch(&repo, args.base.as_deref())?;
    let base_commit = repo
        .revparse_single(&format!("refs/heads/{base}"))
        .or_else(|_| repo.revparse_single(&base))
        .and_then(|o| o.peel_to_commit())
        .with_context(|| format!("no branch or commit `{base}` in {}", root.display()))?;
    let policies_dir = args.policies.trim_matches('/').to_owned();
    let base_files = files_under(&repo, &base_commit, &policies_dir)?;
    let config = match file_at(&repo, &base_commit, REPO_CONFIG_PATH)? {
        Some(text) => RepoConfig::parse(&text).map_err(|e| anyhow!("{e} (on `{base}`)"))?,
        None => RepoConfig::default(),
    };
    let settings = config.gate.clone().unwrap_or_else(GateSettings::default);
    let mut reports = Vec::new();
    for path in &args.trivy {
        let bytes = std::fs::read(path).with_context(|| format!("--trivy {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        reports.push((name, Ok(bytes)));
    }
    let mut plans = Vec::new();
    for spec in &args.plans {
        plans.push(read_plan(spec, &config)?);
    }
    let policies: Vec<PolicySource> = base_files
        .iter()
        .filter(|(p, _)| p.ends_with(".rego") && !p.ends_with("_test.rego"))
        .map(|(path, rego)| PolicySource {
            path: path.clone(),
            rego: rego.clone(),
        })
        .collect();
    let exceptions = base_files
        .iter()
        .find(|(p, _)| *p == format!("{policies_dir}/exceptions.yaml"))
        .map(|(_, t)| t.clone());
    let head = repo
        .head()
        .ok()
        .and_then(|h| h.target())
        .map(|oid| oid.to_string())
        .unwrap_or_else(|| base_commit.id().to_string());
    let mut notes = vec![format!(
        "Policies and settings from `{base}` at `{:.7}`; `.trivyignore` and overlays from the working tree.",
        base_commit.id().to_string()
    )];
    if policies.is_empty() {
        notes.push(format!(
            "`{base}` has no Rego policies under `{policies_dir}/`."
        ));
    }
    let material = GateMaterial {
        head_sha: head
            .parse::<Sha>()
            .map_err(|e| anyhow!("the checkout's HEAD: {e}"))?,
        reports,
        ignore_text: read_optional(&root.join(".trivyignore"))?,
        ignore_yaml: read_optional(&root.join(".trivyignore.yaml"))?,
        policies,
        exceptions,
        plans,
        manifests: render_all(&root, &config).await?,
        notes,
        wait_for_reports: false,
    };
    let evaluation = evaluate(&material, &settings, chrono::Utc::now().date_naive());
    let result = outcome(&evaluation, None);
    println!("{}\n\n{}", result.summary.title, result.summary.text);
    Ok(match result.state {
        GateState::Success => ExitCode::SUCCESS,
        GateState::Failure | GateState::Pending { .. } => ExitCode::from(1),
    })
}

fn base_branch(repo: &Repository, asked: Option<&str>) -> anyhow::Result<String> {
    if let Some(name) = asked {
        return Ok(name.to_owned());
    }
    ["main", "master"]
        .into_iter()
        .find(|b| repo.find_branch(b, git2::BranchType::Local).is_ok())
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no `main` or `master` branch: name the base with --base"))
}

fn read_optional(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow!("{}: {e}", path.display())),
    }
}

fn read_plan(spec: &str, config: &RepoConfig) -> anyhow::Result<PlanInput> {
    let (env, file) = match spec.split_once('=') {
        Some((env, file)) => (env.to_owned(), PathBuf::from(file)),
        None => {
            let file = PathBuf::from(spec);
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (stem, file)
        }
    };
    let Some(resolved) = config.envs.resolve(&env) else {
        let known: Vec<&str> = config.envs.envs().map(|e| e.as_str()).collect();
        bail!(
            "--plan {spec}: `{env}` is not an environment ({}); write ENV=FILE",
            known.join(", ")
        );
    };
    let json =
        std::fs::read_to_string(&file).with_context(|| format!("--plan {}", file.display()))?;
    Ok(PlanInput {
        environment: resolved.as_str().to_owned(),
        json,
    })
}

/// Every overlay of the working tree, rendered.
async fn render_all(root: &Path, config: &RepoConfig) -> anyhow::Result<Vec<RenderedOverlay>> {
    let flux = root.join(overlays::FLUX_ROOT);
    let mut paths = Vec::new();
    if flux.is_dir() {
        walk(&flux, root, &mut paths)?;
    }
    let renderer = KustomizeRenderer::new();
    let mut out = Vec::new();
    for overlay in overlays::overlays(&paths, &config.envs) {
        let yaml = renderer
            .render_dir(&root.join(&overlay.path), &overlay.path)
            .await
            .map_err(|e| e.to_string());
        out.push(RenderedOverlay {
            overlay: overlay.path,
            env: overlay.env,
            yaml,
        });
    }
    Ok(out)
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, root, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

fn file_at(
    repo: &Repository,
    commit: &git2::Commit<'_>,
    path: &str,
) -> anyhow::Result<Option<String>> {
    let tree = commit.tree()?;
    let Ok(entry) = tree.get_path(Path::new(path)) else {
        return Ok(None);
    };
    let blob = repo.find_blob(entry.id())?;
    Ok(Some(
        std::str::from_utf8(blob.content())
            .map_err(|_| anyhow!("{path} is not UTF-8 text"))?
            .to_owned(),
    ))
}

/// Every text file under `folder` at `commit`: path from the root and text.
fn files_under(
    repo: &Repository,
    commit: &git2::Commit<'_>,
    folder: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    let tree = commit.tree()?;
    let Ok(entry) = tree.get_path(Path::new(folder)) else {
        return Ok(Vec::new());
    };
    let Some(sub) = repo.find_object(entry.id(), None)?.as_tree().cloned() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut failure = None;
    sub.walk(TreeWalkMode::PreOrder, |dir, item| {
        if item.kind() != Some(ObjectType::Blob) {
            return TreeWalkResult::Ok;
        }
        let path = format!("{folder}/{dir}{}", item.name().unwrap_or_default());
        match repo.find_blob(item.id()) {
            Ok(blob) => {
                if let Ok(text) = std::str::from_utf8(blob.content()) {
                    out.push((path, text.to_owned()));
                }
                TreeWalkResult::Ok
            }
            Err(e) => {
                failure = Some(e);
                TreeWalkResult::Abort
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    out.sort();
    Ok(out)
}
