// Counter tablet: instant search over the guide data, and the floor-map tabs.
"use strict";

(() => {
  const S = Guide.strings;
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  const form = document.getElementById("search");
  let timer = null;
  let latest = 0;

  function showUrl(kind, id) {
    return results.dataset.showUrl.replace("KIND", encodeURIComponent(kind))
      .replace("ID", encodeURIComponent(id));
  }

  function placeOf(dest) {
    if (!dest) return "";
    const parts = [];
    if (dest.department) parts.push(dest.department + (dest.desk ? " " + dest.desk : ""));
    if (dest.place) parts.push(dest.place);
    return parts.join(" ／ ");
  }

  function render(items) {
    results.replaceChildren();
    if (!items.length) {
      const li = document.createElement("li");
      li.textContent = S.noResults;
      results.appendChild(li);
      return;
    }
    for (const item of items) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.className = "result-link";
      a.href = showUrl(item.kind, item.id);
      const kind = document.createElement("span");
      kind.className = "result-kind";
      kind.textContent = (S.kinds && S.kinds[item.kind]) || item.kind;
      const title = document.createElement("span");
      title.className = "result-title";
      title.lang = "ja";
      title.textContent = item.title;
      const place = document.createElement("span");
      place.className = "result-place";
      place.lang = "ja";
      place.textContent = placeOf(item.destination);
      a.append(kind, title, place);
      li.appendChild(a);
      results.appendChild(li);
    }
  }

  async function search() {
    const q = input.value.trim();
    const ticket = ++latest;
    if (!q) { results.replaceChildren(); return; }
    try {
      const resp = await fetch(input.dataset.searchUrl + "?q=" + encodeURIComponent(q));
      const data = await resp.json();
      if (ticket === latest) render(data.results || []);
    } catch (e) { /* keep the last results */ }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  form.addEventListener("submit", (ev) => { ev.preventDefault(); search(); });
  if (input.value.trim()) search();

  // Floor tabs: one map at a time.
  const tabs = Array.from(document.querySelectorAll(".floor-tab"));
  for (const tab of tabs) {
    tab.addEventListener("click", () => {
      for (const t of tabs) t.setAttribute("aria-pressed", t === tab ? "true" : "false");
      for (const panel of document.querySelectorAll("[data-floor-panel]")) {
        panel.hidden = panel.dataset.floorPanel !== tab.dataset.floor;
      }
    });
  }
})();
