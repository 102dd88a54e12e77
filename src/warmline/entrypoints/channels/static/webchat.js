/* Warmline web chat widget: one script tag, no build step, no dependencies.
 *
 *   <script src="https://<warmline>/webchat/widget.js" data-title="Support" async></script>
 *
 * Options (data- attributes on the script tag): data-title, data-greeting, data-color.
 * Live updates come from server-sent events; polling takes over where EventSource is
 * missing or keeps failing. The "Talk to a person" button is always visible: it is the
 * one-tap route to a human (button id "warmline:human").
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__warmlineChat) { return; }
  window.__warmlineChat = true;

  var base = script.src.replace(/\/widget\.js(\?.*)?$/, "");
  var title = script.getAttribute("data-title") || "Chat with us";
  var greeting = script.getAttribute("data-greeting") || "Hi! How can we help?";
  var color = script.getAttribute("data-color") || "#0b5cad"; /* 6.7:1 on white */
  var HUMAN = "warmline:human";
  var storeKey = "warmline-chat:" + base;
  var state = { session: null, last: 0, source: null, poller: null, failures: 0 };

  var css = [
    ".wl-root{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;",
    "font:15px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1a1a1a}",
    ".wl-root button{font:inherit;cursor:pointer}",
    /* a dark ring for light backgrounds, a yellow one for the coloured header */
    ".wl-root :focus-visible{outline:3px solid #1a1a1a;outline-offset:1px;",
    "box-shadow:0 0 0 6px #ffbf47}",
    ".wl-launch{background:" + color + ";color:#fff;border:0;border-radius:999px;",
    "padding:.75rem 1.25rem;box-shadow:0 2px 8px rgba(0,0,0,.3)}",
    ".wl-panel{width:min(22rem,calc(100vw - 2rem));height:min(32rem,calc(100vh - 6rem));",
    "background:#fff;border:1px solid #767676;border-radius:.75rem;display:flex;",
    "flex-direction:column;box-shadow:0 4px 24px rgba(0,0,0,.25);margin-bottom:.5rem}",
    ".wl-panel[hidden]{display:none}",
    ".wl-head{display:flex;align-items:center;gap:.5rem;padding:.75rem;",
    "background:" + color + ";color:#fff;border-radius:.75rem .75rem 0 0}",
    ".wl-head h2{font-size:1rem;margin:0;flex:1}",
    ".wl-close{background:transparent;color:#fff;border:1px solid #fff;border-radius:.4rem;",
    "padding:.1rem .5rem}",
    ".wl-human{margin:.5rem .75rem 0;background:#fff;color:" + color + ";",
    "border:2px solid " + color + ";border-radius:.5rem;padding:.4rem .75rem;",
    "font-weight:600}",
    ".wl-log{list-style:none;margin:0;padding:.75rem;overflow-y:auto;flex:1}",
    ".wl-log li{margin:.4rem 0;max-width:85%;padding:.5rem .7rem;border-radius:.6rem;",
    "white-space:pre-wrap;word-wrap:break-word}",
    ".wl-brand{background:#f0f0f0}",
    ".wl-customer{background:" + color + ";color:#fff;margin-left:auto!important}",
    ".wl-system{background:transparent;color:#4a4a4a;font-style:italic}",
    ".wl-author{display:block;font-size:.8rem;font-weight:600}",
    ".wl-choices{display:flex;flex-wrap:wrap;gap:.3rem;margin-top:.4rem}",
    ".wl-choices button{background:#fff;color:" + color + ";border:1px solid " + color + ";",
    "border-radius:999px;padding:.2rem .7rem}",
    ".wl-form{display:flex;gap:.5rem;padding:.75rem;border-top:1px solid #767676}",
    ".wl-form input{flex:1;font:inherit;padding:.5rem;border:1px solid #767676;",
    "border-radius:.4rem;color:#1a1a1a}",
    ".wl-send{background:" + color + ";color:#fff;border:0;border-radius:.4rem;",
    "padding:.5rem .9rem}",
    ".wl-error{color:#b00020;padding:0 .75rem;margin:0}",
    ".wl-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  var style = el("style"); style.textContent = css;
  var root = el("div", { "class": "wl-root" });
  var panel = el("section", { "class": "wl-panel", id: "wl-panel", role: "dialog",
    "aria-label": title, hidden: "" });
  var head = el("div", { "class": "wl-head" });
  head.appendChild(el("h2", {}, title));
  var close = el("button", { "class": "wl-close", type: "button",
    "aria-label": "Close chat" }, "×");
  head.appendChild(close);
  var human = el("button", { "class": "wl-human", type: "button" }, "Talk to a person");
  var log = el("ol", { "class": "wl-log", role: "log", "aria-live": "polite",
    "aria-label": "Conversation" });
  var error = el("p", { "class": "wl-error", role: "alert" });
  var form = el("form", { "class": "wl-form" });
  var label = el("label", { "for": "wl-input", "class": "wl-sr" }, "Your message");
  var input = el("input", { id: "wl-input", type: "text", autocomplete: "off",
    maxlength: "4000", placeholder: "Type your message" });
  var send = el("button", { "class": "wl-send", type: "submit" }, "Send");
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  panel.appendChild(head); panel.appendChild(human); panel.appendChild(log);
  panel.appendChild(error); panel.appendChild(form);
  var launch = el("button", { "class": "wl-launch", type: "button",
    "aria-expanded": "false", "aria-controls": "wl-panel" }, title);
  root.appendChild(panel); root.appendChild(launch);

  function line(role, text, author, buttons) {
    var item = el("li", { "class": "wl-" + role });
    if (author) { item.appendChild(el("span", { "class": "wl-author" }, author)); }
    item.appendChild(document.createTextNode(text));
    if (buttons && buttons.length) {
      var choices = el("div", { "class": "wl-choices", role: "group",
        "aria-label": "Choices" });
      buttons.forEach(function (b) {
        var choice = el("button", { type: "button" }, b.title);
        choice.addEventListener("click", function () { tap(b.id, b.title); });
        choices.appendChild(choice);
      });
      item.appendChild(choices);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function render(item) {
    if (item.seq <= state.last) { return; }
    state.last = item.seq;
    line(item.role, item.text, item.author, item.buttons);
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return "w-" + window.crypto.randomUUID(); }
    return "w-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function call(method, path, body) {
    var headers = { "content-type": "application/json" };
    if (state.session) { headers.authorization = "Bearer " + state.session.token; }
    return fetch(base + path, { method: method, headers: headers,
      body: body ? JSON.stringify(body) : undefined }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function ensureSession() {
    if (state.session) { return Promise.resolve(state.session); }
    try { state.session = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) {}
    if (state.session) { return Promise.resolve(state.session); }
    return call("POST", "/sessions").then(function (s) {
      state.session = s;
      try { localStorage.setItem(storeKey, JSON.stringify(s)); } catch (e) {}
      return s;
    });
  }

  function feedPath() { return "/sessions/" + state.session.session_id; }

  function poll() {
    return call("GET", feedPath() + "/messages?after=" + state.last).then(function (d) {
      d.items.forEach(render);
    });
  }

  function listen() {
    if (!window.EventSource || state.failures > 3) {
      if (!state.poller) { state.poller = setInterval(function () { poll().catch(function () {}); }, 3000); }
      return;
    }
    var url = base + feedPath() + "/events?after=" + state.last +
      "&token=" + encodeURIComponent(state.session.token);
    state.source = new EventSource(url);
    state.source.addEventListener("message", function (e) {
      state.failures = 0;
      render(JSON.parse(e.data));
    });
    state.source.onerror = function () {
      state.failures += 1;
      if (state.failures > 3) { state.source.close(); listen(); }
    };
  }

  function fail(message) { error.textContent = message; }

  function submit(path, body) {
    error.textContent = "";
    send.disabled = true; human.disabled = true;
    return ensureSession().then(function () {
      return call("POST", feedPath() + path, body);
    }).then(function () { return poll(); }).catch(function () {
      fail("Sorry, that did not go through. Please try again.");
      throw new Error("not sent");
    }).finally(function () { send.disabled = false; human.disabled = false; });
  }

  function tap(id, label) {
    return submit("/buttons", { message_id: newId(), button_id: id, title: label })
      .catch(function () {});
  }

  function open() {
    panel.hidden = false;
    launch.setAttribute("aria-expanded", "true");
    input.focus();
    if (!state.started) {
      state.started = true;
      line("brand", greeting);
      ensureSession().then(function () { return poll(); }).then(listen)
        .catch(function () { fail("The chat is unavailable right now."); });
    }
  }

  function hide() {
    panel.hidden = true;
    launch.setAttribute("aria-expanded", "false");
    launch.focus();
  }

  launch.addEventListener("click", function () { if (panel.hidden) { open(); } else { hide(); } });
  close.addEventListener("click", hide);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { hide(); } });
  human.addEventListener("click", function () { tap(HUMAN, "Talk to a person"); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    submit("/messages", { message_id: newId(), text: text }).then(function () {
      input.value = "";
    }).catch(function () {});
  });

  function mount() { document.head.appendChild(style); document.body.appendChild(root); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
