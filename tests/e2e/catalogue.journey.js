'use strict';
// Hành trình "danh mục thủ tục": a citizen on a phone finds the marriage
// registration procedure from the home page, reads it and downloads its form.
//
//   BASE_URL=http://127.0.0.1:8080 node tests/e2e/catalogue.journey.js
//
// Contract checked (the portal's HTML must keep these hooks):
//   /                    <html lang="vi">, <main id="main">, first focusable is a.skip-link[href="#main"],
//                        form[role=search] with a labelled input[name=q]
//   /thu-tuc?q=...       ol.results > li each with a.procedure-link, p.result-count
//   /thu-tuc/1.000894    h1, section#thanh-phan-ho-so, section#phi-le-phi, section#thoi-han, a.form-download
//   form download        200, Content-Disposition: attachment, DOCX (PK\x03\x04) or PDF (%PDF-) bytes
//   /thu-tuc/khong-ton-tai  404 with h1 "Không tìm thấy…"
//   every page above     no serious/critical axe violation (WCAG 2.0/2.1 A+AA); / has no sideways scroll at 320 px

const fs = require('fs');
const path = require('path');
const {
  journey, runMain, newPage, checkA11y, shot, step, artifactPath,
  assert, assertContains, assertNoHorizontalScroll, nfc,
} = require('./lib');

const PROCEDURE_NAME = 'Đăng ký kết hôn';
const PROCEDURE_CODE = '1.000894';
const QUERY = 'ket hon'; // typed without diacritics, as many people do on a phone

async function goto(page, url, expectStatus) {
  const res = await page.goto(url, { waitUntil: 'load' });
  assert.ok(res, `no response for ${url}`);
  assert.equal(res.status(), expectStatus, `GET ${url}: expected HTTP ${expectStatus}, got ${res.status()}`);
  return res;
}

async function expectHtmlLangVi(page) {
  const lang = await page.evaluate(() => document.documentElement.getAttribute('lang'));
  assert.equal(lang, 'vi', `<html lang> should be "vi", got ${JSON.stringify(lang)}`);
}

const catalogue = journey('Danh mục thủ tục (tìm, xem, tải biểu mẫu)', (test) => {
  test('trang chủ: lang, landmark, skip link, a11y', async (ctx) => {
    const page = await newPage(ctx.browser);
    ctx.page = page;
    await step('mở /', () => goto(page, ctx.url('/'), 200));
    await step('<html lang="vi">', () => expectHtmlLangVi(page));
    await step('một <main> landmark, là đích #main của skip link', async () => {
      const mains = await page.locator('main').count();
      assert.equal(mains, 1, `expected exactly one <main>, found ${mains}`);
      const target = await page.evaluate(() => {
        const t = document.getElementById('main');
        if (!t) return null;
        return { tag: t.tagName.toLowerCase(), inMain: !!t.closest('main') || !!t.querySelector('main') };
      });
      assert.ok(target, 'no element with id="main" (skip link target)');
      assert.ok(target.inMain, `#main (<${target.tag}>) is neither the <main> landmark nor inside/around it`);
    });
    await step('phần tử nhận focus đầu tiên là a.skip-link[href="#main"], hiện ra khi focus', async () => {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const r = el.getBoundingClientRect();
        return {
          tag: el.tagName.toLowerCase(),
          cls: el.getAttribute('class'),
          href: el.getAttribute('href'),
          text: el.textContent,
          isSkip: el.matches('a.skip-link'),
          visible: r.width >= 1 && r.height >= 1 && r.right > 0 && r.bottom > 0
            && r.left < window.innerWidth && r.top < window.innerHeight,
        };
      });
      assert.ok(focused, 'Tab focused nothing');
      assert.ok(focused.isSkip, `first focusable element should be a.skip-link, got <${focused.tag} class=${JSON.stringify(focused.cls)} href=${JSON.stringify(focused.href)}>`);
      assert.equal(focused.href, '#main', 'skip link href');
      assert.ok(nfc(focused.text).length > 0, 'skip link has no text');
      assert.ok(focused.visible, 'skip link stays invisible/off-screen when focused');
    });
    await step('axe', () => checkA11y(page, 'trang chủ'));
    await shot(page, 'trang-chu');
  });

  test(`tìm "${QUERY}" → kết quả có "${PROCEDURE_NAME}"`, async (ctx) => {
    const page = ctx.page || (ctx.page = await newPage(ctx.browser));
    await step('mở /', () => goto(page, ctx.url('/'), 200));
    // If the layout also has a search box in its header, use the one in <main>.
    const inMain = page.locator('main form[role="search"]');
    const form = (await inMain.count()) ? inMain.first() : page.locator('form[role="search"]').first();
    const input = form.locator('input[name="q"]');
    await step('form[role=search] có input[name=q] với <label>', async () => {
      assert.ok(await page.locator('form[role="search"]').count() >= 1, 'no form[role=search] on /');
      assert.equal(await input.count(), 1, 'form[role=search] has no (or several) input[name=q]');
      const labels = await input.evaluate((el) => [...(el.labels || [])].map((l) => l.textContent));
      assert.ok(labels.length > 0, 'input[name=q] has no associated <label> (for=id or wrapping label)');
      assert.ok(labels.some((t) => nfc(t).length > 0), 'the <label> of input[name=q] is empty');
    });
    await step(`gõ "${QUERY}" rồi Enter`, async () => {
      await input.fill('');
      await input.pressSequentially(QUERY, { delay: 20 });
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/thu-tuc', { waitUntil: 'load' }),
        input.press('Enter'),
      ]);
    });
    await step('URL là /thu-tuc?q=ket+hon', async () => {
      const u = new URL(page.url());
      assert.equal(u.pathname, '/thu-tuc');
      assert.ok(u.search === '?q=ket+hon' || u.search === '?q=ket%20hon',
        `query string should be ?q=ket+hon (or %20), got ${JSON.stringify(u.search)}`);
    });
    await step('ol.results > li, mỗi mục có a.procedure-link; p.result-count', async () => {
      const items = page.locator('ol.results > li');
      const n = await items.count();
      assert.ok(n >= 1, 'no search results (ol.results > li)');
      const withoutLink = await items.evaluateAll((lis) => lis
        .map((li, i) => (li.querySelector('a.procedure-link[href]') ? null : i + 1))
        .filter((i) => i !== null));
      assert.deepEqual(withoutLink, [], `result items without a.procedure-link[href]: #${withoutLink.join(', #')}`);
      const count = page.locator('p.result-count');
      assert.equal(await count.count(), 1, 'expected one p.result-count');
      assert.ok(await count.isVisible(), 'p.result-count is not visible');
      assert.match(nfc(await count.textContent()), /\d/, 'p.result-count has no number in it');
      const texts = (await page.locator('ol.results > li a.procedure-link').allTextContents()).map(nfc);
      console.log(`    ${n} kết quả: ${texts.slice(0, 5).join(' | ')}${n > 5 ? ' | …' : ''}`);
      const hit = texts.find((t) => t.includes(nfc(PROCEDURE_NAME)));
      assert.ok(hit, `no result link contains "${PROCEDURE_NAME}"; got: ${JSON.stringify(texts)}`);
    });
    await step('axe', () => checkA11y(page, 'kết quả tìm kiếm'));
    await shot(page, 'ket-qua-tim-kiem');
  });

  test(`trang thủ tục ${PROCEDURE_CODE}`, async (ctx) => {
    const { page } = ctx;
    await step(`bấm kết quả "${PROCEDURE_NAME}"`, async () => {
      // Prefer the exact title; else the first link that contains it.
      const links = page.locator('ol.results > li a.procedure-link');
      const texts = (await links.allTextContents()).map(nfc);
      let idx = texts.findIndex((t) => t === nfc(PROCEDURE_NAME));
      if (idx < 0) idx = texts.findIndex((t) => t.includes(nfc(PROCEDURE_NAME)));
      assert.ok(idx >= 0, 'result link vanished');
      await Promise.all([
        page.waitForURL((u) => u.pathname.startsWith('/thu-tuc/'), { waitUntil: 'load' }),
        links.nth(idx).click(),
      ]);
      const got = new URL(page.url()).pathname;
      assert.equal(got, `/thu-tuc/${PROCEDURE_CODE}`,
        `link "${texts[idx]}" led to ${got}, expected /thu-tuc/${PROCEDURE_CODE}`);
    });
    await step('h1 chứa tên thủ tục', async () => {
      assert.equal(await page.locator('h1').count(), 1, 'expected exactly one <h1>');
      assertContains(await page.locator('h1').textContent(), PROCEDURE_NAME, 'h1');
    });
    await step('các mục: thành phần hồ sơ, phí/lệ phí, thời hạn', async () => {
      for (const id of ['thanh-phan-ho-so', 'phi-le-phi', 'thoi-han']) {
        const sec = page.locator(`section#${id}`);
        assert.equal(await sec.count(), 1, `missing section#${id}`);
        assert.ok(await sec.isVisible(), `section#${id} is not visible`);
        const heading = sec.locator('h2, h3').first();
        assert.ok(await heading.count(), `section#${id} has no heading (h2/h3)`);
        assert.ok(nfc(await heading.textContent()).length > 0, `section#${id} heading is empty`);
        const body = nfc(await sec.textContent()).replace(nfc(await heading.textContent()), '');
        assert.ok(body.trim().length > 0, `section#${id} has a heading but no content`);
      }
      const papers = await page.locator('section#thanh-phan-ho-so li').count();
      assert.ok(papers >= 1, 'section#thanh-phan-ho-so lists no papers (no <li>)');
    });
    await step('liên kết biểu mẫu a.form-download', async () => {
      const forms = page.locator('a.form-download');
      const n = await forms.count();
      assert.ok(n >= 1, 'no a.form-download on the procedure page');
      const bad = await forms.evaluateAll((as) => as
        .filter((a) => !a.getAttribute('href') || !(a.textContent.trim() || a.getAttribute('aria-label')))
        .map((a) => a.outerHTML.slice(0, 120)));
      assert.deepEqual(bad, [], 'form links without href or text');
      ctx.formHref = new URL(await forms.first().getAttribute('href'), page.url()).href;
      console.log(`    ${n} biểu mẫu; đầu tiên: ${ctx.formHref}`);
    });
    await step('axe', () => checkA11y(page, 'trang thủ tục'));
    await shot(page, `thu-tuc-${PROCEDURE_CODE}`);
  }, { needs: `tìm "${QUERY}" → kết quả có "${PROCEDURE_NAME}"` });

  test('tải biểu mẫu đầu tiên', async (ctx) => {
    const { page, formHref } = ctx;
    let body;
    await step(`GET ${formHref}: 200, attachment, DOCX/PDF`, async () => {
      const res = await page.request.get(formHref, { maxRedirects: 5 });
      assert.equal(res.status(), 200, `GET ${formHref}: HTTP ${res.status()}`);
      const cd = res.headers()['content-disposition'] || '';
      assert.match(cd, /^\s*attachment\b/i, `Content-Disposition should be "attachment; filename=…", got ${JSON.stringify(cd)}`);
      body = await res.body();
      const kind = magicKind(body);
      assert.ok(kind, `form bytes start with ${JSON.stringify(body.subarray(0, 8).toString('latin1'))}, expected PK\\x03\\x04 (DOCX) or %PDF-`);
      console.log(`    ${body.length} byte, ${kind}, Content-Type: ${res.headers()['content-type']}, Content-Disposition: ${cd}`);
    });
    await step('bấm a.form-download → sự kiện download của trình duyệt', async () => {
      const [download] = await Promise.all([
        waitForDownload(page, 15_000),
        page.locator('a.form-download').first().click(),
      ]);
      const failure = await download.failure();
      assert.equal(failure, null, `browser download failed: ${failure}`);
      const name = download.suggestedFilename();
      const kind = magicKind(body);
      const want = kind === 'PDF' ? /\.pdf$/i : /\.docx$/i;
      assert.match(name, want, `suggested filename ${JSON.stringify(name)} does not match its ${kind} content`);
      const file = artifactPath(`bieu-mau-${name}`);
      await download.saveAs(file);
      // Forms may be generated per request (zip timestamps…), so compare kind, not bytes.
      const saved = fs.readFileSync(file);
      assert.equal(magicKind(saved), kind, `the browser's download is not a ${kind} (starts with ${JSON.stringify(saved.subarray(0, 8).toString('latin1'))})`);
      console.log(`    đã lưu: ${path.relative(process.cwd(), file)} (${saved.length} byte)`);
    });
  }, { needs: `trang thủ tục ${PROCEDURE_CODE}` });

  test('trang 404 tiếng Việt', async (ctx) => {
    const page = await newPage(ctx.browser);
    await step('GET /thu-tuc/khong-ton-tai → 404', () => goto(page, ctx.url('/thu-tuc/khong-ton-tai'), 404));
    await step('h1 "Không tìm thấy", lang vi', async () => {
      await expectHtmlLangVi(page);
      assert.equal(await page.locator('h1').count(), 1, 'expected exactly one <h1> on the 404 page');
      assertContains(await page.locator('h1').textContent(), 'Không tìm thấy', '404 h1');
    });
    await step('axe', () => checkA11y(page, 'trang 404'));
    await shot(page, 'khong-tim-thay-404');
  });

  test('trang chủ không cuộn ngang ở 320 px', async (ctx) => {
    const page = await newPage(ctx.browser, { width: 320, height: 800 });
    await step('mở / ở 320×800', () => goto(page, ctx.url('/'), 200));
    await step('document.documentElement.scrollWidth <= 320', () => assertNoHorizontalScroll(page, 320));
    await shot(page, 'trang-chu-320px');
  });
});

/** The next download of this page, or of a tab it opens (a link with target=_blank). */
function waitForDownload(page, timeoutMs) {
  const context = page.context();
  return new Promise((resolve, reject) => {
    const done = (fn, v) => {
      clearTimeout(timer);
      page.off('download', onDownload);
      context.off('page', onPopup);
      fn(v);
    };
    const onDownload = (d) => done(resolve, d);
    const onPopup = (p) => p.once('download', onDownload);
    const timer = setTimeout(() => done(reject, new Error(
      `clicking a.form-download started no browser download within ${timeoutMs} ms (Content-Disposition: attachment missing, or a non-file response?)`)), timeoutMs);
    page.on('download', onDownload);
    context.on('page', onPopup);
  });
}

function magicKind(buf) {
  if (buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) return 'DOCX';
  if (buf.subarray(0, 5).toString('latin1') === '%PDF-') return 'PDF';
  return null;
}

module.exports = catalogue;
if (require.main === module) runMain([catalogue]);
