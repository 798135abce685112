//! Property: for generated overlays, writing any target versions and reading
//! them back gives exactly those versions, and no other line changes.

use bosun_reconciler::promote::{self, VersionRef};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1.6".to_owned()),
        Just("10".to_owned()),
        Just("true".to_owned()),
        Just("it's".to_owned()),
        Just(">=1.19.0 <1.20.0".to_owned()),
        Just("a \"b\" #c".to_owned()),
        "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}",
        "v[0-9]\\.[0-9]{1,2}\\.[0-9](-rc\\.[0-9])?",
        "sha256:[0-9a-f]{12}",
    ]
}

fn quote() -> impl Strategy<Value = u8> {
    0u8..3
}

/// A version with its fields and the quoting of each field in the source.
#[derive(Debug, Clone)]
struct Fields {
    tag: Option<(String, u8)>,
    semver: Option<(String, u8)>,
    digest: Option<(String, u8)>,
    version: (String, u8),
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        proptest::option::of((value(), quote())),
        proptest::option::of((value(), quote())),
        proptest::option::of((value(), quote())),
        (value(), quote()),
    )
        .prop_map(|(tag, semver, digest, version)| {
            let tag = if tag.is_none() && digest.is_none() && semver.is_none() {
                Some(("v1".to_owned(), 0))
            } else {
                tag
            };
            Fields {
                tag,
                semver,
                digest,
                version,
            }
        })
}

fn written(value: &str, quote: u8) -> String {
    match quote {
        1 => format!("'{}'", value.replace('\'', "''")),
        2 => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
        // Plain only where plain reads back as the same string.
        _ if value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".:-".contains(c))
            && value.chars().any(|c| c.is_ascii_alphabetic())
            && value != "true" =>
        {
            value.to_owned()
        }
        _ => format!("\"{}\"", value.replace('"', "\\\"")),
    }
}

fn line(out: &mut String, indent: &str, key: &str, field: &Option<(String, u8)>) {
    if let Some((v, q)) = field {
        out.push_str(&format!("{indent}{key}: {}\n", written(v, *q)));
    }
}

/// A kustomization (images, one inline patch) and a versions file.
fn overlay(apps: &[Fields]) -> Vec<(String, String)> {
    let mut kustomization = String::from("# generated\nresources:\n  - ../base\nimages:\n");
    let mut versions = String::from("# versions\n");
    for (i, f) in apps.iter().enumerate() {
        kustomization.push_str(&format!("  # app {i}\n  - name: cr.io/team/app{i}\n"));
        let image_tag = f.tag.clone().or_else(|| f.semver.clone());
        line(&mut kustomization, "    ", "newTag", &image_tag);
        line(&mut kustomization, "    ", "digest", &f.digest);
        versions.push_str(&format!(
            "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: rel{i}\n  namespace: ns{i}\nspec:\n  replicas: 3 # never moves\n  chart:\n    spec:\n      chart: rel\n      version: {}\n---\nkind: OCIRepository\nmetadata:\n  name: oci{i}\n  namespace: ns{i}\nspec:\n  interval: 10m\n  ref:\n",
            written(&f.version.0, f.version.1)
        ));
        line(&mut versions, "    ", "tag", &f.tag);
        line(&mut versions, "    ", "semver", &f.semver);
        line(&mut versions, "    ", "digest", &f.digest);
        versions.push_str("  url: oci://cr.io/charts/x\n");
    }
    kustomization.push_str(
        "patches:\n  - path: versions.yaml\n  - patch: |-\n      kind: HelmRelease\n      metadata:\n        name: inline\n        namespace: ns\n\n      spec:\n        chart:\n          spec:\n            version: 1.0.0 # inline\n    target:\n      kind: HelmRelease\n",
    );
    vec![
        ("kustomization.yaml".to_owned(), kustomization),
        ("versions.yaml".to_owned(), versions),
    ]
}

fn targets(apps: &[Fields]) -> Vec<VersionRef> {
    let own = |f: &Option<(String, u8)>| f.as_ref().map(|(v, _)| v.clone());
    let mut out = Vec::new();
    for (i, f) in apps.iter().enumerate() {
        out.push(VersionRef::Image {
            name: format!("cr.io/team/app{i}"),
            tag: own(&f.tag).or_else(|| own(&f.semver)),
            digest: own(&f.digest),
        });
        out.push(VersionRef::Chart {
            namespace: format!("ns{i}"),
            release: format!("rel{i}"),
            version: f.version.0.clone(),
        });
        out.push(VersionRef::OciRef {
            namespace: format!("ns{i}"),
            name: format!("oci{i}"),
            tag: own(&f.tag),
            semver: own(&f.semver),
            digest: own(&f.digest),
        });
    }
    out.push(VersionRef::Chart {
        namespace: "ns".into(),
        release: "inline".into(),
        version: apps[0].version.0.clone(),
    });
    out
}

fn non_version_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| {
            let l = l.trim_start();
            !["newTag:", "digest:", "version:", "tag:", "semver:"]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn edit_then_extract_round_trips(
        (now, then) in (1usize..5).prop_flat_map(|n| (
            proptest::collection::vec(fields(), n),
            proptest::collection::vec(fields(), n),
        ))
    ) {
        let files = overlay(&now);
        let current = promote::extract(&files).unwrap();
        prop_assert_eq!(current.len(), now.len() * 3 + 1);
        let wanted = targets(&then);
        let edited = promote::apply(&files, &current, &wanted).unwrap();
        let mut after = files.clone();
        for file in &edited {
            let slot = after.iter_mut().find(|(p, _)| *p == file.path).unwrap();
            prop_assert_eq!(non_version_lines(&slot.1), non_version_lines(&file.text));
            slot.1 = file.text.clone();
        }
        let read = promote::extract(&after).unwrap();
        prop_assert_eq!(read.len(), wanted.len());
        for target in &wanted {
            prop_assert_eq!(&read.get(&target.key()).unwrap().version, target);
        }
        // Writing the same versions again changes nothing.
        prop_assert!(promote::apply(&after, &read, &wanted).unwrap().is_empty());
    }
}
