// Live updates of a conversation by short polling of its JSON (the queue: queue.js).
// Texter text only ever goes in textContent.
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

  var transcript = document.getElementById("transcript");
  if (transcript) poll(transcript.dataset.source, renderConversation(transcript));
})();
