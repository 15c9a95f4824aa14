//! The gate's rule tables: data, not code.
//!
//! The built-in table is `rules.toml`, embedded at compile time and parsed when a [`crate::Gate`]
//! is built. A campaign extends it with a table of the same shape ([`RuleTable::extend`]): lists
//! are appended, phrase rules with an existing `id` gain the new phrases, numbers are replaced.
//! Invariant: every phrase is compiled once, in [`Compiled::new`]; checking never re-parses rules.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::text::{
    fold, stem, tokenize, FastMap as HashMap, FastSet as HashSet, Tok, TokKind, NO_ID,
};

const BUILTIN: &str = include_str!("rules.toml");
const COMMON_WORDS: &str = include_str!("common_words.txt");

/// Why a rule table could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("rule table is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("rule table is not valid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("rule `{rule}` requires fact kind `{kind}`, which no `[kinds.{kind}]` table defines")]
    UnknownKind { rule: String, kind: String },
    #[error("phrase `{phrase}` in rule `{rule}` is empty or starts with `*`")]
    BadPhrase { rule: String, phrase: String },
    #[error("rule `{rule}`: `finding = \"{finding}\"` is not a finding kind")]
    BadFinding { rule: String, finding: String },
}

/// What in a recipient record counts as knowing something of one kind.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct KindRule {
    pub events: Vec<String>,
    /// Event field names that make any event count: a sign-up form's `interest` is a stated
    /// preference, whatever the event is called.
    pub event_fields: Vec<String>,
    pub attributes: Vec<String>,
    pub within_days: Option<i64>,
    pub inactive_days: Option<i64>,
    /// The event (or dated attribute) must be at least this old: "for a while now" needs a
    /// history that goes back further than last week.
    pub older_than_days: Option<i64>,
    pub min_events: Option<usize>,
    pub date_attributes: Vec<String>,
    pub date_events: Vec<String>,
    pub window_days: Option<i64>,
}

/// A family of phrases that claim knowledge of the person, and the fact kinds that support it.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImpliedRule {
    pub id: String,
    /// The phrase says the person did something ("thanks for coming"), so a time in the same
    /// clause is about that action.
    pub action: bool,
    pub requires: Vec<String>,
    pub reason: String,
    pub phrases: Vec<String>,
    /// Words that, up to three words after the phrase, make it mean something else ("thanks
    /// for joining us *for* the tasting" is about attending, not signing up).
    pub unless_then: Vec<String>,
    /// Words that, right before the phrase, make it someone else's or an idiom ("in *their*
    /// birthday month", "a *party* your size").
    pub unless_before: Vec<String>,
    /// The finding's kind when no fact supports the phrase: `implied_context` by default;
    /// `fabricated_fact` for a specific the phrase itself invents ("your daughter").
    pub finding: Option<String>,
    /// The phrase's noun said in one of the person's values grounds it, when the noun is no
    /// common word: "your wedding" for an order of a "wedding portrait, 16x20".
    pub named_by_value: bool,
    /// Said without "your" when the campaign itself sells the thing the phrase names ("the
    /// trial ends automatically after three months" of a Winter Trial Pass), the phrase is
    /// about the offer, not the person.
    pub campaign_offers: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImpliedOptions {
    pub invitation_words: Vec<String>,
    pub hedge_words: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LeakRules {
    pub standins: Vec<String>,
    pub chatter: Vec<String>,
    pub echo: Vec<String>,
    pub greetings: Vec<String>,
    pub generic_greetings: Vec<String>,
    pub placeholder_words: Vec<String>,
    /// Language code → its common function words.
    pub languages: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroundingRules {
    pub product_nouns: Vec<String>,
    pub synonyms: Vec<Vec<String>>,
    /// Given names, each followed by the short forms it goes by ("Kasia" for Katarzyna,
    /// "Bill" for William): a greeting may use a short form of the record's name.
    pub nicknames: Vec<Vec<String>>,
    pub ignore_capitalized: Vec<String>,
    /// States, provinces and well-known regions: said of the brand's area ("a Central Texas
    /// summer"), not of the person, they name nothing a fact must hold.
    pub regions: Vec<String>,
    pub tier_words: Vec<String>,
    pub tier_nouns: Vec<String>,
    pub place_keys: Vec<String>,
    pub tier_keys: Vec<String>,
    pub product_keys: Vec<String>,
    pub category_keys: Vec<String>,
    pub amount_keys: Vec<String>,
    pub count_keys: Vec<String>,
}

/// "N things" about the person (`your 4 orders`) must agree with these attributes or event counts.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CountRule {
    pub nouns: Vec<String>,
    pub attributes: Vec<String>,
    pub events: Vec<String>,
    /// Event fields whose values the number must equal (e.g. `quantity`).
    pub fields: Vec<String>,
    /// Only a claim when written as "your N items" (otherwise "3 items for $20" is an offer).
    pub only_with_your: bool,
    /// Only a claim when the clause says "you" ("the 3 bags you ordered").
    pub only_with_you: bool,
}

/// "you VERB THING" (`you bought the boots`): the thing must come from an event of these types
/// (or these attributes).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimRule {
    /// Verbs, matched after "you", "you've", "you just"...
    pub verbs: Vec<String>,
    /// Whole phrases, matched as written ("in your cart").
    pub phrases: Vec<String>,
    pub events: Vec<String>,
    pub attributes: Vec<String>,
    /// Only names (capitalized words) count as what the claim is about: "seeing you at the
    /// studio" names no class, "seeing you at Spin 45" does.
    pub names_only: bool,
    /// The claim says where the person was ("saw you at", "came to"): an event held at the
    /// place named (a place field such as `center` or `store`) fits, whatever its type,
    /// unless it happened online (a web visit, an email click).
    pub places: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LintRules {
    pub banned: Vec<String>,
    pub max_caps_words: Option<usize>,
    pub max_exclamation_run: Option<usize>,
    pub max_subject_chars: Option<usize>,
    pub max_body_words: Option<usize>,
    /// When true, the body must contain an unsubscribe line (for finished emails, not openers).
    pub require_unsubscribe: Option<bool>,
    /// Lowercase markers of the footer block.
    pub footer_markers: Vec<String>,
}

/// A relative-time phrase family and the ages (days before `now`) it may describe.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeRule {
    pub id: String,
    pub phrases: Vec<String>,
    pub min_days: i64,
    pub max_days: i64,
    /// An extra calendar reading: `this_month`, `last_month`, `this_year`, `last_year`,
    /// `weekend`, `season`.
    pub calendar: Option<String>,
}

/// An offer's scope: a campaign fact under a limit's key (a minimum, what the offer applies
/// to, who it is for) limits it; an offer clause that drops that limit ("on any order") or
/// names the other side of an exclusive pair ("monthly" for an annual-billing offer) is a
/// wrong offer.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct OfferScopeRules {
    pub limits: Vec<ScopeLimit>,
    /// Words that exclude each other: a limit says one, the email the other.
    pub exclusive: Vec<[String; 2]>,
    /// Keys whose values the offer does not cover (`excludes: ["sunglasses"]`).
    pub exclusion_keys: Vec<String>,
    /// Key prefixes of a numeric minimum whose rest names the unit (`min_nights`, `min_seats`).
    pub minimum_prefixes: Vec<String>,
}

/// One kind of offer limit.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScopeLimit {
    /// Last segment of a campaign fact's key that states this limit (`minimum`, `applies_to`).
    pub keys: Vec<String>,
    /// Phrases that say the offer has no such limit ("any order", "everyone").
    pub unconditional: Vec<String>,
}

/// A perk an email may promise only if the campaign offers it ("free shipping", "free
/// returns", "a free gift"): some campaign fact must mention one of `context` words.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PerkRule {
    pub id: String,
    /// How emails say it ("free shipping", "ships free").
    pub phrases: Vec<String>,
    /// Words (lowercase) one of which a campaign fact's key or value holds when it offers
    /// the perk ("shipping", "delivery").
    pub context: Vec<String>,
    /// Phrases that say the perk has no minimum ("on every order"): wrong when the campaign's
    /// fact for the perk carries an amount (a threshold).
    pub unconditional: Vec<String>,
}

/// A closed set of values one attribute takes (skin types, roasts, genres): naming a different
/// one of them as the person's is a wrong fact.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CategoryRule {
    /// Attribute keys holding the person's value.
    pub attributes: Vec<String>,
    /// The values, as written in email ("dry", "dark roast", "thrillers").
    pub values: Vec<String>,
}

/// Words of one kind that exclude each other ("viola" and "cello", "sunrise" and "sunset"):
/// one said as the person's while their record holds only another is a wrong fact.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContrastRule {
    pub words: Vec<String>,
}

/// The whole rule table, in its raw (serde) form.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleTable {
    pub kinds: BTreeMap<String, KindRule>,
    pub implied: Vec<ImpliedRule>,
    pub implied_options: ImpliedOptions,
    pub leaks: LeakRules,
    pub grounding: GroundingRules,
    pub counts: Vec<CountRule>,
    pub claims: Vec<ClaimRule>,
    pub lint: LintRules,
    pub times: Vec<TimeRule>,
    pub categories: Vec<CategoryRule>,
    pub contrasts: Vec<ContrastRule>,
    pub perks: Vec<PerkRule>,
    pub offer_scope: OfferScopeRules,
}

impl RuleTable {
    /// The table shipped with candor.
    pub fn builtin() -> Result<RuleTable, RuleError> {
        RuleTable::from_toml(BUILTIN)
    }

    pub fn from_toml(text: &str) -> Result<RuleTable, RuleError> {
        Ok(toml::from_str(text)?)
    }

    /// A campaign's extension given as JSON (e.g. the `gate` key of CONTEXT.json).
    pub fn from_json(value: serde_json::Value) -> Result<RuleTable, RuleError> {
        Ok(serde_json::from_value(value)?)
    }

    /// Add a campaign's rules to this table.
    pub fn extend(&mut self, other: RuleTable) {
        for (name, k) in other.kinds {
            let mine = self.kinds.entry(name).or_default();
            mine.events.extend(k.events);
            mine.event_fields.extend(k.event_fields);
            mine.attributes.extend(k.attributes);
            mine.date_attributes.extend(k.date_attributes);
            mine.date_events.extend(k.date_events);
            mine.within_days = k.within_days.or(mine.within_days);
            mine.inactive_days = k.inactive_days.or(mine.inactive_days);
            mine.older_than_days = k.older_than_days.or(mine.older_than_days);
            mine.min_events = k.min_events.or(mine.min_events);
            mine.window_days = k.window_days.or(mine.window_days);
        }
        for rule in other.implied {
            match self.implied.iter_mut().find(|r| r.id == rule.id) {
                Some(mine) => {
                    mine.phrases.extend(rule.phrases);
                    mine.requires.extend(rule.requires);
                }
                None => self.implied.push(rule),
            }
        }
        let o = other.implied_options;
        self.implied_options
            .invitation_words
            .extend(o.invitation_words);
        self.implied_options.hedge_words.extend(o.hedge_words);
        let l = other.leaks;
        self.leaks.standins.extend(l.standins);
        self.leaks.chatter.extend(l.chatter);
        self.leaks.echo.extend(l.echo);
        self.leaks.greetings.extend(l.greetings);
        self.leaks.generic_greetings.extend(l.generic_greetings);
        self.leaks.placeholder_words.extend(l.placeholder_words);
        for (lang, words) in l.languages {
            self.leaks.languages.entry(lang).or_default().extend(words);
        }
        let g = other.grounding;
        let mine = &mut self.grounding;
        mine.product_nouns.extend(g.product_nouns);
        mine.synonyms.extend(g.synonyms);
        mine.nicknames.extend(g.nicknames);
        mine.ignore_capitalized.extend(g.ignore_capitalized);
        mine.regions.extend(g.regions);
        mine.tier_words.extend(g.tier_words);
        mine.tier_nouns.extend(g.tier_nouns);
        mine.place_keys.extend(g.place_keys);
        mine.tier_keys.extend(g.tier_keys);
        mine.product_keys.extend(g.product_keys);
        mine.category_keys.extend(g.category_keys);
        mine.amount_keys.extend(g.amount_keys);
        mine.count_keys.extend(g.count_keys);
        self.counts.extend(other.counts);
        self.claims.extend(other.claims);
        self.times.extend(other.times);
        self.categories.extend(other.categories);
        self.contrasts.extend(other.contrasts);
        self.perks.extend(other.perks);
        let o = other.offer_scope;
        self.offer_scope.limits.extend(o.limits);
        self.offer_scope.exclusive.extend(o.exclusive);
        let lint = other.lint;
        self.lint.banned.extend(lint.banned);
        self.lint.footer_markers.extend(lint.footer_markers);
        self.lint.max_caps_words = lint.max_caps_words.or(self.lint.max_caps_words);
        self.lint.max_exclamation_run = lint.max_exclamation_run.or(self.lint.max_exclamation_run);
        self.lint.max_subject_chars = lint.max_subject_chars.or(self.lint.max_subject_chars);
        self.lint.max_body_words = lint.max_body_words.or(self.lint.max_body_words);
        self.lint.require_unsubscribe = lint.require_unsubscribe.or(self.lint.require_unsubscribe);
    }
}

// ---------------------------------------------------------------------------------------------
// Compiled phrase matching.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Pat {
    /// One word; any of the alternatives (as text, and as vocabulary ids once interned).
    Word(Vec<String>, Vec<u32>),
    /// Skip zero to three words.
    Gap,
}

#[derive(Clone, Debug)]
struct Phrase {
    pats: Vec<Pat>,
    payload: usize,
}

/// A match of a phrase: word positions `first..=last` (indices into the word list).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PhraseMatch {
    pub first: usize,
    pub last: usize,
    pub payload: usize,
}

/// Phrases over words, plus phrases with punctuation matched on the raw (ASCII-lowercased) text.
#[derive(Clone, Debug, Default)]
pub(crate) struct PhraseSet {
    phrases: Vec<Phrase>,
    by_first: HashMap<String, Vec<usize>>,
    /// Phrase indices by the vocabulary id of their first word, once interned, for phrases whose
    /// second element is not a plain word (one-word phrases, or a gap).
    by_first_id: Vec<Vec<usize>>,
    /// Phrase indices by the ids of their first two words: "you" starts hundreds of phrases,
    /// "you bought" only a few.
    by_pair_id: HashMap<(u32, u32), Vec<usize>>,
    interned: bool,
    /// (lowercase needle, payload)
    raw: Vec<(String, usize)>,
}

fn is_word_phrase(p: &str) -> bool {
    p.chars().all(|c| {
        c.is_alphanumeric() || c == ' ' || c == '\'' || c == '’' || c == '-' || c == '*' || c == '|'
    })
}

impl PhraseSet {
    pub fn add(&mut self, phrase: &str, payload: usize) -> bool {
        let folded = fold(phrase.trim());
        if folded.is_empty() || folded.starts_with('*') {
            return false;
        }
        if !is_word_phrase(&folded) {
            self.raw.push((folded.to_ascii_lowercase(), payload));
            return true;
        }
        let mut pats = Vec::new();
        for part in folded.split_whitespace() {
            if part == "*" {
                pats.push(Pat::Gap);
            } else {
                pats.push(Pat::Word(
                    part.split('|').map(str::to_string).collect(),
                    Vec::new(),
                ));
            }
        }
        let Some(Pat::Word(first, _)) = pats.first() else {
            return false;
        };
        let idx = self.phrases.len();
        for f in first {
            self.by_first.entry(f.clone()).or_default().push(idx);
        }
        self.phrases.push(Phrase { pats, payload });
        true
    }

    pub fn from_list(list: &[String]) -> PhraseSet {
        let mut s = PhraseSet::default();
        for (i, p) in list.iter().enumerate() {
            s.add(p, i);
        }
        s
    }

    /// Give every word of every phrase its vocabulary id, so matching compares integers.
    pub fn intern(&mut self, vocab: &mut HashMap<String, u32>) {
        for p in &mut self.phrases {
            for pat in &mut p.pats {
                if let Pat::Word(alts, ids) = pat {
                    *ids = alts
                        .iter()
                        .map(|a| {
                            let next = vocab.len() as u32;
                            *vocab.entry(a.clone()).or_insert(next)
                        })
                        .collect();
                }
            }
        }
        let mut by_id: Vec<Vec<usize>> = vec![Vec::new(); vocab.len()];
        let mut by_pair: HashMap<(u32, u32), Vec<usize>> = HashMap::default();
        for (i, p) in self.phrases.iter().enumerate() {
            let Some(Pat::Word(_, first)) = p.pats.first() else {
                continue;
            };
            match p.pats.get(1) {
                Some(Pat::Word(_, second)) => {
                    for &a in first {
                        for &b in second {
                            by_pair.entry((a, b)).or_default().push(i);
                        }
                    }
                }
                _ => {
                    for &id in first {
                        by_id[id as usize].push(i);
                    }
                }
            }
        }
        self.by_first_id = by_id;
        self.by_pair_id = by_pair;
        self.interned = true;
    }

    /// All matches over `words` (token indices of word tokens in `toks`). Unless `cross`, a match
    /// stays inside one sentence. Interned sets need `toks` carrying vocabulary ids.
    pub fn find(&self, toks: &[Tok], words: &[usize], cross: bool) -> Vec<PhraseMatch> {
        let mut out = Vec::new();
        let empty: Vec<usize> = Vec::new();
        for (wi, &ti) in words.iter().enumerate() {
            let (cands, pair): (&Vec<usize>, &Vec<usize>) = if self.interned {
                let id = toks[ti].id;
                if id == NO_ID {
                    continue;
                }
                let single = self.by_first_id.get(id as usize).unwrap_or(&empty);
                let pair = match words.get(wi + 1) {
                    Some(&nt) if toks[nt].id != NO_ID => {
                        self.by_pair_id.get(&(id, toks[nt].id)).unwrap_or(&empty)
                    }
                    _ => &empty,
                };
                if single.is_empty() && pair.is_empty() {
                    continue;
                }
                (single, pair)
            } else {
                match self.by_first.get(toks[ti].norm.as_str()) {
                    Some(c) => (c, &empty),
                    None => continue,
                }
            };
            let cursor = Cursor {
                toks,
                words,
                origin: wi,
                cross,
                interned: self.interned,
            };
            for &pi in cands.iter().chain(pair.iter()) {
                let p = &self.phrases[pi];
                if let Some(last) = match_at(&p.pats, 0, &cursor, wi) {
                    out.push(PhraseMatch {
                        first: wi,
                        last,
                        payload: p.payload,
                    });
                }
            }
        }
        out
    }

    /// Matches of the punctuation-bearing phrases, as byte ranges of `lower` (the text lowercased
    /// with `to_ascii_lowercase`, so offsets are the original's).
    /// `present[b]` says whether byte `b` occurs in `lower` (computed once per email).
    pub fn find_raw(&self, lower: &str, present: &[bool; 256]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        // Every raw needle has a punctuation byte; skip needles whose punctuation the text lacks.
        for (needle, payload) in &self.raw {
            if let Some(p) = needle
                .bytes()
                .find(|b| !b.is_ascii_alphanumeric() && *b != b' ')
            {
                if !present[p as usize] {
                    continue;
                }
            }
            let mut from = 0;
            let b = lower.as_bytes();
            let alnum_end = needle
                .bytes()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            let alnum_start = needle
                .bytes()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            while let Some(pos) = lower[from..].find(needle.as_str()) {
                let s = from + pos;
                // Whole words at the needle's ends: "note: i" is not in "note: it's".
                let cut_end = alnum_end
                    && b.get(s + needle.len())
                        .is_some_and(|c| c.is_ascii_alphanumeric());
                let cut_start = alnum_start && s > 0 && b[s - 1].is_ascii_alphanumeric();
                if cut_end || cut_start {
                    // (Past the needle's first character, on a character boundary.)
                    from = s + needle.chars().next().map_or(1, char::len_utf8);
                    if from >= lower.len() {
                        break;
                    }
                    continue;
                }
                out.push((s, s + needle.len(), *payload));
                from = s + needle.len().max(1);
                if from >= lower.len() {
                    break;
                }
            }
        }
        out
    }
}

/// Where a phrase match runs: the document's tokens and words, the first word of the match (for
/// sentence checks), whether sentences may be crossed, and whether to compare vocabulary ids.
struct Cursor<'a> {
    toks: &'a [Tok],
    words: &'a [usize],
    origin: usize,
    cross: bool,
    interned: bool,
}

/// Match `pats[pi..]` starting at word `wi`. Returns the index of the last word matched.
fn match_at(pats: &[Pat], pi: usize, c: &Cursor<'_>, wi: usize) -> Option<usize> {
    let pat = pats.get(pi)?;
    let same_sent = |w: usize| c.cross || c.toks[c.words[w]].sent == c.toks[c.words[c.origin]].sent;
    match pat {
        Pat::Word(alts, ids) => {
            if wi >= c.words.len() || !same_sent(wi) {
                return None;
            }
            let t = &c.toks[c.words[wi]];
            let hit = if c.interned {
                ids.contains(&t.id)
            } else {
                alts.iter().any(|a| a == t.norm.as_str())
            };
            if !hit {
                return None;
            }
            // "That's $20 for you, added after your first shipment": a comma, colon or
            // bracket after a pronoun parts it from the verb a phrase gives it ("Welcome, new
            // member" stays one phrase).
            if pi > 0
                && wi > 0
                && c.words[wi] > c.words[wi - 1] + 1
                && matches!(pats[pi - 1], Pat::Word(..))
                && matches!(
                    c.toks[c.words[wi - 1]].norm.as_str(),
                    "you" | "we" | "i" | "they" | "us"
                )
            {
                let parted = c.toks[c.words[wi - 1] + 1..c.words[wi]]
                    .iter()
                    .any(|t| matches!(t.norm.as_str(), "," | ";" | ":" | "(" | ")" | "—" | "–"));
                if parted {
                    return None;
                }
            }
            if pi + 1 == pats.len() {
                return Some(wi);
            }
            match_at(pats, pi + 1, c, wi + 1)
        }
        Pat::Gap => {
            for skip in 0..=3 {
                let w = wi + skip;
                if w > c.words.len() {
                    break;
                }
                if let Some(end) = match_at(pats, pi + 1, c, w) {
                    return Some(end);
                }
            }
            None
        }
    }
}

/// Indices of the word and number tokens.
pub(crate) fn word_indices(toks: &[Tok]) -> Vec<usize> {
    toks.iter()
        .enumerate()
        .filter(|(_, t)| t.kind != TokKind::Punct)
        .map(|(i, _)| i)
        .collect()
}

fn set(list: &[String]) -> HashSet<String> {
    list.iter().map(|s| fold(s.trim())).collect()
}

/// Stems of single-token entries and token lists of multiword ones.
fn stems(list: &[String]) -> HashSet<String> {
    list.iter()
        .map(|s| {
            let toks = tokenize(s);
            toks.iter()
                .filter(|t| t.kind != TokKind::Punct)
                .map(|t| crate::text::stem(&t.norm))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The rule table compiled for matching.
#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    pub table: RuleTable,
    pub implied: PhraseSet,
    pub invitation: HashSet<String>,
    pub hedges: HashSet<String>,
    pub standins: PhraseSet,
    pub chatter: PhraseSet,
    pub echo: PhraseSet,
    pub greetings: PhraseSet,
    pub generic_greetings: HashSet<String>,
    /// Every word of every greeting ("bonjour", "cześć" folded): never a name or product.
    pub greeting_words: HashSet<String>,
    pub placeholder_words: HashSet<String>,
    /// Function word → the languages it belongs to.
    pub language_words: HashMap<String, Vec<usize>>,
    pub language_names: Vec<String>,
    /// Stemmed product nouns; multiword ones joined by a space.
    pub product_nouns: HashSet<String>,
    /// Stem → the stems of its synonym group(s).
    pub synonyms: HashMap<String, Vec<String>>,
    /// A short form's stem and the stems of the full names it stands for.
    pub nicknames: HashMap<String, Vec<String>>,
    pub ignore_caps: HashSet<String>,
    pub regions: HashSet<String>,
    pub common: HashSet<String>,
    pub tier_words: HashSet<String>,
    pub tier_nouns: HashSet<String>,
    pub place_keys: HashSet<String>,
    pub tier_keys: HashSet<String>,
    pub product_keys: HashSet<String>,
    pub category_keys: HashSet<String>,
    pub amount_keys: HashSet<String>,
    pub count_keys: HashSet<String>,
    /// Count noun (folded) → index into `table.counts`.
    pub count_nouns: HashMap<String, usize>,
    pub claim_verbs: PhraseSet,
    pub banned: PhraseSet,
    pub times: PhraseSet,
    /// Category values; payload `(category << 16) | value`.
    pub categories: PhraseSet,
    /// A contrast-set word as written, its plural and its stem (folded) → the set's index in
    /// `contrast_stems`.
    pub contrast_of: HashMap<String, usize>,
    /// Each contrast set's stems.
    pub contrast_stems: Vec<Vec<String>>,
    /// Perk phrases; payload: index into `table.perks`.
    pub perks: PhraseSet,
    /// No-minimum phrases; payload: index into `table.perks`.
    pub perk_unconditional: PhraseSet,
    /// Offer-scope phrases; payload: index into `table.offer_scope.limits`.
    pub scope_unconditional: PhraseSet,
    /// Every word of every phrase → its id; tokens get ids once per email.
    pub vocab: HashMap<String, u32>,
}

impl Compiled {
    /// No rules at all (a fallback that cannot fail).
    pub fn empty() -> Compiled {
        let e = HashSet::default;
        Compiled {
            table: RuleTable::default(),
            implied: PhraseSet::default(),
            invitation: e(),
            hedges: e(),
            standins: PhraseSet::default(),
            chatter: PhraseSet::default(),
            echo: PhraseSet::default(),
            greetings: PhraseSet::default(),
            generic_greetings: e(),
            greeting_words: e(),
            placeholder_words: e(),
            language_words: HashMap::default(),
            language_names: Vec::new(),
            product_nouns: e(),
            synonyms: HashMap::default(),
            nicknames: HashMap::default(),
            ignore_caps: e(),
            regions: e(),
            common: e(),
            tier_words: e(),
            tier_nouns: e(),
            place_keys: e(),
            tier_keys: e(),
            product_keys: e(),
            category_keys: e(),
            amount_keys: e(),
            count_keys: e(),
            count_nouns: HashMap::default(),
            claim_verbs: PhraseSet::default(),
            banned: PhraseSet::default(),
            times: PhraseSet::default(),
            categories: PhraseSet::default(),
            contrast_of: HashMap::default(),
            contrast_stems: Vec::new(),
            perks: PhraseSet::default(),
            perk_unconditional: PhraseSet::default(),
            scope_unconditional: PhraseSet::default(),
            vocab: HashMap::default(),
        }
    }

    pub fn new(mut table: RuleTable) -> Result<Compiled, RuleError> {
        // Footer markers are compared with lowercased, trimmed lines: keep them in that form
        // (an uppercase or space-edged marker could never match) and drop any holding a line
        // break (it never could either). The footer search relies on this.
        table.lint.footer_markers = table
            .lint
            .footer_markers
            .iter()
            .map(|m| m.trim().to_lowercase())
            .filter(|m| !m.is_empty() && !m.contains('\n'))
            .collect();
        // Fact-kind patterns are matched against event types and attribute keys for every
        // email; fold them once here (`matches_type` expects them folded).
        for k in table.kinds.values_mut() {
            for list in [
                &mut k.events,
                &mut k.event_fields,
                &mut k.attributes,
                &mut k.date_attributes,
                &mut k.date_events,
            ] {
                for t in list.iter_mut() {
                    *t = fold(t);
                }
            }
        }
        let mut implied = PhraseSet::default();
        for (i, r) in table.implied.iter().enumerate() {
            if let Some(f) = &r.finding {
                if crate::report::Kind::parse(f).is_none() {
                    return Err(RuleError::BadFinding {
                        rule: r.id.clone(),
                        finding: f.clone(),
                    });
                }
            }
            for k in &r.requires {
                if !table.kinds.contains_key(k) {
                    return Err(RuleError::UnknownKind {
                        rule: r.id.clone(),
                        kind: k.clone(),
                    });
                }
            }
            for p in &r.phrases {
                if !implied.add(p, i) {
                    return Err(RuleError::BadPhrase {
                        rule: r.id.clone(),
                        phrase: p.clone(),
                    });
                }
            }
        }
        let mut claim_verbs = PhraseSet::default();
        for (i, c) in table.claims.iter().enumerate() {
            for v in &c.verbs {
                claim_verbs.add(&format!("you {v}"), i);
                claim_verbs.add(&format!("you've {v}"), i);
                claim_verbs.add(&format!("you have {v}"), i);
                claim_verbs.add(&format!("you recently {v}"), i);
                claim_verbs.add(&format!("you just {v}"), i);
                claim_verbs.add(&format!("you were {v}"), i);
                claim_verbs.add(&format!("you've been {v}"), i);
            }
            for p in &c.phrases {
                claim_verbs.add(p, i);
            }
        }
        let mut count_nouns = HashMap::default();
        for (i, c) in table.counts.iter().enumerate() {
            for n in &c.nouns {
                count_nouns.entry(fold(n)).or_insert(i);
            }
        }
        let common: HashSet<String> = COMMON_WORDS
            .split_whitespace()
            .filter(|w| !w.starts_with('#'))
            .map(fold)
            .collect();
        let g = &table.grounding;
        let mut compiled = Compiled {
            implied,
            invitation: set(&table.implied_options.invitation_words),
            hedges: set(&table.implied_options.hedge_words),
            standins: PhraseSet::from_list(&table.leaks.standins),
            chatter: PhraseSet::from_list(&table.leaks.chatter),
            echo: PhraseSet::from_list(&table.leaks.echo),
            greetings: PhraseSet::from_list(&table.leaks.greetings),
            generic_greetings: set(&table.leaks.generic_greetings),
            greeting_words: table
                .leaks
                .greetings
                .iter()
                .flat_map(|g| {
                    fold(g)
                        .split_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect(),
            placeholder_words: set(&table.leaks.placeholder_words),
            language_words: {
                let mut m: HashMap<String, Vec<usize>> = HashMap::default();
                for (i, words) in table.leaks.languages.values().enumerate() {
                    for w in words {
                        m.entry(fold(w)).or_default().push(i);
                    }
                }
                m
            },
            language_names: table.leaks.languages.keys().cloned().collect(),
            product_nouns: stems(&g.product_nouns),
            nicknames: {
                let mut m: HashMap<String, Vec<String>> = HashMap::default();
                // A short form greets the full name; the full name does not greet a person
                // the record knows by the short one ("Samuel" for a Sam).
                for group in &g.nicknames {
                    let st: Vec<String> =
                        group.iter().map(|w| crate::text::stem(&fold(w))).collect();
                    if let Some((full, short)) = st.split_first() {
                        for s in short {
                            m.entry(s.clone()).or_default().push(full.clone());
                        }
                    }
                }
                m
            },
            synonyms: {
                let mut m: HashMap<String, Vec<String>> = HashMap::default();
                for group in &g.synonyms {
                    let st: Vec<String> =
                        group.iter().map(|w| crate::text::stem(&fold(w))).collect();
                    for s in &st {
                        m.entry(s.clone()).or_default().extend(st.iter().cloned());
                    }
                }
                m
            },
            ignore_caps: set(&g.ignore_capitalized),
            regions: set(&g.regions),
            common,
            tier_words: set(&g.tier_words),
            tier_nouns: set(&g.tier_nouns),
            place_keys: set(&g.place_keys),
            tier_keys: set(&g.tier_keys),
            product_keys: set(&g.product_keys),
            category_keys: set(&g.category_keys),
            amount_keys: set(&g.amount_keys),
            count_keys: set(&g.count_keys),
            count_nouns,
            claim_verbs,
            banned: PhraseSet::from_list(&table.lint.banned),
            times: {
                let mut t = PhraseSet::default();
                for (i, r) in table.times.iter().enumerate() {
                    for p in &r.phrases {
                        t.add(p, i);
                    }
                }
                t
            },
            categories: {
                let mut c = PhraseSet::default();
                for (ci, r) in table.categories.iter().enumerate() {
                    for (vi, v) in r.values.iter().enumerate() {
                        c.add(v, (ci << 16) | (vi & 0xffff));
                    }
                }
                c
            },
            contrast_of: {
                let mut m = HashMap::default();
                for (i, r) in table.contrasts.iter().enumerate() {
                    for w in &r.words {
                        let w = fold(w);
                        m.insert(format!("{w}s"), i);
                        m.insert(stem(&w), i);
                        m.insert(w, i);
                    }
                }
                m
            },
            contrast_stems: table
                .contrasts
                .iter()
                .map(|r| r.words.iter().map(|w| stem(&fold(w))).collect())
                .collect(),
            perks: {
                let mut c = PhraseSet::default();
                for (i, r) in table.perks.iter().enumerate() {
                    for p in &r.phrases {
                        c.add(p, i);
                    }
                }
                c
            },
            perk_unconditional: {
                let mut c = PhraseSet::default();
                for (i, r) in table.perks.iter().enumerate() {
                    for p in &r.unconditional {
                        c.add(p, i);
                    }
                }
                c
            },
            scope_unconditional: {
                let mut c = PhraseSet::default();
                for (i, l) in table.offer_scope.limits.iter().enumerate() {
                    for p in &l.unconditional {
                        c.add(p, i);
                    }
                }
                c
            },
            table,
            vocab: HashMap::default(),
        };
        let mut vocab = HashMap::default();
        // Two passes: sets interned early have id tables sized before later words existed, so
        // the second pass redoes them all against the final vocabulary.
        for _pass in 0..2 {
            for set in [
                &mut compiled.implied,
                &mut compiled.standins,
                &mut compiled.chatter,
                &mut compiled.echo,
                &mut compiled.greetings,
                &mut compiled.claim_verbs,
                &mut compiled.banned,
                &mut compiled.times,
                &mut compiled.categories,
                &mut compiled.perks,
                &mut compiled.perk_unconditional,
                &mut compiled.scope_unconditional,
            ] {
                set.intern(&mut vocab);
            }
        }
        compiled.vocab = vocab;
        Ok(compiled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_compiles() {
        let t = RuleTable::builtin().unwrap();
        assert!(t.implied.len() > 10);
        let c = Compiled::new(t).unwrap();
        assert!(c.common.contains("the"));
    }

    #[test]
    fn phrases_with_gaps_and_alternatives() {
        let mut s = PhraseSet::default();
        s.add("you left * in your cart|basket", 7);
        let toks = tokenize("Looks like you left the Summit parka in your basket.");
        let words = word_indices(&toks);
        let m = s.find(&toks, &words, false);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].payload, 7);
        let toks = tokenize("You left. In your basket");
        let words = word_indices(&toks);
        assert!(
            s.find(&toks, &words, false).is_empty(),
            "no crossing sentences"
        );
    }

    #[test]
    fn extend_appends_to_existing_rule() {
        let mut t = RuleTable::builtin().unwrap();
        let before = t
            .implied
            .iter()
            .find(|r| r.id == "cart")
            .unwrap()
            .phrases
            .len();
        let ext = RuleTable::from_toml(
            "[[implied]]\nid = \"cart\"\nrequires = [\"cart\"]\nphrases = [\"your trolley\"]\n",
        )
        .unwrap();
        t.extend(ext);
        let after = t
            .implied
            .iter()
            .find(|r| r.id == "cart")
            .unwrap()
            .phrases
            .len();
        assert_eq!(after, before + 1);
        assert!(Compiled::new(t).is_ok());
    }

    #[test]
    fn unknown_kind_is_an_error() {
        let mut t = RuleTable::builtin().unwrap();
        t.extend(
            RuleTable::from_toml(
                "[[implied]]\nid = \"x\"\nrequires = [\"nope\"]\nphrases = [\"a b\"]\n",
            )
            .unwrap(),
        );
        assert!(matches!(
            Compiled::new(t),
            Err(RuleError::UnknownKind { .. })
        ));
    }
}
