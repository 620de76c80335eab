/* Trailmap embed helper for host pages.
 *
 *   <iframe src="https://trailmap.example/embed/backend" ...></iframe>
 *   <script src="https://trailmap.example/embed.js" async></script>
 *
 * Resizes every iframe that shows a Trailmap embed (its src contains /embed/) to the height
 * the embed reports in its "ready" message. Loaded async, this script may start after an embed
 * was already ready: it greets each embed ("hello") and the embed answers with "ready" again. A message counts only if it comes from that very
 * iframe's window and from the iframe's own origin; anything else is ignored. It also fires a
 * "trailmap:message" DOM event on the iframe for every message, for hosts that want more
 * (node-selected, progress).
 */
(function () {
  "use strict";
  if (window.__trailmapEmbed) return;
  window.__trailmapEmbed = true;

  var MIN_HEIGHT = 100;
  var MAX_HEIGHT = 10000;

  function frameFor(event) {
    var frames = document.querySelectorAll('iframe[src*="/embed/"]');
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source) continue;
      var origin;
      try {
        origin = new URL(frame.src, document.baseURI).origin;
      } catch (e) {
        return null;
      }
      return origin === event.origin ? frame : null;
    }
    return null;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || data.source !== "trailmap") return;
    var frame = frameFor(event);
    if (!frame) return;
    if (data.type === "ready") {
      var height = Number(data.height);
      if (isFinite(height) && height >= MIN_HEIGHT && height <= MAX_HEIGHT) {
        frame.style.height = Math.ceil(height) + "px";
      }
    }
    try {
      frame.dispatchEvent(new CustomEvent("trailmap:message", { detail: data }));
    } catch (e) {
      /* very old browsers: resizing still works */
    }
  });

  var frames = document.querySelectorAll('iframe[src*="/embed/"]');
  for (var i = 0; i < frames.length; i++) {
    try {
      var origin = new URL(frames[i].src, document.baseURI).origin;
      // Only that origin gets it: a frame still showing something else drops it.
      frames[i].contentWindow.postMessage({ source: "trailmap-host", type: "hello" }, origin);
    } catch (e) {
      /* not loaded yet: its own "ready" on load reaches the listener above */
    }
  }
})();
