//! Leaks: unfilled placeholders, stand-in names, assistant chatter, echoed instructions.

use super::Checker;
use crate::report::Kind;
use std::hash::Hasher;

use crate::text::{fold, FxHasher};

impl Checker<'_> {
    pub(super) fn leaks(&mut self) {
        self.placeholders();
        self.bracketed_notes();
        self.production_notes();
        self.writer_notes();
        self.language();
        self.repeated_paragraphs();
        let sets = [
            (
                &self.rules.standins,
                "leak.standin",
                "a stand-in where the person's name belongs",
                false,
            ),
            (
                &self.rules.chatter,
                "leak.assistant_chatter",
                "the model talking to its operator, not to the reader",
                true,
            ),
            (
                &self.rules.echo,
                "leak.echoed_instructions",
                "prompt or instruction text echoed into the email",
                false,
            ),
        ];
        let mut hits = Vec::new();
        for (set, rule, reason, cross) in sets {
            for m in set.find(&self.doc.toks, &self.doc.words, cross) {
                // "the recipient needs an address in Italy" of a gift subscription whose
                // campaign speaks of the recipient: the campaign's word, not the prompt's.
                if rule == "leak.echoed_instructions" && m.first < m.last {
                    let last = &self.doc.toks[self.doc.words[m.last]].norm;
                    let st = crate::text::stem(last);
                    if self
                        .facts_for_stem(&st)
                        .iter()
                        .any(|&f| !self.facts.list[f].personal)
                    {
                        continue;
                    }
                }
                let s = self.doc.toks[self.doc.words[m.first]].start;
                let e = self.doc.toks[self.doc.words[m.last]].end;
                hits.push((s, e, rule, reason));
            }
            for (s, e, _) in set.find_raw(&self.doc.lower, &self.doc.present) {
                // "The facts:" heading a list the email gives the reader.
                if self.doc.lower[..s].ends_with("the ") && self.doc.lower[s..e] == *"facts:" {
                    continue;
                }
                // "she's in the 21-26 ft tier: $545": a label ("tier:", "body:") is a
                // prompt's only where a line starts with it.
                let label = self.doc.lower[s..e].ends_with(':')
                    && self.doc.lower[s..e]
                        .bytes()
                        .all(|b| b.is_ascii_alphabetic() || matches!(b, b' ' | b'-' | b':'));
                let line = self.doc.lower[..s].rfind('\n').map_or(0, |i| i + 1);
                if label && self.doc.lower[line..s].chars().any(|c| c.is_alphanumeric()) {
                    continue;
                }
                hits.push((s, e, rule, reason));
            }
        }
        for (s, e, rule, reason) in hits {
            self.flag(Kind::TemplateLeak, s, e, reason.to_string(), rule);
        }
    }

    /// A paragraph of eight words or more written twice in the body: a generation artefact
    /// (a model repeating itself, or a draft pasted in twice). Compared word by word, case
    /// and spacing aside.
    fn repeated_paragraphs(&mut self) {
        const MIN_WORDS: usize = 8;
        let text = self.doc.text;
        let Some(body) = text.get(self.doc.body_start..) else {
            return;
        };
        // Words lowercased, one space between: what two copies of a paragraph share.
        let normal = |s: usize, e: usize| {
            text[s..e].split_whitespace().flat_map(|w| {
                w.chars()
                    .flat_map(char::to_lowercase)
                    .chain(std::iter::once(' '))
            })
        };
        // (start, end) of each paragraph, as offsets into `text`.
        let mut paras: Vec<(usize, usize)> = Vec::new();
        let mut para: Option<(usize, usize)> = None;
        let mut at = self.doc.body_start;
        for line in body.split_inclusive('\n') {
            let trimmed = line.trim();
            if trimmed.is_empty() {
                paras.extend(para.take());
            } else {
                let s = at + (line.len() - line.trim_start().len());
                let e = s + trimmed.len();
                para = Some(para.map_or((s, e), |(ps, _)| (ps, e)));
            }
            at += line.len();
        }
        paras.extend(para.take());
        paras.retain(|&(s, e)| text[s..e].split_whitespace().nth(MIN_WORDS - 1).is_some());
        // One long paragraph (an opener on its own) cannot repeat.
        if paras.len() < 2 {
            return;
        }
        // (hash of the normal form, start, end) of each long paragraph: no allocation per word.
        let mut seen: Vec<(u64, usize, usize)> = Vec::new();
        let mut repeats: Vec<(usize, usize)> = Vec::new();
        for (s, e) in paras {
            let mut h = FxHasher::default();
            for c in normal(s, e) {
                h.write_u32(c as u32);
            }
            let h = h.finish();
            if seen
                .iter()
                .any(|&(sh, ss, se)| sh == h && normal(ss, se).eq(normal(s, e)))
            {
                repeats.push((s, e));
            } else {
                seen.push((h, s, e));
            }
        }
        for (s, e) in repeats {
            self.flag(
                Kind::TemplateLeak,
                s,
                e,
                "this paragraph is written twice".into(),
                "leak.repeated_paragraph",
            );
        }
    }

    /// What the writer was told to do, left in the email: a line opening "Note to editor:",
    /// "TODO:", "Note to self:"; an instruction in brackets ("[Personalise: mention the
    /// customer's last order]", "(Add a sentence here about the subscriber's watch if we have
    /// it on file.)", "[Mereana: add a line here about ...]", "<<PERSONALISE: ...>>"); a
    /// field's name from the record ("stamp_card_stamps: 7").
    fn writer_notes(&mut self) {
        const LINE_CUES: [&str; 10] = [
            "note to editor",
            "note to self",
            "note for the editor",
            "notes to editor",
            "editor's note",
            "editor note",
            "internal note",
            "todo",
            "to do:",
            "tbd:",
        ];
        // Verbs a writer is told to do, and words that say the text is about the email or
        // the record rather than to the reader.
        const VERBS: [&str; 11] = [
            "personalise",
            "personalize",
            "add",
            "insert",
            "mention",
            "reference",
            "paste",
            "drop",
            "include",
            "describe",
            "name",
        ];
        const ABOUT: [&str; 14] = [
            "here",
            "customer",
            "subscriber",
            "reader",
            "recipient",
            "profile",
            "if known",
            "on file",
            "this paragraph",
            "this line",
            "this section",
            "their ",
            "consent",
            "before sending",
        ];
        let text = self.doc.text;
        let start = self.doc.body_start.min(text.len());
        let end = self.doc.footer_start.min(text.len()).max(start);
        let mut found: Vec<(usize, usize)> = Vec::new();
        // A note to the team or the proofreader, in any language, anywhere after the
        // greeting (often below the footer): "Hinweis für die Redaktion: ...", "[Nota per il
        // team marketing: ...]", "[Note pour la relecture : ...]".
        let mut at = start;
        for line in text[start..].split_inclusive('\n') {
            if let Some(k) = addressed_note(line) {
                found.push((at + k, at + line.trim_end().len()));
            }
            at += line.len();
        }
        // Lines that open with a note's cue.
        let mut at = start;
        for line in text[start..end].split_inclusive('\n') {
            let trimmed = line.trim_start();
            let lead = line.len() - trimmed.len();
            // (Most lines hold no cue: fold only those that might.)
            let maybe = [
                "note", "Note", "NOTE", "todo", "Todo", "TODO", "tbd", "TBD", "to do", "To do",
                "ditor",
            ]
            .iter()
            .any(|c| trimmed.contains(c));
            if !maybe {
                at += line.len();
                continue;
            }
            let folded = fold(trimmed);
            let cue = LINE_CUES.iter().any(|c| {
                folded.strip_prefix(c).is_some_and(|after| {
                    let after = after.trim_start();
                    after.starts_with(':') || after.starts_with('-') || after.starts_with('—')
                })
            });
            if cue {
                let e = at + line.trim_end().len();
                found.push((at + lead, e));
            } else {
                // (Or later in the line: "... or collect free. TODO: ask Johan which slots
                // are open", "... tasting. Note to editor: add the booking link here".)
                // (The folded line keeps the byte offsets of an ASCII line only; "TODO" is
                // found in the line as written.)
                let folded_at = trimmed
                    .is_ascii()
                    .then(|| {
                        LINE_CUES[..7]
                            .iter()
                            .filter_map(|c| {
                                folded
                                    .match_indices(c)
                                    .find(|(k, _)| {
                                        folded[k + c.len()..].trim_start().starts_with(':')
                                    })
                                    .map(|(k, _)| k)
                            })
                            .min()
                    })
                    .flatten();
                let todo_at = trimmed
                    .match_indices("TODO")
                    .find(|(k, _)| trimmed[k + 4..].trim_start().starts_with([':', '-']))
                    .map(|(k, _)| k);
                if let Some(k) = folded_at.into_iter().chain(todo_at).min() {
                    let e = at + line.trim_end().len();
                    found.push((at + lead + k, e));
                }
            }
            at += line.len();
        }
        // Instructions in brackets.
        let body = &text[start..end];
        for (i, c) in body.char_indices() {
            let (close, open_len) = match c {
                '[' => ("]", 1),
                '(' => (")", 1),
                '<' if body[i..].starts_with("<<") => (">>", 2),
                _ => continue,
            };
            let rest = &body[i + open_len..];
            let Some(j) = rest.find(close).filter(|&j| j <= 300) else {
                continue;
            };
            if rest[..j].contains('\n') {
                continue;
            }
            let inner = fold(rest[..j].trim());
            // ("[Mereana: add a line here ...]", "[Consultant: add 2-3 lines ...]": the
            // instruction after whom it is for.)
            // ("[DALE - drop in the bulk corn price here ...]": a dash after whom it is for.)
            let instruction = [":", " - ", " – ", " — "]
                .iter()
                .find_map(|sep| {
                    inner
                        .split_once(sep)
                        .filter(|(who, _)| !who.trim().contains(' ') && who.len() <= 20)
                })
                .map_or(inner.as_str(), |(_, after)| after.trim_start());
            let first = instruction
                .split(|ch: char| !ch.is_alphanumeric())
                .next()
                .unwrap_or("");
            let personalise = first.starts_with("personali");
            let told = VERBS.contains(&first)
                && instruction.split_whitespace().count() >= 4
                && ABOUT.iter().any(|a| instruction.contains(a));
            let angled = open_len == 2 && instruction.chars().any(char::is_alphabetic);
            if personalise || told || angled {
                let s = start + i;
                found.push((s, s + open_len + j + close.len()));
            }
        }
        // A field's name: lowercase words joined by underscores, outside any address.
        // (Only words with an underscore are looked at.)
        let underscored = body
            .contains('_')
            .then(|| body.split_whitespace().filter(|w| w.contains('_')))
            .into_iter()
            .flatten();
        for (i, w) in underscored.map(|w| (w.as_ptr() as usize - body.as_ptr() as usize, w)) {
            let core = w.trim_matches(|ch: char| !ch.is_alphanumeric() && ch != '_');
            let parts: Vec<&str> = core.split('_').collect();
            if parts.len() >= 2
                && parts.iter().all(|p| {
                    !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
                && !w.contains(['@', '/'])
                && !w.contains("://")
            {
                let s = start + i;
                found.push((s, s + w.len()));
            }
        }
        found.sort_unstable();
        found.dedup();
        for (s, e) in found {
            self.flag_new_leak(
                s,
                e,
                "the writer's instructions or a field's name, left in the email",
                "leak.writer_note",
            );
        }
    }

    /// A note to a colleague left in brackets: "[NB for Fraser: check whether we can bundle
    /// buggy hire before this goes out]", "(TODO: confirm the date)", "[Note to self: ...]".
    fn bracketed_notes(&mut self) {
        // Cues that are notes whatever follows ("[TODO: ...]"), and cues that are notes only
        // when they say whom they are for ("[NB for Fraser: ...]"; "(note: hooks are not
        // included)" is for the reader).
        const ALWAYS: [&str; 11] = [
            "todo", "to do", "tbd", "tbc", "internal", "editor", "draft", "remove", "confirm",
            "copy", "intern",
        ];
        const ADDRESSED: [&str; 5] = ["nb", "n.b.", "note", "fyi", "reminder"];
        let text = self.doc.text;
        if !text.contains('[') && !text.contains('(') {
            return;
        }
        let mut found = Vec::new();
        for (i, c) in text.char_indices() {
            let close = match c {
                '[' => ']',
                '(' => ')',
                _ => continue,
            };
            let rest = &text[i + 1..];
            let Some(j) = rest.find([close, '\n']).filter(|&j| j <= 300) else {
                continue;
            };
            if !rest[j..].starts_with(close) {
                continue;
            }
            let inner = fold(rest[..j].trim_start());
            let addressed = |after: &str| after.starts_with("for ") || after.starts_with("to ");
            // ("[TODO Marketing: ...]", "[Copy note: ...]": a word or two between the cue and
            // its colon, when they say it is a note or the cue is in capitals; "(Draft beer:
            // ...)" is the menu.)
            let raw_lead = rest[..j].trim_start();
            let cued = ALWAYS.iter().any(|cue| {
                inner.strip_prefix(cue).is_some_and(|after| {
                    if after.starts_with(char::is_alphanumeric) {
                        return false;
                    }
                    let shouted = raw_lead
                        .get(..cue.len())
                        .is_some_and(|w| !w.chars().any(char::is_lowercase));
                    let after = after.trim_start();
                    let headed = after.split_once(':').is_some_and(|(head, _)| {
                        let words: Vec<&str> = head.split_whitespace().collect();
                        words.len() <= 2
                            && head.chars().all(|c| c.is_alphanumeric() || c == ' ')
                            && (shouted
                                || words
                                    .iter()
                                    .any(|w| matches!(*w, "note" | "notes" | "memo")))
                    });
                    after.starts_with(':') || after.starts_with("- ") || addressed(after) || headed
                })
            }) || ADDRESSED.iter().any(|cue| {
                inner
                    .strip_prefix(cue)
                    .is_some_and(|after| addressed(after.trim_start()))
            });
            // "(Kylie - can you check his licence is still current before this goes out?)":
            // a note that hails someone other than the reader by name and asks something of
            // them, or talks of the email being sent.
            let raw = rest[..j].trim_start();
            let hails = raw
                .find([' ', ',', ':'])
                .map(|k| (&raw[..k], raw[k..].trim_start()))
                .is_some_and(|(name, after)| {
                    name.len() >= 2
                        && name.starts_with(|c: char| c.is_uppercase())
                        && name.chars().all(char::is_alphabetic)
                        && !self.facts.first_name.iter().any(|f| fold(f) == fold(name))
                        && (after.starts_with(['-', '–', '—', ':'])
                            || raw[name.len()..].starts_with(','))
                        && (inner.trim_end().ends_with('?')
                            || [
                                "can you",
                                "could you",
                                "please",
                                "pls",
                                "check",
                                "ok to",
                                "okay to",
                                "for now",
                                "let me know",
                                "shall we",
                                "should we",
                            ]
                            .iter()
                            .any(|ask| {
                                // (As words: "Schalencheck" asks nothing.)
                                inner.match_indices(ask).any(|(k, _)| {
                                    !inner[..k].ends_with(char::is_alphanumeric)
                                        && !inner[k + ask.len()..]
                                            .starts_with(char::is_alphanumeric)
                                })
                            }))
                });
            let sending = [
                "before this goes out",
                "before it goes out",
                "before sending",
                "before we send",
            ]
            .iter()
            .any(|p| inner.contains(p));
            // "[Sender name - Niamh or Pádraig?]": a question to the team in square brackets
            // (round ones may ask the reader: "(Who doesn't love a long weekend?)").
            let asks_team = c == '['
                && inner.trim_end().ends_with('?')
                && inner.split_whitespace().count() >= 3;
            if cued || hails || sending || asks_team {
                found.push((i, i + 1 + j + close.len_utf8()));
            }
        }
        for (s, e) in found {
            self.flag(
                Kind::TemplateLeak,
                s,
                e,
                "a note to a colleague, not to the reader".into(),
                "leak.note",
            );
        }
    }

    /// What the people making the email left for each other, in any shape: an HTML comment
    /// from the pipeline, a line about getting the email out ("... before this goes out",
    /// "delete this line before sending"), the record's consent field named ("profiling
    /// consent is off"), the model offering its operator another draft ("Want me to make
    /// this shorter, or add a P.S.?") and a length brief ("[TAMA BIO - 2 lines max]").
    fn production_notes(&mut self) {
        let text = self.doc.text;
        let lower = self.doc.lower.as_str();
        let start = self.doc.body_start.min(text.len());
        let mut found: Vec<(usize, usize, &str)> = Vec::new();
        // The line (or the bracket) around a cue at `k`.
        let around = |k: usize| {
            let ls = lower[..k].rfind('\n').map_or(0, |i| i + 1);
            let le = lower[k..].find('\n').map_or(lower.len(), |i| k + i);
            let open = lower[ls..k].rfind(['[', '(']).map(|i| ls + i);
            match open {
                Some(o) if !lower[o..k].contains([']', ')']) => {
                    let close = lower[k..le].find([']', ')']).map_or(le, |i| k + i + 1);
                    (o, close)
                }
                _ => (
                    ls + (lower[ls..le].len() - lower[ls..le].trim_start().len()),
                    le,
                ),
            }
        };
        // An HTML comment: never meant for the reader of a text part.
        let mut from = 0;
        while let Some(i) = text[from..].find("<!--") {
            let s = from + i;
            let e = text[s..].find("-->").map_or_else(
                || text[s..].find('\n').map_or(text.len(), |j| s + j),
                |j| s + j + 3,
            );
            found.push((s, e, "an HTML comment from the pipeline, left in the email"));
            from = e.max(s + 4);
        }
        // Getting the email out is the team's business, not the reader's. (Each cue is found
        // from one scan for a word it holds: this runs for every email.)
        let mut sending: Vec<usize> = Vec::new();
        if lower.len() > start {
            let body = &lower[start..];
            for (k, _) in body.match_indices("before ") {
                let k = start + k;
                let after = &lower[k + 7..];
                let lead = lower[..k].trim_end();
                // ("delete before sending", "remove before send".)
                if lead.ends_with("delete") || lead.ends_with("remove") {
                    sending.push(k);
                    continue;
                }
                // ("before it goes out wide", "before sending you the signing papers": the
                // sentence goes on about something else.)
                let rest = [
                    "this goes out",
                    "it goes out",
                    "this email goes out",
                    "we send this",
                ]
                .iter()
                .find_map(|c| after.strip_prefix(c))
                .or_else(|| {
                    let sent = after.strip_prefix("send")?;
                    Some(sent.strip_prefix("ing").unwrap_or(sent))
                });
                if let Some(rest) = rest {
                    let rest = rest.strip_prefix(' ').unwrap_or(rest);
                    if !rest.starts_with(char::is_alphanumeric) {
                        sending.push(k);
                    }
                }
            }
            for (k, _) in body.match_indices("this line") {
                let lead = lower[..start + k].trim_end();
                if lead.ends_with("delete") || lead.ends_with("remove") {
                    sending.push(start + k);
                }
            }
            if self.doc.present[b'?' as usize] {
                for (k, _) in body.match_indices("to send?") {
                    let lead = lower[..start + k].trim_end();
                    if lead.ends_with("ok") || lead.ends_with("okay") {
                        sending.push(start + k);
                    }
                }
            }
            // (In Japanese: an editor's memo, "before sending", "enter the ... here".)
            if self.doc.present[0x80..].iter().any(|&p| p) {
                for cue in ["編集メモ", "送信前に", "を入力】", "を記入】", "を挿入】"]
                {
                    sending.extend(body.match_indices(cue).map(|(k, _)| start + k));
                }
            }
        }
        for k in sending {
            let (s, e) = around(k);
            found.push((s, e, "a note about getting the email out, left in it"));
        }
        // The record's consent field, named: "Thu's profile has profiling consent set to
        // false", "[Copy note: consent.profiling = false ...]".
        for (k, _) in lower.match_indices("profiling") {
            let named = lower[..k].ends_with("consent.")
                || lower[..k].ends_with("consent to ")
                || lower[k + 9..].starts_with(" consent")
                || lower[k + 9..].starts_with(" = ");
            if k >= start && named {
                let (s, e) = around(k);
                found.push((s, e, "the record's consent field, named in the email"));
            }
        }
        // The model offering its operator another version: "Want me to make this shorter,
        // or add a P.S.?"
        const REVISE: [&str; 16] = [
            "shorter",
            "longer",
            "punchier",
            "a line",
            "a p.s",
            "version",
            "subject line",
            "the tone",
            "tone ",
            "translate",
            "rewrite",
            "tweak",
            "call to action",
            "emoji",
            "draft",
            "a paragraph",
        ];
        for (k, _) in lower.match_indices(" me to ") {
            let lead = &lower[..k];
            if !(lead.ends_with("want") || lead.ends_with("would you like")) {
                continue;
            }
            let rest = &lower[k + 7..];
            let end = rest.find(['?', '\n']).unwrap_or(rest.len());
            if REVISE.iter().any(|r| rest[..end].contains(r)) {
                let (s, e) = around(k);
                found.push((s, e, "the model talking to its operator, not to the reader"));
            }
        }
        // A brief for the writer in brackets: "[... - 2 lines max]", "(max 40 words)".
        let opens = text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'[' || b == b'(');
        for (k, c) in opens.map(|(k, b)| (k, b as char)) {
            let close = if c == '[' { ']' } else { ')' };
            let Some(j) = text[k + 1..].find([close, '\n']).filter(|&j| j <= 300) else {
                continue;
            };
            if !text[k + 1 + j..].starts_with(close) {
                continue;
            }
            let inner = &lower[k + 1..k + 1 + j];
            let words: Vec<&str> = inner
                .split(|ch: char| !ch.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            let brief = words.windows(3).any(|w| {
                let n = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
                let unit = |x: &str| {
                    matches!(
                        x,
                        "lines" | "line" | "words" | "sentences" | "chars" | "characters"
                    )
                };
                (w[0] == "max" && n(w[1]) && unit(w[2])) || (n(w[0]) && unit(w[1]) && w[2] == "max")
            });
            // "[If the enquiry mentioned a preferred day, name that course first.]": a
            // condition on what the record holds, then what to write.
            let conditional = c == '['
                && inner.starts_with("if ")
                && inner.split_once(", ").is_some_and(|(_, then)| {
                    let verb = then
                        .split(|ch: char| !ch.is_alphanumeric())
                        .next()
                        .unwrap_or("");
                    matches!(
                        verb,
                        "name"
                            | "mention"
                            | "add"
                            | "use"
                            | "keep"
                            | "drop"
                            | "remove"
                            | "delete"
                            | "insert"
                            | "include"
                            | "swap"
                            | "say"
                            | "lead"
                    )
                });
            if brief || conditional {
                found.push((k, k + 1 + j + 1, "the writer's brief, left in the email"));
            }
        }
        found.sort_unstable();
        found.dedup_by(|b, a| b.0 < a.1);
        for (s, e, reason) in found {
            self.flag_new_leak(s, e, reason, "leak.production_note");
        }
    }

    /// A leak at `s..e`, unless another check already reported one there.
    fn flag_new_leak(&mut self, s: usize, e: usize, reason: &str, rule: &str) {
        if self
            .findings
            .iter()
            .any(|f| f.kind == Kind::TemplateLeak && f.span.start < e && f.span.end > s)
        {
            return;
        }
        self.flag(Kind::TemplateLeak, s, e, reason.into(), rule);
    }

    /// `{{x}}`, `{x}`, `${x}`, `[First Name]`, `<name>`, `%FNAME%`, `*|FNAME|*`, `__NAME__`.
    fn placeholders(&mut self) {
        let text = self.doc.text;
        let b = text.as_bytes();
        let mut found: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let close = match c {
                b'{' => Some(b'}'),
                b'[' => Some(b']'),
                b'<' => Some(b'>'),
                b'%' => Some(b'%'),
                _ => None,
            };
            if c == b'*' && b.get(i + 1) == Some(&b'|') {
                if let Some(end) = text[i + 2..].find("|*").filter(|e| *e <= 40) {
                    found.push((i, i + 2 + end + 2));
                    i += 2 + end + 2;
                    continue;
                }
            }
            if c == b'_' && b.get(i + 1) == Some(&b'_') {
                if let Some(end) = text[i + 2..].find("__").filter(|e| (1..=30).contains(e)) {
                    let inner = &text[i + 2..i + 2 + end];
                    if inner.bytes().all(|x| x.is_ascii_uppercase() || x == b'_') {
                        found.push((i, i + 2 + end + 2));
                        i += end + 4;
                        continue;
                    }
                }
            }
            let Some(close) = close else {
                i += 1;
                continue;
            };
            // (A pasted JSON object, `{"segment": "prospect_winter_2044", "variant": "B"}`,
            // runs longer than a slot.)
            let reach = if c == b'{' && b.get(i + 1) == Some(&b'"') {
                240
            } else {
                64
            };
            let limit = (i + reach).min(b.len());
            let Some(rel) = b[i + 1..limit]
                .iter()
                .position(|&x| x == close || x == b'\n')
            else {
                i += 1;
                continue;
            };
            let j = i + 1 + rel;
            if b[j] != close {
                i += 1;
                continue;
            }
            let mut end = j + 1;
            let inner = text.get(i + 1..j).unwrap_or("");
            let is_slot = match c {
                // `{% if returning_guest %}`, `{{ first_name | default("there") }}`: a
                // template engine's tag, whatever it holds.
                b'{' if matches!(b.get(i + 1), Some(b'%' | b'{'))
                    && (inner.ends_with('%') || b.get(j + 1) == Some(&b'}'))
                    && inner.len() >= 3 =>
                {
                    while end < b.len() && b[end] == b'}' {
                        end += 1;
                    }
                    true
                }
                // `{"ends": "2041-02-07"}`: a piece of the campaign's JSON pasted in.
                b'{' if inner.trim_start().starts_with('"') && inner.contains("\":") => true,
                b'{' => {
                    let inner = inner.trim_matches(|ch| ch == '{' || ch == '}' || ch == ' ');
                    while end < b.len() && b[end] == b'}' {
                        end += 1;
                    }
                    !inner.is_empty()
                        && inner.chars().all(|ch| {
                            ch.is_alphanumeric() || matches!(ch, '_' | '.' | ' ' | '|' | '-')
                        })
                }
                b'%' => {
                    inner.len() >= 2
                        && inner
                            .chars()
                            .all(|ch| ch.is_ascii_alphabetic() || ch == '_')
                        && inner.chars().any(|ch| ch.is_ascii_uppercase())
                }
                _ => {
                    let words: Vec<String> = inner
                        .split(|ch: char| !ch.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(fold)
                        .collect();
                    let shape_ok = inner.chars().all(|ch| {
                        ch.is_alphanumeric()
                            || matches!(ch, ' ' | '_' | '-' | '\'' | '’' | ':' | '/' | '.' | '&')
                    });
                    // "[FIRST_NAME]", and "[START TIME]": two capitalized words or more in
                    // square brackets are a slot whatever they name (a one-word tag such as
                    // "[NEW]" may be a subject's label).
                    let upper_slot = inner.len() >= 3
                        && inner.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_')
                        && inner.contains('_');
                    // ("[N.º DE HECTÁREAS]": capitals of any language, with an ordinal's
                    // abbreviation.)
                    let upper_words = c == b'['
                        && words.len() >= 2
                        && inner.chars().filter(|ch| ch.is_uppercase()).count() >= 4
                        && inner.chars().all(|ch| {
                            ch.is_uppercase()
                                || matches!(ch, ' ' | '_' | '-' | '/' | '.' | 'º' | 'ª')
                        });
                    // "[PICKUP_DAY for postcode 3881 - look up in route sheet]": a field's
                    // name opens the brackets, a note to whoever fills it follows.
                    let field_first = c == b'['
                        && inner.split(' ').next().is_some_and(|w| {
                            w.len() >= 3
                                && w.contains('_')
                                && w.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_')
                        });
                    // "[ADULT BATCH WHATSAPP NO. - Sunanda to confirm]": a slot's name in
                    // capitals, then a note to whoever fills it.
                    let upper_head = c == b'['
                        && inner.split_once(" - ").is_some_and(|(head, note)| {
                            head.split_whitespace().count() >= 2
                                && head.chars().filter(|ch| ch.is_uppercase()).count() >= 4
                                && head.chars().all(|ch| {
                                    ch.is_uppercase()
                                        || ch.is_ascii_digit()
                                        || matches!(ch, ' ' | '_' | '.' | '/' | '\'' | '’')
                                })
                                && !note.trim().is_empty()
                                // A value goes there (a number, a link, a date), not a
                                // paragraph ("[MINH BIO - 2 lines max]" is a brief).
                                && head.split(|ch: char| !ch.is_alphanumeric()).any(|w| {
                                    matches!(
                                        w,
                                        "NO" | "NUMBER" | "NUM" | "LINK" | "URL" | "DATE" | "TIME"
                                            | "NAME" | "PRICE" | "ADDRESS" | "PHONE" | "CODE"
                                            | "EMAIL"
                                    )
                                })
                        });
                    if field_first || upper_head {
                        found.push((i, end));
                        i = end;
                        continue;
                    }
                    // "für [Haarlänge] Haar", "mit [LIEBLINGSGENRE] bei uns": one word in
                    // square brackets inside a sentence (after a word written small) stands
                    // where a value belongs; "[NEW]" opening a subject is a label, and
                    // "[here](https://...)" a link's text.
                    let before = text[..i].strip_suffix(' ').unwrap_or("");
                    let one_word = c == b'['
                        && words.len() == 1
                        && inner.chars().count() >= 4
                        && inner.chars().all(char::is_alphabetic)
                        && before.ends_with(|ch: char| ch.is_lowercase())
                        && b.get(j + 1) != Some(&b'(')
                        && !self.is_common_word(&words[0]);
                    let upper_slot = upper_slot || upper_words || one_word;
                    shape_ok
                        && words.len() <= 5
                        && (upper_slot
                            || words
                                .iter()
                                .any(|w| self.rules.placeholder_words.contains(w.as_str())))
                }
            };
            if is_slot {
                found.push((i, end));
                i = end;
            } else {
                i += 1;
            }
        }
        for (s, e) in found {
            self.flag(
                Kind::TemplateLeak,
                s,
                e,
                "an unfilled template placeholder".to_string(),
                "leak.placeholder",
            );
        }
    }

    /// An email, or a sentence, in a language other than the campaign's.
    fn language(&mut self) {
        let nl = self.rules.language_names.len();
        if nl == 0 {
            return;
        }
        let nsent = self.doc.sent_range.len();
        // Words of each language per sentence, `nl` counts a sentence, in one allocation.
        let mut own = vec![0usize; nsent * nl];
        let mut total = vec![0usize; nl];
        for &ti in &self.doc.words {
            let t = &self.doc.toks[ti];
            if let Some(langs) = self.rules.language_words.get(t.norm.as_str()) {
                for &l in langs {
                    own[t.sent * nl + l] += 1;
                    total[l] += 1;
                }
            }
        }
        // (A part judged on its own keeps its counts for the emails it is shared by.)
        if self.tail.is_none() {
            self.tally.lang = own.chunks(nl).map(<[usize]>::to_vec).collect();
        }
        // A tail part's sentences follow this document's and vote with them.
        let mut per_sent: Vec<&[usize]> = own.chunks(nl).collect();
        if let Some(tail) = self.tail {
            for counts in &tail.lang {
                for (l, c) in counts.iter().enumerate().take(nl) {
                    total[l] += c;
                }
                per_sent.push(counts);
            }
        }
        let argmax = |v: &[usize]| {
            v.iter()
                .enumerate()
                .max_by_key(|(_, c)| **c)
                .map(|(i, c)| (i, *c))
                .unwrap_or((0, 0))
        };
        // The email's own language: most sentence votes, ties to the earliest sentence.
        let mut votes = vec![(0usize, usize::MAX); nl];
        for (si, counts) in per_sent.iter().enumerate() {
            let (l, c) = argmax(counts);
            if c >= 2 {
                votes[l].0 += 1;
                votes[l].1 = votes[l].1.min(si);
            }
        }
        let main = (0..nl)
            .max_by_key(|&l| (votes[l].0, std::cmp::Reverse(votes[l].1)))
            .unwrap_or(0);
        let main_count = total[main];
        self.foreign = votes[main].0 >= 1 && self.rules.language_names[main] != "en";
        // An email in Japanese, Chinese, Korean or Thai has no function words to count; its
        // script says it is not English.
        self.foreign |= self.doc.text[self.doc.body_start.min(self.doc.text.len())..]
            .chars()
            .filter(|&c| c.is_alphabetic() && crate::text::is_caseless_letter(c))
            .nth(29)
            .is_some();
        let wanted = ["language", "locale", "lang"].iter().find_map(|k| {
            self.facts_context_str(k).and_then(|v| {
                let code = fold(&v).chars().take(2).collect::<String>();
                self.rules.language_names.iter().position(|n| *n == code)
            })
        });
        let expected = match wanted {
            Some(w) => {
                if w != main && main_count >= 6 && total[w] * 4 < main_count {
                    let (s, e) = self.body_first_sentence();
                    let (got, want) = (
                        self.rules.language_names[main].clone(),
                        self.rules.language_names[w].clone(),
                    );
                    self.flag(
                        Kind::TemplateLeak,
                        s,
                        e,
                        format!("the email is written in `{got}`, but the campaign's language is `{want}`"),
                        "leak.wrong_language",
                    );
                    return;
                }
                w
            }
            None if votes[main].0 >= 1 => main,
            None => return,
        };
        let odd = |counts: &[usize]| {
            let (l, c) = argmax(counts);
            (l != expected && c >= 3 && counts.get(expected) == Some(&0)).then_some(l)
        };
        // One line in the reader's own language ("Subject: Ana Beatriz, um Check-up do Papai
        // para o Seu Raimundo?" to a reader in pt-BR) is a greeting to them, not a slip.
        let own = self.facts.recipient.locale.as_deref().and_then(|l| {
            let code = fold(l.split(['-', '_']).next().unwrap_or_default());
            self.rules.language_names.iter().position(|n| *n == code)
        });
        // The signature ("Het bestuur van CV De Kiekendieven") names the sender in the
        // sender's own words.
        // (The signature: a short line among the last two of the body.)
        let text = self.doc.text;
        let body_end = self.doc.footer_start.min(text.len());
        // (Offsets counted from the lines as written, "\r\n" or "\n".)
        let mut last_lines: Vec<(usize, &str)> = text[..body_end]
            .split_inclusive('\n')
            .scan(0usize, |at, l| {
                let s = *at;
                *at += l.len();
                Some((s, l.trim_end()))
            })
            .filter(|(_, l)| !l.trim().is_empty())
            .collect();
        last_lines.drain(..last_lines.len().saturating_sub(2));
        let signed: Vec<bool> = (0..per_sent.len())
            .map(|si| {
                self.doc.sent_range.get(si).is_some_and(|&(ts, _)| {
                    let start = self.doc.toks[ts].start;
                    start >= self.doc.body_start
                        && last_lines.iter().any(|&(ls, l)| {
                            (ls..ls + l.len()).contains(&start)
                                && l.split_whitespace().count() <= 8
                                && !l.contains(['.', '!', '?'])
                        })
                })
            })
            .collect();
        let signed = |si: usize| signed[si];
        let own_lines = per_sent
            .iter()
            .enumerate()
            .filter(|&(si, c)| own.is_some() && odd(c) == own && !signed(si))
            .count();
        for (si, counts) in per_sent.iter().enumerate() {
            if signed(si) {
                continue;
            }
            let (l, c) = argmax(counts);
            if l != expected && c >= 3 && counts.get(expected) == Some(&0) {
                if own == Some(l) && own_lines == 1 {
                    continue;
                }
                // Filipino and English switch sentence by sentence in the Philippines
                // (Taglish): neither is a slip in an email in the other.
                let pair = [
                    self.rules.language_names[l].as_str(),
                    self.rules.language_names[expected].as_str(),
                ];
                if matches!(pair, ["tl", "en"] | ["en", "tl"]) {
                    continue;
                }
                let lang = self.rules.language_names[l].clone();
                let Some(&(ts, te)) = self.doc.sent_range.get(si) else {
                    // A sentence of the tail part: report it at the end of this one.
                    let end = self.doc.text.len();
                    self.flag(
                        Kind::TemplateLeak,
                        end,
                        end,
                        format!(
                            "a sentence in `{lang}` in the shared copy of an email in `{}`",
                            self.rules.language_names[expected]
                        ),
                        "leak.wrong_language",
                    );
                    break;
                };
                let (s, e) = (self.doc.toks[ts].start, self.doc.toks[te - 1].end);
                self.flag(
                    Kind::TemplateLeak,
                    s,
                    e,
                    format!(
                        "a sentence in `{lang}` in an email in `{}`",
                        self.rules.language_names[expected]
                    ),
                    "leak.wrong_language",
                );
            }
        }
    }

    fn facts_context_str(&self, key: &str) -> Option<String> {
        self.facts
            .list
            .iter()
            .find(|f| !f.personal && f.key == key && f.path == format!("context.{key}"))
            .map(|f| f.stems.join(" "))
    }

    fn body_first_sentence(&self) -> (usize, usize) {
        let first = self
            .doc
            .toks
            .iter()
            .position(|t| t.start >= self.doc.body_start)
            .unwrap_or(0);
        let (s, e) = self.doc.sent_range[self.doc.toks.get(first).map(|t| t.sent).unwrap_or(0)];
        match (self.doc.toks.get(s), self.doc.toks.get(e.saturating_sub(1))) {
            (Some(a), Some(b)) => (a.start, b.end),
            _ => (0, 0),
        }
    }
}

/// Where a line opens a note to the people making the email, if it does: a word for a note,
/// then at most six words naming its readers (the team, the editor, the proofreading), then
/// a colon. Byte offset of the note in `line`.
fn addressed_note(line: &str) -> Option<usize> {
    const NOTE: [&str; 14] = [
        "note",
        "notes",
        "nota",
        "notas",
        "notiz",
        "hinweis",
        "anmerkung",
        "notitie",
        "opmerking",
        "uwaga",
        "notering",
        "anteckning",
        "bemaerkning",
        "merknad",
    ];
    const READERS: [&str; 23] = [
        "crm",
        "team",
        "equipe",
        "equipo",
        "redaktion",
        "redazione",
        "redactie",
        "redaccion",
        "relecture",
        "revision",
        "revisao",
        "revisione",
        "marketing",
        "editor",
        "editors",
        "lektorat",
        "korrektur",
        "proofreader",
        "proofreading",
        "copywriter",
        "interne",
        "interna",
        "intern",
    ];
    let trimmed = line.trim_start();
    let lead = line.len() - trimmed.len();
    let body = trimmed.trim_start_matches(['[', '(', '*', '-', '—', ' ']);
    // ("P.S. NOTE FOR CARLA: ...": after a postscript's mark.)
    let body = ["P.P.S.", "P.S.", "PPS", "PS"]
        .iter()
        .find_map(|m| {
            body.strip_prefix(m)
                .filter(|r| r.starts_with(' '))
                .map(str::trim_start)
        })
        .unwrap_or(body);
    let colon = body.find(':')?;
    let head = fold(&body[..colon]);
    let words: Vec<&str> = head
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // "NOTE FOR CARLA: confirm the headcount": a note to someone, shouted in capitals
    // ("Note for parents:" is the copy's own heading).
    let shouted_to = words.len() >= 3
        && matches!(
            words[1],
            "for" | "to" | "fur" | "pour" | "para" | "per" | "voor"
        )
        && !body[..colon].chars().any(char::is_lowercase);
    (words.len() >= 2
        && words.len() <= 7
        && NOTE.contains(&words[0])
        && (shouted_to || words[1..].iter().any(|w| READERS.contains(w))))
    .then_some(lead)
}
