// The queue as cards, kept live from /staff/queue.json: yours first, then waiting (urgent,
// your languages, longest wait), tips, others in progress. Opt-in alert for a new urgent
// escalation: a browser notification (Notifications API) and a chime served by the hotline.
// Texter and staff words only ever go in textContent.
(function () {
  "use strict";
  var INTERVAL = 2000;
  var OPT_IN = "hotline.urgentAlerts";
  var root = document.getElementById("queue-cards");
  if (!root) return;
  var me = root.dataset.me;
  var etag = "";
  var known = null; // ids of urgent escalations already seen (null until the first answer)
  var held = null; // ids of conversations handed to me already seen (null: first answer)
  var audio = null;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function card(row) {
    var li = el("li", undefined, "card p" + row.priority + (row.match ? " match" : "") +
      (row.mine ? " mine" : ""));
    li.dataset.id = row.id;
    var head = el("div", undefined, "card-head");
    var a = el("a", "Open #" + row.id); a.href = row.url; head.appendChild(a);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("span", row.priority_label, "priority"));
    if (row.unread) {
      head.appendChild(document.createTextNode(" "));
      var badge = el("span", row.unread + " new", "badge");
      badge.setAttribute("aria-label", row.unread + " new message" + (row.unread > 1 ? "s" : ""));
      head.appendChild(badge);
    }
    li.appendChild(head);
    li.appendChild(el("p", row.kind + " · " + row.language + (row.match ? " ✓" : "") + " · " +
      row.channel, "card-line"));
    li.appendChild(el("p", "Since " + row.since + " (waiting " + row.waiting + ") · " +
      row.consent, "card-line"));
    if (row.flag) li.appendChild(el("p", "Flagged: " + row.flag, "card-line flag"));
    if (row.assignee) li.appendChild(el("p", row.status + " · " + row.assignee, "card-line"));
    if (row.handoff) {
      var p = el("p", "From " + row.handoff.from + " · " + row.handoff.at + ": ", "card-line handoff");
      p.appendChild(el("span", row.handoff.note, "text"));
      li.appendChild(p);
    }
    return li;
  }

  function fill(section, rows, total) {
    var list = document.getElementById(section);
    if (!list) return;
    var items = rows.length ? rows.map(card) : [el("li", "None", "empty")];
    list.replaceChildren.apply(list, items);
    var count = document.getElementById("n-" + section);
    if (typeof total !== "number" || total < rows.length) total = rows.length;
    if (count) {
      count.textContent = String(total) +
        (total > rows.length ? " (first " + rows.length + " shown)" : "");
    }
  }

  function render(data) {
    var progress = data.in_progress || [];
    var totals = data.totals || {};
    var mine = progress.filter(function (r) { return r.mine || r.assignee === me; });
    fill("mine", mine, mine.length);
    fill("waiting", data.waiting || [], totals.waiting);
    fill("tips", data.tips || [], totals.tips);
    fill("in_progress", progress.filter(function (r) { return !(r.mine || r.assignee === me); }),
      typeof totals.in_progress === "number" ? totals.in_progress - mine.length : undefined);
    watchUrgent(data.waiting || []);
    watchHandedToMe(mine);
  }

  // -- urgent alerts ----------------------------------------------------------------------------
  function optedIn() { return localStorage.getItem(OPT_IN) === "1"; }

  function watchUrgent(waiting) {
    var urgent = waiting.filter(function (r) { return r.priority === 1; });
    var fresh = known === null ? [] : urgent.filter(function (r) { return !known[r.id]; });
    known = {};
    urgent.forEach(function (r) { known[r.id] = true; });
    if (fresh.length && optedIn()) announce(fresh[0]);
  }

  function watchHandedToMe(mine) {
    var handed = mine.filter(function (r) { return r.handoff && r.handoff.to === me; });
    var fresh = held === null ? [] : handed.filter(function (r) { return !held[r.id]; });
    held = {};
    handed.forEach(function (r) { held[r.id] = true; });
    if (fresh.length && optedIn()) {
      announce(fresh[0], "Handed to you: #" + fresh[0].id + ", from " + fresh[0].handoff.from + ".",
        "A conversation was handed to you");
    }
  }

  function announce(row, said, title) {
    root.dataset.alerted = row.id; // for tests and screen readers' live region below
    var live = document.getElementById("alerts-state");
    if (live) live.textContent = said || "New urgent escalation #" + row.id + " waiting.";
    if (audio) { audio.currentTime = 0; audio.play().catch(function () {}); }
    if ("Notification" in window && Notification.permission === "granted") {
      // Neutral words only: an advocate's lock screen may show them too.
      var n = new Notification(title || "Urgent: someone is waiting",
        { body: "Open the queue (#" + row.id + ")", tag: "alert-" + row.id });
      n.onclick = function () { window.focus(); location.href = row.url; };
    }
  }

  function showState() {
    var button = document.getElementById("alerts-on");
    var state = document.getElementById("alerts-state");
    var on = optedIn();
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Turn off urgent alerts" : "Turn on urgent alerts (notification and sound)";
    var how = !("Notification" in window) ? "sound only (no notifications in this browser)"
      : Notification.permission === "granted" ? "notification and sound"
      : Notification.permission === "denied" ? "sound only (notifications blocked in this browser)"
      : "sound only";
    state.textContent = on ? "Urgent alerts on: " + how + "." : "Urgent alerts off.";
  }

  function setUpAlerts() {
    var box = document.getElementById("alerts");
    var button = document.getElementById("alerts-on");
    if (!box || !button) return;
    box.hidden = false;
    audio = new Audio(root.dataset.sound);
    audio.preload = "auto";
    button.addEventListener("click", function () {
      if (optedIn()) { localStorage.removeItem(OPT_IN); showState(); return; }
      localStorage.setItem(OPT_IN, "1");
      audio.play().catch(function () {}); // a click lets the page play sound from now on
      if ("Notification" in window && Notification.permission === "default") {
        Notification.requestPermission().then(showState, showState);
      }
      showState();
    });
    showState();
  }

  // -- polling ----------------------------------------------------------------------------------
  function tick() {
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(root.dataset.source, { credentials: "same-origin", headers: headers, cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) { location.reload(); return null; }
        if (r.status === 304) return null;
        etag = r.headers.get("ETag") || "";
        return r.json();
      })
      .then(function (data) { if (data) render(data); })
      .catch(function () {})
      .then(function () { setTimeout(tick, INTERVAL); });
  }

  setUpAlerts();
  tick();
})();
