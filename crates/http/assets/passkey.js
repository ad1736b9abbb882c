// Passkeys on the pages, because WebAuthn has no HTML form: "Sign in with a passkey" on /sign-in
// (passwordless) and /sign-in/second-factor (the passkey as the second factor: the pending
// sign-in's cookie goes with the requests), and "Add a passkey" on /account (with the page's
// CSRF token in X-CSRF-Token). It calls the same API as any client and writes only text
// (textContent), never HTML. Without JavaScript or WebAuthn the buttons stay hidden and the
// forms work as before.
(function () {
  'use strict';
  if (!window.PublicKeyCredential || !navigator.credentials) { return; }

  function fromB64u(text) {
    var b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) { b64 += '='; }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }
  function toB64u(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = '';
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  // POSTs JSON; `csrf` (the page's form token) goes in X-CSRF-Token when the session rides on
  // the cookie.
  function post(path, body, csrf) {
    var headers = { 'content-type': 'application/json' };
    if (csrf) { headers['x-csrf-token'] = csrf; }
    return fetch(path, {
      method: 'POST', headers: headers, credentials: 'same-origin', body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, body: json }; });
    });
  }
  function messageOf(answer) { return answer.body && answer.body.error && answer.body.error.message; }

  // Sign in (on /sign-in: passwordless; on /sign-in/second-factor: as the second factor).
  var signInBox = document.getElementById('passkey-sign-in');
  if (signInBox) {
    var button = document.getElementById('passkey-button');
    var status = document.getElementById('passkey-status');
    signInBox.hidden = false;
    var failed = function (message) {
      status.textContent = message || 'The passkey was not accepted. Try again, or use your password.';
      button.disabled = false;
    };
    button.addEventListener('click', function () {
      button.disabled = true;
      status.textContent = 'Waiting for your passkey…';
      post('/api/auth/login/passkey/start', {}).then(function (start) {
        if (!start.ok) { return failed(messageOf(start)); }
        var options = start.body.options.publicKey;
        options.challenge = fromB64u(options.challenge);
        (options.allowCredentials || []).forEach(function (c) { c.id = fromB64u(c.id); });
        return navigator.credentials.get({ publicKey: options }).then(function (answer) {
          var credential = {
            id: answer.id, rawId: toB64u(answer.rawId), type: answer.type,
            extensions: answer.getClientExtensionResults(),
            response: {
              authenticatorData: toB64u(answer.response.authenticatorData),
              clientDataJSON: toB64u(answer.response.clientDataJSON),
              signature: toB64u(answer.response.signature),
              userHandle: answer.response.userHandle ? toB64u(answer.response.userHandle) : null
            }
          };
          return post('/api/auth/login/passkey/finish',
            { challenge_id: start.body.challenge_id, credential: credential });
        }).then(function (finish) {
          if (!finish.ok) { return failed(messageOf(finish)); }
          status.textContent = 'Signed in.';
          window.location.assign(finish.body.mfa_enrolment_required ? '/account/authenticator' : '/account');
        });
      }).catch(function () { failed(); });
    });
  }

  // Add a passkey (on /account): the API's registration, then the account page again (the
  // session was replaced by one signed in with the new factor too).
  var addBox = document.getElementById('passkey-add-box');
  if (addBox) {
    var addButton = document.getElementById('passkey-add');
    var addStatus = document.getElementById('passkey-add-status');
    var csrf = addButton.getAttribute('data-csrf');
    addBox.hidden = false;
    var addFailed = function (message) {
      addStatus.textContent = message || 'The passkey was not added. Try again.';
      addButton.disabled = false;
    };
    addButton.addEventListener('click', function () {
      var name = document.getElementById('passkey-new-name').value.trim() || 'passkey';
      addButton.disabled = true;
      addStatus.textContent = 'Follow your browser\u2019s prompt…';
      post('/api/me/passkeys/options', {}, csrf).then(function (start) {
        if (!start.ok) { return addFailed(messageOf(start)); }
        var options = start.body.options.publicKey;
        options.challenge = fromB64u(options.challenge);
        options.user.id = fromB64u(options.user.id);
        (options.excludeCredentials || []).forEach(function (c) { c.id = fromB64u(c.id); });
        return navigator.credentials.create({ publicKey: options }).then(function (made) {
          var credential = {
            id: made.id, rawId: toB64u(made.rawId), type: made.type,
            extensions: made.getClientExtensionResults(),
            response: {
              attestationObject: toB64u(made.response.attestationObject),
              clientDataJSON: toB64u(made.response.clientDataJSON),
              transports: made.response.getTransports ? made.response.getTransports() : undefined
            }
          };
          return post('/api/me/passkeys',
            { challenge_id: start.body.challenge_id, name: name, credential: credential }, csrf);
        }).then(function (done) {
          if (!done.ok) { return addFailed(messageOf(done)); }
          var codes = done.body.recovery_codes;
          if (!codes) { window.location.assign('/account?done=passkey-added'); return; }
          // The account's first factor: its recovery codes, shown this once, as text.
          addStatus.textContent = 'Passkey added. Your recovery codes, shown only now: ' + codes.join('  ');
        });
      }).catch(function () { addFailed(); });
    });
  }
})();
