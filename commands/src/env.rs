//! Environments: the [`Env`] newtype and the [`EnvCatalog`] that resolves
//! the words people type (`prod`, `Staging`) to canonical environments.

use std::fmt;

/// Longest environment name or alias, in bytes.
const MAX_NAME_LEN: usize = 32;

/// A canonical environment name such as `prd`.
///
/// An `Env` only comes out of an [`EnvCatalog`], so holding one proves the
/// name is known, lowercase and made of `[a-z0-9-]`. There is deliberately no
/// `FromStr`: resolve words through [`EnvCatalog::resolve`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Env(String);

impl Env {
    /// The canonical name, e.g. `"prd"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an environment could not be added to an [`EnvCatalog`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A name or alias is not 1 to 32 characters of `[a-z0-9-]` starting with
    /// a letter or digit.
    #[error(
        "invalid environment name or alias `{0}`: use 1 to 32 lowercase letters, digits or '-', starting with a letter or digit"
    )]
    InvalidName(String),
    /// A name or alias is already taken by an environment of the catalog.
    #[error("environment name or alias `{0}` is declared twice")]
    Duplicate(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    env: Env,
    aliases: Vec<String>,
    protected: bool,
}

/// The environments a repository knows, their aliases, and which are
/// protected (need a stronger role to change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvCatalog {
    entries: Vec<Entry>,
}

impl EnvCatalog {
    /// An empty catalog: no word resolves.
    pub fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    /// Adds an environment with its aliases.
    ///
    /// Names and aliases must be 1 to 32 characters of `[a-z0-9-]` starting
    /// with a letter or digit (a leading `-` would read as a flag), and must
    /// not collide with any name or alias already declared.
    pub fn with_env(
        mut self,
        name: &str,
        aliases: &[&str],
        protected: bool,
    ) -> Result<Self, CatalogError> {
        let mut words: Vec<&str> = Vec::with_capacity(aliases.len() + 1);
        for &word in std::iter::once(&name).chain(aliases) {
            if !is_valid_name(word) {
                return Err(CatalogError::InvalidName(word.to_owned()));
            }
            if words.contains(&word) || self.lookup(word).is_some() {
                return Err(CatalogError::Duplicate(word.to_owned()));
            }
            words.push(word);
        }
        self.entries.push(Entry {
            env: Env(name.to_owned()),
            aliases: aliases.iter().map(|&a| a.to_owned()).collect(),
            protected,
        });
        Ok(self)
    }

    /// Resolves a name or alias, ignoring ASCII case, to its canonical
    /// environment.
    pub fn resolve(&self, word: &str) -> Option<Env> {
        if word.len() > MAX_NAME_LEN {
            return None;
        }
        self.lookup(&word.to_ascii_lowercase())
            .map(|entry| entry.env.clone())
    }

    /// Whether changing `env` needs the stronger roles of a protected
    /// environment. Unknown environments count as protected.
    pub fn is_protected(&self, env: &Env) -> bool {
        self.entries
            .iter()
            .find(|entry| &entry.env == env)
            .is_none_or(|entry| entry.protected)
    }

    /// The environments in declaration order.
    pub fn envs(&self) -> impl Iterator<Item = &Env> {
        self.entries.iter().map(|entry| &entry.env)
    }

    /// The aliases of `env` in declaration order (empty for unknown envs).
    pub fn aliases(&self, env: &Env) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(move |entry| &entry.env == env)
            .flat_map(|entry| entry.aliases.iter().map(String::as_str))
    }

    /// Every word that resolves, paired with the environment it resolves to:
    /// the names first, then aliases, in declaration order.
    pub(crate) fn words(&self) -> impl Iterator<Item = (&str, &Env)> {
        self.entries.iter().flat_map(|entry| {
            std::iter::once(entry.env.as_str())
                .chain(entry.aliases.iter().map(String::as_str))
                .map(move |word| (word, &entry.env))
        })
    }

    fn lookup(&self, lowercase: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| {
            entry.env.as_str() == lowercase || entry.aliases.iter().any(|a| a == lowercase)
        })
    }
}

impl Default for EnvCatalog {
    /// `dev`, `stg` (alias `staging`), `prd` (aliases `prod`, `production`;
    /// protected) and `ops` (protected).
    fn default() -> Self {
        Self::new()
            .with_env("dev", &[], false)
            .and_then(|c| c.with_env("stg", &["staging"], false))
            .and_then(|c| c.with_env("prd", &["prod", "production"], true))
            .and_then(|c| c.with_env("ops", &[], true))
            .expect("the default catalog is valid")
    }
}

fn is_valid_name(word: &str) -> bool {
    let bytes = word.as_bytes();
    (1..=MAX_NAME_LEN).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(catalog: &EnvCatalog) -> Vec<&str> {
        catalog.envs().map(Env::as_str).collect()
    }

    #[test]
    fn default_catalog_declares_four_envs_in_order() {
        assert_eq!(names(&EnvCatalog::default()), ["dev", "stg", "prd", "ops"]);
    }

    #[test]
    fn resolve_maps_aliases_and_case_to_canonical_name() {
        let catalog = EnvCatalog::default();
        for word in ["prd", "PRD", "prod", "Production"] {
            assert_eq!(catalog.resolve(word).unwrap().as_str(), "prd", "{word}");
        }
        assert_eq!(catalog.resolve("staging").unwrap().as_str(), "stg");
        assert_eq!(catalog.resolve("qa"), None);
        assert_eq!(catalog.resolve(""), None);
    }

    #[test]
    fn protected_envs_are_prd_and_ops() {
        let catalog = EnvCatalog::default();
        let protected: Vec<&str> = catalog
            .envs()
            .filter(|env| catalog.is_protected(env))
            .map(Env::as_str)
            .collect();
        assert_eq!(protected, ["prd", "ops"]);
    }

    #[test]
    fn env_unknown_to_a_catalog_counts_as_protected() {
        let prd = EnvCatalog::default().resolve("prd").unwrap();
        assert!(EnvCatalog::new().is_protected(&prd));
    }

    #[test]
    fn empty_catalog_resolves_nothing() {
        assert_eq!(EnvCatalog::new().resolve("dev"), None);
        assert_eq!(EnvCatalog::new().envs().count(), 0);
    }

    #[test]
    fn duplicate_name_or_alias_is_refused() {
        let catalog = EnvCatalog::new().with_env("prd", &["prod"], true).unwrap();
        for (name, aliases) in [("prd", &[][..]), ("live", &["prod"][..]), ("prod", &[][..])] {
            assert!(
                matches!(
                    catalog.clone().with_env(name, aliases, false),
                    Err(CatalogError::Duplicate(_))
                ),
                "{name} {aliases:?}"
            );
        }
        assert_eq!(
            EnvCatalog::new().with_env("qa", &["qa"], false),
            Err(CatalogError::Duplicate("qa".into()))
        );
        assert_eq!(
            EnvCatalog::new().with_env("qa", &["test", "test"], false),
            Err(CatalogError::Duplicate("test".into()))
        );
    }

    #[test]
    fn bad_names_are_refused() {
        let long = "a".repeat(33);
        for bad in [
            "",
            "Prd",
            "p_rd",
            "-prd",
            "prd env",
            "prd/",
            "é",
            long.as_str(),
        ] {
            assert_eq!(
                EnvCatalog::new().with_env(bad, &[], false),
                Err(CatalogError::InvalidName(bad.into())),
                "{bad:?}"
            );
            assert_eq!(
                EnvCatalog::new().with_env("ok", &[bad], false),
                Err(CatalogError::InvalidName(bad.into())),
                "alias {bad:?}"
            );
        }
        let longest = "a".repeat(32);
        assert!(
            EnvCatalog::new()
                .with_env(&longest, &["0-a"], false)
                .is_ok()
        );
    }

    #[test]
    fn aliases_are_listed_per_env() {
        let catalog = EnvCatalog::default();
        let prd = catalog.resolve("prd").unwrap();
        assert_eq!(
            catalog.aliases(&prd).collect::<Vec<_>>(),
            ["prod", "production"]
        );
    }
}
