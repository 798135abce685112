//! `X-Hub-Signature-256` verification: HMAC-SHA256 of the raw body under any
//! of the configured secrets (several are accepted so secrets can rotate),
//! compared in constant time, before anything parses the body.

use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// Why a signature was refused. The variants never carry a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No signature header was sent.
    #[error("missing signature header")]
    Missing,
    /// The header is not `sha256=` followed by 64 hexadecimal digits.
    #[error("malformed signature header")]
    Malformed,
    /// No configured secret produces this signature.
    #[error("signature does not match")]
    Mismatch,
    /// No secret is configured, so nothing can be verified.
    #[error("no webhook secret is configured")]
    NoSecret,
}

impl SignatureError {
    /// A short label for the rejection metric.
    pub fn metric_label(self) -> &'static str {
        match self {
            Self::Missing => "signature_missing",
            Self::Malformed => "signature_malformed",
            Self::Mismatch => "signature_mismatch",
            Self::NoSecret => "no_secret",
        }
    }
}

/// Checks `header` (the value of `X-Hub-Signature-256`) against `body`.
pub fn verify_sha256(
    secrets: &[SecretString],
    header: Option<&[u8]>,
    body: &[u8],
) -> Result<(), SignatureError> {
    if secrets.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_digest = header
        .strip_prefix(b"sha256=")
        .ok_or(SignatureError::Malformed)?;
    let expected = hex::decode(hex_digest).map_err(|_| SignatureError::Malformed)?;
    if expected.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    // Every secret is tried, so timing does not tell which one matched.
    let mut matched = false;
    for secret in secrets {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
            .map_err(|_| SignatureError::NoSecret)?;
        mac.update(body);
        matched |= mac.verify_slice(&expected).is_ok();
    }
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Computes the header value GitHub would send for `body` under `secret`.
pub fn sign_sha256(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's published test vector ("Validating webhook deliveries").
    const SECRET: &str = "It's a Secret to Everybody";
    const PAYLOAD: &[u8] = b"Hello, World!";
    const SIGNATURE: &str =
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    fn secrets(list: &[&str]) -> Vec<SecretString> {
        list.iter().map(|s| SecretString::from(*s)).collect()
    }

    #[test]
    fn github_test_vector_signs_and_verifies() {
        assert_eq!(sign_sha256(SECRET, PAYLOAD), SIGNATURE);
        let ok = verify_sha256(&secrets(&[SECRET]), Some(SIGNATURE.as_bytes()), PAYLOAD);
        assert_eq!(ok, Ok(()));
    }

    #[test]
    fn any_configured_secret_verifies_for_rotation() {
        let both = secrets(&["the new secret", SECRET]);
        assert_eq!(
            verify_sha256(&both, Some(SIGNATURE.as_bytes()), PAYLOAD),
            Ok(())
        );
    }

    #[test]
    fn wrong_missing_or_malformed_signatures_are_refused() {
        let mine = secrets(&[SECRET]);
        let other = sign_sha256("another secret", PAYLOAD);
        let cases: [(Option<&[u8]>, SignatureError); 5] = [
            (None, SignatureError::Missing),
            (Some(other.as_bytes()), SignatureError::Mismatch),
            (
                Some(b"sha1=757107ea0eb2509fc211"),
                SignatureError::Malformed,
            ),
            (Some(b"sha256=zz"), SignatureError::Malformed),
            (Some(b"sha256=7571"), SignatureError::Malformed),
        ];
        for (header, expected) in cases {
            assert_eq!(verify_sha256(&mine, header, PAYLOAD), Err(expected));
        }
        let tampered = b"Hello, World?";
        let result = verify_sha256(&mine, Some(SIGNATURE.as_bytes()), tampered);
        assert_eq!(result, Err(SignatureError::Mismatch));
    }

    #[test]
    fn nothing_verifies_without_a_secret() {
        let result = verify_sha256(&[], Some(SIGNATURE.as_bytes()), PAYLOAD);
        assert_eq!(result, Err(SignatureError::NoSecret));
    }
}
