// The HTML pages in a real browser: Debian's Chromium, headless, driven by playwright-core, at
// a phone's width (375 px), with the pages' CSP enforced (no bypass), against a running
// `rampart serve` with one owner and nothing else.
// Usage: node pages.js https://localhost:PORT SPKI_SHA256_BASE64 EMAIL PASSWORD [SCREENS_DIR]
// Covers: keyboard-only sign-in, the enrolment an owner owes (QR page, code from oathtool,
// recovery codes shown once), sign-out, password + TOTP sign-in, a wrong code, a recovery-code
// sign-in, ending another session from the account page, a hostile string shown as text, and
// axe-core on every page (serious or critical violations fail). No CSP violation may happen:
// none in the console, none in the audit trail. Screenshots of each page go to SCREENS_DIR.
// Exit 0 and "PAGES E2E: PASS" when every step held; 1 otherwise.
const { chromium, request } = require('playwright-core');
const { AxeBuilder } = require('@axe-core/playwright');
const { execFileSync } = require('child_process');
const fs = require('fs'), os = require('os'), path = require('path');

const [origin, spki, email, password, screens] = process.argv.slice(2);
const step = (name) => console.log('--', name);
function check(condition, what, detail) {
  if (!condition) throw new Error(what + (detail === undefined ? '' : ': ' + JSON.stringify(detail)));
}
// The code oathtool (not our code) computes for `secret`, `offset` seconds from now.
const totp = (secret, offset = 0) =>
  execFileSync('oathtool', ['--totp', '-b', '-d', '6', '-N', `now + ${offset} seconds`, secret]).toString().trim();

(async () => {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-pages-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--ignore-certificate-errors-spki-list=' + spki];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', headless: true, args, timeout: 30000,
    viewport: { width: 375, height: 740 } });
  const api = await request.newContext({ baseURL: origin, ignoreHTTPSErrors: true });
  const violations = [], dialogs = [];
  let rc = 0;
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
    });
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
    const checked = new Set();
    // axe-core on the page as it is now; a screenshot under `name`; no sideways scrolling.
    const audit = async (name) => {
      const results = await new AxeBuilder({ page }).analyze();
      const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      check(bad.length === 0, 'axe on ' + name, bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`));
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      check(width <= 375, name + ' fits 375 px', width);
      if (screens && !checked.has(name)) await page.screenshot({ path: path.join(screens, name + '.png'), fullPage: true });
      checked.add(name);
    };
    const at = (p) => new URL(page.url()).pathname === p;

    step('the sign-in page: the passkey button appears (its script ran under the CSP)');
    await page.goto(origin + '/sign-in');
    check(await page.isVisible('#passkey-button'), 'passkey button shown by passkey.js');
    await audit('sign-in');

    step('a hostile string as the address comes back as text');
    const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    await page.evaluate(() => { document.querySelector('form').noValidate = true; });
    await page.fill('#email', hostile);
    await page.fill('#password', 'not the password at all');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    check(await page.inputValue('#email') === hostile, 'the typed text is kept, as text');
    check(await page.inputValue('#password') === '', 'the password is never sent back');
    check((await page.textContent('#form-error')).includes('wrong'), 'the message is shown');
    check(await page.locator('script:not([src])').count() === 0, 'no script element came from the input');
    await audit('sign-in-error');

    step('keyboard only: the owner signs in and lands on the enrolment an owner owes');
    await page.goto(origin + '/sign-in');
    await page.keyboard.press('Tab'); // the skip link
    await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement.id) === 'email', 'Tab reaches the address');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    check(at('/account/authenticator'), 'enrolment first', page.url());
    await page.goto(origin + '/account');
    check(at('/account/authenticator'), 'no other page until a factor exists', page.url());
    await audit('authenticator');

    step('add an authenticator app: QR, key, code from oathtool, recovery codes once');
    await Promise.all([page.waitForNavigation(), page.click('text=Set up an authenticator app')]);
    check(await page.isVisible('img.qr'), 'QR image shown');
    const secret = (await page.textContent('#totp-secret')).trim();
    await audit('authenticator-qr');
    await page.fill('#code', totp(secret));
    await Promise.all([page.waitForNavigation(), page.click('text=Confirm')]);
    const codes = await page.$$eval('#recovery-codes code', (nodes) => nodes.map((n) => n.textContent));
    check(codes.length === 10, 'ten recovery codes', codes.length);
    const download = await page.getAttribute('a[download]', 'href');
    check(download.startsWith('data:text/plain') && decodeURIComponent(download).includes(codes[0]), 'download holds the codes');
    await audit('recovery-codes');
    await Promise.all([page.waitForNavigation(), page.click('text=Continue to your account')]);
    check(at('/account') && (await page.textContent('#account-email')) === email, 'account page', page.url());
    await audit('account');

    step('sign out, then password + a wrong code + the right code');
    await Promise.all([page.waitForNavigation(), page.click('header button:has-text("Sign out")')]);
    check(at('/sign-in'), 'signed out', page.url());
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    check(at('/sign-in/second-factor'), 'second factor owed', page.url());
    await audit('second-factor');
    await page.fill('#code', '000000');
    await Promise.all([page.waitForNavigation(), page.click('text=Continue')]);
    check((await page.textContent('#form-error')).includes('code'), 'wrong code refused');
    await audit('second-factor-error');
    // The enrolment used this 30-second step; the next one is within the accepted window.
    await page.fill('#code', totp(secret, 30));
    await Promise.all([page.waitForNavigation(), page.click('text=Continue')]);
    check(at('/account'), 'signed in with password + app', page.url());

    step('a recovery code signs in too, once');
    await Promise.all([page.waitForNavigation(), page.click('header button:has-text("Sign out")')]);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await page.fill('#code', codes[0]);
    await Promise.all([page.waitForNavigation(), page.click('text=Continue')]);
    check(at('/account'), 'signed in with a recovery code', page.url());
    check((await page.textContent('main')).includes('Recovery codes left: 9'), 'nine left');

    step('end another session from the account page');
    let r = await api.post('/api/auth/login', { data: { email, password, session: 'token' } });
    const pending = (await r.json()).token;
    r = await api.post('/api/auth/login/mfa', { data: { recovery_code: codes[1], session: 'token' },
      headers: { authorization: 'Bearer ' + pending } });
    check(r.status() === 200, 'a second session', r.status());
    const other = (await r.json()).token;
    await page.reload();
    check(await page.locator('text=End').count() === 1, 'the other session is listed');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("End")')]);
    check((await page.textContent('[role=status]')).includes('ended'), 'notice shown');
    r = await api.get('/api/me', { headers: { authorization: 'Bearer ' + other } });
    check(r.status() === 401, 'the ended session no longer works', r.status());
    await audit('account-session-ended');

    step('no CSP violation anywhere, no dialog ever opened');
    check(violations.length === 0, 'CSP violations in the console', violations);
    check(dialogs.length === 0, 'a script ran', dialogs);
    const audited = await page.evaluate(async () =>
      (await fetch('/api/audit?action=csp_violation', { credentials: 'same-origin' })).json());
    check(Array.isArray(audited.events) && audited.events.length === 0, 'no csp_violation audited', audited);

    console.log('PAGES E2E: PASS', origin);
  } catch (e) {
    console.log('PAGES E2E: FAIL', origin, '-', String(e.message).slice(0, 900));
    rc = 1;
  } finally {
    await api.dispose();
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  process.exit(rc);
})();
