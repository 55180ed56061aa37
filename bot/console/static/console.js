// Agent console: polls the queue and the open chat every 1.5 s and renders with
// textContent only (customer text is never interpreted as HTML).
(function () {
  "use strict";
  var POLL_MS = 1500;
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

  function fill(tbodyId, emptyId, rows, makeRow) {
    var body = document.getElementById(tbodyId);
    body.textContent = "";
    rows.forEach(function (row) { body.appendChild(makeRow(row)); });
    if (emptyId) document.getElementById(emptyId).hidden = rows.length > 0;
  }

  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (cell) {
      var td = document.createElement("td");
      if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null || cell === undefined ? "" : String(cell);
      tr.appendChild(td);
    });
    return tr;
  }

  function claim(id) {
    return request("POST", "/api/chats/" + id + "/claim").then(function () {
      window.location.href = "/chats/" + id;
    }).catch(function (e) { show(e.message, true); });
  }

  // ---------------------------------------------------------------- queue page
  function loadQueue() {
    return request("GET", "/api/queue").then(function (data) {
      var line = document.getElementById("status-line");
      line.textContent = data.waiting.length + " wartend · " + data.active.length + " im Gespräch · " +
        data.agents_online + " Mitarbeiter online" + (data.in_service_hours ? "" : " · außerhalb der Servicezeit");
      fill("waiting", "waiting-empty", data.waiting, function (h) {
        var actions = el("span", null, "row-actions");
        actions.appendChild(button("Übernehmen", function () { claim(h.id); }, "primary claim"));
        actions.appendChild(link("Ansehen", "/chats/" + h.id));
        var tr = row([since(h.created_at), h.area, h.verdict, h.reason, h.channel, actions]);
        tr.setAttribute("data-handoff", h.id);
        return tr;
      });
      fill("active", "active-empty", data.active, function (h) {
        return row([since(h.claimed_at), h.area, h.verdict, h.agent + (h.mine ? " (Sie)" : ""), link(h.mine ? "Weiter" : "Ansehen", "/chats/" + h.id)]);
      });
      fill("callbacks", "callbacks-empty", data.callbacks, function (h) {
        var done = button("Erledigt", function () {
          request("POST", "/api/callbacks/" + h.id + "/done", { note: "" }).then(loadQueue).catch(function (e) { show(e.message, true); });
        });
        return row([since(h.created_at), h.contact, h.area, h.summary, done]);
      });
      fill("recent", null, data.recent, function (h) {
        return row([clock(h.created_at), h.area, h.status_label, h.agent || "–", link("Ansehen", "/chats/" + h.id)]);
      });
    }).catch(function (e) { show(e.message, true); });
  }

  // ----------------------------------------------------------------- chat page
  var handoffId = document.body.getAttribute("data-handoff");
  var shownLines = -1;

  function renderChat(data) {
    var h = data.handoff;
    document.getElementById("chat-status").textContent = h.status_label + (h.agent ? " · " + h.agent : "");
    document.getElementById("f-area").textContent = h.area;
    document.getElementById("f-verdict").textContent = h.verdict;
    document.getElementById("f-reason").textContent = h.reason;
    document.getElementById("f-channel").textContent = h.live ? h.channel :
      h.channel + " (dieser Kanal bekommt Ihre Nachrichten nicht sofort angezeigt)";
    document.getElementById("f-agent").textContent = h.agent || "–";
    document.getElementById("summary").textContent = h.summary || "–";
    var active = h.status === "active" && h.mine;
    document.getElementById("claim").hidden = h.status !== "waiting";
    document.getElementById("handback").hidden = !active;
    document.getElementById("close").hidden = !active;
    document.getElementById("reply-form").hidden = !active;
    document.getElementById("ticket-form").hidden = !active;
    var info = document.getElementById("ticket-info");
    if (data.ticket) {
      info.textContent = "Nummer " + data.ticket.number + ", Status: " + data.ticket.status;
      data.ticket.history.forEach(function (h) {
        var parts = [clock(h.at), h.actor, h.status, h.note].filter(function (p) { return p; });
        info.appendChild(el("span", parts.join(" · "), "history"));
      });
      document.getElementById("ticket-submit").textContent = "Notiz/Status speichern";
    } else {
      info.textContent = data.identified ? "Keine Störungsmeldung zu diesem Chat." :
        "Keine Störungsmeldung. Für eine neue fehlen noch Kundennummer und Postleitzahl.";
      document.getElementById("ticket-submit").textContent = "Störungsmeldung anlegen";
    }
    if (data.lines.length !== shownLines) {
      var list = document.getElementById("transcript");
      var atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 20;
      list.textContent = "";
      data.lines.forEach(function (line) {
        // A button press or the chat opening is what the server recorded, not what
        // the customer typed (bot/rasa_api.py): shown as an action, not as words.
        var action = line.who === "customer" && (line.input === "button" || line.input === "command");
        var li = el("li", null, "line " + line.who + (action ? " action" : ""));
        var who = line.who === "customer" ? "Kunde" : line.who === "agent" ? (line.name || "Mitarbeiter") : line.who === "bot" ? "Bot" : "Hinweis";
        var how = line.input === "button" ? " · hat auf einen Knopf gedrückt" : "";
        li.appendChild(el("span", who + how + " · " + clock(line.at), "meta"));
        li.appendChild(el("p", line.input === "button" ? "▸ " + line.text : line.text, "text"));
        list.appendChild(li);
      });
      if (atBottom || shownLines < 0) list.scrollTop = list.scrollHeight;
      shownLines = data.lines.length;
    }
  }

  function loadChat() {
    return request("GET", "/api/chats/" + handoffId).then(renderChat).catch(function (e) { show(e.message, true); });
  }

  function act(path, done) {
    return request("POST", "/api/chats/" + handoffId + "/" + path).then(function () {
      if (done) show(done);
      loadChat();
    }).catch(function (e) { show(e.message, true); });
  }

  // Poll again only after the previous answer came (no pile-up when slow).
  function poll(load) {
    load().then(function () { setTimeout(function () { poll(load); }, POLL_MS); });
  }

  if (page === "queue") {
    poll(loadQueue);
  } else if (page === "chat") {
    document.getElementById("claim").addEventListener("click", function () { act("claim", "Sie führen jetzt diesen Chat."); });
    document.getElementById("handback").addEventListener("click", function () { act("handback", "Der Bot übernimmt wieder."); });
    document.getElementById("close").addEventListener("click", function () {
      if (window.confirm("Chat wirklich beenden? Die Kundin / der Kunde bekommt eine Abschlussnachricht.")) act("close", "Chat beendet.");
    });
    var text = document.getElementById("reply-text");
    document.getElementById("reply-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var value = text.value;
      if (!value.trim()) return;
      request("POST", "/api/chats/" + handoffId + "/reply", { text: value }).then(function () {
        text.value = "";
        loadChat();
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
    poll(loadChat);
  }
})();
