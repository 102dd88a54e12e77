/* Warmline console: live updates (Server-Sent Events) and keyboard shortcuts.
 * No build step. A `handoff` event from /console/events fires `wl-refresh` on <body>;
 * htmx re-fetches the fragments listening for it (hx-trigger="wl-refresh from:body"),
 * so what the page shows always comes from the server. Bursts are coalesced. */
(function () {
  "use strict";
  var pending = null;
  function refresh() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      if (window.htmx) window.htmx.trigger(document.body, "wl-refresh");
    }, 150);
  }
  function live() {
    if (!document.body.dataset.live || !window.EventSource) return;
    var state = document.getElementById("live-state");
    var source = new EventSource("/console/events");
    var opened = false;
    source.addEventListener("open", function () {
      if (state) state.textContent = "live";
      if (opened) refresh();  // reconnected: catch up on anything missed
      opened = true;
    });
    source.addEventListener("handoff", refresh);
    source.addEventListener("error", function () {
      if (state) state.textContent = "reconnecting…";
    });
  }
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" ||
                  el.tagName === "SELECT" || el.isContentEditable);
  }
  function keys(ev) {
    if (ev.target && ev.target.id === "reply" && ev.key === "Enter" &&
        (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      ev.target.form.requestSubmit();
      return;
    }
    if (typing(ev.target) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var el = null;
    if (ev.key === "c") el = document.querySelector("[data-key='c']");
    if (el) { ev.preventDefault(); el.click(); return; }
    if (ev.key === "r") el = document.getElementById("reply");
    if (ev.key === "e") el = document.getElementById("outcome");
    if (el && !el.disabled) { ev.preventDefault(); el.focus(); return; }
    if (ev.key === "g") window.location.href = "/console/queues";
  }
  document.addEventListener("DOMContentLoaded", function () {
    live();
    document.addEventListener("keydown", keys);
  });
})();
