"use strict";
// The designer page: polls /api/version and re-renders when a watched file was saved; edits go to
// POST /api/edit with the session token, one at a time, and the page re-renders after each.
// Renders come back as data URLs in one JSON answer with their messages, so an error never
// leaves a stale image showing.
import { Canvas, snap, sameTarget } from "/canvas.js";
import { Properties } from "/properties.js";

const $ = (id) => document.getElementById(id);
const TOKEN = document.querySelector('meta[name="docgen-token"]').content;
const ICONS = { text: "T", field: "{}", list: "≡", box: "▭", line: "╱", image: "▣", qr: "▦", include: "⊞",
                customer_barcode: "┃┃", cutline: "✂" };
let shown = null;        // version of the files behind what is on screen
let fileVersion = null;  // the version an edit is based on
let busy = false;
let again = false;
let readOnly = document.body.dataset.readOnly === "true";
let pages = [];
let sizes = [];
let zoomMode = "fit";
let imageDpi = 0;
let schema = null;
let queue = Promise.resolve();
let pendingSelect = null;
let editing = 0;         // edits sent and not yet answered: the poll leaves the rendering to them

const canvas = new Canvas($("canvas"), {
  select: (t) => selected(t),
  edit: (op, note) => edit(op, note),
  cursor: (text) => { $("cursor-pos").textContent = text; },
  readOnly: () => readOnly,
  snapOn: () => $("snap").checked,
  message: (text) => message(text, true),
  geometry: (t, box) => showGeometry(t, box),
});
const props = new Properties({
  edit: (op) => edit(op),
  select: (t) => canvas.select(t),
  remove: (t) => remove(t),
  duplicate: (t) => duplicate(t),
  readOnly: () => readOnly,
  page: (name) => canvas.page(name),
});

async function getJSON(url) {
  const answer = await fetch(url, { cache: "no-store" });
  return answer.json();
}

function message(text, bad = false) {
  $("message").textContent = text;
  $("message").className = bad ? "bad" : "";
}

function dpiFor(zoom) {
  const px = zoom * 25.4 * (window.devicePixelRatio || 1);
  return Math.min(600, Math.max(50, Math.ceil(px / 25) * 25));
}

function query(withDpi = true) {
  const q = new URLSearchParams({ record: $("record").value || "0", page: $("page").value || "all" });
  if (withDpi) q.set("dpi", String(dpiFor(canvas.zoom)));
  return q;
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

function showError(text) {
  $("error").textContent = text;
  $("error").hidden = false;
  $("view").hidden = true;
  $("canvas").querySelectorAll("img").forEach((img) => img.removeAttribute("src"));
  $("diff-view").hidden = true;
  document.body.dataset.state = "error";
}

// ------------------------------------------------------------------ zoom
function fitZoom() {
  const area = $("center").getBoundingClientRect();
  const fake = { pages: sizes.map((size) => ({ size })) };
  return Canvas.prototype.fitZoom.call(fake, area.width - 16, area.height - 40);
}

function setZoom(mode) {
  zoomMode = mode;
  const zoom = mode === "fit" ? fitZoom() : mode;
  canvas.setZoom(zoom);
  $("zoom-label").textContent = `${Math.round((canvas.zoom / (96 / 25.4)) * 100)}%`;
  if (dpiFor(canvas.zoom) > imageDpi) refresh();       // sharper pixels for the closer look
}

// ------------------------------------------------------------------ the view
function showView(view) {
  $("error").hidden = true;
  $("view").hidden = false;
  pages = view.pages;
  imageDpi = Math.min(...pages.map((p) => p.dpi));
  canvas.show(pages);
  const notes = [...view.problems.map((t) => [t, "problem"]), ...view.notes.map((t) => [t, ""])];
  $("notes").replaceChildren(...notes.map(([t, cls]) => {
    const li = document.createElement("li");
    li.textContent = t;
    if (cls) li.className = cls;
    return li;
  }));
  $("notes-count").textContent = notes.length ? String(notes.length) : "";
  if (!notes.length) list($("notes"), ["every element fits as set"], "muted");
  document.body.dataset.state = "ok";
  elementList();
  if (pendingSelect) { canvas.select(pendingSelect); pendingSelect = null; }
  else if (canvas.selected) { canvas.select(canvas.selected, true); props.show(canvas.selected, true); listSelection(); }
  else props.clear();
  showGeometry(canvas.selected, canvas.target(canvas.selected)?.box);     // as the files now say (after an undo too)
}

function elementList() {
  const ul = $("element-list");
  const filter = $("filter").value.trim().toLowerCase();
  const items = [];
  let count = 0;
  for (const p of pages) {
    const head = document.createElement("li");
    head.className = "page-head";
    head.textContent = p.name;
    items.push(head);
    let group = null;
    for (const e of p.elements) {
      if (filter && !e.name.toLowerCase().includes(filter) && !e.kind.includes(filter)) continue;
      if (e.group && e.group !== group) {
        const g = p.groups.find((x) => x.name === e.group);
        items.push(row({ page: p.name, name: e.group, group: true }, `⊞ ${e.group}`, g ? g.part : "include", "", g && g.locked));
      }
      group = e.group;
      items.push(row({ page: p.name, name: e.name, group: false }, e.name, e.kind, e.status, e.locked, Boolean(e.group)));
      count += 1;
    }
  }
  ul.replaceChildren(...items);
  $("element-count").textContent = String(count);
  listSelection();
}

function row(target, name, kind, status, locked, nested = false) {
  const li = document.createElement("li");
  li.className = "item" + (nested ? " nested" : "") + (target.group ? " group" : "");
  li.setAttribute("role", "option");
  li.dataset.page = target.page;
  li.dataset.name = target.name;
  li.dataset.group = target.group ? "1" : "";
  const dot = document.createElement("span");
  dot.className = `dot status-${status || "none"}`;
  const label = document.createElement("span");
  label.className = "name";
  label.textContent = name;
  const k = document.createElement("span");
  k.className = "kind-label";
  k.textContent = kind + (locked ? " 🔒" : "");
  li.append(dot, label, k);
  li.title = locked ? `locked: ${locked}` : `${kind}`;
  li.addEventListener("click", () => canvas.select(target));
  return li;
}

function listSelection() {
  const t = canvas.selected;
  for (const li of $("element-list").querySelectorAll("li.item")) {
    const on = Boolean(t) && sameTarget(t, { page: li.dataset.page, name: li.dataset.name, group: Boolean(li.dataset.group) });
    li.classList.toggle("selected", on);
    li.setAttribute("aria-selected", on ? "true" : "false");
    if (on) li.scrollIntoView({ block: "nearest" });
  }
}

function selected(t) {
  listSelection();
  showGeometry(t, t ? canvas.target(t)?.box : null);
  props.show(t);
}

function showGeometry(t, box) {
  if (!t || !box) { $("selection-info").textContent = ""; return; }
  const f = (v) => Number(v.toFixed(2));
  $("selection-info").textContent = `${t.name}  x ${f(box[0])}  y ${f(box[1])}  w ${f(box[2] - box[0])}  h ${f(box[3] - box[1])} mm`;
}

function showHistory(history) {
  for (const [id, label] of [["undo", history.undo], ["redo", history.redo]]) {
    $(id).disabled = readOnly || !label;
    $(id).title = label ? `${id === "undo" ? "Undo" : "Redo"} ${label} (${id === "undo" ? "Ctrl+Z" : "Ctrl+Shift+Z"})` : `nothing to ${id}`;
  }
}

function showMode(reason) {
  readOnly = Boolean(reason);
  document.body.dataset.readOnly = readOnly ? "true" : "false";
  $("mode").textContent = readOnly ? "read-only" : "editing";
  $("mode").title = reason || "every change is saved to the layout's YAML file at once; Ctrl+Z undoes it";
}

async function sideViews(version) {
  // what the change did: element changes against HEAD (and the diff picture), records that no longer fit
  const diff = await getJSON("/api/diff?" + query(false) + ($("diff").checked ? "" : "&image=0"));
  if (diff.error) {
    list($("changes"), [diff.error], "problem");
    $("changes-count").textContent = "";
  } else {
    list($("changes"), diff.changes.length ? diff.changes : ["no changes"]);
    $("changes-count").textContent = diff.changes.length ? String(diff.changes.length) : "";
  }
  $("diff-view").hidden = !$("diff").checked;
  $("diff-error").hidden = !diff.error;
  $("diff-error").textContent = diff.error || "";
  $("diff-image").hidden = Boolean(diff.error) || !diff.image;
  if (diff.image) $("diff-image").src = diff.image; else $("diff-image").removeAttribute("src");
  const check = await getJSON("/api/check");
  if (check.error) {
    list($("rejects"), [check.error], "problem");
    document.body.dataset.checked = version;
    return;
  }
  const fresh = check.rejected.filter((r) => r.new);
  $("rejects-count").textContent = fresh.length ? String(fresh.length) : "";
  $("rejects-summary").textContent = `${check.checked} checked against ${check.against}: ` +
    `${fresh.length} newly rejected, ${check.rejected.length - fresh.length} rejected before too` +
    (check.fits_again ? `, ${check.fits_again} fit again` : "");
  $("rejects").replaceChildren(...check.rejected.flatMap((r) => r.problems.map((p) => {
    const li = document.createElement("li");
    li.textContent = p;
    li.className = r.new ? "problem new" : "old";
    li.title = "show this record";
    li.addEventListener("click", () => { $("record").value = String(r.index); refresh(); });
    return li;
  })));
  document.body.dataset.checked = version;
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
        $("title").textContent = `${state.layout}`;
        $("title").title = `${state.file} · data ${state.data}`;
        $("status").dataset.file = state.file;
        fill($("record"), state.records.map((r) =>
          [String(r.index), `#${r.index + 1} · row ${r.row}` + (r.record_id ? ` · ${r.record_id}` : "")]), String(state.start));
        fill($("page"), [...state.pages, "all"].map((p) => [p, p]));
        showMode(state.read_only);
        showHistory(state.history);
        const chosen = $("page").value;
        sizes = state.pages.filter((p) => chosen === "all" || p === chosen).map(() => state.size);
        if (zoomMode === "fit") canvas.setZoom(fitZoom());
        $("zoom-label").textContent = `${Math.round((canvas.zoom / (96 / 25.4)) * 100)}%`;
        const view = await getJSON("/api/render?" + query());
        if (view.error) showError(view.error); else showView(view);
        if (!view.error) await sideViews(state.version);
      }
      shown = state.version;
      fileVersion = state.version;
      document.body.dataset.version = shown;
      $("status").textContent = `${state.file || ""} · up to date ${new Date().toLocaleTimeString()}`;
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
    // nor while arrow-key moves wait to be written: a render of the file as it was would put the
    // element back, and the next arrow key would move it from there
    if (version !== shown && !editing && !canvas.nudged) await refresh();
  } catch (err) {
    $("status").textContent = "the preview server does not answer";
  }
  setTimeout(poll, 400);
}

// ------------------------------------------------------------------ edits
async function post(op) {
  const answer = await fetch("/api/edit", {
    method: "POST", cache: "no-store",
    headers: { "Content-Type": "application/json", "X-Docgen-Token": TOKEN },
    body: JSON.stringify({ ...op, version: fileVersion || "" }),
  });
  const type = answer.headers.get("Content-Type") || "";
  const body = type.startsWith("application/json") ? await answer.json() : { error: (await answer.text()).trim() };
  return { status: answer.status, ...body };
}

function edit(op, note = "") {
  // one edit at a time, each based on the version the previous one wrote; `note` says what the
  // page did to the edit on its own (a drop snapped to an edge)
  const run = async () => {
    if (readOnly) { message("read-only: nothing is written", true); return { error: "read-only" }; }
    message("saving…");
    editing += 1;
    let answer;
    try {
      answer = await post(op);
    } finally {
      editing -= 1;
    }
    if (answer.error) {
      message(answer.error.split("\n").slice(-1)[0].trim(), true);
      if (op.op !== "set" || answer.status !== 422) props.showError(answer.error);
      await refresh();          // puts back what the page moved ahead of the answer
      return answer;
    }
    fileVersion = answer.version;
    shown = answer.version;       // this page made the change: the poll need not render it a second time
    showHistory(answer.history);
    message(`saved: ${answer.done}` + (note ? `; ${note}` : ""));
    if (answer.select) pendingSelect = { page: op.page || canvas.selected?.page, name: answer.select, group: Boolean(op.include) };
    if (op.op === "delete") canvas.select(null);
    await refresh();
    document.body.dataset.saved = String(Number(document.body.dataset.saved || 0) + 1);
    return answer;
  };
  const next = queue.then(run, run);
  queue = next.catch(() => {});
  return next;
}

function remove(t) {
  if (!t || t.group) return;
  edit({ op: "delete", page: t.page, element: t.name });
}

function duplicate(t) {
  if (!t || t.group) return;
  edit({ op: "duplicate", page: t.page, element: t.name });
}

function add(kind, at) {
  const target = at || defaultSpot();
  if (!target) return;
  edit({ op: "add", page: target.page, kind, x: snap(target.x), y: snap(target.y) });
}

function defaultSpot() {
  const page = canvas.selected?.page || pages[0]?.name;
  const p = canvas.page(page);
  return p ? { page, x: p.size[0] / 2 - 10, y: p.size[1] / 2 - 2.5 } : null;
}

function palette() {
  const box = $("palette");
  box.replaceChildren(...Object.entries(schema.kinds).map(([kind, info]) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "kind-button";
    b.dataset.kind = kind;
    b.title = `${kind}: ${info.description || ""}`.trim();
    const icon = document.createElement("span");
    icon.className = "icon";
    icon.textContent = ICONS[kind] || kind[0].toUpperCase();
    const label = document.createElement("span");
    label.textContent = kind.replace("_", " ");
    b.append(icon, label);
    b.addEventListener("pointerdown", (e) => paletteDrag(e, kind, b));
    return b;
  }));
}

function paletteDrag(e, kind, button) {
  if (e.button !== 0 || readOnly) return;
  e.preventDefault();
  const start = [e.clientX, e.clientY];
  let ghost = null;
  const move = (ev) => {
    if (!ghost && Math.hypot(ev.clientX - start[0], ev.clientY - start[1]) > 4) {
      ghost = document.createElement("div");
      ghost.className = "palette-ghost";
      ghost.textContent = button.textContent;
      document.body.append(ghost);
    }
    if (ghost) Object.assign(ghost.style, { left: `${ev.clientX + 8}px`, top: `${ev.clientY + 8}px` });
  };
  const up = (ev) => {
    window.removeEventListener("pointermove", move);
    window.removeEventListener("pointerup", up);
    if (!ghost) { add(kind); return; }
    ghost.remove();
    const at = canvas.pageAt(ev.clientX, ev.clientY);
    if (at) add(kind, at); else message("drop the element on a page", true);
  };
  window.addEventListener("pointermove", move);
  window.addEventListener("pointerup", up);
}

// ------------------------------------------------------------------ keyboard
function typing(e) {
  const t = e.target;
  return t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
}

function typingUnsaved(e) {
  // a box of the properties panel holds typing only until it is saved: then Ctrl+Z is the file's,
  // or the browser would undo the box's text and the panel would disagree with the file
  const t = e.target;
  if (!typing(e)) return false;
  if (!t.closest("#props-form")) return true;
  return t.value !== t.dataset.original && t.value !== t.dataset.sending;
}

document.addEventListener("keydown", (e) => {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && e.key.toLowerCase() === "z" && !typingUnsaved(e)) {
    e.preventDefault();
    edit({ op: e.shiftKey ? "redo" : "undo" });
    return;
  }
  if (mod && e.key.toLowerCase() === "y" && !typingUnsaved(e)) { e.preventDefault(); edit({ op: "redo" }); return; }
  if (mod && e.key.toLowerCase() === "d" && !typing(e)) { e.preventDefault(); duplicate(canvas.selected); return; }
  if (mod && (e.key === "=" || e.key === "+")) { e.preventDefault(); setZoom(canvas.zoom * 1.25); return; }
  if (mod && e.key === "-") { e.preventDefault(); setZoom(canvas.zoom / 1.25); return; }
  if (mod && e.key === "0") { e.preventDefault(); setZoom("fit"); return; }
  if (typing(e)) return;
  const step = e.shiftKey ? 1 : 0.1;
  const arrows = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  if (arrows[e.key] && canvas.selected) {
    e.preventDefault();
    canvas.nudge(...arrows[e.key]);
  } else if ((e.key === "Delete" || e.key === "Backspace") && canvas.selected) {
    e.preventDefault();
    remove(canvas.selected);
  } else if (e.key === "Escape") {
    canvas.select(null);
  }
});

$("undo").addEventListener("click", () => edit({ op: "undo" }));
$("redo").addEventListener("click", () => edit({ op: "redo" }));
$("zoom-in").addEventListener("click", () => setZoom(canvas.zoom * 1.25));
$("zoom-out").addEventListener("click", () => setZoom(canvas.zoom / 1.25));
$("zoom-fit").addEventListener("click", () => setZoom("fit"));
$("filter").addEventListener("input", elementList);
$("boxes").addEventListener("change", () => { document.body.classList.toggle("no-boxes", !$("boxes").checked); });
for (const id of ["record", "page", "diff"]) $(id).addEventListener("change", () => { shown = null; refresh(); });
$("page").addEventListener("change", () => { zoomMode = "fit"; });
window.addEventListener("resize", () => { if (zoomMode === "fit") setZoom("fit"); });
$("canvas").addEventListener("wheel", (e) => {
  if (!e.ctrlKey) return;
  e.preventDefault();
  setZoom(canvas.zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1));
}, { passive: false });

(async () => {
  schema = await getJSON("/api/schema");
  props.setSchema(schema);
  palette();
  poll();
})();
