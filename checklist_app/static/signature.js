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
    var state = { drawn: false, last: null };
    function blank() {
      context.fillStyle = '#fff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      state.drawn = false;
      element.classList.remove('is-signed');
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
      element.classList.add('is-signed');
    });
    function end() { state.last = null; }
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    element.querySelector('.sign-clear').addEventListener('click', function () {
      if (!form.classList.contains('locked')) blank();
    });
    return {
      role: element.dataset.role,
      signed: function () { return state.drawn; },
      blob: function () {
        return new Promise(function (resolve, reject) {
          canvas.toBlob(function (b) { if (b) resolve(b); else reject(new Error('encode')); }, 'image/jpeg', 0.85);
        });
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
    return Promise.all(wanted.map(function (p) {
      return p.blob().then(function (blob) {
        return idOf(blob).then(function (id) {
          return Outbox.putPhoto({ id: id, blob: blob, added: Date.now() }).then(function () {
            var entry = { role: p.role, photo: id };
            if (p.role === 'countersign') {
              entry.by = form.elements.countersign_by.value;
              entry.name = name.value.trim();
            }
            return entry;
          });
        });
      });
    })).then(function (list) { return { list: list }; });
  }

  window.ChecklistSignatures = { collect: collect };
})();
