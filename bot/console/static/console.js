// Agent console. The queue is polled every 1.5 s; an open chat is pushed as
// server-sent events (/api/chats/<id>/stream), with the same poll as the fallback
// while the stream is down. Rows and transcript lines are updated in place, keyed
// by id (keyboard focus stays, a screen reader hears only new lines), and
// everything is rendered with textContent (customer text is never HTML).
(function () {
  "use strict";
  var POLL_MS = 1500;
  var TYPING_EVERY_MS = 3000;  // "Mia schreibt …" for the customer: at most one signal per 3 s
  var STREAM_RETRY_MS = 5000;
  var page = document.body.getAttribute("data-page");
  var csrfMeta = document.querySelector('meta[name="csrf"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var notice = document.getElementById("notice");

  function show(text, isError) {
    notice.textContent = text;
    notice.className = isError ? "notice error" : "notice";
    notice.hidden = !text;
    if (text && !isError) setTimeout(function () { if (notice.textContent === text) notice.hidden = true; }, 4000);
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function setText(node, text) {
    text = text === null || text === undefined ? "" : String(text);
    if (node.textContent !== text) node.textContent = text;  // untouched when equal: no re-read, no flicker
  }

  function since(iso) {
    if (!iso) return "–";
    var minutes = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
    if (minutes < 1) return "gerade eben";
    if (minutes === 1) return "1 Minute";
    if (minutes < 60) return minutes + " Minuten";
    return Math.floor(minutes / 60) + " Std. " + (minutes % 60) + " Min.";
  }

  function clock(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return d.toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" });
  }

  function request(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
    if (window.AbortController) {  // a stuck server must not stall the page
      var abort = new AbortController();
      setTimeout(function () { abort.abort(); }, 10000);
      options.signal = abort.signal;
    }
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.status === 401 && data.login) { window.location.href = "/login"; }
        if (!res.ok) throw new Error(data.error || "Das hat nicht geklappt (" + res.status + ").");
        return data;
      });
    });
  }

  function button(label, onClick, cls) {
    var b = el("button", label, cls);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function link(label, href) {
    var a = el("a", label);
    a.href = href;
    return a;
  }

  // Rows keyed by handoff id: a row is built once, its cells' texts are updated,
  // rows that went are removed, and a row is only moved when the order changed.
  // cells(h) gives one entry per column: a string, or a function(td, h) that fills
  // the cell the first time and updates it later.
  function sync(tbodyId, emptyId, items, cells) {
    var body = document.getElementById(tbodyId);
    var wanted = {};
    items.forEach(function (h) { wanted[String(h.id)] = h; });
    Array.prototype.slice.call(body.children).forEach(function (tr) {
      if (!wanted[tr.getAttribute("data-handoff")]) body.removeChild(tr);
    });
    items.forEach(function (h, index) {
      var tr = body.querySelector('tr[data-handoff="' + h.id + '"]');
      var values = cells(h);
      if (!tr) {
        tr = document.createElement("tr");
        tr.setAttribute("data-handoff", h.id);
        values.forEach(function () { tr.appendChild(document.createElement("td")); });
      }
      values.forEach(function (value, i) {
        var td = tr.children[i];
        if (typeof value === "function") value(td, h); else setText(td, value);
      });
      if (body.children[index] !== tr) body.insertBefore(tr, body.children[index] || null);
    });
    if (emptyId) document.getElementById(emptyId).hidden = items.length > 0;
  }

  // A cell with fixed content (buttons, links), made once.
  function once(make) {
    return function (td, h) { if (!td.firstChild) td.appendChild(make(h)); };
  }

  function claim(id) {
    return request("POST", "/api/chats/" + id + "/claim").then(function () {
      window.location.href = "/chats/" + id;
    }).catch(function (e) { show(e.message, true); });
  }

  // ------------------------------------------------------- new-chat alert (queue)
  var BASE_TITLE = document.title;
  var SEEN_KEY = "console.seenWaiting";
  var SOUND_KEY = "console.sound";
  var audio = null;
  var unseen = [];

  function store(kind) {
    try { return window[kind]; } catch (e) { return null; }
  }

  function soundOn() {
    var local = store("localStorage");
    return !local || local.getItem(SOUND_KEY) !== "off";
  }

  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    return audio;
  }

  // A short two-tone beep from Web Audio (no file to download).
  function beep() {
    if (!soundOn()) return;
    var ctx = audioContext();
    if (!ctx) return;
    if (ctx.state === "suspended" && ctx.resume) ctx.resume();
    var start = ctx.currentTime + 0.01;
    [880, 1175].forEach(function (frequency, i) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      var at = start + i * 0.16;
      osc.type = "sine";
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.14);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.15);
    });
  }

  function showTitle() {
    document.title = unseen.length ? "(" + unseen.length + ") Neue Anfrage" + (unseen.length > 1 ? "n" : "") +
      " – " + BASE_TITLE : BASE_TITLE;
  }

  function markSeen() {
    if (!unseen.length) return;
    unseen = [];
    showTitle();
  }

  // Chats this tab has shown before never alert again (also after a reload); on
  // the first load the chats already waiting are simply there.
  function alertNew(waiting) {
    var session = store("sessionStorage");
    var ids = waiting.map(function (h) { return String(h.id); });
    var saved = session ? session.getItem(SEEN_KEY) : null;
    var seen = saved ? JSON.parse(saved) : null;
    if (seen === null) {
      seen = ids;
    } else {
      var fresh = ids.filter(function (id) { return seen.indexOf(id) < 0; });
      if (fresh.length) {
        unseen = unseen.concat(fresh);
        seen = seen.concat(fresh).slice(-300);
        beep();
      }
    }
    unseen = unseen.filter(function (id) { return ids.indexOf(id) >= 0; });  // taken or gone: no longer new
    if (session) session.setItem(SEEN_KEY, JSON.stringify(seen));
    showTitle();
  }

  function setUpAlerts() {
    var toggle = document.getElementById("sound-toggle");
    if (toggle) {
      toggle.checked = soundOn();
      toggle.addEventListener("change", function () {
        var local = store("localStorage");
        if (local) local.setItem(SOUND_KEY, toggle.checked ? "on" : "off");
        show(toggle.checked ? "Ton bei neuen Anfragen ist an." : "Ton bei neuen Anfragen ist aus.");
      });
    }
    // Browsers allow sound only after the agent did something on the page.
    var unlock = function () {
      markSeen();
      var ctx = soundOn() ? audioContext() : null;
      if (ctx && ctx.state === "suspended" && ctx.resume) ctx.resume();
    };
    ["pointerdown", "keydown"].forEach(function (name) { document.addEventListener(name, unlock, true); });
    window.addEventListener("focus", markSeen);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) markSeen(); });
  }

  // ---------------------------------------------------------------- queue page
  function loadQueue() {
    return request("GET", "/api/queue").then(function (data) {
      var line = document.getElementById("status-line");
      setText(line, data.waiting.length + " wartend · " + data.active.length + " im Gespräch · " +
        data.agents_online + " Mitarbeiter online" + (data.in_service_hours ? "" : " · außerhalb der Servicezeit"));
      sync("waiting", "waiting-empty", data.waiting, function (h) {
        return [
          since(h.created_at),
          function (td) {
            if (!td.firstChild) {
              td.appendChild(el("q", "", "first-words"));
              td.appendChild(el("span", "", "reason"));
            }
            var words = td.firstChild;
            setText(words, h.first_words || "");
            words.hidden = !h.first_words;
            setText(td.lastChild, h.reason);
          },
          h.area, h.verdict, h.channel,
          once(function (h) {
            var actions = el("span", null, "row-actions");
            actions.appendChild(button("Übernehmen", function () { claim(h.id); }, "primary claim"));
            actions.appendChild(link("Ansehen", "/chats/" + h.id));
            return actions;
          })
        ];
      });
      alertNew(data.waiting);
      sync("active", "active-empty", data.active, function (h) {
        return [since(h.claimed_at), h.area, h.verdict, h.agent + (h.mine ? " (Sie)" : ""),
          function (td) {
            var label = h.mine ? "Weiter" : "Ansehen";
            if (!td.firstChild) td.appendChild(link(label, "/chats/" + h.id)); else setText(td.firstChild, label);
          }];
      });
      sync("callbacks", "callbacks-empty", data.callbacks, function (h) {
        return [since(h.created_at), h.contact, h.area, h.summary, once(function (h) {
          return button("Erledigt", function () {
            request("POST", "/api/callbacks/" + h.id + "/done", { note: "" }).then(loadQueue)
              .catch(function (e) { show(e.message, true); });
          });
        })];
      });
      sync("recent", null, data.recent, function (h) {
        return [clock(h.created_at), h.area, h.status_label, h.agent || "–",
          once(function (h) { return link("Ansehen", "/chats/" + h.id); })];
      });
    }).catch(function (e) { show(e.message, true); });
  }

  // While the agent is in a chat: the same alert (title and beep) for a new
  // request, and a link to the queue that says how many wait.
  function loadWaiting() {
    return request("GET", "/api/queue").then(function (data) {
      alertNew(data.waiting);
      var alert = document.getElementById("queue-alert");
      var count = data.waiting.length;
      setText(alert, count === 1 ? "1 Anfrage wartet – zur Warteschlange" :
        count + " Anfragen warten – zur Warteschlange");
      alert.hidden = count === 0;
    }).catch(function () {});  // only a hint: the chat itself shows its own errors
  }

  // ----------------------------------------------------------------- chat page
  var handoffId = document.body.getAttribute("data-handoff");
  var shown = {};  // line id -> <li>
  var firstRender = true;

  function who(line) {
    if (line.who === "customer") return "Kunde";
    if (line.who === "agent") return line.name || "Mitarbeiter";
    return line.who === "bot" ? "Bot" : "Hinweis";
  }

  function lineItem(line) {
    // A button press or the chat opening is what the server recorded, not what
    // the customer typed (bot/rasa_api.py): shown as an action, not as words.
    var action = line.who === "customer" && (line.input === "button" || line.input === "command");
    var li = el("li", null, "line " + line.who + (action ? " action" : "") + (line.auto ? " auto" : ""));
    li.setAttribute("data-line", line.id);
    var meta = [who(line)];
    if (line.input === "button") meta.push("hat auf einen Knopf gedrückt");
    if (line.auto) meta.push("automatisch gesendet");
    meta.push(clock(line.at));
    li.appendChild(el("span", meta.join(" · "), "meta"));
    li.appendChild(el("p", line.input === "button" ? "▸ " + line.text : line.text, "text"));
    return li;
  }

  function renderLines(lines) {
    var list = document.getElementById("transcript");
    var atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 20;
    var ids = {};
    lines.forEach(function (line) { ids[line.id] = true; });
    Object.keys(shown).forEach(function (id) {  // older lines beyond the transcript's length
      if (!ids[id]) { list.removeChild(shown[id]); delete shown[id]; }
    });
    var added = false;
    lines.forEach(function (line) {
      if (shown[line.id]) return;
      shown[line.id] = lineItem(line);
      list.appendChild(shown[line.id]);
      added = true;
    });
    if (added && (atBottom || firstRender)) list.scrollTop = list.scrollHeight;
  }

  function renderChat(data) {
    var h = data.handoff;
    setText(document.getElementById("chat-status"), h.status_label + (h.agent ? " · " + h.agent : ""));
    setText(document.getElementById("f-area"), h.area);
    setText(document.getElementById("f-verdict"), h.verdict);
    setText(document.getElementById("f-reason"), h.reason);
    setText(document.getElementById("f-channel"), h.live ? h.channel :
      h.channel + " (dieser Kanal bekommt Ihre Nachrichten nicht sofort angezeigt)");
    setText(document.getElementById("f-agent"), h.agent || "–");
    setText(document.getElementById("summary"), h.summary || "–");
    var active = h.status === "active" && h.mine;
    var form = document.getElementById("reply-form");
    var takenNow = active && form.hidden;
    document.getElementById("claim").hidden = h.status !== "waiting";
    document.getElementById("handback").hidden = !active;
    document.getElementById("close").hidden = !active;
    form.hidden = !active;
    document.getElementById("ticket-form").hidden = !active;
    var greeting = document.getElementById("auto-greeting");
    if (data.auto_greeting) {
      setText(document.getElementById("auto-greeting-text"), "„" + data.auto_greeting + "“");
      greeting.hidden = false;
    } else {
      greeting.hidden = true;
    }
    var info = document.getElementById("ticket-info");
    var ticketText = data.ticket ? "Nummer " + data.ticket.number + ", Status: " + data.ticket.status :
      data.identified ? "Keine Störungsmeldung zu diesem Chat." :
        "Keine Störungsmeldung. Für eine neue fehlen noch Kundennummer und Postleitzahl.";
    var history = data.ticket ? data.ticket.history.map(function (t) {
      return [clock(t.at), t.actor, t.status, t.note].filter(function (p) { return p; }).join(" · ");
    }) : [];
    var ticketKey = JSON.stringify([ticketText, history]);
    if (info.getAttribute("data-key") !== ticketKey) {
      info.setAttribute("data-key", ticketKey);
      info.textContent = ticketText;
      history.forEach(function (text) { info.appendChild(el("span", text, "history")); });
    }
    setText(document.getElementById("ticket-submit"), data.ticket ? "Notiz/Status speichern" : "Störungsmeldung anlegen");
    var problem = document.getElementById("transcript-error");
    setText(problem, data.transcript_error || "");
    problem.hidden = !data.transcript_error;
    if (!data.transcript_error) renderLines(data.lines);
    firstRender = false;
    if (takenNow) document.getElementById("reply-text").focus();  // after a takeover: straight to writing
  }

  function loadChat() {
    return request("GET", "/api/chats/" + handoffId).then(renderChat).catch(function (e) { show(e.message, true); });
  }

  // The push: the stream brings every change; while it is down, the page polls.
  var stream = null;
  var streamOpen = false;

  function openStream() {
    if (!window.EventSource) return;
    stream = new EventSource("/api/chats/" + handoffId + "/stream");
    stream.addEventListener("open", function () { streamOpen = true; });
    stream.addEventListener("chat", function (event) {
      streamOpen = true;
      renderChat(JSON.parse(event.data));
    });
    stream.addEventListener("login", function () { window.location.href = "/login"; });
    stream.addEventListener("error", function () {
      streamOpen = false;
      if (stream.readyState === EventSource.CLOSED) {  // refused: try a new one later; the poll covers meanwhile
        stream = null;
        setTimeout(openStream, STREAM_RETRY_MS);
      }
    });
  }

  function act(path, done) {
    return request("POST", "/api/chats/" + handoffId + "/" + path).then(function () {
      if (done) show(done);
      loadChat();
    }).catch(function (e) { show(e.message, true); });
  }

  // Poll again only after the previous answer came (no pile-up when slow).
  function poll(load, when) {
    var next = function () { setTimeout(function () { poll(load, when); }, POLL_MS); };
    if (when && !when()) { next(); return; }
    load().then(next);
  }

  if (page === "queue") {
    setUpAlerts();
    poll(loadQueue);
  } else if (page === "chat") {
    document.getElementById("claim").addEventListener("click", function () { act("claim", "Sie führen jetzt diesen Chat."); });
    document.getElementById("handback").addEventListener("click", function () { act("handback", "Der Bot übernimmt wieder."); });
    document.getElementById("close").addEventListener("click", function () {
      if (window.confirm("Chat wirklich beenden? Die Kundin / der Kunde bekommt eine Abschlussnachricht.")) act("close", "Chat beendet.");
    });
    var text = document.getElementById("reply-text");
    var typingSent = 0;
    text.addEventListener("input", function () {
      var now = Date.now();
      if (!text.value.trim() || now - typingSent < TYPING_EVERY_MS) return;
      typingSent = now;
      request("POST", "/api/chats/" + handoffId + "/typing").catch(function () {});  // only a hint
    });
    document.getElementById("reply-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var value = text.value;
      if (!value.trim()) return;
      request("POST", "/api/chats/" + handoffId + "/reply", { text: value }).then(function () {
        // Only what was sent: the agent may already be typing the next message.
        if (text.value === value) text.value = "";
        if (!streamOpen) loadChat();
      }).catch(function (e) { show(e.message, true); });
    });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        document.getElementById("reply-form").requestSubmit();
      }
    });
    document.getElementById("ticket-form").addEventListener("submit", function (event) {
      event.preventDefault();
      request("POST", "/api/chats/" + handoffId + "/ticket", {
        note: document.getElementById("ticket-note").value,
        status: document.getElementById("ticket-status").value,
        area: document.getElementById("ticket-area").value
      }).then(function (result) {
        document.getElementById("ticket-note").value = "";
        show(result.created ? "Störungsmeldung " + result.number + " angelegt." : "Störungsmeldung " + result.number + " aktualisiert.");
        loadChat();
      }).catch(function (e) { show(e.message, true); });
    });
    setUpAlerts();
    poll(loadWaiting);
    loadChat().then(function () {
      openStream();
      poll(loadChat, function () { return !streamOpen; });
    });
  }
})();
