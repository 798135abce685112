//! The `promotion:` section of `.bosun.yaml`: which environment feeds which
//! (`order`), how long a source's versions must have been on the default
//! branch before they move on (`soak`), and the freeze windows that block
//! promotions, read in a time zone (`time_zone`, default `Asia/Dubai`).
//!
//! Local times are turned into instants through chrono-tz, so daylight saving
//! time is honoured in zones that have it:
//!
//! - a local time that happens twice (the clock goes back) is its earlier
//!   occurrence (`from_local_datetime(..).earliest()`);
//! - a local time that never happens (the clock jumps forward over it) is the
//!   first whole minute after it that exists, which is the moment the clock
//!   jumps: a window from 02:30 on a day the clock goes from 02:00 to 03:00
//!   starts at 03:00.

use super::repo_config::ConfigError;
use bosun_commands::{Env, EnvCatalog};
use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// The time zone of freeze windows when `.bosun.yaml` names none.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Asia::Dubai;

/// The `promotion:` section as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PromotionSection {
    #[serde(default)]
    order: Option<HashMap<Spanned<String>, Spanned<String>>>,
    #[serde(default)]
    soak: HashMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    time_zone: Option<Spanned<String>>,
    #[serde(default)]
    freeze: Vec<WindowEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowEntry {
    name: Spanned<String>,
    #[serde(default)]
    envs: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    days: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    from: Option<Spanned<String>>,
    #[serde(default)]
    to: Option<Spanned<String>>,
    #[serde(default)]
    start: Option<Spanned<String>>,
    #[serde(default)]
    end: Option<Spanned<String>>,
}

/// How promotions between a repository's environments are ruled: the order,
/// soak times and freeze windows of `.bosun.yaml`'s `promotion:` section.
///
/// [`Default`] is the rules for the default catalog without the section:
/// `stg` from `dev`, `prd` from `stg`, no soak, `Asia/Dubai`, no windows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionRules {
    sources: BTreeMap<Env, Env>,
    soaks: BTreeMap<Env, Duration>,
    time_zone: Tz,
    windows: Vec<Window>,
}

/// A freeze window that blocks a promotion right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freeze {
    /// The window's `name` in `.bosun.yaml`.
    pub name: String,
    /// When the window ends. For a recurring window, the end of today's
    /// window in the configured time zone (the next day's window, if any,
    /// starts again after it).
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Window {
    name: String,
    /// `None`: every environment.
    envs: Option<Vec<Env>>,
    when: When,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    /// On the given weekdays (indexed from Monday), from `from` to `to`,
    /// both in minutes after local midnight (`to` may be 1440, i.e. 24:00).
    Weekly { days: [bool; 7], from: u32, to: u32 },
    /// Once, between two local date-times.
    Once {
        start: NaiveDateTime,
        end: NaiveDateTime,
    },
}

const MINUTES_PER_DAY: u32 = 24 * 60;

impl Default for PromotionRules {
    fn default() -> Self {
        Self::defaults(&EnvCatalog::default())
    }
}

impl PromotionRules {
    /// The rules when `.bosun.yaml` has no `promotion:` section: `stg` is
    /// promoted from `dev` and `prd` from `stg` (each pair only when the
    /// catalog resolves both words), no soak, `Asia/Dubai`, no windows.
    pub fn defaults(envs: &EnvCatalog) -> Self {
        Self {
            sources: default_order(envs),
            soaks: BTreeMap::new(),
            time_zone: DEFAULT_TIME_ZONE,
            windows: Vec::new(),
        }
    }

    /// The environment `to` is promoted from (its `promote_from`), if any.
    pub fn source_of(&self, to: &Env) -> Option<&Env> {
        self.sources.get(to)
    }

    /// How long the versions of `to`'s source must have been on the default
    /// branch before they may be promoted to `to`, if the repository asks it.
    pub fn soak(&self, to: &Env) -> Option<Duration> {
        self.soaks.get(to).copied()
    }

    /// The time zone freeze windows are written in.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// The first window, in `.bosun.yaml` order, that covers `now` for `env`
    /// (a window covers its start and ends just before its end).
    pub fn freeze_at(&self, env: &Env, now: DateTime<Utc>) -> Option<Freeze> {
        self.windows
            .iter()
            .filter(|w| w.envs.as_ref().is_none_or(|envs| envs.contains(env)))
            .find_map(|w| {
                let (start, end) = w.when.around(now, self.time_zone)?;
                (start <= now && now < end).then(|| Freeze {
                    name: w.name.clone(),
                    until: end,
                })
            })
    }

    /// Reads the section (absent: the defaults) against the repository's
    /// environments.
    pub(super) fn parse(
        section: Option<PromotionSection>,
        envs: &EnvCatalog,
    ) -> Result<Self, ConfigError> {
        let Some(section) = section else {
            return Ok(Self::defaults(envs));
        };
        let sources = match section.order {
            Some(order) => order_of(order, envs)?,
            None => default_order(envs),
        };
        let mut soaks = BTreeMap::new();
        for (to, duration) in sorted(section.soak) {
            let key = format!("promotion.soak.{}", to.value);
            let env = env(&to, envs, &key)?;
            if !sources.contains_key(&env) {
                return Err(at(
                    &to,
                    format!("{key}: `{env}` is promoted from nothing (see promotion.order)"),
                ));
            }
            let parsed = humantime::parse_duration(duration.value.trim()).map_err(|e| {
                at(
                    &duration,
                    format!(
                        "{key}: `{}` is not a duration ({e}); write e.g. `24h` or `2h 30m`",
                        duration.value
                    ),
                )
            })?;
            if soaks.insert(env.clone(), parsed).is_some() {
                return Err(at(&to, format!("{key}: `{env}` is given twice")));
            }
        }
        let time_zone = match &section.time_zone {
            None => DEFAULT_TIME_ZONE,
            Some(name) => name.value.trim().parse::<Tz>().map_err(|_| {
                at(
                    name,
                    format!(
                        "promotion.time_zone: unknown time zone `{}` (use an IANA name such as `Asia/Dubai` or `Europe/Berlin`)",
                        name.value
                    ),
                )
            })?,
        };
        let mut windows: Vec<Window> = Vec::with_capacity(section.freeze.len());
        for entry in section.freeze {
            let name = entry.name.clone();
            let window = window(entry, envs)?;
            if windows.iter().any(|w| w.name == window.name) {
                return Err(at(
                    &name,
                    format!(
                        "promotion.freeze[{}].name: another window has this name",
                        window.name
                    ),
                ));
            }
            windows.push(window);
        }
        Ok(Self {
            sources,
            soaks,
            time_zone,
            windows,
        })
    }
}

impl When {
    /// The window's occurrence that could cover `now`, as instants: for a
    /// weekly window, today's (in `tz`), if today is one of its days.
    fn around(&self, now: DateTime<Utc>, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        match *self {
            When::Once { start, end } => Some((instant(tz, start), instant(tz, end))),
            When::Weekly { days, from, to } => {
                let today = now.with_timezone(&tz).date_naive();
                if !days[today.weekday().num_days_from_monday() as usize] {
                    return None;
                }
                let at = |minutes: u32| {
                    let local = today.and_time(NaiveTime::MIN) + TimeDelta::minutes(minutes.into());
                    instant(tz, local)
                };
                Some((at(from), at(to)))
            }
        }
    }
}

/// The instant a local date-time names in `tz`: the earlier one when the
/// clock goes back over it, the moment the clock jumps when it jumps over it
/// (the first whole minute after it that exists).
fn instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    if let Some(t) = tz.from_local_datetime(&local).earliest() {
        return t.with_timezone(&Utc);
    }
    let minute = local.with_second(0).and_then(|t| t.with_nanosecond(0));
    let minute = minute.unwrap_or(local);
    // Clock jumps last at most a day (Samoa skipped 2011-12-30); transitions
    // fall on whole minutes, so the first existing minute is the jump.
    (1..=2 * i64::from(MINUTES_PER_DAY))
        .find_map(|m| {
            tz.from_local_datetime(&(minute + TimeDelta::minutes(m)))
                .earliest()
        })
        .map_or_else(
            // No zone skips two days; read the time as UTC rather than fail.
            || local.and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

fn at<T>(spanned: &Spanned<T>, message: String) -> ConfigError {
    ConfigError {
        line: Some(spanned.referenced.line()),
        message,
    }
}

fn sorted<K, V>(map: HashMap<Spanned<K>, V>) -> Vec<(Spanned<K>, V)> {
    let mut entries: Vec<_> = map.into_iter().collect();
    entries.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
    entries
}

fn env(word: &Spanned<String>, envs: &EnvCatalog, key: &str) -> Result<Env, ConfigError> {
    envs.resolve(word.value.trim()).ok_or_else(|| {
        let known: Vec<&str> = envs.envs().map(Env::as_str).collect();
        at(
            word,
            format!(
                "{key}: unknown environment `{}` (environments are {})",
                word.value,
                known.join(", ")
            ),
        )
    })
}

fn default_order(envs: &EnvCatalog) -> BTreeMap<Env, Env> {
    [("stg", "dev"), ("prd", "stg")]
        .into_iter()
        .filter_map(|(to, from)| Some((envs.resolve(to)?, envs.resolve(from)?)))
        .collect()
}

fn order_of(
    order: HashMap<Spanned<String>, Spanned<String>>,
    envs: &EnvCatalog,
) -> Result<BTreeMap<Env, Env>, ConfigError> {
    let mut sources = BTreeMap::new();
    let mut keys = Vec::new();
    for (to_word, from_word) in sorted(order) {
        let key = format!("promotion.order.{}", to_word.value);
        let to = env(&to_word, envs, &key)?;
        let from = env(&from_word, envs, &key)?;
        if to == from {
            return Err(at(
                &from_word,
                format!("{key}: `{to}` cannot be promoted from itself"),
            ));
        }
        if sources.insert(to.clone(), from).is_some() {
            return Err(at(&to_word, format!("{key}: `{to}` is given twice")));
        }
        keys.push((to, to_word));
    }
    // A cycle would make every stage wait on another forever.
    for (to, word) in &keys {
        let mut at_env = to;
        for _ in 0..sources.len() {
            match sources.get(at_env) {
                Some(from) if from == to => {
                    return Err(at(
                        word,
                        format!(
                            "promotion.order.{}: the order goes round in a circle back to `{to}`",
                            word.value
                        ),
                    ));
                }
                Some(from) => at_env = from,
                None => break,
            }
        }
    }
    Ok(sources)
}

fn window(entry: WindowEntry, envs: &EnvCatalog) -> Result<Window, ConfigError> {
    let name = entry.name.value.trim().to_owned();
    if name.is_empty() {
        return Err(at(
            &entry.name,
            "promotion.freeze.name: a window needs a name".to_owned(),
        ));
    }
    let key = |field: &str| format!("promotion.freeze[{name}].{field}");
    let window_envs = match &entry.envs {
        None => None,
        Some(list) if list.value.is_empty() => {
            return Err(at(
                list,
                format!(
                    "{}: empty; omit `envs` to freeze every environment",
                    key("envs")
                ),
            ));
        }
        Some(list) => Some(
            list.value
                .iter()
                .map(|word| env(word, envs, &key("envs")))
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let weekly = [&entry.from, &entry.to]
        .into_iter()
        .flatten()
        .next()
        .map(|s| (s.referenced.line(), s.referenced.column()))
        .or_else(|| {
            entry
                .days
                .as_ref()
                .map(|d| (d.referenced.line(), d.referenced.column()))
        });
    let once = [&entry.start, &entry.end].into_iter().flatten().next();
    let when = match (once, weekly) {
        (Some(field), Some(_)) => {
            let which = if entry.start.is_some() {
                "start"
            } else {
                "end"
            };
            return Err(at(
                field,
                format!(
                    "{}: a window is either recurring (`days`, `from`, `to`) or one-off (`start`, `end`), not both",
                    key(which)
                ),
            ));
        }
        (Some(_), None) => match (&entry.start, &entry.end) {
            (Some(start), Some(end)) => once_window(start, end, &key)?,
            (Some(start), None) => {
                return Err(at(
                    start,
                    format!("{}: a one-off window needs an `end` too", key("start")),
                ));
            }
            (None, _) => {
                let end = entry.end.as_ref().unwrap_or(&entry.name);
                return Err(at(
                    end,
                    format!("{}: a one-off window needs a `start` too", key("end")),
                ));
            }
        },
        (None, _) => weekly_window(&entry, &key)?,
    };
    Ok(Window {
        name,
        envs: window_envs,
        when,
    })
}

fn once_window(
    start_word: &Spanned<String>,
    end_word: &Spanned<String>,
    key: &dyn Fn(&str) -> String,
) -> Result<When, ConfigError> {
    let start = date_time(start_word, &key("start"))?;
    let end = date_time(end_word, &key("end"))?;
    if end <= start {
        return Err(at(
            end_word,
            format!(
                "{}: `{}` is not after `start` (`{}`)",
                key("end"),
                end_word.value,
                start_word.value
            ),
        ));
    }
    Ok(When::Once { start, end })
}

fn weekly_window(entry: &WindowEntry, key: &dyn Fn(&str) -> String) -> Result<When, ConfigError> {
    let days = match &entry.days {
        None => [true; 7],
        Some(list) if list.value.is_empty() => {
            return Err(at(
                list,
                format!("{}: empty; omit `days` for every day", key("days")),
            ));
        }
        Some(list) => {
            let mut days = [false; 7];
            for word in &list.value {
                let day = word.value.trim().parse::<Weekday>().map_err(|_| {
                    at(
                        word,
                        format!(
                            "{}: `{}` is not a day (use mon, tue, wed, thu, fri, sat, sun)",
                            key("days"),
                            word.value
                        ),
                    )
                })?;
                days[day.num_days_from_monday() as usize] = true;
            }
            days
        }
    };
    let from = match &entry.from {
        None => 0,
        Some(word) => time_of_day(word, &key("from"))?,
    };
    let to = match &entry.to {
        None => MINUTES_PER_DAY,
        Some(word) => time_of_day(word, &key("to"))?,
    };
    if to <= from {
        let (line_of, field) = match &entry.to {
            Some(word) => (word, "to"),
            // `from` is present: without it `from` is 00:00 and nothing ends before that.
            None => (entry.from.as_ref().unwrap_or(&entry.name), "from"),
        };
        return Err(at(
            line_of,
            format!(
                "{}: the window ends before it starts (`from` must be before `to`, the same day; split a window over midnight in two)",
                key(field)
            ),
        ));
    }
    Ok(When::Weekly { days, from, to })
}

/// `HH:MM`, 00:00 to 24:00, as minutes after midnight.
fn time_of_day(word: &Spanned<String>, key: &str) -> Result<u32, ConfigError> {
    let bad = || {
        at(
            word,
            format!(
                "{key}: `{}` is not a time of day; write `HH:MM`, 00:00 to 24:00",
                word.value
            ),
        )
    };
    let (h, m) = word.value.trim().split_once(':').ok_or_else(bad)?;
    let digits = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || m.len() != 2 || !digits(m) {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let minutes = h * 60 + m;
    if m >= 60 || minutes > MINUTES_PER_DAY {
        return Err(bad());
    }
    Ok(minutes)
}

/// `YYYY-MM-DDTHH:MM[:SS]` (or with a space for `T`), or a date for its
/// midnight.
fn date_time(word: &Spanned<String>, key: &str) -> Result<NaiveDateTime, ConfigError> {
    let text = word.value.trim();
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(|d| d.and_time(NaiveTime::MIN))
    })
    .ok_or_else(|| {
        at(
            word,
            format!(
                "{key}: `{}` is not a local date-time; write e.g. `2026-12-24T00:00`",
                word.value
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(yaml: &str) -> Result<PromotionRules, ConfigError> {
        let section: PromotionSection =
            serde_saphyr::from_str(yaml).expect("the test YAML has the section's shape");
        PromotionRules::parse(Some(section), &EnvCatalog::default())
    }

    fn env(word: &str) -> Env {
        EnvCatalog::default().resolve(word).unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
    }

    const WEEKEND: &str = "\
freeze:
  - name: weekend
    envs: [prod]
    days: [fri, sat]
    from: \"00:00\"
    to: \"23:59\"
";

    #[test]
    fn the_defaults_are_dev_then_stg_then_prd_without_soak_or_windows_in_dubai() {
        let rules = PromotionRules::default();
        assert_eq!(rules.source_of(&env("stg")), Some(&env("dev")));
        assert_eq!(rules.source_of(&env("prd")), Some(&env("stg")));
        assert_eq!(rules.source_of(&env("dev")), None);
        assert_eq!(rules.source_of(&env("ops")), None);
        assert_eq!(rules.soak(&env("prd")), None);
        assert_eq!(rules.time_zone(), chrono_tz::Asia::Dubai);
        assert_eq!(rules.freeze_at(&env("prd"), utc("2026-11-27 06:00")), None);
        assert_eq!(
            rules,
            PromotionRules::parse(None, &EnvCatalog::default()).unwrap()
        );
    }

    #[test]
    fn an_empty_section_keeps_every_default() {
        assert_eq!(rules("{}").unwrap(), PromotionRules::default());
    }

    #[test]
    fn default_order_skips_pairs_the_catalog_does_not_know() {
        let catalog = EnvCatalog::new()
            .with_env("dev", &[], false)
            .and_then(|c| c.with_env("prd", &[], true))
            .unwrap();
        let rules = PromotionRules::defaults(&catalog);
        let prd = catalog.resolve("prd").unwrap();
        assert_eq!(rules.source_of(&prd), None);
    }

    #[test]
    fn order_soak_and_time_zone_are_read_through_aliases() {
        let rules = rules(
            "order:\n  staging: dev\n  prod: dev\nsoak:\n  production: 24h\n  stg: 1h 30m\ntime_zone: Europe/Berlin\n",
        )
        .unwrap();
        assert_eq!(rules.source_of(&env("prd")), Some(&env("dev")));
        assert_eq!(rules.source_of(&env("stg")), Some(&env("dev")));
        assert_eq!(
            rules.soak(&env("prd")),
            Some(Duration::from_secs(24 * 3600))
        );
        assert_eq!(rules.soak(&env("stg")), Some(Duration::from_secs(5400)));
        assert_eq!(rules.soak(&env("dev")), None);
        assert_eq!(rules.time_zone(), chrono_tz::Europe::Berlin);
    }

    #[test]
    fn a_given_order_replaces_the_default_one() {
        let rules = rules("order:\n  prd: dev\n").unwrap();
        assert_eq!(rules.source_of(&env("prd")), Some(&env("dev")));
        assert_eq!(rules.source_of(&env("stg")), None);
    }

    #[test]
    fn a_recurring_window_covers_friday_morning_in_dubai_but_not_thursday() {
        let rules = rules(WEEKEND).unwrap();
        // 2026-11-27 is a Friday; 10:00 in Dubai (UTC+4) is 06:00 UTC.
        let freeze = rules
            .freeze_at(&env("prd"), utc("2026-11-27 06:00"))
            .unwrap();
        assert_eq!(freeze.name, "weekend");
        assert_eq!(freeze.until, utc("2026-11-27 19:59"));
        assert_eq!(rules.freeze_at(&env("prd"), utc("2026-11-26 06:00")), None);
        // Thursday 20:00 UTC is already Friday 00:00 in Dubai.
        let early = rules
            .freeze_at(&env("prd"), utc("2026-11-26 20:00"))
            .unwrap();
        assert_eq!(early.until, utc("2026-11-27 19:59"));
        assert_eq!(rules.freeze_at(&env("prd"), utc("2026-11-26 19:59")), None);
        // Saturday's window ends at Saturday 23:59 local.
        let saturday = rules
            .freeze_at(&env("prd"), utc("2026-11-28 12:00"))
            .unwrap();
        assert_eq!(saturday.until, utc("2026-11-28 19:59"));
    }

    #[test]
    fn a_window_for_prd_does_not_freeze_dev() {
        let rules = rules(WEEKEND).unwrap();
        assert_eq!(rules.freeze_at(&env("dev"), utc("2026-11-27 06:00")), None);
        assert_eq!(rules.freeze_at(&env("stg"), utc("2026-11-27 06:00")), None);
    }

    #[test]
    fn a_window_without_envs_or_days_freezes_every_environment_every_day() {
        let rules =
            rules("freeze:\n  - name: nights\n    from: \"22:00\"\n    to: \"24:00\"\n").unwrap();
        // 2026-11-25 18:30 UTC is Wednesday 22:30 in Dubai.
        for name in ["dev", "stg", "prd", "ops"] {
            let freeze = rules
                .freeze_at(&env(name), utc("2026-11-25 18:30"))
                .unwrap();
            assert_eq!(freeze.until, utc("2026-11-25 20:00"));
        }
        assert_eq!(rules.freeze_at(&env("dev"), utc("2026-11-25 17:59")), None);
    }

    #[test]
    fn a_one_off_window_includes_its_start_and_excludes_its_end() {
        let rules = rules(
            "freeze:\n  - name: year-end\n    envs: [prd, stg]\n    start: 2026-12-24T00:00\n    end: 2027-01-02T00:00\n",
        )
        .unwrap();
        let prd = env("prd");
        // Dubai midnight is 20:00 UTC the day before.
        assert_eq!(rules.freeze_at(&prd, utc("2026-12-23 19:59")), None);
        let freeze = rules.freeze_at(&prd, utc("2026-12-23 20:00")).unwrap();
        assert_eq!(freeze.name, "year-end");
        assert_eq!(freeze.until, utc("2027-01-01 20:00"));
        assert!(rules.freeze_at(&prd, utc("2027-01-01 19:59")).is_some());
        assert_eq!(rules.freeze_at(&prd, utc("2027-01-01 20:00")), None);
        assert_eq!(rules.freeze_at(&env("dev"), utc("2026-12-25 12:00")), None);
    }

    #[test]
    fn the_first_window_covering_the_moment_is_reported() {
        let rules = rules(
            "freeze:\n  - name: dev-only\n    envs: [dev]\n  - name: all-day\n  - name: later\n",
        )
        .unwrap();
        let at = utc("2026-11-27 06:00");
        assert_eq!(rules.freeze_at(&env("prd"), at).unwrap().name, "all-day");
        assert_eq!(rules.freeze_at(&env("dev"), at).unwrap().name, "dev-only");
    }

    #[test]
    fn a_window_starting_in_a_skipped_hour_starts_when_the_clock_jumps() {
        // Berlin, 2026-03-29 (a Sunday): 02:00 CET jumps to 03:00 CEST (01:00 UTC).
        let rules = rules(
            "time_zone: Europe/Berlin\nfreeze:\n  - name: night\n    days: [sun]\n    from: \"02:30\"\n    to: \"04:00\"\n",
        )
        .unwrap();
        let prd = env("prd");
        assert_eq!(rules.freeze_at(&prd, utc("2026-03-29 00:59")), None);
        let freeze = rules.freeze_at(&prd, utc("2026-03-29 01:00")).unwrap();
        assert_eq!(freeze.until, utc("2026-03-29 02:00"));
        // A summer Sunday: 02:30 CEST is 00:30 UTC.
        assert!(rules.freeze_at(&prd, utc("2026-06-07 00:30")).is_some());
        assert_eq!(rules.freeze_at(&prd, utc("2026-06-07 00:29")), None);
        // A winter Sunday: 02:30 CET is 01:30 UTC.
        assert_eq!(rules.freeze_at(&prd, utc("2026-01-04 01:29")), None);
        assert!(rules.freeze_at(&prd, utc("2026-01-04 01:30")).is_some());
    }

    #[test]
    fn a_local_time_that_happens_twice_is_its_earlier_occurrence() {
        // Berlin, 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens at
        // 00:30 UTC and again at 01:30 UTC.
        let rules = rules(
            "time_zone: Europe/Berlin\nfreeze:\n  - name: change\n    start: 2026-10-25T02:30\n    end: 2026-10-25 05:00\n",
        )
        .unwrap();
        let prd = env("prd");
        assert_eq!(rules.freeze_at(&prd, utc("2026-10-25 00:29")), None);
        let freeze = rules.freeze_at(&prd, utc("2026-10-25 00:30")).unwrap();
        assert_eq!(freeze.until, utc("2026-10-25 04:00"));
    }

    #[track_caller]
    fn error(yaml: &str, line: u64, needle: &str) {
        let error = rules(yaml).unwrap_err();
        assert_eq!(error.line, Some(line), "{error}");
        assert!(error.message.contains(needle), "{error}");
    }

    #[test]
    fn unknown_environments_are_named_with_their_line() {
        error(
            "order:\n  stg: dev\n  prdd: stg\n",
            3,
            "promotion.order.prdd: unknown environment `prdd`",
        );
        error(
            "order:\n  prd: qa\n",
            2,
            "promotion.order.prd: unknown environment `qa`",
        );
        error(
            "soak:\n  qa: 1h\n",
            2,
            "promotion.soak.qa: unknown environment `qa`",
        );
        error(
            "freeze:\n  - name: w\n    envs:\n      - prd\n      - qa\n",
            5,
            "promotion.freeze[w].envs: unknown environment `qa`",
        );
    }

    #[test]
    fn an_order_that_loops_or_feeds_itself_is_refused() {
        error(
            "order:\n  prd: prod\n",
            2,
            "promotion.order.prd: `prd` cannot be promoted from itself",
        );
        error(
            "order:\n  stg: prd\n  prd: stg\n",
            2,
            "promotion.order.stg: the order goes round",
        );
        error(
            "order:\n  prd: stg\n  prod: dev\n",
            3,
            "promotion.order.prod: `prd` is given twice",
        );
    }

    #[test]
    fn a_bad_soak_is_named_with_its_line() {
        error(
            "soak:\n  prd: 24 hours please\n",
            2,
            "promotion.soak.prd: `24 hours please` is not a duration",
        );
        error(
            "soak:\n  dev: 1h\n",
            2,
            "promotion.soak.dev: `dev` is promoted from nothing",
        );
    }

    #[test]
    fn an_unknown_time_zone_is_named_with_its_line() {
        error(
            "soak:\n  prd: 1h\ntime_zone: Asia/Dubia\n",
            3,
            "promotion.time_zone: unknown time zone `Asia/Dubia`",
        );
    }

    #[test]
    fn bad_days_and_times_are_named_with_their_line() {
        error(
            "freeze:\n  - name: w\n    days: [fri, caturday]\n",
            3,
            "promotion.freeze[w].days: `caturday` is not a day",
        );
        error(
            "freeze:\n  - name: w\n    from: \"25:00\"\n",
            3,
            "promotion.freeze[w].from: `25:00` is not a time",
        );
        error(
            "freeze:\n  - name: w\n    from: \"8am\"\n",
            3,
            "promotion.freeze[w].from: `8am` is not a time",
        );
        error(
            "freeze:\n  - name: w\n    to: \"10:60\"\n",
            3,
            "promotion.freeze[w].to: `10:60` is not a time",
        );
        error(
            "freeze:\n  - name: w\n    start: 2026-13-01T00:00\n    end: 2027-01-01T00:00\n",
            3,
            "promotion.freeze[w].start: `2026-13-01T00:00` is not a local date-time",
        );
    }

    #[test]
    fn a_window_that_ends_before_it_starts_is_named_with_its_line() {
        error(
            "freeze:\n  - name: w\n    from: \"18:00\"\n    to: \"09:00\"\n",
            4,
            "promotion.freeze[w].to: the window ends before it starts",
        );
        error(
            "freeze:\n  - name: w\n    start: 2026-12-24T00:00\n    end: 2026-12-23T00:00\n",
            4,
            "promotion.freeze[w].end: `2026-12-23T00:00` is not after `start`",
        );
    }

    #[test]
    fn two_windows_with_one_name_are_refused() {
        error(
            "freeze:\n  - name: w\n  - name: w\n    days: [sun]\n",
            3,
            "promotion.freeze[w].name: another window has this name",
        );
    }

    #[test]
    fn a_window_mixing_days_and_start_is_named_with_its_line() {
        error(
            "freeze:\n  - name: w\n    days: [fri]\n    start: 2026-12-24T00:00\n    end: 2026-12-25T00:00\n",
            4,
            "promotion.freeze[w].start: a window is either recurring",
        );
        error(
            "freeze:\n  - name: w\n    start: 2026-12-24T00:00\n",
            3,
            "promotion.freeze[w].start: a one-off window needs an `end`",
        );
    }
}
