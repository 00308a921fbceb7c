// Signing on the screen at submit: a canvas per signer, drawn with pointer events (finger, pen or
// mouse), turned into a JPEG that waits in IndexedDB and is uploaded like a photo (outbox-core.js).
(function () {
  'use strict';
  var form = document.getElementById('checklist-form');
  var box = document.getElementById('signatures');
  if (!form || !box || !window.Outbox || !window.indexedDB) return;
  box.hidden = false;

  function pad(element) {
    var canvas = element.querySelector('canvas');
    var context = canvas.getContext('2d');
    // savedId: the JPEG of this signature kept with the draft (IndexedDB), while nothing was drawn since.
    var state = { drawn: false, last: null, savedId: null, dirty: false };
    function blank() {
      context.fillStyle = '#fff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      state.drawn = false;
      state.savedId = null;
      state.dirty = false;
      element.classList.remove('is-signed');
    }
    function blob() {
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (b) { if (b) resolve(b); else reject(new Error('encode')); }, 'image/jpeg', 0.85);
      });
    }
    // Keep what is drawn with the draft, so a reload (or a closed tab) does not ask to sign again.
    function keep() {
      if (!state.drawn) return;
      state.dirty = false;
      blob().then(function (b) {
        return idOf(b).then(function (id) {
          return Outbox.putPhoto({ id: id, blob: b, added: Date.now() }).then(function () {
            if (state.dirty || !state.drawn) return;  // drawn on (or cleared) meanwhile: a later save wins
            state.savedId = id;
            form.dispatchEvent(new Event('change'));
          });
        });
      }).catch(function () { /* storage refused: signing again after a reload is the worst case */ });
    }
    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - rect.left) * canvas.width / rect.width,
        y: (event.clientY - rect.top) * canvas.height / rect.height
      };
    }
    context.lineWidth = 5;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.strokeStyle = '#111';
    blank();
    canvas.addEventListener('pointerdown', function (event) {
      if (form.classList.contains('locked')) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      state.last = point(event);
      context.beginPath();
      context.arc(state.last.x, state.last.y, 2.5, 0, 2 * Math.PI);
      context.fillStyle = '#111';
      context.fill();
    });
    canvas.addEventListener('pointermove', function (event) {
      if (!state.last) return;
      var next = point(event);
      context.beginPath();
      context.moveTo(state.last.x, state.last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      state.last = next;
      state.drawn = true;
      state.dirty = true;
      state.savedId = null;
      element.classList.add('is-signed');
    });
    function end() {
      if (state.last && state.dirty) keep();
      state.last = null;
    }
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    element.querySelector('.sign-clear').addEventListener('click', function () {
      if (form.classList.contains('locked')) return;
      blank();
      form.dispatchEvent(new Event('change'));
    });
    return {
      role: element.dataset.role,
      signed: function () { return state.drawn; },
      savedId: function () { return state.dirty ? null : state.savedId; },
      blob: blob,
      // Draw the signature the draft kept back onto the pad.
      restore: function (id) {
        return Outbox.getPhoto(id).then(function (photo) {
          if (!photo || state.drawn) return false;
          return createImageBitmap(photo.blob).then(function (bitmap) {
            context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
            state.drawn = true;
            state.savedId = id;
            state.dirty = false;
            element.classList.add('is-signed');
            return true;
          });
        }).catch(function () { return false; });
      }
    };
  }

  var pads = Array.prototype.map.call(box.querySelectorAll('.sign-pad'), pad);
  var messages = box.dataset;

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function idOf(blob) {
    if (window.crypto && crypto.subtle && blob.arrayBuffer) {
      return blob.arrayBuffer().then(function (bytes) { return crypto.subtle.digest('SHA-256', bytes); }).then(hex);
    }
    var random = new Uint8Array(32);
    crypto.getRandomValues(random);
    return Promise.resolve(hex(random.buffer));
  }

  // The signatures for the submission body, stored in IndexedDB; or {error} naming what is missing.
  function collect() {
    var inspector = pads.filter(function (p) { return p.role === 'inspector'; })[0];
    var counter = pads.filter(function (p) { return p.role === 'countersign'; })[0];
    var name = form.elements.countersign_name;
    if (messages.required === '1' && !inspector.signed()) return Promise.resolve({ error: messages.missing });
    if (counter && counter.signed() && !inspector.signed()) return Promise.resolve({ error: messages.inspectorFirst });
    if (counter && counter.signed() && !name.value.trim()) {
      name.focus();
      return Promise.resolve({ error: messages.name });
    }
    var wanted = pads.filter(function (p) { return p.signed(); });
    function stored(p) {
      if (p.savedId()) return Promise.resolve(p.savedId());  // kept with the draft, unchanged since
      return p.blob().then(function (blob) {
        return idOf(blob).then(function (id) {
          return Outbox.putPhoto({ id: id, blob: blob, added: Date.now() }).then(function () { return id; });
        });
      });
    }
    return Promise.all(wanted.map(function (p) {
      return stored(p).then(function (id) {
        var entry = { role: p.role, photo: id };
        if (p.role === 'countersign') {
          entry.by = form.elements.countersign_by.value;
          entry.name = name.value.trim();
        }
        return entry;
      });
    })).then(function (list) { return { list: list }; });
  }

  // What the draft keeps: each signed pad's JPEG id, and who countersigns.
  var restoring = null;  // the draft's signatures while they are being drawn back
  function draft() {
    var kept = {};
    pads.forEach(function (p) {
      var id = p.savedId() || (restoring && !p.signed() ? restoring[p.role] : null);
      if (id) kept[p.role] = id;
    });
    kept.by = form.elements.countersign_by.value;
    kept.name = form.elements.countersign_name.value;
    return kept;
  }

  function restore(kept) {
    if (!kept) return Promise.resolve();
    if (kept.by) form.elements.countersign_by.value = kept.by;
    if (kept.name && !form.elements.countersign_name.value) form.elements.countersign_name.value = kept.name;
    if (kept.countersign || kept.name) box.querySelector('details.countersign').open = true;
    restoring = kept;
    return Promise.all(pads.filter(function (p) { return kept[p.role]; }).map(function (p) {
      return p.restore(kept[p.role]);
    })).then(function () { restoring = null; });
  }

  window.ChecklistSignatures = { collect: collect, draft: draft, restore: restore };
})();
