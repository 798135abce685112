//! A generated GPU cluster history with known answers, as OpenMetrics text
//! in the shapes kube-state-metrics and dcgm-exporter expose (label sets as
//! in `bot/tests/fixtures/kubernetes/`): pods with GPU requests and phases,
//! and per-GPU utilisation, sampled every 60 s over the 48 hours before `end`.
//!
//! With `end` = E (a whole hour), cluster `aks-test` holds:
//!
//! | namespace | pod | GPUs | phase | when | GPU metrics |
//! |---|---|---|---|---|---|
//! | train | train-a | 1 | Running | E-48h .. E-24h | A100, 50 %, labels renamed (`exported_namespace`) |
//! | train | train-b | 2 | Running | E-24h .. E | A100 ×2, 90 % and 70 %, labels renamed |
//! | notebooks | nb-0 | 1 | Running | E-24h .. E | Tesla T4, 10 %, `namespace` label |
//! | mig | mig-0 | 1 | Running | E-6h .. E | A100 MIG slice, `DCGM_FI_PROF_GR_ENGINE_ACTIVE` 0.25, no `DCGM_FI_DEV_GPU_UTIL` |
//! | batch | batch-0 | 4 | Running | E-20h .. E-12h | none |
//! | waiting | waiting-0 | 1 | Pending | E-48h .. E | none |
//!
//! In the previous period the second A100 serves no pod: its series carry
//! only the exporter's own `namespace="gpu-operator"`.
//! kube-state-metrics is missing from E-10h to E-7h (a 3-hour gap).
//! Cluster `aks-other` has 8 busy GPUs in `train` that must never be counted.

use chrono::{DateTime, TimeDelta, Utc};
use std::fmt::Write;

/// The sampling interval.
pub const SCRAPE: i64 = 60;

struct Pod {
    cluster: &'static str,
    namespace: &'static str,
    name: &'static str,
    gpus: u32,
    running: bool,
    from_h: i64,
    to_h: i64,
}

struct Gpu {
    cluster: &'static str,
    gpu: &'static str,
    model: &'static str,
    /// `(namespace label, pod label name prefix)`: `exported_` when renamed.
    renamed: bool,
    namespace: Option<&'static str>,
    pod: Option<&'static str>,
    mig: bool,
    value: f64,
    from_h: i64,
    to_h: i64,
}

const PODS: &[Pod] = &[
    Pod {
        cluster: "aks-test",
        namespace: "train",
        name: "train-a",
        gpus: 1,
        running: true,
        from_h: -48,
        to_h: -24,
    },
    Pod {
        cluster: "aks-test",
        namespace: "train",
        name: "train-b",
        gpus: 2,
        running: true,
        from_h: -24,
        to_h: 0,
    },
    Pod {
        cluster: "aks-test",
        namespace: "notebooks",
        name: "nb-0",
        gpus: 1,
        running: true,
        from_h: -24,
        to_h: 0,
    },
    Pod {
        cluster: "aks-test",
        namespace: "mig",
        name: "mig-0",
        gpus: 1,
        running: true,
        from_h: -6,
        to_h: 0,
    },
    Pod {
        cluster: "aks-test",
        namespace: "batch",
        name: "batch-0",
        gpus: 4,
        running: true,
        from_h: -20,
        to_h: -12,
    },
    Pod {
        cluster: "aks-test",
        namespace: "waiting",
        name: "waiting-0",
        gpus: 1,
        running: false,
        from_h: -48,
        to_h: 0,
    },
    Pod {
        cluster: "aks-other",
        namespace: "train",
        name: "big-0",
        gpus: 8,
        running: true,
        from_h: -48,
        to_h: 0,
    },
];

const A100: &str = "NVIDIA A100-SXM4-80GB";

const GPUS: &[Gpu] = &[
    Gpu {
        cluster: "aks-test",
        gpu: "0",
        model: A100,
        renamed: true,
        namespace: Some("train"),
        pod: Some("train-a"),
        mig: false,
        value: 50.0,
        from_h: -48,
        to_h: -24,
    },
    Gpu {
        cluster: "aks-test",
        gpu: "1",
        model: A100,
        renamed: true,
        namespace: None,
        pod: None,
        mig: false,
        value: 5.0,
        from_h: -48,
        to_h: -24,
    },
    Gpu {
        cluster: "aks-test",
        gpu: "0",
        model: A100,
        renamed: true,
        namespace: Some("train"),
        pod: Some("train-b"),
        mig: false,
        value: 90.0,
        from_h: -24,
        to_h: 0,
    },
    Gpu {
        cluster: "aks-test",
        gpu: "1",
        model: A100,
        renamed: true,
        namespace: Some("train"),
        pod: Some("train-b"),
        mig: false,
        value: 70.0,
        from_h: -24,
        to_h: 0,
    },
    Gpu {
        cluster: "aks-test",
        gpu: "0",
        model: "Tesla T4",
        renamed: false,
        namespace: Some("notebooks"),
        pod: Some("nb-0"),
        mig: false,
        value: 10.0,
        from_h: -24,
        to_h: 0,
    },
    Gpu {
        cluster: "aks-test",
        gpu: "2",
        model: A100,
        renamed: false,
        namespace: Some("mig"),
        pod: Some("mig-0"),
        mig: true,
        value: 0.25,
        from_h: -6,
        to_h: 0,
    },
    Gpu {
        cluster: "aks-other",
        gpu: "0",
        model: A100,
        renamed: false,
        namespace: Some("train"),
        pod: Some("big-0"),
        mig: false,
        value: 100.0,
        from_h: -48,
        to_h: 0,
    },
];

/// kube-state-metrics is absent from E-10h (inclusive) to E-7h (exclusive).
const GAP_H: (i64, i64) = (-10, -7);

fn times(end: DateTime<Utc>, from_h: i64, to_h: i64, skip_gap: bool) -> impl Iterator<Item = i64> {
    let start = (end + TimeDelta::hours(from_h)).timestamp();
    let stop = (end + TimeDelta::hours(to_h)).timestamp();
    let gap = (
        (end + TimeDelta::hours(GAP_H.0)).timestamp(),
        (end + TimeDelta::hours(GAP_H.1)).timestamp(),
    );
    (start..stop)
        .step_by(SCRAPE as usize)
        .filter(move |t| !(skip_gap && *t >= gap.0 && *t < gap.1))
}

fn series(
    out: &mut String,
    name: &str,
    labels: &str,
    value: f64,
    stamps: impl Iterator<Item = i64>,
) {
    for t in stamps {
        let _ = writeln!(out, "{name}{{{labels}}} {value} {t}");
    }
}

/// The dataset ending at `end` (a whole hour), as OpenMetrics text.
pub fn openmetrics(end: DateTime<Utc>) -> String {
    let mut out = String::new();
    out.push_str("# HELP kube_pod_container_resource_requests The number of requested request resource by a container.\n# TYPE kube_pod_container_resource_requests gauge\n");
    for p in PODS {
        let labels = format!(
            "cluster=\"{}\",namespace=\"{}\",pod=\"{}\",uid=\"uid-{}\",container=\"main\",node=\"node-a\",resource=\"nvidia_com_gpu\",unit=\"integer\"",
            p.cluster, p.namespace, p.name, p.name
        );
        series(
            &mut out,
            "kube_pod_container_resource_requests",
            &labels,
            f64::from(p.gpus),
            times(end, p.from_h, p.to_h, true),
        );
        let cpu = labels.replace(
            "resource=\"nvidia_com_gpu\",unit=\"integer\"",
            "resource=\"cpu\",unit=\"core\"",
        );
        series(
            &mut out,
            "kube_pod_container_resource_requests",
            &cpu,
            2.0,
            times(end, p.from_h, p.to_h, true),
        );
    }
    out.push_str("# HELP kube_pod_status_phase The pods current phase.\n# TYPE kube_pod_status_phase gauge\n");
    for p in PODS {
        for (phase, on) in [("Running", p.running), ("Pending", !p.running)] {
            let labels = format!(
                "cluster=\"{}\",namespace=\"{}\",pod=\"{}\",uid=\"uid-{}\",phase=\"{phase}\"",
                p.cluster, p.namespace, p.name, p.name
            );
            series(
                &mut out,
                "kube_pod_status_phase",
                &labels,
                if on { 1.0 } else { 0.0 },
                times(end, p.from_h, p.to_h, true),
            );
        }
    }
    for (metric, mig) in [
        ("DCGM_FI_DEV_GPU_UTIL", false),
        ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", true),
    ] {
        let _ = writeln!(out, "# HELP {metric} GPU activity.\n# TYPE {metric} gauge");
        for g in GPUS.iter().filter(|g| g.mig == mig) {
            let mut labels = format!(
                "cluster=\"{}\",gpu=\"{}\",UUID=\"GPU-{}-{}\",device=\"nvidia{}\",modelName=\"{}\",Hostname=\"node-a\"",
                g.cluster, g.gpu, g.cluster, g.gpu, g.gpu, g.model
            );
            if g.mig {
                labels.push_str(",GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"3\"");
            }
            match (g.renamed, g.namespace, g.pod) {
                (true, Some(ns), Some(pod)) => {
                    let _ = write!(
                        labels,
                        ",namespace=\"gpu-operator\",pod=\"dcgm-exporter-x\",exported_namespace=\"{ns}\",exported_pod=\"{pod}\",exported_container=\"main\""
                    );
                }
                (true, _, _) => {
                    labels.push_str(",namespace=\"gpu-operator\",pod=\"dcgm-exporter-x\"")
                }
                (false, Some(ns), Some(pod)) => {
                    let _ = write!(
                        labels,
                        ",namespace=\"{ns}\",pod=\"{pod}\",container=\"main\""
                    );
                }
                (false, _, _) => {}
            }
            series(
                &mut out,
                metric,
                &labels,
                g.value,
                times(end, g.from_h, g.to_h, false),
            );
        }
    }
    out.push_str("# EOF\n");
    out
}
