//! The init key: a fingerprint of everything `terraform init` reads, so a
//! runner can reuse the `.terraform` folder of an earlier init with the same
//! key instead of running `init` again in every fresh checkout.
//!
//! `init` configures the backend, installs modules and installs providers.
//! What it reads, in the root and every local module the root calls:
//! - the `terraform` blocks (backend or cloud, `required_providers`,
//!   `required_version`);
//! - every `module` call's name, `source` and `version`;
//! - the providers the configuration uses: the prefix of each `resource`,
//!   `data` and `ephemeral` type, their `provider` arguments, and `provider`
//!   blocks;
//! - the dependency lock file, `.terraform.lock.hcl`.
//!
//! A remote module whose content can change under the same address (a git
//! branch, a registry version range) gives no key: a fresh `init` might
//! fetch a newer one, so `init` always runs, as it would without reuse.
//!
//! Everything else (a resource's arguments, variables, outputs, locals)
//! leaves the key as it was, so a pull request that edits resources plans
//! without a new `init`. When the configuration can make `init` depend on
//! more than that (OpenTofu's variables in a backend or a module source, a
//! `.tf.json` file), the key covers every file's whole text instead. A file
//! that is not valid HCL gives no key: `init` runs, and says what is wrong.

use super::checkout::ProjectFiles;
use crate::ports::forge::RepoFile;
use hcl::{Block, Body, Expression};
use sha2::{Digest, Sha256};

/// The dependency lock file's name.
const LOCK_FILE: &str = ".terraform.lock.hcl";

/// Block types whose first label names a type of some provider.
const TYPED_BLOCKS: [&str; 3] = ["resource", "data", "ephemeral"];

/// The init key of `files` for `program` (`terraform` or `tofu`), or `None`
/// when the configuration cannot be read.
pub fn init_key(program: &str, files: &ProjectFiles) -> Option<String> {
    let mut sorted: Vec<&RepoFile> = files.files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let inputs = match init_inputs(&sorted)? {
        Some(inputs) => inputs,
        None => whole_texts(&sorted),
    };
    let mut hash = Sha256::new();
    hash.update(program.as_bytes());
    hash.update([0]);
    hash.update(inputs.as_bytes());
    Some(hex::encode(hash.finalize()))
}

/// The parts of each file that `init` reads; `Some(None)` when only the
/// whole texts will do, `None` when a file is not valid HCL.
fn init_inputs(files: &[&RepoFile]) -> Option<Option<String>> {
    let mut inputs = String::new();
    for file in files {
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        if name == LOCK_FILE {
            push_part(&mut inputs, &file.path, "lock", &file.text);
        } else if name.ends_with(".tf.json") || name.ends_with(".tofu.json") {
            return Some(None);
        } else if name.ends_with(".tf") || name.ends_with(".tofu") {
            let body = hcl::parse(&file.text).ok()?;
            for block in body.blocks() {
                match block_part(block) {
                    Part::Ignored => {}
                    Part::Text(kind, text) => push_part(&mut inputs, &file.path, kind, &text),
                    Part::Dynamic => return Some(None),
                    Part::Unpinned => return None,
                }
            }
        }
    }
    Some(Some(inputs))
}

/// What one top-level block gives the key.
enum Part {
    /// Nothing: `init` does not read it.
    Ignored,
    /// This text, under this kind.
    Text(&'static str, String),
    /// An expression `init` would evaluate: only whole texts will do.
    Dynamic,
    /// A remote module whose content can move under the same address (a
    /// branch, a version range): a fresh `init` may fetch something newer,
    /// so no earlier one may stand in for it.
    Unpinned,
}

fn block_part(block: &Block) -> Part {
    let first_label = block.labels().first().map(|l| l.as_str()).unwrap_or("");
    match block.identifier() {
        "terraform" => {
            let text = hcl::format::to_string(block).unwrap_or_default();
            if text.contains("var.") || text.contains("local.") {
                Part::Dynamic
            } else {
                Part::Text("terraform", text)
            }
        }
        "module" => {
            let literal = |key| match attribute(block.body(), key) {
                None => Ok(None),
                Some(Expression::String(value)) => Ok(Some(value.as_str())),
                Some(_) => Err(()),
            };
            match (literal("source"), literal("version")) {
                (Ok(Some(source)), Ok(version)) if is_pinned(source, version) => Part::Text(
                    "module",
                    format!("{first_label} source={source} version={version:?}"),
                ),
                (Ok(Some(_)), Ok(_)) => Part::Unpinned,
                _ => Part::Dynamic,
            }
        }
        "provider" => Part::Text("provider", first_label.to_owned()),
        kind if TYPED_BLOCKS.contains(&kind) => Part::Text("uses", provider_of(block)),
        "check" => {
            let nested: Vec<String> = block
                .body()
                .blocks()
                .filter(|b| TYPED_BLOCKS.contains(&b.identifier()))
                .map(provider_of)
                .collect();
            Part::Text("uses", nested.join(","))
        }
        _ => Part::Ignored,
    }
}

/// Whether a module `source` (with its `version`) names one fixed content:
/// a local folder (its files are in the key), a registry module at an exact
/// version, or a git source at a commit or a version tag (`ref=v1.2.3`).
fn is_pinned(source: &str, version: Option<&str>) -> bool {
    if source.starts_with("./") || source.starts_with("../") {
        return true;
    }
    if let Some((_, query)) = source
        .split_once("?ref=")
        .or_else(|| source.split_once("&ref="))
    {
        let reference = query.split('&').next().unwrap_or_default();
        let commit = reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit());
        return commit || is_exact_version(reference.trim_start_matches('v'));
    }
    let registry = !source.contains("::") && !source.contains("://") && !source.contains('?');
    registry && version.is_some_and(|v| is_exact_version(v.trim().trim_start_matches('=').trim()))
}

/// `1.2.3` (with an optional pre-release or build suffix), not a range.
fn is_exact_version(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// The provider a typed block uses: its `provider` argument's local name,
/// else the prefix of its type (`azurerm_storage_account` → `azurerm`).
fn provider_of(block: &Block) -> String {
    let type_prefix = block
        .labels()
        .first()
        .map(|l| l.as_str().split('_').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    match attribute(block.body(), "provider") {
        Some(expression) => {
            let named = hcl::format::to_string(expression).unwrap_or_default();
            let local_name = named.split('.').next().unwrap_or_default();
            format!("{type_prefix}@{local_name}")
        }
        None => type_prefix,
    }
}

fn attribute<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.attributes().find(|a| a.key() == key).map(|a| a.expr())
}

fn push_part(inputs: &mut String, path: &str, kind: &str, text: &str) {
    inputs.push_str(&format!("{path}\0{kind}\0{}\0{text}\0", text.len()));
}

fn whole_texts(files: &[&RepoFile]) -> String {
    let mut inputs = String::new();
    for file in files {
        push_part(&mut inputs, &file.path, "file", &file.text);
    }
    inputs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> ProjectFiles {
        ProjectFiles {
            folders: Default::default(),
            files: entries
                .iter()
                .map(|(path, text)| RepoFile {
                    path: (*path).to_owned(),
                    text: (*text).to_owned(),
                })
                .collect(),
        }
    }

    const ROOT: &str = r#"
terraform {
  backend "azurerm" {
    key = "prd.tfstate"
  }
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
  }
}
module "net" {
  source = "../../modules/network"
}
resource "azurerm_resource_group" "rg" {
  name     = "rg-prd"
  location = "uaenorth"
}
variable "owner" {}
"#;

    fn key_of(root: &str) -> Option<String> {
        init_key(
            "terraform",
            &files(&[
                ("terraform/envs/prd/main.tf", root),
                (
                    "terraform/modules/network/main.tf",
                    "resource \"azurerm_virtual_network\" \"hub\" {}\n",
                ),
            ]),
        )
    }

    #[test]
    fn editing_a_resource_or_a_variable_keeps_the_key() {
        let before = key_of(ROOT).unwrap();
        let edited = ROOT.replace("rg-prd", "rg-prd-2").replace(
            "variable \"owner\" {}",
            "variable \"owner\" { default = \"x\" }",
        );
        assert_eq!(key_of(&edited).unwrap(), before);
    }

    #[test]
    fn what_init_reads_changes_the_key() {
        let before = key_of(ROOT).unwrap();
        let changes = [
            ROOT.replace("prd.tfstate", "prd2.tfstate"),
            ROOT.replace("~> 4.0", "~> 4.1"),
            ROOT.replace("../../modules/network", "../../modules/network2"),
            format!("{ROOT}\nresource \"random_id\" \"x\" {{}}\n"),
            format!("{ROOT}\nprovider \"azuread\" {{}}\n"),
            format!(
                "{ROOT}\nmodule \"dns\" {{\n  source = \"Azure/dns/azurerm\"\n  version = \"1.0.4\"\n}}\n"
            ),
            format!(
                "{ROOT}\ncheck \"up\" {{\n  data \"http\" \"x\" {{ url = \"https://x\" }}\n}}\n"
            ),
        ];
        for changed in changes {
            assert_ne!(key_of(&changed).unwrap(), before, "{changed}");
        }
        let with_lock = init_key(
            "terraform",
            &files(&[
                ("terraform/envs/prd/main.tf", ROOT),
                (
                    "terraform/envs/prd/.terraform.lock.hcl",
                    "provider \"x\" {}\n",
                ),
            ]),
        );
        let other_lock = init_key(
            "terraform",
            &files(&[
                ("terraform/envs/prd/main.tf", ROOT),
                (
                    "terraform/envs/prd/.terraform.lock.hcl",
                    "provider \"y\" {}\n",
                ),
            ]),
        );
        assert_ne!(with_lock, other_lock);
        assert_ne!(
            init_key("tofu", &files(&[("a/main.tf", ROOT)])),
            init_key("terraform", &files(&[("a/main.tf", ROOT)]))
        );
    }

    #[test]
    fn a_module_edit_that_init_does_not_read_keeps_the_key_too() {
        let with = |module: &str| {
            init_key(
                "terraform",
                &files(&[
                    ("terraform/envs/prd/main.tf", ROOT),
                    ("terraform/modules/network/main.tf", module),
                ]),
            )
            .unwrap()
        };
        let base = with("resource \"azurerm_virtual_network\" \"hub\" { name = \"a\" }\n");
        assert_eq!(
            with("resource \"azurerm_virtual_network\" \"hub\" { name = \"b\" }\n"),
            base
        );
        assert_ne!(
            with("resource \"azurerm_virtual_network\" \"hub\" {\n  provider = azurerm.hub\n}\n"),
            base
        );
    }

    #[test]
    fn variables_in_what_init_reads_make_every_byte_count() {
        let dynamic = ROOT.replace(
            "source = \"../../modules/network\"",
            "source = var.network_module",
        );
        let before = key_of(&dynamic).unwrap();
        assert_ne!(
            key_of(&dynamic.replace("rg-prd", "rg-prd-2")).unwrap(),
            before
        );
        let json = init_key("terraform", &files(&[("a/main.tf.json", "{}")])).unwrap();
        let json2 = init_key("terraform", &files(&[("a/main.tf.json", "{ }")])).unwrap();
        assert_ne!(json, json2);
    }

    #[test]
    fn a_remote_module_that_can_move_gives_no_key() {
        let with = |module: &str| key_of(&format!("{ROOT}\n{module}\n"));
        for pinned in [
            "module \"a\" {\n  source = \"Azure/aks/azurerm\"\n  version = \"9.1.0\"\n}",
            "module \"a\" {\n  source = \"Azure/aks/azurerm\"\n  version = \"= 9.1.0\"\n}",
            "module \"a\" {\n  source = \"git::https://example.com/m.git?ref=v1.2.0\"\n}",
            "module \"a\" {\n  source = \"github.com/acme/m?ref=0123456789abcdef0123456789abcdef01234567\"\n}",
        ] {
            assert!(with(pinned).is_some(), "{pinned}");
        }
        for moving in [
            "module \"a\" {\n  source = \"Azure/aks/azurerm\"\n  version = \"~> 9.1\"\n}",
            "module \"a\" {\n  source = \"Azure/aks/azurerm\"\n}",
            "module \"a\" {\n  source = \"git::https://example.com/m.git?ref=main\"\n}",
            "module \"a\" {\n  source = \"git::https://example.com/m.git\"\n}",
            "module \"a\" {\n  source = \"https://example.com/m.zip\"\n}",
        ] {
            assert_eq!(with(moving), None, "{moving}");
        }
    }

    #[test]
    fn a_file_that_is_not_hcl_gives_no_key() {
        assert_eq!(key_of("resource \"x\" {"), None);
    }
}
