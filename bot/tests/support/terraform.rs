//! The real `terraform` on `PATH` (scripts/test provides it), as the tests
//! that run it need it. Included with `#[path]` by tests that need only this.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Fails the test, saying how to get it, when `terraform` is not on `PATH`.
pub fn require_terraform() {
    let found = Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`terraform` is not on PATH: run the tests through scripts/test, or `source scripts/tools.sh && install_python_tools` first"
    );
}

/// `terraform init` and `apply` in the root `dir`, as an operator would,
/// outside bosun; fails the test when either fails.
pub fn init_and_apply(dir: &Path) {
    for args in [
        &["init", "-input=false", "-no-color"][..],
        &["apply", "-input=false", "-no-color", "-auto-approve"][..],
    ] {
        let out = Command::new("terraform")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("terraform");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
