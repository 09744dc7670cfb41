// cxinsight's page: plain JavaScript, no build step. Every view reads the same JSON API the CLI's --json prints.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const view = document.getElementById("view");
const player = document.getElementById("player");
let episodesById = null;
let tacticNames = {};
let redrawStars = null;  // the quote board's starred list, while it is shown

// ------------------------------------------------------------------ helpers
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${String(m).padStart(2, "0")}:${r}`;
}

function withToken(url) {
  if (!TOKEN) return url;
  return url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN);
}

async function api(path) {
  const response = await fetch(path, { headers: TOKEN ? { Authorization: "Bearer " + TOKEN } : {} });
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function showError(target, err) {
  target.replaceChildren(el("p", { class: "error" }, String(err.message || err)));
}

async function episodes() {
  if (!episodesById) {
    const [data, tactics] = await Promise.all([api("/api/episodes"), api("/api/tactics")]);
    episodesById = Object.fromEntries(data.episodes.map((e) => [e.episode_id, e]));
    tacticNames = Object.fromEntries(tactics.tactics.map((t) => [t.id, t.name]));
  }
  return episodesById;
}

// ------------------------------------------------------------------ the player: click a citation, hear it
function play(episodeId, start, label) {
  const bar = document.getElementById("player-bar");
  bar.hidden = false;
  document.getElementById("now-playing").textContent = label || `${episodeId} · ${clock(start)}`;
  const src = withToken(`/media/${encodeURIComponent(episodeId)}`);
  const seek = () => { player.currentTime = start; player.play().catch(() => {}); };
  if (player.dataset.episode === episodeId && player.readyState >= 1) { seek(); return; }
  player.dataset.episode = episodeId;
  player.addEventListener("loadedmetadata", seek, { once: true });
  player.src = src;
  player.load();
}

function playButton(episodeId, start, label, hasAudio) {
  return el("button", {
    class: "play", type: "button", disabled: !hasAudio, "data-episode": episodeId, "data-start": start,
    title: hasAudio ? "Play from here" : "Transcript-only episode: no audio",
    onclick: () => play(episodeId, start, label),
  }, "▶ " + clock(start));
}

// ------------------------------------------------------------------ stars (the quote board), kept in this browser
function stars() { return JSON.parse(localStorage.getItem("cxinsight-stars") || "{}"); }
function saveStars(s) {
  localStorage.setItem("cxinsight-stars", JSON.stringify(s));
  countStars();
  if (redrawStars) redrawStars();
}
function countStars() {
  const n = Object.keys(stars()).length;
  document.getElementById("star-count").textContent = n ? `(${n})` : "";
}
function quoteKey(q) { return `${q.episode_id}@${Number(q.start).toFixed(2)}`; }
function starButton(q) {
  const key = quoteKey(q);
  const button = el("button", { class: "star", type: "button", title: "Star for the quote board" });
  const paint = () => { button.textContent = stars()[key] ? "★" : "☆"; };
  button.addEventListener("click", () => {
    const s = stars();
    if (s[key]) delete s[key]; else s[key] = q;
    saveStars(s); paint();
  });
  paint();
  return button;
}

function quoteCard(q, eps, extra = null) {
  const ep = eps[q.episode_id] || {};
  const who = [q.speaker || "Unknown speaker", q.organisation || ep.organisation].filter(Boolean).join(", ");
  const label = `${who} · ${q.title || ep.title || q.episode_id}`;
  return el("li", { class: "quote" },
    el("blockquote", {}, `“${q.text || q.quote}”`),
    el("div", { class: "meta" }, extra, playButton(q.episode_id, q.start, label, ep.audio), el("span", {}, "— " + who),
      el("a", { href: `#/episode/${encodeURIComponent(q.episode_id)}` }, q.title || ep.title || q.episode_id),
      q.tactic ? el("span", { class: "tag", title: q.tactic }, tacticNames[q.tactic] || q.tactic) : null, starButton({ ...q, text: q.text || q.quote })));
}

// ------------------------------------------------------------------ views
async function askView(params) {
  view.replaceChildren(document.getElementById("ask-view").content.cloneNode(true));
  const input = document.getElementById("q");
  const out = document.getElementById("answer");
  const run = async (mode) => {
    const q = input.value.trim();
    if (!q) { showError(out, new Error("Type a question first.")); return; }
    history.replaceState(null, "", `${location.search}#/?${mode}=${encodeURIComponent(q)}`);
    out.replaceChildren(el("p", { class: "muted" }, mode === "ask" ? "Answering…" : "Searching…"));
    try {
      const [data, eps] = await Promise.all([api(`/api/${mode}?q=${encodeURIComponent(q)}`), episodes()]);
      mode === "ask" ? renderAnswer(out, data, eps) : renderHits(out, data, eps);
    } catch (err) { showError(out, err); }
  };
  document.getElementById("ask-form").addEventListener("submit", (e) => { e.preventDefault(); run("ask"); });
  document.getElementById("search-button").addEventListener("click", () => run("search"));
  const preset = params.get("ask") || params.get("search");
  if (preset) { input.value = preset; run(params.get("ask") ? "ask" : "search"); }
  input.focus();
}

function renderAnswer(out, data, eps) {
  const items = data.citations.map((c) => {
    const li = quoteCard({ ...c, organisation: (eps[c.episode_id] || {}).organisation }, eps, el("span", { class: "n" }, `[${c.n}]`));
    li.classList.add("citation");
    li.id = `citation-${c.n}`;
    return li;
  });
  out.replaceChildren(el("div", { class: data.refused ? "refused" : "answer-text", id: "answer-text" }, data.answer));
  if (items.length) out.append(el("h2", {}, "Citations"), el("ol", { class: "citations" }, items));
}

function renderHits(out, data, eps) {
  if (!data.results.length) { out.replaceChildren(el("p", { class: "muted" }, "No passages match.")); return; }
  out.replaceChildren(el("ol", { class: "citations" }, data.results.map((h, i) =>
    quoteCard({ ...h, organisation: (eps[h.episode_id] || {}).organisation, tactic: (h.tactics || [])[0] }, eps,
      el("span", { class: "n" }, `${i + 1}.`)))));
}

async function episodesView() {
  const eps = Object.values(await episodes());
  view.replaceChildren(el("h1", {}, `Episodes (${eps.length})`), el("table", {},
    el("tr", {}, ["Episode", "Guest", "Length", "Tactics", "Audio"].map((h) => el("th", {}, h))),
    eps.map((e) => el("tr", {},
      el("td", {}, el("a", { href: `#/episode/${encodeURIComponent(e.episode_id)}` }, e.title || e.episode_id)),
      el("td", {}, [e.guest, e.organisation].filter(Boolean).join(", ")),
      el("td", {}, (e.times_estimated ? "~" : "") + clock(e.duration)),
      el("td", {}, (e.tactics || []).length),
      el("td", {}, e.audio ? "yes" : "")))));
}

async function episodeView(episodeId) {
  const e = await api(`/api/episodes/${encodeURIComponent(episodeId)}`);
  const turns = [];
  for (const s of e.sentences) {
    const last = turns[turns.length - 1];
    if (last && last.speaker === s.speaker) last.sentences.push(s); else turns.push({ speaker: s.speaker, sentences: [s] });
  }
  const sentence = (s) => el("span", {
    class: "s" + (s.tactics.length ? " tactic" : ""), id: `s-${s.index}`, "data-start": s.start,
    title: (s.tactics.length ? s.tactics.join(", ") + " · " : "") + clock(s.start) + (e.audio ? " · click to play" : ""),
    onclick: () => e.audio && play(e.episode_id, s.start, `${s.speaker || "Unknown speaker"} · ${e.title}`),
  }, s.text + " ");
  const tacticsFound = [...new Set(e.mentions.map((m) => m.tactic))];
  view.replaceChildren(
    el("h1", {}, e.title),
    el("p", { class: "meta" }, [e.show, e.guest, e.organisation, e.date].filter(Boolean).join(" · "),
      el("a", { class: "button secondary", href: withToken(`/api/episodes/${encodeURIComponent(e.episode_id)}/shownotes?format=md`) },
        "Show notes (Markdown)")),
    el("h2", {}, "Speakers"),
    el("table", { id: "speakers" }, e.speakers.map((sp) => el("tr", {},
      el("td", {}, sp.name || "Unknown speaker", " ", sp.role ? el("span", { class: "tag" }, sp.role) : null),
      el("td", {}, el("span", { class: "bar", style: `width:${Math.round(sp.share * 200)}px` }), ` ${Math.round(sp.share * 100)}%`),
      el("td", { class: "muted" }, `“${sp.sample}”`)))),
    el("h2", {}, "Transcript"),
    el("p", { class: "legend muted" }, tacticsFound.length ? `Highlighted: passages cited for ${tacticsFound.join(", ")}.` : "No tactic mentions."),
    el("div", { class: "transcript" }, turns.map((t) => el("div", { class: "turn" },
      el("div", { class: "who" }, t.speaker || "Unknown speaker", el("time", {}, clock(t.sentences[0].start))),
      el("div", {}, t.sentences.map(sentence))))));
}

async function tacticsView() {
  const data = await api("/api/tactics");
  const top = Math.max(1, ...data.tactics.map((t) => t.mentions));
  view.replaceChildren(el("h1", {}, "Tactics across the archive"), el("table", { id: "tactics" },
    el("tr", {}, ["Tactic", "Mentions", "Episodes", "Speakers"].map((h) => el("th", {}, h))),
    data.tactics.map((t) => el("tr", {},
      el("td", {}, el("a", { href: `#/quotes?tactic=${encodeURIComponent(t.id)}` }, t.name)),
      el("td", {}, el("span", { class: "bar", style: `width:${Math.round((t.mentions / top) * 160)}px` }), ` ${t.mentions}`),
      el("td", {}, t.episodes.length), el("td", { class: "muted" }, t.speakers.join(", "))))),
    el("h2", {}, "Chart"), el("img", { class: "chart", alt: "Tactic frequency and tactic by episode heat map",
      src: withToken("/api/tactics/chart.png") }));
}

async function quotesView(params) {
  const tactic = params.get("tactic") || "";
  const [data, eps] = await Promise.all([api(`/api/quotes?n=30${tactic ? "&tactic=" + encodeURIComponent(tactic) : ""}`), episodes()]);
  const starredList = el("ol", { class: "citations" });
  const drawStarred = () => starredList.replaceChildren(...Object.values(stars()).map((q) => quoteCard(q, eps)));
  const download = () => {
    const md = Object.values(stars()).map((q) => {
      const ep = eps[q.episode_id] || {};
      const who = [q.speaker || "Unknown speaker", q.organisation || ep.organisation].filter(Boolean).join(", ");
      return `> “${q.text}”\n>\n> — ${who} · *${q.title || ep.title || q.episode_id}* · ${clock(q.start)}\n`;
    }).join("\n");
    const link = el("a", { href: URL.createObjectURL(new Blob([md], { type: "text/markdown" })), download: "quotes.md" });
    link.click();
  };
  view.replaceChildren(
    el("h1", {}, "Quote board" + (tactic ? ` · ${tactic}` : "")),
    el("p", { class: "hint" }, "Star quotes to collect them; the starred list downloads as Markdown, ready for show notes."),
    el("h2", {}, "Starred"), starredList,
    el("button", { type: "button", id: "download-md", onclick: download }, "Download starred as Markdown"),
    el("h2", {}, "Best quotes"), el("ol", { class: "citations" }, data.quotes.map((q) => quoteCard(q, eps))));
  drawStarred();
  redrawStars = drawStarred;
}

// ------------------------------------------------------------------ routing (#/, #/episodes, #/episode/ID, #/tactics, #/quotes)
async function route() {
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query || "");
  redrawStars = null;
  try {
    if (path.startsWith("/episode/")) await episodeView(decodeURIComponent(path.slice(9)));
    else if (path === "/episodes") await episodesView();
    else if (path === "/tactics") await tacticsView();
    else if (path === "/quotes") await quotesView(params);
    else await askView(params);
  } catch (err) { showError(view, err); }
}

window.addEventListener("hashchange", route);
window.addEventListener("storage", () => { countStars(); if (redrawStars) redrawStars(); });  // another tab
countStars();
route();
