//! A small RFC 5322 / MIME reader: headers, multipart, quoted-printable, base64, RFC 2047 subjects.
//!
//! It reads only what the gate needs (the subject and the first text/plain part) and never
//! panics: every index is checked, recursion is bounded by [`MAX_DEPTH`].

use crate::email::EmailError;

const MAX_DEPTH: usize = 8;

/// Whether the bytes start with a header block that is more than a bare `Subject:` line.
pub(crate) fn looks_like_message(bytes: &[u8]) -> bool {
    let (head, _) = split_head(bytes);
    let head = String::from_utf8_lossy(head);
    head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        [
            "mime-version:",
            "content-type:",
            "from:",
            "to:",
            "date:",
            "message-id:",
            "received:",
        ]
        .iter()
        .any(|h| l.starts_with(h))
    })
}

fn split_head(bytes: &[u8]) -> (&[u8], &[u8]) {
    for i in 0..bytes.len() {
        if bytes[i] == b'\n' {
            let rest = &bytes[i + 1..];
            if rest.first() == Some(&b'\n') {
                return (&bytes[..i], &rest[1..]);
            }
            if rest.starts_with(b"\r\n") {
                return (&bytes[..i], &rest[2..]);
            }
        }
    }
    (bytes, &[])
}

/// Unfolded headers, names lowercased.
fn headers(head: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(head);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    out
}

fn header<'a>(hs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    hs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// `text/plain; charset="utf-8"` → ("text/plain", param lookup).
fn content_type(v: &str) -> (String, Vec<(String, String)>) {
    let mut parts = v.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_string(),
            ))
        })
        .collect();
    (mime, params)
}

fn param<'a>(ps: &'a [(String, String)], name: &str) -> Option<&'a str> {
    ps.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// The subject and the chosen text of a message.
pub(crate) fn parse_message(bytes: &[u8]) -> Result<(String, String), EmailError> {
    let (head, body) = split_head(bytes);
    let hs = headers(head);
    let subject = header(&hs, "subject").map(decode_words).unwrap_or_default();
    let mut html = None;
    let text = find_text(&hs, body, 0, &mut html)?;
    match (text, html) {
        (Some(t), _) => Ok((subject, t)),
        (None, Some(h)) => Ok((subject, strip_html(&h))),
        (None, None) => Err(EmailError::NoTextPart),
    }
}

fn find_text(
    hs: &[(String, String)],
    body: &[u8],
    depth: usize,
    html: &mut Option<String>,
) -> Result<Option<String>, EmailError> {
    if depth > MAX_DEPTH {
        return Ok(None);
    }
    let (mime, params) = content_type(header(hs, "content-type").unwrap_or("text/plain"));
    let mime = if mime.is_empty() {
        "text/plain".to_string()
    } else {
        mime
    };
    if mime.starts_with("multipart/") {
        let Some(boundary) = param(&params, "boundary").filter(|b| !b.is_empty()) else {
            return Err(EmailError::BadEncoding("multipart (no boundary)"));
        };
        for part in split_multipart(body, boundary) {
            let (ph, pb) = split_head(part);
            let phs = headers(ph);
            if let Some(t) = find_text(&phs, pb, depth + 1, html)? {
                return Ok(Some(t));
            }
        }
        return Ok(None);
    }
    if mime != "text/plain" && mime != "text/html" {
        return Ok(None);
    }
    let cte = header(hs, "content-transfer-encoding")
        .unwrap_or("7bit")
        .trim()
        .to_ascii_lowercase();
    let raw = match cte.as_str() {
        "base64" => base64_decode(body).ok_or(EmailError::BadEncoding("base64"))?,
        "quoted-printable" => qp_decode(body),
        _ => body.to_vec(),
    };
    let charset = param(&params, "charset")
        .unwrap_or("utf-8")
        .to_ascii_lowercase();
    let text = decode_charset(&raw, &charset)?;
    if mime == "text/html" {
        if html.is_none() {
            *html = Some(text);
        }
        return Ok(None);
    }
    Ok(Some(text))
}

fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delim = format!("--{boundary}");
    let d = delim.as_bytes();
    let mut parts = Vec::new();
    let mut starts: Vec<(usize, usize, bool)> = Vec::new(); // (line start, content start, is end)
    let mut i = 0;
    while i < body.len() {
        let line_end = body[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| i + p)
            .unwrap_or(body.len());
        let line = &body[i..line_end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.starts_with(d) {
            let rest = &line[d.len()..];
            starts.push((i, (line_end + 1).min(body.len()), rest.starts_with(b"--")));
        }
        i = line_end + 1;
    }
    for w in starts.windows(2) {
        let (_, content, is_end) = w[0];
        if is_end {
            break;
        }
        let end = w[1].0;
        if content <= end {
            parts.push(&body[content..end]);
        }
    }
    parts
}

fn decode_charset(raw: &[u8], charset: &str) -> Result<String, EmailError> {
    match charset {
        "utf-8" | "utf8" | "us-ascii" | "ascii" => String::from_utf8(raw.to_vec())
            .map_err(|e| EmailError::NotUtf8(e.utf8_error().valid_up_to())),
        "iso-8859-1" | "latin1" | "latin-1" | "iso-8859-15" | "windows-1252" | "cp1252" => {
            Ok(raw.iter().map(|&b| cp1252(b)).collect())
        }
        other => Err(EmailError::Charset(other.chars().take(40).collect())),
    }
}

/// Windows-1252 is a superset of Latin-1 in practice; map its 0x80..0x9F punctuation.
fn cp1252(b: u8) -> char {
    match b {
        0x80 => '€',
        0x85 => '…',
        0x91 => '‘',
        0x92 => '’',
        0x93 => '“',
        0x94 => '”',
        0x96 => '–',
        0x97 => '—',
        0x99 => '™',
        _ => char::from(b),
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn qp_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'=' {
            // Soft line break.
            if input.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if input.get(i + 1) == Some(&b'\r') && input.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if let (Some(h), Some(l)) = (
                input.get(i + 1).copied().and_then(hex),
                input.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

fn b64_val(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some((c - b'A') as u32),
        b'a'..=b'z' => Some((c - b'a') as u32 + 26),
        b'0'..=b'9' => Some((c - b'0') as u32 + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Lenient base64: whitespace skipped, padding optional; any other byte is an error.
pub(crate) fn base64_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &c in input {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            break;
        }
        let v = b64_val(c)?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Decode RFC 2047 encoded words (`=?utf-8?B?...?=`, `=?utf-8?Q?...?=`) in a header value.
fn decode_words(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        let after = &rest[start + 2..];
        let decoded = (|| {
            let (charset, r) = after.split_once('?')?;
            let (enc, r) = r.split_once('?')?;
            let end = r.find("?=")?;
            let payload = &r[..end];
            let bytes = match enc.to_ascii_lowercase().as_str() {
                "b" => base64_decode(payload.as_bytes())?,
                "q" => qp_decode(payload.replace('_', " ").as_bytes()),
                _ => return None,
            };
            let text = decode_charset(&bytes, &charset.to_ascii_lowercase()).ok()?;
            let consumed = charset.len() + enc.len() + end + 2 + 2 + 2;
            Some((text, consumed))
        })();
        match decoded {
            Some((text, consumed)) => {
                // Whitespace between two encoded words is not displayed (RFC 2047 §6.2).
                if !(last_was_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&text);
                rest = after.get(consumed - 2..).unwrap_or("");
                last_was_word = true;
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = after;
                last_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Crude HTML to text: drop tags, scripts and styles, decode a few entities, keep line breaks.
fn strip_html(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    let mut in_tag = false;
    let mut tag = String::new();
    let mut skip_until: Option<&str> = None;
    for c in h.chars() {
        if in_tag {
            if c == '>' {
                in_tag = false;
                let t = tag.to_ascii_lowercase();
                let name = t
                    .trim_start_matches('/')
                    .split_whitespace()
                    .next()
                    .unwrap_or("");
                if let Some(end) = skip_until {
                    if t.starts_with('/') && name == end {
                        skip_until = None;
                    }
                } else if name == "script" || name == "style" {
                    skip_until = Some(if name == "script" { "script" } else { "style" });
                } else if matches!(name, "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3") {
                    out.push('\n');
                }
                tag.clear();
            } else {
                tag.push(c);
            }
            continue;
        }
        if c == '<' {
            in_tag = true;
            continue;
        }
        if skip_until.is_none() {
            out.push(c);
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_picks_text_plain() {
        let msg = b"Subject: Hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"xx\"\r\n\r\npreamble\r\n--xx\r\nContent-Type: text/html\r\n\r\n<p>HTML</p>\r\n--xx\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nSGkgSm9zw6ks\r\n--xx--\r\n";
        let (s, b) = parse_message(msg).unwrap();
        assert_eq!(s, "Hi");
        assert_eq!(b.trim(), "Hi José,");
    }

    #[test]
    fn html_only_is_stripped() {
        let msg = b"Subject: x\nContent-Type: text/html\n\n<html><style>p{}</style><p>Hi &amp; bye</p></html>";
        let (_, b) = parse_message(msg).unwrap();
        assert_eq!(b.trim(), "Hi & bye");
    }

    #[test]
    fn latin1_and_encoded_words() {
        let msg = b"Subject: =?ISO-8859-1?Q?Caf=E9_time?= =?UTF-8?B?IQ==?=\nContent-Type: text/plain; charset=iso-8859-1\n\nCaf\xe9";
        let (s, b) = parse_message(msg).unwrap();
        assert_eq!(s, "Café time!");
        assert_eq!(b, "Café");
    }

    #[test]
    fn bad_base64_is_an_error() {
        let msg =
            b"Subject: x\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!!";
        assert_eq!(parse_message(msg), Err(EmailError::BadEncoding("base64")));
    }
}
