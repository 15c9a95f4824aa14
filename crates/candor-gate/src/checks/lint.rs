//! Brand voice and compliance lint: banned phrases, shouting, length, unsubscribe line.

use super::Checker;
use crate::report::Kind;

impl Checker<'_> {
    /// The words of bytes `s..e` stand together, as written, in one of the campaign's values.
    pub(super) fn campaign_says(&self, s: usize, e: usize) -> bool {
        let said: Vec<String> = self
            .doc
            .words
            .iter()
            .map(|&ti| &self.doc.toks[ti])
            .filter(|t| t.start >= s && t.end <= e)
            .map(|t| crate::text::stem(&t.norm))
            .collect();
        // ("Bundang" where the campaign's address says "Bundang-gu", "Eimsbüttel" where it
        // says "Hamburg-Eimsbüttel": a part of a hyphened word.)
        let part = |w: &String| {
            w.contains('-')
                && w.split('-')
                    .any(|p| p == said[0] || crate::text::stem(p) == said[0])
        };
        !said.is_empty()
            && self.facts.list.iter().any(|f| {
                !f.personal
                    && (f.stems.windows(said.len()).any(|w| w == &said[..])
                        || (said.len() == 1 && f.stems.iter().any(part)))
            })
    }

    pub(super) fn lint(&mut self) {
        let lint = &self.rules.table.lint;
        let mut hits = Vec::new();
        for m in self
            .rules
            .banned
            .find(&self.doc.toks, &self.doc.words, false)
        {
            let s = self.doc.toks[self.doc.words[m.first]].start;
            let e = self.doc.toks[self.doc.words[m.last]].end;
            hits.push((s, e));
        }
        for (s, e, _) in self
            .rules
            .banned
            .find_raw(&self.doc.lower, &self.doc.present)
        {
            hits.push((s, e));
        }
        for (s, e) in hits {
            // "30-day risk-free trial" when the campaign calls its trial that: the brand's
            // own words, not copy the model made up.
            if self.campaign_says(s, e) {
                continue;
            }
            self.flag(
                Kind::BannedPhrase,
                s,
                e,
                "a phrase the brand rules ban".to_string(),
                "lint.banned_phrase",
            );
        }

        // Shouting: ALL-CAPS words that are not codes, acronyms or known names.
        let max_caps = lint.max_caps_words.unwrap_or(2);
        let mut caps = Vec::new();
        for &ti in &self.doc.words {
            let t = &self.doc.toks[ti];
            if !t.all_caps
                || t.norm.chars().count() < 4
                || t.norm.chars().any(|c| c.is_ascii_digit())
            {
                continue;
            }
            if self.facts.codes.contains(t.norm.as_str())
                || !self.facts.with_stem(&crate::text::stem(&t.norm)).is_empty()
                || self.doc.in_url[ti]
            {
                continue;
            }
            caps.push((t.start, t.end));
        }
        self.tally.caps = caps.len();
        let tail_caps = self.tail.map_or(0, |t| t.caps);
        // The tail judged its own shouting; together they shout only if this part adds some.
        if !caps.is_empty() && caps.len() + tail_caps > max_caps {
            // Quote the run in one part: the body's if it shouts, else the subject's.
            let body_start = self.doc.body_start;
            let in_body: Vec<(usize, usize)> =
                caps.iter().copied().filter(|c| c.0 >= body_start).collect();
            let part = if in_body.is_empty() {
                caps.iter().copied().filter(|c| c.0 < body_start).collect()
            } else {
                in_body
            };
            if let (Some(first), Some(last)) = (part.first(), part.last()) {
                let (s, e) = (first.0, last.1);
                self.flag(
                    Kind::BrandVoice,
                    s,
                    e,
                    format!(
                        "{} words in ALL CAPS: shouting is off-voice",
                        caps.len() + tail_caps
                    ),
                    "lint.shouting",
                );
            }
        }

        // "!!" and longer runs.
        let max_run = lint.max_exclamation_run.unwrap_or(1);
        let b = self.doc.text.as_bytes();
        let mut i = 0;
        let mut runs = Vec::new();
        while i < b.len() {
            if b[i] == b'!' {
                let s = i;
                while i < b.len() && b[i] == b'!' {
                    i += 1;
                }
                if i - s > max_run {
                    runs.push((s, i));
                }
            } else {
                i += 1;
            }
        }
        if let Some(&(s, e)) = runs.first() {
            self.flag(
                Kind::BrandVoice,
                s,
                e,
                "repeated exclamation marks are off-voice".to_string(),
                "lint.exclamations",
            );
        }

        let subject = &self.doc.text[..self.doc.subject_len];
        let max_subject = lint.max_subject_chars.unwrap_or(120);
        if subject.chars().count() > max_subject {
            self.flag(
                Kind::Compliance,
                0,
                self.doc.subject_len,
                format!("subject is longer than {max_subject} characters"),
                "lint.subject_length",
            );
        }
        let max_words = lint.max_body_words.unwrap_or(600);
        let body_words = self
            .doc
            .words
            .iter()
            .filter(|&&t| self.doc.toks[t].start >= self.doc.body_start)
            .count();
        self.tally.body_words = body_words;
        let tail_words = self.tail.map_or(0, |t| t.body_words);
        if body_words + tail_words > max_words && (body_words > 0 || self.tail.is_none()) {
            let body_words = body_words + tail_words;
            let end = self.doc.text.len();
            self.flag(
                Kind::Compliance,
                end,
                end,
                format!("body has {body_words} words, over the {max_words}-word limit"),
                "lint.body_length",
            );
        }
        self.tally.unsubscribe = self.doc.lower.contains("unsubscribe");
        if lint.require_unsubscribe == Some(true)
            && !self.tally.unsubscribe
            && !self.tail.is_some_and(|t| t.unsubscribe)
        {
            let end = self.doc.text.len();
            self.flag(
                Kind::Compliance,
                end,
                end,
                "no unsubscribe line".to_string(),
                "lint.unsubscribe",
            );
        }
    }
}
