//! The request path under the GitHub forge: one call to the REST API with
//! the right credentials, paced, timed out, reported to the outbound
//! observer, and its answer mapped to a [`ForgeError`] a caller can act on.
//!
//! Requests go through octocrab's raw methods (`_get`, `_post`, …), which
//! hand back the whole response: octocrab's typed errors drop the headers
//! that say how long to wait (`Retry-After`, `x-ratelimit-reset`). Paths are
//! always relative, so octocrab joins them to the configured base URL and
//! attaches credentials only for that host.

use bosun_reconciler::ports::forge::ForgeError;
use chrono::Utc;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

use super::auth::{InstallationToken, TokenCache};
use super::errors::classify;
use super::throttle::Throttle;
use crate::metrics::OutboundObserver;

/// The most pages one listing reads (100 items each).
const MAX_PAGES: usize = 100;

/// Whose credentials a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// The app itself, with a JWT.
    App,
    /// An installation of the app, with its access token.
    Installation(u64),
}

/// A response that arrived, whatever its status.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// The response headers.
    pub(crate) headers: HeaderMap,
    /// The body, as sent.
    pub(crate) body: Vec<u8>,
}

impl Reply {
    /// The body as text, any invalid UTF-8 replaced.
    pub(crate) fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body read as `T`.
    pub(crate) fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, ForgeError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            ForgeError::Invalid(format!("GitHub's answer to {what} was not understood: {e}"))
        })
    }
}

/// One request: what to send, and the media type wanted back.
#[derive(Clone, Copy)]
struct Call<'a> {
    method: &'a Method,
    path: &'a str,
    body: Option<&'a Value>,
    accept: Option<&'static str>,
}

/// The GitHub REST API as bosun calls it.
pub(crate) struct Api {
    app: Octocrab,
    tokens: TokenCache,
    throttle: Throttle,
    observer: Arc<dyn OutboundObserver>,
    timeout: Duration,
}

impl Api {
    /// The request path over an app client.
    pub(crate) fn new(
        app: Octocrab,
        throttle: Throttle,
        observer: Arc<dyn OutboundObserver>,
        timeout: Duration,
    ) -> Self {
        Self {
            app,
            tokens: TokenCache::default(),
            throttle,
            observer,
            timeout,
        }
    }

    /// Sends one request and returns its successful answer; any other
    /// answer becomes a [`ForgeError`].
    ///
    /// Writes of an installation are paced by the throttle. An installation
    /// request answered 401 (a revoked or expired token) is sent once more
    /// with a freshly minted token.
    pub(crate) async fn request(
        &self,
        auth: Auth,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, ForgeError> {
        self.exchange(auth, method, path, body, None).await
    }

    /// A `GET` of a file's raw bytes (`Accept: application/vnd.github.raw+json`).
    pub(crate) async fn get_raw(&self, auth: Auth, path: &str) -> Result<Reply, ForgeError> {
        let accept = Some("application/vnd.github.raw+json");
        self.exchange(auth, Method::GET, path, None, accept).await
    }

    async fn exchange(
        &self,
        auth: Auth,
        method: Method,
        path: &str,
        body: Option<&Value>,
        accept: Option<&'static str>,
    ) -> Result<Reply, ForgeError> {
        let call = Call {
            method: &method,
            path,
            body,
            accept,
        };
        let reply = match auth {
            Auth::App => self.send(&self.app, &call).await?,
            Auth::Installation(id) => {
                if method != Method::GET && method != Method::HEAD {
                    self.throttle.acquire(id).await;
                }
                let client = self.installation_client(id, false).await?;
                let reply = self.send(&client, &call).await?;
                if reply.status == StatusCode::UNAUTHORIZED {
                    let client = self.installation_client(id, true).await?;
                    self.send(&client, &call).await?
                } else {
                    reply
                }
            }
        };
        if reply.status.is_success() {
            Ok(reply)
        } else {
            Err(classify(&method, path, &reply))
        }
    }

    /// A `GET` whose answer is read as `T`.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        auth: Auth,
        path: &str,
    ) -> Result<T, ForgeError> {
        let what = format!("GET {}", strip_query(path));
        self.request(auth, Method::GET, path, None)
            .await?
            .json(&what)
    }

    /// Every item of a paginated listing, following `Link: rel="next"`.
    /// `field` names the array when the page is an object
    /// (`/installation/repositories` answers `{"repositories": […]}`).
    pub(crate) async fn get_all<T: DeserializeOwned>(
        &self,
        auth: Auth,
        path: &str,
        field: Option<&str>,
    ) -> Result<Vec<T>, ForgeError> {
        let what = format!("GET {}", strip_query(path));
        let mut items = Vec::new();
        let mut next = Some(path.to_owned());
        for _ in 0..MAX_PAGES {
            let Some(page_path) = next.take() else {
                return Ok(items);
            };
            let reply = self.request(auth, Method::GET, &page_path, None).await?;
            next = next_page(&reply.headers);
            let page: Vec<T> = match field {
                None => reply.json(&what)?,
                Some(field) => {
                    let mut whole: Value = reply.json(&what)?;
                    serde_json::from_value(whole[field].take()).map_err(|e| {
                        ForgeError::Invalid(format!(
                            "GitHub's answer to {what} was not understood: {e}"
                        ))
                    })?
                }
            };
            items.extend(page);
        }
        match next {
            None => Ok(items),
            Some(_) => Err(ForgeError::Invalid(format!(
                "{what} has more than {MAX_PAGES} pages"
            ))),
        }
    }

    /// A client carrying the installation's token, minting one when the
    /// cached token is missing, about to expire, or (`renew`) was refused.
    async fn installation_client(&self, id: u64, renew: bool) -> Result<Octocrab, ForgeError> {
        let slot = self.tokens.slot(id);
        let mut cached = slot.lock().await;
        let usable = cached
            .as_ref()
            .filter(|token| !renew && token.is_fresh(Utc::now()))
            .map(|token| token.secret.clone());
        let secret: SecretString = match usable {
            Some(secret) => secret,
            None => {
                let path = format!("/app/installations/{id}/access_tokens");
                let call = Call {
                    method: &Method::POST,
                    path: &path,
                    body: None,
                    accept: None,
                };
                let reply = self.send(&self.app, &call).await?;
                if !reply.status.is_success() {
                    return Err(classify(&Method::POST, &path, &reply));
                }
                let token = InstallationToken::from_reply(&reply.text()).ok_or_else(|| {
                    ForgeError::Invalid(format!(
                        "GitHub's answer to POST {path} has no token and expiry"
                    ))
                })?;
                tracing::debug!(installation = id, expires_at = %token.expires_at, "minted an installation token");
                let secret = token.secret.clone();
                *cached = Some(token);
                secret
            }
        };
        self.app
            .user_access_token(secret.expose_secret().to_owned())
            .map_err(|_| ForgeError::Invalid("could not build an installation client".into()))
    }

    /// Sends one request, under the timeout, and reports it to the observer.
    async fn send(&self, client: &Octocrab, call: &Call<'_>) -> Result<Reply, ForgeError> {
        let Call {
            method,
            path,
            body,
            accept,
        } = *call;
        let exchange = async {
            let response = match *method {
                Method::GET => {
                    let headers = accept.map(|accept| {
                        let mut headers = HeaderMap::new();
                        headers
                            .insert(http::header::ACCEPT, http::HeaderValue::from_static(accept));
                        headers
                    });
                    client._get_with_headers(path, headers).await
                }
                Method::POST => client._post(path, body).await,
                Method::PATCH => client._patch(path, body).await,
                Method::PUT => client._put(path, body).await,
                Method::DELETE => client._delete(path, body).await,
                _ => {
                    return Err((
                        None,
                        ForgeError::Invalid(format!("unsupported method {method}")),
                    ));
                }
            };
            let response = response.map_err(|e| (None, no_answer(method, path, &e)))?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| (Some(status), no_answer(method, path, &e)))?
                .to_bytes()
                .to_vec();
            Ok(Reply {
                status,
                headers,
                body,
            })
        };
        let (status, result) = match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok(reply)) => (Some(reply.status), Ok(reply)),
            Ok(Err((status, error))) => (status, Err(error)),
            Err(_) => (
                None,
                Err(ForgeError::Transient(format!(
                    "{method} {} got no answer within {:?}",
                    strip_query(path),
                    self.timeout
                ))),
            ),
        };
        let code = status.map(|s| s.as_u16());
        self.observer.outbound_call("github", method.as_str(), code);
        tracing::debug!(%method, path = strip_query(path), status = ?code, "GitHub call");
        result
    }
}

fn no_answer(method: &Method, path: &str, error: &octocrab::Error) -> ForgeError {
    ForgeError::Transient(format!(
        "{method} {} got no answer: {error}",
        strip_query(path)
    ))
}

/// The path without its query string, for messages.
pub(crate) fn strip_query(path: &str) -> &str {
    path.split_once('?').map_or(path, |(p, _)| p)
}

/// The relative address of the next page, from a `Link` header.
pub(crate) fn next_page(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(http::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let uri: http::Uri = target.parse().ok()?;
        is_next.then(|| uri.path_and_query().map(|pq| pq.as_str().to_owned()))?
    })
}

/// Percent-encodes a value for a query string or a path segment.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_link(link: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::LINK, link.parse().unwrap());
        headers
    }

    #[test]
    fn recorded_link_headers_lead_to_the_next_page() {
        let body =
            include_str!("../../tests/fixtures/github/rest/octokit-fixtures.paginate-issues.json");
        let recorded: Value = serde_json::from_str(body).unwrap();
        let link = recorded[1]["headers"]["link"].as_str().unwrap();
        assert_eq!(
            next_page(&with_link(link)).as_deref(),
            Some("/repositories/1000/issues?per_page=3&page=3")
        );
        let last = recorded.as_array().unwrap().last().unwrap();
        let link = last["headers"]["link"].as_str().unwrap();
        assert_eq!(next_page(&with_link(link)), None);
    }

    #[test]
    fn values_are_percent_encoded() {
        assert_eq!(encode("bosun[bot]"), "bosun%5Bbot%5D");
        assert_eq!(
            encode("acme:bosun/promote stg"),
            "acme%3Abosun%2Fpromote%20stg"
        );
    }
}
