//! Slack's request signature, checked before anything reads the body:
//! `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:" + timestamp + ":" + raw body)>`
//! under any of the configured signing secrets (rotation), compared in
//! constant time, with `X-Slack-Request-Timestamp` no more than five minutes
//! from now (an older request could be a replay).

use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// How far a request's timestamp may be from now, as Slack recommends.
pub const MAX_SKEW_SECS: i64 = 5 * 60;

/// Why a Slack request was refused. Never carries a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlackSignatureError {
    /// No signing secret is configured: nothing can be verified.
    #[error("no Slack signing secret is configured")]
    NoSecret,
    /// A header is missing.
    #[error("missing X-Slack-Signature or X-Slack-Request-Timestamp")]
    Missing,
    /// A header is not of the expected shape.
    #[error("malformed Slack signature headers")]
    Malformed,
    /// The timestamp is more than five minutes from now.
    #[error("stale request timestamp")]
    Stale,
    /// No configured secret produces this signature.
    #[error("Slack signature does not match")]
    Mismatch,
}

impl SlackSignatureError {
    /// A short label for the rejection metric.
    pub fn metric_label(self) -> &'static str {
        match self {
            Self::NoSecret => "no_secret",
            Self::Missing => "signature_missing",
            Self::Malformed => "signature_malformed",
            Self::Stale => "stale_timestamp",
            Self::Mismatch => "signature_mismatch",
        }
    }
}

fn mac(secret: &[u8], timestamp: &[u8], body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"v0:");
    mac.update(timestamp);
    mac.update(b":");
    mac.update(body);
    mac
}

/// Checks a request's `X-Slack-Signature` and `X-Slack-Request-Timestamp`
/// against its raw body at `now` (Unix seconds).
pub fn verify(
    secrets: &[SecretString],
    signature: Option<&[u8]>,
    timestamp: Option<&[u8]>,
    body: &[u8],
    now: i64,
) -> Result<(), SlackSignatureError> {
    if secrets.is_empty() {
        return Err(SlackSignatureError::NoSecret);
    }
    let (signature, timestamp) = match (signature, timestamp) {
        (Some(s), Some(t)) => (s, t),
        _ => return Err(SlackSignatureError::Missing),
    };
    let seconds: i64 = std::str::from_utf8(timestamp)
        .ok()
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse().ok())
        .ok_or(SlackSignatureError::Malformed)?;
    if (now - seconds).abs() > MAX_SKEW_SECS {
        return Err(SlackSignatureError::Stale);
    }
    let hex_digest = signature
        .strip_prefix(b"v0=")
        .ok_or(SlackSignatureError::Malformed)?;
    let expected = hex::decode(hex_digest).map_err(|_| SlackSignatureError::Malformed)?;
    if expected.len() != 32 {
        return Err(SlackSignatureError::Malformed);
    }
    // Every secret is tried, so timing does not tell which one matched.
    let mut matched = false;
    for secret in secrets {
        let mac = mac(secret.expose_secret().as_bytes(), timestamp, body);
        matched |= mac.verify_slice(&expected).is_ok();
    }
    if matched {
        Ok(())
    } else {
        Err(SlackSignatureError::Mismatch)
    }
}

/// The `X-Slack-Signature` Slack would send for `body` at `timestamp`
/// (for tests, benchmarks and tools that replay requests).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mac = mac(secret.as_bytes(), timestamp.to_string().as_bytes(), body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slack's published example ("Verifying requests from Slack").
    const VECTOR: &str =
        include_str!("../../../tests/fixtures/slack/signing-secret-vector.transcribed.json");
    const BODY: &[u8] =
        include_bytes!("../../../tests/fixtures/slack/slash-command.body.docs-example.txt");

    struct Vector {
        secret: String,
        timestamp: String,
        signature: String,
    }

    fn vector() -> Vector {
        let json: serde_json::Value = serde_json::from_str(VECTOR).unwrap();
        Vector {
            secret: json["signing_secret"].as_str().unwrap().to_owned(),
            timestamp: json["headers"]["X-Slack-Request-Timestamp"]
                .as_str()
                .unwrap()
                .to_owned(),
            signature: json["headers"]["X-Slack-Signature"]
                .as_str()
                .unwrap()
                .to_owned(),
        }
    }

    impl Vector {
        /// Verifies Slack's published request, as signed, against `keys` at `now`.
        fn verify_with(&self, keys: &[SecretString], now: i64) -> Result<(), SlackSignatureError> {
            verify(
                keys,
                Some(self.signature.as_bytes()),
                Some(self.timestamp.as_bytes()),
                BODY,
                now,
            )
        }
    }

    fn secrets(list: &[&str]) -> Vec<SecretString> {
        list.iter()
            .map(|s| SecretString::from(s.to_string()))
            .collect()
    }

    #[test]
    fn slacks_published_example_verifies_with_any_rotated_secret() {
        let v = vector();
        let now: i64 = v.timestamp.parse::<i64>().unwrap() + 10;
        let keys = secrets(&["the-new-secret", &v.secret]);
        let verdict = v.verify_with(&keys, now);
        assert_eq!(verdict, Ok(()));
        assert_eq!(
            sign(&v.secret, v.timestamp.parse().unwrap(), BODY),
            v.signature
        );
    }

    #[test]
    fn a_stale_timestamp_is_refused_even_when_correctly_signed() {
        let v = vector();
        let ts: i64 = v.timestamp.parse().unwrap();
        let keys = secrets(&[&v.secret]);
        for now in [ts + MAX_SKEW_SECS + 1, ts - MAX_SKEW_SECS - 1] {
            let verdict = v.verify_with(&keys, now);
            assert_eq!(verdict, Err(SlackSignatureError::Stale));
        }
    }

    #[test]
    fn wrong_missing_or_malformed_signatures_are_refused() {
        let v = vector();
        let ts: i64 = v.timestamp.parse().unwrap();
        let keys = secrets(&[&v.secret]);
        let check = |sig: Option<&str>, t: Option<&str>, body: &[u8]| {
            verify(
                &keys,
                sig.map(str::as_bytes),
                t.map(str::as_bytes),
                body,
                ts,
            )
        };
        assert_eq!(
            check(Some(&v.signature), Some(&v.timestamp), b"text=tampered"),
            Err(SlackSignatureError::Mismatch)
        );
        assert_eq!(
            check(None, Some(&v.timestamp), BODY),
            Err(SlackSignatureError::Missing)
        );
        assert_eq!(
            check(Some(&v.signature), None, BODY),
            Err(SlackSignatureError::Missing)
        );
        assert_eq!(
            check(Some("v1=abcd"), Some(&v.timestamp), BODY),
            Err(SlackSignatureError::Malformed)
        );
        assert_eq!(
            check(Some("v0=zz"), Some(&v.timestamp), BODY),
            Err(SlackSignatureError::Malformed)
        );
        assert_eq!(
            check(Some(&v.signature), Some("-1"), BODY),
            Err(SlackSignatureError::Malformed)
        );
        let other = secrets(&["another"]);
        let verdict = v.verify_with(&other, ts);
        assert_eq!(verdict, Err(SlackSignatureError::Mismatch));
        let verdict = v.verify_with(&[], ts);
        assert_eq!(verdict, Err(SlackSignatureError::NoSecret));
    }
}
