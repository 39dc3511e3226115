// Shared by every page: session id, display options, opening hours, reading aloud, staff call.
// Text from the server or the visitor is only ever set with textContent.
"use strict";

const Guide = (() => {
  const body = document.body;
  const strings = JSON.parse(body.dataset.strings || "{}");
  const OPTIONS = ["large", "contrast", "furigana"];
  const transcript = [];

  // crypto.randomUUID needs a secure context; counter tablets may use plain http.
  function newSessionId() {
    if (window.crypto && typeof crypto.randomUUID === "function" && window.isSecureContext) {
      return crypto.randomUUID();
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  let sessionId = newSessionId();

  // --- display options (kept for this browser tab, cleared by the idle reset) ---
  function setOption(name, on) {
    body.classList.toggle(name, on);
    for (const b of document.querySelectorAll(`[data-option="${name}"]`)) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
    try { sessionStorage.setItem("option-" + name, on ? "1" : ""); } catch (e) { /* private mode */ }
  }
  function resetOptions() { OPTIONS.forEach((name) => setOption(name, false)); }
  function anyOption() { return OPTIONS.some((name) => body.classList.contains(name)); }
  for (const b of document.querySelectorAll("[data-option]")) {
    b.addEventListener("click", () => setOption(b.dataset.option, !body.classList.contains(b.dataset.option)));
  }
  for (const name of OPTIONS) {
    let on = false;
    try { on = sessionStorage.getItem("option-" + name) === "1"; } catch (e) { /* private mode */ }
    if (on) setOption(name, true);
  }

  // --- opening hours banner ---
  const hours = document.getElementById("hours");
  async function refreshHours() {
    if (!hours) return;
    try {
      const resp = await fetch("/api/hours", {headers: {"Accept": "application/json"}});
      if (!resp.ok) return;
      const data = await resp.json();
      hours.querySelector(".hours-label").textContent = data.label;
      hours.querySelector(".hours-today").textContent = data.today;
      hours.classList.toggle("hours-closed", !data.open);
    } catch (e) { /* keep the last text */ }
  }
  setInterval(refreshHours, 60 * 1000);

  // --- reading aloud ---
  function canSpeak() { return "speechSynthesis" in window && "SpeechSynthesisUtterance" in window; }
  // The button that started the current reading shows 「読み上げを止める」 until it ends.
  let speakingButton = null;
  function markSpeaking(button) {
    if (speakingButton) {
      speakingButton.textContent = strings.speak;
      speakingButton.setAttribute("aria-pressed", "false");
    }
    speakingButton = button;
    if (button) {
      button.textContent = strings.stop;
      button.setAttribute("aria-pressed", "true");
    }
  }
  function toggleSpeech(text, button, tag) {
    if (speakingButton === button) { stopSpeaking(); return; }
    speak(text, button, tag);
  }
  // In the language's voice where the browser has one (ko-KR, vi-VN, …; "en" takes any en-*).
  function speak(text, button = null, tag = null) {
    if (!canSpeak() || !text) return;
    speechSynthesis.cancel();
    const lang = tag || document.body.dataset.langTag || "ja-JP";
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.addEventListener("end", () => { if (speakingButton === button) markSpeaking(null); });
    utterance.addEventListener("error", () => { if (speakingButton === button) markSpeaking(null); });
    markSpeaking(button);
    utterance.lang = lang;
    const norm = (l) => (l || "").replace("_", "-").toLowerCase();
    const voices = speechSynthesis.getVoices();
    const voice = voices.find((v) => norm(v.lang) === norm(lang)) ||
      voices.find((v) => norm(v.lang).split("-")[0] === norm(lang).split("-")[0]);
    if (voice) utterance.voice = voice;
    speechSynthesis.speak(utterance);
  }
  function stopSpeaking() {
    markSpeaking(null);
    if (canSpeak()) speechSynthesis.cancel();
  }
  // A map wider than a phone scrolls in its box: start with the destination (or the lift) in view.
  function centreMaps(root) {
    for (const box of root.querySelectorAll(".map-scroll")) {
      if (box.scrollWidth <= box.clientWidth) continue;
      const mark = box.querySelector("[data-highlight='true']") || box.querySelector("[data-here]");
      if (!mark) continue;
      const b = box.getBoundingClientRect();
      const m = mark.getBoundingClientRect();
      box.scrollLeft += m.left + m.width / 2 - (b.left + b.width / 2);
    }
  }
  function enhance(root) {
    centreMaps(root);
    if (!canSpeak()) return;
    for (const b of root.querySelectorAll(".speak-button")) b.hidden = false;
  }
  document.addEventListener("click", (ev) => {
    const button = ev.target.closest("[data-speak-target='card']");
    const cardEl = button?.closest(".answer-card");
    if (button) toggleSpeech(cardEl?.dataset.speak || "", button, cardEl?.lang);
    const print = ev.target.closest("[data-action='print']");
    if (print) window.print();
  });
  enhance(document);

  // --- calling staff ---
  const dialog = document.getElementById("staff-dialog");
  async function callStaff() {
    if (!dialog) return;
    const message = document.getElementById("staff-dialog-message");
    const error = document.getElementById("staff-dialog-error");
    const title = document.getElementById("staff-dialog-title");
    message.textContent = "";
    error.hidden = true;
    title.textContent = strings.staffCalled;
    dialog.querySelector(".staff-desk").hidden = false;
    if (!dialog.open) dialog.showModal();
    // The newest turns, shortened, stay well under the API's size limit.
    const recent = transcript.slice(-20).map((t) => ({who: t.who, text: t.text.slice(0, 300)}));
    try {
      const resp = await fetch("/api/staff-call", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({session_id: sessionId, transcript: recent}),
      });
      const data = await resp.json();
      if (!resp.ok) throw new Error(data.error ? data.error.code : resp.status);
      message.textContent = data.message;
      if (data.closed) {
        // After hours nobody is called: the title must not say so, nor point to the desk.
        title.textContent = strings.staffClosed;
        dialog.querySelector(".staff-desk").hidden = true;
      }
    } catch (e) {
      error.hidden = false;
    }
  }
  const staffButton = document.getElementById("call-staff");
  if (staffButton) staffButton.addEventListener("click", callStaff);
  if (dialog) {
    dialog.querySelector("[data-close-dialog]").addEventListener("click", () => dialog.close());
  }
  function closeDialog() { if (dialog && dialog.open) dialog.close(); }

  return {
    strings, transcript, speak, toggleSpeech, stopSpeaking, canSpeak, enhance, callStaff, closeDialog,
    resetOptions, anyOption,
    get sessionId() { return sessionId; },
    newSession() { sessionId = newSessionId(); transcript.length = 0; return sessionId; },
  };
})();
