//! Which versions differ between two environments.

use super::error::PromoteError;
use super::versions::{EnvVersions, VersionKey, VersionKind, VersionRef};

/// One version that moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The version's key.
    pub key: VersionKey,
    /// The app name (see [`VersionRef::app`]).
    pub app: String,
    /// Image, chart or OCI ref.
    pub kind: VersionKind,
    /// The version the target environment has now.
    pub current: VersionRef,
    /// The version it gets (the source environment's).
    pub new: VersionRef,
}

/// Everything a promotion from one environment to another would move.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Versions that differ, by key order.
    pub changes: Vec<Change>,
    /// Versions the source has and the target has not: not moved.
    pub only_in_from: Vec<VersionKey>,
    /// Versions the target has and the source has not: left alone.
    pub only_in_to: Vec<VersionKey>,
}

impl ChangeSet {
    /// Whether nothing would move.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The versions the target gets.
    pub fn targets(&self) -> impl Iterator<Item = &VersionRef> {
        self.changes.iter().map(|c| &c.new)
    }
}

/// Whether the word a person typed names `app`: the app itself, or the app
/// name it starts at a `-` boundary (`vllm` names `vllm-openai`, `mlflow`
/// names `mlflow-server`, `ingress-nginx` names both ingress releases).
pub fn names(word: &str, app: &str) -> bool {
    app == word
        || app
            .strip_prefix(word)
            .is_some_and(|rest| rest.starts_with('-'))
}

/// Compares `from` (the source) with `to` (the target). With `only`
/// non-empty, keeps the versions whose [`VersionRef::app`] one of those
/// words [`names`]; a word that names nothing on either side is
/// [`PromoteError::UnknownApp`].
pub fn plan(
    from: &EnvVersions,
    to: &EnvVersions,
    only: &[String],
) -> Result<ChangeSet, PromoteError> {
    if !only.is_empty() {
        let mut known = from.apps();
        known.extend(to.apps());
        known.sort();
        known.dedup();
        if let Some(app) = only
            .iter()
            .find(|word| !known.iter().any(|app| names(word, app)))
        {
            return Err(PromoteError::UnknownApp {
                app: app.clone(),
                known,
            });
        }
    }
    let wanted = |v: &VersionRef| only.is_empty() || only.iter().any(|w| names(w, v.app()));
    let mut set = ChangeSet::default();
    for (key, source) in from.iter().filter(|(_, l)| wanted(&l.version)) {
        match to.get(key) {
            None => set.only_in_from.push(key.clone()),
            Some(target) if !target.version.same_version(&source.version) => {
                set.changes.push(Change {
                    key: key.clone(),
                    app: source.version.app().to_owned(),
                    kind: source.version.kind(),
                    current: target.version.clone(),
                    new: source.version.clone(),
                });
            }
            Some(_) => {}
        }
    }
    set.only_in_to = to
        .iter()
        .filter(|(k, l)| wanted(&l.version) && from.get(k).is_none())
        .map(|(k, _)| k.clone())
        .collect();
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn a_word_names_an_app_or_the_apps_it_prefixes_at_a_dash() {
        assert!(names("vllm", "vllm"));
        assert!(names("vllm", "vllm-openai"));
        assert!(names("ingress-nginx", "ingress-nginx-public"));
        assert!(!names("vll", "vllm-openai"));
        assert!(!names("vllm-openai-x", "vllm-openai"));
        assert!(!names("ml", "mlflow-server"));
    }
}
