//! The daily alert digests: one recurring job per environment (schedule from
//! `.bosun.yaml`'s `alerts.digest`) that only *asks* for the digest, by
//! ingesting an [`EventKind::AlertDigest`] event. Its delivery id names the
//! environment and the local day, so a job that fires twice on one day (a
//! restart, two replicas) asks once.

use crate::scheduler::{JobAction, Recurring};
use bosun_reconciler::alerts::DigestDue;
use bosun_reconciler::config::DigestSchedule;
use bosun_reconciler::engine::{Engine, Ingested};
use bosun_reconciler::event::{Event, EventKind};
use bosun_reconciler::ids::DeliveryId;
use bosun_reconciler::store::StoreError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::sync::Arc;
use tracing::{info, warn};

/// Asks for `env`'s digest of the day before `at` (local day in `time_zone`).
pub fn ask(
    engine: &Engine,
    env: &str,
    at: DateTime<Utc>,
    time_zone: Tz,
) -> Result<Ingested, StoreError> {
    let day = at.with_timezone(&time_zone).format("%Y-%m-%d");
    let delivery = DeliveryId::new("alert_digest", &format!("{env}:{day}"))
        .map_err(|e| StoreError::Io(e.to_string()))?;
    engine.ingest(&Event {
        delivery,
        received_at: at,
        kind: EventKind::AlertDigest(DigestDue {
            env: env.to_owned(),
            at,
        }),
    })
}

/// One job per environment of `schedule`.
pub fn jobs(engine: &Arc<Engine>, schedule: &DigestSchedule) -> Vec<Recurring> {
    schedule
        .envs
        .iter()
        .map(|env| {
            let env = env.as_str().to_owned();
            let engine = Arc::clone(engine);
            let time_zone = schedule.time_zone;
            let name = format!("alert-digest:{env}");
            let action: JobAction = Arc::new(move || {
                let engine = Arc::clone(&engine);
                let env = env.clone();
                Box::pin(async move {
                    let asked = tokio::task::spawn_blocking(move || {
                        ask(&engine, &env, Utc::now(), time_zone)
                    })
                    .await;
                    match asked {
                        Ok(Ok(outcome)) => info!(?outcome, "alert digest asked"),
                        Ok(Err(error)) => warn!(%error, "could not ask for an alert digest"),
                        Err(error) => warn!(%error, "asking for an alert digest panicked"),
                    }
                })
            });
            Recurring {
                name,
                cron: schedule.cron.clone(),
                time_zone,
                action,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_reconciler::alerts::{Alert, AlertBatch, AlertStatus};
    use bosun_reconciler::engine::{EngineConfig, EngineDeps, NoObserver};
    use bosun_reconciler::store::SledStore;
    use bosun_reconciler::testkit::{MemoryForge, RecordingNotifier};

    fn time(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[tokio::test]
    async fn a_digest_is_asked_once_a_local_day_and_counts_what_fired() {
        let dir = tempfile::tempdir().unwrap();
        let notices = Arc::new(RecordingNotifier::new());
        let engine = Engine::new(EngineDeps {
            store: Arc::new(SledStore::open(dir.path()).unwrap()),
            forge: Arc::new(MemoryForge::new()),
            observer: Arc::new(NoObserver),
            notifier: notices.clone(),
            config: EngineConfig::default(),
        });
        engine.start().unwrap();
        let alert = Alert {
            name: "GpuHot".to_owned(),
            env: "prd".to_owned(),
            status: AlertStatus::Firing,
            fingerprint: "f1".to_owned(),
            starts_at: time("2026-11-23T01:00:00Z"),
            ends_at: None,
            summary: None,
            labels: Default::default(),
            severity: None,
        };
        let batch = AlertBatch {
            group_key: "{}:{alertname=\"GpuHot\"}".to_owned(),
            status: AlertStatus::Firing,
            receiver: "bosun".to_owned(),
            external_url: String::new(),
            alerts: vec![alert],
            truncated: 0,
        };
        engine
            .ingest(&Event {
                delivery: DeliveryId::new("alertmanager", "one").unwrap(),
                received_at: time("2026-11-23T01:00:05Z"),
                kind: EventKind::Alerts(batch),
            })
            .unwrap();
        let dubai = chrono_tz::Asia::Dubai;
        // 04:00 UTC is 08:00 in Dubai; 19:59 UTC is still the same local day.
        let first = ask(&engine, "prd", time("2026-11-23T04:00:00Z"), dubai).unwrap();
        let again = ask(&engine, "prd", time("2026-11-23T19:59:00Z"), dubai).unwrap();
        assert!(matches!(first, Ingested::Accepted { keys: 1 }), "{first:?}");
        assert_eq!(again, Ingested::Duplicate);
        engine.idle().await;
        let digest = notices.thread("digest:prd:2026-11-23");
        assert_eq!(digest.len(), 1, "{:#?}", notices.notices());
        assert_eq!(
            digest[0].headline,
            "Alerts in prd on 2026-11-23: 1 firing, 1 still firing"
        );
        engine.stop().await;
    }
}
