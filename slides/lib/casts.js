// casts.js — start an asciinema player on every recording a deck carries (see preprocess.mjs).
// Copied to slides/out/player/ by slides/build; loaded after asciinema-player.min.js.
(function () {
  'use strict';
  function decode(b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder('utf-8').decode(bytes);
  }
  function start() {
    if (typeof AsciinemaPlayer === 'undefined') return;
    document.querySelectorAll('div.cast[data-cast-b64]').forEach(function (el) {
      var data = decode(el.getAttribute('data-cast-b64'));
      el.innerHTML = '';
      AsciinemaPlayer.create({ data: data }, el, {
        fit: 'both', idleTimeLimit: 1.5, poster: 'npt:0:4', preload: true,
        terminalFontFamily: "'DejaVu Sans Mono', 'Noto Mono', monospace",
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
