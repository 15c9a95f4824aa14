//! Grounding: names, products, places and tiers stated about the person must match a fact.
//!
//! A capitalized run that is not common English ("Summit Down Parka", "Lisbon") is a specific;
//! it is grounded when its distinctive words all occur in facts. Paraphrase is accepted through
//! stems, synonyms and dropped words ("your Trailblazers" for "Trailblazer 2 Hiking Boot").

use super::{Checker, STOP_WORDS};
use crate::facts::FKind;
use crate::report::Kind;
use crate::text::stem;

const CONNECTORS: [&str; 9] = ["of", "&", "de", "la", "del", "von", "van", "da", "du"];
const PLACE_PREPS: [&str; 9] = [
    "in", "to", "from", "near", "around", "visiting", "at", "across", "outside",
];
const COMPASS: [&str; 5] = ["east", "west", "north", "south", "central"];

/// "3 days", "two weeks": a unit of the calendar.
fn calendar_unit(w: &str) -> bool {
    matches!(
        w,
        "day" | "days" | "week" | "weeks" | "month" | "months" | "year" | "years"
    )
}
/// Names of public holidays written "<name> Day" ("Victoria Day", "Anzac Day", "Canada Day"):
/// the calendar's, not a specific about the person. Only before "Day" or "Holiday", so a
/// "Victoria" alone is still a name to ground.
const HOLIDAY_NAMES: [&str; 27] = [
    "victoria",
    "canada",
    "anzac",
    "australia",
    "waitangi",
    "bastille",
    "remembrance",
    "veterans",
    "veterans'",
    "presidents",
    "presidents'",
    "columbus",
    "juneteenth",
    "family",
    "civic",
    "heritage",
    "king's",
    "queen's",
    "kings",
    "queens",
    "whit",
    "st",
    "andrew's",
    "patrick's",
    "george's",
    "david's",
    "armistice",
];
const ARTICLES: [&str; 9] = [
    "the", "a", "an", "your", "our", "my", "those", "these", "that",
];

impl Checker<'_> {
    fn is_common(&self, norm: &str) -> bool {
        // The word as written first: most common words are found without stemming them.
        let r = self.rules;
        r.common.contains(norm)
            || r.ignore_caps.contains(norm)
            || r.greeting_words.contains(norm)
            || {
                let st = stem(norm);
                r.common.contains(&st) || r.ignore_caps.contains(&st)
            }
    }

    /// A sentence's first word capitalized only by position: a number word ("Two Spin
    /// classes") or an inflection of a common word ("Learning Spanish", "Looking ahead"),
    /// which no fact names.
    fn ordinary_sentence_start(&self, wi: usize, w: &str) -> bool {
        let ti = self.doc.words[wi];
        if !self.doc.toks[ti].sent_start {
            return false;
        }
        // A number word names nothing, even when a fact's text holds it ("Two of our
        // seniors" for `household: "two adults"`).
        if crate::text::word_number(w).is_some() || crate::text::ordinal(w).is_some() {
            return true;
        }
        if !self.facts_for_stem(&stem(w)).is_empty() {
            return false;
        }
        let base = |suffix: &str| -> bool {
            w.strip_suffix(suffix).is_some_and(|b| {
                b.len() >= 3
                    && (self.is_common(b)
                        || self.is_common(&format!("{b}e"))
                        || (b.len() >= 4
                            && b.as_bytes()[b.len() - 1] == b.as_bytes()[b.len() - 2]
                            && self.is_common(&b[..b.len() - 1])))
            })
        };
        // "Covers Australian natives", "Includes Harvest Feast": a verb in its -s form opens
        // a bullet, before a name the facts hold.
        let verb_s = w.len() >= 4
            && w.ends_with('s')
            && !w.ends_with("ss")
            && !w.ends_with("us")
            && !w.ends_with("is")
            && !w.contains('\'')
            && self.doc.words.get(wi + 1).is_some_and(|&t| {
                self.doc.toks[t].cap
                    && !self
                        .facts_for_stem(&stem(&self.doc.toks[t].norm))
                        .is_empty()
            });
        // "Finishing Unit 7 of Spanish": a gerund opens the sentence.
        let gerund = w.len() >= 7 && w.ends_with("ing") && w.is_ascii();
        base("ing") || base("ed") || base("ly") || base("s") || verb_s || gerund
    }

    fn is_product_noun(&self, norm: &str) -> bool {
        let st = stem(norm);
        self.rules.product_nouns.contains(&st) || self.product_heads().contains(&st)
    }

    /// The last word of every product name in the facts, when it is a noun-like word: the
    /// campaign's "Aurora X2 Noise-Cancelling Headphones" makes "headphones" a thing a person
    /// can own, whatever the vertical.
    fn product_heads(&self) -> &[String] {
        self.product_heads.get_or_init(|| {
            let mut heads: Vec<String> = Vec::new();
            for f in self.facts.list.iter() {
                if f.kind != FKind::Product {
                    continue;
                }
                let Some(last) = f.stems.last() else { continue };
                if last.len() < 3
                    || last.chars().any(|c| c.is_ascii_digit())
                    || self.rules.common.contains(last.as_str())
                    || heads.contains(last)
                {
                    continue;
                }
                heads.push(last.clone());
            }
            heads
        })
    }

    /// Facts for a stem, directly or through a synonym.
    pub(super) fn facts_for_stem(&self, st: &str) -> Vec<usize> {
        let mut v: Vec<usize> = self.facts.with_stem(st);
        if let Some(syns) = self.rules.synonyms.get(st) {
            for s in syns {
                v.extend(self.facts.with_stem(s));
            }
        }
        v
    }

    /// Polish, Czech, Ukrainian, Lithuanian, Greek and their neighbours decline names: the
    /// reader's locale says whether a name may be written with another ending.
    fn declines_names(&self) -> bool {
        self.facts.recipient.locale.as_deref().is_some_and(|l| {
            let lang = l.split(['-', '_']).next().unwrap_or_default();
            matches!(
                lang,
                "pl" | "cs"
                    | "sk"
                    | "uk"
                    | "ru"
                    | "be"
                    | "lt"
                    | "lv"
                    | "hr"
                    | "sr"
                    | "bs"
                    | "sl"
                    | "bg"
                    | "mk"
                    | "el"
                    | "ro"
            )
        })
    }

    fn name_matches(&self, norm: &str) -> bool {
        // "Γεια σας Νίκο" to a record that writes "Nikos": a Greek name in Greek letters.
        if norm.chars().any(|c| ('\u{0370}'..='\u{03FF}').contains(&c)) {
            let latin = greek_to_latin(norm);
            if latin != norm {
                return self.name_matches(&latin);
            }
        }
        // "Tanabe-san", "Yuki-sama": a Japanese honorific after the name.
        let norm = super::HONORIFIC_SUFFIXES
            .iter()
            .find_map(|h| norm.strip_suffix(h))
            .filter(|n| !n.is_empty())
            .unwrap_or(norm);
        let st = stem(norm);
        let names: Vec<&String> = self
            .facts
            .first_name
            .iter()
            .chain(self.facts.last_name.iter())
            .collect();
        let nicknames = self.rules.nicknames.get(&st);
        // Polish, Czech, Ukrainian, Lithuanian, Greek and their neighbours greet in the
        // vocative: "Tomaszu" for Tomasz, "Agnieszko" for Agnieszka.
        let vocative = self.declines_names();
        names.iter().any(|n| {
            **n == st
                || **n == norm
                || nicknames.is_some_and(|g| g.contains(*n))
                || (vocative && {
                    let common = n.chars().zip(norm.chars()).take_while(|(a, b)| a == b).count();
                    let (nl, wl) = (n.chars().count(), norm.chars().count());
                    nl >= 4 && common + 2 >= nl && wl <= nl + 2
                })
                // Nicknames and honorific suffixes: "Alex" for Alexander, "美咲さん" for 美咲.
                || (st.chars().count() >= 3 && n.starts_with(st.as_str()))
                || (n.chars().count() >= 2
                    && norm.starts_with(n.as_str())
                    && norm.chars().next().is_some_and(crate::text::is_caseless_letter))
        })
    }

    /// The greeting line: "Hi Zoë," must use the recipient's name; "Hi there" when the name is
    /// known is generic.
    pub(super) fn greeting(&mut self) {
        let Some(first_wi) = self
            .doc
            .words
            .iter()
            .position(|&t| self.doc.toks[t].start >= self.doc.body_start)
        else {
            return;
        };
        let gm = self
            .rules
            .greetings
            .find(&self.doc.toks, &self.doc.words, false)
            .into_iter()
            .find(|m| m.first == first_wi);
        let Some(gm) = gm else {
            return;
        };
        let greet_tok = self.doc.words[gm.last];
        // Name words: up to three words straight after the greeting, before punctuation.
        let mut names = Vec::new();
        let mut wi = gm.last;
        // "Bonjour, Aiyana!", "Hello, Maria": a comma between the greeting and the name.
        let comma_then_word = self
            .doc
            .toks
            .get(greet_tok + 1)
            .is_some_and(|t| t.norm == ",")
            && self.doc.words.get(gm.last + 1) == Some(&(greet_tok + 2))
            && !self.doc.text[self.doc.toks[greet_tok].end..self.doc.toks[greet_tok + 2].start]
                .contains('\n');
        if comma_then_word {
            wi += 1;
            names.push(wi);
        }
        while names.len() < 3 && self.doc.adjacent(wi) {
            wi += 1;
            names.push(wi);
        }
        let known = !self.facts.first_name.is_empty() || !self.facts.last_name.is_empty();
        if names.is_empty() {
            if known && self.facts.recipient.first_name.is_some() {
                let t = &self.doc.toks[greet_tok];
                let (s, e) = (t.start, t.end);
                self.flag(
                    Kind::Generic,
                    s,
                    e,
                    "the greeting has no name, though the first name is known".into(),
                    "greeting.no_name",
                );
            }
            return;
        }
        let first = &self.doc.toks[self.doc.words[names[0]]];
        if self.rules.generic_greetings.contains(first.norm.as_str()) {
            if self.facts.recipient.first_name.is_some() {
                self.flag_words(
                    Kind::Generic,
                    gm.first,
                    names[0],
                    "a generic greeting, though the first name is known".into(),
                    "greeting.generic",
                );
            }
            return;
        }
        // Titles before a last name.
        let skip_title = matches!(
            first.norm.as_str(),
            "mr" | "mrs"
                | "ms"
                | "mx"
                | "dr"
                | "miss"
                | "herr"
                | "frau"
                | "monsieur"
                | "madame"
                | "mme"
                | "señor"
                | "señora"
                | "senor"
                | "senora"
                | "sr"
                | "sra"
                | "signor"
                | "signora"
                | "meneer"
                | "mevrouw"
                | "dhr"
                | "mevr"
                | "pan"
                | "pani"
                // Vocative and other languages' titles ("Panie Tomaszu", "Seu Raimundo").
                | "panie"
                | "seu"
                | "dona"
                | "don"
                | "senhor"
                | "senhora"
                | "senorita"
                | "señorita"
                | "signorina"
                | "fru"
                | "herra"
                | "rouva"
                | "kyrie"
                | "kyria"
                | "khun"
                // Indonesian and Malay ("Halo Kak Rizky", "Selamat pagi Pak Agus").
                | "kak"
                | "pak"
                | "bu"
                | "ibu"
                | "bapak"
                | "mas"
                | "mbak"
        );
        let name_words: Vec<usize> = names
            .iter()
            .copied()
            .skip(usize::from(skip_title))
            .collect();
        let Some(&nw) = name_words.first() else {
            return;
        };
        let t = &self.doc.toks[self.doc.words[nw]];
        if !(t.cap || t.caseless) {
            return;
        }
        if self
            .rules
            .standins
            .find(&self.doc.toks, &self.doc.words, false)
            .iter()
            .any(|m| m.first == gm.first)
        {
            return;
        }
        if self.name_matches(&t.norm.clone()) {
            let (s, e) = (t.start, t.end);
            if let Some(fi) = self.facts.list.iter().position(|f| f.kind == FKind::Name) {
                self.use_fact(fi, s, e);
            }
            return;
        }
        if known {
            let who = self.facts.recipient.full_name().unwrap_or_default();
            self.flag_words(
                Kind::WrongFact,
                nw,
                nw,
                format!("greets a name that is not the recipient's (`{who}`)"),
                "grounding.name",
            );
        } else {
            self.flag_words(
                Kind::FabricatedFact,
                nw,
                nw,
                "greets the person by a name the record does not have".into(),
                "grounding.name",
            );
        }
    }

    /// The dated fact of the person's event whose type's words (`berth_enquiry`,
    /// `follow_up`) are all among `said` (stems), when the type has at least `min_parts`.
    pub(super) fn event_named_by_type(&self, said: &[String], min_parts: usize) -> Option<usize> {
        let ei = self.facts.recipient.events.iter().position(|ev| {
            let parts: Vec<String> = crate::text::fold(&ev.kind)
                .split(['_', '-', ' '])
                .filter(|p| p.len() > 2)
                .map(stem)
                .collect();
            parts.len() >= min_parts.max(1) && parts.iter().all(|p| said.contains(p))
        })?;
        self.facts
            .list
            .iter()
            .position(|f| f.event == Some(ei) && f.date.is_some())
    }

    /// Word `w` names a key part of one of the person's numeric fields, and word `n` is its
    /// figure. (A different figure is not judged here: "Stage 5" may be the next stage.)
    fn keyed_figure(&self, w: usize, n: usize) -> Option<usize> {
        let num = &self.doc.toks[self.doc.words[n]];
        if num.kind != crate::text::TokKind::Num {
            return None;
        }
        let v = crate::text::parse_num(&num.norm)?;
        let st = stem(&self.doc.toks[self.doc.words[w]].norm);
        if st.len() < 3 {
            return None;
        }
        // "Term 2" that the campaign names too is the campaign's.
        let campaign = self.facts.list.iter().any(|f| {
            !f.personal && f.stems.contains(&st) && f.stems.iter().any(|x| *x == num.norm)
        });
        if campaign {
            return None;
        }
        self.facts.list.iter().position(|f| {
            f.personal
                && f.date.is_none()
                && f.num.is_some_and(|x| (x - v).abs() < 0.005)
                && f.key.split('_').any(|p| stem(p) == st)
        })
    }

    /// Capitalized runs that look like products, places or people.
    ///
    /// In an email in another language a run is only matched to the facts, never flagged:
    /// German capitalizes every noun, and other languages decline names ("Klubie
    /// Algorytmicznym"), translate places ("Bâle") and open sentences with words no English
    /// list holds. A run that names one of the person's facts ("¿Qué tal le queda a Toby el
    /// suéter?") is still a use of it, which the consent check judges.
    pub(super) fn capitalized(&mut self) {
        self.quiet_names = self.foreign;
        let before = self.used.len();
        self.capitalized_runs();
        self.quiet_names = false;
        if !self.foreign {
            return;
        }
        // What a run in another language is taken to name, kept only where it can be
        // nothing else: not a short or grammatical word ("Il", "Y" opening a sentence), and
        // not a name the campaign says too (a price list naming the product the person
        // owns, the business's own district in its signature).
        // Nor a run that only names a key of the record or part of a value ("Baum" for
        // `baum: Rotbuche`): the value's own words, as written there.
        let mut k = before;
        while k < self.used.len() {
            let (f, s, e) = self.used[k];
            let words: Vec<&str> = self
                .doc
                .words
                .iter()
                .map(|&ti| &self.doc.toks[ti])
                .filter(|t| t.start >= s && t.end <= e)
                .map(|t| t.norm.as_str())
                .collect();
            let slight = words.len() == 1
                && (words[0].chars().count() <= 3
                    || self.rules.language_words.contains_key(words[0]));
            let stems: Vec<String> = words.iter().map(|w| stem(w)).collect();
            let value = &self.facts.list[f].stems;
            // (One word must be the value, or open it: "Chronograph" is a word of the
            // "Vintage chronographs talk" the person went to, and of any price list.)
            let whole = !stems.is_empty()
                && (if stems.len() == 1 {
                    value.len() <= 2 && value.contains(&stems[0])
                        || value.first() == Some(&stems[0])
                } else {
                    value.windows(stems.len()).any(|w| w == &stems[..])
                } || {
                    // ("Eimsbüttel" for `dojo: Hamburg-Eimsbüttel`.)
                    stems.len() == 1
                        && value.iter().any(|v| {
                            v.contains('-')
                                && v.split('-').any(|p| p == stems[0] || stem(p) == stems[0])
                        })
                });
            if slight || !whole || self.campaign_says(s, e) {
                self.used.remove(k);
            } else {
                k += 1;
            }
        }
    }

    fn capitalized_runs(&mut self) {
        let n = self.doc.words.len();
        let mut wi = 0;
        while wi < n {
            let ti = self.doc.words[wi];
            let t = &self.doc.toks[ti];
            // ALL-CAPS words are acronyms, codes or shouting (checked by the offer and lint
            // checks); they count here only when they name a fact ("SFO", "CSV").
            let acronym_unknown = t.all_caps
                && (t.norm.chars().any(|c| c.is_ascii_digit())
                    || self.facts_for_stem(&stem(&t.norm)).is_empty());
            // "HRUs", "RSVP'd", "T3s": an acronym or a model code with a plural or a verb's
            // ending is the acronym.
            let acronym_unknown = acronym_unknown || self.acronym_with_ending(ti);
            // "C$120", "NZ$17", "US$40": the letters that say whose dollar.
            let currency_prefix = t.norm.len() <= 2
                && self.doc.toks.get(ti + 1).is_some_and(|n| {
                    n.start == t.end && matches!(n.norm.as_str(), "$" | "€" | "£")
                });
            // "1 450 Ft", "249 Kč", "120 Lei": a currency written after the amount.
            let currency_after = matches!(
                t.norm.as_str(),
                "ft" | "kc" | "kč" | "kr" | "zl" | "zł" | "lei" | "lv"
            ) && ti
                .checked_sub(1)
                .and_then(|p| self.doc.toks.get(p))
                .is_some_and(|p| p.kind == crate::text::TokKind::Num);
            // "the new 4°C pool", "at 39F": a temperature's unit.
            let degrees = matches!(t.norm.as_str(), "c" | "f")
                && ti
                    .checked_sub(1)
                    .and_then(|p| self.doc.toks.get(p))
                    .is_some_and(|p| {
                        p.end == t.start && (p.norm == "°" || p.kind == crate::text::TokKind::Num)
                    });
            // "U.P. $35", "R.S.V.P.": a dotted initialism.
            let dotted = |k: usize| {
                self.doc.toks.get(k).is_some_and(|x| {
                    x.kind == crate::text::TokKind::Word && x.norm.chars().count() == 1
                })
            };
            let initialism = t.norm.chars().count() == 1
                && self
                    .doc
                    .toks
                    .get(ti + 1)
                    .is_some_and(|d| d.norm == "." && d.start == t.end)
                && ((dotted(ti + 2) && self.doc.toks[ti + 2].start == t.end + 1)
                    || (ti >= 2
                        && dotted(ti - 2)
                        && self.doc.toks[ti - 1].norm == "."
                        && self.doc.toks[ti - 1].end == t.start));
            // "Dominican pesos", "Hong Kong dollars": whose currency, not a name.
            let currency_adjective = self.doc.adjacent(wi)
                && (1..=2).any(|k| {
                    self.doc.word_after(wi, k).is_some_and(|x| {
                        !x.cap
                            && matches!(
                                x.norm.as_str(),
                                "pesos"
                                    | "peso"
                                    | "dollars"
                                    | "dollar"
                                    | "pounds"
                                    | "rupees"
                                    | "rupee"
                                    | "francs"
                                    | "franc"
                                    | "kronor"
                                    | "kroner"
                                    | "krona"
                                    | "krone"
                                    | "yen"
                                    | "yuan"
                                    | "euros"
                                    | "rand"
                                    | "shillings"
                                    | "dinars"
                                    | "dirhams"
                                    | "riyals"
                                    | "ringgit"
                                    | "baht"
                                    | "lira"
                                    | "reais"
                                    | "zloty"
                                    | "forints"
                                    | "koruna"
                            )
                    }) && (k == 1 || self.doc.adjacent(wi + 1))
                });
            // "See you down South", "back East": a region in a set phrase, at a sentence's
            // or line's end.
            let compass_idiom = matches!(t.norm.as_str(), "south" | "north" | "east" | "west")
                && self
                    .doc
                    .word_before(wi, 1)
                    .is_some_and(|p| matches!(p.norm.as_str(), "down" | "up" | "out" | "back"))
                && self
                    .doc
                    .toks
                    .get(ti + 1)
                    .is_none_or(|x| x.sent != t.sent || x.kind != crate::text::TokKind::Word);
            // ("NZD 55": a currency's code.)
            let starts = !initialism
                && !compass_idiom
                && !currency_adjective
                && t.cap
                && !self.doc.in_url[ti]
                && !acronym_unknown
                && !currency_prefix
                && !currency_after
                && !is_currency_code(t)
                && !degrees
                && !weekday_range(&t.norm);
            if !starts {
                wi += 1;
                continue;
            }
            let mut end = wi;
            loop {
                // "Starling Street #7": an issue or edition number joins the name.
                let hash_number = !self.doc.adjacent(end)
                    && self.doc.words.get(end + 1).is_some_and(|&n| {
                        let a = self.doc.words[end];
                        n == a + 2
                            && self.doc.toks[a + 1].norm == "#"
                            && self.doc.toks[a + 1].end == self.doc.toks[n].start
                            && self.doc.toks[n].kind == crate::text::TokKind::Num
                            && self.doc.toks[n].sent == self.doc.toks[a].sent
                    });
                // (A name's number, not "Box #47", a count of common things.)
                let named_run = end > wi || {
                    let t = &self.doc.toks[self.doc.words[wi]];
                    !t.sent_start && !self.is_common(&t.norm) && !self.is_product_noun(&t.norm)
                };
                if hash_number && named_run {
                    end += 1;
                    break;
                }
                if !self.doc.adjacent(end) {
                    break;
                }
                let next_ti = self.doc.words[end + 1];
                let next = &self.doc.toks[next_ti];
                // "Quote SMILE80 when you book": a code (capitals and digits) ends a name
                // instead of joining it; the offer checks judge codes. So does an amount's
                // currency ("It's NZ$25 otherwise").
                if next.all_caps && next.norm.chars().any(|c| c.is_ascii_digit()) {
                    break;
                }
                if (next.norm.len() <= 2
                    && self.doc.toks.get(next_ti + 1).is_some_and(|n| {
                        n.start == next.end && matches!(n.norm.as_str(), "$" | "€" | "£")
                    }))
                    || is_currency_code(next)
                {
                    break;
                }
                // A number joins a name ("Trailblazer 2") unless it counts something after it
                // ("Kibble 3 days ago", "Poles 2 pairs").
                let counts_next = next.kind == crate::text::TokKind::Num
                    && self.doc.adjacent(end + 1)
                    && self.doc.word_after(end + 1, 1).is_some_and(|w| {
                        !w.cap
                            && (calendar_unit(&w.norm)
                                || matches!(w.norm.as_str(), "times" | "hours")
                                || self.rules.count_nouns.contains_key(w.norm.as_str()))
                    });
                // "Mark Saturday 9 October: the Grande Final": a day or a month ends a
                // name (a date follows the word, it does not name it).
                if next.cap
                    && (crate::text::month_of(&next.norm).is_some()
                        || super::time::WEEKDAYS.contains(&next.norm.as_str()))
                    && self.doc.toks[self.doc.words[wi]].sent_start
                {
                    break;
                }
                // "It's 2 900 Kč a session": an amount and its currency after it.
                let amount_next = next.kind == crate::text::TokKind::Num && {
                    let mut k = end + 1;
                    while self.doc.adjacent(k)
                        && self.doc.toks[self.doc.words[k + 1]].kind == crate::text::TokKind::Num
                    {
                        k += 1;
                    }
                    self.doc.adjacent(k)
                        && self.doc.word_after(k, 1).is_some_and(|w| {
                            is_currency_code(w)
                                || matches!(
                                    w.norm.as_str(),
                                    "ft" | "kc" | "kč" | "kr" | "zl" | "zł" | "lei" | "lv"
                                )
                        })
                };
                if next.cap
                    || (next.kind == crate::text::TokKind::Num && !counts_next && !amount_next)
                {
                    end += 1;
                    continue;
                }
                if CONNECTORS.contains(&next.norm.as_str())
                    && self.doc.adjacent(end + 1)
                    && self.doc.toks[self.doc.words[end + 2]].cap
                {
                    end += 2;
                    continue;
                }
                break;
            }
            // "Rack 14" for `rack_number: 14`, "Mondo 25.5" for `boot_size_mondo: 25.5`: a
            // word and the figure of the person's field its key names.
            if end == wi + 1 {
                let (s, e) = (
                    self.doc.toks[self.doc.words[wi]].start,
                    self.doc.toks[self.doc.words[end]].end,
                );
                if let Some(fi) = self.keyed_figure(wi, wi + 1) {
                    self.use_fact(fi, s, e);
                    wi = end + 1;
                    continue;
                }
            }
            if self.saints_day(wi, end) {
                wi = end + 1;
                continue;
            }
            self.judge_run(wi, end);
            wi = end + 1;
        }
    }

    /// "On Saturday, día de San Vicente", "by Saturday 19 March, Sant Josep itself": a saint
    /// named in a sentence that gives a day or a date is the saint's day, not a person.
    fn saints_day(&self, wi: usize, end: usize) -> bool {
        const WISHES: [&str; 8] = [
            "bom", "boa", "feliz", "happy", "buen", "buon", "bonne", "joyeux",
        ];
        // "Bom São João", "Feliz San Juan": a saint's day wished.
        let wished = self.doc.toks[self.doc.words[wi]].norm.as_str();
        let (wi, wished) = if WISHES.contains(&wished) {
            (wi + 1, true)
        } else {
            (
                wi,
                self.doc
                    .word_before(wi, 1)
                    .is_some_and(|p| WISHES.contains(&p.norm.as_str())),
            )
        };
        if end <= wi {
            return false;
        }
        let first = &self.doc.toks[self.doc.words[wi]];
        if !matches!(
            first.norm.as_str(),
            "san" | "sant" | "santo" | "santos" | "santa" | "sao" | "saint" | "sainte" | "sankt"
        ) {
            return false;
        }
        if wished {
            return true;
        }
        let (s, e) = self.doc.sent_range[first.sent];
        self.doc.toks[s..e].iter().any(|t| {
            t.kind == crate::text::TokKind::Word
                && (crate::text::month_of(&t.norm).is_some()
                    || t.norm.ends_with("day")
                    || matches!(
                        t.norm.as_str(),
                        "dia" | "feast" | "fiesta" | "festa" | "fete" | "holiday" | "fallas"
                    ))
        })
    }

    /// A region or country word said of the person: in a sentence about them, in the
    /// clause that says "you" ("your trip to Greece"), not in another clause of it
    /// ("Thanks for signing up - welcome to Taverna Ammos, a little corner of Greece").
    fn region_of_person(&self, w: usize) -> bool {
        let ti = self.doc.words[w];
        self.doc.sent_personal(ti)
            && self.clause_has(ti, &["you", "your", "you're", "you've", "you'll", "yours"])
    }

    /// "HRUs", "RSVP'd", "T3s": an acronym or a model code with a plural or a verb's ending.
    fn acronym_with_ending(&self, ti: usize) -> bool {
        let t = &self.doc.toks[ti];
        if t.all_caps {
            return false;
        }
        let raw = &self.doc.text[t.start..t.end];
        let base = ["'s", "'d", "’s", "’d", "s"]
            .iter()
            .find_map(|x| raw.strip_suffix(x))
            .unwrap_or(raw);
        base.len() < raw.len()
            && base.len() >= 2
            && base.bytes().any(|b| b.is_ascii_uppercase())
            && base
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }

    fn judge_run(&mut self, first: usize, last: usize) {
        // "R 2,760", "Rs 1,450", "Kr 395": a currency written before its amount.
        // ("Rs. 84,000": with a point after it, too.)
        let ti = self.doc.words[first];
        let dotted_num = self.doc.toks.get(ti + 1).is_some_and(|d| d.norm == ".")
            && self
                .doc
                .toks
                .get(ti + 2)
                .is_some_and(|n| n.kind == crate::text::TokKind::Num);
        if matches!(
            self.doc.toks[ti].norm.as_str(),
            "r" | "rs" | "kr" | "rp" | "zl" | "ft" | "kc" | "lei"
        ) && (dotted_num
            || self
                .doc
                .word_after(first, 1)
                .is_some_and(|n| n.kind == crate::text::TokKind::Num))
        {
            return;
        }
        if self.numbered_name(first, last) {
            return;
        }
        let toks: Vec<usize> = (first..=last).collect();
        let norm = |c: &Checker, w: usize| c.doc.toks[c.doc.words[w]].norm.clone();
        // "East African beans", "South East Asian food": compass words before a region
        // adjective describe where something is from; they name nothing of the person's.
        if (first..=last).any(|w| !COMPASS.contains(&norm(self, w).as_str()))
            && (first..=last).all(|w| {
                let x = norm(self, w);
                COMPASS.contains(&x.as_str())
                    || self.rules.ignore_caps.contains(x.as_str())
                    // "Central Texas", said of the brand's area.
                    || (self.rules.regions.contains(x.as_str()) && !self.region_of_person(w))
            })
        {
            return;
        }
        // "at noon Central", "7pm Eastern": a time zone.
        if first == last
            && matches!(
                norm(self, first).as_str(),
                "central" | "eastern" | "pacific" | "mountain" | "atlantic"
            )
            && self.doc.word_before(first, 1).is_some_and(|p| {
                matches!(
                    p.norm.as_str(),
                    "noon" | "midnight" | "am" | "pm" | "a.m" | "p.m"
                ) || p.norm.ends_with("am")
                    || p.norm.ends_with("pm")
                    || p.kind == crate::text::TokKind::Num
            })
        {
            return;
        }
        // "Max 4 per order": the word for maximum; "Ages 16+": an age.
        if matches!(norm(self, first).as_str(), "max" | "min" | "ages" | "age")
            && self
                .doc
                .word_after(first, 1)
                .is_some_and(|n| n.kind == crate::text::TokKind::Num)
            && last <= first + 1
        {
            return;
        }
        let last_is_product = self.is_product_noun(&norm(self, last));
        let product_name = toks.len() >= 2 && last_is_product;
        // Trim common words at both ends (not the product noun of a product name).
        let mut lo = first;
        let mut hi = last;
        while lo <= hi && {
            let w = norm(self, lo);
            ARTICLES.contains(&w.as_str())
                || (self.is_common(&w) && !(product_name && lo == hi))
                || (lo == first && self.ordinary_sentence_start(lo, &w))
        } {
            lo += 1;
        }
        while hi >= lo && hi > first && !product_name && self.is_common(&norm(self, hi)) {
            hi -= 1;
        }
        if lo > hi {
            return;
        }
        let distinctive: Vec<usize> = (lo..=hi)
            .filter(|&w| {
                let x = norm(self, w);
                let tok = &self.doc.toks[self.doc.words[w]];
                // ("The SCAC committee": an acronym no fact names is judged as one, not as
                // part of a name.)
                let acronym = tok.all_caps
                    && !x.bytes().any(|b| b.is_ascii_digit())
                    && self.facts_for_stem(&stem(&x)).is_empty();
                tok.kind == crate::text::TokKind::Num
                    || (!self.is_common(&x)
                        && !self.is_product_noun(&x)
                        && !acronym
                        // ("Thirty-six Stableford points": a number in words.)
                        && crate::text::word_number(&x).is_none())
                    || (product_name
                        && !self.is_product_noun(&x)
                        && !ARTICLES.contains(&x.as_str()))
            })
            .collect();
        if distinctive.is_empty()
            || distinctive
                .iter()
                .all(|&w| self.doc.toks[self.doc.words[w]].kind == crate::text::TokKind::Num)
        {
            return;
        }
        let span_s = self.doc.toks[self.doc.words[lo]].start;
        let span_e = self.doc.toks[self.doc.words[hi]].end;
        let mut matched: Vec<usize> = Vec::new();
        let mut unmatched: Vec<usize> = Vec::new();
        let mut facts_hit: Vec<usize> = Vec::new();
        for &w in &distinctive {
            let st = stem(&norm(self, w));
            let mut hits = self.facts_for_stem(&st);
            // "Hi Jess" for a first name that `artist_name: Jess Whitehorse` also holds: the
            // person's name, not the other field.
            if hits.len() > 1 && hits.iter().any(|&f| self.facts.list[f].kind == FKind::Name) {
                hits.retain(|&f| self.facts.list[f].kind == FKind::Name);
            }
            if hits.is_empty() && self.name_matches(&norm(self, w)) {
                hits = self.facts_where(|f| f.kind == FKind::Name);
            }
            let word = norm(self, w);
            // "on East Main" for the address "2210 E Main St": a compass word a fact writes
            // as its letter.
            if hits.is_empty() && COMPASS[..4].contains(&word.as_str()) {
                hits = self.facts_for_stem(&word[..1]);
            }
            // "T-zone", "X-ray", "U-turn": a letter and a word, not a name.
            if hits.is_empty()
                && word.len() > 2
                && word.as_bytes()[1] == b'-'
                && word.as_bytes()[0].is_ascii_alphabetic()
            {
                continue;
            }
            // "P4 of nine", "Q3", "row B12": one letter and a figure a fact holds is a
            // position or a code, not a name.
            if hits.is_empty() && letter_and_figure(&word) {
                let figure = &word[1..];
                if self
                    .facts
                    .list
                    .iter()
                    .any(|f| f.num.is_some_and(|n| n.to_string() == figure))
                {
                    continue;
                }
            }
            // "Thanks for WhatsApping us" for a `whatsapp_enquiry`: a verb made of a name.
            // ("start DJing" for a DJ course: an acronym made a verb.)
            let acronym_verb = {
                let t = &self.doc.toks[self.doc.words[w]];
                let raw = &self.doc.text[t.start..t.end];
                raw.len() >= 5
                    && raw.bytes().take(2).all(|b| b.is_ascii_uppercase())
                    && (raw.ends_with("ing") || raw.ends_with("ed"))
            };
            if hits.is_empty() && (word.len() >= 7 || acronym_verb) && word.is_ascii() {
                if let Some(root) = word.strip_suffix("ing").or_else(|| word.strip_suffix("ed")) {
                    let root = stem(root);
                    hits = self.facts_for_stem(&root);
                    // (The event's type names it: the facts of that event.)
                    let typed = self
                        .facts
                        .recipient
                        .events
                        .iter()
                        .position(|ev| ev.kind.split('_').any(|p| p == root));
                    if let (true, Some(e)) = (hits.is_empty(), typed) {
                        hits.extend(
                            self.facts
                                .list
                                .iter()
                                .position(|f| f.personal && f.event == Some(e)),
                        );
                    }
                }
            }
            // "very Australian" from a brand that prices in AUD: the people of the country
            // whose currency the campaign uses.
            if hits.is_empty() && self.campaign_currency_people(&word) {
                continue;
            }
            // "an Ethiopian release" for `origin: Ethiopia`: a people or language word named
            // after a place a fact holds.
            if hits.is_empty() {
                if let Some(h) = demonym_bases(&word)
                    .into_iter()
                    .map(|b| self.facts_for_stem(&stem(&b)))
                    .find(|h| !h.is_empty())
                {
                    hits = h;
                }
            }
            // "Classic Toller behaviour" for `breed: Nova Scotia Duck Tolling Retriever`: the
            // short name made from a word of the person's value.
            if hits.is_empty() && word.len() >= 6 && word.is_ascii() && word.ends_with("er") {
                let root = &word[..word.len() - 2];
                hits = self.facts_where(|f| {
                    f.personal
                        && f.stems.iter().any(|s| {
                            s.strip_prefix(root)
                                .is_some_and(|rest| matches!(rest, "" | "ing" | "ed" | "e"))
                        })
                });
            }
            // "Eimsbüttel" for "Hamburg-Eimsbüttel, Osterstraße 58": a part of a hyphened
            // name a fact holds.
            // (Compound heads only for a lone name: "the Kurve".)
            let lone = distinctive.len() == 1 && word.len() >= 5;
            if hits.is_empty() && st.len() >= 4 {
                hits = self.facts_where(|f| {
                    f.stems.iter().any(|x| {
                        (x.contains('-')
                                && x.split('-').any(|p| p.len() >= 4 && stem(p) == st))
                                // "the Kurve" for "Nordkurve standing": the head of a
                                // compound.
                                || (lone
                                    && x.len() >= word.len() + 3
                                    && x.ends_with(word.as_str()))
                    })
                });
            }
            // "your Delivery Pass" for `delivery_pass: monthly`: the record names it in a key.
            // ("Sessions run Monday to Thursday": a lone word at a sentence start is just a
            // word, and names no `sessions_total` of the person's.)
            let initial_word = distinctive.len() == 1
                && lo == first
                && self.doc.toks[self.doc.words[w]].sent_start;
            if hits.is_empty() && !initial_word {
                if let Some(fi) = self.key_naming(&st) {
                    hits = vec![fi];
                }
            }
            // "the Under-9s" for `age_group: U9`.
            if hits.is_empty() {
                if let Some(age) = word
                    .strip_prefix("under-")
                    .map(|a| a.trim_end_matches('s'))
                    .filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
                {
                    hits = self.facts_for_stem(&format!("u{age}"));
                    if !hits.is_empty() {
                        matched.push(w);
                        facts_hit.extend(hits);
                        continue;
                    }
                }
            }
            if hits.is_empty() && word.contains('-') {
                // "Denver-ready": the named part must match; the rest is ordinary English.
                // ("74 € with your Kessler-Karte" for `kessler_karte: true`: a part the
                // record names in a key.)
                let parts: Vec<&str> = word.split('-').filter(|p| !self.is_common(p)).collect();
                // ("Six-tier" for `club_tier: Dozen` is no such part: a tier word names a
                // key only beside a part that is the person's own value, "Dozen-tier", or
                // any value when the person has no tier.)
                let mut part_hits: Vec<Vec<usize>> = parts
                    .iter()
                    .map(|p| self.facts_for_stem(&stem(p)))
                    .collect();
                let own = part_hits
                    .iter()
                    .flatten()
                    .any(|&f| self.facts.list[f].personal);
                let valued = part_hits.iter().any(|h| !h.is_empty());
                for (p, h) in parts.iter().zip(part_hits.iter_mut()) {
                    let tier_word = self.rules.tier_nouns.contains(*p);
                    let named = !tier_word || own || (valued && !self.facts.has_personal_tier);
                    if h.is_empty() && named {
                        h.extend(self.key_naming(&stem(p)));
                    }
                }
                if !parts.is_empty() && part_hits.iter().all(|h| !h.is_empty()) {
                    hits = part_hits.concat();
                } else if parts.is_empty() {
                    continue;
                }
            }
            // "a Central Texas summer": a region said of the brand's area.
            if hits.is_empty()
                && self.rules.regions.contains(word.as_str())
                && !self.region_of_person(w)
            {
                continue;
            }
            // "Lenna 12\" topper" for "Lenna ... topper 12in": a size written with its unit
            // in the facts.
            if hits.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
                let sized: Vec<usize> = ["in", "cm", "mm", "inch", "m"]
                    .iter()
                    .flat_map(|u| self.facts.with_stem(&format!("{word}{u}")))
                    .collect();
                if !sized.is_empty() {
                    matched.push(w);
                    facts_hit.extend(sized);
                    continue;
                }
            }
            if hits.is_empty() {
                unmatched.push(w);
            } else {
                matched.push(w);
                facts_hit.extend(hits);
            }
        }
        // Product nouns of a product name must also agree with the matched fact.
        if product_name && !matched.is_empty() && unmatched.is_empty() {
            let noun = stem(&norm(self, last));
            let noun_ok = facts_hit
                .iter()
                .any(|&f| self.facts.list[f].stems.contains(&noun))
                || self.rules.synonyms.get(&noun).is_some_and(|syn| {
                    facts_hit
                        .iter()
                        .any(|&f| syn.iter().any(|s| self.facts.list[f].stems.contains(s)))
                })
                || !self.facts_for_stem(&noun).is_empty();
            if !noun_ok {
                unmatched.push(last);
            }
        }
        if unmatched.is_empty() {
            // Named by the campaign too: saying it uses no personal data.
            let campaign_named = facts_hit.iter().any(|&f| !self.facts.list[f].personal);
            if !campaign_named {
                for f in facts_hit {
                    self.use_fact(f, span_s, span_e);
                }
            }
            return;
        }
        // "Ashcombe Vale RFC Social Committee" signing off: a last line that names the
        // brand names who sends it.
        if self.signature_line(span_s) {
            return;
        }
        if self.closing_words_line(span_s) {
            return;
        }
        // "Reach 1,000 lifetime coins", "Collect March 16-19", "Quote FLEETFREE": a common
        // word opening the sentence, then a figure, a date or the campaign's code.
        if first < hi
            && self.doc.toks[self.doc.words[first]].sent_start
            && (self.is_common(&norm(self, first))
                || self.facts_for_stem(&stem(&norm(self, first))).is_empty())
            && (first + 1..=hi).all(|w| {
                let t = &self.doc.toks[self.doc.words[w]];
                t.kind == crate::text::TokKind::Num
                    || super::time::month_of(&t.norm).is_some()
                    || self.facts.codes.contains(t.norm.as_str())
            })
        {
            return;
        }
        // "Buen Camino," alone on a line above the sender: a sign-off, not a name.
        if hi - lo <= 2
            && self.doc.toks[self.doc.words[lo]].sent_start
            && self.followed_by_comma(hi)
            && self.is_sign_off_line(span_s, span_e)
        {
            return;
        }
        // "Victoria Day", "Anzac Day", "the King's Birthday Holiday": a public holiday.
        let day_after = |w: &str| matches!(w, "day" | "holiday" | "holidays" | "weekend");
        let ends_in_day = day_after(&norm(self, last))
            || self
                .doc
                .word_after(hi, 1)
                .is_some_and(|t| t.cap && day_after(&t.norm));
        if ends_in_day
            && unmatched
                .iter()
                .all(|&w| HOLIDAY_NAMES.contains(&norm(self, w).as_str()))
        {
            return;
        }
        if lo == hi && self.acronym_with_ending(self.doc.words[lo]) {
            return;
        }
        let head = self.doc.words[lo];
        let in_subject = self.doc.in_subject(head);
        let single = lo == hi;
        let sentence_initial = self.doc.toks[head].sent_start;
        // A lone capitalized word at a sentence start is usually just a word.
        if single && sentence_initial && !self.followed_by_comma(hi) {
            return;
        }
        // Title Case subject lines say nothing by their capitals; only contradictions count.
        // (But "Nomvula, your Fortuner and the new Panic Button": a name after a lowercase
        // "your" is the person's thing, whatever the case of the rest.)
        let after_your = self
            .doc
            .word_before(lo, 1)
            .is_some_and(|p| p.norm == "your" && !p.cap);
        if in_subject && self.doc.subject_title_case && matched.is_empty() && !after_your {
            return;
        }
        // Written lowercase elsewhere: an ordinary word.
        if single {
            let w = norm(self, lo);
            // ("Wreaths, bulbs and a little winter colour" above "your own festive wreath":
            // the same word in another number.)
            let w_stem = stem(&w);
            let lower_elsewhere = self.doc.words.iter().any(|&t| {
                let k = &self.doc.toks[t];
                !k.cap
                    && (k.norm == w
                        || (k.norm.len() + 3 >= w.len()
                            && k.norm.get(..3) == w.get(..3)
                            && stem(&k.norm) == w_stem))
            });
            if lower_elsewhere {
                return;
            }
        }
        let personal = self.doc.sent_personal(head);
        let text = self.doc.text[span_s..span_e].to_string();
        if !matched.is_empty() {
            let personal_fact = facts_hit.iter().find(|&&f| {
                let fk = self.facts.list[f].kind;
                self.facts.list[f].personal
                    && matches!(
                        fk,
                        FKind::Product | FKind::Place | FKind::Tier | FKind::Category | FKind::Text
                    )
            });
            if let Some(&pf) = personal_fact {
                let path = self.facts.list[pf].path.clone();
                self.flag(
                    Kind::WrongFact,
                    span_s,
                    span_e,
                    format!(
                        "`{text}` only partly matches `{path}`: a different product, place or tier"
                    ),
                    "grounding.partial_match",
                );
            } else {
                self.flag(
                    Kind::FabricatedFact,
                    span_s,
                    span_e,
                    format!("`{text}` is not among the campaign's or the recipient's facts"),
                    "grounding.partial_match",
                );
            }
            return;
        }
        // Nothing matched: say what it looks like.
        let prev = self
            .doc
            .word_before(lo, 1)
            .map(|t| t.norm.clone())
            .unwrap_or_default();
        let next = self
            .doc
            .word_after(hi, 1)
            .map(|t| t.norm.clone())
            .unwrap_or_default();
        // "Separately, our free webinar runs...": an adverb opening the sentence.
        if sentence_initial
            && lo == hi
            && norm(self, lo).len() > 5
            && norm(self, lo).ends_with("ly")
        {
            return;
        }
        // "Halimbawa, if your old phone is quoted at ₱5,000": a word of a language the gate
        // knows ("for example"), opening the sentence, is no name.
        if sentence_initial
            && lo == hi
            && self
                .rules
                .language_words
                .contains_key(norm(self, lo).as_str())
        {
            return;
        }
        let vocative = sentence_initial && self.followed_by_comma(hi);
        // "Ayubowan, and see you soon,": a greeting word opening a sign-off (a closing line
        // that ends in a comma), the line going on in lowercase, is no name.
        let sign_off_line = {
            let text = self.doc.text;
            let end = text[span_s..].find('\n').map_or(text.len(), |i| span_s + i);
            text[span_s..end].trim_end().ends_with(',')
        };
        if vocative
            && lo == hi
            && sign_off_line
            && self.opens_closing_line(span_s)
            && self
                .doc
                .word_after(hi, 1)
                .is_some_and(|n| !n.cap && n.kind == crate::text::TokKind::Word)
        {
            return;
        }
        // "Efcharistó, Sophie", "Kia ora, Aroha": a greeting word before the person's own
        // name, not another name for them.
        if vocative
            && self
                .doc
                .word_after(hi, 1)
                .is_some_and(|n| n.cap && self.name_matches(&n.norm))
        {
            return;
        }
        // "Gratefully," or "Onward," alone on a line near the end, before the sender: a
        // sign-off, not a name; so are "Herzliche Grüße," and "Met vriendelijke groet,".
        if vocative && hi - lo <= 2 && self.is_sign_off_line(span_s, span_e) {
            return;
        }
        if self.closing_words_line(span_s) {
            return;
        }
        // "Viele Grüße from Nuremberg,": a greeting word opening one of the last lines.
        if hi - lo <= 2
            && matches!(
                norm(self, hi).as_str(),
                "grüße"
                    | "grusse"
                    | "grüsse"
                    | "grüßen"
                    | "gruß"
                    | "gruss"
                    | "groet"
                    | "groeten"
                    | "saludos"
                    | "salutations"
                    | "regards"
                    | "wishes"
                    | "greetings"
            )
            && self.opens_closing_line(self.doc.toks[self.doc.words[first]].start)
        {
            return;
        }
        // "We love a Lab with a routine" for a `breed` of "Labrador Retriever": a short form
        // of a word of the person's own record (not of a name: "Max" is no "Maxwell").
        if single {
            let w = norm(self, lo);
            let short_of = self.facts.list.iter().position(|f| {
                f.personal
                    && !f.key.contains("name")
                    && f.stems
                        .iter()
                        .any(|st| st.len() >= w.len() + 4 && st.starts_with(w.as_str()))
            });
            if (3..=4).contains(&w.len()) && !self.is_common(&w) {
                if let Some(f) = short_of {
                    self.use_fact(f, span_s, span_e);
                    return;
                }
            }
        }
        // "Probeprüfung" for a record's `probepruefung`: German written without umlauts
        // (ä, ö, ü as ae, oe, ue; ß as ss), as exports often are.
        if single {
            let t = &self.doc.toks[self.doc.words[lo]];
            let written = self.doc.text.get(t.start..t.end).unwrap_or_default();
            if written.contains(['ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü']) {
                let mut plain = String::with_capacity(written.len() + 4);
                for c in written.chars() {
                    match c {
                        'ä' | 'Ä' => plain.push_str("ae"),
                        'ö' | 'Ö' => plain.push_str("oe"),
                        'ü' | 'Ü' => plain.push_str("ue"),
                        'ß' => plain.push_str("ss"),
                        c => plain.extend(c.to_lowercase()),
                    }
                }
                if let Some(&f) = self.facts_for_stem(&stem(&plain)).first() {
                    self.use_fact(f, span_s, span_e);
                    return;
                }
                // An event of the person's named so (`"type": "elterngespraech"`).
                if self.facts.recipient.profiling_allowed() {
                    let named = self.facts.recipient.events.iter().position(|e| {
                        e.kind
                            .split(['_', '-', ' '])
                            .any(|p| p.eq_ignore_ascii_case(&plain))
                    });
                    if let Some(i) = named {
                        let path = format!("events[{i}].at");
                        if let Some(f) = self.facts.list.iter().position(|x| x.path == path) {
                            self.use_fact(f, span_s, span_e);
                        }
                        return;
                    }
                }
            }
        }
        // "miejsce dla Zosi i Antka" for children named Zosia and Antek: a name of the
        // record declined, in a language that declines names.
        if single && self.declines_names() {
            let w = norm(self, lo);
            let declined = self.facts.list.iter().position(|f| {
                f.personal
                    && f.stems.iter().any(|st| {
                        let common = st
                            .chars()
                            .zip(w.chars())
                            .take_while(|(a, b)| a == b)
                            .count();
                        let (sl, wl) = (st.chars().count(), w.chars().count());
                        sl >= 4 && common >= 3 && common + 2 >= sl && wl <= sl + 3 && wl + 1 >= sl
                    })
            });
            if let Some(f) = declined {
                self.use_fact(f, span_s, span_e);
                return;
            }
        }
        // "You are not a Vagnklubben member yet" when the campaign's facts hold a
        // `vagnklubben` object: a key of the campaign's names its own programme.
        if single {
            let w = norm(self, lo);
            let keyed = w.len() >= 5
                && self.facts.list.iter().any(|f| {
                    !f.personal
                        && f.path
                            .split(['.', '_', '[', ']'])
                            .any(|p| p.len() == w.len() && crate::text::fold(p) == w)
                });
            if keyed {
                return;
            }
        }
        let looks_product = last_is_product || self.is_product_noun(&next);
        let looks_tier = self.rules.tier_nouns.contains(next.as_str());
        let looks_place = PLACE_PREPS.contains(&prev.as_str()) && !looks_product;
        let (kind, what) = if vocative {
            if self.facts.recipient.first_name.is_some() {
                (
                    Kind::WrongFact,
                    "addresses the person by a name that is not theirs",
                )
            } else {
                (
                    Kind::FabricatedFact,
                    "addresses the person by a name the record does not have",
                )
            }
        } else if looks_tier {
            if self.facts.has_personal_tier && personal {
                (Kind::WrongFact, "names a tier that is not the recipient's")
            } else {
                (Kind::FabricatedFact, "names a tier no fact supports")
            }
        } else if looks_place {
            if self.facts.has_personal_place && personal {
                (Kind::WrongFact, "names a place that is not the recipient's")
            } else {
                (Kind::FabricatedFact, "names a place no fact supports")
            }
        } else if looks_product
            && self.facts.has_personal_product
            && personal
            && self.clause_has(
                head,
                &[
                    "your",
                    "bought",
                    "ordered",
                    "purchased",
                    "picked",
                    "grabbed",
                ],
            )
        {
            (
                Kind::WrongFact,
                "names a product that is not in the recipient's history",
            )
        } else if personal && single && self.has_other_name_attribute() {
            // "We hope Max is loving the kibble" when the record's pet is Luna.
            (
                Kind::WrongFact,
                "names someone the record knows by another name (a `*_name` attribute)",
            )
        } else {
            (
                Kind::FabricatedFact,
                "a specific name that matches no recipient or campaign fact",
            )
        };
        self.flag(
            kind,
            span_s,
            span_e,
            format!("`{text}`: {what}"),
            "grounding.capitalized",
        );
    }

    /// "Site 11" when the person's booking is for "Site 14": a common word and a number
    /// that together name one of the person's things (a site, a room, a row, a locker);
    /// the record's number for that word must be the one said.
    /// Returns whether it judged the run.
    fn numbered_name(&mut self, first: usize, last: usize) -> bool {
        if last != first + 1 {
            return false;
        }
        let (w, n) = (
            &self.doc.toks[self.doc.words[first]],
            &self.doc.toks[self.doc.words[last]],
        );
        if w.kind != crate::text::TokKind::Word
            || n.kind != crate::text::TokKind::Num
            || !n.norm.bytes().all(|b| b.is_ascii_digit())
            // "through October 15" is a date (the time checks judge it), even when the
            // record holds "Saturday, October 1".
            || super::time::month_of(&w.norm).is_some()
        {
            return false;
        }
        let word = stem(&w.norm);
        let mut theirs: Vec<(usize, &str)> = Vec::new();
        // Only the facts that hold the word (an index lookup, not a scan).
        let holders = self.facts.with_stem(&word);
        for &i in &holders {
            let f = &self.facts.list[i];
            if !f.personal {
                continue;
            }
            for pair in f.stems.windows(2) {
                if pair[0] == word && pair[1].bytes().all(|b| b.is_ascii_digit()) {
                    theirs.push((i, pair[1].as_str()));
                }
            }
        }
        if theirs.is_empty() {
            return false;
        }
        let (s, e) = (w.start, n.end);
        // The campaign's own ("Term 4 starts on 8 October") is said to everyone, also as
        // the tail of a compound with a year's span ("Gymi-Jahreskurs 2065/66" for
        // "Jahreskurs 2065"). (Only reached when the person has such a name, which is rare:
        // the campaign's facts are read through.)
        let campaign_has = self.facts.list.iter().any(|f| {
            !f.personal
                && f.stems.windows(2).any(|p| {
                    (p[0] == word
                        || p[0]
                            .strip_suffix(word.as_str())
                            .is_some_and(|h| h.ends_with('-')))
                        && (p[1] == n.norm.as_str()
                            || p[1]
                                .strip_prefix(n.norm.as_str())
                                .is_some_and(|t| t.starts_with('/')))
                })
        });
        if campaign_has {
            return false;
        }
        if let Some(&(fi, _)) = theirs.iter().find(|(_, x)| *x == n.norm.as_str()) {
            self.use_fact(fi, s, e);
            return true;
        }
        let path = self.facts.list[theirs[0].0].path.to_string();
        let said = format!("{} {}", w.norm, theirs[0].1);
        let text = self.doc.text[s..e].to_string();
        self.flag(
            Kind::WrongFact,
            s,
            e,
            format!("`{text}`: the record's is {said} (`{path}`)"),
            "grounding.numbered_name",
        );
        true
    }

    /// `word` (a people or country word) belongs to a currency the campaign's own facts
    /// price in: its keys (`price_aud`) or values ("AUD 9.95", `currency: "NZD"`).
    fn campaign_currency_people(&self, word: &str) -> bool {
        let Some(code) = currency_of_people(word) else {
            return false;
        };
        self.facts.list.iter().any(|f| {
            !f.personal
                && (f.key.rsplit('_').next() == Some(code) || f.stems.iter().any(|x| x == code))
        })
    }

    /// The record names someone besides the person: a pet, a child, a partner
    /// (`pet_name`, `child_name`, ...).
    fn has_other_name_attribute(&self) -> bool {
        self.facts.recipient.attributes.keys().any(|k| {
            let k = crate::text::fold(k);
            k.ends_with("_name") && !matches!(k.as_str(), "first_name" | "last_name" | "full_name")
        })
    }

    /// Whether `start..end` is all of its body line (with a comma or "!" after it), below
    /// some text and with at most two non-empty lines after it: where a sign-off stands.
    /// "Mit herzlichen Grüßen,", "Pozdrawiamy z Krakowa,", "Happy Carnival,": a short closing
    /// line, ending in a comma, that holds a sign-off word in some language (or wishes a happy
    /// day): nothing on it is a claim.
    fn closing_words_line(&self, start: usize) -> bool {
        const SIGN_OFF: [&str; 26] = [
            "grüße",
            "grüßen",
            "grusse",
            "grüsse",
            "grüssen",
            "groete",
            "gruss",
            "gruß",
            "groet",
            "groeten",
            "saludos",
            "pozdrawiamy",
            "pozdrowienia",
            "pozdrowieniami",
            "hälsningar",
            "hilsen",
            "hilsner",
            "terveisin",
            "abraços",
            "cumprimentos",
            "cordialement",
            "amitiés",
            "bises",
            "saluti",
            "baci",
            "regards",
        ];
        let text = self.doc.text;
        let ls = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let le = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let raw = &text[ls..le];
        // (Where the trimmed line starts and ends in the text, on character boundaries.)
        let lead = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        let (line_start, line_end) = (ls + lead, ls + lead + line.len());
        if !line.ends_with(',') || line.split_whitespace().count() > 6 {
            return false;
        }
        let lower = line.to_lowercase();
        // ("See you in the Südkurve," still names a place, and is judged.)
        let happy = lower.starts_with("happy ");
        (happy
            || lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| SIGN_OFF.contains(&w)))
            && self.is_sign_off_line(line_start, line_end)
    }

    fn is_sign_off_line(&self, start: usize, end: usize) -> bool {
        let text = self.doc.text;
        if start < self.doc.body_start {
            return false;
        }
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let before = text[line_start..start].trim();
        let after = text[end..line_end].trim();
        if !before.is_empty() || !matches!(after, "," | "!" | "") {
            return false;
        }
        let above = text
            .get(self.doc.body_start..line_start)
            .unwrap_or_default()
            .trim();
        let below = text[line_end..]
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count();
        !above.is_empty() && below <= 2
    }

    /// The indices of the facts that pass `keep`.
    pub(super) fn facts_where(&self, keep: impl Fn(&crate::facts::Fact) -> bool) -> Vec<usize> {
        self.facts
            .list
            .iter()
            .enumerate()
            .filter(|(_, f)| keep(f))
            .map(|(i, _)| i)
            .collect()
    }

    /// The fact whose key names a word ("Yard Manager" signing for `staff.yard_manager`,
    /// "Open Day" for `open_day`): a personal fact, or a campaign one whose key is a phrase.
    fn key_naming(&self, st: &str) -> Option<usize> {
        // ("Hinamatsuri" for the campaign's `"hinamatsuri": "2061-03-03"`: a key of one
        // uncommon word names its own thing.)
        let whole = self.facts.list.iter().position(|f| {
            !f.personal
                && f.key.len() >= 6
                && !f.key.contains('_')
                && stem(&f.key) == st
                && !self.is_common(&f.key)
        });
        if whole.is_some() {
            return whole;
        }
        self.facts.list.iter().position(|f| {
            (f.personal || f.key.contains('_'))
                && f.event.is_none()
                && f.key.split('_').any(|p| {
                    // "c5" in `pet_1_c5_booster_due`: short, but a code, not a word.
                    (p.len() > 2
                        || (p.len() == 2
                            && p.bytes().any(|b| b.is_ascii_digit())
                            && (p.bytes().any(|b| b.is_ascii_alphabetic())
                                // "Youth 13-18" for `youth_13_18`: an age in a label key.
                                || f.key.split('_').any(|q| q.len() > 3))))
                        && stem(p) == st
                })
        })
    }

    /// The text at `start` is on the last line of the email (before any footer), which
    /// names the brand.
    fn signature_line(&self, start: usize) -> bool {
        let text = self.doc.text;
        let end = self.doc.footer_start.min(text.len());
        if start < self.doc.body_start || start >= end {
            return false;
        }
        // A short line: no sentence in it.
        let short = |l: &str| l.split_whitespace().count() <= 8 && !l.contains(['.', '!', '?']);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        // The lines from this one to the end: "Membership Office" above "Kincraig Links Golf
        // Club", or a name above a role above the brand. At most four, all short.
        let below: Vec<&str> = text[line_start..end]
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        if below.is_empty() || below.len() > 4 || !below.iter().all(|l| short(l)) {
            return false;
        }
        // A short line under the body, not the body itself; when lines follow it, the line
        // above the block is a sign-off ("Kind regards,").
        let above: Vec<&str> = text
            .get(self.doc.body_start..line_start)
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        let Some(prev) = above.last() else {
            return false;
        };
        if below.len() > 1 && !prev.trim_end().ends_with(',') {
            return false;
        }
        let Some(brand) = self
            .facts
            .list
            .iter()
            .find(|f| !f.personal && f.path == "context.brand")
            .and_then(|f| f.stems.first())
            .filter(|b| b.len() >= 3)
        else {
            return false;
        };
        below
            .iter()
            .any(|l| crate::text::fold(l).contains(brand.as_str()))
    }

    /// The text at `start` opens a line with at most two lines of text below it.
    fn opens_closing_line(&self, start: usize) -> bool {
        let text = self.doc.text;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        if start < self.doc.body_start || !text[line_start..start].trim().is_empty() {
            return false;
        }
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        text[line_end..]
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
            <= 2
    }

    fn followed_by_comma(&self, wi: usize) -> bool {
        let ti = self.doc.words[wi];
        self.doc.toks.get(ti + 1).is_some_and(|t| t.is_punct(','))
    }

    /// "your Gold status", "as a Platinum member": the tier must be the recipient's.
    pub(super) fn tiers(&mut self) {
        /// Subjects that make a sentence about other people.
        const OTHERS: [&str; 14] = [
            "teams",
            "customers",
            "people",
            "many",
            "most",
            "members",
            "users",
            "companies",
            "others",
            "folks",
            "shoppers",
            "they",
            "some",
            "clients",
        ];
        for wi in 0..self.doc.words.len() {
            let t = &self.doc.toks[self.doc.words[wi]];
            if !self.rules.tier_words.contains(t.norm.as_str()) {
                continue;
            }
            // "upgrade from Starter (to Scale)": the tier after "from" is the person's now.
            let from_tier = wi >= 2
                && self.doc.adjacent(wi - 2)
                && self.doc.adjacent(wi - 1)
                && self.doc.toks[self.doc.words[wi - 1]].norm == "from"
                && matches!(
                    self.doc.toks[self.doc.words[wi - 2]].norm.as_str(),
                    "upgrade"
                        | "upgrading"
                        | "move"
                        | "moving"
                        | "switch"
                        | "switching"
                        | "graduate"
                        | "graduating"
                        | "step"
                        | "stepping"
                )
                && self.doc.sent_personal(self.doc.words[wi])
                && {
                    // "Teams often upgrade from Starter": someone else's move.
                    let (cs, _) = self.doc.clause(self.doc.words[wi - 2]);
                    !self.doc.toks[cs..self.doc.words[wi - 2]]
                        .iter()
                        .any(|t| OTHERS.contains(&t.norm.as_str()))
                };
            let noun_after = self.doc.adjacent(wi)
                && self
                    .doc
                    .word_after(wi, 1)
                    .is_some_and(|n| self.rules.tier_nouns.contains(n.norm.as_str()));
            if !noun_after && !from_tier {
                continue;
            }
            let last = if noun_after { wi + 1 } else { wi };
            // (Up to five words back: "as a Ruta Club Gold member".)
            let personal_marker = from_tier
                || (1..=5).any(|k| {
                    self.doc.word_before(wi, k).is_some_and(|p| {
                        matches!(p.norm.as_str(), "your" | "you're" | "you" | "you've" | "as")
                    })
                });
            let st = stem(&t.norm);
            let hits = self.facts.with_stem(&st);
            let personal_hit = hits.iter().find(|&&f| self.facts.list[f].personal).copied();
            if let Some(f) = personal_hit {
                let (s, e) = (t.start, t.end);
                self.use_fact(f, s, e);
                continue;
            }
            if !personal_marker {
                continue;
            }
            // "a Silver Hartley's Plus member": "Plus" is the programme's name (the campaign
            // writes it with the word before it), after the person's own tier.
            let prev_stem = (wi > 0 && self.doc.adjacent(wi - 1))
                .then(|| stem(&self.doc.toks[self.doc.words[wi - 1]].norm));
            // "a Hartley's Plus member" for `programme: Hartley's Plus`: a name the campaign
            // gives whole, ending in the word.
            let programme_value = prev_stem.as_ref().is_some_and(|prev| {
                self.facts.list.iter().any(|f| {
                    !f.personal
                        && f.stems.len() <= 3
                        && f.stems.len() >= 2
                        && f.stems[f.stems.len() - 2] == *prev
                        && f.stems[f.stems.len() - 1] == st
                })
            });
            let in_programme_name = programme_value
                || prev_stem.as_ref().is_some_and(|prev| {
                    (2..=4).any(|k| {
                        self.doc.word_before(wi, k).is_some_and(|p| {
                            self.rules.tier_words.contains(p.norm.as_str())
                                && self
                                    .facts
                                    .with_stem(&stem(&p.norm))
                                    .iter()
                                    .any(|&f| self.facts.list[f].personal)
                        })
                    }) && self.facts.list.iter().any(|f| {
                        !f.personal && f.stems.windows(2).any(|w| w[0] == *prev && w[1] == st)
                    })
                });
            // "As a Club Gold member, a medium popcorn would be on us": what the upgrade
            // would give, not the person's tier.
            let supposed = self.sentence_has(self.doc.words[wi], &["would", "could"]);
            if in_programme_name || supposed {
                continue;
            }
            // "your Pro plan" when the campaign itself offers a Pro plan is an upsell, not a claim,
            // unless the record names a different tier.
            if !hits.is_empty() && !self.facts.has_personal_tier && !from_tier {
                continue;
            }
            let tier = self
                .facts
                .list
                .iter()
                .find(|f| f.personal && f.kind == FKind::Tier)
                .map(|f| f.path.clone());
            match tier {
                Some(path) => self.flag_words(
                    Kind::WrongFact,
                    wi,
                    last,
                    format!("states a tier that contradicts `{path}`"),
                    "grounding.tier",
                ),
                None => self.flag_words(
                    Kind::FabricatedFact,
                    wi,
                    last,
                    "states a loyalty tier or plan the record does not have".into(),
                    "grounding.tier",
                ),
            }
        }
    }

    /// The product noun heading a phrase starting at word `from` (at most four words on).
    fn product_noun_after(&self, from: usize, max: usize) -> Option<usize> {
        for k in 0..max {
            let wi = from + k;
            let t = self.doc.word_after(from, k)?;
            if k > 0 && !self.doc.adjacent(wi - 1) {
                return None;
            }
            // "Your Cairns deserve a jacket": a new noun phrase is not what "your" owns.
            if STOP_WORDS.contains(&t.norm.as_str())
                || (k > 0 && ARTICLES.contains(&t.norm.as_str()))
            {
                return None;
            }
            if self.is_product_noun(&t.norm) {
                return Some(wi);
            }
        }
        None
    }

    /// "your new hiking boots": a thing the person owns must be in a fact.
    /// "your usual Highlands store": a named store, studio or branch said to be the person's
    /// must be theirs in the record. With a place of theirs on record, another one is a wrong
    /// fact; with none, claiming one is a fabricated fact.
    pub(super) fn possessive_places(&mut self) {
        const PLACE_NOUNS: [&str; 14] = [
            "store", "shop", "branch", "location", "studio", "gym", "club", "taproom", "hotel",
            "showroom", "clinic", "salon", "library", "office",
        ];
        let mut flags = Vec::new();
        for wi in 0..self.doc.words.len() {
            if self.doc.toks[self.doc.words[wi]].norm != "your" || self.in_hedge(wi) {
                continue;
            }
            // The place noun within four words, a capitalized name right before it.
            let Some(nw) = (1..=4).map(|k| wi + k).find(|&w| {
                self.doc
                    .word_after(wi, w - wi)
                    .is_some_and(|t| PLACE_NOUNS.contains(&t.norm.as_str()) && !t.cap)
            }) else {
                continue;
            };
            // "your next Basketful shop": shopping talk, not a place of theirs.
            let shopping = (wi + 1..nw).any(|w| {
                matches!(
                    self.doc.toks[self.doc.words[w]].norm.as_str(),
                    "next" | "first" | "own" | "new" | "future" | "weekly" | "big"
                )
            });
            if shopping {
                continue;
            }
            let names: Vec<usize> = (wi + 1..nw)
                .filter(|&w| {
                    let t = &self.doc.toks[self.doc.words[w]];
                    t.cap && !self.is_common(&t.norm)
                })
                .collect();
            // The brand's own name is no place: "your Basketful store account".
            let brand = names.iter().any(|&w| {
                let st = stem(&self.doc.toks[self.doc.words[w]].norm);
                self.facts_for_stem(&st)
                    .iter()
                    .any(|&f| !self.facts.list[f].personal && self.facts.list[f].key == "brand")
            });
            if brand {
                continue;
            }
            // Only a name right before the noun ("your usual Highlands store"), not a brand
            // further back ("your Northpeak gift card store credit").
            if names.last() != Some(&(nw - 1)) {
                continue;
            }
            let stems: Vec<String> = names
                .iter()
                .map(|&w| stem(&self.doc.toks[self.doc.words[w]].norm))
                .collect();
            let theirs: Vec<usize> = stems
                .iter()
                .flat_map(|st| self.facts_for_stem(st))
                .filter(|&f| self.facts.list[f].personal)
                .collect();
            let s = self.doc.toks[self.doc.words[wi]].start;
            let e = self.doc.toks[self.doc.words[nw]].end;
            if !theirs.is_empty() {
                for f in theirs {
                    self.use_fact(f, s, e);
                }
                continue;
            }
            let place_on_record = self
                .facts
                .list
                .iter()
                .position(|f| f.personal && f.kind == FKind::Place && f.event.is_none());
            let text = self.doc.text[s..e].to_string();
            flags.push(match place_on_record {
                Some(f) => (
                    Kind::WrongFact,
                    s,
                    e,
                    format!(
                        "`{text}`: the person's own is `{}`",
                        self.facts.list[f].path
                    ),
                ),
                None => (
                    Kind::FabricatedFact,
                    s,
                    e,
                    format!("`{text}`: no fact says which place is the person's"),
                ),
            });
        }
        for (kind, s, e, reason) in flags {
            self.flag(kind, s, e, reason, "grounding.own_place");
        }
    }

    /// "our Bring Your Mix evening": a capitalized "Your" inside a title (after a
    /// capitalized word, mid-sentence) belongs to the title's name.
    pub(super) fn your_in_title(&self, wi: usize) -> bool {
        let t = &self.doc.toks[self.doc.words[wi]];
        t.cap
            && !t.sent_start
            && wi > 0
            && self.doc.adjacent(wi - 1)
            && self.doc.toks[self.doc.words[wi - 1]].cap
            && !self.doc.toks[self.doc.words[wi - 1]].sent_start
            && self
                .doc
                .word_after(wi, 1)
                .is_some_and(|n| n.cap && self.doc.adjacent(wi))
    }

    pub(super) fn possessive_products(&mut self) {
        for wi in 0..self.doc.words.len() {
            let t = &self.doc.toks[self.doc.words[wi]];
            if t.norm != "your" || self.your_in_title(wi) {
                continue;
            }
            let Some(nw) = self.product_noun_after(wi + 1, 4) else {
                continue;
            };
            if self.in_hedge(wi) {
                continue;
            }
            // "your Evropa upgrade for 790 Kč", "your Bula Bowl discount": the offer made to
            // the person, named by what it is on.
            if self.doc.adjacent(nw)
                && self.doc.word_after(nw, 1).is_some_and(|x| {
                    matches!(
                        x.norm.as_str(),
                        "upgrade"
                            | "discount"
                            | "deal"
                            | "offer"
                            | "saving"
                            | "savings"
                            | "voucher"
                    )
                })
            {
                continue;
            }
            // "your next jacket", "your perfect tent": shopping talk, not ownership.
            let shopping = (wi + 1..nw).any(|w| {
                matches!(
                    self.doc.toks[self.doc.words[w]].norm.as_str(),
                    "next"
                        | "perfect"
                        | "dream"
                        | "ideal"
                        | "first"
                        | "own"
                        | "future"
                        | "free"
                        | "complimentary"
                        | "choice"
                )
            });
            if shopping {
                continue;
            }
            let noun = stem(&self.doc.toks[self.doc.words[nw]].norm);
            // "what would suit your whānau": the reader's family, said to anyone.
            if matches!(noun.as_str(), "whanau" | "whānau" | "tamariki") {
                continue;
            }
            // "your Roxo app" from Roxo Açaí: the brand's name opens the person's account,
            // app or card with the brand, not a product of theirs.
            let brand = self.doc.toks[self.doc.words[nw]].cap
                && self.doc.adjacent(nw)
                && self
                    .facts_for_stem(&noun)
                    .iter()
                    .any(|&f| !self.facts.list[f].personal && self.facts.list[f].key == "brand");
            if brand {
                continue;
            }
            // "queue songs from your phone", "add it to your calendar": a thing everyone has,
            // used as a means, claims nothing of the person.
            // ("you lock your phone and watch away": the same, whatever the verb.)
            let means = nw == wi + 1
                && matches!(
                    self.doc.toks[self.doc.words[nw]].norm.as_str(),
                    "phone" | "smartphone" | "mobile" | "inbox" | "calendar" | "browser" | "device"
                );
            if means {
                continue;
            }
            // "Book your pump-out", "a deposit secures your slot", "a free sample with your
            // pre-order" (in a sentence of what you'll get): the thing the email asks the
            // person to make, not one they have.
            let to_make = self.doc.word_before(wi, 1).is_some_and(|p| {
                matches!(
                    p.norm.as_str(),
                    // "If getting your real estate license is on your list": what the
                    // course leads to.
                    "getting"
                        | "earning"
                        | "book"
                        // "Here's your flight" of five sauces: what the email hands over.
                        | "here's"
                        | "heres"
                        | "schedule"
                        | "reserve"
                        | "reserves"
                        | "secure"
                        | "secures"
                        | "hold"
                        | "holds"
                        | "confirm"
                        | "confirms"
                        | "guarantee"
                        | "guarantees"
                        | "claim"
                        | "grab"
                        | "place"
                ) || (matches!(
                    p.norm.as_str(),
                    "collect"
                        | "collects"
                        | "receive"
                        | "receives"
                        // "$150 off your real estate license course": what the offer is for.
                        | "off"
                )
                    // "Sign by 31 December and collect your bike by 9 January": the thing
                    // the campaign hands over.
                    && self
                        .facts_for_stem(&stem(&self.doc.toks[self.doc.words[nw]].norm))
                        .iter()
                        .any(|&f| !self.facts.list[f].personal)
                    && !self.clause_in_past(self.doc.words[wi]))
                    || (matches!(p.norm.as_str(), "with" | "for")
                        && self.sentence_has(
                            self.doc.words[wi],
                            &["you'll", "will", "once", "when", "if", "get", "receive"],
                        )
                        && self
                            .facts_for_stem(&stem(&self.doc.toks[self.doc.words[nw]].norm))
                            .iter()
                            .any(|&f| !self.facts.list[f].personal))
            });
            // "Leave your luggage at our counter", "Drop your bike off by 9": an instruction
            // at the head of a sentence, to anyone.
            let instruction = self.doc.word_before(wi, 1).is_some_and(|p| {
                (p.sent_start
                    && matches!(
                        p.norm.as_str(),
                        "leave" | "drop" | "store" | "check" | "pack" | "send" | "hand" | "bring"
                    ))
                    // "You'll need your bicycle's registration number": what to bring.
                    || p.norm == "need"
            });
            if to_make || instruction {
                continue;
            }
            // "removal of your old mattress", "pickup and return of your bike": the campaign
            // itself says it to everyone, in the second person.
            let campaign_says = self.facts.list.iter().any(|f| {
                !f.personal
                    && f.stems.iter().enumerate().any(|(i, w)| {
                        w == "your"
                            && (f.stems.get(i + 1) == Some(&noun)
                                || f.stems.get(i + 2) == Some(&noun))
                    })
            });
            // "a draft objection letter to your landlord" where the campaign writes "to the
            // landlord": its words, turned to the reader.
            let paraphrase = nw == wi + 1
                && self.doc.word_before(wi, 1).is_some_and(|p| {
                    let p = stem(&p.norm);
                    self.facts.list.iter().any(|f| {
                        !f.personal
                            && f.stems
                                .windows(3)
                                .any(|w| w[0] == p && w[1] == "the" && w[2] == noun)
                    })
                });
            if (campaign_says && nw <= wi + 2) || paraphrase {
                continue;
            }
            // "your new Midnight Repair Cream" sells a campaign product; "your new retinol",
            // which nothing mentions, claims one.
            let says_new = (wi + 1..nw).any(|w| self.doc.toks[self.doc.words[w]].norm == "new");
            if says_new
                && self
                    .facts_for_stem(&noun)
                    .iter()
                    .any(|&f| !self.facts.list[f].personal)
            {
                continue;
            }
            // Owning something needs a personal fact; the campaign selling it is not enough,
            // and neither is having looked at it ("your Summit parka" for a viewed parka).
            let hits: Vec<usize> = self
                .facts_for_stem(&noun)
                .into_iter()
                .filter(|&f| self.facts.list[f].personal)
                .collect();
            // "give your good shoes some attention" from a shoe repairer, "€12.50 for your
            // breakfast" at a breakfast it sells: the kind of thing the campaign serves,
            // priced or cared for, said to anyone, with no name to say which one and nothing
            // of the person's. ("your night cream must be running low" claims one.)
            let ti = self.doc.words[wi];
            let offered = self.sentence_has(
                ti,
                &[
                    "$", "€", "£", "¥", "r", "included", "includes", "provided", "supplied",
                ],
            ) || self.doc.word_before(wi, 1).is_some_and(|p| {
                matches!(
                    p.norm.as_str(),
                    "give" | "bring" | "treat" | "protect" | "refresh" | "pamper"
                )
            });
            // ("Book it together with your Spring Pool Opening": the campaign's own product
            // by its whole name.)
            let said: Vec<String> = (wi + 1..=nw)
                .map(|w| stem(&self.doc.toks[self.doc.words[w]].norm))
                .collect();
            let campaign_named = self
                .facts
                .list
                .iter()
                .any(|f| !f.personal && f.stems.windows(said.len()).any(|x| x == &said[..]));
            // "ordering now means your screens are in before the mosquitoes": the things an
            // order would bring, in a sentence about ordering them.
            // ("Book by Sunday 30 September ... and your panels are back up within 5 days".)
            let ordering =
                self.sentence_has(ti, &["ordering", "booking", "buying", "book", "order"]);
            let served = hits.is_empty()
                && (offered || ordering)
                && ((wi + 1..nw).all(|w| !self.doc.toks[self.doc.words[w]].cap) || campaign_named)
                && self
                    .facts_for_stem(&noun)
                    .iter()
                    .any(|&f| !self.facts.list[f].personal);
            if served {
                continue;
            }
            let s = self.doc.toks[self.doc.words[wi]].start;
            let e = self.doc.toks[self.doc.words[nw]].end;
            let owned: Vec<usize> = hits
                .iter()
                .copied()
                .filter(|&f| !self.only_looked_at(f))
                .collect();
            // "your Tove frames": a name before the noun says which one; the person's own
            // must carry it.
            let names: Vec<String> = (wi + 1..nw)
                .map(|w| &self.doc.toks[self.doc.words[w]])
                .filter(|t| t.cap && !self.is_common(&t.norm))
                .map(|t| stem(&t.norm))
                .collect();
            let named: Vec<usize> = owned
                .iter()
                .copied()
                .filter(|&f| {
                    names.is_empty()
                        || names
                            .iter()
                            .any(|n| self.facts.list[f].stems.iter().any(|x| x == n))
                })
                .collect();
            if !named.is_empty() {
                for f in named {
                    self.use_fact(f, s, e);
                }
                continue;
            }
            // "your Rangiora villa" for `town: Rangiora` and `property_type: villa`: the
            // name is another of the person's attributes, saying where or what it is.
            let attribute_of = |n: &String| {
                self.facts.list.iter().position(|f| {
                    f.personal
                        && f.event.is_none()
                        && f.kind != FKind::Name
                        && f.stems.iter().any(|x| x == n)
                })
            };
            if !owned.is_empty()
                && !names.is_empty()
                && names.iter().all(|n| attribute_of(n).is_some())
            {
                let held: Vec<usize> = names.iter().filter_map(attribute_of).collect();
                for f in held.into_iter().chain(owned.iter().copied()) {
                    self.use_fact(f, s, e);
                }
                continue;
            }
            if !owned.is_empty() {
                let text = self.doc.text[s..e].to_string();
                let theirs = self.facts.list[owned[0]].path.clone();
                self.flag(
                    Kind::WrongFact,
                    s,
                    e,
                    format!("`{text}`: the person's own is a different one (`{theirs}`)"),
                    "grounding.possession",
                );
                continue;
            }
            // "your berth" for `berth: "B-14"`: an attribute of the person's named for the
            // thing (its value a code, not the noun).
            let keyed = self.facts.list.iter().position(|f| {
                f.personal
                    && f.event.is_none()
                    && f.path.strip_prefix("attributes.").is_some_and(|k| {
                        crate::text::fold(k)
                            .split(['_', '-', ' '])
                            .any(|p| p.len() > 2 && stem(p) == noun)
                    })
            });
            // "your Zellige Card" for `zellige_stamps`: the name before the noun is the
            // person's attribute's, the programme the card is for.
            let keyed = keyed.or_else(|| {
                self.facts.list.iter().position(|f| {
                    f.personal
                        && f.event.is_none()
                        && !names.is_empty()
                        && f.path.strip_prefix("attributes.").is_some_and(|k| {
                            crate::text::fold(k)
                                .split(['_', '-', ' '])
                                .any(|p| p.len() > 2 && names.contains(&stem(p)))
                        })
                })
            });
            // "17 of your shirts" for an order's `items.shirts: 10`: an event's field named
            // for the thing, with a count of it.
            let keyed = keyed.or_else(|| {
                self.facts.list.iter().position(|f| {
                    f.personal
                        && f.event.is_some()
                        && f.num.is_some()
                        && f.key.len() > 2
                        && stem(&f.key) == noun
                })
            });
            // "your berth enquiry" for a `berth_enquiry` event: the words name the person's
            // event by its type.
            let keyed = keyed.or_else(|| {
                let said: Vec<String> = (wi + 1..=nw + 1)
                    .filter_map(|w| self.doc.words.get(w))
                    .map(|&ti| stem(&self.doc.toks[ti].norm))
                    .collect();
                self.event_named_by_type(&said, 2)
            });
            // "your Roxo app" for an `app_download` event: the noun names one of the
            // person's events by its type.
            let keyed = keyed.or_else(|| {
                // (Asking about a berth, or looking at one, is not having it.)
                let ei = self.facts.recipient.events.iter().position(|ev| {
                    let k = crate::text::fold(&ev.kind);
                    k.split(['_', '-', ' '])
                        .any(|p| p.len() > 2 && stem(p) == noun)
                        && ![
                            "enquir", "inquir", "quote", "request", "view", "search", "wish",
                            "cart", "waitlist", "click", "brochure", "message", "interest",
                        ]
                        .iter()
                        .any(|p| k.contains(p))
                })?;
                self.facts
                    .list
                    .iter()
                    .position(|f| f.personal && f.event == Some(ei))
            });
            // "your Copenhagen flight" for a visit's `flight: "to Copenhagen"`, "two of your
            // markers" for a check's `markers_outside_range: 2`: an event's field named for
            // the thing, holding any name said before it.
            let keyed = keyed.or_else(|| {
                self.facts.list.iter().position(|f| {
                    f.personal
                        && f.event.is_some()
                        && crate::text::fold(&f.key)
                            .split(['_', '-', ' '])
                            .any(|p| p.len() > 2 && stem(p) == noun)
                        && names.iter().all(|n| f.stems.contains(n))
                })
            });
            if let Some(f) = keyed {
                self.use_fact(f, s, e);
                continue;
            }
            // "Your Gold Card" for `gold_card: true`: a flag of the person's named for the
            // thing and its name.
            let flagged = self.facts.recipient.attributes.iter().any(|(k, v)| {
                matches!(v, candor_domain::AttrValue::Bool(true)) && {
                    let parts: Vec<String> = crate::text::fold(k)
                        .split(['_', '-', ' '])
                        .filter(|p| p.len() > 2)
                        .map(stem)
                        .collect();
                    parts.contains(&noun) && names.iter().all(|n| parts.contains(n))
                }
            });
            if flagged {
                continue;
            }
            // "your Annual Maintenance Contract" for an `amc` attribute or an `amc_renewal`
            // event: the name's initials are the record's word for it.
            let initials: String = (wi + 1..=nw)
                .filter_map(|w| self.doc.words.get(w))
                .map(|&ti| &self.doc.toks[ti])
                .filter(|t| t.cap)
                .filter_map(|t| t.norm.chars().next())
                .collect();
            if initials.chars().count() >= 3 {
                let names_it = |k: &str| {
                    crate::text::fold(k)
                        .split(['_', '-', ' '])
                        .any(|p| p == initials)
                };
                let own = self
                    .facts
                    .list
                    .iter()
                    .position(|f| f.personal && f.event.is_none() && names_it(&f.key))
                    .or_else(|| {
                        let ei = self
                            .facts
                            .recipient
                            .events
                            .iter()
                            .position(|ev| names_it(&ev.kind))?;
                        self.facts
                            .list
                            .iter()
                            .position(|f| f.personal && f.event == Some(ei))
                    });
                if let Some(f) = own {
                    self.use_fact(f, s, e);
                    continue;
                }
            }
            if let Some(&f) = hits.first() {
                let kind = self.facts.list[f]
                    .event
                    .map(|ei| self.facts.recipient.events[ei].kind.clone())
                    .unwrap_or_default();
                let text = self.doc.text[s..e].to_string();
                self.flag(
                    Kind::WrongFact,
                    s,
                    e,
                    format!("`{text}`: the person only looked at this (a `{kind}` event)"),
                    "grounding.possession",
                );
                continue;
            }
            let text = self.doc.text[s..e].to_string();
            self.flag(
                Kind::FabricatedFact,
                s,
                e,
                format!("`{text}`: no fact says the person has this"),
                "grounding.possession",
            );
        }
    }

    /// "As a thriller fan", "since your skin runs oily": a value from a closed set (genres,
    /// skin types, roasts) said to be the person's must be the one their record holds.
    /// "We hope Ada is enjoying her viola" when the record's instrument is a cello; "your
    /// sunset flight" for a Sunrise Flight: a word said as the person's (after "your", "her",
    /// a name's possessive) whose sibling in a contrast set the record holds, and not it.
    pub(super) fn contrasts(&mut self) {
        if self.rules.contrast_of.is_empty() {
            return;
        }
        let mut flags = Vec::new();
        for wi in 0..self.doc.words.len() {
            let ti = self.doc.words[wi];
            let t = &self.doc.toks[ti];
            // A lookup of the word as written: this runs for every word of every email.
            let Some(&set) = self.rules.contrast_of.get(t.norm.as_str()) else {
                continue;
            };
            if t.start >= self.doc.footer_start {
                continue;
            }
            let set = &self.rules.contrast_stems[set];
            let st = stem(&t.norm);
            let theirs = (1..=3).any(|k| {
                self.doc.word_before(wi, k).is_some_and(|p| {
                    matches!(p.norm.as_str(), "your" | "her" | "his" | "their")
                        || (p.cap && p.norm.ends_with("'s"))
                })
            });
            if !theirs {
                continue;
            }
            let held = |w: &str| {
                self.facts
                    .list
                    .iter()
                    .any(|f| f.personal && f.stems.iter().any(|x| *x == w))
            };
            if held(&st) {
                continue;
            }
            let other = set.iter().find(|w| **w != st && held(w)).cloned();
            if let Some(other) = other {
                flags.push((t.start, t.end, t.norm.to_string(), other));
            }
        }
        for (s, e, said, other) in flags {
            self.flag(
                Kind::WrongFact,
                s,
                e,
                format!("says `{said}` of the person, whose record has `{other}` instead"),
                "grounding.contrast",
            );
        }
    }

    pub(super) fn categories(&mut self) {
        const PREFERS: [&str; 9] = [
            "love", "like", "enjoy", "prefer", "adore", "favor", "favour", "drink", "read",
        ];
        const HOLDERS: [&str; 7] = [
            "fan", "fans", "lover", "lovers", "reader", "drinker", "type",
        ];
        let matches = self
            .rules
            .categories
            .find(&self.doc.toks, &self.doc.words, false);
        for m in matches {
            let (ci, vi) = (m.payload >> 16, m.payload & 0xffff);
            let rule = &self.rules.table.categories[ci];
            let Some((key, have)) =
                rule.attributes
                    .iter()
                    .find_map(|k| match self.facts.recipient.attributes.get(k) {
                        Some(candor_domain::AttrValue::Str(v)) => Some((k.clone(), v.clone())),
                        _ => None,
                    })
            else {
                continue;
            };
            if self.in_hedge(m.first) {
                continue;
            }
            // Said as the person's: "your" close before, "you love/prefer ...", "as a ...",
            // or "... fan" right after.
            let word = |w: usize| {
                self.doc
                    .words
                    .get(w)
                    .map(|&ti| self.doc.toks[ti].norm.as_str())
            };
            let before = |k: usize| {
                m.first
                    .checked_sub(k)
                    .filter(|&w| (w..m.first).all(|x| self.doc.adjacent(x)))
                    .and_then(word)
            };
            let your = (1..=3).any(|k| matches!(before(k), Some("your" | "you're")));
            let prefers = (1..=3).any(|k| {
                before(k).is_some_and(|w| PREFERS.iter().any(|p| w.starts_with(p)))
                    && (k + 1..=k + 2).any(|j| matches!(before(j), Some("you" | "you've")))
            });
            let as_a = matches!(before(1), Some("a" | "an")) && matches!(before(2), Some("as"))
                || matches!(before(2), Some("a" | "an")) && matches!(before(3), Some("as"));
            let holder = self.doc.adjacent(m.last)
                && word(m.last + 1).is_some_and(|w| HOLDERS.contains(&w))
                && self.doc.sent_personal(self.doc.words[m.first]);
            if !(your || prefers || as_a || holder) {
                continue;
            }
            let word_stems = |v: &str| -> Vec<String> {
                crate::text::fold(v)
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(stem)
                    .collect()
            };
            let (said, held) = (word_stems(&rule.values[vi]), word_stems(&have));
            let s = self.doc.toks[self.doc.words[m.first]].start;
            let e = self.doc.toks[self.doc.words[m.last]].end;
            let same =
                held.iter().all(|h| said.contains(h)) || said.iter().all(|x| held.contains(x));
            if same {
                continue;
            }
            let text = self.doc.text[s..e].to_string();
            self.flag(
                Kind::WrongFact,
                s,
                e,
                format!("says `{text}` is the person's, but `attributes.{key}` is `{have}`"),
                "grounding.category",
            );
        }
    }

    /// Fact `f` comes from a view, browse or search event: the person saw the thing, and
    /// neither bought it nor put it in a cart or on a list.
    fn only_looked_at(&self, f: usize) -> bool {
        let Some(ei) = self.facts.list[f].event else {
            return false;
        };
        let kind = crate::text::fold(&self.facts.recipient.events[ei].kind);
        let in_kind = |name: &str| {
            self.rules
                .table
                .kinds
                .get(name)
                .is_some_and(|k| k.events.iter().any(|e| crate::text::fold(e) == kind))
        };
        in_kind("browse") && !in_kind("cart") && !in_kind("wishlist") && !in_kind("order")
    }

    /// "you bought the Trailblazers": the thing must come from an event of the claimed type.
    pub(super) fn claims(&mut self) {
        let matches = self
            .rules
            .claim_verbs
            .find(&self.doc.toks, &self.doc.words, false);
        for m in matches {
            // A hedge ("if you bought...") or an invitation ("plan your trip to Lisbon").
            let invited = self
                .doc
                .word_before(m.first, 1)
                .is_some_and(|p| self.rules.invitation.contains(p.norm.as_str()));
            if self.in_hedge(m.first) || invited || self.not_a_cart(m.first, m.last) {
                continue;
            }
            // "and a Fan of the Year back in 2074": a title's words, capitalized inside the
            // sentence, are no claim of taste.
            if (m.first..=m.last).any(|w| {
                let t = &self.doc.toks[self.doc.words[w]];
                t.cap && !t.sent_start && t.norm == "fan"
            }) {
                continue;
            }
            let rule = &self.rules.table.claims[m.payload];
            // Object after the verb, or before "you" ("the boots you bought").
            let mut obj: Vec<usize> = Vec::new();
            let mut k = 1;
            // "You mentioned you're interested in a supporter membership": what was said is
            // after the person's own framing of it.
            if self
                .doc
                .word_after(m.last, 1)
                .is_some_and(|t| matches!(t.norm.as_str(), "you" | "you're" | "you'd" | "that"))
            {
                while let Some(t) = self.doc.word_after(m.last, k) {
                    let framing = matches!(
                        t.norm.as_str(),
                        "that"
                            | "you"
                            | "you're"
                            | "you'd"
                            | "are"
                            | "were"
                            | "be"
                            | "would"
                            | "interested"
                            | "keen"
                            | "like"
                            | "love"
                            | "want"
                            | "wanted"
                            | "in"
                            | "on"
                            | "to"
                    );
                    if !framing || k > 6 || !self.doc.adjacent(m.last + k - 1) {
                        break;
                    }
                    k += 1;
                }
            }
            let k0 = k;
            // ("our Parents' Tasting Day": a plural's apostrophe joins the words of a name.)
            let joined = |c: &Checker, w: usize| {
                c.doc.adjacent(w)
                    || match (c.doc.words.get(w), c.doc.words.get(w + 1)) {
                        (Some(&a), Some(&b)) => {
                            b == a + 2
                                && c.doc.toks[a + 1].norm == "'"
                                && c.doc.toks[a + 1].start == c.doc.toks[a].end
                                && c.doc.toks[a].norm.ends_with('s')
                                && c.doc.toks[a].sent == c.doc.toks[b].sent
                        }
                        _ => false,
                    }
            };
            while let Some(t) = self.doc.word_after(m.last, k) {
                if !joined(self, m.last + k - 1) || k > k0 + 5 {
                    break;
                }
                // "at last year's Wild Feast supper": when, before the thing.
                let when = match t.norm.as_str() {
                    "last" | "this" => self
                        .doc
                        .word_after(m.last, k + 1)
                        .is_some_and(|n| n.norm.ends_with("'s")),
                    w => w.ends_with("'s") && k > 1 && obj.is_empty(),
                };
                if obj.is_empty() && when {
                    k += 1;
                    continue;
                }
                if STOP_WORDS.contains(&t.norm.as_str())
                    || crate::text::word_number(&t.norm).is_some() && k > 1
                {
                    break;
                }
                obj.push(m.last + k);
                k += 1;
            }
            // "the two tins you picked up a fortnight ago": when, not what; the thing is
            // back in the clause.
            let time_unit = |w: usize| {
                let x = self.doc.toks[self.doc.words[w]].norm.as_str();
                calendar_unit(x)
                    || matches!(
                        x,
                        "fortnight" | "ago" | "yesterday" | "recently" | "earlier"
                    )
            };
            if obj.first().is_some_and(|&w| {
                (w..w + 3).any(|x| obj.contains(&x) && time_unit(x))
                    && (time_unit(w)
                        || matches!(
                            self.doc.toks[self.doc.words[w]].norm.as_str(),
                            "a" | "an"
                                | "one"
                                | "two"
                                | "three"
                                | "few"
                                | "couple"
                                | "last"
                                | "this"
                        ))
            }) {
                obj.clear();
            }
            // "you picked up a tube of Gamblin Titanium White": the thing is what the measure
            // is of.
            if let Some(&lw) = obj.last() {
                let measure = matches!(
                    self.doc.toks[self.doc.words[lw]].norm.as_str(),
                    "tube"
                        | "tubes"
                        | "bottle"
                        | "bottles"
                        | "bag"
                        | "bags"
                        | "box"
                        | "boxes"
                        | "pair"
                        | "pairs"
                        | "pack"
                        | "packs"
                        | "jar"
                        | "jars"
                        | "tin"
                        | "tins"
                        | "bar"
                        | "bars"
                        | "litre"
                        | "litres"
                        | "liter"
                        | "liters"
                        | "set"
                        | "sets"
                        | "roll"
                        | "rolls"
                        | "skein"
                        | "skeins"
                        | "ball"
                        | "balls"
                        | "bunch"
                        | "loaf"
                        | "piece"
                        | "pieces"
                        | "couple"
                        | "dozen"
                        | "case"
                        | "crate"
                        | "kilo"
                        | "kilos"
                        | "slice"
                        | "slices"
                );
                if measure
                    && self.doc.adjacent(lw)
                    && self.doc.word_after(lw, 1).is_some_and(|t| t.norm == "of")
                {
                    obj.pop();
                    let mut k = 2;
                    while let Some(t) = self.doc.word_after(lw, k) {
                        if !self.doc.adjacent(lw + k - 1)
                            || k > 7
                            || STOP_WORDS.contains(&t.norm.as_str())
                        {
                            break;
                        }
                        obj.push(lw + k);
                        k += 1;
                    }
                }
            }
            // A quantity in digits ("2 bags"), checked apart from what the claim is about.
            let quantity = |c: &Checker, w: usize| {
                let t = &c.doc.toks[c.doc.words[w]];
                (t.kind == crate::text::TokKind::Num)
                    .then(|| crate::text::parse_num(&t.norm))
                    .flatten()
            };
            // A content word: a product noun, an uncommon word, or a capitalized word inside
            // the sentence (a name such as "Spin 45" is made of common words).
            let names_only = rule.names_only;
            let keep = |c: &Checker, w: usize| {
                let t = &c.doc.toks[c.doc.words[w]];
                let x = &t.norm;
                let name = t.cap && !t.sent_start;
                quantity(c, w).is_none()
                    && crate::text::word_number(x).is_none()
                    && !ARTICLES.contains(&x.as_str())
                    // "over in September", "you came in on Saturday": when, judged by the
                    // time checks, not what the claim is about.
                    && super::time::month_of(x).is_none()
                    && !super::time::WEEKDAYS.contains(&x.as_str())
                    && (name || !names_only && (c.is_product_noun(x) || !c.is_common(x)))
            };
            let mut scanned: Vec<usize> = obj.clone();
            let mut content: Vec<usize> = obj.iter().copied().filter(|&w| keep(self, w)).collect();
            // "you're in", "a fan of", "saw you at": a phrase that ends in a preposition
            // has its object after it ("you're in decent form" names no place).
            // So has "you booked", "you've ordered": "two and a half years since you booked
            // trips" is not about the years.
            let last = self.doc.toks[self.doc.words[m.last]].norm.as_str();
            let object_after = matches!(last, "in" | "at" | "of" | "for" | "from" | "on" | "to")
                || (matches!(
                    self.doc.toks[self.doc.words[m.first]].norm.as_str(),
                    "you" | "you've"
                ) && last.ends_with("ed"));
            let backward = content.is_empty() && !object_after;
            if backward {
                // Back through the clause: "the Summit parka is still in your cart".
                let mut k = 1;
                while let Some(t) = self.doc.word_before(m.first, k) {
                    if k > 8 || !self.doc.adjacent(m.first - k) {
                        break;
                    }
                    scanned.push(m.first - k);
                    if !STOP_WORDS.contains(&t.norm.as_str()) && keep(self, m.first - k) {
                        content.push(m.first - k);
                    }
                    k += 1;
                }
            }
            if content.is_empty() {
                continue;
            }
            // "since you love light roasts" for `favorite_roast: light`: "roasts" names the
            // attribute, and the value may be a common word ("light"), so look at every word.
            let attr_fits = |c: &Checker, f: usize| {
                let fact = &c.facts.list[f];
                fact.personal
                    && fact.event.is_none()
                    && rule
                        .attributes
                        .iter()
                        .any(|a| a == fact.path.trim_start_matches("attributes."))
            };
            let names_attribute = |c: &Checker, w: usize| {
                let st = stem(&c.doc.toks[c.doc.words[w]].norm);
                !c.facts_for_stem(&st)
                    .iter()
                    .any(|&f| c.facts.list[f].personal)
                    && (0..c.facts.list.len()).any(|f| {
                        attr_fits(c, f)
                            && c.facts.list[f]
                                .path
                                .split(['.', '_'])
                                .any(|k| stem(&crate::text::fold(k)) == st)
                    })
            };
            if content.iter().any(|&w| names_attribute(self, w)) {
                let valued: Vec<usize> = scanned
                    .iter()
                    .flat_map(|&w| {
                        let st = stem(&self.doc.toks[self.doc.words[w]].norm);
                        self.facts_for_stem(&st)
                    })
                    .filter(|&f| attr_fits(self, f))
                    .collect();
                if let Some(&f) = valued.first() {
                    let (lo, hi) = (
                        scanned
                            .iter()
                            .copied()
                            .min()
                            .unwrap_or(m.first)
                            .min(m.first),
                        scanned.iter().copied().max().unwrap_or(m.last).max(m.last),
                    );
                    let s = self.doc.toks[self.doc.words[lo]].start;
                    let e = self.doc.toks[self.doc.words[hi]].end;
                    self.use_fact(f, s, e);
                    continue;
                }
            }
            // Quantities no fact holds: "the 3 bags you ordered" when the order was for 2.
            let wrong_quantities: Vec<(usize, f64)> = scanned
                .iter()
                .filter_map(|&w| quantity(self, w).map(|v| (w, v)))
                .filter(|&(_, v)| self.facts.number_fact(v).is_none())
                // "a 2072 Honda Accord": a model year before a name, not how many.
                .filter(|&(w, v)| {
                    !(v.fract() == 0.0
                        && (1900.0..=2200.0).contains(&v)
                        && self.doc.word_after(w, 1).is_some_and(|n| {
                            self.doc.text[n.start..]
                                .chars()
                                .next()
                                .is_some_and(char::is_uppercase)
                        }))
                })
                .collect();
            let mut ok_facts = Vec::new();
            let mut other_facts = Vec::new();
            let mut any_campaign = false;
            // "you booked the Trees Clinic" for a `lesson_booked` event: the event's own type
            // says the verb.
            // A verb and the noun made from it share a root: "booked", "booking".
            let root = |w: &str| {
                let st = stem(w);
                let r = st
                    .strip_suffix("ing")
                    .or_else(|| st.strip_suffix("ed"))
                    .filter(|r| r.len() > 2)
                    .unwrap_or(&st)
                    .to_string();
                r
            };
            let verb_stems: Vec<String> = (m.first..=m.last)
                .map(|w| root(&self.doc.toks[self.doc.words[w]].norm))
                .filter(|st| st.len() > 2 && !matches!(st.as_str(), "you" | "your"))
                .collect();
            let type_says_verb = |kind: &str| {
                crate::text::fold(kind)
                    .split(['_', ' ', '-'])
                    .any(|p| p.len() > 2 && verb_stems.contains(&root(p)))
            };
            // Events that happen on a screen, not at a place.
            let online = |kind: &str| {
                let k = crate::text::fold(kind);
                [
                    "web", "email", "click", "view", "brows", "online", "app", "search",
                ]
                .iter()
                .any(|p| k.contains(p))
            };
            let paid_for = |ei: usize| {
                let kind = crate::text::fold(&self.facts.recipient.events[ei].kind);
                ![
                    "quote", "estimate", "cart", "basket", "wish", "view", "enquir", "inquir",
                    "refund", "return", "visit", "click", "search",
                ]
                .iter()
                .any(|p| kind.contains(p))
                    && self
                        .facts
                        .list
                        .iter()
                        .any(|g| g.personal && g.event == Some(ei) && g.kind == FKind::Amount)
            };
            for &w in &content {
                let st = stem(&self.doc.toks[self.doc.words[w]].norm);
                for f in self.facts_for_stem(&st) {
                    let fact = &self.facts.list[f];
                    if !fact.personal {
                        any_campaign = true;
                        // "saw you at MacCurtain Street" for a visit to the clinic `City
                        // Centre`, which the campaign lists as "City Centre, 41 MacCurtain
                        // Street": the place said is where the person's event was held.
                        if rule.places {
                            let held_there = self.facts.list.iter().position(|p| {
                                p.personal
                                    && p.kind == FKind::Place
                                    && !p.stems.is_empty()
                                    && p.event.is_some_and(|ei| {
                                        !online(&self.facts.recipient.events[ei].kind)
                                    })
                                    && fact.stems.windows(p.stems.len()).any(|w| w == &p.stems[..])
                            });
                            if let Some(pf) = held_there {
                                ok_facts.push(pf);
                            }
                        }
                        continue;
                    }
                    let fits = match fact.event {
                        Some(ei) => {
                            let kind = &self.facts.recipient.events[ei].kind;
                            super::implied::matches_type(&rule.events, kind)
                                || type_says_verb(kind)
                                || (rule.places && fact.kind == FKind::Place && !online(kind))
                                // "you grabbed the Cubs at Spring Break Night" for a
                                // `break_spot` with its price: something paid for is bought.
                                || (rule.events.iter().any(|e| e == "purchase")
                                    && paid_for(ei))
                        }
                        None => {
                            let key = fact.path.trim_start_matches("attributes.");
                            super::implied::matches_type(&rule.attributes, key)
                                || fact.kind == FKind::Name
                        }
                    };
                    if fits {
                        ok_facts.push(f);
                    } else {
                        other_facts.push(f);
                    }
                }
            }
            let (lo, hi) = (
                content
                    .iter()
                    .copied()
                    .min()
                    .unwrap_or(m.first)
                    .min(m.first),
                content.iter().copied().max().unwrap_or(m.last).max(m.last),
            );
            let s = self.doc.toks[self.doc.words[lo]].start;
            let e = self.doc.toks[self.doc.words[hi]].end;
            // "Thank you for buying the Märklin class 01 steam locomotive" when the record
            // holds a view of that locomotive and a wish-listed "class 218 diesel": the thing
            // said is the fact that shares the most of its words, not one that shares a word.
            // (Only for the object after the verb: back through the clause, "leaf drop on
            // the olive tree you bought", the words may name other things.)
            let most = |list: &[usize]| {
                list.iter()
                    .map(|f| list.iter().filter(|g| *g == f).count())
                    .max()
                    .unwrap_or(0)
            };
            if !backward && most(&other_facts) > most(&ok_facts) {
                ok_facts.clear();
            }
            // "the Japanese dozuki saw you bought" when the record's saw is a ryoba: a
            // distinctive word between two words of the person's item, that no fact of theirs
            // holds, makes it another product.
            let swapped = (!ok_facts.is_empty())
                .then(|| {
                    let in_item = |w: usize| {
                        let st = stem(&self.doc.toks[self.doc.words[w]].norm);
                        ok_facts
                            .iter()
                            .any(|&f| self.facts.list[f].stems.contains(&st))
                    };
                    content.iter().copied().find(|&w| {
                        let t = &self.doc.toks[self.doc.words[w]];
                        let st = stem(&t.norm);
                        t.norm.len() >= 4
                            && !self.is_common(&t.norm)
                            && !in_item(w)
                            && w > 0
                            && in_item(w - 1)
                            && content.contains(&(w + 1))
                            && in_item(w + 1)
                            && self
                                .facts_for_stem(&st)
                                .iter()
                                .all(|&f| !self.facts.list[f].personal)
                    })
                })
                .flatten();
            if let Some(w) = swapped {
                let t = &self.doc.toks[self.doc.words[w]];
                let (ws, we) = (t.start, t.end);
                let item = self.facts.list[ok_facts[0]].path.clone();
                self.flag(
                    Kind::WrongFact,
                    ws,
                    we,
                    format!("names another product than the person's `{item}`"),
                    "grounding.claim",
                );
                continue;
            }
            if !ok_facts.is_empty() {
                for f in ok_facts {
                    self.use_fact(f, s, e);
                }
                for (w, v) in wrong_quantities {
                    let t = &self.doc.toks[self.doc.words[w]];
                    let (qs, qe) = (t.start, t.end);
                    self.flag(
                        Kind::WrongFact,
                        qs,
                        qe,
                        format!("says {v} of what the person got, but no fact holds that quantity"),
                        "grounding.quantity",
                    );
                }
                continue;
            }
            // "You added two more seats": the record names the thing by an event type
            // (`seat_added`) or an attribute key (`seats`) rather than by a value.
            let by_name = content.iter().find_map(|&w| {
                let st = stem(&self.doc.toks[self.doc.words[w]].norm);
                // ("a home demonstration" for `home_demo_booked`: a short form the word
                // begins with, well short of it: "clicker" is no `email_click`.)
                let named = |k: &str| {
                    crate::text::fold(k).split(['_', ' ', '-']).any(|p| {
                        (p.len() > 2 && stem(p) == st)
                            || (p.len() >= 4 && st.len() >= p.len() + 4 && st.starts_with(p))
                    })
                };
                let r = self.facts.recipient;
                r.events
                    .iter()
                    .position(|ev| named(&ev.kind) || ev.fields.keys().any(|k| named(k)))
                    .map(|ei| format!("events[{ei}].at"))
                    .or_else(|| {
                        r.attributes
                            .keys()
                            .find(|k| named(k))
                            .map(|k| format!("attributes.{k}"))
                    })
            });
            if let Some(path) = by_name {
                if let Some(fi) = self.facts.list.iter().position(|f| f.path == path) {
                    self.use_fact(fi, s, e);
                }
                continue;
            }
            // "you picked up 3 letters" for a `mail_collected` event of 3 items: the count of
            // an event the verb fits says which, whatever the thing is called.
            // (Only a count right after the verb: "buying the Märklin class 01" names a
            // model, not how many.)
            let counted = scanned
                .first()
                .filter(|&&w| w == m.last + 1)
                .and_then(|&w| {
                    // ("you booked four seats": a count in words too.)
                    let v = quantity(self, w).or_else(|| {
                        crate::text::word_number(&self.doc.toks[self.doc.words[w]].norm)
                            .filter(|v| *v >= 2.0)
                    })?;
                    self.facts.list.iter().position(|f| {
                        f.personal
                            && f.num == Some(v)
                            && f.event.is_some_and(|ei| {
                                super::implied::matches_type(
                                    &rule.events,
                                    &self.facts.recipient.events[ei].kind,
                                )
                            })
                    })
                });
            if let Some(fi) = counted {
                self.use_fact(fi, s, e);
                continue;
            }
            let verb = self.doc.text[self.doc.toks[self.doc.words[m.first]].start
                ..self.doc.toks[self.doc.words[m.last]].end]
                .to_string();
            // "Your review of <a book they bought>" from someone who never reviewed anything:
            // the implied-context finding already made on these words names the defect.
            let (ms, me) = (
                self.doc.toks[self.doc.words[m.first]].start,
                self.doc.toks[self.doc.words[m.last]].end,
            );
            let already = self
                .findings
                .iter()
                .any(|f| f.kind == Kind::ImpliedContext && f.span.start < me && f.span.end > ms);
            if already {
                continue;
            }
            if let Some(&f) = other_facts.first() {
                let fact = &self.facts.list[f];
                let what = match fact.event {
                    Some(ei) => format!("a `{}` event", self.facts.recipient.events[ei].kind),
                    None => format!("`{}`", fact.path),
                };
                self.flag(
                    Kind::WrongFact,
                    s,
                    e,
                    format!("says \"{verb}\", but the record shows this only as {what}"),
                    "grounding.claim",
                );
            } else if let Some(ei) = self.facts.recipient.events.iter().position(|ev| {
                // A name no fact mentions at all is made up, whatever else the person did.
                let named = content.iter().all(|&w| {
                    let t = &self.doc.toks[self.doc.words[w]];
                    t.cap && !t.sent_start
                });
                (!named || any_campaign) && super::implied::matches_type(&rule.events, &ev.kind)
            }) {
                let what = self.facts.recipient.events[ei]
                    .field_text("product")
                    .or_else(|| self.facts.recipient.events[ei].field_text("destination"))
                    .unwrap_or_else(|| self.facts.recipient.events[ei].kind.clone());
                self.flag(
                    Kind::WrongFact,
                    s,
                    e,
                    format!("says \"{verb}\", but the record's matching event is about `{what}`"),
                    "grounding.claim",
                );
            } else if let Some(theirs) = (!rule.attributes.is_empty())
                .then(|| {
                    self.facts.list.iter().find(|f| {
                        f.personal
                            && f.event.is_none()
                            && super::implied::matches_type(
                                &rule.attributes,
                                f.path.trim_start_matches("attributes."),
                            )
                    })
                })
                .flatten()
            {
                // "you live in Glasgow" for someone whose city is Manchester.
                let path = theirs.path.clone();
                self.flag(
                    Kind::WrongFact,
                    s,
                    e,
                    format!("says \"{verb}\", but the record's `{path}` says otherwise"),
                    "grounding.claim",
                );
            } else {
                let why = if any_campaign {
                    "it is a campaign product, not something in the person's history"
                } else {
                    "no fact mentions it"
                };
                self.flag(
                    Kind::FabricatedFact,
                    s,
                    e,
                    format!("says \"{verb}\" about something the record lacks: {why}"),
                    "grounding.claim",
                );
            }
        }
    }
}

/// Words that number the steps of a sequence: a term, a stage, a level, in several languages.
const STEP_WORDS: [&str; 39] = [
    "term",
    "stage",
    "level",
    "year",
    "week",
    "round",
    "module",
    "unit",
    "phase",
    "session",
    "lesson",
    "class",
    "step",
    "book",
    "volume",
    "part",
    "chapter",
    "division",
    "series",
    "season",
    "semester",
    "block",
    "cohort",
    "intake",
    "batch",
    "group",
    "heat",
    "turno",
    "nivel",
    "niveau",
    "stufe",
    "etappe",
    "modul",
    "kurs",
    "curso",
    "livello",
    "klasse",
    "trimester",
    "quarter",
];

/// "Tue-Fri", "Monday-Wednesday": days of the week (opening hours, a course's days), no name.
/// A Greek word in Latin letters, as names are written in passports and CRMs ("νίκος" →
/// "nikos", "ευαγγελία" → "evangelia", "παναγιώτης" → "panagiotis").
fn greek_to_latin(w: &str) -> String {
    let folded = crate::text::fold(w);
    let cs: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(w.len());
    let mut i = 0;
    while i < cs.len() {
        let pair = |a: char, b: char| cs[i] == a && cs.get(i + 1) == Some(&b);
        let two = if pair('ε', 'υ') {
            Some("ev")
        } else if pair('α', 'υ') {
            Some("av")
        } else if pair('ο', 'υ') {
            Some("ou")
        } else if pair('γ', 'γ') || pair('γ', 'κ') {
            Some("ng")
        } else if pair('μ', 'π') {
            Some(if i == 0 { "b" } else { "mp" })
        } else if pair('ν', 'τ') {
            Some(if i == 0 { "d" } else { "nt" })
        } else {
            None
        };
        if let Some(t) = two {
            out.push_str(t);
            i += 2;
            continue;
        }
        let one = match cs[i] {
            'α' | 'ά' => "a",
            'β' => "v",
            'γ' => "g",
            'δ' => "d",
            'ε' | 'έ' => "e",
            'ζ' => "z",
            'η' | 'ή' | 'ι' | 'ί' | 'ϊ' | 'ΐ' => "i",
            'θ' => "th",
            'κ' => "k",
            'λ' => "l",
            'μ' => "m",
            'ν' => "n",
            'ξ' => "x",
            'ο' | 'ό' | 'ω' | 'ώ' => "o",
            'π' => "p",
            'ρ' => "r",
            'σ' | 'ς' => "s",
            'τ' => "t",
            'υ' | 'ύ' | 'ϋ' => "y",
            'φ' => "f",
            'χ' => "ch",
            'ψ' => "ps",
            c => {
                out.push(c);
                i += 1;
                continue;
            }
        };
        out.push_str(one);
        i += 1;
    }
    out
}

fn weekday_range(w: &str) -> bool {
    w.contains('-')
        && w.split('-').all(|d| {
            super::time::WEEKDAYS.contains(&d)
                || matches!(
                    d,
                    "mon"
                        | "tue"
                        | "tues"
                        | "wed"
                        | "thu"
                        | "thur"
                        | "thurs"
                        | "fri"
                        | "sat"
                        | "sun"
                )
        })
}

/// "NZD", "CHF": a currency's code, written in capitals.
fn is_currency_code(t: &crate::text::Tok) -> bool {
    t.all_caps && crate::facts::is_currency_code(t)
}

/// The places a people or language word may be named after: "ethiopian" → "ethiopia",
/// "brazilian" → "brazil", "japanese" → "japan", "chinese" → "china". Candidates only: the
/// caller keeps one a fact holds.
/// The currency code of the country a people or country word names (the euro's are many,
/// so none): "australian" → "aud".
fn currency_of_people(word: &str) -> Option<&'static str> {
    Some(match word {
        "australian" | "aussie" | "australia" => "aud",
        "kiwi" | "zealand" | "zealander" => "nzd",
        "canadian" | "canada" => "cad",
        "british" | "britain" | "english" | "scottish" | "welsh" => "gbp",
        "american" | "america" => "usd",
        "african" | "africa" => "zar",
        "singaporean" | "singapore" => "sgd",
        "indian" | "india" => "inr",
        "japanese" | "japan" => "jpy",
        "swiss" | "switzerland" => "chf",
        "swedish" | "sweden" => "sek",
        "norwegian" | "norway" => "nok",
        "danish" | "denmark" => "dkk",
        "icelandic" | "iceland" => "isk",
        "mexican" | "mexico" => "mxn",
        "hongkonger" => "hkd",
        "brazilian" | "brazil" => "brl",
        "korean" | "korea" => "krw",
        "polish" | "poland" => "pln",
        _ => return None,
    })
}

/// One letter and one or two figures ("p4", "q3", "b12").
fn letter_and_figure(word: &str) -> bool {
    let b = word.as_bytes();
    (2..=3).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1..].iter().all(u8::is_ascii_digit)
}

fn demonym_bases(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    // The irregular ones.
    let irregular: &[&str] = match word {
        "french" => &["france"],
        "dutch" => &["netherlands", "holland"],
        "welsh" => &["wales"],
        "scottish" | "scots" => &["scotland"],
        "irish" => &["ireland"],
        "swiss" => &["switzerland"],
        "spanish" => &["spain"],
        "danish" => &["denmark"],
        "swedish" => &["sweden"],
        "finnish" => &["finland"],
        "polish" => &["poland"],
        "greek" => &["greece"],
        "czech" => &["czechia"],
        "norwegian" => &["norway"],
        "portuguese" => &["portugal"],
        "peruvian" => &["peru"],
        "thai" => &["thailand"],
        "filipino" => &["philippines"],
        "kiwi" => &["zealand"],
        _ => &[],
    };
    out.extend(irregular.iter().map(|s| s.to_string()));
    if word.len() < 5 || !word.is_ascii() {
        return out;
    }
    if let Some(b) = word.strip_suffix('n') {
        if b.ends_with('a') {
            out.push(b.to_string()); // ethiopia-n, kenya-n, colombia-n
        }
    }
    if let Some(b) = word.strip_suffix("ian") {
        out.push(b.to_string()); // brazil-ian, egypt-ian
        out.push(format!("{b}y")); // ital-ian → italy
        out.push(format!("{b}ium")); // belg-ian → belgium
        out.push(format!("{b}a")); // canad-ian → canada
        out.push(format!("{b}ia")); // austral-ian → australia
    }
    if let Some(b) = word.strip_suffix("ean") {
        out.push(format!("{b}e")); // europ-ean → europe, chil-ean → chile
    }
    if let Some(b) = word.strip_suffix('i') {
        out.push(b.to_string()); // pakistan-i, israel-i
    }
    if let Some(b) = word.strip_suffix("ese") {
        out.push(b.to_string()); // japan-ese, sudan-ese
        out.push(format!("{b}a")); // chin-ese → china
    }
    if let Some(b) = word.strip_suffix("ish") {
        out.push(b.to_string()); // turk-ish
    }
    if word.len() >= 8 {
        if let Some(b) = word.strip_suffix("er") {
            out.push(b.to_string()); // queensland-er, auckland-er, london-er
        }
    }
    out.retain(|b| b.len() >= 3);
    out
}

/// A fact's path with its list indices dropped: `outlets[1]` and `outlets[0]` are entries
/// of one list, `events[3].room` and `events[0].room` the same field of two events.
fn list_path(path: &str) -> Option<String> {
    if !path.contains('[') {
        return None;
    }
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    Some(out)
}

impl Checker<'_> {
    /// "the Rosewood Nude manicure Suriani did for you at our Holland Village outlet on the
    /// 6th", when that appointment was at Tiong Bahru: a clause tied to one of the person's
    /// events by a fact of it names, in place of one of that event's values, a neighbour of
    /// it: another entry of the campaign's list the value is in (the other outlet), or the
    /// same field of another of their events (an earlier stay's room). A model's wrong fact
    /// is most often such a neighbour.
    pub(super) fn swapped_values(&mut self) {
        // Future and offer talk names other places freely: "our new Westgate clinic".
        const ELSEWHERE: [&str; 22] = [
            "new", "now", "next", "open", "opens", "opening", "will", "soon", "also", "try", "why",
            "could", "would", "if", "instead", "only", "launch", "launches", "this", "upgrade",
            "from", "than",
        ];
        // (Not in other languages, where every noun may be capitalized.)
        if self.quiet_names
            || self
                .used
                .iter()
                .all(|&(f, _, _)| self.facts.list[f].event.is_none())
        {
            return;
        }
        let list = &self.facts.list;
        let mut flags: Vec<(usize, usize, String)> = Vec::new();
        for wi in self.name_candidates() {
            let ti = self.doc.words[wi];
            let t = &self.doc.toks[ti];
            let st = stem(&t.norm);
            let fs = self.facts_for_stem(&st);
            if fs.is_empty() {
                continue;
            }
            let (cs, ce) = self.doc.clause(ti);
            let (bs, be) = (self.doc.toks[cs].start, self.doc.toks[ce - 1].end);
            // The events the clause is tied to by another of their facts.
            // (event, tied by a fact other than its date)
            let mut events: Vec<(usize, bool)> = self
                .used
                .iter()
                .filter(|&&(_, s, e)| s >= bs && e <= be && !(s <= t.start && e >= t.end))
                .filter_map(|&(f, _, _)| list[f].event.map(|e| (e, list[f].date.is_none())))
                .collect();
            events.sort_unstable();
            events.dedup_by(|a, b| {
                a.0 == b.0 && {
                    b.1 |= a.1;
                    true
                }
            });
            // The word is a value of one of those events.
            if events.is_empty()
                || fs
                    .iter()
                    .any(|&f| events.iter().any(|&(e, _)| list[f].event == Some(e)))
            {
                continue;
            }
            let on_record = fs.iter().any(|&f| list[f].personal);
            let clause = &self.doc.toks[cs..ce];
            if clause.iter().any(|x| ELSEWHERE.contains(&x.norm.as_str())) || self.in_hedge(wi) {
                continue;
            }
            let said = |a: &crate::facts::Fact| {
                a.stems.iter().any(|s| {
                    clause
                        .iter()
                        .any(|x| x.is_word() && !self.is_common(&x.norm) && stem(&x.norm) == *s)
                })
            };
            'events: for &(e, by_value) in &events {
                for &bi in &fs {
                    let b = &list[bi];
                    let Some(bp) = list_path(&b.path) else {
                        continue;
                    };
                    // The event's value in the neighbour's place.
                    // Another of their events' value, when a value of this one (not
                    // only a date) ties the sentence to it; the campaign's, when the word
                    // is nowhere in the record.
                    let a = if b.personal {
                        b.event.filter(|_| by_value).and_then(|_| {
                            list.iter().find(|a| {
                                a.event == Some(e)
                                    && a.key == b.key
                                    && !a.stems.is_empty()
                                    && a.stems.iter().all(|s| !b.stems.contains(s))
                            })
                        })
                    } else if on_record {
                        None
                    } else {
                        list.iter().find(|a| {
                            a.personal
                                && a.event == Some(e)
                                && a.date.is_none()
                                && !a.stems.is_empty()
                                && a.stems.iter().all(|s| !b.stems.contains(s))
                                && list.iter().any(|c| {
                                    !c.personal
                                        && c.path != b.path
                                        && list_path(&c.path).as_deref() == Some(bp.as_str())
                                        && a.stems.iter().all(|s| c.stems.contains(s))
                                        && !c.stems.contains(&st)
                                })
                        })
                    };
                    let Some(a) = a else { continue };
                    if said(a) {
                        continue;
                    }
                    // "Holland Village": one finding for the name's words.
                    if let Some(last) = flags.last_mut() {
                        if wi > 0
                            && self.doc.adjacent(wi - 1)
                            && last.1 == self.doc.toks[self.doc.words[wi - 1]].end
                        {
                            last.1 = t.end;
                            let text = &self.doc.text[last.0..last.1];
                            last.2 = format!(
                                "`{text}` in a sentence about one of the person's events, whose `{}` is another value",
                                a.path
                            );
                            break 'events;
                        }
                    }
                    let text = &self.doc.text[t.start..t.end];
                    flags.push((
                        t.start,
                        t.end,
                        format!(
                            "`{text}` in a sentence about one of the person's events, whose `{}` is another value",
                            a.path
                        ),
                    ));
                    break 'events;
                }
            }
        }
        for (s, e, reason) in flags {
            self.flag(Kind::WrongFact, s, e, reason, "grounding.swapped");
        }
    }

    /// The body's words that may be names: capitalized, three bytes or more, not common, above
    /// the footer (by their index in `doc.words`).
    fn name_candidates(&self) -> Vec<usize> {
        (0..self.doc.words.len())
            .filter(|&wi| {
                let t = &self.doc.toks[self.doc.words[wi]];
                t.start < self.doc.footer_start
                    && t.is_word()
                    && t.cap
                    && t.norm.len() >= 3
                    && !self.is_common(&t.norm)
            })
            .collect()
    }

    /// "When Senthil checked your battery on 27 July" when that visit's `technician` is
    /// Murugan: a staff member (of the campaign's team, or of another of the person's events)
    /// named in a sentence tied to one of the person's events that records someone else in
    /// that role. A model's wrong fact is often the right name from the wrong visit.
    pub(super) fn staff_swaps(&mut self) {
        // Future and offer talk names anyone on the team: "Liezl will run the new session".
        const ELSEWHERE: [&str; 25] = [
            "new", "next", "will", "soon", "also", "if", "would", "could", "can", "upcoming",
            "teach", "teaches", "teaching", "lead", "leads", "leading", "hosts", "hosting", "runs",
            "running", "starts", "start", "starting", "begins", "tomorrow",
        ];
        if self.quiet_names {
            return;
        }
        let list = &self.facts.list;
        // The person's events that record who did them.
        let staffed: Vec<usize> = (0..list.own().len())
            .filter(|&i| {
                let f = &list[i];
                f.personal && f.event.is_some() && !f.stems.is_empty() && staff_key(&f.key)
            })
            .collect();
        if staffed.is_empty() {
            return;
        }
        let mut flags: Vec<(usize, usize, String)> = Vec::new();
        for wi in self.name_candidates() {
            let ti = self.doc.words[wi];
            let t = &self.doc.toks[ti];
            let st = stem(&t.norm);
            let norm = t.norm.as_str();
            // ("Marc-André", "Marc-André's": the name itself.)
            let name = norm.strip_suffix("'s").unwrap_or(norm);
            let name_st = stem(name);
            if self
                .facts
                .first_name
                .iter()
                .chain(&self.facts.last_name)
                .any(|n| *n == name_st || n == name)
            {
                continue;
            }
            // A staff name: in another event's staff field, or on the campaign's team.
            let of_events = staffed
                .iter()
                .any(|&i| list[i].stems.iter().any(|w| *w == st || *w == name_st));
            // (A team member's name, not their role: `staff[1].role` "breathwork
            // facilitator" names no one.)
            let on_team = list.iter().any(|f| {
                !f.personal
                    && !matches!(
                        f.key.as_str(),
                        "role" | "roles" | "title" | "position" | "job" | "bio" | "about"
                    )
                    && {
                        let path = crate::text::fold(&f.path);
                        (path.contains("staff") || path.contains("team"))
                            && (f.stems.iter().any(|w| *w == st || *w == name_st)
                            // ("Marc-André Gagnon": "service manager", a name as the key.)
                            || path.split(['.', '[', ']']).any(|p| {
                                p.contains(' ') && p.split([' ', '-']).any(|w| w == name)
                            }))
                    }
            });
            if !of_events && !on_team {
                continue;
            }
            // Only a name: the word in no other fact ("Sound" of a staff role and of the
            // "Sound Bath" the campaign sells).
            // The name's next word, when the email writes the whole name ("Niamh Breen's").
            let next_st: Option<String> = self
                .doc
                .word_after(wi, 1)
                .filter(|x| x.cap && self.doc.adjacent(wi))
                .map(|x| stem(x.norm.strip_suffix("'s").unwrap_or(&x.norm)));
            let team_pair = |a: &String, b: &String| {
                list.iter().any(|f| {
                    let path = crate::text::fold(&f.path);
                    (staff_key(&f.key) || path.contains("staff") || path.contains("team"))
                        && f.stems.windows(2).any(|p| p[0] == *a && p[1] == *b)
                })
            };
            let plain_fact = |f: &crate::facts::Fact| {
                !f.personal
                    && !staff_key(&f.key)
                    && !crate::text::fold(&f.path).contains("staff")
                    && !crate::text::fold(&f.path).contains("team")
            };
            let mut elsewhere = false;
            let mut mentions: Vec<usize> = Vec::new();
            for (fi, f) in list.iter().enumerate() {
                if !plain_fact(f) {
                    continue;
                }
                for (k, w) in f.stems.iter().enumerate() {
                    if *w != st && *w != name_st {
                        continue;
                    }
                    // ("with the visiting editor Niamh Breen": the team member again, by
                    // their whole name, not another thing called "Sound".)
                    let whole = next_st
                        .as_ref()
                        .is_some_and(|n| f.stems.get(k + 1) == Some(n) && team_pair(w, n));
                    if whole {
                        mentions.push(fi);
                    } else if !of_events {
                        elsewhere = true;
                    }
                }
            }
            if elsewhere {
                continue;
            }
            let sent_words: Vec<String> = {
                let (ss, se) = self.doc.sent_range[t.sent];
                self.doc.toks[ss..se]
                    .iter()
                    .filter(|x| x.is_word())
                    .map(|x| stem(&x.norm))
                    .collect()
            };
            // "Figure in Charcoal and Chalk ... with Orla Kavanagh": the campaign's course
            // and who teaches it, as the campaign says.
            if mentions.iter().any(|&fi| {
                list[fi].stems.iter().any(|w| {
                    w.len() > 3
                        && *w != st
                        && Some(w) != next_st.as_ref()
                        && !self.is_common(w)
                        && sent_words.contains(w)
                })
            }) {
                continue;
            }
            let sent = t.sent;
            let (ss, se) = self.doc.sent_range[sent];
            let (bs, be) = (self.doc.toks[ss].start, self.doc.toks[se - 1].end);
            // The events the sentence is tied to: by a fact of theirs the checks matched
            // (a value, a date), or by two words of a value in a row.
            // (A value several events share, "Karthik" on each of his enrolments, or an
            // amount, ties none in particular; a date ties every event of that day.)
            let unique = |fi: usize| {
                let f = &list[fi];
                !list.own().iter().any(|g| {
                    g.personal && g.event.is_some() && g.event != f.event && g.stems == f.stems
                })
            };
            let mut events: Vec<usize> = Vec::new();
            for &(fi, s, e) in &self.used {
                let f = &list[fi];
                // (A span over the name counts when the fact is not the name's own:
                // "Niamh Breen's Plotting the Crime Novel workshop" read as one name.)
                let covers = s <= t.start && e >= t.end;
                if s < bs
                    || e > be
                    || !f.personal
                    || (covers
                        && (staff_key(&f.key) || f.stems.iter().any(|w| *w == st || *w == name_st)))
                {
                    continue;
                }
                if let Some(d) = f.date {
                    for g in list.own() {
                        if let (Some(ge), Some(gd)) = (g.event, g.date) {
                            if g.personal && gd == d && g.key == "at" {
                                events.push(ge);
                            }
                        }
                    }
                } else if let Some(ev) = f.event {
                    if !matches!(f.kind, FKind::Amount | FKind::Count) && unique(fi) {
                        events.push(ev);
                    }
                }
            }
            let said: Vec<String> = self.doc.toks[ss..se]
                .iter()
                .filter(|x| x.is_word())
                .map(|x| stem(&x.norm))
                .collect();
            for f in list.own() {
                let Some(e) = f.event else { continue };
                if !f.personal || f.date.is_some() || f.stems.len() < 2 || staff_key(&f.key) {
                    continue;
                }
                let matched: Vec<&String> = f
                    .stems
                    .iter()
                    .filter(|w| w.len() > 3 && !self.is_common(w) && said.contains(w))
                    .collect();
                // (Words another event holds as well, "signed" and "jersey" of two jerseys,
                // tie neither.)
                let shared = list.own().iter().any(|g| {
                    g.personal
                        && g.event.is_some()
                        && g.event != f.event
                        && matched.iter().all(|w| g.stems.contains(w))
                });
                // (Nor words the campaign says too: "Winter Term: Figure in Charcoal" ties no
                // "Summer Term: Portrait and Figure".)
                let own_word = matched
                    .iter()
                    .any(|w| !list.iter().any(|g| !g.personal && g.stems.contains(w)));
                if matched.len() >= 2 && !shared && own_word {
                    events.push(e);
                }
            }
            events.sort_unstable();
            events.dedup();
            if events.is_empty() {
                continue;
            }
            // Someone else in the role, in every tied event that records one.
            let mut other: Option<usize> = None;
            let mut theirs = false;
            for &i in &staffed {
                let f = &list[i];
                if !f.event.is_some_and(|e| events.contains(&e)) {
                    continue;
                }
                if f.stems.iter().any(|w| *w == st || *w == name_st) {
                    theirs = true;
                } else if other.is_none() {
                    other = Some(i);
                }
            }
            // ("Kang Yuri took 20 photos of Doyun's baek-il table": the sentence names the
            // photo session Kang Yuri did, too.)
            // ("you and Riaan talked through a shadow box" last Saturday, for a visit whose
            // note says "talked to Riaan Botha": a tied event that names them.)
            // ("Ġużeppi restored your front gallarija in 2071" for a restoration whose
            // `craftsman` is Ġużeppi: an event of theirs the sentence names by its words.)
            let in_tied = list.own().iter().any(|g| {
                g.personal
                    && g.stems.iter().any(|w| *w == st || *w == name_st)
                    && g.event.is_some_and(|e| {
                        events.contains(&e)
                            || list.own().iter().any(|h| {
                                h.event == Some(e)
                                    && h.date.is_none()
                                    && h.stems.iter().any(|w| {
                                        w.len() > 3
                                            && *w != st
                                            && *w != name_st
                                            && !self.is_common(w)
                                            && said.contains(w)
                                            // (a word of that job alone: "gallarija" is
                                            // every job's)
                                            && !list.own().iter().any(|x| {
                                                x.personal
                                                    && x.event.is_some()
                                                    && x.event != Some(e)
                                                    && x.stems.contains(w)
                                            })
                                    })
                            })
                    })
            });
            let names_own = in_tied
                || staffed.iter().any(|&i| {
                    let Some(e) = list[i].event else { return false };
                    list[i].stems.iter().any(|w| *w == st || *w == name_st)
                        && list.own().iter().any(|g| {
                            g.event == Some(e)
                                && g.date.is_none()
                                && !staff_key(&g.key)
                                && g.stems
                                    .iter()
                                    .any(|w| w.len() > 3 && !self.is_common(w) && said.contains(w))
                        })
                });
            let Some(oi) = other.filter(|_| !theirs && !names_own) else {
                continue;
            };
            // The one on record is named too ("with Thabo, and Liezl says hi").
            if list[oi]
                .stems
                .iter()
                .any(|w| w.len() > 2 && !self.is_common(w) && said.contains(w))
            {
                continue;
            }
            let (cs, ce) = self.doc.clause(ti);
            if self.doc.toks[cs..ce]
                .iter()
                .any(|x| ELSEWHERE.contains(&x.norm.as_str()))
                || self.in_hedge(wi)
            {
                continue;
            }
            // "with Arjun Menon as your trainer": who will do it, said as such.
            let introduced = (1..=3).any(|k| {
                self.doc.word_after(wi, k).is_some_and(|x| x.norm == "as")
                    && self
                        .doc
                        .word_after(wi, k + 1)
                        .is_some_and(|x| x.norm == "your")
            });
            // Who did it: in a clause in the past, after "with" or "by", or as the owner
            // ("Niamh Breen's workshop").
            let owner = |x: &crate::text::Tok| {
                x.norm.ends_with("'s")
                    || self.doc.text[x.end..].starts_with("'s")
                    || self.doc.text[x.end..].starts_with("\u{2019}s")
            };
            let did = self.clause_in_past(ti)
                || owner(t)
                || self
                    .doc
                    .word_after(wi, 1)
                    .is_some_and(|x| x.cap && self.doc.adjacent(wi) && owner(x))
                || (1..=3).any(|k| {
                    self.doc
                        .word_before(wi, k)
                        .is_some_and(|x| matches!(x.norm.as_str(), "with" | "by"))
                });
            if introduced || !did {
                continue;
            }
            let text = self.doc.text[t.start..t.end].to_string();
            flags.push((
                t.start,
                t.end,
                format!(
                    "`{text}` in a sentence about one of the person's events, whose `{}` is someone else",
                    list[oi].path
                ),
            ));
        }
        for (s, e, reason) in flags {
            self.flag(Kind::WrongFact, s, e, reason, "grounding.staff");
        }
    }

    /// "a quote on a Breezeway 37" in a sentence about the person's quote for a "Breezeway
    /// 50 fold-down wall clothesline": a model named by its word and another number than the
    /// one on record. (Not when the sentence also names the record's model, or talks of
    /// other models: "the smaller Breezeway 37 is also on offer".)
    pub(super) fn swapped_model_numbers(&mut self) {
        const ELSEWHERE: [&str; 12] = [
            "new", "next", "also", "try", "instead", "upgrade", "than", "smaller", "bigger",
            "larger", "other", "or",
        ];
        if self.quiet_names {
            return;
        }
        let mut flags: Vec<(usize, usize, String)> = Vec::new();
        for wi in 0..self.doc.words.len().saturating_sub(1) {
            let ti = self.doc.words[wi];
            let t = &self.doc.toks[ti];
            if t.start >= self.doc.footer_start
                || !t.is_word()
                || !t.cap
                || t.norm.len() < 4
                || self.is_common(&t.norm)
                || !self.doc.adjacent(wi)
            {
                continue;
            }
            let n = &self.doc.toks[self.doc.words[wi + 1]];
            if n.kind != crate::text::TokKind::Num {
                continue;
            }
            // A step of a sequence ("Term 3" after the person's "Term 2", "Stage 7", "Turno
            // 6"), not a model: the next one is what the email is about.
            if STEP_WORDS.contains(&t.norm.as_str()) {
                continue;
            }
            let sent = t.sent;
            let (ss, se) = self.doc.sent_range[sent];
            let (bs, be) = (self.doc.toks[ss].start, self.doc.toks[se - 1].end);
            if self.doc.toks[ss..se]
                .iter()
                .any(|x| ELSEWHERE.contains(&x.norm.as_str()))
                || self.in_hedge(wi)
            {
                continue;
            }
            // The person's events the sentence is tied to by a value.
            let mut events: Vec<usize> = self
                .used
                .iter()
                .filter(|&&(_, s, e)| s >= bs && e <= be)
                .filter_map(|&(f, _, _)| {
                    let f = &self.facts.list[f];
                    f.event.filter(|_| f.personal && f.date.is_none())
                })
                .collect();
            events.sort_unstable();
            events.dedup();
            // The numbers the record writes after the model's word, in those events.
            let mut theirs: Vec<String> = Vec::new();
            for &e in &events {
                for v in self.facts.recipient.events[e].fields.values() {
                    let text = crate::text::fold(&v.to_text());
                    // ("Swift 1.2": the number whole.)
                    let words: Vec<&str> = text
                        .split(|c: char| !(c.is_alphanumeric() || c == '.'))
                        .map(|w| w.trim_matches('.'))
                        .filter(|w| !w.is_empty())
                        .collect();
                    for p in words.windows(2) {
                        if p[0] == t.norm.as_str()
                            && p[1].chars().all(|c| c.is_ascii_digit() || c == '.')
                        {
                            theirs.push(p[1].to_string());
                        }
                    }
                }
            }
            if theirs.is_empty() || theirs.iter().any(|m| *m == n.norm.as_str()) {
                continue;
            }
            // The record's own model said in the same sentence.
            let said_theirs = (ss..se.saturating_sub(1)).any(|k| {
                self.doc.toks[k].norm == t.norm
                    && self.doc.toks[k + 1].kind == crate::text::TokKind::Num
                    && theirs
                        .iter()
                        .any(|m| *m == self.doc.toks[k + 1].norm.as_str())
            });
            if said_theirs {
                continue;
            }
            let text = &self.doc.text[t.start..n.end];
            flags.push((
                t.start,
                n.end,
                format!(
                    "`{text}` in a sentence about one of the person's events, whose model is {} {}",
                    &self.doc.text[t.start..t.end],
                    theirs[0]
                ),
            ));
        }
        for (s, e, reason) in flags {
            self.flag(Kind::WrongFact, s, e, reason, "grounding.swapped");
        }
    }
}

/// A record's field for who did something: `instructor`, `technician`, `handled_by`, `guide`.
/// (Not a preference: `preferred_technician` is who the person asks for, not who came.)
fn staff_key(key: &str) -> bool {
    const ROLES: [&str; 44] = [
        "instructor",
        "trainer",
        "teacher",
        "tutor",
        "coach",
        "guide",
        "technician",
        "tech",
        "stylist",
        "therapist",
        "groomer",
        "barber",
        "mechanic",
        "engineer",
        "inspector",
        "archivist",
        "leader",
        "host",
        "staff",
        "artist",
        "nurse",
        "doctor",
        "dentist",
        "hygienist",
        "vet",
        "agent",
        "advisor",
        "adviser",
        "consultant",
        "facilitator",
        "presenter",
        "driver",
        "captain",
        "skipper",
        "fitter",
        "installer",
        "surveyor",
        "assessor",
        "examiner",
        "physio",
        "practitioner",
        "photographer",
        "planner",
        "mentor",
    ];
    // (Facts hold their keys folded already. The role first: most keys name none, and a
    // substring search costs more than the split.)
    let k = key;
    let role = k.ends_with("_by")
        || k == "by"
        || k == "with"
        // ("tutors": ["Orla Kavanagh", ...].)
        || k.split(['_', '-', ' ']).any(|p| {
            ROLES.contains(&p) || p.strip_suffix('s').is_some_and(|b| ROLES.contains(&b))
        });
    role && ![
        "preferred",
        "favorite",
        "favourite",
        "usual",
        "requested",
        "regular",
    ]
    .iter()
    .any(|p| k.contains(p))
}
