'use strict';
// Hành trình "quản trị": the administrator signs in on the staff page and opens every
// administration page (agencies, staff, catalogue with a procedure's form, holidays of a year,
// the audit log); each page has an <h1>, no serious axe violation, and no sideways scrolling
// at 320 px. A one-stop officer is refused the administration (403).
//
//   bash .ci/e2e.sh      or      BASE_URL=http://127.0.0.1:8080 node tests/e2e/admin.journey.js

const {
  journey, runMain, newPage, checkA11y, shot, step, assert, assertNoHorizontalScroll,
} = require('./lib');

const PASSWORD = 'CanBo@2026';
const PAGES = [
  ['/quan-tri', 'quan-tri'],
  ['/quan-tri/co-quan', 'co-quan'],
  ['/quan-tri/co-quan/moi', 'co-quan-moi'],
  ['/quan-tri/can-bo', 'can-bo'],
  ['/quan-tri/can-bo/moi', 'can-bo-moi'],
  ['/quan-tri/thu-tuc', 'thu-tuc'],
  ['/quan-tri/thu-tuc/1.001022', 'thu-tuc-1.001022'],
  ['/quan-tri/ngay-nghi?nam=2027', 'ngay-nghi-2027'],
  ['/quan-tri/nhat-ky', 'nhat-ky'],
];

async function signIn(ctx, username, width = 1280) {
  const page = await newPage(ctx.browser, { width, height: 900 });
  await step(`${username}: đăng nhập cán bộ`, async () => {
    await page.goto(ctx.url('/can-bo/dang-nhap'), { waitUntil: 'load' });
    const main = page.locator('main');
    await main.getByLabel('Tên đăng nhập hoặc thư điện tử công vụ').fill(username);
    await main.getByLabel('Mật khẩu').fill(PASSWORD);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), main.getByRole('button', { name: 'Đăng nhập', exact: true }).click()]);
    assert.notEqual(new URL(page.url()).pathname, '/can-bo/dang-nhap', `${username} could not sign in`);
  });
  return page;
}

const admin = journey('Quản trị (cơ quan, cán bộ, thủ tục, ngày nghỉ, nhật ký)', (test) => {
  test('quantri mở mọi trang quản trị: tiêu đề, axe-core', async (ctx) => {
    const page = await signIn(ctx, 'quantri');
    for (const [path, name] of PAGES) {
      await step(`GET ${path} → 200, có <h1>`, async () => {
        const res = await page.goto(ctx.url(path), { waitUntil: 'load' });
        assert.equal(res.status(), 200, `GET ${path}: HTTP ${res.status()}`);
        assert.equal(await page.locator('main h1').count(), 1, `${path}: expected one <h1>`);
      });
      await step(`axe ${path}`, () => checkA11y(page, `quản trị ${path}`));
      await shot(page, `qt-${name}`);
    }
  });

  test('ở 320 px không cuộn ngang', async (ctx) => {
    const page = await signIn(ctx, 'quantri', 320);
    for (const [path] of PAGES) {
      await step(`${path} ở 320 px`, async () => {
        await page.goto(ctx.url(path), { waitUntil: 'load' });
        await assertNoHorizontalScroll(page, 320);
      });
    }
    await shot(page, 'qt-thu-tuc-320px');
  });

  test('cán bộ một cửa không vào được trang quản trị', async (ctx) => {
    const page = await signIn(ctx, 'xa1.motcua');
    await step('GET /quan-tri → 403', async () => {
      const res = await page.goto(ctx.url('/quan-tri'), { waitUntil: 'load' });
      assert.equal(res.status(), 403);
    });
    await step('axe trang 403', () => checkA11y(page, 'quản trị 403'));
  });
});

module.exports = admin;
if (require.main === module) runMain([admin]);
