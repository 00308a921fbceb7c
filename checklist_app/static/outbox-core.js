// The outbox of submissions waiting for the network, in IndexedDB, shared by every page and the
// service worker (no DOM here). An item leaves it only when the server confirms it (201/200);
// it is replayed with the same Idempotency-Key, so a replay that races another one is stored once.
(function (root) {
  'use strict';
  var DB = 'checklist-offline';
  var STORE = 'outbox';
  var PHOTOS = 'photos';  // resized JPEGs of drafts and queued submissions, until the server has them
  var CHANNEL = 'checklist-outbox';
  var channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
  var running = null;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 2);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'key' });
        if (!db.objectStoreNames.contains(PHOTOS)) db.createObjectStore(PHOTOS, { keyPath: 'id' });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function transaction(mode, work, name) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name || STORE, mode);
        var request = work(tx.objectStore(name || STORE));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() { return transaction('readonly', function (s) { return s.getAll(); }); }
  function get(key) { return transaction('readonly', function (s) { return s.get(key); }); }
  function put(item) { return transaction('readwrite', function (s) { return s.put(item); }); }
  function remove(key) { return transaction('readwrite', function (s) { return s.delete(key); }); }
  function putPhoto(photo) { return transaction('readwrite', function (s) { return s.put(photo); }, PHOTOS); }
  function getPhoto(id) { return transaction('readonly', function (s) { return s.get(id); }, PHOTOS); }
  function removePhotos(ids) {
    return transaction('readwrite', function (s) { ids.forEach(function (id) { s.delete(id); }); }, PHOTOS);
  }

  // The photos and signatures a submission names (all uploaded the same way, before it).
  function photoIds(body) {
    var ids = [];
    function add(id) { if (id && ids.indexOf(id) < 0) ids.push(id); }
    Object.keys(body.answers || {}).forEach(function (key) { (body.answers[key].photos || []).forEach(add); });
    (body.signatures || []).forEach(function (signature) { add(signature.photo); });
    return ids;
  }

  // The body as sent: each photo named by the id the server gave its bytes (the same on every replay).
  function withServerIds(body, uploaded) {
    var copy = JSON.parse(JSON.stringify(body));
    Object.keys(copy.answers || {}).forEach(function (key) {
      var answer = copy.answers[key];
      if (answer.photos) answer.photos = answer.photos.map(function (id) { return uploaded[id] || id; });
    });
    (copy.signatures || []).forEach(function (signature) {
      signature.photo = uploaded[signature.photo] || signature.photo;
    });
    return copy;
  }

  // Upload the item's photos not yet on the server; resolves to 'kept' when all are there.
  function uploadPhotos(item, token) {
    item.uploaded = item.uploaded || {};
    var todo = photoIds(item.body).filter(function (id) { return !item.uploaded[id]; });
    return todo.reduce(function (chain, id) {
      return chain.then(function (state) {
        if (state !== 'kept') return state;
        return getPhoto(id).then(function (photo) {
          if (!photo) return 'kept';  // not on this phone: the server decides whether it has it
          return fetch(item.photoApi, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': 'image/jpeg', 'X-CSRFToken': token },
            body: photo.blob
          }).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (data) {
              if (response.status === 200 || response.status === 201) {
                item.uploaded[id] = data.id;
                return put(item).then(function () { return 'kept'; });
              }
              if (response.status === 401) return mark(item, 'auth', data.errors).then(function () { return 'stop'; });
              if (response.status >= 500 || response.status === 429) {
                return mark(item, 'waiting', data.errors).then(function () { return 'later'; });
              }
              return mark(item, 'refused', data.errors).then(function () { return 'later'; });
            });
          }, function () { return 'stop'; });
        });
      });
    }, Promise.resolve('kept'));
  }

  // Remove the photos (and signatures) nothing refers to any more: not in ``keep`` (the drafts'),
  // not in the outbox, and added before ``before`` (a photo just taken may not be in its draft yet).
  function prunePhotos(keep, before) {
    return all().then(function (items) {
      var wanted = keep.slice();
      items.forEach(function (item) { wanted = wanted.concat(photoIds(item.body)); });
      var removed = [];
      return transaction('readwrite', function (store) {
        var request = store.openCursor();
        request.onsuccess = function () {
          var cursor = request.result;
          if (!cursor) return;
          var photo = cursor.value;
          if (wanted.indexOf(photo.id) < 0 && (photo.added || 0) < before) {
            cursor.delete();
            removed.push(photo.id);
          }
          cursor.continue();
        };
        return null;
      }, PHOTOS).then(function () { return removed; });
    });
  }

  function announce(report) {
    if (channel) channel.postMessage(report);
    if (root.dispatchEvent && typeof CustomEvent === 'function') {
      root.dispatchEvent(new CustomEvent('outbox-change', { detail: report }));
    }
    return report;
  }

  function report(done, network) {
    return all().then(function (items) { return announce({ done: done, items: items, network: network }); });
  }

  function mark(item, state, errors, recordUrl) {
    item.state = state;
    item.errors = errors || [];
    if (recordUrl) item.recordUrl = recordUrl;
    return put(item);
  }

  // Its photos, then one POST of the item; resolves to 'done', 'kept' (try again later) or 'stop'
  // (network gone or signed out).
  function send(item, token, done) {
    return uploadPhotos(item, token).then(function (state) {
      if (state === 'kept') return post(item, token, done);
      return state === 'stop' ? 'stop' : 'kept';
    });
  }

  function post(item, token, done) {
    return fetch(item.api, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': item.key, 'X-CSRFToken': token },
      body: JSON.stringify(withServerIds(item.body, item.uploaded || {}))
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 200 || response.status === 201) {
          done[item.key] = data.url;
          return remove(item.key).then(function () {
            return removePhotos(photoIds(item.body)).catch(function () {});
          }).then(function () { return 'done'; });
        }
        if (response.status === 401) return mark(item, 'auth', data.errors).then(function () { return 'stop'; });
        if (response.status >= 500 || response.status === 429) {
          return mark(item, 'waiting', data.errors).then(function () { return 'kept'; });
        }
        // Any other 4xx is the server's final answer for this body: shown, never retried by itself.
        return mark(item, 'refused', data.errors, data.url).then(function () { return 'kept'; });
      });
    }, function () { return 'stop'; });
  }

  // Replay everything waiting (also items that waited for a new sign-in), one at a time.
  function flushOnce() {
    var done = {};
    return all().then(function (items) {
      var due = items.filter(function (item) { return item.state !== 'refused'; });
      if (!due.length) return report(done, true);
      // A fresh CSRF token first: a page cached hours ago carries an expired one.
      return fetch(due[0].csrfUrl, { credentials: 'same-origin', cache: 'no-store' }).then(function (response) {
        if (response.status === 401) {
          return Promise.all(due.map(function (item) { return mark(item, 'auth'); })).then(function () {
            return report(done, true);
          });
        }
        if (!response.ok) return report(done, false);
        return response.json().then(function (session) {
          var mine = due.filter(function (item) { return item.user === session.user; });
          return mine.reduce(function (chain, item) {
            return chain.then(function (state) {
              return state === 'stop' ? state : send(item, session.csrf_token, done);
            });
          }, Promise.resolve('kept')).then(function (state) { return report(done, state !== 'stop'); });
        });
      }, function () { return report(done, false); });
    });
  }

  function flush() {
    if (!running) {
      running = flushOnce().then(function (result) { running = null; return result; }, function (error) {
        running = null;
        throw error;
      });
    }
    return running;
  }

  function add(item) {
    item.state = 'waiting';
    item.errors = [];
    item.queuedAt = Date.now();
    return put(item).then(function () { return report({}, true); });
  }

  function discard(key) { return remove(key).then(function () { return report({}, true); }); }

  root.Outbox = {
    all: all, get: get, add: add, discard: discard, flush: flush, channel: CHANNEL,
    putPhoto: putPhoto, getPhoto: getPhoto, removePhotos: removePhotos, prunePhotos: prunePhotos
  };
})(self);
