// The phone simulator: texts and calls go to the server, which signs them as Twilio would and
// posts them to the real /sms and /voice webhooks. Call TwiML is walked here, like Twilio does.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const sim = $("sim");
  if (!sim) return;
  const state = { since: parseFloat(sim.dataset.since) || 0, escalation: "", seen: new Set() };
  const call = { sid: "", waiting: null, rest: [], ended: true, digits: "", started: 0 };

  async function api(path, data) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data),
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  function number() { return $("number").value.trim(); }

  function item(list, cls, text, meta) {
    const li = document.createElement("li");
    li.className = cls;
    const body = document.createElement("span");
    body.className = "body";
    body.textContent = text;
    li.appendChild(body);
    if (meta) {
      const small = document.createElement("small");
      small.className = "meta";
      small.textContent = meta;
      li.appendChild(small);
    }
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
    return li;
  }

  function segments(n) { return n + (n === 1 ? " segment" : " segments"); }

  function log(what, detail) {
    const li = document.createElement("li");
    if (detail) {
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = what;
      const pre = document.createElement("pre");
      pre.textContent = detail;
      details.append(summary, pre);
      li.appendChild(details);
    } else {
      li.textContent = what;
    }
    $("log").prepend(li);
    while ($("log").children.length > 30) $("log").lastChild.remove();
  }

  // -- the hotline's view ---------------------------------------------------------------------
  function showPanel(view, label) {
    $("p-conversation").textContent = label;
    const session = view.session;
    $("p-flow").textContent = session ? session.flow : "–";
    $("p-node").textContent = session ? (session.node || "(none: no question waiting)") : "–";
    $("p-language").textContent = session ? session.language : "–";
    const esc = view.escalation;
    const cell = $("p-escalation");
    cell.textContent = "";
    if (!esc) { cell.textContent = "none"; return; }
    state.escalation = esc.id;
    const link = document.createElement("a");
    link.href = esc.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.id = "escalation-link";
    link.textContent = "#" + esc.id + " " + esc.status + (esc.assignee ? " by " + esc.assignee : "");
    cell.append(link, " on the staff dashboard");
  }

  function staffReplies(items) {
    for (const reply of items || []) {
      state.since = Math.max(state.since, reply.at);
      if (state.seen.has(reply.sid)) continue;
      state.seen.add(reply.sid);
      item($("thread"), "in staff", reply.body, "staff reply · " + segments(reply.segments));
    }
  }

  // -- text mode ---------------------------------------------------------------------------
  let sending = Promise.resolve(); // one text at a time, in order, as a carrier delivers them

  function sendText(event) {
    event.preventDefault();
    const input = $("message");
    const body = input.value;
    if (!body.trim()) return;
    input.value = "";
    item($("thread"), "out", body, "to the hotline");
    sending = sending.then(() => deliver(body));
    input.focus();
  }

  async function deliver(body) {
    try {
      const view = await api("/simulator/api/sms", {
        number: number(), body: body, since: state.since, escalation: state.escalation,
      });
      view.replies.forEach((r) => item($("thread"), "in", r.body, segments(r.segments)));
      if (!view.replies.length && view.withheld) {
        item($("thread"), "system withheld", "No reply: " + view.withheld, "withheld by the hotline");
      }
      log("POST /sms (signed) → " + view.replies.length + " reply text(s)" +
        (view.withheld ? " · withheld: " + view.withheld : ""));
      staffReplies(view.outbox);
      showPanel(view, "SMS from " + number());
    } catch (error) {
      item($("thread"), "system", "Not sent: " + error.message);
    }
  }

  async function poll() {
    if (document.hidden || $("text-mode").hidden || !$("thread").children.length) return;
    try {
      const view = await api("/simulator/api/sms/state", {
        number: number(), since: state.since, escalation: state.escalation,
      });
      staffReplies(view.outbox);
      showPanel(view, "SMS from " + number());
    } catch (error) { /* the server restarting: try again next time */ }
  }

  // -- call mode: Twilio's part ------------------------------------------------------------
  function caption(cls, text, meta) { return item($("captions"), cls, text, meta); }

  function speak(text, lang) {
    if (!$("speak").checked || !("speechSynthesis" in window)) return;
    try {
      const utterance = new SpeechSynthesisUtterance(text);
      if (lang) utterance.lang = lang;
      window.speechSynthesis.speak(utterance);
    } catch (error) { /* no voices here: captions only */ }
  }

  function hear(verb) {
    const text = verb.textContent.trim();
    if (verb.tagName === "Say") {
      caption("say", text, verb.getAttribute("language") || "");
      speak(text, verb.getAttribute("language"));
    } else if (verb.tagName === "Play") {
      const path = new URL(text, window.location.href).pathname;
      caption("play", "♪ " + path.split("/").pop(), "recording");
      new Audio(path).play().catch(() => {});
    }
  }

  function setStatus(text) { $("call-status").textContent = text; }

  async function fetchTwiml(url, extra) {
    const params = Object.assign(
      { CallSid: call.sid, From: number(), CallStatus: "in-progress", Direction: "inbound" }, extra);
    const view = await api("/simulator/api/call", { url: url, params: params, escalation: state.escalation });
    call.sid = view.call_sid;
    log("POST " + url + " (signed) → " + view.status, view.twiml);
    showPanel(view, "call " + call.sid.slice(0, 10) + "…");
    if (view.status !== 200) { caption("system", "HTTP " + view.status); return end("Call failed"); }
    const doc = new DOMParser().parseFromString(view.twiml, "text/xml");
    return run(Array.from(doc.documentElement.children));
  }

  async function run(verbs) {
    for (let i = 0; i < verbs.length; i++) {
      const verb = verbs[i];
      const tag = verb.tagName;
      if (tag === "Say" || tag === "Play") {
        hear(verb);
      } else if (tag === "Gather") {
        Array.from(verb.children).forEach(hear);
        return wait(verb, verbs.slice(i + 1), "Waiting for your answer: keypad or say");
      } else if (tag === "Dial" || tag === "Enqueue") {
        showDial(verb);
        return wait(verb, verbs.slice(i + 1), "Ringing…");
      } else if (tag === "Redirect") {
        return fetchTwiml(verb.textContent.trim(), {});
      } else if (tag === "Hangup") {
        return end("The hotline hung up");
      } else if (tag !== "Pause") {
        caption("system", "(unsupported <" + tag + ">)");
      }
    }
    return end("The call ended");
  }

  function wait(verb, rest, status) {
    call.waiting = verb;
    call.rest = rest;
    call.digits = "";
    $("typed").textContent = "";
    setStatus(status);
  }

  function end(status) {
    call.ended = true;
    call.waiting = null;
    $("dial-outcome").hidden = true;
    setStatus(status);
    $("call-start").disabled = false;
  }

  function atGather() { return !call.ended && call.waiting && call.waiting.tagName === "Gather"; }

  function answer(extra) {
    const gather = call.waiting;
    call.waiting = null;
    if (!Object.values(extra).some(Boolean)) return run(call.rest); // nothing: Twilio goes on
    return fetchTwiml(gather.getAttribute("action") || "", extra);
  }

  function press(key) {
    if (!atGather()) return;
    const gather = call.waiting;
    if (!(gather.getAttribute("input") || "dtmf").includes("dtmf")) return;
    const finish = gather.hasAttribute("finishOnKey") ? gather.getAttribute("finishOnKey") : "#";
    const limit = parseInt(gather.getAttribute("numDigits") || "0", 10);
    if (finish && key === finish) return answer({ Digits: call.digits });
    call.digits += key;
    $("typed").textContent = call.digits;
    if (limit && call.digits.length >= limit) return answer({ Digits: call.digits });
  }

  function say(event) {
    event.preventDefault();
    const words = $("say").value.trim();
    if (!words || !atGather()) return;
    $("say").value = "";
    if (!(call.waiting.getAttribute("input") || "").includes("speech")) {
      caption("system", "(this question takes keys only)");
      return;
    }
    caption("you", "“" + words + "”", "you said");
    answer({ SpeechResult: words, Confidence: "0.9" });
  }

  function timeout() {
    if (atGather()) return answer({ Digits: call.digits }); // what was typed, or silence
  }

  function showDial(verb) {
    const numbers = Array.from(verb.getElementsByTagName("Number")).map((n) => n.textContent.trim());
    const what = verb.tagName === "Enqueue"
      ? "Would wait in the queue “" + verb.textContent.trim() + "”."
      : "Would ring " + (numbers.join(", ") || verb.textContent.trim() || "nobody (no numbers set)") + ".";
    caption("system", what + " Choose what happens.");
    $("dial-what").textContent = what;
    $("dial-outcome").hidden = false;
  }

  async function screenAndAccept(verb) {
    // The on-call advocate's leg: hear the screening prompt, press 1 to accept.
    const target = verb.getElementsByTagName("Number")[0];
    if (!target || !target.getAttribute("url")) return;
    const leg = { CallSid: "CA" + randomHex(32), ParentCallSid: call.sid, Direction: "outbound-dial", From: number() };
    const first = await api("/simulator/api/call", { url: target.getAttribute("url"), params: leg });
    const gather = new DOMParser().parseFromString(first.twiml, "text/xml").getElementsByTagName("Gather")[0];
    if (gather) await api("/simulator/api/call", { url: gather.getAttribute("action"), params: Object.assign({ Digits: "1" }, leg) });
    caption("system", "The advocate pressed 1 to accept.");
  }

  async function dialEnds(status) {
    const verb = call.waiting;
    if (call.ended || !verb || verb.tagName === "Gather") return;
    $("dial-outcome").hidden = true;
    call.waiting = null;
    if (status === "completed") await screenAndAccept(verb);
    const action = verb.getAttribute("action");
    if (!action) return run(call.rest);
    const extra = { DialCallStatus: status, DialCallSid: "CA" + randomHex(32) };
    if (status === "completed") extra.DialCallDuration = "60";
    return fetchTwiml(action, extra);
  }

  function randomHex(n) {
    const bytes = new Uint8Array(n / 2);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function startCall() {
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
    $("captions").textContent = "";
    Object.assign(call, { sid: "", waiting: null, rest: [], ended: false, digits: "", started: Date.now() });
    state.escalation = "";
    $("call-start").disabled = true;
    setStatus("Calling…");
    try {
      await fetchTwiml("/voice", { CallStatus: "ringing" });
    } catch (error) {
      caption("system", "Call failed: " + error.message);
      end("Call failed");
    }
  }

  async function hangUp() {
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
    if (call.ended || !call.sid) return;
    const seconds = String(Math.round((Date.now() - call.started) / 1000));
    end("You hung up");
    await api("/simulator/api/call", {
      url: "/voice/status", params: { CallSid: call.sid, From: number(), CallStatus: "completed", CallDuration: seconds },
    }).catch(() => {});
  }

  function guard(fn) {
    return (...args) => Promise.resolve(fn(...args)).catch((error) => caption("system", "Error: " + error.message));
  }

  // -- wiring ------------------------------------------------------------------------------
  function selectMode(mode) {
    for (const name of ["text", "call"]) {
      $("tab-" + name).setAttribute("aria-selected", String(name === mode));
      $(name + "-mode").hidden = name !== mode;
    }
  }

  function newNumber() {
    $("number").value = "+1978555" + String(Math.floor(Math.random() * 10000)).padStart(4, "0");
    $("thread").textContent = "";
    state.escalation = "";
    showPanel({ session: null, escalation: null }, "none yet");
  }

  $("tab-text").addEventListener("click", () => selectMode("text"));
  $("tab-call").addEventListener("click", () => selectMode("call"));
  $("new-number").addEventListener("click", newNumber);
  $("compose").addEventListener("submit", sendText);
  $("say-form").addEventListener("submit", guard(say));
  $("keypad").addEventListener("click", (event) => {
    const key = event.target.closest("button[data-key]");
    if (key) guard(press)(key.dataset.key);
  });
  $("dial-outcome").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-outcome]");
    if (button) guard(dialEnds)(button.dataset.outcome);
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select");
    if (!typing && !$("call-mode").hidden && /^[0-9*#]$/.test(event.key)) guard(press)(event.key);
  });
  $("call-start").addEventListener("click", startCall);
  $("wait").addEventListener("click", guard(timeout));
  $("hang-up").addEventListener("click", guard(hangUp));
  window.setInterval(poll, 1500);
})();
