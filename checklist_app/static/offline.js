// On every page: the service worker, "N 份待提交" while the outbox holds something, and flushing the
// outbox on load, when the network returns, when the page becomes visible (and by Background Sync).
(function () {
  'use strict';
  var banner = document.getElementById('pending');
  if (!banner || !window.Outbox || !window.indexedDB) return;
  var config = banner.dataset;
  var retryDelay = 2000;
  var retryTimer = null;
  // Whether the last attempt to reach the server got an answer: a phone on a warehouse Wi-Fi
  // without internet says it is online (navigator.onLine) while every request fails.
  var reachable = true;

  function text(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return values[name]; });
  }

  function render(items, network) {
    if (network === true || network === false) reachable = network;
    var waiting = items.filter(function (item) { return item.state !== 'refused'; });
    var refused = items.filter(function (item) { return item.state === 'refused'; });
    var needsLogin = waiting.some(function (item) { return item.state === 'auth'; });
    banner.textContent = '';
    banner.hidden = !items.length;
    banner.classList.toggle('is-error', needsLogin || refused.length > 0);
    if (waiting.length) {
      var line = document.createElement('p');
      var count = document.createElement('strong');
      line.className = 'pending-count';
      count.textContent = text(config.count, { n: waiting.length });
      line.appendChild(count);
      if (needsLogin) {
        line.appendChild(document.createTextNode(' ' + config.relogin + ' '));
        if (config.login) {
          var link = document.createElement('a');
          link.href = config.login;
          link.textContent = config.loginLink;
          line.appendChild(link);
        }
      } else if (!reachable || !navigator.onLine) {
        line.appendChild(document.createTextNode(' ' + config.offline));
      }
      if (config.todayLink) {  // on a handbook page: the way back to the checklists
        var today = document.createElement('a');
        today.href = config.todayLink;
        today.textContent = config.todayText;
        line.appendChild(document.createTextNode(' '));
        line.appendChild(today);
      }
      banner.appendChild(line);
    }
    refused.forEach(function (item) {
      var line = document.createElement('p');
      line.className = 'pending-refused';
      line.textContent = text(config.refused, { title: item.title, reason: (item.errors || []).join(' ') }) + ' ';
      var link = document.createElement('a');
      link.href = item.recordUrl || item.url;
      link.textContent = item.recordUrl ? config.seeRecord : config.open;
      line.appendChild(link);
      if (item.recordUrl) {
        // Stored already (by someone else, or with other answers): nothing of it is left to send.
        var dismiss = document.createElement('button');
        dismiss.type = 'button';
        dismiss.className = 'link';
        dismiss.textContent = config.dismiss;
        dismiss.addEventListener('click', function () { Outbox.discard(item.key); });
        line.appendChild(dismiss);
      }
      banner.appendChild(line);
    });
    markToday(waiting);
  }

  // Today: a checklist waiting in the outbox is 待提交, not undone.
  function markToday(waiting) {
    document.querySelectorAll('a[data-identity]').forEach(function (link) {
      var pending = waiting.some(function (item) {
        return item.identity === link.dataset.identity && (!config.user || item.user === config.user);
      });
      link.classList.toggle('pending', pending);
      link.textContent = pending ? link.dataset.label + ' · ' + config.badge : link.dataset.text;
    });
  }
  document.querySelectorAll('a[data-identity]').forEach(function (link) {
    link.dataset.text = link.textContent;
  });

  function refresh() {
    return Outbox.all().then(function (items) { render(items); }, function () { /* storage refused: nothing to show */ });
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  }

  // Flush now; on a network failure (or a 5xx) try again later, backing off up to a minute.
  function flush() {
    clearTimeout(retryTimer);
    return Outbox.flush().then(function (result) {
      var retry = result.items.some(function (item) { return item.state === 'waiting'; });
      if (retry) scheduleRetry();
      else retryDelay = 2000;
      return result;
    }, function () { scheduleRetry(); });
  }

  window.addEventListener('outbox-change', function (event) { render(event.detail.items, event.detail.network); });
  if (typeof BroadcastChannel === 'function') {
    new BroadcastChannel(Outbox.channel).onmessage = function (event) { render(event.data.items, event.data.network); };
  }
  window.addEventListener('online', function () { retryDelay = 2000; flush(); });
  window.addEventListener('offline', refresh);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) flush(); });

  // Called by the checklist page once a submission is in the outbox.
  function queued() {
    if (!('serviceWorker' in navigator)) return flush();
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register('outbox').catch(function () {});
    });
    return flush();
  }
  window.Offline = { flush: flush, queued: queued, refresh: refresh };

  // Today refreshes the offline copies every time; other pages at most every five minutes.
  function precacheDue() {
    var key = 'precached-at:' + config.user;
    try {
      var last = +localStorage.getItem(key) || 0;
      if (!config.today && Date.now() - last < 300000) return false;
      localStorage.setItem(key, String(Date.now()));
    } catch (e) { /* private mode: precache anyway */ }
    return true;
  }

  function register() {
    if (!('serviceWorker' in navigator) || !config.sw) return;  // not a secure context: drafts and retries only
    var hadController = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register(config.sw, { scope: '/' }).catch(function () {});
    // A new version took over: load this page from it (the draft is on the phone, nothing is lost).
    navigator.serviceWorker.addEventListener('controllerchange', function () {
      if (hadController) window.location.reload();
      hadController = true;
    });
    navigator.serviceWorker.addEventListener('message', function (event) {
      if (event.data && event.data.type === 'precached') document.documentElement.dataset.offlineReady = '1';
    });
    if (config.user && config.precache && navigator.onLine && precacheDue()) {
      navigator.serviceWorker.ready.then(function (registration) {
        registration.active.postMessage({ type: 'precache', url: config.precache });
      });
    }
    document.querySelectorAll('form[data-logout]').forEach(function (form) {
      form.addEventListener('submit', function () {
        if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: 'forget' });
      });
    });
  }

  // Drafts left behind and their photos: a draft not touched for as long as the server keeps an opened
  // checklist (SNAPSHOT_RETENTION_DAYS), or of a checklist Today shows as done (submitted on this phone
  // by the outbox, or on another one), is removed; then every photo and signature in IndexedDB that no
  // draft and no waiting submission names. The checklist open on this page keeps its draft.
  var DRAFT = 'checklist-draft:';
  var PHOTO_GRACE = 3600000;
  function draftIdentity(key, draft) {
    if (draft && draft.identity) return draft.identity;
    var rest = key.slice(DRAFT.length);
    return rest.slice(0, rest.lastIndexOf(':'));  // the key ends with :<snapshot id>
  }
  function draftPhotos(draft) {
    var ids = [];
    Object.keys((draft && draft.answers) || {}).forEach(function (key) {
      ids = ids.concat(draft.answers[key].photos || []);
    });
    var signed = (draft && draft.signatures) || {};
    ['inspector', 'countersign'].forEach(function (role) { if (signed[role]) ids.push(signed[role]); });
    return ids;
  }
  function tidy() {
    var now = Date.now();
    var maxAge = (+config.draftDays || 30) * 86400000;
    var form = document.getElementById('checklist-form');
    var open = form ? DRAFT + form.dataset.identity + ':' + form.dataset.snapshot : '';
    var done = Array.prototype.map.call(document.querySelectorAll('a[data-done-identity]'), function (a) {
      return a.dataset.doneIdentity;
    });
    var keep = [];
    try {
      var keys = [];
      for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
      keys.filter(function (key) { return key && key.indexOf(DRAFT) === 0; }).forEach(function (key) {
        var draft = null;
        try { draft = JSON.parse(localStorage.getItem(key)); } catch (e) { /* unreadable: abandoned */ }
        var stale = !draft || now - (+draft.saved || 0) > maxAge || done.indexOf(draftIdentity(key, draft)) >= 0;
        if (stale && key !== open) localStorage.removeItem(key);
        else keep = keep.concat(draftPhotos(draft));
      });
    } catch (e) { return Promise.resolve([]); }  // no localStorage: nothing of ours to tidy
    return Outbox.prunePhotos(keep, now - PHOTO_GRACE).then(function (removed) {
      document.documentElement.dataset.tidied = String(removed.length);
      return removed;
    }, function () { return []; });
  }

  register();
  refresh().then(flush).then(tidy, tidy);
})();
