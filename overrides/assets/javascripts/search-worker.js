/*
 * The handbook's search worker. mkdocs-material's bundle starts it in place of the theme's own
 * worker (overrides/assets/javascripts/search-page.js points the bundle's config at this file)
 * and talks to it with the theme's four messages: SETUP (the index) -> READY, QUERY (the text
 * in the box) -> RESULT (groups of entries, one group per page, rendered by the bundle).
 *
 * Why not the theme's worker: it cuts a Chinese query greedily against its index and never
 * tries the whole query word (so 响应时间 is searched as 响应* and highlighted as single
 * characters), every word is optional (差评罚多少钱 ranks any page with 罚 above the fine for
 * 差评), and a page's summary entry gets a boost over its clauses. Here:
 *
 *   - the query is cut into the index's own words, the synonym list's everyday words and the
 *     question words (什么, 多少钱, 几次 ...), which are dropped;
 *   - an everyday word also searches the handbook's terms for it (synonyms.txt, via the index);
 *   - an entry scores by BM25 over title, text and the hidden `syn` field, times the share of
 *     query words it contains (squared), times its `boost` (summary pages get less) and half for
 *     a page's own summary entry;
 *   - `terms` holds the whole words matched on the page, so the result link opens the page
 *     with ?h=响应时间 and the theme highlights whole words there;
 *   - a query that finds nothing gets the nearest words of the index and the synonym list,
 *     posted on the BroadcastChannel "hb-search" for the page script to offer.
 */
"use strict";

const SETUP = 0;
const READY = 1;
const QUERY = 2;
const RESULT = 3;

const FIELD_WEIGHT = { title: 3, text: 1, syn: 0.7, page: 0.5 };
const EXACT = 1;
const PREFIX = 0.7;
const INFIX = 0.5;
const EVERYDAY = 0.9; // a handbook term found for an everyday word
const PARTS = 0.4; // a word found only by its parts, not as written
const SINGLE = 0.3; // a lone character that is not a word of its own
const ARTICLE = 0.5; // a page's own entry (its summary) against its clauses
const BM25_K1 = 1.2;
const BM25_B = 0.75;
const MAX_WORD = 8;
const SHOWN_PER_PAGE = 3;
const SHOWN_SHARE = 0.4; // a page shows its entries scoring at least this share of its best one
const SNIPPET = 90;
const CACHE_LIMIT = 500;

// What people add around the words that matter when they type a question.
const QUESTION_WORDS = new Set((
  "的 了 吗 呢 吧 啊 呀 么 嘛 哦 哈 要 想 是 有 在 和 与 或 及 就 都 也 还 又 会 能 可 该 得 被 把 给 让 对 " +
  "我 我们 你 你们 他 她 它 咱 自己 人 " +
  "可以 能不能 可不可以 是不是 要不要 需要 需不需要 应该 必须 一定 " +
  "什么 啥 咋 怎么 怎么办 怎么样 怎样 如何 为什么 为啥 多少 多少钱 几 几次 几个 几天 几点 多久 " +
  "多长时间 哪 哪些 哪里 哪儿 哪个 谁 请问 一下 一个 这个 那个 这 那 时候 什么时候 规定 要求 " +
  "有没有 会不会 算不算 允许 不允许 没 怎么算 算 啦 最多 最少 一次 多久"
).split(" ").filter(Boolean));

const HAN = /\p{sc=Han}/u;
const RUNS = /\p{sc=Han}+|[^\p{sc=Han}]+/gu;
const TAGS = /<[^>]*>/g;
const BLOCK_TAGS = /<\/?(?:p|li|ul|ol|tr|td|th|table|thead|tbody|h\d|div|blockquote|pre|dl|dt|dd|br|hr)\b[^>]*>/gi;
const ENTITY = /&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi;
const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decode(text) {
  return text.replace(ENTITY, (_, e) => {
    const key = e.toLowerCase();
    if (key in NAMED) return NAMED[key];
    const code = key[1] === "x" ? parseInt(key.slice(2), 16) : parseInt(key.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : "";
  });
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

function occurrences(text, word) {
  let count = 0;
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + word.length)) count++;
  return count;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function plain(html) {
  return decode(html.replace(TAGS, " ")).replace(/\u200b/g, "");
}

class Engine {
  constructor({ config, docs }) {
    this.separator = new RegExp(config.separator, "u");
    this.synonyms = new Map(Object.entries(config.synonyms || {}));
    this.docs = docs.map(doc => this.prepare(doc));
    this.byLocation = new Map(this.docs.map(d => [d.location, d]));
    // A clause is found by its page's title too (卫生检查怎么扣分 -> 办公卫生检查评分制度 · 评分标准).
    for (const doc of this.docs) {
      const article = this.byLocation.get(doc.page);
      if (!doc.article && article) {
        doc.tf.page = article.tf.title;
        doc.pageTitle = article.plainTitle;
      }
    }
    this.postings = new Map();
    let textLength = 0;
    this.docs.forEach((doc, i) => {
      textLength += doc.length;
      for (const [field, counts] of Object.entries(doc.tf))
        for (const [token, tf] of counts) {
          let posting = this.postings.get(token);
          if (!posting) this.postings.set(token, (posting = new Map()));
          let entry = posting.get(i);
          if (!entry) posting.set(i, (entry = { title: 0, text: 0, syn: 0, page: 0 }));
          entry[field] = tf;
        }
    });
    this.averageLength = textLength / Math.max(1, this.docs.length) || 1;
    this.vocabulary = [...this.postings.keys()];
    this.dictionary = new Set([...this.vocabulary, ...this.synonyms.keys(), ...QUESTION_WORDS]);
    for (const terms of this.synonyms.values()) for (const term of terms) this.dictionary.add(term);
    this.cache = new Map();
    this.matches = new Map();
  }

  prepare(doc) {
    const tokens = text => text.toLowerCase().normalize("NFKC").split(this.separator).filter(Boolean);
    const count = list => list.reduce((m, t) => m.set(t, (m.get(t) || 0) + 1), new Map());
    // Tokens keep jieba's U+200B cuts; plain() (for display) removes them.
    const text = tokens(decode((doc.text || "").replace(TAGS, " ")));
    return {
      location: doc.location,
      page: doc.location.split("#")[0],
      article: !doc.location.includes("#"),
      title: doc.title || "",
      html: doc.text || "",
      boost: typeof doc.boost === "number" ? doc.boost : 1,
      length: text.length,
      plainTitle: plain(doc.title || "").toLowerCase().normalize("NFKC"),
      plainText: plain(doc.text || "").toLowerCase().normalize("NFKC"),
      pageTitle: "",
      tf: {
        title: count(tokens(decode((doc.title || "").replace(TAGS, " ")))),
        text: count(text),
        syn: count(tokens(doc.syn || "")),
      },
    };
  }

  /* Cut a run of Han characters into the fewest dictionary words; unknown characters stay together. */
  segment(run) {
    const n = run.length;
    const cost = new Array(n + 1).fill(Infinity);
    const from = new Array(n + 1).fill(0);
    cost[0] = 0;
    for (let i = 0; i < n; i++) {
      if (cost[i] === Infinity) continue;
      for (let len = Math.min(MAX_WORD, n - i); len >= 1; len--) {
        const word = run.slice(i, i + len);
        const known = this.dictionary.has(word);
        if (len > 1 && !known) continue;
        const c = cost[i] + (len > 1 ? 1 : known ? 1.6 : 2);
        if (c < cost[i + len]) {
          cost[i + len] = c;
          from[i + len] = i;
        }
      }
    }
    const words = [];
    for (let end = n; end > 0; end = from[end]) words.unshift(run.slice(from[end], end));
    const merged = [];
    for (const word of words) {
      const last = merged[merged.length - 1];
      const unknown = w => w.length === 1 && !this.dictionary.has(w);
      if (last !== undefined && unknown(word) && [...last].every(unknown)) merged[merged.length - 1] += word;
      else merged.push(word);
    }
    return merged;
  }

  /* The meaningful dictionary words inside ``word`` other than itself (差评罚款 -> 差评 罚款). */
  parts(word) {
    if (word.length < 3 || !HAN.test(word)) return [];
    const known = this.dictionary.has(word);
    if (known) this.dictionary.delete(word);
    const parts = this.segment(word).filter(p => p.length > 1 && !QUESTION_WORDS.has(p) && this.postings.has(p));
    if (known) this.dictionary.add(word);
    return parts.join("") === word && parts.length < 2 ? [] : parts;
  }

  /* The query as groups of alternatives: a group matches when any of its words does. */
  analyze(query) {
    const words = [];
    for (const piece of query.toLowerCase().normalize("NFKC").split(this.separator))
      for (const run of piece.match(RUNS) || [])
        words.push(...(HAN.test(run) ? this.segment(run) : [run.trim()]).filter(Boolean));
    const meaningful = words.filter(w => !QUESTION_WORDS.has(w));
    const kept = meaningful.length ? meaningful : words;
    const groups = [];
    for (const word of new Set(kept)) {
      const single = word.length === 1 && HAN.test(word) && !this.synonyms.has(word);
      const alternatives = [{ word, weight: single ? SINGLE : EXACT, parts: this.parts(word) }];
      for (const term of this.synonyms.get(word) || []) {
        const lower = term.toLowerCase();
        alternatives.push({ word: lower, weight: EVERYDAY, parts: this.parts(lower) });
      }
      groups.push({ word, alternatives, optional: single && kept.length > 1 });
    }
    return groups;
  }

  /* Index words a query word stands for: itself, words it begins, words containing it. */
  candidates(word) {
    let found = this.cache.get(word);
    if (found) return found;
    found = [];
    if (this.postings.has(word)) found.push({ token: word, weight: EXACT, shown: word });
    for (const token of this.vocabulary) {
      if (token === word) continue;
      // A long index word a query word begins is shown (and highlighted) as the query word.
      const shown = token.length <= word.length + 2 ? token : word;
      if (token.startsWith(word)) found.push({ token, weight: PREFIX, shown });
      else if (word.length > 1 && token.includes(word)) found.push({ token, weight: INFIX, shown: word });
    }
    if (this.cache.size > CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, found);
    return found;
  }

  idf(token) {
    const df = this.postings.get(token).size;
    return Math.log(1 + (this.docs.length - df + 0.5) / (df + 0.5));
  }

  fieldScore(entry, doc) {
    const title = entry.title ? entry.title / (entry.title + 0.5) : 0;
    const norm = 1 - BM25_B + (BM25_B * doc.length) / this.averageLength;
    const text = entry.text ? (entry.text * (BM25_K1 + 1)) / (entry.text + BM25_K1 * norm) : 0;
    const syn = entry.syn ? 1 : 0;
    const page = entry.page ? 1 : 0;
    return FIELD_WEIGHT.title * title + FIELD_WEIGHT.text * text + FIELD_WEIGHT.syn * syn + FIELD_WEIGHT.page * page;
  }

  /* Documents containing ``word`` (or an index word it begins or is part of): index -> {score, shown}. */
  match(word) {
    let found = this.matches.get(word);
    if (found) return found;
    found = new Map();
    for (const candidate of this.candidates(word)) {
      const idf = this.idf(candidate.token);
      for (const [i, entry] of this.postings.get(candidate.token)) {
        const score = candidate.weight * idf * this.fieldScore(entry, this.docs[i]);
        const visible = entry.title || entry.text ? candidate.shown : null; // not a syn/page-only match
        const current = found.get(i);
        if (!current || score > current.score) found.set(i, { score, shown: visible ? [visible] : [] });
      }
    }
    if (!this.postings.has(word) && word.length > 1) this.phrase(word, found);
    if (this.matches.size > CACHE_LIMIT) this.matches.clear(); // every prefix typed lands here
    this.matches.set(word, found);
    return found;
  }

  /* A word the index cut into pieces (工作牌 -> 工作 牌): entries whose text holds it as written. */
  phrase(word, found) {
    const holding = [];
    for (let i = 0; i < this.docs.length; i++) {
      const doc = this.docs[i];
      const entry = {
        title: occurrences(doc.plainTitle, word),
        text: occurrences(doc.plainText, word),
        syn: 0,
        page: occurrences(doc.pageTitle, word) ? 1 : 0,
      };
      if (entry.title || entry.text || entry.page) holding.push([i, entry]);
    }
    if (!holding.length) return;
    const idf = Math.log(1 + (this.docs.length - holding.length + 0.5) / (holding.length + 0.5));
    for (const [i, entry] of holding) {
      const score = EXACT * idf * this.fieldScore(entry, this.docs[i]);
      const current = found.get(i);
      if (!current || score > current.score) found.set(i, { score, shown: [word] });
    }
  }

  /* A word's matches, or for a word the index does not hold whole (差评罚款, 接电话, 负激励) the
     documents holding its parts, scored by the share of the parts they hold. */
  matchAlternative({ word, weight, parts }) {
    const whole = this.match(word);
    const best = new Map();
    for (const [i, m] of whole) best.set(i, { score: weight * m.score, shown: m.shown });
    if (!parts.length) return best;
    const partMatches = parts.map(part => this.match(part));
    const docs = new Set(partMatches.flatMap(m => [...m.keys()]));
    for (const i of docs) {
      let sum = 0;
      let held = 0;
      const shown = [];
      for (const m of partMatches) {
        const hit = m.get(i);
        if (!hit) continue;
        sum += hit.score;
        held += 1;
        shown.push(...hit.shown);
      }
      const share = held / parts.length;
      const score = PARTS * weight * (sum / parts.length) * share * share;
      const current = best.get(i);
      if (!current || score > current.score) best.set(i, { score, shown });
    }
    return best;
  }

  search(query) {
    const groups = this.analyze(query);
    const required = groups.filter(g => !g.optional).length;
    const scores = new Map(); // doc index -> {sum, matched, shown:Set}
    for (const group of groups) {
      const best = new Map(); // doc index -> {score, shown}
      for (const alternative of group.alternatives)
        for (const [i, m] of this.matchAlternative(alternative)) {
          const current = best.get(i);
          // The best alternative scores; every alternative found on the page is highlighted.
          if (!current) best.set(i, { score: m.score, shown: [...m.shown] });
          else {
            current.score = Math.max(current.score, m.score);
            current.shown.push(...m.shown);
          }
        }
      for (const [i, { score, shown }] of best) {
        let s = scores.get(i);
        if (!s) scores.set(i, (s = { sum: 0, matched: 0, shown: new Set() }));
        s.sum += score;
        if (group.optional) continue; // a lone character is not highlighted on its own
        s.matched += 1;
        for (const word of shown) s.shown.add(word);
      }
    }
    const hits = [];
    for (const [i, s] of scores) {
      if (required && !s.matched) continue;
      const doc = this.docs[i];
      const coverage = required ? s.matched / required : 1;
      const score = s.sum * coverage * coverage * doc.boost * (doc.article ? ARTICLE : 1);
      hits.push({ doc, score, shown: [...s.shown] });
    }
    hits.sort((a, b) => b.score - a.score);
    return { items: this.group(hits), groups };
  }

  /* One group per page in the order of its best entry; the bundle renders the first entry of a
     group as the page heading, shows the entries scoring at least its score and folds the rest. */
  group(hits) {
    const pages = new Map();
    for (const hit of hits) {
      if (!pages.has(hit.doc.page)) pages.set(hit.doc.page, []);
      pages.get(hit.doc.page).push(hit);
    }
    const items = [];
    for (const [page, list] of pages) {
      const sections = list.filter(h => !h.doc.article);
      const own = list.find(h => h.doc.article);
      const articleDoc = this.byLocation.get(page) || (own && own.doc);
      // The page's own entry leads only when it matched better than every clause of the page.
      const ownBest = own && (!sections.length || own.score > sections[0].score);
      const shown = ownBest
        ? []
        : sections.filter((h, k) => k < SHOWN_PER_PAGE && h.score >= sections[0].score * SHOWN_SHARE);
      const threshold = ownBest ? own.score : shown[shown.length - 1].score;
      const heading = articleDoc ? this.item(articleDoc, ownBest ? own.shown : [], threshold) : null;
      const entries = sections.map(h => this.item(h.doc, h.shown, h.score));
      items.push(heading ? [heading, ...entries] : entries);
    }
    return items;
  }

  item(doc, shown, score) {
    const terms = {};
    for (const word of shown) terms[word] = true;
    return {
      location: doc.location,
      title: mark(plain(doc.title), shown),
      text: snippet(doc.html, shown),
      score,
      terms,
    };
  }

  /* The theme's search.suggest: the most used index word beginning with the last typed word. */
  complete(query) {
    const last = query.toLowerCase().normalize("NFKC").split(/[\s-]+/).pop();
    if (!last) return [];
    let best = null;
    let most = 0;
    for (const token of this.vocabulary) {
      if (token.length <= last.length || !token.startsWith(last)) continue;
      const df = this.postings.get(token).size;
      if (df > most) [best, most] = [token, df];
    }
    return best ? [best] : [];
  }

  /* Words of the index and the synonym list nearest to what was typed, for a query finding nothing. */
  nearest(groups, limit = 5) {
    const wanted = groups.map(g => g.word).filter(w => w.length > 1 || HAN.test(w));
    if (!wanted.length) return [];
    const scored = new Map();
    const consider = (word, shownAs) => {
      if (word.length < 2) return;
      for (const typed of wanted) {
        if (word === typed) continue;
        const a = new Set(typed);
        const common = [...new Set(word)].filter(c => a.has(c)).length;
        if (!common) continue;
        const similarity = (2 * common) / (a.size + new Set(word).size);
        const df = this.postings.has(shownAs) ? this.postings.get(shownAs).size : 1;
        const score = similarity + Math.log(1 + df) / 20 + (word[0] === typed[0] ? 0.1 : 0);
        if (!scored.has(shownAs) || scored.get(shownAs) < score) scored.set(shownAs, score);
      }
    };
    for (const token of this.vocabulary) if (HAN.test(token)) consider(token, token);
    for (const [word, terms] of this.synonyms) for (const term of terms) consider(word, term);
    return [...scored].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([word]) => word);
  }
}

/* ``text`` (plain) as HTML, every occurrence of the matched words wrapped in ``<mark>``. */
function mark(text, words) {
  const list = [...new Set(words.filter(Boolean))].sort((a, b) => b.length - a.length);
  if (!list.length) return escapeHtml(text);
  const pattern = new RegExp(list.map(escapeRegExp).join("|"), "giu");
  let html = "";
  let at = 0;
  for (const found of text.matchAll(pattern)) {
    html += escapeHtml(text.slice(at, found.index)) + `<mark data-md-highlight>${escapeHtml(found[0])}</mark>`;
    at = found.index + found[0].length;
  }
  return html + escapeHtml(text.slice(at));
}

/* Up to two blocks of the entry that contain a matched word, cut around the first match. */
function snippet(html, words) {
  const blocks = decode(html.replace(BLOCK_TAGS, "\n").replace(TAGS, ""))
    .replace(/\u200b/g, "")
    .split("\n")
    .map(b => b.replace(/\s+/g, " ").trim())
    .filter(Boolean);
  const lower = words.map(w => w.toLowerCase());
  const position = b => Math.min(...lower.map(w => b.toLowerCase().indexOf(w)).filter(i => i >= 0));
  let chosen = blocks.filter(b => Number.isFinite(position(b))).slice(0, 2);
  if (!chosen.length) chosen = blocks.slice(0, 1);
  return chosen
    .map(block => {
      let text = block;
      const at = Number.isFinite(position(block)) ? position(block) : 0;
      if (text.length > SNIPPET) {
        const start = Math.max(0, Math.min(at - 20, text.length - SNIPPET));
        text = (start > 0 ? "…" : "") + text.slice(start, start + SNIPPET) + (start + SNIPPET < block.length ? "…" : "");
      }
      return `<p>${mark(text, words)}</p>`;
    })
    .join("");
}

let engine = null;
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("hb-search") : null;

addEventListener("message", ({ data: message }) => {
  if (message.type === SETUP) {
    engine = new Engine(message.data);
    postMessage({ type: READY });
  } else if (message.type === QUERY) {
    const query = String(message.data || "");
    let items = [];
    let nearest = [];
    try {
      if (engine && query.trim()) {
        const found = engine.search(query);
        items = found.items;
        if (!items.length) nearest = engine.nearest(found.groups);
      }
    } catch (err) {
      console.warn("search failed for", query, err);
    }
    const suggest = engine && items.length ? engine.complete(query) : [];
    postMessage({ type: RESULT, data: { items, suggest } });
    if (channel) channel.postMessage({ query, empty: !items.length && !!query.trim(), nearest });
  }
});
