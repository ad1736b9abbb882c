// "Sign in with a passkey" on /sign-in (passwordless) and /sign-in/second-factor (the passkey as
// the second factor: the pending sign-in's cookie goes with the requests): the pages' only
// script, because WebAuthn has no HTML form. It calls the same API as any client
// (POST /api/auth/login/passkey/start, then /finish) and writes only text (textContent). Without JavaScript or WebAuthn the button
// stays hidden and the password form works as before.
(function () {
  'use strict';
  var box = document.getElementById('passkey-sign-in');
  if (!box || !window.PublicKeyCredential || !navigator.credentials) { return; }
  var button = document.getElementById('passkey-button');
  var status = document.getElementById('passkey-status');
  box.hidden = false;

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
  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, body: json }; });
    });
  }
  function failed(message) {
    status.textContent = message || 'The passkey was not accepted. Try again, or use your password.';
    button.disabled = false;
  }

  button.addEventListener('click', function () {
    button.disabled = true;
    status.textContent = 'Waiting for your passkey…';
    post('/api/auth/login/passkey/start', {}).then(function (start) {
      if (!start.ok) { return failed(start.body.error && start.body.error.message); }
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
        if (!finish.ok) { return failed(finish.body.error && finish.body.error.message); }
        status.textContent = 'Signed in.';
        window.location.assign(finish.body.mfa_enrolment_required ? '/account/authenticator' : '/account');
      });
    }).catch(function () { failed(); });
  });
})();
