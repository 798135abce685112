//! The local API token: `bosun serve` writes a random token into its data
//! directory (readable by its owner only); `bosun send` and `bosun audit`
//! read it to talk to the server. Holding it means holding the data dir.

use secrecy::{ExposeSecret, SecretString};
use std::io::Write;
use std::path::{Path, PathBuf};
use subtle::ConstantTimeEq;

/// The token file's name inside the data directory.
pub const TOKEN_FILE: &str = "api-token";

/// Where the token of a data directory lives.
pub fn token_path(data_dir: &Path) -> PathBuf {
    data_dir.join(TOKEN_FILE)
}

/// Reads the data directory's token, creating one if there is none.
pub fn ensure_token(data_dir: &Path) -> std::io::Result<SecretString> {
    let path = token_path(data_dir);
    if let Ok(text) = std::fs::read_to_string(&path)
        && !text.trim().is_empty()
    {
        return Ok(SecretString::from(text.trim().to_owned()));
    }
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path)?;
    file.write_all(token.as_bytes())?;
    Ok(SecretString::from(token))
}

/// Reads an existing token.
pub fn read_token(data_dir: &Path) -> std::io::Result<SecretString> {
    let text = std::fs::read_to_string(token_path(data_dir))?;
    Ok(SecretString::from(text.trim().to_owned()))
}

/// Whether an `Authorization` header carries the token, compared in
/// constant time.
pub fn authorized(expected: &SecretString, header: Option<&str>) -> bool {
    let Some(given) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    let expected = expected.expose_secret().as_bytes();
    expected.len() == given.len() && bool::from(expected.ct_eq(given.as_bytes()))
}
