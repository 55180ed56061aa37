/* Website chat widget: talks to the Rasa server over socket.io (bot.channels.webchat).
 * Everything shown is set with textContent: no HTML from any message is ever
 * interpreted. The conversation survives a page reload (localStorage). */
(function () {
  "use strict";
  // The session secret binds this browser to its conversation (bot/channels/webchat.py).
  var STORE_SECRET = "stoerungschat.secret";
  var STORE_LOG = "stoerungschat.log";
  var STORE_OPEN = "stoerungschat.open";
  // Who answers next: "bot", "waiting" (for a person: nobody types yet) or "agent".
  var STORE_MODE = "stoerungschat.mode";
  var MAX_LOG = 300;
  var TYPING_TIMEOUT_MS = 20000;
  var URL_PATTERN = /(https?:\/\/[^\s<>"']+)/g;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function load(key, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key)); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: no history */ }
  }

  var root = document.getElementById("chat-root");
  var openButton = el("button", "chat-open", "Hilfe-Chat öffnen");
  openButton.type = "button";
  var panel = el("section", "chat-panel");
  panel.setAttribute("aria-label", "Chat mit dem Störungsassistenten");
  panel.hidden = true;
  var head = el("div", "chat-head");
  head.appendChild(el("h2", null, "Störungshilfe"));
  var closeButton = el("button", "chat-close", "Schließen ✕");
  closeButton.type = "button";
  head.appendChild(closeButton);
  var notice = el("p", "chat-notice");
  notice.setAttribute("role", "status");
  notice.hidden = true;
  var log = el("div", "chat-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var typing = el("div", "typing", "Der Assistent schreibt …");
  typing.hidden = true;
  var form = el("form", "chat-form");
  var input = el("input");
  input.type = "text";
  input.maxLength = 2000;
  input.autocomplete = "off";
  input.placeholder = "Ihre Nachricht …";
  input.setAttribute("aria-label", "Ihre Nachricht");
  var send = el("button", null, "Senden");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(notice);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(form);
  root.appendChild(openButton);
  root.appendChild(panel);

  var history = load(STORE_LOG, []);
  var sessionSecret = load(STORE_SECRET, null);
  var confirmed = false;  // the server confirmed this socket's session
  var mode = load(STORE_MODE, "bot");
  var typingTimer = null;

  function showTyping(on, who) {
    typing.textContent = (who || "Der Assistent") + " schreibt …";
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(function () { typing.hidden = true; }, TYPING_TIMEOUT_MS);
  }

  function appendText(bubble, text) {
    // Plain text with clickable http(s) links; nothing else becomes markup.
    var parts = String(text).split(URL_PATTERN);
    for (var i = 0; i < parts.length; i++) {
      if (i % 2 === 1) {
        var a = el("a", null, parts[i]);
        a.href = parts[i];
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        bubble.appendChild(a);
      } else if (parts[i]) {
        bubble.appendChild(document.createTextNode(parts[i]));
      }
    }
  }

  function render(entry, live) {
    var row = el("div", "msg " + entry.role);
    var who = entry.role === "user" ? "Sie" : (entry.name || "Assistent");
    row.appendChild(el("span", "who", who));
    var bubble = el("span", "bubble");
    appendText(bubble, entry.text || "");
    row.appendChild(bubble);
    log.appendChild(row);
    if (entry.buttons && entry.buttons.length && live) {
      var replies = el("div", "replies");
      entry.buttons.forEach(function (b) {
        var button = el("button", null, b.title);
        button.type = "button";
        button.addEventListener("click", function () {
          replies.remove();
          sendMessage(b.payload, b.title, { button_label: b.title });
        });
        replies.appendChild(button);
      });
      log.appendChild(replies);
    }
    log.scrollTop = log.scrollHeight;
  }

  function remember(entry) {
    history.push({ role: entry.role, text: entry.text, name: entry.name });
    if (history.length > MAX_LOG) history = history.slice(-MAX_LOG);
    save(STORE_LOG, history);
  }

  function add(entry) {
    // Only the newest bot message keeps its buttons (older answers are done).
    var old = log.querySelectorAll(".replies");
    for (var i = 0; i < old.length; i++) old[i].remove();
    render(entry, true);
    remember(entry);
  }

  history.forEach(function (entry) { render(entry, false); });

  var socket = io({ path: "/socket.io", transports: ["websocket"], reconnectionDelayMax: 2000 });
  var everConnected = false;

  socket.on("connect", function () {
    socket.emit("session_request", { session_secret: sessionSecret });
    if (everConnected) {
      notice.textContent = "Wieder verbunden.";
      setTimeout(function () { notice.hidden = true; }, 3000);
    } else {
      notice.hidden = true;
    }
    everConnected = true;
  });
  // Messages typed while the connection was down or not yet confirmed: sent, in
  // order, as soon as the server confirmed the session again.
  var queue = [];
  socket.on("session_confirm", function (data) {
    if (!data || typeof data.session_secret !== "string") return;
    sessionSecret = data.session_secret;
    save(STORE_SECRET, sessionSecret);
    confirmed = true;
    while (queue.length && confirmed && socket.connected) socket.emit.apply(socket, queue.shift());
  });
  socket.on("disconnect", function () {
    confirmed = false;
    notice.textContent = "Die Verbindung ist unterbrochen. Ich verbinde mich neu …";
    notice.hidden = false;
  });
  socket.on("connect_error", function () {
    notice.textContent = "Keine Verbindung zum Chat. Ich versuche es weiter …";
    notice.hidden = false;
  });
  socket.on("bot_uttered", function (message) {
    if (!message || typeof message !== "object") return;
    showTyping(false);
    var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
      return { title: String(b.title || ""), payload: String(b.payload || b.title || "") };
    });
    var name = message.metadata && typeof message.metadata.sender_name === "string" ? message.metadata.sender_name : null;
    var role = name ? "agent" : "bot";
    mode = name ? "agent" : (message.metadata && message.metadata.chat_state === "waiting" ? "waiting" : "bot");
    save(STORE_MODE, mode);
    if (message.text) add({ role: role, text: message.text, buttons: buttons, name: name });
    if (message.attachment && message.attachment.payload && message.attachment.payload.src) {
      add({ role: role, text: String(message.attachment.payload.src), name: name });
    }
  });

  function emit(event, data) {
    if (confirmed && socket.connected) socket.emit(event, data);
    else queue.push([event, data]);
  }

  function sendMessage(payload, shown, metadata) {
    var text = String(payload).trim();
    if (!text) return;
    add({ role: "user", text: shown || text });
    emit("user_uttered", { message: text, metadata: metadata || {} });
    // Only the assistant answers at once; a person may take a while.
    if (mode === "bot") showTyping(true);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    if (text.trim()) sendMessage(text);
    input.focus();
  });

  function setOpen(open) {
    panel.hidden = !open;
    openButton.hidden = open;
    save(STORE_OPEN, open);
    if (open) {
      input.focus();
      if (!history.length && !log.childElementCount) {
        emit("chat_opened", {});  // the bot introduces itself
        if (mode === "bot") showTyping(true);
      }
    } else {
      openButton.focus();
    }
  }
  openButton.addEventListener("click", function () { setOpen(true); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) setOpen(false);
  });
  if (load(STORE_OPEN, false)) setOpen(true);
})();
