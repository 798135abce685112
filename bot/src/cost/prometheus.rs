//! The `Metrics` adapter: the Prometheus HTTP API (`/api/v1/query`,
//! `/api/v1/query_range`) over reqwest, as Prometheus, Mimir and Thanos
//! serve it. An optional bearer token (Mimir behind a gateway) comes from
//! the server's settings (`BOSUN_PROMETHEUS_TOKEN`), never the repository.

use async_trait::async_trait;
use bosun_reconciler::ports::metrics::{
    Metrics, MetricsConnector, MetricsError, RangeQuery, Sample, Series,
};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long one query may take before it is given up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Opens [`PrometheusApi`] clients sharing one HTTP client and token.
#[derive(Clone)]
pub struct PrometheusConnector {
    http: reqwest::Client,
    token: Option<SecretString>,
}

impl PrometheusConnector {
    /// A connector whose queries give up after `timeout`.
    pub fn new(token: Option<SecretString>, timeout: Duration) -> Result<Self, MetricsError> {
        // The binary's TLS stack (rustls with ring); a no-op when main already
        // installed it.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| MetricsError::Unreachable {
                url: "(none)".to_owned(),
                reason: format!("building the HTTP client: {e}"),
            })?;
        Ok(Self { http, token })
    }
}

impl MetricsConnector for PrometheusConnector {
    fn connect(&self, base_url: &str) -> Result<Arc<dyn Metrics>, MetricsError> {
        let base = base_url.trim_end_matches('/').to_owned();
        if reqwest::Url::parse(&base).is_err() {
            return Err(MetricsError::Unreachable {
                url: base,
                reason: "not a URL".to_owned(),
            });
        }
        Ok(Arc::new(PrometheusApi {
            http: self.http.clone(),
            token: self.token.clone(),
            base,
        }))
    }
}

/// One Prometheus-compatible API.
pub struct PrometheusApi {
    http: reqwest::Client,
    token: Option<SecretString>,
    base: String,
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct MatrixEntry {
    metric: BTreeMap<String, String>,
    values: Vec<(f64, String)>,
}

#[derive(Deserialize)]
struct VectorEntry {
    metric: BTreeMap<String, String>,
    value: (f64, String),
}

fn seconds(t: DateTime<Utc>) -> String {
    format!("{}.{:03}", t.timestamp(), t.timestamp_subsec_millis())
}

fn instant(seconds: f64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis((seconds * 1000.0).round() as i64)
}

impl PrometheusApi {
    fn malformed(&self, reason: impl Into<String>) -> MetricsError {
        MetricsError::Malformed {
            url: self.base.clone(),
            reason: reason.into(),
        }
    }

    fn value(&self, text: &str) -> Result<f64, MetricsError> {
        text.parse::<f64>()
            .map_err(|_| self.malformed(format!("`{text}` is not a sample value")))
    }

    async fn get(&self, path: &str, params: &[(&str, String)]) -> Result<Data, MetricsError> {
        let url = format!("{}{path}", self.base);
        let mut request = self.http.get(&url).query(params);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose_secret());
        }
        let response = request
            .send()
            .await
            .map_err(|e| MetricsError::Unreachable {
                url: self.base.clone(),
                reason: if e.is_timeout() {
                    "no answer in time".to_owned()
                } else {
                    e.to_string()
                },
            })?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| MetricsError::Unreachable {
                url: self.base.clone(),
                reason: format!("reading the answer: {e}"),
            })?;
        let envelope: Envelope = match serde_json::from_slice(&body) {
            Ok(envelope) => envelope,
            Err(_) if !status.is_success() => {
                return Err(MetricsError::Refused {
                    url: self.base.clone(),
                    status: status.as_u16(),
                    reason: String::from_utf8_lossy(&body).chars().take(300).collect(),
                });
            }
            Err(e) => return Err(self.malformed(format!("not a Prometheus API answer: {e}"))),
        };
        if envelope.status != "success" || !status.is_success() {
            return Err(MetricsError::Refused {
                url: self.base.clone(),
                status: status.as_u16(),
                reason: format!(
                    "{}: {}",
                    envelope.error_type.unwrap_or_else(|| "error".to_owned()),
                    envelope.error.unwrap_or_else(|| "no detail".to_owned())
                ),
            });
        }
        envelope
            .data
            .ok_or_else(|| self.malformed("a successful answer without `data`"))
    }
}

#[async_trait]
impl Metrics for PrometheusApi {
    async fn query_range(&self, query: &RangeQuery) -> Result<Vec<Series>, MetricsError> {
        let data = self
            .get(
                "/api/v1/query_range",
                &[
                    ("query", query.promql.clone()),
                    ("start", seconds(query.start)),
                    ("end", seconds(query.end)),
                    ("step", format!("{}", query.step.as_secs_f64())),
                ],
            )
            .await?;
        if data.result_type != "matrix" {
            return Err(self.malformed(format!(
                "a range query answered `{}`, not `matrix`",
                data.result_type
            )));
        }
        let entries: Vec<MatrixEntry> = serde_json::from_value(data.result)
            .map_err(|e| self.malformed(format!("the matrix: {e}")))?;
        entries
            .into_iter()
            .map(|entry| {
                let points = entry
                    .values
                    .iter()
                    .map(|(t, v)| {
                        let at = instant(*t)
                            .ok_or_else(|| self.malformed(format!("time {t} is out of range")))?;
                        Ok((at, self.value(v)?))
                    })
                    .collect::<Result<_, MetricsError>>()?;
                Ok(Series {
                    labels: entry.metric,
                    points,
                })
            })
            .collect()
    }

    async fn query(&self, promql: &str, at: DateTime<Utc>) -> Result<Vec<Sample>, MetricsError> {
        let data = self
            .get(
                "/api/v1/query",
                &[("query", promql.to_owned()), ("time", seconds(at))],
            )
            .await?;
        if data.result_type != "vector" {
            return Err(self.malformed(format!(
                "an instant query answered `{}`, not `vector`",
                data.result_type
            )));
        }
        let entries: Vec<VectorEntry> = serde_json::from_value(data.result)
            .map_err(|e| self.malformed(format!("the vector: {e}")))?;
        entries
            .into_iter()
            .map(|entry| {
                Ok(Sample {
                    value: self.value(&entry.value.1)?,
                    labels: entry.metric,
                })
            })
            .collect()
    }
}
