// The staff console's scripts: confirmations, the live staff-call list, the publish job's progress.
// No inline scripts anywhere: pages opt in through data- attributes and data-page.
"use strict";

(function () {
  const csrfToken = () => document.querySelector('meta[name="csrf-token"]').content;

  function postJSON(url) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    });
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v; else node.setAttribute(k, v);
    });
    children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(c)));
    return node;
  }

  // Forms that undo or overwrite something ask first.
  document.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // --- staff calls: poll the JSON list every few seconds ---------------------------------
  function renderCalls(box, data) {
    const canEdit = box.dataset.canEdit === "true";
    const items = data.calls.map((call) => {
      const lines = call.conversation.length
        ? call.conversation.map((l) => el("li", { class: l.who },
            el("span", { class: "who" }, l.who === "visitor" ? "来庁者" : "案内"), " ", l.text))
        : [el("li", {}, "会話の記録はありません。")];
      const tag = call.handled ? el("span", { class: "tag" }, "対応済み")
                               : el("span", { class: "tag tag-alert" }, "対応待ち");
      const article = el("article", { class: "call" + (call.handled ? " handled" : ""), "data-call-id": call.id },
        el("header", {}, el("h2", {}, `#${call.id} ${call.time} `, tag)),
        el("ol", { class: "transcript" }, lines));
      if (!call.handled && canEdit) {
        const button = el("button", { type: "button", class: "primary" }, "対応済みにする");
        button.addEventListener("click", () => {
          button.disabled = true;
          postJSON(`${box.dataset.source}/${call.id}/handled`).then(() => refreshCalls(box));
        });
        article.append(button);
      }
      return article;
    });
    box.replaceChildren(...(items.length ? items : [el("p", {}, "呼び出しはありません。")]));
  }

  function refreshCalls(box) {
    return fetch(box.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => {
        renderCalls(box, data);
        const stamp = document.getElementById("calls-updated");
        if (stamp) stamp.textContent = ` 最終更新 ${new Date().toLocaleTimeString("ja-JP", { timeZone: "Asia/Tokyo" })}`;
      })
      .catch(() => {
        const stamp = document.getElementById("calls-updated");
        if (stamp) stamp.textContent = " 更新できませんでした（再試行します）";
      });
  }

  // --- publish: start the job, then follow its phases ---------------------------------------
  const percent = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);

  function renderJob(job) {
    const section = document.getElementById("job");
    if (!job || !document.getElementById("job-phase")) {
      if (job) window.location.reload();
      return;
    }
    document.getElementById("job-phase").replaceChildren(
      el("strong", {}, job.phase_label),
      `（経過 ${Math.floor(job.phase_elapsed)} 秒 / 全体 ${Math.floor(job.elapsed)} 秒）`);
    document.getElementById("job-message").textContent = job.message || "";
    document.getElementById("job-progress").textContent = job.progress || "";
    const states = Object.fromEntries(job.steps.map((s) => [s.phase, s.state]));
    section.querySelectorAll(".phases li").forEach((li) => {
      const state = states[li.dataset.phase];
      li.querySelector(".state").textContent = state;
      li.classList.toggle("current", state === "実行中");
      li.classList.toggle("failed", state === "失敗");
      li.classList.toggle("done", state === "済み");
    });
    const rows = document.querySelectorAll("#job-accuracy tbody tr");
    if (rows.length === 2) {
      const b = job.before || {}, a = job.after || {};
      rows[0].cells[1].textContent = percent(b.department_accuracy);
      rows[0].cells[2].textContent = percent(a.department_accuracy);
      rows[1].cells[1].textContent = percent(b.accuracy);
      rows[1].cells[2].textContent = percent(a.accuracy);
    }
    const button = document.getElementById("publish-button");
    if (button) button.disabled = job.running;
  }

  function followJob(section) {
    const tick = () => fetch(section.dataset.source, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        renderJob(data.job);
        if (data.job && data.job.running) window.setTimeout(tick, 2000);
      })
      .catch(() => window.setTimeout(tick, 5000));
    tick();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const page = document.body.dataset.page;
    if (page === "calls") {
      const box = document.getElementById("calls");
      window.setInterval(() => refreshCalls(box), 5000);
    }
    if (page === "publish") {
      const section = document.getElementById("job");
      const form = document.getElementById("publish-form");
      if (form) {
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          document.getElementById("publish-button").disabled = true;
          postJSON(form.dataset.api).then((r) => r.json().then((body) => {
            if (!r.ok) window.alert(body.error ? body.error.message : "開始できませんでした");
            if (!document.getElementById("job-phase")) window.location.reload();
            else followJob(section);
          }));
        });
      }
      followJob(section);
    }
  });
})();
