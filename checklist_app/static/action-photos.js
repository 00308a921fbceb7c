// Photos of a fix (整改): taken or chosen on the phone, shrunk (shrink.js), uploaded to /api/photos at
// once (the id is the bytes' SHA-256, so a retry stores nothing twice) and named in the form by id.
(function () {
  'use strict';
  var form = document.getElementById('fix-form');
  if (!form || !window.ShrinkPhoto || !window.createImageBitmap || !window.fetch) return;
  var box = form.querySelector('.photo-field');
  var input = box.querySelector('input[type=file]');
  var list = box.querySelector('.photos');
  var status = box.querySelector('.photo-status');
  var messages = box.dataset;
  var max = Number(input.dataset.max);
  var button = form.querySelector('button[type=submit]');
  box.hidden = false;

  function count() { return form.querySelectorAll('input[name=photo]').length; }

  function upload(blob) {
    var token = form.querySelector('input[name=csrf_token]').value;
    return fetch(box.dataset.api, {
      method: 'POST', credentials: 'same-origin', body: blob,
      headers: { 'Content-Type': 'image/jpeg', 'X-CSRFToken': token }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.errors || [messages.failed])[0]);
        return body.id;
      });
    });
  }

  function show(id, blob) {
    var n = count() + 1;
    var entry = document.createElement('li');
    var img = document.createElement('img');
    img.src = URL.createObjectURL(blob);
    img.alt = messages.alt.replace('{n}', n);
    var hidden = document.createElement('input');
    hidden.type = 'hidden'; hidden.name = 'photo'; hidden.value = id;
    var remove = document.createElement('button');
    remove.type = 'button'; remove.className = 'secondary'; remove.textContent = messages.remove.replace('{n}', n);
    remove.addEventListener('click', function () { URL.revokeObjectURL(img.src); entry.remove(); });
    entry.append(img, hidden, remove);
    list.append(entry);
  }

  input.addEventListener('change', function () {
    var files = Array.prototype.slice.call(input.files || []);
    status.textContent = '';
    if (files.length > max - count()) {
      status.textContent = messages.tooMany.replace('{max}', max);
      files = files.slice(0, Math.max(max - count(), 0));
    }
    button.disabled = true;
    files.reduce(function (chain, file) {
      return chain.then(function () {
        status.textContent = messages.uploading;
        return window.ShrinkPhoto(file).then(function (blob) {
          return upload(blob).then(function (id) { show(id, blob); status.textContent = ''; });
        }).catch(function (error) { status.textContent = error.message || messages.failed; });
      });
    }, Promise.resolve()).then(function () { input.value = ''; button.disabled = false; });
  });
})();
