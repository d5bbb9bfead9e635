"use strict";
// Polls /api/version and re-renders when a watched file was saved. Renders come back as data
// URLs in one JSON answer with their messages, so an error never leaves a stale image showing.
const $ = (id) => document.getElementById(id);
let shown = null;        // version of the files behind what is on screen
let busy = false;
let again = false;

async function getJSON(url) {
  const answer = await fetch(url, { cache: "no-store" });
  return answer.json();
}

function query() {
  return new URLSearchParams({
    record: $("record").value || "0",
    page: $("page").value || "all",
    boxes: $("boxes").checked ? "1" : "0",
  });
}

function fill(select, options, initial) {
  const keep = select.value || initial;
  select.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
  if (options.some(([value]) => value === keep)) select.value = keep;
}

function list(ul, lines, cls) {
  ul.replaceChildren(...lines.map((line) => {
    const li = document.createElement("li");
    li.textContent = line;
    if (cls) li.className = cls;
    return li;
  }));
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
  $("view").hidden = true;
  $("preview").removeAttribute("src");
  $("diff-view").hidden = true;
  document.body.dataset.state = "error";
}

function showView(view) {
  $("error").hidden = true;
  $("preview").src = view.image;
  list($("notes"), view.problems, "problem");
  $("notes").append(...view.notes.map((n) => { const li = document.createElement("li"); li.textContent = n; return li; }));
  $("view").hidden = false;
  document.body.dataset.state = "ok";
}

function showDiff(diff) {
  $("diff-view").hidden = false;
  $("diff-error").hidden = !diff.error;
  $("diff-error").textContent = diff.error || "";
  $("diff-image").hidden = Boolean(diff.error);
  if (diff.error) {
    $("diff-image").removeAttribute("src");
    list($("changes"), []);
    return;
  }
  $("diff-image").src = diff.image;
  list($("changes"), diff.changes.length ? diff.changes : ["no changes"]);
}

async function refresh() {
  if (busy) { again = true; return; }
  busy = true;
  try {
    do {
      again = false;
      $("status").textContent = "rendering…";
      const state = await getJSON("/api/state");
      if (state.error) {
        showError(state.error);
      } else {
        $("title").textContent = `${state.layout} (${state.file}) · ${state.data}`;
        fill($("record"), state.records.map((r) =>
          [String(r.index), `#${r.index + 1} · row ${r.row}` + (r.record_id ? ` · ${r.record_id}` : "")]), String(state.start));
        fill($("page"), [...state.pages, "all"].map((p) => [p, p]));
        const view = await getJSON("/api/render?" + query());
        if (view.error) showError(view.error); else showView(view);
        if (!view.error && $("diff").checked) showDiff(await getJSON("/api/diff?" + query()));
        else $("diff-view").hidden = true;
      }
      shown = state.version;
      document.body.dataset.version = shown;
      $("status").textContent = "up to date " + new Date().toLocaleTimeString();
    } while (again);
  } catch (err) {
    $("status").textContent = "the preview server does not answer";
  } finally {
    busy = false;
  }
}

async function poll() {
  try {
    const { version } = await getJSON("/api/version");
    if (version !== shown) await refresh();
  } catch (err) {
    $("status").textContent = "the preview server does not answer";
  }
  setTimeout(poll, 400);
}

for (const id of ["record", "page", "boxes", "diff"]) $(id).addEventListener("change", refresh);
poll();
