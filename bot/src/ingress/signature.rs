//! Webhook signature verification, before anything parses the body: an HMAC
//! of the raw body under any of the configured keys (several are accepted so
//! keys can rotate), compared in constant time.
//!
//! Two header shapes share one HMAC loop:
//! * GitHub's `X-Hub-Signature-256: sha256=<hex>` ([`verify_sha256`]);
//! * Flux's `generic-hmac` provider, `X-Signature: <hash>=<hex>`
//!   ([`verify_x_signature`]), whose hash is `sha256` by default and is the
//!   only one accepted.

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
    /// The header names a hash function other than `sha256`.
    #[error("unsupported signature hash function: only sha256 is accepted")]
    UnsupportedHash,
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
            Self::UnsupportedHash => "signature_unsupported_hash",
            Self::Mismatch => "signature_mismatch",
            Self::NoSecret => "no_secret",
        }
    }
}

/// Checks `header` (the value of GitHub's `X-Hub-Signature-256`) against
/// `body`: it must be `sha256=` and the hex HMAC-SHA256 under one of `secrets`.
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
    verify_hex_mac::<Hmac<Sha256>>(secrets, hex_digest, body)
}

/// Checks `header` (the value of `X-Signature` from Flux's `generic-hmac`
/// provider, `<hash>=<hex HMAC of the body>`) against `body` under any of
/// `keys`. The hash must be `sha256`, Flux's default; another hash function
/// is refused as [`SignatureError::UnsupportedHash`].
pub fn verify_x_signature(
    keys: &[SecretString],
    header: Option<&[u8]>,
    body: &[u8],
) -> Result<(), SignatureError> {
    if keys.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let header = header.ok_or(SignatureError::Missing)?;
    let at = header
        .iter()
        .position(|&b| b == b'=')
        .ok_or(SignatureError::Malformed)?;
    let (hash, hex_digest) = (&header[..at], &header[at + 1..]);
    if hash.is_empty() || !hash.iter().all(u8::is_ascii_alphanumeric) {
        return Err(SignatureError::Malformed);
    }
    if !hash.eq_ignore_ascii_case(b"sha256") {
        return Err(SignatureError::UnsupportedHash);
    }
    verify_hex_mac::<Hmac<Sha256>>(keys, hex_digest, body)
}

/// The loop both header shapes share: decodes `hex_digest`, then computes
/// the MAC `M` of `body` under every key and compares each in constant time.
fn verify_hex_mac<M: Mac + KeyInit>(
    keys: &[SecretString],
    hex_digest: &[u8],
    body: &[u8],
) -> Result<(), SignatureError> {
    let expected = hex::decode(hex_digest).map_err(|_| SignatureError::Malformed)?;
    if expected.len() != M::output_size() {
        return Err(SignatureError::Malformed);
    }
    // Every key is tried, so timing does not tell which one matched.
    let mut matched = false;
    for key in keys {
        let mut mac = <M as KeyInit>::new_from_slice(key.expose_secret().as_bytes())
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

/// Computes `sha256=<hex HMAC-SHA256 of body>` under `secret`: the value
/// GitHub sends in `X-Hub-Signature-256`, and Flux's `generic-hmac` provider
/// in `X-Signature`.
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

    /// Computed independently of this crate, with
    /// `printf 'Hello, Flux!' | openssl dgst -sha256 -hmac flux-generic-hmac-token`.
    const FLUX_KEY: &str = "flux-generic-hmac-token";
    const FLUX_BODY: &[u8] = b"Hello, Flux!";
    const FLUX_SIGNATURE: &str =
        "sha256=3e49fe316d5308b601d1451ec2f35d15ff0c02a4511d4065d4be30d4ee5cd688";

    #[test]
    fn an_x_signature_made_by_openssl_verifies_and_matches_the_signing_helper() {
        assert_eq!(sign_sha256(FLUX_KEY, FLUX_BODY), FLUX_SIGNATURE);
        let keys = secrets(&["the next key", FLUX_KEY]);
        let ok = verify_x_signature(&keys, Some(FLUX_SIGNATURE.as_bytes()), FLUX_BODY);
        assert_eq!(ok, Ok(()));
        let upper = FLUX_SIGNATURE.to_ascii_uppercase();
        let ok = verify_x_signature(&keys, Some(upper.as_bytes()), FLUX_BODY);
        assert_eq!(ok, Ok(()), "hash name and hex digits are case-insensitive");
    }

    #[test]
    fn x_signatures_with_another_hash_a_bad_shape_or_another_key_are_refused() {
        let keys = secrets(&[FLUX_KEY]);
        let other = sign_sha256("another key", FLUX_BODY);
        let sha512 = format!("sha512={}", "ab".repeat(64));
        let cases: [(Option<&[u8]>, SignatureError); 9] = [
            (None, SignatureError::Missing),
            (Some(other.as_bytes()), SignatureError::Mismatch),
            (Some(sha512.as_bytes()), SignatureError::UnsupportedHash),
            (
                Some(b"sha1=757107ea0eb2509fc211"),
                SignatureError::UnsupportedHash,
            ),
            (
                Some(b"3e49fe316d5308b601d1451ec2f35d15"),
                SignatureError::Malformed,
            ),
            (
                Some(b"=3e49fe316d5308b601d1451ec2f35d15"),
                SignatureError::Malformed,
            ),
            (Some(b"sha 256=3e49"), SignatureError::Malformed),
            (Some(b"sha256=zz"), SignatureError::Malformed),
            (Some(b"sha256=3e49"), SignatureError::Malformed),
        ];
        for (header, expected) in cases {
            let result = verify_x_signature(&keys, header, FLUX_BODY);
            assert_eq!(
                result,
                Err(expected),
                "{:?}",
                header.map(String::from_utf8_lossy)
            );
        }
        let tampered = verify_x_signature(&keys, Some(FLUX_SIGNATURE.as_bytes()), b"Hello, Flux?");
        assert_eq!(tampered, Err(SignatureError::Mismatch));
    }

    #[test]
    fn no_x_signature_verifies_without_a_key() {
        let result = verify_x_signature(&[], Some(FLUX_SIGNATURE.as_bytes()), FLUX_BODY);
        assert_eq!(result, Err(SignatureError::NoSecret));
    }
}
