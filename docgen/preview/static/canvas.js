"use strict";
// The pages with their element boxes: selecting (click, repeated clicks cycle through the
// elements under the pointer), moving, resizing and nudging, on a 0.1 mm grid, with guides where
// an edge lines up with another element's edge or the page's. Everything is in page millimetres
// from the top-left corner; the server sends each element's box, the keys that place it ("at",
// in page millimetres) and the offset of the include it comes from (file value = page value -
// offset). An edit is sent as the new values of the keys, as the file will hold them.

export const GRID = 0.1;
export const snap = (v) => Math.round(v / GRID) * GRID;
export const fmt = (v) => Math.round(v * 10000) / 10000;
const DRAG_START_PX = 3;
const MAGNET_PX = 5;            // an edge this close (on screen) to another element's edge snaps to it
const ALIGNED_MM = 0.05;
const RULER_PX = 22;

const el = (tag, cls, parent) => {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (parent) parent.append(node);
  return node;
};

export function sameTarget(a, b) {
  return Boolean(a && b && a.page === b.page && a.name === b.name && Boolean(a.group) === Boolean(b.group));
}

function area(b) {
  return Math.max(b[2] - b[0], 0.05) * Math.max(b[3] - b[1], 0.05);
}

function union(boxes) {
  const bs = boxes.filter(Boolean);
  if (!bs.length) return null;
  return [Math.min(...bs.map((b) => b[0])), Math.min(...bs.map((b) => b[1])),
          Math.max(...bs.map((b) => b[2])), Math.max(...bs.map((b) => b[3]))];
}

export class Canvas {
  constructor(root, hooks) {
    this.root = root;
    this.hooks = hooks;      // select(target), edit(op) -> Promise, cursor(text), readOnly(), snapOn(), showBoxes()
    this.pages = [];
    this.sheets = new Map();
    this.zoom = 8;           // CSS pixels per millimetre
    this.selected = null;
    this.drag = null;
    this.nudged = null;      // {target, dx, dy, timer}: arrow-key moves not yet written
    window.addEventListener("pointermove", (e) => this._move(e));
    window.addEventListener("pointerup", (e) => this._up(e));
  }

  // ------------------------------------------------------------------ data
  page(name) { return this.pages.find((p) => p.name === name); }

  target(t) {
    // the element or include a selection names, with its box: {kind, box, at, geometry, locked, ...}
    if (!t) return null;
    const page = this.page(t.page);
    if (!page) return null;
    if (t.group) {
      const g = page.groups.find((x) => x.name === t.name);
      if (!g) return null;
      const members = page.elements.filter((e) => e.group === t.name);
      return { ...g, kind: "include", box: union(members.map((e) => e.box)), members,
               geometry: { pairs: [["x", "y"]], w: null, h: null, square: null }, offset: [0, 0] };
    }
    return page.elements.find((e) => e.name === t.name) || null;
  }

  editable(t) {
    const it = this.target(t);
    return Boolean(it && it.box && !it.locked && !this.hooks.readOnly());
  }

  // ------------------------------------------------------------------ drawing
  show(pages) {
    this.pages = pages;
    const names = new Set(pages.map((p) => p.name));
    for (const [name, sheet] of this.sheets) if (!names.has(name)) { sheet.root.remove(); this.sheets.delete(name); }
    pages.forEach((p, i) => {
      let sheet = this.sheets.get(p.name);
      if (!sheet) { sheet = this._sheet(p); this.sheets.set(p.name, sheet); }
      this.root.append(sheet.root);          // keeps the order of the pages
      sheet.img.id = i === 0 ? "preview" : "";
      if (sheet.img.getAttribute("src") !== p.image) sheet.img.src = p.image;
    });
    if (this.selected && !this.target(this.selected)) this.selected = null;
    this.layout();
  }

  _sheet(p) {
    const root = el("div", "sheet");
    root.dataset.page = p.name;
    el("div", "sheet-title", root).textContent = p.name;
    const stage = el("div", "stage", root);
    const corner = el("div", "ruler-corner", stage);
    corner.textContent = "mm";
    const rulerX = el("canvas", "ruler ruler-x", stage);
    const rulerY = el("canvas", "ruler ruler-y", stage);
    const paper = el("div", "paper", stage);
    const img = el("img", "page-image", paper);
    img.alt = `page ${p.name}`;
    img.draggable = false;
    const overlay = el("div", "overlay", paper);
    const guides = el("div", "guides", paper);
    paper.addEventListener("pointerdown", (e) => this._down(e, p.name));
    paper.addEventListener("pointermove", (e) => this._hover(e, p.name));
    paper.addEventListener("pointerleave", () => this.hooks.cursor(""));
    return { root, stage, rulerX, rulerY, paper, img, overlay, guides };
  }

  setZoom(zoom) {
    this.zoom = Math.min(60, Math.max(1, zoom));
    this.layout();
  }

  fitZoom(width, height) {
    // the zoom at which the shown pages fit the area (side by side for cards, one under another for A4)
    if (!this.pages.length) return this.zoom;
    const pad = RULER_PX + 60;
    const across = this.pages.reduce((s, p) => s + p.size[0], 0);
    const tallest = Math.max(...this.pages.map((p) => p.size[1]));
    const wide = (width - pad * this.pages.length) / across;
    const high = (height - pad) / tallest;
    return Math.max(1, Math.min(wide, high, 40));
  }

  layout() {
    for (const p of this.pages) {
      const s = this.sheets.get(p.name);
      const [w, h] = p.size.map((v) => v * this.zoom);
      Object.assign(s.paper.style, { width: `${w}px`, height: `${h}px` });
      Object.assign(s.img.style, { width: `${w}px`, height: `${h}px` });
      this._boxes(p, s);
      this._rulers(p, s);
    }
    this._selection();
  }

  _px(v) { return `${v * this.zoom}px`; }

  _place(node, box, minPx = 0) {
    const [x0, y0, x1, y1] = box;
    const w = Math.max((x1 - x0) * this.zoom, minPx);
    const h = Math.max((y1 - y0) * this.zoom, minPx);
    Object.assign(node.style, { left: `${x0 * this.zoom - (w - (x1 - x0) * this.zoom) / 2}px`,
                                top: `${y0 * this.zoom - (h - (y1 - y0) * this.zoom) / 2}px`, width: `${w}px`, height: `${h}px` });
  }

  _boxes(p, s) {
    s.overlay.replaceChildren();
    for (const e of p.elements) {
      if (!e.box) continue;
      const node = el("div", `box status-${e.status}` + (e.locked ? " locked" : ""), s.overlay);
      node.dataset.name = e.name;
      node.title = `${e.name} (${e.kind})` + (e.note ? `\n${e.note}` : "") + (e.locked ? `\nlocked: ${e.locked}` : "");
      this._place(node, e.box, 2);
      const tag = el("span", "tag", node);
      tag.textContent = e.name;
    }
  }

  _rulers(p, s) {
    const dpr = window.devicePixelRatio || 1;
    const [w, h] = p.size;
    const sel = this.selected && this.selected.page === p.name ? this.target(this.selected) : null;
    for (const [canvas, length, vertical] of [[s.rulerX, w, false], [s.rulerY, h, true]]) {
      const along = length * this.zoom;
      canvas.width = Math.round((vertical ? RULER_PX : along) * dpr);
      canvas.height = Math.round((vertical ? along : RULER_PX) * dpr);
      canvas.style.width = `${vertical ? RULER_PX : along}px`;
      canvas.style.height = `${vertical ? along : RULER_PX}px`;
      const g = canvas.getContext("2d");
      g.scale(dpr, dpr);
      g.fillStyle = "#f7f7f5";
      g.fillRect(0, 0, vertical ? RULER_PX : along, vertical ? along : RULER_PX);
      if (sel && sel.box) {
        const [a, b] = vertical ? [sel.box[1], sel.box[3]] : [sel.box[0], sel.box[2]];
        g.fillStyle = "rgba(0, 102, 204, 0.18)";
        if (vertical) g.fillRect(0, a * this.zoom, RULER_PX, Math.max(1, (b - a) * this.zoom));
        else g.fillRect(a * this.zoom, 0, Math.max(1, (b - a) * this.zoom), RULER_PX);
      }
      g.strokeStyle = "#8a8a86";
      g.fillStyle = "#55554f";
      g.font = "9px system-ui, sans-serif";
      g.lineWidth = 1;
      const step = this.zoom >= 4 ? 1 : 5;
      for (let mm = 0; mm <= length + 1e-9; mm += step) {
        const at = Math.round(mm * this.zoom) + 0.5;
        const tick = mm % 10 === 0 ? RULER_PX * 0.6 : mm % 5 === 0 ? RULER_PX * 0.4 : RULER_PX * 0.22;
        g.beginPath();
        if (vertical) { g.moveTo(RULER_PX, at); g.lineTo(RULER_PX - tick, at); }
        else { g.moveTo(at, RULER_PX); g.lineTo(at, RULER_PX - tick); }
        g.stroke();
        if (mm % 10 === 0 && mm > 0) {
          if (vertical) { g.save(); g.translate(9, at - 2); g.rotate(-Math.PI / 2); g.fillText(String(mm), 0, 0); g.restore(); }
          else g.fillText(String(mm), at + 2, 9);
        }
      }
    }
  }

  _selection() {
    for (const s of this.sheets.values()) {
      s.paper.querySelectorAll(".selection, .member, .handle").forEach((n) => n.remove());
      s.overlay.querySelectorAll(".box.selected").forEach((n) => n.classList.remove("selected"));
    }
    const t = this.selected;
    const it = this.target(t);
    if (!it || !it.box) return;
    const s = this.sheets.get(t.page);
    if (!t.group) s.overlay.querySelector(`.box[data-name="${CSS.escape(t.name)}"]`)?.classList.add("selected");
    else for (const m of it.members) {
      if (m.box) this._place(el("div", "member", s.paper), m.box, 2);
    }
    const frame = el("div", "selection" + (it.locked || this.hooks.readOnly() ? " locked" : ""), s.paper);
    frame.dataset.name = t.name;
    this._place(frame, it.box, 2);
    if (this.editable(t)) for (const handle of this._handles(it)) {
      const h = el("div", `handle handle-${handle.name}`, s.paper);
      h.dataset.handle = handle.name;
      Object.assign(h.style, { left: this._px(handle.x), top: this._px(handle.y) });
      h.addEventListener("pointerdown", (e) => this._downHandle(e, t, handle));
    }
  }

  _handles(it) {
    const g = it.geometry;
    const [x0, y0, x1, y1] = it.box;
    const xm = (x0 + x1) / 2, ym = (y0 + y1) / 2;
    if (g.pairs.length === 2) {       // a line: its two ends
      const [[ax, ay], [bx, by]] = g.pairs;
      return [{ name: "end1", keys: [ax, ay], x: it.at[ax], y: it.at[ay] },
              { name: "end2", keys: [bx, by], x: it.at[bx], y: it.at[by] }];
    }
    if (g.square) return [{ name: "se", x: x1, y: y1 }];
    const out = [];
    if (g.w && g.h) out.push({ name: "nw", x: x0, y: y0 }, { name: "ne", x: x1, y: y0 }, { name: "sw", x: x0, y: y1 },
                             { name: "se", x: x1, y: y1 });
    if (g.h) out.push({ name: "n", x: xm, y: y0 }, { name: "s", x: xm, y: y1 });
    if (g.w) out.push({ name: "w", x: x0, y: ym }, { name: "e", x: x1, y: ym });
    return out;
  }

  select(t, quiet = false) {
    this.flushNudge();
    this.selected = t && this.target(t) ? { page: t.page, name: t.name, group: Boolean(t.group) } : null;
    this._selection();
    const p = this.selected && this.page(this.selected.page);
    if (p) this._rulers(p, this.sheets.get(p.name));
    for (const q of this.pages) if (!p || q.name !== p.name) this._rulers(q, this.sheets.get(q.name));
    if (!quiet) this.hooks.select(this.selected);
    const frame = this.root.querySelector(".selection");
    if (frame && !quiet) frame.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // ------------------------------------------------------------------ pointer
  toPage(e, page) {
    const r = this.sheets.get(page).paper.getBoundingClientRect();
    return [(e.clientX - r.left) / this.zoom, (e.clientY - r.top) / this.zoom];
  }

  pageAt(clientX, clientY) {
    // the page and millimetre position under a point of the window (a palette drop), or null
    for (const p of this.pages) {
      const r = this.sheets.get(p.name).paper.getBoundingClientRect();
      if (clientX >= r.left && clientX <= r.right && clientY >= r.top && clientY <= r.bottom) {
        return { page: p.name, x: (clientX - r.left) / this.zoom, y: (clientY - r.top) / this.zoom };
      }
    }
    return null;
  }

  hits(page, x, y) {
    // every element under the point, the smallest first (a label before the frame around it)
    const pad = 3 / this.zoom;
    const p = this.page(page);
    return p.elements
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.box && x >= e.box[0] - pad && x <= e.box[2] + pad && y >= e.box[1] - pad && y <= e.box[3] + pad)
      .sort((a, b) => area(a.e.box) - area(b.e.box) || b.i - a.i)
      .map(({ e }) => ({ page, name: e.name, group: false }));
  }

  _hover(e, page) {
    const [x, y] = this.toPage(e, page);
    this.hooks.cursor(`${page}  x ${x.toFixed(1)}  y ${y.toFixed(1)} mm`);
  }

  _down(e, page) {
    if (e.button !== 0 || e.target.classList.contains("handle")) return;
    e.preventDefault();
    this.root.focus({ preventScroll: true });
    const [x, y] = this.toPage(e, page);
    const under = this.hits(page, x, y);
    const current = this.selected && this.selected.page === page ? this.target(this.selected) : null;
    const onCurrent = current && current.box && (this.selected.group
      ? x >= current.box[0] && x <= current.box[2] && y >= current.box[1] && y <= current.box[3]
      : under.some((t) => sameTarget(t, this.selected)));
    let target = this.selected;
    if (!onCurrent) {
      target = under[0] || null;
      this.select(target);
    }
    if (!target) return;
    this.drag = { mode: "move", target, page, start: [x, y], startPx: [e.clientX, e.clientY], moved: false,
                  cycle: onCurrent ? under : null, item: this.target(target) };
  }

  _downHandle(e, t, handle) {
    if (e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    const [x, y] = this.toPage(e, t.page);
    this.drag = { mode: "resize", handle, target: t, page: t.page, start: [x, y], startPx: [e.clientX, e.clientY],
                  moved: false, item: this.target(t) };
  }

  _edges(page, skip) {
    // the vertical and horizontal edges a moving edge snaps to: other elements', never the page's
    // (an element pulled onto the page's edge is cut off in print; guides still show the edge)
    const p = this.page(page);
    const xs = [], ys = [];
    for (const e of p.elements) {
      if (!e.box || skip.has(e.name)) continue;
      xs.push(e.box[0], e.box[2]);
      ys.push(e.box[1], e.box[3]);
    }
    return { xs, ys };
  }

  _magnet(values, lines, magnetOn) {
    // the shift that brings the nearest of `values` onto one of `lines`, if within the magnet distance
    if (!magnetOn) return 0;
    let best = null;
    const reach = MAGNET_PX / this.zoom;
    for (const v of values) for (const l of lines) {
      const d = l - v;
      if (Math.abs(d) <= reach && (best === null || Math.abs(d) < Math.abs(best))) best = d;
    }
    return best || 0;
  }

  _guides(page, box, edges) {
    const s = this.sheets.get(page);
    s.guides.replaceChildren();
    if (!box) return;
    const p = this.page(page);
    for (const x of new Set([box[0], box[2]])) {
      if ([0, p.size[0], ...edges.xs].some((v) => Math.abs(v - x) < ALIGNED_MM)) {
        const g = el("div", "guide guide-v", s.guides);
        Object.assign(g.style, { left: this._px(x), top: "0px", height: this._px(p.size[1]) });
      }
    }
    for (const y of new Set([box[1], box[3]])) {
      if ([0, p.size[1], ...edges.ys].some((v) => Math.abs(v - y) < ALIGNED_MM)) {
        const g = el("div", "guide guide-h", s.guides);
        Object.assign(g.style, { top: this._px(y), left: "0px", width: this._px(p.size[0]) });
      }
    }
  }

  _move(e) {
    const d = this.drag;
    if (!d) return;
    if (!d.moved && Math.hypot(e.clientX - d.startPx[0], e.clientY - d.startPx[1]) < DRAG_START_PX) return;
    if (!d.moved) {
      if (!this.editable(d.target)) {
        this.hooks.message(this.hooks.readOnly() ? "read-only: nothing can be moved" : `${d.target.name} is locked: ${d.item.locked}`);
        this.drag = null;
        return;
      }
      d.moved = true;
      d.skip = new Set(d.target.group ? d.item.members.map((m) => m.name) : [d.target.name]);
      d.edges = this._edges(d.page, d.skip);
      d.ghost = this._ghost(d);
    }
    const [x, y] = this.toPage(e, d.page);
    const magnet = this.hooks.snapOn() && !e.altKey;
    d.result = d.mode === "move" ? this._moved(d, x - d.start[0], y - d.start[1], magnet)
                                 : this._resized(d, x - d.start[0], y - d.start[1], magnet, e.shiftKey);
    this._place(d.ghost, d.result.box, 2);
    this._guides(d.page, d.result.box, d.edges);
    this.hooks.geometry(d.target, d.result.box, d.result.values);
  }

  _ghost(d) {
    // the element's own pixels, lifted from the page image, follow the pointer
    const s = this.sheets.get(d.page);
    const ghost = el("div", "ghost", s.paper);
    const box = d.item.box;
    if (d.mode === "move") {
      Object.assign(ghost.style, { backgroundImage: `url("${s.img.src}")`,
        backgroundSize: `${s.paper.style.width} ${s.paper.style.height}`,
        backgroundPosition: `${-box[0] * this.zoom}px ${-box[1] * this.zoom}px` });
    }
    s.paper.querySelector(".selection")?.classList.add("dragging");
    return ghost;
  }

  _moved(d, dx, dy, magnet) {
    const b = d.item.box;
    let x0 = snap(b[0] + dx), y0 = snap(b[1] + dy);
    const w = b[2] - b[0], h = b[3] - b[1];
    const mx = this._magnet([x0, x0 + w], d.edges.xs, magnet), my = this._magnet([y0, y0 + h], d.edges.ys, magnet);
    x0 += mx;
    y0 += my;
    const sx = fmt(x0 - b[0]), sy = fmt(y0 - b[1]);
    const off = d.item.offset;
    const values = {};
    for (const [kx, ky] of d.item.geometry.pairs) {
      values[kx] = fmt(d.item.at[kx] + sx - off[0]);
      values[ky] = fmt(d.item.at[ky] + sy - off[1]);
    }
    return { box: [x0, y0, x0 + w, y0 + h], values, changed: sx !== 0 || sy !== 0, snapped: [fmt(mx), fmt(my)] };
  }

  _resized(d, dx, dy, magnet, shift) {
    const it = d.item, g = it.geometry, off = it.offset, hd = d.handle;
    if (hd.keys) {          // a line's end
      const [kx, ky] = hd.keys;
      let x = snap(it.at[kx] + dx), y = snap(it.at[ky] + dy);
      const mx = this._magnet([x], d.edges.xs, magnet), my = this._magnet([y], d.edges.ys, magnet);
      x += mx;
      y += my;
      const [ox, oy] = hd.name === "end1" ? [it.at[g.pairs[1][0]], it.at[g.pairs[1][1]]] : [it.at[g.pairs[0][0]], it.at[g.pairs[0][1]]];
      if (shift) { if (Math.abs(x - ox) > Math.abs(y - oy)) y = oy; else x = ox; }
      const values = { [kx]: fmt(x - off[0]), [ky]: fmt(y - off[1]) };
      return { box: [Math.min(x, ox), Math.min(y, oy), Math.max(x, ox), Math.max(y, oy)], values,
               changed: fmt(x) !== fmt(it.at[kx]) || fmt(y) !== fmt(it.at[ky]), snapped: [fmt(mx), fmt(my)] };
    }
    let [x0, y0, x1, y1] = it.box;
    const min = GRID;
    if (g.square) {
      let size = snap(Math.max(x1 - x0 + dx, y1 - y0 + dy, min));
      const mx = this._magnet([x0 + size], d.edges.xs, magnet), my = mx ? 0 : this._magnet([y0 + size], d.edges.ys, magnet);
      size += mx || my;
      return { box: [x0, y0, x0 + size, y0 + size], values: { [g.square]: fmt(size) }, changed: fmt(size) !== fmt(it.at[g.square]),
               snapped: [fmt(mx), fmt(my)] };
    }
    const n = hd.name;
    let mx = 0, my = 0;        // how far the magnet pulled the moving edges (said when dropped)
    if (n.includes("w")) { x0 = snap(x0 + dx); mx = this._magnet([x0], d.edges.xs, magnet); x0 = Math.min(x0 + mx, x1 - min); }
    if (n.includes("e")) { x1 = snap(x1 + dx); mx = this._magnet([x1], d.edges.xs, magnet); x1 = Math.max(x1 + mx, x0 + min); }
    if (n.includes("n")) { y0 = snap(y0 + dy); my = this._magnet([y0], d.edges.ys, magnet); y0 = Math.min(y0 + my, y1 - min); }
    if (n.includes("s")) { y1 = snap(y1 + dy); my = this._magnet([y1], d.edges.ys, magnet); y1 = Math.max(y1 + my, y0 + min); }
    const values = {};
    const [px, py] = g.pairs[0];
    if (n.includes("w")) values[px] = fmt(x0 - off[0]);
    if (n.includes("n")) values[py] = fmt(y0 - off[1]);
    if (n.includes("w") || n.includes("e")) values[g.w] = fmt(x1 - x0);
    if (n.includes("n") || n.includes("s")) values[g.h] = fmt(y1 - y0);
    const changed = Object.entries(values).some(([k, v]) => fmt(it.at[k] - (k === px ? off[0] : k === py ? off[1] : 0)) !== v);
    return { box: [x0, y0, x1, y1], values, changed, snapped: [fmt(mx), fmt(my)] };
  }

  _up(e) {
    const d = this.drag;
    if (!d) return;
    this.drag = null;
    const s = this.sheets.get(d.page);
    s.paper.querySelectorAll(".ghost").forEach((n) => n.remove());
    s.paper.querySelector(".selection")?.classList.remove("dragging");
    s.guides.replaceChildren();
    if (!d.moved) {
      if (d.cycle && d.cycle.length > 1) {       // a second click on the same spot: the element underneath
        const i = d.cycle.findIndex((t) => sameTarget(t, this.selected));
        this.select(d.cycle[(i + 1) % d.cycle.length]);
      }
      return;
    }
    if (!d.result || !d.result.changed) { this.layout(); return; }
    // show it where it was dropped until the new rendering arrives
    this._apply(d.target, d.result);
    const [mx, my] = d.result.snapped || [0, 0];
    const shift = [mx ? `x ${mx > 0 ? "+" : ""}${mx}` : "", my ? `y ${my > 0 ? "+" : ""}${my}` : ""].filter(Boolean);
    this.hooks.edit({ op: "set", page: d.target.page, element: d.target.name, include: Boolean(d.target.group),
                      values: d.result.values },
                    shift.length ? `snapped to another element's edge (${shift.join(", ")} mm from where it was ` +
                                   "dropped; hold Alt while dragging to place it freely)" : "");
  }

  _apply(t, result) {
    const it = this.target(t);
    if (!it) return;
    const dx = result.box[0] - it.box[0], dy = result.box[1] - it.box[1];
    const moved = t.group ? it.members : [it];
    for (const m of moved) {
      if (t.group) m.box = [m.box[0] + dx, m.box[1] + dy, m.box[2] + dx, m.box[3] + dy];
      else m.box = result.box;
      for (const k of Object.keys(m.at || {})) {
        const v = result.values[k];
        if (v !== undefined && !t.group) m.at[k] = v + (k.startsWith("x") ? m.offset[0] : k.startsWith("y") ? m.offset[1] : 0);
      }
    }
    if (t.group) for (const [k, v] of Object.entries(result.values)) it.at[k] = v;
    this.layout();
  }

  // ------------------------------------------------------------------ keyboard
  nudge(dx, dy) {
    // arrow keys: moved on screen at once, written once the keys rest (one undo step)
    const t = this.selected;
    if (!t) return;
    if (!this.editable(t)) {
      const it = this.target(t);
      this.hooks.message(this.hooks.readOnly() ? "read-only: nothing can be moved" : `${t.name} is locked: ${it && it.locked}`);
      return;
    }
    const n = this.nudged && sameTarget(this.nudged.target, t) ? this.nudged : (this.flushNudge(), { target: t, dx: 0, dy: 0 });
    n.dx = fmt(n.dx + dx);
    n.dy = fmt(n.dy + dy);
    clearTimeout(n.timer);
    this.nudged = n;
    const it = this.target(t);
    const values = {};
    for (const [kx, ky] of it.geometry.pairs) {
      values[kx] = fmt(it.at[kx] + dx - it.offset[0]);
      values[ky] = fmt(it.at[ky] + dy - it.offset[1]);
    }
    const result = { box: [it.box[0] + dx, it.box[1] + dy, it.box[2] + dx, it.box[3] + dy].map(fmt), values };
    this._apply(t, result);
    n.values = values;
    this.hooks.geometry(t, result.box, values);
    n.timer = setTimeout(() => this.flushNudge(), 400);
  }

  flushNudge() {
    const n = this.nudged;
    if (!n) return;
    clearTimeout(n.timer);
    this.nudged = null;
    if (n.dx === 0 && n.dy === 0) return;
    this.hooks.edit({ op: "set", page: n.target.page, element: n.target.name, include: Boolean(n.target.group), values: n.values });
  }
}
