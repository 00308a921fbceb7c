// Photos on checklist items: taken or chosen on the phone, scaled down and re-encoded (shrink.js),
// which also drops EXIF and its GPS position. They wait in IndexedDB
// (outbox-core.js) with the draft and are uploaded with the submission; the server cleans them again.
(function () {
  'use strict';
  var form = document.getElementById('checklist-form');
  if (!form || !window.Outbox || !window.indexedDB || !window.createImageBitmap || !window.ShrinkPhoto) return;
  var messages = document.getElementById('photo-messages').dataset;

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  // The content hash (as the server computes it); without SubtleCrypto (no secure context) a random
  // name, which the outbox replaces with the server's id when it uploads.
  function idOf(blob) {
    if (window.crypto && crypto.subtle && blob.arrayBuffer) {
      return blob.arrayBuffer().then(function (bytes) { return crypto.subtle.digest('SHA-256', bytes); }).then(hex);
    }
    var random = new Uint8Array(32);
    crypto.getRandomValues(random);
    return Promise.resolve(hex(random.buffer));
  }

  function idsOf(li) { try { return JSON.parse(li.dataset.photos || '[]'); } catch (e) { return []; } }

  function setIds(li, ids) {
    li.dataset.photos = JSON.stringify(ids);
    form.dispatchEvent(new Event('change'));  // the draft keeps the list
    render(li);
  }

  function render(li) {
    var list = li.querySelector('.photos');
    var ids = idsOf(li);
    list.querySelectorAll('img').forEach(function (img) { URL.revokeObjectURL(img.src); });
    list.textContent = '';
    var text = li.querySelector('.item-text').textContent.slice(0, 30);
    ids.forEach(function (id, index) {
      Outbox.getPhoto(id).then(function (photo) {
        if (!photo) return;
        var entry = document.createElement('li');
        var img = document.createElement('img');
        img.src = URL.createObjectURL(photo.blob);
        img.alt = messages.alt.replace('{n}', index + 1).replace('{text}', text);
        var remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'photo-remove';
        remove.textContent = '×';
        remove.setAttribute('aria-label', messages.remove.replace('{n}', index + 1));
        remove.addEventListener('click', function () {
          if (form.classList.contains('locked')) return;
          setIds(li, idsOf(li).filter(function (other) { return other !== id; }));
        });
        entry.appendChild(img);
        entry.appendChild(remove);
        list.appendChild(entry);
      });
    });
  }

  function added(input) {
    var li = input.closest('.item');
    var max = +input.dataset.max;
    var status = li.querySelector('.photo-status');
    var files = Array.prototype.slice.call(input.files || []);
    status.textContent = '';
    var room = max - idsOf(li).length;
    if (files.length > room) {
      status.textContent = messages.tooMany.replace('{max}', max);
      files = files.slice(0, Math.max(room, 0));
    }
    files.reduce(function (chain, file) {
      return chain.then(function () {
        return window.ShrinkPhoto(file).then(function (blob) {
          return idOf(blob).then(function (id) {
            return Outbox.putPhoto({ id: id, blob: blob, added: Date.now() }).then(function () {
              var ids = idsOf(li);
              if (ids.indexOf(id) < 0) ids.push(id);
              setIds(li, ids);
            });
          });
        }, function () { status.textContent = messages.failed; });
      });
    }, Promise.resolve()).then(function () { input.value = ''; });
  }

  Array.prototype.forEach.call(form.querySelectorAll('.photo-field'), function (box) { box.hidden = false; });
  Array.prototype.forEach.call(form.querySelectorAll('.photo-field input[type=file]'), function (input) {
    input.addEventListener('change', function () { added(input); });
  });

  // The draft (checklist.js) restores data-photos; show what it names.
  window.ChecklistPhotos = {
    ids: idsOf,
    restore: function (li, ids) { li.dataset.photos = JSON.stringify(ids || []); render(li); }
  };
})();
