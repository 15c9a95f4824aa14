//! Numbers: counts and tenure about the person; amounts, percentages and codes in the offer.

use candor_domain::Date;

use super::Checker;
use crate::checks::implied::{kind_status, KindStatus};
use crate::report::Kind;
use crate::text::{fold, num_matches, ordinal, parse_num, stem, word_number, TokKind};

const TENURE_CUES: [&str; 14] = [
    "counting",
    "member",
    "customer",
    "anniversary",
    "joined",
    "loyal",
    "together",
    "subscriber",
    "reader",
    "guest",
    "membership",
    "community",
    "joining",
    "signed",
];
/// Words between a number and "years" that still make a tenure ("three wonderful years").
const TENURE_ADJECTIVES: [&str; 10] = [
    "great",
    "wonderful",
    "amazing",
    "fantastic",
    "happy",
    "incredible",
    "full",
    "whole",
    "good",
    "fabulous",
];
const OFFER_CUES: [&str; 14] = [
    "off", "discount", "save", "saving", "savings", "sale", "code", "coupon", "promo", "deal",
    "offer", "markdown", "reduced", "extra",
];
/// Currencies' names written beside an amount (their ISO codes are `facts::is_currency_code`).
const CURRENCY_WORDS: [&str; 6] = ["dollars", "euros", "pounds", "zl", "rand", "rials"];

/// Currency signs a written sum's terms may carry (the first five are the ones the money scan
/// reads as signs; the rest stand before amounts it finds by other means).
const SIGNS: [&str; 15] = [
    "$", "€", "£", "¥", "r", "₱", "₹", "₦", "₩", "₺", "₫", "₪", "฿", "₴", "₵",
];

impl Checker<'_> {
    /// The number a word states, and whether it is an ordinal.
    fn number_of(&self, wi: usize) -> Option<(f64, bool)> {
        let t = &self.doc.toks[self.doc.words[wi]];
        if t.kind == TokKind::Num {
            return parse_num(&t.norm).map(|n| (n, false));
        }
        if let Some(n) = ordinal(&t.norm) {
            return Some((n, true));
        }
        match t.norm.as_str() {
            "a" | "an" | "no" | "single" | "couple" => None,
            w => word_number(w).map(|n| (n, false)),
        }
    }

    fn your_before(&self, wi: usize, within: usize, words: &[&str]) -> bool {
        (1..=within).any(|k| {
            self.doc
                .word_before(wi, k)
                .is_some_and(|t| words.contains(&t.norm.as_str()))
        })
    }

    fn tenure_date(&self) -> Option<(Date, String)> {
        let kr = self.rules.table.kinds.get("tenure")?;
        match kind_status(kr, self.facts.recipient, self.facts.now) {
            KindStatus::Yes(paths) => {
                for p in paths {
                    if let Some(f) = self.facts.list.iter().find(|f| f.path == p) {
                        if let Some(d) = f.date {
                            return Some((d, p));
                        }
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// The person's numeric facts (index, value) whose key passes `key_ok`.
    fn personal_numbers(&self, key_ok: impl Fn(&str) -> bool) -> Vec<(usize, f64)> {
        self.facts
            .list
            .iter()
            .enumerate()
            .filter(|(_, f)| f.personal && key_ok(&f.key))
            .filter_map(|(i, f)| f.num.map(|v| (i, v)))
            .collect()
    }

    /// "your next $50 order": the number at word `wi` is an amount, not a count.
    fn amount_at(&self, wi: usize) -> bool {
        let ti = self.doc.words[wi];
        ti > 0 && {
            let p = &self.doc.toks[ti - 1];
            matches!(p.norm.as_str(), "$" | "€" | "£" | "¥" | "r")
                && p.end == self.doc.toks[ti].start
        }
    }

    /// "Your Spin 45 class": the number at word `wi` is part of a name, not a count.
    fn number_in_name(&self, wi: usize) -> bool {
        wi > 0 && self.doc.adjacent(wi - 1) && {
            let prev = &self.doc.toks[self.doc.words[wi - 1]];
            prev.cap && !prev.sent_start
        }
    }

    /// "28 hours on the water" when `hours_on_water` is 18, "brought 12 players" for a
    /// booking's `players: 14`: a count of a noun no count rule knows, said of the person,
    /// against the person's numeric fields named for it.
    /// Words `first..=last` stand together, as written, in a value of the person's.
    fn phrase_in_facts(&self, first: usize, last: usize) -> bool {
        let said: Vec<String> = (first..=last)
            .map(|w| stem(&self.doc.toks[self.doc.words[w]].norm))
            .collect();
        self.facts
            .list
            .iter()
            .any(|f| f.personal && f.stems.windows(said.len()).any(|w| w == &said[..]))
    }

    fn keyed_count(&mut self, wi: usize, noun_wi: usize, n: f64, is_ord: bool, noun: &str) {
        // "You're one stamp away from a free chicken", "two visits short", "three stamps to
        // go": what is left to the campaign's threshold ("10 stamps = a free plate") from the
        // person's own count (`loyalty_stamps: 9`).
        let after = |k: usize| self.doc.word_after(noun_wi, k).map(|x| x.norm.as_str());
        let to_go = matches!(after(1), Some("away" | "short" | "from"))
            || (after(1) == Some("to") && after(2) == Some("go"));
        // ("seven days from pickup", "three miles from the workshop": measures.)
        let measured = matches!(
            noun,
            "days"
                | "weeks"
                | "months"
                | "hours"
                | "minutes"
                | "miles"
                | "kilometres"
                | "kilometers"
                | "km"
                | "metres"
                | "meters"
                | "nights"
                | "years"
        );
        if to_go && !is_ord && !measured && noun.len() >= 4 {
            let st = crate::text::stem(noun);
            let keyed = self.personal_numbers(|key| {
                key.rsplit(['_', '-', ' '])
                    .next()
                    .is_some_and(|p| p.len() >= 4 && crate::text::stem(p) == st)
            });
            let ti = self.doc.words[wi];
            if !keyed.is_empty() && self.clause_has(ti, &["you", "your", "you're", "you've"]) {
                let thresholds: Vec<f64> = self
                    .facts
                    .list
                    .iter()
                    .filter(|f| !f.personal)
                    .flat_map(|f| {
                        f.stems.iter().enumerate().filter_map(|(i, w)| {
                            (*w == st && i > 0)
                                .then(|| {
                                    let x = &f.stems[i - 1];
                                    word_number(x).or_else(|| x.parse::<f64>().ok())
                                })
                                .flatten()
                        })
                    })
                    .collect();
                let (s, e) = (
                    self.doc.toks[ti].start,
                    self.doc.toks[self.doc.words[noun_wi]].end,
                );
                // (Or the count itself: "6 stamps from last month's visits".)
                let fits = keyed.iter().find(|(_, v)| {
                    num_matches(n, *v) || thresholds.iter().any(|t| num_matches(n, t - v))
                });
                match (fits, keyed.first()) {
                    (Some(&(fi, _)), _) => self.use_fact(fi, s, e),
                    (None, Some(&(fi, v))) if !thresholds.is_empty() => {
                        let path = self.facts.list[fi].path.to_string();
                        self.flag(
                            Kind::WrongFact,
                            s,
                            e,
                            format!("states {n} {noun} to go, but `{path}` says {v}"),
                            "grounding.count",
                        );
                    }
                    (None, Some(&(fi, _))) => self.use_fact(fi, s, e),
                    (None, None) => {}
                }
                return;
            }
        }
        // "With 5 days left on your pack" for `days_remaining_on_pack: 3`: what remains, by
        // a field named for the noun and for remaining (a measure too: days, hours).
        let remains = self
            .doc
            .word_after(noun_wi, 1)
            .is_some_and(|x| matches!(x.norm.as_str(), "left" | "remaining"));
        if remains && !is_ord && noun.len() >= 4 {
            let one = noun.strip_suffix('s').unwrap_or(noun);
            let keyed = self.personal_numbers(|key| {
                let mut named = false;
                let mut left = false;
                for p in key.split(['_', '-', ' ']) {
                    named |= p == noun || p == one;
                    left |= matches!(p, "remaining" | "left");
                }
                named && left
            });
            let ti = self.doc.words[wi];
            let said = self.clause_has(ti, &["your", "you've", "you", "you're"]);
            if !keyed.is_empty()
                && said
                && !self.amount_at(wi)
                && !self.clause_has(ti, &["if", "would", "could", "when"])
            {
                self.judge_keyed_count(ti, noun_wi, n, &keyed, &format!("{noun} left"));
                return;
            }
        }
        // Lengths and distances ("24 hours' notice", "every five weeks", "250 miles") are
        // measures, often of something else than the field; only counts of things here.
        let measure = matches!(
            noun,
            "days"
                | "weeks"
                | "hours"
                | "minutes"
                | "nights"
                | "miles"
                | "kilometres"
                | "kilometers"
                | "metres"
                | "meters"
                | "seconds"
                | "laps"
        );
        if is_ord || measure || noun.len() < 4 || !noun.ends_with('s') {
            return;
        }
        let ti = self.doc.words[wi];
        let (money, in_name) = (self.amount_at(wi), self.number_in_name(wi));
        let some_of = self.doc.word_before(wi, 1).is_some_and(|p| {
            matches!(
                p.norm.as_str(),
                "first" | "last" | "past" | "previous" | "next" | "up" | "to" | "of" | "per"
            )
        });
        // "one of your two tows": the whole the person's count is taken from.
        let whole = self
            .doc
            .word_before(wi, 1)
            .is_some_and(|p| p.norm == "your")
            && self.doc.word_before(wi, 2).is_some_and(|p| p.norm == "of");
        if money || in_name || some_of || whole {
            return;
        }
        // The field is named for the noun as written, as its head: `players`, `hours_on_water`
        // (not `module` for "modules", not `trailblazer_paid_nights` for "paid").
        let keyed = self.personal_numbers(|key| {
            key.split(['_', '-', ' ']).next() == Some(noun)
                || key.rsplit(['_', '-', ' ']).next() == Some(noun)
        });
        if keyed.is_empty() || self.doc.toks[self.doc.words[noun_wi]].cap {
            return;
        }
        // The campaign's own count of it ("fitted with three keys"), or a price worked for
        // that many ("four drivers pay $288"), is not the person's.
        let st = crate::text::stem(noun);
        // (The number must count the noun there: "10 stamps = a free 8-piece plate" is no
        // campaign count of eight stamps.)
        let campaign_count = self.facts.list.iter().any(|f| {
            !f.personal
                && f.stems.iter().enumerate().any(|(i, w)| {
                    *w == st
                        && f.stems[i.saturating_sub(3)..i].iter().any(|w| {
                            word_number(w)
                                .or_else(|| w.parse::<f64>().ok())
                                .is_some_and(|x| num_matches(n, x))
                        })
                })
        });
        // ("the project caught 1,843 rats" for the campaign's `rats: 1843`.)
        let campaign_keyed = self.facts.list.iter().any(|f| {
            !f.personal
                && f.num.is_some_and(|x| num_matches(n, x))
                && (f.key.split(['_', '-', ' ']).next() == Some(noun)
                    || f.key.rsplit(['_', '-', ' ']).next() == Some(noun))
        });
        // (Any money sign: "Fifty pieces of lace at ₦120,000 drop from ₦6,000,000" is a
        // worked example.)
        if campaign_count
            || campaign_keyed
            || self.clause_has(self.doc.words[wi], &["%"])
            || self.clause_has(self.doc.words[wi], &SIGNS[..4])
            || self.clause_has(self.doc.words[wi], &SIGNS[5..])
        {
            return;
        }
        // Said of the person, as a fact: a past clause or "your"/"you", and no condition or
        // hypothesis ("12 players would be $432", "if you bring 10 players"); "Eight stamps
        // on your card now".
        let on_yours_now = self
            .doc
            .word_after(noun_wi, 1)
            .is_some_and(|x| matches!(x.norm.as_str(), "on" | "in"))
            && self
                .doc
                .word_after(noun_wi, 2)
                .is_some_and(|x| x.norm == "your")
            && self.clause_has(ti, &["now", "already"]);
        let personal = self.clause_in_past(ti)
            || self.your_before(wi, 3, &["your"])
            || self.your_before(wi, 4, &["you've", "you", "you're"])
            || on_yours_now;
        // "Four modules left", "12 hours to go": what remains, not the field's total.
        let remaining = self.doc.word_after(noun_wi, 1).is_some_and(|x| {
            matches!(
                x.norm.as_str(),
                "left" | "remaining" | "to" | "away" | "more" | "short"
            )
        });
        if remaining {
            return;
        }
        let hypothetical = self.clause_has(
            ti,
            &[
                "would", "could", "if", "can", "per", "each", "up", "when", "every", "for",
            ],
        );
        if !personal || hypothetical {
            return;
        }
        self.judge_keyed_count(ti, noun_wi, n, &keyed, noun);
    }

    /// "eight Zellige stamps", "160 Still Club points": the word after the number `wi` is a
    /// programme's name (one or two capitalized words) before a plural noun that names one
    /// of the person's own fields (`zellige_stamps`, `points`); that noun's word index.
    fn past_programme_name(&self, wi: usize) -> Option<usize> {
        for k in 1..=2 {
            let name = self.doc.word_after(wi, k)?;
            if !name.cap || name.all_caps || !self.doc.adjacent(wi + k - 1) {
                return None;
            }
            let noun = self.doc.word_after(wi, k + 1)?;
            if noun.cap || noun.norm.len() < 4 || !noun.norm.ends_with('s') {
                continue;
            }
            let named = self.facts.list.own().iter().any(|f| {
                f.personal
                    && f.event.is_none()
                    && f.num.is_some()
                    && f.key.rsplit('_').next() == Some(noun.norm.as_str())
            });
            return named.then_some(wi + k + 1);
        }
        None
    }

    /// The count `n` said from token `ti` to word `noun_wi` ("5 days left") against the
    /// person's fields that name it: one that agrees is used, else it is a wrong fact.
    fn judge_keyed_count(
        &mut self,
        ti: usize,
        noun_wi: usize,
        n: f64,
        keyed: &[(usize, f64)],
        what: &str,
    ) {
        let (s, e) = (
            self.doc.toks[ti].start,
            self.doc.toks[self.doc.words[noun_wi]].end,
        );
        if let Some(&(fi, _)) = keyed.iter().find(|(_, v)| num_matches(n, *v)) {
            self.use_fact(fi, s, e);
            return;
        }
        let Some(&(fi, v)) = keyed.first() else {
            return;
        };
        let path = self.facts.list[fi].path.to_string();
        self.flag(
            Kind::WrongFact,
            s,
            e,
            format!("states {n} {what}, but `{path}` says {v}"),
            "grounding.count",
        );
    }

    pub(super) fn counts_and_tenure(&mut self) {
        for wi in 0..self.doc.words.len() {
            let t = &self.doc.toks[self.doc.words[wi]];
            // "3-year", "five-year" written as one token.
            let hyphen_years = t
                .norm
                .strip_suffix("-year")
                .or_else(|| t.norm.strip_suffix("-years"))
                .and_then(|p| parse_num(p).or_else(|| word_number(p)));
            let (n, is_ord, noun_wi) = if let Some(n) = hyphen_years {
                (n, false, wi)
            } else {
                let num = self.number_of(wi).or_else(|| {
                    // "a year", "one year" with a tenure cue.
                    matches!(t.norm.as_str(), "a" | "an")
                        .then(|| self.doc.word_after(wi, 1))
                        .flatten()
                        .filter(|x| x.norm == "year")
                        .map(|_| (1.0, false))
                });
                let Some((n, o)) = num else { continue };
                // "5-year anniversary": a hyphen between the number and the unit.
                let hyphened = |unit: &[&str]| {
                    let ti = self.doc.words[wi];
                    self.doc.toks.get(ti + 1).is_some_and(|h| h.norm == "-")
                        && self.doc.words.get(wi + 1) == Some(&(ti + 2))
                        && self
                            .doc
                            .word_after(wi, 1)
                            .is_some_and(|x| unit.contains(&x.norm.as_str()))
                };
                let hyphen_unit = hyphened(&["year", "years", "month", "months"]);
                // "a 112-day streak": the count is of the noun after the unit.
                let day_unit = hyphened(&["day", "week"])
                    && self.doc.adjacent(wi + 1)
                    && self
                        .doc
                        .word_after(wi, 2)
                        .is_some_and(|x| self.rules.count_nouns.contains_key(x.norm.as_str()));
                if !self.doc.adjacent(wi) && !hyphen_unit && !day_unit {
                    continue;
                }
                // "five great years with us": one warm word between the number and the years.
                let warm = self
                    .doc
                    .word_after(wi, 1)
                    .is_some_and(|x| TENURE_ADJECTIVES.contains(&x.norm.as_str()))
                    && self.doc.adjacent(wi + 1)
                    && self.doc.word_after(wi, 2).is_some_and(|x| {
                        matches!(x.norm.as_str(), "year" | "years" | "month" | "months")
                    });
                let noun_wi = if warm || day_unit {
                    wi + 2
                } else {
                    self.past_programme_name(wi).unwrap_or(wi + 1)
                };
                (n, o, noun_wi)
            };
            let noun = if noun_wi == wi {
                "years".to_string()
            } else {
                match self.doc.word_after(wi, noun_wi - wi) {
                    Some(x) => x.norm.to_string(),
                    None => continue,
                }
            };
            if matches!(noun.as_str(), "year" | "years" | "month" | "months") {
                // "your first month is on us", "50% off the first year": an offer's term,
                // not how long the person has been with us.
                if is_ord && self.sentence_has_offer_cue(wi) {
                    continue;
                }
                // "$7.99 a month for your first six months": the length of the offer, which
                // must be the campaign's.
                let term = self.doc.word_before(wi, 1).is_some_and(|p| {
                    matches!(
                        p.norm.as_str(),
                        "first" | "next" | "initial" | "introductory"
                    )
                }) && (self.sentence_has_offer_cue(wi)
                    || self.sentence_has(self.doc.words[wi], &["$", "£", "€"]));
                if term {
                    // A figure, or the words of a campaign text ("first three months free
                    // when you join").
                    let unit = if noun.starts_with("month") {
                        "month"
                    } else {
                        "year"
                    };
                    let stated = self.facts.list.iter().any(|f| {
                        !f.personal
                            && (f.num.is_some_and(|x| num_matches(n, x))
                                || (f.stems.iter().any(|w| w == unit)
                                    && f.stems.iter().any(|w| {
                                        crate::text::word_number(w)
                                            .or_else(|| w.parse::<f64>().ok())
                                            .is_some_and(|x| num_matches(n, x))
                                    })))
                    });
                    if !stated {
                        let (s, e) = (t.start, self.doc.toks[self.doc.words[noun_wi]].end);
                        self.flag(
                            Kind::WrongOffer,
                            s,
                            e,
                            format!(
                                "states an offer lasting {n} {noun}, which no campaign fact says"
                            ),
                            "offer.term",
                        );
                    }
                    continue;
                }
                // "we recommend one every two years": a frequency, not a tenure; so is "two
                // guest passes a year", "40 rounds a year", "twice a year".
                let frequency = self.doc.word_before(wi, 1).is_some_and(|p| {
                    matches!(
                        p.norm.as_str(),
                        "every" | "each" | "per" | "within" | "once" | "twice" | "times"
                    ) || (matches!(t.norm.as_str(), "a" | "an")
                        && p.norm.len() > 3
                        && p.norm.ends_with('s')
                        && !p.norm.ends_with("ss")
                        && !matches!(p.norm.as_str(), "this" | "was" | "has" | "its" | "yours"))
                });
                // "your new 12-month membership would start": the length of what is sold.
                let fresh = self
                    .doc
                    .word_before(wi, 1)
                    .is_some_and(|p| matches!(p.norm.as_str(), "new" | "another" | "fresh"));
                if !frequency && !fresh {
                    self.tenure_claim(wi, noun_wi, n, noun.starts_with("month"));
                }
                continue;
            }
            // "it earns you six Moth Card stamps", "would earn you 110 points": what an
            // action will add, not what the person has.
            let earning = (1..=2).any(|k| {
                self.doc.word_before(wi, k).is_some_and(|p| {
                    matches!(
                        p.norm.as_str(),
                        "earn" | "earns" | "earning" | "collect" | "collects" | "bonus" | "extra"
                    )
                })
            });
            if earning {
                continue;
            }
            // "With 3 days left on your 10-day pack" for `current_package: 10-day pack`: the
            // name of a thing a fact holds, not a count of packs.
            if noun_wi > wi && self.phrase_in_facts(wi, noun_wi) {
                continue;
            }
            let Some(&ci) = self.rules.count_nouns.get(noun.as_str()) else {
                self.keyed_count(wi, noun_wi, n, is_ord, &noun);
                continue;
            };
            if self.amount_at(wi) || self.number_in_name(wi) {
                continue;
            }
            // "since your first visit in 2021", "from your first trip": a point in time the
            // ordinal names, not how many there were ("it pays for itself by your 12th visit":
            // one still to come).
            if is_ord
                && (1..=3).any(|k| {
                    self.doc.word_before(wi, k).is_some_and(|p| {
                        matches!(
                            p.norm.as_str(),
                            "since" | "from" | "after" | "before" | "until" | "till" | "by"
                        )
                    })
                })
            {
                continue;
            }
            // "Your very first order with us, back in September 2025, was...": the first of
            // them, dated (the time checks judge the date), not a claim that there was one.
            if is_ord
                && n == 1.0
                && (self.sentence_has(self.doc.words[wi], &["back", "ago"])
                    || self.sentence_has(self.doc.words[wi], &super::time::MONTHS))
            {
                continue;
            }
            // "Your first lesson also comes with a free set of strings": the first of what is
            // on offer, not a count so far; "If you haven't placed a first order yet": a
            // condition.
            // ("Thanks for your first order with us!" is a count all the same.)
            let ti_w = self.doc.words[wi];
            if (is_ord
                && n == 1.0
                && !self.clause_in_past(ti_w)
                && !self.clause_has(ti_w, &["thanks", "thank", "congrats", "congratulations"]))
                || self.in_hedge(wi)
            {
                continue;
            }
            // "your first two visits": some of them, not how many there were.
            if self.doc.word_before(wi, 1).is_some_and(|p| {
                matches!(
                    p.norm.as_str(),
                    "first" | "last" | "past" | "previous" | "next"
                )
            }) {
                continue;
            }
            // "you're 80 points from $20 off", "two visits short of a free one": the distance
            // to a reward, not the count.
            // (Judged against the campaign's threshold, where it gives one.)
            if self
                .doc
                .word_after(noun_wi, 1)
                .is_some_and(|x| matches!(x.norm.as_str(), "from" | "away" | "short" | "more"))
            {
                self.keyed_count(wi, noun_wi, n, is_ord, &noun);
                continue;
            }
            let rule = self.rules.table.counts[ci].clone();
            // "Book your three sessions by 28 February": what the offer gives, to be used,
            // not a count of the person's so far.
            let invited = (1..=3).any(|k| {
                self.doc
                    .word_before(wi, k)
                    .is_some_and(|y| y.norm == "your")
                    && self
                        .doc
                        .word_before(wi, k + 1)
                        .is_some_and(|v| self.rules.invitation.contains(v.norm.as_str()))
            });
            if invited {
                continue;
            }
            let personal = if rule.only_with_your {
                self.your_before(wi, 3, &["your"])
            } else if rule.only_with_you {
                // "You can grab 3 bags for the price of 2" is an offer, not a past order.
                self.clause_has(self.doc.words[wi], &["you", "you've", "your"])
                    && !self.clause_has(
                        self.doc.words[wi],
                        &[
                            "can", "could", "grab", "get", "buy", "price", "free", "when", "if",
                            "add", "upgrade", "save",
                        ],
                    )
            } else {
                self.your_before(wi, 3, &["your"])
                    || self.your_before(wi, 4, &["you've", "you", "you're"])
            };
            // "Five orders with Little Sprout", "three bookings with us": counted with the
            // brand, so the reader's own.
            let with_us = self
                .doc
                .word_after(noun_wi, 1)
                .is_some_and(|x| x.norm == "with")
                && self.doc.word_after(noun_wi, 2).is_some_and(|x| {
                    x.norm == "us"
                        || self
                            .facts_for_stem(&crate::text::stem(&x.norm))
                            .iter()
                            .any(|&f| {
                                let f = &self.facts.list[f];
                                !f.personal
                                    && matches!(f.key.as_str(), "brand" | "company" | "program")
                            })
                });
            if !personal && !with_us {
                continue;
            }
            // "the pass gives you ten visits for £45" for `includes: 10 table-fee visits`: the
            // campaign's count of the thing it sells.
            // ("unlimited 2nd-class travel": an ordinal and its noun the campaign writes.)
            let noun_stem = crate::text::stem(&noun);
            let campaign_count = self.facts.list.iter().any(|f| {
                let parts = || f.stems.iter().flat_map(|w| w.split('-'));
                !f.personal
                    && parts().any(|w| w == noun_stem || stem(w) == noun_stem)
                    && parts().any(|w| {
                        // ("up to 2,000 orders a month": a figure with its thousands grouped.)
                        crate::text::word_number(w)
                            .or_else(|| parse_num(w))
                            .or_else(|| {
                                w.strip_suffix("st")
                                    .or_else(|| w.strip_suffix("nd"))
                                    .or_else(|| w.strip_suffix("rd"))
                                    .or_else(|| w.strip_suffix("th"))
                                    .and_then(|d| d.parse::<f64>().ok())
                            })
                            .is_some_and(|x| num_matches(n, x))
                    })
            });
            // "the project caught 1,843 rats" for the campaign's `rats: 1843`: a campaign
            // figure under a key named for the noun.
            let campaign_keyed = || {
                self.facts.list.iter().any(|f| {
                    !f.personal
                        && f.num.is_some_and(|x| num_matches(n, x))
                        && f.key
                            .rsplit(['_', '-', ' '])
                            .next()
                            .is_some_and(|p| p.len() >= 3 && stem(p) == noun_stem)
                })
            };
            if (campaign_count || campaign_keyed()) && !self.your_before(wi, 3, &["your"]) {
                continue;
            }
            let mut values = Vec::new();
            for key in &rule.attributes {
                if let Some(v) = self
                    .facts
                    .recipient
                    .attributes
                    .get(key)
                    .and_then(|v| v.as_f64())
                {
                    values.push((v, format!("attributes.{key}")));
                }
            }
            let count = self
                .facts
                .recipient
                .events
                .iter()
                .filter(|e| super::implied::matches_type(&rule.events, &e.kind))
                .count();
            // A numeric attribute whose key names the noun ("classes_remaining: 2",
            // "total_bookings").
            let noun_stems: Vec<String> = rule.nouns.iter().map(|n| stem(n)).collect();
            let names_noun = |key: &str| {
                fold(key)
                    .split('_')
                    .any(|p| p.len() > 2 && noun_stems.contains(&stem(p)))
            };
            for (key, v) in &self.facts.recipient.attributes {
                if rule.attributes.contains(key) {
                    continue;
                }
                if let (true, Some(x)) = (names_noun(key), v.as_f64()) {
                    values.push((x, format!("attributes.{key}")));
                }
            }
            for (ei, ev) in self.facts.recipient.events.iter().enumerate() {
                for fname in &rule.fields {
                    if let Some(v) = ev.field(fname).and_then(|v| v.as_f64()) {
                        values.push((v, format!("events[{ei}].{fname}")));
                    }
                }
                // An event's own count of the noun ("seats": 2 on a booking), or a count
                // its text states (`milestone: "140 classes"`).
                for (fname, v) in &ev.fields {
                    if rule.fields.contains(fname) {
                        continue;
                    }
                    if let candor_domain::recipient::FieldValue::Str(text) = v {
                        let folded = fold(text);
                        let words: Vec<&str> = folded.split_whitespace().collect();
                        for pair in words.windows(2) {
                            if let Some(x) = parse_num(pair[0]) {
                                if noun_stems.contains(&stem(pair[1])) {
                                    values.push((x, format!("events[{ei}].{fname}")));
                                }
                            }
                        }
                    }
                    if let (true, Some(x)) = (names_noun(fname), v.as_f64()) {
                        values.push((x, format!("events[{ei}].{fname}")));
                    }
                }
            }
            if values.is_empty() && count > 0 {
                values.push((count as f64, "events".to_string()));
            }
            // "booking your first visit" for a booking's `first_visit: true`: a flag the record
            // sets on the first of the noun.
            if is_ord && n == 1.0 {
                let first_flag = |key: &str, v: &str| {
                    let k = fold(key);
                    let parts: Vec<&str> = k.split(['_', '-', ' ']).collect();
                    v == "true"
                        && parts.contains(&"first")
                        && parts
                            .iter()
                            .any(|p| p.len() > 2 && noun_stems.contains(&stem(p)))
                };
                let flagged = self
                    .facts
                    .recipient
                    .attributes
                    .iter()
                    .find(|(k, v)| first_flag(k, &v.to_text()))
                    .map(|(k, _)| format!("attributes.{k}"))
                    .or_else(|| {
                        self.facts
                            .recipient
                            .events
                            .iter()
                            .enumerate()
                            .find_map(|(ei, ev)| {
                                ev.fields
                                    .iter()
                                    .find(|(k, v)| first_flag(k, &v.to_text()))
                                    .map(|(k, _)| format!("events[{ei}].{k}"))
                            })
                    });
                if let Some(path) = flagged {
                    values.push((1.0, path));
                }
            }
            if values.is_empty() && rule.attributes.is_empty() && rule.events.is_empty() {
                // Nothing in the record can say how many; only a contradiction is checkable.
                continue;
            }
            // "coming in with two guests" for a party of three: the person and their guests.
            let companions =
                self.doc.word_before(wi, 1).is_some_and(|p| {
                    matches!(p.norm.as_str(), "with" | "plus" | "brought" | "bringing")
                }) && matches!(noun.as_str(), "guests" | "guest" | "friends" | "others");
            let ok = |v: f64| {
                if companions {
                    return num_matches(n + 1.0, v);
                }
                num_matches(n, v) || (is_ord && num_matches(n, v + 1.0))
            };
            let s = t.start;
            let e = self.doc.toks[self.doc.words[noun_wi]].end;
            if values.is_empty() {
                self.flag(
                    Kind::FabricatedFact,
                    s,
                    e,
                    format!("states a count of {noun} the record does not have"),
                    "grounding.count",
                );
            } else if let Some((_, path)) = values.iter().find(|(v, _)| ok(*v)) {
                if let Some(fi) = self.facts.list.iter().position(|f| f.path == path) {
                    self.use_fact(fi, s, e);
                }
            } else {
                let (v, path) = &values[0];
                self.flag(
                    Kind::WrongFact,
                    s,
                    e,
                    format!("states {n} {noun}, but `{path}` says {v}"),
                    "grounding.count",
                );
            }
        }
        self.since_year();
    }

    /// The first and last tokens of the text at `s..e`.
    fn token_span(&self, s: usize, e: usize) -> Option<(usize, usize)> {
        let toks = &self.doc.toks;
        let first = toks.iter().position(|t| t.start >= s)?;
        let last = toks.iter().rposition(|t| t.end <= e)?;
        Some((first, last))
    }

    /// Whether the amount at `s..e` is stated as a spend threshold: "spend £60 or more",
    /// "orders over $75", "a $50 minimum", "£45+".
    fn states_threshold(&self, s: usize, e: usize) -> bool {
        let toks = &self.doc.toks;
        let Some((first, last)) = self.token_span(s, e) else {
            return false;
        };
        // "cats aged 8 and over: €55": punctuation between ends the cue's reach.
        let window = &toks[first.saturating_sub(3)..first];
        let from = window
            .iter()
            .rposition(|t| {
                t.kind == TokKind::Punct && !matches!(t.norm.as_str(), "$" | "€" | "£" | "¥")
            })
            .map_or(0, |p| p + 1);
        let before: Vec<&str> = window[from..].iter().map(|t| t.norm.as_str()).collect();
        // ("799 PLN or more": past the currency's code.)
        let last = if toks
            .get(last + 1)
            .is_some_and(|c| crate::facts::is_currency_code(c) && c.start > toks[last].end)
        {
            last + 1
        } else {
            last
        };
        let after: Vec<&str> = toks[last + 1..(last + 4).min(toks.len())]
            .iter()
            .map(|t| t.norm.as_str())
            .collect();
        // ("aged 11 or over is £560": "over" ends another phrase; it must stand right
        // before the amount.)
        let cue_before = before
            .iter()
            .any(|w| matches!(*w, "spend" | "spending" | "minimum" | "min"))
            || before
                .last()
                .is_some_and(|w| matches!(*w, "over" | "above" | "least" | "exceeding"))
            || before.ends_with(&["of"])
                && before.iter().any(|w| {
                    matches!(*w, "order" | "orders" | "purchase" | "purchases" | "basket")
                });
        let cue_after = after.starts_with(&["or", "more"])
            || after.starts_with(&["or", "over"])
            // ("$239++": Singapore's price before service charge and GST, no threshold.)
            || (after.starts_with(&["+"])
                && !after.starts_with(&["+", "+"])
                && toks[last + 1].start == toks[last].end)
            || after.starts_with(&["minimum"])
            || after.starts_with(&["and", "up"]);
        cue_before || cue_after
    }

    /// "another $16", "$16 more", "$16 away from": an amount that is what is left to reach
    /// something.
    fn states_remainder(&self, s: usize, e: usize) -> bool {
        let toks = &self.doc.toks;
        let Some((first, last)) = self.token_span(s, e) else {
            return false;
        };
        let before = first
            .checked_sub(1)
            .map(|p| toks[p].norm.as_str())
            .unwrap_or("");
        let after = toks.get(last + 1).map(|t| t.norm.as_str()).unwrap_or("");
        matches!(before, "another" | "extra" | "further")
            || matches!(after, "more" | "away" | "short")
    }

    /// Whether `v` is one figure of the record, the campaign or the email less another
    /// ("200 points" less the 184 the person holds).
    fn is_difference(&self, v: f64) -> bool {
        let mut nums: Vec<f64> = self.facts.list.iter().filter_map(|f| f.num).collect();
        nums.extend(
            self.doc
                .toks
                .iter()
                .filter(|t| t.kind == TokKind::Num)
                .filter_map(|t| parse_num(&t.norm)),
        );
        nums.iter()
            .any(|a| nums.iter().any(|b| a > b && (a - b - v).abs() < 0.005))
    }

    /// "any order over $999", "every order of £60 or more": the phrase goes on to state the
    /// threshold, so it does not drop it.
    fn threshold_after(&self, last: usize) -> bool {
        self.doc.word_after(last, 1).is_some_and(|x| {
            matches!(
                x.norm.as_str(),
                "over" | "above" | "of" | "from" | "exceeding" | "totaling" | "totalling"
            )
        })
    }

    /// Whether the sentence of word `wi` talks about an offer ("off", "free", "on us", ...).
    fn sentence_has_offer_cue(&self, wi: usize) -> bool {
        let sent = self.doc.toks[self.doc.words[wi]].sent;
        let words: Vec<&str> = self
            .doc
            .words
            .iter()
            .map(|&ti| &self.doc.toks[ti])
            .filter(|t| t.sent == sent)
            .map(|t| t.norm.as_str())
            .collect();
        words
            .iter()
            .any(|w| OFFER_CUES.contains(w) || matches!(*w, "free" | "%" | "trial"))
            || words.windows(2).any(|p| p == ["on", "us"])
            || self.doc.text[self.doc.toks[self.doc.words[wi]].start..]
                .split(['.', '!', '?'])
                .next()
                .is_some_and(|rest| rest.contains('%'))
    }

    fn tenure_claim(&mut self, wi: usize, noun_wi: usize, n: f64, months: bool) {
        let head = self.doc.words[wi];
        let sent = self.doc.toks[head].sent;
        let sent_words: Vec<&str> = self
            .doc
            .words
            .iter()
            .map(|&ti| &self.doc.toks[ti])
            .filter(|t| t.sent == sent)
            .map(|t| t.norm.as_str())
            .collect();
        // "with Northpeak": the brand's first word.
        let brand = self
            .facts
            .list
            .iter()
            .find(|f| !f.personal && f.path == "context.brand")
            .and_then(|f| f.stems.first().cloned());
        let cue = sent_words.iter().any(|w| TENURE_CUES.contains(w))
            || sent_words.windows(2).any(|p| {
                p == ["with", "us"]
                    || p == ["shopping", "with"]
                    || p == ["been", "with"]
                    || (p[0] == "with"
                        && brand
                            .as_deref()
                            .is_some_and(|b| crate::text::stem(p[1]) == b))
            });
        // "six months since your oil change", "two years ago": time since an event, which
        // the time checks judge; not how long the person has been a customer.
        // ("she's 20 months old": an age, not a time with us.)
        let since_event = self
            .doc
            .word_after(noun_wi, 1)
            .is_some_and(|t| matches!(t.norm.as_str(), "since" | "ago" | "after" | "from" | "old"));
        // "who haven't rented with us in the last six months": a window looked back over,
        // not how long anyone has been with us.
        let window = self
            .doc
            .word_before(wi, 1)
            .is_some_and(|t| matches!(t.norm.as_str(), "last" | "past" | "previous"));
        // "once they've been riding with us for two months": the friend's tenure.
        let theirs = self.clause_has(head, &["they", "they've", "they're", "their", "them"]);
        // "R150 a year instead of R450": a price per year.
        let rate = self
            .doc
            .word_before(wi, 1)
            .is_some_and(|t| t.kind == TokKind::Num)
            && matches!(self.doc.toks[head].norm.as_str(), "a" | "an" | "per");
        if !cue || since_event || window || theirs || rate || !self.doc.sent_personal(head) {
            return;
        }
        // "our Winter Trial Pass gives you three months of unlimited travel", "ends after
        // three months", for an offer of `months: 3`: the campaign's term, unless the
        // sentence says the person has been with us.
        let unit = if months { "month" } else { "year" };
        let campaign_term = self.facts.list.iter().any(|f| {
            !f.personal
                && ((f.key.contains(unit) && f.num.is_some_and(|x| num_matches(n, x)))
                    || (f.stems.iter().any(|w| w.starts_with(unit))
                        && f.stems.iter().any(|w| {
                            crate::text::word_number(w)
                                .or_else(|| w.parse::<f64>().ok())
                                .is_some_and(|x| num_matches(n, x))
                        })))
        });
        // ("Thanks for your 12 months with us" is the person's, whatever the offer's term.)
        let been = sent_words
            .windows(2)
            .any(|p| p == ["been", "with"] || p == ["you've", "been"] || p == ["you", "joined"])
            || self
                .doc
                .word_before(wi, 1)
                .is_some_and(|p| p.norm == "your")
            || self
                .doc
                .word_after(noun_wi, 1)
                .is_some_and(|p| p.norm == "with");
        if campaign_term && !been {
            return;
        }
        // "for 3 years" of warranty is not tenure; require "with us"-style cue words nearby.
        let s = self.doc.toks[head].start;
        let e = self.doc.toks[self.doc.words[noun_wi]].end;
        let Some((date, path)) = self.tenure_date() else {
            self.flag(
                Kind::FabricatedFact,
                s,
                e,
                "states how long the person has been with us, but the record has no signup date"
                    .into(),
                "grounding.tenure",
            );
            return;
        };
        let days = self.facts.now.days_since(date);
        let qualifier = self
            .doc
            .word_before(wi, 1)
            .map(|t| t.norm.clone())
            .unwrap_or_default();
        // "after three years of visits" for a membership that ended: the time with us runs
        // to the date it expired, lapsed or was cancelled, as well as to now.
        let ended = |f: &crate::facts::Fact| {
            let key = match f.event {
                Some(ei) => crate::text::fold(&self.facts.recipient.events[ei].kind),
                None => f.key.to_string(),
            };
            // Whole parts of the key: "event_attended" has "ended" in it, and ends nothing.
            key.split(['_', ' ', '-']).any(|p| {
                ["expir", "cancel", "laps", "churn", "terminat"]
                    .iter()
                    .any(|w| p.starts_with(w))
                    || matches!(p, "ended" | "end" | "closed")
            })
        };
        let mut ends = vec![self.facts.now];
        ends.extend(
            self.facts
                .list
                .iter()
                .filter(|f| f.personal && ended(f))
                .filter_map(|f| f.date)
                .filter(|d| *d > date && *d <= self.facts.now),
        );
        // "Five years in the Grits Club" for `grits_club_member_since`: the start of what
        // the sentence names, when the record dates it apart from the customer's.
        let sent = self.doc.toks[head].sent;
        let named_starts: Vec<(Date, usize)> = self
            .facts
            .list
            .iter()
            .enumerate()
            .filter(|(_, f)| f.personal && f.event.is_none() && f.key.contains("since"))
            .filter_map(|(fi, f)| Some((f.date?, fi, f)))
            .filter(|(_, _, f)| {
                f.key
                    .split(['_', ' ', '-'])
                    .filter(|p| p.len() > 2 && !matches!(*p, "since" | "member" | "customer"))
                    .any(|p| {
                        let st = crate::text::stem(p);
                        self.doc.toks.iter().any(|t| {
                            t.sent == sent && t.is_word() && crate::text::stem(&t.norm) == st
                        })
                    })
            })
            .map(|(d, fi, _)| (d, fi))
            .collect();
        let fits = |date: Date, end: Date| {
            let days = end.days_since(date);
            if months {
                let m = days as f64 / 30.44;
                (n - m).abs() <= 1.5
            } else {
                let whole = date.whole_years_until(end) as f64;
                let rounded = (days as f64 / 365.25).round();
                match qualifier.as_str() {
                    "over" | "more" | "than" => whole >= n,
                    "nearly" | "almost" => whole + 1.0 == n || whole == n,
                    _ => num_matches(n, whole) || num_matches(n, rounded),
                }
            }
        };
        if let Some(&(_, fi)) = named_starts.iter().find(|(d, _)| fits(*d, self.facts.now)) {
            self.use_fact(fi, s, e);
            return;
        }
        let ok = ends.iter().any(|&end| fits(date, end));
        if ok {
            if let Some(fi) = self.facts.list.iter().position(|f| f.path == path) {
                self.use_fact(fi, s, e);
            }
        } else {
            let unit = if months { "months" } else { "years" };
            self.flag(
                Kind::WrongFact,
                s,
                e,
                format!(
                    "states {n} {unit}, but `{path}` is {date} ({days} days before the send date)"
                ),
                "grounding.tenure",
            );
        }
    }

    /// "a member since 2021", "with us since 2019", "you joined us in 2021".
    fn since_year(&mut self) {
        for wi in 0..self.doc.words.len() {
            let ti = self.doc.words[wi];
            let joined_in = self.doc.toks[ti].norm == "in"
                && self.clause_has(
                    ti,
                    &["joined", "signed", "became", "registered", "subscribed"],
                )
                && self.clause_has(ti, &["you", "you've", "your"]);
            if self.doc.toks[ti].norm != "since" && !joined_in {
                continue;
            }
            let Some(y) = self.doc.word_after(wi, 1) else {
                continue;
            };
            if y.kind != TokKind::Num || y.norm.len() != 4 {
                continue;
            }
            let Some(year) = parse_num(&y.norm) else {
                continue;
            };
            let (s, e) = (self.doc.toks[self.doc.words[wi]].start, y.end);
            if !self.doc.sent_personal(self.doc.words[wi]) {
                continue;
            }
            // "We're a small rice shop that has been milling rice since 1931", "a library
            // that has been lending books to Kendal since 1824": the business's years.
            if !self.clause_has(ti, &["you", "your", "you've", "you're"])
                && (self.clause_has(ti, &["we", "we've", "we're", "our", "us"])
                    || year < (self.facts.now.year() - 60) as f64)
            {
                continue;
            }
            // "a combi that's been in since 2011" for `heating: gas combi boiler, installed
            // 2011`: a year one of the person's values states.
            let said = self.facts.list.iter().position(|f| {
                f.personal && f.date.is_none() && f.stems.iter().any(|w| *w == y.norm)
            });
            if let Some(fi) = said {
                self.use_fact(fi, s, e);
                continue;
            }
            // "You joined our Cracker-Making Evening back in 2074" for a workshop the person
            // came to that year: an event the clause names by a capitalized word, not the
            // person's tenure.
            if joined_in {
                let (cs, ce) = self.doc.clause(ti);
                let named = self.doc.toks[cs..ce]
                    .iter()
                    .filter(|t| t.is_word() && t.cap && !t.sent_start)
                    .flat_map(|t| self.facts_for_stem(&stem(&t.norm)))
                    .filter_map(|fi| self.facts.list[fi].event)
                    .find_map(|ev| {
                        self.facts.list.iter().position(|f| {
                            f.personal
                                && f.event == Some(ev)
                                && f.date.is_some_and(|d| d.year() as f64 == year)
                        })
                    });
                if let Some(fi) = named {
                    self.use_fact(fi, s, e);
                    continue;
                }
            }
            match self.tenure_date() {
                Some((d, path)) if d.year() as f64 == year => {
                    if let Some(fi) = self.facts.list.iter().position(|f| f.path == path) {
                        self.use_fact(fi, s, e);
                    }
                }
                Some((d, path)) => self.flag(
                    Kind::WrongFact,
                    s,
                    e,
                    format!("states the year {year}, but `{path}` is {d}"),
                    "grounding.tenure",
                ),
                None => self.flag(
                    Kind::FabricatedFact,
                    s,
                    e,
                    "states when the person joined, but the record has no signup date".into(),
                    "grounding.tenure",
                ),
            }
        }
    }

    /// Perks ("free shipping", "a free gift") the campaign's facts must offer; "on every
    /// order" must not drop a minimum the campaign's fact states.
    pub(super) fn perks(&mut self) {
        if self.rules.table.perks.is_empty() {
            return;
        }
        let found = self
            .rules
            .perks
            .find(&self.doc.toks, &self.doc.words, false);
        if found.is_empty() {
            return;
        }
        let unconditional =
            self.rules
                .perk_unconditional
                .find(&self.doc.toks, &self.doc.words, false);
        for m in found {
            let rule = &self.rules.table.perks[m.payload];
            let head = self.doc.words[m.first];
            // "no free shipping on sale items", "if you want free shipping": no promise.
            let negated = self
                .doc
                .word_before(m.first, 1)
                .is_some_and(|t| matches!(t.norm.as_str(), "no" | "not" | "without"));
            if negated || self.clause_has(head, &["if", "unless", "whether"]) {
                continue;
            }
            let wants: Vec<String> = rule
                .context
                .iter()
                .map(|c| {
                    let words: Vec<String> = c.split_whitespace().map(|w| stem(&fold(w))).collect();
                    format!(" {} ", words.join(" "))
                })
                .collect();
            let mut offering: Vec<&str> = Vec::new();
            let mut threshold = false;
            for f in self.facts.list.iter().filter(|f| !f.personal) {
                let path_words: Vec<String> = f
                    .path
                    .split(['.', '_', '[', ']'])
                    .filter(|w| !w.is_empty())
                    .map(|w| stem(&fold(w)))
                    .collect();
                let hay = format!(" {} {} ", path_words.join(" "), f.stems.join(" "));
                if wants.iter().any(|w| hay.contains(w.as_str())) {
                    offering.push(f.path.as_str());
                    threshold |= f.num.is_some_and(|n| n > 0.0)
                        || f.stems
                            .iter()
                            .any(|st| st.chars().any(|c| c.is_ascii_digit()));
                }
            }
            let (s, e) = (
                self.doc.toks[head].start,
                self.doc.toks[self.doc.words[m.last]].end,
            );
            let phrase = self.doc.text[s..e].to_string();
            if offering.is_empty() {
                let id = rule.id.clone();
                self.flag(
                    Kind::WrongOffer,
                    s,
                    e,
                    format!("promises \"{phrase}\", but no campaign fact offers it"),
                    &format!("offer.perk.{id}"),
                );
                continue;
            }
            if !threshold {
                continue;
            }
            let sent = self.doc.toks[head].sent;
            let path = offering[0].to_string();
            let id = rule.id.clone();
            let hits: Vec<(usize, usize)> = unconditional
                .iter()
                .filter(|u| {
                    u.payload == m.payload
                        && self.doc.toks[self.doc.words[u.first]].sent == sent
                        && !self.threshold_after(u.last)
                })
                .map(|u| {
                    (
                        self.doc.toks[self.doc.words[u.first]].start,
                        self.doc.toks[self.doc.words[u.last]].end,
                    )
                })
                .collect();
            for (us, ue) in hits {
                self.flag(
                    Kind::WrongOffer,
                    us,
                    ue,
                    format!("\"{phrase}\" has a minimum in `{path}`; this says it has none"),
                    &format!("offer.perk_minimum.{id}"),
                );
            }
        }
    }

    /// An offer clause that drops the campaign offer's limit: "$10 off any order" against a
    /// $50 minimum, "25% off any plan" for an annual-billing offer, "monthly" for "annual".
    /// "a 9 kW unit for your 1930s semi" when the person's `result_kw` is 7: a measure said
    /// to the person, against their numeric fields whose key names its unit (`_kw`, `_mm`,
    /// `_m3`, `_gb`).
    pub(super) fn keyed_measures(&mut self) {
        const UNITS: [&str; 16] = [
            "kw", "kwh", "mm", "cm", "km", "kg", "m2", "m3", "sqm", "sqft", "gb", "tb", "mbps",
            "hp", "mah", "lbs",
        ];
        // The person's numeric fields named for a unit: cheap to find, and most records have
        // none.
        let keyed: Vec<(usize, f64, &str)> = self
            .facts
            .list
            .own()
            .iter()
            .enumerate()
            .filter(|(_, f)| f.personal && f.date.is_none() && f.num.is_some())
            .filter_map(|(i, f)| {
                let unit = f
                    .key
                    .split('_')
                    .find_map(|p| UNITS.iter().find(|u| **u == p))?;
                Some((i, f.num?, *unit))
            })
            .collect();
        if keyed.is_empty() {
            return;
        }
        let mut flags = Vec::new();
        let mut uses = Vec::new();
        for wi in 0..self.doc.words.len() {
            let ti = self.doc.words[wi];
            let t = &self.doc.toks[ti];
            if t.kind != TokKind::Num || t.start >= self.doc.footer_start {
                continue;
            }
            // "74 120 km": a group of three digits after a space continues the number before.
            let toks = &self.doc.toks;
            let group = |a: &crate::text::Tok, b: &crate::text::Tok| {
                a.kind == TokKind::Num
                    && b.kind == TokKind::Num
                    && b.norm.len() == 3
                    && b.norm.bytes().all(|c| c.is_ascii_digit())
                    && b.start == a.end + 1
                    && a.sent == b.sent
            };
            if ti > 0 && group(&toks[ti - 1], t) {
                continue;
            }
            let (mut whole, mut k) = (t.norm.to_string(), wi);
            while let Some(&nt) = self.doc.words.get(k + 1) {
                if !group(&toks[self.doc.words[k]], &toks[nt]) {
                    break;
                }
                whole.push_str(&toks[nt].norm);
                k += 1;
            }
            // "9 kW", or "9kW" as one token.
            let digits =
                whole.trim_end_matches(|c: char| c.is_alphabetic() || c == '³' || c == '²');
            let (value, unit, end) = if digits.len() < whole.len() {
                let unit = whole[digits.len()..].replace('³', "3").replace('²', "2");
                (parse_num(digits), unit, toks[self.doc.words[k]].end)
            } else {
                match self.doc.word_after(k, 1) {
                    Some(u) => (
                        parse_num(&whole),
                        u.norm.replace('³', "3").replace('²', "2"),
                        u.end,
                    ),
                    None => continue,
                }
            };
            let Some(v) = value else { continue };
            let mine: Vec<&(usize, f64, &str)> =
                keyed.iter().filter(|(_, _, u)| **u == unit).collect();
            if mine.is_empty()
                || !self.doc.sent_personal(ti)
                || self.clause_has(
                    ti,
                    &[
                        "if",
                        "would",
                        "could",
                        "up",
                        "per",
                        "each",
                        "every",
                        "minimum",
                        "maximum",
                        "least",
                        "most",
                        "than",
                        "recommend",
                        "recommended",
                        "go",
                        "left",
                        "remaining",
                        "within",
                    ],
                )
            {
                continue;
            }
            // The campaign's own figure in that unit ("our 9 kW model") is not the person's.
            let campaign = self.facts.list.iter().any(|f| {
                !f.personal
                    && (f.stems.iter().any(|w| *w == t.norm)
                        || (f.num.is_some_and(|x| num_matches(v, x))
                            && f.key.split('_').any(|p| p == unit)))
            });
            if campaign {
                continue;
            }
            // "your own 20 mm claw chisel" for `tools_owned: "claw chisel, 20 mm"`: the
            // measure as one of the person's values writes it.
            let written = self.facts.list.iter().position(|f| {
                f.personal
                    && f.stems.windows(2).any(|w| {
                        w[1] == unit && parse_num(&w[0]).is_some_and(|x| num_matches(v, x))
                    })
            });
            if let Some(fi) = written {
                uses.push((fi, t.start, end));
                continue;
            }
            match mine.iter().find(|(_, x, _)| num_matches(v, *x)) {
                Some((fi, _, _)) => uses.push((*fi, t.start, end)),
                None => {
                    let (fi, x, _) = mine[0];
                    let path = self.facts.list[*fi].path.to_string();
                    flags.push((
                        t.start,
                        end,
                        format!("states {v} {unit}, but `{path}` says {x}"),
                    ));
                }
            }
        }
        for (fi, s, e) in uses {
            self.use_fact(fi, s, e);
        }
        for (s, e, reason) in flags {
            self.flag(Kind::WrongFact, s, e, reason, "grounding.measure");
        }
    }

    /// "You picked up three Boréal A5 dot-grid notebooks" when the purchase was of two: a
    /// count before the words of one of the person's items, against that event's quantity.
    pub(super) fn item_quantities(&mut self) {
        const QTY: [&str; 6] = ["qty", "quantity", "count", "units", "pieces", "number"];
        let with_qty: Vec<(usize, f64)> = self
            .facts
            .recipient
            .events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                e.fields
                    .iter()
                    .find_map(|(k, v)| QTY.contains(&k.as_str()).then(|| v.as_f64()).flatten())
                    .map(|q| (i, q))
            })
            .collect();
        if with_qty.is_empty() {
            return;
        }
        let mut flags = Vec::new();
        for wi in 0..self.doc.words.len() {
            let ti = self.doc.words[wi];
            let t = &self.doc.toks[ti];
            // (A count in digits alone: not "14-05-2029".)
            let n = match t.kind {
                TokKind::Num if t.norm.bytes().all(|b| b.is_ascii_digit()) => parse_num(&t.norm),
                TokKind::Num => None,
                _ => word_number(&t.norm).filter(|_| !matches!(t.norm.as_str(), "a" | "an" | "no")),
            };
            let Some(n) = n.filter(|n| *n >= 2.0 && *n <= 100.0 && n.fract() == 0.0) else {
                continue;
            };
            // "14-05-2029", "14/05": part of a date.
            let joined = |k: usize| {
                self.doc.toks.get(k).is_some_and(|p| {
                    p.kind == TokKind::Punct
                        && matches!(p.norm.as_str(), "-" | "/" | "." | ":")
                        && (p.end == t.start || p.start == t.end)
                })
            };
            if joined(ti + 1) || ti.checked_sub(1).is_some_and(joined) {
                continue;
            }
            if t.start >= self.doc.footer_start
                || !(self.clause_in_past(ti) || self.your_before(wi, 3, &["your"]))
                || self.clause_has(ti, &["if", "would", "could", "each", "per", "every"])
            {
                continue;
            }
            // "your 18 m² garage roof": a measure, not a count of the item.
            let measured = self.doc.toks.get(ti + 1).is_some_and(|u| {
                matches!(
                    u.norm.as_str(),
                    "m²" | "m2"
                        | "m"
                        | "sqm"
                        | "sq"
                        | "square"
                        | "km"
                        | "cm"
                        | "mm"
                        | "kg"
                        | "g"
                        | "l"
                        | "ml"
                        | "ft"
                        | "in"
                        | "metres"
                        | "meters"
                        | "litres"
                        | "liters"
                        | "kilos"
                        | "tonnes"
                        | "hectares"
                        | "ha"
                        | "acres"
                        // "15% off our signed prints": a rate, not a count.
                        | "%"
                        | "percent"
                )
            });
            if measured {
                continue;
            }
            // The distinctive words of the noun phrase that follows, up to six ("two
            // early-bird passes", not "... and a tent pitch").
            let after: Vec<String> = (1..=6)
                .map_while(|k| self.doc.word_after(wi, k))
                .take_while(|w| {
                    !matches!(
                        w.norm.as_str(),
                        "and" | "or" | "with" | "for" | "plus" | "at" | "on" | "from" | "in" | "to"
                    )
                })
                .flat_map(|w| w.norm.split('-').map(str::to_string).collect::<Vec<_>>())
                .filter(|w| w.len() >= 3 && !self.is_common_word(w))
                .map(|w| stem(&w))
                .collect();
            if after.len() < 2 {
                continue;
            }
            // Events whose item shares two of those words, with a quantity.
            let matched: Vec<(usize, f64)> = with_qty
                .iter()
                .copied()
                .filter(|(e, _)| {
                    self.facts.list.iter().any(|f| {
                        f.personal
                            && f.event == Some(*e)
                            && matches!(
                                f.kind,
                                crate::facts::FKind::Product | crate::facts::FKind::Text
                            )
                            && f.stems.iter().filter(|w| after.contains(w)).count() >= 2
                    })
                })
                .collect();
            if matched.is_empty() || matched.iter().any(|(_, q)| num_matches(n, *q)) {
                continue;
            }
            // "a dozen of our traditional Welsh cakes" for a "dozen traditional Welsh cakes"
            // bought once: the number word is the item's name. "6 bara brith spiced" in a box
            // the campaign fills with "6 bara brith spiced": the campaign's count.
            let number_word = stem(&t.norm);
            let in_name = self.facts.list.iter().any(|f| {
                f.personal
                    && matched.iter().any(|(e, _)| f.event == Some(*e))
                    && f.stems.contains(&number_word)
            });
            let campaign_count = self.facts.list.iter().any(|f| {
                !f.personal
                    && f.stems.windows(2).any(|w| {
                        parse_num(&w[0])
                            .or_else(|| word_number(&w[0]))
                            .is_some_and(|x| num_matches(n, x))
                            && after.first() == Some(&w[1])
                    })
            });
            if in_name || campaign_count {
                continue;
            }
            let (e, q) = matched[0];
            let end = self.doc.word_after(wi, 1).map_or(t.end, |w| w.end);
            flags.push((
                t.start,
                end,
                format!("states {n} of the item, but `events[{e}]` has a quantity of {q}"),
            ));
        }
        for (s, e, reason) in flags {
            self.flag(Kind::WrongFact, s, e, reason, "grounding.count");
        }
    }

    /// An offer for new customers only, given to someone the record shows already is one:
    /// "code HARVEST25 takes 25% off your next four Medium boxes" to a subscriber since 2039
    /// when the Harvest Switch is "for new veg box subscribers only".
    fn offer_eligibility(&mut self) {
        // Cheap first: a code of the campaign's in the email at all.
        let coded: Vec<usize> = self
            .doc
            .words
            .iter()
            .copied()
            .filter(|&ti| {
                let t = &self.doc.toks[ti];
                // Codes are written in capitals or hold a digit: hash only those.
                t.start < self.doc.footer_start
                    && (t.all_caps || t.norm.bytes().any(|b| b.is_ascii_digit()))
                    && self.facts.codes.contains(t.norm.as_str())
            })
            .collect();
        if coded.is_empty() {
            return;
        }
        const ROLES: [&str; 10] = [
            "customer",
            "subscriber",
            "subscription",
            "member",
            "membership",
            "client",
            "student",
            "patient",
            "account",
            "user",
        ];
        // (offer path, role stem, qualifier) for each "new <role> only" term.
        let mut terms: Vec<(&str, &str, Option<&str>)> = Vec::new();
        for f in self.facts.list.iter().filter(|f| !f.personal) {
            let st = &f.stems[..];
            let Some(at) = st.iter().position(|w| w == "new") else {
                continue;
            };
            // "new and existing clients" is everyone.
            let everyone = st
                .get(at + 1..at + 3)
                .is_some_and(|w| matches!(w[0].as_str(), "and" | "or") && w[1] == "existing");
            let only = !everyone
                && (st.iter().any(|w| w == "only")
                    || st.windows(2).any(|w| w[0] == "not" && w[1] == "for")
                    || st.iter().any(|w| w == "cannot"));
            let window = &st[at + 1..(at + 4).min(st.len())];
            let Some((k, role)) = window
                .iter()
                .enumerate()
                .find_map(|(k, w)| ROLES.iter().find(|r| w == *r).map(|r| (k, *r)))
            else {
                continue;
            };
            // "new delivery customers only": a customer of the shop may be new to delivery.
            // The qualifier must be in the record too (`veg_box` for "new veg box
            // subscribers").
            // (Only for customers at large: "new veg box subscribers" are the subscribers.)
            let qualifier: Option<&str> = window[..k]
                .iter()
                .map(String::as_str)
                .filter(|_| matches!(role, "customer" | "client" | "user" | "account"))
                .find(|w| {
                    w.len() >= 3 && !matches!(*w, "and" | "the" | "for" | "our" | "all" | "any")
                });
            if only {
                let home = super::parent_path(&f.path);
                terms.push((home, role, qualifier));
            }
        }
        if terms.is_empty() {
            return;
        }
        let r = self.facts.recipient;
        // `membership_status: cancelled`, `membership_ended: 2039-03-01`: one no longer.
        let lapsed = |k: &str, v: &candor_domain::AttrValue| {
            let (k, s) = (fold(k), fold(&v.to_text()));
            [
                "cancel", "lapsed", "expired", "inactive", "ended", "paused", "none", "former",
                "previous", "past",
            ]
            .iter()
            .any(|w| s.contains(w) || k.contains(w))
        };
        let existing = |role: &str| -> Option<String> {
            let head = &role[..role.len().min(6)];
            r.attributes
                .iter()
                .find(|(k, v)| fold(k).contains(head) && super::implied::truthy(v) && !lapsed(k, v))
                .map(|(k, _)| format!("attributes.{k}"))
                .or_else(|| {
                    // A customer is anyone with an order.
                    (role == "customer")
                        .then(|| self.rules.table.kinds.get("order"))
                        .flatten()
                        .and_then(|kr| match kind_status(kr, r, self.facts.now) {
                            KindStatus::Yes(p) => p.into_iter().next(),
                            _ => None,
                        })
                })
        };
        let mut hits = Vec::new();
        for ti in coded {
            let code = self.doc.toks[ti].norm.as_str();
            let in_record = |q: &str| {
                let q = &q[..q.len().min(6)];
                r.attributes
                    .iter()
                    .any(|(k, v)| fold(k).contains(q) && super::implied::truthy(v) && !lapsed(k, v))
                    || r.events.iter().any(|e| fold(&e.kind).contains(q))
            };
            let Some((role, path)) = terms.iter().find_map(|(home, role, qualifier)| {
                let own = self.facts.list.iter().any(|f| {
                    !f.personal
                        && f.path.starts_with(home)
                        && f.stems.len() == 1
                        && f.stems[0] == code
                });
                (own && qualifier.is_none_or(in_record))
                    .then(|| existing(role).map(|p| (*role, p)))
                    .flatten()
            }) else {
                continue;
            };
            // Given to the reader, plainly: not a condition ("if you're new"), a gift for a
            // friend, a rule stated ("for new subscribers"), or a refusal.
            if !self.doc.sent_personal(ti)
                || self.sentence_has(
                    ti,
                    &[
                        "new",
                        "if",
                        "friend",
                        "friends",
                        "someone",
                        "anyone",
                        "share",
                        "gift",
                        "not",
                        "can't",
                        "cannot",
                        "isn't",
                        "aren't",
                        "won't",
                        "doesn't",
                        "don't",
                        "unfortunately",
                        "sadly",
                        // The same in French, German and Spanish.
                        "si",
                        "quelqu'un",
                        "nouveau",
                        "nouveaux",
                        "nouvelle",
                        "nouvelles",
                        "pas",
                        "wenn",
                        "falls",
                        "jemand",
                        "neu",
                        "neue",
                        "neuen",
                        "nicht",
                        "nuevo",
                        "nuevos",
                        "nueva",
                        "nuevas",
                        "alguien",
                    ],
                )
            {
                continue;
            }
            hits.push((ti, role, path));
        }
        for (ti, role, path) in hits {
            let t = &self.doc.toks[ti];
            let (s, e) = (t.start, t.end);
            self.flag(
                Kind::WrongOffer,
                s,
                e,
                format!("the offer is for new {role}s only, but `{path}` shows this person is one already"),
                "offer.eligibility",
            );
        }
    }

    pub(super) fn offer_scope(&mut self) {
        self.offer_exclusions();
        self.offer_unit_minimums();
        self.offer_eligibility();
        let rules = &self.rules.table.offer_scope;
        if rules.limits.is_empty() {
            return;
        }
        let found = self
            .rules
            .scope_unconditional
            .find(&self.doc.toks, &self.doc.words, false);
        let pair_word = rules.exclusive.iter().flatten().any(|w| {
            let w = w.as_str();
            self.doc.words.iter().any(|&ti| {
                let n = self.doc.toks[ti].norm.as_str();
                n.strip_suffix('s').unwrap_or(n) == w || n == w
            })
        });
        if found.is_empty() && !pair_word {
            return;
        }
        // The campaign's limits: (which limit, path, stems of the value). Words the limit
        // negates ("annual plan only (not monthly)") are not in it.
        let limits: Vec<(usize, String, Vec<String>)> = self
            .facts
            .list
            .iter()
            .filter(|f| !f.personal && !f.stems.is_empty())
            .filter_map(|f| {
                let last = f.key.as_str();
                let li = rules
                    .limits
                    .iter()
                    .position(|l| l.keys.iter().any(|k| k.as_str() == last))?;
                let kept: Vec<String> = f
                    .stems
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        !f.stems[i.saturating_sub(2)..*i].iter().any(|w| {
                            matches!(w.as_str(), "not" | "no" | "except" | "exclud" | "excluding")
                        })
                    })
                    .map(|(_, w)| w.clone())
                    .collect();
                Some((li, f.path.to_string(), kept))
            })
            .collect();
        if limits.is_empty() {
            return;
        }
        let offer_clause = |c: &Checker, ti: usize| {
            c.clause_has(ti, &OFFER_CUES) || c.clause_has(ti, &["%", "$", "€", "£"]) || {
                let (s, e) = c.doc.clause(ti);
                c.doc.toks[s..e]
                    .iter()
                    .any(|t| c.facts.codes.contains(t.norm.as_str()))
            }
        };
        let mut hits: Vec<(usize, usize, String)> = Vec::new();
        for m in found {
            let ti = self.doc.words[m.first];
            // "there is no limit on how many gifts you send" when a limit of the campaign's
            // reads "no limit on gift subscriptions": its own words.
            if self.campaign_says(
                self.doc.toks[ti].start,
                self.doc.toks[self.doc.words[m.last]].end,
            ) {
                continue;
            }
            let negated = self
                .doc
                .word_before(m.first, 1)
                .is_some_and(|t| matches!(t.norm.as_str(), "no" | "not"));
            // "use it as often as you like": a usage limit dropped anywhere in an offer's
            // sentence.
            let usage = rules.limits[m.payload].keys.iter().any(|k| k == "limit");
            let offered = offer_clause(self, ti)
                || (usage
                    && (self.sentence_has(ti, &OFFER_CUES)
                        || self.sentence_has(ti, &["$", "£", "€", "%"])));
            // "Everything full-price is 20% off - kits excepted", "20% off everything cozy":
            // the universal is qualified by the word after it, or by the sentence's exceptions.
            // (Things only: "everyone saves 10%" is not qualified by its verb.)
            let thing = matches!(
                self.doc.toks[self.doc.words[m.last]].norm.as_str(),
                "everything" | "anything"
            );
            let qualified = thing
                && self.doc.adjacent(m.last)
                && self.doc.word_after(m.last, 1).is_some_and(|t| {
                    t.kind == TokKind::Word
                        && !matches!(
                            t.norm.as_str(),
                            "is" | "are"
                                | "was"
                                | "for"
                                | "with"
                                | "at"
                                | "in"
                                | "on"
                                | "you"
                                | "your"
                                | "we"
                                | "our"
                                | "and"
                                | "or"
                                | "off"
                                | "from"
                                | "this"
                                | "that"
                                | "the"
                                | "a"
                                | "an"
                                | "to"
                                | "of"
                                | "by"
                                | "until"
                                | "gets"
                                | "get"
                                | "now"
                                | "today"
                                | "else"
                                | "we've"
                                | "will"
                        )
                });
            if negated
                || !offered
                || qualified
                || self.clause_has(ti, &["if", "excludes", "except"])
                || self.sentence_has(
                    ti,
                    &[
                        "except",
                        "excepted",
                        "excluding",
                        "excludes",
                        "exclusions",
                        "aren't",
                        "isn't",
                    ],
                )
                || self.threshold_after(m.last)
            {
                continue;
            }
            let said: Vec<String> = (m.first..=m.last)
                .map(|w| stem(&self.doc.toks[self.doc.words[w]].norm))
                .collect();
            // "any subscription" inside "first month of any subscription" restates the limit;
            // "order as often as you like" restates "once per order, unlimited orders".
            if let Some((_, path, _)) = limits.iter().find(|(li, _, lw)| {
                *li == m.payload
                    && !said.iter().all(|w| lw.contains(w))
                    && !lw.iter().any(|w| w == "unlimited")
            }) {
                // "join the Spielclub (10% off everything you buy)" beside a 15% sale for
                // board games: a percentage in the clause that is not the limited offer's
                // belongs to another of the campaign's deals.
                let home = super::parent_path(path);
                let (cs, ce) = self.doc.clause(ti);
                let pcts: Vec<f64> = (cs..ce)
                    .filter(|&k| {
                        self.doc.toks[k].kind == TokKind::Num
                            && self.doc.toks.get(k + 1).is_some_and(|n| n.norm == "%")
                    })
                    .filter_map(|k| parse_num(&self.doc.toks[k].norm))
                    .collect();
                let others = !pcts.is_empty()
                    && !pcts.iter().any(|p| {
                        self.facts.list.iter().any(|f| {
                            !f.personal
                                && f.kind == crate::facts::FKind::Percent
                                && f.num.is_some_and(|n| num_matches(*p, n))
                                && f.path.starts_with(home)
                                // (The offer's own figure, not one its text mentions:
                                // "not combinable with the 10% Spielclub discount".)
                                && ["percent", "discount", "pct", "off"]
                                    .iter()
                                    .any(|k| f.key.contains(k))
                        })
                    });
                if others {
                    continue;
                }
                let e = self.doc.toks[self.doc.words[m.last]].end;
                hits.push((self.doc.toks[ti].start, e, path.clone()));
            }
        }
        for pair in &rules.exclusive {
            for (have, other) in [(&pair[0], &pair[1]), (&pair[1], &pair[0])] {
                let (have, other) = (stem(&fold(have)), stem(&fold(other)));
                let Some((_, path, _)) = limits
                    .iter()
                    .find(|(_, _, lw)| lw.contains(&have) && !lw.contains(&other))
                else {
                    continue;
                };
                for &ti in &self.doc.words {
                    let t = &self.doc.toks[ti];
                    // "20% off, whether you pay monthly or annually": the choice is part of
                    // the offer sentence. "Instead of the $12 you pay on monthly billing" is
                    // what the person pays now.
                    let short_clause = {
                        let (cs, ce) = self.doc.clause(ti);
                        self.doc.toks[cs..ce].iter().filter(|t| t.is_word()).count() <= 4
                    };
                    let offered = offer_clause(self, ti)
                        || ((short_clause || self.clause_has(ti, &["whether", "either", "both"]))
                            && self.sentence_has(ti, &OFFER_CUES));
                    let current = self.clause_has(
                        ti,
                        &[
                            "instead",
                            "currently",
                            "current",
                            "now",
                            "switch",
                            "from",
                            "today",
                        ],
                    );
                    // "not monthly", "monthly plans aren't part of this sale".
                    let negated = self.clause_has(
                        ti,
                        &[
                            "not",
                            "no",
                            "except",
                            "excluding",
                            "excludes",
                            "excluded",
                            "isn't",
                            "aren't",
                            "doesn't",
                            "don't",
                            "never",
                        ],
                    );
                    // "new" and "existing" are about customers only with one named: "our new
                    // holiday treats" says nothing of who may use the offer.
                    let audience = !matches!(other.as_str(), "new" | "existing" | "returning")
                        || self
                            .doc
                            .words
                            .iter()
                            .position(|&x| x == ti)
                            .and_then(|wi| self.doc.word_after(wi, 1))
                            .is_some_and(|x| {
                                matches!(
                                    stem(&x.norm).as_str(),
                                    "customer"
                                        | "member"
                                        | "subscriber"
                                        | "user"
                                        | "client"
                                        | "account"
                                        | "buyer"
                                        | "shopper"
                                        | "signup"
                                        | "player"
                                )
                            });
                    if stem(&t.norm) == other
                        && offered
                        && !current
                        && !negated
                        && audience
                        && !self.denied_later(ti)
                    {
                        hits.push((t.start, t.end, path.clone()));
                    }
                }
            }
        }
        for (s, e, path) in hits {
            self.flag(
                Kind::WrongOffer,
                s,
                e,
                format!("the campaign's offer is limited by `{path}`; this says otherwise"),
                "offer.scope",
            );
        }
    }

    /// The offer said to cover what the campaign excludes ("SECOND40 works on sunglasses
    /// too" with `excludes: ["sunglasses"]`), unless the clause says it does not.
    fn offer_exclusions(&mut self) {
        let excluded = self.facts.offer_exclusions(self.rules);
        if excluded.is_empty() {
            return;
        }
        let words = &self.doc.words;
        let mut hits = Vec::new();
        for (value, path) in excluded.iter() {
            let n = value.len();
            // Stem a word only when it could start the value: this runs for every email.
            let head: String = value[0].chars().take(3).collect();
            for w0 in 0..words.len().saturating_sub(n - 1) {
                let first = &self.doc.toks[words[w0]].norm;
                if !first.starts_with(head.as_str())
                    || !(0..n).all(|k| stem(&self.doc.toks[words[w0 + k]].norm) == value[k])
                {
                    continue;
                }
                let ti = self.doc.words[w0];
                // "Excludes LEGO, gift cards and sale items": the list after the word.
                let sent = self.doc.toks[ti].sent;
                let listed_out = self.doc.toks[..ti]
                    .iter()
                    .rev()
                    .take_while(|t| t.sent == sent)
                    .any(|t| {
                        matches!(
                            t.norm.as_str(),
                            "excludes"
                                | "excluding"
                                | "excluded"
                                | "except"
                                | "exclusions"
                                | "not"
                                // "neither the NVQ pathway nor the masterclass is part of
                                // the sale".
                                | "neither"
                                | "nor"
                        )
                    })
                    // "no discount on Japanese beads, ..., tools, bead looms or gift vouchers".
                    || self.doc.toks[..ti]
                        .windows(2)
                        .rev()
                        .take_while(|p| p[1].sent == sent)
                        .any(|p| {
                            p[0].norm == "no"
                                && matches!(p[1].norm.as_str(), "discount" | "discounts" | "reduction")
                        });
                // "doesn't apply to knives, gift vouchers or items already reduced": every
                // item of the list after a denied scope verb.
                let listed_out = listed_out || {
                    let toks = &self.doc.toks;
                    (0..ti)
                        .rev()
                        .take_while(|&k| toks[k].sent == sent)
                        .any(|k| {
                            (matches!(
                                toks[k].norm.as_str(),
                                "doesn't"
                                    | "don't"
                                    | "isn't"
                                    | "aren't"
                                    | "won't"
                                    | "can't"
                                    | "cannot"
                            )
                                // ("It does not apply to the 30 April departures".)
                                || (toks[k].norm == "not"
                                    && k > 0
                                    && matches!(
                                        toks[k - 1].norm.as_str(),
                                        "does" | "do" | "is" | "are" | "will" | "can"
                                    )))
                                && toks[k + 1..(k + 4).min(ti)].iter().any(|v| {
                                    matches!(
                                        v.norm.as_str(),
                                        "apply"
                                        | "include"
                                        | "cover"
                                        | "work"
                                        | "count"
                                        | "valid"
                                        // "SUMMER20 can't be used on the ... add-on".
                                        | "used"
                                        | "applied"
                                        | "redeemed"
                                    )
                                })
                        })
                };
                // "the Cape Citrus Reserve ...: it's a limited release, and it isn't part of
                // our Winter Double": denied later in the sentence.
                let denied_after = {
                    let toks = &self.doc.toks;
                    (ti..toks.len())
                        .take_while(|&k| toks[k].sent == sent)
                        .any(|k| {
                            matches!(
                                toks[k].norm.as_str(),
                                "isn't" | "aren't" | "not" | "doesn't" | "don't" | "won't"
                            ) && toks[k + 1..(k + 4).min(toks.len())].iter().any(|v| {
                                matches!(
                                    v.norm.as_str(),
                                    "part"
                                        | "included"
                                        | "eligible"
                                        | "covered"
                                        | "apply"
                                        | "count"
                                )
                            })
                        })
                };
                // "... our new Bambú bamboo hurley (€55). It's not part of the Autumn Double.":
                // denied by the next sentence, which opens on it.
                let denied_next = {
                    let toks = &self.doc.toks;
                    let next: Vec<&crate::text::Tok> = toks[ti..]
                        .iter()
                        .skip_while(|t| t.sent == sent)
                        .take_while(|t| t.sent == sent + 1)
                        .filter(|t| t.is_word())
                        .collect();
                    next.first().is_some_and(|w| {
                        matches!(
                            w.norm.as_str(),
                            "it" | "it's" | "they" | "they're" | "these" | "this"
                        )
                    }) && next.windows(2).any(|p| {
                        matches!(
                            p[0].norm.as_str(),
                            "not" | "isn't" | "aren't" | "it's" | "they're"
                        ) && matches!(
                            p[1].norm.as_str(),
                            "part" | "included" | "eligible" | "covered" | "not"
                        )
                    }) && next
                        .iter()
                        .any(|w| matches!(w.norm.as_str(), "not" | "isn't" | "aren't"))
                };
                // "Shoes, apparel and protective gear are out too": left out, later.
                let left_out = {
                    let toks = &self.doc.toks;
                    (ti..toks.len().saturating_sub(1))
                        .take_while(|&k| toks[k].sent == sent)
                        .any(|k| {
                            (matches!(
                                toks[k].norm.as_str(),
                                "are" | "is" | "stay" | "stays" | "remain" | "remains"
                            ) && toks[k + 1].norm == "out")
                                // "... and Dolby Atmos are priced separately".
                                || (matches!(
                                    toks[k].norm.as_str(),
                                    "priced" | "charged" | "billed" | "sold"
                                ) && toks[k + 1].norm == "separately")
                                // "Gas cylinders, covers and accessories are excluded too",
                                // "... are outside the offer", "... are charged as usual".
                                || matches!(toks[k].norm.as_str(), "excluded" | "exempt")
                                || (toks[k].norm == "outside"
                                    && toks.get(k + 2).is_some_and(|x| {
                                        matches!(
                                            x.norm.as_str(),
                                            "offer" | "deal" | "promotion" | "discount" | "sale"
                                        )
                                    }))
                                // "... upgrades are at normal prices".
                                || (matches!(toks[k].norm.as_str(), "are" | "is" | "stay" | "stays")
                                    && toks[k + 1].norm == "at"
                                    && toks.get(k + 2).is_some_and(|x| {
                                        matches!(
                                            x.norm.as_str(),
                                            "normal" | "full" | "regular" | "standard" | "usual"
                                        )
                                    }))
                                || (matches!(toks[k].norm.as_str(), "charged" | "priced" | "billed")
                                    && toks[k + 1].norm == "as"
                                    && toks
                                        .get(k + 2)
                                        .is_some_and(|x| matches!(x.norm.as_str(), "usual" | "normal")))
                        })
                };
                // "$1,054 before the 18% driver gratuity": not in the price; "Want the steps
                // done too? That's a $120 add-on": sold on top, in the next sentence.
                let before_it = (1..=6).any(|k| {
                    self.doc
                        .word_before(w0, k)
                        .is_some_and(|t| matches!(t.norm.as_str(), "before" | "excluding"))
                });
                let extra_next = {
                    let toks = &self.doc.toks;
                    toks[ti..]
                        .iter()
                        .skip_while(|t| t.sent == sent)
                        .take_while(|t| t.sent == sent + 1)
                        .any(|t| matches!(t.norm.as_str(), "add-on" | "extra" | "separately"))
                };
                // "welcome on a child ticket ($45, ages 8-15)" for "child tickets (AUD 45, not
                // discounted)": the item at the full price its exclusion gives.
                let full_price = {
                    // (This sentence or the next: "Need an EPC certificate too? Add it for £65".)
                    let (ss, _) = self.doc.sent_range[sent];
                    let next_end = self
                        .doc
                        .sent_range
                        .get(sent + 1)
                        .map_or(self.doc.sent_range[sent].1, |r| r.1);
                    let toks = &self.doc.toks[ss..next_end];
                    toks.iter().enumerate().any(|(k, t)| {
                        t.kind == TokKind::Num
                            && k.checked_sub(1).and_then(|p| toks.get(p)).is_some_and(|p| {
                                matches!(p.norm.as_str(), "$" | "€" | "£" | "¥" | "r")
                                    || crate::facts::is_currency_code(p)
                            })
                            && parse_num(&t.norm).is_some_and(|v| {
                                self.facts.list.iter().any(|f| {
                                    !f.personal
                                        && f.path == *path
                                        && f.num.is_some_and(|n| num_matches(v, n))
                                })
                            })
                    })
                };
                // "... - kits, needles and notions excepted."
                let denied = listed_out
                    || full_price
                    || denied_after
                    || denied_next
                    || left_out
                    || before_it
                    || extra_next
                    || self.sentence_has(ti, &["excepted"])
                    || self.clause_has(
                        ti,
                        &[
                            "not",
                            "no",
                            "isn't",
                            "aren't",
                            "doesn't",
                            "don't",
                            "except",
                            "excluding",
                            "excludes",
                            "excluded",
                            "exclude",
                            "excepted",
                            "besides",
                            "other",
                            "outside",
                            "never",
                            // "Rentals, lessons and parking extra", "Goods cover is extra";
                            // "fuel and one-way fees are charged as normal".
                            "extra",
                            "normal",
                            "separately",
                            // "Guest henna is also separate, at AED 60 per guest".
                            "separate",
                            "aren't",
                            "isn't",
                            // "Potting mix has its own deal".
                            "own",
                            // "keeping your existing brass handles".
                            "existing",
                        ],
                    );
                // "The bundle includes gutter cleaning" offers it; "your Flex plan includes 2
                // hours of credit" says what the plan holds.
                // (Or a list the sentence says it includes: "Every registration includes a
                // club cap, insurance and the new club swimwear kit".)
                let includes_it = {
                    let (cs, _) = self.doc.clause(ti);
                    self.doc.toks[cs..ti]
                        .iter()
                        .any(|t| matches!(t.norm.as_str(), "includes" | "covers"))
                        || self.doc.toks[..ti]
                            .iter()
                            .rev()
                            .take_while(|t| {
                                t.sent == sent && !matches!(t.norm.as_str(), ":" | ";" | ".")
                            })
                            .any(|t| {
                                matches!(
                                    t.norm.as_str(),
                                    "includes" | "include" | "including" | "covers"
                                )
                            })
                };
                let offered = self.clause_has(ti, &OFFER_CUES)
                    || includes_it
                    || self.clause_has(
                        ti,
                        &[
                            "%", "works", "applies", "counts", "count", "included", "eligible",
                        ],
                    )
                    // "We also saw you looking at accommodation near Prospecton": "also"
                    // in a sentence about what the person did.
                    // (Unless the next sentence brings the offer to it: "I saw you were
                    // looking at patio heaters too. Good news: they're covered by the 20%".)
                    || (self.clause_has(ti, &["too", "also"])
                        && ((!self.clause_in_past(ti)
                            && !self.clause_has(ti, &["looking", "browsing", "viewed", "saw"]))
                            || {
                                let toks = &self.doc.toks;
                                let next = || {
                                    toks[ti..]
                                        .iter()
                                        .skip_while(|t| t.sent == sent)
                                        .take_while(|t| t.sent == sent + 1)
                                };
                                next().any(|t| {
                                    matches!(
                                        t.norm.as_str(),
                                        "covered" | "included" | "applies" | "eligible" | "discounted"
                                    )
                                }) && !next().any(|t| {
                                    matches!(
                                        t.norm.as_str(),
                                        "not" | "no" | "isn't" | "aren't" | "doesn't" | "don't"
                                    )
                                })
                            }))
                    || {
                        let (s, e) = self.doc.clause(ti);
                        self.doc.toks[s..e]
                            .iter()
                            .any(|t| self.facts.codes.contains(t.norm.as_str()))
                    };
                // "Halloween Glow Jump: Saturday 28th October. The same code works here
                // too": the next sentence brings the code to it.
                let next_brings = {
                    let toks = &self.doc.toks;
                    let next: Vec<&str> = toks[ti..]
                        .iter()
                        .skip_while(|t| t.sent == sent)
                        .take_while(|t| t.sent == sent + 1)
                        .map(|t| t.norm.as_str())
                        .collect();
                    let code = next
                        .iter()
                        .any(|w| *w == "code" || self.facts.codes.contains(*w));
                    code && next
                        .iter()
                        .any(|w| matches!(*w, "too" | "also" | "here" | "works" | "applies"))
                        && !next.iter().any(|w| {
                            matches!(*w, "not" | "no" | "doesn't" | "isn't" | "can't" | "cannot")
                        })
                };
                let offered = offered || next_brings;
                // "we'll replace the hydrostatic release unit at no extra charge", "removal
                // included free of charge": said to come with the offer, whatever "no" or
                // "extra" stand in the clause.
                let no_extra = {
                    let toks = self.doc.sentence(ti);
                    toks.windows(3).any(|w| {
                        w[0].norm == "no"
                            && matches!(w[1].norm.as_str(), "extra" | "additional")
                            && matches!(w[2].norm.as_str(), "charge" | "cost" | "fee")
                    }) || toks
                        .windows(3)
                        .any(|w| w[0].norm == "free" && w[1].norm == "of" && w[2].norm == "charge")
                };
                let (offered, denied) = if no_extra && !listed_out && !denied_after {
                    (true, false)
                } else {
                    (offered, denied)
                };
                // "Up to 60% off selected sample gowns" at the sample sale, "a complimentary
                // veil" at the trunk show: a thing another part of the campaign names has
                // deals of its own. Only this offer's code, its percentage or "too" / "same"
                // bring this offer to it.
                let offered = offered && {
                    let home = super::parent_path(path);
                    let elsewhere = self.facts.list.iter().any(|f| {
                        !f.personal
                            && !f.path.starts_with(home)
                            && f.stems.windows(n).any(|w| w == &value[..])
                    });
                    !elsewhere || next_brings || {
                        let (cs, ce) = self.doc.clause(ti);
                        let own_percents: Vec<f64> = self
                            .facts
                            .list
                            .iter()
                            .filter(|f| {
                                !f.personal
                                    && f.kind == crate::facts::FKind::Percent
                                    && f.path.starts_with(home)
                                    // (Not the discount it "can't be combined with".)
                                    && !f.key.contains("combin")
                                    && !f.key.contains("stack")
                            })
                            .filter_map(|f| f.num)
                            .collect();
                        // This offer's code: "15% off brewing equipment with code BREW15"
                        // is the subscriber perk's code, not the excluding offer's.
                        let own_code = |w: &str| {
                            self.facts.codes.contains(w)
                                && self.facts.list.iter().any(|f| {
                                    !f.personal
                                        && f.path.starts_with(home)
                                        && f.stems.len() == 1
                                        && f.stems[0] == w
                                })
                        };
                        let toks = &self.doc.toks[cs..ce];
                        // "There's 10% off shop tools on the night too": another deal's
                        // figure says whose the discount is, whatever "too" says.
                        let percent = |i: usize, t: &crate::text::Tok| {
                            (t.kind == TokKind::Num
                                && toks.get(i + 1).is_some_and(|p| p.norm == "%"))
                            .then(|| parse_num(&t.norm))
                            .flatten()
                        };
                        let others_figure = toks.iter().enumerate().any(|(i, t)| {
                            percent(i, t).is_some_and(|v| {
                                !own_percents.iter().any(|p| (p - v).abs() < 0.005)
                            })
                        });
                        !others_figure
                            && (toks.iter().enumerate().any(|(i, t)| {
                                own_code(t.norm.as_str())
                                    || matches!(t.norm.as_str(), "too" | "same")
                                    || (t.kind == TokKind::Num
                                        && toks.get(i + 1).is_some_and(|p| p.norm == "%")
                                        && parse_num(&t.norm).is_some_and(|v| {
                                            own_percents.iter().any(|p| (p - v).abs() < 0.005)
                                        }))
                            }) || self.sentence_has(ti, &["too", "same"]))
                    }
                };
                if !denied && offered {
                    let s = self.doc.toks[ti].start;
                    let e = self.doc.toks[self.doc.words[w0 + n - 1]].end;
                    hits.push((s, e, path.clone()));
                }
            }
        }
        for (s, e, path) in hits {
            self.flag(
                Kind::WrongOffer,
                s,
                e,
                format!("the campaign's offer excludes this (`{path}`)"),
                "offer.scope",
            );
        }
    }

    /// Fewer than the offer's minimum of a unit ("even a single night" against
    /// `min_nights: 2`, "teams of 3" against `min_seats: 5`).
    fn offer_unit_minimums(&mut self) {
        let mins = self.facts.offer_unit_minimums(self.rules);
        if mins.is_empty() {
            return;
        }
        let mut hits = Vec::new();
        for wi in 1..self.doc.words.len() {
            let ti = self.doc.words[wi];
            let norm = &self.doc.toks[ti].norm;
            // Stem only words that could be a unit named by a minimum.
            if !mins
                .iter()
                .any(|(u, _, _)| norm.starts_with(&u[..u.len().min(3)]))
            {
                continue;
            }
            let st = stem(norm);
            let Some((_, min, path)) = mins.iter().find(|(u, _, _)| *u == st) else {
                continue;
            };
            let Some(prev) = self.doc.word_before(wi, 1) else {
                continue;
            };
            let n = match prev.norm.as_str() {
                "single" | "one" => Some(1.0),
                "a" | "an" => None, // "$48 a bottle" is a price per unit
                w => parse_num(w).or_else(|| word_number(w)),
            };
            let Some(n) = n else { continue };
            // "the three bottles you ordered": what the person did, not the offer's terms.
            if self.clause_has(
                ti,
                &[
                    "ordered",
                    "bought",
                    "purchased",
                    "picked",
                    "booked",
                    "stayed",
                    "got",
                    "had",
                    "took",
                    "grabbed",
                ],
            ) {
                continue;
            }
            // "two nights or more", "at least 5 seats": the minimum itself.
            let at_least = (1..=3).any(|k| {
                self.doc.word_after(wi, k).is_some_and(|x| {
                    matches!(x.norm.as_str(), "more" | "plus" | "minimum" | "min" | "+")
                })
            }) || self
                .doc
                .word_before(wi, 2)
                .is_some_and(|x| matches!(x.norm.as_str(), "least" | "minimum" | "min"));
            let offered = self.clause_has(ti, &OFFER_CUES)
                || self.clause_has(ti, &["%", "$", "€", "£", "even", "just", "only"])
                    && self.sentence_has(ti, &OFFER_CUES);
            if n < *min && offered && !at_least {
                let s = prev.start;
                let e = self.doc.toks[ti].end;
                hits.push((s, e, path.clone(), *min));
            }
        }
        for (s, e, path, min) in hits {
            self.flag(
                Kind::WrongOffer,
                s,
                e,
                format!("the campaign's offer needs at least {min} (`{path}`)"),
                "offer.scope",
            );
        }
    }

    /// "a net 73 in the April Medal" when the round's `net` is 75: a figure written right
    /// after the name of one of the person's numeric fields must be a value of that field.
    pub(super) fn key_figures(&mut self) {
        for wi in 1..self.doc.words.len() {
            let ti = self.doc.words[wi];
            let t = &self.doc.toks[ti];
            if t.kind != TokKind::Num || ti == 0 {
                continue;
            }
            // The word just before, one space away: "net 73", not "net: 73" or "total $73".
            let prev = &self.doc.toks[ti - 1];
            if prev.kind != TokKind::Word
                || prev.end + 1 != t.start
                || prev.norm.len() < 3
                || prev.sent != t.sent
            {
                continue;
            }
            let Some(v) = parse_num(&t.norm) else {
                continue;
            };
            // "children 3-12", "Children 6 to 12": an age range, not a count of the person's.
            let range = self.doc.toks.get(ti + 1).is_some_and(|d| {
                matches!(d.norm.as_str(), "-" | "–" | "to")
                    && self
                        .doc
                        .toks
                        .get(ti + 2)
                        .is_some_and(|n| n.kind == TokKind::Num)
            });
            // "2 minutes 47 seconds": a duration, whatever fields are named.
            let unit_after = self.doc.word_after(wi, 1).is_some_and(|n| {
                matches!(
                    n.norm.as_str(),
                    "seconds" | "secs" | "second" | "minutes" | "mins" | "hours" | "hrs"
                )
            });
            // "for climbers 16 and over", "riders 12+": an age limit, not a count.
            let limit = self.doc.toks.get(ti + 1).is_some_and(|d| d.norm == "+")
                || matches!(
                    (self.doc.word_after(wi, 1), self.doc.word_after(wi, 2)),
                    (Some(a), Some(b)) if matches!(a.norm.as_str(), "and" | "or")
                        && matches!(b.norm.as_str(), "over" | "up" | "older" | "above" | "under" | "younger")
                );
            if range || unit_after || limit {
                continue;
            }
            // "Spring Term 2029" where the campaign says so: the campaign's, whatever term the
            // person is in now.
            let key_stem = stem(&prev.norm);
            let campaign_says = self.facts.list.iter().any(|g| {
                !g.personal
                    && g.stems.contains(&key_stem)
                    && self.facts.list.iter().any(|h| {
                        !h.personal && h.path == g.path && h.num.is_some_and(|n| num_matches(v, n))
                    })
            });
            // "Lot 14: 2058 Toyota RAV4" for the campaign's own `lot: 14`.
            let campaign_keyed = self.facts.list.iter().any(|g| {
                !g.personal && g.key == prev.norm && g.num.is_some_and(|n| num_matches(v, n))
            });
            if campaign_says || campaign_keyed {
                continue;
            }
            let mut keyed = false;
            let mut hit = None;
            for (i, f) in self.facts.list.iter().enumerate() {
                // A figure the field holds as its value (`net: 75`), not one inside a text
                // ("term": "Autumn 2028").
                if !f.personal || f.key != prev.norm || f.kind == crate::facts::FKind::Text {
                    continue;
                }
                let Some(n) = f.num else { continue };
                keyed = true;
                if num_matches(v, n) {
                    hit = Some(i);
                    break;
                }
            }
            // "Volume 22 of the Journal" for another item's "Journal Vol. 22": the figure
            // with the key's word (or its abbreviation) in one of the person's values.
            let in_a_value = || {
                self.facts.list.iter().any(|g| {
                    g.personal
                        && g.stems
                            .iter()
                            .any(|w| w.len() >= 3 && prev.norm.starts_with(w.as_str()))
                        && self.facts.list.iter().any(|h| {
                            h.personal
                                && h.path == g.path
                                && h.num.is_some_and(|n| num_matches(v, n))
                        })
                })
            };
            let (s, e) = (prev.start, t.end);
            match hit {
                Some(i) => self.use_fact(i, s, e),
                None if keyed && !in_a_value() => self.flag(
                    Kind::WrongFact,
                    s,
                    e,
                    format!(
                        "says {} {v}, but the record's `{}` holds other values",
                        prev.norm, prev.norm
                    ),
                    "grounding.figure",
                ),
                None => {}
            }
        }
    }

    /// "It was great having the six of you at the Showcase" when the booking was for four:
    /// "the N of you" / "all N of you" against the person's party sizes, when the record
    /// has any.
    pub(super) fn party_sizes(&mut self) {
        const PARTY_KEYS: [&str; 8] = [
            "party", "guests", "group", "people", "pax", "covers", "diners", "players",
        ];
        // Most emails say no "N of you" at all: one substring search decides.
        if !self.doc.lower.contains(" of you") {
            return;
        }
        let mut flags = Vec::new();
        for wi in 2..self.doc.words.len() {
            if self.doc.toks[self.doc.words[wi]].norm != "you"
                || self.doc.toks[self.doc.words[wi - 1]].norm != "of"
            {
                continue;
            }
            let n_tok = &self.doc.toks[self.doc.words[wi - 2]];
            let Some(n) = parse_num(&n_tok.norm).or_else(|| word_number(&n_tok.norm)) else {
                continue;
            };
            // "the six of you", "all four of you"; not "one of you", "some of you".
            let led = wi >= 3
                && matches!(
                    self.doc.toks[self.doc.words[wi - 3]].norm.as_str(),
                    "the" | "all" | "both"
                );
            // "the two of you" is a couple as often as a count; a party is said of an
            // outing that happened ("It was great having the six of you").
            if !led
                || n < 3.0
                || n_tok.sent != self.doc.toks[self.doc.words[wi]].sent
                || !self.clause_in_past(self.doc.words[wi])
            {
                continue;
            }
            let sizes = self.personal_numbers(|key| {
                fold(key).split(['_', ' ', '-']).any(|p| {
                    PARTY_KEYS
                        .iter()
                        .any(|w| p.trim_end_matches('s') == w.trim_end_matches('s'))
                })
            });
            if sizes.is_empty() {
                continue;
            }
            let (s, e) = (n_tok.start, self.doc.toks[self.doc.words[wi]].end);
            match sizes.iter().find(|(_, v)| num_matches(n, *v)) {
                Some(&(fi, _)) => self.use_fact(fi, s, e),
                None => {
                    let path = self.facts.list[sizes[0].0].path.to_string();
                    let said: Vec<String> = sizes.iter().map(|(_, v)| v.to_string()).collect();
                    flags.push((
                        s,
                        e,
                        format!(
                            "says a party of {n}, but the record's party sizes are {} (`{path}`)",
                            said.join(", ")
                        ),
                    ));
                }
            }
        }
        for (s, e, reason) in flags {
            self.flag(Kind::WrongFact, s, e, reason, "grounding.party_size");
        }
    }

    /// "the infection in Biscuit's right ear" when the record says the left ear: a side
    /// (left or right, upper or lower, front or rear) the person's facts give the other way
    /// round for the same thing.
    pub(super) fn sides(&mut self) {
        const SIDES: [(&str, &str); 6] = [
            ("left", "right"),
            ("right", "left"),
            ("upper", "lower"),
            ("lower", "upper"),
            ("front", "rear"),
            ("rear", "front"),
        ];
        for wi in 0..self.doc.words.len() {
            let ti = self.doc.words[wi];
            let Some(&(side, other)) = SIDES
                .iter()
                .find(|(s, _)| *s == self.doc.toks[ti].norm.as_str())
            else {
                continue;
            };
            let Some(next) = self.doc.word_after(wi, 1) else {
                continue;
            };
            // "Hang It Right: Gallery Wall Basics": punctuation between parts them.
            if next.kind != TokKind::Word || self.doc.words.get(wi + 1) != Some(&(ti + 1)) {
                continue;
            }
            let thing = stem(&next.norm);
            let names = |f: &crate::facts::Fact, s: &str| {
                f.stems.windows(2).any(|w| w[0] == s && w[1] == thing)
            };
            // The campaign says it too (a workshop's name): not the person's side of anything.
            if self
                .facts
                .list
                .iter()
                .any(|f| !f.personal && names(f, side))
            {
                continue;
            }
            let says = |f: &crate::facts::Fact, s: &str| f.personal && names(f, s);
            let theirs = self.facts.list.iter().position(|f| says(f, side));
            let opposite = self.facts.list.iter().position(|f| says(f, other));
            let (s, e) = (self.doc.toks[ti].start, next.end);
            match (theirs, opposite) {
                (Some(i), _) => self.use_fact(i, s, e),
                (None, Some(i)) => {
                    let path = self.facts.list[i].path.to_string();
                    self.flag(
                        Kind::WrongFact,
                        s,
                        e,
                        format!("says {side} {}, but `{path}` says {other}", next.norm),
                        "grounding.side",
                    );
                }
                (None, None) => {}
            }
        }
    }

    /// The value of the sum written out just before the amount whose first token is `at`:
    /// "2 x $56 + 3 x $28 = $196" gives 196. Terms are amounts, each optionally times a count
    /// ("3 x $28"), joined by `+` or `-`; `None` without an `=` before the amount or with
    /// fewer than two terms.
    fn written_sum(&self, at: usize) -> Option<f64> {
        let toks = &self.doc.toks;
        let is = |i: usize, w: &[&str]| w.contains(&toks[i].norm.as_str());
        let mut i = at.checked_sub(1)?;
        // "= S$1,625": the amount starts at its currency's letters.
        if toks[i].kind == TokKind::Word && toks[i].norm.len() <= 2 && toks[i].end == toks[at].start
        {
            i = i.checked_sub(1)?;
        }
        // "= ₱124,599": a sign the money scan does not take as one, right before the amount.
        if is(i, &SIGNS[5..]) && toks[i].end == toks[at].start {
            i = i.checked_sub(1)?;
        }
        if !is(i, &["="]) {
            return None;
        }
        let (mut total, mut terms) = (0.0, 0);
        loop {
            // ("₱3,999 + (36 × ₱3,350) = ₱124,599": a bracketed term.)
            let bracketed = i >= 1 && is(i - 1, &[")"]);
            if bracketed {
                i -= 1;
            }
            // Backwards: the number, its currency symbol, then perhaps "3 x".
            let n = i.checked_sub(1)?;
            if toks[n].kind != TokKind::Num || toks[n].sent != toks[at].sent {
                return None;
            }
            let mut value = parse_num(&toks[n].norm)?;
            let sym = n.checked_sub(1)?;
            if !is(sym, &SIGNS) {
                return None;
            }
            let mut j = sym;
            // "S$650", "A$90", "NZ$17": the letters that say whose dollar.
            if j >= 1
                && toks[j - 1].end == toks[sym].start
                && toks[j - 1].kind == TokKind::Word
                && toks[j - 1].norm.len() <= 2
            {
                j -= 1;
            }
            if j >= 2 && is(j - 1, &["x", "×", "*"]) && toks[j - 2].kind == TokKind::Num {
                value *= parse_num(&toks[j - 2].norm)?;
                j -= 2;
            }
            if bracketed {
                if j == 0 || !is(j - 1, &["("]) {
                    return None;
                }
                j -= 1;
            }
            terms += 1;
            let op = j.checked_sub(1).filter(|&o| {
                is(o, &["+", "-", "−"])
                    && o >= 1
                    && (toks[o - 1].kind == TokKind::Num || is(o - 1, &[")"]))
            });
            match op {
                Some(o) if is(o, &["+"]) => {
                    total += value;
                    i = o;
                }
                Some(o) => {
                    total -= value;
                    i = o;
                }
                None => {
                    total += value;
                    break;
                }
            }
        }
        (terms >= 2).then_some(total)
    }

    /// The last amount of each line that has one, as (line start, amount start, value), the
    /// value negative when a minus sign stands right before it ("Code SAVE120: -EUR 120").
    fn line_amounts(&self, money: &[(usize, usize, f64)]) -> Vec<(usize, usize, f64)> {
        let text = self.doc.text;
        let mut out: Vec<(usize, usize, f64)> = Vec::new();
        for &(s, _, v) in money {
            let line = text[..s].rfind('\n').map_or(0, |i| i + 1);
            // "-EUR 120", "-€120", "−£5": the sign right before the amount or its currency
            // letters ("Enrolment fee - EUR 45" is a dash, not a minus).
            let before = &text[line..s];
            let before = before
                .strip_suffix(' ')
                .filter(|b| b.ends_with(|c: char| c.is_ascii_uppercase()))
                .map_or(before, |b| {
                    b.trim_end_matches(|c: char| c.is_ascii_uppercase())
                });
            let neg = before.ends_with(['-', '−']);
            let v = if neg { -v } else { v };
            match out.last_mut() {
                Some(last) if last.0 == line => *last = (line, s, v),
                _ => out.push((line, s, v)),
            }
        }
        out
    }

    /// "Total: from EUR 1,685" under lines of EUR 780, -EUR 120, EUR 45 and EUR 980: the
    /// amount at `s`, on a line that says "total" (or "your price", "you pay", "balance
    /// due"), is the sum of the amounts on the lines just above it (one each, with no blank
    /// line between).
    fn itemized_total(&self, s: usize, v: f64, lines: &[(usize, usize, f64)]) -> bool {
        let text = self.doc.text;
        let line = text[..s].rfind('\n').map_or(0, |i| i + 1);
        let head = fold(&text[line..s]);
        // ("Total:", "= ", "Your price", "You pay", "Balance due", "Net cost".)
        let says_total = ["total", "price", "pay", "balance", "due", "net", "cost"]
            .iter()
            .any(|w| head.contains(w));
        // A sentence that sums up the list may stand a blank line under it ("That's $265");
        // a "Total:" row may not.
        let sums_up = [
            "that's",
            "that is",
            "altogether",
            "in all",
            "all in",
            "comes to",
        ]
        .iter()
        .any(|w| head.contains(w));
        if !says_total && !sums_up && !head.trim_start().starts_with('=') {
            return false;
        }
        let Some(at) = lines.iter().position(|l| l.0 == line) else {
            return false;
        };
        let (mut sum, mut terms, mut next_line) = (0.0, 0, line);
        for &(l, _, a) in lines[..at].iter().rev() {
            // The line must end right where the next one starts: no blank line, no line
            // without an amount, between the items and the total.
            // ("That's $265" may stand a blank line under the list it adds up.)
            let gap = &text[l..next_line];
            let breaks = gap.matches('\n').count();
            if breaks != 1 && !(sums_up && terms == 0 && breaks == 2 && gap.contains("\n\n")) {
                break;
            }
            sum += a;
            terms += 1;
            next_line = l;
            if terms >= 2 && (sum - v).abs() < 0.005 {
                return true;
            }
        }
        false
    }

    pub(super) fn money_percent_codes(&mut self) {
        let mut money: Vec<(usize, usize, f64)> = Vec::new();
        let mut percents: Vec<(usize, usize, f64)> = Vec::new();
        let toks = &self.doc.toks;
        for (i, t) in toks.iter().enumerate() {
            if t.kind != TokKind::Num {
                continue;
            }
            let Some(v) = parse_num(&t.norm) else {
                continue;
            };
            let prev = i.checked_sub(1).and_then(|p| toks.get(p));
            let next = toks.get(i + 1);
            let sym_before = prev.is_some_and(|p| {
                p.kind == TokKind::Punct
                    && matches!(p.norm.as_str(), "$" | "€" | "£" | "¥" | "r")
                    && p.end == t.start
            });
            // ("Breeze 2 $8,995": a sign that opens the next amount is not this one's.)
            let sym_after = next.is_some_and(|n| {
                (n.kind == TokKind::Punct
                    && matches!(n.norm.as_str(), "€" | "£" | "$")
                    && !toks
                        .get(i + 2)
                        .is_some_and(|m| m.kind == TokKind::Num && m.start == n.end))
                    || CURRENCY_WORDS.contains(&n.norm.as_str())
                    || crate::facts::is_currency_code(n)
            });
            let word_before = prev.is_some_and(|p| {
                CURRENCY_WORDS.contains(&p.norm.as_str()) || crate::facts::is_currency_code(p)
            });
            if sym_before || sym_after || word_before {
                // ("OMR 12.000" is twelve rials: some currencies are written to three decimals.)
                let mils = [prev, next].into_iter().flatten().any(|c| {
                    crate::facts::THREE_DECIMAL_CODES.contains(&c.norm.as_str())
                        || c.norm == "rials"
                });
                let v = if mils {
                    v
                } else {
                    crate::text::points_grouped(&t.norm).unwrap_or(v)
                };
                let s = if sym_before {
                    prev.map(|p| p.start).unwrap_or(t.start)
                } else {
                    t.start
                };
                money.push((s, t.end, v));
            } else if next.is_some_and(|n| n.norm == "%" || n.norm == "percent") {
                let e = next.map(|n| n.end).unwrap_or(t.end);
                percents.push((i, e, v));
            }
        }
        // "a $30 hardcover comes to $24": an example price, and what the offer makes of it.
        let mut examples: Vec<f64> = Vec::new();
        let percents_off: Vec<f64> = self
            .facts
            .list
            .iter()
            .filter(|f| !f.personal && f.kind == crate::facts::FKind::Percent)
            .filter_map(|f| f.num)
            .collect();
        let mut example_sentences: Vec<usize> = Vec::new();
        for &(s, _, v) in &money {
            let ti = self.doc.toks.iter().position(|t| t.start >= s).unwrap_or(0);
            let article = ti
                .checked_sub(1)
                .and_then(|p| self.doc.toks.get(p))
                .is_some_and(|p| matches!(p.norm.as_str(), "a" | "an" | "say"))
                // "a record for $18 comes to $14.40", "Eine Platte für 18,00 € kostet dann
                // 14,40 €": a price given for one thing of a kind.
                || (ti >= 2
                    && matches!(
                        self.doc.toks[ti - 1].norm.as_str(),
                        "for" | "fur" | "für" | "pour" | "at"
                    )
                    && self.doc.toks[ti.saturating_sub(4)..ti - 1].iter().any(|p| {
                        matches!(p.norm.as_str(), "a" | "an" | "ein" | "eine" | "une" | "un")
                    }));
            // "Quick example: $80 of books becomes $72 with your discount, then $62": the
            // first amount of a sentence that gives an example (the rest are worked from it).
            let sent = self.doc.toks[ti].sent;
            let first_in_sentence = example_sentences.last() != Some(&sent);
            example_sentences.push(sent);
            // ("Say you order C$600 in euros: no fee." "At C$450, though, the order falls
            // under the minimum": a figure put to the campaign's rule, to show it.)
            let supposed = {
                let (ss, _) = self.doc.sent_range[sent];
                self.doc.toks[ss..]
                    .iter()
                    .find(|t| t.is_word())
                    .is_some_and(|w| {
                        matches!(w.norm.as_str(), "say" | "suppose" | "imagine" | "let's")
                    })
            };
            let example = article
                || (first_in_sentence
                    && (supposed
                        || self.sentence_has(ti, &["example", "instance"])
                        || self.sentence_has(ti, &["minimum", "threshold"])
                            && self
                                .sentence_has(ti, &["under", "below", "above", "short", "falls"])
                            && !self.sentence_has(ti, &["your", "you've", "spent", "paid"])));
            if example && !examples.iter().any(|x| (x - v).abs() < 0.005) {
                examples.push(v);
                for p in &percents_off {
                    let after = v * (1.0 - p / 100.0);
                    examples.push(after);
                    examples.push(v * p / 100.0);
                    for off in self.facts.money_offs() {
                        examples.push(after - off);
                    }
                }
                for off in self.facts.money_offs() {
                    examples.push(v - off);
                }
            }
        }
        // The campaign's amounts, each marked when it is a spend threshold (a minimum order, a
        // free-delivery floor). (Only read for amounts of money, and finding thresholds scans
        // the facts for each amount fact.)
        let campaign_amounts: Vec<(f64, bool)> = if money.is_empty() {
            Vec::new()
        } else {
            self.facts
                .list
                .iter()
                .filter(|f| !f.personal && f.kind == crate::facts::FKind::Amount)
                .filter_map(|f| f.num.map(|n| (n, self.is_spend_threshold(f))))
                .collect()
        };
        let thresholds: Vec<f64> = campaign_amounts
            .iter()
            .filter(|(_, threshold)| *threshold)
            .map(|(n, _)| *n)
            .collect();
        // Amounts accepted so far: another may add two of them up.
        let mut accepted: Vec<f64> = Vec::new();
        // Amounts no fact gives, judged once every other amount is known.
        let mut pending: Vec<(usize, usize, f64)> = Vec::new();
        // Each line's last amount, signed: the items of a list that a "Total:" line adds up.
        let line_amounts = self.line_amounts(&money);
        for (s, e, v) in money {
            if examples.iter().any(|x| (x - v).abs() < 0.005) {
                accepted.push(v);
                continue;
            }
            // "£10 off when you spend £50 or more" against a £60 minimum: a threshold must be
            // one of the campaign's, even when another figure happens to equal it.
            // "spend another $16 and you'll have a $10 voucher": what is left to a threshold
            // (200 points less the 184 the person has), not a threshold.
            if self.states_remainder(s, e) {
                if self.is_difference(v) {
                    accepted.push(v);
                    continue;
                }
            } else if !thresholds.is_empty() && self.states_threshold(s, e) {
                if thresholds.iter().any(|t| num_matches(v, *t)) {
                    // "R149 900 - just R100 under the threshold": another may be worked
                    // from it.
                    accepted.push(v);
                    continue;
                }
                let ti = self.doc.toks.iter().position(|t| t.start >= s).unwrap_or(0);
                // "twelve Coxswain debit orders of R250" for the person's R250 debit orders:
                // their own amount, in a sentence to them.
                let own_amount = self.doc.sent_personal(ti)
                    && self.facts.list.iter().any(|f| {
                        f.personal
                            && f.kind == crate::facts::FKind::Amount
                            && f.num.is_some_and(|x| (x - v).abs() < 0.005)
                    });
                if !own_amount
                    && (!self.clause_has(ti, &["you", "your", "you've"])
                        || self.clause_has(ti, &OFFER_CUES))
                {
                    let mins: Vec<String> = thresholds.iter().map(|t| t.to_string()).collect();
                    self.flag(
                        Kind::WrongOffer,
                        s,
                        e,
                        format!(
                            "states a spend threshold of {v}, but the campaign's are {}",
                            mins.join(", ")
                        ),
                        "offer.minimum",
                    );
                    continue;
                }
            }
            // "$239.40 a year works out to $19.95 a month": a price per month is a yearly
            // one over twelve, and the other way round.
            let per = {
                let ti = self.doc.toks.iter().position(|t| t.start >= e).unwrap_or(0);
                let next: Vec<&str> = self.doc.toks[ti..(ti + 3).min(self.doc.toks.len())]
                    .iter()
                    .map(|t| t.norm.as_str())
                    .collect();
                // ("2,70 € al mes", "pro Monat", "par mois".)
                if next.iter().any(|w| {
                    matches!(
                        *w,
                        "month" | "monthly" | "mo" | "mes" | "monat" | "mois" | "maand" | "mese"
                    )
                }) {
                    Some(12.0)
                } else if next
                    .iter()
                    .any(|w| matches!(*w, "year" | "yearly" | "annually"))
                {
                    Some(1.0 / 12.0)
                } else {
                    None
                }
            };
            if let Some(name) = self.named_price_conflict(s, v, &percents_off) {
                let name = name.to_string();
                self.flag(
                    Kind::WrongOffer,
                    s,
                    e,
                    format!("states {v} as the price of `{name}`, which none of its figures gives"),
                    "offer.amount",
                );
                continue;
            }
            // Without consent to profiling, an amount the campaign's figures give ("3 nights
            // at $34: $102") is the campaign's, even when one of the person's equals it.
            let campaign_first = if self.facts.recipient.profiling_allowed() {
                None
            } else {
                self.facts
                    .campaign_money_exact(v)
                    .or_else(|| self.scaled_money_fact(s, v))
            };
            let found = campaign_first
                .or_else(|| self.facts.money_fact(v))
                .or_else(|| per.and_then(|k| self.facts.money_fact_exact(v * k)))
                .or_else(|| self.scaled_money_fact(s, v));
            if let Some(fi) = found {
                if fi != usize::MAX {
                    self.use_fact(fi, s, e);
                }
                accepted.push(v);
                continue;
            }
            // "2 x $56 + 3 x $28 = $196": the sum written out before it adds up.
            let written = {
                let ti = self.doc.toks.iter().position(|t| t.start >= s).unwrap_or(0);
                self.written_sum(ti)
            };
            if written.is_some_and(|w| (w - v).abs() < 0.005)
                || self.itemized_total(s, v, &line_amounts)
            {
                accepted.push(v);
                continue;
            }
            pending.push((s, e, v));
        }
        // Worked from the email's own accepted figures, wherever they stand (a subject may
        // give the total its body then breaks down): a running total ("$231.20 plus the $15
        // fee: $246.20"; "$90, less $9: $81"), or a figure with a percentage the email or the
        // campaign states taken off or added on ("$330.00, less 10% = $297.00, then a further
        // 5% = $282.15"; "S$1,200 (S$1,308 incl. 9% GST)"). Repeated until nothing more adds up.
        let mut rates: Vec<f64> = percents.iter().map(|&(_, _, p)| p).collect();
        rates.extend(&percents_off);
        rates.retain(|p| *p > 0.0 && *p < 100.0);
        if !pending.is_empty() {
            // "$53.76 with GST and PST": two taxes the campaign states (5% and 7%) added on
            // together.
            // (`rates` holds the campaign's percentages and the email's.)
            let tax_rates: Vec<f64> = rates.iter().copied().filter(|p| *p < 30.0).collect();
            for (i, a) in tax_rates.iter().enumerate() {
                for b in &tax_rates[i + 1..] {
                    if (a - b).abs() > 0.005 && !rates.iter().any(|r| (r - (a + b)).abs() < 0.005) {
                        rates.push(a + b);
                    }
                }
            }
        }
        // Counts and measures stated by each amount left: "three monthly instalments of
        // R11 900" (R35 700 / 3), "a 250 g wedge comes to €6.80" (€27.20 a kilo x 0.25).
        let factors: Vec<Vec<f64>> = pending
            .iter()
            .map(|&(s, _, _)| {
                let mut f = self.factors_near(s);
                f.extend(self.counts_of_unit(s));
                f
            })
            .collect();
        let mut pending: Vec<(usize, usize, f64, Vec<f64>)> = pending
            .into_iter()
            .zip(factors)
            .map(|((s, e, v), f)| (s, e, v, f))
            .collect();
        // "fill a basket with £45 of bulbs, enter BULB20, and you'll pay £36": an example
        // amount and what the campaign's discount makes of it, in one sentence. Neither is a
        // campaign figure, but the pair is worked exactly; a pair the discount does not join
        // ("£45 ... £35") stays pending.
        if pending.len() >= 2 {
            let offs = self.facts.money_offs();
            let sent_of = |s: usize| {
                let ti = self.doc.toks.iter().position(|t| t.start >= s).unwrap_or(0);
                self.doc.toks.get(ti).map(|t| t.sent)
            };
            let sents: Vec<Option<usize>> = pending.iter().map(|p| sent_of(p.0)).collect();
            let mut worked = vec![false; pending.len()];
            for i in 0..pending.len() {
                for j in i + 1..pending.len() {
                    if sents[i].is_none() || sents[i] != sents[j] {
                        continue;
                    }
                    let (a, b) = (pending[i].2, pending[j].2);
                    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
                    let joined = percents_off.iter().any(|p| {
                        *p > 0.0 && *p < 100.0 && (hi * (1.0 - p / 100.0) - lo).abs() < 0.005
                    }) || offs.iter().any(|o| (hi - o - lo).abs() < 0.005);
                    if joined && (hi - lo).abs() >= 0.005 {
                        worked[i] = true;
                        worked[j] = true;
                    }
                }
            }
            let mut k = 0;
            pending.retain(|p| {
                let w = worked[k];
                k += 1;
                if w {
                    accepted.push(p.2);
                }
                !w
            });
        }
        // "273,60 € for all 9 home matches, 30,40 € a match": per unit of a campaign count.
        let units = if pending.is_empty() {
            Vec::new()
        } else {
            let mut u = self.facts.campaign_units();
            // "$4,800 a pair ($2,400 per ear)": a campaign that prices pairs.
            if self
                .facts
                .list
                .iter()
                .any(|f| !f.personal && f.stems.iter().any(|w| w == "pair"))
            {
                u.push(2.0);
            }
            u
        };
        // "$210.60 + $234.90, less the $25 sibling discount: $420.50".
        let offs: Vec<f64> = if pending.is_empty() {
            Vec::new()
        } else {
            self.facts.money_offs().to_vec()
        };
        // "A single box is $121.65 delivered": a worked figure plus a fee the campaign
        // states ($109.65 and the $12 delivery), the fee itself not written.
        let fees: Vec<f64> = campaign_amounts
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| *n > 0.0)
            .collect();
        // "about $353 a month" for $16,950 over 48 months: a quotient rounded, said so.
        let approx_at: Vec<usize> = pending
            .iter()
            .filter(|p| self.approximate_at(p.0))
            .map(|p| p.0)
            .collect();
        loop {
            let before = pending.len();
            pending.retain(|(s, _, v, factors)| {
                let v = *v;
                let approx = approx_at.contains(s);
                let sum = accepted.iter().enumerate().any(|(i, a)| {
                    accepted[i + 1..]
                        .iter()
                        .any(|b| (a + b - v).abs() < 0.005 || ((a - b).abs() - v).abs() < 0.005)
                });
                // Taken off or added on, the percentage itself ("a 30% deposit: R15 300"),
                // or the tax inside a price that includes it ("$730, which includes $95.22
                // GST": 730 x 15/115).
                let rated = accepted.iter().any(|a| {
                    rates.iter().any(|p| {
                        (a * (1.0 - p / 100.0) - v).abs() < 0.005
                            || (a * (1.0 + p / 100.0) - v).abs() < 0.005
                            || (a * p / 100.0 - v).abs() < 0.005
                            || (a * p / (100.0 + p) - v).abs() < 0.005
                            // "tops out at $150 - you'd reach that on $1,000": the amount
                            // the percentage gives the cap of.
                            || (v * p / 100.0 - a).abs() < 0.005
                    })
                });
                let factored = accepted.iter().any(|a| {
                    factors.iter().any(|k| {
                        (a / k - v).abs() < 0.005
                            || (a * k - v).abs() < 0.005
                            || (approx && *k >= 2.0 && (a / k - v).abs() <= 0.5)
                    })
                });
                // "$319.20 for the first 12, plus 4 extras at $24 each = $415.20"; "two
                // children come to $390" ($202.50 each, less the $15 sibling discount): one
                // figure plus a counted other, or a counted figure less an amount off.
                let combined = !factors.is_empty()
                    && accepted.iter().enumerate().any(|(i, a)| {
                        factors.iter().any(|k| {
                            offs.iter().any(|o| (a * k - o - v).abs() < 0.005)
                                || accepted
                                    .iter()
                                    .enumerate()
                                    .any(|(j, b)| i != j && (a + k * b - v).abs() < 0.005)
                        })
                    });
                let per_unit = accepted.iter().any(|a| {
                    units
                        .iter()
                        .any(|u| (a / u - v).abs() < 0.005 || (a * u - v).abs() < 0.005)
                });
                let sum_less_off = !offs.is_empty()
                    && accepted.iter().enumerate().any(|(i, a)| {
                        accepted[i + 1..]
                            .iter()
                            .any(|b| offs.iter().any(|o| (a + b - o - v).abs() < 0.005))
                    });
                // "Cabinetry $19,400, appliances $8,200, countertops $4,300: $31,900 in
                // all": three figures added up (few enough to try every three).
                let sum3 = !sum
                    && accepted.len() <= 12
                    && (0..accepted.len()).any(|i| {
                        (i + 1..accepted.len()).any(|j| {
                            (j + 1..accepted.len()).any(|k| {
                                (accepted[i] + accepted[j] + accepted[k] - v).abs() < 0.005
                            })
                        })
                    });
                let plus_fee = accepted
                    .iter()
                    .any(|a| fees.iter().any(|f| (a + f - v).abs() < 0.005));
                let ok = sum
                    || sum3
                    || rated
                    || per_unit
                    || sum_less_off
                    || factored
                    || combined
                    || plus_fee;
                if ok {
                    accepted.push(v);
                }
                !ok
            });
            if pending.len() == before {
                break;
            }
        }
        for (s, e, v, _) in pending {
            let ti = self.doc.toks.iter().position(|t| t.start >= s).unwrap_or(0);
            // About the person: "you spent $X", "the $X boots you bought", "your $X order".
            let your_before = ti
                .checked_sub(1)
                .and_then(|p| self.doc.toks.get(p))
                .is_some_and(|p| p.norm == "your");
            let personal = self.doc.sent_personal(ti)
                && (your_before
                    || self.clause_has(
                        ti,
                        &[
                            "spent",
                            "paid",
                            "bought",
                            "purchased",
                            "ordered",
                            "booked",
                            "received",
                            "refunded",
                        ],
                    )
                    // "your Kyoto trip cost $2,140".
                    || (self.clause_has(ti, &["cost", "came", "totaled", "totalled", "was"])
                        && self.clause_has(ti, &["your"])))
                && !self.clause_has(ti, &OFFER_CUES[..3]);
            if personal {
                let kind = if self.facts.has_personal_amount {
                    Kind::WrongFact
                } else {
                    Kind::FabricatedFact
                };
                self.flag(
                    kind,
                    s,
                    e,
                    format!("states an amount ({v}) no recipient fact supports"),
                    "grounding.amount",
                );
            } else {
                self.flag(
                    Kind::WrongOffer,
                    s,
                    e,
                    format!("states an amount ({v}) that is not in the campaign facts"),
                    "offer.amount",
                );
            }
        }
        for (ti, e, v) in percents {
            if !self.sentence_has(ti, &OFFER_CUES) {
                continue;
            }
            let s = self.doc.toks[ti].start;
            // "Take 20% off with code AUTUMN25" for an offer of 25% off: with the code in the
            // sentence, the percentage is one the campaign states as one, not any of its
            // figures that happens to be 20 (a $20 member ticket) or a saving worked out of
            // two of its prices.
            let coded = self.doc.sentence(ti).iter().any(|t| {
                t.kind == TokKind::Word
                    && t.norm.bytes().any(|b| b.is_ascii_digit())
                    && self.facts.codes.contains(t.norm.as_str())
            });
            let stated = |x: f64| {
                self.facts.list.iter().any(|f| {
                    !f.personal
                        && f.kind == crate::facts::FKind::Percent
                        && f.num.is_some_and(|n| num_matches(x, n))
                })
            };
            let any_stated =
                self.facts.list.iter().any(|f| {
                    !f.personal && f.kind == crate::facts::FKind::Percent && f.num.is_some()
                });
            if self.facts.campaign_percent(v) && !(coded && any_stated && !stated(v)) {
                continue;
            }
            // "battery's at 62%" for a test's `health_percent: 62`: the person's own figure.
            let own = self.facts.list.iter().position(|f| {
                f.personal
                    && f.num.is_some_and(|n| num_matches(v, n))
                    && (f.kind == crate::facts::FKind::Percent
                        || f.key.contains("percent")
                        || f.key.contains("pct"))
            });
            if let Some(fi) = own {
                self.use_fact(fi, s, e);
                continue;
            }
            // "$14.90 instead of $18.40 - that's $3.50 off, about 19%": a share worked from
            // two amounts of the sentence, said as a rounded figure.
            if self.approximate_at(s) {
                let amounts: Vec<f64> = self
                    .doc
                    .sentence(ti)
                    .iter()
                    .filter(|t| t.kind == TokKind::Num && t.start != s)
                    .filter_map(|t| parse_num(&t.norm))
                    .filter(|a| *a > 0.0)
                    .collect();
                let share = amounts.iter().any(|a| {
                    amounts
                        .iter()
                        .any(|b| a < b && (a / b * 100.0 - v).abs() < 1.0)
                });
                if share {
                    continue;
                }
            }
            self.flag(
                Kind::WrongOffer,
                s,
                e,
                format!("states {v}% but the campaign's discount is different or absent"),
                "offer.percent",
            );
        }
        // Codes: ALL-CAPS tokens with digits, or the word after "code".
        let mut codes: Vec<usize> = Vec::new();
        for wi in 0..self.doc.words.len() {
            let ti = self.doc.words[wi];
            let t = &self.doc.toks[ti];
            if self.doc.in_url[ti] || t.kind != TokKind::Word {
                continue;
            }
            let has_digit = t.norm.chars().any(|c| c.is_ascii_digit());
            let has_alpha = t.norm.chars().any(|c| c.is_alphabetic());
            let after_code = self.doc.word_before(wi, 1).is_some_and(|p| {
                matches!(p.norm.as_str(), "code" | "coupon" | "promo" | "promocode")
            }) && (t.all_caps || has_digit);
            // "2.3GB", "500ML": a quantity and its unit, not a code.
            let quantity = {
                let unit = t
                    .norm
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',');
                unit.len() <= 3
                    && unit.len() < t.norm.len()
                    && unit.chars().all(|c| c.is_ascii_alphabetic())
            };
            // "U10-U16", "Y7-Y9": a range of divisions or years (one letter prefix, two
            // numbers), not a code.
            let range = t.norm.split_once('-').is_some_and(|(a, b)| {
                fn split(x: &str) -> Option<&str> {
                    let d = x.find(|c: char| c.is_ascii_digit())?;
                    let (p, n) = x.split_at(d);
                    (!p.is_empty()
                        && p.chars().all(|c| c.is_ascii_alphabetic())
                        && n.chars().all(|c| c.is_ascii_digit()))
                    .then_some(p)
                }
                split(a).is_some() && split(a) == split(b)
            });
            let code_shape =
                t.all_caps && has_digit && has_alpha && t.norm.len() >= 4 && !quantity && !range;
            if after_code || code_shape {
                codes.push(ti);
            }
        }
        for ti in codes {
            let t = &self.doc.toks[ti];
            // ("Samsung MLT-D111S: €22.00" where the price list names that toner: a model
            // the facts hold, stemmed as they are.)
            if self.facts.codes.contains(t.norm.as_str())
                || !self.facts.with_stem(&t.norm).is_empty()
                || !self.facts.with_stem(&stem(&t.norm)).is_empty()
            {
                continue;
            }
            let (s, e, code) = (t.start, t.end, t.norm.to_ascii_uppercase());
            let reason = if self.facts.codes.is_empty() {
                format!("states the code {code}, but the campaign facts have no code")
            } else {
                format!("states the code {code}, which is not the campaign's code")
            };
            self.flag(Kind::WrongOffer, s, e, reason, "offer.code");
        }
    }

    /// The counts and measures written in the sentence of the amount at `start` or the one
    /// before it, as factors an amount may be multiplied or divided by: whole numbers from 2
    /// to 1,000 that are not money or a percentage ("three instalments", "130 guests"), and
    /// grams or millilitres as thousandths of a kilo or a litre ("a 250 g wedge": 0.25).
    /// "R180 a blind would be R540", after "three blockout roller blinds" anywhere in the
    /// email: the counts the email states of the unit a price in this sentence is per.
    fn counts_of_unit(&self, start: usize) -> Vec<f64> {
        let toks = &self.doc.toks;
        let Some(ti) = toks.iter().position(|t| t.start >= start) else {
            return Vec::new();
        };
        let sent = toks[ti].sent;
        let mut units: Vec<String> = Vec::new();
        for j in 0..toks.len() {
            if toks[j].sent != sent || toks[j].kind != TokKind::Num {
                continue;
            }
            let money = j
                .checked_sub(1)
                .is_some_and(|p| matches!(toks[p].norm.as_str(), "$" | "€" | "£" | "r"));
            let per = toks
                .get(j + 1)
                .is_some_and(|x| matches!(x.norm.as_str(), "a" | "an" | "per" | "each"));
            if let (true, true, Some(u)) = (money, per, toks.get(j + 2)) {
                if u.kind == TokKind::Word && u.norm.len() > 2 {
                    units.push(stem(&u.norm));
                }
            }
        }
        if units.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        // `"sessions": [six dates]` for "£42.50 a session": how many items the campaign's
        // list of the unit holds.
        for u in &units {
            let items = self
                .facts
                .list
                .iter()
                .filter(|f| !f.personal && stem(&f.key) == *u)
                .filter_map(|f| {
                    let (_, i) = f.path.strip_suffix(']')?.rsplit_once('[')?;
                    i.parse::<usize>().ok()
                })
                .max();
            if let Some(i) = items.filter(|i| *i >= 1) {
                out.push((i + 1) as f64);
            }
        }
        for (wi, &wt) in self.doc.words.iter().enumerate() {
            let t = &toks[wt];
            let n = match t.kind {
                TokKind::Num => parse_num(&t.norm),
                _ => word_number(&t.norm),
            };
            let Some(n) = n.filter(|n| *n >= 2.0 && n.fract() == 0.0) else {
                continue;
            };
            if self.amount_at(wi) {
                continue;
            }
            let counts_unit = (1..=4).any(|k| {
                self.doc
                    .word_after(wi, k)
                    .is_some_and(|x| units.contains(&stem(&x.norm)))
            });
            if counts_unit {
                out.push(n);
            }
        }
        out
    }

    fn factors_near(&self, start: usize) -> Vec<f64> {
        let toks = &self.doc.toks;
        let Some(ti) = toks.iter().position(|t| t.start >= start) else {
            return Vec::new();
        };
        let sent = toks[ti].sent;
        let mut out = Vec::new();
        for (j, t) in toks.iter().enumerate() {
            if t.sent > sent || t.sent + 1 < sent {
                continue;
            }
            let n = match t.kind {
                TokKind::Num => {
                    let money = j.checked_sub(1).and_then(|p| toks.get(p)).is_some_and(|p| {
                        p.end == t.start && matches!(p.norm.as_str(), "$" | "€" | "£" | "r")
                    });
                    let percent = toks
                        .get(j + 1)
                        .is_some_and(|n| n.norm == "%" || n.norm == "percent");
                    if money || percent {
                        continue;
                    }
                    // "250g" as one token.
                    let digits = t.norm.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                    let unit = &t.norm[digits.len()..];
                    match (parse_num(digits), unit) {
                        (Some(n), "g" | "ml") => {
                            out.push(n / 1000.0);
                            continue;
                        }
                        (Some(n), "") => n,
                        _ => continue,
                    }
                }
                // "both cars would come to R13 800": two of them; "bei vier Personen".
                TokKind::Word => match crate::text::word_number(&t.norm)
                    .or_else(|| foreign_number_word(&t.norm))
                    .or_else(|| (!t.cap).then(|| times_token(&t.norm)).flatten())
                    .or_else(|| (t.norm == "both").then_some(2.0))
                    .or_else(|| days_in(&t.norm))
                {
                    Some(n) if n >= 2.0 => n,
                    _ => continue,
                },
                _ => continue,
            };
            match toks.get(j + 1).map(|u| u.norm.as_str()) {
                Some("g" | "gr" | "gram" | "grams" | "ml") => out.push(n / 1000.0),
                Some("cl") => out.push(n / 100.0),
                _ if n.fract() == 0.0 && (2.0..=1000.0).contains(&n) => out.push(n),
                _ => {}
            }
        }
        out
    }

    /// An amount worked out for a quantity the email states nearby: "two nights at a $240
    /// rate would come to $336 instead of $480" (2 × $240, less 30%), "three months comes to
    /// $51, or $17 a bag" ($51 ÷ 3), "two hardcovers ... you'd pay $40.40" (2 × $28 less 10%,
    /// less $10). The quantity is a whole number from 2 to 12 written in the amount's sentence
    /// or the one before (anywhere in the email for an amount in the subject), or the number
    /// a compound starts with ("3-Day"); the result must equal a campaign figure or one worked
    /// out from the campaign's figures, to the cent (a person's own amounts, worked over, match
    /// too much).
    fn scaled_money_fact(&self, start: usize, v: f64) -> Option<usize> {
        let toks = &self.doc.toks;
        let ti = toks.iter().position(|t| t.start >= start)?;
        let sent = toks[ti].sent;
        // A subject line sums up the body: its figures may rest on a quantity the body states.
        let whole = self.doc.in_subject(ti);
        let mut counts: Vec<f64> = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            if !whole && t.sent > sent {
                break;
            }
            if !whole && t.sent + 1 < sent {
                continue;
            }
            let n = match t.kind {
                TokKind::Num => {
                    // Not itself money or a percentage.
                    let money = i
                        .checked_sub(1)
                        .and_then(|p| toks.get(p))
                        .is_some_and(|p| matches!(p.norm.as_str(), "$" | "€" | "£" | "¥" | "r"));
                    let pct = toks
                        .get(i + 1)
                        .is_some_and(|n| n.norm == "%" || n.norm == "percent");
                    if money || pct {
                        continue;
                    }
                    parse_num(&t.norm)
                }
                TokKind::Word if !matches!(t.norm.as_str(), "a" | "an" | "no" | "couple") => {
                    // "3-Day Lift Ticket", "two-night stay": the number a compound starts with.
                    let head = t.norm.split('-').next().unwrap_or_default();
                    word_number(head)
                        .or_else(|| {
                            (head.len() < t.norm.len())
                                .then(|| parse_num(head))
                                .flatten()
                        })
                        // ("x2", not "Aurora X2 headphones")
                        .or_else(|| (!t.cap).then(|| times_token(&t.norm)).flatten())
                        .or_else(|| days_in(&t.norm))
                }
                _ => None,
            };
            if let Some(n) = n.filter(|n| {
                n.fract() == 0.0 && ((2.0..=12.0).contains(n) || days_in(&t.norm) == Some(*n))
            }) {
                if !counts.contains(&n) {
                    counts.push(n);
                }
            }
        }
        for u in counts {
            let mut tries = vec![v / u, v * u];
            tries.extend(self.facts.money_offs().iter().map(|off| (v + off) / u));
            if let Some(i) = tries
                .iter()
                .find_map(|x| self.facts.campaign_money_exact(*x))
            {
                return Some(i);
            }
        }
        None
    }

    /// "the Winter Worm Bundle is $169": an amount stated as the price of a thing the campaign
    /// names and prices, that none of that thing's own figures gives. Amounts worked across
    /// the campaign's other figures (a workshop's $20 off the bundle's $189) don't excuse it:
    /// the sentence says what this one thing costs. Returns the thing's name path.
    /// (`percents`: the campaign's percentages, read once per email by the caller.)
    fn named_price_conflict(&self, start: usize, v: f64, percents: &[f64]) -> Option<&str> {
        let toks = &self.doc.toks;
        let ti = toks.iter().position(|t| t.start >= start)?;
        let wi = self.doc.words.iter().position(|&w| w >= ti)?;
        // ("$189 off", "$30 more", "a $35 deposit": not the thing's price.)
        if self.doc.word_after(wi, 1).is_some_and(|w| {
            matches!(
                w.norm.as_str(),
                "off" | "less" | "more" | "extra" | "saving" | "savings" | "deposit" | "discount"
                    | "credit" | "voucher" | "fee" | "back" | "cheaper" | "per" | "each" | "a"
            )
        }) || (self.doc.word_after(wi, 1).is_some_and(|w| w.norm == "for")
            && self.doc.word_after(wi, 2).is_some_and(|w| {
                word_number(&w.norm).is_some() || parse_num(&w.norm).is_some()
            }))
            // ("R175 for your first box, delivered": a fee on top.)
            || self.sentence_has(
                ti,
                &[
                    "delivered", "delivery", "shipping", "shipped", "postage", "installed",
                    "incl", "including", "plus", "with",
                ],
            )
        {
            return None;
        }
        // The link between the name and the amount: "is", "costs", "for", "at", "now", "just",
        // "only", or a colon or dash; at most two of them.
        let mut k = ti;
        let mut links = 0;
        while k > 0 && links <= 2 {
            let p = &toks[k - 1];
            let link = matches!(
                p.norm.as_str(),
                "is" | "costs" | "now" | "just" | "only" | "for" | "at" | ":" | "-" | "–" | "—"
            );
            if !link {
                break;
            }
            k -= 1;
            links += 1;
        }
        if links == 0 || (k < ti && toks[k].sent != toks[ti].sent) {
            return None;
        }
        let words_before: Vec<String> = toks[..k]
            .iter()
            .rev()
            .take_while(|t| t.sent == toks[ti].sent)
            .filter(|t| t.is_word())
            .take(8)
            .map(|t| stem(&t.norm))
            .collect();
        let named = self.facts.list.iter().find(|f| {
            let n = f.stems.len();
            !f.personal
                && (f.key == "name" || f.key.ends_with("_name"))
                && n >= 2
                && n <= words_before.len()
                && f.stems.iter().rev().zip(&words_before).all(|(a, b)| a == b)
        })?;
        // "Furnace tune-up + water heater flush for $208": two things priced together.
        let before_name = {
            let mut seen = 0;
            let mut j = k;
            while j > 0 && seen < named.stems.len() {
                j -= 1;
                if toks[j].is_word() {
                    seen += 1;
                }
            }
            j.checked_sub(1)
                .map(|p| &toks[p])
                .filter(|t| t.sent == toks[ti].sent)
                .map(|t| t.norm.as_str())
        };
        if before_name.is_some_and(|w| matches!(w, "+" | "and" | "plus" | "&" | "with")) {
            return None;
        }
        let parent = super::parent_path(&named.path);
        if parent.is_empty() {
            return None;
        }
        let under = |p: &str| {
            p.len() > parent.len() && p.starts_with(parent) && p.as_bytes()[parent.len()] == b'.'
        };
        let own: Vec<f64> = self
            .facts
            .numbers
            .iter()
            .filter(|(_, i)| {
                self.facts
                    .list
                    .get_checked(*i)
                    .is_some_and(|f| !f.personal && under(&f.path))
            })
            .map(|(x, _)| *x)
            .collect();
        // Only a thing priced in the campaign: two figures at least (a price and another).
        if own.len() < 2 {
            return None;
        }
        let units = self.facts.campaign_units();
        // A price the campaign's discount makes of any amount, the person's own included
        // ("the Panama on your wishlist is $255": $340 less 25%).
        let amounts = self
            .facts
            .list
            .iter()
            .filter(|f| f.kind == crate::facts::FKind::Amount);
        let discount_gives = |a: f64| {
            percents
                .iter()
                .any(|p| (a * (1.0 - p / 100.0) - v).abs() < 0.005)
                || self
                    .facts
                    .money_offs()
                    .iter()
                    .any(|o| (a - o - v).abs() < 0.005)
        };
        if amounts.filter_map(|f| f.num).any(discount_gives) {
            return None;
        }
        let fits = own.iter().any(|a| {
            num_matches(v, *a)
                || discount_gives(*a)
                || units
                    .iter()
                    .any(|u| (a * u - v).abs() < 0.005 || (a / u - v).abs() < 0.005)
                || own
                    .iter()
                    .any(|b| (a + b - v).abs() < 0.005 || ((a - b).abs() - v).abs() < 0.005)
        });
        (!fits).then_some(named.path.as_str())
    }

    /// A campaign amount that is a spend threshold: a key like `min_spend` or
    /// `free_shipping_over`, or a value that says so.
    fn is_spend_threshold(&self, f: &crate::facts::Fact) -> bool {
        let k = f.key.as_str();
        let threshold_key = k.split('_').any(|p| {
            matches!(
                p,
                "min" | "minimum" | "threshold" | "over" | "above" | "from"
            )
        }) || k.starts_with("min");
        // "free shipping on orders over $75": a threshold written in text.
        threshold_key
            || self.facts.list.iter().any(|t| {
                t.path == f.path
                    && t.stems.iter().any(|w| {
                        // ("orders of GBP 25 or more")
                        matches!(
                            w.as_str(),
                            "over" | "minimum" | "min" | "above" | "least" | "more"
                        )
                    })
            })
    }

    /// The amount starting at byte `start` is said to be rounded: "about $353", "roughly
    /// €40", "~£12".
    fn approximate_at(&self, start: usize) -> bool {
        let toks = &self.doc.toks;
        let Some(ti) = toks.iter().position(|t| t.start >= start) else {
            return false;
        };
        let before = &toks[ti.saturating_sub(2)..ti];
        before.iter().any(|t| {
            matches!(
                t.norm.as_str(),
                "about" | "around" | "roughly" | "approximately" | "approx" | "circa" | "~"
            )
        }) || (before.len() == 2
            && before[0].norm == "just"
            && matches!(before[1].norm.as_str(), "over" | "under"))
    }

    pub(super) fn sentence_has(&self, ti: usize, words: &[&str]) -> bool {
        self.doc
            .sentence(ti)
            .iter()
            .any(|t| words.contains(&t.norm.as_str()))
    }

    /// "The monthly plan (SEK 119), perpetual licences and education licences aren't part of
    /// the offer": a list the sentence denies after it, with no "but" or semicolon between.
    /// (The list is what the sentence is about: no offer's cue before it or inside it.)
    pub(super) fn denied_later(&self, ti: usize) -> bool {
        let sent = self.doc.toks[ti].sent;
        let (ss, _) = self.doc.sent_range[sent];
        let cue = |t: &crate::text::Tok| {
            OFFER_CUES.contains(&t.norm.as_str())
                || matches!(t.norm.as_str(), "%" | "takes" | "get" | "gets")
                || self.facts.codes.contains(t.norm.as_str())
        };
        // ("The deal covers stereo mastering only - stem mastering and mixing are priced
        // separately - and ...": an aside between dashes starts afresh.)
        let dash = |t: &crate::text::Tok| matches!(t.norm.as_str(), "-" | "–" | "—");
        let from = self.doc.toks[ss..ti]
            .iter()
            .rposition(dash)
            .map_or(ss, |p| ss + p + 1);
        if self.doc.toks[from..ti].iter().any(cue) {
            return false;
        }
        let mut prev = "";
        for t in self.doc.toks[ti + 1..]
            .iter()
            .take_while(|t| t.sent == sent)
        {
            if cue(t) || (from > ss && dash(t)) {
                return false;
            }
            match t.norm.as_str() {
                "but" | "while" | "whereas" | ";" | ":" | "only" => return false,
                "aren't" | "isn't" | "excluded" | "don't" | "doesn't" | "won't" => return true,
                // "are priced separately", "are charged separately".
                "separately" if matches!(prev, "priced" | "charged" | "billed" | "sold") => {
                    return true
                }
                _ => {}
            }
            prev = t.norm.as_str();
        }
        false
    }

    pub(super) fn clause_has(&self, ti: usize, words: &[&str]) -> bool {
        let (s, e) = self.doc.clause(ti);
        self.doc.toks[s..e]
            .iter()
            .any(|t| words.contains(&t.norm.as_str()))
    }
}

/// Small counts in the languages campaigns also write in ("vier Personen", "deux nuits",
/// "dos noches"), for working amounts out; words that are also English or a name ("due",
/// "Sept", "Otto") are left out.
fn foreign_number_word(w: &str) -> Option<f64> {
    let v = match w {
        "zwei" | "deux" | "dos" | "twee" => 2,
        "drei" | "trois" | "tres" | "drie" | "tre" => 3,
        "vier" | "quatre" | "cuatro" | "quattro" => 4,
        "funf" | "fünf" | "cinq" | "cinco" | "cinque" | "vijf" => 5,
        "sechs" | "seis" | "zes" => 6,
        "sieben" | "siete" | "sette" | "zeven" => 7,
        "acht" | "huit" | "ocho" => 8,
        "zehn" | "dix" | "diez" | "dieci" | "tien" => 10,
        _ => return None,
    };
    Some(f64::from(v))
}

/// "x2", "×3", "2x": a quantity written as a multiplier.
/// "A week is NOK 882" at NOK 126 a day: the days a period word holds.
fn days_in(w: &str) -> Option<f64> {
    match w {
        "week" | "weekly" => Some(7.0),
        "fortnight" => Some(14.0),
        _ => None,
    }
}

fn times_token(w: &str) -> Option<f64> {
    let digits = w
        .strip_prefix('x')
        .or_else(|| w.strip_prefix('×'))
        .or_else(|| w.strip_suffix('x'))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 3 {
        return None;
    }
    digits.parse::<f64>().ok()
}

impl Checker<'_> {
    /// "your 10% alumni discount applies on top", "DESK15 stacks with your Bench Club
    /// points", when the campaign says the offer does not combine with that deal: a sentence
    /// that stacks the offer with a deal named in a `not_combinable_with` value.
    pub(super) fn offer_stacking(&mut self) {
        // A combination word in a campaign value, and the negation before it ("cannot be
        // combined with", "niet te combineren met", "nicht kombinierbar mit").
        let combo = |w: &str| {
            w.starts_with("combin")
                || w.starts_with("stack")
                || w.starts_with("cumul")
                || w.starts_with("kombin")
        };
        let deals = self.facts.stacking_deals(self.rules);
        if deals.is_empty() {
            return;
        }
        const NO: [&str; 30] = [
            "not", "no", "can't", "cannot", "isn't", "aren't", "doesn't", "don't", "won't",
            "never", "instead", "either", "nor", "without", "rather", "replaces", "replace",
            "nicht", "kein", "keine", "niet", "geen", "pas", "non", "nie", "ni", "não", "nem",
            "inte", "ikke",
        ];
        let mut flags = Vec::new();
        for &(ss, se) in &self.doc.sent_range {
            let toks = &self.doc.toks[ss..se];
            if toks
                .first()
                .is_some_and(|t| t.start >= self.doc.footer_start)
            {
                break;
            }
            // The cue: "stacks with", "combine it with", "on top".
            // (Or, with a figure in the sentence, "a further 10%", "still comes off",
            // "er nog bovenop".)
            let figure = toks.iter().any(|t| t.kind == TokKind::Num);
            let Some(ci) = toks.iter().enumerate().position(|(i, t)| {
                let n = t.norm.as_str();
                // ("chimney stacks": a noun, unless it stacks with something.)
                (combo(n)
                    && (n != "stacks"
                        || toks
                            .get(i + 1)
                            .is_some_and(|x| matches!(x.norm.as_str(), "with" | "on" | "onto"))))
                    // ("It sits on top of a Care & Hosting plan": one product built on
                    // another, not a discount added to a deal.)
                    || (n == "top"
                        && i > 0
                        && toks[i - 1].norm == "on"
                        && !(i > 1
                            && matches!(
                                toks[i - 2].norm.as_str(),
                                "sits" | "sit" | "runs" | "run" | "built" | "works" | "lives"
                            )))
                    // ("our Member £250 Cashback is paid on completion as well")
                    // (not "shirts as well as baskets")
                    || (n == "well"
                        && i > 0
                        && toks[i - 1].norm == "as"
                        && toks[i + 1..]
                            .iter()
                            .find(|x| x.is_word())
                            .is_none_or(|x| x.norm != "as"))
                    || (figure
                        && matches!(
                            n,
                            "further" | "bovenop" | "obendrauf" | "zusätzlich" | "additionally"
                        ))
            }) else {
                continue;
            };
            // ("$183.60 instead of $240": a price compared, not the deal turned down.)
            if toks.iter().enumerate().any(|(i, t)| {
                (NO.contains(&t.norm.as_str())
                    && !(t.norm == "instead"
                        && toks[i + 1..]
                            .iter()
                            .filter(|x| x.is_word() || x.kind == TokKind::Num)
                            .take(2)
                            .any(|x| x.kind == TokKind::Num)))
                    || t.norm == "?"
            }) {
                continue;
            }
            let mut said: Vec<String> = toks
                .iter()
                .filter(|t| t.is_word())
                .map(|t| stem(&t.norm))
                .collect();
            // "... the $50 referral credit you earned in May. You can use it on top of
            // NEST15": "it" is the last sentence's deal.
            if ss > 0 && toks.iter().any(|t| t.norm == "it") {
                let prev = self.doc.toks[ss - 1].sent;
                let (ps, pe) = self.doc.sent_range[prev];
                said.extend(
                    self.doc.toks[ps..pe]
                        .iter()
                        .filter(|t| t.is_word())
                        .map(|t| stem(&t.norm)),
                );
            }
            let Some((path, _)) = deals
                .iter()
                .find(|(_, words)| words.iter().any(|w| said.iter().any(|s| s == w)))
            else {
                continue;
            };
            let t = &toks[ci];
            let s = if t.norm == "top" {
                toks[ci - 1].start
            } else {
                t.start
            };
            flags.push((s, t.end, path.clone()));
        }
        for (s, e, path) in flags {
            self.flag(
                Kind::WrongOffer,
                s,
                e,
                format!("adds the offer to a deal it does not combine with (`{path}`)"),
                "offer.stacking",
            );
        }
    }
}
