//! Recipient importers: JSONL (canonical records) and CSV, streamed.
//!
//! Invariants: memory does not grow with the file beyond one 8-byte hash per accepted id (for
//! duplicate detection); a bad row never stops the run — it is written to the quarantine file
//! with its line number, a stable reason code and the reason, and counted.
//!
//! CSV columns: `id, email, first_name, last_name, locale`; `attributes` and `events` hold JSON;
//! `consent` holds JSON (`{"profiling": false}`) or `consent_profiling` holds true/false; any
//! other column becomes a string attribute (`true`/`false` become booleans).

use foldhash::HashMap;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use candor_domain::recipient::{Limits, RecipientError};
use candor_domain::Recipient;
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    /// From the file extension: `.jsonl`/`.ndjson`/`.json` → JSONL, `.csv` → CSV.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot open recipients file `{path}`")]
    Open { path: PathBuf, source: io::Error },
    #[error("cannot tell the format of `{0}`: use a .jsonl, .ndjson or .csv extension")]
    UnknownFormat(PathBuf),
    #[error("cannot write quarantine file `{path}`")]
    Quarantine { path: PathBuf, source: io::Error },
    #[error("reading `{path}` failed at line {line}")]
    Read {
        path: PathBuf,
        line: u64,
        source: io::Error,
    },
    #[error("`{path}`: CSV header {why}")]
    Header { path: PathBuf, why: String },
}

/// One quarantined row, as written (one JSON object per line) to the quarantine file.
#[derive(Debug, Clone, Serialize)]
pub struct QuarantineRow {
    pub file: String,
    pub line: u64,
    pub code: &'static str,
    pub reason: String,
    /// The raw row (lossily decoded, truncated to 2 KiB) so nothing is lost to the operator.
    pub record: String,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct IngestStats {
    pub rows: u64,
    pub accepted: u64,
    pub quarantined: u64,
}

enum Source {
    Jsonl(Box<dyn BufRead + Send>),
    Csv(Box<csv::Reader<Box<dyn Read + Send>>>, Vec<String>),
}

/// Streams validated recipients from a file; bad rows go to the quarantine sink.
pub struct RecipientReader {
    source: Source,
    path: PathBuf,
    line: u64,
    limits: Limits,
    seen: HashMap<u64, u64>,
    quarantine: Option<Box<dyn Write + Send>>,
    quarantine_path: Option<PathBuf>,
    stats: IngestStats,
    failed: Option<IngestError>,
    buf: Vec<u8>,
}

const MAX_RAW_IN_QUARANTINE: usize = 2048;

impl RecipientReader {
    /// Open `path` (format from its extension). Bad rows go to `quarantine` if given.
    pub fn open(path: &Path, quarantine: Option<&Path>) -> Result<RecipientReader, IngestError> {
        let format =
            Format::from_path(path).ok_or_else(|| IngestError::UnknownFormat(path.into()))?;
        let file = File::open(path).map_err(|source| IngestError::Open {
            path: path.into(),
            source,
        })?;
        let q: Option<Box<dyn Write + Send>> = match quarantine {
            Some(qp) => Some(Box::new(BufWriter::new(File::create(qp).map_err(
                |source| IngestError::Quarantine {
                    path: qp.into(),
                    source,
                },
            )?))),
            None => None,
        };
        let mut r = RecipientReader::from_reader(
            Box::new(BufReader::with_capacity(256 * 1024, file)),
            format,
            path,
            q,
        )?;
        r.quarantine_path = quarantine.map(Path::to_path_buf);
        Ok(r)
    }

    /// Read from any byte stream (`name` is used in messages and quarantine rows).
    pub fn from_reader(
        reader: Box<dyn BufRead + Send>,
        format: Format,
        name: &Path,
        quarantine: Option<Box<dyn Write + Send>>,
    ) -> Result<RecipientReader, IngestError> {
        let source = match format {
            Format::Jsonl => Source::Jsonl(reader),
            Format::Csv => {
                let inner: Box<dyn Read + Send> = Box::new(CrlfToLf {
                    inner: reader,
                    cr: false,
                });
                let mut rdr = csv::ReaderBuilder::new()
                    .flexible(true)
                    .has_headers(true)
                    .from_reader(inner);
                let headers = rdr.byte_headers().map_err(|e| IngestError::Header {
                    path: name.into(),
                    why: e.to_string(),
                })?;
                let headers: Vec<String> = headers
                    .iter()
                    .map(|h| {
                        String::from_utf8_lossy(h)
                            .trim()
                            .trim_start_matches('\u{feff}')
                            .to_ascii_lowercase()
                    })
                    .collect();
                for required in ["id", "email"] {
                    if !headers.iter().any(|h| h == required) {
                        return Err(IngestError::Header {
                            path: name.into(),
                            why: format!(
                                "has no `{required}` column (found: {})",
                                headers.join(", ")
                            ),
                        });
                    }
                }
                Source::Csv(Box::new(rdr), headers)
            }
        };
        Ok(RecipientReader {
            source,
            path: name.into(),
            line: 0,
            limits: Limits::default(),
            seen: HashMap::default(),
            quarantine,
            quarantine_path: None,
            stats: IngestStats::default(),
            failed: None,
            buf: Vec::with_capacity(4096),
        })
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn stats(&self) -> IngestStats {
        self.stats
    }

    pub fn quarantine_path(&self) -> Option<&Path> {
        self.quarantine_path.as_deref()
    }

    /// A fatal read error (I/O), if the stream stopped because of one.
    pub fn take_error(&mut self) -> Option<IngestError> {
        self.failed.take()
    }

    /// Flush the quarantine file; call once at the end.
    pub fn finish(mut self) -> Result<IngestStats, IngestError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if let Some(q) = self.quarantine.as_mut() {
            q.flush().map_err(|source| IngestError::Quarantine {
                path: self.quarantine_path.clone().unwrap_or_default(),
                source,
            })?;
        }
        Ok(self.stats)
    }

    fn quarantine_row(&mut self, line: u64, err: &RecipientError, raw: &[u8]) {
        self.stats.quarantined += 1;
        let Some(q) = self.quarantine.as_mut() else {
            return;
        };
        let mut record =
            String::from_utf8_lossy(&raw[..raw.len().min(MAX_RAW_IN_QUARANTINE)]).into_owned();
        if raw.len() > MAX_RAW_IN_QUARANTINE {
            record.push('…');
        }
        let row = QuarantineRow {
            file: self.path.display().to_string(),
            line,
            code: err.code(),
            reason: err.to_string(),
            record,
        };
        let ok = serde_json::to_writer(&mut *q, &row).is_ok() && q.write_all(b"\n").is_ok();
        if !ok && self.failed.is_none() {
            self.failed = Some(IngestError::Quarantine {
                path: self.quarantine_path.clone().unwrap_or_default(),
                source: io::Error::other("write failed"),
            });
        }
    }

    /// Accept or quarantine one parsed row.
    fn admit(
        &mut self,
        line: u64,
        parsed: Result<Recipient, RecipientError>,
        raw: &[u8],
    ) -> Option<Recipient> {
        self.stats.rows += 1;
        let r = match parsed {
            Ok(r) => r,
            Err(e) => {
                self.quarantine_row(line, &e, raw);
                return None;
            }
        };
        let mut h = DefaultHasher::new();
        r.id.as_str().hash(&mut h);
        let key = h.finish();
        if let Some(first) = self.seen.get(&key) {
            let e = RecipientError::DuplicateId(r.id.to_string(), *first);
            self.quarantine_row(line, &e, raw);
            return None;
        }
        self.seen.insert(key, line);
        self.stats.accepted += 1;
        Some(r)
    }

    fn next_jsonl(&mut self) -> Option<Recipient> {
        loop {
            let Source::Jsonl(reader) = &mut self.source else {
                return None;
            };
            self.buf.clear();
            let limit = self.limits.record_bytes;
            let (n, overflow) = match read_line_bounded(reader, &mut self.buf, limit) {
                Ok(x) => x,
                Err(source) => {
                    self.failed = Some(IngestError::Read {
                        path: self.path.clone(),
                        line: self.line + 1,
                        source,
                    });
                    return None;
                }
            };
            if n == 0 {
                return None;
            }
            self.line += 1;
            let line = self.line;
            let raw = std::mem::take(&mut self.buf);
            let trimmed = trim_ascii(&raw);
            if trimmed.is_empty() {
                self.buf = raw;
                continue;
            }
            let parsed = if overflow {
                Err(RecipientError::TooLarge {
                    field: "record".into(),
                    limit,
                })
            } else {
                match std::str::from_utf8(trimmed) {
                    Err(_) => Err(RecipientError::InvalidUtf8),
                    Ok(text) => Recipient::from_json(text, &self.limits),
                }
            };
            let out = self.admit(line, parsed, trimmed);
            self.buf = raw;
            if out.is_some() {
                return out;
            }
        }
    }

    fn next_csv(&mut self) -> Option<Recipient> {
        loop {
            let Source::Csv(rdr, headers) = &mut self.source else {
                return None;
            };
            let mut rec = csv::ByteRecord::new();
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    // A malformed CSV row: quarantine it and go on if the reader can.
                    let line = e.position().map(|p| p.line()).unwrap_or(self.line + 1);
                    self.line = line;
                    let is_io = matches!(e.kind(), csv::ErrorKind::Io(_));
                    if is_io {
                        self.failed = Some(IngestError::Read {
                            path: self.path.clone(),
                            line,
                            source: io::Error::other(e.to_string()),
                        });
                        return None;
                    }
                    if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                        self.admit(line, Err(RecipientError::InvalidUtf8), b"");
                    } else {
                        self.admit(
                            line,
                            Err(RecipientError::BadJson(format!("malformed CSV row: {e}"))),
                            b"",
                        );
                    }
                    continue;
                }
            }
            let line = rec.position().map(|p| p.line()).unwrap_or(self.line + 1);
            self.line = line;
            let raw = rec.as_slice().to_vec();
            let parsed = csv_row_to_recipient(headers, &rec, &self.limits);
            if let Some(r) = self.admit(line, parsed, &raw_csv_text(&rec, &raw)) {
                return Some(r);
            }
        }
    }
}

/// Reads through, turning each CRLF into LF. The csv crate counts every record that follows
/// a CRLF terminator one line short (BurntSushi/rust-csv#395), so quarantine rows of a file
/// saved on Windows named the line before the bad one. A CRLF inside a quoted field becomes LF.
struct CrlfToLf {
    inner: Box<dyn BufRead + Send>,
    /// The last chunk ended with `\r`, held back until the next byte says whether it ends a CRLF.
    cr: bool,
}

impl Read for CrlfToLf {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let avail = self.inner.fill_buf()?;
            if avail.is_empty() {
                // End of input: a held `\r` was a lone one.
                return Ok(if std::mem::take(&mut self.cr) {
                    out[0] = b'\r';
                    1
                } else {
                    0
                });
            }
            let (mut r, mut w) = (0, 0);
            if std::mem::take(&mut self.cr) && avail[0] != b'\n' {
                out[0] = b'\r';
                w = 1;
            }
            while r < avail.len() && w < out.len() {
                let b = avail[r];
                r += 1;
                if b == b'\r' {
                    match avail.get(r) {
                        Some(b'\n') => continue,
                        Some(_) => {}
                        None => {
                            self.cr = true;
                            break;
                        }
                    }
                }
                out[w] = b;
                w += 1;
            }
            self.inner.consume(r);
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

fn raw_csv_text(rec: &csv::ByteRecord, _flat: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, f) in rec.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(f);
    }
    out
}

impl Iterator for RecipientReader {
    type Item = Recipient;
    fn next(&mut self) -> Option<Recipient> {
        if self.failed.is_some() {
            return None;
        }
        match self.source {
            Source::Jsonl(_) => self.next_jsonl(),
            Source::Csv(..) => self.next_csv(),
        }
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map(|i| i + 1)
        .unwrap_or(start);
    // A UTF-8 BOM on the first line is not part of the record.
    let s = &b[start..end.max(start)];
    s.strip_prefix(b"\xef\xbb\xbf").unwrap_or(s)
}

/// Read one line into `buf`, keeping at most `limit` bytes; the rest of an over-long line is
/// consumed and dropped so memory stays bounded. Returns (bytes consumed, overflowed).
fn read_line_bounded(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut overflow = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((consumed, overflow));
        }
        let (take, done) = match chunk.iter().position(|&c| c == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !overflow {
            let room = limit.saturating_sub(buf.len());
            if take > room {
                overflow = true;
                buf.extend_from_slice(&chunk[..room.min(take)]);
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        r.consume(take);
        consumed += take;
        if done {
            return Ok((consumed, overflow));
        }
    }
}

fn csv_row_to_recipient(
    headers: &[String],
    rec: &csv::ByteRecord,
    limits: &Limits,
) -> Result<Recipient, RecipientError> {
    let total: usize = rec.iter().map(<[u8]>::len).sum();
    if total > limits.record_bytes {
        return Err(RecipientError::TooLarge {
            field: "record".into(),
            limit: limits.record_bytes,
        });
    }
    let mut obj = Map::new();
    let mut attrs = Map::new();
    for (i, field) in rec.iter().enumerate() {
        let Some(h) = headers.get(i) else {
            if field.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Err(RecipientError::UnknownField(format!(
                "column {} (no header)",
                i + 1
            )));
        };
        let text = std::str::from_utf8(field)
            .map_err(|_| RecipientError::InvalidUtf8)?
            .trim();
        if text.is_empty() {
            continue;
        }
        match h.as_str() {
            "id" | "email" | "first_name" | "last_name" | "locale" => {
                obj.insert(h.clone(), Value::String(text.to_string()));
            }
            "attributes" | "events" | "consent" => {
                let v: Value = serde_json::from_str(text)
                    .map_err(|e| RecipientError::BadJson(format!("column `{h}`: {e}")))?;
                if h == "attributes" {
                    if let Value::Object(m) = v {
                        attrs.extend(m);
                    } else {
                        return Err(RecipientError::WrongType {
                            field: "attributes".into(),
                            expected: "a JSON object",
                        });
                    }
                } else {
                    obj.insert(h.clone(), v);
                }
            }
            "consent_profiling" => {
                let b = match text.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => true,
                    "false" | "no" | "0" => false,
                    _ => {
                        return Err(RecipientError::WrongType {
                            field: "consent_profiling".into(),
                            expected: "true or false",
                        })
                    }
                };
                obj.insert("consent".into(), serde_json::json!({ "profiling": b }));
            }
            other => {
                let v = match text {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    t => Value::String(t.to_string()),
                };
                attrs.insert(other.to_string(), v);
            }
        }
    }
    if !attrs.is_empty() {
        obj.insert("attributes".into(), Value::Object(attrs));
    }
    Recipient::from_value(Value::Object(obj), limits)
}

/// The default quarantine path for a recipients file: `<file>.quarantine.jsonl`.
pub fn default_quarantine_path(recipients: &Path) -> PathBuf {
    let mut p = recipients.as_os_str().to_owned();
    p.push(".quarantine.jsonl");
    PathBuf::from(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn run(
        format: Format,
        data: &[u8],
        limits: Limits,
    ) -> (Vec<Recipient>, Vec<Value>, IngestStats) {
        let sink = Sink::default();
        let r = RecipientReader::from_reader(
            Box::new(io::Cursor::new(data.to_vec())),
            format,
            Path::new("in.data"),
            Some(Box::new(sink.clone())),
        )
        .unwrap()
        .with_limits(limits);
        let mut r = r;
        let got: Vec<Recipient> = r.by_ref().collect();
        let stats = r.finish().unwrap();
        let q = sink.0.lock().unwrap().clone();
        let rows = String::from_utf8(q)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (got, rows, stats)
    }

    #[test]
    fn jsonl_every_quarantine_reason_with_line_numbers() {
        let mut data = Vec::new();
        data.extend_from_slice(b"{\"id\":\"1\",\"email\":\"a@b.co\"}\n"); // 1 ok
        data.extend_from_slice(b"{\"id\":\"2\",\"email\":\"not-an-email\"}\n"); // 2 invalid_email
        data.extend_from_slice(b"{\"id\":\"1\",\"email\":\"c@d.co\"}\n"); // 3 duplicate
        data.extend_from_slice(b"{\"id\":\"3\",\"email\":\n"); // 4 bad json
        data.extend_from_slice(b"{\"id\":\"4\",\"email\":\"a@b.co\",\"events\":[{\"type\":\"purchase\",\"at\":\"2026-02-31\"}]}\n"); // 5 bad date
        data.extend_from_slice(
            b"{\"id\":\"5\",\"email\":\"a@b.co\",\"first_name\":\"\xff\xfe\"}\n",
        ); // 6 utf8
        data.extend_from_slice(
            format!(
                "{{\"id\":\"6\",\"email\":\"a@b.co\",\"first_name\":\"{}\"}}\n",
                "x".repeat(500)
            )
            .as_bytes(),
        ); // 7 too large field
        data.extend_from_slice(b"{\"id\":\"7\",\"email\":\"a@b.co\",\"events\":[{\"type\":\"pur chase\",\"at\":\"2026-01-01\"}]}\n"); // 8 event shape
        data.extend_from_slice(b"\n"); // 9 blank: skipped
        data.extend_from_slice(
            format!(
                "{{\"id\":\"8\",\"email\":\"a@b.co\",\"x\":\"{}\"}}\n",
                "y".repeat(5000)
            )
            .as_bytes(),
        ); // 10 record too large
        data.extend_from_slice(b"{\"id\":\"9\",\"email\":\"e@f.co\"}"); // 11 ok, no trailing newline
        let limits = Limits {
            record_bytes: 4096,
            ..Limits::default()
        };
        let (got, q, stats) = run(Format::Jsonl, &data, limits);
        assert_eq!(
            got.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["1", "9"]
        );
        let reasons: Vec<(u64, String)> = q
            .iter()
            .map(|v| {
                (
                    v["line"].as_u64().unwrap(),
                    v["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            reasons,
            vec![
                (2, "invalid_email".into()),
                (3, "duplicate_id".into()),
                (4, "bad_json".into()),
                (5, "bad_date".into()),
                (6, "invalid_utf8".into()),
                (7, "too_large".into()),
                (8, "unknown_event_shape".into()),
                (10, "too_large".into()),
            ]
        );
        assert!(q[1]["reason"]
            .as_str()
            .unwrap()
            .contains("first seen on line 1"));
        assert_eq!(
            stats,
            IngestStats {
                rows: 10,
                accepted: 2,
                quarantined: 8
            }
        );
    }

    #[test]
    fn csv_maps_onto_the_canonical_record() {
        let data = "id,email,first_name,last_name,locale,city,vip,attributes,events,consent_profiling\n\
            1,ana@example.com,Ána,Silva,pt-PT,Porto,true,\"{\"\"loyalty_tier\"\":\"\"Gold\"\"}\",\"[{\"\"type\"\":\"\"purchase\"\",\"\"at\"\":\"\"2026-01-02\"\",\"\"product\"\":\"\"Boot\"\"}]\",false\n\
            2,bad,,,,,,,,\n\
            3,zoe@example.com,Zoë,,,,,,\"[{\"\"type\"\":\"\"view\"\"}]\",\n\
            4,li@example.com,美咲,,,,,,,\n";
        let (got, q, stats) = run(Format::Csv, data.as_bytes(), Limits::default());
        assert_eq!(got.len(), 2);
        let a = &got[0];
        assert_eq!(a.first_name.as_deref(), Some("Ána"));
        assert_eq!(a.attr("city").unwrap().to_text(), "Porto");
        assert_eq!(a.attr("vip"), Some(&candor_domain::AttrValue::Bool(true)));
        assert_eq!(a.attr("loyalty_tier").unwrap().to_text(), "Gold");
        assert_eq!(a.events[0].field_text("product").as_deref(), Some("Boot"));
        assert!(!a.profiling_allowed());
        assert_eq!(got[1].first_name.as_deref(), Some("美咲"));
        assert_eq!(q.len(), 2);
        assert_eq!(
            (q[0]["line"].as_u64(), q[0]["code"].as_str()),
            (Some(3), Some("invalid_email"))
        );
        assert_eq!(
            (q[1]["line"].as_u64(), q[1]["code"].as_str()),
            (Some(4), Some("unknown_event_shape"))
        );
        assert_eq!(stats.quarantined, 2);
    }

    /// A CSV saved with CRLF line ends (Excel on Windows), with a BOM, quarantines the same
    /// lines as its LF twin: the csv crate alone counts them one short.
    #[test]
    fn csv_with_crlf_names_the_right_lines() {
        let lf = "\u{feff}id,email,first_name,events\n\
            1,ana@example.com,Ana,\n\
            2,bad,,\n\
            3,zoe@example.com,\"Zo\në\",\n\
            4,nope,,\n\
            5,li@example.com,Li,\"[{\"\"type\"\":\"\"view\"\"}]\"\n";
        let lines = |data: &str| {
            let (got, q, _) = run(Format::Csv, data.as_bytes(), Limits::default());
            let q: Vec<_> = q
                .iter()
                .map(|v| {
                    (
                        v["line"].as_u64().unwrap(),
                        v["code"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (got.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(), q)
        };
        let want = (
            vec!["1".to_string(), "3".to_string()],
            vec![
                (3, "invalid_email".to_string()),
                (6, "invalid_email".to_string()),
                (7, "unknown_event_shape".to_string()),
            ],
        );
        assert_eq!(lines(lf), want);
        assert_eq!(lines(&lf.replace('\n', "\r\n")), want);
        let (got, _, _) = run(
            Format::Csv,
            lf.replace('\n', "\r\n").as_bytes(),
            Limits::default(),
        );
        assert_eq!(got[1].first_name.as_deref(), Some("Zo\në"));
    }

    /// CRLF becomes LF wherever the chunk boundaries fall; a lone CR stays.
    #[test]
    fn crlf_to_lf_across_chunk_boundaries() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for case in 0..500 {
            let len = case % 40;
            let input: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    [b'\r', b'\n', b'a', b'"'][(seed % 4) as usize]
                })
                .collect();
            let want = String::from_utf8(input.clone())
                .unwrap()
                .replace("\r\n", "\n")
                .into_bytes();
            for (cap, out_len) in [(1, 1), (1, 7), (2, 1), (3, 2), (64, 5), (64, 64)] {
                let mut r = CrlfToLf {
                    inner: Box::new(io::BufReader::with_capacity(
                        cap,
                        io::Cursor::new(input.clone()),
                    )),
                    cr: false,
                };
                let mut got = Vec::new();
                let mut buf = vec![0; out_len];
                loop {
                    let n = r.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                assert_eq!(got, want, "{input:?} cap {cap} out {out_len}");
            }
        }
    }

    #[test]
    fn csv_without_required_columns_is_a_clear_error() {
        let e = RecipientReader::from_reader(
            Box::new(io::Cursor::new(b"name,mail\nx,y\n".to_vec())),
            Format::Csv,
            Path::new("list.csv"),
            None,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("list.csv") && e.contains("`id`"), "{e}");
    }

    #[test]
    fn bounded_line_reader_drops_the_tail() {
        let mut r = io::Cursor::new(b"abcdefgh\nij\n".to_vec());
        let mut buf = Vec::new();
        assert_eq!(read_line_bounded(&mut r, &mut buf, 4).unwrap(), (9, true));
        assert_eq!(buf, b"abcd");
        buf.clear();
        assert_eq!(read_line_bounded(&mut r, &mut buf, 4).unwrap(), (3, false));
        assert_eq!(buf, b"ij\n");
    }
}
