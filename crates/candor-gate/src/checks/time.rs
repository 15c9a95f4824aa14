//! Time: relative times about the person ("yesterday", "last month") against event dates,
//! absolute dates against known dates, and offer deadlines against the campaign's dates.

use candor_domain::Date;

use super::Checker;
use crate::facts::FKind;
use crate::report::Kind;
use crate::text::{fold, ordinal, parse_num, stem, TokKind};

pub(super) use crate::text::WEEKDAYS;
pub(super) use crate::text::{month_of, MONTHS};
const END_CUES: [&str; 14] = [
    "ends", "ending", "until", "till", "through", "thru", "expires", "expiring", "valid", "closes",
    "wraps", "runs", "deadline", "midnight",
];
/// A sentence about what will happen, not what the person did.
const FUTURE_CUES: [&str; 18] = [
    "will", "you'll", "we'll", "join", "until", "ends", "ending", "through", "soon", "upcoming",
    "next", "starts", "starting", "see", "launches", "arrives", "plan", "planning",
];
/// A clause that offers or invites ("you can save 20% today", "start your trial today"):
/// its "today" is when the reader may act, not when they did something.
const INVITE_CUES: [&str; 16] = [
    "can", "could", "might", "should", "must", "ready", "able", "start", "claim", "redeem", "use",
    "upgrade", "shop", "save", "grab", "treat",
];
/// Words that say which kind of event a sentence is about → the fact kind in the rule table.
// ("You joined us for the one in October": an event attended, as well as a sign-up.)
const EVENT_CUES: [(&str, &str); 27] = [
    ("bought", "order"),
    ("purchased", "order"),
    ("ordered", "order"),
    ("order", "order"),
    ("purchase", "order"),
    ("picked", "order"),
    ("grabbed", "order"),
    ("booked", "order"),
    ("stay", "order"),
    ("trip", "order"),
    ("browsed", "browse"),
    ("viewed", "browse"),
    ("looked", "browse"),
    ("eyeing", "browse"),
    ("checking", "browse"),
    ("cart", "cart"),
    ("basket", "cart"),
    ("review", "review"),
    ("reviewed", "review"),
    ("ticket", "support"),
    ("joined", "tenure"),
    ("joined", "event_attendance"),
    ("signed", "tenure"),
    ("signing", "tenure"),
    ("registered", "tenure"),
    ("registering", "tenure"),
    ("visit", "activity"),
];

impl Checker<'_> {
    /// The date written right after word `wi`: "December 6", "6 December", "the 29th" (this
    /// month or the next). The year is the one that puts it nearest `now`. Returns the date
    /// and the end of its span.
    fn date_after(&self, wi: usize, now: Date) -> Option<(Date, usize)> {
        let day_of = |t: &crate::text::Tok| {
            let v = if t.kind == TokKind::Num {
                parse_num(&t.norm)
            } else {
                ordinal(&t.norm)
            };
            v.filter(|v| (1.0..=31.0).contains(v) && v.fract() == 0.0)
                .map(|v| v as u8)
        };
        let a = self.doc.word_after(wi, 1)?;
        let b = self.doc.word_after(wi, 2)?;
        let nearest = |mo: u8, d: u8| {
            [now.year() - 1, now.year(), now.year() + 1]
                .into_iter()
                .filter_map(|y| Date::from_ymd(y, mo, d))
                .min_by_key(|x| now.days_since(*x).abs())
        };
        if let (Some(mo), Some(d)) = (month_of(&a.norm), day_of(b)) {
            return nearest(mo, d).map(|x| (x, b.end));
        }
        if let (Some(d), Some(mo)) = (day_of(a), month_of(&b.norm)) {
            return nearest(mo, d).map(|x| (x, b.end));
        }
        // "Saturday 10th and Sunday 11th March": the month written once, after the second.
        if let Some(d) = day_of(a).filter(|_| {
            matches!(
                b.norm.as_str(),
                "and" | "or" | "to" | "&" | "through" | "until"
            )
        }) {
            let sent = a.sent;
            if let Some(mo) = (3..=5)
                .filter_map(|k| self.doc.word_after(wi, k))
                .take_while(|x| x.sent == sent)
                .find_map(|x| month_of(&x.norm))
            {
                return nearest(mo, d).map(|x| (x, a.end));
            }
        }
        // "Friday 9/02", "Monday 12.02.": day and month in figures, either way round; the
        // weekday before it, when there is one, says which reading is meant.
        let slashed = a.kind == TokKind::Num && b.kind == TokKind::Num && {
            let (ai, bi) = (self.doc.words[wi + 1], self.doc.words[wi + 2]);
            bi == ai + 2
                && matches!(self.doc.toks[ai + 1].norm.as_str(), "/" | ".")
                && self.doc.toks[ai + 1].start == a.end
                && b.start == self.doc.toks[ai + 1].end
        };
        if slashed {
            let (x, y) = (day_of(a)?, day_of(b)?);
            let weekday = WEEKDAYS
                .iter()
                .position(|w| *w == self.doc.toks[self.doc.words[wi]].norm)
                .map(|i| i as i64);
            let readings: Vec<Date> = [(x, y), (y, x)]
                .into_iter()
                .filter(|(_, m)| (1..=12).contains(m))
                .filter_map(|(d, m)| nearest(m, d))
                .collect();
            let pick = readings
                .iter()
                .copied()
                .find(|d| weekday.is_none_or(|w| weekday_index(*d) == w))
                .or_else(|| readings.first().copied())?;
            return Some((pick, b.end));
        }
        if a.norm == "the" {
            let d = day_of(b)?;
            // "Saturday the 2nd": the weekday says which month's 2nd, this one, the last or
            // the next (the nearest that falls on it), so a past day can be meant too.
            if let Some(w) = WEEKDAYS
                .iter()
                .position(|w| *w == self.doc.toks[self.doc.words[wi]].norm)
            {
                let month_start = |k: i32| {
                    let m = now.year() * 12 + now.month() as i32 - 1 + k;
                    Date::from_ymd(m.div_euclid(12), (m.rem_euclid(12) + 1) as u8, d)
                };
                if let Some(x) = [0, -1, 1]
                    .into_iter()
                    .filter_map(month_start)
                    .filter(|x| weekday_index(*x) == w as i64)
                    .min_by_key(|x| now.days_since(*x).abs())
                {
                    return Some((x, b.end));
                }
            }
            let this = Date::from_ymd(now.year(), now.month(), d).filter(|x| *x >= now);
            let next = if now.month() == 12 {
                Date::from_ymd(now.year() + 1, 1, d)
            } else {
                Date::from_ymd(now.year(), now.month() + 1, d)
            };
            return this.or(next).map(|x| (x, b.end));
        }
        None
    }
}

/// "monday" → "Monday".
fn capitalized(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The weekdays from `a` to `b` (Monday = 0), wrapping past Sunday, as a bit set.
fn day_span(a: usize, b: usize) -> u8 {
    let mut set = 0u8;
    let mut d = a % 7;
    loop {
        set |= 1 << d;
        if d == b % 7 {
            return set;
        }
        d = (d + 1) % 7;
    }
}

/// The ISO 8601 week number of a date (weeks start on Monday; week 1 holds the year's first
/// Thursday).
fn iso_week(d: Date) -> Option<i64> {
    let thursday = d.add_days(3 - weekday_index(d))?;
    let jan1 = Date::from_ymd(thursday.year(), 1, 1)?;
    Some(thursday.days_since(jan1) / 7 + 1)
}

fn weekday_index(d: Date) -> i64 {
    // Julian day 0 was a Monday.
    (d.julian_day() as i64).rem_euclid(7)
}

fn season_months(name: &str) -> Option<[u8; 3]> {
    match name {
        "spring" => Some([3, 4, 5]),
        "summer" => Some([6, 7, 8]),
        "fall" | "autumn" => Some([9, 10, 11]),
        "winter" => Some([12, 1, 2]),
        _ => None,
    }
}

impl Checker<'_> {
    /// Dates the sentence of token `ti` is about: events named in it, else events of the kind its
    /// verbs name, else every personal date.
    /// A dated event of the person's in month `mo` (within the window a month-only mention
    /// reaches) whose type the sentence of token `ti` names in words: "your B1 certificate was
    /// issued in September" for a `certificate_issued` event. Only a fallback for a month
    /// whose sentence names other events by value: a type word is weaker evidence than a value.
    fn month_event_by_type(
        &self,
        ti: usize,
        mo: u8,
        anniversary: bool,
        last: bool,
    ) -> Option<(Date, usize)> {
        let now = self.facts.now;
        let sentence = self.doc.sentence(ti);
        self.facts.personal_dates().find(|&(d, fi)| {
            let Some(e) = self.facts.list[fi].event else {
                return false;
            };
            let age = now.days_since(d);
            // Named by its type, an event may be further back than a bare month reaches:
            // "your last patch test was back in December", 21 months ago.
            let reach = if last { 400 } else { 730 };
            if d.month() != mo || age < 0 || (age > reach && !anniversary) {
                return false;
            }
            let kind = &self.facts.recipient.events[e].kind;
            kind.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() >= 4)
                .any(|w| {
                    let ws = stem(&fold(w));
                    sentence
                        .iter()
                        .any(|t| t.is_word() && t.norm.len() >= 4 && stem(&t.norm) == ws)
                })
        })
    }

    /// The dates of a thing the campaign names in the clause of token `ti`: a name of two
    /// words or more ("The Lighthouse Keeper"), with the dates written in its value or beside
    /// it (`{"name": ..., "date": ...}`).
    fn clause_campaign_dates(&self, ti: usize) -> Vec<Date> {
        let by = self.clause_naming(ti, |f, i| {
            (!f.personal
                && f.date.is_none()
                && !matches!(f.key.as_str(), "brand" | "program" | "company"))
            .then_some(i)
        });
        let mut out: Vec<Date> = Vec::new();
        for &(f, _) in &by {
            let named = by.iter().filter(|(x, _)| *x == f).count();
            let fact = &self.facts.list[f];
            if named < 2 || named * 2 < fact.stems.len() {
                continue;
            }
            let path = fact.path.as_str();
            let parent = super::parent_path(path);
            let by_name = matches!(fact.key.as_str(), "name" | "title");
            for d in self.facts.list.iter().filter(|d| !d.personal) {
                let Some(date) = d.date else { continue };
                let beside =
                    by_name && d.path.contains('.') && super::parent_path(&d.path) == parent;
                if (d.path == path || beside) && !out.contains(&date) {
                    out.push(date);
                }
            }
        }
        out
    }

    /// The clause of token `ti` is a fragment of three words or fewer ("c.1860, online
    /// yesterday") after a clause about the person ("you were looking at our pair of
    /// Staffordshire spaniels"), past other fragments.
    fn fragment_of_personal_clause(&self, ti: usize) -> bool {
        let (mut cs, mut ce) = self.doc.clause(ti);
        for _ in 0..3 {
            let words = self.doc.toks[cs..ce].iter().filter(|t| t.is_word()).count();
            if words > 3 {
                return false;
            }
            // The last word of the clause before.
            let Some(prev) = (0..cs)
                .rev()
                .take_while(|&k| self.doc.toks[k].sent == self.doc.toks[ti].sent)
                .find(|&k| self.doc.toks[k].is_word())
            else {
                return false;
            };
            if self.clause_about_person(prev) {
                let (ps, pe) = self.doc.clause(prev);
                return self.doc.toks[ps..pe].iter().filter(|t| t.is_word()).count() > 3;
            }
            (cs, ce) = self.doc.clause(prev);
        }
        false
    }

    /// What the clause of token `ti` names, word by word: `(id, stem)` for each distinct
    /// uncommon word (not a weekday) and each fact holding it that `id_of` gives an id
    /// (the fact's index, or its event's).
    fn clause_naming(
        &self,
        ti: usize,
        id_of: impl Fn(&crate::facts::Fact, usize) -> Option<usize>,
    ) -> Vec<(usize, String)> {
        let (cs, ce) = self.doc.clause(ti);
        let mut by: Vec<(usize, String)> = Vec::new();
        for t in self.doc.toks[cs..ce].iter().filter(|t| t.is_word()) {
            if self.is_common_word(&t.norm) || WEEKDAYS.contains(&t.norm.as_str()) {
                continue;
            }
            let st = stem(&t.norm);
            for f in self.facts_for_stem(&st) {
                if let Some(id) = id_of(&self.facts.list[f], f) {
                    if !by.iter().any(|(x, w)| *x == id && *w == st) {
                        by.push((id, st.clone()));
                    }
                }
            }
        }
        by
    }

    /// The dates of the person's events the clause of token `ti` names by two words or more
    /// (the events named by the most words, if several).
    fn clause_event_dates(&self, ti: usize) -> Vec<Date> {
        let mut by = self.clause_naming(ti, |f, _| f.personal.then_some(f.event).flatten());
        // "Daniel's search report reached you" for a `search_report_sent` event: the words
        // of an event's type name it too (once it is named by a value).
        if !by.is_empty() {
            let (cs, ce) = self.doc.clause(ti);
            for t in self.doc.toks[cs..ce].iter().filter(|t| t.is_word()) {
                if t.norm.len() < 4 || self.is_common_word(&t.norm) {
                    continue;
                }
                let st = stem(&t.norm);
                for (e, ev) in self.facts.recipient.events.iter().enumerate() {
                    let typed = ev
                        .kind
                        .split(['_', ' ', '-'])
                        .any(|p| p.len() >= 4 && stem(&fold(p)) == st);
                    if typed && !by.iter().any(|(x, w)| *x == e && *w == st) {
                        by.push((e, st.clone()));
                    }
                }
            }
        }
        let count = |e: usize| by.iter().filter(|(x, _)| *x == e).count();
        let best = by.iter().map(|(e, _)| count(*e)).max().unwrap_or(0);
        if best < 2 {
            return Vec::new();
        }
        // The event's day and any other date it holds (a booking's `flight_date`).
        let mut out: Vec<Date> = Vec::new();
        for &(e, _) in &by {
            if count(e) != best {
                continue;
            }
            let dates = self
                .facts
                .recipient
                .events
                .get(e)
                .map(|ev| ev.at)
                .into_iter()
                .chain(
                    self.facts
                        .list
                        .iter()
                        .filter(|f| f.personal && f.event == Some(e))
                        .filter_map(|f| f.date),
                );
            for d in dates {
                if !out.contains(&d) {
                    out.push(d);
                }
            }
        }
        out
    }

    fn sentence_dates(&self, ti: usize) -> Vec<(Date, usize)> {
        let sent = self.doc.toks[ti].sent;
        let sent_toks: Vec<&crate::text::Tok> = self
            .doc
            .toks
            .iter()
            .filter(|t| t.sent == sent && t.is_word())
            .collect();
        let (cs, ce) = self.doc.clause(ti);
        let named = |toks: &mut dyn Iterator<Item = &crate::text::Tok>| {
            let mut events: Vec<usize> = Vec::new();
            // (event, word) pairs: how many words name each event.
            let mut by: Vec<(usize, String)> = Vec::new();
            let mut by_kind: Vec<(usize, String)> = Vec::new();
            for t in toks {
                // "eight of you" for the booking whose `party_size` is 8: a count names the
                // event that holds it.
                let count = if t.kind == TokKind::Num {
                    parse_num(&t.norm)
                } else {
                    crate::text::word_number(&t.norm)
                };
                if let Some(n) = count.filter(|n| *n >= 2.0 && n.fract() == 0.0) {
                    for f in self.facts.list.own() {
                        if let (true, Some(e), Some(v)) = (f.personal, f.event, f.num) {
                            if v == n && f.date.is_none() {
                                events.push(e);
                                let w = format!("#{n}");
                                if !by.iter().any(|(x, y)| *x == e && *y == w) {
                                    by.push((e, w));
                                }
                            }
                        }
                    }
                    continue;
                }
                // (A holiday names an event as well as any word: "your Christmas dinner" for
                // an `occasion` of "team Christmas dinner".)
                // ("the Road Ready details" for a click on "Road Ready squad details": common
                // words capitalized inside a sentence are a name's.)
                if (t.sent_start || !t.cap) && self.rules.common.contains(t.norm.as_str()) {
                    continue;
                }
                let fs = self.facts_for_stem(&stem(&t.norm));
                // The brand's own name ("Meridian" in "Meridian Rewards" and "Meridian Kyoto")
                // names none of the person's events in particular.
                if fs.iter().any(|&f| {
                    let f = &self.facts.list[f];
                    !f.personal && matches!(f.key.as_str(), "brand" | "program" | "company")
                }) {
                    continue;
                }
                for f in fs {
                    if let Some(e) = self.facts.list[f].event {
                        events.push(e);
                        let st = stem(&t.norm);
                        if !by.iter().any(|(x, w)| *x == e && *w == st) {
                            by.push((e, st));
                        }
                    }
                }
                // "our Parents' Tasting Day … last year" for a `tasting_day_attended` event:
                // the event's type names it too, by two words or more that are a name's
                // (capitalized inside the sentence: "the six boxes" names no `box_delivery`,
                // "the Margin Club" no `book_club`).
                if t.cap && !t.sent_start {
                    let st = stem(&t.norm);
                    for (e, ev) in self.facts.recipient.events.iter().enumerate() {
                        let names = crate::text::fold(&ev.kind)
                            .split(['_', ' ', '-'])
                            .any(|p| p.len() > 2 && stem(p) == st);
                        if names && !by_kind.iter().any(|(x, w)| *x == e && *w == st) {
                            by_kind.push((e, st.clone()));
                        }
                    }
                }
            }
            for &(e, ref st) in &by_kind {
                if by_kind.iter().filter(|(x, _)| *x == e).count() >= 2
                    && !by.iter().any(|(x, w)| *x == e && w == st)
                {
                    events.push(e);
                    by.push((e, st.clone()));
                }
            }
            // "the Coledale Beck loop on Juniper": the hack named by three words, not the
            // lesson that shares only the horse.
            let count = |e: usize| by.iter().filter(|(x, _)| *x == e).count();
            let best = events.iter().map(|&e| count(e)).max().unwrap_or(0);
            if best >= 2 && events.iter().any(|&e| count(e) == 1) {
                events.retain(|&e| count(e) == best);
            }
            events
        };
        let mut events = named(&mut self.doc.toks[cs..ce].iter().filter(|t| t.is_word()));
        if events.is_empty() {
            events = named(&mut sent_toks.iter().copied());
        } else {
            // "Thanks for getting in touch last week about training your staff at Trinity
            // Wharf Tavern": the venue names an old group booking, the verb the enquiry.
            // Events of the kind the clause's verb names count too, when none named is one.
            let cued = self.cued_events(&self.doc.toks[cs..ce]);
            if !cued.is_empty() && !cued.iter().any(|e| events.contains(e)) {
                events.extend(cued);
            }
        }
        // Dated attributes of a cued kind ("signed up" → `signup_date`).
        let mut attr_dates: Vec<(Date, usize)> = Vec::new();
        if events.is_empty() {
            for (k, t) in sent_toks.iter().enumerate() {
                // ("joined us" for an event; "joined the Margin Club" is the tenure alone.)
                let us = sent_toks.get(k + 1).is_some_and(|n| n.norm == "us");
                for (_, kind) in EVENT_CUES
                    .iter()
                    .filter(|(w, c)| *w == t.norm && (*c != "event_attendance" || us))
                {
                    if let Some(kr) = self.rules.table.kinds.get(*kind) {
                        for (i, e) in self.facts.recipient.events.iter().enumerate() {
                            if kr
                                .events
                                .iter()
                                .chain(&kr.date_events)
                                .any(|k| k == "*" || fold(k) == fold(&e.kind))
                            {
                                events.push(i);
                            }
                        }
                        attr_dates.extend(self.facts.personal_dates().filter(|&(_, fi)| {
                            let f = &self.facts.list[fi];
                            f.event.is_none()
                                && super::implied::matches_type(&kr.date_attributes, &f.key)
                        }));
                    }
                }
            }
        }
        if events.is_empty() && !attr_dates.is_empty() {
            return attr_dates;
        }
        if !events.is_empty() {
            // Every date of those events: when it was recorded (`at`) and any date it holds
            // (`event_date` of a concert bought in March and played in May).
            let mut out: Vec<(Date, usize)> = Vec::new();
            for e in events {
                for (fi, f) in self.facts.list.iter().enumerate() {
                    if f.event == Some(e) {
                        if let Some(d) = f.date {
                            if !out.contains(&(d, fi)) {
                                out.push((d, fi));
                            }
                        }
                    }
                }
            }
            return out;
        }
        self.facts.personal_dates().collect()
    }

    /// The person's events of a kind a contact verb in `toks` names ("got in touch",
    /// "contacted", "enquired"): an enquiry, a message, a call.
    fn cued_events(&self, toks: &[crate::text::Tok]) -> Vec<usize> {
        let words: Vec<&str> = toks
            .iter()
            .filter(|t| t.is_word())
            .map(|t| t.norm.as_str())
            .collect();
        let contact = words.windows(2).any(|w| w == ["in", "touch"])
            || words.iter().any(|w| {
                matches!(
                    *w,
                    "contacted" | "enquired" | "inquired" | "enquiry" | "inquiry" | "reached"
                )
            });
        let Some(kr) = contact
            .then(|| self.rules.table.kinds.get("support"))
            .flatten()
        else {
            return Vec::new();
        };
        self.facts
            .recipient
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| super::implied::matches_type(&kr.events, &e.kind))
            .map(|(i, _)| i)
            .collect()
    }

    /// The clause speaks about the person's own past: "you ...", or "your order/visit/stay...".
    /// "you took Spin 45 on Monday", "the parka you viewed on Tuesday": a weekday after
    /// "on" (or "last"), in a clause about the person with a verb in the past tense.
    fn sentence_has_any(&self, ti: usize, words: &[&str]) -> bool {
        let sent = self.doc.toks[ti].sent;
        self.doc
            .toks
            .iter()
            .any(|t| t.sent == sent && words.contains(&t.norm.as_str()))
    }

    /// Whether the clause of token `ti` has a verb in the past tense.
    pub(super) fn clause_in_past(&self, ti: usize) -> bool {
        const PAST: [&str; 22] = [
            "took", "went", "came", "saw", "got", "bought", "made", "did", "ran", "rode", "swam",
            "left", "flew", "met", "had", "was", "were", "crushed", "caught", "brought", "sent",
            "wrote",
        ];
        /// Before an "-ed" word, these make it a state ("we're thrilled", "you're booked",
        /// "so excited"), not something done.
        const STATE: [&str; 19] = [
            "am",
            "is",
            "are",
            "be",
            "being",
            "i'm",
            "we're",
            "you're",
            "they're",
            "it's",
            "he's",
            "she's",
            "so",
            "very",
            "really",
            "truly",
            "extremely",
            "super",
            "feel",
        ];
        let (s, e) = self.doc.clause(ti);
        let toks = &self.doc.toks[s..e];
        toks.iter().enumerate().any(|(i, t)| {
            let w = t.norm.as_str();
            PAST.contains(&w)
                || (w.len() > 4
                    && w.ends_with("ed")
                    && !i
                        .checked_sub(1)
                        .is_some_and(|p| STATE.contains(&toks[p].norm.as_str())))
        })
    }

    /// Whether the clause (or the sentence) of token `ti` says when something ends: "ends",
    /// "until", "valid through Sunday". "through" and "thru" count only before a date ("has
    /// been through our tunnels 41 times" ends nothing).
    fn end_cue(&self, ti: usize, sentence: bool) -> bool {
        let (s, e) = if sentence {
            self.doc.sent_range[self.doc.toks[ti].sent]
        } else {
            self.doc.clause(ti)
        };
        let toks = &self.doc.toks[s..e];
        toks.iter().enumerate().any(|(i, t)| {
            if !END_CUES.contains(&t.norm.as_str()) {
                return false;
            }
            // "the play runs from 21:00 until about 05:00 on Sunday morning": an hour after
            // "until" ends the evening, not the offer.
            if matches!(t.norm.as_str(), "until" | "till") {
                let mut rest = toks[i + 1..]
                    .iter()
                    .skip_while(|x| matches!(x.norm.as_str(), "about" | "around" | "roughly"));
                let hour = rest.next().is_some_and(|x| {
                    x.norm.as_bytes().first().is_some_and(u8::is_ascii_digit)
                        && (x.norm.contains(':')
                            || x.norm.ends_with("am")
                            || x.norm.ends_with("pm"))
                });
                if hour {
                    return false;
                }
            }
            // ("sending your song through on Sunday": "through" ends the verb, not a span.)
            !matches!(t.norm.as_str(), "through" | "thru")
                || (date_next(&toks[i + 1..])
                    && !toks[i + 1..]
                        .iter()
                        .find(|x| x.is_word())
                        .is_some_and(|x| matches!(x.norm.as_str(), "on" | "to" | "with" | "at")))
        })
    }

    /// The weekday at word `wi` is the day a span is counted from: "three weeks from this
    /// Friday", "a week from Saturday", "10 days from next Monday".
    fn counted_from(&self, wi: usize) -> bool {
        let mut k = 1;
        if self
            .doc
            .word_before(wi, k)
            .is_some_and(|x| matches!(x.norm.as_str(), "this" | "next"))
        {
            k += 1;
        }
        self.doc
            .word_before(wi, k)
            .is_some_and(|x| x.norm == "from")
            && self.doc.word_before(wi, k + 1).is_some_and(|x| {
                matches!(
                    x.norm.as_str(),
                    "week" | "weeks" | "day" | "days" | "fortnight" | "month" | "months"
                )
            })
    }

    /// The weekday at word `wi` is given hours ("on Sunday after 19:00", "Saturday 10:00 to
    /// 12:00", "Friday, Saturday or Sunday between 11am and 8pm"): when something is open,
    /// not by when.
    fn weekday_with_hours(&self, wi: usize) -> bool {
        // ("4pm" is one word token: digits then letters.)
        let time = |t: &crate::text::Tok| {
            t.norm.as_bytes().first().is_some_and(u8::is_ascii_digit)
                && (t.norm.contains(':')
                    || t.norm.ends_with("am")
                    || t.norm.ends_with("pm")
                    || t.norm.ends_with('h'))
        };
        // "until about 05:00 on Sunday morning": the hour an evening runs to, on that day.
        let clock_at = |ti: usize| {
            time(&self.doc.toks[ti])
                || (ti >= 2
                    && self.doc.toks[ti].kind == TokKind::Num
                    && self.doc.toks[ti - 1].norm == ":"
                    && self.doc.toks[ti - 2].kind == TokKind::Num)
        };
        if wi >= 2
            && self.doc.word_before(wi, 1).is_some_and(|p| p.norm == "on")
            && self.doc.word_before(wi, 2).is_some()
            && clock_at(self.doc.words[wi - 2])
        {
            return true;
        }
        // Past the other weekdays of a list ("Friday, Saturday or Sunday").
        let mut k = 1;
        while self.doc.word_after(wi, k).is_some_and(|x| {
            WEEKDAYS.contains(&x.norm.as_str()) || matches!(x.norm.as_str(), "or" | "and")
        }) && k < 6
        {
            k += 1;
        }
        let Some(x) = self.doc.word_after(wi, k) else {
            return false;
        };
        // ("until Sunday 10:00" written as "10", ":", "00".)
        let xi = self.doc.words[wi + k];
        let split_clock = x.kind == TokKind::Num
            && self.doc.toks.get(xi + 1).is_some_and(|c| c.norm == ":")
            && self
                .doc
                .toks
                .get(xi + 2)
                .is_some_and(|m| m.kind == TokKind::Num);
        if time(x) || split_clock {
            return true;
        }
        // "after 19:00", "between 11am and 8pm", "from 10 am": a word of time, then a time
        // (one token, or a figure followed by a colon or by am/pm).
        let prep = self.doc.words[wi + k];
        let time_next = self.doc.word_after(wi, k + 1).is_some_and(|y| {
            time(y)
                || (y.kind == TokKind::Num
                    && self.doc.toks.get(prep + 2).is_some_and(|z| z.norm == ":"))
                || self
                    .doc
                    .word_after(wi, k + 2)
                    .is_some_and(|z| matches!(z.norm.as_str(), "am" | "pm" | "a.m" | "p.m"))
        });
        matches!(
            x.norm.as_str(),
            "after" | "before" | "from" | "between" | "until" | "till"
        ) && time_next
    }

    /// Whether a candidate date falls in an ISO week its sentence numbers ("week 26", "vecka
    /// 26", "KW 26", "uke 26").
    fn in_numbered_week(&self, ti: usize, candidates: &[Date]) -> bool {
        let toks = self.doc.sentence(ti);
        let weeks: Vec<i64> = toks
            .windows(2)
            .filter(|w| {
                matches!(
                    w[0].norm.as_str(),
                    "week" | "wk" | "vecka" | "uke" | "uge" | "woche" | "kw" | "viikko" | "semaine"
                )
            })
            .filter_map(|w| parse_num(&w[1].norm))
            .filter(|n| n.fract() == 0.0 && (1.0..=53.0).contains(n))
            .map(|n| n as i64)
            .collect();
        !weeks.is_empty()
            && candidates
                .iter()
                .any(|d| iso_week(*d).is_some_and(|w| weeks.contains(&w)))
    }

    /// One of `candidates` is a campaign date less or plus N days, where the sentence of
    /// token `ti` or the one before it says "N days before" ("after", "prior"); or one of
    /// the person's dates, when the sentence is about them or `persons` says to look there.
    fn days_from_a_date(
        &self,
        ti: usize,
        candidates: &[Date],
        campaign: &[Date],
        persons: bool,
    ) -> bool {
        let sent = self.doc.toks[ti].sent;
        let toks = &self.doc.toks;
        let words: Vec<&crate::text::Tok> = toks
            .iter()
            .filter(|t| t.kind != TokKind::Punct && t.sent + 1 >= sent && t.sent <= sent)
            .collect();
        let number = |t: &crate::text::Tok| {
            if t.kind == TokKind::Num {
                parse_num(&t.norm)
            } else {
                crate::text::word_number(&t.norm)
            }
            .filter(|n| n.fract() == 0.0 && (1.0..=365.0).contains(n))
        };
        // "14 days before", "four to eight weeks before the wedding": counts, a unit, and
        // which way.
        let mut days: Vec<i64> = Vec::new();
        for i in 0..words.len() {
            let Some(n) = number(words[i]) else { continue };
            let mut counts = vec![n];
            let mut j = i + 1;
            while j + 1 < words.len()
                && matches!(words[j].norm.as_str(), "to" | "or")
                && number(words[j + 1]).is_some()
            {
                counts.extend(number(words[j + 1]));
                j += 2;
            }
            let (Some(unit), Some(way)) = (words.get(j), words.get(j + 1)) else {
                continue;
            };
            let per = match unit.norm.as_str() {
                "day" | "days" => 1,
                "week" | "weeks" => 7,
                _ => continue,
            };
            if matches!(way.norm.as_str(), "before" | "after" | "prior" | "ahead") {
                days.extend(counts.iter().map(|c| *c as i64 * per));
            }
        }
        if days.is_empty() {
            return false;
        }
        // From one of the campaign's dates, or, in a sentence about the person, from one of
        // theirs ("a walk four to eight weeks before the wedding" on 18 June).
        let mut from: Vec<Date> = campaign.to_vec();
        if persons || self.doc.sent_personal(ti) {
            from.extend(self.facts.personal_dates().map(|(d, _)| d));
        }
        days.iter().any(|&n| {
            from.iter().any(|d| {
                [d.add_days(-n), d.add_days(n)]
                    .into_iter()
                    .flatten()
                    .any(|x| candidates.contains(&x))
            })
        })
    }

    /// Whether the clause of token `ti` is about what will happen (`FUTURE_CUES`; "through"
    /// only before a date: "coming through to Menlo Park last Friday" is past).
    fn future_clause(&self, ti: usize) -> bool {
        let (s, e) = self.doc.clause(ti);
        let toks = &self.doc.toks[s..e];
        toks.iter().enumerate().any(|(i, t)| {
            FUTURE_CUES.contains(&t.norm.as_str())
                && (!matches!(t.norm.as_str(), "through" | "thru") || date_next(&toks[i + 1..]))
        })
    }

    fn past_weekday_claim(&self, wi: usize) -> bool {
        let ti = self.doc.words[wi];
        let lead = self
            .doc
            .word_before(wi, 1)
            .is_some_and(|p| matches!(p.norm.as_str(), "on" | "last" | "past"));
        if !lead || self.future_clause(ti) {
            return false;
        }
        // "Hope the birthday throw on our Calgary lanes last Friday was a hit": a clause that
        // names one of the person's events by two of its words is about them.
        let last = self
            .doc
            .word_before(wi, 1)
            .is_some_and(|p| p.norm == "last");
        if !(self.clause_about_person(ti) || (last && self.clause_names_own_event(ti))) {
            return false;
        }
        // "Thanks for joining us last Saturday": "last" with a weekday is past whatever the
        // verb. "Thanks for bringing all four of you out to the zoo on Sunday": thanks for
        // coming is for a visit that happened.
        last || self.clause_in_past(ti) || self.thanks_for_coming(ti)
    }

    /// The sentence of `ti` thanks the person for coming, before `ti`: "thanks/thank you
    /// for" and a verb of coming or bringing.
    fn thanks_for_coming(&self, ti: usize) -> bool {
        let sent = self.doc.toks[ti].sent;
        let before: Vec<&str> = self.doc.toks[..ti]
            .iter()
            .rev()
            .take_while(|t| t.sent == sent)
            .filter(|t| t.is_word())
            .map(|t| t.norm.as_str())
            .collect();
        // Read forwards: "thanks for <verb>" or "thank you for <verb>".
        const COMING: [&str; 9] = [
            "coming", "bringing", "joining", "visiting", "stopping", "dropping", "popping",
            "spending", "being",
        ];
        let words: Vec<&str> = before.into_iter().rev().collect();
        words
            .windows(3)
            .any(|w| w[..2] == ["thanks", "for"] && COMING.contains(&w[2]))
            || words
                .windows(4)
                .any(|w| w[..3] == ["thank", "you", "for"] && COMING.contains(&w[3]))
    }

    /// The clause of token `ti` names one of the person's own events by two words or more.
    fn clause_names_own_event(&self, ti: usize) -> bool {
        let (cs, ce) = self.doc.clause(ti);
        let mut named: Vec<(usize, String)> = Vec::new();
        for t in self.doc.toks[cs..ce].iter().filter(|t| t.is_word()) {
            if let Some(e) = self
                .own_event_fact(t)
                .and_then(|f| self.facts.list[f].event)
            {
                let st = stem(&t.norm);
                if !named.iter().any(|(x, w)| *x == e && *w == st) {
                    named.push((e, st));
                }
            }
        }
        named
            .iter()
            .any(|(e, _)| named.iter().filter(|(x, _)| x == e).count() >= 2)
    }

    /// A fact of one of the person's own events (a race, a class, a stay) that this word
    /// names; not a thing they bought or looked at ("your favorite loaf came out of the oven
    /// this morning" is about the loaf), nor a brand's own name.
    /// One of `candidates` falls inside a span the campaign gives: two dates in one campaign
    /// value ("arrivals": "2027-05-16 to 2027-06-17"), so "leave Thursday, May 20" in a plan
    /// for a stay inside it is the campaign's.
    fn in_campaign_range(&self, candidates: &[Date]) -> bool {
        let mut dated: Vec<(&str, Date)> = self
            .facts
            .list
            .iter()
            .filter(|f| !f.personal)
            .filter_map(|f| f.date.map(|d| (f.path.as_str(), d)))
            .collect();
        dated.sort();
        dated.chunk_by(|a, b| a.0 == b.0).any(|g| {
            let (lo, hi) = (g[0].1, g[g.len() - 1].1);
            g.len() >= 2 && candidates.iter().any(|c| *c > lo && *c < hi)
        })
    }

    pub(super) fn own_event_fact(&self, x: &crate::text::Tok) -> Option<usize> {
        if self.is_common_word(&x.norm) {
            return None;
        }
        let fs = self.facts_for_stem(&stem(&x.norm));
        if fs.iter().any(|&f| {
            let f = &self.facts.list[f];
            !f.personal && matches!(f.key.as_str(), "brand" | "program" | "company")
        }) {
            return None;
        }
        fs.into_iter().find(|&f| {
            let f = &self.facts.list[f];
            let thing = |k: &str| {
                ["purchase", "order", "cart", "view", "browse", "wish"]
                    .iter()
                    .any(|w| k.contains(w))
            };
            f.personal
                && !matches!(f.kind, FKind::Category | FKind::Tier | FKind::Amount)
                && f.event
                    .and_then(|i| self.facts.recipient.events.get(i))
                    .is_some_and(|e| !thing(&e.kind))
        })
    }

    pub(super) fn clause_about_person(&self, ti: usize) -> bool {
        const EVENT_NOUNS: [&str; 28] = [
            "order",
            "purchase",
            "visit",
            "stay",
            "trip",
            "booking",
            "cart",
            "basket",
            "review",
            "ticket",
            "search",
            "flight",
            "delivery",
            "appointment",
            "class",
            "session",
            "service",
            "repair",
            "treatment",
            "fitting",
            "lesson",
            "checkup",
            "gift",
            "donation",
            "contribution",
            "exam",
            "rental",
            "shift",
        ];
        let (s, e) = self.doc.clause(ti);
        // A phrase that claims the person did something ("thanks for coming") makes it personal.
        if self.implied_spans.iter().any(|&(a, b)| a < e && b >= s) {
            return true;
        }
        let toks = &self.doc.toks[s..e];
        // "your Bayfront 10K": a word that names one of the person's own events.
        let names_own_event = |x: &crate::text::Tok| self.own_event_fact(x).is_some();
        toks.iter().enumerate().any(|(i, t)| {
            matches!(t.norm.as_str(), "you" | "you've" | "you're" | "you'd")
                // "Thanks for signing up", "Congrats on the Bayfront 10K": thanked or
                // congratulated for something the reader did.
                || (matches!(t.norm.as_str(), "thanks" | "thank")
                    && toks[i + 1..]
                        .iter()
                        .filter(|x| x.is_word())
                        .take(2)
                        .any(|x| x.norm == "for"))
                || (matches!(t.norm.as_str(), "congrats" | "congratulations" | "kudos")
                    && toks[i + 1..]
                        .iter()
                        .filter(|x| x.is_word())
                        .take(2)
                        .any(|x| x.norm == "on"))
                || (t.norm == "your"
                    && toks[i + 1..]
                        .iter()
                        .filter(|x| x.is_word())
                        .take(3)
                        .any(|x| {
                            EVENT_NOUNS.contains(&stem(&x.norm).as_str()) || names_own_event(x)
                        }))
                // "Your Octavia had its full service with us": something done with us.
                || (t.norm == "us"
                    && i > 0
                    && toks[..i].iter().rev().find(|x| x.is_word()).is_some_and(|x| x.norm == "with")
                    && toks.iter().any(|x| x.norm == "your")
                    && toks
                        .iter()
                        .any(|x| EVENT_NOUNS.contains(&stem(&x.norm).as_str())))
        })
    }

    /// The campaign or the person is south of the equator: a locale, a currency or a country
    /// of Australia, New Zealand, South Africa, Argentina, Chile or Uruguay.
    fn southern(&self) -> bool {
        *self.southern.get_or_init(|| self.find_southern())
    }

    fn find_southern(&self) -> bool {
        const LOCALES: [&str; 6] = ["-au", "-nz", "-za", "-ar", "-cl", "-uy"];
        const CURRENCIES: [&str; 6] = ["aud", "nzd", "zar", "ars", "clp", "uyu"];
        const COUNTRIES: [&str; 6] = [
            "australia",
            "zealand",
            "africa",
            "argentina",
            "chile",
            "uruguay",
        ];
        let locale = self.facts.recipient.locale.as_deref().map(fold);
        if locale.is_some_and(|l| LOCALES.iter().any(|x| l.ends_with(x))) {
            return true;
        }
        self.facts.list.iter().filter(|f| !f.personal).any(|f| {
            f.path
                .split(['.', '_'])
                .any(|p| CURRENCIES.iter().any(|c| p.eq_ignore_ascii_case(c)))
                || (matches!(
                    f.key.as_str(),
                    "currency" | "country" | "location" | "city" | "address"
                ) && f
                    .stems
                    .iter()
                    .any(|w| CURRENCIES.contains(&w.as_str()) || COUNTRIES.contains(&w.as_str())))
        })
    }

    pub(super) fn is_common_word(&self, w: &str) -> bool {
        self.rules.common.contains(w) || self.rules.ignore_caps.contains(w)
    }

    fn calendar_ok(&self, cal: &str, phrase: &str, d: Date) -> bool {
        let now = self.facts.now;
        let months_apart = (now.year() - d.year()) * 12 + now.month() as i32 - d.month() as i32;
        match cal {
            "last_month" => {
                if phrase.contains("this") {
                    months_apart == 0
                } else {
                    months_apart == 1
                }
            }
            "this_year" => d.year() == now.year(),
            "last_year" => d.year() == now.year() - 1,
            "weekend" => matches!(weekday_index(d), 4..=6),
            // "last week": Monday to Sunday of the week before this one (from a Sunday,
            // 7 to 13 days back).
            "last_week" => {
                let age = now.days_since(d);
                let into_week = weekday_index(now);
                (into_week + 1..=into_week + 7).contains(&age)
            }
            // "four home matches this season": a sports or growing season, not a named one.
            "season" if phrase.ends_with("this season") => {
                !phrase.contains("last") && (0..=300).contains(&now.days_since(d))
            }
            "season" => phrase
                .split_whitespace()
                .find_map(season_months)
                // South of the equator the seasons are the other way round: "last winter" in
                // Cape Town is June to August.
                .map(|ms| {
                    if self.southern() {
                        ms.map(|m| (m + 5) % 12 + 1)
                    } else {
                        ms
                    }
                })
                .is_some_and(|ms| {
                    let age = now.days_since(d);
                    let now_in = ms.contains(&now.month());
                    ms.contains(&d.month())
                        && if phrase.contains("last") {
                            // The most recent occurrence that is over: last year's when we are
                            // in the season now ("last fall", said in November, is a year ago).
                            if now_in {
                                (92..=485).contains(&age)
                            } else {
                                (0..=365).contains(&age)
                            }
                        } else if now_in {
                            // "this fall", said in the fall: the current occurrence.
                            (0..=92).contains(&age)
                        } else {
                            // "this spring", said in November: the most recent one, which
                            // began up to nine months ago.
                            (0..=365).contains(&age)
                        }
                }),
            _ => false,
        }
    }

    /// "Wednesday, December 17" when December 17 is a Thursday: a weekday and a date that
    /// cannot both be right, whatever the record says. Without a year, the date is taken in
    /// the year that puts it nearest the send date.
    pub(super) fn weekday_dates(&mut self) {
        let now = self.facts.now;
        let mut flags = Vec::new();
        for wi in 0..self.doc.words.len() {
            let t = &self.doc.toks[self.doc.words[wi]];
            let Some(target) = WEEKDAYS.iter().position(|w| *w == t.norm) else {
                continue;
            };
            // "Monday to Thursday, 4 June to 26 July": the end of a range of weekdays, then
            // a date that is no weekday's.
            let range_end = self.doc.word_before(wi, 1).is_some_and(|j| {
                matches!(j.norm.as_str(), "to" | "through" | "thru" | "and" | "or")
            }) && self
                .doc
                .word_before(wi, 2)
                .is_some_and(|o| WEEKDAYS.contains(&o.norm.as_str()))
                // ("Monday–Thursday, October 31–December 15": a dash between the two.)
                || (self.doc.words[wi] > 0
                    && matches!(
                        self.doc.toks[self.doc.words[wi] - 1].norm.as_str(),
                        "-" | "–" | "—"
                    )
                    && self
                        .doc
                        .word_before(wi, 1)
                        .is_some_and(|o| WEEKDAYS.contains(&o.norm.as_str())));
            if range_end {
                continue;
            }
            // "Wednesday, December 17", "Wednesday 17 December", "Friday the 18th".
            let Some((nearest, end)) = self.date_after(wi, now) else {
                continue;
            };
            // A year written after it wins over the nearest one.
            let year = self
                .doc
                .word_after(wi, 3)
                .filter(|y| y.start >= end)
                .and_then(|y| Some((self.doc.year_written(end, y)?, y.end)));
            // "Saturday 29 May last year", "Tuesday 4 March next year".
            let year = year.or_else(|| {
                let which = self.doc.word_after(wi, 3).filter(|w| w.start >= end)?;
                let unit = self.doc.word_after(wi, 4).filter(|w| w.norm == "year")?;
                let y = match which.norm.as_str() {
                    "last" => now.year() - 1,
                    "this" => now.year(),
                    "next" => now.year() + 1,
                    _ => return None,
                };
                Some((y, unit.end))
            });
            let (date, end) = match year {
                Some((y, yend)) => match Date::from_ymd(y, nearest.month(), nearest.day()) {
                    Some(d) => (d, yend),
                    None => continue,
                },
                None => (nearest, end),
            };
            let actual = weekday_index(date) as usize;
            // No year written: a known date on that day and month in another year, on the
            // weekday said, is the one meant ("Saturday 25 October", six months ahead).
            let known_elsewhere = || {
                year.is_none()
                    && self
                        .facts
                        .campaign_dates()
                        .chain(self.facts.personal_dates().map(|(d, _)| d))
                        .any(|d| {
                            d.month() == date.month()
                                && d.day() == date.day()
                                && weekday_index(d) as usize == target
                        })
            };
            // "if you're still weighing up Saturday 28 April" in October, for a wedding
            // quoted for the April after: a day and month months past this year (not last
            // week's), on the weekday said in the months ahead, when a known date falls in
            // that year.
            let next_year = || {
                year.is_none()
                    && now.days_since(date) >= 90
                    && Date::from_ymd(date.year() + 1, date.month(), date.day()).is_some_and(|n| {
                        weekday_index(n) as usize == target
                            && n.days_since(now) <= 270
                            && self
                                .facts
                                .campaign_dates()
                                .chain(self.facts.personal_dates().map(|(d, _)| d))
                                .any(|d| d.year() == n.year())
                    })
            };
            // "bookings close this Friday, 30 June" on Wednesday 21 June: the date is right for
            // a Friday, but not for this week's; "next Wednesday, 14 March" three weeks out.
            let qualifier = self.doc.word_before(wi, 1).map(|p| p.norm.clone());
            let ahead = date.days_since(now);
            // ("a week from this Saturday - February 27" counts from it; "this Saturday the
            // first strawberries arrive" gives no date.)
            let spelled_ordinal = self.doc.word_after(wi, 1).is_some_and(|x| x.norm == "the")
                && self
                    .doc
                    .word_after(wi, 2)
                    .is_some_and(|x| x.norm.bytes().all(|b| b.is_ascii_alphabetic()));
            let off_week = actual == target
                && year.is_none()
                && !spelled_ordinal
                && !self.counted_from(wi)
                && match qualifier.as_deref() {
                    Some("this") => !(-6..=6).contains(&ahead),
                    Some("next") => !(1..=13).contains(&ahead),
                    _ => false,
                };
            if off_week {
                flags.push((
                    self.doc.toks[self.doc.words[wi - 1]].start,
                    end,
                    format!(
                        "{} {} is {} days from the send date, not {} {}",
                        capitalized(WEEKDAYS[actual]),
                        date,
                        ahead,
                        qualifier.as_deref().unwrap_or_default(),
                        capitalized(WEEKDAYS[target])
                    ),
                ));
                continue;
            }
            if actual != target && !known_elsewhere() && !next_year() {
                flags.push((
                    t.start,
                    end,
                    format!(
                        "{} {}, {} is a {}, not a {}",
                        capitalized(MONTHS[date.month() as usize - 1]),
                        date.day(),
                        date.year(),
                        capitalized(WEEKDAYS[actual]),
                        capitalized(WEEKDAYS[target])
                    ),
                ));
            }
        }
        for (s, e, reason) in flags {
            self.flag(Kind::WrongTime, s, e, reason, "time.weekday_date");
        }
    }

    /// The sets of weekdays the campaign's texts give, one per text that names two or more
    /// ("Monday to Thursday sessions only" gives Monday to Thursday; "Friday, Saturday or
    /// Sunday" those three), as bit sets (Monday = bit 0).
    fn campaign_day_sets(&self) -> Vec<u8> {
        let day = |w: &str| -> Option<usize> {
            WEEKDAYS.iter().position(|d| {
                w.eq_ignore_ascii_case(d) || (w.len() == 3 && d[..3].eq_ignore_ascii_case(w))
            })
        };
        let mut out = Vec::new();
        for f in self.facts.list.iter().filter(|f| !f.personal) {
            if !f
                .stems
                .iter()
                .any(|w| WEEKDAYS.iter().any(|d| w.contains(&d[..3])))
            {
                continue;
            }
            // "thursday-saturday" may be one stem.
            let words: Vec<String> = f
                .stems
                .iter()
                .flat_map(|w| w.split(['-', '–']))
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect();
            let mut set = 0u8;
            for (i, w) in words.iter().enumerate() {
                let Some(a) = day(w) else { continue };
                set |= 1 << a;
                // "Monday to Thursday"; "Thursday-Saturday" (the stems keep no hyphen, so two
                // weekdays side by side are read as a span: at worst a day too many).
                // ("Monday pick-up to Friday return": a word or two between.)
                let to = (i + 1..=i + 3).find(|&j| {
                    words
                        .get(j)
                        .is_some_and(|w| matches!(w.as_str(), "to" | "through" | "thru" | "until"))
                });
                let b = match to {
                    Some(j) => words.get(j + 1).and_then(|x| day(x)),
                    None => words.get(i + 1).and_then(|x| day(x)),
                };
                if let Some(b) = b {
                    set |= day_span(a, b);
                }
            }
            if set.count_ones() >= 2 && !out.contains(&set) {
                out.push(set);
            }
        }
        out
    }

    /// The dates of the campaign's own events (a gala, an open day, a class) that the
    /// sentence of token `ti` names by a distinctive word of their name or description: the
    /// date facts whose siblings (the same object in the campaign) hold that word.
    fn named_campaign_dates(&self, ti: usize) -> Vec<Date> {
        // The part of the sentence the weekday is in: "It'll be a year next Wednesday since
        // Lena tuned your piano, and we saw you reading about our Spring Tuning Weeks" says
        // nothing of when the Tuning Weeks are. (Commas do not part it: "this Saturday, at
        // the Mini Gala".)
        let toks = &self.doc.toks;
        let text = self.doc.text.as_bytes();
        let (cs, ce) = self.doc.part_of_sentence(ti, |t: &crate::text::Tok| {
            matches!(
                t.norm.as_str(),
                ";" | "—" | "–" | "and" | "but" | "since" | "so" | "because" | "while"
            )
                // A spaced hyphen is a dash; "19:00-21:00" is a range inside the part.
                || (t.norm == "-" && t.start > 0 && text.get(t.start - 1) == Some(&b' '))
        });
        let named = |a: usize, b: usize| -> Vec<String> {
            toks[a..b]
                .iter()
                .filter(|t| t.is_word() && t.norm.len() >= 4 && !self.is_common_word(&t.norm))
                .map(|t| stem(&t.norm))
                .collect()
        };
        let mut stems = named(cs, ce);
        // "Thanks for clicking through to Opening Night on Monday - it's this Friday": the
        // part says "it", and the part before names what.
        if stems.is_empty()
            && toks[cs..ce]
                .iter()
                .find(|t| t.is_word())
                .is_some_and(|t| matches!(t.norm.as_str(), "it's" | "it" | "that's" | "which"))
        {
            let (ss, _) = self.doc.sent_range[toks[ti].sent];
            stems = named(ss, cs);
        }
        if stems.is_empty() {
            return Vec::new();
        }
        let parent = |p: &str| {
            p.rfind(['.', '['])
                .map_or(String::new(), |i| p[..i].to_string())
        };
        // `event.dates[0]`: an item of a list of dates belongs to the list's object.
        let home_of = |p: &str| {
            let list = p
                .strip_suffix(']')
                .and_then(|q| q.rfind('[').map(|i| &q[..i]));
            match list {
                Some(l) => parent(l),
                None => parent(p),
            }
        };
        let mut out = Vec::new();
        for d in self
            .facts
            .list
            .iter()
            .filter(|f| !f.personal && f.date.is_some())
        {
            let home = home_of(&d.path);
            if home.is_empty() {
                continue;
            }
            // `"opening_night": {"date": ...}`: the object's own key names it too.
            let key_named = home.rsplit('.').next().is_some_and(|k| {
                k.split('_')
                    .any(|w| w.len() >= 4 && stems.contains(&stem(w)))
            });
            let named = key_named
                || self.facts.list.iter().any(|g| {
                    !g.personal
                        && g.date.is_none()
                        && !matches!(g.key.as_str(), "brand" | "program" | "company")
                        && parent(&g.path) == home
                        && g.stems.iter().any(|x| stems.contains(x))
                });
            if named {
                out.extend(d.date);
            }
        }
        out
    }

    /// "four Saturday mornings (20 and 27 August, 3 and 10 September)" from a course that
    /// starts on 20 August; "your next box comes on Sunday 24 April" after the skipped one
    /// of Sunday 17 April, for a `delivery_day` of Sunday: a day ahead, a whole number of
    /// weeks (up to twelve) after a known date, in a sentence that says the weekday recurs
    /// (its plural, "weekly", "every") or for a person or campaign whose day it is.
    fn weekly_series(&self, ti: usize, d: Date) -> bool {
        let now = self.facts.now;
        if d <= now || d.days_since(now) > 120 {
            return false;
        }
        let wd = WEEKDAYS[weekday_index(d) as usize];
        let (ss, se) = self.doc.sent_range[self.doc.toks[ti].sent];
        let toks = &self.doc.toks[ss..se];
        let said = toks.iter().enumerate().any(|(i, t)| {
            t.norm.strip_suffix('s') == Some(wd)
                || matches!(t.norm.as_str(), "weekly" | "every" | "each")
                // "four Saturday mornings".
                || (t.norm == wd
                    && i > 0
                    && (toks[i - 1].kind == TokKind::Num
                        || crate::text::word_number(&toks[i - 1].norm).is_some_and(|n| n >= 2.0)))
        }) || self.facts.list.iter().any(|f| {
            f.date.is_none() && f.stems.len() == 1 && f.stems[0] == wd && f.key.contains("day")
        });
        said && self
            .facts
            .campaign_dates()
            .chain(self.facts.personal_dates().map(|(c, _)| c))
            .any(|c| {
                let gap = d.days_since(c);
                gap > 0 && gap % 7 == 0 && gap / 7 <= 12
            })
    }

    /// "Li Sandberg joined us in July as a mastering engineer": a clause whose subject is
    /// someone named (not the reader), joining, starting or opening, with no "you" in it.
    fn someone_elses_news(&self, ti: usize) -> bool {
        let (cs, ce) = self.doc.clause(ti);
        let toks = &self.doc.toks[cs..ce];
        if toks.iter().any(|t| {
            matches!(
                t.norm.as_str(),
                "you" | "your" | "you're" | "you've" | "you'll" | "yours"
            )
        }) {
            return false;
        }
        toks.iter().enumerate().any(|(i, t)| {
            matches!(
                t.norm.as_str(),
                "joined"
                    | "joins"
                    | "started"
                    | "starts"
                    | "arrived"
                    | "arrives"
                    | "opened"
                    | "opens"
                    | "retired"
                    | "retires"
            ) && i > 0
                && toks[i - 1].cap
                && toks[i - 1].is_word()
                && !matches!(toks[i - 1].norm.as_str(), "we" | "i" | "our")
                && !self.facts.first_name.iter().any(|n| *n == toks[i - 1].norm)
        })
    }

    /// "the club meets this Saturday, 5 January" when a campaign fact holds "the first
    /// Saturday of each month": a day ahead that is that weekday's place in its month.
    fn monthly_series(&self, d: Date) -> bool {
        let now = self.facts.now;
        if d <= now || d.days_since(now) > 120 {
            return false;
        }
        let wd = WEEKDAYS[weekday_index(d) as usize];
        let nth = (d.day() - 1) / 7;
        let last = d.add_days(7).is_none_or(|n| n.month() != d.month());
        self.facts.list.iter().any(|f| {
            !f.personal
                && f.stems.windows(5).any(|w| {
                    let place = match w[0].as_str() {
                        "first" | "1st" => nth == 0,
                        "second" | "2nd" => nth == 1,
                        "third" | "3rd" => nth == 2,
                        "fourth" | "4th" => nth == 3,
                        "last" => last,
                        _ => false,
                    };
                    place
                        && w[1] == wd
                        && w[2] == "of"
                        && matches!(w[3].as_str(), "each" | "every" | "the")
                        && w[4] == "month"
                })
        })
    }

    /// "knafeh last Friday: a fresh tray comes out again this Friday" when the campaign has
    /// fresh knafeh every Friday: a campaign fact that recurs on the weekday (its key names
    /// the day, or its words say "every" or "each" beside it) and shares a word with the
    /// sentence says what happens that day, whatever else the sentence names.
    fn campaign_recurs_on(&self, ti: usize, weekday: &str) -> bool {
        let (ss, se) = self.doc.sent_range[self.doc.toks[ti].sent];
        let words: Vec<String> = self.doc.toks[ss..se]
            .iter()
            .filter(|t| t.is_word() && t.norm.len() >= 4 && !WEEKDAYS.contains(&t.norm.as_str()))
            .filter(|t| !self.is_common_word(&t.norm))
            .map(|t| stem(&t.norm))
            .collect();
        use super::parent_path as parent;
        self.facts.list.iter().any(|f| {
            let recurs = !f.personal
                && (f.key.contains(weekday)
                    || (f.stems.iter().any(|s| s == weekday)
                        && (f.stems.iter().any(|s| matches!(s.as_str(), "every" | "each"))
                            // `"days": "Tuesdays only"`.
                            || matches!(f.key.as_str(), "days" | "day" | "valid_days"))));
            if !recurs {
                return false;
            }
            // The fact, or (inside an object such as the offer) a fact beside it, shares a
            // word with the sentence.
            let home = parent(&f.path);
            f.stems.iter().any(|s| words.contains(s))
                || (home.contains('.')
                    && self.facts.list.iter().any(|g| {
                        !g.personal
                            && parent(&g.path) == home
                            && g.stems.iter().any(|s| words.contains(s))
                    }))
        })
    }

    /// "the Mini Gala is this Saturday" when the campaign's Mini Gala is on Saturday 4
    /// November: "this" or "next" with a weekday, said of a campaign event the sentence
    /// names, must fall on that event's date.
    pub(super) fn event_days(&mut self) {
        let now = self.facts.now;
        let mut flags = Vec::new();
        for wi in 1..self.doc.words.len() {
            let t = &self.doc.toks[self.doc.words[wi]];
            // ("next Thursday's Open Workshop Evening": the possessive too.)
            let day = t.norm.strip_suffix("'s").unwrap_or(&t.norm);
            if !day.ends_with("day") {
                continue;
            }
            let Some(target) = WEEKDAYS.iter().position(|w| *w == day) else {
                continue;
            };
            let Some(which) = self.doc.word_before(wi, 1).map(|p| p.norm.clone()) else {
                continue;
            };
            if !matches!(which.as_str(), "this" | "next") || self.date_after(wi, now).is_some() {
                continue;
            }
            // "two weeks from this Friday", "a week after next Monday": the weekday anchors
            // an offset; the event is on the day the offset reaches.
            if self
                .doc
                .word_before(wi, 2)
                .is_some_and(|w| matches!(w.norm.as_str(), "from" | "after" | "before"))
            {
                continue;
            }
            let ti = self.doc.words[wi];
            let mut dates = self.named_campaign_dates(ti);
            // "Biscuit turns two this Saturday!": a birthday in the record that comes within
            // the next two weeks is the day the sentence means.
            if dates.is_empty() && self.sentence_has(ti, &["birthday", "turns", "bday"]) {
                if let Some(kind) = self.rules.table.kinds.get("birthday") {
                    for (d, fi) in self.facts.personal_dates() {
                        if !super::implied::matches_type(
                            &kind.date_attributes,
                            &self.facts.list[fi].key,
                        ) {
                            continue;
                        }
                        dates.extend(
                            [now.year(), now.year() + 1]
                                .into_iter()
                                .filter_map(|y| Date::from_ymd(y, d.month(), d.day()))
                                .filter(|a| (0..=14).contains(&a.days_since(now))),
                        );
                    }
                }
            }
            if dates.is_empty() || self.campaign_recurs_on(ti, WEEKDAYS[target]) {
                continue;
            }
            let ahead = (target as i64 - weekday_index(now)).rem_euclid(7);
            let days: Vec<i64> = match (which.as_str(), ahead) {
                ("this", 0) => vec![0, 7],
                ("this", a) => vec![a],
                (_, 0) => vec![7],
                (_, a) => vec![a, a + 7],
            };
            let candidates: Vec<Date> = days.iter().filter_map(|a| now.add_days(*a)).collect();
            if dates.iter().any(|d| candidates.contains(d)) {
                continue;
            }
            // "Since you were looking at our Ber-Months Early Bird, you'd like to know about
            // this Saturday too" with the Tasting Day on Saturday: a sentence naming an offer
            // of many dates (a window, its exclusions, a deadline) may turn to another of the
            // campaign's events on that day.
            let mut distinct = dates.clone();
            distinct.sort();
            distinct.dedup();
            if distinct.len() >= 3 && self.facts.campaign_dates().any(|d| candidates.contains(&d)) {
                continue;
            }
            // "its annual service falls due next Tuesday": the person's own date (a service
            // due, a booking) on that day, not the campaign's event.
            if self
                .facts
                .list
                .iter()
                .any(|f| f.personal && f.date.is_some_and(|d| candidates.contains(&d)))
            {
                continue;
            }
            let start = self.doc.word_before(wi, 1).map_or(t.start, |p| p.start);
            let when: Vec<String> = dates.iter().map(|d| d.to_string()).collect();
            flags.push((
                start,
                t.end,
                format!(
                    "\"{which} {}\" is {}, but the event the sentence names is on {}",
                    t.norm,
                    candidates
                        .first()
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    when.join(", ")
                ),
            ));
        }
        for (s, e, reason) in flags {
            self.flag(Kind::WrongTime, s, e, reason, "time.event_day");
        }
    }

    pub(super) fn times(&mut self) {
        /// Nouns a season can name as the brand's own: "this autumn offer".
        const CAMPAIGN_SEASON_NOUNS: [&str; 16] = [
            "offer",
            "offers",
            "sale",
            "deal",
            "deals",
            "menu",
            "collection",
            "range",
            "special",
            "specials",
            "programme",
            "program",
            "schedule",
            "term",
            "timetable",
            "promotion",
        ];
        let matches = self
            .rules
            .times
            .find(&self.doc.toks, &self.doc.words, false);
        let mut seen_until = 0usize;
        for m in matches {
            if m.first < seen_until {
                continue;
            }
            seen_until = m.last + 1;
            // "you just bring warm layers": "just" of a plain verb, no time.
            if self.doc.toks[self.doc.words[m.last]].norm == "just"
                && self.doc.word_after(m.last, 1).is_some_and(|n| {
                    let n = n.norm.as_str();
                    !n.ends_with("ed")
                        && !matches!(
                            n,
                            "got"
                                | "bought"
                                | "made"
                                | "came"
                                | "took"
                                | "went"
                                | "became"
                                | "began"
                                | "had"
                                | "did"
                                | "saw"
                                | "won"
                                | "ran"
                                | "sent"
                                | "spent"
                                | "paid"
                                | "left"
                                | "brought"
                                | "found"
                                | "hit"
                                | "put"
                                | "set"
                                | "read"
                                | "rode"
                                | "flew"
                                | "drove"
                                | "swam"
                                | "wrote"
                                | "grabbed"
                                | "been"
                                | "done"
                                | "gone"
                                | "taken"
                                | "become"
                                | "begun"
                                | "won't"
                        )
                })
            {
                continue;
            }
            let head = self.doc.words[m.first];
            // "It's been a month since you ...": the person is in the clause after "since".
            // "Your pack has been with you since last spring": in the clause before "since".
            let after_since =
                m.first >= 2 && self.doc.toks[self.doc.words[m.first - 1]].norm == "since";
            let about = if self.doc.toks[self.doc.words[m.last]].norm == "since" {
                self.doc.words.get(m.last + 1).copied().unwrap_or(head)
            } else if after_since {
                self.doc.words[m.first - 2]
            } else {
                head
            };
            // "Great to see you yesterday": a phrase that can only be past is not made future
            // by "see" or "join" nearby.
            // ("yesterday's Latin Burn": the possessive too.)
            let past_only = (m.first..=m.last).any(|w| {
                let n = self.doc.toks[self.doc.words[w]].norm.as_str();
                matches!(
                    n.strip_suffix("'s").unwrap_or(n),
                    "ago" | "yesterday" | "last" | "earlier" | "since"
                )
            });
            // "Great result at Carcassonne League Night last week": a past-only phrase in a
            // clause naming one of the person's own events (by two words or more, so a word
            // that merely recurs in some event, "automation", does not count) is about them,
            // with or without "you".
            let names_own_event = past_only && self.clause_names_own_event(about);
            // "this autumn he has new cloth to show you": someone else does it.
            let other_subject = self
                .doc
                .toks
                .get(self.doc.words[m.last] + 1)
                .is_some_and(|w| {
                    matches!(
                        w.norm.as_str(),
                        "he" | "she"
                            | "they"
                            | "we"
                            | "we're"
                            | "we've"
                            | "we'll"
                            | "there"
                            | "there's"
                    )
                });
            // "If you're thinking of the pavlova again this year": a condition.
            // "If you're heading up to the coast this summer": a plan, not a record read
            // (unless the condition is itself past: "if you enjoyed it this summer").
            let conditional = !past_only
                && self.clause_has(head, &["if"])
                && (self.clause_has(head, &["thinking", "considering", "planning", "hoping"])
                    || !self.clause_in_past(head));
            // "this autumn offer": the campaign's own season.
            let campaign_season = !past_only
                && self
                    .doc
                    .word_after(m.last, 1)
                    .is_some_and(|x| CAMPAIGN_SEASON_NOUNS.contains(&x.norm.as_str()));
            // "You may have seen our Summer Package around this month": a guess, not a
            // record read ("May", the month, is no guess).
            let guessed = !past_only && {
                let (cs, ce) = self.doc.clause(head);
                self.doc.toks[cs..ce].iter().any(|t| {
                    matches!(t.norm.as_str(), "might" | "perhaps" | "maybe")
                        || (t.norm == "may" && !t.cap)
                })
            };
            // "The Lighthouse Keeper only opened its doors last week": a past time of a
            // thing the campaign names and dates (by two words or more).
            // (Past dates only, in a clause that does not speak to the reader: "Great result
            // at League Night last week" is the person's night when the campaign's is ahead.)
            let campaign_dates = if past_only
                && !other_subject
                && !self.clause_has(about, &["you", "your", "you've", "you're", "yours"])
            {
                let mut d = self.clause_campaign_dates(about);
                d.retain(|d| self.facts.now.days_since(*d) >= 0);
                d
            } else {
                Vec::new()
            };
            if !campaign_dates.is_empty() {
                let rule = &self.rules.table.times[m.payload];
                let s = self.doc.toks[head].start;
                let e = self.doc.toks[self.doc.words[m.last]].end;
                let phrase = fold(&self.doc.text[s..e]);
                let (cal, min, max, id) = (
                    rule.calendar.clone(),
                    rule.min_days,
                    rule.max_days,
                    rule.id.clone(),
                );
                let now = self.facts.now;
                let fits = campaign_dates.iter().any(|d| {
                    let age = now.days_since(*d);
                    (age >= min && age <= max && cal.as_deref() != Some("weekend"))
                        || cal
                            .as_deref()
                            .is_some_and(|c| self.calendar_ok(c, &phrase, *d))
                });
                if !fits {
                    let when: Vec<String> = campaign_dates.iter().map(|d| d.to_string()).collect();
                    self.flag(
                        Kind::WrongTime,
                        s,
                        e,
                        format!(
                            "\"{phrase}\" does not fit the campaign's date for it ({})",
                            when.join(", ")
                        ),
                        &format!("time.{id}"),
                    );
                }
                continue;
            }
            if other_subject
                || conditional
                || campaign_season
                || guessed
                || !(self.clause_about_person(about)
                    || names_own_event
                    || (past_only && self.fragment_of_personal_clause(about)))
                || (!past_only
                    && (self.future_clause(head)
                        || self.clause_has(head, &INVITE_CUES)
                        // "and this month the code saves you more": the offer's time.
                        || self.clause_has(head, &["code", "sale", "offer", "discount", "promo"])
                        // "If you'd like us to handle it again this season": a condition;
                        // "we'd like to say thank you this month": our intent.
                        || self.clause_has(head, &["you'd", "we'd", "would", "whether"])))
            {
                continue;
            }
            let rule = &self.rules.table.times[m.payload];
            // "You're sitting on 48,250 miles today": the present, not something done.
            // "One year ago today": an anniversary, judged by the years.
            let after_ago = m.first > 0 && self.doc.toks[self.doc.words[m.first - 1]].norm == "ago";
            if rule.id == "today" && (!self.clause_in_past(head) || after_ago) {
                continue;
            }
            let s = self.doc.toks[head].start;
            let e = self.doc.toks[self.doc.words[m.last]].end;
            let phrase = fold(&self.doc.text[s..e]);
            let dates = self.sentence_dates(head);
            // "Been a month since your last order" with no order at all is an implied-context
            // claim, judged there; only a dated record can make the duration wrong.
            if dates.is_empty() && about != head {
                continue;
            }
            if dates.is_empty() {
                self.flag(
                    Kind::WrongTime,
                    s,
                    e,
                    format!("\"{phrase}\" places something the person did in time, but the record has no dated fact"),
                    &format!("time.{}", rule.id),
                );
                continue;
            }
            let now = self.facts.now;
            let cal = rule.calendar.clone();
            let (min, max) = (rule.min_days, rule.max_days);
            let id = rule.id.clone();
            let ok = dates.iter().find(|(d, _)| {
                let age = now.days_since(*d);
                // ("been two months since" shares the season rule's window but names no
                // season: it is judged by its days.)
                let calendar_only = cal.as_deref() == Some("this_year")
                    || (cal.as_deref() == Some("season")
                        && phrase
                            .split_whitespace()
                            .any(|w| season_months(w).is_some()))
                    || (cal.as_deref() == Some("last_month") && phrase.contains("this"));
                let by_days = !calendar_only && age >= min && age <= max;
                // "last weekend": a weekend day, and a recent one (a Sunday three weeks back
                // is no "last weekend").
                if cal.as_deref() == Some("weekend") {
                    return by_days && self.calendar_ok("weekend", &phrase, *d);
                }
                by_days
                    || cal
                        .as_deref()
                        .is_some_and(|c| self.calendar_ok(c, &phrase, *d))
            });
            // "You came to 14 of our shows last year" for `shows_attended_2075: 14`: a count
            // the record keeps by the year the phrase names.
            // "serviced on 2 July last year": the day said, in the year the phrase names.
            let by_year = || {
                let year = match id.as_str() {
                    "last_year" => now.year() - 1,
                    "this_year" => now.year(),
                    _ => return None,
                };
                let (ss, se) = self.doc.sent_range[self.doc.toks[head].sent];
                let said: Vec<f64> = self.doc.toks[ss..se]
                    .iter()
                    .filter(|t| t.kind == TokKind::Num)
                    .filter_map(|t| parse_num(&t.norm))
                    .collect();
                let y = year.to_string();
                let counted = self.facts.list.iter().position(|f| {
                    f.personal
                        && f.key.split('_').any(|k| k == y)
                        && f.num.is_some_and(|n| said.contains(&n))
                });
                let day = |k: usize| self.doc.word_before(m.first, k);
                let dm = match (day(1), day(2)) {
                    (Some(a), Some(b)) if a.kind == TokKind::Num => {
                        crate::text::month_of(&b.norm).zip(parse_num(&a.norm))
                    }
                    (Some(a), Some(b)) if b.kind == TokKind::Num => {
                        crate::text::month_of(&a.norm).zip(parse_num(&b.norm))
                    }
                    _ => None,
                };
                let dated = dm
                    .and_then(|(mo, d)| Date::from_ymd(year, mo, d as u8))
                    .and_then(|date| {
                        self.facts
                            .list
                            .iter()
                            .position(|f| f.personal && f.date == Some(date))
                    });
                counted.or(dated)
            };
            let ok = ok.map(|&(_, fi)| fi).or_else(by_year);
            match ok {
                Some(fi) => self.use_fact(fi, s, e),
                None => {
                    let nearest = dates
                        .iter()
                        .map(|(d, _)| now.days_since(*d))
                        .min_by_key(|a| a.abs())
                        .unwrap_or(0);
                    self.flag(
                        Kind::WrongTime,
                        s,
                        e,
                        format!("\"{phrase}\" does not fit the record: the nearest matching event is {nearest} days before the send date"),
                        &format!("time.{id}"),
                    );
                }
            }
        }
        self.numeric_ago();
        self.absolute_dates();
    }

    /// "3 days ago", "two weeks ago", "six months ago" about the person.
    fn numeric_ago(&mut self) {
        let n = self.doc.words.len();
        for wi in 0..n.saturating_sub(2) {
            let t = &self.doc.toks[self.doc.words[wi]];
            let value = if t.kind == TokKind::Num {
                parse_num(&t.norm)
            } else {
                crate::text::word_number(&t.norm)
                    .filter(|_| !matches!(t.norm.as_str(), "a" | "an" | "no" | "couple"))
            };
            let Some(v) = value else { continue };
            let (Some(unit), Some(ago)) = (self.doc.word_after(wi, 1), self.doc.word_after(wi, 2))
            else {
                continue;
            };
            // "It's been 3 weeks since you bought...": the person is after "since".
            let since = ago.norm == "since"
                && (1..=3).any(|k| {
                    self.doc
                        .word_before(wi, k)
                        .is_some_and(|b| b.norm == "been")
                });
            if ago.norm != "ago" && !since {
                continue;
            }
            let (lo, hi) = match unit.norm.as_str() {
                "day" | "days" => (v - 1.0, v + 1.0),
                "week" | "weeks" => (v * 7.0 - 3.0, v * 7.0 + 4.0),
                "month" | "months" => (v * 30.44 - 12.0, v * 30.44 + 15.0),
                // Whole years, as people count them: "three years" covers 3.0 to 3.99.
                "year" | "years" => (v * 365.25 - 60.0, (v + 1.0) * 365.25),
                _ => continue,
            };
            // "more than two years since", "over a year", "nearly three years since",
            // "almost two weeks ago": the qualifier moves the range.
            let before = |k: usize| {
                self.doc
                    .word_before(wi, k)
                    .map(|b| b.norm.as_str())
                    .unwrap_or("")
            };
            let unit_days = match unit.norm.as_str() {
                "day" | "days" => 1.0,
                "week" | "weeks" => 7.0,
                "month" | "months" => 30.44,
                _ => 365.25,
            };
            let (lo, hi) = if before(1) == "over" || (before(1) == "than" && before(2) == "more") {
                (v * unit_days - 1.0, f64::INFINITY)
            } else if matches!(before(1), "nearly" | "almost") {
                ((v - 1.0) * unit_days, v * unit_days + 1.0)
            } else {
                (lo, hi)
            };
            let head = self.doc.words[wi];
            let about = if since {
                self.doc.words.get(wi + 3).copied().unwrap_or(head)
            } else {
                head
            };
            if !self.clause_about_person(about) || self.future_clause(head) {
                continue;
            }
            let (s, e) = (t.start, ago.end);
            let dates = self.sentence_dates(head);
            let now = self.facts.now;
            let hit = dates.iter().find(|(d, _)| {
                let age = now.days_since(*d) as f64;
                age >= lo && age <= hi
            });
            match hit {
                Some(&(_, fi)) => self.use_fact(fi, s, e),
                None => {
                    let text = self.doc.text[s..e].to_string();
                    let reason = if dates.is_empty() {
                        format!("\"{text}\" places something the person did in time, but the record has no dated fact")
                    } else {
                        format!("\"{text}\" does not match the dates of the events it is about")
                    };
                    // "It's been five years since you started your plan": how long the person
                    // has been with us is a tenure, a grounded fact.
                    let tenure = unit.norm.starts_with("year")
                        && self.sentence_has_any(
                            head,
                            &[
                                "joined",
                                "signed",
                                "started",
                                "member",
                                "customer",
                                "subscriber",
                                "subscribed",
                                "plan",
                                "account",
                                "us",
                            ],
                        );
                    if tenure {
                        self.flag(Kind::WrongFact, s, e, reason, "grounding.tenure");
                    } else {
                        self.flag(Kind::WrongTime, s, e, reason, "time.ago");
                    }
                }
            }
        }
    }

    /// "November 30", "30 Nov", "Friday", "tomorrow" in deadlines; "March 3" and "in March" about
    /// the person.
    fn absolute_dates(&mut self) {
        let now = self.facts.now;
        let n = self.doc.words.len();
        // Words already judged as part of an earlier one's date ("Sunday, December 6").
        let mut judged_until = 0;
        for wi in 0..n {
            if wi < judged_until {
                continue;
            }
            let ti = self.doc.words[wi];
            let t = &self.doc.toks[ti];
            // "last Sunday's Sunrise Flight": the weekday, possessive.
            let norm = match t.norm.strip_suffix("'s") {
                Some(base)
                    if WEEKDAYS.contains(&base)
                        && self
                            .doc
                            .word_before(wi, 1)
                            .is_some_and(|p| p.norm == "last") =>
                {
                    compact_str::CompactString::from(base)
                }
                _ => t.norm.clone(),
            };
            let possessive = norm != t.norm;
            let deadline_word = matches!(
                norm.as_str(),
                "tomorrow" | "tonight" | "today" | "midnight" | "weekend"
            ) || WEEKDAYS.contains(&norm.as_str());
            if !deadline_word && month_of(&norm).is_none() {
                continue;
            }
            // "a champagne toast at midnight", "9pm to midnight": a time of day, unless it
            // closes something ("until midnight", "ends at midnight"). "from this weekend
            // (March 21) through April 19": where a window starts.
            let before = |words: &[&str]| {
                (1..=2).any(|k| {
                    self.doc
                        .word_before(wi, k)
                        .is_some_and(|p| words.contains(&p.norm.as_str()))
                })
            };
            if norm == "midnight"
                && !before(&[
                    "until", "till", "by", "before", "ends", "closes", "expires", "ending",
                    "closing",
                ])
            {
                continue;
            }
            // "Wedding DJ until midnight: £620", "the key safe is there until midnight": how
            // long a service runs, unless the sentence is about an offer ending.
            if norm == "midnight"
                && before(&["until", "till"])
                && !self.sentence_has_any(
                    ti,
                    &[
                        "offer", "deal", "code", "sale", "discount", "off", "%", "ends", "valid",
                        "expires", "tonight", "today", "last",
                    ],
                )
            {
                continue;
            }
            if norm == "weekend" && before(&["from", "starting", "beginning"]) {
                continue;
            }
            // "the weekend CPC batch", "our weekend classes": a kind of course, not a deadline.
            if norm == "weekend"
                && self.doc.adjacent(wi)
                && self.doc.word_after(wi, 1).is_some_and(|x| {
                    (x.cap && x.norm.len() > 1)
                        || matches!(
                            x.norm.as_str(),
                            "batch"
                                | "batches"
                                | "class"
                                | "classes"
                                | "course"
                                | "courses"
                                | "session"
                                | "sessions"
                                | "group"
                                | "intake"
                                | "cohort"
                                | "program"
                                | "programme"
                                | "workshop"
                                | "workshops"
                                | "market"
                                | "brunch"
                                | "hours"
                                | "rate"
                                | "rates"
                                | "pass"
                                | "package"
                                | "getaway"
                                | "break"
                                | "trip"
                                | "camp"
                                | "shift"
                                | "slot"
                                | "slots"
                                | "option"
                                | "schedule"
                        )
                })
            {
                continue;
            }
            // "Monday to Thursday sessions", "Saturdays and Sundays": a range of weekdays says
            // on which days, not by when.
            if WEEKDAYS.contains(&norm.as_str()) {
                let joined = |k: isize| {
                    let (join, other) = if k > 0 {
                        (self.doc.word_after(wi, 1), self.doc.word_after(wi, 2))
                    } else {
                        (
                            wi.checked_sub(1).and_then(|_| self.doc.word_before(wi, 1)),
                            wi.checked_sub(2).and_then(|_| self.doc.word_before(wi, 2)),
                        )
                    };
                    join.is_some_and(|j| {
                        matches!(j.norm.as_str(), "to" | "through" | "thru" | "and" | "or")
                    }) && other.is_some_and(|o| WEEKDAYS.contains(&o.norm.as_str()))
                };
                let dashed = self.doc.toks.get(ti + 1).is_some_and(|d| {
                    matches!(d.norm.as_str(), "-" | "–")
                        && self
                            .doc
                            .toks
                            .get(ti + 2)
                            .is_some_and(|o| WEEKDAYS.contains(&o.norm.as_str()))
                });
                if joined(1) || joined(-1) || dashed {
                    // A range the email gives must be one the campaign gives, when the
                    // campaign gives any ("valid Monday to Thursday only").
                    if joined(1) || dashed {
                        let end = if dashed {
                            self.doc.toks.get(ti + 2).map(|o| o.norm.clone())
                        } else {
                            self.doc.word_after(wi, 2).map(|o| o.norm.clone())
                        };
                        let sets = self.campaign_day_sets();
                        let first = WEEKDAYS.iter().position(|d| *d == norm);
                        let last = end
                            .as_deref()
                            .and_then(|e| WEEKDAYS.iter().position(|d| *d == e));
                        let or = self
                            .doc
                            .word_after(wi, 1)
                            .is_some_and(|j| matches!(j.norm.as_str(), "and" | "or"));
                        // ("Weeks run Saturday to Saturday": a changeover day, not a span.)
                        if let (Some(a), Some(b), false) =
                            (first, last, sets.is_empty() || first == last)
                        {
                            // "Monday to Wednesday" inside a Monday-to-Thursday offer says
                            // less, not something else.
                            let said = if or {
                                (1 << a) | (1 << b)
                            } else {
                                day_span(a, b)
                            };
                            if !sets.iter().any(|set| said & !set == 0) {
                                let end = end.unwrap_or_default();
                                let e = self.doc.toks[ti].end.max(
                                    self.doc
                                        .word_after(wi, 2)
                                        .map_or(self.doc.toks[ti].end, |o| o.end),
                                );
                                self.flag(
                                    Kind::WrongOffer,
                                    t.start,
                                    e,
                                    format!(
                                        "says {norm} to {end}, days the campaign's offer does not give"
                                    ),
                                    "offer.days",
                                );
                            }
                        }
                    }
                    judged_until = wi + 3;
                    continue;
                }
            }
            // A deadline is stated in its own clause: "the sale ends this Sunday", "until Nov 30";
            // "the parka you viewed on Tuesday, until November 30" is two clauses.
            // "Today only", "this weekend only": a deadline without an end word.
            let only_after = matches!(norm.as_str(), "today" | "tonight" | "weekend")
                && self.doc.adjacent(wi)
                && self.doc.word_after(wi, 1).is_some_and(|x| x.norm == "only")
                && self.clause_has(
                    ti,
                    &[
                        "off", "sale", "code", "deal", "discount", "save", "%", "offer", "prices",
                    ],
                );
            // "Enrol by 15 December", "book before 18 December": an action's deadline.
            let before_date = |k: usize| {
                self.doc
                    .word_before(wi, k)
                    .is_some_and(|p| matches!(p.norm.as_str(), "by" | "before"))
            };
            let day_first = self
                .doc
                .word_before(wi, 1)
                .is_some_and(|p| p.kind == TokKind::Num || ordinal(&p.norm).is_some());
            let act_by = (before_date(1) || (day_first && before_date(2)))
                && self.clause_has(
                    ti,
                    &[
                        "book",
                        "enrol",
                        "enroll",
                        "register",
                        "order",
                        "upgrade",
                        "renew",
                        "sign",
                        "buy",
                        "reserve",
                        "apply",
                        "join",
                        "use",
                        "redeem",
                        "claim",
                        "shop",
                        "subscribe",
                        "switch",
                    ],
                );
            // ("The drive started on Monday and runs until Sunday": when it began.)
            let began = self.clause_has(
                ti,
                &["started", "began", "opened", "launched", "kicked", "went"],
            );
            // ("His cover would start on 1 August": a start put as a proposal.)
            let began = began
                || (self.clause_has(ti, &["would", "could", "might"])
                    && self.clause_has(ti, &["start", "begin", "commence"]));
            let offer = !began
                && (only_after
                    || act_by
                    || self.end_cue(ti, false)
                    || (self.end_cue(ti, true)
                        && !self.clause_has(ti, &["you", "you've", "your"])
                        && self.clause_has(ti, &["by", "before", "on", "this", "next"])));
            // Month + day, or day + month.
            let month = if t.cap || norm.len() > 3 {
                month_of(&norm)
            } else {
                None
            };
            // "Jun, 25% off menus", "Hi April,": the person's own name, said to them.
            let addressed = || {
                let r = self.facts.recipient;
                [r.first_name.as_deref(), r.last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .any(|n| crate::text::fold(n) == norm.as_str())
                    && (t.sent_start
                        || self.doc.toks.get(ti + 1).is_some_and(|n| n.norm == ",")
                        || self.doc.word_before(wi, 1).is_some_and(|p| {
                            matches!(p.norm.as_str(), "hi" | "hello" | "hey" | "dear")
                        }))
            };
            let month = month.filter(|_| !addressed());

            if norm == "may" && !t.cap {
                continue;
            }
            let mut candidates: Vec<Date> = Vec::new();
            let mut span = (t.start, t.end);
            let mut month_only = false;
            // "0% APR": an all-caps abbreviation is a month only with a day or year by it.
            if month.is_some()
                && norm.len() == 3
                && self.doc.text[t.start..t.end]
                    .chars()
                    .all(|c| c.is_uppercase())
                && !self
                    .doc
                    .word_after(wi, 1)
                    .is_some_and(|x| x.kind == TokKind::Num)
            {
                continue;
            }
            // "Hi Jun," "Thanks, June": the person's name, not a month, unless a day
            // follows it.
            if month.is_some()
                && self
                    .facts
                    .first_name
                    .iter()
                    .chain(self.facts.last_name.iter())
                    .any(|n| *n == norm)
                && !self
                    .doc
                    .word_after(wi, 1)
                    .is_some_and(|x| x.kind == TokKind::Num)
            {
                continue;
            }
            if let Some(mo) = month {
                // "Nov 10" but not "24 Nov, 10am" or "November (23".
                let timeish = |k: usize| {
                    self.doc.word_after(wi, k + 1).is_some_and(|x| {
                        matches!(x.norm.as_str(), "am" | "pm" | "a.m" | "p.m" | "h")
                    }) || self
                        .doc
                        .toks
                        .get(self.doc.words[wi + k] + 1)
                        .is_some_and(|x| x.norm == ":")
                };
                // "t/m zondag 24 april 15% korting": a percentage, not a day.
                let percent = |k: usize| {
                    self.doc
                        .words
                        .get(wi + k)
                        .and_then(|&i| self.doc.toks.get(i + 1))
                        .is_some_and(|x| x.norm == "%")
                };
                let day = (self.doc.adjacent(wi) && !timeish(1) && !percent(1))
                    .then(|| self.doc.word_after(wi, 1))
                    .flatten()
                    .and_then(|d| {
                        let v = if d.kind == TokKind::Num {
                            parse_num(&d.norm)
                        } else {
                            ordinal(&d.norm)
                        };
                        v.filter(|v| (1.0..=31.0).contains(v) && v.fract() == 0.0)
                            .map(|v| (v as u8, d.end))
                    });
                // ("Lun 15:30–19:30 · Mar–Sab": a day and a month with a separator between
                // are no date; nor "IRATA Level 1, July intake".)
                let day_before = self.doc.word_before(wi, 1).and_then(|d| {
                    let gap = self.doc.text.get(d.end..t.start).unwrap_or_default();
                    if !gap
                        .chars()
                        .all(|c| c.is_whitespace() || matches!(c, '.' | ',' | '-'))
                        || (gap.contains(',') && d.kind == TokKind::Num)
                    {
                        return None;
                    }
                    let v = if d.kind == TokKind::Num {
                        parse_num(&d.norm)
                    } else {
                        ordinal(&d.norm)
                    };
                    v.filter(|v| (1.0..=31.0).contains(v) && v.fract() == 0.0)
                        .map(|v| (v as u8, d.start))
                });
                let year = self.doc.word_after(wi, 1).and_then(|d| {
                    let y = self.doc.word_after(wi, 2)?;
                    self.doc.year_written(d.end, y).map(f64::from)
                });
                let month_year = self
                    .doc
                    .word_after(wi, 1)
                    .and_then(|y| Some((self.doc.year_written(t.end, y)?, y.end)))
                    .or_else(|| {
                        // "in February last year", "in March this year".
                        let which = self.doc.word_after(wi, 1)?;
                        let year = self.doc.word_after(wi, 2)?;
                        (year.norm == "year").then_some(()).and_then(|()| {
                            match which.norm.as_str() {
                                "last" => Some((now.year() - 1, year.end)),
                                "this" => Some((now.year(), year.end)),
                                _ => None,
                            }
                        })
                    });
                if let (None, Some((y, end))) = (day, month_year) {
                    // "November 2024": any known date in that month.
                    let all: Vec<(Date, usize)> = self.facts.personal_dates().collect();
                    let hit = all.iter().find(|(d, _)| d.year() == y && d.month() == mo);
                    let campaign_hit = self
                        .facts
                        .campaign_dates()
                        .any(|d| d.year() == y && d.month() == mo);
                    match hit {
                        Some(&(_, fi)) => self.use_fact(fi, t.start, end),
                        None if campaign_hit || (y == now.year() && mo == now.month()) => {}
                        None if self.doc.sent_personal(ti) => self.flag(
                            Kind::WrongTime,
                            t.start,
                            end,
                            "a month about the person that matches none of their dates".into(),
                            "time.month",
                        ),
                        None => {}
                    }
                    continue;
                }
                if let Some((d, end)) = day {
                    span.1 = end;
                    let years: Vec<i32> = match year {
                        Some(y) => vec![y as i32],
                        None => vec![now.year() - 1, now.year(), now.year() + 1],
                    };
                    candidates.extend(years.into_iter().filter_map(|y| Date::from_ymd(y, mo, d)));
                } else if let Some((d, start)) = day_before {
                    span.0 = start;
                    for y in [now.year() - 1, now.year(), now.year() + 1] {
                        candidates.extend(Date::from_ymd(y, mo, d));
                    }
                } else {
                    month_only = true;
                }
                if month_only {
                    // "before the end of November", "by November": a deadline, not a time
                    // the person did something.
                    let deadline = self.doc.word_before(wi, 1).is_some_and(|p| {
                        matches!(
                            p.norm.as_str(),
                            "before" | "by" | "until" | "till" | "through"
                        )
                    }) || (self.doc.word_before(wi, 1).is_some_and(|p| p.norm == "of")
                            && self.doc.word_before(wi, 2).is_some_and(|p| p.norm == "end")
                            // "by end of November", "before the end of November".
                            && [3, 4].iter().any(|&k| {
                                self.doc.word_before(wi, k).is_some_and(|p| {
                                    matches!(p.norm.as_str(), "before" | "by" | "until" | "till")
                                }) && (k == 3
                                    || self.doc.word_before(wi, 3).is_some_and(|p| p.norm == "the"))
                            }));
                    // "our March Midweek Lift Ticket": a month inside a capitalized name.
                    let in_name = self
                        .doc
                        .word_after(wi, 1)
                        .is_some_and(|x| x.cap && x.kind == TokKind::Word)
                        && self.doc.adjacent(wi);
                    // "more desk days from April?", "Ready for December?": the month of a
                    // campaign date still to come, in a clause that tells of nothing done.
                    let coming = {
                        let y = if mo >= now.month() {
                            now.year()
                        } else {
                            now.year() + 1
                        };
                        self.facts
                            .campaign_dates()
                            .any(|d| d.year() == y && d.month() == mo && d >= now)
                    };
                    // "your first three invoices (March, April and May)": months still
                    // ahead, in a clause that tells of nothing done, are plans.
                    let ahead =
                        (1..=4).contains(&((mo as i32 - now.month() as i32).rem_euclid(12)));
                    if offer
                        || deadline
                        || in_name
                        || self.someone_elses_news(ti)
                        || !self.doc.sent_personal(ti)
                        || self.future_clause(ti)
                        || ((coming || ahead) && !self.clause_in_past(ti))
                    {
                        continue;
                    }
                    let dates = self.sentence_dates(ti);
                    // "This October marked five years since you joined": an anniversary falls
                    // in the month of a date however many years back.
                    let anniversary =
                        self.clause_has(ti, &["anniversary", "years", "year", "birthday"]);
                    let hit = dates.iter().find(|(d, _)| {
                        d.month() == mo
                            && now.days_since(*d) >= 0
                            && (now.days_since(*d) <= 550 || anniversary)
                    });
                    // "the claim we settled for you in July": the sentence names the event
                    // by its type (`claim_settled`), not by a value of it.
                    // "last November" is the latest one; a month named by type alone may be
                    // further back.
                    let last = self
                        .doc
                        .word_before(wi, 1)
                        .is_some_and(|p| p.norm == "last");
                    let hit = hit
                        .copied()
                        .or_else(|| self.month_event_by_type(ti, mo, anniversary, last))
                        // "keep more of your September sunshine": a month as a word about the
                        // person's own month, in a clause that tells of nothing done, holds
                        // when any of their dates falls in it.
                        .or_else(|| {
                            (!self.clause_in_past(ti))
                                .then(|| {
                                    // (or is still to come: "your renewal in September"
                                    // for `membership_expires: 2031-09-30`).
                                    self.facts.personal_dates().find(|(d, _)| {
                                        d.month() == mo
                                            && (-400..=400).contains(&now.days_since(*d))
                                    })
                                })
                                .flatten()
                        })
                        // "the February install you're aiming for" for `target_install:
                        // February 2032`: the record says the month in words, in a value or
                        // in a key ("In February we answered 138 calls" for
                        // `calls_answered_february: 138`).
                        .or_else(|| {
                            let name = MONTHS[mo as usize - 1];
                            self.facts
                                .list
                                .iter()
                                .position(|f| {
                                    f.personal
                                        && f.date.is_none()
                                        && (f.stems.iter().any(|w| w.eq_ignore_ascii_case(name))
                                            || f.key
                                                .split(['_', '.'])
                                                .any(|k| k.eq_ignore_ascii_case(name)))
                                })
                                .map(|fi| (now, fi))
                        })
                        // "for your June wedding" for a note "for his wedding on 2074-06-08":
                        // the month of the person's date whose own text holds the noun the
                        // month qualifies, however long ago.
                        .or_else(|| {
                            let noun = self
                                .doc
                                .word_after(wi, 1)
                                .filter(|_| self.doc.adjacent(wi))?;
                            let st = stem(&noun.norm);
                            self.facts.list.iter().enumerate().find_map(|(fi, f)| {
                                (f.personal
                                    && f.date.is_some_and(|d| d.month() == mo)
                                    && self.facts.list.iter().any(|g| {
                                        g.personal && g.path == f.path && g.stems.contains(&st)
                                    }))
                                .then_some((now, fi))
                            })
                        });
                    // "apart from Saturdays in June and September": a month the campaign's
                    // own words name.
                    let campaign_month = self.facts.list.iter().any(|f| {
                        !f.personal && f.stems.iter().any(|w| w == MONTHS[mo as usize - 1])
                    });
                    // (For someone who did not consent, a month the campaign names is the
                    // campaign's.)
                    let hit =
                        hit.filter(|_| !campaign_month || self.facts.recipient.profiling_allowed());
                    // "our new A321 trainer, which opened in November": a dated thing of the
                    // campaign's (`new_facility.opened`), named in the sentence by a word of
                    // its own object.
                    let campaign_thing = hit.is_none() && {
                        let sent = self.doc.toks[ti].sent;
                        let words: Vec<String> = self
                            .doc
                            .toks
                            .iter()
                            .filter(|t| t.sent == sent && t.is_word() && t.norm.len() > 2)
                            .filter(|t| !self.rules.common.contains(t.norm.as_str()))
                            .map(|t| stem(&t.norm))
                            .collect();
                        self.facts.list.iter().any(|f| {
                            !f.personal
                                && f.date.is_some_and(|d| {
                                    d.month() == mo && (0..=550).contains(&now.days_since(d))
                                })
                                && {
                                    let parent = super::parent_path(&f.path);
                                    !parent.is_empty()
                                        && self.facts.list.iter().any(|g| {
                                            !g.personal
                                                && super::parent_path(&g.path) == parent
                                                && g.stems.iter().any(|w| words.contains(w))
                                        })
                                }
                        })
                    };
                    match hit {
                        Some((_, fi)) => self.use_fact(fi, span.0, span.1),
                        None if campaign_month || campaign_thing => {}
                        None if !dates.is_empty() => self.flag(
                            Kind::WrongTime,
                            span.0,
                            span.1,
                            format!("mentions {} about the person, but no event of theirs is in that month", MONTHS[mo as usize - 1]),
                            "time.month",
                        ),
                        None => {}
                    }
                    continue;
                }
            } else if offer
                && !(t.cap
                    && self.doc.adjacent(wi)
                    && self.doc.word_after(wi, 1).is_some_and(|x| x.cap))
            {
                // Relative deadlines (not "Midnight Repair Cream").
                let (add, rule): (Option<Vec<i64>>, &str) = match norm.as_str() {
                    // ("Thursday 1 February - a week tomorrow": eight days on.)
                    "tomorrow"
                        if self
                            .doc
                            .word_before(wi, 1)
                            .is_some_and(|p| p.norm == "week")
                            && self
                                .doc
                                .word_before(wi, 2)
                                .is_some_and(|p| matches!(p.norm.as_str(), "a" | "one")) =>
                    {
                        (Some(vec![8]), "offer.deadline")
                    }
                    "tomorrow" => (Some(vec![1]), "offer.deadline"),
                    // "Meteor rates pick up after midnight", "Meteors, midnight and a member
                    // price": midnight is a deadline only when something ends at it.
                    // ("until midnight this Sunday, 11 October": the day after it is the
                    // deadline, judged as a day.)
                    "midnight"
                        if (1..=3).any(|k| {
                            self.doc.word_after(wi, k).is_some_and(|x| {
                                WEEKDAYS.contains(&x.norm.as_str())
                                    || month_of(&x.norm).is_some()
                                    || x.norm == "tomorrow"
                            })
                        }) =>
                    {
                        (None, "")
                    }
                    "midnight"
                        if !(1..=2).any(|k| {
                            self.doc.word_before(wi, k).is_some_and(|p| {
                                matches!(
                                    p.norm.as_str(),
                                    "until" | "till" | "by" | "before" | "at" | "ends" | "closes"
                                )
                            })
                        }) =>
                    {
                        (None, "")
                    }
                    "tonight" | "today" | "midnight" => (Some(vec![0, 1]), "offer.deadline"),
                    // "$189 weekend passes", "the May bank holiday weekend, 2-5 May": a kind of
                    // ticket, or a named weekend with its own dates; only "this weekend",
                    // "until the weekend" or "over the weekend" ends something.
                    "weekend"
                        if !self.doc.word_before(wi, 1).is_some_and(|p| {
                            matches!(
                                p.norm.as_str(),
                                "this" | "the" | "until" | "till" | "by" | "before" | "over"
                            )
                        }) || self.doc.word_after(wi, 1).is_some_and(|x| {
                            x.kind == TokKind::Word
                                && (self.rules.product_nouns.contains(&stem(&x.norm))
                                    || matches!(
                                        x.norm.as_str(),
                                        "pass"
                                            | "passes"
                                            | "ticket"
                                            | "tickets"
                                            | "rate"
                                            | "rates"
                                            | "break"
                                            | "breaks"
                                            | "package"
                                            | "special"
                                    ))
                        }) =>
                    {
                        (None, "")
                    }
                    "weekend" => {
                        let cur = weekday_index(now);
                        let ahead = |day: &str| {
                            let target =
                                WEEKDAYS.iter().position(|x| *x == day).unwrap_or(0) as i64;
                            (target - cur).rem_euclid(7)
                        };
                        // Through Sunday night, or Monday's midnight.
                        let sunday = ahead("sunday");
                        (Some(vec![sunday, sunday + 1]), "offer.deadline")
                    }
                    // "meetups on Thursday evenings", "every Friday": a weekday that recurs is a
                    // schedule, not a deadline.
                    // ("any Friday, Saturday or Sunday between 11am and 8pm", "on Sunday after
                    // 19:00": days with hours are opening times; "on Wednesday last week" is
                    // past.)
                    w if WEEKDAYS.contains(&w)
                        && (self.doc.word_after(wi, 1).is_some_and(|x| {
                            matches!(
                                x.norm.as_str(),
                                "evenings" | "mornings" | "nights" | "afternoons" | "lunchtimes"
                                    // ("runs Thursday sessions", "Saturday classes".)
                                    | "sessions" | "classes" | "lessons" | "meetups"
                                    | "rides" | "runs" | "trainings" | "clinics"
                            )
                        }) || self.doc.word_before(wi, 1).is_some_and(|x| {
                            // ("a Saturday morning field trip": a kind of day; "a race and
                            // medal ceremony on the Friday": a day of a week described.)
                            matches!(
                                x.norm.as_str(),
                                "every" | "any" | "each" | "a" | "an" | "the"
                            )
                        }) || self.weekday_with_hours(wi)
                            // "three weeks from this Friday, on August 9": the day counted
                            // from, not a day something ends.
                            || self.counted_from(wi)
                            // ("your web form came through last Wednesday": past.)
                            || self.doc.word_before(wi, 1).is_some_and(|x| x.norm == "last")
                            || (self.doc.word_after(wi, 1).is_some_and(|x| x.norm == "last")
                                && self.doc.word_after(wi, 2).is_some_and(|x| {
                                    matches!(x.norm.as_str(), "week" | "month")
                                }))) =>
                    {
                        (None, "")
                    }
                    w if WEEKDAYS.contains(&w) => {
                        let target = WEEKDAYS.iter().position(|x| *x == w).unwrap_or(0) as i64;
                        // "Sunday, December 6", "Sunday the 29th": the date says which Sunday.
                        if let Some((date, end)) = self.date_after(wi, now) {
                            if weekday_index(date) != target {
                                self.flag(
                                    Kind::WrongOffer,
                                    t.start,
                                    end,
                                    format!("{date} is not a {w}"),
                                    "offer.deadline",
                                );
                                judged_until = wi + 3;
                                continue;
                            }
                            judged_until = wi + 3;
                            candidates.push(date);
                            span.1 = end;
                            (Some(Vec::new()), "offer.deadline")
                        } else {
                            let cur = weekday_index(now);
                            let ahead = (target - cur).rem_euclid(7);
                            (Some(vec![ahead, ahead + 7]), "offer.deadline")
                        }
                    }
                    _ => (None, ""),
                };
                let Some(adds) = add else { continue };
                // "Monday" in "every Monday" or outside a deadline clause is not ours to judge.
                candidates.extend(adds.iter().filter_map(|a| now.add_days(*a)));
                let _ = rule;
            } else if WEEKDAYS.contains(&norm.as_str())
                && (self.past_weekday_claim(wi)
                    // "we had to ground last Sunday's Sunrise Flight": what the day is
                    // owned by is one of the person's events, whoever else names it.
                    || (possessive
                        && self.clause_in_past(ti)
                        && self.doc.word_after(wi, 1).is_some_and(|x| {
                            !self.is_common_word(&x.norm)
                                && self
                                    .facts_for_stem(&stem(&x.norm))
                                    .iter()
                                    .any(|&f| {
                                        self.facts.list[f].personal
                                            && self.facts.list[f].event.is_some()
                                    })
                        })))
            {
                if let Some((date, end)) = self.date_after(wi, now) {
                    // "South Indian Vegetarian on Wednesday 28 April": the date says which
                    // Wednesday (a weekday that is not the date's is judged elsewhere), and
                    // the weekday which year ("Saturday 29 May" a year back).
                    judged_until = wi + 3;
                    span.1 = end;
                    let target = WEEKDAYS.iter().position(|x| *x == norm).unwrap_or(0) as i64;
                    candidates.extend(
                        [now.year() - 1, now.year(), now.year() + 1]
                            .into_iter()
                            .filter_map(|y| Date::from_ymd(y, date.month(), date.day()))
                            .filter(|d| weekday_index(*d) == target),
                    );
                    if candidates.is_empty() {
                        candidates.push(date);
                    }
                }
                // "you took Spin 45 on Monday": the last Monday, or the one before when the
                // last was only a day or two ago ("last Monday" said on a Tuesday or a
                // Wednesday may mean the week before's). Seen from a Wednesday, "last
                // Saturday" is four days back, never eleven.
                let target = WEEKDAYS.iter().position(|x| *x == norm).unwrap_or(0) as i64;
                let back = (weekday_index(now) - target).rem_euclid(7);
                let dated = !candidates.is_empty();
                candidates.extend(
                    [back, back + 7]
                        .into_iter()
                        .filter(|b| !dated && *b > 0 && (*b <= 9 || back == 0))
                        .filter_map(|b| now.add_days(-b)),
                );
            } else {
                continue;
            }
            if candidates.is_empty() {
                continue;
            }
            let campaign: Vec<Date> = self.facts.campaign_dates().collect();
            // "Your membership freeze ends on December 5": the person's own date.
            // ("Your 40-Trip Pass has six trips left and expires on Tuesday 21 September":
            // the sentence says whose date it is.)
            // "The quote is valid until Saturday 19 July" for a `quote_issued` event with
            // `valid_until`: the sentence names one of the person's events by its type.
            // ("Thanks for starting your trial on Monday. It runs for 30 days, until
            // Wednesday 27 April": a sentence that opens with "it" is about the last one's.)
            let anaphora = {
                let sent = self.doc.toks[ti].sent;
                let (ss, _) = self.doc.sent_range[sent];
                sent > 0
                    && self.doc.toks[ss..]
                        .iter()
                        .find(|t| t.is_word())
                        .is_some_and(|w| matches!(w.norm.as_str(), "it" | "this" | "that"))
            };
            let names_own_type = || {
                let mut sentence: Vec<&crate::text::Tok> = self.doc.sentence(ti).iter().collect();
                if anaphora {
                    let (ps, pe) = self.doc.sent_range[self.doc.toks[ti].sent - 1];
                    sentence.extend(&self.doc.toks[ps..pe]);
                }
                self.facts.recipient.events.iter().any(|ev| {
                    fold(&ev.kind)
                        .split(['_', ' ', '-'])
                        .filter(|p| p.len() >= 4)
                        .any(|p| {
                            let ps = stem(p);
                            sentence
                                .iter()
                                .any(|t| t.is_word() && t.norm.len() >= 4 && stem(&t.norm) == ps)
                        })
                })
            };
            // (For someone who did not consent to profiling, the campaign's own date is the
            // campaign's: "the class runs on Saturday 27 September" to one who booked it.)
            let campaigns_own = !self.facts.recipient.profiling_allowed()
                && campaign.iter().any(|d| candidates.contains(d));
            if offer
                && !campaigns_own
                && (self.sentence_has(ti, &["your", "you", "you're"]) || names_own_type())
            {
                let personal: Vec<(Date, usize)> = self.facts.personal_dates().collect();
                if let Some(&(_, fi)) = personal.iter().find(|(d, _)| candidates.contains(d)) {
                    self.use_fact(fi, span.0, span.1);
                    continue;
                }
            }
            // "We're open until 23 December" when the campaign's closure starts on the 24th:
            // the day before it, said as opening hours.
            let hours_before_closure = offer
                && self.doc.sentence(ti).windows(2).any(|w| {
                    matches!(w[0].norm.as_str(), "open" | "closed")
                        && matches!(w[1].norm.as_str(), "until" | "till" | "through")
                })
                && candidates
                    .iter()
                    .any(|c| campaign.iter().any(|d| d.days_since(*c).abs() == 1));
            // "Starts Monday, January 9, then every Monday ... through February 27" for an
            // 8-session weekly programme from January 9: the last of a weekly series that a
            // count of the campaign's runs to.
            let series_end = offer
                && self.doc.sentence(ti).iter().any(|t| {
                    matches!(t.norm.as_str(), "every" | "weekly" | "each")
                        || (t.norm.ends_with("days")
                            && WEEKDAYS.contains(&t.norm.trim_end_matches('s')))
                })
                && candidates.iter().any(|c| {
                    campaign.iter().any(|d| {
                        let gap = c.days_since(*d);
                        gap > 0
                            && gap % 7 == 0
                            && self.facts.campaign_numbers.iter().any(|n| {
                                n.fract() == 0.0
                                    && (2.0..=52.0).contains(n)
                                    && (gap / 7 + 1) as f64 == *n
                            })
                    })
                });
            // "refundable until 30 days before the farewell, so until 24 January" for a
            // farewell on 23 February: a date the stated days from one of the record's dates
            // (whether or not the sentence speaks to the person) or the campaign's.
            let offset_of_a_date = offer && self.days_from_a_date(ti, &candidates, &campaign, true);
            // "the shutdown, which we have down as running until 5 January" for
            // `christmas_shutdown: 2075-12-20 to 2076-01-05`: the person's own date, named in
            // the sentence by a word of its key.
            let own_date = offer && {
                let said: Vec<String> = self
                    .doc
                    .sentence(ti)
                    .iter()
                    .filter(|t| t.is_word() && !self.is_common_word(&t.norm))
                    .map(|t| stem(&t.norm))
                    .collect();
                let keyed = |key: &str| {
                    key.split('_')
                        .any(|k| k.len() > 3 && said.contains(&stem(k)))
                };
                self.facts.list.iter().any(|f| {
                    f.personal && f.date.is_some_and(|d| candidates.contains(&d)) && keyed(&f.key)
                }) || self.facts.recipient.attributes.iter().any(|(k, v)| {
                    // (A range's end: "2075-12-20 to 2076-01-05".)
                    keyed(k)
                        && v.as_str().is_some_and(|v| {
                            candidates
                                .iter()
                                .any(|c| v.contains(c.to_string().as_str()))
                        })
                })
            };
            if offer {
                if series_end || offset_of_a_date || own_date {
                    continue;
                }
                if campaign.is_empty() {
                    self.flag(
                        Kind::WrongOffer,
                        span.0,
                        span.1,
                        "states a deadline, but the campaign facts have no end date".into(),
                        "offer.deadline",
                    );
                } else if !candidates.iter().any(|c| campaign.contains(c)) && !hours_before_closure
                {
                    let ends: Vec<String> = campaign.iter().map(|d| d.to_string()).collect();
                    self.flag(
                        Kind::WrongOffer,
                        span.0,
                        span.1,
                        format!(
                            "states a deadline that is not the campaign's ({})",
                            ends.join(", ")
                        ),
                        "offer.deadline",
                    );
                }
                continue;
            }
            // "an express birthday cake to Richmond last Friday" when the cake went on the
            // Wednesday (Friday's was a catering order): a past day said of one event of the
            // person's, named by two words or more, must be that event's.
            if candidates.iter().all(|c| *c < now) {
                let named = self.clause_event_dates(ti);
                // "your last Saturday Mums Strength class": the kind of class, held on that
                // weekday, not the Saturday just gone.
                let kind_of_day = self
                    .doc
                    .word_before(wi, 1)
                    .is_some_and(|p| p.norm == "last")
                    && self.doc.word_before(wi, 2).is_some_and(|p| {
                        matches!(
                            p.norm.as_str(),
                            "your" | "my" | "his" | "her" | "their" | "our"
                        )
                    })
                    && WEEKDAYS
                        .iter()
                        .position(|x| *x == norm)
                        .is_some_and(|target| {
                            named.iter().any(|d| weekday_index(*d) == target as i64)
                        });
                if kind_of_day {
                    continue;
                }
                if !named.is_empty() && !candidates.iter().any(|c| named.contains(c)) {
                    let when: Vec<String> = named.iter().map(|d| d.to_string()).collect();
                    self.flag(
                        Kind::WrongTime,
                        span.0,
                        span.1,
                        format!("the event this names was on {}", when.join(", ")),
                        "time.date",
                    );
                    continue;
                }
            }
            // "the Trunk Show on Saturday 25 October": the campaign's date, said to everyone,
            // even when last year's show on the same day is in the person's record.
            if campaign.iter().any(|d| candidates.contains(d)) || candidates.contains(&now) {
                continue;
            }
            let personal: Vec<(Date, usize)> = self.facts.personal_dates().collect();
            if let Some(&(_, fi)) = personal.iter().find(|(d, _)| candidates.contains(d)) {
                self.use_fact(fi, span.0, span.1);
                continue;
            }
            // "you could begin on Monday 5 May": a day ahead inside one of the campaign's
            // windows (courses start every Monday and Thursday until 26 June) is one of its
            // days, unless the sentence ties it to one of the person's own events.
            let nearest = candidates
                .iter()
                .copied()
                .min_by_key(|c| now.days_since(*c).abs());
            if nearest.is_some_and(|d| d > now && self.in_campaign_range(&[d]))
                && !self.clause_in_past(ti)
                && !names_own_type()
            {
                continue;
            }
            // "Monday to Friday only, until Sunday 11 August, so Friday 9 August is the last
            // day you can use it": the last day that counts, a few days before the campaign's
            // end.
            if nearest.is_some_and(|d| {
                d > now && campaign.iter().any(|c| (1..=6).contains(&c.days_since(d)))
            }) && self.sentence_has(ti, &["last"])
                && !self.clause_in_past(ti)
            {
                continue;
            }
            // "Biscuit turned eight on 2 March" for `pet_1_dob: 2019-03-02`: a birthday is
            // the day and month of a birth date, in any year.
            let birthday = self.rules.table.kinds.get("birthday").and_then(|kind| {
                personal.iter().find(|(d, fi)| {
                    super::implied::matches_type(&kind.date_attributes, &self.facts.list[*fi].key)
                        && candidates
                            .iter()
                            .any(|c| c.month() == d.month() && c.day() == d.day())
                })
            });
            if let Some(&(_, fi)) = birthday {
                self.use_fact(fi, span.0, span.1);
                continue;
            }
            // "On April 20 you'll have been members for five years" for `member_since:
            // 2052-04-20`: the day and month of a sign-up, in a sentence that counts years.
            let anniversary = self
                .rules
                .table
                .kinds
                .get("anniversary")
                .filter(|_| {
                    self.sentence_has(ti, &["year", "years", "anniversary", "anniversaries"])
                })
                .and_then(|kind| {
                    personal.iter().find(|(d, fi)| {
                        super::implied::matches_type(
                            &kind.date_attributes,
                            &self.facts.list[*fi].key,
                        ) && candidates
                            .iter()
                            .any(|c| c.month() == d.month() && c.day() == d.day())
                    })
                });
            if let Some(&(_, fi)) = anniversary {
                self.use_fact(fi, span.0, span.1);
                continue;
            }
            // "given at least 14 days before arrival - for arrival on 20 December, that means
            // 6 December": a campaign date less (or plus) the days the text counts.
            if self.days_from_a_date(ti, &candidates, &campaign, false) {
                continue;
            }
            // "from week 26 (22-26 June) to week 40 (28 September-2 October)": the days of a
            // week the sentence numbers.
            if self.in_numbered_week(ti, &candidates) {
                continue;
            }
            if nearest.is_some_and(|d| self.weekly_series(ti, d) || self.monthly_series(d))
                && !self.clause_in_past(ti)
            {
                continue;
            }
            // "22 March is World Water Day": the world's calendar, not the campaign's.
            let observance = {
                let sent = self.doc.sentence(ti);
                sent.iter().enumerate().any(|(i, t)| {
                    t.cap
                        && matches!(
                            t.norm.as_str(),
                            "world" | "international" | "national" | "global" | "earth"
                        )
                        && sent[i + 1..]
                            .iter()
                            .filter(|x| x.is_word())
                            .take(4)
                            .any(|x| x.cap && matches!(x.norm.as_str(), "day" | "week"))
                })
            };
            if observance {
                continue;
            }
            // "Your hire would run from Friday 16 March": days ahead, put as a proposal.
            if candidates.iter().any(|c| *c > now)
                && self.clause_has(ti, &["would", "could", "might"])
            {
                continue;
            }
            if (possessive || self.doc.sent_personal(ti)) && !self.future_clause(ti) {
                self.flag(
                    Kind::WrongTime,
                    span.0,
                    span.1,
                    "a date about the person that matches none of their dates".into(),
                    "time.date",
                );
            } else if !self.in_campaign_range(&candidates)
                // "This Saturday, 21 July, would be a great start": a day of the coming
                // week named with its date (a date that is not the weekday's is judged
                // elsewhere) says when, not what happens.
                && !((WEEKDAYS.contains(&norm.as_str())
                    || (1..=2).any(|k| {
                        self.doc
                            .word_before(wi, k)
                            .is_some_and(|p| WEEKDAYS.contains(&p.norm.as_str()))
                    }))
                    && nearest.is_some_and(|d| d > now && d.days_since(now) <= 7))
            {
                self.flag(
                    Kind::FabricatedFact,
                    span.0,
                    span.1,
                    "a date that matches no campaign or recipient fact".into(),
                    "grounding.date",
                );
            }
        }
    }
}

/// One of the next two words is a date or a time word ("through Sunday", "thru 3/14").
fn date_next(toks: &[crate::text::Tok]) -> bool {
    toks.iter().filter(|x| x.is_word()).take(2).any(|x| {
        x.kind == TokKind::Num
            || month_of(&x.norm).is_some()
            || WEEKDAYS.contains(&x.norm.as_str())
            || matches!(
                x.norm.as_str(),
                "end" | "midnight" | "tomorrow" | "tonight" | "today"
            )
    })
}
