// The conversation page's reply tools: a canned reply or a resource card goes into the reply
// box where the cursor is, to edit before sending; no page load, so a draft is never lost.
// Without this script the same forms and links reload the page with the text in the box.
// Texts only ever go in textContent or a textarea's value.
(function () {
  "use strict";
  var box = document.getElementById("reply");
  if (!box) return;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function insert(text) {
    if (box.disabled) return;
    var start = box.selectionStart, end = box.selectionEnd, value = box.value;
    var before = value.slice(0, start), after = value.slice(end);
    var lead = before && !/\s$/.test(before) ? " " : "";
    box.value = before + lead + text + after;
    var caret = (before + lead + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  var canned = document.getElementById("canned-form");
  if (canned) {
    canned.addEventListener("submit", function (event) {
      event.preventDefault();
      var select = document.getElementById("canned");
      var option = select.options[select.selectedIndex];
      if (option) insert(option.dataset.text);
    });
  }

  function cardItem(card) {
    var li = el("li");
    li.appendChild(el("strong", card.name));
    if (card.town) li.appendChild(document.createTextNode(" · " + card.town));
    li.appendChild(el("pre", card.text, "card-text"));
    var button = el("button", "Insert this card", "insert-card");
    button.type = "button";
    button.addEventListener("click", function () { insert(card.text); });
    li.appendChild(button);
    return li;
  }

  function showCards(data, where) {
    var out = document.getElementById("card-results");
    if (data.error) { out.replaceChildren(el("p", data.error, "error")); return; }
    if (data.status === "not_found") {
      out.replaceChildren(el("p", "No place found for “" + where + "”."));
      return;
    }
    var list = el("ol", undefined, "cards-list");
    if (!data.cards.length) list.appendChild(el("li", "Nothing found."));
    data.cards.forEach(function (card) { list.appendChild(cardItem(card)); });
    out.replaceChildren(list);
  }

  var cardForm = document.getElementById("card-form");
  if (cardForm) {
    cardForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var where = document.getElementById("card-where").value.trim();
      var category = document.getElementById("card-category").value;
      if (!where) return;
      var url = cardForm.dataset.source + "?where=" + encodeURIComponent(where) +
        "&category=" + encodeURIComponent(category);
      document.getElementById("card-results").replaceChildren(el("p", "Searching…", "hint"));
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (r.status === 401) { location.reload(); } return r.json(); })
        .then(function (data) { showCards(data, where); })
        .catch(function () {
          showCards({ error: "The resource directory did not answer: try again." }, where);
        });
    });
  }

  // Cards the server rendered (a search without script, then script loaded): insert in place.
  Array.prototype.forEach.call(document.querySelectorAll("a.insert-card"), function (a) {
    a.addEventListener("click", function (event) {
      if (box.disabled) return;
      event.preventDefault();
      insert(a.dataset.text);
    });
  });
})();
