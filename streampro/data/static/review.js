// The review page: every verified item, editable. Text goes into inputs' values and textContent only.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const urlToken = new URLSearchParams(location.search).get("token");
if (urlToken) {
  sessionStorage.setItem("streampro-review-token", urlToken);
  history.replaceState(null, "", location.pathname);
}
const token = urlToken || sessionStorage.getItem("streampro-review-token");

async function api(path, options = {}) {
  const headers = {...(options.headers || {})};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body) headers["Content-Type"] = "application/json";
  const r = await fetch(path, {...options, headers});
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

function showError(e) { $("error").textContent = e ? String(e.message || e) : ""; }
function showCounts(c) {
  $("counts").textContent = `accepted ${c.accept} · edited ${c.edit} · rejected ${c.reject} · to review ${c.undecided}`;
}

const TIME_KEYS = ["time", "start", "end"];

function answerRow(a) {
  const li = document.createElement("li");
  const text = document.createElement("input");
  text.type = "text"; text.className = "text"; text.value = a.text;
  li.append(text);
  for (const k of TIME_KEYS) {
    if (a[k] === undefined) continue;
    const label = document.createElement("label");
    label.append(document.createTextNode(` ${k} `));
    const inp = document.createElement("input");
    inp.type = "number"; inp.step = "0.1"; inp.min = "0"; inp.dataset.key = k; inp.value = a[k];
    label.append(inp);
    li.append(label);
  }
  li.answer = a;
  return li;
}

function drawTimeline(svg, rec, video) {
  svg.replaceChildren();
  const x = (t) => 1000 * Math.min(t, rec.duration) / Math.max(rec.duration, 1e-6);
  const q = document.createElementNS(SVG, "line");
  for (const [k, v] of Object.entries({x1: x(rec.query_time), x2: x(rec.query_time), y1: 0, y2: 30})) q.setAttribute(k, v);
  q.setAttribute("stroke", "#999"); q.setAttribute("stroke-dasharray", "4 3");
  svg.append(q);
  rec.answers.forEach((a, i) => {
    const t0 = a.time !== undefined ? a.time : a.start, t1 = a.time !== undefined ? a.time : a.end;
    const r = document.createElementNS(SVG, "rect");
    const w = Math.max(6, x(t1) - x(t0));
    for (const [k, v] of Object.entries({x: x(t0) - (t1 === t0 ? 3 : 0), y: 6, width: w, height: 18, fill: "#1565c0"})) {
      r.setAttribute(k, v);
    }
    r.classList.add("mark");
    r.dataset.index = i;
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${a.text} @ ${t0}s`;
    r.append(title);
    r.addEventListener("click", () => { video.currentTime = t0; });
    svg.append(r);
  });
}

function edited(card) {
  const answers = [...card.querySelectorAll(".answers li")].map((li) => {
    const a = {...li.answer, text: li.querySelector("input.text").value};
    li.querySelectorAll("input[type=number]").forEach((inp) => { a[inp.dataset.key] = Number(inp.value); });
    return a;
  });
  return {question: card.querySelector("input.question").value,
          query_time: Number(card.querySelector("input.query-time").value), answers};
}

function fill(card, item) {
  const rec = item.record;
  card.dataset.id = rec.id;
  card.dataset.decision = item.decision || "";
  card.querySelector(".task").textContent = rec.task;
  card.querySelector(".id").textContent = rec.id;
  card.querySelector(".decision").textContent = item.decision ? item.decision : "to review";
  card.querySelector("input.question").value = rec.question;
  card.querySelector("input.query-time").value = rec.query_time;
  const list = card.querySelector(".answers");
  list.replaceChildren(...rec.answers.map(answerRow));
  drawTimeline(card.querySelector(".timeline"), rec, card.querySelector("video"));
}

async function decide(card, decision) {
  showError(null);
  const body = {id: card.dataset.id, decision};
  if (decision === "edit") body.edit = edited(card);
  try {
    const r = await api("/api/decide", {method: "POST", body: JSON.stringify(body)});
    fill(card, {record: r.record, decision: r.decision});
    showCounts(r.counts);
  } catch (e) { showError(e); }
}

async function videoSrc(path) {
  // the token travels in a header, never in a media URL: fetch the video and play it from a blob
  const headers = token ? {Authorization: `Bearer ${token}`} : {};
  const r = await fetch(path, {headers});
  if (!r.ok) throw new Error(`video: HTTP ${r.status}`);
  return URL.createObjectURL(await r.blob());
}

async function load() {
  try {
    const data = await api("/api/items");
    const main = $("items");
    main.replaceChildren();
    for (const item of data.items) {
      const card = $("card").content.firstElementChild.cloneNode(true);
      fill(card, item);
      card.querySelector(".accept").addEventListener("click", () => decide(card, "accept"));
      card.querySelector(".save").addEventListener("click", () => decide(card, "edit"));
      card.querySelector(".reject").addEventListener("click", () => decide(card, "reject"));
      main.append(card);
      videoSrc(item.video).then((src) => { card.querySelector("video").src = src; }).catch(showError);
    }
    showCounts(data.counts);
  } catch (e) { showError(e); }
}

$("export").addEventListener("click", async () => {
  showError(null);
  try {
    const r = await api("/api/export", {method: "POST"});
    $("exported").textContent = `exported ${r.items} item(s) to ${r.path}`;
  } catch (e) { showError(e); }
});

load();
