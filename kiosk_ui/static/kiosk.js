// The lobby kiosk: start screen → category → procedure, free questions, answers with a
// card (destination, map, QR), and the idle reset that clears the screen for the next visitor.
"use strict";

(() => {
  const S = Guide.strings;
  const body = document.body;
  const log = document.getElementById("log");
  const card = document.getElementById("card");
  const busy = document.getElementById("busy");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");
  const sendButton = form.querySelector(".send-button");
  const voice = document.getElementById("voice");
  const paused = document.getElementById("paused");
  const screens = Array.from(document.querySelectorAll(".screen"));
  let generation = 0;   // answers that arrive after a reset are dropped
  let degraded = false;
  // The page's language (the language button) and the language of the last answer.
  const defaultLang = body.dataset.defaultLang || "ja";
  const pageLang = body.dataset.lang || defaultLang;
  const pageTag = body.dataset.langTag || "ja-JP";
  const LANG_TAGS = Object.fromEntries(Array.from(document.querySelectorAll(".lang-choice"))
    .map((a) => [a.dataset.lang, a.lang]));
  let answerLang = pageLang;
  let answerTag = pageTag;

  // --- screens ---
  function currentScreen() { return screens.find((s) => !s.hidden); }
  function showScreen(id, focus = true) {
    for (const s of screens) s.hidden = s.id !== id;
    const title = document.getElementById(id)?.querySelector(".screen-title");
    if (title && focus) {
      title.setAttribute("tabindex", "-1");
      title.focus({preventScroll: false});
    }
    window.scrollTo(0, 0);
  }
  for (const b of document.querySelectorAll("[data-category]")) {
    b.addEventListener("click", () => showScreen("screen-category-" + b.dataset.category));
  }
  for (const b of document.querySelectorAll("[data-show-screen]")) {
    b.addEventListener("click", () => showScreen(b.dataset.showScreen));
  }
  for (const b of document.querySelectorAll("[data-go='start']")) {
    b.addEventListener("click", () => showScreen("screen-start"));
  }
  for (const b of document.querySelectorAll(".procedure-button")) {
    b.addEventListener("click", () => send({payload: b.dataset.payload}, b.dataset.title));
  }

  // --- conversation ---
  // Screen readers get the plain sentence; <ruby> pieces would be read word by word.
  function rubyText(parent, text, pieces) {
    if (!Array.isArray(pieces) || !pieces.some((piece) => piece[1])) { parent.textContent = text; return; }
    const plain = document.createElement("span");
    plain.className = "visually-hidden";
    plain.textContent = text;
    const shown = document.createElement("span");
    shown.setAttribute("aria-hidden", "true");
    parent.append(plain, shown);
    for (const [base, reading] of pieces) {
      if (reading) {
        const ruby = document.createElement("ruby");
        ruby.textContent = base;
        const rt = document.createElement("rt");
        rt.textContent = reading;
        ruby.appendChild(rt);
        shown.appendChild(ruby);
      } else {
        shown.appendChild(document.createTextNode(base));
      }
    }
  }

  function addMessage(who, text, pieces, buttons) {
    const li = document.createElement("li");
    const box = document.createElement("div");
    box.className = "msg msg-" + who;
    const label = document.createElement("span");
    label.className = "msg-who";
    label.textContent = who === "visitor" ? S.you : S.guide;
    const p = document.createElement("p");
    p.className = "msg-text";
    p.lang = who === "bot" ? answerTag : pageTag;
    rubyText(p, text, pieces);
    box.append(label, p);
    if (who === "bot" && Guide.canSpeak()) {
      const speak = document.createElement("button");
      speak.type = "button";
      speak.className = "speak-button";
      speak.textContent = S.speak;
      const tag = answerTag;
      speak.addEventListener("click", () => Guide.toggleSpeech(text, speak, tag));
      box.appendChild(speak);
    }
    if (buttons && buttons.length) {
      const row = document.createElement("div");
      row.className = "msg-buttons";
      for (const b of buttons) {
        if (!b || typeof b.title !== "string" || typeof b.payload !== "string") continue;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "choice-button";
        button.lang = answerTag;
        button.textContent = b.title;
        button.addEventListener("click", () => send({payload: b.payload}, b.title));
        row.appendChild(button);
      }
      box.appendChild(row);
    }
    li.appendChild(box);
    log.appendChild(li);
    Guide.transcript.push({who, text});
    li.scrollIntoView({block: "nearest"});
  }

  function target(data) {
    if (data.procedure && data.procedure.id) return {kind: "procedure", id: data.procedure.id};
    if (data.destination && data.destination.section_id) {
      return {kind: "section", id: data.destination.section_id, desk: data.destination.desk};
    }
    if (data.redirect && data.redirect.id) return {kind: "redirect", id: data.redirect.id};
    if (data.program && data.program.id) return {kind: "program", id: data.program.id};
    if (data.facility && data.facility.id) return {kind: "facility", id: data.facility.id};
    return null;
  }

  // A visit plan or a garbage item has a card of its own; else the answered entry's card.
  // The card in the language the guide answered in (typed Korean on a Japanese page, too).
  function cardUrl(data) {
    const lang = "?lang=" + encodeURIComponent(answerLang);
    if (Array.isArray(data.plan) && data.life_event && data.life_event.id) {
      return `/fragment/plan/${encodeURIComponent(data.life_event.id)}${lang}`;
    }
    if (data.sorting) {
      return "/fragment/sorting/" + (data.sorting.item ? encodeURIComponent(data.sorting.item) : "") + lang;
    }
    const t = target(data);
    if (!t) return null;
    let url = `/fragment/answer/${encodeURIComponent(t.kind)}/${encodeURIComponent(t.id)}${lang}`;
    if (t.desk) url += "&desk=" + encodeURIComponent(t.desk);
    return url;
  }

  async function loadCard(url, gen) {
    if (!url) { card.replaceChildren(); return; }
    try {
      const resp = await fetch(url);
      if (!resp.ok) throw new Error(String(resp.status));
      // The fragment is server-rendered with every text escaped (Jinja autoescape).
      const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
      if (gen !== generation) return;
      card.replaceChildren(...Array.from(doc.body.childNodes));
      card.scrollTop = 0;
      Guide.enhance(card);
    } catch (e) {
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = S.cardError;
      card.replaceChildren(p);
    }
  }

  async function send(message, shown) {
    const gen = generation;
    // The next question replaces the card whose button could stop the reading: stop it now.
    Guide.stopSpeaking();
    if (currentScreen()?.id !== "screen-answer") showScreen("screen-answer", false);
    addMessage("visitor", shown);
    busy.hidden = false;
    sendButton.disabled = true;
    let data = null;
    try {
      const resp = await fetch("/api/chat", {
        method: "POST", headers: {"Content-Type": "application/json"},
        // The language button's choice; on the default page the guide detects the language.
        body: JSON.stringify({session_id: Guide.sessionId, ...message,
                              ...(pageLang !== defaultLang ? {lang: pageLang} : {})}),
      });
      data = await resp.json();
      if (!resp.ok) throw new Error(data.error ? data.error.message : String(resp.status));
    } catch (e) {
      if (gen === generation) addMessage("bot", S.error);
      data = null;
    } finally {
      busy.hidden = true;
      sendButton.disabled = degraded;
    }
    if (!data || gen !== generation) return;
    if (data.degraded) setDegraded(true);
    if (typeof data.lang === "string" && LANG_TAGS[data.lang]) {
      answerLang = data.lang;
      answerTag = LANG_TAGS[data.lang];
    }
    const url = cardUrl(data);
    // The card says 「確認中」 itself: with a card on screen the chat does not repeat it.
    const replies = (Array.isArray(data.replies) ? data.replies : []).filter((r) => !(url && r.card_note));
    const anyButtons = replies.some((r) => r.buttons && r.buttons.length);
    replies.forEach((r, i) => {
      const extra = !anyButtons && i === replies.length - 1 ? data.choices : null;
      addMessage("bot", r.text, r.ruby, r.buttons || extra);
    });
    await loadCard(url, gen);
    if (data.staff_call) Guide.callStaff();
    touch();
  }

  // Follow-ups on the current answer: ask about it, enlarge its map, or call staff.
  card.addEventListener("click", (ev) => {
    const button = ev.target.closest(".followup-button");
    if (!button) return;
    if (button.dataset.followup) {
      send({payload: button.dataset.followup}, button.dataset.title);
    } else if (button.dataset.followupAction === "map") {
      const article = card.querySelector(".answer-card");
      const on = !article.classList.contains("map-zoom");
      article.classList.toggle("map-zoom", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      card.querySelector(".map-box")?.scrollIntoView({block: "start"});
    } else if (button.dataset.followupAction === "staff") {
      Guide.callStaff();
    }
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text || degraded) return;
    input.value = "";
    send({text}, text);
  });

  // --- voice input, where the browser has it ---
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  const voiceState = document.getElementById("voice-status");
  // Errors that say the microphone or the speech service cannot be used at all (no
  // permission, no microphone, no service): trying again will not help, typing will.
  const UNAVAILABLE = ["not-allowed", "service-not-allowed", "audio-capture", "network",
                       "language-not-supported"];
  // What the microphone is doing, said on screen and to screen readers (role=status).
  function voiceStatus(text, state = "") {
    voiceState.textContent = text;
    voiceState.hidden = !text;
    voiceState.dataset.state = state;
  }
  // Recognition failed: say why in words and put the cursor in the question box.
  function offerTyping(text, state) {
    voiceStatus(text, state);
    if (!input.disabled) input.focus();
  }
  if (Recognition) {
    voice.hidden = false;
    let listening = null;
    voice.addEventListener("click", () => {
      if (listening) { listening.stop(); return; }
      const rec = new Recognition();
      rec.lang = pageTag;
      rec.interimResults = false;
      rec.maxAlternatives = 1;
      let heard = false;
      let failed = false;
      rec.addEventListener("result", (ev) => {
        heard = true;
        input.value = ev.results[0][0].transcript;
        voiceStatus(S.heard.replace("{text}", input.value), "heard");
        form.requestSubmit();
      });
      rec.addEventListener("error", (ev) => {
        failed = true;
        if (UNAVAILABLE.includes(ev.error)) offerTyping(S.voiceUnavailable, "unavailable");
        else offerTyping(S.notHeard, "not-heard");
      });
      rec.addEventListener("end", () => {
        listening = null;
        voice.setAttribute("aria-pressed", "false");
        voice.textContent = S.voice;
        if (!heard && !failed) offerTyping(S.notHeard, "not-heard");
      });
      try {
        rec.start();
        listening = rec;
        voice.setAttribute("aria-pressed", "true");
        voice.textContent = S.voiceStop;
        voiceStatus(S.listening, "listening");
      } catch (e) {
        listening = null;
        offerTyping(S.voiceUnavailable, "unavailable");
      }
    });
  }

  // --- degraded mode: free questions paused, menus and maps still work ---
  function setDegraded(on) {
    degraded = on;
    paused.hidden = !on;
    input.disabled = on;
    sendButton.disabled = on;
    voice.disabled = on;
  }
  async function checkHealth() {
    try {
      const resp = await fetch("/api/health");
      const data = await resp.json();
      setDegraded(Boolean(data.degraded));
    } catch (e) {
      setDegraded(true);
    }
  }
  checkHealth();
  setInterval(checkHealth, 30 * 1000);

  // --- idle reset: a shared screen forgets the visitor ---
  const idleSeconds = Math.max(1, Number(body.dataset.idleSeconds) || 60);
  // The countdown covers the last 10 s, never more than half of the idle period.
  const warnSeconds = Math.min(10, idleSeconds / 2);
  const warning = document.getElementById("idle-warning");
  const count = document.getElementById("idle-count");
  let lastTouch = Date.now();

  function touch() {
    lastTouch = Date.now();
    if (!warning.hidden) warning.hidden = true;
  }
  // The next visitor starts in the default language, whatever the last one chose.
  const otherLanguage = () => pageLang !== defaultLang || answerLang !== defaultLang;
  function somethingToForget() {
    return otherLanguage() || log.childElementCount > 0 || currentScreen()?.id !== "screen-start" ||
      input.value !== "" || Guide.anyOption() ||
      document.getElementById("staff-dialog")?.open;
  }
  function reset() {
    if (otherLanguage()) {
      // The language lives in a cookie and the page's texts: reload in the default one.
      // The display options live in sessionStorage, which survives the reload: clear them first.
      Guide.resetOptions();
      Guide.stopSpeaking();
      location.replace(location.pathname + "?lang=" + encodeURIComponent(defaultLang));
      return;
    }
    generation += 1;
    log.replaceChildren();
    card.replaceChildren();
    input.value = "";
    voiceStatus("");
    busy.hidden = true;
    sendButton.disabled = degraded;
    Guide.stopSpeaking();
    Guide.closeDialog();
    Guide.resetOptions();
    Guide.newSession();
    warning.hidden = true;
    showScreen("screen-start", false);
    lastTouch = Date.now();
  }
  function tick() {
    if (!somethingToForget()) { warning.hidden = true; lastTouch = Date.now(); return; }
    const left = idleSeconds - (Date.now() - lastTouch) / 1000;
    if (left <= 0) { reset(); return; }
    if (left <= warnSeconds) {
      count.textContent = String(Math.ceil(left));
      warning.hidden = false;
    } else {
      warning.hidden = true;
    }
  }
  for (const type of ["pointerdown", "keydown", "input", "wheel", "touchstart"]) {
    document.addEventListener(type, touch, {capture: true, passive: true});
  }
  document.getElementById("idle-continue").addEventListener("click", touch);
  setInterval(tick, 250);
})();
