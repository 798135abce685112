//! A small path glob (`*` within a segment, `**` across segments, `?` one
//! character), as used by `.trivyignore.yaml` `paths`, policy exceptions and
//! Terraform projects' `when_modified`.

/// Does `text` match `pattern` as a whole?
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    match_from(&p, &t)
}

fn match_from(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') if p.get(1) == Some(&'*') => {
            // `**/` also matches zero directories.
            let rest = &p[2..];
            let rest_no_slash = rest.strip_prefix(&['/']).unwrap_or(rest);
            (0..=t.len()).any(|i| match_from(rest, &t[i..]))
                || (rest.len() != rest_no_slash.len() && match_from(rest_no_slash, t))
        }
        Some('*') => {
            let rest = &p[1..];
            for i in 0..=t.len() {
                if match_from(rest, &t[i..]) {
                    return true;
                }
                if t.get(i) == Some(&'/') {
                    return false;
                }
            }
            false
        }
        Some('?') => !t.is_empty() && t[0] != '/' && match_from(&p[1..], &t[1..]),
        Some(c) => t.first() == Some(c) && match_from(&p[1..], &t[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn double_star_crosses_directories_and_single_star_does_not() {
        assert!(matches("**/*-lock.json", "a/b/package-lock.json"));
        assert!(matches("**/*-lock.json", "package-lock.json"));
        assert!(!matches("*-lock.json", "a/package-lock.json"));
        assert!(matches("bar/package.json", "bar/package.json"));
        assert!(!matches("bar/package.json", "foo/package.json"));
        assert!(matches(
            "Deployment/gpu-operator/*",
            "Deployment/gpu-operator/nvidia"
        ));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "a/c"));
    }

    #[test]
    fn when_modified_globs_match_within_and_across_folders() {
        assert!(matches("shared/*.tfvars", "shared/common.tfvars"));
        assert!(!matches("shared/*.tfvars", "shared/deep/common.tfvars"));
        assert!(matches("shared/**/*.tfvars", "shared/deep/x/a.tfvars"));
        assert!(matches("shared/**/*.tfvars", "shared/a.tfvars"));
        assert!(!matches("shared/*.tf", "shared/a.tfvars"));
        assert!(matches("**", "anything/at/all"));
    }
}
