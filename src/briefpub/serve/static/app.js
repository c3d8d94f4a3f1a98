// briefpub serve: the page's script. Plain JavaScript, no build step, no external resource.
// Article content is only ever set with textContent: nothing from an article becomes markup.
"use strict";

const $ = (id) => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const tokenNeeded = document.querySelector('meta[name="token-needed"]').content === "true";
const SETTINGS = ["title", "subtitle", "reference", "version", "marking", "compiled_by", "date", "style"];
const FLAGS = ["duplex", "summary_page"];
let draft = null;
let busy = false;

function say(text) { $("status").textContent = ""; setTimeout(() => { $("status").textContent = text; }, 30); }
function alertText(text) { const a = $("alert"); a.textContent = text; a.hidden = !text; }

async function api(method, path, body, isForm) {
  const headers = { "X-CSRF-Token": csrf, "Accept": "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    if (isForm) { init.body = body; } else { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  }
  const r = await fetch(path, init);
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    const err = new Error((data && data.error && data.error.message) || ("HTTP " + r.status));
    err.status = r.status; err.code = data && data.error && data.error.code;
    throw err;
  }
  return data;
}

async function guarded(work, what) {
  alertText("");
  try { return await work(); } catch (e) {
    if (e.status === 409) {
      await loadDraft(draft.id);
      alertText("This draft was changed in another tab or by someone else; it has been reloaded. " +
                "Your last change (" + what + ") was not applied: please make it again.");
    } else if (e.status === 401) {
      showSignin(true);
      alertText("Please sign in with the access token.");
    } else {
      alertText(what + " failed: " + e.message);
    }
    return null;
  }
}

// ----------------------------------------------------------------------------- drafts

async function listDrafts(selectId) {
  const drafts = await api("GET", "/api/drafts");
  const sel = $("draft-select");
  sel.textContent = "";
  for (const d of drafts) {
    const o = document.createElement("option");
    o.value = d.id;
    o.textContent = (d.title || "(untitled)") + " (" + d.articles + " article" + (d.articles === 1 ? "" : "s") + ")";
    sel.appendChild(o);
  }
  if (selectId) sel.value = selectId;
  return drafts;
}

async function loadDraft(id) {
  draft = await api("GET", "/api/drafts/" + encodeURIComponent(id));
  localStorage.setItem("briefpub-draft", draft.id);
  render();
  await listDrafts(draft.id);
  $("downloads").hidden = true;
  const last = draft.last_build;
  if (last && last.status === "done") {
    showBuild(await api("GET", "/api/builds/" + encodeURIComponent(last.id)));
  } else if (last && last.status === "interrupted") {
    say("The last build was interrupted (the server stopped); the draft is intact: build again.");
  }
}

function setDraft(d) { draft = d; render(); listDrafts(d.id); }

async function start() {
  if (tokenNeeded) {
    const s = await api("GET", "/api/session");
    if (!s.signed_in) { showSignin(true); return; }
  }
  showSignin(false);
  const styles = await api("GET", "/api/styles");
  const sel = $("s-style");
  sel.textContent = "";
  for (const s of styles) {
    const o = document.createElement("option");
    o.value = s.name; o.textContent = s.name + (s.description ? ": " + s.description : "");
    sel.appendChild(o);
  }
  const wanted = localStorage.getItem("briefpub-draft");
  const drafts = await listDrafts();
  let id = wanted && drafts.some((d) => d.id === wanted) ? wanted : (drafts[0] && drafts[0].id);
  if (!id) id = (await api("POST", "/api/drafts", {})).id;
  await loadDraft(id);
}

function showSignin(show) { $("signin").hidden = !show; $("workspace").hidden = show; }

// ----------------------------------------------------------------------------- rendering

function render() {
  const s = draft.settings;
  for (const k of SETTINGS) { const el = $("s-" + k); if (document.activeElement !== el) el.value = s[k] || ""; }
  for (const k of FLAGS) $("s-" + k).checked = !!s[k];
  const list = $("articles");
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".article");
  const focusId = focused ? focused.dataset.id : null;
  const focusClass = document.activeElement && document.activeElement.classList ? document.activeElement.classList[0] : null;
  list.textContent = "";
  const tpl = $("article-template");
  draft.articles.forEach((a, i) => {
    const li = tpl.content.firstElementChild.cloneNode(true);
    li.dataset.id = a.id;
    const st = a.structure || {};
    const title = a.meta.title || st.title || a.filename;
    li.querySelector(".a-title").textContent = title;
    li.setAttribute("aria-label", "Article " + (i + 1) + " of " + draft.articles.length + ": " + title);
    const by = a.meta.author || (st.authors || []).join(", ");
    const bits = [a.filename];
    if (by) bits.push("by " + by);
    if (a.meta.date || st.date) bits.push(a.meta.date || st.date);
    if (a.meta.marking || st.marking) bits.push("marking " + (a.meta.marking || st.marking));
    bits.push((st.paragraphs || 0) + " paragraphs", (st.words || 0) + " words", (st.headings || []).length + " headings");
    li.querySelector(".a-summary").textContent = bits.join(" · ");
    const hl = li.querySelector(".a-headings");
    if (st.subtitle) { const x = document.createElement("li"); x.textContent = "Standfirst: " + st.subtitle; hl.appendChild(x); }
    for (const h of st.headings || []) {
      const x = document.createElement("li"); x.textContent = "#".repeat(h.level) + " " + h.text; hl.appendChild(x);
    }
    if (!hl.children.length) { const x = document.createElement("li"); x.textContent = "No subheadings."; hl.appendChild(x); }
    const dl = li.querySelector(".a-diags");
    const diags = st.diagnostics || [];
    li.querySelector(".a-removed summary").textContent = "Removed or doubted (" + diags.length + ")";
    for (const d of diags) {
      const x = document.createElement("li");
      x.textContent = (d.line ? "line " + d.line + ": " : "") + d.message + (d.text ? ": \u201c" + d.text + "\u201d" : "") + " [" + d.code + "]";
      dl.appendChild(x);
    }
    const form = li.querySelector(".meta-form");
    for (const k of ["title", "author", "date", "marking"]) {
      const input = form.elements[k];
      input.value = a.meta[k] || "";
      input.placeholder = k === "title" ? (st.title || "") : k === "author" ? (st.authors || []).join(", ") :
        k === "date" ? (st.date || "") : (st.marking || "");
    }
    form.addEventListener("submit", (ev) => { ev.preventDefault(); saveMeta(a.id, form); });
    li.querySelector(".up").disabled = i === 0;
    li.querySelector(".down").disabled = i === draft.articles.length - 1;
    li.querySelector(".up").setAttribute("aria-label", "Move " + title + " up");
    li.querySelector(".down").setAttribute("aria-label", "Move " + title + " down");
    li.querySelector(".remove").setAttribute("aria-label", "Remove " + title);
    li.querySelector(".up").addEventListener("click", () => move(a.id, -1, "up"));
    li.querySelector(".down").addEventListener("click", () => move(a.id, 1, "down"));
    li.querySelector(".remove").addEventListener("click", () => removeArticle(a.id, title));
    li.addEventListener("keydown", (ev) => {
      if (ev.altKey && (ev.key === "ArrowUp" || ev.key === "ArrowDown") && ev.target === li) {
        ev.preventDefault(); move(a.id, ev.key === "ArrowUp" ? -1 : 1, null);
      }
    });
    dragAndDrop(li);
    list.appendChild(li);
  });
  $("article-count").textContent = "(" + draft.articles.length + ")";
  $("no-articles").hidden = draft.articles.length > 0;
  $("build").disabled = busy || draft.articles.length === 0;
  if (focusId) {
    const li = list.querySelector('[data-id="' + CSS.escape(focusId) + '"]');
    if (li) { const target = focusClass && li.querySelector("." + focusClass); (target && !target.disabled ? target : li).focus(); }
  }
}

// ----------------------------------------------------------------------------- editing

let saveTimer = null;
function settingsChanged() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveSettings, 400);
}

async function saveSettings() {
  const changes = {};
  for (const k of SETTINGS) changes[k] = $("s-" + k).value;
  for (const k of FLAGS) changes[k] = $("s-" + k).checked;
  if (!changes.title.trim()) { alertText("The pack needs a title."); return; }
  const d = await guarded(() => api("PATCH", "/api/drafts/" + draft.id, { settings: changes, version: draft.version }), "saving the settings");
  if (d) { setDraft(d); say("Pack settings saved."); }
}

async function saveMeta(id, form) {
  const meta = {};
  for (const k of ["title", "author", "date", "marking"]) meta[k] = form.elements[k].value;
  const d = await guarded(() => api("PATCH", "/api/drafts/" + draft.id + "/articles/" + id, { meta, version: draft.version }), "saving the metadata");
  if (d) { setDraft(d); say("Metadata saved."); }
}

async function reorder(order, message) {
  const d = await guarded(() => api("PUT", "/api/drafts/" + draft.id + "/order", { order, version: draft.version }), "moving the article");
  if (d) { setDraft(d); say(message); }
}

function move(id, delta) {
  const order = draft.articles.map((a) => a.id);
  const i = order.indexOf(id), j = i + delta;
  if (j < 0 || j >= order.length) return;
  order.splice(i, 1); order.splice(j, 0, id);
  const a = draft.articles[i];
  reorder(order, "Moved " + (a.meta.title || a.structure.title || a.filename) + " to position " + (j + 1) + " of " + order.length + ".");
}

async function removeArticle(id, title) {
  const d = await guarded(() => api("DELETE", "/api/drafts/" + draft.id + "/articles/" + id, { version: draft.version }), "removing the article");
  if (d) { setDraft(d); say("Removed " + title + "."); $("articles-heading").focus(); }
}

let dragged = null;
function dragAndDrop(li) {
  li.addEventListener("dragstart", (ev) => { dragged = li.dataset.id; li.classList.add("dragging"); ev.dataTransfer.effectAllowed = "move"; ev.dataTransfer.setData("text/plain", dragged); });
  li.addEventListener("dragend", () => { li.classList.remove("dragging"); dragged = null; });
  li.addEventListener("dragover", (ev) => { if (dragged) { ev.preventDefault(); li.classList.add("drop-before"); } });
  li.addEventListener("dragleave", () => li.classList.remove("drop-before"));
  li.addEventListener("drop", (ev) => {
    li.classList.remove("drop-before");
    if (!dragged || dragged === li.dataset.id) return;
    ev.preventDefault();
    const order = draft.articles.map((a) => a.id).filter((x) => x !== dragged);
    const at = order.indexOf(li.dataset.id);
    order.splice(at, 0, dragged);
    reorder(order, "Moved the article to position " + (at + 1) + ".");
  });
}

// ----------------------------------------------------------------------------- adding

async function addFiles(files) {
  if (!files.length) return;
  const form = new FormData();
  for (const f of files) form.append("file", f, f.name);
  say("Reading " + files.length + " file(s)\u2026");
  const d = await guarded(() => api("POST", "/api/drafts/" + draft.id + "/articles", form, true), "adding the files");
  if (d) { setDraft(d); say("Added " + files.length + " article(s); the pack has " + d.articles.length + "."); }
}

async function addPasted(ev) {
  ev.preventDefault();
  const text = $("paste").value;
  if (!text.trim()) { alertText("Paste an article first."); $("paste").focus(); return; }
  const fmt = $("paste-format").value;
  const name = "pasted-" + (draft.articles.length + 1) + "." + fmt;
  const d = await guarded(() => api("POST", "/api/drafts/" + draft.id + "/articles", { text, filename: name, from: fmt }), "adding the pasted article");
  if (d) { setDraft(d); $("paste").value = ""; say("Added the pasted article; the pack has " + d.articles.length + "."); }
}

// ----------------------------------------------------------------------------- building

async function build() {
  busy = true; $("build").disabled = true;
  $("downloads").hidden = true; $("progress-box").hidden = false;
  $("progress").value = 0; $("progress-label").textContent = "Building: queued";
  say("Building the pack\u2026");
  let state = await guarded(() => api("POST", "/api/drafts/" + draft.id + "/builds"), "starting the build");
  while (state && (state.status === "queued" || state.status === "running")) {
    const p = state.progress || {};
    if (p.total) { $("progress").max = p.total; $("progress").value = p.done || 0; }
    $("progress-label").textContent = "Building: " + (p.stage || state.status);
    await new Promise((r) => setTimeout(r, 300));
    state = await guarded(() => api("GET", "/api/builds/" + state.id), "checking the build");
  }
  busy = false; $("progress-box").hidden = true; render();
  if (!state) return;
  if (state.status !== "done") {
    const e = state.result.error || (state.result.failures || [])[0] || {};
    alertText("The build failed: " + (e.message || state.status) + ". The draft is intact: build again.");
    return;
  }
  showBuild(state);
  say("The pack is built: " + state.files.filter((f) => !f.endsWith(".png")).join(", ") + ".");
}

function showBuild(state) {
  const base = "/api/builds/" + encodeURIComponent(state.id) + "/files/";
  for (const ext of ["pdf", "epub", "docx", "zip"]) {
    const name = state.files.find((f) => f.endsWith("." + ext));
    const a = $("dl-" + ext);
    a.hidden = !name;
    if (name) { a.href = base + encodeURIComponent(name); a.setAttribute("download", name); }
  }
  const list = $("report-list"); list.textContent = "";
  for (const d of state.result.diagnostics || []) {
    const li = document.createElement("li");
    li.textContent = (d.source ? d.source + ": " : "") + d.message + " [" + d.code + "]";
    list.appendChild(li);
  }
  $("report").querySelector("summary").textContent = "Build report (" + (state.result.diagnostics || []).length + " notes)";
  const pv = $("preview"); pv.textContent = "";
  const pages = state.files.filter((f) => /^preview-\d+\.png$/.test(f));
  pages.forEach((f, i) => {
    const img = document.createElement("img");
    img.src = base + encodeURIComponent(f);
    img.alt = "Preview of page " + (i + 1) + " of the PDF pack";
    pv.appendChild(img);
  });
  if (!pages.length) { const p = document.createElement("p"); p.textContent = "No preview (poppler-utils is not installed on the server)."; pv.appendChild(p); }
  $("downloads").hidden = false;
}

// ----------------------------------------------------------------------------- wiring

document.addEventListener("DOMContentLoaded", () => {
  $("settings-form").addEventListener("input", settingsChanged);
  $("settings-form").addEventListener("change", settingsChanged);
  $("settings-form").addEventListener("submit", (ev) => { ev.preventDefault(); saveSettings(); });
  $("paste-form").addEventListener("submit", addPasted);
  $("files").addEventListener("change", (ev) => { addFiles(Array.from(ev.target.files)); ev.target.value = ""; });
  const drop = $("drop");
  drop.addEventListener("dragover", (ev) => { if (ev.dataTransfer.types.includes("Files")) { ev.preventDefault(); drop.classList.add("over"); } });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (ev) => { ev.preventDefault(); drop.classList.remove("over"); addFiles(Array.from(ev.dataTransfer.files)); });
  $("build").addEventListener("click", build);
  $("draft-select").addEventListener("change", (ev) => guarded(() => loadDraft(ev.target.value), "opening the draft"));
  $("new-draft").addEventListener("click", () => guarded(async () => {
    const d = await api("POST", "/api/drafts", {}); await loadDraft(d.id); say("New draft created."); $("s-title").focus();
  }, "creating a draft"));
  $("signin-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    guarded(async () => { await api("POST", "/api/session", { token: $("token").value }); $("token").value = ""; await start(); }, "signing in");
  });
  guarded(start, "loading the drafts");
});
