//! Progress of a run on stderr: done/total, spend vs budget, projected total, tier mix, gate
//! catches, ETA.
//!
//! Invariants: writes only to the writer it is given (stderr in the CLI), only when enabled
//! (the CLI enables it only for a terminal), and at most a few times a second, so a fast run
//! is not slowed by redrawing.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use candor_domain::Money;

/// What the progress line shows.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub done: u64,
    pub total: u64,
    pub spend: Money,
    pub budget: Option<Money>,
    pub tier_mix: BTreeMap<String, u64>,
    pub gate_catches: u64,
    pub skipped: u64,
}

pub struct Progress {
    out: Option<Box<dyn Write + Send>>,
    started: Instant,
    last: Option<Instant>,
    every: Duration,
}

impl Progress {
    /// `out = None` keeps it quiet.
    pub fn new(out: Option<Box<dyn Write + Send>>) -> Progress {
        Progress {
            out,
            started: Instant::now(),
            last: None,
            every: Duration::from_millis(200),
        }
    }

    pub fn enabled(&self) -> bool {
        self.out.is_some()
    }

    /// Redraw if enough time has passed (or `force`).
    pub fn update(&mut self, s: &Snapshot, force: bool) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        let now = Instant::now();
        if !force && self.last.is_some_and(|l| now - l < self.every) {
            return;
        }
        self.last = Some(now);
        let line = render(s, now - self.started);
        // A progress line that cannot be written is not worth failing a run for.
        let _ = write!(out, "\r\x1b[2K{line}");
        let _ = out.flush();
    }

    /// End the line so later output starts clean.
    pub fn finish(&mut self, s: &Snapshot) {
        if self.out.is_some() {
            self.update(s, true);
            if let Some(out) = self.out.as_mut() {
                let _ = writeln!(out);
            }
        }
    }
}

/// The progress line.
pub fn render(s: &Snapshot, elapsed: Duration) -> String {
    let pct = (s.done * 100).checked_div(s.total).unwrap_or(0);
    let projected = if s.done > 0 && s.total > s.done {
        s.spend
            .mul_div_round(i128::from(s.total), i128::from(s.done))
            .unwrap_or(s.spend)
    } else {
        s.spend
    };
    let budget = s
        .budget
        .map(|b| format!(" of ${}", b.format_dollars(2)))
        .unwrap_or_default();
    let eta = if s.done > 0 && s.total > s.done {
        let per = elapsed.as_secs_f64() / s.done as f64;
        format!(" ETA {}", fmt_secs(per * (s.total - s.done) as f64))
    } else {
        String::new()
    };
    let mix: Vec<String> = s.tier_mix.iter().map(|(t, n)| format!("{t} {n}")).collect();
    format!(
        "{}/{} ({pct}%) spend ${}{budget}, projected ${} | {} | gate caught {} | skipped {}{eta}",
        s.done,
        s.total,
        s.spend.format_dollars(4),
        projected.format_dollars(4),
        if mix.is_empty() {
            "-".to_string()
        } else {
            mix.join(", ")
        },
        s.gate_catches,
        s.skipped,
    )
}

fn fmt_secs(s: f64) -> String {
    let s = s.max(0.0) as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_projection_and_eta() {
        let mut s = Snapshot {
            done: 25,
            total: 100,
            spend: Money::from_cents(50),
            budget: Some(Money::from_dollars(5)),
            ..Snapshot::default()
        };
        s.tier_mix.insert("local".into(), 20);
        s.tier_mix.insert("template".into(), 5);
        let line = render(&s, Duration::from_secs(10));
        assert!(line.starts_with("25/100 (25%) spend $0.5000 of $5.00, projected $2.0000"));
        assert!(line.contains("local 20, template 5"));
        assert!(line.contains("ETA 30s"), "{line}");
    }

    #[test]
    fn quiet_when_disabled() {
        let mut p = Progress::new(None);
        p.update(&Snapshot::default(), true);
        assert!(!p.enabled());
    }
}
