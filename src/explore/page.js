"use strict";
// bfjit explore: draws every panel from the JSON in <script id="data">.
// Every listing line carries the source byte its op starts at (its "key");
// pointing at a line or a source command highlights what belongs to it in
// every panel. Listings are built as HTML strings in chunks whose layout
// the browser skips while they are off screen, so big programs open fast.
(() => {
  const D = JSON.parse(document.getElementById("data").textContent);
  const $ = (id) => document.getElementById(id);
  const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ESC[c]);
  const fmt = (n) =>
    n >= 1e9 ? (n / 1e9).toFixed(2) + " G" : n >= 1e6 ? (n / 1e6).toFixed(2) + " M"
      : n >= 1e4 ? (n / 1e3).toFixed(1) + " k" : String(Math.round(n));
  const pct = (x) => (x * 100).toFixed(1) + "%";
  const COMMANDS = "+-<>.,[]";
  const CHUNK = 400;
  const LINE_PX = 15.6;

  // ---- The source: lines, and the byte offset every line starts at.
  const enc = new TextEncoder();
  const lines = D.source.split("\n");
  const lineByte = new Array(lines.length);
  const ascii = new Array(lines.length);
  {
    let b = 0;
    for (let i = 0; i < lines.length; i++) {
      lineByte[i] = b;
      ascii[i] = /^[\x00-\x7f]*$/.test(lines[i]);
      b += (ascii[i] ? lines[i].length : enc.encode(lines[i]).length) + 1;
    }
  }
  function lineOfByte(b) {
    let lo = 0, hi = lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineByte[mid] <= b) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  const charToByte = (l, ch) =>
    lineByte[l] + (ascii[l] ? ch : enc.encode(lines[l].slice(0, ch)).length);
  function byteToChar(l, b) {
    const want = b - lineByte[l];
    if (ascii[l]) return Math.max(0, Math.min(want, lines[l].length));
    let bytes = 0, ch = 0;
    while (ch < lines[l].length && bytes < want) {
      const cp = lines[l].codePointAt(ch);
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      ch += cp >= 0x10000 ? 2 : 1;
    }
    return ch;
  }
  const position = (b) => { const l = lineOfByte(b); return (l + 1) + ":" + (byteToChar(l, b) + 1); };

  // ---- Listings.
  // A panel: its element, per line the key (source byte, -1 none) and span
  // end, a map key -> lines, and the element of line i.
  function listing(el, n, html) {
    const parts = [];
    for (let c = 0; c < n; c += CHUNK) {
      const rows = [];
      for (let i = c; i < Math.min(n, c + CHUNK); i++) rows.push(html(i));
      parts.push('<div class="chunk" style="contain-intrinsic-size:auto ' +
        Math.round(Math.min(CHUNK, n - c) * LINE_PX) + 'px">' + rows.join("") + "</div>");
    }
    el.innerHTML = parts.length ? parts.join("") : '<div class="empty">(nothing to show)</div>';
    const chunks = el.children;
    return (i) => (chunks[Math.floor(i / CHUNK)] || { children: [] }).children[i % CHUNK];
  }
  function keyMap(at) {
    const m = new Map();
    at.forEach((k, i) => { if (k >= 0) { if (!m.has(k)) m.set(k, []); m.get(k).push(i); } });
    return m;
  }
  const panels = { ir: null, clif: null, asm: null };

  // ---- Highlighting.
  let lit = [];           // elements with .hl
  let marked = [];        // source lines with a <mark>
  function clearHL() {
    lit.forEach((e) => e.classList.remove("hl"));
    lit = [];
    marked.forEach((l) => { const t = sourceText(l); if (t) t.textContent = lines[l]; });
    marked = [];
  }
  function light(e) { if (e) { e.classList.add("hl"); lit.push(e); } }
  function markSource(a, b) {
    if (b <= a) return;
    const la = lineOfByte(a), lb = Math.min(lineOfByte(Math.max(a, b - 1)), la + 2000);
    for (let l = la; l <= lb; l++) {
      const t = sourceText(l);
      if (!t) continue;
      const s = l === la ? byteToChar(l, a) : 0;
      const e = l === lb ? byteToChar(l, b) : lines[l].length;
      const text = lines[l];
      t.innerHTML = esc(text.slice(0, s)) + "<mark>" + esc(text.slice(s, e)) + "</mark>" + esc(text.slice(e));
      marked.push(l);
    }
  }
  // Lines of a code panel whose key is in [a, b).
  function lightKeys(p, a, b) {
    if (!p) return;
    if (b === a + 1) { (p.byKey.get(a) || []).forEach((i) => light(p.get(i))); return; }
    p.byKey.forEach((is, k) => { if (k >= a && k < b) is.forEach((i) => light(p.get(i))); });
  }
  function lightCfg(a, b) {
    document.querySelectorAll("#cfg g[data-k]").forEach((g) => {
      const k = +g.dataset.k;
      if (k >= a && k < b) light(g);
    });
  }
  // The innermost op of a snapshot containing byte x: the last one in
  // listing (pre-)order whose span holds it (passes may reorder ops, so
  // starts are not sorted and every line is looked at).
  function innermost(snap, x) {
    const sp = spans(snap);
    let found = -1;
    for (let i = 0; i < sp.s.length; i++) {
      if (sp.s[i] <= x && x < sp.e[i]) found = i;
    }
    return found;
  }
  const spanCache = new Map();
  function spans(snap) {
    let sp = spanCache.get(snap);
    if (!sp) {
      const n = snap.ir.length, s = new Int32Array(n), e = new Int32Array(n);
      let last = -1;
      snap.ir.forEach((id, i) => {
        const L = D.passes.lines[id];
        // Closing braces have no span: give them an empty one in order.
        s[i] = L[2] >= 0 ? L[2] : last; e[i] = L[2] >= 0 ? L[3] : last;
        last = s[i];
      });
      sp = { s, e };
      spanCache.set(snap, sp);
    }
    return sp;
  }
  // Pointing at source byte x.
  function pointAt(x) {
    clearHL();
    const irSnap = state.irSnap;
    let range = [x, x + 1];
    if (irSnap && panels.ir) {
      const i = innermost(irSnap, x);
      if (i >= 0) {
        const L = D.passes.lines[irSnap.ir[i]];
        range = [L[2], L[3]];
        light(panels.ir.get(i));
      }
    }
    const tierSnap = tierSnapshot();
    const j = innermost(tierSnap, x);
    if (j >= 0) {
      const k = D.passes.lines[tierSnap.ir[j]][2];
      lightKeys(panels.clif, k, k + 1);
      lightKeys(panels.asm, k, k + 1);
      lightCfg(k, k + 1);
    }
    markSource(range[0], range[1]);
  }
  // Pointing at an op or an instruction whose source is [a, b).
  function rangeAt(a, b, from) {
    clearHL();
    markSource(a, b);
    if (panels.ir) {
      const p = panels.ir;
      p.at.forEach((s, i) => { if (s >= a && s < b && p.end[i] <= b) light(p.get(i)); });
    }
    lightKeys(panels.clif, a, b);
    lightKeys(panels.asm, a, b);
    lightCfg(a, b);
    if (from) light(from);
  }
  // The span of the outermost op of the tier's IR starting at byte k. Code
  // with no op there (a segment's guard carries the start of its gap, which
  // may be a comment) gets the gap up to the end of the first op after it.
  function spanOfKey(k) {
    const snap = tierSnapshot(), sp = spans(snap);
    let next = -1;
    for (let i = 0; i < sp.s.length; i++) {
      if (sp.s[i] === k && sp.e[i] > k) return [k, sp.e[i]];
      if (sp.s[i] > k && sp.e[i] > sp.s[i] && (next < 0 || sp.s[i] < sp.s[next])) next = i;
    }
    return next >= 0 ? [k, sp.e[next]] : [k, k + 1];
  }
  // After a click: bring the first highlighted line of every listing into view.
  function reveal(except) {
    ["source", "ir", "clif", "asm", "cfg"].forEach((id) => {
      const box = $(id);
      if (id === except) return;
      const first = box.querySelector(".hl, mark");
      if (!first) return;
      const r = first.getBoundingClientRect(), br = box.getBoundingClientRect();
      box.scrollTop += r.top - br.top - box.clientHeight / 3;
      if (id === "cfg") box.scrollLeft += r.left - br.left - box.clientWidth / 3;
    });
  }

  // ---- Header.
  function renderHeader() {
    const h = D.heat, p = D.passes;
    const last = p.steps.length ? p.steps[p.steps.length - 1].ops_after : p.parsed.ops;
    $("summary").textContent = D.file + " · " + D.cell_bits + "-bit cells · " + p.parsed.ops +
      " ops parsed → " + last + " after " + p.steps.length + " pass runs · " + fmt(h.executed) +
      " instructions profiled (" + h.outcome + ")";
    const notes = D.notes.slice();
    if (h.budget_hit) notes.unshift("profile stopped at its step budget (" + fmt(h.budget) +
      " back edges): heat and shares are those of the part that ran (--steps raises it)");
    $("notes").innerHTML = notes.map((n) => '<span class="note">' + esc(n) + "</span>").join("");
  }

  // ---- Source and hot loops.
  function sourceText(l) {
    const row = state.sourceGet(l);
    return row ? row.lastChild : null;
  }
  function renderSource() {
    const heat = D.heat.lines;
    let max = 0;
    for (const v of heat) if (v > max) max = v;
    const total = heat.reduce((a, b) => a + b, 0) || 1;
    const logMax = Math.log1p(max) || 1;
    state.sourceGet = listing($("source"), lines.length, (i) => {
      const v = heat[i] || 0;
      const r = Math.log1p(v) / logMax;
      const alpha = v > 0 ? (0.04 + 0.66 * r * r).toFixed(3) : 0;
      const title = v > 0 ? ' title="≈ ' + fmt(v) + " instructions (" + pct(v / total) + ')"' : "";
      return '<div class="ln" data-i="' + i + '" style="background:rgba(228,87,46,' + alpha + ')"' + title +
        '><span class="g">' + (i + 1) + '</span><span class="t">' + esc(lines[i]) + "</span></div>";
    });
    let lastByte = -2;
    $("source").addEventListener("mousemove", (ev) => {
      const x = sourceByteAt(ev);
      if (x === lastByte) return;
      lastByte = x;
      if (x < 0) { clearHL(); return; }
      pointAt(x);
    });
    // Coming back to the same command after using another panel lights it again.
    $("source").addEventListener("mouseleave", () => { lastByte = -2; });
    $("source").addEventListener("click", (ev) => {
      const x = sourceByteAt(ev);
      if (x >= 0) { showFunctionOf(x); pointAt(x); reveal("source"); }
    });
  }
  // A click on source whose code is in another function of the tier opens
  // that function.
  function showFunctionOf(x) {
    const snap = tierSnapshot(), j = innermost(snap, x);
    if (j < 0) return;
    const k = D.passes.lines[snap.ir[j]][2];
    if (panels.clif && panels.clif.byKey.has(k)) return;
    const f = D.tiers[state.tier].functions.findIndex((fn) => fn.clif_at.includes(k));
    if (f >= 0) selectFunction(f);
  }
  // The source byte of the BF command under the pointer, or -1.
  function sourceByteAt(ev) {
    let node, off;
    if (document.caretRangeFromPoint) {
      const r = document.caretRangeFromPoint(ev.clientX, ev.clientY);
      if (!r) return -1;
      node = r.startContainer; off = r.startOffset;
    } else if (document.caretPositionFromPoint) {
      const p = document.caretPositionFromPoint(ev.clientX, ev.clientY);
      if (!p) return -1;
      node = p.offsetNode; off = p.offset;
    } else return -1;
    const t = node.nodeType === 3 ? node.parentElement.closest(".t") : node.closest && node.closest(".t");
    if (!t) return -1;
    const row = t.parentElement, l = +row.dataset.i;
    const range = document.createRange();
    range.setStart(t, 0);
    range.setEnd(node, off);
    let ch = range.toString().length;
    const text = lines[l];
    // The caret sits between characters: take the command on either side.
    if (!COMMANDS.includes(text[ch] || " ")) {
      if (ch > 0 && COMMANDS.includes(text[ch - 1])) ch -= 1; else return -1;
    }
    return charToByte(l, ch);
  }
  function renderHot() {
    const loops = D.heat.loops.slice(0, 40);
    $("heat-note").textContent = D.heat.loops.length + " loops ran; self share (nested loops excluded)";
    const top = loops.length ? loops[0].self_share || 1 : 1;
    $("hot").innerHTML = loops.map((l, i) =>
      '<li data-i="' + i + '"><span class="bar" style="width:' + Math.max(1, Math.round(60 * l.self_share / top)) +
      'px"></span>line ' + l.line + " · " + pct(l.self_share) + " self, " + pct(l.share) + " total · " +
      fmt(l.iterations) + " iterations · <code>" + esc(l.source) + "</code></li>").join("") ||
      '<div class="empty">no loop ran</div>';
    $("hot").addEventListener("click", (ev) => {
      const li = ev.target.closest("li");
      if (li) selectLoop(D.heat.loops[+li.dataset.i]);
    });
  }

  // ---- Pass timeline and IR.
  const state = { pass: -1, mode: "after", irSnap: null, tier: 0, fn: 0, loop: null, sourceGet: () => null };
  // Entry -1 is the parsed program; entry i the IR after pass run i.
  function snapshotAt(i) {
    for (let k = i; k >= 0; k--) if (D.passes.steps[k].after) return D.passes.steps[k].after;
    return D.passes.parsed;
  }
  function tierSnapshot() {
    const snap = D.tiers[state.tier].tier === "simple" ? D.passes.parsed : snapshotAt(D.passes.steps.length - 1);
    return snap;
  }
  function renderPasses() {
    const steps = D.passes.steps;
    const maxMs = Math.max(1e-9, ...steps.map((s) => s.ms));
    const total = steps.reduce((a, s) => a + s.ms, 0);
    $("passes-note").textContent = steps.length + " runs, " + total.toFixed(2) + " ms";
    const row = (i, name, ms, ops, same) =>
      '<li class="pass' + (same ? " same" : "") + '" data-i="' + i + '"><span>' + esc(name) +
      "</span><span>" + ops + "</span><span>" + (ms === null ? "" : ms.toFixed(3) + " ms") +
      '</span><span class="t" style="width:' + (ms === null ? 0 : Math.max(1, 100 * ms / maxMs)) + '%"></span></li>';
    $("passes").innerHTML = row(-1, "parsed", null, D.passes.parsed.ops + " ops", false) +
      steps.map((s, i) => {
        const d = s.ops_after - s.ops_before;
        return row(i, s.pass + " ·" + s.round, s.ms, s.ops_before + "→" + s.ops_after + (d ? " (" + (d > 0 ? "+" : "") + d + ")" : ""), !s.changed);
      }).join("");
    $("passes").addEventListener("click", (ev) => {
      const li = ev.target.closest("li");
      if (li) selectPass(+li.dataset.i);
    });
    $("ir-mode").addEventListener("click", (ev) => {
      const b = ev.target.closest("button");
      if (!b) return;
      state.mode = b.dataset.mode;
      $("ir-mode").querySelectorAll("button").forEach((x) => x.classList.toggle("on", x === b));
      selectPass(state.pass);
    });
  }
  function irLineHtml(id, n, cls) {
    const L = D.passes.lines[id];
    const note = L[2] >= 0 ? '<span class="dim">  ; ' + position(L[2]) + "</span>" : "";
    return '<div class="ln' + cls + '" data-i="' + n + '"><span class="g">' + (n + 1) + "</span>" +
      esc("  ".repeat(L[0]) + L[1]) + note + "</div>";
  }
  function selectPass(i) {
    state.pass = i;
    document.querySelectorAll("#passes li").forEach((li) => li.classList.toggle("on", +li.dataset.i === i));
    const step = i >= 0 ? D.passes.steps[i] : null;
    const after = snapshotAt(i);
    const before = snapshotAt(i - 1);
    let rows;  // [line id, class]
    let title;
    if (state.mode === "diff" && step && step.changed) {
      rows = [];
      let a = 0, b = 0;
      for (const m of step.diff.matchAll(/([=+-])(\d+)/g)) {
        const n = +m[2];
        for (let k = 0; k < n; k++) {
          if (m[1] === "=") { rows.push([after.ir[b], ""]); a++; b++; }
          else if (m[1] === "-") rows.push([before.ir[a++], " del"]);
          else rows.push([after.ir[b++], " add"]);
        }
      }
      title = "diff of " + step.pass + " (round " + step.round + ") against the IR before it";
    } else {
      rows = after.ir.map((id) => [id, ""]);
      title = step ? "after " + step.pass + " (round " + step.round + ")" +
        (step.changed ? "" : ": no change") : "as parsed";
      if (state.mode === "diff" && step && !step.changed) title += " (nothing to diff)";
    }
    if (after.cut) title += " · first " + after.ir.length + " lines (" + after.cut + " cut)";
    $("ir-title").textContent = title;
    // The snapshot the IR panel shows, for pointing at source (diff rows
    // that were removed belong to the snapshot before).
    state.irSnap = { ir: rows.map((r) => r[0]) };
    const at = rows.map((r) => D.passes.lines[r[0]][2]);
    const end = rows.map((r) => D.passes.lines[r[0]][3]);
    const get = listing($("ir"), rows.length, (k) => irLineHtml(rows[k][0], k, rows[k][1]));
    panels.ir = { at, end, get };
    clearHL();
  }

  // ---- JIT code.
  function renderTierTabs() {
    $("tier-tabs").innerHTML = D.tiers.map((t, i) => '<button data-i="' + i + '">' + esc(t.tier) + "</button>").join("");
    $("tier-tabs").addEventListener("click", (ev) => {
      const b = ev.target.closest("button");
      if (b) selectTier(+b.dataset.i, 0);
    });
    $("function").addEventListener("change", (ev) => selectFunction(+ev.target.value));
    $("loops").addEventListener("click", (ev) => {
      const tr = ev.target.closest("tr[data-start]");
      if (tr) selectLoop(D.heat.loops.find((l) => l.start === +tr.dataset.start));
    });
  }
  function selectTier(i, fn) {
    state.tier = i;
    const t = D.tiers[i];
    $("tier-tabs").querySelectorAll("button").forEach((b) => b.classList.toggle("on", +b.dataset.i === i));
    const totalHeat = t.functions.reduce((a, f) => a + f.heat, 0) || 1;
    $("function").innerHTML = t.functions.map((f, k) =>
      '<option value="' + k + '">' + esc(f.name) + (f.entry ? " (entry)" : "") + " · " + f.bytes + " B · " +
      pct(f.heat / totalHeat) + " of heat</option>").join("");
    $("tier-summary").innerHTML = "<b>" + esc(t.tier) + "</b> tier: " + (t.functions.length + t.cut_functions) +
      " function" + (t.functions.length + t.cut_functions === 1 ? "" : "s") + ", " + t.bytes + " bytes, " +
      t.instructions + " instructions; compiled in <b>" + t.compile_ms.toFixed(2) + " ms</b>" +
      (t.cut_functions ? ' <span class="note">' + t.cut_functions + " cold functions not shown</span>" : "") +
      '<br><span class="dim">hottest loops first: code bytes made from each loop\'s source in this tier</span>';
    const byStart = new Map(t.loops.map((l) => [l.start, l]));
    $("loops").innerHTML = "<tr><th>#</th><th>line</th><th>self</th><th>bytes</th><th></th></tr>" +
      D.heat.loops.filter((l) => byStart.has(l.start)).map((l, k) =>
        '<tr data-start="' + l.start + '"><td>' + (k + 1) + "</td><td>" + l.line + "</td><td>" + pct(l.self_share) +
        "</td><td>" + byStart.get(l.start).bytes + '</td><td class="s">' + esc(l.source) + "</td></tr>").join("");
    selectFunction(fn);
  }
  function selectFunction(k) {
    state.fn = k;
    const t = D.tiers[state.tier], f = t.functions[k];
    $("function").value = String(k);
    if (!f) {
      panels.clif = panels.asm = null;
      $("clif").innerHTML = $("asm").innerHTML = '<div class="empty">no function</div>';
      return;
    }
    const clif = f.clif.split("\n"), asm = f.asm.split("\n");
    const gutter = (b) => (b >= 0 ? position(b) : "");
    panels.clif = {
      at: f.clif_at, byKey: keyMap(f.clif_at),
      get: listing($("clif"), clif.length, (i) =>
        '<div class="ln' + (clif[i].startsWith("block") ? " blk" : "") + '" data-i="' + i + '"><span class="g">' +
        gutter(f.clif_at[i]) + "</span>" + esc(clif[i]) + "</div>"),
    };
    panels.asm = {
      at: f.asm_at, byKey: keyMap(f.asm_at),
      get: listing($("asm"), asm.length, (i) =>
        '<div class="ln" data-i="' + i + '"><span class="g">' + gutter(f.asm_at[i]) + "</span>" + esc(asm[i]) + "</div>"),
    };
    showCfg(f.cfg, f.cfg_note, "function " + f.name);
    clearHL();
  }
  function showCfg(svg, note, title) {
    $("cfg-title").textContent = title || "";
    $("cfg").innerHTML = svg || '<div class="empty">' + esc(note || "no graph") + "</div>";
  }
  function selectLoop(l) {
    if (!l) return;
    state.loop = l;
    const t = D.tiers[state.tier];
    const code = t.loops.find((c) => c.start === l.start);
    if (code && code.function !== state.fn) selectFunction(code.function);
    document.querySelectorAll("#loops tr").forEach((tr) => tr.classList.toggle("on", +tr.dataset.start === l.start));
    if (code) showCfg(code.cfg, code.cfg_note, "loop at line " + l.line + " (" + t.tier + " tier, " + code.bytes + " bytes)");
    rangeAt(l.start, l.end, null);
    reveal(null);
  }
  function codeHover(name) {
    const box = $(name);
    const act = (ev, click) => {
      const row = ev.target.closest(".ln");
      const p = panels[name];
      if (!row || !p) return;
      const k = p.at[+row.dataset.i];
      if (k < 0) { clearHL(); return; }
      const [a, b] = spanOfKey(k);
      rangeAt(a, b, row);
      if (click) reveal(name);
    };
    box.addEventListener("mouseover", (ev) => act(ev, false));
    box.addEventListener("click", (ev) => act(ev, true));
  }
  function irHover() {
    const act = (ev, click) => {
      const row = ev.target.closest(".ln");
      const p = panels.ir;
      if (!row || !p) return;
      const i = +row.dataset.i;
      if (p.at[i] < 0) { clearHL(); return; }
      rangeAt(p.at[i], p.end[i], row);
      if (click) reveal("ir");
    };
    $("ir").addEventListener("mouseover", (ev) => act(ev, false));
    $("ir").addEventListener("click", (ev) => act(ev, true));
  }
  function cfgHover() {
    const act = (ev, click) => {
      const g = ev.target.closest("g[data-k]");
      if (!g) return;
      const k = +g.dataset.k;
      if (k >= 0) { const [a, b] = spanOfKey(k); rangeAt(a, b, g); }
      if (click && panels.clif) {
        const row = panels.clif.get(+g.dataset.l);
        if (row) { clearHL(); light(row); reveal("cfg"); }
      }
    };
    $("cfg").addEventListener("mouseover", (ev) => act(ev, false));
    $("cfg").addEventListener("click", (ev) => act(ev, true));
  }

  // ---- Tiered execution: a hook until bfjit has an `auto` tier.
  function renderTiered() {
    const t = D.tiered;
    $("tiered").innerHTML = t.available && t.events.length
      ? "<ol>" + t.events.map((e) => "<li>line " + (lineOfByte(e.start) + 1) + " → " + esc(e.tier) + " at " +
        e.at_ms.toFixed(1) + " ms</li>").join("") + "</ol>"
      : '<div class="empty">' + esc(t.note) + "</div>";
  }

  try {
    renderHeader();
    renderSource();
    renderHot();
    renderPasses();
    renderTierTabs();
    renderTiered();
    codeHover("clif");
    codeHover("asm");
    irHover();
    cfgHover();
    selectPass(D.passes.steps.length ? D.passes.steps.length - 1 : -1);
    const opt = D.tiers.findIndex((t) => t.tier === "opt");
    selectTier(opt >= 0 ? opt : 0, 0);
    // For tests and the curious: milliseconds from navigation to a drawn page.
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = "1";
  } catch (e) {
    $("notes").innerHTML = '<span class="note">the page failed to draw: ' + esc(e && e.stack || e) + "</span>";
    throw e;
  }
})();
