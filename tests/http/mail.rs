//! E-mail end to end: each message enqueued in a transaction, run by the outbox runner, and read
//! back from a real SMTP conversation (or the `.eml` files of the file transport).

use crate::support::smtp::{ReceivedMail, SmtpSink};
use crate::support::{TestDb, test_clock, with_conn};
use chrono::TimeDelta;
use dvc_portal::db::write_tx;
use dvc_portal::integrations::mailer::{MailMessage, OutgoingMail};
use dvc_portal::jobs::{Job, JobContext, RunReport, enqueue, run_pending};
use dvc_portal::models::outbox::{OutboxRow, SENT};
use std::io::{BufRead, BufReader, Write};
use unicode_normalization::is_nfc;

/// A migrated database, the SMTP sink, and a job context sending through it, at the fixed test
/// time.
pub struct Harness {
    /// What the runner gets.
    pub ctx: JobContext,
    /// Where the mail arrives.
    pub sink: SmtpSink,
    /// Keeps the database alive (dropped last).
    pub _test_db: TestDb,
}

impl Harness {
    /// Starts a sink and opens a fresh database.
    pub fn start() -> Harness {
        let test_db = TestDb::empty();
        let sink = SmtpSink::start();
        let mut config = test_db.config();
        config.smtp_url = Some(sink.url());
        let ctx = JobContext::new(test_db.open(), test_clock(), config).unwrap_or_else(|e| panic!("jobs: {e:#}"));
        Harness { ctx, sink, _test_db: test_db }
    }

    /// Enqueues one mail in its own write transaction, as a service would.
    pub fn enqueue(&self, to: &str, message: MailMessage, aggregate_id: Option<&str>) {
        let job = Job::Email(OutgoingMail { to: to.to_owned(), message });
        with_conn(&self.ctx.db, |conn| write_tx(conn, |conn| enqueue(conn, &self.ctx.clock, &job, aggregate_id)))
            .unwrap_or_else(|e| panic!("enqueue: {e}"));
    }

    /// Runs what is due now.
    pub fn run(&self) -> RunReport {
        run_pending(&self.ctx).unwrap_or_else(|e| panic!("run_pending: {e:#}"))
    }

    /// Every outbox row, oldest first.
    pub fn rows(&self) -> Vec<OutboxRow> {
        with_conn(&self.ctx.db, OutboxRow::all).unwrap_or_else(|e| panic!("rows: {e}"))
    }

    /// Moves the test clock forward.
    pub fn advance(&self, by: TimeDelta) {
        self.ctx.clock.set(self.ctx.clock.now() + by);
    }
}

/// A report of only sends.
pub fn sent(n: usize) -> RunReport {
    RunReport { sent: n, ..RunReport::default() }
}

/// Enqueues one message, runs the outbox, and returns the one message that arrived.
fn deliver(message: MailMessage) -> (Harness, ReceivedMail) {
    let h = Harness::start();
    h.enqueue("an.nguyen@example.vn", message, None);
    assert_eq!(h.run(), sent(1));
    let mut messages = h.sink.messages();
    assert_eq!(messages.len(), 1);
    let mail = messages.remove(0);
    assert_eq!(mail.rcpt_to, ["an.nguyen@example.vn"]);
    assert_eq!(mail.to, "an.nguyen@example.vn");
    assert_eq!(mail.content_type, "multipart/alternative");
    assert!(mail.raw.to_ascii_lowercase().contains("charset=utf-8"), "{}", mail.raw);
    for part in [&mail.subject, &mail.text, &mail.html] {
        assert!(is_nfc(part), "not NFC: {part}");
    }
    assert!(mail.html.contains(r#"<html lang="vi">"#));
    assert!(!mail.text.contains("<p"), "HTML in the text part:\n{}", mail.text);
    (h, mail)
}

#[test]
fn verify_email_arrives_in_vietnamese_with_its_link() {
    let link = "http://127.0.0.1/tai-khoan/xac-nhan?token=AbC123";
    let (h, mail) = deliver(MailMessage::VerifyEmail { name: "Nguyễn Văn Ân".into(), link: link.into() });
    assert_eq!(mail.subject, "Xác nhận địa chỉ thư điện tử");
    assert!(mail.text.contains("Kính gửi Ông/Bà Nguyễn Văn Ân,"), "{}", mail.text);
    assert!(
        mail.text.contains(&format!("\n{link}\r\n")) || mail.text.contains(&format!("\n{link}\n")),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("có hiệu lực trong 24 giờ"), "{}", mail.text);
    assert!(mail.html.contains(&format!(r#"href="{link}""#)), "{}", mail.html);
    assert!(mail.html.contains("Nguyễn Văn Ân"));
    assert!(mail.html.contains("<strong>24 giờ</strong>"));

    let rows = h.rows();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!((row.status.as_str(), row.attempts), (SENT, 0));
    assert_eq!(row.sent_at, Some(h.ctx.clock.now_naive()));
    assert_eq!((row.lease_owner.as_deref(), row.lease_until), (None, None));
    // The Message-ID is made from the outbox id (a resend would carry the same one).
    assert_eq!(mail.message_id, format!("{}@dichvucong.example.vn", row.id));
    // Nothing is left to do.
    assert_eq!(h.run(), RunReport::default());
    assert_eq!(h.sink.messages().len(), 1);
}

#[test]
fn reset_password_says_one_hour_and_to_ignore_it_otherwise() {
    let link = "http://127.0.0.1/tai-khoan/dat-lai-mat-khau?token=Zz9";
    let (_h, mail) = deliver(MailMessage::ResetPassword { name: "Lê Thị Thuỷ".into(), link: link.into() });
    assert_eq!(mail.subject, "Đặt lại mật khẩu");
    assert!(mail.text.contains("Kính gửi Ông/Bà Lê Thị Thuỷ,"));
    assert!(mail.text.contains(link));
    assert!(mail.text.contains("có hiệu lực trong 1 giờ"));
    assert!(mail.text.contains("Nếu không phải Ông/Bà yêu cầu đặt lại mật khẩu, vui lòng bỏ qua thư này"));
    assert!(mail.html.contains(&format!(r#"href="{link}""#)));
    assert!(mail.html.contains("<strong>1 giờ</strong>"));
}

#[test]
fn dossier_submitted_shows_the_code_papers_next_steps_and_tracking_link() {
    let code = "000.00.01.H22-261125-00017";
    let track = format!("http://127.0.0.1/tra-cuu?ma={code}&so=1");
    let (_h, mail) = deliver(MailMessage::DossierSubmitted {
        name: "Trần Minh Đức".into(),
        code: code.into(),
        procedure_name: "Cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
        agency_name: "UBND xã Quảng Phú".into(),
        papers: vec!["Đơn đề nghị cấp giấy phép (1 tệp)".into(), "Bản vẽ thiết kế (3 tệp)".into()],
        track_link: track.clone(),
    });
    assert_eq!(mail.subject, format!("Hồ sơ {code} đã được nộp thành công"));
    for expected in [
        format!("MÃ HỒ SƠ: {code}"),
        "Thủ tục: Cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
        "Cơ quan tiếp nhận: UBND xã Quảng Phú".into(),
        "- Đơn đề nghị cấp giấy phép (1 tệp)".into(),
        "- Bản vẽ thiết kế (3 tệp)".into(),
        "Bộ phận Một cửa của UBND xã Quảng Phú kiểm tra hồ sơ trong thời hạn quy định".into(),
        track.clone(),
    ] {
        assert!(mail.text.contains(&expected), "{expected:?} missing from\n{}", mail.text);
    }
    let escaped = track.replace('&', "&#38;");
    for expected in [
        format!(">{code}</p>"),
        "<li>Đơn đề nghị cấp giấy phép (1 tệp)</li>".into(),
        "<li>Bản vẽ thiết kế (3 tệp)</li>".into(),
        format!(r#"href="{escaped}""#),
    ] {
        assert!(mail.html.contains(&expected), "{expected:?} missing from\n{}", mail.html);
    }
}

#[test]
fn dossier_withdrawn_states_the_code_and_reason() {
    let (_h, mail) = deliver(MailMessage::DossierWithdrawn {
        name: "Phạm Thị Hồng".into(),
        code: "000.00.01.H22-261125-00018".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        reason: "Nộp nhầm thủ tục & sẽ nộp lại".into(),
    });
    assert_eq!(mail.subject, "Hồ sơ 000.00.01.H22-261125-00018 đã được rút");
    assert!(mail.text.contains("Lý do rút hồ sơ: Nộp nhầm thủ tục & sẽ nộp lại"), "{}", mail.text);
    assert!(mail.html.contains("Nộp nhầm thủ tục &#38; sẽ nộp lại"), "{}", mail.html);
    assert!(mail.text.contains("Đăng ký khai sinh"));
}

#[test]
fn without_smtp_mail_is_written_as_eml_files() {
    let test_db = TestDb::empty();
    let config = test_db.config();
    assert_eq!(config.smtp_url, None);
    let ctx = JobContext::new(test_db.open(), test_clock(), config).unwrap_or_else(|e| panic!("jobs: {e:#}"));
    let job = Job::Email(OutgoingMail {
        to: "an@example.vn".into(),
        message: MailMessage::VerifyEmail { name: "Ân".into(), link: "http://127.0.0.1/x".into() },
    });
    with_conn(&ctx.db, |conn| write_tx(conn, |conn| enqueue(conn, &ctx.clock, &job, None)))
        .unwrap_or_else(|e| panic!("enqueue: {e}"));
    assert_eq!(run_pending(&ctx).unwrap_or_else(|e| panic!("run: {e:#}")), sent(1));
    let dir = test_db.data_dir().join("mail");
    let files: Vec<_> =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten().collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].path().extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read(files[0].path()).unwrap_or_else(|e| panic!("read: {e}"));
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap_or_else(|| panic!("not a message"));
    assert_eq!(message.subject(), Some("Xác nhận địa chỉ thư điện tử"));
}

#[test]
fn the_sink_speaks_smtp_and_unstuffs_dots() {
    let sink = SmtpSink::start();
    let addr = sink.url().trim_start_matches("smtp://").to_owned();
    let stream = std::net::TcpStream::connect(&addr).unwrap_or_else(|e| panic!("connect: {e}"));
    let mut reader = BufReader::new(stream.try_clone().unwrap_or_else(|e| panic!("clone: {e}")));
    let mut writer = stream;
    let mut expect = |send: &str, code: &str| {
        if !send.is_empty() {
            writer.write_all(send.as_bytes()).unwrap_or_else(|e| panic!("write: {e}"));
        }
        // Multi-line replies: read to the line whose code is followed by a space.
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap_or_else(|e| panic!("read: {e}"));
            assert!(line.starts_with(code), "{send:?} got {line:?}, not {code}");
            if line.as_bytes().get(3) == Some(&b' ') {
                break;
            }
        }
    };
    expect("", "220");
    expect("EHLO test\r\n", "250");
    expect("NOOP\r\n", "250");
    expect("RCPT TO:<b@example.vn>\r\n", "503");
    expect("MAIL FROM:<ignored@example.vn>\r\n", "250");
    expect("RSET\r\n", "250");
    expect("HELO test\r\n", "250");
    expect("MAIL FROM:<a@example.vn> BODY=8BITMIME\r\n", "250");
    expect("RCPT TO:<b@example.vn>\r\n", "250");
    expect("DATA\r\n", "354");
    expect("Subject: dots\r\n\r\n..leading dot\r\n...two\r\nend\r\n.\r\n", "250");
    expect("VRFY b\r\n", "502");
    expect("QUIT\r\n", "221");
    let envelopes = sink.envelopes();
    assert_eq!(envelopes.len(), 1);
    assert_eq!(envelopes[0].mail_from, "a@example.vn");
    assert_eq!(envelopes[0].rcpt_to, ["b@example.vn"]);
    assert_eq!(String::from_utf8_lossy(&envelopes[0].data), "Subject: dots\r\n\r\n.leading dot\r\n..two\r\nend\r\n");
    assert_eq!(sink.messages()[0].subject, "dots");
}
