//! A short-lived cache of the officer navigation's queue counts. Every page of the officer area
//! shows how many dossiers each queue holds; at a province's volume, counting eight queues on
//! every page view was most of the page's cost (bench/README.md, "Workflow"). The counts are
//! kept per officer for a few seconds (`DVC_QUEUE_COUNTS_TTL_SECONDS`, 0 in tests): the queue
//! itself is always read fresh, only the numbers beside the other queues may lag.

use crate::queries::officer::{Count, Queue};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Most officers whose counts are kept; beyond it, expired entries are dropped first.
const MAX_ENTRIES: usize = 20_000;

type Entry = (DateTime<Utc>, Vec<(Queue, Count)>);

/// The cache, shared by the workers of the server.
#[derive(Clone, Default)]
pub struct QueueCounts {
    ttl: TimeDelta,
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl QueueCounts {
    /// A cache keeping counts for `ttl` (zero: no caching).
    pub fn new(ttl: TimeDelta) -> QueueCounts {
        QueueCounts { ttl, entries: Arc::default() }
    }

    /// The counts of `key` if fresh at `now`.
    pub fn get(&self, key: &str, now: DateTime<Utc>) -> Option<Vec<(Queue, Count)>> {
        if self.ttl <= TimeDelta::zero() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).filter(|(at, _)| now - *at < self.ttl && *at <= now).map(|(_, c)| c.clone())
    }

    /// Keeps the counts of `key` computed at `now`.
    pub fn put(&self, key: String, now: DateTime<Utc>, counts: Vec<(Queue, Count)>) {
        if self.ttl <= TimeDelta::zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| now - *at < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (now, counts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, s).single().unwrap_or_default()
    }

    fn counts(n: i64) -> Vec<(Queue, Count)> {
        vec![(Queue::New, Count { counted: n, capped: false })]
    }

    #[test]
    fn counts_are_kept_for_the_ttl_only() {
        let cache = QueueCounts::new(TimeDelta::seconds(10));
        assert_eq!(cache.get("a", at(0)), None);
        cache.put("a".into(), at(0), counts(3));
        assert_eq!(cache.get("a", at(9)), Some(counts(3)));
        assert_eq!(cache.get("a", at(10)), None, "expired");
        assert_eq!(cache.get("b", at(1)), None, "per officer");
    }

    #[test]
    fn a_zero_ttl_caches_nothing() {
        let cache = QueueCounts::new(TimeDelta::zero());
        cache.put("a".into(), at(0), counts(3));
        assert_eq!(cache.get("a", at(0)), None);
    }
}
