//! Tokenizing email text into words, numbers and punctuation with byte spans.
//!
//! Invariants: every token's `start..end` is a char-boundary range into the text it came from, so
//! a finding can quote the exact span; `norm` is lowercase with Latin diacritics folded and curly
//! apostrophes straightened, so "Zoë", "ZOE" and "zoe" compare equal.

/// A small, fast, deterministic hasher for short string keys (the FxHash mix). The gate hashes
/// every word several times per email; SipHash's DoS resistance buys nothing for rule tables.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        for &b in chunks.remainder() {
            self.add(b as u64);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(FX_SEED);
    }
}

pub(crate) type FastMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;
pub(crate) type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FxHasher>>;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokKind {
    /// Letters, possibly with digits, internal apostrophes or hyphens ("you've", "SAVE20", "3rd").
    Word,
    /// Digits with internal `,` / `.` ("1,299.00").
    Num,
    /// One punctuation or symbol character.
    Punct,
}

#[derive(Clone, Debug)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: TokKind,
    /// Folded lowercase form.
    pub norm: compact_str::CompactString,
    /// First character is an uppercase letter.
    pub cap: bool,
    /// Every letter is uppercase (and there are at least two).
    pub all_caps: bool,
    /// Index of the sentence (or line) the token belongs to.
    pub sent: usize,
    /// First word-like token of its sentence.
    pub sent_start: bool,
    /// Letters from a script without case (CJK, Thai...), where capitalization says nothing.
    pub caseless: bool,
    /// The word's id in the compiled rules' vocabulary (`NO_ID` when no rule uses it).
    pub id: u32,
}

/// Id of a word no rule phrase contains.
pub(crate) const NO_ID: u32 = u32::MAX;

/// A word or number token: what both tokenizer paths push for a run of alphanumerics.
struct WordTok {
    start: usize,
    end: usize,
    numeric: bool,
    norm: compact_str::CompactString,
    cap: bool,
    /// Letters, and uppercase letters, in the word.
    letters: (usize, usize),
    caseless: bool,
}

impl Tok {
    fn word(w: WordTok, sent: usize, sent_start: bool) -> Tok {
        let (nl, nu) = w.letters;
        Tok {
            start: w.start,
            end: w.end,
            kind: if w.numeric {
                TokKind::Num
            } else {
                TokKind::Word
            },
            norm: w.norm,
            cap: w.cap,
            all_caps: nl >= 2 && nu == nl,
            sent,
            sent_start,
            caseless: w.caseless,
            id: NO_ID,
        }
    }

    fn punct(start: usize, end: usize, norm: compact_str::CompactString, sent: usize) -> Tok {
        Tok {
            start,
            end,
            kind: TokKind::Punct,
            norm,
            cap: false,
            all_caps: false,
            sent,
            sent_start: false,
            caseless: false,
            id: NO_ID,
        }
    }

    pub fn is_word(&self) -> bool {
        self.kind == TokKind::Word
    }
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokKind::Punct && self.norm.starts_with(c)
    }
}

/// Fold one char to lowercase ASCII where it is a Latin letter with a diacritic.
fn fold_char(c: char, out: &mut String) {
    let mapped = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę'
        | 'Ě' => "e",
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'İ' => "i",
        'ł' | 'ľ' | 'ĺ' | 'Ł' | 'Ľ' | 'Ĺ' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō'
        | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' => "r",
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'Ť' | 'Ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => {
            "u"
        }
        'ý' | 'ÿ' | 'Ý' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        '’' | '‘' | 'ʼ' => "'",
        // Vietnamese: ư, ơ and the Latin Extended Additional vowels (ạ ả ấ ... ỹ).
        'ư' | 'Ư' => "u",
        'ơ' | 'Ơ' => "o",
        '\u{1EA0}'..='\u{1EB7}' => "a",
        '\u{1EB8}'..='\u{1EC7}' => "e",
        '\u{1EC8}'..='\u{1ECB}' => "i",
        '\u{1ECC}'..='\u{1EE3}' => "o",
        '\u{1EE4}'..='\u{1EF1}' => "u",
        '\u{1EF2}'..='\u{1EF9}' => "y",
        _ => {
            for l in c.to_lowercase() {
                out.push(l);
            }
            return;
        }
    };
    out.push_str(mapped);
}

/// Folded lowercase form of a string.
pub(crate) fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// [`fold`] into a string that keeps short words inline: a token's word is folded once per
/// email, and most words fit in 24 bytes, so this saves an allocation per token.
fn fold_compact(s: &str) -> compact_str::CompactString {
    if s.is_ascii() {
        let mut c = compact_str::CompactString::from(s);
        c.make_ascii_lowercase();
        return c;
    }
    compact_str::CompactString::from(fold(s))
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// Scripts without letter case: a name in them cannot be spotted by a capital.
pub(crate) fn is_caseless_letter(c: char) -> bool {
    c.is_alphabetic() && !c.is_lowercase() && !c.is_uppercase()
}

/// Split `text` into tokens. Sentences end at `.`, `!`, `?` followed by space, and at line breaks.
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    tokenize_with(text, &[])
}

/// [`tokenize`], with more currency letters written before an amount than rand's, ringgit's,
/// rupees' and rupiah's: the campaign's currency ("Q977.50" where it prices in quetzales).
pub(crate) fn tokenize_with(text: &str, letters: &[&'static str]) -> Vec<Tok> {
    let toks = if text.is_ascii() {
        tokenize_ascii(text)
    } else {
        tokenize_chars(text)
    };
    let rand = text.as_bytes().windows(2).any(|w| {
        (w[0] == b'R' && (w[1].is_ascii_digit() || matches!(w[1], b'M' | b's' | b'p')))
            || (w[1].is_ascii_digit() && letters.iter().any(|l| l.as_bytes()[0] == w[0]))
    });
    let toks = if rand {
        rand_amounts(text, toks, letters)
    } else {
        toks
    };
    let toks = if text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'-' && w[1].is_ascii_digit())
    {
        month_dash_split(text, toks)
    } else {
        toks
    };
    space_grouped(text, toks)
}

/// "28 September-2 October": a range whose dash the word tokenizer kept inside "September-2".
/// The month, the dash and the day are read apart, as in "28 September - 2 October".
fn month_dash_split(text: &str, toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len() + 2);
    for t in toks {
        let split = (t.kind == TokKind::Word)
            .then(|| t.norm.split_once('-'))
            .flatten()
            .filter(|(m, d)| {
                month_of(m).is_some()
                    && (1..=2).contains(&d.len())
                    && d.bytes().all(|b| b.is_ascii_digit())
            })
            .map(|(m, d)| (m.len(), compact_str::CompactString::from(d)));
        // Where the dash is in the text as written (a folded accent may have changed the
        // month's length: "Séptember-2").
        let dash = text.get(t.start..t.end).and_then(|raw| raw.find('-'));
        let (Some((mlen, day)), Some(dash)) = (split, dash) else {
            out.push(t);
            continue;
        };
        let mut month = t.clone();
        month.norm.truncate(mlen);
        month.end = t.start + dash;
        out.push(month);
        out.push(Tok::punct(
            t.start + dash,
            t.start + dash + 1,
            compact_str::CompactString::from("-"),
            t.sent,
        ));
        let mut num = t.clone();
        num.start = t.start + dash + 1;
        num.kind = TokKind::Num;
        num.norm = day;
        num.cap = false;
        num.all_caps = false;
        num.sent_start = false;
        out.push(num);
    }
    out
}

/// "CHF 1'180": thousands grouped by an apostrophe, as Swiss copy writes them. What follows the
/// apostrophe must be three digits and no more.
fn swiss_group(mut rest: impl Iterator<Item = u8>) -> bool {
    (0..3).all(|_| rest.next().is_some_and(|c| c.is_ascii_digit()))
        && rest.next().is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// "1 019,15 $", "12 500 kr", "CHF 1 250": an amount of money with its thousands grouped by
/// a space (or a no-break or narrow no-break space), as French, Swedish and Swiss copy writes
/// it. The tokenizers read two numbers; this joins the groups into one when a currency stands
/// right after the last group or right before the first, so the money checks read the
/// amount written ("019,15" alone is 19.15). Other figures a space separates ("in 2 300-seat
/// halls", "Table 4 120") stay apart.
fn space_grouped(text: &str, mut toks: Vec<Tok>) -> Vec<Tok> {
    let short = |t: &Tok| {
        t.kind == TokKind::Num
            && (1..=3).contains(&t.norm.len())
            && t.norm.bytes().all(|c| c.is_ascii_digit())
    };
    let three = |t: &Tok| {
        t.kind == TokKind::Num
            && t.norm
                .split(',')
                .next()
                .is_some_and(|d| d.len() == 3 && d.bytes().all(|c| c.is_ascii_digit()))
            && t.norm.bytes().filter(|&c| c == b',').count() <= 1
            && !t.norm.contains('.')
    };
    let gap = |a: &Tok, b: &Tok| matches!(&text[a.end..b.start], " " | "\u{a0}" | "\u{202f}");
    // A currency's sign, its code, or a local name for it ("kr", "zł", "Kč", "Ft", "Fr.").
    let money_word = |t: &Tok| {
        (t.kind == TokKind::Punct && matches!(t.norm.as_str(), "$" | "€" | "£" | "r"))
            || (t.kind == TokKind::Word
                && (crate::facts::is_currency_code(t)
                    || matches!(
                        t.norm.as_str(),
                        "kr" | "zl" | "zł" | "czk" | "kc" | "kč" | "huf" | "ft" | "fr"
                    )))
    };
    let mut i = 0;
    while i + 1 < toks.len() {
        if !(short(&toks[i]) && three(&toks[i + 1]) && gap(&toks[i], &toks[i + 1]))
            || toks[i].sent != toks[i + 1].sent
        {
            i += 1;
            continue;
        }
        // (Not the middle of a longer run: "1 2 300".)
        if i > 0 && toks[i - 1].kind == TokKind::Num && gap(&toks[i - 1], &toks[i]) {
            i += 1;
            continue;
        }
        let mut last = i + 1;
        while last + 1 < toks.len()
            && !toks[last].norm.contains(',')
            && three(&toks[last + 1])
            && gap(&toks[last], &toks[last + 1])
            && toks[last + 1].sent == toks[i].sent
        {
            last += 1;
        }
        // The currency right after the last group ("1 019,15 $", "12 500 kr") or right
        // before the first ("CHF 1 250", "€ 1 250").
        let after = toks.get(last + 1).is_some_and(|n| {
            money_word(n)
                && matches!(
                    &text[toks[last].end..n.start],
                    "" | " " | "\u{a0}" | "\u{202f}"
                )
        });
        let before = i > 0
            && money_word(&toks[i - 1])
            && matches!(
                &text[toks[i - 1].end..toks[i].start],
                "" | " " | "\u{a0}" | "\u{202f}"
            );
        if !(after || before) {
            i = last + 1;
            continue;
        }
        let mut joined = toks[i].clone();
        for t in &toks[i + 1..=last] {
            joined.norm.push_str(&t.norm);
        }
        joined.end = toks[last].end;
        toks.splice(i..=last, std::iter::once(joined));
        i += 1;
    }
    toks
}

/// "R1 150", "R300", "R1,150.00": amounts in South African rand. The tokenizers read "R1" as
/// a word; this splits the currency letter off as a symbol (norm `r`, like `$`) and joins the
/// thousands the number is written in (a space, a no-break space or a comma, then three
/// digits), so the money checks read them as they read dollars. Ringgit, rupees and rupiah
/// ("RM68", "RM 61.20", "Rs 1,200", "Rp15.000") are written the same way after their letters.
fn rand_amounts(text: &str, toks: Vec<Tok>, more: &[&'static str]) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len() + 4);
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        // ("R110's worth": the possessive is no part of the amount.)
        let raw = &text[t.start..t.end];
        let raw = raw
            .strip_suffix("'s")
            .or_else(|| raw.strip_suffix("’s"))
            .filter(|r| r.ends_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(raw);
        let letters = ["RM", "Rs", "Rp", "R"]
            .into_iter()
            .chain(more.iter().copied())
            .find(|p| raw.starts_with(p))
            .map_or(0, str::len);
        let is_rand = t.kind == TokKind::Word
            && letters > 0
            && raw.len() > letters
            && raw.as_bytes()[letters..].iter().all(u8::is_ascii_digit)
            && (t.start == 0 || !b[t.start - 1].is_ascii_alphanumeric());
        // "RM 61.20": the letters alone, then the number.
        let apart = t.kind == TokKind::Word
            && matches!(raw, "RM" | "Rs" | "Rs." | "Rp")
            && toks.get(i + 1).is_some_and(|n| {
                n.kind == TokKind::Num
                    && matches!(&text[t.end..n.start], " " | "\u{a0}")
                    && n.norm.starts_with(|c: char| c.is_ascii_digit())
            });
        if apart {
            out.push(Tok::punct(
                t.start,
                t.end,
                compact_str::CompactString::from("r"),
                t.sent,
            ));
            i += 1;
            continue;
        }
        if !is_rand {
            out.push(t.clone());
            i += 1;
            continue;
        }
        out.push(Tok::punct(
            t.start,
            t.start + letters,
            compact_str::CompactString::from("r"),
            t.sent,
        ));
        let mut num = t.clone();
        num.start = t.start + letters;
        num.kind = TokKind::Num;
        num.norm = compact_str::CompactString::from(&raw[letters..]);
        num.end = t.start + raw.len();
        num.cap = false;
        num.all_caps = false;
        i += 1;
        // (The last group may carry cents after a point or a decimal comma: "R1 087,50".)
        let three = |x: &Tok| {
            x.kind == TokKind::Num
                && x.norm
                    .split(['.', ','])
                    .next()
                    .is_some_and(|d| d.len() == 3)
                && x.norm
                    .bytes()
                    .all(|c| c.is_ascii_digit() || c == b'.' || c == b',')
        };
        loop {
            // "1 150": one space (or a no-break space) between the groups.
            if let Some(n) = toks.get(i) {
                let gap = &text[num.end..n.start];
                if three(n) && (gap == " " || gap == "\u{a0}") && n.sent == num.sent {
                    num.norm.push_str(&n.norm);
                    num.end = n.end;
                    i += 1;
                    continue;
                }
            }
            // "1,150": a comma token, then the group.
            if let (Some(c), Some(n)) = (toks.get(i), toks.get(i + 1)) {
                if c.norm == "," && c.start == num.end && n.start == c.end && three(n) {
                    num.norm.push_str(&n.norm);
                    num.end = n.end;
                    i += 2;
                    continue;
                }
            }
            break;
        }
        // "R95.22": the tokenizer ends the word "R95" at the point; the cents follow.
        if let (Some(p), Some(n)) = (toks.get(i), toks.get(i + 1)) {
            if p.norm == "."
                && p.start == num.end
                && n.start == p.end
                && n.kind == TokKind::Num
                && matches!(n.norm.len(), 1 | 2)
                && n.norm.bytes().all(|c| c.is_ascii_digit())
                && !num.norm.contains('.')
            {
                num.norm.push('.');
                num.norm.push_str(&n.norm);
                num.end = n.end;
                i += 2;
            }
        }
        out.push(num);
    }
    out
}

/// `char::is_whitespace` for an ASCII byte (which, unlike `u8::is_ascii_whitespace`, includes
/// the vertical tab).
fn ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r')
}

/// [`tokenize_chars`] for ASCII text, byte by byte: most email text is ASCII, and this skips
/// collecting the text's chars and the Unicode tables. A test holds the two to the same tokens.
fn tokenize_ascii(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let n = b.len();
    let mut toks: Vec<Tok> = Vec::with_capacity(n / 5 + 4);
    let mut sent = 0usize;
    let mut need_start = true;
    let mut i = 0;
    while i < n {
        let c = b[i];
        if c == b'\n' {
            if !need_start {
                sent += 1;
                need_start = true;
            }
            i += 1;
            continue;
        }
        if ascii_space(c) {
            i += 1;
            continue;
        }
        if c.is_ascii_alphanumeric() {
            let mut j = i + 1;
            let mut all_digits = c.is_ascii_digit();
            while j < n {
                let d = b[j];
                if d.is_ascii_alphanumeric() {
                    all_digits &= d.is_ascii_digit();
                    j += 1;
                    continue;
                }
                if j + 1 < n && b[j + 1].is_ascii_alphanumeric() {
                    let joins = if all_digits {
                        (matches!(d, b',' | b'.') && b[j + 1].is_ascii_digit())
                            || (d == b'\'' && swiss_group(b[j + 1..].iter().copied()))
                    } else {
                        d == b'\'' || d == b'-'
                    };
                    if joins {
                        j += 1;
                        continue;
                    }
                }
                break;
            }
            let raw = &text[i..j];
            let mut norm = compact_str::CompactString::from(raw);
            norm.make_ascii_lowercase();
            if all_digits && raw.contains('\'') {
                norm = norm.replace('\'', ",").into();
            }
            let (mut nl, mut nu) = (0usize, 0usize);
            for &l in raw.as_bytes() {
                if l.is_ascii_alphabetic() {
                    nl += 1;
                    nu += usize::from(l.is_ascii_uppercase());
                }
            }
            let w = WordTok {
                start: i,
                end: j,
                numeric: all_digits,
                norm,
                cap: c.is_ascii_uppercase(),
                letters: (nl, nu),
                caseless: false,
            };
            toks.push(Tok::word(w, sent, need_start));
            need_start = false;
            i = j;
            continue;
        }
        let mut one = [0u8; 1];
        one[0] = c.to_ascii_lowercase();
        let norm = compact_str::CompactString::from_utf8(&one[..]).unwrap_or_default();
        toks.push(Tok::punct(i, i + 1, norm, sent));
        // "(Oct. 15)": the point of a month's short name before its day ends nothing.
        let month_point = c == b'.'
            && i + 2 < n
            && b[i + 2].is_ascii_digit()
            && toks.len() >= 2
            && month_short(&toks[toks.len() - 2].norm);
        // ("…next year." Consider it noted.": a closing quote or bracket right after the
        // stop ends the sentence in its place.)
        let closes =
            matches!(c, b'"' | b'\'' | b')') && i >= 1 && matches!(b[i - 1], b'.' | b'!' | b'?');
        let ends_sentence = (matches!(c, b'.' | b'!' | b'?') || closes)
            && (i + 1 >= n || ascii_space(b[i + 1]))
            && !month_point;
        if ends_sentence && !need_start {
            sent += 1;
            need_start = true;
        }
        i += 1;
    }
    toks
}

/// [`tokenize`] for any text, char by char.
fn tokenize_chars(text: &str) -> Vec<Tok> {
    let mut toks: Vec<Tok> = Vec::with_capacity(text.len() / 5 + 4);
    let mut sent = 0usize;
    let mut need_start = true;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let (pos, c) = chars[i];
        if c == '\n' {
            if !need_start {
                sent += 1;
                need_start = true;
            }
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_alphanumeric() {
            let start = pos;
            let mut j = i + 1;
            let numeric_start = c.is_ascii_digit();
            let mut all_digits = numeric_start;
            while j < n {
                let (_, d) = chars[j];
                // "Mamoriです": a Latin word and the kana or hanzi written onto it are two
                // words.
                let p = chars[j - 1].1;
                // ("A4額装フィニッシュ写真": a figure and the kanji after it too.)
                let script_change = !(d.is_ascii() && p.is_ascii())
                    && d.is_alphanumeric()
                    && p.is_alphanumeric()
                    && (d.is_alphabetic() || p.is_alphabetic())
                    && is_caseless_letter(d) != is_caseless_letter(p);
                if d.is_alphanumeric() && !script_change {
                    if !d.is_ascii_digit() {
                        all_digits = false;
                    }
                    j += 1;
                    continue;
                }
                // Joiners only count between two alphanumerics: "you've", "e-bike", "1,299.00".
                let next_alnum = j + 1 < n && chars[j + 1].1.is_alphanumeric();
                if next_alnum {
                    let joins = if all_digits {
                        (matches!(d, ',' | '.') && chars[j + 1].1.is_ascii_digit())
                            || (is_apostrophe(d)
                                && swiss_group(chars[j + 1..].iter().map(|&(_, c)| match c {
                                    c if c.is_ascii() => c as u8,
                                    c if c.is_alphanumeric() => b'x',
                                    _ => b' ',
                                })))
                    } else {
                        is_apostrophe(d) || d == '-'
                    };
                    if joins {
                        j += 1;
                        continue;
                    }
                }
                break;
            }
            let end = if j < n { chars[j].0 } else { text.len() };
            let raw = &text[start..end];
            let mut norm = fold_compact(raw);
            if all_digits && raw.contains(is_apostrophe) {
                norm = norm.replace(is_apostrophe, ",").into();
            }
            let first = c;
            let letters = raw.chars().filter(|c| c.is_alphabetic());
            let (mut nl, mut nu) = (0usize, 0usize);
            for l in letters {
                nl += 1;
                if l.is_uppercase() {
                    nu += 1;
                }
            }
            let w = WordTok {
                start,
                end,
                numeric: all_digits,
                norm,
                cap: first.is_uppercase(),
                letters: (nl, nu),
                caseless: is_caseless_letter(first),
            };
            toks.push(Tok::word(w, sent, need_start));
            need_start = false;
            i = j;
            continue;
        }
        // Punctuation or symbol: one char each.
        let end = if i + 1 < n {
            chars[i + 1].0
        } else {
            text.len()
        };
        let norm = if c.is_ascii() {
            let mut b = [0u8; 4];
            compact_str::CompactString::from(&*c.to_ascii_lowercase().encode_utf8(&mut b))
        } else {
            let mut folded = String::new();
            fold_char(c, &mut folded);
            compact_str::CompactString::from(folded.as_str())
        };
        toks.push(Tok::punct(pos, end, norm, sent));
        let month_point = c == '.'
            && i + 2 < n
            && chars[i + 2].1.is_ascii_digit()
            && toks.len() >= 2
            && month_short(&toks[toks.len() - 2].norm);
        let closes = matches!(c, '"' | '\'' | ')' | '”' | '’' | '»' | '」')
            && i >= 1
            && matches!(chars[i - 1].1, '.' | '!' | '?' | '。' | '！' | '？');
        let ends_sentence = (matches!(c, '.' | '!' | '?' | '。' | '！' | '？') || closes)
            && (i + 1 >= n || chars[i + 1].1.is_whitespace())
            && !month_point;
        if ends_sentence && !need_start {
            sent += 1;
            need_start = true;
        }
        i += 1;
    }
    toks
}

/// A crude English stem so "boots"/"boot", "Trailblazers"/"Trailblazer", "cities"/"city" meet.
pub(crate) fn stem(w: &str) -> String {
    let mut s = w.trim_end_matches('\'');
    if let Some(x) = s.strip_suffix("'s") {
        s = x;
    }
    let len = s.chars().count();
    if len > 4 {
        if let Some(x) = s.strip_suffix("ies") {
            return format!("{x}y");
        }
        if let Some(x) = s.strip_suffix("sses") {
            return format!("{x}ss");
        }
        for suf in ["ches", "shes", "xes"] {
            if s.ends_with(suf) {
                return s[..s.len() - 2].to_string();
            }
        }
    }
    if len > 3 && s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is")
    {
        return s[..s.len() - 1].to_string();
    }
    s.to_string()
}

/// Number words up to twenty, and a few round ones LLMs write out.
pub(crate) fn word_number(w: &str) -> Option<f64> {
    let v = match w {
        "zero" | "no" => 0,
        "a" | "an" | "one" | "single" => 1,
        "two" | "couple" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" | "dozen" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        "hundred" => 100,
        // "thirty-six", "twenty-three": tens and units.
        _ => {
            let (tens, unit) = w.split_once('-')?;
            let (t, u) = (word_number(tens)?, word_number(unit)?);
            return ((20.0..=90.0).contains(&t)
                && t % 10.0 == 0.0
                && (1.0..=9.0).contains(&u)
                && !matches!(unit, "a" | "an" | "single"))
            .then_some(t + u);
        }
    };
    Some(v as f64)
}

/// Ordinal words and forms: "third", "3rd", "10th".
pub(crate) fn ordinal(w: &str) -> Option<f64> {
    let v = match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "fifteenth" => 15,
        "twentieth" => 20,
        "twenty-fifth" => 25,
        "fiftieth" => 50,
        "hundredth" => 100,
        _ => {
            for suf in ["st", "nd", "rd", "th"] {
                if let Some(d) = w.strip_suffix(suf) {
                    if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) {
                        return d.parse::<f64>().ok();
                    }
                }
            }
            return None;
        }
    };
    Some(v as f64)
}

/// Parse "1,299.00" / "149" / "12.5" into a number.
pub(crate) fn parse_num(s: &str) -> Option<f64> {
    // A decimal comma, as most of Europe writes one: "273,60", "0,25", "1.234,56". (A comma
    // before three digits groups thousands: "1,311".)
    let b = s.as_bytes();
    let comma_near_end = b.len() >= 3 && (b[b.len() - 2] == b',' || b[b.len() - 3] == b',');
    if let Some((whole, frac)) = comma_near_end.then(|| s.rsplit_once(',')).flatten() {
        let decimal = (1..=2).contains(&frac.len())
            && frac.bytes().all(|b| b.is_ascii_digit())
            && !whole.contains(',')
            && (!whole.contains('.') || whole.rsplit('.').next().is_some_and(|g| g.len() == 3));
        if decimal {
            let whole: String = whole.chars().filter(|c| *c != '.').collect();
            return format!("{whole}.{frac}")
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite());
        }
    }
    let cleaned: String = s.chars().filter(|c| *c != ',').collect();
    cleaned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// An amount of money with its thousands grouped by points, as German and Spanish write it:
/// "1.240 €" is 1240 (money is never written to three decimals).
pub(crate) fn points_grouped(s: &str) -> Option<f64> {
    let mut groups = s.split('.');
    let head = groups.next()?;
    if !(1..=3).contains(&head.len()) || !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n = 0usize;
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n += 1;
    }
    (n >= 1).then(|| s.replace('.', "").parse().ok()).flatten()
}

/// Whether a number written in the email equals a fact's number (to the cent, or rounded).
pub(crate) fn num_matches(written: f64, fact: f64) -> bool {
    (written - fact).abs() < 0.005
        || (written.fract() == 0.0 && (written - fact.round()).abs() < 0.005)
        || (written.fract() == 0.0 && (written - fact.trunc()).abs() < 0.005)
}

/// Weekday names, Monday first.
pub(crate) const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Month names, January first.
pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const MONTH_ABBR: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The month (1–12) a lowercase word names: "march", "mar" ("may" only in full).
pub(crate) fn month_of(w: &str) -> Option<u8> {
    MONTHS
        .iter()
        .position(|m| *m == w)
        .or_else(|| MONTH_ABBR.iter().position(|m| *m == w && w != "may"))
        .map(|i| i as u8 + 1)
}

/// A month's short name, as written before a point: "oct", "sept".
fn month_short(w: &str) -> bool {
    matches!(
        w,
        "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "28 September-2 October" is read as a month, a dash and a day, with each token's
    /// bytes those of the text as written, an accented month too.
    #[test]
    fn a_month_and_a_day_joined_by_a_dash() {
        for text in ["from 28 September-2 October", "from 28 Séptember-2 October"] {
            let toks = tokenize(text);
            let norms: Vec<&str> = toks.iter().map(|t| t.norm.as_str()).collect();
            assert_eq!(
                norms,
                ["from", "28", "september", "-", "2", "october"],
                "{text}"
            );
            for t in &toks {
                let raw = text
                    .get(t.start..t.end)
                    .expect("token bounds on char boundaries");
                if t.norm == "-" || t.kind == TokKind::Num {
                    assert_eq!(raw, t.norm.as_str(), "{text}");
                }
            }
        }
    }

    fn fields(
        t: &Tok,
    ) -> (
        usize,
        usize,
        TokKind,
        String,
        bool,
        bool,
        usize,
        bool,
        bool,
        u32,
    ) {
        (
            t.start,
            t.end,
            t.kind,
            t.norm.to_string(),
            t.cap,
            t.all_caps,
            t.sent,
            t.sent_start,
            t.caseless,
            t.id,
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The ASCII path gives exactly the tokens of the char path, on text built from the
        /// characters that steer the tokenizer (joiners, sentence ends, every kind of space,
        /// control bytes).
        #[test]
        fn ascii_tokens_equal_char_tokens(text in "[aZ9'\\-,.!?:;$%=\"()\n\r\t\x0B\x0C \x01\x7F]{0,40}|[ -~\n\t]{0,80}") {
            let fast: Vec<_> = tokenize_ascii(&text).iter().map(fields).collect();
            let slow: Vec<_> = tokenize_chars(&text).iter().map(fields).collect();
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn ascii_path_is_taken_and_agrees_on_email_text() {
        let text = "Hi ANA, you've saved $1,299.00 on the e-bike!\nSee you.\x0BNext: 20% off.";
        let fast: Vec<_> = tokenize_ascii(text).iter().map(fields).collect();
        let slow: Vec<_> = tokenize_chars(text).iter().map(fields).collect();
        assert_eq!(fast, slow);
        assert!(fast.len() > 15);
    }

    #[test]
    fn tokens_and_spans() {
        let t = "Hi Zoë, you've got 1,299.00 USD. SAVE20!\nNext";
        let toks = tokenize(t);
        let words: Vec<&str> = toks.iter().map(|k| &t[k.start..k.end]).collect();
        assert_eq!(
            words,
            vec!["Hi", "Zoë", ",", "you've", "got", "1,299.00", "USD", ".", "SAVE20", "!", "Next"]
        );
        assert_eq!(toks[1].norm, "zoe");
        assert!(toks[1].cap);
        assert_eq!(toks[5].kind, TokKind::Num);
        assert!(toks[8].all_caps);
        assert_eq!(toks[8].sent, 1);
        assert_eq!(toks[10].sent, 2);
        assert!(toks[10].sent_start);
    }

    #[test]
    fn a_closing_quote_after_the_stop_ends_the_sentence() {
        // The quote stays with the sentence it closes; the next word opens a new one, in
        // both tokenizers ("…" makes the second text go through the char tokenizer).
        for t in [
            "She asked for \"the same blue.\" Consider it noted.",
            "She asked for “the same blue.” Consider it noted…",
        ] {
            let toks = tokenize(t);
            let quote = toks.iter().position(|k| k.norm == "blue").unwrap() + 2;
            let next = toks.iter().position(|k| k.norm == "consider").unwrap();
            assert_eq!(toks[quote].sent, 0, "{t}");
            assert_eq!(toks[next].sent, 1, "{t}");
            assert!(toks[next].sent_start, "{t}");
        }
    }

    #[test]
    fn stems_meet() {
        assert_eq!(stem("boots"), "boot");
        assert_eq!(stem("cities"), "city");
        assert_eq!(stem("trailblazers"), "trailblazer");
        assert_eq!(stem("porto's"), "porto");
        assert_eq!(stem("glass"), "glass");
        assert_eq!(stem("beaches"), "beach");
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_num("1,299.00"), Some(1299.0));
        assert_eq!(ordinal("3rd"), Some(3.0));
        assert_eq!(word_number("three"), Some(3.0));
        assert!(num_matches(149.0, 149.0));
        assert!(num_matches(149.0, 149.99));
        assert!(!num_matches(129.0, 149.0));
    }

    #[test]
    fn caseless_names_are_words() {
        let toks = tokenize("こんにちは 美咲さん");
        assert!(toks.iter().all(|t| t.caseless));
    }
}
