//! Recurring jobs (drift detection, cost reports, alert digests) on cron
//! schedules in IANA time zones, run by tokio-cron-scheduler.
//!
//! A job only *asks* for work (it ingests an event or enqueues a key), so a
//! slow run never delays the clock and a restart loses nothing that was asked.

use chrono_tz::Tz;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use thiserror::Error;
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};
use tracing::info;

/// What a job does when its time comes.
pub type JobAction = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// One recurring job.
#[derive(Clone)]
pub struct Recurring {
    /// Its name in logs (`drift:prd`).
    pub name: String,
    /// A cron expression (5 fields, or 6 with seconds first).
    pub cron: String,
    /// The time zone the expression is read in.
    pub time_zone: Tz,
    /// What to do.
    pub action: JobAction,
}

/// Why the schedule could not start.
#[derive(Debug, Error)]
pub enum ScheduleError {
    /// A job's schedule was refused.
    #[error("schedule of job {name} ({cron}) is not valid: {source}")]
    Job {
        /// The job.
        name: String,
        /// Its expression.
        cron: String,
        /// The scheduler's reason.
        source: JobSchedulerError,
    },
    /// The scheduler itself failed.
    #[error("the job scheduler failed: {0}")]
    Scheduler(#[from] JobSchedulerError),
}

/// The running schedule.
pub struct Scheduler {
    inner: JobScheduler,
}

/// Accepts 5-field cron (minute first) as well as the 6-field form with seconds.
fn with_seconds(cron: &str) -> String {
    if cron.split_whitespace().count() == 5 {
        format!("0 {cron}")
    } else {
        cron.to_owned()
    }
}

impl Scheduler {
    /// Starts every job.
    pub async fn start(jobs: Vec<Recurring>) -> Result<Self, ScheduleError> {
        let inner = JobScheduler::new().await?;
        for job in jobs {
            let action = job.action.clone();
            let name = job.name.clone();
            let scheduled =
                Job::new_async_tz(with_seconds(&job.cron), job.time_zone, move |_, _| {
                    info!(job = %name, "scheduled job due");
                    action()
                })
                .map_err(|source| ScheduleError::Job {
                    name: job.name.clone(),
                    cron: job.cron.clone(),
                    source,
                })?;
            inner.add(scheduled).await?;
            info!(job = %job.name, cron = %job.cron, time_zone = %job.time_zone, "job scheduled");
        }
        inner.start().await?;
        Ok(Self { inner })
    }

    /// Stops the clock; jobs already running finish on their own.
    pub async fn stop(mut self) -> Result<(), ScheduleError> {
        self.inner.shutdown().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_job_runs_when_due_and_a_bad_expression_names_the_job() {
        let runs = Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = tokio::sync::mpsc::channel(1);
        let counter = runs.clone();
        let action: JobAction = Arc::new(move || {
            let counter = counter.clone();
            let tx = tx.clone();
            Box::pin(async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = tx.try_send(());
            })
        });
        let every_second = Recurring {
            name: "tick".into(),
            cron: "* * * * * *".into(),
            time_zone: chrono_tz::Asia::Dubai,
            action: action.clone(),
        };
        let scheduler = Scheduler::start(vec![every_second]).await.unwrap();
        rx.recv().await.unwrap();
        assert!(runs.load(Ordering::SeqCst) >= 1);
        scheduler.stop().await.unwrap();

        let bad = Recurring {
            name: "drift:prd".into(),
            cron: "61 * * * *".into(),
            time_zone: chrono_tz::UTC,
            action,
        };
        let error = Scheduler::start(vec![bad]).await.err().unwrap().to_string();
        assert!(
            error.contains("drift:prd") && error.contains("61 * * * *"),
            "{error}"
        );
    }
}
