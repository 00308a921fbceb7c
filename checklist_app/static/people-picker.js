// The responsible-person picker on a failed item: search the staff directory the page
// embeds (name, 工号, pinyin initials computed on the server), so it works offline once the
// page has loaded. Choosing a person fills the name and the hidden responsible_id; someone
// not in the directory is kept as typed (未登记, no id). Without JavaScript the plain text
// input remains and the answer is stored as typed.
(function () {
  'use strict';
  var data = document.getElementById('people-data');
  var form = document.getElementById('checklist-form');
  if (!data || !form) return;
  var directory;
  try { directory = JSON.parse(data.dataset.people || '{}'); } catch (e) { return; }
  var people = directory.people || [];
  var home = directory.department || '';
  var text = document.getElementById('picker-messages').dataset;
  var byId = {};
  people.forEach(function (p) { byId[p.id] = p; });
  var MAX_SHOWN = 8;
  var counter = 0;

  function normal(value) {
    var s = String(value || '');
    if (s.normalize) s = s.normalize('NFKC');
    return s.replace(/[\u200b\u200c\u200d\u2060\ufeff\u00ad]/g, '').replace(/\s+/g, '').toLowerCase();
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key] == null ? '' : values[key]; });
  }

  // How well a person matches the query: 0 = not at all.
  function score(p, q) {
    var best = 0;
    function at(value) { if (value > best) best = value; }
    var name = normal(p.name);
    if (name === q) at(100); else if (name.indexOf(q) === 0) at(80); else if (name.indexOf(q) >= 0) at(60);
    var no = normal(p.no);
    if (no) { if (no === q) at(95); else if (no.indexOf(q) >= 0) at(50); }
    (p.ini || []).forEach(function (ini) { if (ini === q) at(90); else if (ini.indexOf(q) === 0) at(70); });
    if (p.py && p.py.indexOf(q) === 0) at(q.length > 1 ? 65 : 40);
    return best;
  }

  function search(query) {
    var q = normal(query);
    var found = [];
    people.forEach(function (p, index) {
      var s = q ? score(p, q) : (p.dept === home ? 1 : 0);
      if (s > 0 || (!q && !home)) found.push({ p: p, s: s, i: index });
    });
    if (!q && !found.length) found = people.map(function (p, index) { return { p: p, s: 0, i: index }; });
    found.sort(function (a, b) {
      return (b.s - a.s) || ((a.p.dept === home ? 0 : 1) - (b.p.dept === home ? 0 : 1)) || (a.i - b.i);
    });
    return found.slice(0, MAX_SHOWN).map(function (f) { return f.p; });
  }

  function meta(p) {
    var parts = [];
    if (p.no) parts.push(fill(text.no, { no: p.no }));
    parts.push(p.dept);
    if (p.role) parts.push(p.role);
    return parts.join(' · ');
  }

  function setUp(box) {
    var input = box.querySelector('input[name^="responsible-"]');
    var hidden = box.querySelector('input[name^="responsible_id-"]');
    if (!input || !hidden) return;
    var id = 'picker-' + (++counter);
    var list = document.createElement('ul');
    list.className = 'picker-list';
    list.id = id;
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', text.label);
    list.hidden = true;
    var chosen = document.createElement('p');
    chosen.className = 'picker-chosen';
    chosen.setAttribute('aria-live', 'polite');
    box.appendChild(list);
    box.appendChild(chosen);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', id);
    input.setAttribute('placeholder', text.placeholder);
    var options = [];
    var active = -1;
    var picking = false;

    function showChosen() {
      var person = hidden.value && byId[hidden.value];
      chosen.classList.toggle('is-person', !!person);
      chosen.classList.toggle('is-unlisted', !person && !!input.value.trim() && list.hidden);
      if (person) chosen.textContent = fill(text.chosen, { name: person.name }) + ' · ' + meta(person);
      else if (hidden.value) chosen.textContent = fill(text.chosen, { name: input.value });
      else if (input.value.trim() && list.hidden) {  // typed, not chosen: said once the list is closed
        chosen.textContent = fill(text.chosenUnlisted, { name: input.value.trim() });
      }
      else chosen.textContent = '';
    }

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
      showChosen();
    }

    function highlight(index) {
      active = index;
      options.forEach(function (o, i) { o.el.setAttribute('aria-selected', i === index ? 'true' : 'false'); });
      if (index >= 0) {
        input.setAttribute('aria-activedescendant', options[index].el.id);
        options[index].el.scrollIntoView({ block: 'nearest' });
      }
    }

    function choose(option) {
      if (option.person) {
        input.value = option.person.name;
        hidden.value = option.person.id;
      } else {
        hidden.value = '';
      }
      close();
      showChosen();
      picking = true;
      input.dispatchEvent(new Event('input', { bubbles: true }));  // the draft on the phone keeps it
      picking = false;
    }

    function render() {
      list.textContent = '';
      options = [];
      var query = input.value.trim();
      search(query).forEach(function (p) {
        options.push({ person: p });
      });
      if (query && !(hidden.value && byId[hidden.value] && byId[hidden.value].name === query)) {
        options.push({ person: null, name: query });
      }
      options.forEach(function (option, index) {
        var li = document.createElement('li');
        li.id = id + '-' + index;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        var name = document.createElement('span');
        var detail = document.createElement('span');
        name.className = 'picker-name';
        detail.className = 'picker-meta';
        if (option.person) {
          name.textContent = option.person.name;
          detail.textContent = meta(option.person);
          li.dataset.person = option.person.id;
        } else {
          li.classList.add('picker-unlisted');
          name.textContent = fill(text.unlisted, { name: option.name });
          detail.textContent = options.length > 1 ? '' : text.empty;
        }
        li.appendChild(name);
        if (detail.textContent) li.appendChild(detail);
        li.addEventListener('click', function () { choose(option); });
        option.el = li;
        list.appendChild(li);
      });
      list.hidden = !options.length;
      input.setAttribute('aria-expanded', options.length ? 'true' : 'false');
      highlight(-1);
    }

    // Keep the focus in the input while an option is tapped, so blur does not close the list first.
    list.addEventListener('mousedown', function (event) { event.preventDefault(); });
    input.addEventListener('focus', function () { if (!input.disabled) render(); });
    input.addEventListener('input', function () {
      var person = hidden.value && byId[hidden.value];
      if (person && person.name !== input.value) hidden.value = '';  // typed over the chosen name
      if (!picking && document.activeElement === input) render();
      showChosen();
    });
    input.addEventListener('keydown', function (event) {
      if (list.hidden && event.key === 'ArrowDown') { render(); return; }
      if (list.hidden) return;
      if (event.key === 'ArrowDown') { event.preventDefault(); highlight(Math.min(active + 1, options.length - 1)); }
      else if (event.key === 'ArrowUp') { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === 'Enter') {
        event.preventDefault();  // never submit the checklist from the picker
        if (options.length) choose(options[active >= 0 ? active : 0]);
      } else if (event.key === 'Escape') { close(); }
    });
    input.addEventListener('blur', function () { setTimeout(close, 150); });
    // checklist.js restores the draft (and a queued submission) before this runs: show it.
    showChosen();
    form.addEventListener('change', showChosen);
  }

  Array.prototype.forEach.call(form.querySelectorAll('[data-picker]'), setUp);
})();
