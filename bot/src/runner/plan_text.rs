//! The human-readable plan, taken from `terraform plan`'s own output rather
//! than a second `terraform show` of the plan file (one process fewer per
//! run, as Atlantis does).
//!
//! With `TF_IN_AUTOMATION` set, `plan -no-color` prints exactly what
//! `show -no-color` prints for the saved plan, preceded by one progress line
//! per object refreshed or read (`aws_x.y: Refreshing state... [id=...]`,
//! in no fixed order) and followed by any warnings. The progress lines are
//! dropped; the warnings are kept, since a reviewer wants them.

/// What Terraform and OpenTofu print, after an object's address, while they
/// refresh, read, open or import it.
const PROGRESS: [&str; 11] = [
    ": Refreshing state...",
    ": Still refreshing...",
    ": Reading...",
    ": Still reading...",
    ": Read complete after ",
    ": Opening...",
    ": Opening complete after ",
    ": Closing...",
    ": Closing complete after ",
    ": Preparing import...",
    ": Importing from ID ",
];

/// The plan as `show` would render it, from `plan`'s standard output.
pub fn plan_text(stdout: &str) -> String {
    let body = stdout
        .lines()
        .skip_while(|line| line.trim().is_empty() || is_progress(line))
        .collect::<Vec<_>>()
        .join("\n");
    if body.is_empty() { body } else { body + "\n" }
}

/// A progress line names an object at its start, never indented as the
/// lines of a rendered change are.
fn is_progress(line: &str) -> bool {
    !line.starts_with(char::is_whitespace) && PROGRESS.iter().any(|p| line.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `terraform plan -no-color -out=p.tfplan` (1.15, `TF_IN_AUTOMATION=1`)
    /// over three applied `terraform_data` resources, one of them edited.
    const PLAN: &str = "\
terraform_data.a: Refreshing state... [id=c26124fc-0fd0-fa62-addb-e556210b2644]
terraform_data.s: Refreshing state... [id=cd9d1870-3253-1d94-e480-26faaa8c6763]
terraform_data.b: Refreshing state... [id=7ee6d704-58e2-1076-f562-814e30e04e2d]

Terraform used the selected providers to generate the following execution
plan. Resource actions are indicated with the following symbols:
  ~ update in-place

Terraform will perform the following actions:

  # terraform_data.b will be updated in-place
  ~ resource \"terraform_data\" \"b\" {
        id     = \"7ee6d704-58e2-1076-f562-814e30e04e2d\"
      ~ input  = \"two\" -> \"three: Refreshing state...\"
      ~ output = \"two\" -> (known after apply)
    }

Plan: 0 to add, 1 to change, 0 to destroy.
";

    #[test]
    fn progress_lines_go_and_the_rendered_plan_stays_whole() {
        let text = plan_text(PLAN);
        assert!(text.starts_with("Terraform used the selected providers"));
        assert!(text.ends_with("Plan: 0 to add, 1 to change, 0 to destroy.\n"));
        assert!(text.contains("\"three: Refreshing state...\""));
        assert!(!text.contains("[id=c26124fc"));
    }

    #[test]
    fn data_sources_read_during_the_plan_are_progress_too() {
        let out = "data.http.x: Reading...\ndata.http.x: Read complete after 0s [id=https://x]\n\nNo changes. Your infrastructure matches the configuration.\n";
        assert_eq!(
            plan_text(out),
            "No changes. Your infrastructure matches the configuration.\n"
        );
        assert_eq!(plan_text(""), "");
    }
}
