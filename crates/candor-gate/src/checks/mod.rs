//! The checks. Each is a small unit over one prepared document ([`Doc`]) and the fact index;
//! each finding names the rule that fired.
//!
//! Invariant: spans are byte ranges into `Doc::text` (subject, two newlines, body) until
//! [`Checker::finish`] maps them to the subject or the body.

mod grounding;
mod implied;
mod leak;
mod lint;
mod numbers;
mod time;

use std::collections::HashSet;

use candor_domain::Recipient;

use crate::context::Context;
use crate::facts::{CampaignFacts, FKind, Facts};
use crate::report::{Finding, Kind, Part, Report, Verdict};
use crate::rules::{word_indices, Compiled};
use crate::text::Tok;

/// Words that make a sentence about the person.
/// Words that address the reader. Beside English, the second person of German, French and
/// Spanish where the word is nothing else ("dein", "votre", "tus"; not "du", which is also
/// French "of the", nor "Sie" and "Ihr", which are also "they" and "her").
const YOU_WORDS: [&str; 22] = [
    "you", "your", "you're", "you've", "yours", "you'll", "you'd", "yourself", "dein", "deine",
    "deinen", "deinem", "deiner", "deines", "dich", "dir", "vous", "votre", "vos", "tu", "tus",
    "usted",
];

/// Grammatical words that end a noun phrase.
pub(crate) const STOP_WORDS: [&str; 57] = [
    "and",
    "or",
    "but",
    "to",
    "for",
    "with",
    "is",
    "are",
    "was",
    "were",
    "has",
    "have",
    "had",
    "will",
    "would",
    "that",
    "which",
    "who",
    "in",
    "on",
    "at",
    "from",
    "of",
    "by",
    "as",
    "so",
    "because",
    "when",
    "if",
    "while",
    "into",
    "than",
    "then",
    "it",
    "this",
    "these",
    "there",
    "be",
    "been",
    "can",
    "could",
    "should",
    "last",
    "ago",
    // Time words end an object too: "the parka you checked out earlier this week".
    "earlier",
    "recently",
    "yesterday",
    "today",
    "tonight",
    "lately",
    "already",
    "again",
    "just",
    "week",
    "month",
    "before",
    "once",
];

pub(crate) struct Doc<'t> {
    pub text: &'t str,
    pub subject_len: usize,
    pub body_start: usize,
    pub toks: Vec<Tok>,
    /// Token indices of words and numbers.
    pub words: Vec<usize>,
    /// Per sentence: token range `start..end`.
    pub sent_range: Vec<(usize, usize)>,
    pub lower: String,
    /// Which bytes occur in `lower`.
    pub present: [bool; 256],
    /// Per sentence: mentions "you"/"your" or the recipient's first name.
    pub personal: Vec<bool>,
    /// Tokens inside a URL or an email address.
    pub in_url: Vec<bool>,
    pub subject_title_case: bool,
    /// Byte offset where the footer (sender address, unsubscribe, legal) begins; `text.len()`
    /// when there is none.
    pub footer_start: usize,
}

/// Honorifics written onto a name with a hyphen (Japanese, Korean, Hindi).
pub(super) const HONORIFIC_SUFFIXES: [&str; 9] = [
    "-san", "-sama", "-sensei", "-kun", "-chan", "-senpai", "-ssi", "-nim", "-ji",
];

impl<'t> Doc<'t> {
    fn new(
        text: &'t str,
        subject_len: usize,
        first_name: &[String],
        vocab: &crate::text::FastMap<String, u32>,
        footer_markers: &[String],
        letters: &[&'static str],
    ) -> Doc<'t> {
        let mut toks = crate::text::tokenize_with(text, letters);
        for t in &mut toks {
            // "Satō-san", "Min-jun-ssi", "Kenji-sensei": a name and the honorific written
            // onto it are read as the name.
            if t.cap && t.norm.contains('-') {
                // ("Tadashi-san's": the possessive stays after the name.)
                let (word, poss) = match t.norm.strip_suffix("'s") {
                    Some(w) => (w, "'s"),
                    None => (t.norm.as_str(), ""),
                };
                if let Some(name) = HONORIFIC_SUFFIXES
                    .iter()
                    .find_map(|s| word.strip_suffix(s))
                    .filter(|n| n.len() > 1)
                {
                    t.norm = format!("{name}{poss}").into();
                }
            }
            if let Some(&id) = vocab.get(t.norm.as_str()) {
                t.id = id;
            }
        }
        // "A Phádraig, a chara": Irish calls a Pádraig by his name with its first consonant
        // softened (an "h" after it), after the particle "a".
        for i in 1..toks.len() {
            let (before, rest) = toks.split_at_mut(i);
            let t = &mut rest[0];
            let mut cs = t.norm.chars();
            let lenited = t.cap
                && before[i - 1].norm == "a"
                && cs.next().is_some_and(|c| "bcdfgmpst".contains(c))
                && cs.next() == Some('h');
            if lenited {
                let plain: String = t
                    .norm
                    .chars()
                    .take(1)
                    .chain(t.norm.chars().skip(2))
                    .collect();
                if first_name
                    .iter()
                    .any(|f| *f == plain || *f == crate::text::stem(&plain))
                {
                    t.norm = plain.into();
                }
            }
        }
        let words = word_indices(&toks);
        let nsent = toks.last().map(|t| t.sent + 1).unwrap_or(0);
        let mut sent_range = vec![(0usize, 0usize); nsent];
        for (i, t) in toks.iter().enumerate() {
            let r = &mut sent_range[t.sent];
            if r.1 == 0 {
                r.0 = i;
            }
            r.1 = i + 1;
        }
        let mut personal = vec![false; nsent];
        for (i, t) in toks.iter().enumerate() {
            // "Thanks for making the trip down": the one thanked is the reader.
            let thanked = matches!(t.norm.as_str(), "thanks" | "thank")
                && toks[i + 1..]
                    .iter()
                    .find(|x| x.kind == crate::text::TokKind::Word)
                    .is_some_and(|x| x.norm == "for" && x.sent == t.sent);
            // German "du" beside its verb ("hast du", "du bist"); alone it may be French.
            let word_near = |k: isize| {
                toks.get(i.wrapping_add_signed(k))
                    .filter(|x| x.kind == crate::text::TokKind::Word && x.sent == t.sent)
                    .map(|x| x.norm.as_str())
            };
            let du = t.norm == "du"
                && [word_near(-1), word_near(1)]
                    .into_iter()
                    .flatten()
                    .any(|w| w.len() >= 4 && w.ends_with("st") && w != "c'est");
            if thanked
                || du
                || YOU_WORDS.contains(&t.norm.as_str())
                // "Zoë", "Zoë's": the word starts with the name.
                || first_name
                    .first()
                    .is_some_and(|f| !f.is_empty() && t.norm.starts_with(f.as_str()))
            {
                personal[t.sent] = true;
            }
        }
        // URLs and addresses: whitespace-delimited chunks with "://", "www." or "@".
        let mut url_ranges = Vec::new();
        // Most texts hold none of the three: one look at the whole text, not three per chunk.
        if text.contains("://") || text.contains("www.") || text.contains('@') {
            let mut pos = 0;
            for chunk in text.split_inclusive(char::is_whitespace) {
                if chunk.contains("://") || chunk.contains("www.") || chunk.contains('@') {
                    url_ranges.push((pos, pos + chunk.len()));
                }
                pos += chunk.len();
            }
        }
        let in_url = if url_ranges.is_empty() {
            vec![false; toks.len()]
        } else {
            toks.iter()
                .map(|t| url_ranges.iter().any(|(s, e)| t.start >= *s && t.end <= *e))
                .collect()
        };
        let subject_words: Vec<&Tok> = toks
            .iter()
            .filter(|t| t.end <= subject_len && t.is_word() && t.norm.chars().count() >= 4)
            .collect();
        let caps = subject_words.iter().filter(|t| t.cap).count();
        let subject_title_case = subject_words.len() >= 3 && caps * 10 >= subject_words.len() * 7;
        let lower = text.to_ascii_lowercase();
        let footer_start = footer_start(text, &lower, subject_len + 2, footer_markers);
        let mut present = [false; 256];
        for b in lower.bytes() {
            present[b as usize] = true;
        }
        Doc {
            present,
            footer_start,
            text,
            subject_len,
            body_start: subject_len + 2,
            lower,
            toks,
            words,
            sent_range,
            personal,
            in_url,
            subject_title_case,
        }
    }

    pub fn in_subject(&self, tok: usize) -> bool {
        self.toks[tok].start < self.subject_len
    }

    pub fn sent_personal(&self, tok: usize) -> bool {
        self.personal
            .get(self.toks[tok].sent)
            .copied()
            .unwrap_or(false)
    }

    /// The word token `k` words after word index `wi`, if in the same sentence.
    pub fn word_after(&self, wi: usize, k: usize) -> Option<&Tok> {
        let t = self.toks.get(*self.words.get(wi + k)?)?;
        (t.sent == self.toks[self.words[wi]].sent).then_some(t)
    }

    /// The year `y` writes when it follows a date or month ending at byte `after`: four plain
    /// digits with only a space or a comma between ("November 30, 2026", "March 2031"), not an
    /// amount further on ("30 November - R2,400").
    pub fn year_written(&self, after: usize, y: &Tok) -> Option<i32> {
        let written = self.text.get(y.start..y.end)?;
        let gap = self.text.get(after..y.start)?;
        (y.kind == crate::text::TokKind::Num
            && written.len() == 4
            && written.bytes().all(|b| b.is_ascii_digit())
            && gap.bytes().all(|b| b == b' ' || b == b','))
        .then(|| written.parse().ok())
        .flatten()
    }

    pub fn word_before(&self, wi: usize, k: usize) -> Option<&Tok> {
        let j = wi.checked_sub(k)?;
        let t = self.toks.get(*self.words.get(j)?)?;
        (t.sent == self.toks[self.words[wi]].sent).then_some(t)
    }

    /// Tokens of the sentence holding token `ti`.
    pub fn sentence(&self, ti: usize) -> &[Tok] {
        let (s, e) = self.sent_range[self.toks[ti].sent];
        &self.toks[s..e]
    }

    /// The clause around token `ti`: between punctuation or joining words, inside its sentence.
    pub fn clause(&self, ti: usize) -> (usize, usize) {
        let toks = &self.toks;
        let (ss, se) = self.sent_range[toks[ti].sent];
        let boundary = |i: usize| {
            let t = &toks[i];
            if t.kind == crate::text::TokKind::Punct {
                return matches!(t.norm.as_str(), "," | ";" | ":" | "—" | "–" | "(" | ")");
            }
            match t.norm.as_str() {
                // "between the CBD and Richmond": two names joined, not two clauses.
                "and" => {
                    !(i > ss
                        && i + 1 < se
                        && toks[i - 1].cap
                        && toks[i + 1].cap
                        && toks[i - 1].kind == crate::text::TokKind::Word
                        && toks[i + 1].kind == crate::text::TokKind::Word)
                }
                "but" | "so" | "because" | "while" | "which" | "since" | "where" => true,
                _ => false,
            }
        };
        self.part_of_sentence_at(ti, boundary)
    }

    /// The tokens around token `ti`, within its sentence, up to the nearest `boundary` token
    /// on each side (not included).
    pub fn part_of_sentence(&self, ti: usize, boundary: impl Fn(&Tok) -> bool) -> (usize, usize) {
        self.part_of_sentence_at(ti, |i| boundary(&self.toks[i]))
    }

    /// [`Doc::part_of_sentence`] with the boundary judged by token index, so it may look at
    /// the tokens around it.
    fn part_of_sentence_at(&self, ti: usize, boundary: impl Fn(usize) -> bool) -> (usize, usize) {
        let (ss, se) = self.sent_range[self.toks[ti].sent];
        let mut s = ti;
        while s > ss && !boundary(s - 1) {
            s -= 1;
        }
        let mut e = ti + 1;
        while e < se && !boundary(e) {
            e += 1;
        }
        (s, e)
    }

    /// No punctuation between word `wi` and word `wi + 1`.
    pub fn adjacent(&self, wi: usize) -> bool {
        match (self.words.get(wi), self.words.get(wi + 1)) {
            (Some(&a), Some(&b)) => b == a + 1 && self.toks[a].sent == self.toks[b].sent,
            _ => false,
        }
    }

    /// Word `wi` and the next are joined by an ampersand: "Fit & Fizz".
    pub fn joined_by_ampersand(&self, wi: usize) -> bool {
        match (self.words.get(wi), self.words.get(wi + 1)) {
            (Some(&a), Some(&b)) => b == a + 2 && self.toks[a + 1].norm == "&",
            _ => false,
        }
    }
}

/// Start of the paragraph holding the first footer line: a line with a footer marker, or a
/// `--` signature delimiter.
///
/// `markers` are trimmed, lowercase and free of line breaks (the compiled rules keep them so).
/// `lower` is `text` with ASCII letters lowercased.
/// The object a fact's path sits in: `context.offer` for `context.offer.days`.
pub(super) fn parent_path(p: &str) -> &str {
    p.rfind('.').map_or("", |i| &p[..i])
}

fn footer_start(text: &str, lower: &str, body_start: usize, markers: &[String]) -> usize {
    let Some(body) = text.get(body_start..) else {
        return text.len();
    };
    // ASCII text (most email) lowercases in place, so one scan of the whole body finds the
    // first marked line.
    match lower.get(body_start..) {
        Some(lower_body) if body.is_ascii() => {
            footer_start_ascii(body_start, body, lower_body, markers).unwrap_or(text.len())
        }
        _ => footer_start_lines(text, body_start, body, markers),
    }
}

/// [`footer_start`] for an ASCII body: the first line holding a marker, or a `--` line
/// before it.
fn footer_start_ascii(
    body_start: usize,
    body: &str,
    lower: &str,
    markers: &[String],
) -> Option<usize> {
    // The first marker occurrence: look only where a marker's first byte is.
    let mut first = [false; 256];
    for m in markers {
        if let Some(&b) = m.as_bytes().first() {
            first[usize::from(b)] = true;
        }
    }
    let lb = lower.as_bytes();
    let hit = (0..lb.len()).find(|&i| {
        first[usize::from(lb[i])] && markers.iter().any(|m| lb[i..].starts_with(m.as_bytes()))
    });
    let mut para_start = body_start;
    let mut pos = 0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            para_start = body_start + pos + line.len();
        } else if trimmed == "--" {
            return Some(body_start + pos);
        } else if hit.is_some_and(|h| h < pos + line.len()) {
            return Some(para_start);
        }
        pos += line.len();
    }
    None
}

/// [`footer_start`] line by line, with full Unicode lowercasing.
fn footer_start_lines(text: &str, body_start: usize, body: &str, markers: &[String]) -> usize {
    let mut para_start = body_start;
    let mut pos = body_start;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            para_start = pos + line.len();
        } else {
            let lower = trimmed.to_lowercase();
            if trimmed == "--" || markers.iter().any(|m| lower.contains(m.as_str())) {
                return if trimmed == "--" { pos } else { para_start };
            }
        }
        pos += line.len();
    }
    text.len()
}

/// What the whole-email lint counts in a part that is checked apart from the rest (shared
/// segment copy, judged once): so a recipient's own part is judged as if the shared part
/// followed it.
#[derive(Clone, Debug, Default)]
pub(crate) struct PartTally {
    /// ALL-CAPS words that count as shouting.
    pub caps: usize,
    /// Words in the body.
    pub body_words: usize,
    /// The part says "unsubscribe".
    pub unsubscribe: bool,
    /// Per sentence: words of each of the rules' languages.
    pub lang: Vec<Vec<usize>>,
}

pub(crate) struct Checker<'a> {
    /// The part that follows this one in the email, already judged on its own.
    pub tail: Option<&'a PartTally>,
    /// This document's own tallies (for a part that will be a `tail`).
    pub tally: PartTally,
    pub rules: &'a Compiled,
    pub facts: Facts<'a>,
    pub doc: Doc<'a>,
    pub findings: Vec<Finding>,
    /// (fact index, span start, span end) of every fact the email used.
    pub used: Vec<(usize, usize, usize)>,
    /// Token ranges (first, last) of implied-context phrases found.
    pub implied_spans: Vec<(usize, usize)>,
    /// Head nouns of the product names in the facts ("frame" from "Mira Cat-Eye Frame"),
    /// found on first use.
    pub product_heads: std::cell::OnceCell<Vec<String>>,
    /// The email is written in a language other than English (found by the language check,
    /// which runs first): its capitalized words are matched to the record but never flagged
    /// as unknown names (German capitalizes every noun, French and Dutch title their
    /// offers).
    pub foreign: bool,
    /// Capitalized runs are being matched to the facts only, not flagged (an email in
    /// another language: see `capitalized`).
    pub quiet_names: bool,
    /// South of the equator (seasons turn round), found on first use.
    pub southern: std::cell::OnceCell<bool>,
}

impl<'a> Checker<'a> {
    pub fn new(
        rules: &'a Compiled,
        text: &'a str,
        subject_len: usize,
        r: &'a Recipient,
        ctx: &Context,
        campaign: Option<&'a CampaignFacts>,
    ) -> Checker<'a> {
        let facts = match campaign {
            Some(c) => Facts::build_with(rules, r, ctx, c),
            None => Facts::build(rules, r, ctx),
        };
        let doc = Doc::new(
            text,
            subject_len,
            &facts.first_name,
            &rules.vocab,
            &rules.table.lint.footer_markers,
            &facts.letters,
        );
        Checker {
            tail: None,
            tally: PartTally::default(),
            rules,
            facts,
            doc,
            findings: Vec::new(),
            used: Vec::new(),
            implied_spans: Vec::new(),
            product_heads: std::cell::OnceCell::new(),
            foreign: false,
            quiet_names: false,
            southern: std::cell::OnceCell::new(),
        }
    }

    pub fn run(&mut self) {
        self.leaks();
        self.greeting();
        self.implied();
        self.birthday_direction();
        self.capitalized();
        self.tiers();
        self.possessive_products();
        self.possessive_places();
        self.claims();
        self.categories();
        self.contrasts();
        self.counts_and_tenure();
        self.keyed_measures();
        self.item_quantities();
        self.key_figures();
        self.sides();
        self.party_sizes();
        self.money_percent_codes();
        self.perks();
        self.offer_scope();
        self.offer_stacking();
        self.times();
        self.weekday_dates();
        self.event_days();
        self.swapped_values();
        self.staff_swaps();
        self.swapped_model_numbers();
        self.lint();
        self.consent();
        self.sensitive();
        self.no_specifics();
    }

    /// Health and other special-category data (a medical note, an allergy, a religion) said
    /// in a marketing email, whatever the consent to profiling: "please don't worry about the
    /// asthma - we'll make sure Oliver's reliever inhaler is pitchside" from a football
    /// academy. A clinic, a pharmacy or a vet writing about what it treats is exempt.
    fn sensitive(&mut self) {
        const KEYS: [&str; 9] = [
            "medical",
            "allergy",
            "allergies",
            "diagnosis",
            "medication",
            "medications",
            "disability",
            "religion",
            "ethnicity",
        ];
        let sensitive = |key: &str| {
            key.split('_').any(|p| KEYS.contains(&p))
                || (key.starts_with("health_")
                    && !key.contains("fund")
                    && !key.contains("insur")
                    && !key.contains("club"))
        };
        // (Recipient facts are all among the list's own: no need to walk the campaign's.)
        let facts: Vec<usize> = (self.facts.list.own().iter().enumerate())
            .filter(|(_, f)| f.personal && !f.stems.is_empty() && sensitive(&f.key))
            .map(|(i, _)| i)
            .collect();
        if facts.is_empty() {
            return;
        }
        const CARE: [&str; 22] = [
            "clinic",
            "health",
            "medical",
            "pharmacy",
            "dental",
            "dentist",
            "hearing",
            "audiology",
            "physio",
            "physiotherapy",
            "podiatry",
            "optician",
            "optometrist",
            "chiropractic",
            "veterinary",
            "vet",
            "therapy",
            "massage",
            "osteopathy",
            "acupuncture",
            "hospital",
            "surgery",
        ];
        let care = self.facts.list.iter().any(|f| {
            !f.personal
                && matches!(
                    f.key.as_str(),
                    "type" | "brand" | "category" | "kind" | "business"
                )
                && f.stems.iter().any(|w| CARE.contains(&w.as_str()))
        });
        if care {
            return;
        }
        let mut hits = Vec::new();
        for fi in facts {
            let f = &self.facts.list[fi];
            // ("kept at nursery" from a nursery: the campaign's own words say nothing of it.)
            let words: Vec<&String> = f
                .stems
                .iter()
                .filter(|w| w.len() >= 5 && !self.rules.common.contains(w.as_str()))
                .filter(|w| {
                    !self
                        .facts
                        .list
                        .iter()
                        .any(|c| !c.personal && c.stems.contains(w))
                })
                .collect();
            let hit = self.doc.words.iter().find_map(|&ti| {
                let t = &self.doc.toks[ti];
                (t.start >= self.doc.body_start
                    && t.start < self.doc.footer_start
                    && words.contains(&&crate::text::stem(&t.norm)))
                .then_some((t.start, t.end))
            });
            if let Some((s, e)) = hit {
                hits.push((fi, s, e));
            }
        }
        for (fi, s, e) in hits {
            let path = self.facts.list[fi].path.clone();
            self.flag(
                Kind::ConsentViolation,
                s,
                e,
                format!("uses `{path}`, health or other sensitive data, in a marketing email"),
                "consent.sensitive",
            );
        }
    }

    /// An email that says nothing only this campaign and this person could be told: no
    /// figure, no date, no name of a product, place or event the facts hold, nothing of the
    /// record beyond the name. "Summer is the perfect time for a night out... Great seats go
    /// fast" could come from any sender, to anyone, any year.
    fn no_specifics(&mut self) {
        if self.foreign || !self.findings.is_empty() {
            return;
        }
        let (from, to) = (self.doc.body_start, self.doc.footer_start);
        // Cheap first, and enough for nearly every email: a figure, a currency sign or a
        // percent in the body.
        let body_from = self.doc.toks.partition_point(|t| t.start < from);
        let figure = self.doc.toks[body_from..]
            .iter()
            .take_while(|t| t.end <= to)
            .any(|t| {
                t.kind == crate::text::TokKind::Num
                    || (t.kind == crate::text::TokKind::Punct
                        && matches!(t.norm.as_str(), "%" | "$" | "€" | "£" | "¥"))
            });
        let uses_record = self
            .used
            .iter()
            .any(|(f, _, _)| self.facts.list[*f].kind != FKind::Name);
        if figure || uses_record {
            return;
        }
        let body: Vec<&Tok> = self
            .doc
            .words
            .iter()
            .map(|&ti| &self.doc.toks[ti])
            .filter(|t| t.start >= from && t.end <= to)
            .collect();
        if body.len() < 25 {
            return;
        }
        let brand: Vec<&String> = self
            .facts
            .list
            .iter()
            .filter(|f| !f.personal && f.key.starts_with("brand"))
            .flat_map(|f| f.stems.iter())
            .collect();
        let specific = body.iter().any(|t| {
            // "for more than thirteen years" (not "one of our team").
            crate::text::word_number(&t.norm).is_some_and(|n| n >= 2.0)
                || crate::text::month_of(&t.norm).is_some_and(|_| t.cap)
                || crate::text::WEEKDAYS.contains(&t.norm.as_str())
                // A name the campaign holds (not the brand's own): a product, an event, a
                // place, a code.
                || ((t.cap || t.all_caps)
                    && !t.sent_start
                    && !self.rules.common.contains(t.norm.as_str())
                    && {
                        let st = crate::text::stem(&t.norm);
                        !brand.contains(&&st)
                            && self
                                .facts
                                .with_stem(&st)
                                .iter()
                                .any(|&f| !self.facts.list[f].personal)
                    })
        });
        if specific {
            return;
        }
        // The first sentence after the greeting line.
        let after_greeting = self.doc.text[from..to]
            .find('\n')
            .map_or(from, |i| from + i);
        let first = body
            .iter()
            .find(|t| t.start > after_greeting)
            .copied()
            .unwrap_or(body[0]);
        let end = self.doc.text[first.start..to]
            .find(['.', '!', '?', '\n'])
            .map_or(to, |i| first.start + i + 1);
        self.flag(
            Kind::Generic,
            first.start,
            end,
            "says nothing specific: no figure, date, product, event or fact of the person's".into(),
            "generic.no_specifics",
        );
    }

    pub fn flag(&mut self, kind: Kind, start: usize, end: usize, reason: String, rule: &str) {
        let judged_in_footer = matches!(
            kind,
            Kind::TemplateLeak | Kind::BannedPhrase | Kind::BrandVoice | Kind::Compliance
        );
        if start >= self.doc.footer_start && !judged_in_footer {
            return;
        }
        if self.quiet_names
            && matches!(
                rule,
                "grounding.capitalized" | "grounding.partial_match" | "grounding.numbered_name"
            )
        {
            return;
        }
        let end = end.max(start).min(self.doc.text.len());
        let start = start.min(end);
        self.findings.push(Finding {
            kind,
            text: self.doc.text.get(start..end).unwrap_or("").to_string(),
            reason,
            rule: rule.to_string(),
            span: start..end,
            part: Part::Body,
        });
    }

    /// Flag the words `first..=last` (word indices).
    pub fn flag_words(
        &mut self,
        kind: Kind,
        first: usize,
        last: usize,
        reason: String,
        rule: &str,
    ) {
        let s = self.doc.toks[self.doc.words[first]].start;
        let e = self.doc.toks[self.doc.words[last]].end;
        self.flag(kind, s, e, reason, rule);
    }

    pub fn use_fact(&mut self, fact: usize, start: usize, end: usize) {
        if start >= self.doc.footer_start {
            return;
        }
        if fact < self.facts.list.len() && self.facts.list[fact].personal {
            self.used.push((fact, start, end));
        }
    }

    /// Behavioural facts used for a person who did not consent to profiling.
    fn consent(&mut self) {
        if self.facts.recipient.profiling_allowed() {
            return;
        }
        // "If you're on an Unlimited Basic plan": a condition, not a use of the record.
        let hedged = |c: &Checker, s: usize| {
            c.doc
                .words
                .iter()
                .position(|&ti| c.doc.toks[ti].start == s)
                .is_some_and(|wi| c.in_hedge(wi))
        };
        let uses: Vec<(usize, usize, usize)> = self
            .used
            .iter()
            .filter(|(f, s, _)| self.facts.list[*f].behavioural && !hedged(self, *s))
            // "the special doesn't apply to Saturdays in December 2042" to a couple marrying
            // then: a date in the campaign's own words is the campaign's.
            // ("Spring is almost here in Bundang" from a centre whose address is in Bundang:
            // the business's place, not the person's home area.)
            // ("Clive, get your Christmas black cake in early" from a black-cake bakery: the
            // product the campaign sells, in its own words, says nothing of what the person
            // bought.)
            .filter(|(f, s, e)| {
                let kind = self.facts.list[*f].kind;
                // (The product's words after "your": "your Christmas black cake".)
                let s = if kind == FKind::Product {
                    self.doc
                        .words
                        .iter()
                        .map(|&ti| &self.doc.toks[ti])
                        .find(|t| t.start >= *s && t.end <= *e && t.norm != "your")
                        .map_or(*s, |t| t.start)
                } else {
                    *s
                };
                // (Only a part of the person's product: "Your Mira Cat-Eye frames are nearly
                // two years old" names the very frame they bought.)
                let whole = kind == FKind::Product && self.facts.list[*f].stems.len() >= 2 && {
                    let said: Vec<String> = self
                        .doc
                        .words
                        .iter()
                        .map(|&ti| &self.doc.toks[ti])
                        .filter(|t| t.start >= s && t.end <= *e)
                        .map(|t| crate::text::stem(&t.norm))
                        .collect();
                    self.facts.list[*f]
                        .stems
                        .iter()
                        .filter(|w| !w.bytes().any(|b| b.is_ascii_digit()) && w.len() > 2)
                        .all(|w| said.contains(w))
                };
                !matches!(kind, FKind::Date | FKind::Place | FKind::Product)
                    || whole
                    || !self.campaign_says(s, *e)
            })
            // "it's at your central Kyoto hotel by 18:00" for `kyoto_trips_with_us: 2`: a
            // count whose figure is not said, matched by a word of its key that the campaign
            // names too, tells nothing of the person.
            .filter(|(f, s, e)| {
                let fact = &self.facts.list[*f];
                if fact.num.is_none() || fact.event.is_some() {
                    return true;
                }
                let key_words: Vec<String> = fact
                    .key
                    .split(['_', '-', ' '])
                    .filter(|p| p.len() >= 3)
                    .map(crate::text::stem)
                    .collect();
                let said: Vec<String> = self
                    .doc
                    .words
                    .iter()
                    .map(|&ti| &self.doc.toks[ti])
                    .filter(|t| t.start >= *s && t.end <= *e)
                    .map(|t| crate::text::stem(&t.norm))
                    .collect();
                let figure = said.iter().any(|w| {
                    crate::text::parse_num(w)
                        .or_else(|| crate::text::word_number(w))
                        .is_some()
                });
                let by_key: Vec<&String> = said.iter().filter(|w| key_words.contains(w)).collect();
                figure
                    || by_key.is_empty()
                    || !by_key.iter().all(|w| {
                        self.facts
                            .list
                            .iter()
                            .any(|c| !c.personal && c.stems.contains(w))
                    })
            })
            // "Customers on an Unlimited Basic plan can move": a rule for everyone that
            // happens to name the person's plan, not something said about them.
            .filter(|(_, s, _)| {
                self.doc
                    .toks
                    .iter()
                    .position(|t| t.start == *s)
                    .is_none_or(|ti| {
                        !self.clause_has(
                            ti,
                            &[
                                "customers",
                                "members",
                                "everyone",
                                "anyone",
                                "subscribers",
                                "users",
                                "people",
                                "those",
                            ],
                        )
                    })
            })
            .copied()
            .collect();
        for (f, s, e) in &uses {
            let path = self.facts.list[*f].path.clone();
            self.flag(
                Kind::ConsentViolation,
                *s,
                *e,
                format!("uses `{path}`, but this person did not consent to profiling"),
                "consent.profiling",
            );
        }
        // A value from the person's record said about them in any words ("since you wear
        // progressive lenses" for `lens_type: progressive`), where no other check read it.
        // Values the campaign itself names are left to the claim checks.
        let word_stems: Vec<String> = self
            .doc
            .words
            .iter()
            .map(|&ti| crate::text::stem(&self.doc.toks[ti].norm))
            .collect();
        // The email's word stems, and the head of each hyphened one ("chopin" of
        // "chopin-nocturne").
        let present: crate::text::FastSet<&str> = word_stems
            .iter()
            .flat_map(|w| [w.as_str(), w.split('-').next().unwrap_or("")])
            .collect();
        let campaign_values: Vec<&[String]> = self
            .facts
            .list
            .iter()
            .filter(|f| !f.personal)
            .map(|f| &f.stems[..])
            .collect();
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for (fi, f) in self.facts.list.iter().enumerate() {
            let n = f.stems.len();
            if !f.personal
                || !f.behavioural
                || n == 0
                || n > 12
                || uses.iter().any(|(u, _, _)| *u == fi)
                || !(matches!(
                    f.kind,
                    FKind::Text | FKind::Category | FKind::Place | FKind::Tier | FKind::Product
                ) || (f.kind == FKind::Count && n >= 3))
            {
                continue;
            }
            // A value the campaign names too ("intermediate terrain") counts only where a
            // clause says it of the person: "since you ski at an intermediate level".
            let campaign_named = campaign_values
                .iter()
                .any(|c| c.windows(n).any(|w| w == &f.stems[..]));
            // An app search for "Winter Trial Pass", the campaign's own offer: saying the
            // offer's name tells nothing of the person (the claim checks judge "you searched
            // for").
            if n >= 2 && campaign_values.iter().any(|c| *c == &f.stems[..]) {
                continue;
            }
            let distinctive =
                |st: &String| st.len() >= 4 && !self.rules.common.contains(st.as_str());
            if n == 1 && !distinctive(&f.stems[0]) {
                continue;
            }
            // Part of a longer value, said of the person: "a steak and ale pie and a dozen
            // eggs" for `items: steak and ale pie, free-range eggs (12)`, "die Chopin-Nocturnes"
            // for `item: Chopin Nocturnes (Henle Urtext)`. Two words or more, one of them
            // distinctive, that no campaign value holds, in a sentence to the reader.
            if n >= 3 && !campaign_named {
                let part = (2..n).rev().find_map(|len| {
                    f.stems.windows(len).find_map(|part| {
                        // Cheap first: the part's first word is in the email at all.
                        if !present.contains(part[0].as_str())
                            || !part.iter().any(distinctive)
                            || campaign_values
                                .iter()
                                .any(|c| c.windows(len).any(|w| w == part))
                        {
                            return None;
                        }
                        // "Chopin-Nocturnes", one hyphened word, for "Chopin Nocturnes".
                        let joined = part.join("-");
                        word_stems
                            .windows(len)
                            .enumerate()
                            .filter(|(_, w)| *w == part)
                            .map(|(w0, _)| (self.doc.words[w0], self.doc.words[w0 + len - 1]))
                            .chain(
                                word_stems
                                    .iter()
                                    .enumerate()
                                    .filter(|(_, w)| **w == joined)
                                    .map(|(w0, _)| (self.doc.words[w0], self.doc.words[w0])),
                            )
                            .find(|&(ts, _)| {
                                self.doc.toks[ts].start < self.doc.footer_start
                                    && self.doc.sent_personal(ts)
                            })
                    })
                });
                if n > 6 || part.is_some() {
                    if let Some((ts, te)) = part {
                        found.push((fi, self.doc.toks[ts].start, self.doc.toks[te].end));
                    }
                    continue;
                }
            }
            if n > 6 {
                continue;
            }
            // "Our Follow-Up Bundle gives you three 40-minute follow-up appointments" for a
            // `follow-up` appointment: inside a phrase the campaign holds, with the word
            // before or after it, the value is the campaign's.
            let held = |w0: usize| {
                [
                    w0.checked_sub(1).map(|a| (a, w0 + n)),
                    Some((w0, w0 + n + 1)),
                ]
                .into_iter()
                .flatten()
                .filter_map(|(a, b)| word_stems.get(a..b))
                .any(|said| {
                    campaign_values
                        .iter()
                        .any(|c| c.windows(said.len()).any(|w| w == said))
                })
            };
            let hit = word_stems
                .windows(n)
                .enumerate()
                // "If you've been on your Pay Monthly plan for six months": a condition.
                // ("one of our standard evening walks": the campaign's, said as ours.)
                .filter(|(w0, w)| {
                    *w == &f.stems[..]
                        && !(campaign_named
                            && (held(*w0)
                                || w0.checked_sub(1).is_some_and(|p| word_stems[p] == "our")))
                        && !self.in_hedge(*w0)
                })
                .map(|(w0, _)| (self.doc.words[w0], self.doc.words[w0 + n - 1]))
                .find(|&(ts, _)| {
                    self.doc.toks[ts].start < self.doc.footer_start
                        // "As a graphic designer, you'll get a lot out of it": a value of
                        // two words or more, in a sentence about the person.
                        // "Good news for a vegetarian with a peanut allergy: when you book":
                        // a rarer single word, in a sentence to the reader.
                        && (self.clause_about_person(ts)
                            || ((n >= 2
                                || (f.stems[0].len() >= 7
                                    && crate::text::month_of(&f.stems[0]).is_none()))
                                && self.doc.sent_personal(ts)))
                        && (!campaign_named
                            || self.clause_has(ts, &["you", "you're", "you've", "you'd"]))
                });
            let Some((ts, te)) = hit else {
                continue;
            };
            found.push((fi, self.doc.toks[ts].start, self.doc.toks[te].end));
        }
        // Counts of the person's said of them: "with two children aged 7 and 10"
        // (`children: 2`), "all five of you" (`household_size: 5`, `bowlers: 5`). The figure
        // must sit by a word its key names, or be "<n> of you".
        for (wi, &ti) in self.doc.words.iter().enumerate() {
            let t = &self.doc.toks[ti];
            if t.start >= self.doc.footer_start || !self.doc.sent_personal(ti) {
                continue;
            }
            let v = match t.kind {
                crate::text::TokKind::Num => crate::text::parse_num(&t.norm),
                _ => crate::text::word_number(&t.norm).filter(|v| *v >= 2.0),
            };
            let Some(v) = v else { continue };
            // "You can order up to three pallets per household": the campaign's limit.
            let limit = (self.doc.word_before(wi, 1).is_some_and(|w| w.norm == "to")
                && self.doc.word_before(wi, 2).is_some_and(|w| w.norm == "up"))
                // ("a maximum of 3", "at most three", "limit 3")
                || [1, 2].iter().any(|&k| {
                    self.doc.word_before(wi, k).is_some_and(|w| {
                        matches!(
                            w.norm.as_str(),
                            "max" | "maximum" | "minimum" | "min" | "limit" | "most"
                        )
                    })
                })
                || (1..=3).any(|k| {
                    self.doc
                        .word_after(wi, k)
                        .is_some_and(|w| matches!(w.norm.as_str(), "per" | "each"))
                });
            // "To give you an idea, a 14-metre farmhouse ridge would be £3,360": an example.
            if limit || self.sentence_has(ti, &["would", "idea", "example", "suppose", "say"]) {
                continue;
            }
            let of_you = self.doc.word_after(wi, 1).is_some_and(|w| w.norm == "of")
                && self.doc.word_after(wi, 2).is_some_and(|w| w.norm == "you");
            let near: Vec<String> = (1..=3)
                .flat_map(|k| [self.doc.word_after(wi, k), self.doc.word_before(wi, k)])
                .flatten()
                .map(|w| crate::text::stem(&w.norm))
                .collect();
            let hit = self.facts.list.iter().enumerate().find(|(fi, f)| {
                f.personal
                    && f.behavioural
                    && matches!(f.kind, FKind::Count | FKind::Text)
                    && f.num.is_some_and(|n| (n - v).abs() < 0.005)
                    && !uses.iter().any(|(u, _, _)| u == fi)
                    && !found.iter().any(|(u, _, _)| u == fi)
                    && (of_you
                        || (f.event.is_none()
                            && f.key
                                .split('_')
                                .any(|p| p.len() >= 4 && near.contains(&crate::text::stem(p)))))
            });
            if let Some((fi, _)) = hit {
                found.push((fi, t.start, t.end));
            }
        }
        for (fi, s, e) in found {
            let path = self.facts.list[fi].path.clone();
            self.flag(
                Kind::ConsentViolation,
                s,
                e,
                format!("says `{path}` about the person, but they did not consent to profiling"),
                "consent.profiling",
            );
        }
        self.consent_event_named(&word_stems);
    }

    /// "since your campus visit two Saturdays ago" for a `campus_visit` event: one of the
    /// person's recorded acts named by its type (two words or more, one of them rare) after
    /// "your", to someone who did not consent. Sign-ups and the mail's own events (opens,
    /// clicks) are not profiling.
    fn consent_event_named(&mut self, word_stems: &[String]) {
        const PLAIN: [&str; 12] = [
            "sign",
            "signup",
            "newsletter",
            "account",
            "subscription",
            "subscribe",
            "email",
            "open",
            "click",
            "unsubscribe",
            "consent",
            "login",
        ];
        let mut hits: Vec<(usize, usize, String)> = Vec::new();
        for ev in &self.facts.recipient.events {
            let kind = crate::text::fold(&ev.kind);
            let parts: Vec<&str> = kind.split(['_', ' ', '-']).collect();
            if parts.len() < 2
                || parts
                    .iter()
                    .any(|p| p.len() < 3 || PLAIN.iter().any(|q| p.starts_with(q)))
                || parts.iter().all(|p| self.rules.common.contains(*p))
            {
                continue;
            }
            let stems: Vec<String> = parts.iter().map(|p| crate::text::stem(p)).collect();
            // ("$30 off your annual oil spray" from a campaign selling the Oil Spray: the
            // campaign's own thing.)
            let campaigns = self
                .facts
                .list
                .iter()
                .any(|f| !f.personal && f.stems.windows(stems.len()).any(|w| w == &stems[..]));
            if campaigns {
                continue;
            }
            for (w0, w) in word_stems.windows(stems.len()).enumerate() {
                if w != &stems[..] {
                    continue;
                }
                let ts = self.doc.words[w0];
                let te = self.doc.words[w0 + stems.len() - 1];
                let yours = (1..=2).any(|k| {
                    self.doc
                        .word_before(w0, k)
                        .is_some_and(|p| p.norm == "your")
                });
                if yours && self.doc.sent_personal(ts) && !self.in_hedge(w0) {
                    hits.push((
                        self.doc.toks[ts].start,
                        self.doc.toks[te].end,
                        ev.kind.clone(),
                    ));
                }
            }
        }
        for (s, e, kind) in hits {
            self.flag(
                Kind::ConsentViolation,
                s,
                e,
                format!("names the person's `{kind}` event, but they did not consent to profiling"),
                "consent.profiling",
            );
        }
    }

    pub fn finish(mut self) -> Report {
        // Where findings overlap, keep the most specific kind.
        fn rank(k: Kind) -> u8 {
            match k {
                Kind::TemplateLeak => 0,
                Kind::ConsentViolation => 1,
                Kind::WrongOffer => 2,
                Kind::WrongTime => 3,
                Kind::WrongFact => 4,
                Kind::ImpliedContext => 5,
                Kind::FabricatedFact => 6,
                Kind::Generic => 7,
                Kind::BannedPhrase => 8,
                Kind::BrandVoice => 9,
                Kind::Compliance => 10,
            }
        }
        self.findings
            .sort_by_key(|f| (rank(f.kind), f.span.start, std::cmp::Reverse(f.span.end)));
        let mut kept: Vec<Finding> = Vec::new();
        for f in self.findings.drain(..) {
            let overlaps = kept.iter().any(|k| {
                k.span.start < f.span.end && f.span.start < k.span.end && !f.span.is_empty()
            });
            if !overlaps || f.span.is_empty() && !kept.iter().any(|k| k.rule == f.rule) {
                kept.push(f);
            }
        }
        kept.sort_by_key(|f| f.span.start);
        let subject_len = self.doc.subject_len;
        let body_start = self.doc.body_start;
        for f in &mut kept {
            // A span never crosses from the subject into the body.
            if f.span.start < subject_len && f.span.end > subject_len {
                f.span.end = subject_len;
                f.text = self.doc.text[f.span.clone()].to_string();
            }
            if f.span.start < subject_len
                || (subject_len > 0 && f.span.start <= subject_len && f.span.is_empty())
            {
                f.part = Part::Subject;
            } else {
                f.part = Part::Body;
                f.span =
                    f.span.start.saturating_sub(body_start)..f.span.end.saturating_sub(body_start);
            }
        }
        let mut used_set = HashSet::new();
        let mut used_facts = Vec::new();
        for (f, _, _) in &self.used {
            let p = &self.facts.list[*f].path;
            if used_set.insert(p.clone()) {
                used_facts.push(p.to_string());
            }
        }
        Report {
            verdict: if kept.is_empty() {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            findings: kept,
            used_facts,
        }
    }
}

#[cfg(test)]
mod tests;
