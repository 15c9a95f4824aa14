//! Implied context: phrases that claim knowledge of the person need a fact of the matching kind.

use candor_domain::{AttrValue, Date, Recipient};

use super::Checker;
use crate::report::Kind;
use crate::rules::KindRule;
use crate::text::{fold, stem};

/// How a recipient stands against one fact kind.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum KindStatus {
    /// Supported, by these fact paths.
    Yes(Vec<String>),
    /// A dated fact of the kind exists but its date does not fit (birthday in another month).
    OutOfWindow(String),
    No,
}

pub(crate) fn truthy(v: &AttrValue) -> bool {
    match v {
        AttrValue::Bool(b) => *b,
        AttrValue::Num(n) => *n != 0.0,
        AttrValue::Str(s) => {
            let s = s.trim().to_ascii_lowercase();
            !(s.is_empty() || s == "false" || s == "no" || s == "0" || s == "none")
        }
    }
}

/// Days between `now` and the nearest yearly anniversary of `d`.
fn anniversary_distance(d: Date, now: Date) -> i64 {
    let mut best = i64::MAX;
    for y in [now.year() - 1, now.year(), now.year() + 1] {
        let day = if d.month() == 2 && d.day() == 29 {
            28
        } else {
            d.day()
        };
        if let Some(a) = Date::from_ymd(y, d.month(), day) {
            best = best.min(now.days_since(a).abs());
        }
    }
    best
}

/// Days from `now` to the nearest yearly anniversary of `d`: negative when it has passed.
fn anniversary_offset(d: Date, now: Date) -> Option<i64> {
    let day = if d.month() == 2 && d.day() == 29 {
        28
    } else {
        d.day()
    };
    [now.year() - 1, now.year(), now.year() + 1]
        .into_iter()
        .filter_map(|y| Date::from_ymd(y, d.month(), day))
        .map(|a| a.days_since(now))
        .min_by_key(|o| o.abs())
}

/// Whether an event type is in a kind's list. An entry may be a pattern: `*attended` (ends
/// with), `race*` (starts with), `*cart*` (contains), `*` (any).
pub(crate) fn matches_type(list: &[String], kind: &str) -> bool {
    // The patterns were folded when the rules were compiled; a lowercase ASCII type (the
    // usual `purchase`, `cart_add`) needs no folding of its own.
    let folded;
    let k = if kind
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        kind
    } else {
        folded = fold(kind);
        folded.as_str()
    };
    let one = |t: &str| match (t.strip_prefix('*'), t.strip_suffix('*')) {
        _ if t == "*" => true,
        (Some(rest), _) if rest.ends_with('*') => k.contains(&rest[..rest.len() - 1]),
        (Some(rest), _) => k.ends_with(rest),
        (None, Some(head)) => k.starts_with(head),
        (None, None) => t == k,
    };
    // "!web_*": a type the list's other patterns would take, left out ("*visit*" is a
    // visit in person, not a `web_visit`).
    list.iter().any(|t| !t.starts_with('!') && one(t))
        && !list.iter().any(|t| t.strip_prefix('!').is_some_and(&one))
}

pub(crate) fn kind_status(rule: &KindRule, r: &Recipient, now: Date) -> KindStatus {
    let mut paths = Vec::new();
    let mut out_of_window = None;
    // Events.
    if !rule.events.is_empty() || !rule.event_fields.is_empty() {
        let mut hits = Vec::new();
        for (i, e) in r.events.iter().enumerate() {
            let by_field = !rule.event_fields.is_empty()
                && e.fields.keys().any(|k| matches_type(&rule.event_fields, k));
            if !by_field && !matches_type(&rule.events, &e.kind) {
                continue;
            }
            let age = now.days_since(e.at);
            if let Some(w) = rule.within_days {
                if age > w || age < -1 {
                    continue;
                }
            }
            if rule.older_than_days.is_some_and(|o| age < o) {
                continue;
            }
            hits.push(format!("events[{i}]"));
        }
        let need = rule.min_events.unwrap_or(1);
        if hits.len() >= need {
            paths.extend(hits);
        }
    }
    for (key, v) in &r.attributes {
        if matches_type(&rule.attributes, key) && truthy(v) {
            paths.push(format!("attributes.{key}"));
        }
    }
    let mut dated: Vec<(Date, String)> = Vec::new();
    for (key, v) in &r.attributes {
        if !matches_type(&rule.date_attributes, key) {
            continue;
        }
        if let AttrValue::Str(s) = v {
            let s = s.trim();
            // "11-27" or "--11-27": a day of the year with no year (birthdays).
            let month_day = || {
                let md = s.trim_start_matches("--");
                let (m, d) = md.split_once('-')?;
                if m.len() != 2 || d.len() != 2 {
                    return None;
                }
                Date::from_ymd(now.year(), m.parse().ok()?, d.parse().ok()?)
            };
            // "November" (`birthday_month`): the day of that month nearest to `now`.
            let month_only = || {
                let m = crate::text::MONTHS.iter().position(|name| {
                    s.eq_ignore_ascii_case(name)
                        || (s.len() == 3 && name[..3].eq_ignore_ascii_case(s))
                })? as u8
                    + 1;
                if m == now.month() {
                    return Some(now);
                }
                [now.year() - 1, now.year(), now.year() + 1]
                    .into_iter()
                    .flat_map(|y| [Date::from_ymd(y, m, 1), Date::from_ymd(y, m, 28)])
                    .flatten()
                    .min_by_key(|d| now.days_since(*d).abs())
            };
            if let Some(d) = Date::parse(s)
                .ok()
                .or_else(|| s.get(..10).and_then(|h| Date::parse(h).ok()))
                .or_else(month_day)
                .or_else(month_only)
            {
                dated.push((d, format!("attributes.{key}")));
            }
        }
    }
    for (i, e) in r.events.iter().enumerate() {
        if matches_type(&rule.date_events, &e.kind) {
            dated.push((e.at, format!("events[{i}].at")));
        }
    }
    for (d, path) in dated {
        if let Some(w) = rule.window_days {
            if anniversary_distance(d, now) > w {
                out_of_window = Some(path);
                continue;
            }
        }
        if let Some(w) = rule.within_days {
            if now.days_since(d) > w {
                continue;
            }
        }
        if rule.older_than_days.is_some_and(|o| now.days_since(d) < o) {
            continue;
        }
        paths.push(path);
    }
    if let Some(days) = rule.inactive_days {
        // Away from us is away in person: a web visit, an email click or a newsletter
        // signup last week does not make "we haven't seen you in a year" untrue.
        let online = |kind: &str| {
            let k = fold(kind);
            [
                "web",
                "email",
                "click",
                "view",
                "brows",
                "newsletter",
                "online",
                "search",
                "app_",
                // ("membership_reminder_sent": what we did, not the person.)
                "reminder",
                "_sent",
            ]
            .iter()
            .any(|p| k.contains(p))
        };
        if let Some(newest) = r
            .events
            .iter()
            .filter(|e| !online(&e.kind))
            .map(|e| e.at)
            .max()
        {
            if now.days_since(newest) >= days {
                paths.push("events".to_string());
            }
        }
    }
    if !paths.is_empty() {
        KindStatus::Yes(paths)
    } else if let Some(p) = out_of_window {
        KindStatus::OutOfWindow(p)
    } else {
        KindStatus::No
    }
}

impl Checker<'_> {
    /// A personal fact kept under a key that names a habit or preference and that `word`
    /// names: by the rest of the key ("venue" for `preferred_venue`) or, for a number, by
    /// its value ("four" for `usual_party_size: 4`). A number followed by a noun the key
    /// names needs no habit word in the key ("your usual 1.25x speed" for
    /// `playback_speed: 1.25`).
    fn habit_fact(&self, word: &str, noun: Option<&str>) -> Option<usize> {
        const HABIT: [&str; 7] = [
            "usual",
            "preferred",
            "favourite",
            "favorite",
            "regular",
            "typical",
            "default",
        ];
        let num = match word {
            "a" | "an" | "no" => None,
            w => w
                .trim_end_matches(['x', '×'])
                .parse::<f64>()
                .ok()
                .or_else(|| crate::text::word_number(w)),
        };
        let st = stem(word);
        let noun = noun.map(stem);
        let names = |f: &crate::facts::Fact, w: &str| f.key.split('_').any(|p| stem(p) == w);
        self.facts.list.own().iter().position(|f| {
            if !f.personal {
                return false;
            }
            let habit = f.key.split('_').next().is_some_and(|p| HABIT.contains(&p));
            match num {
                Some(n) if f.num == Some(n) => {
                    habit || noun.as_deref().is_some_and(|x| names(f, x))
                }
                Some(_) => false,
                None => habit && names(f, &st),
            }
        })
    }

    /// Words `first..=last` (word indices) are part of a capitalized name the campaign gives
    /// ("our New Member Flexi Offer"): the name of an offer, not a claim about the reader.
    /// "the price appears automatically in your cart", "add two to your basket": what the
    /// shop will do or the reader may do; "the lip oil is living in your bag": a handbag,
    /// unless the sentence is about a cart.
    pub(super) fn not_a_cart(&self, first: usize, last: usize) -> bool {
        let ti = self.doc.words[first];
        self.doc.toks[ti].norm == "in"
            && (self.clause_has(
                ti,
                &[
                    "appears",
                    "appear",
                    "shows",
                    "automatically",
                    "will",
                    "add",
                    "put",
                    "pop",
                    "drop",
                ],
            ) || (self.doc.toks[self.doc.words[last]].norm == "bag"
                && !self.sentence_has(
                    ti,
                    &[
                        "cart", "checkout", "basket", "left", "still", "waiting", "online",
                    ],
                )))
    }

    fn in_campaign_name(&self, first: usize, last: usize) -> bool {
        let (toks, words) = (&self.doc.toks, &self.doc.words);
        // "your Fit & Fizz slot", "our Meeting rooms & prices 2059 guide": the phrase's word
        // after the possessive opens a name that a fact holds, two words or more of it.
        if first < last
            && matches!(toks[words[first]].norm.as_str(), "your" | "our")
            && (first + 1..=last).all(|w| toks[words[w]].cap)
        {
            let mut want: Vec<String> = Vec::new();
            let mut w = first + 1;
            while w < words.len() && want.len() < 4 {
                want.push(stem(&toks[words[w]].norm));
                if !self.doc.adjacent(w) && !self.doc.joined_by_ampersand(w) {
                    break;
                }
                w += 1;
            }
            let need = (last - first).max(2);
            if want.len() >= need
                && self.facts.list.iter().any(|f| {
                    f.stems
                        .windows(need)
                        .any(|x| x.iter().zip(&want).all(|(a, b)| a == b))
                })
            {
                return true;
            }
        }
        if !(first..=last).all(|w| toks[words[w]].cap) {
            return false;
        }
        // A name goes on past the phrase: "New Member Flexi", not "Welcome, New Member!".
        if !self.doc.word_after(last, 1).is_some_and(|t| t.cap) {
            return false;
        }
        let want: Vec<String> = (first..=last).map(|w| stem(&toks[words[w]].norm)).collect();
        self.facts.list.iter().any(|f| {
            !f.personal
                && f.stems
                    .windows(want.len())
                    .any(|w| w.iter().zip(&want).all(|(a, b)| a == b))
        })
    }

    /// A birthday in the record (a person's or a pet's) fell within the last `days` days.
    /// A month named within four words after word `last` that is the month of the dated
    /// attribute at `path` ("January" for `attributes.birthday_month: January` or a
    /// `birthday` of 1990-01-14).
    fn names_the_records_month(&self, path: &str, last: usize) -> bool {
        let Some(value) = path
            .strip_prefix("attributes.")
            .and_then(|k| self.facts.recipient.attributes.get(k))
            .and_then(|v| v.as_str())
        else {
            return false;
        };
        let month = value
            .get(..10)
            .and_then(|h| Date::parse(h).ok())
            .map(|d| d.month() as usize)
            .or_else(|| {
                value
                    .split(|c: char| !c.is_alphabetic())
                    .find_map(|w| crate::text::month_of(&fold(w)))
                    .map(|m| m as usize)
            });
        month.is_some_and(|mo| {
            (1..=4).any(|k| {
                self.doc.word_after(last, k).is_some_and(|t| {
                    crate::text::month_of(&t.norm).is_some_and(|x| x as usize == mo)
                })
            })
        })
    }

    fn birthday_passed_within(&self, days: i64) -> bool {
        let Some(kind) = self.rules.table.kinds.get("birthday") else {
            return false;
        };
        let now = self.facts.now;
        self.facts.recipient.attributes.iter().any(|(key, v)| {
            let Some(s) = v
                .as_str()
                .filter(|_| matches_type(&kind.date_attributes, key))
            else {
                return false;
            };
            let Some(d) = s.get(..10).and_then(|h| Date::parse(h).ok()) else {
                return false;
            };
            [now.year(), now.year() - 1].into_iter().any(|y| {
                Date::from_ymd(y, d.month(), d.day())
                    .is_some_and(|a| (0..=days).contains(&now.days_since(a)))
            })
        })
    }

    /// "get $10 in store credit for each one": what the offer gives, in the campaign's own
    /// words (every content word of the phrase is in a campaign fact), after a figure or a
    /// verb of receiving, and not said to be the person's ("your", "you have", "still
    /// waiting").
    /// "the delivery fee applies unless your tier perk covers it", copied from the
    /// campaign's own terms: the words of the phrase and the two after it stand together in a
    /// campaign text, said to everyone.
    fn campaign_phrasing(&self, first: usize, last: usize) -> bool {
        let said: Vec<String> = (first..=last + 2)
            .filter_map(|w| self.doc.words.get(w))
            .filter(|&&ti| self.doc.toks[ti].sent == self.doc.toks[self.doc.words[first]].sent)
            .map(|&ti| stem(&self.doc.toks[ti].norm))
            .collect();
        if said.len() < 3 {
            return false;
        }
        // (With one word of the campaign's left out: "the Seed Club member discount" for
        // "the Seed Club 10% member discount".)
        let loose = |w: &[String]| {
            w.first() == said.first()
                && w.last() == said.last()
                && said.iter().all(|x| w.contains(x))
                && w.iter().filter(|x| !said.contains(x)).count() <= 1
        };
        self.facts.list.iter().any(|f| {
            !f.personal
                && (f.stems.windows(said.len()).any(|w| w == &said[..])
                    || f.stems.windows(said.len() + 1).any(loose))
        })
    }

    /// "The trial ends automatically" when the campaign offers a trial: no "your" in or just
    /// before the phrase, and a campaign fact holds each of its uncommon words.
    fn campaign_offers(&self, first: usize, last: usize) -> bool {
        let norm = |w: usize| self.doc.toks[self.doc.words[w]].norm.as_str();
        let second_person = |x: &str| matches!(x, "your" | "you" | "you've" | "yours" | "you're");
        // ("Your free trial of the new Adult batch": the offer, named by what it is of.)
        let offer_of = self
            .doc
            .word_after(last, 1)
            .is_some_and(|t| matches!(t.norm.as_str(), "of" | "class" | "session" | "lesson"))
            && norm(first) == "your";
        if !offer_of
            && ((first..=last).any(|w| second_person(norm(w)))
                || first.checked_sub(1).is_some_and(|p| second_person(norm(p))))
        {
            return false;
        }
        let mut named = false;
        for w in first..=last {
            if self.is_common_word(norm(w)) {
                continue;
            }
            named = true;
            let st = stem(norm(w));
            // (Or a campaign key: `"trial": "first class free"`.)
            if !self
                .facts_for_stem(&st)
                .iter()
                .any(|&f| !self.facts.list[f].personal)
                && !self.facts.list.iter().any(|f| {
                    !f.personal
                        && f.path
                            .rsplit('.')
                            .next()
                            .is_some_and(|k| k.split('_').any(|p| stem(p) == st))
                })
            {
                return false;
            }
        }
        named
    }

    fn offered(&self, first: usize, last: usize) -> bool {
        let norm = |w: usize| self.doc.toks[self.doc.words[w]].norm.as_str();
        if (first..=last).any(|w| matches!(norm(w), "your" | "you" | "you've" | "yours")) {
            return false;
        }
        let campaign_words = (first..=last).all(|w| {
            let x = norm(w);
            matches!(x, "in" | "of" | "a" | "an" | "the")
                || self
                    .facts_for_stem(&stem(x))
                    .iter()
                    .any(|&f| !self.facts.list[f].personal)
        });
        // A figure right before it ("$20 in store credit"), or a verb of receiving.
        let given = self
            .doc
            .word_before(first, 1)
            .is_some_and(|t| t.kind == crate::text::TokKind::Num)
            || self.clause_has(
                self.doc.words[first],
                &[
                    "get", "gets", "earn", "earns", "receive", "collect", "gives", "give", "add",
                    "we'll", "pay", "pays",
                ],
            );
        campaign_words
            && given
            && !self.clause_has(
                self.doc.words[first],
                &[
                    "have",
                    "you've",
                    "still",
                    "left",
                    "waiting",
                    "remaining",
                    "unused",
                ],
            )
    }

    /// An event of the person's own words (an enquiry, a message, a note) that tells of a
    /// move, a new home, a wedding or a baby; its index.
    fn wrote_of_life_event(&self) -> Option<usize> {
        const WORDS: [&str; 12] = [
            "just bought",
            "we bought",
            "i bought",
            "moved",
            "moving",
            "new home",
            "new house",
            "new flat",
            "new apartment",
            "getting married",
            "expecting",
            "engaged",
        ];
        self.facts.recipient.events.iter().position(|ev| {
            let kind = fold(&ev.kind);
            [
                "enquir", "inquir", "message", "note", "request", "contact", "form", "question",
            ]
            .iter()
            .any(|k| kind.contains(k))
                && ev.fields.values().any(|v| match v {
                    candor_domain::recipient::FieldValue::Str(t) => {
                        let t = fold(t);
                        WORDS.iter().any(|w| t.contains(w))
                    }
                    _ => false,
                })
        })
    }

    pub(super) fn implied(&mut self) {
        let all = self
            .rules
            .implied
            .find(&self.doc.toks, &self.doc.words, false);
        if all.is_empty() {
            return;
        }
        let mut matches = all.clone();
        // Longest match first; drop matches inside a longer one.
        matches.sort_by_key(|m| (m.first, std::cmp::Reverse(m.last)));
        let mut kept: Vec<crate::rules::PhraseMatch> = Vec::new();
        for m in matches {
            if kept.iter().any(|k| m.first >= k.first && m.last <= k.last) {
                continue;
            }
            kept.push(m);
        }
        for m in kept {
            // "for yourself and your spouse or partner?": one of two, a supposition.
            let alternative = self
                .doc
                .word_after(m.last, 1)
                .is_some_and(|t| t.norm == "or");
            if self.is_hedged(m.first)
                || self.in_campaign_name(m.first, m.last)
                || alternative
                || self.offered(m.first, m.last)
                || self.campaign_phrasing(m.first, m.last)
            {
                continue;
            }
            if self.rules.table.implied[m.payload].campaign_offers
                && self.campaign_offers(m.first, m.last)
            {
                continue;
            }
            // "It'd be great to have you back for a third trip", to someone with two hires:
            // a wish that they come again, which a history supports without an absence.
            if self.rules.table.implied[m.payload].id == "welcome_back"
                && !self.facts.recipient.events.is_empty()
                && (1..=4).any(|k| {
                    self.doc.word_before(m.first, k).is_some_and(|p| {
                        matches!(
                            p.norm.as_str(),
                            "would"
                                | "it'd"
                                | "we'd"
                                | "i'd"
                                | "that'd"
                                | "hope"
                                | "love"
                                | "will"
                                | "we'll"
                                | "he'll"
                                | "she'll"
                                | "they'll"
                        )
                    })
                })
            {
                continue;
            }
            // "It's been a while since 22 Brudenell Grove back in 2070", "since we set up
            // your smart speaker in January last year": the time since a dated thing of the
            // person's, which the time checks judge; not an absence.
            if self.rules.table.implied[m.payload].id == "welcome_back"
                && self
                    .facts
                    .recipient
                    .events
                    .iter()
                    .any(|e| self.facts.now.days_since(e.at) >= 90)
            {
                let since = (0..=1).find_map(|k| {
                    let w = m.last + k;
                    (self
                        .doc
                        .words
                        .get(w)
                        .is_some_and(|&t| self.doc.toks[t].norm == "since"))
                    .then_some(w)
                });
                let dated = since.is_some_and(|w| {
                    let ti = self.doc.words[w];
                    let sent = self.doc.toks[ti].sent;
                    self.doc.toks[ti..]
                        .iter()
                        .take_while(|t| t.sent == sent)
                        .any(|t| {
                            crate::text::MONTHS.contains(&t.norm.as_str())
                                || matches!(t.norm.as_str(), "year" | "years" | "ago")
                                || (t.norm.len() == 4
                                    && t.norm.bytes().all(|b| b.is_ascii_digit())
                                    && t.norm.as_str() < "2200"
                                    && t.norm.as_str() >= "1900")
                        })
                });
                if dated {
                    continue;
                }
            }
            // "Your stay includes:", "Your stay starts between 15 June and 18 August", "Just
            // quote PAKIET3 with your order": the terms of one the person may make.
            if self.rules.table.implied[m.payload].id == "last_order"
                && self.doc.toks[self.doc.words[m.first]].norm == "your"
            {
                // "For your first order, code WELCOME10 takes 10% off": the first one, to come.
                let first_to_come = (m.first..=m.last).any(|w| {
                    matches!(
                        self.doc.toks[self.doc.words[w]].norm.as_str(),
                        "first" | "next"
                    )
                }) && self.doc.word_before(m.first, 1).is_some_and(|p| {
                    matches!(p.norm.as_str(), "for" | "on" | "off" | "with" | "to")
                });
                if first_to_come {
                    continue;
                }
                let terms = self.doc.word_after(m.last, 1).is_some_and(|t| {
                    matches!(
                        t.norm.as_str(),
                        "includes"
                            | "include"
                            | "starts"
                            | "must"
                            | "needs"
                            | "should"
                            | "qualifies"
                    )
                });
                let ti = self.doc.words[m.first];
                let with_code = self.doc.word_before(m.first, 1).is_some_and(|p| {
                    matches!(p.norm.as_str(), "with" | "to" | "on" | "at" | "for")
                }) && (self.clause_has(
                    ti,
                    &[
                        "quote", "use", "enter", "mention", "add", "apply", "show", "code",
                    ],
                ) || {
                    let (cs, ce) = self.doc.clause(ti);
                    self.doc.toks[cs..ce]
                        .iter()
                        .any(|t| self.facts.codes.contains(t.norm.as_str()))
                });
                if terms || with_code {
                    continue;
                }
            }
            let id = self.rules.table.implied[m.payload].id.as_str();
            let ti = self.doc.words[m.first];
            // "the price appears automatically in your cart", "add two to your basket": what
            // the shop will do or the reader may do; "the lip oil is living in your bag": a
            // handbag, unless the sentence is about a cart.
            if id == "cart" && self.not_a_cart(m.first, m.last) {
                continue;
            }
            // "the $88.10 you saved across 2060": money saved, not saved items.
            if id == "wishlist"
                && self.doc.toks[self.doc.words[m.last]].norm == "saved"
                && self
                    .doc
                    .word_before(m.first, 1)
                    .is_some_and(|p| p.kind == crate::text::TokKind::Num)
            {
                continue;
            }
            // "Our 42 dinosaurs are ready for another season": the brand's season, said with no
            // "you" in its clause.
            if id == "returning"
                && !self.clause_has(ti, &["you", "your", "you're", "you've", "you'll", "yours"])
                && self.clause_has(ti, &["our", "we", "we're", "we've"])
            {
                continue;
            }
            // "Your referral link gets you both S$30 off": the means to refer, offered.
            if id == "referral"
                && self.doc.word_after(m.last, 1).is_some_and(|n| {
                    matches!(n.norm.as_str(), "link" | "code" | "programme" | "program")
                })
            {
                continue;
            }
            // "$15 on top of your ticket" from an attraction that sells tickets: an admission
            // ticket, not a support ticket.
            if self.rules.table.implied[m.payload].id == "support"
                && m.last == m.first + 1
                && self.doc.toks[self.doc.words[m.last]]
                    .norm
                    .starts_with("ticket")
                && !self.sentence_has(
                    self.doc.words[m.first],
                    &[
                        "support",
                        "resolved",
                        "issue",
                        "help",
                        "query",
                        "complaint",
                        "desk",
                    ],
                )
            {
                let noun = stem(&self.doc.toks[self.doc.words[m.last]].norm);
                if self
                    .facts_for_stem(&noun)
                    .iter()
                    .any(|&f| !self.facts.list[f].personal)
                {
                    continue;
                }
            }
            // "for every new member you refer", "anyone who hasn't been a member": said of
            // each of some others, not the reader.
            if self
                .doc
                .word_before(m.first, 1)
                .is_some_and(|p| matches!(p.norm.as_str(), "every" | "each" | "per"))
                || (1..=2).any(|k| {
                    self.doc
                        .word_before(m.first, k)
                        .is_some_and(|p| matches!(p.norm.as_str(), "who" | "whose"))
                })
            {
                continue;
            }
            // "RB 52, RB 57 and RE 8": a reply prefix is one with its colon ("RE: your
            // booking").
            if self.rules.table.implied[m.payload].id == "reply_prefix"
                && !self
                    .doc
                    .toks
                    .get(self.doc.words[m.last] + 1)
                    .is_some_and(|t| t.is_punct(':'))
            {
                continue;
            }
            // "As a member your ticket is J$1,500" from a campaign that sells tickets: a
            // ticket to its event, not a support ticket.
            let sentence = self.doc.sentence(self.doc.words[m.first]);
            if self.rules.table.implied[m.payload].id == "support"
                && m.last == m.first + 1
                && self.doc.toks[self.doc.words[m.last]].norm == "ticket"
                && sentence.iter().any(|t| t.kind == crate::text::TokKind::Num)
                && !sentence.iter().any(|t| {
                    matches!(
                        t.norm.as_str(),
                        "support" | "help" | "desk" | "resolved" | "issue" | "query" | "request"
                    )
                })
                && self.facts.list.iter().any(|f| {
                    !f.personal
                        && (f.path.contains("ticket") || f.stems.iter().any(|x| x == "ticket"))
                })
            {
                continue;
            }
            // "It's been a while since we've seen you": the person's absence, which the
            // lapsed rules judge, not something we watched them do.
            if self.rules.table.implied[m.payload].id == "observed_activity"
                && self
                    .doc
                    .word_before(m.first, 1)
                    .is_some_and(|p| p.norm == "since")
            {
                continue;
            }
            let unless = &self.rules.table.implied[m.payload].unless_then;
            if !unless.is_empty()
                && (1..=3).any(|k| {
                    self.doc
                        .word_after(m.last, k)
                        .is_some_and(|t| unless.iter().any(|u| u == t.norm.as_str()))
                })
            {
                continue;
            }
            // "Studied with us before?": a question asks; it claims nothing (unless it takes
            // "your" something as given).
            let asked = self
                .doc
                .toks
                .get(self.doc.words[m.last] + 1)
                .is_some_and(|t| t.norm == "?")
                && !(m.first..=m.last).any(|w| self.doc.toks[self.doc.words[w]].norm == "your");
            if asked {
                continue;
            }
            let before = &self.rules.table.implied[m.payload].unless_before;
            if !before.is_empty()
                && self
                    .doc
                    .word_before(m.first, 1)
                    .is_some_and(|t| before.iter().any(|u| u == t.norm.as_str()))
            {
                continue;
            }
            if self.rules.table.implied[m.payload].action {
                self.implied_spans
                    .push((self.doc.words[m.first], self.doc.words[m.last]));
            }
            let rule = &self.rules.table.implied[m.payload];
            // Every rule whose phrase covers exactly this span may support it.
            let mut requires: Vec<String> = Vec::new();
            for o in all
                .iter()
                .filter(|o| o.first == m.first && o.last == m.last)
            {
                requires.extend(self.rules.table.implied[o.payload].requires.iter().cloned());
            }
            let mut status = KindStatus::No;
            for k in &requires {
                let Some(kr) = self.rules.table.kinds.get(k) else {
                    continue;
                };
                match kind_status(kr, self.facts.recipient, self.facts.now) {
                    KindStatus::Yes(p) => {
                        status = KindStatus::Yes(p);
                        break;
                    }
                    KindStatus::OutOfWindow(p) => status = KindStatus::OutOfWindow(p),
                    KindStatus::No => {}
                }
            }
            // "your usual four" (shoes) for someone whose record has the same visit twice,
            // "your usual points" for `points: 240`: a habit the record shows, or a thing of
            // theirs it holds.
            let usual = m.first + 1 == m.last
                && self.facts.recipient.profiling_allowed()
                && self.doc.toks[self.doc.words[m.last]].norm == "usual"
                && ({
                    let ev = &self.facts.recipient.events;
                    ev.iter()
                        .enumerate()
                        .any(|(i, a)| ev[i + 1..].iter().any(|b| b.kind == a.kind))
                } || self.doc.word_after(m.last, 1).is_some_and(|n| {
                    let st = crate::text::stem(&n.norm);
                    st.len() >= 4
                        && self.facts.list.iter().any(|f| {
                            f.personal
                                && (f.stems.contains(&st)
                                    || crate::text::fold(&f.key)
                                        .split('_')
                                        .any(|p| crate::text::stem(p) == st))
                        })
                }));
            if usual {
                continue;
            }
            // "As a new member you'll wait 7 days", "For a new member that means JPY
            // 26,400": the terms for whoever joins, not a claim that the reader has.
            let terms_for_joiners = self.rules.table.implied[m.payload].id == "new_signup"
                && self.doc.toks[self.doc.words[m.first]].norm == "new"
                && self
                    .doc
                    .word_before(m.first, 1)
                    .is_some_and(|p| p.norm == "a")
                && self
                    .doc
                    .word_before(m.first, 2)
                    .is_some_and(|p| matches!(p.norm.as_str(), "as" | "for"))
                && self.sentence_has(
                    self.doc.words[m.first],
                    &[
                        "you'll", "will", "would", "means", "get", "gets", "pay", "pays", "wait",
                    ],
                );
            if terms_for_joiners {
                continue;
            }
            // "your new place in Waterloo" to someone whose enquiry says "We just bought a
            // 1970s house in Waterloo": what the person wrote to us tells it.
            if matches!(status, KindStatus::No) && rule.id == "life_event" {
                if let Some(ei) = self.wrote_of_life_event() {
                    status = KindStatus::Yes(vec![format!("events[{ei}]")]);
                }
            }
            if matches!(status, KindStatus::No) {
                // "Thanks for joining the Tasklane Automation Workshop": the phrase goes on
                // to name one of the person's own events, which grounds it.
                // Only for taking part ("joining", "attending", "coming"): "hope the kids
                // enjoyed Lisbon" names a trip, not the kids.
                let takes_part = (m.first..=m.last).any(|w| {
                    matches!(
                        self.doc.toks[self.doc.words[w]].norm.as_str(),
                        "joining"
                            | "joined"
                            | "attending"
                            | "attended"
                            | "coming"
                            | "came"
                            | "visiting"
                            | "visited"
                            | "taking"
                            | "took"
                            | "seeing"
                    )
                });
                // ("Thank you for coming out last Sunday to clear water hyacinth at the
                // inlet": the event's task a few words on.)
                let named = (1..=8)
                    .filter(|_| takes_part)
                    .filter_map(|k| self.doc.word_after(m.last, k))
                    .find_map(|t| self.own_event_fact(t));
                // "Thanks for coming in for your follow-up" for a `follow_up` event: the
                // event named by its type; "thank you for coming back" to someone with a history.
                let named = named.or_else(|| {
                    if !takes_part {
                        return None;
                    }
                    let back = self
                        .doc
                        .word_after(m.last, 1)
                        .is_some_and(|t| matches!(t.norm.as_str(), "back" | "again"));
                    if back && !self.facts.recipient.events.is_empty() {
                        return self
                            .facts
                            .list
                            .iter()
                            .position(|f| f.event == Some(0) && f.date.is_some());
                    }
                    let said: Vec<String> = (1..=5)
                        .filter_map(|k| self.doc.word_after(m.last, k))
                        .flat_map(|t| t.norm.split('-').map(stem).collect::<Vec<_>>())
                        .collect();
                    self.event_named_by_type(&said, 1)
                });
                // "your usual Tuesday lessons" for `lesson_day: Tuesday`: what is usual is a
                // value of the person's, named right after.
                let habitual = matches!(
                    self.doc.toks[self.doc.words[m.last]].norm.as_str(),
                    "usual" | "regular"
                );
                let named = named.or_else(|| {
                    (1..=2)
                        .filter(|_| habitual)
                        .filter_map(|k| self.doc.word_after(m.last, k))
                        .filter(|t| !self.is_common_word(&t.norm) || t.cap)
                        .find_map(|t| {
                            self.facts_for_stem(&stem(&t.norm))
                                .into_iter()
                                .find(|&f| self.facts.list[f].personal)
                        })
                });
                // "your usual venue" for `preferred_venue`, "your usual four" for
                // `usual_party_size: 4`: a habit the record keeps under a key that says so.
                let named = named.or_else(|| {
                    (1..=2).filter(|_| habitual).find_map(|k| {
                        let t = self.doc.word_after(m.last, k)?;
                        let noun = self.doc.word_after(m.last, k + 1);
                        self.habit_fact(&t.norm, noun.map(|n| n.norm.as_str()))
                    })
                });
                // "your partner" for `travels_with: partner`: a specific the record names
                // in a value.
                let named = named.or_else(|| {
                    let rule = &self.rules.table.implied[m.payload];
                    let word = &self.doc.toks[self.doc.words[m.last]].norm;
                    let by_value = rule.named_by_value && !self.is_common_word(word);
                    if rule.finding.is_none() && !by_value {
                        return None;
                    }
                    let noun = stem(word.trim_end_matches("'s"));
                    self.facts
                        .list
                        .iter()
                        .position(|f| f.personal && f.stems.contains(&noun))
                });
                if let Some(fi) = named {
                    status = KindStatus::Yes(vec![self.facts.list[fi].path.to_string()]);
                }
            }
            let id = format!("implied.{}", rule.id);
            let reason = rule.reason.clone();
            let wanted = requires.join(" or ");
            match status {
                KindStatus::Yes(paths) => {
                    if !self.facts.recipient.profiling_allowed() {
                        self.flag_words(
                            Kind::ConsentViolation,
                            m.first,
                            m.last,
                            format!("{reason}; this person did not consent to profiling"),
                            &id,
                        );
                    } else {
                        let s = self.doc.toks[self.doc.words[m.first]].start;
                        let e = self.doc.toks[self.doc.words[m.last]].end;
                        for p in paths {
                            if let Some(fi) = self.facts.list.iter().position(|f| {
                                // `p` itself or a field under it (`events[0].product`).
                                f.path
                                    .strip_prefix(p.as_str())
                                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                            }) {
                                self.use_fact(fi, s, e);
                            }
                        }
                    }
                }
                // "Happy belated birthday to Biscuit", six weeks after it.
                KindStatus::OutOfWindow(_)
                    if rule.id == "birthday"
                        && (m.first..=m.last.saturating_add(1)).any(|w| {
                            self.doc
                                .words
                                .get(w)
                                .is_some_and(|&t| self.doc.toks[t].norm == "belated")
                        })
                        && self.birthday_passed_within(92) => {}
                // "since your birthday falls in January" for `birthday_month: January`: the
                // month said is the record's, whenever it falls.
                KindStatus::OutOfWindow(p)
                    if rule.id == "birthday" && self.names_the_records_month(&p, m.last) => {}
                KindStatus::OutOfWindow(p) => self.flag_words(
                    Kind::WrongTime,
                    m.first,
                    m.last,
                    format!("{reason}, but `{p}` is not near the send date"),
                    &id,
                ),
                KindStatus::No => {
                    let kind = self.rules.table.implied[m.payload]
                        .finding
                        .as_deref()
                        .and_then(Kind::parse)
                        .unwrap_or(Kind::ImpliedContext);
                    self.flag_words(
                        kind,
                        m.first,
                        m.last,
                        format!("{reason}, but the record has no {wanted} fact"),
                        &id,
                    );
                }
            }
        }
    }

    /// "Happy belated birthday" before the day, "happy early birthday" after it.
    pub(super) fn birthday_direction(&mut self) {
        let Some(kind) = self.rules.table.kinds.get("birthday") else {
            return;
        };
        let Some(offset) = kind.date_attributes.iter().find_map(|k| {
            match self.facts.recipient.attributes.get(k) {
                Some(AttrValue::Str(s)) => Date::parse(s)
                    .ok()
                    .and_then(|d| anniversary_offset(d, self.facts.now)),
                _ => None,
            }
        }) else {
            return;
        };
        // "Your birthday is tomorrow": a day word in the birthday's sentence names the day.
        let mut day_hits = Vec::new();
        for (wi, &ti) in self.doc.words.iter().enumerate() {
            if !self.doc.toks[ti].norm.starts_with("birthday") {
                continue;
            }
            // Its own clause, and not an offer's ("happy birthday, and save 20% today").
            let (cs, ce) = self.doc.clause(ti);
            if self.clause_has(
                ti,
                &["save", "off", "shop", "order", "code", "ends", "sale"],
            ) {
                continue;
            }
            for t in &self.doc.toks[cs..ce] {
                let said = match t.norm.as_str() {
                    "today" | "tonight" => 0,
                    "tomorrow" => 1,
                    "yesterday" => -1,
                    _ => continue,
                };
                if said != offset {
                    day_hits.push((wi, t.start, t.end));
                }
            }
        }
        for (_, s, e) in day_hits {
            let when = match offset {
                0 => "today".to_string(),
                o if o > 0 => format!("in {o} days"),
                o => format!("{} days ago", -o),
            };
            self.flag(
                Kind::WrongTime,
                s,
                e,
                format!("the person's birthday is {when}"),
                "time.birthday",
            );
        }
        for wi in 0..self.doc.words.len().saturating_sub(1) {
            let t = &self.doc.toks[self.doc.words[wi]];
            let next = &self.doc.toks[self.doc.words[wi + 1]];
            if !next.norm.starts_with("birthday") || !self.doc.adjacent(wi) {
                continue;
            }
            let wrong = match t.norm.as_str() {
                "belated" | "late" => offset > 0,
                "early" | "upcoming" | "advance" => offset < 0,
                _ => false,
            };
            if wrong {
                let when = if offset > 0 {
                    format!("in {offset} days")
                } else {
                    format!("{} days ago", -offset)
                };
                self.flag_words(
                    Kind::WrongTime,
                    wi,
                    wi + 1,
                    format!("the person's birthday is {when}"),
                    "time.birthday",
                );
            }
        }
    }

    /// An invitation ("start your free trial") or a hedge ("if you've been eyeing...").
    fn is_hedged(&self, first: usize) -> bool {
        if let Some(prev) = self.doc.word_before(first, 1) {
            // ("Great to hear from you again": a reaction to what happened, not an
            // invitation.)
            let reaction = prev.norm == "to"
                && self.doc.word_before(first, 2).is_some_and(|w| {
                    matches!(
                        w.norm.as_str(),
                        "great" | "good" | "nice" | "lovely" | "wonderful" | "glad" | "happy"
                    )
                });
            if self.rules.invitation.contains(prev.norm.as_str()) && !reaction {
                return true;
            }
        }
        self.in_hedge(first) || self.in_long_if(first)
    }

    /// The phrase at `first` stands in an "if" clause of up to 14 words. (Only for implied
    /// phrases: "If the Cedar Beard Oil you ordered has earned a place" still uses the order.)
    fn in_long_if(&self, first: usize) -> bool {
        // "If a basement kitchenette or a cottage project is on your list": a longer "if"
        // clause, read back to its start (the sentence's, or a comma's).
        let toks = &self.doc.toks;
        let ti = self.doc.words[first];
        let sent = toks[ti].sent;
        let mut words = 0;
        for t in toks[..ti].iter().rev() {
            if t.sent != sent || matches!(t.norm.as_str(), "," | ";" | ":" | "—" | "–") {
                break;
            }
            if t.is_word() {
                words += 1;
                if words > 14 {
                    break;
                }
                if matches!(t.norm.as_str(), "if" | "whether") {
                    return true;
                }
            }
        }
        false
    }

    /// Inside an "if ..." clause: a supposition, not a claim.
    pub(super) fn in_hedge(&self, first: usize) -> bool {
        for k in 1..=6 {
            match self.doc.word_before(first, k) {
                Some(t) if self.rules.hedges.contains(t.norm.as_str()) => return true,
                // "25% off when there are four or more pairs in your basket": a condition of
                // the offer, said to anyone.
                Some(t)
                    if t.norm == "more"
                        && self
                            .doc
                            .word_before(first, k + 1)
                            .is_some_and(|p| p.norm == "or") =>
                {
                    return true
                }
                Some(_) => {}
                None => break,
            }
        }
        false
    }
}
