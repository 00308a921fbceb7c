/*
 * Search on the handbook's pages. Loaded by overrides/main.html just before mkdocs-material's
 * bundle, which reads its configuration when it starts, so this script can:
 *
 *   1. point the bundle at the project's search worker (search-worker.js, next to this file);
 *   2. start a search on `input` events: the bundle listens for `keyup` only, so text that
 *      arrives without a key (paste, voice input, an IME on some phones) searched nothing;
 *   3. offer the nearest words when a query finds nothing (the worker posts them on the
 *      BroadcastChannel "hb-search"), as buttons that search again.
 *
 * A file, not an inline script: the app serves the site under a CSP without 'unsafe-inline'.
 * Texts are set with textContent, never as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var config = document.getElementById("__config");
  if (!script || !config) return;

  try {
    var settings = JSON.parse(config.textContent);
    settings.search = new URL("search-worker.js", script.src).href;
    config.textContent = JSON.stringify(settings);
  } catch (err) {
    return; // leave the theme's own search in place
  }

  var TEXT = {
    none: "没有找到“{q}”。",
    try: "试试这些词：",
    hint: "可以换个说法，或只输入一个词，例如“罚款”“请假”。",
  };

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  ready(function () {
    var box = document.querySelector("input.md-search__input");
    var output = document.querySelector(".md-search-result");
    if (!box || !output) return;

    function search() {
      box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    }
    box.addEventListener("input", search);
    box.addEventListener("compositionend", search); // an IME's last word may come without a new input


    var panel = document.createElement("div");
    panel.className = "hb-search-nearest";
    panel.setAttribute("role", "status");
    panel.hidden = true;
    var meta = output.querySelector(".md-search-result__meta");
    (meta ? meta.parentNode : output).insertBefore(panel, meta ? meta.nextSibling : output.firstChild);

    function show(query, words) {
      panel.textContent = "";
      if (!query.trim()) {
        panel.hidden = true;
        return;
      }
      var lead = document.createElement("p");
      lead.textContent = TEXT.none.replace("{q}", query.trim()) + (words.length ? TEXT.try : TEXT.hint);
      panel.appendChild(lead);
      if (words.length) {
        var list = document.createElement("ul");
        words.forEach(function (word) {
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "hb-search-nearest__word";
          button.textContent = word;
          button.addEventListener("click", function () {
            box.value = word;
            box.focus();
            box.dispatchEvent(new Event("input", { bubbles: true }));
          });
          item.appendChild(button);
          list.appendChild(item);
        });
        panel.appendChild(list);
      }
      panel.hidden = false;
    }

    if (typeof BroadcastChannel !== "function") return;
    var channel = new BroadcastChannel("hb-search");
    channel.addEventListener("message", function (event) {
      var data = event.data || {};
      if (typeof data.query !== "string" || data.query !== box.value) return;
      if (!data.empty) {
        panel.hidden = true;
        return;
      }
      var words = Array.isArray(data.nearest) ? data.nearest.filter(function (w) {
        return typeof w === "string";
      }) : [];
      show(data.query, words);
    });
    box.form && box.form.addEventListener("reset", function () {
      panel.hidden = true;
    });
  });
})();
