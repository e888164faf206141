//! The outbox for administrators (`/quan-tri/dong-bo`): how much background work is pending,
//! done and dead per kind, how old the oldest pending row is, each dead row with the last
//! answer it got, and "gửi lại" for one dead row or all — recorded in the audit log.

use super::audit::{self, Change};
use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::error::AppError;
use crate::models::outbox::{DEAD, OutboxRow, PENDING, SENT};
use chrono::NaiveDateTime;
use diesel::QueryResult;

/// Dead rows shown at most.
pub const DEAD_SHOWN: i64 = 200;

/// The Vietnamese name of an outbox kind.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "email" => "Thư điện tử",
        "portal_sync" => "Đồng bộ Cổng DVC quốc gia",
        "payment_receipt" => "Biên lai thanh toán",
        _ => "Khác",
    }
}

/// One kind's figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindRow {
    /// `outbox.kind`.
    pub kind: String,
    /// Its name.
    pub label: &'static str,
    /// Waiting.
    pub pending: i64,
    /// Done.
    pub sent: i64,
    /// Given up.
    pub dead: i64,
    /// How long the oldest pending row has waited, in words (none: nothing pending).
    pub oldest_pending: Option<String>,
}

/// One dead row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadRow {
    /// The row.
    pub id: String,
    /// Its kind's name.
    pub label: &'static str,
    /// The dossier it is about, if any.
    pub dossier_code: Option<String>,
    /// Attempts made.
    pub attempts: i32,
    /// The last answer or error.
    pub last_error: String,
    /// When it was written (UTC).
    pub created_at: NaiveDateTime,
}

/// The page's figures.
#[derive(Clone, Debug, Default)]
pub struct Overview {
    /// Per kind.
    pub kinds: Vec<KindRow>,
    /// The dead rows, oldest first (at most [`DEAD_SHOWN`]).
    pub dead: Vec<DeadRow>,
}

/// A duration in Vietnamese words, coarse.
pub fn age(seconds: i64) -> String {
    match seconds.max(0) {
        s if s < 60 => format!("{s} giây"),
        s if s < 3600 => format!("{} phút", s / 60),
        s if s < 86_400 => format!("{} giờ {} phút", s / 3600, s % 3600 / 60),
        s => format!("{} ngày {} giờ", s / 86_400, s % 86_400 / 3600),
    }
}

/// Reads the figures at `now`.
pub fn overview(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Overview> {
    use crate::db::schema::dossiers;
    use diesel::prelude::*;
    let mut kinds: Vec<KindRow> = Vec::new();
    for known in ["portal_sync", "email", "payment_receipt"] {
        kinds.push(KindRow {
            kind: known.into(),
            label: kind_label(known),
            pending: 0,
            sent: 0,
            dead: 0,
            oldest_pending: None,
        });
    }
    for (kind, status, n) in OutboxRow::counts(conn)? {
        let pos = match kinds.iter().position(|k| k.kind == kind) {
            Some(p) => p,
            None => {
                let label = kind_label(&kind);
                kinds.push(KindRow { kind, label, pending: 0, sent: 0, dead: 0, oldest_pending: None });
                kinds.len() - 1
            }
        };
        match status.as_str() {
            PENDING => kinds[pos].pending = n,
            SENT => kinds[pos].sent = n,
            DEAD => kinds[pos].dead = n,
            _ => {}
        }
    }
    for (kind, oldest) in OutboxRow::oldest_pending(conn)? {
        if let (Some(k), Some(at)) = (kinds.iter_mut().find(|k| k.kind == kind), oldest) {
            k.oldest_pending = Some(age((now - at).num_seconds()));
        }
    }
    let rows = OutboxRow::dead(conn, None, DEAD_SHOWN)?;
    let ids: Vec<String> = rows.iter().filter_map(|r| r.aggregate_id.clone()).collect();
    let codes: std::collections::HashMap<String, String> = dossiers::table
        .filter(dossiers::id.eq_any(&ids))
        .select((dossiers::id, dossiers::code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let dead = rows
        .into_iter()
        .map(|r| DeadRow {
            label: kind_label(&r.kind),
            dossier_code: r.aggregate_id.as_ref().and_then(|a| codes.get(a).cloned()),
            attempts: r.attempts,
            last_error: r.last_error.unwrap_or_default(),
            created_at: r.created_at,
            id: r.id,
        })
        .collect();
    Ok(Overview { kinds, dead })
}

/// What to send again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resend {
    /// One dead row.
    One(String),
    /// Every dead row.
    All,
}

/// Puts dead rows back in the queue (due now), with an audit entry; answers how many.
pub async fn resend(db: &Db, clock: &Clock, by: &str, which: Resend) -> Result<usize, AppError> {
    let (clock, by) = (clock.clone(), by.to_owned());
    db.write(move |conn| {
        let now = clock.now_naive();
        let (n, subject) = match &which {
            Resend::One(id) => (OutboxRow::resend(conn, Some(std::slice::from_ref(id)), None, now)?, id.clone()),
            Resend::All => (OutboxRow::resend(conn, None, None, now)?, "all".to_owned()),
        };
        if n == 0 {
            return Err(AppError::bad_request(
                "nothing_to_resend",
                "Không có mục nào đang ở trạng thái lỗi để gửi lại (có thể đã được gửi lại trước đó).",
            ));
        }
        audit::record(
            conn,
            &clock,
            Change {
                by: Some(&by),
                action: "resend",
                entity: "outbox",
                entity_id: &subject,
                before: None,
                after: Some(serde_json::json!({ "rows": n })),
            },
        )?;
        Ok(n)
    })
    .await
}

/// A dossier's national-portal sync, for the staff dossier page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// Steps sent.
    pub sent: usize,
    /// Steps waiting.
    pub pending: usize,
    /// Steps given up.
    pub dead: usize,
    /// When the last step was sent (UTC).
    pub last_sent_at: Option<NaiveDateTime>,
    /// The last error of the first step not yet sent.
    pub last_error: Option<String>,
}

/// The sync status of one dossier.
pub fn sync_status(conn: &mut DbConn, dossier_id: &str) -> QueryResult<SyncStatus> {
    let rows = OutboxRow::of_aggregate(conn, dossier_id, crate::jobs::PORTAL_SYNC)?;
    let count = |s: &str| rows.iter().filter(|r| r.status == s).count();
    Ok(SyncStatus {
        sent: count(SENT),
        pending: count(PENDING),
        dead: count(DEAD),
        last_sent_at: rows.iter().filter_map(|r| r.sent_at).max(),
        last_error: rows.iter().find(|r| r.status != SENT).and_then(|r| r.last_error.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age(-5), "0 giây");
        assert_eq!(age(59), "59 giây");
        assert_eq!(age(61), "1 phút");
        assert_eq!(age(3 * 3600 + 25 * 60), "3 giờ 25 phút");
        assert_eq!(age(2 * 86_400 + 5 * 3600), "2 ngày 5 giờ");
    }
}
