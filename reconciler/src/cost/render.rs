//! A cost report in words: Markdown for PR comments, the CLI and chat
//! notices. Pure; snapshot-tested.

use super::compute::{EnvCost, Missing, NamespaceCost};
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// The cost of one or more environments over the same period.
#[derive(Debug, Clone, PartialEq)]
pub struct CostReport {
    /// The period as asked (`7d`).
    pub period: String,
    /// The currency.
    pub currency: String,
    /// Per environment, in the order asked.
    pub envs: Vec<EnvCost>,
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn amount(value: f64) -> String {
    let cents = (value * 100.0).round() as i64;
    let (sign, cents) = if cents < 0 {
        ("-", -cents)
    } else {
        ("", cents)
    };
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", cents % 100)
}

fn change(now: f64, before: Option<f64>) -> String {
    match before {
        None => "—".to_owned(),
        Some(before) if before.abs() < 0.005 && now.abs() < 0.005 => "±0".to_owned(),
        Some(before) if before.abs() < 0.005 => "new".to_owned(),
        Some(before) => {
            let delta = now - before;
            let sign = if delta >= 0.0 { "+" } else { "" };
            format!(
                "{sign}{:.0} % ({sign}{})",
                delta / before * 100.0,
                amount(delta)
            )
        }
    }
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{:.0} %", v * 100.0))
}

fn namespace_row(out: &mut String, r: &NamespaceCost) {
    match &r.money {
        Ok(m) => {
            let _ = writeln!(
                out,
                "| `{}` | {:.1} | {} | {} | {} | {} | {} |",
                r.namespace,
                r.gpu_hours,
                percent(r.utilisation),
                amount(m.cost),
                amount(m.used),
                amount(m.idle),
                change(m.cost, r.previous_cost)
            );
        }
        Err(_) => {
            let _ = writeln!(
                out,
                "| `{}` | {:.1} | {} | unknown | unknown | unknown | — |",
                r.namespace,
                r.gpu_hours,
                percent(r.utilisation)
            );
        }
    }
}

fn missing(out: &mut String, env: &EnvCost) {
    let mut lines = Vec::new();
    for r in &env.rows {
        match &r.money {
            Err(Missing::NoGpuMetrics) => lines.push(format!(
                "`{}`: no GPU metrics (dcgm-exporter) for its {:.1} GPU-hours; model and utilisation unknown, cost not counted",
                r.namespace, r.gpu_hours
            )),
            Err(Missing::NoPrice(model)) => lines.push(format!(
                "`{}`: no price for `{model}` in `cost.prices`; cost not counted",
                r.namespace
            )),
            Ok(_) => {
                if let Some(share) = r.observed_share.filter(|s| *s < 0.95) {
                    lines.push(format!(
                        "`{}`: dcgm-exporter saw only {:.0} % of its GPU-hours; utilisation is from those",
                        r.namespace,
                        share * 100.0
                    ));
                }
            }
        }
    }
    for gap in &env.gaps {
        let hours = (gap.end - gap.start).num_minutes() as f64 / 60.0;
        lines.push(format!(
            "no kube-state-metrics data {} → {} UTC ({hours:.1} h): GPU-hours then are unknown, not counted",
            when(gap.start),
            when(gap.end)
        ));
    }
    if !lines.is_empty() {
        out.push_str("\n**Missing data**\n");
        for line in lines {
            let _ = writeln!(out, "- {line}");
        }
    }
}

fn env_section(out: &mut String, env: &EnvCost, currency: &str, period: &str) {
    let _ = writeln!(
        out,
        "### {} · last {period} ({} → {} UTC)\n",
        env.env,
        when(env.window.start),
        when(env.window.end)
    );
    if env.rows.is_empty() {
        out.push_str("No GPUs were requested.\n");
        missing(out, env);
        return;
    }
    let _ = writeln!(
        out,
        "| namespace | GPU-hours | utilisation | cost ({currency}) | used | idle | vs previous {period} |"
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for r in &env.rows {
        namespace_row(out, r);
    }
    let _ = writeln!(
        out,
        "| **total** | **{:.1}** | {} | **{}** | **{}** | **{}** | {} |",
        env.gpu_hours,
        percent((env.total.cost > 0.0).then(|| env.total.used / env.total.cost)),
        amount(env.total.cost),
        amount(env.total.used),
        amount(env.total.idle),
        change(env.total.cost, env.previous_total)
    );
    missing(out, env);
    if !env.suggestions.is_empty() {
        out.push_str("\n**Worst idle**\n");
        for (i, s) in env.suggestions.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. `{}`: {} {currency} idle — {}",
                i + 1,
                s.namespace,
                amount(s.idle),
                s.advice
            );
        }
    }
}

/// The headline of a report's notice.
pub fn headline(report: &CostReport) -> String {
    let envs: Vec<&str> = report.envs.iter().map(|e| e.env.as_str()).collect();
    let total: f64 = report.envs.iter().map(|e| e.total.cost).sum();
    let idle: f64 = report.envs.iter().map(|e| e.total.idle).sum();
    format!(
        "GPU cost {}, last {}: {} {} ({} idle)",
        envs.join(", "),
        report.period,
        amount(total),
        report.currency,
        amount(idle)
    )
}

/// The report in Markdown.
pub fn markdown(report: &CostReport) -> String {
    let mut out = format!("## GPU cost, last {}\n\n", report.period);
    if report.envs.len() > 1 {
        let _ = writeln!(
            out,
            "| environment | GPU-hours | cost ({}) | used | idle | idle share | vs previous {} |",
            report.currency, report.period
        );
        out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
        for env in &report.envs {
            let _ = writeln!(
                out,
                "| {} | {:.1} | {} | {} | {} | {} | {} |",
                env.env,
                env.gpu_hours,
                amount(env.total.cost),
                amount(env.total.used),
                amount(env.total.idle),
                percent((env.total.cost > 0.0).then(|| env.total.idle / env.total.cost)),
                change(env.total.cost, env.previous_total)
            );
        }
        out.push('\n');
    }
    for env in &report.envs {
        env_section(&mut out, env, &report.currency, &report.period);
        out.push('\n');
    }
    out.push_str(
        "Cost = GPU-hours requested by running pods × price of the GPU model; idle = cost × (1 − utilisation measured by dcgm-exporter).\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CostConfig;
    use crate::cost::compute::env_cost;
    use crate::cost::promql::Window;
    use crate::cost::usage::{EnvUsage, Gap, GpuObservation, NamespaceUsage};
    use chrono::{TimeDelta, TimeZone};

    fn ns(hours: f64, model: &str, busy: f64) -> NamespaceUsage {
        NamespaceUsage {
            gpu_hours: hours,
            gpus: Some(GpuObservation {
                observed_hours: [(model.to_owned(), hours)].into_iter().collect(),
                busy_hours: busy,
            }),
        }
    }

    #[test]
    fn amounts_are_grouped_and_rounded_to_cents() {
        assert_eq!(amount(1234567.891), "1,234,567.89");
        assert_eq!(amount(-12.5), "-12.50");
        assert_eq!(amount(0.0), "0.00");
    }

    #[test]
    fn a_two_environment_report_reads_well() {
        let config = CostConfig {
            currency: "USD".into(),
            prices: [
                ("NVIDIA A100-SXM4-80GB".to_owned(), 3.4),
                ("Tesla T4".to_owned(), 0.35),
            ]
            .into_iter()
            .collect(),
            idle_threshold: 30.0,
            envs: Default::default(),
        };
        let start = Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap();
        let window = Window {
            start,
            end: start + TimeDelta::days(7),
            step: TimeDelta::minutes(1),
        };
        let prd = EnvUsage {
            window,
            namespaces: [
                (
                    "train".to_owned(),
                    ns(336.0, "NVIDIA A100-SXM4-80GB", 285.6),
                ),
                (
                    "notebooks".to_owned(),
                    ns(168.0, "NVIDIA A100-SXM4-80GB", 16.8),
                ),
                (
                    "batch".to_owned(),
                    NamespaceUsage {
                        gpu_hours: 24.0,
                        gpus: None,
                    },
                ),
            ]
            .into_iter()
            .collect(),
            gaps: vec![Gap {
                start: start + TimeDelta::hours(50),
                end: start + TimeDelta::hours(53),
            }],
        };
        let prd_before = EnvUsage {
            window: window.previous(),
            namespaces: [(
                "train".to_owned(),
                ns(300.0, "NVIDIA A100-SXM4-80GB", 200.0),
            )]
            .into_iter()
            .collect(),
            gaps: vec![],
        };
        let dev = EnvUsage {
            window,
            namespaces: [("ci".to_owned(), ns(672.0, "Tesla T4", 100.8))]
                .into_iter()
                .collect(),
            gaps: vec![],
        };
        let report = CostReport {
            period: "7d".into(),
            currency: "USD".into(),
            envs: vec![
                env_cost("prd", &prd, Some(&prd_before), &config),
                env_cost("dev", &dev, None, &config),
            ],
        };
        insta::assert_snapshot!(headline(&report));
        insta::assert_snapshot!(markdown(&report));
    }
}
