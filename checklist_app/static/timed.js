// Items due at a time of day (每日 17:30) cannot be ticked before it: the server refuses such an
// answer, and the page unlocks the item when its time comes (by the phone's clock; the server's
// decides). Runs on load, every 15 seconds and when the page becomes visible again.
(function () {
  'use strict';
  function unlock() {
    var now = Date.now();
    document.querySelectorAll('fieldset[data-opens-at]').forEach(function (set) {
      if (now < Number(set.dataset.opensAt)) return;
      set.removeAttribute('data-opens-at');
      set.querySelectorAll('input[type=radio]').forEach(function (radio) { radio.disabled = false; });
      var hint = set.querySelector('.locked-hint');
      if (hint) hint.remove();
      var item = set.closest('.item');
      if (item) item.classList.remove('is-locked');
      var reading = set.querySelector('[data-reading]');
      if (reading) reading.dispatchEvent(new Event('input', { bubbles: true })); // re-apply its limit
    });
  }
  unlock();
  setInterval(unlock, 15000);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) unlock(); });
})();
