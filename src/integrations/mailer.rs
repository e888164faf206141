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
}

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
                name: decomposed,
                code: "X-1".into(),
                procedure_name: "Đăng ký khai sinh".into(),
                reason: "Nộp nhầm thủ tục".into(),
            },
        ];
        let subjects = [
            "Xác nhận địa chỉ thư điện tử",
            "Đặt lại mật khẩu",
            "Hồ sơ 000.00.01.H22-261125-00017 đã được nộp thành công",
            "Hồ sơ X-1 đã được rút",
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
