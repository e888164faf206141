'use strict';
// Hành trình "một cửa, liên thông, trả kết quả": one dossier through the whole workflow, each
// person in a browser context of their own (1280 px wide, one staff page also at 320 px):
//
//   citizen      registers, confirms the address, signs in, submits "Đăng ký nhận cha, mẹ, con"
//                (1.001022, the generic e-form) at the commune 000.20.01.H56
//   xa1.motcua   finds it among the new online dossiers, asks for a supplement (state 5)
//   citizen      reads the request in "Hồ sơ của tôi", uploads a PDF: received (state 2), the due
//                date counted from that moment (Decree 118/2025/NĐ-CP Art. 19(5))
//   xa1.motcua   assigns it to the specialist xa1.chuyenvien (state 4)
//   xa1.chuyenvien transfers it to Sở Tư pháp (liên thông)
//   stp.chuyenvien finds it in their queue and sends it back with a reply
//   xa1.chuyenvien proposes the result with a PDF
//   xa1.lanhdao  sees it on /lanh-dao, approves (state 9)
//   xa1.motcua   is offered "Trả kết quả" (checked, not used)
//   citizen      downloads the electronic result from "Hồ sơ của tôi": returned (state 10)
//
// At every step: the state shown to staff and to the citizen, and the due date — the same
// dd/mm/yyyy HH:MM on the staff dossier page, the queue line, the leader page, the receipt slip,
// the citizen's page and the e-mail. The due date after the supplement is checked against an
// independent computation (3 working days of 8 office hours, 07:30–11:30 and 13:00–17:00,
// Monday–Friday minus the holidays of refdata/vn_public_holidays_2024_2030.csv) from the moment
// the supplement was sent. The citizen's mails are read from the SMTP sink. axe-core runs on
// every staff page visited (queues, dossier page, slips, /lanh-dao) and on the citizen pages.
//
//   bash .ci/e2e.sh                      (starts the SMTP sink and the portal, sets both URLs)
//   BASE_URL=http://127.0.0.1:8080 SMTP_SINK_URL=http://127.0.0.1:8025 node tests/e2e/workflow.journey.js
//
// Contract checked (the portal's HTML must keep these hooks):
//   /can-bo/dang-nhap      labels "Tên đăng nhập hoặc thư điện tử công vụ", "Mật khẩu"; button "Đăng nhập"
//   /can-bo                nav "Hàng hồ sơ" with links per queue; search "Mã hồ sơ hoặc tên người nộp",
//                          button "Tìm hồ sơ"; a table whose header cells are "Mã hồ sơ", "Trạng thái", "Hạn trả"
//   /can-bo/ho-so/{code}   h1 with the code; dl facts "Trạng thái", "Bước xử lý", "Hạn trả kết quả";
//                          region "Thao tác" with one <details> per action (summary = button text);
//                          region "Phiếu, biểu mẫu in" with slip links; region "Quá trình xử lý"
//   /lanh-dao              table "Hồ sơ chờ phê duyệt" with the code and "Hạn trả"
//   /tai-khoan/ho-so       region "Hồ sơ đã nộp": a table with "Trạng thái" and "Hẹn trả"
//   /tai-khoan/ho-so/{code} dl facts "Trạng thái", "Ngày tiếp nhận", "Ngày hẹn trả kết quả"; region
//                          "Hồ sơ cần bổ sung giấy tờ" with the link "Bổ sung hồ sơ trực tuyến"; region
//                          "Kết quả giải quyết" with links "Tải kết quả: <file>"
//   /tai-khoan/ho-so/{code}/bo-sung  a file input labelled with the paper's name, "Nội dung bổ sung,
//                          giải trình", button "Gửi bổ sung"
//   mail (subjects)        "… cần bổ sung giấy tờ" (with the missing papers and the /bo-sung link),
//                          "… đã được tiếp nhận" (with "Ngày hẹn trả kết quả: HH:MM ngày dd/mm/yyyy"),
//                          "… đã có kết quả" (with the link to /tai-khoan/ho-so/{code})

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const {
  journey, runMain, newPage, checkA11y, shot, step, artifactPath,
  assert, assertContains, assertNoHorizontalScroll, nfc,
} = require('./lib');
const { waitForMail, sinkUrlFromEnv } = require('./smtp-sink');

const PROCEDURE_CODE = '1.001022';
const PROCEDURE_NAME = 'Đăng ký nhận cha, mẹ, con';
const COMMUNE = '000.20.01.H56';
const STP = '000.00.01.H56'; // Sở Tư pháp
const STAFF_PASSWORD = 'CanBo@2026';
const MAIL_TIMEOUT_MS = 20_000; // the portal's worker sends its outbox every ~2 s
const WIDE = { width: 1280, height: 900 };

// The labels the portal shows (domain/dossier.rs Status::label).
const S = {
  submitted: 'Mới đăng ký',
  received: 'Đã tiếp nhận',
  processing: 'Đang xử lý',
  supplement: 'Yêu cầu bổ sung giấy tờ',
  resolved: 'Đã có kết quả',
  returned: 'Đã trả kết quả',
};

// ---- per-run test data (unique e-mail and CCCD: the portal refuses duplicates) ----
const RUN = `${Date.now().toString(36)}${crypto.randomBytes(2).toString('hex')}`;
const digits = (n) => Array.from(crypto.randomBytes(n), (b) => String(b % 10)).join('');
const PERSON = {
  // A father acknowledging his son: CCCD 038 (Thanh Hóa) 0 (man, 1900s) 87 (born 1987).
  fullName: 'Lê Văn Quang',
  citizenId: `038087${digits(6)}`,
  birthDate: '14/03/1987',
  phone: `0913${digits(6)}`,
  email: `e2e.lien-thong.${RUN}@example.vn`,
  password: `cay-da-dau-lang-${RUN}`,
};
const MISSING = 'Văn bản của cơ quan y tế xác nhận quan hệ cha - con (bản chính); Bản sao Giấy khai sinh của người được nhận là con';
const TRANSFER_NOTE = 'Đề nghị Sở Tư pháp cho ý kiến về việc nhận cha, con có yếu tố cư trú ngoài tỉnh.';
const STP_REPLY = 'Sở Tư pháp thống nhất; hồ sơ đủ điều kiện giải quyết theo Điều 25 Luật Hộ tịch.';
const RESULT_SUMMARY = 'Đồng ý đăng ký nhận cha, con; cấp Trích lục đăng ký nhận cha, mẹ, con.';

// ---------------------------------------------------------------- small helpers

/** A small, valid one-page PDF (correct xref offsets), starting with %PDF-1.4. */
function makePdf(title) {
  const text = String(title).replace(/[^\x20-\x7e]/g, '?').replace(/([()\\])/g, '\\$1');
  const stream = `BT /F1 14 Tf 40 780 Td (${text}) Tj ET\n`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}endstream`,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

async function goto(page, url, expectStatus = 200) {
  const res = await page.goto(url, { waitUntil: 'load' });
  assert.ok(res, `no response for ${url}`);
  assert.equal(res.status(), expectStatus, `GET ${url}: expected HTTP ${expectStatus}, got ${res.status()}`);
  return res;
}

/** Clicks something that submits a form or follows a link and waits for the resulting page. */
async function submitAndWait(page, locator) {
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    locator.click(),
  ]);
  return res;
}

/** The visible error summary of the page, if any (for failure messages). */
async function errorsShown(page) {
  const t = await page.locator('.error-summary, .error-message').allTextContents();
  return nfc(t.join(' | '));
}

// ---------------------------------------------------------------- dates

const pad = (n) => String(n).padStart(2, '0');
const VN_OFFSET_MS = 7 * 3_600_000; // Asia/Ho_Chi_Minh has no daylight saving

/** "dd/mm/yyyy HH:MM" of an instant (ms since the epoch), in Vietnam, the minute truncated. */
function vnMinute(ms) {
  const d = new Date(Math.floor((ms + VN_OFFSET_MS) / 60_000) * 60_000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/**
 * A date and time as the portal writes it in its different places, as "dd/mm/yyyy HH:MM":
 * "25/11/2026 14:05" (pages), "14:05 25/11/2026" (/lanh-dao), "14:05 ngày 25/11/2026" (mail),
 * "14 giờ 05 phút, ngày 25 tháng 11 năm 2026" (slips). Null if none is found.
 */
function dueOf(text) {
  const t = nfc(text);
  let m = /(\d{2})\/(\d{2})\/(\d{4})\s+(\d{2}):(\d{2})/.exec(t);
  if (m) return `${m[1]}/${m[2]}/${m[3]} ${m[4]}:${m[5]}`;
  m = /(\d{2}):(\d{2})\s+(?:ngày\s+)?(\d{2})\/(\d{2})\/(\d{4})/.exec(t);
  if (m) return `${m[3]}/${m[4]}/${m[5]} ${m[1]}:${m[2]}`;
  m = /(\d{1,2}) giờ (\d{1,2}) phút, ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})/.exec(t);
  if (m) return `${pad(m[3])}/${pad(m[4])}/${m[5]} ${pad(m[1])}:${pad(m[2])}`;
  return null;
}

/** "dd/mm/yyyy HH:MM" → sortable "yyyy-mm-dd HH:MM". */
const sortable = (dmy) => dmy.replace(/^(\d{2})\/(\d{2})\/(\d{4}) /, '$3-$2-$1 ');

/**
 * The legal clock, written again independently of src/domain/calendar.rs (DESIGN.md §5):
 * Monday–Friday minus holidays (statutory, observed shifts, substitute days off) plus make-up
 * working days, from the CSV the demo database is seeded with; default office hours; a working
 * day is 8 office hours, counted from the reception instant (or the next session start).
 */
const calendar = (() => {
  const csv = fs.readFileSync(path.join(__dirname, '..', '..', 'refdata', 'vn_public_holidays_2024_2030.csv'), 'utf8');
  const off = new Set();
  const makeup = new Set();
  for (const line of csv.split(/\r?\n/).slice(1)) {
    const [date, , , , kind] = line.split(',');
    if (!date) continue;
    if (kind === 'makeup_working_day') makeup.add(date);
    else if (['statutory', 'observed_shift', 'substitute_day_off'].includes(kind)) off.add(date);
  }
  const SESSIONS = [[7 * 60 + 30, 11 * 60 + 30], [13 * 60, 17 * 60]]; // minutes after midnight
  const DAY = 86_400_000;
  const working = (dayMs) => {
    const d = new Date(dayMs);
    const iso = d.toISOString().slice(0, 10);
    if (makeup.has(iso)) return true;
    if (off.has(iso)) return false;
    return d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
  };
  /** The due instant (ms since the epoch) of `days` working days from the instant `utcMs`. */
  function due(utcMs, days) {
    let t = utcMs + VN_OFFSET_MS; // local wall time, handled as if it were UTC
    let left = days * 8 * 3_600_000;
    for (let i = 0; i < 400; i += 1) {
      const day = Math.floor(t / DAY) * DAY;
      if (working(day)) {
        for (const [s, e] of SESSIONS) {
          const from = Math.max(day + s * 60_000, t);
          const to = day + e * 60_000;
          if (from < to) {
            if (left <= to - from) return from + left - VN_OFFSET_MS;
            left -= to - from;
          }
        }
      }
      t = day + DAY;
    }
    throw new Error('no working day within 400 days');
  }
  return { due };
})();

// ---------------------------------------------------------------- reading pages

/** The `<dd>` text of the `<dt>` named `term` in the `<dl>`s under `scope`; null if none. */
async function fact(scope, term) {
  const all = await scope.locator('dl dt').evaluateAll((dts, want) => dts
    .filter((dt) => dt.textContent.replace(/\s+/g, ' ').trim().replace(/:$/, '') === want)
    .map((dt) => {
      const dd = dt.nextElementSibling;
      return dd && dd.tagName === 'DD' ? dd.textContent : null;
    }), term);
  return all.length ? nfc(all[0]) : null;
}

/** The line of `code` in the first table under `scope`, as { header text: cell text }. */
async function tableRow(scope, code) {
  const rows = await scope.locator('table').first().evaluate((table, wanted) => {
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.replace(/\s+/g, ' ').trim());
    return [...table.querySelectorAll('tbody tr')]
      .filter((tr) => [...tr.querySelectorAll('a')].some((a) => a.textContent.trim() === wanted))
      .map((tr) => Object.fromEntries([...tr.children].map((td, i) => [heads[i] || `#${i}`, td.textContent.replace(/\s+/g, ' ').trim()])));
  }, code).catch(() => []);
  assert.equal(rows.length, 1, `expected one line for ${code} in the table on ${scope.page ? scope.page().url() : ''}, got ${rows.length}`);
  return rows[0];
}

/** The staff dossier page's summary: state, step, due date (normalised) and the actions offered. */
async function staffView(page) {
  const status = await fact(page.locator('main'), 'Trạng thái');
  const stepText = await fact(page.locator('main'), 'Bước xử lý');
  const dueText = await fact(page.locator('main'), 'Hạn trả kết quả');
  const panel = page.getByRole('region', { name: 'Thao tác' });
  const actions = (await panel.locator('details > summary').allTextContents()).map(nfc);
  return { status, step: stepText, dueText, due: dueText === null ? null : dueOf(dueText), actions };
}

/** The citizen's dossier page: state, due date (normalised), reception time. */
async function citizenView(page) {
  const main = page.locator('main');
  const status = await fact(main, 'Trạng thái');
  const dueText = await fact(main, 'Ngày hẹn trả kết quả');
  const received = await fact(main, 'Ngày tiếp nhận');
  return { status, dueText, due: dueText === null ? null : dueOf(dueText), received: received && dueOf(received) };
}

// ---------------------------------------------------------------- people

/** A fresh 1280 px page (or `size`) in a context of its own, carrying `who`'s session cookies. */
async function pageAs(ctx, who, size = WIDE) {
  const page = await newPage(ctx.browser, size);
  const cookies = ctx.people && ctx.people[who];
  if (cookies) await page.context().addCookies(cookies);
  return page;
}

/** Signs a staff member in at /can-bo/dang-nhap (in a fresh context) and keeps their cookies. */
async function staffSignIn(ctx, username, { a11y = false } = {}) {
  const page = await newPage(ctx.browser, WIDE);
  await step(`${username}: mở /can-bo/dang-nhap`, () => goto(page, ctx.url('/can-bo/dang-nhap')));
  if (a11y) await step('axe', () => checkA11y(page, 'đăng nhập cán bộ'));
  await step(`${username}: điền tên đăng nhập, mật khẩu, bấm "Đăng nhập"`, async () => {
    const main = page.locator('main');
    await main.getByLabel('Tên đăng nhập hoặc thư điện tử công vụ').fill(username);
    await main.getByLabel('Mật khẩu').fill(STAFF_PASSWORD);
    await submitAndWait(page, main.getByRole('button', { name: 'Đăng nhập', exact: true }));
    const at = new URL(page.url()).pathname;
    if (at === '/can-bo/dang-nhap') assert.fail(`${username} could not sign in: ${await errorsShown(page)}`);
    assert.ok(await page.locator('header').getByRole('button', { name: /Đăng xuất/ }).count(), `${username}: no "Đăng xuất" after signing in (at ${at})`);
  });
  ctx.people = ctx.people || {};
  ctx.people[username] = await page.context().cookies();
  return page;
}

/** A staff page for `username`, signing them in first if this journey has not yet. */
async function staffPage(ctx, username) {
  if (ctx.people && ctx.people[username]) return pageAs(ctx, username);
  return staffSignIn(ctx, username);
}

/** Opens the queue `slug` filtered by the dossier code and returns its line of the dossier. */
async function queueLine(ctx, page, slug, label) {
  await step(`hàng "${slug}" (${label}), tìm ${ctx.code}`, async () => {
    await goto(page, ctx.url(`/can-bo?hang=${slug}&q=${encodeURIComponent(ctx.code)}`));
    const current = page.getByRole('navigation', { name: 'Hàng hồ sơ' }).locator('a[aria-current="page"]');
    assertContains(await current.textContent(), label, 'the current queue in the navigation');
  });
  return step(`dòng của ${ctx.code} trong bảng`, () => tableRow(page.locator('main'), ctx.code));
}

/** Opens the action `label` on the staff dossier page, lets `fill` fill it, sends it. */
async function act(page, code, label, fill = async () => {}, shotName = null) {
  const panel = page.getByRole('region', { name: 'Thao tác' });
  const exactly = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const box = panel.locator('details').filter({ has: page.locator('summary', { hasText: exactly }) });
  const offered = (await panel.locator('details > summary').allTextContents()).map(nfc);
  assert.equal(await box.count(), 1, `no action "${label}" on ${page.url()}; offered: ${JSON.stringify(offered)}`);
  if (!(await box.evaluate((d) => d.open))) await box.locator('summary').click();
  await fill(box);
  if (shotName) {
    await checkA11y(page, `biểu mẫu "${label}" đang mở`);
    await shot(page, shotName);
  }
  await submitAndWait(page, box.getByRole('button', { name: label, exact: true }));
  const at = new URL(page.url()).pathname;
  assert.equal(at, `/can-bo/ho-so/${code}`, `after "${label}" the browser is at ${page.url()}`);
  assert.equal(await page.locator('.error-summary').count(), 0, `"${label}" was refused: ${await errorsShown(page)}`);
}

/** Checks the staff dossier page shows `status` and the journey's due date (ctx.due). */
async function expectStaff(ctx, page, status, { due = ctx.due, stepText } = {}) {
  const v = await staffView(page);
  console.log(`    cán bộ thấy: ${v.status} | ${v.step || '—'} | hạn ${v.dueText || '—'} | thao tác: ${v.actions.join('; ') || '—'}`);
  assertContains(v.status, status, 'Trạng thái (staff page)');
  if (stepText) assertContains(v.step, stepText, 'Bước xử lý (staff page)');
  if (due === null) assert.equal(v.due, null, `the staff page shows a due date (${v.dueText}) before reception`);
  else assert.equal(v.due, due, `Hạn trả kết quả on the staff page: "${v.dueText}"`);
  return v;
}

/** Opens the citizen's page of the dossier and checks `status` and the due date (ctx.due). */
async function expectCitizen(ctx, status, { due = ctx.due, name } = {}) {
  const page = await pageAs(ctx, 'citizen');
  await goto(page, ctx.url(`/tai-khoan/ho-so/${ctx.code}`));
  const v = await citizenView(page);
  console.log(`    công dân thấy: ${v.status} | hẹn trả ${v.dueText || '—'}`);
  assertContains(v.status, status, 'Trạng thái (citizen page)');
  if (due === null) assert.equal(v.due, null, `the citizen page shows a due date (${v.dueText}) before reception`);
  else assert.equal(v.due, due, `Ngày hẹn trả kết quả on the citizen page: "${v.dueText}"`);
  if (name) {
    await step('axe (công dân)', () => checkA11y(page, name));
    await shot(page, `lt-cong-dan-${name}`);
  }
  return { page, v };
}

/** The mail to the citizen about this dossier whose subject matches `subject`. */
async function citizenMail(ctx, subject, what) {
  return step(`thư "${what}" tới ${PERSON.email} (tối đa ${MAIL_TIMEOUT_MS / 1000} s)`, async () => {
    const m = await waitForMail({ to: PERSON.email, subject, contains: ctx.code, timeoutMs: MAIL_TIMEOUT_MS });
    console.log(`    thư #${m.id} sau ${m.waitedMs} ms: ${JSON.stringify(m.subject)}`);
    assertContains(m.text, PROCEDURE_NAME, 'mail text');
    return m;
  });
}

// ---------------------------------------------------------------- the journey

const workflow = journey('Một cửa, bổ sung, liên thông, phê duyệt, trả kết quả (1.001022)', (test) => {
  test('công dân đăng ký, xác nhận thư, đăng nhập', async (ctx) => {
    sinkUrlFromEnv(); // fail early, with instructions, when no SMTP sink is configured
    console.log(`    công dân của lần chạy này: ${PERSON.email}, CCCD ${PERSON.citizenId}, ĐT ${PERSON.phone}`);
    const page = await newPage(ctx.browser, WIDE);
    await step('đăng ký tại /dang-ky', async () => {
      await goto(page, ctx.url('/dang-ky'));
      const form = page.locator('main form[action="/dang-ky"]');
      await form.locator('input[name="kind"][value="citizen"]').check();
      await form.locator('input[name="full_name"]').fill(PERSON.fullName);
      await form.locator('input[name="citizen_id"]').fill(PERSON.citizenId);
      await form.locator('input[name="phone"]').fill(PERSON.phone);
      await form.locator('input[name="email"]').fill(PERSON.email);
      await form.locator('input[name="password"]').fill(PERSON.password);
      await form.locator('input[name="password_confirm"]').fill(PERSON.password);
      await form.locator('input[name="agree"]').check();
      await submitAndWait(page, form.getByRole('button', { name: 'Đăng ký', exact: true }));
      assert.equal(new URL(page.url()).pathname, '/dang-ky/kiem-tra-email', `registration refused: ${await errorsShown(page)}`);
    });
    const mail = await step('thư "Xác nhận…"', () => waitForMail({ to: PERSON.email, subject: /Xác nhận/i, timeoutMs: MAIL_TIMEOUT_MS }));
    await step('mở liên kết xác nhận', async () => {
      const m = /(https?:\/\/[^\s<>"']+\/xac-nhan-email\?[^\s<>"']+)/.exec(mail.text);
      assert.ok(m, 'no /xac-nhan-email link in the verification mail');
      await goto(page, m[1]);
      assertContains(await page.locator('h1').textContent(), 'Đã xác nhận', 'h1');
    });
    await step('đăng nhập → "Hồ sơ của tôi"', async () => {
      await goto(page, ctx.url('/dang-nhap'));
      const form = page.locator('main form[action="/dang-nhap"]');
      await form.locator('input[name="email"]').fill(PERSON.email);
      await form.locator('input[name="password"]').fill(PERSON.password);
      await submitAndWait(page, form.getByRole('button', { name: 'Đăng nhập', exact: true }));
      assert.equal(new URL(page.url()).pathname, '/tai-khoan/ho-so', `signed in but at ${page.url()}`);
    });
    ctx.people = ctx.people || {};
    ctx.people.citizen = await page.context().cookies();
  });

  test(`công dân nộp hồ sơ ${PROCEDURE_CODE} tại xã ${COMMUNE}`, async (ctx) => {
    const page = await pageAs(ctx, 'citizen');
    await step(`mở /thu-tuc/${PROCEDURE_CODE}/nop`, async () => {
      await goto(page, ctx.url(`/thu-tuc/${PROCEDURE_CODE}/nop`));
      assertContains(await page.locator('h1').textContent(), PROCEDURE_NAME, 'h1');
      assert.equal(await page.locator('form.eform').count(), 1, 'no form.eform');
    });
    await step('axe', () => checkA11y(page, 'biểu mẫu 1.001022'));
    await step('điền tờ khai chung (như tests/http/intake.rs valid_fields)', async () => {
      const form = page.locator('form.eform');
      const agencies = await form.locator('select[name="co_quan"] option').evaluateAll((os) => os.map((o) => o.value));
      assert.ok(agencies.includes(COMMUNE), `co_quan does not offer ${COMMUNE}: ${agencies.join(', ')}`);
      await form.locator('select[name="co_quan"]').selectOption(COMMUNE);
      await form.locator('[name="ho_ten"]').fill(PERSON.fullName);
      await form.locator('[name="so_dinh_danh"]').fill(PERSON.citizenId);
      await form.locator('[name="ngay_sinh"]').fill(PERSON.birthDate);
      await form.locator('[name="dien_thoai"]').fill(PERSON.phone);
      await form.locator('[name="email"]').fill(PERSON.email);
      const communes = await form.locator('select[name="noi_cu_tru_commune"] option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
      assert.ok(communes.length, 'no commune to choose in noi_cu_tru_commune');
      await form.locator('select[name="noi_cu_tru_commune"]').selectOption(communes[0]);
      await form.locator('[name="noi_cu_tru_detail"]').fill('Thôn Yên Lạc, số nhà 21');
      await form.locator('[name="noi_dung_de_nghi"]').fill('Đề nghị đăng ký việc nhận con đối với cháu Lê Minh An, sinh ngày 02/02/2020.');
    });
    await step('một PDF cho mỗi giấy tờ bắt buộc', async () => {
      const papers = await page.locator('form.eform input[type=file][name^="paper_"]').evaluateAll((is) => is.map((i) => {
        const label = i.id ? document.querySelector(`label[for="${CSS.escape(i.id)}"]`) : null;
        return { name: i.name, label: label ? label.textContent.replace(/\s+/g, ' ').trim() : '' };
      }));
      const mandatory = papers.filter((p) => /\(bắt buộc\)/.test(p.label));
      assert.ok(mandatory.length >= 1, `no mandatory paper among ${JSON.stringify(papers)}`);
      for (const p of mandatory) {
        await page.locator(`form.eform input[type=file][name="${p.name}"]`)
          .setInputFiles({ name: `ban-chup-giay-to-${p.name.replace('paper_', '')}.pdf`, mimeType: 'application/pdf', buffer: makePdf(`e2e ${RUN} ${p.name}`) });
      }
      console.log(`    ${mandatory.length} giấy tờ bắt buộc: ${mandatory.map((p) => p.name).join(', ')}`);
    });
    await step('bấm "Nộp hồ sơ" → /tai-khoan/ho-so/<mã>', async () => {
      await submitAndWait(page, page.locator('form.eform').getByRole('button', { name: 'Nộp hồ sơ', exact: true }));
      const u = new URL(page.url());
      assert.match(u.pathname, /^\/tai-khoan\/ho-so\/[^/]+$/, `the form led to ${page.url()}: ${await errorsShown(page)}`);
      ctx.code = decodeURIComponent(u.pathname.split('/').pop());
      assert.ok(ctx.code.startsWith(`${COMMUNE}-`), `the dossier ${ctx.code} is not at ${COMMUNE}`);
      console.log(`    mã hồ sơ: ${ctx.code}`);
    });
    await step('trang của công dân: "Mới đăng ký", chưa có ngày hẹn trả', async () => {
      const v = await citizenView(page);
      assertContains(v.status, S.submitted, 'Trạng thái');
      assert.equal(v.due, null, `a due date (${v.dueText}) before reception`);
    });
    await step('axe', () => checkA11y(page, 'hồ sơ vừa nộp'));
    await shot(page, 'lt-01-cong-dan-da-nop');
    await step('thư xác nhận nộp hồ sơ chứa mã', async () => {
      const m = await waitForMail({ to: PERSON.email, contains: ctx.code, timeoutMs: MAIL_TIMEOUT_MS });
      console.log(`    thư #${m.id}: ${JSON.stringify(m.subject)}`);
      ctx.lastMailId = m.id;
    });
  }, { needs: 'công dân đăng ký, xác nhận thư, đăng nhập', timeout: 90_000 });

  test('xa1.motcua thấy hồ sơ ở hàng "Hồ sơ mới nộp trực tuyến" và mở nó', async (ctx) => {
    const page = await staffSignIn(ctx, 'xa1.motcua', { a11y: true });
    await step('ở /can-bo, bấm "Hồ sơ mới nộp trực tuyến" trong "Hàng hồ sơ"', async () => {
      assert.equal(new URL(page.url()).pathname, '/can-bo', `after sign-in at ${page.url()}`);
      const nav = page.getByRole('navigation', { name: 'Hàng hồ sơ' });
      const link = nav.getByRole('link', { name: /Hồ sơ mới nộp trực tuyến/ });
      const count = nfc(await link.locator('.count').textContent());
      console.log(`    đếm trong hàng mới: ${count}`);
      assert.ok(parseInt(count, 10) >= 1, `the count of new dossiers is ${count}`);
      await submitAndWait(page, link);
      assert.equal(new URL(page.url()).searchParams.get('hang'), 'moi');
    });
    await step('axe', () => checkA11y(page, 'hàng hồ sơ mới'));
    await shot(page, 'lt-02-mot-cua-hang-moi');
    await step('hàng hồ sơ ở 320 px: không cuộn ngang', async () => {
      const narrow = await pageAs(ctx, 'xa1.motcua', { width: 320, height: 700 });
      await goto(narrow, ctx.url('/can-bo?hang=moi'));
      await shot(narrow, 'lt-02a-mot-cua-hang-moi-320px');
      await assertNoHorizontalScroll(narrow, 320);
    });
    await step(`gõ ${ctx.code} vào "Mã hồ sơ hoặc tên người nộp", bấm "Tìm hồ sơ"`, async () => {
      const search = page.getByRole('search', { name: 'Tìm và lọc hồ sơ' });
      await search.getByLabel('Mã hồ sơ hoặc tên người nộp').fill(ctx.code);
      await submitAndWait(page, search.getByRole('button', { name: 'Tìm hồ sơ' }));
    });
    const row = await step('dòng của hồ sơ: "Mới đăng ký", chưa có hạn trả', () => tableRow(page.locator('main'), ctx.code));
    console.log(`    dòng: ${JSON.stringify(row)}`);
    assertContains(row['Trạng thái'], S.submitted, 'queue line, Trạng thái');
    assert.equal(dueOf(row['Hạn trả']), null, `queue line shows a due date: ${row['Hạn trả']}`);
    await step(`bấm ${ctx.code} → /can-bo/ho-so/${ctx.code}`, async () => {
      await submitAndWait(page, page.locator('main table').getByRole('link', { name: ctx.code, exact: true }));
      assert.equal(new URL(page.url()).pathname, `/can-bo/ho-so/${ctx.code}`);
      assertContains(await page.locator('h1').textContent(), ctx.code, 'h1');
    });
    await step('trang hồ sơ: "Mới đăng ký", không có hạn trả, người nộp và tờ khai', async () => {
      await expectStaff(ctx, page, S.submitted, { due: null });
      const main = nfc(await page.locator('main').textContent());
      for (const s of [PERSON.fullName, PERSON.citizenId, PROCEDURE_NAME]) assertContains(main, s, 'staff dossier page');
    });
    await step('axe', () => checkA11y(page, 'trang hồ sơ (mới)'));
    await shot(page, 'lt-03-mot-cua-ho-so-moi');
    await step('cùng trang ở 320 px: không cuộn ngang', async () => {
      const narrow = await pageAs(ctx, 'xa1.motcua', { width: 320, height: 700 });
      await goto(narrow, ctx.url(`/can-bo/ho-so/${ctx.code}`));
      await shot(narrow, 'lt-04-mot-cua-ho-so-320px');
      await checkA11y(narrow, 'trang hồ sơ 320 px');
      await assertNoHorizontalScroll(narrow, 320);
    });
  }, { needs: `công dân nộp hồ sơ ${PROCEDURE_CODE} tại xã ${COMMUNE}`, timeout: 90_000 });

  test('xa1.motcua yêu cầu bổ sung, hoàn thiện hồ sơ', async (ctx) => {
    const page = await staffPage(ctx, 'xa1.motcua');
    await goto(page, ctx.url(`/can-bo/ho-so/${ctx.code}`));
    await step('"Yêu cầu bổ sung, hoàn thiện hồ sơ" với danh sách giấy tờ thiếu', () => act(page, ctx.code, 'Yêu cầu bổ sung, hoàn thiện hồ sơ', async (box) => {
      await box.getByLabel('Giấy tờ, nội dung cần bổ sung').fill(MISSING);
    }, 'lt-05a-mot-cua-bieu-mau-yeu-cau-bo-sung'));
    await step('trạng thái "Yêu cầu bổ sung giấy tờ", nêu giấy tờ thiếu, chưa có hạn trả', async () => {
      const v = await expectStaff(ctx, page, S.supplement, { due: null });
      assertContains(v.status, MISSING.split(';')[0], 'Trạng thái (the missing papers)');
    });
    await step('axe', () => checkA11y(page, 'trang hồ sơ (chờ bổ sung)'));
    await shot(page, 'lt-05-mot-cua-da-yeu-cau-bo-sung');
    await step('"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" liệt kê từng giấy tờ', async () => {
      const slips = page.getByRole('region', { name: 'Phiếu, biểu mẫu in' });
      await submitAndWait(page, slips.getByRole('link', { name: 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ' }));
      assert.equal(new URL(page.url()).pathname, `/can-bo/ho-so/${ctx.code}/phieu/bo-sung`);
      const lines = (await page.locator('main .slip-lines li').allTextContents()).map(nfc);
      assert.deepEqual(lines, MISSING.split(';').map(nfc), 'the slip lists each missing paper');
    });
    await step('axe', () => checkA11y(page, 'phiếu yêu cầu bổ sung'));
    await shot(page, 'lt-06-phieu-yeu-cau-bo-sung');
    const row = await queueLine(ctx, page, 'bo-sung', 'Chờ bổ sung');
    console.log(`    dòng: ${JSON.stringify(row)}`);
    assertContains(row['Trạng thái'], S.supplement, 'queue line, Trạng thái');
    assertContains(row['Hạn trả'], 'Tạm dừng tính thời hạn', 'queue line, Hạn trả (paused)');
    await step('axe', () => checkA11y(page, 'hàng chờ bổ sung'));
  }, { needs: 'xa1.motcua thấy hồ sơ ở hàng "Hồ sơ mới nộp trực tuyến" và mở nó' });

  test('thư "cần bổ sung giấy tờ" nêu giấy tờ thiếu và dẫn tới trang bổ sung', async (ctx) => {
    const m = await citizenMail(ctx, /cần bổ sung/, 'cần bổ sung giấy tờ');
    assertContains(m.text, MISSING, 'the supplement mail lists the missing papers');
    const link = /(https?:\/\/[^\s<>"']+\/tai-khoan\/ho-so\/[^\s<>"']+\/bo-sung)/.exec(m.text);
    assert.ok(link, `no /tai-khoan/ho-so/<code>/bo-sung link in the mail:\n${m.text}`);
    assert.equal(new URL(link[1]).pathname, `/tai-khoan/ho-so/${ctx.code}/bo-sung`);
  }, { needs: 'xa1.motcua yêu cầu bổ sung, hoàn thiện hồ sơ' });

  test('công dân thấy yêu cầu trong "Hồ sơ của tôi", gửi bổ sung một PDF → tiếp nhận, tính hạn', async (ctx) => {
    const page = await pageAs(ctx, 'citizen');
    await step('"Hồ sơ của tôi": dòng của hồ sơ "Yêu cầu bổ sung giấy tờ", chưa có hẹn trả', async () => {
      await goto(page, ctx.url('/tai-khoan/ho-so'));
      const r = await tableRow(page.getByRole('region', { name: 'Hồ sơ đã nộp' }), ctx.code);
      console.log(`    dòng: ${JSON.stringify(r)}`);
      assertContains(r['Trạng thái'], S.supplement, '"Hồ sơ của tôi", Trạng thái');
      assert.ok(!/\d{2}\/\d{2}\/\d{4}/.test(r['Hẹn trả']), `"Hồ sơ của tôi" shows a due date before reception: ${r['Hẹn trả']}`);
    });
    await step('axe', () => checkA11y(page, 'hồ sơ của tôi (chờ bổ sung)'));
    await shot(page, 'lt-06a-cong-dan-ho-so-cua-toi');
    await step(`bấm ${ctx.code}`, () => submitAndWait(page, page.getByRole('region', { name: 'Hồ sơ đã nộp' }).getByRole('link', { name: ctx.code, exact: true })));
    await step('"Yêu cầu bổ sung giấy tờ", chưa có ngày hẹn trả', async () => {
      const v = await citizenView(page);
      assertContains(v.status, S.supplement, 'Trạng thái (citizen page)');
      assert.equal(v.due, null, `the citizen page shows a due date (${v.dueText}) while waiting for the supplement`);
    });
    await step('thông báo "Hồ sơ cần bổ sung giấy tờ" nêu giấy tờ thiếu', async () => {
      const notice = page.getByRole('region', { name: 'Hồ sơ cần bổ sung giấy tờ' });
      assertContains(await notice.textContent(), MISSING, 'the notice');
    });
    await step('axe', () => checkA11y(page, 'hồ sơ chờ bổ sung (công dân)'));
    await shot(page, 'lt-07-cong-dan-can-bo-sung');
    await step('bấm "Bổ sung hồ sơ trực tuyến" → /bo-sung', async () => {
      await submitAndWait(page, page.getByRole('link', { name: 'Bổ sung hồ sơ trực tuyến' }));
      assert.equal(new URL(page.url()).pathname, `/tai-khoan/ho-so/${ctx.code}/bo-sung`);
      assertContains(await page.locator('main').textContent(), MISSING.split(';')[0], 'the supplement page');
    });
    await step('axe', () => checkA11y(page, 'trang bổ sung hồ sơ'));
    await step('chọn PDF cho giấy tờ của cơ quan y tế, ghi giải trình', async () => {
      const input = page.getByLabel(/Văn bản của cơ quan y tế/);
      await input.setInputFiles({ name: 'xac-nhan-quan-he-cha-con.pdf', mimeType: 'application/pdf', buffer: makePdf(`e2e ${RUN} bo sung`) });
      await page.getByLabel(/Nội dung bổ sung, giải trình/).fill('Xin gửi bổ sung văn bản xác nhận của Bệnh viện Đa khoa tỉnh.');
    });
    await shot(page, 'lt-08-cong-dan-bo-sung-da-dien');
    ctx.supplementFrom = Date.now();
    await step('bấm "Gửi bổ sung" → trở lại trang hồ sơ', async () => {
      await submitAndWait(page, page.getByRole('button', { name: 'Gửi bổ sung' }));
      ctx.supplementTo = Date.now();
      assert.equal(new URL(page.url()).pathname, `/tai-khoan/ho-so/${ctx.code}`, `after "Gửi bổ sung": ${page.url()} ${await errorsShown(page)}`);
    });
    const v = await step('"Đã tiếp nhận", ngày tiếp nhận là lúc bổ sung, hạn trả tính lại từ lúc đó', async () => {
      const cv = await citizenView(page);
      console.log(`    công dân thấy: ${cv.status} | tiếp nhận ${cv.received} | hẹn trả ${cv.dueText}`);
      assertContains(cv.status, S.received, 'Trạng thái');
      assert.ok(cv.due, 'no "Ngày hẹn trả kết quả" after the supplement');
      const [lo, hi] = [vnMinute(ctx.supplementFrom), vnMinute(ctx.supplementTo)];
      assert.ok(cv.received && sortable(cv.received) >= sortable(lo) && sortable(cv.received) <= sortable(hi),
        `Ngày tiếp nhận ${cv.received} is not the moment of the supplement (${lo}–${hi})`);
      const [dueLo, dueHi] = [vnMinute(calendar.due(ctx.supplementFrom, 3)), vnMinute(calendar.due(ctx.supplementTo, 3))];
      console.log(`    hạn trả tính độc lập (3 ngày làm việc từ lúc bổ sung): ${dueLo}${dueHi !== dueLo ? `–${dueHi}` : ''}`);
      assert.ok(sortable(cv.due) >= sortable(dueLo) && sortable(cv.due) <= sortable(dueHi),
        `Ngày hẹn trả kết quả ${cv.due}: expected 3 working days after the supplement, ${dueLo}${dueHi !== dueLo ? `–${dueHi}` : ''}`);
      return cv;
    });
    ctx.due = v.due;
    await step('tệp bổ sung được liệt kê', async () => {
      assertContains(await page.locator('main').textContent(), 'xac-nhan-quan-he-cha-con.pdf', 'the citizen page');
    });
    await step('axe', () => checkA11y(page, 'hồ sơ đã bổ sung (công dân)'));
    await shot(page, 'lt-09-cong-dan-da-bo-sung');
    await step('"Hồ sơ của tôi": "Đã tiếp nhận", hẹn trả cùng ngày', async () => {
      await goto(page, ctx.url('/tai-khoan/ho-so'));
      const r = await tableRow(page.getByRole('region', { name: 'Hồ sơ đã nộp' }), ctx.code);
      assertContains(r['Trạng thái'], S.received, '"Hồ sơ của tôi", Trạng thái');
      assertContains(r['Hẹn trả'], ctx.due.slice(0, 10), '"Hồ sơ của tôi", Hẹn trả');
    });
  }, { needs: 'xa1.motcua yêu cầu bổ sung, hoàn thiện hồ sơ', timeout: 90_000 });

  test('thư "đã được tiếp nhận" với ngày hẹn trả kết quả', async (ctx) => {
    const m = await citizenMail(ctx, /đã được tiếp nhận/, 'đã được tiếp nhận');
    const line = m.text.split(/\r?\n/).find((l) => /Ngày hẹn trả kết quả/.test(l) && dueOf(l));
    assert.ok(line, `no "Ngày hẹn trả kết quả" line in the mail:\n${m.text}`);
    assert.equal(dueOf(line), ctx.due, `the mail's due date (${line}) differs from the pages' (${ctx.due})`);
  }, { needs: 'công dân thấy yêu cầu trong "Hồ sơ của tôi", gửi bổ sung một PDF → tiếp nhận, tính hạn' });

  test('xa1.motcua: cùng hạn trả trên trang hồ sơ, hàng và giấy tiếp nhận; giao xa1.chuyenvien', async (ctx) => {
    const page = await staffPage(ctx, 'xa1.motcua');
    const row = await queueLine(ctx, page, 'cua-toi', 'Hồ sơ tôi đang xử lý');
    console.log(`    dòng: ${JSON.stringify(row)}`);
    assertContains(row['Trạng thái'], S.received, 'queue line, Trạng thái');
    assert.equal(dueOf(row['Hạn trả']), ctx.due, `queue line, Hạn trả: ${row['Hạn trả']}`);
    await step('axe', () => checkA11y(page, 'hàng hồ sơ tôi đang xử lý'));
    await shot(page, 'lt-10-mot-cua-hang-cua-toi');
    await step('mở hồ sơ', () => submitAndWait(page, page.locator('main table').getByRole('link', { name: ctx.code, exact: true })));
    await step('"Đã tiếp nhận", cùng hạn trả; bổ sung ở "Giấy tờ bổ sung"; lịch sử ghi hạn sau bổ sung', async () => {
      await expectStaff(ctx, page, S.received);
      const files = page.getByRole('region', { name: 'Giấy tờ, tệp đính kèm' });
      assertContains(await files.textContent(), 'xac-nhan-quan-he-cha-con.pdf', 'files on the staff page');
      const history = page.getByRole('region', { name: 'Quá trình xử lý' });
      const last = await history.locator('tbody tr').last().locator('td').allTextContents();
      assertContains(last.join(' | '), 'Công dân bổ sung giấy tờ', 'the last history line');
      assert.equal(dueOf(last[last.length - 1]), ctx.due, `"Hạn trả sau bước" of the supplement: ${last[last.length - 1]}`);
    });
    await step('axe', () => checkA11y(page, 'trang hồ sơ (đã tiếp nhận)'));
    await shot(page, 'lt-11-mot-cua-da-tiep-nhan');
    await step('"Giấy tiếp nhận hồ sơ và hẹn trả kết quả": cùng hạn trả', async () => {
      const slips = page.getByRole('region', { name: 'Phiếu, biểu mẫu in' });
      await submitAndWait(page, slips.getByRole('link', { name: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả' }));
      assert.equal(new URL(page.url()).pathname, `/can-bo/ho-so/${ctx.code}/phieu/tiep-nhan`);
      const due = nfc(await page.locator('main .due-time').textContent());
      assert.equal(dueOf(due), ctx.due, `the receipt slip's due date "${due}"`);
      await checkA11y(page, 'giấy tiếp nhận và hẹn trả');
      await shot(page, 'lt-12-giay-tiep-nhan-hen-tra');
      await submitAndWait(page, page.getByRole('link', { name: `Về hồ sơ ${ctx.code}` }));
    });
    await step('"Chuyển chuyên viên xử lý": Trần Văn Nam (xa1.chuyenvien)', () => act(page, ctx.code, 'Chuyển chuyên viên xử lý', async (box) => {
      await box.getByLabel('Chuyên viên').selectOption({ label: 'Trần Văn Nam' });
    }));
    await step('"Đang xử lý" ở bước chuyên viên, cùng hạn trả', () => expectStaff(ctx, page, S.processing, { stepText: 'Trần Văn Nam' }));
    await expectCitizen(ctx, S.processing, { name: 'dang-xu-ly' });
  }, { needs: 'công dân thấy yêu cầu trong "Hồ sơ của tôi", gửi bổ sung một PDF → tiếp nhận, tính hạn', timeout: 90_000 });

  test('xa1.chuyenvien chuyển liên thông Sở Tư pháp', async (ctx) => {
    const page = await staffSignIn(ctx, 'xa1.chuyenvien');
    await step('trang đầu là "Hồ sơ tôi đang xử lý"', () => assert.equal(new URL(page.url()).pathname, '/can-bo'));
    const row = await queueLine(ctx, page, 'cua-toi', 'Hồ sơ tôi đang xử lý');
    assertContains(row['Trạng thái'], S.processing, 'queue line, Trạng thái');
    assert.equal(dueOf(row['Hạn trả']), ctx.due, `queue line, Hạn trả: ${row['Hạn trả']}`);
    await step('axe', () => checkA11y(page, 'hàng của chuyên viên xã'));
    await step('mở hồ sơ', () => submitAndWait(page, page.locator('main table').getByRole('link', { name: ctx.code, exact: true })));
    await step('"Đang xử lý", cùng hạn trả', () => expectStaff(ctx, page, S.processing));
    await step('axe', () => checkA11y(page, 'trang hồ sơ (chuyên viên xã)'));
    await shot(page, 'lt-13-chuyen-vien-xa');
    await step('"Chuyển liên thông" tới Sở Tư pháp với nội dung đề nghị', () => act(page, ctx.code, 'Chuyển liên thông', async (box) => {
      const select = box.getByLabel('Cơ quan phối hợp');
      const label = await select.locator('option').evaluateAll((os) => (os.find((o) => /Sở Tư pháp/.test(o.textContent)) || {}).textContent);
      assert.ok(label, 'no "Sở Tư pháp" among "Cơ quan phối hợp"');
      await select.selectOption({ label: label.trim() });
      await box.getByLabel('Nội dung đề nghị phối hợp').fill(TRANSFER_NOTE);
    }));
    await step('bước "Chuyển liên thông" — Sở Tư pháp, cùng hạn trả; bảng "Liên thông" đang chờ', async () => {
      await expectStaff(ctx, page, S.processing, { stepText: 'Sở Tư pháp' });
      const t = page.getByRole('region', { name: 'Liên thông' });
      assertContains(await t.textContent(), TRANSFER_NOTE, 'the transfers table');
      assertContains(await t.textContent(), 'Đang chờ', 'the transfers table');
    });
    await step('axe', () => checkA11y(page, 'trang hồ sơ (đã chuyển liên thông)'));
    await shot(page, 'lt-14-da-chuyen-lien-thong');
    await expectCitizen(ctx, S.processing);
  }, { needs: 'xa1.motcua: cùng hạn trả trên trang hồ sơ, hàng và giấy tiếp nhận; giao xa1.chuyenvien', timeout: 90_000 });

  test('stp.chuyenvien thấy hồ sơ trong hàng của mình, trả liên thông kèm ý kiến', async (ctx) => {
    const page = await staffSignIn(ctx, 'stp.chuyenvien');
    const row = await queueLine(ctx, page, 'cua-toi', 'Hồ sơ tôi đang xử lý');
    console.log(`    dòng: ${JSON.stringify(row)}`);
    assertContains(row['Trạng thái'], S.processing, 'queue line, Trạng thái');
    assert.equal(dueOf(row['Hạn trả']), ctx.due, `queue line, Hạn trả: ${row['Hạn trả']}`);
    await step('axe', () => checkA11y(page, 'hàng của chuyên viên Sở Tư pháp'));
    await shot(page, 'lt-15-stp-hang');
    await step('mở hồ sơ', () => submitAndWait(page, page.locator('main table').getByRole('link', { name: ctx.code, exact: true })));
    await step('"Đang xử lý", cùng hạn trả; nội dung đề nghị hiện ra', async () => {
      await expectStaff(ctx, page, S.processing);
      assertContains(await page.locator('main').textContent(), TRANSFER_NOTE, 'the staff page at Sở Tư pháp');
    });
    await step('axe', () => checkA11y(page, 'trang hồ sơ (Sở Tư pháp)'));
    await shot(page, 'lt-16-stp-ho-so');
    await step('"Trả hồ sơ liên thông" với ý kiến', () => act(page, ctx.code, 'Trả hồ sơ liên thông', async (box) => {
      await box.getByLabel('Ý kiến, kết quả xử lý của cơ quan').fill(STP_REPLY);
    }));
    await step('sau khi trả: hồ sơ về xã (Sở Tư pháp còn xem được, không còn thao tác)', async () => {
      assert.equal(new URL(page.url()).pathname, `/can-bo/ho-so/${ctx.code}`, `after returning the transfer: ${page.url()}`);
      const v = await expectStaff(ctx, page, S.processing, { stepText: 'Chuyên viên xử lý' });
      assert.deepEqual(v.actions, [], 'Sở Tư pháp is still offered actions after returning the dossier');
    });
    await step('axe', () => checkA11y(page, 'trang hồ sơ (Sở Tư pháp đã trả)'));
    await shot(page, 'lt-17-stp-da-tra');
    await expectCitizen(ctx, S.processing);
  }, { needs: 'xa1.chuyenvien chuyển liên thông Sở Tư pháp', timeout: 90_000 });

  test('xa1.chuyenvien nhận lại hồ sơ, trình lãnh đạo kèm dự thảo PDF', async (ctx) => {
    const page = await staffPage(ctx, 'xa1.chuyenvien');
    await goto(page, ctx.url(`/can-bo/ho-so/${ctx.code}`));
    await step('bảng "Liên thông": đã trả, có ý kiến của Sở Tư pháp; cùng hạn trả', async () => {
      await expectStaff(ctx, page, S.processing, { stepText: 'Chuyên viên xử lý' });
      const t = nfc(await page.getByRole('region', { name: 'Liên thông' }).textContent());
      assertContains(t, STP_REPLY, 'the transfers table');
      assert.ok(!t.includes('Đang chờ'), 'the transfer is still "Đang chờ"');
    });
    await step('"Trình lãnh đạo phê duyệt" với tóm tắt và dự thảo PDF', () => act(page, ctx.code, 'Trình lãnh đạo phê duyệt', async (box) => {
      await box.getByLabel('Tóm tắt kết quả đề xuất').fill(RESULT_SUMMARY);
      await box.getByLabel('Dự thảo văn bản kết quả').setInputFiles({
        name: 'trich-luc-nhan-cha-con.pdf', mimeType: 'application/pdf', buffer: makePdf(`e2e ${RUN} trich luc`),
      });
    }));
    await step('bước "Chờ lãnh đạo phê duyệt", cùng hạn trả; tệp kết quả hiện ra', async () => {
      await expectStaff(ctx, page, S.processing, { stepText: 'Chờ lãnh đạo phê duyệt' });
      assertContains(await page.getByRole('region', { name: 'Giấy tờ, tệp đính kèm' }).textContent(), 'trich-luc-nhan-cha-con.pdf', 'files');
    });
    await step('axe', () => checkA11y(page, 'trang hồ sơ (đã trình)'));
    await shot(page, 'lt-18-da-trinh-lanh-dao');
    await expectCitizen(ctx, S.processing);
  }, { needs: 'stp.chuyenvien thấy hồ sơ trong hàng của mình, trả liên thông kèm ý kiến', timeout: 90_000 });

  test('xa1.lanhdao thấy hồ sơ ở /lanh-dao và phê duyệt', async (ctx) => {
    const page = await staffSignIn(ctx, 'xa1.lanhdao');
    await step('bấm "Lãnh đạo" ở đầu trang → /lanh-dao', async () => {
      await submitAndWait(page, page.locator('header').getByRole('link', { name: 'Lãnh đạo', exact: true }));
      assert.equal(new URL(page.url()).pathname, '/lanh-dao');
    });
    const row = await step('"Hồ sơ chờ phê duyệt" có hồ sơ, cùng hạn trả', async () => {
      const section = page.getByRole('region', { name: /Hồ sơ chờ phê duyệt/ });
      const r = await tableRow(section, ctx.code);
      console.log(`    dòng: ${JSON.stringify(r)}`);
      assert.equal(dueOf(r['Hạn trả']), ctx.due, `/lanh-dao, Hạn trả: ${r['Hạn trả']}`);
      return r;
    });
    assertContains(row['Thủ tục'], PROCEDURE_NAME, '/lanh-dao, Thủ tục');
    await step('axe', () => checkA11y(page, '/lanh-dao'));
    await shot(page, 'lt-19-lanh-dao');
    await step('mở hồ sơ từ /lanh-dao', () => submitAndWait(page, page.getByRole('region', { name: /Hồ sơ chờ phê duyệt/ }).getByRole('link', { name: ctx.code, exact: true })));
    await step('"Chờ lãnh đạo phê duyệt", cùng hạn trả; kết quả đề xuất hiện ra', async () => {
      await expectStaff(ctx, page, S.processing, { stepText: 'Chờ lãnh đạo phê duyệt' });
      assert.equal(await fact(page.locator('main'), 'Kết quả đề xuất'), nfc(RESULT_SUMMARY));
    });
    await step('axe', () => checkA11y(page, 'trang hồ sơ (lãnh đạo)'));
    await shot(page, 'lt-20-lanh-dao-ho-so');
    await step('"Phê duyệt kết quả"', () => act(page, ctx.code, 'Phê duyệt kết quả', async (box) => {
      await box.getByLabel('Ý kiến phê duyệt (không bắt buộc)').fill('Đồng ý.');
    }));
    await step('"Đã có kết quả" — chờ trả kết quả, cùng hạn trả, hoàn thành đúng hạn', async () => {
      await expectStaff(ctx, page, S.resolved, { stepText: 'Chờ trả kết quả' });
      assertContains(await fact(page.locator('main'), 'Thời gian còn lại'), 'đúng hạn', 'Thời gian còn lại');
    });
    await step('axe', () => checkA11y(page, 'trang hồ sơ (đã phê duyệt)'));
    await shot(page, 'lt-21-da-phe-duyet');
    await expectCitizen(ctx, S.resolved);
  }, { needs: 'xa1.chuyenvien nhận lại hồ sơ, trình lãnh đạo kèm dự thảo PDF', timeout: 90_000 });

  test('thư "đã có kết quả" dẫn tới "Hồ sơ của tôi"', async (ctx) => {
    const m = await citizenMail(ctx, /đã có kết quả/, 'đã có kết quả');
    assertContains(m.text, RESULT_SUMMARY, 'the result mail');
    const link = new RegExp(`(https?://[^\\s<>"']+/tai-khoan/ho-so/${ctx.code.replace(/\./g, '\\.')})(?![/\\w])`).exec(m.text);
    assert.ok(link, `no link to /tai-khoan/ho-so/${ctx.code} in the mail:\n${m.text}`);
    assert.equal(new URL(link[1]).origin, new URL(ctx.baseUrl).origin, 'the link does not point at the server');
  }, { needs: 'xa1.lanhdao thấy hồ sơ ở /lanh-dao và phê duyệt' });

  test('xa1.motcua được đề nghị "Trả kết quả"; công dân tải kết quả điện tử → đã trả', async (ctx) => {
    const staff = await staffPage(ctx, 'xa1.motcua');
    const row = await queueLine(ctx, staff, 'tra-ket-qua', 'Chờ trả kết quả');
    assertContains(row['Trạng thái'], S.resolved, 'queue line, Trạng thái');
    assert.equal(dueOf(row['Hạn trả']), ctx.due, `queue line, Hạn trả: ${row['Hạn trả']}`);
    await step('axe', () => checkA11y(staff, 'hàng chờ trả kết quả'));
    await shot(staff, 'lt-22-hang-cho-tra-ket-qua');
    await step('mở hồ sơ: "Đã có kết quả", thao tác "Trả kết quả" được đề nghị', async () => {
      await submitAndWait(staff, staff.locator('main table').getByRole('link', { name: ctx.code, exact: true }));
      const v = await expectStaff(ctx, staff, S.resolved);
      assert.ok(v.actions.includes('Trả kết quả'), `"Trả kết quả" is not offered: ${JSON.stringify(v.actions)}`);
      assert.equal(await staff.getByRole('region', { name: 'Thao tác' }).getByRole('button', { name: 'Trả kết quả', exact: true }).count(), 1);
    });
    await step('axe', () => checkA11y(staff, 'trang hồ sơ (chờ trả kết quả)'));
    await shot(staff, 'lt-23-mot-cua-cho-tra');

    const { page } = await expectCitizen(ctx, S.resolved, { name: 'da-co-ket-qua' });
    const link = page.getByRole('region', { name: 'Kết quả giải quyết' }).getByRole('link', { name: /Tải kết quả: trich-luc-nhan-cha-con\.pdf/ });
    await step('"Kết quả giải quyết" có liên kết tải kết quả', async () => {
      assert.equal(await link.count(), 1, 'no "Tải kết quả: trich-luc-nhan-cha-con.pdf" link');
      assert.match(await link.getAttribute('href'), new RegExp(`^/tai-khoan/ho-so/${ctx.code.replace(/\./g, '\\.')}/ket-qua/[^/]+$`));
    });
    await step('bấm tải → một PDF', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const file = artifactPath('ket-qua-tai-ve', '.pdf');
      await download.saveAs(file);
      const head = fs.readFileSync(file).subarray(0, 5).toString('latin1');
      assert.equal(head, '%PDF-', `the downloaded result does not start with %PDF- (${JSON.stringify(head)})`);
      console.log(`    đã tải: ${download.suggestedFilename()} → ${path.relative(process.cwd(), file)}`);
    });
    await step('trang của công dân: "Đã trả kết quả", cùng hạn trả', async () => {
      await goto(page, ctx.url(`/tai-khoan/ho-so/${ctx.code}`));
      const v = await citizenView(page);
      assertContains(v.status, S.returned, 'Trạng thái (citizen)');
      assert.equal(v.due, ctx.due, 'Ngày hẹn trả kết quả (citizen)');
    });
    await step('axe', () => checkA11y(page, 'hồ sơ đã trả kết quả (công dân)'));
    await shot(page, 'lt-24-cong-dan-da-tra-ket-qua');
    await step('cán bộ một cửa: "Đã trả kết quả", không còn "Trả kết quả"; hàng "Đã kết thúc"', async () => {
      await goto(staff, ctx.url(`/can-bo/ho-so/${ctx.code}`));
      const v = await expectStaff(ctx, staff, S.returned);
      assert.ok(!v.actions.includes('Trả kết quả'), '"Trả kết quả" is still offered after the download');
      const history = nfc(await staff.getByRole('region', { name: 'Quá trình xử lý' }).locator('tbody tr').last().textContent());
      assertContains(history, 'Trả kết quả', 'the last history line');
      const r = await queueLine(ctx, staff, 'da-xong', 'Đã kết thúc');
      assertContains(r['Trạng thái'], S.returned, 'queue line, Trạng thái');
    });
    await step('axe', () => checkA11y(staff, 'hàng đã kết thúc'));
    await shot(staff, 'lt-25-hang-da-ket-thuc');
    await step('Cổng DVC quốc gia (portal-sim) nhận đủ mọi bước, đúng thứ tự, trạng thái 10', async () => {
      await goto(staff, ctx.url(`/can-bo/ho-so/${ctx.code}`));
      const ours = await staff.getByRole('region', { name: 'Quá trình xử lý' }).locator('tbody tr').count();
      const portal = process.env.PORTAL_SIM_URL;
      assert.ok(portal, 'PORTAL_SIM_URL is not set (.ci/e2e.sh sets it)');
      // The worker in the server sends every 2 s; wait for it.
      let held;
      for (let i = 0; i < 40; i++) {
        const store = await (await fetch(`${portal}/sim/store`)).json();
        held = store.dossiers[ctx.code];
        if (held && held.progress.length === ours) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(held, `the national portal never received ${ctx.code}`);
      assert.equal(held.progress.length, ours, 'progress entries at the portal vs history rows here');
      assert.equal(held.dossier.TrangThaiHoSo, '10', 'TrangThaiHoSo at the portal');
      const times = held.progress.map((p) => p.ThoiDiemXuLy);
      assert.deepEqual(times, [...times].sort(), 'progress in order');
      await goto(staff, ctx.url(`/can-bo/ho-so/${ctx.code}`));
      assertContains(nfc(await staff.locator('.sync-status').textContent()), `Đã gửi đủ ${ours}/${ours} bước`, 'sync status on the staff page');
    });
    await goto(staff, `${process.env.PORTAL_SIM_URL}/`);
    await step('axe (portal-sim)', () => checkA11y(staff, 'trang của Cổng DVC quốc gia mô phỏng'));
    await shot(staff, 'lt-26-cong-dvc-quoc-gia');
  }, { needs: 'xa1.lanhdao thấy hồ sơ ở /lanh-dao và phê duyệt', timeout: 90_000 });
});

module.exports = workflow;
if (require.main === module) runMain([workflow]);
