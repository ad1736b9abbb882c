// The e-mail links (/verify-email#token=…, /reset-password#token=…) carry their token after '#',
// which browsers never send to a server, so it is in no log. This script moves it into the
// page's hidden form field and takes it out of the address bar (and the history). The form then
// posts it like any other field.
(function () {
  'use strict';
  var field = document.getElementById('link-token');
  if (!field) { return; }
  var match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match) {
    field.value = decodeURIComponent(match[1]);
    history.replaceState(null, '', window.location.pathname);
  } else if (!field.value) {
    var status = document.getElementById('link-status');
    if (status) { status.textContent = 'Open this page from the link in your e-mail.'; }
  }
})();
