//! The fake GitHub's Git database: blobs, trees and commits stored by their
//! real Git SHA-1 (computed by libgit2 over Git's own object encoding, so
//! identical content has an identical name), and branches as refs.

use super::world::Repo;
use chrono::{DateTime, Duration, TimeZone, Utc};
use git2::{ObjectType, Oid};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What a tree entry points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A file's content.
    Blob,
    /// A folder.
    Tree,
}

/// One named entry of a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) kind: Kind,
    pub(crate) sha: String,
}

impl Entry {
    /// The mode GitHub's API shows for it.
    pub(crate) fn mode(&self) -> &'static str {
        match self.kind {
            Kind::Blob => "100644",
            Kind::Tree => "040000",
        }
    }
}

/// A commit.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Commit {
    pub(crate) sha: String,
    pub(crate) tree: String,
    pub(crate) parents: Vec<String>,
    pub(crate) message: String,
    pub(crate) date: DateTime<Utc>,
}

/// One repository's objects and branches.
#[derive(Clone, Debug, Default)]
pub(crate) struct Store {
    pub(crate) blobs: HashMap<String, Vec<u8>>,
    pub(crate) trees: HashMap<String, BTreeMap<String, Entry>>,
    pub(crate) commits: HashMap<String, Commit>,
    pub(crate) branches: BTreeMap<String, String>,
    /// Commits made so far: each is dated one minute after the one before.
    pub(crate) clock: i64,
    /// Whether recursive tree listings answer `truncated: true` with only the top level.
    pub(crate) truncate_recursive: bool,
}

fn hash(kind: ObjectType, bytes: &[u8]) -> String {
    Oid::hash_object(kind, bytes)
        .expect("libgit2 hashes any bytes")
        .to_string()
}

impl Store {
    /// Stores a blob; returns its SHA.
    pub(crate) fn put_blob(&mut self, bytes: &[u8]) -> String {
        let sha = hash(ObjectType::Blob, bytes);
        self.blobs.insert(sha.clone(), bytes.to_vec());
        sha
    }

    /// Stores a tree in Git's encoding (entries sorted as Git sorts them).
    pub(crate) fn put_tree(&mut self, entries: BTreeMap<String, Entry>) -> String {
        let mut sorted: Vec<(&String, &Entry)> = entries.iter().collect();
        sorted.sort_by_key(|(name, e)| match e.kind {
            Kind::Tree => format!("{name}/"),
            Kind::Blob => (*name).clone(),
        });
        let mut bytes = Vec::new();
        for (name, entry) in sorted {
            let mode = if entry.kind == Kind::Tree {
                "40000"
            } else {
                "100644"
            };
            bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            let oid = Oid::from_str(&entry.sha).expect("a stored SHA");
            bytes.extend_from_slice(oid.as_bytes());
        }
        let sha = hash(ObjectType::Tree, &bytes);
        self.trees.insert(sha.clone(), entries);
        sha
    }

    /// Path → blob SHA of every file in the tree `sha`.
    pub(crate) fn flatten(&self, sha: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let mut pending = vec![(sha.to_owned(), String::new())];
        while let Some((tree, prefix)) = pending.pop() {
            for (name, entry) in &self.trees[&tree] {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}/{name}")
                };
                match entry.kind {
                    Kind::Blob => {
                        out.insert(path, entry.sha.clone());
                    }
                    Kind::Tree => pending.push((entry.sha.clone(), path)),
                }
            }
        }
        out
    }

    /// Stores the nested trees holding `files` (path → blob SHA); returns the root's SHA.
    pub(crate) fn build(&mut self, files: &BTreeMap<String, String>) -> String {
        let mut here: BTreeMap<String, Entry> = BTreeMap::new();
        let mut below: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (path, sha) in files {
            match path.split_once('/') {
                Some((dir, rest)) => {
                    below
                        .entry(dir.to_owned())
                        .or_default()
                        .insert(rest.to_owned(), sha.clone());
                }
                None => {
                    let entry = Entry {
                        kind: Kind::Blob,
                        sha: sha.clone(),
                    };
                    here.insert(path.clone(), entry);
                }
            }
        }
        for (dir, inner) in below {
            let sha = self.build(&inner);
            here.insert(
                dir,
                Entry {
                    kind: Kind::Tree,
                    sha,
                },
            );
        }
        self.put_tree(here)
    }

    /// Stores a commit dated one minute after the previous one; returns its SHA.
    pub(crate) fn commit(&mut self, tree: &str, parents: &[String], message: &str) -> String {
        self.clock += 1;
        let date =
            Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(self.clock);
        let mut text = format!("tree {tree}\n");
        for parent in parents {
            text.push_str(&format!("parent {parent}\n"));
        }
        let who = format!("bosun <bosun@example.com> {} +0000", date.timestamp());
        text.push_str(&format!("author {who}\ncommitter {who}\n\n{message}"));
        let sha = hash(ObjectType::Commit, text.as_bytes());
        self.commits.insert(
            sha.clone(),
            Commit {
                sha: sha.clone(),
                tree: tree.to_owned(),
                parents: parents.to_vec(),
                message: message.to_owned(),
                date,
            },
        );
        sha
    }

    /// A branch's tip, or a commit named by its SHA.
    pub(crate) fn resolve(&self, name: &str) -> Option<String> {
        let name = name.strip_prefix("refs/heads/").unwrap_or(name);
        self.branches
            .get(name)
            .cloned()
            .or_else(|| self.commits.contains_key(name).then(|| name.to_owned()))
    }

    /// The files of a commit: path → blob SHA.
    pub(crate) fn files_of(&self, commit: &str) -> BTreeMap<String, String> {
        self.flatten(&self.commits[commit].tree)
    }

    /// A commit and every commit it descends from.
    pub(crate) fn ancestors(&self, sha: &str) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut pending = vec![sha.to_owned()];
        while let Some(next) = pending.pop() {
            if seen.insert(next.clone()) {
                pending.extend(self.commits[&next].parents.iter().cloned());
            }
        }
        seen
    }

    /// The commits reachable from `from` that changed `path` (all of them
    /// without a path), newest first. A commit changed a path when its blob
    /// there differs from every parent's (a root commit: when it has one).
    pub(crate) fn history(&self, from: &str, path: Option<&str>) -> Vec<&Commit> {
        let mut found: Vec<&Commit> = self
            .ancestors(from)
            .iter()
            .map(|sha| &self.commits[sha])
            .filter(|c| {
                let Some(path) = path else { return true };
                let blob = self.files_of(&c.sha).get(path).cloned();
                if c.parents.is_empty() {
                    return blob.is_some();
                }
                c.parents
                    .iter()
                    .all(|p| self.files_of(p).get(path).cloned() != blob)
            })
            .collect();
        found.sort_by(|a, b| b.date.cmp(&a.date).then(b.sha.cmp(&a.sha)));
        found
    }

    /// GitHub's comparison of `base` and `head`: status, ahead by, behind by.
    pub(crate) fn compare(&self, base: &str, head: &str) -> (&'static str, usize, usize) {
        let of_base = self.ancestors(base);
        let of_head = self.ancestors(head);
        let ahead = of_head.difference(&of_base).count();
        let behind = of_base.difference(&of_head).count();
        let status = match (ahead, behind) {
            (0, 0) => "identical",
            (_, 0) => "ahead",
            (0, _) => "behind",
            _ => "diverged",
        };
        (status, ahead, behind)
    }

    /// The newest commit both `a` and `b` descend from.
    fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        let of_a = self.ancestors(a);
        self.ancestors(b)
            .into_iter()
            .filter(|sha| of_a.contains(sha))
            .max_by_key(|sha| self.commits[sha].date)
    }

    /// A merge commit of `head` into `base`: the files of `base` with what
    /// `head` changed since their merge base (the head's side wins).
    pub(crate) fn merge(&mut self, base: &str, head: &str, message: &str) -> String {
        let mut files = self.files_of(base);
        let theirs = self.files_of(head);
        let since = self
            .merge_base(base, head)
            .map(|mb| self.files_of(&mb))
            .unwrap_or_default();
        let paths: HashSet<&String> = theirs.keys().chain(since.keys()).collect();
        for path in paths {
            match (theirs.get(path), since.get(path)) {
                (a, b) if a == b => {}
                (Some(sha), _) => {
                    files.insert(path.clone(), sha.clone());
                }
                (None, _) => {
                    files.remove(path);
                }
            }
        }
        let tree = self.build(&files);
        self.commit(&tree, &[base.to_owned(), head.to_owned()], message)
    }
}

impl Repo {
    /// Points `branch` at `sha`; open pull requests from it follow, as on GitHub.
    pub(crate) fn set_branch(&mut self, branch: &str, sha: &str) {
        self.git.branches.insert(branch.to_owned(), sha.to_owned());
        for pr in self.prs.values_mut() {
            if pr.state == "open" && pr.head_ref == branch {
                pr.head_sha = sha.to_owned();
            }
        }
    }

    /// A commit on `branch` (created from the default branch's tip when
    /// missing) writing `files` (`None` deletes); returns its SHA.
    pub(crate) fn commit_on(
        &mut self,
        branch: &str,
        files: &[(&str, Option<&[u8]>)],
        message: &str,
    ) -> String {
        let tip = self
            .git
            .resolve(branch)
            .or_else(|| self.git.resolve(&self.default_branch));
        let mut all = tip
            .as_deref()
            .map(|t| self.git.files_of(t))
            .unwrap_or_default();
        for (path, bytes) in files {
            match bytes {
                Some(bytes) => {
                    let sha = self.git.put_blob(bytes);
                    all.insert((*path).to_owned(), sha);
                }
                None => {
                    all.remove(*path);
                }
            }
        }
        let tree = self.git.build(&all);
        let parents: Vec<String> = tip.into_iter().collect();
        let sha = self.git.commit(&tree, &parents, message);
        self.set_branch(branch, &sha);
        sha
    }

    /// A branch's tip, or a stable placeholder when the branch does not exist.
    pub(crate) fn tip_or_placeholder(&self, branch: &str) -> String {
        self.git
            .resolve(branch)
            .unwrap_or_else(|| super::world::fake_sha(&("base", branch)))
    }
}
