// The page of `streampro serve`. Every text that comes from the model, a question or the server is put
// into the page with textContent / createTextNode (never innerHTML), and the server's Content-Security-Policy
// allows no inline script, so a crafted response can only ever show as text.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

// The token arrives in the page's URL (printed by `streampro serve`); keep it for this tab and take it out
// of the address bar, so it is not shared by a copied link or a screenshot.
const urlToken = new URLSearchParams(location.search).get("token");
if (urlToken) {
  sessionStorage.setItem("streampro-token", urlToken);
  history.replaceState(null, "", location.pathname);
}
const token = urlToken || sessionStorage.getItem("streampro-token");

const state = {
  ws: null,          // the socket of the current run; events of any other socket are ignored
  timer: null,
  media: null,       // the webcam's MediaStream
  running: false,
  lastT: 0,
  marks: [],         // {t, text, q}
  questions: [],     // {id, label, text, status: pending | asking | open | closed, color}
  nextQ: 1,
};

function setText(el, text) { el.textContent = text; }
function showError(message) { setText($("errors"), message); }
function clearError() { setText($("errors"), ""); }
function setState(text) { setText($("state"), text); }

function question(id) { return state.questions.find((q) => q.id === id); }

// -- questions -------------------------------------------------------------------------------------
function renderQuestions() {
  const ul = $("questions");
  ul.replaceChildren();
  for (const q of state.questions) {
    const li = document.createElement("li");
    li.className = `question ${q.status}`;
    li.dataset.id = q.id;
    li.style.setProperty("--c", q.color);
    const label = document.createElement("span");
    label.className = "label";
    setText(label, q.label);
    const text = document.createElement("span");
    text.className = "qtext";
    setText(text, q.text);
    const status = document.createElement("span");
    status.className = "status";
    setText(status, q.status === "open" ? "" : q.status);
    li.append(label, text, status);
    if (q.status !== "closed") {
      const close = document.createElement("button");
      close.type = "button";
      close.className = "close";
      close.title = `close ${q.label}: the model stops answering it`;
      setText(close, "×");
      close.onclick = () => closeQuestion(q);
      li.append(close);
    }
    ul.append(li);
  }
}

function addQuestion(text) {
  const n = state.nextQ++;
  const q = {id: `q${n}`, label: `Q${n}`, text, status: "pending", color: COLORS[(n - 1) % COLORS.length]};
  state.questions.push(q);
  if (state.running) sendAsk(q);
  renderQuestions();
}

function sendAsk(q) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return;
  q.status = "asking";
  state.ws.send(JSON.stringify({type: "ask", question: q.text, id: q.id}));
}

function closeQuestion(q) {
  if (state.running && q.status === "open" && state.ws && state.ws.readyState === WebSocket.OPEN) {
    state.ws.send(JSON.stringify({type: "close_query", id: q.id}));
    q.status = "closed";
  } else if (state.running) {
    q.status = "closed";
  } else {
    state.questions = state.questions.filter((x) => x !== q);
  }
  renderQuestions();
}

// -- responses: the log and the timeline -----------------------------------------------------------
function drawTimeline() {
  const svg = $("timeline");
  const span = Math.max(10, state.lastT * 1.1);
  const x = (t) => 1000 * t / span;
  const el = (name, attrs) => {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  svg.replaceChildren();
  svg.append(el("line", {x1: 0, y1: 36, x2: 1000, y2: 36, stroke: "#999"}));
  svg.append(el("line", {x1: x(state.lastT), y1: 10, x2: x(state.lastT), y2: 54, stroke: "#1f6feb", "stroke-width": 2}));
  for (const m of state.marks) {
    const c = el("circle", {cx: x(m.t), cy: 36, r: 6, fill: m.color, class: "mark"});
    const title = document.createElementNS(SVG, "title");
    setText(title, `${m.t.toFixed(1)} s · ${m.label}: ${m.text}`);
    c.append(title);
    c.addEventListener("click", () => seek(m.t));
    svg.append(c);
  }
  const label = (px, text) => { const t = el("text", {x: px, y: 16, "font-size": 13, fill: "#555"}); setText(t, text); return t; };
  svg.append(label(4, "0 s"), label(930, `${span.toFixed(0)} s`));
}

function addResponse(ev) {
  const q = question(ev.id) || {label: ev.id, color: "#777", text: ""};
  state.marks.push({t: ev.t, text: ev.text, label: q.label, color: q.color});
  const li = document.createElement("li");
  const b = document.createElement("button");
  b.type = "button";
  b.className = "resp";
  b.dataset.q = ev.id;
  b.dataset.t = ev.t;
  b.style.setProperty("--c", q.color);
  b.title = q.text ? `${q.label}: ${q.text}` : q.label;
  const t = document.createElement("span");
  t.className = "t";
  setText(t, `${ev.t.toFixed(1)} s`);
  const label = document.createElement("span");
  label.className = "q";
  setText(label, q.label);
  const text = document.createElement("span");
  text.className = "text";
  setText(text, ev.text || "(empty answer)");
  b.append(t, label, text);
  b.onclick = () => seek(ev.t);
  li.append(b);
  const log = $("log");
  log.append(li);
  log.scrollTop = log.scrollHeight;  // follow the newest response without scrolling the page
  drawTimeline();
}

function note(text) {
  const li = document.createElement("li");
  li.className = "note";
  setText(li, text);
  $("log").append(li);
}

function seek(t) {
  const video = $("video");
  if (state.running) { showError("seeking works after Stop (the stream is still running)"); return; }
  if ($("source").value === "webcam" || !video.src) { showError("a live webcam cannot be replayed: seeking works for a file or the sample"); return; }
  clearError();
  video.pause();
  video.currentTime = t;
}

// -- the session -----------------------------------------------------------------------------------
function onEvent(sock, ev) {
  if (sock !== state.ws) return;  // a late event of an earlier run
  if (ev.type === "response") {
    addResponse(ev);
  } else if (ev.type === "stats") {
    setText($("stats"), `stepped ${ev.stepped}/${ev.received} frames, dropped ${ev.dropped}, responses ` +
      `${ev.responses}, lag ${ev.lag_s === null ? "-" : (1000 * ev.lag_s).toFixed(0) + " ms"}`);
  } else if (ev.type === "asked") {
    const q = question(ev.id);
    if (q && q.status !== "closed") q.status = "open";
    clearError();
    renderQuestions();
  } else if (ev.type === "error") {
    showError(ev.message);
  } else if (ev.type === "ready") {
    clearError();
    setText($("stats"), `connected: session ${ev.session}, model ${ev.model}`);
  } else if (ev.type === "done") {
    const s = ev.stats;
    setText($("stats"), `done: ${s.stepped} frames stepped, ${s.dropped} dropped, ${s.responses} responses`);
    note(`done at ${state.lastT.toFixed(1)} s`);
  }
}

function connect(fps) {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const q = new URLSearchParams({fps});
  if (token) q.set("token", token);
  return new Promise((resolve, reject) => {
    const sock = new WebSocket(`${proto}://${location.host}/v1/stream?${q}`);
    let ready = false;
    state.ws = sock;
    sock.onmessage = (m) => {
      const ev = JSON.parse(m.data);
      onEvent(sock, ev);
      if (ev.type === "ready") { ready = true; resolve(sock); }
    };
    sock.onerror = () => { if (!ready) reject(new Error("cannot connect to the server (token, Origin or server down)")); };
    sock.onclose = () => {
      if (sock !== state.ws) return;
      state.ws = null;
      if (state.running) { showError("the server closed the connection"); finish(); }
    };
  });
}

async function openSource() {
  const video = $("video");
  const source = $("source").value;
  video.pause();
  if (source === "webcam") {
    state.media = await navigator.mediaDevices.getUserMedia({video: true, audio: false});
    video.removeAttribute("src");
    video.srcObject = state.media;
  } else {
    video.srcObject = null;
    if (source === "file") {
      const f = $("file").files[0];
      if (!f) throw new Error("choose a video file first");
      video.src = URL.createObjectURL(f);
    } else {
      video.src = "/sample.webm";
    }
    video.currentTime = 0;
  }
  await video.play();
}

function resetRun() {
  state.marks = [];
  state.lastT = 0;
  $("log").replaceChildren();
  for (const q of state.questions) if (q.status !== "closed") q.status = "pending";
  state.questions = state.questions.filter((q) => q.status !== "closed");
  renderQuestions();
  drawTimeline();
}

async function start() {
  if (state.running) return;
  clearError();
  resetRun();
  const fps = Math.min(10, Math.max(0.2, parseFloat($("fps").value) || 1));
  setState("starting…");
  $("start").disabled = true;
  try {
    await openSource();
    await connect(fps);
  } catch (e) {
    releaseMedia();
    if (state.ws) { const s = state.ws; state.ws = null; s.close(); }
    $("start").disabled = false;
    setState("idle");
    throw e;
  }
  state.running = true;
  $("stop").disabled = false;
  setState("running");
  for (const q of state.questions) if (q.status === "pending") sendAsk(q);
  renderQuestions();
  const video = $("video"), canvas = $("canvas"), ctx = canvas.getContext("2d");
  const live = $("source").value === "webcam";
  const t0 = performance.now();
  state.timer = setInterval(() => {
    const sock = state.ws;
    if (!sock || sock.readyState !== WebSocket.OPEN || !video.videoWidth) return;
    if (!live && video.ended) { stop(); return; }
    const t = live ? (performance.now() - t0) / 1000 : video.currentTime;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    ctx.drawImage(video, 0, 0);
    state.lastT = t;
    canvas.toBlob((blob) => {
      if (!blob || sock !== state.ws || sock.readyState !== WebSocket.OPEN) return;
      const head = new ArrayBuffer(8);
      new DataView(head).setFloat64(0, t, true);  // stream time, little-endian float64
      blob.arrayBuffer().then((body) => { if (sock.readyState === WebSocket.OPEN) sock.send(new Blob([head, body])); });
      drawTimeline();
    }, "image/jpeg", 0.85);
  }, 1000 / fps);
}

function releaseMedia() {
  if (state.media) {
    for (const track of state.media.getTracks()) track.stop();  // the camera light goes off
    state.media = null;
    $("video").srcObject = null;
  }
}

// Stop: no more frames; wait (briefly) for the server's "done", then close the socket and the camera.
async function stop() {
  if (!state.running) return;
  clearInterval(state.timer);
  state.timer = null;
  $("stop").disabled = true;
  setState("finishing…");
  const sock = state.ws;
  $("video").pause();
  releaseMedia();
  if (sock && sock.readyState === WebSocket.OPEN) {
    const done = new Promise((resolve) => {
      const previous = sock.onmessage;
      sock.onmessage = (m) => { previous(m); if (JSON.parse(m.data).type === "done") resolve(); };
      setTimeout(resolve, 3000);
    });
    sock.send(JSON.stringify({type: "end"}));
    await done;
  }
  finish();
}

function finish() {
  clearInterval(state.timer);
  state.timer = null;
  releaseMedia();
  state.running = false;
  const sock = state.ws;
  state.ws = null;
  if (sock) sock.close();
  for (const q of state.questions) if (q.status !== "closed") q.status = "pending";
  renderQuestions();
  $("start").disabled = false;
  $("stop").disabled = true;
  setState("idle");
}

async function loadSample() {
  const r = await fetch("/sample");
  if (!r.ok) throw new Error(`no sample video (HTTP ${r.status})`);
  const s = await r.json();
  $("source").value = "sample";
  const video = $("video");
  releaseMedia();
  video.src = s.video;
  if (!state.questions.some((q) => q.text === s.question)) addQuestion(s.question);
  clearError();
}

$("askform").onsubmit = (e) => {
  e.preventDefault();
  const text = $("question").value.trim();
  if (!text) return;
  addQuestion(text);
  $("question").value = "";
};
$("start").onclick = () => start().catch((e) => showError(String(e.message || e)));
$("stop").onclick = () => stop();
$("sample").onclick = () => loadSample().catch((e) => showError(String(e.message || e)));
$("source").onchange = () => clearError();
renderQuestions();
drawTimeline();
