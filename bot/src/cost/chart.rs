//! The `CostChart` adapter: a PNG of used vs idle cost per namespace, drawn
//! with plotters into a bitmap and encoded with `png`, in memory.
//!
//! Text is drawn by plotters' `ab_glyph` renderer with DejaVu Sans, embedded
//! in the binary (`bot/assets/fonts/`, Bitstream Vera licence) and
//! registered once, so charts look the same on any machine.

use bosun_reconciler::cost::EnvCost;
use bosun_reconciler::ports::chart::CostChart;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::sync::OnceLock;

const FONT: &str = "dejavu-sans";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Width and height of a chart, in pixels.
pub const SIZE: (u32, u32) = (1000, 560);

const USED: RGBColor = RGBColor(46, 139, 87);
const IDLE: RGBColor = RGBColor(230, 126, 34);

fn register_font() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES)
                .map_err(|_| "the embedded DejaVu Sans font could not be read".to_owned())
        })
        .clone()
}

/// Draws used vs idle cost per namespace as stacked bars.
#[derive(Debug, Default, Clone, Copy)]
pub struct PngChart;

/// At most this many bars; the cheaper namespaces share one more.
const MAX_BARS: usize = 12;

/// `(label, used, idle)` per bar: the namespaces with a known cost, most
/// expensive first (the report's order), the rest summed as `others (n)`.
fn bars(env: &EnvCost) -> Vec<(String, f64, f64)> {
    let known: Vec<(String, f64, f64)> = env
        .rows
        .iter()
        .filter_map(|r| {
            r.money
                .as_ref()
                .ok()
                .map(|m| (r.namespace.clone(), m.used, m.idle))
        })
        .collect();
    if known.len() <= MAX_BARS {
        return known;
    }
    let (shown, rest) = known.split_at(MAX_BARS - 1);
    let mut bars = shown.to_vec();
    bars.push((
        format!("others ({})", rest.len()),
        rest.iter().map(|(_, used, _)| used).sum(),
        rest.iter().map(|(_, _, idle)| idle).sum(),
    ));
    bars
}

fn draw(env: &EnvCost, currency: &str, pixels: &mut [u8]) -> Result<(), String> {
    let rows = bars(env);
    let root = BitMapBackend::with_buffer(pixels, SIZE).into_drawing_area();
    let fail = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let top = rows
        .iter()
        .map(|(_, used, idle)| used + idle)
        .fold(0.0_f64, f64::max)
        .max(1.0)
        * 1.1;
    let count = rows.len().max(1);
    let title = format!(
        "GPU cost {} ({} to {}), {currency}",
        env.env,
        env.window.start.format("%Y-%m-%d"),
        env.window.end.format("%Y-%m-%d")
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT, 24))
        .margin(16)
        .x_label_area_size(60)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5..count as f64 - 0.5, 0.0..top)
        .map_err(|e| fail(&e))?;
    let names: Vec<String> = rows.iter().map(|(n, _, _)| n.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_max_light_lines(1)
        .x_labels(count)
        .x_label_formatter(&|x| {
            let index = x.round();
            if (x - index).abs() < 1e-6 && index >= 0.0 {
                names.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc(format!("cost ({currency})"))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(|e| fail(&e))?;
    let bar = |i: usize, from: f64, to: f64, color: RGBColor| {
        Rectangle::new(
            [(i as f64 - 0.35, from), (i as f64 + 0.35, to)],
            color.filled(),
        )
    };
    chart
        .draw_series(
            rows.iter()
                .enumerate()
                .map(|(i, (_, used, _))| bar(i, 0.0, *used, USED)),
        )
        .map_err(|e| fail(&e))?
        .label("used")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], USED.filled()));
    chart
        .draw_series(
            rows.iter()
                .enumerate()
                .map(|(i, (_, used, idle))| bar(i, *used, used + idle, IDLE)),
        )
        .map_err(|e| fail(&e))?
        .label("idle")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], IDLE.filled()));
    chart
        .configure_series_labels()
        .label_font((FONT, 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}

fn encode(pixels: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, SIZE.0, SIZE.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(pixels).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

impl CostChart for PngChart {
    fn used_vs_idle(&self, env: &EnvCost, currency: &str) -> Result<Vec<u8>, String> {
        register_font()?;
        let mut pixels = vec![0_u8; (SIZE.0 * SIZE.1 * 3) as usize];
        draw(env, currency, &mut pixels)?;
        encode(&pixels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_reconciler::cost::{Missing, Money, NamespaceCost, Window};
    use chrono::{TimeDelta, TimeZone, Utc};

    fn env(namespaces: usize) -> EnvCost {
        let start = Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap();
        let rows = (0..namespaces)
            .map(|i| NamespaceCost {
                namespace: format!("ns{i:02}"),
                gpu_hours: 10.0,
                utilisation: Some(0.5),
                observed_share: Some(1.0),
                models: vec!["Tesla T4".into()],
                money: if i == 0 {
                    Err(Missing::NoGpuMetrics)
                } else {
                    Ok(Money {
                        cost: 100.0 - i as f64,
                        used: 50.0,
                        idle: 50.0 - i as f64,
                    })
                },
                previous_cost: None,
            })
            .collect();
        EnvCost {
            env: "prd".into(),
            window: Window {
                start,
                end: start + TimeDelta::days(7),
                step: TimeDelta::minutes(1),
            },
            rows,
            gaps: vec![],
            total: Money {
                cost: 0.0,
                used: 0.0,
                idle: 0.0,
            },
            gpu_hours: 0.0,
            previous_total: None,
            suggestions: vec![],
        }
    }

    #[test]
    fn unknown_costs_have_no_bar_and_the_cheapest_share_one() {
        let few = bars(&env(4));
        assert_eq!(few.len(), 3);
        assert_eq!(few[0].0, "ns01");
        let many = bars(&env(20));
        assert_eq!(many.len(), MAX_BARS);
        assert_eq!(many[MAX_BARS - 1].0, "others (8)");
        assert_eq!(many[MAX_BARS - 1].1, 400.0);
    }

    #[test]
    fn an_environment_without_costs_still_draws() {
        let png = PngChart.used_vs_idle(&env(1), "USD").unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }
}
