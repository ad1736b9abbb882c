// Passkeys in a real browser: Debian's Chromium, headless, driven by playwright-core, with a CDP
// virtual authenticator (ctap2, internal, resident keys, user verification) against a running
// `rampart serve`. Usage: node passkeys.js https://localhost:PORT SPKI_SHA256_BASE64 EMAIL PASSWORD
// Exit 0 and "PASSKEYS E2E: PASS" when every step held; 1 otherwise.
const { chromium } = require('playwright-core');
const fs = require('fs'), os = require('os'), path = require('path');

const [origin, spki, email, password] = process.argv.slice(2);
const step = (name) => console.log('--', name);
function check(condition, what, detail) {
  if (!condition) throw new Error(what + (detail === undefined ? '' : ': ' + JSON.stringify(detail)));
}

// Runs in the page: the API with the session cookie (and its CSRF token), and WebAuthn with the
// options the server gives, converting base64url <-> ArrayBuffer.
const pageHelpers = `
  window.rp = { csrf: null };
  const b64u = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const unb64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4)), c => c.charCodeAt(0)).buffer;
  window.api = async (method, path, body) => {
    const headers = { 'content-type': 'application/json' };
    if (rp.csrf) headers['x-csrf-token'] = rp.csrf;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    let json = null; try { json = await response.json(); } catch (e) {}
    if (json && json.csrf_token) rp.csrf = json.csrf_token;
    if (json && json.session && json.session.csrf_token) rp.csrf = json.session.csrf_token;
    return { status: response.status, body: json };
  };
  window.create = async (options) => {
    const pk = options.publicKey;
    pk.challenge = unb64u(pk.challenge);
    pk.user.id = unb64u(pk.user.id);
    (pk.excludeCredentials || []).forEach(c => c.id = unb64u(c.id));
    const cred = await navigator.credentials.create({ publicKey: pk });
    return { id: cred.id, rawId: b64u(cred.rawId), type: cred.type, extensions: cred.getClientExtensionResults(),
      response: { attestationObject: b64u(cred.response.attestationObject), clientDataJSON: b64u(cred.response.clientDataJSON),
                  transports: cred.response.getTransports ? cred.response.getTransports() : undefined } };
  };
  window.get = async (options) => {
    const pk = options.publicKey;
    pk.challenge = unb64u(pk.challenge);
    (pk.allowCredentials || []).forEach(c => c.id = unb64u(c.id));
    const a = await navigator.credentials.get({ publicKey: pk });
    return { id: a.id, rawId: b64u(a.rawId), type: a.type, extensions: a.getClientExtensionResults(),
      response: { authenticatorData: b64u(a.response.authenticatorData), clientDataJSON: b64u(a.response.clientDataJSON),
                  signature: b64u(a.response.signature), userHandle: a.response.userHandle ? b64u(a.response.userHandle) : null } };
  };
  window.signInWithPasskey = async () => {
    const start = await api('POST', '/api/auth/login/passkey/start', {});
    if (start.status !== 200) return { step: 'start', ...start };
    const credential = await get(start.body.options);
    return api('POST', '/api/auth/login/passkey/finish', { challenge_id: start.body.challenge_id, credential });
  };
  window.register = async (name) => {
    const start = await api('POST', '/api/me/passkeys/options', {});
    if (start.status !== 200) return { step: 'options', ...start };
    const credential = await create(start.body.options);
    const done = await api('POST', '/api/me/passkeys', { challenge_id: start.body.challenge_id, name, credential });
    done.replay = { challenge_id: start.body.challenge_id, name, credential };
    return done;
  };
`;

(async () => {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-e2e-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--ignore-certificate-errors-spki-list=' + spki];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', headless: true, args, bypassCSP: true, timeout: 30000 });
  let rc = 0;
  try {
    const page = context.pages()[0] || await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const options = { protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true };
    let { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options });
    await page.goto(origin + '/healthz', { timeout: 15000 });
    await page.evaluate(pageHelpers);
    const call = (method, p, body) => page.evaluate(([m, q, b]) => api(m, q, b), [method, p, body]);

    step('password sign-in of an owner without a factor: enrolment only');
    let r = await call('POST', '/api/auth/login', { email, password });
    check(r.status === 200 && r.body.stage === 'full' && r.body.mfa_enrolment_required === true, 'sign-in', r);
    r = await call('GET', '/api/me/sessions');
    check(r.status === 403 && r.body.error.code === 'mfa_enrolment_required', 'enrolment only', r);

    step('register a passkey (the first factor): recovery codes and a new session');
    r = await page.evaluate(() => register('laptop'));
    check(r.status === 201 && r.body.passkey.name === 'laptop', 'registration', r);
    check(r.body.recovery_codes.length === 10 && r.body.session.assurance === 'password+passkey', 'first factor', r.body.session);
    const replay = await call('POST', '/api/me/passkeys', r.replay);
    check(replay.status === 401 && replay.body.error.code === 'passkey_rejected', 'a challenge is single use', replay);
    r = await call('GET', '/api/me');
    check(r.status === 200 && r.body.mfa.passkeys === 1 && r.body.mfa.enrolment_required === false, 'me', r);
    const held = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    check(held.credentials.length === 1 && held.credentials[0].isResidentCredential, 'a discoverable credential', held.credentials.length);

    step('list and rename');
    r = await call('GET', '/api/me/passkeys');
    check(r.status === 200 && r.body.length === 1, 'list', r);
    const laptop = r.body[0].id;
    r = await call('PATCH', '/api/me/passkeys/' + laptop, { name: 'work laptop' });
    check(r.status === 200, 'rename', r);
    r = await call('GET', '/api/me/passkeys');
    check(r.body[0].name === 'work laptop', 'renamed', r);

    step('password, then the passkey as second factor');
    check((await call('POST', '/api/auth/logout')).status === 204, 'logout');
    r = await call('POST', '/api/auth/login', { email, password });
    check(r.status === 200 && r.body.stage === 'mfa_pending' && r.body.second_factors.includes('passkey'), 'pending', r);
    check((await call('GET', '/api/me')).status === 401, 'a pending sign-in reaches nothing');
    r = await page.evaluate(() => signInWithPasskey());
    check(r.status === 200 && r.body.stage === 'full' && r.body.assurance === 'password+passkey', 'second factor', r);
    check((await call('GET', '/api/me/sessions')).status === 200, 'full session');

    step('passwordless: the discoverable passkey alone, user verified');
    check((await call('POST', '/api/auth/logout')).status === 204, 'logout');
    r = await page.evaluate(() => signInWithPasskey());
    check(r.status === 200 && r.body.assurance === 'passkey', 'passwordless', r);

    step('a second passkey on another authenticator; remove it; the last one stays');
    const first = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0];
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options }));
    r = await page.evaluate(() => register('phone'));
    check(r.status === 201, 'second registration', r);
    const phone = r.body.passkey.id;
    // The first credential moves over too, as a server-side one (an authenticator keeps one
    // discoverable credential per account and site).
    const { credentialId, rpId, privateKey, userHandle, signCount } = first;
    await cdp.send('WebAuthn.addCredential', { authenticatorId,
      credential: { credentialId, isResidentCredential: false, rpId, privateKey, userHandle, signCount } });
    r = await call('GET', '/api/me/passkeys');
    check(r.body.length === 2, 'two passkeys', r);
    r = await call('DELETE', '/api/me/passkeys/' + phone);
    check(r.status === 200, 'remove', r);
    r = await call('DELETE', '/api/me/passkeys/' + laptop);
    check(r.status === 409, 'an owner keeps a last factor', r);

    step('a removed passkey no longer signs in');
    check((await call('POST', '/api/auth/logout')).status === 204, 'logout');
    r = await page.evaluate(() => signInWithPasskey());
    check(r.status === 401 && r.body.error.code === 'passkey_rejected', 'removed passkey', r);

    step('without user verification nobody signs in');
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    r = await call('POST', '/api/auth/login', { email, password });
    check(r.status === 200 && r.body.stage === 'mfa_pending', 'pending', r);
    let refused = false;
    try { r = await page.evaluate(() => signInWithPasskey()); refused = r.status !== 200; }
    catch (e) { refused = true; }
    check(refused, 'user verification is required', r);
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    r = await page.evaluate(() => signInWithPasskey());
    check(r.status === 200 && r.body.assurance === 'password+passkey', 'the remaining passkey still signs in', r);

    console.log('PASSKEYS E2E: PASS', origin);
  } catch (e) {
    console.log('PASSKEYS E2E: FAIL', origin, '-', String(e.message).slice(0, 600));
    rc = 1;
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  process.exit(rc);
})();
