//! The environment's reconcile for alerts: fold the notifications, Flux
//! events and digest requests waiting for `env:<name>` into the groups kept
//! in the store, and tell each changed thread.
//!
//! Each change's notice is sent before the new state is saved, under an id
//! made of the thread and the state's revision: a crash between the two
//! reruns to the same revision, whose notice the notifier already has, so
//! nothing is told twice and nothing is lost.

use super::batch::DigestDue;
use super::digest::digest;
use super::flux_errors::{FluxFailure, object_of};
use super::group::{AlertGroup, Changes};
use crate::error::ReconcileError;
use crate::event::{EventKind, FluxEvent};
use crate::messages::{self, ThreadText};
use crate::ports::notify::{Notice, Notifier, Route, Tone};
use crate::store::{PendingEvent, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use tracing::info;

/// Store namespace of alert groups, keyed `<env>/<alertname>`.
pub const GROUPS: &str = "alert_groups";
/// Store namespace of Flux failures, keyed `<env>/<kind>/<namespace>/<name>`.
pub const FLUX_FAILURES: &str = "flux_failures";

fn read<T: DeserializeOwned>(
    store: &dyn Store,
    ns: &str,
    key: &str,
) -> Result<Option<T>, StoreError> {
    store
        .get_record(ns, key)?
        .map(|bytes| decode(ns, key, &bytes))
        .transpose()
}

fn decode<T: DeserializeOwned>(ns: &str, key: &str, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: format!("{ns}/{key}"),
        reason: e.to_string(),
    })
}

fn write<T: Serialize>(
    store: &dyn Store,
    ns: &str,
    key: &str,
    value: &T,
) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(value).map_err(|e| StoreError::Io(e.to_string()))?;
    store.put_record(ns, key, &bytes)
}

/// Every alert group of `env` in the store.
pub fn groups_of(store: &dyn Store, env: &str) -> Result<Vec<AlertGroup>, StoreError> {
    store
        .scan_records(GROUPS, &format!("{env}/"))?
        .iter()
        .map(|(key, bytes)| decode(GROUPS, key, bytes))
        .collect()
}

/// Every Flux failure of `env` in the store.
pub fn flux_failures_of(store: &dyn Store, env: &str) -> Result<Vec<FluxFailure>, StoreError> {
    store
        .scan_records(FLUX_FAILURES, &format!("{env}/"))?
        .iter()
        .map(|(key, bytes)| decode(FLUX_FAILURES, key, bytes))
        .collect()
}

async fn tell(
    notifier: &dyn Notifier,
    id: String,
    thread: String,
    env: &str,
    tone: Tone,
    text: ThreadText,
) -> Result<(), ReconcileError> {
    let notice = Notice {
        id,
        thread,
        route: Route::Env(env.to_owned()),
        repo: None,
        headline: text.headline,
        body: text.body,
        tone,
        links: Vec::new(),
        reply: text.reply,
        attachment: None,
    };
    Ok(notifier.notify(notice).await?)
}

/// Folds the alert notifications, Flux events and digest requests in
/// `events` that belong to `env`, and tells every thread that changed.
pub async fn reconcile_env(
    store: &dyn Store,
    notifier: &dyn Notifier,
    env: &str,
    events: &[PendingEvent],
) -> Result<(), ReconcileError> {
    let mut alerts: BTreeMap<&str, Vec<&super::Alert>> = BTreeMap::new();
    let mut flux: Vec<&FluxEvent> = Vec::new();
    let mut digests: Vec<&DigestDue> = Vec::new();
    let mut now = DateTime::<Utc>::UNIX_EPOCH;
    for pending in events {
        now = now.max(pending.event.received_at);
        match &pending.event.kind {
            EventKind::Alerts(batch) => {
                for alert in batch.alerts.iter().filter(|a| a.env == env) {
                    alerts.entry(alert.name.as_str()).or_default().push(alert);
                }
            }
            EventKind::Flux(e) if e.env.as_deref() == Some(env) => flux.push(e),
            EventKind::AlertDigest(due) if due.env == env => digests.push(due),
            _ => {}
        }
    }
    for (name, batch) in alerts {
        fold_group(store, notifier, env, name, &batch, now).await?;
    }
    for event in flux {
        fold_flux(store, notifier, env, event).await?;
    }
    for due in digests {
        send_digest(store, notifier, due).await?;
    }
    Ok(())
}

async fn fold_group(
    store: &dyn Store,
    notifier: &dyn Notifier,
    env: &str,
    name: &str,
    alerts: &[&super::Alert],
    now: DateTime<Utc>,
) -> Result<(), ReconcileError> {
    let key = AlertGroup::key(env, name);
    let mut group = read(store, GROUPS, &key)?.unwrap_or_else(|| AlertGroup::new(env, name));
    let mut changes = Changes::default();
    for alert in alerts {
        group.apply(alert, &mut changes);
    }
    if changes.is_empty() {
        return Ok(());
    }
    group.revision += 1;
    group.prune(now);
    let firing = group.firing().count();
    let critical = group
        .firing()
        .any(|(_, a)| a.severity.as_deref() == Some("critical"));
    let tone = match (firing, critical) {
        (0, _) => Tone::Success,
        (_, true) => Tone::Failure,
        (_, false) => Tone::Warning,
    };
    let text = messages::alert_group(&group, &changes);
    let thread = group.thread();
    info!(
        env,
        alert = name,
        firing,
        revision = group.revision,
        "alert group changed"
    );
    tell(
        notifier,
        format!("{thread}:{}", group.revision),
        thread,
        env,
        tone,
        text,
    )
    .await?;
    write(store, GROUPS, &key, &group)?;
    Ok(())
}

async fn fold_flux(
    store: &dyn Store,
    notifier: &dyn Notifier,
    env: &str,
    event: &FluxEvent,
) -> Result<(), ReconcileError> {
    let key = format!("{env}/{}", object_of(event));
    let current: Option<FluxFailure> = read(store, FLUX_FAILURES, &key)?;
    let Some((next, change)) = FluxFailure::fold(current.as_ref(), env, event) else {
        return Ok(());
    };
    let tone = if next.failing {
        Tone::Failure
    } else {
        Tone::Success
    };
    let thread = next.thread();
    let text = messages::flux_failure(&next, change);
    info!(env, object = %next.object, ?change, "Flux object changed");
    tell(
        notifier,
        format!("{thread}:{}", next.revision_count),
        thread,
        env,
        tone,
        text,
    )
    .await?;
    write(store, FLUX_FAILURES, &key, &next)?;
    Ok(())
}

async fn send_digest(
    store: &dyn Store,
    notifier: &dyn Notifier,
    due: &DigestDue,
) -> Result<(), ReconcileError> {
    let groups = groups_of(store, &due.env)?;
    let failures = flux_failures_of(store, &due.env)?;
    let day = digest(&due.env, due.at, &groups, &failures);
    let thread = format!("digest:{}:{}", due.env, due.at.format("%Y-%m-%d"));
    let tone = if day.still_firing.is_empty() && day.flux_failing.is_empty() {
        Tone::Info
    } else {
        Tone::Warning
    };
    let text = messages::alert_digest(&day);
    tell(notifier, thread.clone(), thread, &due.env, tone, text).await
}
