//! The only source of "now": the system clock in production, a fixed one in tests.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::sync::{Arc, Mutex, PoisonError};

/// Where the current time comes from.
#[derive(Clone)]
pub enum Clock {
    /// The machine's clock.
    System,
    /// A settable clock for tests.
    Fixed(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// A clock stopped at `at`, movable with [`Clock::set`].
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock::Fixed(Arc::new(Mutex::new(at)))
    }

    /// The current instant in UTC.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            #[expect(clippy::disallowed_methods, reason = "the one place that reads the system clock")]
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// The current instant as stored in the database (naive UTC).
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// Moves a fixed clock; does nothing to the system clock.
    pub fn set(&self, to: DateTime<Utc>) {
        if let Clock::Fixed(at) = self {
            *at.lock().unwrap_or_else(PoisonError::into_inner) = to;
        }
    }
}

/// A stored UTC time as wall-clock time in Asia/Ho_Chi_Minh (the legal clock's time).
pub fn to_local(utc: NaiveDateTime) -> NaiveDateTime {
    utc.and_utc().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).naive_local()
}

/// A wall-clock time in Asia/Ho_Chi_Minh as stored UTC (Vietnam has no daylight saving, so
/// every local time maps to exactly one instant).
pub fn to_utc(local: NaiveDateTime) -> NaiveDateTime {
    use chrono::TimeZone;
    match chrono_tz::Asia::Ho_Chi_Minh.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.naive_utc(),
        chrono::LocalResult::None => local - chrono::TimeDelta::hours(7),
    }
}
