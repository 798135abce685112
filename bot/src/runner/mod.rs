//! The `Runner` adapter: `terraform` (or `tofu`) as a subprocess.
//!
//! Each run takes a slot under a concurrency limit, then runs `init` (or
//! reuses the `.terraform` of an earlier `init` with the same init key, see
//! [`init_cache`]), `plan` (`-detailed-exitcode`, so 0 is no changes and 2 is
//! changes) and `show -json` of the plan file; the human-readable plan is
//! `plan`'s own output ([`plan_text`]). Inits run one at a time, since they
//! share the provider plugin cache. The children get
//! a cleared environment plus an allow-list (Azure OIDC settings, proxies)
//! and the variables the request passes; a run that outlives its timeout is
//! killed, its whole process group with it. `apply` runs a saved plan in the
//! checkout it was made in. Every text handed back is masked
//! with [`Redactor`].

use async_trait::async_trait;
use bosun_reconciler::plan::json::PlanJson;
use bosun_reconciler::plan::redact::Redactor;
use bosun_reconciler::ports::runner::{
    ApplyOutcome, ApplyRequest, PlanExit, PlanOutcome, PlanRequest, PlanVar, RawPlanJson, Runner,
    RunnerError, Step, StepDurations,
};
use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::process::Command;
use tokio::sync::{Mutex, Semaphore};
use tokio::time::Instant;

pub mod init_cache;
pub mod plan_text;

pub use init_cache::InitCache;

/// The variable that points Terraform at a shared provider plugin cache.
pub const PLUGIN_CACHE_ENV: &str = "TF_PLUGIN_CACHE_DIR";

/// Variables every child gets when the parent has them: where programs and
/// the CLI configuration are, and the shared provider cache.
pub const ALWAYS_PASSED: [&str; 4] = ["PATH", "HOME", "TF_CLI_CONFIG_FILE", PLUGIN_CACHE_ENV];

/// The default allow-list: the azurerm provider's OIDC and workload identity
/// settings (no client secrets or certificates), and proxies.
pub const AZURE_OIDC_ALLOW_LIST: [&str; 20] = [
    "ARM_CLIENT_ID",
    "ARM_TENANT_ID",
    "ARM_SUBSCRIPTION_ID",
    "ARM_ENVIRONMENT",
    "ARM_USE_OIDC",
    "ARM_OIDC_TOKEN",
    "ARM_OIDC_TOKEN_FILE_PATH",
    "ARM_OIDC_REQUEST_URL",
    "ARM_OIDC_REQUEST_TOKEN",
    "ARM_USE_AKS_WORKLOAD_IDENTITY",
    "ARM_USE_MSI",
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_AUTHORITY_HOST",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "https_proxy",
    "no_proxy",
];

/// How many lines of stderr a failure keeps.
const STDERR_TAIL_LINES: usize = 50;

/// Which environment variables reach Terraform: exact names, or prefixes
/// written with a trailing `*` (`ARM_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvAllowList {
    exact: BTreeSet<String>,
    prefixes: Vec<String>,
}

impl EnvAllowList {
    /// An allow-list of names and `PREFIX*` patterns.
    pub fn new<I, S>(patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut exact = BTreeSet::new();
        let mut prefixes = Vec::new();
        for pattern in patterns {
            match pattern.as_ref().strip_suffix('*') {
                Some(prefix) => prefixes.push(prefix.to_owned()),
                None => {
                    exact.insert(pattern.as_ref().to_owned());
                }
            }
        }
        Self { exact, prefixes }
    }

    /// Whether `name` may be passed (the [`ALWAYS_PASSED`] ones always are).
    pub fn allows(&self, name: &str) -> bool {
        ALWAYS_PASSED.contains(&name)
            || self.exact.contains(name)
            || self.prefixes.iter().any(|p| name.starts_with(p.as_str()))
    }
}

impl Default for EnvAllowList {
    fn default() -> Self {
        Self::new(AZURE_OIDC_ALLOW_LIST)
    }
}

/// Runs `terraform` as a subprocess.
#[derive(Debug, Clone)]
pub struct TerraformRunner {
    binary: PathBuf,
    env_allow_list: EnvAllowList,
    /// The environment the allow-list picks from.
    environment: Vec<(OsString, OsString)>,
    concurrency: Arc<Semaphore>,
    lock_timeout: Duration,
    init_cache: Option<InitCache>,
    /// One `init` at a time: they share the plugin cache, which Terraform
    /// does not promise is safe for concurrent installs.
    init_serial: Arc<Mutex<()>>,
}

impl TerraformRunner {
    /// A runner of `binary` (a path, or a name looked up on `PATH`) with at
    /// most `concurrency` runs at once, the default allow-list over this
    /// process's environment, and a 60 s state lock timeout.
    pub fn new(binary: impl Into<PathBuf>, concurrency: usize) -> Self {
        Self {
            binary: binary.into(),
            env_allow_list: EnvAllowList::default(),
            environment: std::env::vars_os().collect(),
            concurrency: Arc::new(Semaphore::new(concurrency.max(1))),
            lock_timeout: Duration::from_secs(60),
            init_cache: None,
            init_serial: Arc::new(Mutex::new(())),
        }
    }

    /// Reuses `.terraform` folders kept in `cache` between runs with the
    /// same init key.
    pub fn with_init_cache(mut self, cache: InitCache) -> Self {
        self.init_cache = Some(cache);
        self
    }

    /// Points Terraform at the provider plugin cache `dir` (created if
    /// missing), unless the environment already names one: each provider
    /// is then downloaded once, not once per checkout.
    pub fn with_default_plugin_cache(mut self, dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let set = self
            .environment
            .iter()
            .any(|(name, value)| name == PLUGIN_CACHE_ENV && !value.is_empty());
        if !set {
            // Absolute: Terraform reads it from each project's folder.
            let dir = std::path::absolute(dir.into())?;
            std::fs::create_dir_all(&dir)?;
            self.environment
                .push((PLUGIN_CACHE_ENV.into(), dir.into_os_string()));
        }
        Ok(self)
    }

    /// Replaces the allow-list.
    pub fn with_allow_list(mut self, allow_list: EnvAllowList) -> Self {
        self.env_allow_list = allow_list;
        self
    }

    /// Replaces the environment the allow-list picks from.
    pub fn with_environment<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<OsString>,
        V: Into<OsString>,
    {
        self.environment = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }

    /// Shares a concurrency limit with other runners.
    pub fn with_semaphore(mut self, concurrency: Arc<Semaphore>) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// Sets how long `plan` waits for the state lock.
    pub fn with_lock_timeout(mut self, lock_timeout: Duration) -> Self {
        self.lock_timeout = lock_timeout;
        self
    }

    fn child_environment(&self) -> impl Iterator<Item = &(OsString, OsString)> {
        self.environment
            .iter()
            .filter(|(name, _)| name.to_str().is_some_and(|n| self.env_allow_list.allows(n)))
    }

    /// Runs one step to completion, or kills it at the deadline.
    async fn run<A: AsRef<OsStr>>(
        &self,
        run: &Run<'_>,
        step: Step,
        args: &[A],
    ) -> Result<Output, RunnerError> {
        let mut command = Command::new(run.binary);
        command
            .args(args)
            .current_dir(run.working_dir)
            .env_clear()
            .envs(self.child_environment().map(|(k, v)| (k, v)))
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .envs(
                run.vars
                    .iter()
                    .map(|v| (format!("TF_VAR_{}", v.name), &v.value)),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let child = command.spawn().map_err(|e| RunnerError::Spawn {
            step,
            message: format!("{}: {e}", run.binary.display()),
        })?;
        let group = child.id();
        match tokio::time::timeout_at(run.deadline, child.wait_with_output()).await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(e)) => Err(RunnerError::Spawn {
                step,
                message: e.to_string(),
            }),
            Err(_elapsed) => {
                // The leader is killed on drop; providers it started share its group.
                if let Some(group) = group {
                    kill_group(group);
                }
                Err(RunnerError::Timeout {
                    step,
                    after: run.timeout,
                })
            }
        }
    }
}

/// Kills a process group, best effort (the leader is killed on drop anyway).
fn kill_group(group: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{group}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// What one run shares between its steps.
struct Run<'a> {
    working_dir: &'a std::path::Path,
    vars: &'a [PlanVar],
    timeout: Duration,
    binary: &'a std::path::Path,
    deadline: Instant,
    redactor: Redactor,
}

impl Run<'_> {
    /// A failure of `step`, with the masked tail of its stderr (or stdout).
    fn failed(&self, step: Step, output: &Output) -> RunnerError {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let text = if stderr.trim().is_empty() {
            String::from_utf8_lossy(&output.stdout)
        } else {
            stderr
        };
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(STDERR_TAIL_LINES)..].join("\n");
        RunnerError::Failed {
            step,
            exit_code: output.status.code(),
            stderr_tail: self.redactor.redact(&tail),
        }
    }

    fn expect_success(&self, step: Step, output: Output) -> Result<Output, RunnerError> {
        if output.status.success() {
            Ok(output)
        } else {
            Err(self.failed(step, &output))
        }
    }
}

/// Masks the sensitive variables' values.
fn sensitive_redactor(vars: &[PlanVar]) -> Redactor {
    Redactor::new(vars.iter().filter(|v| v.sensitive).map(|v| v.value.clone()))
}

/// What `plan -detailed-exitcode` said, `None` when it failed.
fn plan_exit(plan: &Output) -> Option<PlanExit> {
    match plan.status.code() {
        Some(0) => Some(PlanExit::NoChanges),
        Some(2) => Some(PlanExit::Changes),
        _ => None,
    }
}

/// Whether a failed plan says the working directory needs `init` (a backend,
/// module or provider that the reused `.terraform` does not match).
fn asks_for_init(plan: &Output) -> bool {
    let said = String::from_utf8_lossy(&plan.stderr);
    said.contains("terraform init") || said.contains("tofu init")
}

impl TerraformRunner {
    /// `init`, then keeps the result in the init cache when the request has a key.
    async fn init(&self, run: &Run<'_>, request: &PlanRequest) -> Result<(), RunnerError> {
        let _one_at_a_time = self.init_serial.lock().await;
        let init = self
            .run(
                run,
                Step::Init,
                &["init", "-input=false", "-no-color"].map(OsStr::new),
            )
            .await?;
        run.expect_success(Step::Init, init)?;
        if let (Some(cache), Some(key)) = (&self.init_cache, &request.init_key)
            && let Err(error) = cache.save(key, &request.working_dir)
        {
            tracing::warn!(%error, "could not keep .terraform for reuse");
        }
        Ok(())
    }

    /// Selects (or creates) the request's workspace. Kept in the checkout
    /// (`.terraform/environment`): a later apply of the saved plan runs in
    /// the same workspace.
    async fn select_workspace(
        &self,
        run: &Run<'_>,
        request: &PlanRequest,
    ) -> Result<(), RunnerError> {
        let Some(workspace) = &request.workspace else {
            return Ok(());
        };
        let select = [
            OsStr::new("workspace"),
            OsStr::new("select"),
            OsStr::new("-or-create=true"),
            OsStr::new(workspace),
        ];
        let selected = self.run(run, Step::Init, &select).await?;
        run.expect_success(Step::Init, selected).map(drop)
    }

    fn plan_args(&self, request: &PlanRequest) -> Vec<OsString> {
        let mut out = OsString::from("-out=");
        out.push(&request.plan_file);
        let mut args: Vec<OsString> = ["plan", "-input=false", "-no-color"]
            .map(OsString::from)
            .to_vec();
        args.push(format!("-lock-timeout={}s", self.lock_timeout.as_secs()).into());
        args.push(out);
        args.push("-detailed-exitcode".into());
        if !request.refresh {
            args.push("-refresh=false".into());
        }
        for file in &request.var_files {
            let mut arg = OsString::from("-var-file=");
            arg.push(file);
            args.push(arg);
        }
        args
    }

    /// What the steps of one run share; its deadline starts now.
    fn start_run<'a>(
        &'a self,
        working_dir: &'a std::path::Path,
        vars: &'a [PlanVar],
        timeout: Duration,
        binary: Option<&'a std::path::Path>,
    ) -> Run<'a> {
        Run {
            working_dir,
            vars,
            timeout,
            binary: binary.unwrap_or(&self.binary),
            deadline: Instant::now() + timeout,
            redactor: sensitive_redactor(vars),
        }
    }

    async fn slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, RunnerError> {
        self.concurrency
            .acquire()
            .await
            .map_err(|_| RunnerError::Spawn {
                step: Step::Queue,
                message: "the runner is shutting down".to_owned(),
            })
    }
}

#[async_trait]
impl Runner for TerraformRunner {
    async fn apply(&self, request: &ApplyRequest) -> Result<ApplyOutcome, RunnerError> {
        let started = Instant::now();
        let _slot = self.slot().await?;
        let run = self.start_run(
            &request.working_dir,
            &request.vars,
            request.timeout,
            request.binary.as_deref(),
        );
        let lock_timeout = format!("-lock-timeout={}s", self.lock_timeout.as_secs());
        let args = [
            OsStr::new("apply"),
            OsStr::new("-input=false"),
            OsStr::new("-no-color"),
            OsStr::new(&lock_timeout),
            request.plan_file.as_os_str(),
        ];
        let output = self.run(&run, Step::Apply, &args).await?;
        let output = run.expect_success(Step::Apply, output)?;
        Ok(ApplyOutcome {
            output: run
                .redactor
                .redact(&String::from_utf8_lossy(&output.stdout)),
            duration: started.elapsed(),
        })
    }

    async fn plan(&self, request: &PlanRequest) -> Result<PlanOutcome, RunnerError> {
        let queued_at = Instant::now();
        let _slot = self.slot().await?;
        let mut durations = StepDurations {
            queued: queued_at.elapsed(),
            ..StepDurations::default()
        };
        let run = self.start_run(
            &request.working_dir,
            &request.vars,
            request.timeout,
            request.binary.as_deref(),
        );

        let started = Instant::now();
        let cache = self.init_cache.as_ref().zip(request.init_key.as_deref());
        let reused = cache.is_some_and(|(cache, key)| cache.restore(key, &request.working_dir));
        if !reused {
            self.init(&run, request).await?;
        }
        self.select_workspace(&run, request).await?;
        durations.init = started.elapsed();

        let started = Instant::now();
        let mut plan = self.run(&run, Step::Plan, &self.plan_args(request)).await?;
        if reused && plan_exit(&plan).is_none() && asks_for_init(&plan) {
            // Terraform refused the reused `.terraform`: init for real.
            if let Some((cache, key)) = cache {
                tracing::warn!(key, "a reused .terraform was refused; running init");
                cache.forget(key);
            }
            self.init(&run, request).await?;
            self.select_workspace(&run, request).await?;
            plan = self.run(&run, Step::Plan, &self.plan_args(request)).await?;
        }
        let Some(exit) = plan_exit(&plan) else {
            return Err(run.failed(Step::Plan, &plan));
        };
        durations.plan = started.elapsed();

        let started = Instant::now();
        let show_json = [
            OsStr::new("show"),
            OsStr::new("-json"),
            request.plan_file.as_os_str(),
        ];
        let json = self.run(&run, Step::ShowJson, &show_json).await?;
        let json = run.expect_success(Step::ShowJson, json)?;
        durations.show = started.elapsed();
        let text = plan_text::plan_text(&String::from_utf8_lossy(&plan.stdout));

        let plan = PlanJson::parse(&json.stdout).map_err(|e| RunnerError::Malformed {
            step: Step::ShowJson,
            message: e.to_string(),
        })?;
        let redactor = run.redactor.with_plan(&plan);
        Ok(PlanOutcome {
            raw_json: RawPlanJson(json.stdout),
            exit,
            plan_text: redactor.redact(&text),
            plan,
            durations,
        })
    }
}
