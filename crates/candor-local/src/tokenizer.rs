//! The GGUF's own vocabulary as a GPT-2 byte-level BPE tokenizer (qwen2, SmolLM2, and other
//! `tokenizer.ggml.model = "gpt2"` models), matching llama.cpp's token IDs.
//!
//! Pipeline, as llama.cpp does it: split out special (control / user-defined) tokens when asked,
//! pre-tokenize each remaining span with the model's regexes (`tokenizer.ggml.pre`), map each
//! piece's bytes to GPT-2's printable code points, then merge symbol pairs by merge rank.

use std::collections::HashMap;

use candle_core::quantized::gguf_file::{Content, Value};
use fancy_regex::Regex;

use crate::LocalError;

/// GGUF token types (llama.cpp `llama_token_type`).
const TOKEN_TYPE_CONTROL: i32 = 3;
const TOKEN_TYPE_USER_DEFINED: i32 = 4;

pub struct Tokenizer {
    tokens: Vec<String>,
    /// Token text (in GPT-2 code-point form) to id.
    ids: HashMap<String, u32>,
    /// (left id, right id) -> (rank, merged id).
    merges: HashMap<(u32, u32), (u32, u32)>,
    /// Special tokens, longest first, for splitting text that may contain them.
    specials: Vec<(String, u32)>,
    /// Whether a token is a control token (not rendered in output).
    control: Vec<bool>,
    /// Pre-tokenizer regexes, applied in sequence.
    pre: Vec<Regex>,
    byte_to_char: [char; 256],
    char_to_byte: HashMap<char, u8>,
    pub bos_id: Option<u32>,
    pub eos_id: Option<u32>,
    pub add_bos: bool,
}

fn meta<'a>(content: &'a Content, key: &str) -> Result<&'a Value, LocalError> {
    content
        .metadata
        .get(key)
        .ok_or_else(|| LocalError::Model(format!("GGUF metadata has no `{key}`")))
}

fn bad(key: &str, e: impl std::fmt::Display) -> LocalError {
    LocalError::Model(format!("GGUF metadata `{key}`: {e}"))
}

/// GPT-2's reversible map from bytes to printable code points.
fn byte_chars() -> [char; 256] {
    let mut map = ['\0'; 256];
    let mut extra = 0u32;
    for b in 0..256u32 {
        let printable = (0x21..=0x7e).contains(&b) || (0xa1..=0xac).contains(&b) || b >= 0xae;
        let cp = if printable {
            b
        } else {
            extra += 1;
            255 + extra
        };
        map[b as usize] = char::from_u32(cp).unwrap_or('\0');
    }
    map
}

impl Tokenizer {
    pub fn from_gguf(content: &Content) -> Result<Self, LocalError> {
        let model = meta(content, "tokenizer.ggml.model")?
            .to_string()
            .map_err(|e| bad("tokenizer.ggml.model", e))?;
        if model != "gpt2" {
            return Err(LocalError::Model(format!(
                "tokenizer model `{model}` is not supported (only byte-level BPE, `gpt2`)"
            )));
        }
        let tokens: Vec<String> = meta(content, "tokenizer.ggml.tokens")?
            .to_vec()
            .map_err(|e| bad("tokenizer.ggml.tokens", e))?
            .iter()
            .map(|v| v.to_string().cloned())
            .collect::<Result<_, _>>()
            .map_err(|e| bad("tokenizer.ggml.tokens", e))?;
        let types: Vec<i32> = match content.metadata.get("tokenizer.ggml.token_type") {
            Some(v) => v
                .to_vec()
                .map_err(|e| bad("tokenizer.ggml.token_type", e))?
                .iter()
                .map(|v| v.to_i32())
                .collect::<Result<_, _>>()
                .map_err(|e| bad("tokenizer.ggml.token_type", e))?,
            None => vec![1; tokens.len()],
        };
        let ids: HashMap<String, u32> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let mut merges = HashMap::new();
        let merge_list = meta(content, "tokenizer.ggml.merges")?
            .to_vec()
            .map_err(|e| bad("tokenizer.ggml.merges", e))?;
        for (rank, m) in merge_list.iter().enumerate() {
            let m = m.to_string().map_err(|e| bad("tokenizer.ggml.merges", e))?;
            let Some((a, b)) = m.split_once(' ') else {
                continue;
            };
            let (Some(&ia), Some(&ib), Some(&ic)) =
                (ids.get(a), ids.get(b), ids.get(&format!("{a}{b}")))
            else {
                continue;
            };
            merges.entry((ia, ib)).or_insert((rank as u32, ic));
        }
        let mut specials: Vec<(String, u32)> = types
            .iter()
            .enumerate()
            .filter(|(_, &t)| t == TOKEN_TYPE_CONTROL || t == TOKEN_TYPE_USER_DEFINED)
            .filter_map(|(i, _)| {
                let text = tokens.get(i)?;
                (!text.is_empty()).then(|| (text.clone(), i as u32))
            })
            .collect();
        specials.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
        let control = types.iter().map(|&t| t == TOKEN_TYPE_CONTROL).collect();
        let pre_name = content
            .metadata
            .get("tokenizer.ggml.pre")
            .and_then(|v| v.to_string().ok().cloned())
            .unwrap_or_else(|| "default".into());
        let pre = pre_regexes(&pre_name)?;
        let byte_to_char = byte_chars();
        let char_to_byte = byte_to_char
            .iter()
            .enumerate()
            .map(|(b, &c)| (c, b as u8))
            .collect();
        let get_u32 = |key: &str| content.metadata.get(key).and_then(|v| v.to_u32().ok());
        Ok(Tokenizer {
            tokens,
            ids,
            merges,
            specials,
            control,
            pre,
            byte_to_char,
            char_to_byte,
            bos_id: get_u32("tokenizer.ggml.bos_token_id"),
            eos_id: get_u32("tokenizer.ggml.eos_token_id"),
            add_bos: content
                .metadata
                .get("tokenizer.ggml.add_bos_token")
                .and_then(|v| v.to_bool().ok())
                .unwrap_or(false),
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// The id of a token given by its exact text, e.g. `<|im_end|>`.
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.ids.get(text).copied()
    }

    /// Tokenize `text`. With `parse_special`, special-token text such as `<|im_start|>` becomes
    /// that token (what a rendered chat template needs); without, it is tokenized as plain text.
    /// Never adds BOS (see [`Tokenizer::add_bos`]).
    pub fn encode(&self, text: &str, parse_special: bool) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len() / 3 + 4);
        if !parse_special {
            self.encode_plain(text, &mut out);
            return out;
        }
        let mut rest = text;
        while !rest.is_empty() {
            // Earliest special token occurrence; longest wins at equal position.
            let mut best: Option<(usize, &str, u32)> = None;
            for (s, id) in &self.specials {
                if let Some(pos) = rest.find(s.as_str()) {
                    if best.is_none_or(|(bp, bs, _)| pos < bp || (pos == bp && s.len() > bs.len()))
                    {
                        best = Some((pos, s, *id));
                    }
                }
            }
            match best {
                Some((pos, s, id)) => {
                    self.encode_plain(&rest[..pos], &mut out);
                    out.push(id);
                    rest = &rest[pos + s.len()..];
                }
                None => {
                    self.encode_plain(rest, &mut out);
                    break;
                }
            }
        }
        out
    }

    /// Exact number of tokens `text` takes as plain text.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.encode(text, false).len()
    }

    fn encode_plain(&self, text: &str, out: &mut Vec<u32>) {
        if text.is_empty() {
            return;
        }
        let mut pieces: Vec<&str> = vec![text];
        for re in &self.pre {
            let mut next = Vec::with_capacity(pieces.len() * 2);
            for p in pieces {
                split_keep(re, p, &mut next);
            }
            pieces = next;
        }
        for p in pieces {
            self.bpe(p, out);
        }
    }

    fn bpe(&self, piece: &str, out: &mut Vec<u32>) {
        let mapped: String = piece
            .bytes()
            .map(|b| self.byte_to_char[b as usize])
            .collect();
        if let Some(&id) = self.ids.get(&mapped) {
            out.push(id);
            return;
        }
        let mut syms: Vec<u32> = Vec::with_capacity(mapped.len());
        for c in mapped.chars() {
            let mut buf = [0u8; 4];
            match self.ids.get(c.encode_utf8(&mut buf) as &str) {
                Some(&id) => syms.push(id),
                // A byte missing from the vocabulary cannot be represented; skip it like
                // llama.cpp does for unknown pieces.
                None => continue,
            }
        }
        loop {
            let mut best: Option<(usize, u32, u32)> = None;
            for i in 0..syms.len().saturating_sub(1) {
                if let Some(&(rank, merged)) = self.merges.get(&(syms[i], syms[i + 1])) {
                    if best.is_none_or(|(_, r, _)| rank < r) {
                        best = Some((i, rank, merged));
                    }
                }
            }
            let Some((i, _, merged)) = best else { break };
            syms[i] = merged;
            syms.remove(i + 1);
        }
        out.extend_from_slice(&syms);
    }

    /// Whether `id` is a control token (never part of generated text).
    pub fn is_control(&self, id: u32) -> bool {
        self.control.get(id as usize).copied().unwrap_or(false)
    }

    /// The raw bytes a token stands for; control tokens give nothing.
    pub fn token_bytes(&self, id: u32, out: &mut Vec<u8>) {
        if self.is_control(id) {
            return;
        }
        let Some(text) = self.tokens.get(id as usize) else {
            return;
        };
        for c in text.chars() {
            match self.char_to_byte.get(&c) {
                Some(&b) => out.push(b),
                None => {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
    }

    /// Decode ids to text (lossy at broken UTF-8), skipping control tokens.
    pub fn decode(&self, ids: &[u32]) -> String {
        let mut bytes = Vec::new();
        for &id in ids {
            self.token_bytes(id, &mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The token's text as stored in the vocabulary.
    pub fn token_text(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }
}

/// Split `text` into regex matches and the gaps between them, all kept, in order.
fn split_keep<'a>(re: &Regex, text: &'a str, out: &mut Vec<&'a str>) {
    let mut last = 0;
    for m in re.find_iter(text) {
        let Ok(m) = m else {
            // Backtracking limit: keep the rest whole rather than lose text.
            break;
        };
        if m.start() > last {
            out.push(&text[last..m.start()]);
        }
        if m.end() > m.start() {
            out.push(m.as_str());
        }
        last = m.end();
    }
    if last < text.len() {
        out.push(&text[last..]);
    }
}

const GPT2_RE: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

fn pre_regexes(name: &str) -> Result<Vec<Regex>, LocalError> {
    let exprs: &[&str] = match name {
        "qwen2" | "deepseek-r1-qwen" => &[
            r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
        ],
        "llama-bpe" | "llama3" | "llama-v3" => &[
            r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
        ],
        "smollm" | "starcoder" | "refact" | "command-r" | "codeshell" | "exaone" | "minerva-7b" => {
            &[r"\p{N}", GPT2_RE]
        }
        "gpt-2" | "gpt2" | "default" | "phi-2" | "jina-es" | "jina-de" | "olmo" | "mpt" => {
            &[GPT2_RE]
        }
        other => {
            return Err(LocalError::Model(format!(
                "pre-tokenizer `{other}` is not supported"
            )))
        }
    };
    exprs
        .iter()
        .map(|e| Regex::new(e).map_err(|err| LocalError::Model(format!("regex: {err}"))))
        .collect()
}
