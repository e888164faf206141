//! A minimal real SMTP server for tests: listens on `127.0.0.1:0`, speaks enough SMTP for
//! lettre (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), keeps every
//! accepted message, and can be told to refuse the next messages with a 4xx or 5xx reply.

use mail_parser::{MessageParser, MimeHeaders, PartType};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A temporary refusal ("try again later").
pub const TEMPORARY: u16 = 451;
/// A permanent refusal ("no such mailbox").
pub const PERMANENT: u16 = 550;

/// The running server; stops accepting when dropped.
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    arrived: Condvar,
    stopping: AtomicBool,
}

#[derive(Default)]
struct State {
    accepted: Vec<Envelope>,
    /// Reply codes for the next messages, in order; empty means accept.
    refusals: VecDeque<u16>,
    refused: usize,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One accepted message as it arrived.
#[derive(Clone, Debug)]
pub struct Envelope {
    /// `MAIL FROM`.
    pub mail_from: String,
    /// `RCPT TO`, in order.
    pub rcpt_to: Vec<String>,
    /// The message after dot-unstuffing, CRLF line endings.
    pub data: Vec<u8>,
}

/// One accepted message, decoded.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    /// The envelope recipients.
    pub rcpt_to: Vec<String>,
    /// The address in the `To` header.
    pub to: String,
    /// The decoded `Subject`.
    pub subject: String,
    /// The `Message-ID`, without angle brackets.
    pub message_id: String,
    /// The top-level content type, e.g. `multipart/alternative`.
    pub content_type: String,
    /// The decoded `text/plain` part.
    pub text: String,
    /// The decoded `text/html` part.
    pub html: String,
    /// The message as sent.
    pub raw: String,
}

impl SmtpSink {
    /// Starts a server on a free port of 127.0.0.1.
    pub fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind the SMTP sink: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("sink address: {e}"));
        let shared = Arc::new(Shared::default());
        let accepting = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let shared = Arc::clone(&accepting);
                    std::thread::spawn(move || {
                        // A client that goes away mid-conversation is not the sink's problem.
                        let _ = converse(stream, &shared);
                    });
                }
            }
        });
        SmtpSink { addr, shared }
    }

    /// `smtp://127.0.0.1:<port>`, for `Config::smtp_url`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Refuses the next `n` messages (at the end of DATA) with `code`: [`TEMPORARY`] or
    /// [`PERMANENT`].
    pub fn fail_next(&self, n: usize, code: u16) {
        self.shared.state().refusals.extend(std::iter::repeat_n(code, n));
    }

    /// How many messages were refused so far.
    pub fn refused(&self) -> usize {
        self.shared.state().refused
    }

    /// The accepted messages as they arrived.
    pub fn envelopes(&self) -> Vec<Envelope> {
        self.shared.state().accepted.clone()
    }

    /// The accepted messages, decoded, in arrival order.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.envelopes().iter().map(decode).collect()
    }

    /// Waits (without polling) until at least `n` messages were accepted, or panics after
    /// `timeout`; for tests of the background worker.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.state();
        while state.accepted.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "waited {timeout:?} for {n} messages; {} arrived", state.accepted.len());
            state = self.shared.arrived.wait_timeout(state, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        drop(state);
        self.messages()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Decodes a message with mail-parser; panics if it is not a well-formed message.
fn decode(envelope: &Envelope) -> ReceivedMail {
    let raw = String::from_utf8_lossy(&envelope.data).into_owned();
    let message = MessageParser::default().parse(&envelope.data).unwrap_or_else(|| panic!("not a message:\n{raw}"));
    let content_type = message
        .content_type()
        .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()))
        .unwrap_or_default();
    // The parts themselves, not mail-parser's conversions of one into the other.
    let text = match message.text_part(0).map(|p| &p.body) {
        Some(PartType::Text(text)) => text.to_string(),
        _ => String::new(),
    };
    let html = match message.html_part(0).map(|p| &p.body) {
        Some(PartType::Html(html)) => html.to_string(),
        _ => String::new(),
    };
    ReceivedMail {
        rcpt_to: envelope.rcpt_to.clone(),
        to: message.to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned(),
        subject: message.subject().unwrap_or_default().to_owned(),
        message_id: message.message_id().unwrap_or_default().to_owned(),
        content_type,
        text,
        html,
        raw,
    }
}

/// One SMTP session.
fn converse(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    let mut reply = |text: &str| out.write_all(format!("{text}\r\n").as_bytes());
    reply("220 sink.test ESMTP ready")?;
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    while let Some(line) = read_line(&mut reader)? {
        let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => reply("250-sink.test\r\n250 HELP")?,
            "HELO" => reply("250 sink.test")?,
            "MAIL" => {
                mail_from = Some(angle_address(&line));
                rcpt_to.clear();
                reply("250 2.1.0 OK")?;
            }
            "RCPT" if mail_from.is_none() => reply("503 5.5.1 MAIL first")?,
            "RCPT" => {
                rcpt_to.push(angle_address(&line));
                reply("250 2.1.5 OK")?;
            }
            "DATA" if rcpt_to.is_empty() => reply("503 5.5.1 RCPT first")?,
            "DATA" => {
                reply("354 end data with <CR><LF>.<CR><LF>")?;
                let data = read_data(&mut reader)?;
                let envelope = Envelope {
                    mail_from: mail_from.take().unwrap_or_default(),
                    rcpt_to: std::mem::take(&mut rcpt_to),
                    data,
                };
                let mut state = shared.state();
                match state.refusals.pop_front() {
                    Some(code) => {
                        state.refused += 1;
                        drop(state);
                        // Real servers echo the recipient: the portal must not store or log it.
                        let rcpt = envelope.rcpt_to.first().cloned().unwrap_or_default();
                        match code {
                            c if c < 500 => reply(&format!("{c} 4.3.0 <{rcpt}>: try again later"))?,
                            c => reply(&format!("{c} 5.1.1 <{rcpt}>: mailbox unavailable"))?,
                        }
                    }
                    None => {
                        state.accepted.push(envelope);
                        let n = state.accepted.len();
                        drop(state);
                        shared.arrived.notify_all();
                        reply(&format!("250 2.0.0 queued as {n}"))?;
                    }
                }
            }
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                reply("250 2.0.0 OK")?;
            }
            "NOOP" => reply("250 2.0.0 OK")?,
            "QUIT" => {
                reply("221 2.0.0 bye")?;
                return Ok(());
            }
            _ => reply("502 5.5.2 command not recognised")?,
        }
    }
    Ok(())
}

/// A line without its CRLF; `None` at the end of the stream.
fn read_line(reader: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    if reader.read_until(b'\n', &mut buf)? == 0 {
        return Ok(None);
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// The lines of DATA up to the lone dot, with leading dots unstuffed, joined by CRLF.
fn read_data(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    loop {
        let mut buf = Vec::new();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the client left during DATA"));
        }
        let line = buf.strip_suffix(b"\r\n").or_else(|| buf.strip_suffix(b"\n")).unwrap_or(&buf);
        if line == b"." {
            return Ok(data);
        }
        let line = line.strip_prefix(b".").unwrap_or(line);
        data.extend_from_slice(line);
        data.extend_from_slice(b"\r\n");
    }
}

/// The address between `<` and `>` of a MAIL or RCPT command.
fn angle_address(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].to_owned()
}
