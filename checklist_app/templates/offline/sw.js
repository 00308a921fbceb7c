// The app's service worker (served at /sw.js so its scope is the whole app). Version {{ version }}.
// Shell files: cache first, from a cache named by this version (a release is a new worker that
// drops the old caches). Pages: network first, so nothing stale is shown while online; the copy
// kept from the last visit (or from the precache) is shown when the network is gone.
'use strict';
importScripts({{ url_for('static', filename='outbox-core.js')|tojson }} + '?v=' + {{ version|tojson }});

var VERSION = {{ version|tojson }};
var SHELL = 'shell-' + VERSION;
var PAGES = 'pages-' + VERSION;
var SHELL_URLS = {{ shell|tojson }};
var FALLBACK = {{ url_for('offline.fallback')|tojson }};
var STATIC = {{ url_for('static', filename='')|tojson }};
var PRECACHE_HEADER = 'X-Offline-Precache';
var NETWORK_TIMEOUT = 6000;

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(SHELL_URLS);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name !== SHELL && name !== PAGES;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function cacheable(response) {
  return response && response.ok && response.type === 'basic' && !response.redirected;
}

function fromCache(request) {
  return caches.match(request, { ignoreVary: true });
}

// The network, unless it takes longer than NETWORK_TIMEOUT and a cached copy exists (a weak signal
// that never fails outright would otherwise hang the page); the answer still refreshes the cache.
function networkFirst(request, fallback) {
  var network = fetch(request).then(function (response) {
    if (cacheable(response)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request.url, copy); });
    }
    return response;
  });
  var timer;
  var slow = new Promise(function (resolve) {
    timer = setTimeout(function () { fromCache(request).then(function (hit) { if (hit) resolve(hit); }); },
      NETWORK_TIMEOUT);
  });
  return Promise.race([network.then(function (r) { clearTimeout(timer); return r; }), slow]).catch(function () {
    clearTimeout(timer);
    return fromCache(request).then(function (hit) { return hit || (fallback ? fromCache(FALLBACK) : Response.error()); });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf('/api/') === 0 || url.pathname === '/sw.js' || url.pathname === '/offline/precache') return;
  if (url.pathname.indexOf(STATIC) === 0 && SHELL_URLS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(url.pathname).then(function (hit) { return hit || fetch(request); });
    }));
    return;
  }
  event.respondWith(networkFirst(request, request.mode === 'navigate'));
});

// Cache, with the session's cookie, what this inspector will need today (the page asks once online).
function precache(listUrl) {
  return fetch(listUrl, { credentials: 'same-origin', cache: 'no-store' }).then(function (response) {
    if (!response.ok) throw new Error('precache list: ' + response.status);
    return response.json();
  }).then(function (list) {
    return caches.open(PAGES).then(function (cache) {
      var assets = [];
      function keep(url, headers) {
        return fetch(url, { credentials: 'same-origin', headers: headers || {} }).then(function (response) {
          if (!cacheable(response)) return null;
          return cache.put(url, response.clone()).then(function () { return response; });
        });
      }
      var pages = list.pages.map(function (url) {
        var headers = {};
        headers[PRECACHE_HEADER] = '1';
        return keep(url, headers);
      });
      var handbook = list.handbook.map(function (url) {
        return keep(url).then(function (response) {
          if (!response) return;
          return response.text().then(function (html) {
            // The theme's stylesheets and scripts, so the cached page also looks right offline.
            var pattern = /(?:href|src)="([^"]+\.(?:css|js))"/g;
            var match;
            while ((match = pattern.exec(html))) {
              var asset = new URL(match[1], new URL(url, self.location.href));
              if (asset.origin === self.location.origin && assets.indexOf(asset.href) < 0) assets.push(asset.href);
            }
          });
        });
      });
      return Promise.all(pages.concat(handbook)).then(function () {
        return Promise.all(assets.map(function (url) { return keep(url); }));
      }).then(function () { return list.pages.length; });
    });
  });
}

self.addEventListener('message', function (event) {
  var data = event.data || {};
  var source = event.source;
  if (data.type === 'precache') {
    event.waitUntil(precache(data.url).then(function (count) {
      if (source) source.postMessage({ type: 'precached', version: VERSION, pages: count });
    }, function (error) {
      if (source) source.postMessage({ type: 'precache-failed', error: String(error) });
    }));
  } else if (data.type === 'forget') {
    // Signed out: the pages cached for that session leave the phone (the shell stays).
    event.waitUntil(caches.delete(PAGES));
  } else if (data.type === 'flush') {
    event.waitUntil(self.Outbox.flush());
  }
});

// Chromium only (Safari and Firefox have no Background Sync): pages also flush on load and online.
self.addEventListener('sync', function (event) {
  if (event.tag === 'outbox') event.waitUntil(self.Outbox.flush());
});
