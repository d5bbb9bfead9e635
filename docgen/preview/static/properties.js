"use strict";
// The properties panel: every key of the selected element's kind, built from the layout JSON
// Schema the server sends (/api/schema). Values are shown as the file holds them; a change is
// sent at once (Enter or leaving the field) and the server loads the whole layout with it, as
// the loader does: a refused value keeps the file as it was and shows the loader's message.

const SECTIONS = [
  ["Name", ["id"]],
  ["Position and size (mm)", ["x", "y", "w", "h", "x1", "y1", "x2", "y2", "scale"]],
  ["Content", ["text", "value", "items", "numbering", "indent", "src", "payload", "error_correction", "part",
               "postal_code", "address"]],
  ["Text", ["font", "whole_value_font", "size", "align", "valign"]],
  ["Fit: shrink, 長体, wrap", ["fit"]],
  ["Line and fill", ["stroke", "fill", "radius", "dash"]],
  ["Condition", ["when"]],
];
const POSITION = new Set(["x", "y", "x1", "y1", "x2", "y2"]);

const make = (tag, attrs = {}, parent = null) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  if (parent) parent.append(node);
  return node;
};

function unit(key, spec, kind) {
  const d = spec.description || "";
  if (POSITION.has(key) || ["w", "h", "radius", "indent"].includes(key) || d.startsWith("mm")) return "mm";
  if (d.startsWith("points") || ["stroke"].includes(key) || (key === "size" && kind.keys.font)) return "pt";
  return "";
}

function shown(value) {
  if (value === undefined || value === null) return "";
  return String(value);
}

export class Properties {
  constructor(hooks) {
    this.hooks = hooks;          // edit(op) -> Promise<{error?}>, select(target), readOnly(), message(text)
    this.schema = null;
    this.target = null;
    this.info = null;
    this.form = document.getElementById("props-form");
    this.head = document.getElementById("props-head");
    this.error = document.getElementById("props-error");
    this.empty = document.getElementById("props-empty");
  }

  setSchema(schema) {
    this.schema = schema;
    for (const [id, options] of [["fonts", schema.families], ["templates", schema.fields.map((f) => `{${f}}`)],
                                 ["parts", schema.parts]]) {
      const list = document.getElementById(id) || make("datalist", { id }, document.body);
      list.replaceChildren(...options.map((o) => make("option", { value: o })));
    }
  }

  clear() {
    this.target = null;
    this.info = null;
    this.form.replaceChildren();
    this.form.hidden = true;
    this.head.hidden = true;
    this.error.hidden = true;
    this.empty.hidden = false;
  }

  showError(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  }

  async show(target, keepError = false) {
    if (!target) { this.clear(); return; }
    const query = new URLSearchParams({ page: target.page, element: target.name, include: target.group ? "1" : "0" });
    const answer = await (await fetch("/api/element?" + query, { cache: "no-store" })).json();
    if (answer.error) { this.clear(); this.showError(answer.error); return; }
    const same = this.info && this.target && this.target.page === target.page && this.target.name === target.name &&
      Boolean(this.target.group) === Boolean(target.group) && this.info.kind === answer.kind &&
      this.info.locked === answer.locked;
    this.target = target;
    this.info = answer;
    if (!keepError) this.showError("");
    this._head(target, answer);
    if (same) this._update(answer); else this._form(answer);
  }

  _update(info) {
    // the same element again (after an edit): new values in place, the field being typed in left alone
    for (const input of this.form.querySelectorAll("[name]")) {
      if (input === document.activeElement && input.value !== input.dataset.original) continue;
      const [head, rest] = input.name.split(/\.(.*)/s);
      const value = rest ? (info.values[head] || {})[rest] : info.values[head];
      input.value = input.dataset.type === "yaml" ? (info.yaml[head] ?? shown(value)) : shown(value);
      input.dataset.original = input.value;
      input.classList.remove("invalid");
    }
  }

  locked() {
    return this.hooks.readOnly() || Boolean(this.info && this.info.locked);
  }

  _head(target, info) {
    this.empty.hidden = true;
    this.head.hidden = false;
    this.head.replaceChildren();
    const title = make("div", { class: "props-title" }, this.head);
    make("span", { class: `kind kind-${info.kind}`, text: info.kind }, title);
    make("strong", { id: "props-name", text: info.name }, title);
    const where = make("div", { class: "props-where" }, this.head);
    where.textContent = `${info.file} › ${info.path.join(".").replace(/\.(\d+)/g, "[$1]")}`;
    if (info.offset[0] || info.offset[1]) {
      make("div", { class: "props-note", text: `Positions are relative to the include at (${info.offset[0]}, ${info.offset[1]}) mm.` }, this.head);
    }
    if (info.locked) make("div", { class: "banner locked", text: `Locked: ${info.locked}` }, this.head);
    else if (info.shared) {
      make("div", { class: "banner shared", text: `Written in the part ${info.file}: a change applies to every layout that includes it.` }, this.head);
    }
    const actions = make("div", { class: "props-actions" }, this.head);
    const page = this.hooks.page(target.page);
    const el = page && !target.group ? page.elements.find((e) => e.name === target.name) : null;
    if (el && el.group) {
      make("button", { type: "button", class: "tool", text: `Select include ${el.group}` }, actions)
        .addEventListener("click", () => this.hooks.select({ page: target.page, name: el.group, group: true }));
    }
    if (!this.locked()) {
      const del = make("button", { type: "button", class: "tool danger", id: "delete", text: "Delete", title: "Delete (Del)" }, actions);
      del.addEventListener("click", () => this.hooks.remove(target));
      if (target.group) del.hidden = true;
    }
    if (!target.group && !this.hooks.readOnly()) {
      make("button", { type: "button", class: "tool", id: "duplicate", text: "Duplicate", title: "Duplicate (Ctrl+D)" }, actions)
        .addEventListener("click", () => this.hooks.duplicate(target));
    }
  }

  _form(info) {
    const kind = this.schema.kinds[info.kind];
    this.form.replaceChildren();
    this.form.hidden = false;
    if (!kind) return;
    const keys = Object.keys(kind.keys);
    const placed = new Set();
    const sections = SECTIONS.map(([title, names]) => [title, names.filter((k) => keys.includes(k))]);
    if (kind.keys.size && !kind.keys.font) sections[1][1].push("size");     // a QR code's size is its extent
    sections.push(["Other", []]);
    for (const [, names] of sections) names.forEach((k) => placed.add(k));
    sections[sections.length - 1][1] = keys.filter((k) => !placed.has(k));
    for (const [title, names] of sections) {
      if (!names.length) continue;
      const fs = make("fieldset", {}, this.form);
      make("legend", { text: title }, fs);
      for (const key of names) this._field(fs, key, kind.keys[key], info.values[key], kind);
    }
  }

  _field(parent, key, spec, value, kind, prefix = "") {
    const name = prefix + key;
    if (spec.type === "object") {
      const inner = value && typeof value === "object" ? value : {};
      for (const [k, s] of Object.entries(spec.properties)) this._field(parent, k, s, inner[k], kind, `${name}.`);
      return;
    }
    const row = make("div", { class: "row" }, parent);
    const id = `prop-${name.replace(/\./g, "-")}`;
    const required = !prefix && kind.required.includes(key);
    const label = make("label", { for: id, text: key + (required ? " *" : ""), title: spec.description || "" }, row);
    if (spec.description) label.classList.add("described");
    let input;
    const def = spec.default;
    const placeholder = def === undefined || def === null ? (spec.nullable ? "(none)" : "") : typeof def === "object" ? "" : String(def);
    if (spec.type === "enum" || spec.type === "boolean") {
      input = make("select", { id, name }, row);
      const options = spec.type === "boolean" ? ["true", "false"] : spec.enum;
      make("option", { value: "", text: placeholder ? `(default: ${placeholder})` : "(not set)" }, input);
      for (const o of options) make("option", { value: String(o), text: String(o) }, input);
      input.value = shown(value);
    } else if (key === "text" && !prefix) {
      input = make("textarea", { id, name, rows: 2, placeholder }, row);
      input.value = shown(value);
    } else {
      const number = spec.type === "number" || spec.type === "integer";
      input = make("input", {
        id, name, type: number ? "number" : "text", placeholder,
        step: number ? (spec.type === "integer" ? "1" : "0.1") : undefined,
        min: spec.minimum ?? spec.exclusiveMinimum, max: spec.maximum ?? spec.exclusiveMaximum,
        list: key === "font" || key === "whole_value_font" ? "fonts" : key === "value" ? "templates"
          : key === "part" ? "parts" : undefined,
        spellcheck: "false",
      }, row);
      input.value = spec.type === "yaml" ? (this.info.yaml[key] ?? shown(value)) : shown(value);
    }
    const u = unit(key, spec, kind);
    make("span", { class: "unit", text: u }, row);
    input.dataset.type = spec.type;
    input.dataset.nullable = spec.nullable || def !== undefined ? "1" : "";
    input.dataset.original = input.value;
    input.disabled = this.locked();
    const send = () => this._send(input);
    input.addEventListener("change", send);
    if (input.tagName === "INPUT") input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); send(); } });
  }

  _value(input) {
    const text = input.value;
    const type = input.dataset.type;
    if (text.trim() === "" && type !== "string") return null;
    if (type === "number" || type === "integer") {
      const n = Number(text);
      if (!Number.isFinite(n)) throw new Error(`${input.name}: not a number`);
      return n;
    }
    if (type === "boolean") return text === "true";
    if (type === "yaml") return { yaml: text };
    if (text === "" && input.dataset.nullable) return null;
    return text;
  }

  async _send(input) {
    if (!this.target || input.value === input.dataset.original || input.value === input.dataset.sending) return;
    let value;
    try {
      value = this._value(input);
    } catch (err) {
      this.showError(err.message);
      input.classList.add("invalid");
      return;
    }
    input.dataset.sending = input.value;
    const answer = await this.hooks.edit({ op: "set", page: this.target.page, element: this.target.name,
                                           include: Boolean(this.target.group), values: { [input.name]: value } });
    delete input.dataset.sending;
    if (answer && answer.error) {
      input.classList.add("invalid");
      this.showError(answer.error);
    } else {
      input.classList.remove("invalid");
      input.dataset.original = input.value;
      this.showError("");
    }
  }
}
