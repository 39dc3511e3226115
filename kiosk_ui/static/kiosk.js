// Minimal chat: posts to /api/chat and shows the replies as text (never as HTML).
const sessionId = crypto.randomUUID();
const log = document.getElementById("log");

function show(text, who) {
  const div = document.createElement("div");
  div.className = who;
  div.textContent = text;
  log.appendChild(div);
}

async function send(body) {
  const resp = await fetch("/api/chat", {
    method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({session_id: sessionId, ...body}),
  });
  const data = await resp.json();
  if (data.error) { show(data.error.message, "bot"); return; }
  for (const reply of data.replies) {
    show(reply.text, "bot");
    for (const b of reply.buttons || []) {
      const btn = document.createElement("button");
      btn.textContent = b.title;
      btn.addEventListener("click", () => { show(b.title, "you"); send({payload: b.payload}); });
      log.appendChild(btn);
    }
  }
}

document.getElementById("ask").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const input = document.getElementById("text");
  if (!input.value.trim()) return;
  show(input.value, "you");
  send({text: input.value});
  input.value = "";
});
