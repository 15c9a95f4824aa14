//! The outbox: one RFC 5322 message per recipient plus one JSONL record per recipient.
//!
//! Layout: `records.jsonl` and directories `batch-000001`, `batch-000002`, … of up to
//! [`BATCH_MESSAGES`] messages each. A record's `message_file` is its message's path inside
//! the outbox (`batch-000003/cust42-1f2e….eml`); read the records to find the messages.
//!
//! Invariants:
//! - A batch is written in a hidden staging directory and renamed into place whole: a crash
//!   leaves no half message in a batch directory.
//! - `records.jsonl` is append-only, one complete line per recipient (sent or skipped). A
//!   batch's lines are appended after its directory is in place, so a record always points at
//!   a message that exists. A torn last line (a crash mid-append) is cut off when the outbox is
//!   reopened, so resume reads only whole records; messages of the newest batch that no record
//!   points at are removed then too, so a recipient written again by the resumed run never
//!   has two messages.
//! - A message's file name is derived from the recipient id alone.
//! - Headers are 7-bit: non-ASCII subjects and display names are RFC 2047 encoded words, bodies
//!   are quoted-printable, and CR/LF in any header value is replaced so no input can add a header.
//! - Both parts say the same thing; the HTML part escapes every piece of text it includes.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use candor_domain::{EmailAddress, Money, RecipientId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc2822;
use time::OffsetDateTime;

use crate::template::FactUse;

/// Name of the JSONL record file inside the outbox directory.
pub const RECORDS_FILE: &str = "records.jsonl";

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox I/O on `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "`{0}` holds {1} batch directories of messages but no records: it is not an \
         interrupted run of this outbox (that leaves at most one). Move it away or choose \
         another --out, so no recipient gets a second message"
    )]
    Orphaned(PathBuf, usize),
    #[error("`{0}` is a file, not an outbox directory: choose another --out")]
    NotADirectory(PathBuf),
    #[error(
        "`{dir}` holds campaign `{holds}`'s emails, not `{wanted}`'s: choose another --out \
         (a run skips every recipient its outbox has a record for, so `{wanted}` would write \
         nothing to them). If `{wanted}` is `{holds}` renamed, edit `{file}`"
    )]
    OtherCampaign {
        dir: PathBuf,
        holds: String,
        wanted: String,
        file: PathBuf,
    },
    #[error("unsubscribe URL `{0}` must be an https:// URL without spaces or angle brackets")]
    BadUnsubscribeUrl(String),
    #[error("the sender's postal address is empty: it is required in every footer")]
    NoPostalAddress,
    #[error("formatting the Date header: {0}")]
    Date(#[from] time::error::Format),
    #[error("encoding a record: {0}")]
    Json(#[from] serde_json::Error),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutboxError + '_ {
    move |source| OutboxError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Who the email is from; the postal address goes in every footer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sender {
    pub name: String,
    pub address: EmailAddress,
    pub postal_address: String,
}

/// The parts of one email, in reading order, as plain text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Composed {
    pub subject: String,
    /// Per-recipient opener: 1–3 sentences, or a bare greeting.
    pub opener: String,
    /// Segment body copy; paragraphs separated by blank lines.
    pub body: String,
    /// The offer block, filled with campaign facts.
    pub offer: String,
}

impl Composed {
    /// The plain-text body without the footer: what the gate reads.
    pub fn text_without_footer(&self) -> String {
        let mut s = String::new();
        for part in [&self.opener, &self.body, &self.offer] {
            let p = part.trim();
            if !p.is_empty() {
                if !s.is_empty() {
                    s.push_str("\n\n");
                }
                s.push_str(p);
            }
        }
        s
    }
}

/// Everything needed to write one message.
#[derive(Clone, Debug)]
pub struct MessageSpec<'a> {
    pub from: &'a Sender,
    pub to: &'a EmailAddress,
    pub to_name: Option<&'a str>,
    pub email: &'a Composed,
    /// One-click unsubscribe endpoint for this recipient (RFC 8058): must be https.
    pub unsubscribe_url: &'a str,
    pub date: OffsetDateTime,
    /// Scopes the Message-ID so two campaigns to one person do not collide.
    pub campaign: &'a str,
    pub recipient: &'a RecipientId,
}

/// The footer's first two lines (who sends, and why), as plain text.
fn footer_head(from: &Sender) -> [String; 2] {
    [
        format!(
            "{} · {}",
            clean_line(&from.name),
            clean_line(&from.postal_address)
        ),
        "You are receiving this because you subscribed to our emails.".to_string(),
    ]
}

/// The text/plain body (with footer), LF line endings.
pub fn plain_text(spec: &MessageSpec<'_>) -> String {
    let (mut own, shared) = plain_text_parts(spec);
    if own.is_empty() {
        return shared;
    }
    own.push_str("\n\n");
    own.push_str(&shared);
    own
}

/// The text/plain body in two parts: the recipient's own opener, and what follows it (body
/// copy, offer, footer), which is the same for everyone given the same copy and unsubscribe
/// URL. [`plain_text`] is `own + "\n\n" + shared`, or `shared` when the opener is empty.
pub fn plain_text_parts(spec: &MessageSpec<'_>) -> (String, String) {
    let own = spec.email.opener.trim().to_string();
    let mut shared = copy_text(
        spec.from,
        &spec.email.body,
        &spec.email.offer,
        own.is_empty(),
    );
    shared.push_str(&unsubscribe_line(spec.unsubscribe_url));
    (own, shared)
}

/// The plain text after the opener, up to (not including) the unsubscribe line.
fn copy_text(from: &Sender, body: &str, offer: &str, no_opener: bool) -> String {
    let mut shared = String::with_capacity(body.len() + offer.len() + 256);
    for part in [body, offer] {
        let p = part.trim();
        if !p.is_empty() {
            if !shared.is_empty() {
                shared.push_str("\n\n");
            }
            shared.push_str(p);
        }
    }
    if no_opener && shared.is_empty() {
        shared.push_str("\n\n");
    }
    shared.push_str(if shared.is_empty() || shared == "\n\n" {
        "-- \n"
    } else {
        "\n\n-- \n"
    });
    let [who, why] = footer_head(from);
    for l in [who, why] {
        shared.push_str(&l);
        shared.push('\n');
    }
    shared
}

fn unsubscribe_line(url: &str) -> String {
    format!("Unsubscribe: {url}\n")
}

/// The text/html body (with footer), every text escaped.
pub fn html(spec: &MessageSpec<'_>) -> String {
    let mut h = html_head(spec);
    h.push_str(&html_copy(spec.from, &spec.email.body, &spec.email.offer));
    h.push_str(&html_tail(spec.unsubscribe_url));
    h
}

/// The HTML up to and including the opener's paragraphs: each line ends in "\n".
fn html_head(spec: &MessageSpec<'_>) -> String {
    let mut h = String::with_capacity(1024);
    h.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    h.push_str(&escape_html(&clean_line(&spec.email.subject)));
    h.push_str("</title></head>\n<body>\n");
    html_paragraphs(&mut h, &spec.email.opener);
    h
}

/// The body copy's and offer's paragraphs and the footer up to the unsubscribe link.
fn html_copy(from: &Sender, body: &str, offer: &str) -> String {
    let mut h = String::with_capacity(body.len() + offer.len() + 512);
    html_paragraphs(&mut h, body);
    html_paragraphs(&mut h, offer);
    let [who, why] = footer_head(from);
    h.push_str("<hr>\n<p style=\"font-size:12px;color:#666\">");
    h.push_str(&escape_html(&who));
    h.push_str("<br>\n");
    h.push_str(&escape_html(&why));
    h.push_str("<br>\n");
    h
}

fn html_tail(unsubscribe_url: &str) -> String {
    format!(
        "<a href=\"{}\">Unsubscribe</a></p>\n</body></html>\n",
        escape_html(unsubscribe_url)
    )
}

fn html_paragraphs(h: &mut String, part: &str) {
    for para in paragraphs(part) {
        h.push_str("<p>");
        let mut first = true;
        for line in para.lines() {
            if !first {
                h.push_str("<br>\n");
            }
            first = false;
            h.push_str(&escape_html(line.trim_end()));
        }
        h.push_str("</p>\n");
    }
}

/// The encoded parts of a message that are the same for every recipient given the same
/// sender, body copy and offer: quoted-printable text and HTML, made once per segment copy
/// (see [`render_message_with`]). Quoted-printable works line by line, so encoding the
/// pieces of a message apart and joining them gives the same bytes as encoding it whole.
#[derive(Clone, Debug)]
pub struct SharedMime {
    body: String,
    offer: String,
    text_qp: String,
    html_qp: String,
}

impl SharedMime {
    pub fn new(from: &Sender, body: &str, offer: &str) -> SharedMime {
        SharedMime {
            body: body.to_string(),
            offer: offer.to_string(),
            text_qp: quoted_printable(&copy_text(from, body, offer, false)),
            html_qp: quoted_printable(&html_copy(from, body, offer)),
        }
    }

    fn fits(&self, spec: &MessageSpec<'_>) -> bool {
        self.body == spec.email.body && self.offer == spec.email.offer
    }
}

fn paragraphs(s: &str) -> impl Iterator<Item = &str> {
    s.split("\n\n").map(str::trim).filter(|p| !p.is_empty())
}

/// Escape text for HTML element content and double-quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Replace control characters (CR, LF, tabs...) with spaces and trim: header values and footer
/// lines are single lines whatever the input holds.
/// Borrowed when there is nothing to change (the usual case: no copy per message).
fn clean_line(s: &str) -> std::borrow::Cow<'_, str> {
    let t = s.trim();
    if !t.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(t);
    }
    let o: String = t
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    std::borrow::Cow::Owned(o.trim().to_string())
}

fn check_url(url: &str) -> Result<(), OutboxError> {
    let ok = url.starts_with("https://")
        && url.len() > "https://".len()
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
        && url.is_ascii();
    if ok {
        Ok(())
    } else {
        Err(OutboxError::BadUnsubscribeUrl(url.to_string()))
    }
}

/// A stable short hex digest.
fn digest_hex(parts: &[&str], chars: usize) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let d = h.finalize();
    let mut s = String::with_capacity(64);
    for b in d {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s.truncate(chars);
    s
}

/// The Message-ID for a recipient in a campaign: stable, so a resumed run writes the same one.
pub fn message_id(campaign: &str, recipient: &RecipientId, from: &EmailAddress) -> String {
    let domain = from.domain();
    let mut id = String::with_capacity(35 + domain.len());
    id.push('<');
    id.push_str(&digest_hex(&[campaign, recipient.as_str()], 32));
    id.push('@');
    id.push_str(domain);
    id.push('>');
    id
}

/// The whole RFC 5322 message, CRLF line endings.
pub fn render_message(spec: &MessageSpec<'_>) -> Result<String, OutboxError> {
    render_message_with(spec, None)
}

/// [`render_message`], reusing the encoded shared copy when `shared` was made for this
/// message's sender, body and offer (and the message has an opener). The bytes are the same.
pub fn render_message_with(
    spec: &MessageSpec<'_>,
    shared: Option<&SharedMime>,
) -> Result<String, OutboxError> {
    check_url(spec.unsubscribe_url)?;
    if spec.from.postal_address.trim().is_empty() {
        return Err(OutboxError::NoPostalAddress);
    }
    let own = spec.email.opener.trim();
    let (text_qp, html_qp) = match shared {
        Some(sh) if !own.is_empty() && sh.fits(spec) => {
            let mut t = quoted_printable(&format!("{own}\n\n"));
            t.push_str(&sh.text_qp);
            t.push_str(&quoted_printable(&unsubscribe_line(spec.unsubscribe_url)));
            let mut h = quoted_printable(&html_head(spec));
            h.push_str(&sh.html_qp);
            h.push_str(&quoted_printable(&html_tail(spec.unsubscribe_url)));
            (t, h)
        }
        _ => (
            quoted_printable(&plain_text(spec)),
            quoted_printable(&html(spec)),
        ),
    };
    // "=_" never occurs in quoted-printable output (every "=" is "=3D" or a soft break at the
    // end of a line), so a boundary starting with it cannot collide with a body line.
    let mut boundary = String::with_capacity(33);
    boundary.push_str("=_candor_");
    boundary.push_str(&digest_hex(
        &[spec.campaign, spec.recipient.as_str(), "boundary"],
        24,
    ));
    let mut m = String::with_capacity(text_qp.len() + html_qp.len() + 1024);
    header(
        &mut m,
        "From",
        &mailbox(Some(&spec.from.name), &spec.from.address),
    );
    header(&mut m, "To", &mailbox(spec.to_name, spec.to));
    header(
        &mut m,
        "Subject",
        &encode_unstructured(&clean_line(&spec.email.subject)),
    );
    header(&mut m, "Date", &date_header(spec.date)?);
    header(
        &mut m,
        "Message-ID",
        &message_id(spec.campaign, spec.recipient, &spec.from.address),
    );
    header(&mut m, "MIME-Version", "1.0");
    header_parts(
        &mut m,
        "List-Unsubscribe",
        &["<", spec.unsubscribe_url, ">"],
    );
    header(
        &mut m,
        "List-Unsubscribe-Post",
        "List-Unsubscribe=One-Click",
    );
    header_parts(
        &mut m,
        "Content-Type",
        &["multipart/alternative;\r\n boundary=\"", &boundary, "\""],
    );
    m.push_str("\r\n");
    m.push_str("This is a multi-part message in MIME format.\r\n");
    for (ctype, body) in [("text/plain", &text_qp), ("text/html", &html_qp)] {
        m.push_str("\r\n--");
        m.push_str(&boundary);
        m.push_str("\r\n");
        header_parts(&mut m, "Content-Type", &[ctype, "; charset=utf-8"]);
        header(&mut m, "Content-Transfer-Encoding", "quoted-printable");
        m.push_str("\r\n");
        m.push_str(body);
    }
    m.push_str("\r\n--");
    m.push_str(&boundary);
    m.push_str("--\r\n");
    Ok(m)
}

fn header(m: &mut String, name: &str, value: &str) {
    m.push_str(name);
    m.push_str(": ");
    m.push_str(value);
    m.push_str("\r\n");
}

/// A header whose value is the concatenation of `parts`.
fn header_parts(m: &mut String, name: &str, parts: &[&str]) {
    m.push_str(name);
    m.push_str(": ");
    for p in parts {
        m.push_str(p);
    }
    m.push_str("\r\n");
}

/// The Date header's value. A run dates every message alike: the last one formatted is kept.
fn date_header(date: OffsetDateTime) -> Result<String, OutboxError> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(OffsetDateTime, String)>> =
            const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((d, s)) = last.as_ref() {
            // Equal instants with other offsets are written differently: compare both.
            if *d == date && d.offset() == date.offset() {
                return Ok(s.clone());
            }
        }
        let s = date.format(&Rfc2822)?;
        *last = Some((date, s.clone()));
        Ok(s)
    })
}

/// `Name <addr>` with the name quoted or RFC 2047 encoded as needed; the bare address when no
/// name is known.
fn mailbox(name: Option<&str>, addr: &EmailAddress) -> String {
    let name = name.map(clean_line).filter(|n| !n.is_empty());
    // Internationalised local parts cannot be written 7-bit; those addresses are passed as-is
    // (they need SMTPUTF8 at send time).
    let Some(name) = name else {
        return addr.as_str().to_string();
    };
    let display = if !name.is_ascii() {
        std::borrow::Cow::Owned(encode_words(&name))
    } else if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " !#$%&'*+-/=?^_`{|}~".contains(c))
    {
        name
    } else {
        let mut q = String::with_capacity(name.len() + 2);
        q.push('"');
        for c in name.chars() {
            if c == '"' || c == '\\' {
                q.push('\\');
            }
            q.push(c);
        }
        q.push('"');
        std::borrow::Cow::Owned(q)
    };
    let mut m = String::with_capacity(display.len() + addr.as_str().len() + 3);
    m.push_str(&display);
    m.push_str(" <");
    m.push_str(addr.as_str());
    m.push('>');
    m
}

/// An unstructured header value: ASCII folded at spaces, non-ASCII as encoded words.
fn encode_unstructured(s: &str) -> String {
    if !s.is_ascii() || s.contains("=?") {
        return encode_words(s);
    }
    // Fold long ASCII values at whitespace (RFC 5322 §2.2.3) to stay near 78 characters.
    let mut out = String::with_capacity(s.len() + 8);
    let mut line_len = "Subject: ".len();
    for (i, w) in s.split(' ').enumerate() {
        if i > 0 {
            if line_len + 1 + w.len() > 76 {
                out.push_str("\r\n ");
                line_len = 1;
            } else {
                out.push(' ');
                line_len += 1;
            }
        }
        out.push_str(w);
        line_len += w.len();
    }
    out
}

/// RFC 2047 `B` encoded words, each at most 75 characters, split on character boundaries and
/// folded onto continuation lines.
fn encode_words(s: &str) -> String {
    // 39 bytes → 52 base64 chars + 12 of framing = 64, so even the first word after
    // "Subject: " stays within 78 columns.
    const MAX_BYTES: usize = 39;
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > MAX_BYTES {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", base64(w.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        o.push(A[(n >> 18) as usize & 63] as char);
        o.push(A[(n >> 12) as usize & 63] as char);
        o.push(if c.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        o.push(if c.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    o
}

/// Quoted-printable (RFC 2045 §6.7) of UTF-8 text with LF or CRLF line breaks; output lines end
/// in CRLF and are at most 76 characters.
pub fn quoted_printable(text: &str) -> String {
    // Bytes, not chars: every byte written is ASCII, and a message encodes a few of these per
    // recipient.
    let mut out: Vec<u8> = Vec::with_capacity(text.len() + text.len() / 8 + 8);
    let mut lines = text.as_bytes().split(|&b| b == b'\n').peekable();
    while let Some(mut line) = lines.next() {
        let last = lines.peek().is_none();
        if last && line.is_empty() {
            break;
        }
        // CRLF is a line break like LF; a CR anywhere else is data.
        if !last {
            if let Some(l) = line.strip_suffix(b"\r") {
                line = l;
            }
        }
        qp_line(&mut out, line);
        out.extend_from_slice(b"\r\n");
    }
    // Only ASCII was written.
    String::from_utf8(out).unwrap_or_default()
}

/// One line of [`quoted_printable`], without its line break: runs of bytes that stand for
/// themselves are copied whole, with a soft break ("=" CRLF) before column 76.
fn qp_line(out: &mut Vec<u8>, line: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    const MAX: usize = 75; // one column is kept for the soft break's "="
    /// The bytes that stand for themselves: one table lookup per byte.
    const PLAIN: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = b == b' ' as usize
                || b == b'\t' as usize
                || (b >= 33 && b <= 126 && b != b'=' as usize);
            b += 1;
        }
        t
    };
    fn plain(b: u8) -> bool {
        PLAIN[usize::from(b)]
    }
    let mut col = 0;
    let mut i = 0;
    while i < line.len() {
        // A leading "." could be mangled by some MTAs: encode it. A space or tab that ends
        // the line would be stripped in transit: encode it.
        let mut end = i + line[i..]
            .iter()
            .position(|&b| !plain(b))
            .unwrap_or(line.len() - i);
        if end == line.len() && end > i && matches!(line[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        if i == 0 && line[0] == b'.' {
            end = 0;
        }
        while i < end {
            if col == MAX {
                out.extend_from_slice(b"=\r\n");
                col = 0;
            }
            let take = (MAX - col).min(end - i);
            out.extend_from_slice(&line[i..i + take]);
            col += take;
            i += take;
        }
        if i < line.len() {
            let b = line[i];
            if col + 3 > MAX {
                out.extend_from_slice(b"=\r\n");
                col = 0;
            }
            out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            col += 3;
            i += 1;
        }
    }
}

/// The file name of a recipient's message: readable prefix + digest of the whole id, so ids
/// that differ only in unsafe characters still get different files.
pub fn message_file_name(id: &RecipientId) -> String {
    let mut name = String::with_capacity(64);
    name.extend(
        id.as_str()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(40),
    );
    if !name.is_empty() {
        name.push('-');
    }
    name.push_str(&digest_hex(&[id.as_str()], 16));
    name.push_str(".eml");
    name
}

/// What happened to one recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Sent,
    Skipped,
}

/// One finding the gate raised on an attempt, kept in the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFinding {
    pub tier: String,
    pub attempt: u32,
    pub kind: String,
    pub detail: String,
}

/// One recipient's JSONL record. Format version 1; fields are only ever added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub v: u32,
    pub recipient_id: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The tier the planner chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_tier: Option<String>,
    /// The tier whose email was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Settled cost of every call made for this recipient, all attempts and tiers.
    pub cost: Money,
    /// Model calls made for this recipient (0 for the template tier).
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<RecordFinding>,
    /// Facts offered to the model (or template), as source paths.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts_offered: Vec<String>,
    /// Facts the final email states, with values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts_used: Vec<FactUse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Why the tier differs from the planned one, when it does ("gate", "spend_hot", ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moves: Vec<String>,
    /// Every gate check of every attempt, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gate: Vec<candor_audit::GateCheck>,
}

impl Record {
    pub fn skipped(id: &RecipientId, reason: impl Into<String>) -> Record {
        Record {
            v: 1,
            recipient_id: id.as_str().to_string(),
            status: Status::Skipped,
            skip_reason: Some(reason.into()),
            segment: None,
            planned_tier: None,
            tier: None,
            cost: Money::ZERO,
            attempts: 0,
            findings: Vec::new(),
            facts_offered: Vec::new(),
            facts_used: Vec::new(),
            message_file: None,
            message_id: None,
            moves: Vec::new(),
            gate: Vec::new(),
        }
    }
}

/// Messages a batch directory holds at most.
pub const BATCH_MESSAGES: usize = 1000;
/// How long a batch stays open after its first recipient, at most. On a slow run (a local
/// model, a few emails a second) this sets how big batches get and how much finished work a
/// crash can lose: 5 s keeps directories from holding one or two messages each, and redoing
/// 5 s of work costs no money (remote answers are in the response cache).
pub const BATCH_AGE: Duration = Duration::from_secs(5);

/// An open outbox directory.
///
/// Finished recipients are added to an open batch: messages are written into a hidden
/// staging directory and record lines are held back. [`Outbox::commit`] renames the staging
/// directory to `batch-NNNNNN` (one rename for the whole batch, where a rename per message
/// cost a third of the message's kernel time) and then appends the batch's record lines.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
    records_path: PathBuf,
    records: File,
    /// fsync each message, directory and record batch (power-loss safe). Off, a process crash
    /// (SIGKILL) still loses nothing: the page cache survives it.
    sync: bool,
    /// Number of the next batch directory.
    next_batch: u64,
    /// The open batch's staging directory, once it holds a message.
    staging: Option<Staging>,
    /// The open batch's record lines, appended when it commits.
    lines: Vec<u8>,
    /// Recipients in the open batch (messages and skips).
    queued: usize,
    opened: Option<Instant>,
    /// How long a batch stays open at most ([`BATCH_AGE`] unless set).
    batch_age: Duration,
}

#[derive(Debug)]
struct Staging {
    /// The batch directory's name once committed.
    batch: String,
    path: PathBuf,
}

const BATCH_PREFIX: &str = "batch-";
const STAGING_SUFFIX: &str = ".staging";

fn batch_number(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(BATCH_PREFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The file in an outbox that names the campaign whose emails it holds.
pub const CAMPAIGN_FILE: &str = ".campaign.json";

#[derive(Serialize, Deserialize)]
struct CampaignMark {
    campaign: String,
}

/// Refuse an outbox that holds another campaign's emails (nothing in `dir` is changed).
/// A new outbox, or one written before outboxes were marked, is anyone's.
pub fn check_campaign(dir: &Path, campaign: &str) -> Result<(), OutboxError> {
    if dir.exists() && !dir.is_dir() {
        return Err(OutboxError::NotADirectory(dir.to_path_buf()));
    }
    let file = dir.join(CAMPAIGN_FILE);
    let text = match fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(&file)(e)),
    };
    // A mark that does not parse (edited by hand) names no campaign: it is rewritten.
    match serde_json::from_str::<CampaignMark>(&text) {
        Ok(m) if m.campaign != campaign => Err(OutboxError::OtherCampaign {
            dir: dir.to_path_buf(),
            holds: m.campaign,
            wanted: campaign.to_string(),
            file,
        }),
        _ => Ok(()),
    }
}

/// Mark `dir` (an open outbox) as `campaign`'s.
pub fn mark_campaign(dir: &Path, campaign: &str) -> Result<(), OutboxError> {
    let file = dir.join(CAMPAIGN_FILE);
    let json = serde_json::to_vec(&CampaignMark {
        campaign: campaign.to_string(),
    })?;
    if fs::read(&file).is_ok_and(|old| old == json) {
        return Ok(());
    }
    let part = dir.join(format!("{CAMPAIGN_FILE}.part"));
    fs::write(&part, &json)
        .and_then(|()| fs::rename(&part, &file))
        .map_err(io_err(&file))
}

impl Outbox {
    /// Open (creating) an outbox directory, repair a torn last record line, remove what a
    /// crash left unfinished, and return the records already written (by recipient id; a later
    /// line for the same id wins).
    ///
    /// Unfinished work is: staging directories and temporary files, and messages in the newest
    /// batch whose record lines were not appended before the crash (batches commit in order,
    /// so no older batch can hold one). Those recipients are written again by the resumed run.
    pub fn open(dir: &Path) -> Result<(Outbox, HashMap<String, Record>), OutboxError> {
        if dir.exists() && !dir.is_dir() {
            return Err(OutboxError::NotADirectory(dir.to_path_buf()));
        }
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        let records_path = dir.join(RECORDS_FILE);
        let mut records = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&records_path)
            .map_err(io_err(&records_path))?;
        let done = read_and_repair(&mut records, &records_path)?;
        let mut newest: Option<u64> = None;
        let mut batches = 0usize;
        for entry in fs::read_dir(dir).map_err(io_err(dir))? {
            let entry = entry.map_err(io_err(dir))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(STAGING_SUFFIX) {
                fs::remove_dir_all(entry.path()).map_err(io_err(&entry.path()))?;
            } else if name.starts_with('.') && name.ends_with(".tmp") {
                // A temporary message file of an earlier layout.
                fs::remove_file(entry.path()).map_err(io_err(&entry.path()))?;
            } else if let Some(n) = batch_number(&name) {
                newest = newest.max(Some(n));
                batches += 1;
            }
        }
        if done.is_empty() && batches > 1 {
            return Err(OutboxError::Orphaned(dir.to_path_buf(), batches));
        }
        if let Some(n) = newest {
            remove_unrecorded(dir, &format!("{BATCH_PREFIX}{n:06}"), &done)?;
        }
        Ok((
            Outbox {
                dir: dir.to_path_buf(),
                records_path,
                records,
                sync: true,
                next_batch: newest.map_or(1, |n| n + 1),
                staging: None,
                lines: Vec::new(),
                queued: 0,
                opened: None,
                batch_age: BATCH_AGE,
            },
            done,
        ))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether every write is synced to disk (default on).
    pub fn set_sync(&mut self, sync: bool) {
        self.sync = sync;
    }

    /// How long a batch stays open after its first recipient at most (default [`BATCH_AGE`]).
    pub fn set_batch_age(&mut self, age: Duration) {
        self.batch_age = age;
    }

    /// Add a finished recipient to the open batch: write its message (if it has one) into the
    /// batch and set `record.message_file` to the message's path inside the outbox. Nothing is
    /// visible until [`Outbox::commit`].
    pub fn add(
        &mut self,
        id: &RecipientId,
        record: &mut Record,
        message: Option<&str>,
    ) -> Result<(), OutboxError> {
        if let Some(message) = message {
            let staging = match &mut self.staging {
                Some(s) => s,
                None => {
                    let batch = format!("{BATCH_PREFIX}{:06}", self.next_batch);
                    let path = self.dir.join(format!(".{batch}{STAGING_SUFFIX}"));
                    fs::create_dir(&path).map_err(io_err(&path))?;
                    self.staging.insert(Staging { batch, path })
                }
            };
            let name = message_file_name(id);
            let path = staging.path.join(&name);
            let mut f = File::create(&path).map_err(io_err(&path))?;
            f.write_all(message.as_bytes())
                .and_then(|()| if self.sync { f.sync_data() } else { Ok(()) })
                .map_err(io_err(&path))?;
            let mut file = String::with_capacity(staging.batch.len() + 1 + name.len());
            file.push_str(&staging.batch);
            file.push('/');
            file.push_str(&name);
            record.message_file = Some(file);
        }
        serde_json::to_writer(&mut self.lines, record)?;
        self.lines.push(b'\n');
        self.queued += 1;
        self.opened.get_or_insert_with(Instant::now);
        Ok(())
    }

    /// Recipients in the open batch.
    pub fn pending(&self) -> usize {
        self.queued
    }

    /// When the open batch should commit at the latest (its batch age after it opened).
    pub fn deadline(&self) -> Option<Instant> {
        self.opened.map(|t| t + self.batch_age)
    }

    /// Commit the open batch: rename its staging directory into place, then append its record
    /// lines (one write), so a record always points at a message that exists. Returns how many
    /// recipients it held.
    pub fn commit(&mut self) -> Result<usize, OutboxError> {
        if self.queued == 0 {
            return Ok(0);
        }
        if let Some(s) = self.staging.take() {
            let target = self.dir.join(&s.batch);
            if self.sync {
                sync_dir(&s.path);
            }
            fs::rename(&s.path, &target).map_err(io_err(&target))?;
            if self.sync {
                sync_dir(&self.dir);
            }
            self.next_batch += 1;
        }
        // With O_APPEND a crash can only tear the tail, which `open` repairs.
        self.records
            .write_all(&self.lines)
            .and_then(|()| {
                if self.sync {
                    self.records.sync_data()
                } else {
                    Ok(())
                }
            })
            .map_err(io_err(&self.records_path))?;
        let n = self.queued;
        self.lines.clear();
        self.queued = 0;
        self.opened = None;
        Ok(n)
    }
}

/// Remove the messages of batch `batch` that no record points at (their lines were never
/// appended), and the directory itself if that empties it.
fn remove_unrecorded(
    dir: &Path,
    batch: &str,
    done: &HashMap<String, Record>,
) -> Result<(), OutboxError> {
    let recorded: HashSet<&str> = done
        .values()
        .filter_map(|r| r.message_file.as_deref())
        .filter_map(|f| f.strip_prefix(batch)?.strip_prefix('/'))
        .collect();
    let path = dir.join(batch);
    let mut left = 0usize;
    for entry in fs::read_dir(&path).map_err(io_err(&path))? {
        let entry = entry.map_err(io_err(&path))?;
        let name = entry.file_name();
        if recorded.contains(name.to_string_lossy().as_ref()) {
            left += 1;
        } else {
            fs::remove_file(entry.path()).map_err(io_err(&entry.path()))?;
        }
    }
    if left == 0 {
        fs::remove_dir(&path).map_err(io_err(&path))?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    // Best effort: makes the rename durable on Linux; not supported everywhere.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn read_and_repair(f: &mut File, path: &Path) -> Result<HashMap<String, Record>, OutboxError> {
    let mut done = HashMap::new();
    f.seek(SeekFrom::Start(0)).map_err(io_err(path))?;
    let mut reader = BufReader::new(&mut *f);
    let mut good_len: u64 = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        if buf.last() != Some(&b'\n') {
            break; // torn tail
        }
        match serde_json::from_slice::<Record>(&buf) {
            Ok(r) => {
                done.insert(r.recipient_id.clone(), r);
                good_len += n as u64;
            }
            // A whole line that does not parse can only be a torn write followed by another
            // append; stop trusting the file from here.
            Err(_) => break,
        }
    }
    drop(reader);
    let len = f.metadata().map_err(io_err(path))?.len();
    if len != good_len {
        f.set_len(good_len).map_err(io_err(path))?;
        f.sync_data().map_err(io_err(path))?;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_domain::Limits;
    use mail_parser::{MessageParser, MimeHeaders};

    fn rid(s: &str) -> RecipientId {
        candor_domain::Recipient::from_json(
            &format!(r#"{{"id":{},"email":"a@b.co"}}"#, serde_json::json!(s)),
            &Limits::default(),
        )
        .unwrap()
        .id
    }

    fn sender() -> Sender {
        Sender {
            name: "Northwind Outfitters".into(),
            address: EmailAddress::parse("news@northwind.example").unwrap(),
            postal_address: "12 Harbour St, Portland, OR 97201, USA".into(),
        }
    }

    fn composed() -> Composed {
        Composed {
            subject: "Ana, 20% off winter boots — this week only".into(),
            opener: "Hi Ana, we hope the Trailblazer 2 Hiking Boot has been treating you well in Porto.".into(),
            body: "Winter is here & our <warmest> gear is on sale.\n\nEvery boot is waterproof, \"tested\" on real trails. ".to_string()
                + &"Long line ".repeat(20),
            offer: "Use code WINTER20 at checkout. Ends 2026-12-08.".into(),
        }
    }

    fn spec<'a>(
        s: &'a Sender,
        to: &'a EmailAddress,
        c: &'a Composed,
        r: &'a RecipientId,
    ) -> MessageSpec<'a> {
        MessageSpec {
            from: s,
            to,
            to_name: Some("Ána Løvås"),
            email: c,
            unsubscribe_url: "https://northwind.example/u/abc123?c=winter",
            date: OffsetDateTime::from_unix_timestamp(1_796_000_000).unwrap(),
            campaign: "winter-sale",
            recipient: r,
        }
    }

    #[test]
    fn plain_text_is_the_opener_then_the_shared_part() {
        let s = sender();
        let to = EmailAddress::parse("ana@example.com").unwrap();
        let r = rid("r1");
        let full = composed();
        for (opener, body, offer) in [
            (true, true, true),
            (false, true, true),
            (true, false, false),
            (false, false, false),
            (true, false, true),
        ] {
            let c = Composed {
                subject: full.subject.clone(),
                opener: if opener {
                    full.opener.clone()
                } else {
                    String::new()
                },
                body: if body {
                    full.body.clone()
                } else {
                    String::new()
                },
                offer: if offer {
                    full.offer.clone()
                } else {
                    String::new()
                },
            };
            let sp = spec(&s, &to, &c, &r);
            let text = plain_text(&sp);
            // The reading order a reader sees: parts, a blank line, the signature delimiter.
            let mut want = c.text_without_footer();
            want.push_str("\n\n-- \n");
            assert!(text.starts_with(&want), "{text:?}");
            assert!(text.ends_with("Unsubscribe: https://northwind.example/u/abc123?c=winter\n"));
            let (own, shared) = plain_text_parts(&sp);
            assert_eq!(own, c.opener.trim());
            let joined = if own.is_empty() {
                shared.clone()
            } else {
                format!("{own}\n\n{shared}")
            };
            assert_eq!(joined, text);
        }
    }

    #[test]
    fn shared_copy_encoded_once_gives_the_same_message() {
        let s = sender();
        let to = EmailAddress::parse("ana@example.com").unwrap();
        let r = rid("r1");
        let base = composed();
        let long = "Ünïcödé & <tags> = signs, a very long line ".repeat(6);
        for (opener, body, offer) in [
            (base.opener.clone(), base.body.clone(), base.offer.clone()),
            (format!(".leading dot\n{long}"), long.clone(), String::new()),
            (String::new(), base.body.clone(), base.offer.clone()),
            (
                "Hi Ana,\n\nShort.".to_string(),
                String::new(),
                String::new(),
            ),
            (
                "  Hi Ana, trailing space  ".to_string(),
                "Body\r\nwith CRLF".into(),
                "=3D".into(),
            ),
        ] {
            let c = Composed {
                subject: base.subject.clone(),
                opener,
                body,
                offer,
            };
            let sp = spec(&s, &to, &c, &r);
            let shared = SharedMime::new(&s, &c.body, &c.offer);
            assert_eq!(
                render_message_with(&sp, Some(&shared)).unwrap(),
                render_message(&sp).unwrap(),
                "{c:?}"
            );
            // Encoded for other copy, it is not used.
            let other = SharedMime::new(&s, "Other copy.", &c.offer);
            assert_eq!(
                render_message_with(&sp, Some(&other)).unwrap(),
                render_message(&sp).unwrap()
            );
        }
    }

    #[test]
    fn message_parses_with_both_parts_and_unsubscribe_headers() {
        let s = sender();
        let to = EmailAddress::parse("ana@example.com").unwrap();
        let c = composed();
        let r = rid("r1");
        let raw = render_message(&spec(&s, &to, &c, &r)).unwrap();
        assert!(raw.is_ascii(), "7-bit message");
        for line in raw.split("\r\n") {
            assert!(line.len() <= 78, "line too long: {line}");
        }
        let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
        assert_eq!(m.subject(), Some(c.subject.as_str()));
        let from = m.from().unwrap().first().unwrap();
        assert_eq!(from.address(), Some("news@northwind.example"));
        assert_eq!(from.name(), Some("Northwind Outfitters"));
        let to_h = m.to().unwrap().first().unwrap();
        assert_eq!(to_h.name(), Some("Ána Løvås"));
        assert_eq!(to_h.address(), Some("ana@example.com"));
        assert!(m.date().is_some());
        assert!(m.message_id().unwrap().ends_with("@northwind.example"));
        let unsub = m.header_raw("List-Unsubscribe").unwrap();
        assert_eq!(
            unsub.trim(),
            "<https://northwind.example/u/abc123?c=winter>"
        );
        assert_eq!(
            m.header_raw("List-Unsubscribe-Post").unwrap().trim(),
            "List-Unsubscribe=One-Click"
        );
        assert_eq!(
            m.content_type().unwrap().subtype(),
            Some("alternative"),
            "multipart/alternative"
        );
        let text = m.body_text(0).unwrap();
        assert!(text.contains("Trailblazer 2 Hiking Boot"));
        assert!(text.contains("our <warmest> gear"));
        assert!(text.contains("12 Harbour St, Portland"));
        assert!(text.contains("Unsubscribe: https://northwind.example/u/abc123?c=winter"));
        let html = m.body_html(0).unwrap();
        assert!(html.contains("our &lt;warmest&gt; gear"));
        assert!(html.contains("&quot;tested&quot;"));
        assert!(html.contains("Winter is here &amp; our"));
        assert!(html.contains("href=\"https://northwind.example/u/abc123?c=winter\""));
        assert!(html.contains("12 Harbour St, Portland"));
        assert_eq!(m.text_body_count(), 1);
        assert_eq!(m.html_body_count(), 1);
    }

    #[test]
    fn non_ascii_subject_round_trips() {
        let s = sender();
        let to = EmailAddress::parse("jo@example.com").unwrap();
        let mut c = composed();
        c.subject = "Jörg, ein Angebot für Sie — Größe 44 ✓ "
            .repeat(3)
            .trim()
            .to_string();
        c.opener = "Hallo Jörg, schön, dass Sie da sind. 日本語も大丈夫。".into();
        let r = rid("r2");
        let raw = render_message(&spec(&s, &to, &c, &r)).unwrap();
        assert!(raw.is_ascii());
        assert!(raw.contains("=?UTF-8?B?"));
        let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
        assert_eq!(m.subject(), Some(c.subject.as_str()));
        assert!(m.body_text(0).unwrap().contains("日本語も大丈夫"));
        assert!(m.body_html(0).unwrap().contains("Jörg"));
    }

    #[test]
    fn header_injection_is_impossible() {
        let s = sender();
        let to = EmailAddress::parse("x@example.com").unwrap();
        let mut c = composed();
        c.subject = "Hello\r\nBcc: victim@example.com".into();
        let r = rid("r3");
        let raw = render_message(&spec(&s, &to, &c, &r)).unwrap();
        assert!(!raw.contains("\r\nBcc:"));
        let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
        assert!(m.bcc().is_none());
    }

    #[test]
    fn refuses_http_unsubscribe_and_missing_address() {
        let s = sender();
        let to = EmailAddress::parse("x@example.com").unwrap();
        let c = composed();
        let r = rid("r4");
        let mut sp = spec(&s, &to, &c, &r);
        sp.unsubscribe_url = "http://northwind.example/u";
        assert!(matches!(
            render_message(&sp),
            Err(OutboxError::BadUnsubscribeUrl(_))
        ));
        let mut s2 = sender();
        s2.postal_address = "  ".into();
        let sp = spec(&s2, &to, &c, &r);
        assert!(matches!(
            render_message(&sp),
            Err(OutboxError::NoPostalAddress)
        ));
    }

    /// The char-by-char encoder this file used before, kept to check the byte encoder.
    fn quoted_printable_reference(text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        let text = text.replace("\r\n", "\n");
        let mut lines = text.split('\n').peekable();
        while let Some(line) = lines.next() {
            let last = lines.peek().is_none();
            if last && line.is_empty() {
                break;
            }
            let bytes = line.as_bytes();
            let mut col = 0;
            for (i, &b) in bytes.iter().enumerate() {
                let at_end = i + 1 == bytes.len();
                let literal =
                    (b == b' ' || b == b'\t') && !at_end || (33..=126).contains(&b) && b != b'=';
                // A leading "." or "From " could be mangled by some MTAs; encode a leading dot.
                let literal = literal && !(col == 0 && b == b'.');
                let width = if literal { 1 } else { 3 };
                // Keep one column for a soft break "=".
                if col + width > 75 {
                    out.push_str("=\r\n");
                    col = 0;
                }
                if literal {
                    out.push(b as char);
                } else {
                    const HEX: &[u8; 16] = b"0123456789ABCDEF";
                    out.push('=');
                    out.push(HEX[usize::from(b >> 4)] as char);
                    out.push(HEX[usize::from(b & 15)] as char);
                }
                col += width;
            }
            out.push_str("\r\n");
        }
        out
    }

    #[test]
    fn qp_bytes_equal_the_char_by_char_encoder() {
        // Pieces that meet the encoder's edge cases: line breaks of both kinds and a lone CR,
        // leading dots, trailing and inner blanks, "=", non-ASCII, long runs.
        const PIECES: [&str; 14] = [
            "a", " ", "\t", "\n", "\r\n", "\r", ".", "=", "é", "Zoë", "€", "From ", "xyz", "",
        ];
        let long = "y".repeat(90);
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            let mut t = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                match seed % 16 {
                    15 => t.push_str(&long),
                    k => t.push_str(PIECES[(k % 14) as usize]),
                }
            }
            assert_eq!(
                quoted_printable(&t),
                quoted_printable_reference(&t),
                "{t:?}"
            );
        }
    }

    #[test]
    fn qp_round_trip_and_line_length() {
        let text = "=start . dots\n.leading dot\ntrailing space \n".to_string()
            + &"é".repeat(100)
            + "\n"
            + &"a".repeat(200);
        let qp = quoted_printable(&text);
        for l in qp.split("\r\n") {
            assert!(l.len() <= 76, "{l}");
        }
        assert!(qp.contains("=3Dstart"));
        // Decode and compare.
        let mut bytes = Vec::new();
        let mut it = qp.as_bytes().iter().peekable();
        while let Some(&b) = it.next() {
            if b == b'=' {
                let h = it.next().unwrap();
                if *h == b'\r' {
                    it.next();
                    continue;
                }
                let l = it.next().unwrap();
                let hex = [*h, *l];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).unwrap(), 16).unwrap());
            } else if b == b'\r' {
                bytes.push(b'\n');
                it.next();
            } else {
                bytes.push(b);
            }
        }
        assert_eq!(String::from_utf8(bytes).unwrap(), text + "\n");
    }

    #[test]
    fn file_names_are_stable_and_distinct() {
        let a = message_file_name(&rid("cust/42"));
        let b = message_file_name(&rid("cust:42"));
        assert_ne!(a, b);
        assert_eq!(a, message_file_name(&rid("cust/42")));
        assert!(a.starts_with("cust42-") && a.ends_with(".eml"));
        assert!(message_file_name(&rid("ü")).ends_with(".eml"));
    }

    fn sent(id: &RecipientId) -> Record {
        let mut rec = Record::skipped(id, "x");
        rec.status = Status::Sent;
        rec.skip_reason = None;
        rec
    }

    /// Every `.eml` under the outbox, as paths relative to it.
    fn emls(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().to_string();
            if e.file_type().unwrap().is_dir() {
                for f in fs::read_dir(e.path()).unwrap() {
                    let f = f.unwrap().file_name().to_string_lossy().to_string();
                    out.push(format!("{name}/{f}"));
                }
            } else if name.ends_with(".eml") {
                out.push(name);
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_batch_is_invisible_until_committed_then_records_point_at_its_messages() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ob, done) = Outbox::open(dir.path()).unwrap();
        assert!(done.is_empty());
        let mut a = sent(&rid("a"));
        ob.add(&rid("a"), &mut a, Some("message a")).unwrap();
        let mut b = Record::skipped(&rid("b"), "no_consent");
        ob.add(&rid("b"), &mut b, None).unwrap();
        assert_eq!(ob.pending(), 2);
        assert!(ob.deadline().is_some());
        // Nothing visible yet: the message is in a hidden staging directory, no record line.
        assert_eq!(
            fs::read_to_string(dir.path().join(RECORDS_FILE)).unwrap(),
            ""
        );
        assert!(emls(dir.path()).iter().all(|p| p.starts_with('.')));
        assert_eq!(ob.commit().unwrap(), 2);
        assert_eq!(ob.pending(), 0);
        assert!(ob.deadline().is_none());
        assert_eq!(ob.commit().unwrap(), 0, "an empty batch commits nothing");
        let file = a.message_file.clone().unwrap();
        assert!(file.starts_with("batch-000001/a-"), "{file}");
        assert_eq!(emls(dir.path()), vec![file.clone()]);
        assert_eq!(
            fs::read_to_string(dir.path().join(&file)).unwrap(),
            "message a"
        );
        // The next batch gets the next directory, also after reopening.
        let mut c = sent(&rid("c"));
        ob.add(&rid("c"), &mut c, Some("message c")).unwrap();
        ob.commit().unwrap();
        assert!(c.message_file.unwrap().starts_with("batch-000002/"));
        drop(ob);
        let (mut ob, done) = Outbox::open(dir.path()).unwrap();
        assert_eq!(done.len(), 3);
        assert_eq!(done["a"].message_file.as_deref(), Some(file.as_str()));
        assert_eq!(done["b"].skip_reason.as_deref(), Some("no_consent"));
        let mut d = sent(&rid("d"));
        ob.add(&rid("d"), &mut d, Some("message d")).unwrap();
        ob.commit().unwrap();
        assert!(d.message_file.unwrap().starts_with("batch-000003/"));
    }

    #[test]
    fn reopening_removes_what_a_crash_left_unfinished() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ob, _) = Outbox::open(dir.path()).unwrap();
        let mut a = sent(&rid("a"));
        ob.add(&rid("a"), &mut a, Some("a")).unwrap();
        ob.commit().unwrap();
        // A crash after the batch's rename, before its record lines: batch 2 holds "b" and
        // "c" but only "b"'s line made it (the rest of the append was torn).
        let mut b = sent(&rid("b"));
        ob.add(&rid("b"), &mut b, Some("b")).unwrap();
        let mut c = sent(&rid("c"));
        ob.add(&rid("c"), &mut c, Some("c")).unwrap();
        let lines = std::mem::take(&mut ob.lines);
        ob.queued = 0;
        ob.opened = None;
        let staging = ob.staging.take().unwrap();
        fs::rename(&staging.path, dir.path().join(&staging.batch)).unwrap();
        let first_line = lines.iter().position(|b| *b == b'\n').unwrap() + 1;
        let mut torn = lines[..first_line].to_vec();
        torn.extend_from_slice(&lines[first_line..first_line + 10]);
        ob.records.write_all(&torn).unwrap();
        // And an open batch that never committed.
        let mut d = sent(&rid("d"));
        ob.add(&rid("d"), &mut d, Some("d")).unwrap();
        // And a temporary file of the earlier one-rename-per-message layout.
        fs::write(dir.path().join(".x-1.eml.7.tmp"), "half").unwrap();
        drop(ob);

        let (mut ob, done) = Outbox::open(dir.path()).unwrap();
        let mut ids: Vec<_> = done.keys().cloned().collect();
        ids.sort();
        assert_eq!(ids, ["a", "b"]);
        let files = emls(dir.path());
        assert_eq!(
            files,
            vec![
                a.message_file.clone().unwrap(),
                b.message_file.clone().unwrap()
            ],
            "c's message (no record) and the staging directory are gone"
        );
        assert!(fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with('.')));
        // The resumed run writes c and d once each, in a new batch.
        ob.add(&rid("c"), &mut c, Some("c")).unwrap();
        ob.add(&rid("d"), &mut d, Some("d")).unwrap();
        ob.commit().unwrap();
        assert!(c
            .message_file
            .as_deref()
            .unwrap()
            .starts_with("batch-000003/"));
        drop(ob);
        let (_, done) = Outbox::open(dir.path()).unwrap();
        assert_eq!(done.len(), 4);
        let files = emls(dir.path());
        assert_eq!(files.len(), 4);
        for r in done.values() {
            assert!(files.contains(r.message_file.as_ref().unwrap()));
        }
    }

    #[test]
    fn a_failed_commit_is_an_error_and_leaves_no_record() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ob, _) = Outbox::open(dir.path()).unwrap();
        let mut a = sent(&rid("a"));
        ob.add(&rid("a"), &mut a, Some("a")).unwrap();
        // The staging directory vanishes under the run (a full disk, an operator's rm).
        fs::remove_dir_all(&ob.staging.as_ref().unwrap().path).unwrap();
        let err = ob.commit().unwrap_err();
        assert!(err.to_string().contains("batch-000001"), "{err}");
        drop(ob);
        let (_, done) = Outbox::open(dir.path()).unwrap();
        assert!(
            done.is_empty(),
            "no record for a message that is not in place"
        );
        assert!(emls(dir.path()).is_empty());
    }

    #[test]
    fn a_file_in_the_outbox_place_is_named_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("outbox");
        fs::write(&file, "mine").unwrap();
        let err = Outbox::open(&file).unwrap_err();
        assert!(
            matches!(&err, OutboxError::NotADirectory(p) if *p == file),
            "{err}"
        );
        assert!(err.to_string().contains("not an outbox directory"), "{err}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    }

    #[test]
    fn messages_without_any_records_are_refused_not_removed() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ob, _) = Outbox::open(dir.path()).unwrap();
        for id in ["a", "b"] {
            let mut r = sent(&rid(id));
            ob.add(&rid(id), &mut r, Some(id)).unwrap();
            ob.commit().unwrap();
        }
        drop(ob);
        // Someone deletes the records to "start over": two batches of messages remain.
        fs::remove_file(dir.path().join(RECORDS_FILE)).unwrap();
        let err = Outbox::open(dir.path()).unwrap_err();
        assert!(err.to_string().contains("2 batch directories"), "{err}");
        assert_eq!(emls(dir.path()).len(), 2, "nothing removed");
    }

    #[test]
    fn an_unrecorded_newest_batch_is_removed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ob, _) = Outbox::open(dir.path()).unwrap();
        let mut a = sent(&rid("a"));
        ob.add(&rid("a"), &mut a, Some("a")).unwrap();
        let staging = ob.staging.take().unwrap();
        fs::rename(&staging.path, dir.path().join(&staging.batch)).unwrap();
        ob.queued = 0;
        drop(ob);
        let (ob, done) = Outbox::open(dir.path()).unwrap();
        assert!(done.is_empty());
        assert!(emls(dir.path()).is_empty());
        assert!(!dir.path().join("batch-000001").exists());
        assert_eq!(ob.next_batch, 2, "numbers are not reused");
    }
}
