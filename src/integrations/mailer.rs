//! Outgoing mail: the messages the portal sends, rendered from `templates/email/`, and the
//! transport (SMTP or files) chosen by `DVC_SMTP_URL`.

use crate::config::Config;
use askama::Template;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;
use unicode_normalization::UnicodeNormalization;

/// A message waiting in the outbox: who gets it and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    /// Recipient address.
    pub to: String,
    /// The message.
    pub message: MailMessage,
}

/// Every message the portal sends; each has `templates/email/<template>/{subject.txt,body.txt,body.html}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum MailMessage {
    /// Confirm an address after registration.
    VerifyEmail {
        /// Full name.
        name: String,
        /// Signed, expiring link.
        link: String,
    },
    /// Set a new password.
    ResetPassword {
        /// Full name.
        name: String,
        /// Signed, expiring link.
        link: String,
    },
    /// A dossier was submitted online.
    DossierSubmitted {
        /// Applicant's name.
        name: String,
        /// Dossier code.
        code: String,
        /// Procedure name.
        procedure_name: String,
        /// Receiving agency.
        agency_name: String,
        /// Papers received (name and number of files).
        papers: Vec<String>,
        /// Link to the tracking page.
        track_link: String,
    },
    /// A dossier was withdrawn by the citizen.
    DossierWithdrawn {
        /// Applicant's name.
        name: String,
        /// Dossier code.
        code: String,
        /// Procedure name.
        procedure_name: String,
        /// The citizen's reason.
        reason: String,
    },
    /// A step of a dossier the citizen must know of: received (with the due date), refused,
    /// supplement requested, result ready, stopped, due date extended (apology letter).
    DossierProgress {
        /// Applicant's name.
        name: String,
        /// Dossier code.
        code: String,
        /// Procedure name.
        procedure_name: String,
        /// The history action (`receive`, `refuse`, `request_supplement`, `approve`, `stop`,
        /// `extend`, `counter_intake`, `return_result`), which picks the wording.
        event: String,
        /// Labelled facts shown as a table (due date, reason, what is missing…).
        facts: Vec<(String, String)>,
        /// Where the citizen acts or reads more.
        link: String,
    },
    /// An administrator created a staff account: the link sets the password.
    StaffInvitation {
        /// Full name.
        name: String,
        /// Sign-in name.
        username: String,
        /// The agency.
        agency_name: String,
        /// Signed, expiring link.
        link: String,
    },
    /// The daily reminder to an agency's officers: dossiers due within one working day and
    /// overdue ones.
    DeadlineDigest {
        /// The officer's name.
        name: String,
        /// The agency.
        agency_name: String,
        /// `code — procedure — due` lines due soon.
        due_soon: Vec<String>,
        /// `code — procedure — due` lines overdue.
        overdue: Vec<String>,
        /// Link to the queue.
        link: String,
    },
}

/// How long a staff invitation link stays valid.
pub const STAFF_INVITATION_VALID_HOURS: u32 = 72;

/// How long a verification link stays valid; the link's signer must use the same figure.
pub const VERIFY_EMAIL_VALID_HOURS: u32 = 24;
/// How long a password-reset link stays valid; the link's signer must use the same figure.
pub const RESET_PASSWORD_VALID_HOURS: u32 = 1;
/// How long one SMTP command may take before the attempt fails (and is retried later).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest `last_error` kept, in characters.
const MAX_ERROR_CHARS: usize = 200;

impl MailMessage {
    /// The template directory under `templates/email/`; the only thing about a message that
    /// may be logged (with the outbox id).
    pub fn template(&self) -> &'static str {
        match self {
            MailMessage::VerifyEmail { .. } => "verify_email",
            MailMessage::ResetPassword { .. } => "reset_password",
            MailMessage::DossierSubmitted { .. } => "dossier_submitted",
            MailMessage::DossierWithdrawn { .. } => "dossier_withdrawn",
            MailMessage::DossierProgress { .. } => "dossier_progress",
            MailMessage::StaffInvitation { .. } => "staff_invitation",
            MailMessage::DeadlineDigest { .. } => "deadline_digest",
        }
    }
}

/// A message rendered from its templates, in NFC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedMail {
    /// One line.
    pub subject: String,
    /// The `text/plain` part (not escaped).
    pub text: String,
    /// The `text/html` part.
    pub html: String,
}

/// Renders a message from `templates/email/<template>/`.
pub fn render(message: &MailMessage) -> askama::Result<RenderedMail> {
    match message {
        MailMessage::VerifyEmail { name, link } => {
            VerifyEmail { name, link, valid_hours: VERIFY_EMAIL_VALID_HOURS }.render_all()
        }
        MailMessage::ResetPassword { name, link } => {
            ResetPassword { name, link, valid_hours: RESET_PASSWORD_VALID_HOURS }.render_all()
        }
        MailMessage::DossierSubmitted { name, code, procedure_name, agency_name, papers, track_link } => {
            DossierSubmitted { name, code, procedure_name, agency_name, papers, track_link }.render_all()
        }
        MailMessage::DossierWithdrawn { name, code, procedure_name, reason } => {
            DossierWithdrawn { name, code, procedure_name, reason }.render_all()
        }
        MailMessage::DossierProgress { name, code, procedure_name, event, facts, link } => {
            DossierProgress { name, code, procedure_name, progress: Progress::of(event), facts, link }.render_all()
        }
        MailMessage::StaffInvitation { name, username, agency_name, link } => {
            StaffInvitation { name, username, agency_name, link, valid_hours: STAFF_INVITATION_VALID_HOURS }
                .render_all()
        }
        MailMessage::DeadlineDigest { name, agency_name, due_soon, overdue, link } => {
            DeadlineDigest { name, agency_name, due_soon, overdue, link }.render_all()
        }
    }
}

/// Defines, for the data of one message, the three template structs of its directory (subject,
/// text, HTML), each reading the data's fields through `Deref`, and `render_all`.
macro_rules! email_templates {
    ($data:ident: $subject:ident = $subject_path:tt, $text:ident = $text_path:tt, $html:ident = $html_path:tt) => {
        #[doc = concat!("`templates/", $subject_path, "`.")]
        #[derive(Template)]
        #[template(path = $subject_path)]
        struct $subject<'a> {
            data: &'a $data<'a>,
        }

        #[doc = concat!("`templates/", $text_path, "`.")]
        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a> {
            data: &'a $data<'a>,
        }

        #[doc = concat!("`templates/", $html_path, "` (in `email/_layout.html`).")]
        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            data: &'a $data<'a>,
            subject: &'a str,
        }

        impl<'a> std::ops::Deref for $subject<'a> {
            type Target = $data<'a>;
            fn deref(&self) -> &Self::Target {
                self.data
            }
        }

        impl<'a> std::ops::Deref for $text<'a> {
            type Target = $data<'a>;
            fn deref(&self) -> &Self::Target {
                self.data
            }
        }

        impl<'a> std::ops::Deref for $html<'a> {
            type Target = $data<'a>;
            fn deref(&self) -> &Self::Target {
                self.data
            }
        }

        impl $data<'_> {
            fn render_all(&self) -> askama::Result<RenderedMail> {
                let subject = one_line(&$subject { data: self }.render()?);
                let text = nfc(&$text { data: self }.render()?);
                let html = nfc(&$html { data: self, subject: &subject }.render()?);
                Ok(RenderedMail { subject, text, html })
            }
        }
    };
}

/// The data of `verify_email`.
struct VerifyEmail<'a> {
    name: &'a str,
    link: &'a str,
    valid_hours: u32,
}

/// The data of `reset_password`.
struct ResetPassword<'a> {
    name: &'a str,
    link: &'a str,
    valid_hours: u32,
}

/// The data of `dossier_submitted`.
struct DossierSubmitted<'a> {
    name: &'a str,
    code: &'a str,
    procedure_name: &'a str,
    agency_name: &'a str,
    papers: &'a [String],
    track_link: &'a str,
}

/// The data of `dossier_withdrawn`.
struct DossierWithdrawn<'a> {
    name: &'a str,
    code: &'a str,
    procedure_name: &'a str,
    reason: &'a str,
}

/// The data of `dossier_progress`; the wording comes from [`Progress`] through the methods
/// below, so the three templates never repeat the choice.
struct DossierProgress<'a> {
    name: &'a str,
    code: &'a str,
    procedure_name: &'a str,
    progress: Progress,
    facts: &'a [(String, String)],
    link: &'a str,
}

/// What happened to a dossier, as far as the wording of `dossier_progress` is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Progress {
    /// `receive` (online dossier accepted at the desk) or `counter_intake` (filed at the desk).
    Received,
    /// `refuse`.
    Refused,
    /// `request_supplement`.
    SupplementRequested,
    /// `approve`: the result is ready.
    ResultReady,
    /// `stop`.
    Stopped,
    /// `extend`: the apology letter with a new due date.
    Extended,
    /// `return_result`.
    Returned,
    /// `request_payment`: fees to pay online.
    PaymentRequested,
    /// `pay`: the payment arrived.
    Paid,
    /// Any other action.
    Updated,
}

impl Progress {
    /// Reads a history action; one without its own wording is a plain update.
    fn of(event: &str) -> Progress {
        match event {
            "receive" | "counter_intake" => Progress::Received,
            "refuse" => Progress::Refused,
            "request_supplement" => Progress::SupplementRequested,
            "approve" => Progress::ResultReady,
            "stop" => Progress::Stopped,
            "extend" => Progress::Extended,
            "return_result" => Progress::Returned,
            "request_payment" => Progress::PaymentRequested,
            "pay" => Progress::Paid,
            _ => Progress::Updated,
        }
    }
}

impl DossierProgress<'_> {
    /// The subject (also the heading of the HTML part).
    fn headline(&self) -> String {
        let code = self.code;
        match self.progress {
            Progress::Received => format!("Hồ sơ {code} đã được tiếp nhận"),
            Progress::Refused => format!("Hồ sơ {code} không được tiếp nhận"),
            Progress::SupplementRequested => format!("Hồ sơ {code} cần bổ sung giấy tờ"),
            Progress::ResultReady => format!("Hồ sơ {code} đã có kết quả"),
            Progress::Stopped => format!("Hồ sơ {code} bị dừng xử lý"),
            Progress::Extended => format!("Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}"),
            Progress::Returned => format!("Hồ sơ {code} đã trả kết quả"),
            Progress::PaymentRequested => format!("Hồ sơ {code} chờ nộp phí, lệ phí"),
            Progress::Paid => format!("Đã nhận phí, lệ phí của hồ sơ {code}"),
            Progress::Updated => format!("Hồ sơ {code} được cập nhật"),
        }
    }

    /// The opening paragraph, before the table of facts.
    fn intro(&self) -> &'static str {
        match self.progress {
            Progress::Received => {
                "Hồ sơ của Ông/Bà đã được tiếp nhận. Ngày hẹn trả kết quả và các thông tin khác được \
                 nêu dưới đây."
            }
            Progress::Refused => "Rất tiếc, hồ sơ của Ông/Bà không được tiếp nhận vì lý do nêu dưới đây.",
            Progress::SupplementRequested => {
                "Hồ sơ của Ông/Bà chưa đầy đủ. Cơ quan giải quyết đề nghị Ông/Bà bổ sung, hoàn thiện \
                 các giấy tờ nêu dưới đây."
            }
            Progress::ResultReady => "Hồ sơ của Ông/Bà đã được giải quyết và đã có kết quả.",
            Progress::Stopped => "Cơ quan giải quyết đã dừng xử lý hồ sơ của Ông/Bà vì lý do nêu dưới đây.",
            Progress::Extended => {
                "Cơ quan giải quyết thành thật xin lỗi Ông/Bà vì hồ sơ chưa được giải quyết đúng ngày đã \
                 hẹn. Lý do chậm trễ và ngày hẹn trả kết quả mới được nêu dưới đây."
            }
            Progress::Returned => "Kết quả giải quyết hồ sơ của Ông/Bà đã được trả.",
            Progress::PaymentRequested => {
                "Hồ sơ của Ông/Bà cần nộp phí, lệ phí theo quy định trước khi được tiếp tục giải quyết. \
                 Số tiền phải nộp được nêu dưới đây."
            }
            Progress::Paid => "Cổng Dịch vụ công đã nhận được khoản phí, lệ phí Ông/Bà nộp cho hồ sơ.",
            Progress::Updated => "Hồ sơ của Ông/Bà vừa được cập nhật.",
        }
    }

    /// What the citizen may do next, after the table of facts.
    fn advice(&self) -> &'static str {
        match self.progress {
            Progress::Received => {
                "Vui lòng giữ Giấy tiếp nhận hồ sơ và hẹn trả kết quả để xuất trình khi nhận kết quả. \
                 Ông/Bà có thể theo dõi tình trạng giải quyết hồ sơ bằng đường dẫn dưới đây."
            }
            Progress::Refused => {
                "Ông/Bà có thể hoàn thiện và nộp lại hồ sơ, hoặc liên hệ cơ quan tiếp nhận hồ sơ để \
                 được hướng dẫn thêm."
            }
            Progress::SupplementRequested => {
                "Ông/Bà bổ sung giấy tờ trực tuyến bằng đường dẫn dưới đây. Theo Nghị định \
                 118/2025/NĐ-CP, cơ quan chỉ yêu cầu bổ sung, hoàn thiện hồ sơ một lần; thời hạn giải \
                 quyết được tính lại từ khi nhận đủ hồ sơ."
            }
            Progress::ResultReady => {
                "Nếu kết quả là bản điện tử, Ông/Bà có thể tải về tại mục “Hồ sơ của tôi” trên Cổng \
                 Dịch vụ công; Ông/Bà cũng có thể nhận kết quả tại Bộ phận Một cửa."
            }
            Progress::Stopped => "Nếu cần được giải thích thêm, vui lòng liên hệ cơ quan tiếp nhận hồ sơ.",
            Progress::Extended => {
                "Thư này thông báo nội dung Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết \
                 (Mẫu 04 Thông tư 03/2025/TT-VPCP) của cơ quan giải quyết. Kính mong Ông/Bà thông cảm."
            }
            Progress::Returned => "Ông/Bà có thể xem lại hồ sơ và kết quả bằng đường dẫn dưới đây.",
            Progress::PaymentRequested => {
                "Ông/Bà nộp trực tuyến qua Cổng thanh toán bằng đường dẫn dưới đây (chọn “Thanh toán trực \
                 tuyến” trên trang hồ sơ), hoặc nộp trực tiếp tại Bộ phận Một cửa. Thời gian chờ nộp phí không \
                 tính vào thời hạn giải quyết."
            }
            Progress::Paid => "Biên lai điện tử được lưu tại mục “Hồ sơ của tôi” trên Cổng Dịch vụ công.",
            Progress::Updated => "Vui lòng mở đường dẫn dưới đây để xem chi tiết.",
        }
    }

    /// The label of the link.
    fn action(&self) -> &'static str {
        match self.progress {
            Progress::Received | Progress::Extended => "Theo dõi hồ sơ",
            Progress::SupplementRequested => "Bổ sung hồ sơ",
            Progress::ResultReady => "Xem kết quả",
            Progress::PaymentRequested => "Nộp phí, lệ phí",
            Progress::Paid => "Xem hồ sơ và biên lai",
            Progress::Refused | Progress::Stopped | Progress::Returned | Progress::Updated => "Xem hồ sơ",
        }
    }
}

/// The data of `staff_invitation`.
struct StaffInvitation<'a> {
    name: &'a str,
    username: &'a str,
    agency_name: &'a str,
    link: &'a str,
    valid_hours: u32,
}

/// The data of `deadline_digest`.
struct DeadlineDigest<'a> {
    name: &'a str,
    agency_name: &'a str,
    due_soon: &'a [String],
    overdue: &'a [String],
    link: &'a str,
}

email_templates!(VerifyEmail:
    VerifyEmailSubject = "email/verify_email/subject.txt",
    VerifyEmailText = "email/verify_email/body.txt",
    VerifyEmailHtml = "email/verify_email/body.html");
email_templates!(ResetPassword:
    ResetPasswordSubject = "email/reset_password/subject.txt",
    ResetPasswordText = "email/reset_password/body.txt",
    ResetPasswordHtml = "email/reset_password/body.html");
email_templates!(DossierSubmitted:
    DossierSubmittedSubject = "email/dossier_submitted/subject.txt",
    DossierSubmittedText = "email/dossier_submitted/body.txt",
    DossierSubmittedHtml = "email/dossier_submitted/body.html");
email_templates!(DossierWithdrawn:
    DossierWithdrawnSubject = "email/dossier_withdrawn/subject.txt",
    DossierWithdrawnText = "email/dossier_withdrawn/body.txt",
    DossierWithdrawnHtml = "email/dossier_withdrawn/body.html");
email_templates!(DossierProgress:
    DossierProgressSubject = "email/dossier_progress/subject.txt",
    DossierProgressText = "email/dossier_progress/body.txt",
    DossierProgressHtml = "email/dossier_progress/body.html");
email_templates!(StaffInvitation:
    StaffInvitationSubject = "email/staff_invitation/subject.txt",
    StaffInvitationText = "email/staff_invitation/body.txt",
    StaffInvitationHtml = "email/staff_invitation/body.html");
email_templates!(DeadlineDigest:
    DeadlineDigestSubject = "email/deadline_digest/subject.txt",
    DeadlineDigestText = "email/deadline_digest/body.txt",
    DeadlineDigestHtml = "email/deadline_digest/body.html");

/// Text in NFC, so Vietnamese letters are one code point each whatever the input was.
fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// A subject on one line (a header cannot hold line breaks), in NFC.
fn one_line(text: &str) -> String {
    nfc(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: a 4xx reply, the server unreachable, a timeout, a full disk.
    #[error("{0}")]
    Temporary(String),
    /// Will never succeed as it is: a 5xx reply, an invalid address, a template that fails.
    #[error("{0}")]
    Permanent(String),
}

impl SendError {
    /// Whether trying again is pointless.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent(_))
    }
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server, one connection per message (blocking: call it from a worker thread).
    Smtp(SmtpTransport),
    /// One `.eml` file per message in a directory (development and demos).
    File(FileTransport),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mailer::Smtp(_) => "Mailer::Smtp",
            Mailer::File(_) => "Mailer::File",
        })
    }
}

impl Mailer {
    /// Builds the transport named by `config.smtp_url` (see [`Config::smtp_url`]); without
    /// one, files in `<data_dir>/mail`. Checks `config.mail_from` too, so a bad sender fails at
    /// start rather than on every message.
    pub fn from_config(config: &Config) -> anyhow::Result<Mailer> {
        config
            .mail_from
            .parse::<Mailbox>()
            .map_err(|e| anyhow::anyhow!("DVC_MAIL_FROM {:?} is not a valid sender address: {e}", config.mail_from))?;
        let endpoint = match &config.smtp_url {
            Some(url) => Endpoint::parse(url)?,
            None => Endpoint::File(config.data_dir.join("mail")),
        };
        Mailer::for_endpoint(endpoint)
    }

    fn for_endpoint(endpoint: Endpoint) -> anyhow::Result<Mailer> {
        match endpoint {
            Endpoint::File(dir) => {
                std::fs::create_dir_all(&dir)
                    .map_err(|e| anyhow::anyhow!("cannot create the mail directory {}: {e}", dir.display()))?;
                Ok(Mailer::File(FileTransport::new(dir)))
            }
            Endpoint::Smtp { security, host, port, credentials } => {
                let tls_error = |e| anyhow::anyhow!("cannot set up TLS for the SMTP server {host}: {e}");
                let builder = match security {
                    Security::None => SmtpTransport::builder_dangerous(host.as_str()),
                    Security::StartTls => SmtpTransport::starttls_relay(&host).map_err(tls_error)?,
                    Security::Tls => SmtpTransport::relay(&host).map_err(tls_error)?,
                };
                let builder = builder.port(port).timeout(Some(SMTP_TIMEOUT));
                let builder = match credentials {
                    Some(c) => builder.credentials(Credentials::new(c.user, c.password)),
                    None => builder,
                };
                Ok(Mailer::Smtp(builder.build()))
            }
        }
    }

    /// Renders and sends one message. Blocking; never logs the address or the content.
    pub fn send(&self, from: &str, mail: &OutgoingMail) -> Result<(), SendError> {
        self.deliver(build_message(from, mail, None)?)
    }

    /// [`Mailer::send`] with a stable `Message-ID` made from `key` (the outbox id): when a
    /// message goes out twice (delivery is at least once) both copies carry the same id, which
    /// mail clients use to show it once.
    pub fn send_keyed(&self, from: &str, mail: &OutgoingMail, key: &str) -> Result<(), SendError> {
        self.deliver(build_message(from, mail, Some(key))?)
    }

    fn deliver(&self, message: Message) -> Result<(), SendError> {
        match self {
            Mailer::Smtp(transport) => transport.send(&message).map(drop).map_err(smtp_error),
            Mailer::File(transport) => transport
                .send(&message)
                .map(drop)
                .map_err(|e| SendError::Temporary(shorten(&format!("cannot write the message file: {e}")))),
        }
    }
}

fn build_message(from: &str, mail: &OutgoingMail, key: Option<&str>) -> Result<Message, SendError> {
    let from: Mailbox =
        from.parse().map_err(|_| SendError::Permanent("the sender address (DVC_MAIL_FROM) is not valid".into()))?;
    let to: Mailbox = mail.to.parse().map_err(|_| SendError::Permanent("the recipient address is not valid".into()))?;
    let rendered = render(&mail.message)
        .map_err(|e| SendError::Permanent(shorten(&format!("template {}: {e}", mail.message.template()))))?;
    let message_id = key.map(|key| {
        let key: String = key.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')).collect();
        format!("<{key}@{}>", from.email.domain())
    });
    Message::builder()
        .message_id(message_id)
        .from(from)
        .to(to)
        .subject(rendered.subject)
        .multipart(MultiPart::alternative_plain_html(rendered.text, rendered.html))
        .map_err(|e| SendError::Permanent(shorten(&format!("cannot build the message: {e}"))))
}

/// Sorts an SMTP failure: 5xx replies are permanent; 4xx replies, network errors, timeouts and
/// TLS failures are worth another try. The server's text is kept, without any address in it.
fn smtp_error(e: lettre::transport::smtp::Error) -> SendError {
    let text = shorten(&redact_addresses(&format!("smtp: {e}")));
    if e.is_permanent() { SendError::Permanent(text) } else { SendError::Temporary(text) }
}

/// Replaces every word holding an `@` (servers echo the recipient) by `<address>`.
fn redact_addresses(text: &str) -> String {
    text.split(' ').map(|word| if word.contains('@') { "<address>" } else { word }).collect::<Vec<_>>().join(" ")
}

/// One line of at most [`MAX_ERROR_CHARS`] characters.
fn shorten(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= MAX_ERROR_CHARS {
        return line;
    }
    let mut short: String = line.chars().take(MAX_ERROR_CHARS - 1).collect();
    short.push('…');
    short
}

/// A parsed `DVC_SMTP_URL`.
#[derive(Clone, PartialEq, Eq)]
enum Endpoint {
    /// An SMTP server.
    Smtp { security: Security, host: String, port: u16, credentials: Option<SmtpCredentials> },
    /// A directory for `.eml` files.
    File(PathBuf),
}

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Security {
    /// `smtp://`: plain text, for a relay on the same host or network, or a test sink.
    None,
    /// `smtp+starttls://`: upgraded with STARTTLS, which is required.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
}

/// A user name and password, percent-decoded.
#[derive(Clone, PartialEq, Eq)]
struct SmtpCredentials {
    user: String,
    password: String,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Smtp { security, host, port, credentials } => f
                .debug_struct("Smtp")
                .field("security", security)
                .field("host", host)
                .field("port", port)
                .field("user", &credentials.as_ref().map(|c| c.user.as_str()))
                .finish_non_exhaustive(),
            Endpoint::File(dir) => f.debug_tuple("File").field(dir).finish(),
        }
    }
}

const SMTP_URL_FORMS: &str =
    "use smtp://host:port, smtp+starttls://user:pass@host:587, smtps://user:pass@host:465 or file:///directory";

impl Endpoint {
    /// Parses `DVC_SMTP_URL`; errors name the problem in one line and never show the password.
    fn parse(url: &str) -> anyhow::Result<Endpoint> {
        let url = url.trim();
        let bad = |why: &str| anyhow::anyhow!("DVC_SMTP_URL {:?} {why}: {SMTP_URL_FORMS}", redact_password(url));
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(bad("is not supported"));
        };
        let (security, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "file" if rest.is_empty() => return Err(bad("has no directory")),
            "file" => {
                return Ok(Endpoint::File(PathBuf::from(percent_decode(rest).ok_or_else(|| bad("is malformed"))?)));
            }
            "smtp" => (Security::None, 25),
            "smtp+starttls" => (Security::StartTls, 587),
            "smtps" => (Security::Tls, 465),
            _ => return Err(bad("is not supported")),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(bad("may hold only credentials, a host and a port"));
        }
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, rest),
        };
        let credentials = match userinfo {
            None => None,
            Some(userinfo) => {
                let (user, password) = userinfo.split_once(':').ok_or_else(|| bad("has a user but no password"))?;
                let user = percent_decode(user).filter(|u| !u.is_empty()).ok_or_else(|| bad("has a bad user name"))?;
                let password = percent_decode(password).ok_or_else(|| bad("has a malformed password"))?;
                Some(SmtpCredentials { user, password })
            }
        };
        if security == Security::None && credentials.is_some() {
            return Err(bad("would send the password unencrypted; use smtp+starttls:// or smtps://"));
        }
        let (host, port) = split_host_port(hostport).ok_or_else(|| bad("has a bad host or port"))?;
        Ok(Endpoint::Smtp { security, host, port: port.unwrap_or(default_port), credentials })
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_host_port(hostport: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() || host.contains(['@', ':', ' ']) && !hostport.starts_with('[') {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p != 0)?),
    };
    Some((host.to_owned(), port))
}

/// Decodes `%XX` escapes; `None` if one is malformed or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Hides the password of a URL before it is shown.
fn redact_password(url: &str) -> String {
    let Some(start) = url.find("://").map(|s| s + 3) else {
        return url.to_owned();
    };
    match url[start..].rfind('@').map(|at| start + at) {
        Some(at) => match url[start..at].find(':') {
            Some(colon) => format!("{}:***{}", &url[..start + colon], &url[at..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(security: Security, host: &str, port: u16, creds: Option<(&str, &str)>) -> Endpoint {
        Endpoint::Smtp {
            security,
            host: host.to_owned(),
            port,
            credentials: creds.map(|(u, p)| SmtpCredentials { user: u.to_owned(), password: p.to_owned() }),
        }
    }

    #[test]
    fn smtp_urls_are_parsed() {
        let cases = [
            ("smtp://127.0.0.1:2525", smtp(Security::None, "127.0.0.1", 2525, None)),
            ("smtp://relay.local", smtp(Security::None, "relay.local", 25, None)),
            ("smtp://relay.local:25/", smtp(Security::None, "relay.local", 25, None)),
            (
                "smtp+starttls://mailer:s3cret@mail.example.vn:587",
                smtp(Security::StartTls, "mail.example.vn", 587, Some(("mailer", "s3cret"))),
            ),
            ("smtp+starttls://mail.example.vn", smtp(Security::StartTls, "mail.example.vn", 587, None)),
            (
                "smtps://no-reply%40example.vn:p%40ss%3Aword@mail.example.vn:465",
                smtp(Security::Tls, "mail.example.vn", 465, Some(("no-reply@example.vn", "p@ss:word"))),
            ),
            ("SMTPS://u:p@mail.example.vn", smtp(Security::Tls, "mail.example.vn", 465, Some(("u", "p")))),
            ("smtp://[::1]:2525", smtp(Security::None, "::1", 2525, None)),
        ];
        for (url, expected) in cases {
            assert_eq!(Endpoint::parse(url).ok(), Some(expected), "{url}");
        }
    }

    #[test]
    fn file_urls_are_parsed() {
        assert_eq!(Endpoint::parse("file:///var/mail/dvc").ok(), Some(Endpoint::File("/var/mail/dvc".into())));
        assert_eq!(Endpoint::parse("file://data/mail").ok(), Some(Endpoint::File("data/mail".into())));
        assert_eq!(Endpoint::parse("file:///th%C6%B0").ok(), Some(Endpoint::File("/thư".into())));
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason_and_no_password() {
        for bad in [
            "",
            "mail.example.vn:25",
            "http://mail.example.vn",
            "smtp://",
            "smtp://:25",
            "smtp://host:0",
            "smtp://host:99999",
            "smtp://host:port",
            "smtp://host/path",
            "smtp://host?tls=required",
            "smtp://user:hunter2@host:25",
            "smtps://user@host",
            "smtps://:hunter2@host",
            "smtps://u:hunter2%zz@host",
            "file://",
        ] {
            let err = Endpoint::parse(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.starts_with("DVC_SMTP_URL"), "{bad:?} gave {err:?}");
            assert!(!err.contains("hunter2"), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
        let err = Endpoint::parse("smtp://user:hunter2@host:25").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("user:***@host"), "{err}");
        assert!(err.contains("unencrypted"), "{err}");
    }

    #[test]
    fn the_mailer_is_built_from_the_configuration() {
        let dir = std::env::temp_dir().join(format!("dvc-mailer-{}", uuid::Uuid::now_v7()));
        let mut config = Config::for_tests("sqlite://unused.db", dir.clone());
        assert!(matches!(Mailer::from_config(&config), Ok(Mailer::File(_))));
        assert!(dir.join("mail").is_dir(), "the default directory is created");
        config.smtp_url = Some("smtp://127.0.0.1:2525".into());
        assert!(matches!(Mailer::from_config(&config), Ok(Mailer::Smtp(_))));
        config.smtp_url = Some("smtps://u:p@mail.example.vn".into());
        assert!(matches!(Mailer::from_config(&config), Ok(Mailer::Smtp(_))));
        config.smtp_url = Some("pop3://mail.example.vn".into());
        assert!(Mailer::from_config(&config).is_err());
        config.smtp_url = None;
        config.mail_from = "not an address".into();
        let err = Mailer::from_config(&config).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("DVC_MAIL_FROM"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }

    fn submitted(papers: Vec<String>) -> MailMessage {
        MailMessage::DossierSubmitted {
            name: "Công ty TNHH Minh & Cộng sự <b>".into(),
            code: "000.00.01.H22-261125-00017".into(),
            procedure_name: "Cấp giấy phép xây dựng".into(),
            agency_name: "UBND xã Đông Sơn".into(),
            papers,
            track_link: "http://127.0.0.1/tra-cuu?ma=000.00.01.H22-261125-00017&k=1".into(),
        }
    }

    #[test]
    fn text_parts_are_not_escaped_and_html_parts_are() {
        let r = render(&submitted(vec!["Đơn đề nghị (1 tệp)".into()])).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.text.contains("Công ty TNHH Minh & Cộng sự <b>"), "{}", r.text);
        assert!(r.text.contains("tra-cuu?ma=000.00.01.H22-261125-00017&k=1"));
        assert!(r.html.contains("Công ty TNHH Minh &#38; Cộng sự &#60;b&#62;"), "{}", r.html);
        assert!(!r.html.contains("<b>"));
        assert!(r.html.contains(r#"href="http://127.0.0.1/tra-cuu?ma=000.00.01.H22-261125-00017&#38;k=1""#));
        assert_eq!(r.subject, "Hồ sơ 000.00.01.H22-261125-00017 đã được nộp thành công");
    }

    #[test]
    fn every_message_renders_in_nfc_with_its_own_subject() {
        // "Nguyễn" written with combining marks (NFD) comes out composed.
        let decomposed: String = "Nguyễn Thị Hoà".nfd().collect();
        let messages = [
            MailMessage::VerifyEmail { name: decomposed.clone(), link: "http://x/v?t=1".into() },
            MailMessage::ResetPassword { name: decomposed.clone(), link: "http://x/r?t=1".into() },
            submitted(vec![]),
            MailMessage::DossierWithdrawn {
                name: decomposed.clone(),
                code: "X-1".into(),
                procedure_name: "Đăng ký khai sinh".into(),
                reason: "Nộp nhầm thủ tục".into(),
            },
            progress("receive", vec![("Ngày hẹn trả kết quả".into(), "28/11/2026 16:30".into())]),
            staff_invitation(),
            MailMessage::DeadlineDigest {
                name: decomposed,
                agency_name: "UBND xã Đông Sơn".into(),
                due_soon: vec![],
                overdue: vec!["X-2 — Đăng ký kết hôn — 20/11/2026".into()],
                link: "http://x/can-bo/ho-so".into(),
            },
        ];
        let subjects = [
            "Xác nhận địa chỉ thư điện tử",
            "Đặt lại mật khẩu",
            "Hồ sơ 000.00.01.H22-261125-00017 đã được nộp thành công",
            "Hồ sơ X-1 đã được rút",
            "Hồ sơ 000.00.01.H22-261125-00017 đã được tiếp nhận",
            "Mời tham gia hệ thống một cửa điện tử",
            "Nhắc việc: 0 hồ sơ sắp đến hạn, 1 hồ sơ quá hạn",
        ];
        for (message, subject) in messages.iter().zip(subjects) {
            let r = render(message).unwrap_or_else(|e| panic!("{}: {e}", message.template()));
            assert_eq!(r.subject, subject);
            for part in [&r.subject, &r.text, &r.html] {
                assert!(unicode_normalization::is_nfc(part), "{}: not NFC", message.template());
            }
            assert!(r.html.starts_with("<!DOCTYPE html>") && r.html.contains(r#"<html lang="vi">"#));
            assert!(r.html.contains(&format!("<title>{subject}</title>")));
            assert!(!r.text.contains("<p") && !r.text.contains("<a "), "{}: markup in the text", message.template());
        }
        let empty = render(&submitted(vec![])).unwrap_or_else(|e| panic!("{e}"));
        assert!(empty.text.contains("(không có giấy tờ đính kèm)"));
    }

    fn progress(event: &str, facts: Vec<(String, String)>) -> MailMessage {
        MailMessage::DossierProgress {
            name: "Nguyễn Văn An".into(),
            code: "000.00.01.H22-261125-00017".into(),
            procedure_name: "Cấp giấy phép xây dựng".into(),
            event: event.into(),
            facts,
            link: "http://127.0.0.1/tai-khoan/ho-so/17?buoc=bo-sung&k=1".into(),
        }
    }

    fn staff_invitation() -> MailMessage {
        MailMessage::StaffInvitation {
            name: "Trần Thị Bình".into(),
            username: "binh.tt".into(),
            agency_name: "UBND xã Đông Sơn".into(),
            link: "http://127.0.0.1/can-bo/dat-mat-khau?t=abc&u=2".into(),
        }
    }

    #[test]
    fn progress_messages_take_their_wording_from_the_event() {
        let code = "000.00.01.H22-261125-00017";
        let cases = [
            ("receive", format!("Hồ sơ {code} đã được tiếp nhận"), "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
            ("counter_intake", format!("Hồ sơ {code} đã được tiếp nhận"), "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
            ("refuse", format!("Hồ sơ {code} không được tiếp nhận"), "nộp lại hồ sơ"),
            ("request_supplement", format!("Hồ sơ {code} cần bổ sung giấy tờ"), "118/2025/NĐ-CP"),
            ("approve", format!("Hồ sơ {code} đã có kết quả"), "“Hồ sơ của tôi”"),
            ("stop", format!("Hồ sơ {code} bị dừng xử lý"), "dừng xử lý hồ sơ"),
            (
                "extend",
                format!("Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}"),
                "Mẫu 04 Thông tư 03/2025/TT-VPCP",
            ),
            ("return_result", format!("Hồ sơ {code} đã trả kết quả"), "đã được trả"),
            ("assign", format!("Hồ sơ {code} được cập nhật"), "vừa được cập nhật"),
        ];
        for (event, subject, phrase) in cases {
            let facts = vec![("Ngày hẹn trả kết quả".to_owned(), "28/11/2026 16:30".to_owned())];
            let r = render(&progress(event, facts)).unwrap_or_else(|e| panic!("{event}: {e}"));
            assert_eq!(r.subject, subject, "{event}");
            assert!(r.html.contains(&format!(
                "<h1 style=\"margin:0 0 16px;font-size:22px;line-height:1.3;color:#1b1b1b;\">{subject}</h1>"
            )));
            for part in [&r.text, &r.html] {
                assert!(part.contains(phrase), "{event}: {part}");
                assert!(part.contains("Kính gửi Ông/Bà Nguyễn Văn An"), "{event}");
                assert!(part.contains(code) && part.contains("Cấp giấy phép xây dựng"), "{event}");
                assert!(part.contains("Ngày hẹn trả kết quả") && part.contains("28/11/2026 16:30"), "{event}");
            }
            assert!(r.text.contains("Ngày hẹn trả kết quả: 28/11/2026 16:30\n"), "{}", r.text);
            assert!(r.text.contains("http://127.0.0.1/tai-khoan/ho-so/17?buoc=bo-sung&k=1"));
            assert!(r.html.contains(r#"href="http://127.0.0.1/tai-khoan/ho-so/17?buoc=bo-sung&#38;k=1""#));
        }
        let supplement = render(&progress("request_supplement", vec![])).unwrap_or_else(|e| panic!("{e}"));
        assert!(supplement.html.contains(">Bổ sung hồ sơ</a>"), "{}", supplement.html);
        assert!(supplement.text.contains("Bổ sung hồ sơ:\nhttp://"), "{}", supplement.text);
    }

    #[test]
    fn progress_facts_are_escaped_in_html_only() {
        let facts = vec![
            ("Lý do".to_owned(), "Thiếu <b>bản vẽ</b> & chữ ký".to_owned()),
            ("Giấy tờ <cần> bổ sung".to_owned(), "Bản sao \"sổ đỏ\"".to_owned()),
        ];
        for event in ["refuse", "stop", "request_supplement", "extend"] {
            let r = render(&progress(event, facts.clone())).unwrap_or_else(|e| panic!("{event}: {e}"));
            assert!(r.text.contains("Lý do: Thiếu <b>bản vẽ</b> & chữ ký"), "{}", r.text);
            assert!(r.text.contains("Giấy tờ <cần> bổ sung: Bản sao \"sổ đỏ\""), "{}", r.text);
            assert!(r.html.contains("Thiếu &#60;b&#62;bản vẽ&#60;/b&#62; &#38; chữ ký"), "{}", r.html);
            assert!(r.html.contains("Giấy tờ &#60;cần&#62; bổ sung"), "{}", r.html);
            assert!(r.html.contains("Bản sao &#34;sổ đỏ&#34;"), "{}", r.html);
            assert!(!r.html.contains("<b>") && !r.html.contains("<cần>"));
        }
    }

    #[test]
    fn a_staff_invitation_shows_the_account_and_how_long_the_link_lasts() {
        let r = render(&staff_invitation()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.subject, "Mời tham gia hệ thống một cửa điện tử");
        for part in [&r.text, &r.html] {
            assert!(part.contains("Kính gửi Ông/Bà Trần Thị Bình"));
            assert!(part.contains("binh.tt") && part.contains("UBND xã Đông Sơn"));
            assert!(part.contains(&format!("{STAFF_INVITATION_VALID_HOURS} giờ")), "{part}");
            assert!(part.contains("bỏ qua thư này"));
        }
        assert!(r.text.contains("http://127.0.0.1/can-bo/dat-mat-khau?t=abc&u=2"));
        assert!(r.html.contains(r#"href="http://127.0.0.1/can-bo/dat-mat-khau?t=abc&#38;u=2""#));
        assert!(r.html.contains(">Đặt mật khẩu</a>"));
    }

    #[test]
    fn a_deadline_digest_lists_both_kinds_and_says_when_one_is_empty() {
        let digest = |due_soon: Vec<String>, overdue: Vec<String>| MailMessage::DeadlineDigest {
            name: "Lê Văn Cường".into(),
            agency_name: "UBND xã Đông Sơn".into(),
            due_soon,
            overdue,
            link: "http://127.0.0.1/can-bo/ho-so?loc=han&trang=1".into(),
        };
        let full = render(&digest(
            vec![
                "X-1 — Cấp giấy phép xây dựng — 27/11/2026 16:30".into(),
                "X-2 — Đăng ký <khai sinh> — 27/11/2026 08:00".into(),
            ],
            vec!["X-3 — Đăng ký kết hôn — 20/11/2026 16:30".into()],
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(full.subject, "Nhắc việc: 2 hồ sơ sắp đến hạn, 1 hồ sơ quá hạn");
        assert!(full.text.contains("- X-1 — Cấp giấy phép xây dựng — 27/11/2026 16:30\n"), "{}", full.text);
        assert!(full.text.contains("- X-2 — Đăng ký <khai sinh> — 27/11/2026 08:00\n"));
        assert!(full.text.contains("- X-3 — Đăng ký kết hôn — 20/11/2026 16:30\n"));
        assert!(full.html.contains("<li>X-2 — Đăng ký &#60;khai sinh&#62; — 27/11/2026 08:00</li>"), "{}", full.html);
        assert!(full.html.contains(r#"href="http://127.0.0.1/can-bo/ho-so?loc=han&#38;trang=1""#));
        for part in [&full.text, &full.html] {
            assert!(part.contains("UBND xã Đông Sơn") && part.contains("Kính gửi Ông/Bà Lê Văn Cường"));
            assert!(!part.contains("Không có hồ sơ"), "{part}");
        }

        let empty = render(&digest(vec![], vec![])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(empty.subject, "Nhắc việc: 0 hồ sơ sắp đến hạn, 0 hồ sơ quá hạn");
        for part in [&empty.text, &empty.html] {
            assert!(part.contains("Không có hồ sơ sắp đến hạn."), "{part}");
            assert!(part.contains("Không có hồ sơ quá hạn."), "{part}");
            assert!(part.contains("http://127.0.0.1/can-bo/ho-so?loc=han&"));
        }
        assert!(!empty.html.contains("<ul") && !empty.html.contains("<li>"));
    }

    #[test]
    fn a_keyed_message_has_a_stable_message_id_on_the_sender_domain() {
        let mail = OutgoingMail { to: "an@example.vn".into(), message: submitted(vec![]) };
        let from = "Cổng Dịch vụ công <no-reply@dichvucong.example.vn>";
        let formatted = |key| {
            let message = build_message(from, &mail, key).unwrap_or_else(|e| panic!("{e}"));
            String::from_utf8_lossy(&message.formatted()).into_owned()
        };
        let keyed = formatted(Some("0193a1b2-c3d4 <x>"));
        assert!(keyed.contains("Message-ID: <0193a1b2-c3d4x@dichvucong.example.vn>\r\n"), "{keyed}");
        assert_ne!(formatted(None).lines().find(|l| l.starts_with("Message-ID")), None);
        let bad = OutgoingMail { to: "not an address".into(), message: submitted(vec![]) };
        assert!(build_message(from, &bad, None).err().is_some_and(|e| e.is_permanent()));
    }

    #[test]
    fn errors_keep_no_address_and_stay_short() {
        let redacted = redact_addresses("550 5.1.1 <an.nguyen@example.vn>: Recipient address rejected");
        assert_eq!(redacted, "550 5.1.1 <address> Recipient address rejected");
        let long = "x".repeat(500);
        assert_eq!(shorten(&long).chars().count(), MAX_ERROR_CHARS);
        assert_eq!(shorten("a\r\nb"), "a b");
    }
}
