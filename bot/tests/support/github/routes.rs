//! The fake GitHub's routes: authentication, fault injection, pagination
//! and every REST endpoint bosun uses, all answered from the shared world.
//! Anything else is answered 404 in GitHub's error shape and marked
//! unexpected, so a test sees bosun calling something it should not.

use super::shapes;
use super::world::{Recorded, World};
use chrono::Utc;
use serde_json::{Value, json};
use std::collections::HashMap;
use wiremock::{Request, ResponseTemplate};

/// An answer under construction: status, JSON body, extra headers.
pub(crate) struct Answer {
    status: u16,
    body: Option<(Vec<u8>, &'static str)>,
    headers: Vec<(String, String)>,
    delay: Option<std::time::Duration>,
    unexpected: bool,
}

impl Answer {
    /// A JSON answer.
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some((
                body.to_string().into_bytes(),
                "application/json; charset=utf-8",
            )),
            headers: Vec::new(),
            delay: None,
            unexpected: false,
        }
    }

    /// Raw bytes, as a blob's raw media type gets.
    pub(crate) fn bytes(bytes: Vec<u8>) -> Self {
        let mut answer = Self::json(200, Value::Null);
        answer.body = Some((bytes, "application/octet-stream"));
        answer
    }

    /// `302 Found` to `location`, as GitHub answers an artifact download.
    pub(crate) fn redirect(location: String) -> Self {
        let mut answer = Self::json(302, Value::Null);
        answer.body = None;
        answer.header("location", location)
    }

    /// The same answer with another status.
    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// GitHub's error body with `message`.
    pub(crate) fn error(status: u16, message: &str) -> Self {
        Self::json(status, shapes::error(status, message))
    }

    /// GitHub's 404 for an object that does not exist (or is hidden).
    pub(crate) fn not_found() -> Self {
        Self::error(404, "Not Found")
    }

    /// A 404 for a request no route knows.
    pub(crate) fn unknown_route() -> Self {
        let mut answer = Self::not_found();
        answer.unexpected = true;
        answer
    }

    fn header(mut self, name: &str, value: String) -> Self {
        self.headers.push((name.to_owned(), value));
        self
    }

    fn into_template(self) -> ResponseTemplate {
        let reset = (Utc::now().timestamp() + 3600).to_string();
        let mut template = ResponseTemplate::new(self.status)
            .insert_header("x-github-media-type", "github.v3; format=json")
            .insert_header("x-github-request-id", "0000:00000:0000000:0000000:00000000")
            .insert_header("x-ratelimit-limit", "5000")
            .insert_header("x-ratelimit-remaining", "4999")
            .insert_header("x-ratelimit-reset", reset.as_str())
            .insert_header("x-ratelimit-used", "1")
            .insert_header("x-ratelimit-resource", "core");
        for (name, value) in self.headers {
            template = template.insert_header(name.as_str(), value.as_str());
        }
        if let Some((body, mime)) = self.body {
            template = template.set_body_raw(body, mime);
        }
        if let Some(delay) = self.delay {
            template = template.set_delay(delay);
        }
        template
    }
}

/// Answers one request and records it.
pub(crate) fn respond(world: &mut World, request: &Request) -> ResponseTemplate {
    let method = request.method.as_str().to_owned();
    let path = request.url.path().to_owned();
    let answer = match world.faults.iter_mut().find(|f| f.matches(&method, &path)) {
        Some(fault) => {
            fault.remaining -= 1;
            let limited = fault.headers.iter().any(|(name, value)| {
                name.eq_ignore_ascii_case("retry-after")
                    || (name.eq_ignore_ascii_case("x-ratelimit-remaining") && value == "0")
            });
            let message = match fault.status {
                403 | 429 if limited || fault.status == 429 => {
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
                }
                403 => "Resource not accessible by integration",
                401 => "Bad credentials",
                s if s >= 500 => "Server Error",
                _ => "Injected fault",
            };
            let mut answer = match fault.body.clone() {
                Some(body) => Answer::json(fault.status, body),
                None => Answer::error(fault.status, message),
            };
            answer.headers = fault.headers.clone();
            answer.delay = fault.delay;
            answer
        }
        None => route(world, request, &method, &path),
    };
    world.requests.push(Recorded {
        method,
        path,
        query: request.url.query().map(str::to_owned),
        body: String::from_utf8_lossy(&request.body).into_owned(),
        status: answer.status,
        unexpected: answer.unexpected,
    });
    answer.into_template()
}

/// Percent-decodes one path segment.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn route(world: &mut World, request: &Request, method: &str, path: &str) -> Answer {
    let segments: Vec<String> = path.trim_matches('/').split('/').map(decode).collect();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    match (method, segs.as_slice()) {
        ("GET", ["app"]) => app_only(world, request, |w| Answer::json(200, shapes::app(w))),
        ("GET", ["app", "installations"]) => app_only(world, request, |w| {
            let all: Vec<Value> = w
                .installations
                .values()
                .map(|i| shapes::installation(w, i.id, &i.account))
                .collect();
            paginate(w, path, &query, all, None)
        }),
        ("POST", ["app", "installations", id, "access_tokens"]) => {
            app_only(world, request, |w| match id.parse::<u64>() {
                Ok(id) if w.installations.contains_key(&id) => {
                    let (token, expires_at) = w.issue_token(id);
                    Answer::json(201, shapes::access_token(&token, &expires_at))
                }
                _ => Answer::not_found(),
            })
        }
        ("GET", ["repos", owner, name, "installation"]) => app_only(world, request, |w| {
            let full = format!("{owner}/{name}");
            match w.repos.get(&full).map(|r| r.installation) {
                Some(id) => {
                    let account = w.installations[&id].account.clone();
                    Answer::json(200, shapes::installation(w, id, &account))
                }
                None => Answer::not_found(),
            }
        }),
        ("GET", ["orgs", org, "installation"]) => app_only(world, request, |w| {
            match w.installations.values().find(|i| i.account == *org) {
                Some(i) => Answer::json(200, shapes::installation(w, i.id, &i.account)),
                None => Answer::not_found(),
            }
        }),
        ("GET", ["orgs", org, "teams", team, "memberships", login]) => {
            match installation_of(world, request) {
                Err(answer) => answer,
                Ok(id) if world.installations[&id].account == *org => {
                    let key = ((*org).to_owned(), (*team).to_owned());
                    match world
                        .teams
                        .get(&key)
                        .and_then(|members| members.get(*login))
                    {
                        Some(state) => {
                            Answer::json(200, shapes::membership(world, org, team, login, state))
                        }
                        None => Answer::not_found(),
                    }
                }
                Ok(_) => Answer::not_found(),
            }
        }
        ("GET", ["_blobs", "artifacts", file]) => super::artifact_routes::blob(world, file),
        ("GET", ["installation", "repositories"]) => match installation_of(world, request) {
            Err(answer) => answer,
            Ok(id) => {
                let repos: Vec<Value> = world
                    .repos
                    .values()
                    .filter(|r| r.installation == id)
                    .map(|r| shapes::repository(world, r))
                    .collect();
                paginate(world, path, &query, repos, Some("repositories"))
            }
        },
        (_, ["repos", owner, name, rest @ ..]) => {
            let full = format!("{owner}/{name}");
            match installation_of(world, request) {
                Err(answer) => answer,
                Ok(id) if world.repos.get(&full).is_some_and(|r| r.installation == id) => {
                    let raw = request
                        .headers
                        .get("accept")
                        .and_then(|a| a.to_str().ok())
                        .is_some_and(|a| a.contains("vnd.github.raw"));
                    let call = super::repo_routes::Call {
                        method,
                        rest,
                        query: &query,
                        body: &body,
                        path,
                        raw,
                    };
                    super::repo_routes::route(world, &full, &call)
                }
                Ok(_) => Answer::not_found(),
            }
        }
        _ => Answer::unknown_route(),
    }
}

/// Runs `then` if the request carries a valid JWT of the app, else 401.
fn app_only(
    world: &mut World,
    request: &Request,
    then: impl FnOnce(&mut World) -> Answer,
) -> Answer {
    match bearer(request) {
        Some(jwt) if super::jwt_is_valid(&jwt, world.app_id) => then(world),
        _ => Answer::error(401, "A JSON web token could not be decoded"),
    }
}

/// The installation whose live token the request carries, else 401.
fn installation_of(world: &World, request: &Request) -> Result<u64, Answer> {
    let token = bearer(request).ok_or_else(|| Answer::error(401, "Requires authentication"))?;
    match world.tokens.get(&token) {
        Some(t) if t.expires_at > Utc::now() => Ok(t.installation),
        _ => Err(Answer::error(401, "Bad credentials")),
    }
}

/// The credential after `Bearer ` or `token `.
fn bearer(request: &Request) -> Option<String> {
    let value = request.headers.get("authorization")?.to_str().ok()?;
    let (scheme, credential) = value.split_once(' ')?;
    matches!(scheme.to_ascii_lowercase().as_str(), "bearer" | "token")
        .then(|| credential.trim().to_owned())
}

/// Percent-encodes a query value for a `Link` address.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One page of `items` with GitHub's `Link` header; `field` wraps the page
/// in an object (`{"total_count": n, field: [...]}`).
pub(crate) fn paginate(
    world: &World,
    path: &str,
    query: &HashMap<String, String>,
    items: Vec<Value>,
    field: Option<&str>,
) -> Answer {
    let per_page = query
        .get("per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page = query
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len();
    let last = total.div_ceil(per_page).max(1);
    let chunk: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let body = match field {
        None => Value::Array(chunk),
        Some(field) => {
            json!({ "total_count": total, "repository_selection": "selected", field: chunk })
        }
    };
    let mut answer = Answer::json(200, body);
    let url = |n: usize| {
        let mut pairs: Vec<(String, String)> = query
            .iter()
            .filter(|(k, _)| *k != "page")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        pairs.sort();
        pairs.push(("page".to_owned(), n.to_string()));
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        format!("<{}{path}?{}>", world.base_url, query.join("&"))
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", url(page - 1)));
    }
    if page < last {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
        links.push(format!("{}; rel=\"last\"", url(last)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", url(1)));
    }
    if !links.is_empty() {
        answer = answer.header("link", links.join(", "));
    }
    answer
}
