// The arena page: one comparison at a time. It only knows the task token and the two streams as A and B;
// which model is which stays on the server. Every text goes in with textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

const urlToken = new URLSearchParams(location.search).get("token");
if (urlToken) {
  sessionStorage.setItem("streampro-arena-token", urlToken);
  history.replaceState(null, "", location.pathname);
}
const token = urlToken || sessionStorage.getItem("streampro-arena-token");

// one annotator id per browser, kept across visits
let annotator = localStorage.getItem("streampro-annotator");
if (!annotator) {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  annotator = "a-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  localStorage.setItem("streampro-annotator", annotator);
}

let current = null, busy = false, mine = 0;

function setText(el, text) { el.textContent = text; }

async function api(path, options = {}) {
  const headers = {...(options.headers || {})};
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(path, {...options, headers});
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

function drawStream(side, responses, duration, queryTime) {
  const root = $(`stream-${side}`);
  const svg = root.querySelector(".timeline"), list = root.querySelector(".responses");
  const x = (t) => 1000 * Math.min(t, duration) / Math.max(duration, 1e-6);
  const el = (name, attrs) => {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  svg.replaceChildren(el("line", {x1: 0, y1: 22, x2: 1000, y2: 22, stroke: "#999"}),
                      el("line", {x1: x(queryTime), y1: 6, x2: x(queryTime), y2: 38, stroke: "#555", "stroke-dasharray": "3 3"}));
  list.replaceChildren();
  for (const r of responses) {
    const c = el("rect", {x: x(r.t) - 3, y: 10, width: 6, height: 24, rx: 2, fill: side === "A" ? "#1f6feb" : "#d62728"});
    const title = document.createElementNS(SVG, "title");
    setText(title, `${r.t.toFixed(1)} s: ${r.text}`);
    c.append(title);
    c.addEventListener("click", () => seek(r.t));
    svg.append(c);
    const li = document.createElement("li"), b = document.createElement("button");
    b.type = "button";
    const t = document.createElement("span"), text = document.createElement("span");
    t.className = "t";
    setText(t, `${r.t.toFixed(1)} s`);
    text.className = "text";
    setText(text, r.text || "(empty)");
    b.append(t, text);
    b.onclick = () => seek(r.t);
    li.append(b);
    list.append(li);
  }
  if (!responses.length) {
    const li = document.createElement("li");
    li.className = "silent";
    setText(li, "(stayed silent)");
    list.append(li);
  }
}

function seek(t) {
  const v = $("video");
  v.pause();
  v.currentTime = t;
}

function show(task) {
  current = task;
  const q = $("question");
  q.replaceChildren();
  const text = document.createElement("span");
  setText(text, task.question);
  const qt = document.createElement("span");
  qt.className = "qt";
  setText(qt, `asked at ${task.query_time.toFixed(1)} s`);
  q.append(text, qt);
  const v = $("video");
  v.src = `${task.video}${token ? `?token=${encodeURIComponent(token)}` : ""}`;
  v.currentTime = 0;
  drawStream("A", task.A, task.duration, task.query_time);
  drawStream("B", task.B, task.duration, task.query_time);
  setText($("status"), `your votes: ${mine} · all votes: ${task.votes}`);
}

async function next() {
  busy = true;
  setButtons(false);
  try {
    show(await api(`/api/next?annotator=${encodeURIComponent(annotator)}`));
    setText($("errors"), "");
  } finally {
    busy = false;
    setButtons(true);
  }
}

function setButtons(enabled) {
  for (const b of document.querySelectorAll(".votes button")) b.disabled = !enabled;
}

async function vote(choice) {
  if (busy || !current) return;
  busy = true;
  setButtons(false);
  try {
    const r = await api("/api/vote", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({task: current.task, vote: choice, annotator}),
    });
    if (r.recorded) mine += 1;
    busy = false;
    await next();
  } catch (e) {
    setText($("errors"), `${e.message}: press the key again to retry`);
    busy = false;
    setButtons(true);
  }
}

for (const b of document.querySelectorAll(".votes button")) b.onclick = () => vote(b.dataset.vote);
const KEYS = {a: "A", 1: "A", b: "B", 2: "B", t: "tie", 3: "tie", n: "both_bad", 4: "both_bad"};
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === " ") {
    e.preventDefault();
    const v = $("video");
    if (v.paused) v.play(); else v.pause();
    return;
  }
  const choice = KEYS[e.key.toLowerCase()];
  if (choice) { e.preventDefault(); vote(choice); }
});
next().catch((e) => setText($("errors"), e.message));
