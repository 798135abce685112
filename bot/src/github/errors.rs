//! What GitHub's unsuccessful answers mean for bosun: each becomes a
//! [`ForgeError`] a caller can act on, with GitHub's own words and, for a
//! rate limit, how long GitHub asked bosun to wait.

use bosun_reconciler::ports::forge::ForgeError;
use chrono::Utc;
use http::{HeaderMap, Method, StatusCode};
use serde_json::Value;
use std::time::Duration;

use super::api::{Reply, strip_query};

/// Maps an unsuccessful answer to what the caller can do about it.
pub(crate) fn classify(method: &Method, path: &str, reply: &Reply) -> ForgeError {
    let message = format!(
        "{method} {} answered {}: {}",
        strip_query(path),
        reply.status.as_u16(),
        github_message(&reply.text())
    );
    let status = reply.status;
    let limited = status == StatusCode::FORBIDDEN || status == StatusCode::TOO_MANY_REQUESTS;
    if limited && let Some(retry_after) = rate_limit_wait(status, &reply.headers, &reply.text()) {
        return ForgeError::RateLimited { retry_after };
    }
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ForgeError::Unauthorized(message),
        StatusCode::NOT_FOUND | StatusCode::GONE => ForgeError::NotFound(message),
        StatusCode::METHOD_NOT_ALLOWED | StatusCode::CONFLICT => ForgeError::Conflict(message),
        s if s.is_server_error() => ForgeError::Transient(message),
        _ => ForgeError::Invalid(message),
    }
}

/// How long GitHub asks bosun to wait, if this 403/429 is a rate limit:
/// `Retry-After` first, then `x-ratelimit-reset` when nothing remains, then
/// the minute GitHub's docs ask for after a secondary limit without headers.
fn rate_limit_wait(status: StatusCode, headers: &HeaderMap, body: &str) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(seconds) = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
        return Some(Duration::from_secs(seconds));
    }
    let exhausted = header("x-ratelimit-remaining").map(str::trim) == Some("0");
    let reset = header("x-ratelimit-reset").and_then(|v| v.trim().parse::<i64>().ok());
    if exhausted && let Some(reset) = reset {
        let seconds = (reset - Utc::now().timestamp()).max(1);
        return Some(Duration::from_secs(seconds.unsigned_abs()));
    }
    let says_rate_limit = github_message(body)
        .to_ascii_lowercase()
        .contains("rate limit");
    (status == StatusCode::TOO_MANY_REQUESTS || says_rate_limit).then_some(Duration::from_secs(60))
}

/// GitHub's error text: `message`, with each `errors[].message` or `code`.
pub(crate) fn github_message(body: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return body.chars().take(200).collect();
    };
    let mut text = value["message"].as_str().unwrap_or("no message").to_owned();
    let details: Vec<&str> = value["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["message"].as_str().or_else(|| e["code"].as_str()))
        .collect();
    if !details.is_empty() {
        text = format!("{text} ({})", details.join("; "));
    }
    text.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    fn class(status: u16, headers: &[(&str, &str)], body: &str) -> ForgeError {
        classify(
            &Method::GET,
            "/repos/a/b?x=1",
            &reply(status, headers, body),
        )
    }

    #[test]
    fn statuses_map_to_outcomes() {
        assert!(
            matches!(class(404, &[], r#"{"message":"Not Found"}"#), ForgeError::NotFound(m) if m == "GET /repos/a/b answered 404: Not Found")
        );
        assert!(matches!(class(401, &[], "{}"), ForgeError::Unauthorized(_)));
        assert!(matches!(
            class(
                403,
                &[("x-ratelimit-remaining", "4999")],
                r#"{"message":"Resource not accessible by integration"}"#
            ),
            ForgeError::Unauthorized(_)
        ));
        assert!(matches!(class(405, &[], "{}"), ForgeError::Conflict(_)));
        assert!(matches!(class(409, &[], "{}"), ForgeError::Conflict(_)));
        assert!(matches!(class(422, &[], "{}"), ForgeError::Invalid(_)));
        assert!(matches!(
            class(502, &[], "<html>"),
            ForgeError::Transient(_)
        ));
    }

    #[test]
    fn rate_limits_say_how_long_to_wait() {
        let secondary = class(403, &[("retry-after", "7")], "{}");
        assert_eq!(
            secondary,
            ForgeError::RateLimited {
                retry_after: Duration::from_secs(7)
            }
        );
        let reset = (Utc::now().timestamp() + 120).to_string();
        let primary = class(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &reset),
            ],
            "{}",
        );
        let ForgeError::RateLimited { retry_after } = primary else {
            panic!("{primary:?}")
        };
        assert!((Duration::from_secs(118)..=Duration::from_secs(120)).contains(&retry_after));
        let bare = class(429, &[], "{}");
        assert_eq!(
            bare,
            ForgeError::RateLimited {
                retry_after: Duration::from_secs(60)
            }
        );
        let worded = class(
            403,
            &[],
            r#"{"message":"You have exceeded a secondary rate limit."}"#,
        );
        assert_eq!(
            worded,
            ForgeError::RateLimited {
                retry_after: Duration::from_secs(60)
            }
        );
    }

    #[test]
    fn validation_details_are_kept() {
        let body = include_str!("../../tests/fixtures/github/rest/octokit-fixtures.errors.json");
        let recorded: Value = serde_json::from_str(body).unwrap();
        let answer = recorded[0]["response"].to_string();
        assert_eq!(github_message(&answer), "Validation Failed (invalid)");
    }
}
