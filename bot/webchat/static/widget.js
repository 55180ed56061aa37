/* Website chat widget: talks to the Rasa server over socket.io (bot.channels.webchat).
 * Everything shown is set with textContent: no HTML from any message is ever
 * interpreted. The conversation survives a page reload (localStorage): the
 * messages with their times, the answer buttons of the last question, and who
 * answers next (the bot, the queue for a person, or the person). */
(function () {
  "use strict";
  // The session secret binds this browser to its conversation (bot/channels/webchat.py).
  var STORE_SECRET = "stoerungschat.secret";
  var STORE_LOG = "stoerungschat.log";
  var STORE_OPEN = "stoerungschat.open";
  // Who answers next and what the customer sees of it: {mode, agent, position, wait, exits}.
  // mode is "bot", "waiting" (for a person: nobody types yet) or "agent".
  var STORE_STATE = "stoerungschat.state";
  var STORES = [STORE_SECRET, STORE_LOG, STORE_OPEN, STORE_STATE];
  var MAX_LOG = 300;
  var TYPING_TIMEOUT_MS = 20000;
  var AGENT_TYPING_MS = 6000;  // the console repeats "typing" every 3 s while the agent types
  var URL_PATTERN = /(https?:\/\/[^\s<>"']+)/g;
  var KEEP_TOGETHER = /(\b[A-Z]{2,4}-[0-9A-Z]{2,}(?:-[0-9A-Z]+)*\b|\+?\d[\d ]{6,}\d)/g;

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
  function forget() {
    STORES.forEach(function (key) { try { localStorage.removeItem(key); } catch (e) { /* nothing stored */ } });
  }

  function clock(ms) {
    var d = new Date(ms);
    var hh = String(d.getHours()); var mm = String(d.getMinutes());
    return (hh.length < 2 ? "0" + hh : hh) + ":" + (mm.length < 2 ? "0" + mm : mm);
  }

  // -- the panel ---------------------------------------------------------------------
  var root = document.getElementById("chat-root");
  var openButton = el("button", "chat-open", "Hilfe-Chat öffnen");
  openButton.type = "button";
  openButton.setAttribute("aria-expanded", "false");
  openButton.setAttribute("aria-controls", "chat-panel");
  var panel = el("section", "chat-panel");
  panel.id = "chat-panel";
  panel.setAttribute("aria-labelledby", "chat-title");
  panel.hidden = true;

  var head = el("div", "chat-head");
  var title = el("h2", null, "Störungshilfe");
  title.id = "chat-title";
  // Who the customer is talking to, always visible: assistant, queue (position,
  // estimate) or the person from the service team.
  var state = el("p", "chat-state");
  state.id = "chat-state";
  state.setAttribute("role", "status");
  var clearButton = el("button", "chat-clear", "Verlauf löschen");
  clearButton.type = "button";
  var closeButton = el("button", "chat-close");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", "Chat schließen");
  closeButton.appendChild(el("span", null, "Schließen"));
  var cross = el("span", "chat-close-x", "✕");
  cross.setAttribute("aria-hidden", "true");
  closeButton.appendChild(cross);
  head.appendChild(title);
  head.appendChild(clearButton);
  head.appendChild(closeButton);
  head.appendChild(state);  // its own line under the title and the buttons

  var notice = el("p", "chat-notice");
  notice.setAttribute("role", "status");
  notice.hidden = true;
  var scroller = el("div", "chat-log");
  scroller.setAttribute("role", "log");
  scroller.setAttribute("aria-live", "polite");
  scroller.setAttribute("aria-label", "Nachrichten");
  scroller.tabIndex = 0;  // scrollable by keyboard
  var log = el("ol", "chat-messages");
  scroller.appendChild(log);
  var typing = el("p", "typing", "Der Assistent schreibt …");
  typing.setAttribute("aria-live", "polite");
  typing.hidden = true;
  // While the customer waits for a person: the way out, pinned above the input.
  var queueBar = el("div", "queue-bar");
  queueBar.hidden = true;
  queueBar.setAttribute("role", "region");
  queueBar.setAttribute("aria-label", "Warteschlange");
  var queueText = el("p", "queue-text");
  var queueExits = el("div", "queue-exits");
  queueBar.appendChild(queueText);
  queueBar.appendChild(queueExits);
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
  // Answer buttons of the last question. In the DOM after the input (Tab from the
  // input reaches them), shown above it (CSS order).
  var replies = el("div", "replies");
  replies.setAttribute("role", "group");
  replies.setAttribute("aria-label", "Antwortvorschläge");
  replies.hidden = true;
  [head, notice, scroller, typing, queueBar, form, replies].forEach(function (node) { panel.appendChild(node); });
  root.appendChild(openButton);
  root.appendChild(panel);

  var history = load(STORE_LOG, []);
  var sessionSecret = load(STORE_SECRET, null);
  var confirmed = false;  // the server confirmed this socket's session
  var chat = load(STORE_STATE, null) || { mode: "bot" };
  var typingTimer = null;

  function showTyping(on, who, ms) {
    typing.textContent = (who || "Der Assistent") + " schreibt …";
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(function () { typing.hidden = true; }, ms || TYPING_TIMEOUT_MS);
  }

  function appendWords(bubble, text) {
    // Numbers to write down (a report "ST-7A4556", a phone number) stay on one line.
    var parts = String(text).split(KEEP_TOGETHER);
    for (var i = 0; i < parts.length; i++) {
      if (i % 2 === 1) bubble.appendChild(el("span", "nowrap", parts[i]));
      else if (parts[i]) bubble.appendChild(document.createTextNode(parts[i]));
    }
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
        appendWords(bubble, parts[i]);
      }
    }
  }

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  // Several answers at once (a line check result, then the next question): the
  // first of them stays in view, not only the last; the customer scrolls on.
  var BURST_MS = 3000;
  var firstOfBurst = null;
  var lastAnswerAt = 0;
  function showNewest(row, fromCustomer) {
    var now = Date.now();
    if (fromCustomer) {
      firstOfBurst = null;
      scrollToEnd();
      return;
    }
    if (!firstOfBurst || now - lastAnswerAt > BURST_MS) firstOfBurst = row;
    lastAnswerAt = now;
    var offset = firstOfBurst.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    var end = scroller.scrollHeight - scroller.clientHeight;
    scroller.scrollTop = Math.min(end, scroller.scrollTop + offset - 8);
  }

  function render(entry) {
    var row = el("li", "msg " + entry.role);
    var meta = el("span", "who");
    meta.appendChild(el("span", "name", entry.role === "user" ? "Sie" : (entry.name || "Assistent")));
    if (entry.at) {
      var time = el("time", "at", clock(entry.at));
      time.dateTime = new Date(entry.at).toISOString();
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(time);
    }
    row.appendChild(meta);
    var bubble = el("span", "bubble");
    appendText(bubble, entry.text || "");
    row.appendChild(bubble);
    log.appendChild(row);
    return row;
  }

  // After a tap the focus stays in the chat: in the input for keyboard users; on
  // the messages for a finger or a mouse (a phone would pop up its keyboard and
  // hide the answer).
  function keepFocus(event) {
    if (event && event.detail === 0) input.focus();
    else scroller.focus({ preventScroll: true });
  }

  function button(b, onPress) {
    var node = el("button", null, b.title);
    node.type = "button";
    node.addEventListener("click", function (event) { onPress(b, event); });
    return node;
  }

  function showReplies(buttons) {
    replies.textContent = "";
    (buttons || []).forEach(function (b) {
      replies.appendChild(button(b, function (pressed, event) {
        showReplies([]);
        sendMessage(b.payload, b.title, { button_label: b.title });
        keepFocus(event);  // the pressed button is gone
      }));
    });
    replies.hidden = !replies.childElementCount;
  }

  function showState() {
    var mode = chat.mode;
    if (mode === "agent") {
      // The agent's name as the console sends it: "Mia, Kundenservice".
      state.textContent = "Sie schreiben mit " + (chat.agent || "unserem Kundenservice");
    } else if (mode === "waiting") {
      var parts = ["Sie warten auf unseren Kundenservice"];
      if (chat.position === 1) parts.push("Sie sind als Nächstes dran");
      else if (chat.position > 1) parts.push("Platz " + chat.position);
      if (chat.wait) parts.push("etwa " + chat.wait);
      state.textContent = parts.join(" · ");
    } else {
      state.textContent = "Digitaler Assistent";
    }
    panel.setAttribute("data-mode", mode);
    queueExits.textContent = "";
    var exits = mode === "waiting" ? (chat.exits || []) : [];
    exits.forEach(function (b) {
      queueExits.appendChild(button(b, function (pressed, event) {
        sendMessage(b.payload, b.title, { button_label: b.title });
        keepFocus(event);
      }));
    });
    queueText.textContent = exits.length ? "Sie möchten lieber nicht warten?" : "";
    queueBar.hidden = !exits.length;
  }

  function setChat(next) {
    chat = next;
    save(STORE_STATE, chat);
    showState();
    if (typeof openLabel === "function") openLabel();
  }

  function remember(entry) {
    history.push(entry);
    if (history.length > MAX_LOG) history = history.slice(-MAX_LOG);
    save(STORE_LOG, history);
  }

  function add(entry) {
    // Only the newest message keeps its buttons (older answers are done).
    entry.at = entry.at || Date.now();
    var row = render(entry);
    showReplies(entry.buttons);
    remember(entry);
    showNewest(row, entry.role === "user");
    if (entry.role !== "user" && panel.hidden) markUnread();
  }

  // A message while the chat is closed: the button and the tab title say so.
  var unread = 0;
  var pageTitle = document.title;
  function openLabel() {
    // Closed, the button still says what is going on: new messages, or the wait.
    var label = "Hilfe-Chat öffnen";
    if (unread) label += " (" + unread + (unread === 1 ? " neue Nachricht)" : " neue Nachrichten)");
    else if (chat.mode === "waiting") label += " (Sie warten auf unseren Kundenservice)";
    openButton.textContent = label;
  }
  function markUnread() {
    unread += 1;
    openLabel();
    document.title = "(" + unread + ") " + pageTitle;
  }
  function clearUnread() {
    unread = 0;
    openLabel();
    document.title = pageTitle;
  }

  function restore() {
    log.textContent = "";
    history.forEach(render);
    var last = history[history.length - 1];
    showReplies(last && last.role !== "user" ? last.buttons : []);
    showState();
  }
  restore();

  // -- the connection ----------------------------------------------------------------
  var socket = io({ path: "/socket.io", transports: ["websocket"], reconnectionDelayMax: 2000 });
  var everConnected = false;
  var clearing = false;  // "Verlauf löschen" reconnects on purpose: no "unterbrochen"

  socket.on("connect", function () {
    socket.emit("session_request", { session_secret: sessionSecret });
    if (everConnected && !clearing) {
      notice.textContent = "Wieder verbunden.";
      setTimeout(function () { notice.hidden = true; }, 3000);
    } else {
      notice.hidden = true;
    }
    everConnected = true;
    clearing = false;
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
    if (clearing) return;
    notice.textContent = "Die Verbindung ist unterbrochen. Ich verbinde mich neu …";
    notice.hidden = false;
  });
  socket.on("connect_error", function () {
    notice.textContent = "Keine Verbindung zum Chat. Ich versuche es weiter …";
    notice.hidden = false;
  });
  socket.on("agent_typing", function (data) {
    // "Mia, Kundenservice" -> "Mia schreibt …"
    var name = data && typeof data.name === "string" ? data.name.split(",")[0].trim().slice(0, 40) : null;
    if (name && chat.mode === "agent") showTyping(true, name, AGENT_TYPING_MS);
  });
  socket.on("bot_uttered", function (message) {
    if (!message || typeof message !== "object") return;
    showTyping(false);
    var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
      return { title: String(b.title || ""), payload: String(b.payload || b.title || "") };
    });
    var meta = message.metadata && typeof message.metadata === "object" ? message.metadata : {};
    var name = typeof meta.sender_name === "string" ? meta.sender_name : null;
    var role = name ? "agent" : "bot";
    if (name) {
      setChat({ mode: "agent", agent: name });
    } else if (meta.chat_state === "waiting") {
      // Queue messages carry the position and estimate; their buttons (the way
      // out of the queue) are pinned in the queue bar instead of the flow.
      var position = parseInt(meta.queue_position, 10);
      setChat({
        mode: "waiting",
        position: position > 0 ? position : chat.position,
        wait: typeof meta.queue_wait === "string" ? meta.queue_wait : chat.wait,
        exits: buttons.length ? buttons : (chat.mode === "waiting" ? chat.exits : []),
      });
      buttons = [];
    } else if (chat.mode !== "bot") {
      setChat({ mode: "bot" });
    }
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
    if (chat.mode === "bot") showTyping(true);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    if (text.trim()) sendMessage(text);
    input.focus();
  });

  function greet() {
    emit("chat_opened", {});  // the bot introduces itself
    showTyping(true);
  }

  var touch = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;

  function setOpen(open, event) {
    panel.hidden = !open;
    openButton.hidden = open;
    openButton.setAttribute("aria-expanded", open ? "true" : "false");
    save(STORE_OPEN, open);
    if (open) {
      clearUnread();
      scrollToEnd();  // rendered while hidden: only now does the log have a height
      // On a phone the keyboard would cover the greeting: the customer taps the input.
      if (touch && event && event.detail > 0) scroller.focus({ preventScroll: true });
      else input.focus();
      if (!history.length && !log.childElementCount) greet();
    } else {
      openButton.focus();
    }
  }

  // On a shared computer: the stored chat goes, and a new conversation starts.
  clearButton.addEventListener("click", function () {
    var question = "Möchten Sie den Verlauf löschen? Das Gespräch ist dann auf diesem Gerät nicht mehr zu sehen.";
    if (chat.mode === "agent") {
      question = "Möchten Sie den Verlauf löschen? Das Gespräch mit " + (chat.agent || "unserem Kundenservice").split(",")[0] +
        " endet dann, und es ist auf diesem Gerät nicht mehr zu sehen.";
    } else if (chat.mode === "waiting") {
      question = "Möchten Sie den Verlauf löschen? Sie warten dann nicht mehr auf unseren Kundenservice, und das Gespräch ist" +
        " auf diesem Gerät nicht mehr zu sehen.";
    }
    if (!window.confirm(question)) return;
    // The other side is told before this browser forgets the conversation.
    if (chat.mode === "waiting" && chat.exits && chat.exits.length) {
      emit("user_uttered", { message: chat.exits[0].payload, metadata: { button_label: chat.exits[0].title } });
    } else if (chat.mode === "agent") {
      emit("user_uttered", { message: "Ich habe den Chat beendet und den Verlauf gelöscht. Auf Wiedersehen!", metadata: {} });
    }
    forget();
    history = [];
    queue = [];
    sessionSecret = null;
    confirmed = false;
    chat = { mode: "bot" };
    restore();
    save(STORE_OPEN, true);
    clearing = true;
    socket.disconnect();  // a new socket asks for a new session
    socket.connect();
    greet();
    input.focus();
  });

  // Phones: keep the input above the on-screen keyboard and the browser's bars.
  function fitViewport() {
    if (!window.visualViewport || window.innerWidth > 480) { panel.style.height = ""; return; }
    panel.style.height = window.visualViewport.height + "px";
  }
  if (window.visualViewport) window.visualViewport.addEventListener("resize", fitViewport);
  fitViewport();

  openButton.addEventListener("click", function (event) { setOpen(true, event); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) setOpen(false);
  });
  if (load(STORE_OPEN, false)) setOpen(true);
})();
