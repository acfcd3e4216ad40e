// ups-dashboard: the page's only script. It reads /api/state (live over
// /api/stream), /api/history and /api/events, and draws with the DOM and
// SVG; nothing is fetched from elsewhere.
"use strict";

const WORDS = {
  OL: "On line power", OB: "On battery", LB: "Low battery", HB: "High battery",
  RB: "Replace battery", CHRG: "Charging", DISCHRG: "Discharging", BYPASS: "On bypass",
  CAL: "Calibrating", OFF: "Off", OVER: "Overloaded", TRIM: "Trimming voltage",
  BOOST: "Boosting voltage", FSD: "Forced shutdown", ALARM: "Alarm", TEST: "Testing", ECO: "ECO mode",
};
const KINDS = {
  "outage": "Power outage", "communication-lost": "Communication lost", "bypass": "On bypass",
  "overload": "Overload", "trim": "Trimming voltage", "boost": "Boosting voltage",
  "calibration": "Calibration", "off": "UPS off", "alarm": "Alarm", "eco": "ECO mode",
  "low-battery": "Low battery", "forced-shutdown": "Forced shutdown", "shutdown": "This machine shut down",
  "replace-battery": "Replace battery", "unavailable": "UPS unavailable", "self-test": "Self-test",
};
const SVGNS = "http://www.w3.org/2000/svg";
const W = 600, H = 240, PAD = { l: 56, r: 12, t: 12, b: 30 };

let range = 21600;
let state = null;
const series = new Map(); // ups -> history reply
let lastStatus = "";
const spoken = new Map(); // ups -> the status words last announced

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}
function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
function idFor(name) { return "ups-" + name.replace(/[^A-Za-z0-9_-]/g, c => "_" + c.charCodeAt(0).toString(16)); }
function num(v) { const f = parseFloat(v); return Number.isFinite(f) ? f : null; }
function fmtDuration(s) {
  s = Math.round(s);
  if (s < 60) return s + " s";
  const parts = [], d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
  if (d) parts.push(d + " d"); if (h) parts.push(h + " h"); if (m) parts.push(m + " min"); if (sec && !d) parts.push(sec + " s");
  return parts.join(" ");
}
function fmtTime(t) { return new Date(t).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" }); }

// severity and words of a UPS's state, in text as well as colour.
function describe(u) {
  if (!u.driver_connected) return { sev: "unknown", text: "No data: driver not connected" };
  if (u.stale) return { sev: "unknown", text: "No data: stale (the driver does not answer)" };
  const toks = (u.status || "").split(/\s+/).filter(Boolean);
  const words = toks.map(t => WORDS[t]).filter(Boolean);
  let sev = "unknown";
  if (toks.includes("OL")) sev = "ok";
  if (["OB", "RB", "OVER", "BYPASS", "ALARM", "OFF"].some(t => toks.includes(t))) sev = "warning";
  if (["LB", "FSD"].some(t => toks.includes(t)) || (toks.includes("OB") && toks.includes("LB"))) sev = "critical";
  return { sev, text: words.length ? words.join(", ") : (u.status || "Unknown") };
}

function card(u) {
  const d = describe(u), v = u.vars || {};
  const id = idFor(u.name);
  const a = el("article", { class: "ups sev-" + d.sev, id, "aria-labelledby": id + "-h" });
  a.append(el("h3", { id: id + "-h" }, u.name));
  const model = [v["device.mfr"], v["device.model"]].filter(Boolean).join(" ");
  if (model) a.append(el("p", { class: "model" }, model));
  const st = el("p", { class: "status" }, el("span", { class: "status-text" }, d.text));
  if (u.status) st.append(" ", el("span", { class: "code" }, "(" + u.status + ")"));
  a.append(st);
  const dl = el("dl");
  const row = (label, value, meter) => {
    if (value == null) return;
    const dd = el("dd", {}, value);
    if (meter != null) dd.append(el("meter", { min: "0", max: "100", low: "25", high: "80", optimum: meter.opt, value: String(meter.v), "aria-hidden": "true" }));
    dl.append(el("dt", {}, label), dd);
  };
  const charge = num(v["battery.charge"]), load = num(v["ups.load"]), rt = num(v["battery.runtime"]);
  row("Battery charge", charge == null ? null : charge + " %", charge == null ? null : { v: charge, opt: "100" });
  row("Runtime", rt == null ? null : fmtDuration(rt));
  row("Load", load == null ? null : load + " %", load == null ? null : { v: load, opt: "0" });
  row("Input voltage", v["input.voltage"] ? v["input.voltage"] + " V" : null);
  row("Output voltage", v["output.voltage"] ? v["output.voltage"] + " V" : null);
  a.append(dl);
  if (u.stale || !u.driver_connected) a.append(el("p", { class: "stale" }, "Data is stale: the values above are not current."));
  return a;
}

function renderCards() {
  const box = document.getElementById("cards");
  if (!state.ups.length) {
    box.replaceChildren(el("p", {}, state.upsd_up ? "upsd serves no UPS." : "upsd does not answer: " + (state.error || "")));
    return;
  }
  box.replaceChildren(...state.ups.map(card));
}

// chart draws one SVG line chart of some fields of a history reply.
function chart(h, title, unit, fields, fixed) {
  const idx = fields.map(f => h.fields.indexOf(f) + 1);
  const pts = h.points;
  let lo = fixed ? fixed[0] : Infinity, hi = fixed ? fixed[1] : -Infinity;
  const vals = [];
  for (const p of pts) for (const i of idx) if (p[i] != null) vals.push(p[i]);
  if (!fixed && vals.length) {
    lo = Math.min(...vals); hi = Math.max(...vals);
    const m = Math.max(1, (hi - lo) * 0.1);
    lo = Math.min(lo, Math.max(0, Math.floor(lo - m))); hi = Math.ceil(hi + m);
  }
  if (!Number.isFinite(lo)) { lo = 0; hi = 100; }
  const x = t => PAD.l + (t - h.from) / Math.max(1, h.to - h.from) * (W - PAD.l - PAD.r);
  const y = v => H - PAD.b - (v - lo) / Math.max(1e-9, hi - lo) * (H - PAD.t - PAD.b);
  const count = vals.length;
  const last = fields.map((f, k) => { for (let j = pts.length - 1; j >= 0; j--) if (pts[j][idx[k]] != null) return pts[j][idx[k]]; return null; });
  const summary = count ? `${title}, ${h.points.length} points over ${fmtDuration(h.to - h.from)}: lowest ${Math.min(...vals)} ${unit}, highest ${Math.max(...vals)} ${unit}, latest ${last.filter(v => v != null).join(" and ")} ${unit}.` : `${title}: no data in this period.`;
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": summary, "data-points": String(pts.length),
    "data-last": String(pts.length ? pts[pts.length - 1][0] : 0) });
  const obBit = 1 << h.flags.indexOf("OB"), flagIdx = h.fields.length + 1;
  for (let j = 0; j < pts.length; j++) {
    if (pts[j][flagIdx] & obBit) {
      const x0 = x(pts[j][0]), x1 = x(pts[j][0] + h.step);
      s.append(svg("rect", { class: "onbatt", x: x0.toFixed(1), y: PAD.t, width: Math.max(1, x1 - x0).toFixed(1), height: H - PAD.t - PAD.b }));
    }
  }
  for (const v of [lo, (lo + hi) / 2, hi]) {
    s.append(svg("line", { class: "grid", x1: PAD.l, x2: W - PAD.r, y1: y(v).toFixed(1), y2: y(v).toFixed(1) }));
    const t = svg("text", { class: "axis", x: PAD.l - 6, y: (y(v) + 6).toFixed(1), "text-anchor": "end" }); t.textContent = Math.round(v * 10) / 10; s.append(t);
  }
  for (const [t, anchor] of [[h.from, "start"], [h.to, "end"]]) {
    const e = svg("text", { class: "axis", x: x(t).toFixed(1), y: H - 8, "text-anchor": anchor });
    e.textContent = new Date(t * 1000).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }); s.append(e);
  }
  idx.forEach((i, k) => {
    let run = [];
    const flush = () => { if (run.length) s.append(svg("polyline", { class: "s" + k, points: run.join(" ") })); run = []; };
    for (const p of pts) { if (p[i] == null) { flush(); continue; } run.push(x(p[0]).toFixed(1) + "," + y(p[i]).toFixed(1)); }
    flush();
  });
  const t = svg("title"); t.textContent = summary; s.prepend(t);
  const cap = el("figcaption", {}, `${title} (${unit})`);
  if (fields.length > 1) cap.append(" ", el("span", { class: "legend" }, ...fields.map((f, k) => el("span", { class: "k" + k }, f + " "))));
  return el("figure", {}, cap, s);
}

function renderCharts() {
  const box = document.getElementById("charts");
  const sets = [];
  for (const u of (state ? state.ups : [])) {
    const h = series.get(u.name);
    if (!h) continue;
    sets.push(el("div", { class: "chartset", id: idFor(u.name) + "-charts" }, el("h3", {}, u.name),
      el("div", { class: "charts" },
        chart(h, "Battery charge", "%", ["battery.charge"], [0, 100]),
        chart(h, "Load", "%", ["ups.load"], [0, 100]),
        chart(h, "Voltage", "V", ["input.voltage", "output.voltage"]))));
  }
  box.replaceChildren(...sets);
}

async function getJSON(url) {
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) throw new Error(url + ": HTTP " + r.status);
  return r.json();
}

async function loadHistory() {
  if (!state) return;
  for (const u of state.ups) {
    try { series.set(u.name, await getJSON(`api/history?ups=${encodeURIComponent(u.name)}&range=${range}`)); }
    catch (e) { document.getElementById("conn").textContent = "Cannot read the history: " + e.message; }
  }
  renderCharts();
}

// addLive appends the state just received to each chart, so that the
// charts move with every sample between two history loads.
function addLive() {
  const now = Math.floor(Date.parse(state.time) / 1000);
  for (const u of state.ups) {
    const h = series.get(u.name);
    if (!h) continue;
    const last = h.points.length ? h.points[h.points.length - 1][0] : 0;
    const p = [now, ...h.fields.map(f => num((u.vars || {})[f]))];
    let flags = 0;
    for (const t of (u.status || "").split(/\s+/)) { const i = h.flags.indexOf(t); if (i >= 0) flags |= 1 << i; }
    if (u.stale || !u.driver_connected) flags |= 1 << (h.flags.length - 1);
    p.push(flags);
    // Closer than half a step to the last point: it becomes this one
    // (the chart shows the latest reading); otherwise a point is added.
    if (now - last < Math.max(1, h.step / 2)) h.points[h.points.length - 1] = p; else h.points.push(p);
    h.to = now;
    h.from = now - range;
    while (h.points.length && h.points[0][0] < h.from) h.points.shift();
  }
  renderCharts();
}

async function loadEvents() {
  const body = document.querySelector("#events tbody"), note = document.getElementById("events-note");
  let r;
  try { r = await getJSON("api/events?range=2592000"); } catch (e) { note.textContent = "Cannot read the events: " + e.message; return; }
  note.textContent = r.error ? r.error : (r.events.length ? "" : "No events in the last 30 days.");
  const rows = r.events.slice().reverse().map(e => {
    const start = Date.parse(e.start);
    let end = "–", dur = "–";
    if (e.ongoing) { end = "ongoing"; dur = fmtDuration((Date.now() - start) / 1000); }
    else if (e.ended_by === "reboot") end = "unknown (reboot)";
    else if (e.end) { end = fmtTime(e.end) + (e.ended_by === "shutdown" ? " (shut down)" : ""); dur = fmtDuration((Date.parse(e.end) - start) / 1000); }
    const det = [];
    if (e.details && e.details.lowest_charge) det.push("lowest charge " + e.details.lowest_charge + " %");
    if (e.details && e.details.low_battery) det.push("battery ran low");
    if (e.details && e.details.result) det.push(e.details.result);
    return el("tr", { class: "ev-" + e.kind }, el("td", {}, KINDS[e.kind] || e.kind), el("td", {}, e.system || e.ups || "–"),
      el("td", {}, fmtTime(e.start)), el("td", {}, end), el("td", {}, dur), el("td", {}, det.join(", ") || "–"));
  });
  body.replaceChildren(...rows);
}

// announce says a UPS's new status in the page's one live region: the
// cards are redrawn at each update, and a screen reader follows a region
// that stays, not one replaced.
function announce(first) {
  const said = [];
  for (const u of state.ups) {
    const text = describe(u).text;
    if (!first && spoken.get(u.name) !== text) said.push(u.name + ": " + text);
    spoken.set(u.name, text);
  }
  if (said.length) document.getElementById("announce").textContent = said.join(". ");
}

function onState(s, first) {
  state = s;
  renderCards();
  announce(first);
  const sig = s.ups.map(u => u.name + "=" + u.status + (u.stale ? "!" : "")).join(";");
  if (first) { loadHistory(); loadEvents(); }
  else addLive();
  if (!first && sig !== lastStatus) setTimeout(loadEvents, 1500); // the journal entry follows the change
  lastStatus = sig;
}

function start() {
  for (const b of document.querySelectorAll("#ranges button")) {
    b.addEventListener("click", () => {
      range = parseInt(b.dataset.range, 10);
      for (const o of document.querySelectorAll("#ranges button")) o.setAttribute("aria-pressed", String(o === b));
      loadHistory();
    });
  }
  const conn = document.getElementById("conn");
  let first = true;
  const es = new EventSource("api/stream");
  es.addEventListener("state", ev => {
    conn.textContent = "Live, updated " + new Date().toLocaleTimeString();
    onState(JSON.parse(ev.data), first);
    first = false;
  });
  es.addEventListener("error", () => { conn.textContent = "Connection lost; reconnecting…"; });
  setInterval(loadHistory, 60000);
  setInterval(loadEvents, 60000);
}

document.addEventListener("DOMContentLoaded", start);
