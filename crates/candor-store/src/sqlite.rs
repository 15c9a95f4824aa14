//! The embedded [`Store`]: one SQLite file in WAL mode holding the ledger, budgets, open
//! reservations and the response cache.
//!
//! Job: make the budget book durable without putting a disk commit on every call's path.
//!
//! How: budgets are decided in memory (the same [`Book`] as [`crate::MemoryStore`], under one
//! mutex: atomic across scopes, microseconds), and every change is sent, in order, to one writer
//! thread that commits them in batches (every `batch_rows` operations or `batch_interval`,
//! whichever comes first, and at once when someone waits for durability).
//!
//! Invariants:
//! - Spent is never lost to a crash: with `durable_reservations` (the default) a reservation's
//!   row is committed before [`Store::reserve`] returns, so before the provider is called. If the
//!   process dies before the settle reaches the disk, the next open finds the reservation and
//!   charges its worst case (`abandoned`), which is never less than the call could have cost.
//! - Settle and its ledger row are one operation in one transaction: the ledger and the
//!   reservations never disagree on disk.
//! - On open, spent per scope is recomputed from the ledger (the ledger is the truth), so a
//!   budget can never drift from the sum of its rows.
//! - One process writes a file at a time (SQLite's model); reservations found on open belong to a
//!   process that is gone and are reconciled (`reconcile_on_open`), except those of a provider
//!   batch (`batch_id` set), which stay open until they expire: the batch outlives the process
//!   and a later run settles them from its results. Many writers is Postgres's job.
//! - Dropping the store flushes and joins the writer.

use foldhash::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use candor_domain::{Completion, Money, TokenCount, Usage};
use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::oneshot;

use crate::book::Book;
use crate::doorbell::Doorbell;
use crate::memory::abandoned_row;
use crate::{
    now_ms, AttemptLabel, Attribution, BoxFuture, BudgetStatus, CacheKey, Caps, GateVerdict,
    LedgerEntry, LedgerFilter, LedgerId, LedgerRow, Outcome, RecipientKey, ReconcileReport,
    ReservationId, ReserveError, Scope, Store, StoreError,
};

/// Tuning of the SQLite store.
#[derive(Clone, Debug)]
pub struct SqliteOptions {
    /// Commit after this many queued operations.
    pub batch_rows: usize,
    /// Or after this long since the first uncommitted one.
    pub batch_interval: Duration,
    /// Wait for a reservation's row to be committed before the call goes out (see the module
    /// doc). Off trades crash-safety of in-flight spend for a faster `reserve`.
    pub durable_reservations: bool,
    /// Charge every reservation found on open (the file has one writer process, so they are all
    /// a dead process's). Off: only expired ones are charged.
    pub reconcile_on_open: bool,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            batch_rows: 512,
            batch_interval: Duration::from_millis(5),
            durable_reservations: true,
            reconcile_on_open: true,
        }
    }
}

type Ack = oneshot::Sender<Result<(), String>>;

struct CacheWrite {
    key: [u8; 32],
    model: String,
    json: String,
}

enum Op {
    Reserve {
        id: i64,
        attribution: Attribution,
        label: AttemptLabel,
        amount: i64,
        expires_ms: i64,
        ack: Option<Ack>,
    },
    /// Settle or release: delete the reservation, insert the row if any, and store the
    /// call's answer in the response cache if given (same transaction).
    Close {
        id: i64,
        row: Option<(i64, LedgerRow)>,
        cache: Option<CacheWrite>,
    },
    Ledger(i64, LedgerRow),
    Gate(i64, GateVerdict),
    CachePut {
        key: [u8; 32],
        model: String,
        json: String,
    },
    Limit {
        key: String,
        limit: Option<i64>,
    },
    Flush(Ack),
    Shutdown,
}

struct State {
    book: Book,
    /// Sends with spend in the ledger before this process opened it (approximate membership).
    prior_sends: Bloom,
    next_ledger: i64,
}

pub struct SqliteStore {
    state: Mutex<State>,
    /// The first 8 bytes of every response-cache key this process knows to be stored (read
    /// at open, added on every put): a lookup for any other key is a miss without a query.
    /// A key another process stores after this one opened is missed, which costs one call,
    /// never a wrong answer (a hit is read from the table, or from `hot`: an answer this
    /// process itself stored or read).
    cache_keys: Mutex<HashSet<u64>>,
    /// Completions this process stored or read, by key: a response repeated within a run is
    /// answered without a query and a decode. Bounded; emptied when full.
    hot: Mutex<HashMap<[u8; 32], Completion>>,
    queue: Arc<Doorbell<Op>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    reader: Mutex<Connection>,
    failed: Arc<Mutex<Option<String>>>,
    owner: String,
    options: SqliteOptions,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    campaign TEXT NOT NULL,
    segment TEXT NOT NULL,
    send_id TEXT,
    batch_id TEXT,
    tier TEXT NOT NULL,
    stage TEXT NOT NULL,
    recipient_key TEXT,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    usage_reported INTEGER NOT NULL,
    cost_picos INTEGER NOT NULL,
    reserved_picos INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    gate_verdict TEXT,
    detail TEXT,
    compute_ms INTEGER
);
CREATE TABLE IF NOT EXISTS budgets (
    scope TEXT PRIMARY KEY,
    limit_picos INTEGER
);
CREATE TABLE IF NOT EXISTS reservations (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    campaign TEXT NOT NULL,
    segment TEXT NOT NULL,
    send_id TEXT,
    batch_id TEXT,
    amount_picos INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    tier TEXT NOT NULL,
    stage TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    recipient_key TEXT
);
CREATE TABLE IF NOT EXISTS response_cache (
    key BLOB PRIMARY KEY,
    model TEXT NOT NULL,
    completion TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
";

const CAP_SEND: &str = "cap:send";
const CAP_BATCH: &str = "cap:batch";

/// Bring a ledger written by an earlier candor up to the current columns.
fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let has_compute = conn
        .prepare("SELECT 1 FROM pragma_table_info('ledger') WHERE name = 'compute_ms'")?
        .exists([])?;
    if !has_compute {
        conn.execute_batch("ALTER TABLE ledger ADD COLUMN compute_ms INTEGER")?;
    }
    Ok(())
}

fn picos(m: Money) -> Result<i64, StoreError> {
    i64::try_from(m.picos()).map_err(|_| StoreError::Overflow(m.to_exact_string()))
}

fn tokens(t: TokenCount) -> i64 {
    i64::try_from(t.0).unwrap_or(i64::MAX)
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.display().to_string(),
        source,
    };
    let conn = Connection::open(path).map_err(open_err)?;
    // WAL: readers (the audit, a dashboard) never block the writer. synchronous=NORMAL in WAL
    // mode survives a process crash; only an OS crash can lose the last commits.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(open_err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(open_err)?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(open_err)?;
    Ok(conn)
}

/// Spend the ledger records, by scope: what [`SqliteStore::read_spend`] returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerSpend {
    /// Every campaign's calls.
    pub global: Money,
    /// The campaign asked for.
    pub campaign: Money,
    /// The campaign's calls by segment.
    pub segments: std::collections::BTreeMap<String, Money>,
}

impl SqliteStore {
    /// What the ledger at `path` says was spent, globally and by `campaign` and its segments;
    /// `None` when there is no store at `path` yet.
    ///
    /// Opened read-only: unlike [`SqliteStore::open`] this neither creates nor migrates the
    /// file, and leaves reservations a previous process left open alone, so a forecast can
    /// read it while a run writes to it. Those open reservations are not counted: the next
    /// run that opens the store settles them.
    pub fn read_spend(path: &Path, campaign: &str) -> Result<Option<LedgerSpend>, StoreError> {
        if !path.exists() {
            return Ok(None);
        }
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        // Summed per group in SQL (a group's picodollars fit 64 bits while the store's own
        // columns do) and across groups here, exactly.
        let mut stmt = conn
            .prepare(
                "SELECT campaign, segment, SUM(cost_picos) FROM ledger WHERE cost_picos != 0 \
                 GROUP BY campaign, segment",
            )
            .map_err(open_err)?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut spend = LedgerSpend::default();
        for row in rows {
            let (c, segment, picos) = row?;
            let m = Money::from_picos(picos.into());
            spend.global += m;
            if c == campaign {
                spend.campaign += m;
                *spend.segments.entry(segment).or_default() += m;
            }
        }
        Ok(Some(spend))
    }

    /// Open (creating if needed) the store at `path` and reconcile what a previous process left.
    pub fn open(path: impl AsRef<Path>, options: SqliteOptions) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = connect(&path)?;
        conn.execute_batch(SCHEMA)?;
        migrate(&conn)?;
        let owner = format!("pid{}-{}", std::process::id(), now_ms());

        let mut book = Book::new(1);
        let mut caps = Caps::default();
        {
            let mut stmt = conn.prepare("SELECT scope, limit_picos FROM budgets")?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
            })?;
            for row in rows {
                let (key, limit) = row?;
                let limit = limit.map(|l| Money::from_picos(l.into()));
                match key.as_str() {
                    CAP_SEND => caps.per_send = limit,
                    CAP_BATCH => caps.per_batch = limit,
                    k => match Scope::from_key(k) {
                        Some(s) => book.set_limit(s, limit),
                        None => {
                            return Err(StoreError::Corrupt(format!("unknown budget scope `{k}`")))
                        }
                    },
                }
            }
        }
        book.set_caps(caps);
        // Spent is the ledger: replay it.
        let prior: i64 = conn.query_row(
            "SELECT COUNT(DISTINCT send_id) FROM ledger WHERE cost_picos != 0 AND send_id IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        let mut prior_sends = Bloom::with_capacity(usize::try_from(prior).unwrap_or(0));
        {
            let mut stmt = conn.prepare(
                "SELECT campaign, segment, send_id, batch_id, cost_picos FROM ledger WHERE cost_picos != 0",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    Attribution {
                        campaign: r.get(0)?,
                        segment: r.get(1)?,
                        send_id: r.get(2)?,
                        batch_id: r.get(3)?,
                    },
                    r.get::<_, i64>(4)?,
                ))
            })?;
            for row in rows {
                let (a, cost) = row?;
                if let Some(x) = &a.send_id {
                    prior_sends.insert(x);
                }
                book.charge_except_send(&a, Money::from_picos(cost.into()));
            }
        }
        let mut next_ledger: i64 =
            conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM ledger", [], |r| {
                r.get(0)
            })?;
        // Reservations a previous process left open.
        type Leftover = (i64, Attribution, i64, i64, AttemptLabel);
        let leftovers: Vec<Leftover> = {
            let mut stmt = conn.prepare(
                "SELECT id, campaign, segment, send_id, batch_id, amount_picos, expires_ms, \
                 tier, stage, provider, model, attempt, recipient_key FROM reservations",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    Attribution {
                        campaign: r.get(1)?,
                        segment: r.get(2)?,
                        send_id: r.get(3)?,
                        batch_id: r.get(4)?,
                    },
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    AttemptLabel {
                        tier: r.get(7)?,
                        stage: r.get(8)?,
                        provider: r.get(9)?,
                        model: r.get(10)?,
                        attempt: r.get(11)?,
                        recipient: r
                            .get::<_, Option<String>>(12)?
                            .and_then(|k| RecipientKey::from_hex(&k)),
                    },
                ))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let now = now_ms();
        {
            let tx = conn.transaction()?;
            for (id, a, amount, expires, label) in leftovers {
                // A reservation for a provider batch outlives the process that submitted it:
                // the batch goes on without it, and the next run collects its results and
                // settles it (until it expires).
                let orphaned = options.reconcile_on_open && a.batch_id.is_none();
                if orphaned || expires < now {
                    let m = Money::from_picos(amount.into());
                    insert_ledger(&tx, next_ledger, &abandoned_row(&a, m, &label))?;
                    next_ledger += 1;
                    tx.execute("DELETE FROM reservations WHERE id = ?1", [id])?;
                    if let Some(x) = &a.send_id {
                        prior_sends.insert(x);
                    }
                    book.charge_except_send(&a, m);
                } else {
                    if let Some(x) = &a.send_id {
                        if book.needs_send_seed(x) {
                            book.seed_send(x, send_spent_scan(&tx, x)?);
                        }
                    }
                    book.adopt(id, &a, Money::from_picos(amount.into()), expires, label);
                }
            }
            tx.commit()?;
        }
        let max_res: i64 =
            conn.query_row("SELECT COALESCE(MAX(id), 0) FROM reservations", [], |r| {
                r.get(0)
            })?;
        book.bump_next_id(max_res + 1);

        let reader = connect(&path)?;
        // Past spend per send, computed once here so that looking a send up later costs one
        // keyed read and the ledger needs no send index (an index would tax every insert).
        reader.execute_batch(
            "CREATE TEMP TABLE prior_send_spend (send_id TEXT PRIMARY KEY, spent INTEGER NOT NULL);
             INSERT INTO prior_send_spend SELECT send_id, SUM(cost_picos) FROM ledger
                 WHERE send_id IS NOT NULL AND cost_picos != 0 GROUP BY send_id;",
        )?;
        let cache_keys = {
            let mut stmt = conn.prepare("SELECT key FROM response_cache")?;
            let keys = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
            let mut set = HashSet::default();
            for k in keys {
                set.insert(key_prefix(&k?));
            }
            set
        };
        let queue = Arc::new(Doorbell::new(options.batch_rows));
        let failed = Arc::new(Mutex::new(None));
        let writer = {
            let failed = Arc::clone(&failed);
            let opts = options.clone();
            let owner = owner.clone();
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name("candor-store-writer".to_string())
                .spawn(move || writer_loop(conn, &queue, opts, owner, failed))
                .map_err(|e| StoreError::Writer(format!("cannot start the writer thread: {e}")))?
        };
        Ok(SqliteStore {
            cache_keys: Mutex::new(cache_keys),
            hot: Mutex::new(HashMap::default()),
            state: Mutex::new(State {
                book,
                prior_sends,
                next_ledger,
            }),
            queue,
            writer: Mutex::new(Some(writer)),
            reader: Mutex::new(reader),
            failed,
            owner,
            options,
            path,
        })
    }

    fn remember_cache_key(&self, key: &CacheKey) {
        self.cache_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key_prefix(key.as_bytes()));
    }

    fn keep_hot(&self, key: &CacheKey, completion: &Completion) {
        let mut hot = self.hot.lock().unwrap_or_else(|p| p.into_inner());
        if hot.len() >= HOT_CACHE_MAX {
            hot.clear();
        }
        hot.insert(*key.as_bytes(), completion.clone());
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This process's owner id on reservations.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check(&self) -> Result<(), StoreError> {
        match &*self.failed.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(StoreError::Writer(e.clone())),
            None => Ok(()),
        }
    }

    fn send(&self, op: Op) -> Result<(), StoreError> {
        let urgent = is_urgent(&op);
        self.queue
            .push(op, urgent)
            .map_err(|_| StoreError::Writer("the writer thread has stopped".to_string()))
    }

    /// Open reservations right now.
    pub fn open_reservations(&self) -> usize {
        self.state().book.open_count()
    }

    /// Before a send's first booking in this process, load what it spent in earlier runs
    /// (only sends the ledger may hold are looked up, so a fresh run pays nothing).
    fn seed_send(&self, st: &mut State, a: &Attribution) -> Result<(), StoreError> {
        let Some(x) = &a.send_id else { return Ok(()) };
        if st.book.needs_send_seed(x) && st.prior_sends.may_contain(x) {
            let conn = self.reader.lock().unwrap_or_else(|p| p.into_inner());
            let spent = send_spent(&conn, x)?;
            st.book.seed_send(x, spent);
        }
        Ok(())
    }

    /// Close a reservation with its actual cost and row, and the answer to cache if any.
    fn close_paid(
        &self,
        id: ReservationId,
        row: LedgerRow,
        cache: Option<CacheWrite>,
    ) -> Result<LedgerId, StoreError> {
        picos(row.cost)?;
        let mut st = self.state();
        if st.book.close(id, row.cost).is_none() {
            return Err(StoreError::UnknownReservation(id));
        }
        let lid = st.next_ledger;
        st.next_ledger += 1;
        self.send(Op::Close {
            id: id.0,
            row: Some((lid, row)),
            cache,
        })?;
        Ok(LedgerId(lid))
    }

    fn push_row(&self, st: &mut State, row: LedgerRow) -> Result<LedgerId, StoreError> {
        let id = st.next_ledger;
        st.next_ledger += 1;
        self.send(Op::Ledger(id, row))?;
        Ok(LedgerId(id))
    }
}

struct Pending<'a> {
    store: &'a SqliteStore,
    id: Option<ReservationId>,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.store.release_now(id, None);
        }
    }
}

async fn wait(rx: oneshot::Receiver<Result<(), String>>) -> Result<(), StoreError> {
    match rx.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StoreError::Writer(e)),
        Err(_) => Err(StoreError::Writer(
            "the writer thread has stopped".to_string(),
        )),
    }
}

fn ready<'a, T: Send + 'a>(v: T) -> BoxFuture<'a, T> {
    Box::pin(std::future::ready(v))
}

impl Store for SqliteStore {
    fn set_limit(
        &self,
        scope: Scope,
        limit: Option<Money>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        let r = (|| {
            let l = limit.map(picos).transpose()?;
            self.state().book.set_limit(scope.clone(), limit);
            self.send(Op::Limit {
                key: scope.key(),
                limit: l,
            })
        })();
        ready(r)
    }

    fn set_caps(&self, caps: Caps) -> BoxFuture<'_, Result<(), StoreError>> {
        let r = (|| {
            let s = caps.per_send.map(picos).transpose()?;
            let b = caps.per_batch.map(picos).transpose()?;
            self.state().book.set_caps(caps);
            self.send(Op::Limit {
                key: CAP_SEND.to_string(),
                limit: s,
            })?;
            self.send(Op::Limit {
                key: CAP_BATCH.to_string(),
                limit: b,
            })
        })();
        ready(r)
    }

    fn status(&self, scope: Scope) -> BoxFuture<'_, Result<BudgetStatus, StoreError>> {
        ready(Ok(self.state().book.status(&scope)))
    }

    fn reserve(
        &self,
        attribution: &Attribution,
        amount: Money,
        ttl: Duration,
        label: &AttemptLabel,
    ) -> BoxFuture<'_, Result<ReservationId, ReserveError>> {
        let attribution = attribution.clone();
        let label = label.clone();
        Box::pin(async move {
            self.check()?;
            let stored = picos(amount)?;
            let expires_ms = now_ms().saturating_add(ttl.as_millis() as i64);
            let (ack, done) = if self.options.durable_reservations {
                let (a, d) = oneshot::channel();
                (Some(a), Some(d))
            } else {
                (None, None)
            };
            let id = {
                let mut st = self.state();
                self.seed_send(&mut st, &attribution)?;
                let id = st
                    .book
                    .reserve(&attribution, amount, expires_ms, label.clone())?;
                // Sent under the lock so the writer sees operations in booking order.
                if let Err(e) = self.send(Op::Reserve {
                    id: id.0,
                    attribution,
                    label,
                    amount: stored,
                    expires_ms,
                    ack,
                }) {
                    st.book.close(id, Money::ZERO);
                    return Err(e.into());
                }
                id
            };
            if let Some(done) = done {
                // Until the commit is confirmed the caller holds no guard: if this future is
                // dropped, or the commit failed (the call must not go out), undo the booking.
                let mut pending = Pending {
                    store: self,
                    id: Some(id),
                };
                wait(done).await?;
                pending.id = None;
            }
            Ok(id)
        })
    }

    fn settle(
        &self,
        id: ReservationId,
        row: LedgerRow,
    ) -> BoxFuture<'_, Result<LedgerId, StoreError>> {
        ready(self.close_paid(id, row, None))
    }

    fn settle_cached<'a>(
        &'a self,
        id: ReservationId,
        row: LedgerRow,
        key: CacheKey,
        completion: &'a Completion,
    ) -> BoxFuture<'a, Result<LedgerId, StoreError>> {
        self.remember_cache_key(&key);
        self.keep_hot(&key, completion);
        let r = encode_completion(completion).and_then(|json| {
            let cache = CacheWrite {
                key: *key.as_bytes(),
                model: completion.model.clone(),
                json,
            };
            self.close_paid(id, row, Some(cache))
        });
        ready(r)
    }

    fn release(
        &self,
        id: ReservationId,
        row: Option<LedgerRow>,
    ) -> BoxFuture<'_, Result<Option<LedgerId>, StoreError>> {
        let r = (|| {
            let mut st = self.state();
            if st.book.close(id, Money::ZERO).is_none() {
                return Err(StoreError::UnknownReservation(id));
            }
            let row = row.map(|r| {
                let lid = st.next_ledger;
                st.next_ledger += 1;
                (lid, r)
            });
            let lid = row.as_ref().map(|(l, _)| LedgerId(*l));
            self.send(Op::Close {
                id: id.0,
                row,
                cache: None,
            })?;
            Ok(lid)
        })();
        ready(r)
    }

    fn release_now(&self, id: ReservationId, row: Option<LedgerRow>) {
        let mut st = self.state();
        if st.book.close(id, Money::ZERO).is_some() {
            let row = row.map(|r| {
                let lid = st.next_ledger;
                st.next_ledger += 1;
                (lid, r)
            });
            // A stopped writer cannot record the release; the reservation row then stays on
            // disk and is reconciled (charged) on the next open, which errs on the safe side.
            let _ = self.send(Op::Close {
                id: id.0,
                row,
                cache: None,
            });
        }
    }

    fn record(&self, row: LedgerRow) -> BoxFuture<'_, Result<LedgerId, StoreError>> {
        let r = (|| {
            picos(row.cost)?;
            let mut st = self.state();
            self.seed_send(&mut st, &row.attribution)?;
            st.book.charge(&row.attribution, row.cost);
            self.push_row(&mut st, row)
        })();
        ready(r)
    }

    fn set_gate_verdict(
        &self,
        id: LedgerId,
        verdict: GateVerdict,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        ready(self.send(Op::Gate(id.0, verdict)))
    }

    fn cache_get(&self, key: CacheKey) -> BoxFuture<'_, Result<Option<Completion>, StoreError>> {
        let known = self
            .cache_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&key_prefix(key.as_bytes()));
        if !known {
            return ready(Ok(None));
        }
        if let Some(c) = self
            .hot
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key.as_bytes())
        {
            return ready(Ok(Some(c.clone())));
        }
        let r = (|| {
            let conn = self.reader.lock().unwrap_or_else(|p| p.into_inner());
            let json: Option<String> = conn
                .prepare_cached("SELECT completion FROM response_cache WHERE key = ?1")?
                .query_row([key.as_bytes().as_slice()], |r| r.get(0))
                .optional()?;
            match json {
                None => Ok(None),
                Some(j) => {
                    let c: Completion = serde_json::from_str(&j)
                        .map_err(|e| StoreError::Corrupt(format!("cached completion: {e}")))?;
                    self.keep_hot(&key, &c);
                    Ok(Some(c))
                }
            }
        })();
        ready(r)
    }

    fn cache_put(
        &self,
        key: CacheKey,
        completion: &Completion,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.remember_cache_key(&key);
        self.keep_hot(&key, completion);
        let r = encode_completion(completion).and_then(|json| {
            self.send(Op::CachePut {
                key: *key.as_bytes(),
                model: completion.model.clone(),
                json,
            })
        });
        ready(r)
    }

    fn ledger(&self, filter: LedgerFilter) -> BoxFuture<'_, Result<Vec<LedgerEntry>, StoreError>> {
        Box::pin(async move {
            self.flush().await?;
            let conn = self.reader.lock().unwrap_or_else(|p| p.into_inner());
            read_ledger(&conn, &filter)
        })
    }

    fn reconcile_expired(&self) -> BoxFuture<'_, Result<ReconcileReport, StoreError>> {
        let r = (|| {
            let mut st = self.state();
            let expired = st.book.take_expired(now_ms());
            let mut report = ReconcileReport::default();
            for (id, open) in expired {
                report.abandoned += 1;
                report.charged += open.amount;
                let lid = st.next_ledger;
                st.next_ledger += 1;
                self.send(Op::Close {
                    id: id.0,
                    row: Some((
                        lid,
                        abandoned_row(&open.attribution, open.amount, &open.label),
                    )),
                    cache: None,
                })?;
            }
            Ok(report)
        })();
        ready(r)
    }

    fn batch_reservations(
        &self,
    ) -> BoxFuture<'_, Result<Vec<(ReservationId, Attribution)>, StoreError>> {
        let open = self.state().book.open_batch();
        Box::pin(async move { Ok(open) })
    }

    fn forget_scope(&self, scope: Scope) {
        self.state().book.forget(&scope);
    }

    fn flush(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            let (ack, done) = oneshot::channel();
            self.send(Op::Flush(ack))?;
            wait(done).await?;
            self.check()
        })
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        let _ = self.queue.push(Op::Shutdown, true);
        if let Some(h) = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = h.join();
        }
    }
}

fn writer_loop(
    mut conn: Connection,
    queue: &Doorbell<Op>,
    opts: SqliteOptions,
    owner: String,
    failed: Arc<Mutex<Option<String>>>,
) {
    // Whatever ends this thread (a shutdown, a panic), later operations are refused.
    struct Closed<'a>(&'a Doorbell<Op>);
    impl Drop for Closed<'_> {
        fn drop(&mut self) {
            self.0.close();
        }
    }
    let _closed = Closed(queue);
    let mut stop = false;
    // Durable reservations waiting in the previous batch: more than one means callers run
    // concurrently, and a short wait for their neighbours lets one commit serve them all.
    let mut last_waiters = 0usize;
    while !stop {
        // Someone waits (an urgent operation): commit what is queued now, after a brief wait
        // for neighbours when callers are concurrent. Otherwise gather until the interval is
        // up or the batch is full.
        // The target is one more than last time: it grows while neighbours keep coming within
        // the wait, and falls back to what came when they stop.
        let group = (last_waiters > 1).then_some((GROUP_COMMIT_WAIT, last_waiters + 1));
        let Some(batch) = queue.next_batch(opts.batch_interval, group) else {
            break;
        };
        let waiters = batch
            .iter()
            .filter(|op| matches!(op, Op::Reserve { ack: Some(_), .. }))
            .count();
        last_waiters = waiters;
        let mut acks: Vec<Ack> = Vec::new();
        let result = apply(&mut conn, batch, &owner, &mut acks, &mut stop);
        let outcome = match result {
            Ok(()) => Ok(()),
            Err(e) => {
                let msg = e.to_string();
                *failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(msg.clone());
                Err(msg)
            }
        };
        for a in acks {
            let _ = a.send(outcome.clone());
        }
    }
}

/// Most completions kept in memory for repeated cache hits (a few hundred bytes each).
const HOT_CACHE_MAX: usize = 4096;

/// How long a group commit waits for concurrent callers' reservations to join it.
const GROUP_COMMIT_WAIT: Duration = Duration::from_micros(150);

fn is_urgent(op: &Op) -> bool {
    matches!(
        op,
        Op::Flush(_) | Op::Shutdown | Op::Reserve { ack: Some(_), .. }
    )
}

fn apply(
    conn: &mut Connection,
    batch: Vec<Op>,
    owner: &str,
    acks: &mut Vec<Ack>,
    stop: &mut bool,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let now = now_ms();
    // A reservation opened and closed within one batch never needs to touch the disk: the
    // transaction that would insert it also deletes it. (A durable reservation is committed in
    // an earlier batch than its close, because its caller waits for that commit first.)
    let closed: HashSet<i64> = batch
        .iter()
        .filter_map(|op| match op {
            Op::Close { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    let mut transient: HashSet<i64> = HashSet::default();
    let mut first_err: Option<StoreError> = None;
    for op in batch {
        let r: Result<(), StoreError> = (|| {
            match op {
                Op::Reserve {
                    id,
                    attribution: a,
                    label: l,
                    amount,
                    expires_ms,
                    ack,
                } => {
                    if let Some(a) = ack {
                        acks.push(a);
                    } else if closed.contains(&id) {
                        transient.insert(id);
                        return Ok(());
                    }
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO reservations (id, owner, campaign, segment, send_id, batch_id, amount_picos, \
                         created_ms, expires_ms, tier, stage, provider, model, attempt, recipient_key) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                    )?
                    .execute(params![
                        id,
                        owner,
                        a.campaign,
                        a.segment,
                        a.send_id,
                        a.batch_id,
                        amount,
                        now,
                        expires_ms,
                        l.tier,
                        l.stage,
                        l.provider,
                        l.model,
                        l.attempt,
                        l.recipient.as_ref().map(RecipientKey::as_str),
                    ])?;
                }
                Op::Close { id, row, cache } => {
                    if !transient.contains(&id) {
                        tx.prepare_cached("DELETE FROM reservations WHERE id = ?1")?
                            .execute([id])?;
                    }
                    if let Some((lid, row)) = row {
                        insert_ledger(&tx, lid, &row)?;
                    }
                    if let Some(c) = cache {
                        cache_insert(&tx, &c.key, &c.model, &c.json, now)?;
                    }
                }
                Op::Ledger(lid, row) => insert_ledger(&tx, lid, &row)?,
                Op::Gate(lid, v) => {
                    tx.prepare_cached("UPDATE ledger SET gate_verdict = ?1 WHERE id = ?2")?
                        .execute(params![v.as_str(), lid])?;
                }
                Op::CachePut { key, model, json } => cache_insert(&tx, &key, &model, &json, now)?,
                Op::Limit { key, limit } => {
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO budgets (scope, limit_picos) VALUES (?1, ?2)",
                    )?
                    .execute(params![key, limit])?;
                }
                Op::Flush(a) => acks.push(a),
                Op::Shutdown => *stop = true,
            }
            Ok(())
        })();
        if let Err(e) = r {
            first_err.get_or_insert(e);
        }
    }
    tx.commit()?;
    match first_err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The first 8 bytes of a cache key (a SHA-256), for [`SqliteStore`]'s set of stored keys.
fn key_prefix(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    for (d, s) in b.iter_mut().zip(key) {
        *d = *s;
    }
    u64::from_le_bytes(b)
}

fn cache_insert(
    conn: &Connection,
    key: &[u8; 32],
    model: &str,
    json: &str,
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO response_cache (key, model, completion, created_ms) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![key, model, json, now])?;
    Ok(())
}

fn encode_completion(completion: &Completion) -> Result<String, StoreError> {
    serde_json::to_string(completion)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode completion: {e}")))
}

fn insert_ledger(conn: &Connection, id: i64, r: &LedgerRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO ledger (id, at_ms, campaign, segment, send_id, batch_id, tier, stage, recipient_key, provider, model, \
         input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, usage_reported, \
         cost_picos, reserved_picos, latency_ms, attempt, outcome, gate_verdict, detail, compute_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
    )?
    .execute(params![
        id,
        r.at_ms,
        r.attribution.campaign,
        r.attribution.segment,
        r.attribution.send_id,
        r.attribution.batch_id,
        r.tier,
        r.stage,
        r.recipient.as_ref().map(RecipientKey::as_str),
        r.provider,
        r.model,
        tokens(r.usage.input_tokens),
        tokens(r.usage.cached_input_tokens),
        tokens(r.usage.cache_write_tokens),
        tokens(r.usage.output_tokens),
        tokens(r.usage.reasoning_tokens),
        r.usage_reported,
        picos(r.cost)?,
        picos(r.reserved)?,
        i64::try_from(r.latency_ms).unwrap_or(i64::MAX),
        r.attempt,
        r.outcome.as_str(),
        r.gate.map(GateVerdict::as_str),
        r.detail,
        r.compute_ms.map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
    ])?;
    Ok(())
}

fn read_ledger(conn: &Connection, filter: &LedgerFilter) -> Result<Vec<LedgerEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at_ms, campaign, segment, send_id, batch_id, tier, stage, recipient_key, provider, model, \
         input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, usage_reported, \
         cost_picos, reserved_picos, latency_ms, attempt, outcome, gate_verdict, detail, compute_ms \
         FROM ledger WHERE (?1 IS NULL OR campaign = ?1) ORDER BY id",
    )?;
    let rows = stmt.query_map([filter.campaign.as_deref()], |r| {
        let tok = |i: usize| -> rusqlite::Result<TokenCount> {
            Ok(TokenCount(u64::try_from(r.get::<_, i64>(i)?).unwrap_or(0)))
        };
        Ok((
            r.get::<_, i64>(0)?,
            LedgerRow {
                at_ms: r.get(1)?,
                attribution: Attribution {
                    campaign: r.get(2)?,
                    segment: r.get(3)?,
                    send_id: r.get(4)?,
                    batch_id: r.get(5)?,
                },
                tier: r.get(6)?,
                stage: r.get(7)?,
                recipient: r
                    .get::<_, Option<String>>(8)?
                    .and_then(|s| RecipientKey::from_hex(&s)),
                provider: r.get(9)?,
                model: r.get(10)?,
                usage: Usage {
                    input_tokens: tok(11)?,
                    cached_input_tokens: tok(12)?,
                    cache_write_tokens: tok(13)?,
                    output_tokens: tok(14)?,
                    reasoning_tokens: tok(15)?,
                },
                usage_reported: r.get(16)?,
                cost: Money::from_picos(r.get::<_, i64>(17)?.into()),
                reserved: Money::from_picos(r.get::<_, i64>(18)?.into()),
                latency_ms: u64::try_from(r.get::<_, i64>(19)?).unwrap_or(0),
                compute_ms: r
                    .get::<_, Option<i64>>(24)?
                    .map(|v| u64::try_from(v).unwrap_or(0)),
                attempt: r.get(20)?,
                outcome: Outcome::Ok,
                gate: None,
                detail: r.get(23)?,
            },
            r.get::<_, String>(21)?,
            r.get::<_, Option<String>>(22)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, mut row, outcome, gate) = row?;
        row.outcome = Outcome::parse(&outcome).ok_or_else(|| {
            StoreError::Corrupt(format!("ledger row {id}: unknown outcome `{outcome}`"))
        })?;
        row.gate = match gate.as_deref() {
            None => None,
            Some("pass") => Some(GateVerdict::Pass),
            Some("fail") => Some(GateVerdict::Fail),
            Some(g) => {
                return Err(StoreError::Corrupt(format!(
                    "ledger row {id}: unknown gate verdict `{g}`"
                )))
            }
        };
        out.push(LedgerEntry {
            id: LedgerId(id),
            row,
        });
    }
    Ok(out)
}

/// What one send spent before this process opened the store.
fn send_spent(conn: &Connection, send_id: &str) -> Result<Money, StoreError> {
    let spent: Option<i64> = conn
        .prepare_cached("SELECT spent FROM prior_send_spend WHERE send_id = ?1")?
        .query_row([send_id], |r| r.get(0))
        .optional()?;
    Ok(Money::from_picos(spent.unwrap_or(0).into()))
}

/// What one send spent according to the ledger, by scanning it (only on the rare open path that
/// keeps another owner's reservations).
fn send_spent_scan(conn: &Connection, send_id: &str) -> Result<Money, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT cost_picos FROM ledger WHERE send_id = ?1 AND cost_picos != 0")?;
    let rows = stmt.query_map([send_id], |r| r.get::<_, i64>(0))?;
    let mut total = Money::ZERO;
    for c in rows {
        total += Money::from_picos(c?.into());
    }
    Ok(total)
}

/// Approximate set membership for send ids: ~10 bits per id and 4 probes (about 1% false
/// positives, which cost one indexed lookup each; never a false negative).
struct Bloom {
    bits: Vec<u64>,
    mask: u64,
}

impl Bloom {
    fn with_capacity(n: usize) -> Bloom {
        let nbits = n.saturating_mul(10).max(64).next_power_of_two();
        Bloom {
            bits: vec![0; nbits / 64],
            mask: nbits as u64 - 1,
        }
    }

    fn probes(&self, x: &str) -> [u64; 4] {
        use std::hash::{Hash, Hasher};
        let mut h1 = std::hash::DefaultHasher::new();
        x.hash(&mut h1);
        let a = h1.finish();
        let mut h2 = std::hash::DefaultHasher::new();
        (x, 0x5bd1_e995u32).hash(&mut h2);
        let b = h2.finish() | 1;
        [0u64, 1, 2, 3].map(|i| a.wrapping_add(i.wrapping_mul(b)) & self.mask)
    }

    fn insert(&mut self, x: &str) {
        for p in self.probes(x) {
            self.bits[(p / 64) as usize] |= 1 << (p % 64);
        }
    }

    fn may_contain(&self, x: &str) -> bool {
        self.probes(x)
            .iter()
            .all(|p| self.bits[(p / 64) as usize] & (1 << (p % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bloom_has_no_false_negatives_and_few_false_positives() {
        let mut b = Bloom::with_capacity(1_000);
        for i in 0..1_000 {
            b.insert(&format!("send-{i}"));
        }
        assert!((0..1_000).all(|i| b.may_contain(&format!("send-{i}"))));
        let fp = (0..10_000)
            .filter(|i| b.may_contain(&format!("other-{i}")))
            .count();
        assert!(fp < 500, "{fp} false positives in 10,000");
        assert!(!Bloom::with_capacity(0).may_contain("x"));
    }
}
