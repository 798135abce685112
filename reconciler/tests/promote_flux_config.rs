//! Promotion over the real `flux-config/` overlays.

use std::collections::BTreeMap;
use std::path::Path;

use bosun_reconciler::promote::{
    self, EditedFile, EnvVersions, PromoteError, VersionKey, VersionRef,
};
use chrono::{TimeZone, Utc};

type Files = Vec<(String, String)>;

/// The overlay files of one environment, paths relative to `flux-config/`.
fn env_files(env: &str) -> Files {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../flux-config");
    let mut files = Vec::new();
    for dir in [
        format!("apps/{env}"),
        format!("infrastructure/controllers/{env}"),
    ] {
        let mut names: Vec<_> = std::fs::read_dir(root.join(&dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        names.sort();
        for name in names {
            let path = format!("{dir}/{name}");
            let text = std::fs::read_to_string(root.join(&path)).unwrap();
            files.push((path, text));
        }
    }
    files
}

fn versions(files: &Files) -> EnvVersions {
    promote::extract(files).unwrap()
}

fn key(text: &str) -> String {
    text.to_owned()
}

/// The lines that differ between the old and new text of each edited file,
/// for edits that replace values only (same line count).
fn changed_lines(files: &Files, edited: &[EditedFile]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for file in edited {
        let old = &files.iter().find(|(p, _)| *p == file.path).unwrap().1;
        assert_eq!(
            old.lines().count(),
            file.text.lines().count(),
            "{}",
            file.path
        );
        for (a, b) in old.lines().zip(file.text.lines()) {
            if a != b {
                out.push((file.path.clone(), a.to_owned(), b.to_owned()));
            }
        }
    }
    out
}

/// Every line that is not a version line, in order: must be equal before
/// and after any edit.
fn non_version_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            !["newTag:", "digest:", "version:", "tag:", "semver:"]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .collect()
}

#[test]
fn stg_to_prd_moves_exactly_the_versions_in_the_readme_table() {
    let (stg, prd) = (env_files("stg"), env_files("prd"));
    let plan = promote::plan(&versions(&stg), &versions(&prd), &[]).unwrap();
    let keys: Vec<&str> = plan.changes.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "chart:ingress-nginx/ingress-nginx-internal",
            "chart:ingress-nginx/ingress-nginx-public",
            "chart:vector-db/qdrant",
            "image:crplatformuaenorth.azurecr.io/mlops/mlflow-server",
            "image:crplatformuaenorth.azurecr.io/vllm/vllm-openai",
            "oci:cert-manager/cert-manager",
        ]
    );
    assert!(plan.only_in_from.is_empty() && plan.only_in_to.is_empty());

    let edited = promote::apply_changes(&prd, &versions(&prd), &plan).unwrap();
    let paths: Vec<&str> = edited.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "apps/prd/kustomization.yaml",
            "apps/prd/versions.yaml",
            "infrastructure/controllers/prd/versions.yaml",
        ]
    );
    let digest_stg = "sha256:c8b7310dbea989354d2c3b69c36ac79463a2f7d697d1db85afe214919d401463";
    let digest_prd = "sha256:210771442e61b5b750a142523d1ca1fb19be52ac177d9c0bca0f18a07c86fad3";
    let line = |path: &str, old: &str, new: &str| (path.to_owned(), old.to_owned(), new.to_owned());
    assert_eq!(
        changed_lines(&prd, &edited),
        [
            line(
                "apps/prd/kustomization.yaml",
                "    newTag: v0.10.2",
                "    newTag: v0.11.0"
            ),
            line(
                "apps/prd/kustomization.yaml",
                &format!("    digest: {digest_prd}"),
                &format!("    digest: {digest_stg}")
            ),
            line(
                "apps/prd/kustomization.yaml",
                "    newTag: v3.4.0",
                "    newTag: v3.5.0"
            ),
            line(
                "apps/prd/versions.yaml",
                "      version: 1.15.4",
                "      version: 1.16.0"
            ),
            line(
                "infrastructure/controllers/prd/versions.yaml",
                "      version: 4.13.3",
                "      version: 4.14.0"
            ),
            line(
                "infrastructure/controllers/prd/versions.yaml",
                "      version: 4.13.3",
                "      version: 4.14.0"
            ),
            line(
                "infrastructure/controllers/prd/versions.yaml",
                "    tag: v1.18.2",
                "    tag: v1.19.1"
            ),
        ]
    );

    // Promoting again from the edited prd is a no-op: prd now runs stg's versions.
    let mut after = prd.clone();
    for file in &edited {
        after.iter_mut().find(|(p, _)| *p == file.path).unwrap().1 = file.text.clone();
    }
    assert!(
        promote::plan(&versions(&stg), &versions(&after), &[])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn stg_to_prd_table_names_each_move() {
    let (stg, prd) = (env_files("stg"), env_files("prd"));
    let plan = promote::plan(&versions(&stg), &versions(&prd), &[]).unwrap();
    let since = BTreeMap::from([(
        plan.changes[2].key.clone(),
        Utc.with_ymd_and_hms(2025, 11, 3, 9, 30, 0).unwrap(),
    )]);
    insta::assert_snapshot!(promote::change_table("stg", "prd", &plan, &since));
}

#[test]
fn promoting_one_app_moves_only_its_version() {
    let (stg, prd) = (env_files("stg"), env_files("prd"));
    let plan = promote::plan(&versions(&stg), &versions(&prd), &[key("qdrant")]).unwrap();
    assert_eq!(plan.changes.len(), 1);
    let edited = promote::apply_changes(&prd, &versions(&prd), &plan).unwrap();
    assert_eq!(
        changed_lines(&prd, &edited),
        [(
            "apps/prd/versions.yaml".to_owned(),
            "      version: 1.15.4".to_owned(),
            "      version: 1.16.0".to_owned()
        )]
    );
}

#[test]
fn an_app_is_named_as_people_say_it() {
    let (stg, prd) = (env_files("stg"), env_files("prd"));
    let plan = promote::plan(&versions(&stg), &versions(&prd), &[key("vllm")]).unwrap();
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].app, "vllm-openai");
}

#[test]
fn an_unknown_app_lists_the_known_ones() {
    let (stg, prd) = (env_files("stg"), env_files("prd"));
    let err = promote::plan(
        &versions(&stg),
        &versions(&prd),
        &[key("qdrant"), key("vlm")],
    )
    .unwrap_err();
    let PromoteError::UnknownApp { app, known } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(app, "vlm");
    assert!(known.contains(&key("vllm-openai")) && known.contains(&key("cert-manager")));
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn equal_environments_have_nothing_to_promote() {
    let stg = env_files("stg");
    let plan = promote::plan(&versions(&stg), &versions(&stg), &[]).unwrap();
    assert!(plan.is_empty());
    assert!(
        promote::apply_changes(&stg, &versions(&stg), &plan)
            .unwrap()
            .is_empty()
    );
    insta::assert_snapshot!(promote::nothing_to_promote("stg", "prd", &[]));
    insta::assert_snapshot!(
        "nothing_to_promote_for_apps",
        promote::nothing_to_promote("stg", "prd", &[key("qdrant"), key("mlflow-server")])
    );
}

#[test]
fn dev_to_stg_swaps_the_oci_semver_for_a_tag_and_reports_one_sided_versions() {
    let (dev, stg) = (env_files("dev"), env_files("stg"));
    let plan = promote::plan(&versions(&dev), &versions(&stg), &[]).unwrap();
    assert!(
        plan.changes
            .iter()
            .any(|c| c.key.as_str() == "oci:cert-manager/cert-manager")
    );
    let edited = promote::apply_changes(&stg, &versions(&stg), &plan).unwrap();
    let infra = edited
        .iter()
        .find(|f| f.path == "infrastructure/controllers/stg/versions.yaml")
        .unwrap();
    assert!(
        infra
            .text
            .contains("  ref:\n    semver: \">=1.19.0 <1.20.0\"\n---"),
        "{}",
        infra.text
    );
    assert!(!infra.text.contains("tag: v1.19.1"));
    for file in &edited {
        let old = &stg.iter().find(|(p, _)| *p == file.path).unwrap().1;
        assert_eq!(non_version_lines(old), non_version_lines(&file.text));
    }
    // And back: stg -> dev puts the tag where the semver was.
    let back = promote::plan(&versions(&stg), &versions(&dev), &[key("cert-manager")]).unwrap();
    let edited = promote::apply_changes(&dev, &versions(&dev), &back).unwrap();
    assert!(edited[0].text.contains("  # dev follows cert-manager patch releases automatically within 1.19.\n  ref:\n    tag: v1.19.1\n---"), "{}", edited[0].text);
}

#[test]
fn ops_only_versions_are_not_in_the_other_environment() {
    let (ops, stg) = (env_files("ops"), env_files("stg"));
    let plan = promote::plan(&versions(&ops), &versions(&stg), &[]).unwrap();
    let only: Vec<&str> = plan.only_in_from.iter().map(VersionKey::as_str).collect();
    assert!(
        only.contains(&"oci:bosun/bosun") && only.contains(&"chart:lgtm/mimir"),
        "{only:?}"
    );
    assert!(
        plan.only_in_to
            .iter()
            .any(|k| k.as_str() == "chart:gpu-operator/gpu-operator")
    );
    assert!(plan.changes.is_empty(), "{:?}", plan.changes);
}

#[test]
fn rollback_applies_an_arbitrary_version_set() {
    let prd = env_files("prd");
    let current = versions(&prd);
    let targets = [
        VersionRef::Image {
            name: "crplatformuaenorth.azurecr.io/vllm/vllm-openai".into(),
            tag: Some("v0.10.1".into()),
            digest: None,
        },
        VersionRef::Image {
            name: "crplatformuaenorth.azurecr.io/mlops/mlflow-server".into(),
            tag: Some("v3.3.2".into()),
            digest: Some("sha256:0123".into()),
        },
        VersionRef::Chart {
            namespace: "vector-db".into(),
            release: "qdrant".into(),
            version: "1.15".into(),
        },
    ];
    let edited = promote::apply(&prd, &current, &targets).unwrap();
    let kustomization = &edited[0].text;
    assert!(kustomization.contains(
        "  - name: crplatformuaenorth.azurecr.io/vllm/vllm-openai\n    newTag: v0.10.1\n  - name: crplatformuaenorth.azurecr.io/platform/model-puller"
    ));
    assert!(kustomization.contains(
        "  - name: crplatformuaenorth.azurecr.io/mlops/mlflow-server\n    newTag: v3.3.2\n    digest: sha256:0123\npatches:"
    ));
    assert!(edited[1].text.ends_with("      version: \"1.15\"\n"));
    let mut after = prd.clone();
    for file in &edited {
        let slot = after.iter_mut().find(|(p, _)| *p == file.path).unwrap();
        assert_eq!(non_version_lines(&slot.1), non_version_lines(&file.text));
        slot.1 = file.text.clone();
    }
    let read = versions(&after);
    for target in &targets {
        assert_eq!(&read.get(&target.key()).unwrap().version, target);
    }
    let missing = VersionRef::Chart {
        namespace: "lgtm".into(),
        release: "mimir".into(),
        version: "5.8.0".into(),
    };
    assert!(matches!(
        promote::apply(&prd, &current, &[missing]),
        Err(PromoteError::NotInOverlay { .. })
    ));
}

#[test]
fn quoted_values_stay_quoted_and_comments_stay() {
    let files: Files = vec![
        (
            "kustomization.yaml".into(),
            "images:\n  # the API\n  - name: cr.io/team/api # main\n    newTag: \"v1.0.0\"  # pinned\n    digest: 'sha256:aa'\n".into(),
        ),
        (
            "versions.yaml".into(),
            "---\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  chart:\n    spec:\n      version: '1.2.0' # chart\n".into(),
        ),
    ];
    let current = versions(&files);
    let targets = [
        VersionRef::Image {
            name: "cr.io/team/api".into(),
            tag: Some("v1.1.0".into()),
            digest: Some("sha256:bb".into()),
        },
        VersionRef::Chart {
            namespace: "apps".into(),
            release: "web".into(),
            version: "1.3.0".into(),
        },
    ];
    let edited = promote::apply(&files, &current, &targets).unwrap();
    assert_eq!(
        edited[0].text,
        "images:\n  # the API\n  - name: cr.io/team/api # main\n    newTag: \"v1.1.0\"  # pinned\n    digest: 'sha256:bb'\n"
    );
    assert_eq!(
        edited[1].text,
        "---\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  chart:\n    spec:\n      version: '1.3.0' # chart\n"
    );
}
