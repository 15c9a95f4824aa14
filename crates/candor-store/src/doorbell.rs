//! The queue from callers to the SQLite writer thread.
//!
//! Job: hand operations to one consumer thread in order, waking it only when it has to act.
//!
//! Why not a channel: a channel wakes a sleeping receiver on every send. The writer sleeps
//! between batches, so each of a call's four or five operations (reserve, settle, cached
//! answer, gate verdict) cost a futex wake, a context switch and a sleep again, for an item that
//! only had to wait for the next batch anyway. Here a sender rings only when the writer waits
//! for exactly that: anything at all when it is idle, an urgent item (someone waits for its
//! commit) or a full batch while it gathers, another urgent item during a group-commit wait.
//! Items pushed while it works are picked up when it comes back.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

pub(crate) struct Doorbell<T> {
    inner: Mutex<Inner<T>>,
    ring: Condvar,
    /// A batch this long is committed without waiting for the interval.
    full: usize,
}

struct Inner<T> {
    items: Vec<T>,
    /// Urgent items among `items`.
    urgent: usize,
    /// During a group-commit wait: how many urgent items end it.
    group_target: usize,
    wait: Wait,
    closed: bool,
}

/// What the consumer is waiting for (or `Busy`: not waiting, it will look again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    Busy,
    /// Nothing queued: any item.
    Idle,
    /// Items queued, none urgent: an urgent item or a full batch.
    Gathering,
    /// Urgent items queued: more urgent items (up to a target), briefly.
    Group,
}

impl<T> Doorbell<T> {
    pub fn new(full: usize) -> Doorbell<T> {
        Doorbell {
            inner: Mutex::new(Inner {
                items: Vec::new(),
                urgent: 0,
                group_target: 0,
                wait: Wait::Idle,
                closed: false,
            }),
            ring: Condvar::new(),
            full: full.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queue `item` (`urgent`: a caller waits for it to be handled). Gives it back when the
    /// consumer has stopped.
    pub fn push(&self, item: T, urgent: bool) -> Result<(), T> {
        let mut g = self.lock();
        if g.closed {
            return Err(item);
        }
        g.items.push(item);
        if urgent {
            g.urgent += 1;
        }
        let ring = match g.wait {
            Wait::Busy => false,
            Wait::Idle => true,
            Wait::Gathering => urgent || g.items.len() >= self.full,
            Wait::Group => urgent && g.urgent >= g.group_target || g.items.len() >= self.full,
        };
        if ring {
            g.wait = Wait::Busy;
            drop(g);
            self.ring.notify_one();
        }
        Ok(())
    }

    /// The consumer's next batch: waits for a first item, then gathers until an urgent item
    /// arrives, the batch is full or `interval` has passed since the wait for more began. With
    /// urgent items and `group = (wait, target)`, waits up to `wait` until `target` urgent items
    /// are queued (neighbours' commits to share). Everything queued is taken. `None` once
    /// closed.
    pub fn next_batch(
        &self,
        interval: Duration,
        group: Option<(Duration, usize)>,
    ) -> Option<Vec<T>> {
        let mut g = self.lock();
        while g.items.is_empty() {
            if g.closed {
                return None;
            }
            g.wait = Wait::Idle;
            g = self.ring.wait(g).unwrap_or_else(|p| p.into_inner());
        }
        let full = self.full;
        g = self.wait_while(g, Wait::Gathering, interval, |g| {
            g.urgent == 0 && g.items.len() < full && !g.closed
        });
        if let Some((wait, target)) = group.filter(|_| g.urgent > 0 && !g.closed) {
            g.group_target = target;
            g = self.wait_while(g, Wait::Group, wait, |g| {
                g.urgent < g.group_target && g.items.len() < full && !g.closed
            });
        }
        g.wait = Wait::Busy;
        if g.items.is_empty() {
            return None; // closed while gathering: `close` dropped what was queued
        }
        g.urgent = 0;
        // The next batch is likely as long: room for it up front, not grown push by push.
        let room = g.items.len();
        Some(std::mem::replace(&mut g.items, Vec::with_capacity(room)))
    }

    /// Wait as `what` while `keep` holds, at most `limit`. A push rings only when what the
    /// consumer waits for has come, so `what` is set once, not after each wake-up.
    fn wait_while<'a>(
        &self,
        mut g: MutexGuard<'a, Inner<T>>,
        what: Wait,
        limit: Duration,
        keep: impl FnMut(&mut Inner<T>) -> bool,
    ) -> MutexGuard<'a, Inner<T>> {
        g.wait = what;
        self.ring
            .wait_timeout_while(g, limit, keep)
            .unwrap_or_else(|p| p.into_inner())
            .0
    }

    /// The consumer has stopped: later pushes fail, a waiting `next_batch` returns `None`,
    /// and what is still queued is dropped now (an item holding a reply channel tells its
    /// waiter so at once, instead of when the queue itself goes).
    pub fn close(&self) {
        let left = {
            let mut g = self.lock();
            g.closed = true;
            g.urgent = 0;
            std::mem::take(&mut g.items)
        };
        drop(left);
        self.ring.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    const LONG: Duration = Duration::from_secs(30);

    /// Run `consume` on its own thread against the queue, as the writer does.
    fn consumer<T: Send + 'static, R: Send + 'static>(
        q: &Arc<Doorbell<T>>,
        consume: impl FnOnce(&Doorbell<T>) -> R + Send + 'static,
    ) -> std::thread::JoinHandle<R> {
        let q = Arc::clone(q);
        std::thread::spawn(move || consume(&q))
    }

    #[test]
    fn items_come_out_in_push_order_across_batches() {
        let q = Arc::new(Doorbell::new(64));
        let consumer = consumer(&q, move |q| {
            let mut got = Vec::new();
            while got.len() < 10_000 {
                let b = q.next_batch(Duration::from_micros(200), None).unwrap();
                assert!(!b.is_empty());
                got.extend(b);
            }
            got
        });
        for i in 0..10_000u32 {
            q.push(i, i % 97 == 0).unwrap();
        }
        let got = consumer.join().unwrap();
        assert_eq!(got, (0..10_000).collect::<Vec<_>>());
    }

    #[test]
    fn close_refuses_new_items_and_drops_queued_ones_at_once() {
        let q = Doorbell::new(8);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        q.push(Some(tx), true).unwrap();
        q.close();
        // The queued item (a reply channel) is gone: its waiter hears so now.
        assert!(rx.recv().is_err());
        assert!(q.push(None, false).is_err(), "a closed queue refuses items");
        assert!(q.next_batch(LONG, None).is_none());
    }

    #[test]
    fn an_urgent_item_ends_the_gathering_at_once() {
        let q = Arc::new(Doorbell::new(1_000));
        let consumer = consumer(&q, move |q| {
            let t = Instant::now();
            let b = q.next_batch(LONG, None).unwrap();
            (b, t.elapsed())
        });
        q.push("quiet", false).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        q.push("waited on", true).unwrap();
        let (items, took) = consumer.join().unwrap();
        assert_eq!(items, vec!["quiet", "waited on"]);
        assert!(
            took < Duration::from_secs(10),
            "woken by the urgent item, {took:?}"
        );
    }

    #[test]
    fn quiet_items_wait_for_the_interval_or_a_full_batch() {
        let q = Doorbell::new(3);
        q.push(1, false).unwrap();
        let t = Instant::now();
        let b = q.next_batch(Duration::from_millis(30), None).unwrap();
        assert_eq!(b, vec![1]);
        assert!(
            t.elapsed() >= Duration::from_millis(30),
            "gathered for the interval"
        );

        let q = Arc::new(Doorbell::new(3));
        let consumer = consumer(&q, move |q| q.next_batch(LONG, None).unwrap());
        for i in 0..3 {
            q.push(i, false).unwrap();
        }
        assert_eq!(
            consumer.join().unwrap(),
            vec![0, 1, 2],
            "a full batch goes at once"
        );
    }

    #[test]
    fn a_group_wait_takes_in_the_next_urgent_item() {
        let q = Arc::new(Doorbell::new(1_000));
        q.push("first", true).unwrap();
        let consumer = consumer(&q, move |q| q.next_batch(LONG, Some((LONG, 2))).unwrap());
        std::thread::sleep(Duration::from_millis(20));
        q.push("neighbour", true).unwrap();
        assert_eq!(consumer.join().unwrap(), vec!["first", "neighbour"]);

        // With no neighbour the wait ends after `group`.
        let q = Doorbell::new(1_000);
        q.push("alone", true).unwrap();
        let b = q
            .next_batch(LONG, Some((Duration::from_millis(5), 2)))
            .unwrap();
        assert_eq!(b, vec!["alone"]);
    }

    #[test]
    fn a_group_wait_lasts_until_its_target_or_its_time() {
        // Target 3: the quiet item and the second urgent one do not end it; the third does.
        let q = Arc::new(Doorbell::new(1_000));
        q.push(1, true).unwrap();
        let c = consumer(&q, move |q| q.next_batch(LONG, Some((LONG, 3))).unwrap());
        for (item, urgent) in [(2, false), (3, true), (4, true)] {
            std::thread::sleep(Duration::from_millis(20));
            q.push(item, urgent).unwrap();
        }
        assert_eq!(c.join().unwrap(), vec![1, 2, 3, 4]);

        // Short of the target, the wait ends after its time with what came.
        let q = Arc::new(Doorbell::new(1_000));
        q.push(1, true).unwrap();
        let t = Instant::now();
        let c = consumer(&q, move |q| {
            q.next_batch(LONG, Some((Duration::from_millis(60), 5)))
                .unwrap()
        });
        q.push(2, true).unwrap();
        assert_eq!(c.join().unwrap(), vec![1, 2]);
        assert!(t.elapsed() >= Duration::from_millis(60));

        // A full batch ends it too.
        let q = Arc::new(Doorbell::new(3));
        q.push(1, true).unwrap();
        let c = consumer(&q, move |q| q.next_batch(LONG, Some((LONG, 10))).unwrap());
        std::thread::sleep(Duration::from_millis(20));
        q.push(2, false).unwrap();
        q.push(3, false).unwrap();
        assert_eq!(c.join().unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn close_wakes_an_idle_consumer() {
        let q: Arc<Doorbell<u8>> = Arc::new(Doorbell::new(8));
        let consumer = consumer(&q, move |q| q.next_batch(LONG, None).is_none());
        std::thread::sleep(Duration::from_millis(20));
        q.close();
        assert!(consumer.join().unwrap());
    }
}
