'use strict';
// A tiny SMTP sink for the end-to-end run: plain Node (net + http), no npm package.
//
//   node tests/e2e/smtp-sink.js [--host 127.0.0.1] [--smtp-port 0] [--http-port 0]
//                               [--ready-file FILE] [--save-dir DIR]
//
// SMTP side: a plain-text ESMTP server (RFC 5321 subset) that accepts every message:
// EHLO/HELO, MAIL FROM, RCPT TO, DATA (with dot-unstuffing), RSET, NOOP, VRFY, HELP, QUIT.
// EHLO advertises neither STARTTLS nor AUTH, so a client configured with plain smtp://
// (lettre's builder_dangerous, as the portal uses for DVC_SMTP_URL=smtp://host:port) is happy.
//
// HTTP side, for journeys:
//   GET    /messages[?to=addr]   JSON array, oldest first, of
//          { id, receivedAt, mailFrom, to: [envelope recipients], headerTo, from, subject,
//            text, html, raw }
//          subject: RFC 2047 encoded-words decoded (B or Q, any charset Node knows);
//          text/html: the text/plain and text/html parts (of multipart/alternative or a
//          single-part message) with quoted-printable/base64 decoded and their charset applied.
//   GET    /messages/<id>.eml    the raw message
//   DELETE /messages             forget every message
//   GET    /healthz              200 ok
//
// Port 0 (the default) lets the kernel pick free ports; once both servers listen, the sink
// prints one line `smtp-sink ready {json}` and, with --ready-file, writes the same JSON
// ({ smtpPort, httpPort, smtpUrl, httpUrl }) to that file (atomically), which is how
// .ci/e2e.sh learns the ports. With --save-dir each message is also written there as
// <nn>-<recipient>.eml (CI artefacts). SIGTERM/SIGINT stop it.
//
// Journeys read mail with `waitForMail()` exported below (it polls: the portal's background
// worker sends its outbox every couple of seconds).

const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
const MAX_LINE_BYTES = 4096; // command lines (RFC 5321 §4.5.3.1.4 says 512; be lenient)
const MAX_RECIPIENTS = 100;
const IDLE_TIMEOUT_MS = 5 * 60_000;

// ---------------------------------------------------------------- MIME decoding

/** Decodes bytes in a charset Node knows (falls back to UTF-8, then latin1). */
function decodeBytes(buf, charset) {
  const cs = String(charset || 'utf-8').trim().replace(/^"|"$/g, '').split('*')[0].toLowerCase() || 'utf-8';
  for (const label of [cs, 'utf-8']) {
    try {
      return new TextDecoder(label === 'us-ascii' || label === 'ascii' ? 'utf-8' : label).decode(buf);
    } catch (_) { /* unknown label: try the next */ }
  }
  return buf.toString('latin1');
}

/** Quoted-printable (RFC 2045 §6.7) → bytes. `input` is a latin1 (byte) string. */
function decodeQuotedPrintable(input) {
  const s = input.replace(/[ \t]+(?=\r?\n)/g, '').replace(/=\r?\n/g, '');
  const out = [];
  for (let i = 0; i < s.length; i += 1) {
    const c = s[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(s.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The bytes of one encoded-word's text (RFC 2047 §4: B = base64, Q = QP with `_` for space). */
function encodedWordBytes(encoding, text) {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  const out = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/**
 * Decodes a header value: raw 8-bit bytes are read as UTF-8 (RFC 6532), and RFC 2047
 * encoded-words are decoded. Adjacent encoded-words (only whitespace between them) are joined
 * before their charset is applied, so a character split across two words survives.
 * `value` is a latin1 (byte) string.
 */
function decodeHeader(value) {
  const raw = /[\x80-\xff]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
  const re = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
  let out = '';
  let last = 0;
  let pending = null; // { charset, chunks: [Buffer] }
  const flush = () => {
    if (pending) out += decodeBytes(Buffer.concat(pending.chunks), pending.charset);
    pending = null;
  };
  let m;
  while ((m = re.exec(raw)) !== null) {
    const between = raw.slice(last, m.index);
    const charset = m[1].split('*')[0].toLowerCase();
    if (!(pending && /^[ \t\r\n]*$/.test(between))) {
      flush();
      out += between;
    }
    if (pending && pending.charset !== charset) flush();
    if (!pending) pending = { charset, chunks: [] };
    pending.chunks.push(encodedWordBytes(m[2], m[3]));
    last = re.lastIndex;
  }
  flush();
  return out + raw.slice(last);
}

/** Splits a latin1 message into unfolded headers and the body. */
function splitEntity(entity) {
  const sep = entity.search(/\r?\n\r?\n/);
  const head = sep < 0 ? entity : entity.slice(0, sep);
  const body = sep < 0 ? '' : entity.slice(sep).replace(/^\r?\n\r?\n/, '');
  const headers = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1].value += line;
    else {
      const i = line.indexOf(':');
      if (i > 0) headers.push({ name: line.slice(0, i).trim().toLowerCase(), value: line.slice(i + 1).trim() });
    }
  }
  return { headers, body };
}

function header(headers, name) {
  const h = headers.find((x) => x.name === name);
  return h ? h.value : '';
}

/** `type/subtype; a=b; c="d"` → { type, params }. */
function parseContentType(value) {
  const [type, ...rest] = (value || 'text/plain').split(';');
  const params = {};
  const re = /([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  const joined = rest.join(';');
  let m;
  while ((m = re.exec(joined)) !== null) {
    let v = m[2].trim();
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[m[1].toLowerCase()] = v;
  }
  return { type: type.trim().toLowerCase() || 'text/plain', params };
}

function decodeTransfer(body, encoding) {
  switch (String(encoding || '7bit').trim().toLowerCase()) {
    case 'base64': return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable': return decodeQuotedPrintable(body);
    default: return Buffer.from(body, 'latin1');
  }
}

/** Every leaf part of an entity: { type, charset, disposition, text } (text decoded). */
function leafParts(entity, depth = 0) {
  const { headers, body } = splitEntity(entity);
  const ct = parseContentType(header(headers, 'content-type'));
  if (ct.type.startsWith('multipart/') && ct.params.boundary && depth < 10) {
    const delim = `--${ct.params.boundary}`;
    const lines = body.split(/\r?\n/);
    const parts = [];
    let current = null;
    for (const line of lines) {
      const t = line.replace(/[ \t]+$/, '');
      if (t === `${delim}--`) {
        if (current) parts.push(current.join('\r\n'));
        current = null;
        break;
      }
      if (t === delim) {
        if (current) parts.push(current.join('\r\n'));
        current = [];
      } else if (current) current.push(line);
    }
    if (current) parts.push(current.join('\r\n')); // unterminated multipart: keep what came
    return parts.flatMap((p) => leafParts(p, depth + 1));
  }
  const bytes = decodeTransfer(body, header(headers, 'content-transfer-encoding'));
  const text = ct.type.startsWith('text/') ? decodeBytes(bytes, ct.params.charset) : null;
  return [{ type: ct.type, charset: ct.params.charset || null, disposition: header(headers, 'content-disposition'), text }];
}

/** Addresses out of a decoded To/Cc header (good enough for test mail). */
function addressesOf(value) {
  const found = value.match(/[^\s<>,;"]+@[^\s<>,;"]+/g);
  return found ? found.map((a) => a.replace(/^<|>$/g, '')) : [];
}

/** Parses a raw message (Buffer) into what journeys need. */
function parseMessage(rawBuf) {
  const latin1 = rawBuf.toString('latin1');
  const { headers } = splitEntity(latin1);
  const leaves = leafParts(latin1);
  const inline = (type) => leaves.find((p) => p.type === type && p.text !== null && !/^\s*attachment/i.test(p.disposition));
  const plain = inline('text/plain');
  const html = inline('text/html');
  const headerTo = decodeHeader(header(headers, 'to'));
  return {
    subject: decodeHeader(header(headers, 'subject')),
    from: decodeHeader(header(headers, 'from')),
    headerTo,
    headerToAddresses: addressesOf(headerTo),
    messageId: header(headers, 'message-id'),
    date: header(headers, 'date'),
    text: plain ? plain.text : (html ? html.text.replace(/<[^>]*>/g, ' ') : ''),
    html: html ? html.text : null,
    parts: leaves.map((p) => ({ type: p.type, charset: p.charset, disposition: p.disposition || null })),
  };
}

// ---------------------------------------------------------------- the sink

/**
 * Starts the SMTP and HTTP servers. Resolves to
 * { smtpPort, httpPort, smtpUrl, httpUrl, messages, close() }.
 */
function startSink({ host = '127.0.0.1', smtpPort = 0, httpPort = 0, saveDir = null, log = () => {} } = {}) {
  const messages = [];
  let nextId = 1;
  const sockets = new Set();
  if (saveDir) fs.mkdirSync(saveDir, { recursive: true });

  function store(envelope, rawBuf) {
    const id = nextId++;
    let parsed;
    try {
      parsed = parseMessage(rawBuf);
    } catch (err) {
      parsed = { subject: '', text: '', html: null, parseError: String(err && err.stack ? err.stack : err) };
    }
    const msg = {
      id,
      receivedAt: new Date().toISOString(),
      mailFrom: envelope.from,
      to: envelope.rcpts.slice(),
      ...parsed,
      raw: rawBuf.toString('utf8'),
    };
    messages.push(msg);
    if (saveDir) {
      const who = (msg.to[0] || 'unknown').replace(/[^A-Za-z0-9@._+-]+/g, '_').slice(0, 60);
      try {
        fs.writeFileSync(path.join(saveDir, `${String(id).padStart(2, '0')}-${who}.eml`), rawBuf);
      } catch (err) {
        log(`cannot save message ${id}: ${err.message}`);
      }
    }
    log(`message #${id} (${rawBuf.length} bytes) from <${msg.mailFrom}> to ${msg.to.map((a) => `<${a}>`).join(', ')}: ${JSON.stringify(msg.subject)}`);
    return msg;
  }

  const smtp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setTimeout(IDLE_TIMEOUT_MS, () => {
      reply('421 4.4.2 idle for too long, closing');
      socket.end();
    });
    socket.on('error', () => { /* client went away */ });

    let buffer = Buffer.alloc(0);
    let greeted = false;
    let envelope = null; // { from, rcpts }
    let inData = false;
    let dataLines = [];
    let dataBytes = 0;
    let dataTooBig = false;

    function reply(text) {
      if (!socket.destroyed && socket.writable) socket.write(`${text}\r\n`);
    }

    function endData() {
      inData = false;
      const raw = Buffer.concat(dataLines.flatMap((l) => [l, Buffer.from('\r\n')]));
      dataLines = [];
      if (dataTooBig) reply('552 5.3.4 message too big');
      else {
        const msg = store(envelope, raw);
        reply(`250 2.0.0 OK: queued as ${msg.id}`);
      }
      envelope = null;
      dataBytes = 0;
      dataTooBig = false;
    }

    function onDataLine(line) {
      if (line.length === 1 && line[0] === 0x2e) {
        endData();
        return;
      }
      // Dot-unstuffing (RFC 5321 §4.5.2): a leading "." that the client doubled is removed.
      const content = line.length > 0 && line[0] === 0x2e ? line.subarray(1) : line;
      dataBytes += content.length + 2;
      if (dataBytes > MAX_MESSAGE_BYTES) dataTooBig = true;
      else dataLines.push(Buffer.from(content));
    }

    function onCommand(lineBuf) {
      const line = lineBuf.toString('utf8');
      const m = /^([A-Za-z]+)(?:[ \t]+(.*))?$/.exec(line.trim());
      if (!m) {
        reply('500 5.5.2 syntax error');
        return;
      }
      const verb = m[1].toUpperCase();
      const arg = (m[2] || '').trim();
      switch (verb) {
        case 'EHLO':
          if (!arg) { reply('501 5.5.4 EHLO needs a domain'); return; }
          greeted = true;
          envelope = null;
          // No STARTTLS, no AUTH: plain smtp:// clients must not be tempted to use them.
          reply(`250-${os.hostname() || 'localhost'} greets ${arg}`);
          reply('250-8BITMIME');
          reply('250-SMTPUTF8');
          reply(`250-SIZE ${MAX_MESSAGE_BYTES}`);
          reply('250 HELP');
          return;
        case 'HELO':
          if (!arg) { reply('501 5.5.4 HELO needs a domain'); return; }
          greeted = true;
          envelope = null;
          reply(`250 ${os.hostname() || 'localhost'} greets ${arg}`);
          return;
        case 'MAIL': {
          if (!greeted) { reply('503 5.5.1 send EHLO or HELO first'); return; }
          if (envelope) { reply('503 5.5.1 nested MAIL command'); return; }
          const a = /^FROM:\s*<([^>]*)>(.*)$/i.exec(arg);
          if (!a) { reply('501 5.5.4 syntax: MAIL FROM:<address>'); return; }
          const size = /\bSIZE=(\d+)/i.exec(a[2]);
          if (size && Number(size[1]) > MAX_MESSAGE_BYTES) { reply('552 5.3.4 message too big'); return; }
          envelope = { from: a[1], rcpts: [] };
          reply('250 2.1.0 OK');
          return;
        }
        case 'RCPT': {
          if (!envelope) { reply('503 5.5.1 need MAIL before RCPT'); return; }
          const a = /^TO:\s*<([^>]+)>/i.exec(arg);
          if (!a) { reply('501 5.5.4 syntax: RCPT TO:<address>'); return; }
          if (envelope.rcpts.length >= MAX_RECIPIENTS) { reply('452 4.5.3 too many recipients'); return; }
          envelope.rcpts.push(a[1]);
          reply('250 2.1.5 OK');
          return;
        }
        case 'DATA':
          if (!envelope) { reply('503 5.5.1 need MAIL first'); return; }
          if (!envelope.rcpts.length) { reply('503 5.5.1 need RCPT first'); return; }
          if (arg) { reply('501 5.5.4 DATA takes no argument'); return; }
          inData = true;
          dataLines = [];
          dataBytes = 0;
          dataTooBig = false;
          reply('354 End data with <CR><LF>.<CR><LF>');
          return;
        case 'RSET':
          envelope = null;
          reply('250 2.0.0 OK');
          return;
        case 'NOOP':
          reply('250 2.0.0 OK');
          return;
        case 'VRFY':
          reply('252 2.1.5 cannot verify, but will accept');
          return;
        case 'HELP':
          reply('214 2.0.0 EHLO HELO MAIL RCPT DATA RSET NOOP VRFY QUIT');
          return;
        case 'QUIT':
          reply('221 2.0.0 bye');
          socket.end();
          return;
        case 'STARTTLS':
        case 'AUTH':
        case 'BDAT':
        case 'EXPN':
        case 'TURN':
          reply(`502 5.5.1 ${verb} not implemented`);
          return;
        default:
          reply('500 5.5.2 command not recognised');
      }
    }

    socket.on('data', (chunk) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      let nl;
      while ((nl = buffer.indexOf(0x0a)) >= 0) {
        let line = buffer.subarray(0, nl);
        buffer = buffer.subarray(nl + 1);
        if (line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
        if (inData) onDataLine(line);
        else if (line.length > MAX_LINE_BYTES) reply('500 5.5.6 line too long');
        else onCommand(line);
        if (socket.destroyed) return;
      }
      if (!inData && buffer.length > MAX_LINE_BYTES) {
        reply('500 5.5.6 line too long');
        buffer = Buffer.alloc(0);
      }
    });

    reply(`220 ${os.hostname() || 'localhost'} ESMTP dvc-portal e2e sink`);
  });

  const api = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://sink');
    const send = (status, body, type = 'application/json; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (req.method === 'GET' && url.pathname === '/healthz') return send(200, 'ok\n', 'text/plain; charset=utf-8');
    if (url.pathname === '/messages' && req.method === 'GET') {
      const to = (url.searchParams.get('to') || '').toLowerCase();
      const list = to
        ? messages.filter((m) => m.to.concat(m.headerToAddresses || []).some((a) => a.toLowerCase() === to))
        : messages;
      return send(200, JSON.stringify(list, null, 1));
    }
    if (url.pathname === '/messages' && req.method === 'DELETE') {
      messages.length = 0;
      return send(204, '');
    }
    const one = /^\/messages\/(\d+)\.eml$/.exec(url.pathname);
    if (one && req.method === 'GET') {
      const m = messages.find((x) => x.id === Number(one[1]));
      return m ? send(200, m.raw, 'message/rfc822; charset=utf-8') : send(404, '{"error":"no such message"}');
    }
    return send(404, '{"error":"GET /messages, GET /messages/<id>.eml, DELETE /messages, GET /healthz"}');
  });

  const listen = (server, port) => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });

  return (async () => {
    const sp = await listen(smtp, smtpPort);
    const hp = await listen(api, httpPort);
    const close = () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      let n = 2;
      const done = () => { n -= 1; if (n === 0) resolve(); };
      smtp.close(done);
      api.close(done);
      api.closeAllConnections && api.closeAllConnections();
    });
    return {
      smtpPort: sp,
      httpPort: hp,
      smtpUrl: `smtp://${host}:${sp}`,
      httpUrl: `http://${host}:${hp}`,
      messages,
      close,
    };
  })();
}

// ---------------------------------------------------------------- client side, for journeys

/** The sink's HTTP URL from SMTP_SINK_URL, or a clear error saying how to get one. */
function sinkUrlFromEnv() {
  const raw = process.env.SMTP_SINK_URL;
  if (!raw) {
    throw new Error('SMTP_SINK_URL is not set: run the journeys through `bash .ci/e2e.sh`, or start '
      + '`node tests/e2e/smtp-sink.js`, start the portal with DVC_SMTP_URL=smtp://127.0.0.1:<its SMTP port> '
      + 'and export SMTP_SINK_URL=http://127.0.0.1:<its HTTP port>');
  }
  return raw.replace(/\/+$/, '');
}

/** Every message the sink holds for `to` (all of them without `to`). */
async function listMail({ sinkUrl = sinkUrlFromEnv(), to } = {}) {
  const url = `${sinkUrl}/messages${to ? `?to=${encodeURIComponent(to)}` : ''}`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

/**
 * Polls the sink until a message to `to` matches `subject` (RegExp or substring) and
 * `contains` (RegExp or substring, searched in the text part), or throws after `timeoutMs`
 * listing what did arrive. Messages with an id <= `afterId` are ignored.
 */
async function waitForMail({ to, subject, contains, afterId = 0, timeoutMs = 20_000, intervalMs = 250, sinkUrl = sinkUrlFromEnv() }) {
  const matches = (pattern, text) => pattern === undefined
    || (pattern instanceof RegExp ? pattern.test(text) : String(text).normalize('NFC').includes(String(pattern).normalize('NFC')));
  const t0 = Date.now();
  let seen = [];
  for (;;) {
    seen = await listMail({ sinkUrl, to });
    const hit = seen.find((m) => m.id > afterId && matches(subject, m.subject) && matches(contains, m.text));
    if (hit) return { ...hit, waitedMs: Date.now() - t0 };
    if (Date.now() - t0 >= timeoutMs) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  let all = [];
  try { all = await listMail({ sinkUrl }); } catch (_) { /* ignore */ }
  const describe = (m) => `#${m.id} to ${m.to.join(', ')}: ${JSON.stringify(m.subject)}`;
  throw new Error(`no mail to ${to} matching subject ${subject} / text ${contains} within ${timeoutMs} ms `
    + `(sink ${sinkUrl} holds ${all.length} message(s)${all.length ? `: ${all.map(describe).join('; ')}` : ''}; `
    + 'is the portal\'s worker running, and does its DVC_SMTP_URL point at the sink? see artifacts/server.log)');
}

module.exports = { startSink, parseMessage, decodeHeader, decodeQuotedPrintable, waitForMail, listMail, sinkUrlFromEnv };

// ---------------------------------------------------------------- command line

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
  };
  const log = (msg) => console.log(`smtp-sink: ${msg}`);
  startSink({
    host: opt('host', '127.0.0.1'),
    smtpPort: Number(opt('smtp-port', 0)),
    httpPort: Number(opt('http-port', 0)),
    saveDir: opt('save-dir', null),
    log,
  }).then((sink) => {
    const info = { smtpPort: sink.smtpPort, httpPort: sink.httpPort, smtpUrl: sink.smtpUrl, httpUrl: sink.httpUrl, pid: process.pid };
    const readyFile = opt('ready-file', null);
    if (readyFile) {
      fs.writeFileSync(`${readyFile}.tmp`, JSON.stringify(info));
      fs.renameSync(`${readyFile}.tmp`, readyFile);
    }
    console.log(`smtp-sink ready ${JSON.stringify(info)}`);
    const stop = (sig) => {
      log(`${sig}: stopping after ${sink.messages.length} message(s)`);
      sink.close().then(() => process.exit(0));
      setTimeout(() => process.exit(0), 2000).unref();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  }, (err) => {
    console.error(`smtp-sink: cannot start: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  });
}
