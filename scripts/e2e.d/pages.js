// The HTML pages in a real browser: Debian's Chromium, headless, driven by playwright-core, at
// a phone's width (375 px), with the pages' CSP enforced (no bypass), against a running
// `rampart serve` with one owner and nothing else.
// Usage: node pages.js https://localhost:PORT SPKI_SHA256_BASE64 EMAIL PASSWORD MAILDIR [SCREENS_DIR]
// Covers: keyboard-only sign-in, adding a passkey from the account page, the enrolment an owner owes (QR page, code from oathtool,
// recovery codes shown once), sign-out, forgot password -> the mail caught by the SMTP sink
// (MAILDIR) -> the reset page -> sign-in, registration -> the verification link -> sign-in, password + TOTP sign-in, a wrong code, a recovery-code
// sign-in, ending another session from the account page, a passkey signing in with the page's
// button (alone and as second factor), renaming and removing it and making and revoking an
// API key on the account page, hostile strings (an address, a passkey's and a key's name)
// shown as text, and
// axe-core on every page (serious or critical violations fail). No CSP violation may happen:
// none in the console, none in the audit trail. Screenshots of each page go to SCREENS_DIR.
// Exit 0 and "PAGES E2E: PASS" when every step held; 1 otherwise.
const { chromium, request } = require('playwright-core');
const { AxeBuilder } = require('@axe-core/playwright');
const { execFileSync } = require('child_process');
const fs = require('fs'), os = require('os'), path = require('path');

const [origin, spki, email, password, maildir, screens] = process.argv.slice(2);
const step = (name) => console.log('--', name);
function check(condition, what, detail) {
  if (!condition) throw new Error(what + (detail === undefined ? '' : ': ' + JSON.stringify(detail)));
}
// The code oathtool (not our code) computes for `secret`, `offset` seconds from now.
const totp = (secret, offset = 0) =>
  execFileSync('oathtool', ['--totp', '-b', '-d', '6', '-N', `now + ${offset} seconds`, secret]).toString().trim();
// Waits for a message the SMTP sink stored for `to` with a link whose token was not taken yet
// (quoted-printable soft breaks and `=3D` undone); that token.
const taken = new Set();
async function mailedToken(to) {
  const dir = path.join(maildir, 'new');
  for (let i = 0; i < 100; i++) {
    for (const file of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      const match = /#token=([0-9a-f]+)/.exec(text);
      if (text.includes('X-RcptTo: ' + to) && match && !taken.has(match[1])) {
        taken.add(match[1]);
        return match[1];
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no mail with a link to ' + to);
}

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
    // Clicks the passkey button and waits for the account page (or says what the page said).
    const passkeyButton = async (what) => {
      await page.click('#passkey-button');
      try { await page.waitForURL('**/account', { timeout: 10000 }); }
      catch (e) { check(false, what, await page.textContent('#passkey-status')); }
    };

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

    step('a passkey added with the account page\'s button signs in with the sign-in button, alone and as second factor');
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal',
      hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } });
    check(await page.isVisible('#passkey-add'), 'the add button, shown by passkey.js');
    await page.fill('#passkey-new-name', hostile);
    await page.click('#passkey-add');
    try { await page.waitForURL('**/account?done=passkey-added', { timeout: 10000 }); }
    catch (e) { check(false, 'passkey added from the account page', await page.textContent('#passkey-add-status')); }
    check((await page.textContent('.passkey-name')) === hostile, 'its name is shown as text');
    await Promise.all([page.waitForNavigation(), page.click('header button:has-text("Sign out")')]);
    await passkeyButton('passwordless sign-in with the button');
    await Promise.all([page.waitForNavigation(), page.click('header button:has-text("Sign out")')]);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    check(at('/sign-in/second-factor') && await page.isVisible('#passkey-button'), 'passkey offered as second factor');
    await passkeyButton('password + passkey');

    step('passkeys and API keys on the account page: hostile names as text, rename, remove, make, revoke');
    check((await page.textContent('.passkey-name')) === hostile, 'the passkey name is shown as text');
    await page.fill('input[id^=rename-]', 'work laptop');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Rename")')]);
    check((await page.textContent('.passkey-name')) === 'work laptop', 'renamed');
    await Promise.all([page.waitForNavigation(), page.click('button[aria-label^="Remove the passkey"]')]);
    check((await page.textContent('[role=status]')).includes('removed'), 'passkey removed');
    check(await page.locator('.passkey-name').count() === 0, 'no passkey left');
    await page.fill('#key-name', hostile);
    await page.check('input[name=permission][value="audit:read"]');
    await Promise.all([page.waitForNavigation(), page.click('text=Make the key')]);
    const key = (await page.textContent('#api-key')).trim();
    check(key.startsWith('rk_'), 'the key is shown once');
    await audit('api-key-created');
    r = await api.get('/api/audit?action=csp_violation', { headers: { authorization: 'Bearer ' + key } });
    check(r.status() === 200, 'the key works with the permission given', r.status());
    await Promise.all([page.waitForNavigation(), page.click('text=Back to your account')]);
    check((await page.textContent('.api-key-name')) === hostile, 'the key name is shown as text');
    check(!(await page.content()).includes(key), 'the key is never shown again');
    await audit('account-keys');
    await Promise.all([page.waitForNavigation(), page.click('button[aria-label^="Revoke the key"]')]);
    check((await page.textContent('[role=status]')).includes('revoked'), 'key revoked');
    r = await api.get('/api/me', { headers: { authorization: 'Bearer ' + key } });
    check(r.status() === 401, 'a revoked key no longer works', r.status());

    step('forgot password: the mail, the reset page (token moved out of the address bar), sign-in');
    await Promise.all([page.waitForNavigation(), page.click('header button:has-text("Sign out")')]);
    await Promise.all([page.waitForNavigation(), page.click('text=Forgot your password?')]);
    await audit('forgot-password');
    await page.fill('#email', email);
    await Promise.all([page.waitForNavigation(), page.click('text=Send the link')]);
    check((await page.textContent('[role=status]')).includes('on its way'), 'notice');
    const resetToken = await mailedToken(email);
    await page.goto(origin + '/reset-password#token=' + resetToken);
    await page.waitForFunction(() => document.getElementById('link-token').value !== '');
    check(new URL(page.url()).hash === '', 'the token left the address bar', page.url());
    await audit('reset-password');
    const newPassword = password + ' renewed';
    await page.fill('#password', newPassword);
    await Promise.all([page.waitForNavigation(), page.click('text=Set the new password')]);
    check((await page.textContent('h1')).includes('Password changed'), 'reset done');
    await page.goto(origin + '/sign-in');
    await page.fill('#email', email);
    await page.fill('#password', newPassword);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await page.fill('#code', codes[2]);
    await Promise.all([page.waitForNavigation(), page.click('text=Continue')]);
    check(at('/account'), 'signed in with the new password', page.url());
    const auditedNow = await page.evaluate(async () =>
      (await fetch('/api/audit?action=csp_violation', { credentials: 'same-origin' })).json());
    check(Array.isArray(auditedNow.events) && auditedNow.events.length === 0, 'no csp_violation audited', auditedNow);

    step('registration: the page, the verification mail, the link, sign-in');
    await Promise.all([page.waitForNavigation(), page.click('header button:has-text("Sign out")')]);
    await page.goto(origin + '/register');
    await audit('register');
    const visitor = 'visitor@example.com', visitorPassword = 'a visitor with a long passphrase';
    await page.fill('#email', visitor);
    await page.fill('#password', visitorPassword);
    await Promise.all([page.waitForNavigation(), page.click('text=Create the account')]);
    check((await page.textContent('[role=status]')).includes('Check your e-mail'), 'registered');
    const verifyToken = await mailedToken(visitor);
    await page.goto(origin + '/verify-email#token=' + verifyToken);
    await page.waitForFunction(() => document.getElementById('link-token').value !== '');
    await audit('verify-email');
    await Promise.all([page.waitForNavigation(), page.click('text=Confirm my address')]);
    check((await page.textContent('h1')).includes('Address confirmed'), 'verified');
    await page.goto(origin + '/sign-in');
    await page.fill('#email', visitor);
    await page.fill('#password', visitorPassword);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    check(at('/account') && (await page.textContent('#account-email')) === visitor, 'the visitor is in', page.url());

    step('no CSP violation anywhere, no dialog ever opened');
    check(violations.length === 0, 'CSP violations in the console', violations);
    check(dialogs.length === 0, 'a script ran', dialogs);

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
