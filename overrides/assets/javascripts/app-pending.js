// On the handbook's pages when the checklist app serves them (under /handbook/): the app's "N 份待提交"
// banner and the outbox flushing of every app page. The site is static files, so the banner comes from
// the app (/offline/banner, cached by the service worker like any page) and its scripts after it.
// Anywhere else (make serve, a copy of the folder) it asks for nothing: there is no app to ask.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !window.fetch || document.getElementById('pending')) return;
  if (location.pathname.indexOf(script.dataset.mount) !== 0) return;

  function load(sources) {
    if (!sources.length) return;
    var next = document.createElement('script');
    next.src = sources[0];
    next.onload = function () { load(sources.slice(1)); };
    document.body.appendChild(next);
  }

  fetch(script.dataset.banner, { credentials: 'same-origin' }).then(function (response) {
    if (!response.ok) throw new Error(String(response.status));
    return response.text();
  }).then(function (html) {
    var holder = document.createElement('template');
    holder.innerHTML = html;
    var banner = holder.content.querySelector('#pending');
    if (!banner) return;
    banner.classList.add('pending-handbook');
    document.body.appendChild(banner);
    load((banner.dataset.scripts || '').split(' ').filter(Boolean));
  }).catch(function () { /* not served by the app, or never cached: no banner */ });
})();
