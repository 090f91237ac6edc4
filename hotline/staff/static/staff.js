// Live updates by short polling of JSON endpoints. Texter text only ever goes in textContent.
(function () {
  "use strict";
  var INTERVAL = 1500;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  // The server answers 304 (no body, no records read) while the data is unchanged: the
  // last ETag goes back as If-None-Match (pages are no-store, so the browser keeps nothing).
  function poll(url, render) {
    var etag = "";
    function tick() {
      var headers = { Accept: "application/json" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(url, { credentials: "same-origin", headers: headers })
        .then(function (r) {
          if (r.status === 401) { location.reload(); }
          if (r.status === 304) return null;
          etag = r.headers.get("ETag") || "";
          return r.json();
        })
        .then(function (data) { if (data) render(data); })
        .catch(function () {})
        .then(function () { setTimeout(tick, INTERVAL); });
    }
    setTimeout(tick, INTERVAL);
  }

  function queueRow(row) {
    var tr = el("tr", undefined, "p" + row.priority + (row.match ? " match" : ""));
    var first = el("td"); var a = el("a", "Open #" + row.id); a.href = row.url; first.appendChild(a);
    tr.appendChild(first);
    tr.appendChild(el("td", row.priority_label + (row.flag ? " · " + row.flag : "")));
    tr.appendChild(el("td", row.kind));
    tr.appendChild(el("td", row.language + (row.match ? " ✓" : "")));
    tr.appendChild(el("td", row.channel));
    tr.appendChild(el("td", row.waiting));
    tr.appendChild(el("td", row.consent));
    tr.appendChild(el("td", row.status + (row.assignee ? " · " + row.assignee : "")));
    return tr;
  }

  function renderQueue(data) {
    ["waiting", "tips", "in_progress"].forEach(function (section) {
      var body = document.getElementById(section);
      if (!body) return;
      var rows = data[section] || [];
      body.replaceChildren.apply(body, rows.length ? rows.map(queueRow) : [emptyRow()]);
    });
  }

  function emptyRow() {
    var tr = el("tr", undefined, "empty"); var td = el("td", "None"); td.colSpan = 8;
    tr.appendChild(td); return tr;
  }

  function entryItem(entry) {
    var li = el("li", undefined, "by-" + entry.by);
    var meta = entry.at + " · " + (entry.name || entry.by);
    if (entry.state) meta += " · " + entry.state;
    if (entry.error) meta += " · " + entry.error;
    li.appendChild(el("span", meta, "meta"));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", entry.text, "text"));
    return li;
  }

  function renderConversation(list) {
    return function (data) {
      list.replaceChildren.apply(list, data.entries.map(entryItem));
      var status = data.status + "|" + data.assignee + "|" + (data.gate.allowed ? "True" : "False");
      var reply = document.getElementById("reply");
      if (status !== list.dataset.status && !(reply && reply.value)) location.reload();
    };
  }

  var queue = document.getElementById("queue");
  if (queue) poll(queue.dataset.source, renderQueue);
  var transcript = document.getElementById("transcript");
  if (transcript) poll(transcript.dataset.source, renderConversation(transcript));
})();
