//! The words of alert threads, Flux failure threads and the daily digest.
//!
//! Each function here has a snapshot test, so a change to what users read is
//! always a reviewed change.

use super::humanize_delay;
use crate::alerts::{AlertGroup, AlertStatus, Changes, Digest, FluxChange, FluxFailure};
use std::fmt::Write;

/// How many alerts a thread's body lists before it says how many more.
pub const LISTED: usize = 20;

/// The text of one update of a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadText {
    /// The first message's headline.
    pub headline: String,
    /// The first message's body.
    pub body: String,
    /// What to add to the thread.
    pub reply: Option<String>,
}

fn lasted_text(lasted: chrono::Duration) -> String {
    let epoch = chrono::DateTime::UNIX_EPOCH;
    humanize_delay(epoch, epoch + lasted)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn labels_text(labels: &std::collections::BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("`{}`", pairs.join(" "))
}

/// An alert group's thread after `changes`.
pub fn alert_group(group: &AlertGroup, changes: &Changes) -> ThreadText {
    let firing = group.firing().count();
    let total = group.alerts.len();
    let headline = match group.lasted() {
        Some(lasted) if firing == 0 => format!(
            "Resolved: {} in {} (lasted {})",
            group.name,
            group.env,
            lasted_text(lasted)
        ),
        _ => format!(
            "Firing: {} in {} ({} of {})",
            group.name,
            group.env,
            firing,
            plural(total, "alert", "alerts")
        ),
    };
    let mut body = String::new();
    let mut alerts: Vec<_> = group.alerts.iter().collect();
    // Firing first, then by start.
    alerts.sort_by_key(|(fp, a)| (a.status != AlertStatus::Firing, a.starts_at, *fp));
    for (_, alert) in alerts.iter().take(LISTED) {
        let when = match (alert.status, alert.ends_at) {
            (AlertStatus::Resolved, Some(end)) => {
                format!("resolved after {}", humanize_delay(alert.starts_at, end))
            }
            (AlertStatus::Resolved, None) => "resolved".to_owned(),
            (AlertStatus::Firing, _) => format!(
                "firing since {}",
                alert.starts_at.format("%Y-%m-%d %H:%M UTC")
            ),
        };
        let mut line = format!("- {when}");
        let labels = labels_text(&alert.labels);
        if !labels.is_empty() {
            let _ = write!(line, " {labels}");
        }
        if let Some(summary) = &alert.summary {
            let _ = write!(line, ": {summary}");
        }
        body.push_str(&line);
        body.push('\n');
    }
    if alerts.len() > LISTED {
        let _ = writeln!(body, "- and {} more", alerts.len() - LISTED);
    }
    let mut parts = Vec::new();
    if !changes.fired.is_empty() {
        parts.push(format!(
            "{} started firing",
            plural(changes.fired.len(), "alert", "alerts")
        ));
    }
    if !changes.resolved.is_empty() {
        parts.push(format!(
            "{} resolved",
            plural(changes.resolved.len(), "alert", "alerts")
        ));
    }
    let reply = (!parts.is_empty()).then(|| {
        let mut reply = parts.join(", ");
        if let Some(lasted) = group.lasted().filter(|_| firing == 0) {
            let _ = write!(reply, "; all clear after {}", lasted_text(lasted));
        }
        reply.push('.');
        reply
    });
    ThreadText {
        headline,
        body,
        reply,
    }
}

/// A Flux object's failure thread after `change`.
pub fn flux_failure(failure: &FluxFailure, change: FluxChange) -> ThreadText {
    let headline = match failure.lasted() {
        Some(_) if !failure.failing => format!(
            "Recovered: {} in {} (failed for {})",
            failure.object,
            failure.env,
            humanize_delay(failure.since, failure.recovered_at.unwrap_or(failure.since))
        ),
        _ => format!(
            "Failing: {} in {} ({})",
            failure.object, failure.env, failure.reason
        ),
    };
    let mut body = match failure.recovered_at.filter(|_| !failure.failing) {
        Some(end) => format!(
            "Failed from {} to {}",
            failure.since.format("%Y-%m-%d %H:%M UTC"),
            end.format("%Y-%m-%d %H:%M UTC")
        ),
        None => format!(
            "Failing since {}",
            failure.since.format("%Y-%m-%d %H:%M UTC")
        ),
    };
    if let Some(revision) = &failure.revision {
        let _ = write!(body, " at `{revision}`");
    }
    let _ = write!(body, ".\n\n> {}\n", failure.message.replace('\n', "\n> "));
    let reply = match change {
        FluxChange::Failed => None,
        FluxChange::StillFailing => Some(format!(
            "Still failing: {}: {}",
            failure.reason, failure.message
        )),
        FluxChange::Recovered => Some(format!(
            "Reconciled again after {}.",
            humanize_delay(failure.since, failure.recovered_at.unwrap_or(failure.since))
        )),
    };
    ThreadText {
        headline,
        body,
        reply,
    }
}

/// The daily digest of an environment.
pub fn alert_digest(digest: &Digest) -> ThreadText {
    let headline = format!(
        "Alerts in {} on {}: {}, {} still firing",
        digest.env,
        digest.to.format("%Y-%m-%d"),
        plural(digest.fired, "firing", "firings"),
        digest.still_firing.len()
    );
    let mut body = format!(
        "From {} to {}: {} across {}.\n",
        digest.from.format("%Y-%m-%d %H:%M UTC"),
        digest.to.format("%Y-%m-%d %H:%M UTC"),
        plural(digest.fired, "firing", "firings"),
        plural(digest.names_fired, "alert name", "alert names"),
    );
    if digest.still_firing.is_empty() {
        body.push_str("\nNothing is firing now.\n");
    } else {
        body.push_str("\n**Still firing**\n");
        for (name, count) in &digest.still_firing {
            let _ = writeln!(body, "- {name}: {}", plural(*count, "alert", "alerts"));
        }
    }
    if !digest.noisiest.is_empty() {
        body.push_str("\n**Noisiest**\n\n| alert | fired |\n|---|---|\n");
        for (name, count) in &digest.noisiest {
            let _ = writeln!(body, "| {name} | {count} |");
        }
    }
    if !digest.flux_failing.is_empty() {
        body.push_str("\n**Flux objects failing**\n");
        for (object, reason, since) in &digest.flux_failing {
            let _ = writeln!(
                body,
                "- `{object}`: {reason} since {}",
                since.format("%Y-%m-%d %H:%M UTC")
            );
        }
    }
    ThreadText {
        headline,
        body,
        reply: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::group::tests::{alert, at};
    use crate::alerts::{FluxFailure, digest};
    use crate::event::FluxSeverity;

    fn render(text: &ThreadText) -> String {
        format!(
            "# {}\n\n{}\n---\n{}",
            text.headline,
            text.body,
            text.reply.as_deref().unwrap_or("(no reply)")
        )
    }

    #[test]
    fn a_firing_group_lists_its_alerts_once() {
        let mut group = AlertGroup::new("prd", "GpuHot");
        let mut changes = Changes::default();
        for i in 0..23 {
            let fp = format!("g{i:02}");
            group.apply(&alert(&fp, AlertStatus::Firing, i, None), &mut changes);
        }
        group.apply(
            &alert("g00", AlertStatus::Resolved, 0, Some(30)),
            &mut changes,
        );
        insta::assert_snapshot!(render(&alert_group(&group, &changes)));
    }

    #[test]
    fn a_resolved_group_says_how_long_it_lasted() {
        let mut group = AlertGroup::new("prd", "GpuHot");
        let mut changes = Changes::default();
        group.apply(&alert("a", AlertStatus::Firing, 1, None), &mut changes);
        let mut resolved = Changes::default();
        group.apply(
            &alert("a", AlertStatus::Resolved, 1, Some(13)),
            &mut resolved,
        );
        insta::assert_snapshot!(render(&alert_group(&group, &resolved)));
    }

    #[test]
    fn a_flux_failure_and_its_recovery() {
        use crate::alerts::flux_errors::tests::event;
        let (failed, change) = FluxFailure::fold(
            None,
            "prd",
            &event(FluxSeverity::Error, "HealthCheckFailed", 1),
        )
        .unwrap();
        let ok = event(FluxSeverity::Info, "ReconciliationSucceeded", 42);
        let (recovered, recovery) = FluxFailure::fold(Some(&failed), "prd", &ok).unwrap();
        insta::assert_snapshot!(format!(
            "{}\n\n{}",
            render(&flux_failure(&failed, change)),
            render(&flux_failure(&recovered, recovery))
        ));
    }

    #[test]
    fn a_daily_digest() {
        let mut hot = AlertGroup::new("prd", "GpuHot");
        let mut changes = Changes::default();
        hot.apply(&alert("a", AlertStatus::Firing, 1, None), &mut changes);
        hot.apply(&alert("a", AlertStatus::Resolved, 1, Some(2)), &mut changes);
        hot.apply(&alert("b", AlertStatus::Firing, 5, None), &mut changes);
        let quiet = digest("stg", at(59), &[], &[]);
        let day = digest("prd", at(59), &[hot], &[]);
        insta::assert_snapshot!(format!(
            "{}\n\n{}",
            render(&alert_digest(&day)),
            render(&alert_digest(&quiet))
        ));
    }
}
