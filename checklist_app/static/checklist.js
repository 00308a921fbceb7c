// Progressive enhancement of the checklist form: draft kept on the phone, progress,
// and a submission that survives a bad network (same Idempotency-Key until confirmed).
(function () {
  'use strict';
  var form = document.getElementById('checklist-form');
  if (!form) return;
  document.documentElement.classList.add('js');
  var messages = document.getElementById('messages').dataset;
  var statusBox = document.getElementById('status');
  var button = document.getElementById('submit-button');
  var identity = form.dataset.identity;
  var snapshot = form.dataset.snapshot;
  var draftKey = 'checklist-draft:' + identity + ':' + snapshot;
  var items = Array.prototype.slice.call(form.querySelectorAll('.item'));

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { return null; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: form POST still works */ }
  }
  function field(name) { return form.elements[name]; }

  function answers() {
    var result = {};
    items.forEach(function (li) {
      var key = li.dataset.key;
      var checked = form.querySelector('input[name="result-' + CSS.escape(key) + '"]:checked');
      result[key] = {
        result: checked ? checked.value : '',
        note: field('note-' + key).value,
        responsible: field('responsible-' + key).value,
        responsible_id: field('responsible_id-' + key) ? field('responsible_id-' + key).value : '',
        count: field('count-' + key) ? field('count-' + key).value : ''
      };
      if (field('reading-' + key)) result[key].reading = field('reading-' + key).value;
      var photos = window.ChecklistPhotos ? window.ChecklistPhotos.ids(li) : [];
      if (photos.length) result[key].photos = photos;
    });
    return result;
  }

  // A reading outside its limit fails the item by itself; the server checks the limit again.
  function readingValue(input) {
    var raw = input.value.replace(/[\uFF10-\uFF19]/g, function (d) {
      return String.fromCharCode(d.charCodeAt(0) - 0xFEE0);
    }).replace(/[\uFF0C,\u3002\uFF0E]/g, '.').replace(/[\u2212\uFF0D]/g, '-').trim();
    return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(raw) ? parseFloat(raw) : null;
  }
  function outsideLimit(input) {
    var value = readingValue(input);
    var d = input.dataset;
    if (value === null) return false;
    if (d.low !== '' && (d.lowStrict === '1' ? value <= +d.low : value < +d.low)) return true;
    return d.high !== '' && (d.highStrict === '1' ? value >= +d.high : value > +d.high);
  }
  function radio(key, value) {
    return form.querySelector('input[name="result-' + CSS.escape(key) + '"][value="' + value + '"]');
  }
  function showReading(li) {
    var input = li.querySelector('[data-reading]');
    if (!input) return;
    var out = outsideLimit(input);
    radio(li.dataset.key, 'pass').disabled = out || form.classList.contains('locked');
    li.querySelector('.reading-out').hidden = !out;
  }
  function readingTyped(input) {
    var li = input.closest('.item');
    var fail = radio(li.dataset.key, 'fail');
    if (outsideLimit(input)) {
      fail.checked = true;
      li.dataset.autoFail = '1';
    } else if (li.dataset.autoFail) {
      if (fail.checked) fail.checked = false;  // undo only the failure the reading itself made
      delete li.dataset.autoFail;
    }
  }

  function showStatus(text, isError) {
    statusBox.hidden = !text;
    statusBox.textContent = text || '';
    statusBox.classList.toggle('is-error', !!isError);
  }

  function refresh() {
    var all = answers();
    var done = 0;
    items.forEach(function (li) {
      showReading(li);
      var value = all[li.dataset.key].result;
      if (value) done++;
      li.classList.toggle('is-fail', value === 'fail');
      if (value) li.classList.remove('is-missing');
    });
    var text = document.getElementById('progress-text');
    text.textContent = text.dataset.template.replace('{done}', done).replace('{total}', items.length);
    document.getElementById('progress-bar').style.width = (100 * done / items.length) + '%';
    var remaining = document.getElementById('remaining');
    var left = items.length - done;
    remaining.textContent = left ? remaining.dataset.template.replace('{n}', left) : remaining.dataset.none;
    document.getElementById('next-unanswered').hidden = !left;
    document.getElementById('rest-pass').hidden = !left;
    return all;
  }

  function saveDraft() {
    var draft = { key: field('idempotency_key').value, identity: identity, answers: refresh(), saved: Date.now() };
    // The signatures drawn so far (their JPEGs wait in IndexedDB): a reload does not ask to sign again.
    if (window.ChecklistSignatures) draft.signatures = window.ChecklistSignatures.draft();
    store(draftKey, draft);
  }

  function restoreDraft() {
    var draft = load(draftKey);
    if (!draft) { saveDraft(); return; }
    field('idempotency_key').value = draft.key;
    Object.keys(draft.answers || {}).forEach(function (key) {
      var answer = draft.answers[key];
      if (!field('note-' + key)) return;
      if (answer.result) {
        var radio = form.querySelector('input[name="result-' + CSS.escape(key) + '"][value="' + answer.result + '"]');
        if (radio && !form.querySelector('input[name="result-' + CSS.escape(key) + '"]:checked')) radio.checked = true;
      }
      if (!field('note-' + key).value) field('note-' + key).value = answer.note || '';
      if (!field('responsible-' + key).value) {
        field('responsible-' + key).value = answer.responsible || '';
        if (field('responsible_id-' + key)) field('responsible_id-' + key).value = answer.responsible_id || '';
      }
      if (field('count-' + key) && answer.count) field('count-' + key).value = answer.count;
      if (field('reading-' + key) && answer.reading && !field('reading-' + key).value) {
        field('reading-' + key).value = answer.reading;
      }
      restorePhotos(key, answer.photos);
    });
    if (window.ChecklistSignatures) window.ChecklistSignatures.restore(draft.signatures);
    refresh();
  }

  function restorePhotos(key, photos) {
    var li = form.querySelector('.item[data-key="' + CSS.escape(key) + '"]');
    if (li && window.ChecklistPhotos) window.ChecklistPhotos.restore(li, photos || []);
  }

  function check(all) {
    var missing = items.filter(function (li) { return !all[li.dataset.key].result; });
    missing.forEach(function (li) { li.classList.add('is-missing'); });
    if (missing.length) {
      missing[0].scrollIntoView({ block: 'center' });
      return messages.unanswered.replace('{n}', missing.length);
    }
    var blank = items.filter(function (li) {
      var a = all[li.dataset.key];
      return a.result === 'fail' && !a.responsible.trim();
    });
    if (blank.length) {
      blank[0].classList.add('is-missing');
      blank[0].scrollIntoView({ block: 'center' });
      field('responsible-' + blank[0].dataset.key).focus();
      return messages.responsible.replace('{text}', blank[0].querySelector('.item-text').textContent.slice(0, 30));
    }
    // 照片: 必须 (any answer but 不适用) or 不合格时: the server refuses the checklist without it.
    var unphotographed = items.filter(function (li) {
      var a = all[li.dataset.key];
      var rule = li.dataset.photo;
      var wanted = (rule === 'always' && a.result !== 'na') || (rule === 'fail' && a.result === 'fail');
      return wanted && !(a.photos && a.photos.length);
    });
    if (unphotographed.length) {
      unphotographed[0].classList.add('is-missing');
      unphotographed[0].scrollIntoView({ block: 'center' });
      return messages.photoRequired.replace('{text}',
        unphotographed[0].querySelector('.item-text').textContent.slice(0, 30));
    }
    return '';
  }

  // While a submission waits in the outbox the form shows exactly what is being sent and
  // cannot be edited: an edit made now would never reach the server (the retry sends the queued body).
  function editable() {
    return Array.prototype.slice.call(form.querySelectorAll('.items input, .items textarea, textarea[name="backfill_reason"]'));
  }
  function lock(pending) {
    if (pending && pending.body) {
      var queued = pending.body.answers || {};
      Object.keys(queued).forEach(function (key) {
        var answer = queued[key];
        if (!field('note-' + key)) return;
        form.querySelectorAll('input[name="result-' + CSS.escape(key) + '"]').forEach(function (radio) {
          radio.checked = radio.value === answer.result;
        });
        field('note-' + key).value = answer.note || '';
        field('responsible-' + key).value = answer.responsible || '';
        if (field('responsible_id-' + key)) field('responsible_id-' + key).value = answer.responsible_id || '';
        if (field('count-' + key)) field('count-' + key).value = answer.count || '';
        if (field('reading-' + key)) field('reading-' + key).value = answer.reading || '';
        restorePhotos(key, answer.photos);
      });
      if (field('backfill_reason')) field('backfill_reason').value = pending.body.backfill_reason || '';
      refresh();
    }
    form.classList.add('locked');
    editable().forEach(function (el) { el.disabled = true; });
    document.getElementById('quick').hidden = true;
    var banner = document.getElementById('outbox-lock');
    if (banner) banner.hidden = false;
  }
  function unlock() {
    form.classList.remove('locked');
    editable().forEach(function (el) { el.disabled = false; });
    document.getElementById('quick').hidden = false;
    items.forEach(showReading);
    var banner = document.getElementById('outbox-lock');
    if (banner) banner.hidden = true;
  }
  function showRefusal(data) {
    statusBox.hidden = false;
    statusBox.classList.add('is-error');
    statusBox.textContent = (data.errors || []).join(' ');
    if (data.url) {
      var link = document.createElement('a');
      link.href = data.url;
      link.className = 'button';
      link.textContent = messages.seeRecord;
      statusBox.appendChild(document.createElement('br'));
      statusBox.appendChild(link);
    }
  }

  // The outbox (IndexedDB, outbox-core.js) is shared with every page and the service worker: this
  // page only puts its submission there and follows what becomes of it.
  var outbox = window.Offline && window.Outbox ? window.Outbox : null;
  var queued = null;
  var preparing = false;  // the signatures are being saved: a second tap waits for that

  function key() { return field('idempotency_key').value; }

  function follow(report) {
    if (report.done && report.done[key()]) {
      localStorage.removeItem(draftKey);
      window.location.assign(report.done[key()]);
      return;
    }
    if (!queued) return;
    var item = (report.items || []).filter(function (i) { return i.key === queued.key; })[0];
    if (!item) { queued = null; unlock(); button.disabled = false; button.textContent = messages.submit; return; }
    queued = item;
    if (item.state === 'auth') {
      showStatus(messages.relogin, true);
      button.textContent = messages.submit;
    } else if (item.state === 'refused') {
      queued = null;
      outbox.discard(item.key);
      if (item.recordUrl) {
        // Already submitted (by this key with other answers, or by someone else): nothing to retry.
        localStorage.removeItem(draftKey);
        showRefusal({ errors: item.errors, url: item.recordUrl });
      } else {
        // Refused for this content (422) or for good (403): say why; the draft stays on the phone.
        unlock();
        showStatus((item.errors || []).join(' '), true);
        button.disabled = false;
      }
      button.textContent = messages.submit;
    } else {
      showStatus(report.network === false ? messages.offline : messages.retrying, report.network === false);
      button.textContent = messages.retrying;
    }
  }

  function queue(body) {
    queued = {
      key: key(),
      identity: identity,
      user: document.getElementById('pending').dataset.user,
      api: form.dataset.api,
      photoApi: form.dataset.photoApi,
      csrfUrl: form.dataset.csrfUrl,
      url: window.location.pathname + window.location.search,
      title: document.querySelector('h1').firstChild.textContent.trim() + ' · ' + form.dataset.target,
      body: body
    };
    lock(null);
    button.disabled = true;
    button.textContent = messages.submitting;
    return outbox.add(queued).then(window.Offline.queued, function () {
      queued = null;  // the phone refused local storage: send the plain form instead
      unlock();
      form.submit();
    });
  }

  // A submission queued by the page before the outbox moved to IndexedDB.
  function adoptLegacy() {
    var legacy = load('checklist-outbox:' + identity);
    if (!legacy || !legacy.key) return Promise.resolve();
    localStorage.removeItem('checklist-outbox:' + identity);
    field('idempotency_key').value = legacy.key;
    return queue(legacy.body);
  }

  // Faster ticking: the note behind 备注, jump to the next unanswered item, the rest all 合格.
  function unanswered() {
    return items.filter(function (li) {
      return !form.querySelector('input[name="result-' + CSS.escape(li.dataset.key) + '"]:checked');
    });
  }
  function showNote(li, focus) {
    li.classList.add('show-note');
    li.querySelector('.note-toggle').setAttribute('aria-expanded', 'true');
    if (focus) li.querySelector('.note-field textarea').focus();
  }
  items.forEach(function (li) {
    var toggle = li.querySelector('.note-toggle');
    toggle.hidden = false;
    toggle.addEventListener('click', function () { showNote(li, true); });
  });
  function goTo(li) {
    li.scrollIntoView({ block: 'center' });
    var first = li.querySelector('input[type=radio]:not([disabled])');
    if (first) first.focus({ preventScroll: true });
  }
  document.getElementById('quick').hidden = false;
  document.getElementById('next-unanswered').addEventListener('click', function () {
    var open = unanswered();
    if (!open.length) return;
    // The next one below what is on the screen now, else the first from the top.
    var below = open.filter(function (li) { return li.getBoundingClientRect().top > window.innerHeight / 3; });
    goTo(below[0] || open[0]);
  });
  var confirmBox = document.getElementById('rest-confirm');
  function restTargets() {
    return unanswered().filter(function (li) { return !li.querySelector('[data-reading]'); });
  }
  document.getElementById('rest-pass').addEventListener('click', function () {
    var targets = restTargets();
    var skipped = unanswered().length - targets.length;
    var textBox = document.getElementById('rest-confirm-text');
    textBox.textContent = textBox.dataset.template.replace('{n}', targets.length) +
      (skipped ? ' ' + textBox.dataset.skipped.replace('{n}', skipped) : '');
    document.getElementById('rest-yes').hidden = !targets.length;
    document.getElementById('quick').hidden = true;
    button.hidden = true;
    confirmBox.hidden = false;
    document.getElementById('rest-no').focus();
  });
  function closeConfirm() {
    confirmBox.hidden = true;
    button.hidden = false;
    document.getElementById('quick').hidden = false;
  }
  document.getElementById('rest-no').addEventListener('click', closeConfirm);
  document.getElementById('rest-yes').addEventListener('click', function () {
    restTargets().forEach(function (li) { radio(li.dataset.key, 'pass').checked = true; });
    closeConfirm();
    saveDraft();
    var open = unanswered();
    if (open.length) goTo(open[0]);
  });

  form.addEventListener('input', function (event) {
    if (event.target.matches('[data-reading]')) readingTyped(event.target);
  });
  form.addEventListener('change', saveDraft);
  form.addEventListener('input', saveDraft);
  form.addEventListener('submit', function (event) {
    if (!outbox) return;  // no IndexedDB: the plain form POST
    event.preventDefault();
    if (queued || preparing) { if (queued) window.Offline.flush(); return; }  // a double tap sends nothing new
    var all = refresh();
    var problem = check(all);
    if (problem) { showStatus(problem, true); return; }
    var body = { snapshot_id: snapshot, answers: all };
    if (field('backfill_reason')) body.backfill_reason = field('backfill_reason').value;
    if (!window.ChecklistSignatures) { queue(body); return; }  // on the phone before it goes on the network
    preparing = true;
    window.ChecklistSignatures.collect().then(function (signed) {
      preparing = false;
      if (signed.error) { showStatus(signed.error, true); return; }
      if (signed.list.length) body.signatures = signed.list;
      queue(body);
    }, function () { preparing = false; queue(body); });
  });

  restoreDraft();
  items.forEach(function (li) { if (li.querySelector('.note-field textarea').value) showNote(li, false); });
  if (outbox) {
    window.addEventListener('outbox-change', function (event) { follow(event.detail); });
    if (typeof BroadcastChannel === 'function') {
      new BroadcastChannel(outbox.channel).onmessage = function (event) { follow(event.data); };
    }
    outbox.all().then(function (items) {
      var user = document.getElementById('pending').dataset.user;
      var item = items.filter(function (i) { return i.identity === identity && i.user === user; })[0];
      if (!item) return adoptLegacy();
      field('idempotency_key').value = item.key;
      queued = item;
      lock(item);
      follow({ items: items, done: {}, network: navigator.onLine });
    }).then(function () { form.dataset.ready = '1'; }, function () { form.dataset.ready = '1'; });
  } else {
    form.dataset.ready = '1';  // the handlers are in place (tests wait for this before tapping)
  }
})();
