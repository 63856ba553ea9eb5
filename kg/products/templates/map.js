// The script of an aco-kg map page. It reads the JSON block, draws it with vis-network at
// the positions computed in Python (physics off: the picture never moves by itself), and
// implements the controls. Every text from the data reaches the page through textContent,
// option.text or the canvas; nothing is ever assigned to innerHTML.
(function () {
  "use strict";
  var marks = { start: performance.now() };
  var data = JSON.parse(document.getElementById("map-data").textContent);
  marks.parsed = performance.now();
  var byId = data.nodes;           // node id = index in data.nodes
  var edgeData = data.edges;       // edge id = index in data.edges

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function sourceText(citation, locator, evidence) {
    var parts = ["Source: " + (citation || "not recorded")];
    if (locator) { parts.push("at " + locator); }
    parts.push("(" + (evidence || "evidence kind not recorded") + ")");
    return parts.join(" ");
  }
  function period(start, end) {
    if (start === null && end === null) { return "dates not known"; }
    return (start === null ? "?" : start) + "-" + (end === null ? "?" : end);
  }
  // limit: at most that many facts (the tooltip); the details panel shows them all
  // (under the title, so that the capped tooltip never hides it)
  function more(box, left) {
    if (left > 0) { box.insertBefore(el("div", "tip-more", "\u2026 and " + left + " more: click for every fact in the panel"), box.children[1] || null); }
  }
  function cut(text, limit) { text = String(text); return limit && text.length > 160 ? text.slice(0, 159) + "\u2026" : text; }
  function nodeBox(n, limit) {
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-title", n.name));
    var value = sizeOf(n);
    var rows = n.f.slice();
    if (value !== null) {
      var from = state.year === "" || n.ry === undefined ? null :
        n.ry.filter(function (y) { return y <= Number(state.year); }).pop();
      rows.unshift([data.sizeBy + (state.year === "" ? " (latest)" : " (" + state.year +
        (from !== null && from !== undefined && from !== Number(state.year) ? "; figure of " + from : "") + ")"),
        value.toLocaleString("en-US")]);
    }
    if (n.mp && state.year !== "") {
      rows.unshift(["Participants valid in " + state.year, membersIn(n, Number(state.year)).toLocaleString("en-US") +
        " of " + n.mp.reduce(function (t, m) { return t + m[0]; }, 0).toLocaleString("en-US")]);
    }
    var shown = limit ? rows.slice(0, limit) : rows;
    shown.forEach(function (kv) {
      var row = el("div");
      row.appendChild(el("span", "tip-key", kv[0] + ": "));
      row.appendChild(el("span", null, cut(kv[1], limit)));
      box.appendChild(row);
    });
    var sources = limit ? n.s.slice(0, Math.max(0, limit - shown.length) || 1) : n.s;
    sources.forEach(function (s) { box.appendChild(el("div", "tip-src", cut(sourceText(s[0], s[1], s[2]), limit))); });
    more(box, rows.length - shown.length + n.s.length - sources.length);
    return box;
  }
  function edgeBox(e, limit) {
    var box = el("div", "tip");
    var kind = data.edgeKinds[e.k] ? data.edgeKinds[e.k].label : e.k;
    box.appendChild(el("div", "tip-title", kind + ": " + byId[e.from].name + " \u2192 " + byId[e.to].name));
    if (e.dashes) { box.appendChild(el("div", "tip-key", "Inferred by the curator, not reported by the source")); }
    if (e.rv) { box.appendChild(el("div", "tip-key", "Review: " + e.rv)); }
    var shown = limit ? e.f.slice(0, Math.max(1, Math.floor(limit / 2))) : e.f;
    shown.forEach(function (f) {
      box.appendChild(el("div", "tip-fact", "\u2022 " + cut(f[0], limit) + " [" + period(f[4], f[5]) + "]"));
      box.appendChild(el("div", "tip-src", cut(sourceText(f[1], f[2], f[3]), limit)));
    });
    more(box, e.f.length - shown.length);
    return box;
  }

  // --- the network ---------------------------------------------------------------------
  // a map drawn for one year (aco-kg map --year) shows that year and no other
  var drawnFor = data.year === null || data.year === undefined ? "" : String(data.year);
  var state = { year: drawnFor, partner: "", st: "", focus: null, depth: 2, kinds: {}, ek: {}, ev: {}, rv: {},
                expanded: {}, sel: null, q: "" };
  Object.keys(data.kinds).forEach(function (k) { state.kinds[k] = true; });
  Object.keys(data.edgeKinds).forEach(function (k) { state.ek[k] = true; });
  data.evidence.forEach(function (k) { state.ev[k] = true; });
  data.reviews.forEach(function (k) { state.rv[k] = true; });
  // the size measure of a node in the year shown (null: no figure)
  function sizeOf(n) {
    if (n.group === "summary" && current.sums) { return current.sums[n.id] || null; }
    var v = n.b[state.year === "" ? "all" : String(state.year)];
    return v === undefined ? null : v;
  }
  // radius in pixels: the square root of the measure (area in proportion), from 6 to 70;
  // a node without a figure is the smallest (4)
  function radius(v) {
    return v === null || v <= 0 ? 4 : Math.round(Math.max(6, Math.min(70, data.sizeK * Math.sqrt(v))) * 10) / 10;
  }
  function valueOf(n) { return radius(sizeOf(n)); }
  // how many members of a participant group take part in the ACO in `year`
  function membersIn(n, year) {
    return n.mp.reduce(function (total, m) {
      return total + (activeIn({ per: m[1] }, year) ? m[0] : 0);
    }, 0);
  }
  var groupAco = {};
  edgeData.forEach(function (e) { if (byId[e.from].mp && e.k === "participation") { groupAco[e.from] = e.to; } });
  function groupLabel(n) {
    if (state.year === "" || groupAco[n.id] === undefined) { return n.label; }
    var c = membersIn(n, Number(state.year)), text = c.toLocaleString("en-US") + " participant" +
      (c === 1 ? "" : "s") + " of " + byId[groupAco[n.id]].name;
    return text.length <= 48 ? text : text.slice(0, 47) + "\u2026";
  }
  var current = { nodes: null, edges: null };
  var nodes = new vis.DataSet(byId.map(function (n) {
    return { id: n.id, label: n.label, group: n.group, x: n.x, y: n.y, size: valueOf(n),
             hidden: n.lone === 1, borderWidth: n.ok ? 3 : (n.group === "summary" ? 2 : 1) };
  }));
  var edges = new vis.DataSet(edgeData.map(function (e) {
    var item = { id: e.id, from: e.from, to: e.to, width: e.width, dashes: e.dashes ? [6, 4] : false,
                 color: { color: e.color, highlight: e.color, hover: e.color, inherit: false },
                 label: e.label || undefined, smooth: e.smooth,
                 hidden: byId[e.from].lone === 1 || byId[e.to].lone === 1 };
    if (e.arrows) { item.arrows = e.arrows; }
    return item;
  }));
  var groups = {};
  Object.keys(data.kinds).forEach(function (k) {
    var kind = data.kinds[k];
    groups[k] = { shape: kind.shape, color: { background: kind.color, border: "#333333",
                  highlight: { background: kind.color, border: "#ff6a00" },
                  hover: { background: kind.color, border: "#000000" } } };
  });
  var options = {
    physics: false,
    layout: { improvedLayout: false, randomSeed: 0 },
    interaction: { hover: true, tooltipDelay: 100000, hideEdgesOnDrag: data.large,
                   hideEdgesOnZoom: data.large, multiselect: false },
    nodes: { borderWidth: 1, borderWidthSelected: 6, font: { size: 14, strokeWidth: 4, strokeColor: "#ffffff" },
             scaling: { label: { drawThreshold: 7 } } },
    edges: { smooth: false,
             font: { size: 11, align: "middle", strokeWidth: 3, color: "#333333" },
             arrowStrikethrough: false, selectionWidth: 2 },
    groups: groups
  };
  var container = document.getElementById("map");
  marks.datasets = performance.now();
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  marks.network = performance.now();
  network.once("afterDrawing", function () {
    window.__mapReady = true;
    window.__mapReadyAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  });

  // --- tooltips and details (text only) --------------------------------------------------
  var TIP_FACTS = 8;
  var tooltip = document.getElementById("tooltip");
  var details = document.getElementById("details");
  function showTip(box, pointer) {
    clear(tooltip);
    tooltip.appendChild(box);
    tooltip.style.display = "block";
    var rect = container.getBoundingClientRect();
    var left = Math.min(rect.left + pointer.x + 14, window.innerWidth - tooltip.offsetWidth - 8);
    var top = Math.min(rect.top + pointer.y + 14, window.innerHeight - tooltip.offsetHeight - 8);
    tooltip.style.left = Math.max(0, left) + "px";
    tooltip.style.top = Math.max(0, top) + "px";
  }
  function hideTip() { tooltip.style.display = "none"; }
  network.on("hoverNode", function (p) { showTip(nodeBox(byId[p.node], TIP_FACTS), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(edgeBox(edgeData[p.edge], TIP_FACTS), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);
  var selected = null;
  function showDetails(box) { clear(details); details.appendChild(box); details.scrollTop = 0; }
  network.on("click", function (p) {
    if (p.nodes.length) {
      selected = p.nodes[0]; state.sel = selected;
      showDetails(nodeBox(byId[selected]));
      if (byId[selected].group === "summary") { toggle(selected); } else { saveState(); }
    } else if (p.edges.length) { showDetails(edgeBox(edgeData[p.edges[0]])); }
  });

  // --- filters: the same rules as kg.products.maps.restrict --------------------------------------
  function activeIn(e, year) {
    return e.per.some(function (p) { return (p[0] === null || p[0] <= year) && (p[1] === null || p[1] >= year); });
  }
  function adjacency(keep, active) {
    var adj = byId.map(function () { return []; });
    edgeData.forEach(function (e, i) {
      if (active[i] && keep[e.from] && keep[e.to]) { adj[e.from].push(e.to); adj[e.to].push(e.from); }
    });
    return adj;
  }
  function restrictTo(keep, set) { return keep.map(function (k, i) { return k && set.has(i); }); }
  // a folded node is drawn only when every summary above it is expanded
  function unfolded(n) {
    for (var p = n.par; p !== undefined; p = byId[p].par) { if (!state.expanded[p]) { return false; } }
    return true;
  }
  var summaries = byId.filter(function (n) { return n.group === "summary"; });
  function acosUnder(n, out) {
    n.ch.forEach(function (c) {
      if (byId[c].group === "summary") { acosUnder(byId[c], out); } else if (byId[c].group === "aco") { out.push(c); }
    });
    return out;
  }
  summaries.forEach(function (n) { n.acos = acosUnder(n, []); });

  function visible() {
    var keep = byId.map(function () { return true; });
    var active = edgeData.map(function (e) {
      return state.ek[e.k] !== false && state.ev[e.ev] !== false && !(e.rv && state.rv[e.rv] === false);
    });
    var undated = 0;
    if (state.year !== "") {
      var year = Number(state.year), linked = new Set(), still = new Set();
      edgeData.forEach(function (e, i) {
        linked.add(e.from); linked.add(e.to);
        var on = activeIn(e, year);
        if (on) {
          still.add(e.from); still.add(e.to);
          if (active[i] && e.f.some(function (f) { return (f[4] === null || f[5] === null) && activeIn({ per: [[f[4], f[5]]] }, year); })) { undated += 1; }
        }
        active[i] = active[i] && on;
      });
      keep = keep.map(function (k, i) {
        var ry = byId[i].ry;
        return still.has(i) || (ry !== undefined && ry.indexOf(year) !== -1) || (!linked.has(i) && ry === undefined);
      });
    }
    if (state.partner !== "") {
      var p = Number(state.partner), adj = adjacency(keep, active), set = new Set();
      if (keep[p]) {
        set.add(p);
        adj[p].forEach(function (m) { set.add(m); });
        Array.from(set).forEach(function (m) {
          if (byId[m].group === "aco") { adj[m].forEach(function (x) { set.add(x); }); }
        });
      }
      keep = restrictTo(keep, set);
    }
    if (state.st !== "") {
      var adj2 = adjacency(keep, active), inside = new Set();
      byId.forEach(function (n, i) { if (keep[i] && n.st === state.st) { inside.add(i); } });
      Array.from(inside).forEach(function (i) { adj2[i].forEach(function (m) { inside.add(m); }); });
      summaries.forEach(function (n) { inside.add(n.id); });
      keep = restrictTo(keep, inside);
    }
    if (state.focus !== null) {
      var adj3 = adjacency(keep, active), seen = new Set(), frontier = [state.focus];
      if (keep[state.focus]) {
        seen.add(state.focus);
        for (var d = 0; d < state.depth; d += 1) {
          var next = [];
          frontier.forEach(function (n) { adj3[n].forEach(function (m) { if (!seen.has(m)) { seen.add(m); next.push(m); } }); });
          frontier = next;
        }
      }
      keep = restrictTo(keep, seen);
    }
    keep = keep.map(function (k, i) { return k && state.kinds[byId[i].group] !== false; });
    // an ACO without an operator that this view leaves with no link but to what hangs on
    // it alone is folded into its summary, with what hangs on it
    var linked = {};
    edgeData.forEach(function (e, i) {
      if (!(active[i] && keep[e.from] && keep[e.to])) { return; }
      if (byId[e.from].par !== undefined && byId[e.to].hang !== e.from) { linked[e.from] = true; }
      if (byId[e.to].par !== undefined && byId[e.from].hang !== e.to) { linked[e.to] = true; }
    });
    var folded = byId.map(function (n, i) { return n.group === "aco" && n.par !== undefined && !linked[i]; });
    byId.forEach(function (n, i) { if (n.hang !== undefined && folded[n.hang]) { folded[i] = true; } });
    // a summary counts the ACOs it folds that the filters keep; with none, it is not drawn
    var counts = {}, sums = {};
    summaries.forEach(function (n) {
      var inside = n.acos.filter(function (a) { return keep[a] && folded[a]; });
      counts[n.id] = inside.length;
      var total = null;
      inside.forEach(function (a) { var v = sizeOf(byId[a]); if (v !== null) { total = (total || 0) + v; } });
      sums[n.id] = total;
      if (!counts[n.id] && !(state.focus === n.id)) { keep[n.id] = false; }
    });
    keep = keep.map(function (k, i) {
      return k && (byId[i].group === "summary" || folded[i] ? unfolded(byId[i]) : true);
    });
    var showEdge = edgeData.map(function (e, i) { return active[i] && keep[e.from] && keep[e.to]; });
    return { nodes: keep, edges: showEdge, undated: undated, counts: counts, sums: sums, folded: folded };
  }

  var status = document.getElementById("status");
  // the notes that count what is drawn (aggregated participants, summaries), counted again
  // for the year shown; all years: the note as written
  var yearNotes = {};
  Object.keys(data.yearNotes || {}).forEach(function (name) {
    var p = document.querySelector('p.note[data-note="' + data.yearNotes[name][0] + '"]');
    if (p) { yearNotes[name] = { p: p, all: p.textContent, template: data.yearNotes[name][1] }; }
  });
  function fillIn(template, values) {
    Object.keys(values).forEach(function (k) { template = template.replace("{" + k + "}", values[k]); });
    return template;
  }
  function yearCounts(v) {
    var year = Number(state.year), members = 0, groups = 0, acos = 0, tops = 0;
    byId.forEach(function (n) {
      if (n.mp) {
        var c = membersIn(n, year);
        if (c) { members += c; groups += 1; }
      } else if (n.group === "summary" && n.par === undefined && v.counts[n.id]) {
        acos += v.counts[n.id]; tops += 1;
      }
    });
    var when = " in " + state.year, f = function (x) { return x.toLocaleString("en-US"); };
    return { participants: { members: f(members), groups: f(groups), when: when },
             summaries: { acos: f(acos), nodes: f(tops), when: when } };
  }
  function writeYearNotes(v) {
    var counts = state.year === "" ? null : yearCounts(v);
    Object.keys(yearNotes).forEach(function (name) {
      var note = yearNotes[name];
      note.p.textContent = counts === null ? note.all : fillIn(note.template, counts[name]);
    });
  }
  var yearNote = document.getElementById("year-note");
  var resultYears = new Set();  // the years with results: an ACO is known to exist in them
  byId.forEach(function (n) { (n.ry || []).forEach(function (y) { resultYears.add(y); }); });
  function apply() {
    var t0 = performance.now();
    var v = visible();
    current = v;
    var nodeChanges = [], edgeChanges = [], shownNodes = 0, shownEdges = 0, lone = 0;
    var degree = {};
    edgeData.forEach(function (e, i) { if (v.edges[i]) { degree[e.from] = 1; degree[e.to] = 1; } });
    nodes.forEach(function (n) {
      var hidden = !v.nodes[n.id], change = null, item = byId[n.id];
      if (!hidden) { shownNodes += 1; if (!degree[n.id]) { lone += 1; } }
      if (n.hidden !== hidden) { change = { id: n.id, hidden: hidden }; }
      var value = valueOf(item);
      if (n.size !== value) { change = change || { id: n.id }; change.size = value; }
      if (!hidden) {  // a folded ACO in its summary's sunflower, otherwise where it is drawn
        var x = v.folded[n.id] && item.fx !== undefined ? item.fx : item.x;
        var y = v.folded[n.id] && item.fy !== undefined ? item.fy : item.y;
        if (n.x !== x || n.y !== y) { change = change || { id: n.id }; change.x = x; change.y = y; }
      }
      if (item.mp) {
        var groupText = groupLabel(item);
        if (n.label !== groupText) { change = change || { id: n.id }; change.label = groupText; }
      }
      if (item.group === "summary") {
        var c = v.counts[n.id];
        var label = item.sn + ": " + c.toLocaleString("en-US") + " ACO" + (c === 1 ? "" : "s") + (state.expanded[n.id] ? " \u25be" : " \u25b8");
        if (n.label !== label) { change = change || { id: n.id }; change.label = label; }
      }
      if (change) { nodeChanges.push(change); }
    });
    edges.forEach(function (e) {
      var hidden = !v.edges[e.id];
      if (!hidden) { shownEdges += 1; }
      if (e.hidden !== hidden) { edgeChanges.push({ id: e.id, hidden: hidden }); }
    });
    if (nodeChanges.length) { nodes.update(nodeChanges); }
    if (edgeChanges.length) { edges.update(edgeChanges); }
    status.textContent = "Showing " + shownNodes + " nodes (" + lone + " without a link drawn) and " +
      shownEdges + " of " + edgeData.length + " links" + (state.year === "" ? ", all years" : ", as in " + state.year);
    yearNote.textContent = state.year === "" ? "" :
      (v.undated + " link(s) shown for " + state.year + " have no start or end date; they are kept, not assumed ended." +
       (drawnFor === "" && resultYears.size && !resultYears.has(Number(state.year)) ?  // a map of one year says so in its notes
         " " + data.noResultsNote.split("{year}").join(state.year) : ""));
    writeYearNotes(v);
    saveState();
    window.__lastApplyMs = performance.now() - t0;
    return { nodes: shownNodes, edges: shownEdges, lone: lone };
  }
  // the view after a filter changes what is drawn, and on load, so that an address always
  // opens on the view that its state gave: with a focus, all that is drawn (as the Focus
  // button shows it); otherwise the selected organization when it is drawn (an expanded
  // summary with what it unfolds, as a click on it shows it); otherwise all that is drawn
  function frame() {
    var sel = state.sel;
    if (state.focus !== null || sel === null || !current.nodes[sel]) {
      fitVisible();
    } else if (byId[sel].group === "summary" && state.expanded[sel]) {
      fitTo(unfoldedBy(sel), 0.92);
    } else {
      network.focus(sel, { scale: 1.2, animation: false });
    }
  }
  function refilter() { apply(); frame(); }
  // the view that holds the nodes `ids` (their centres and radii), at most at scale 1, with
  // `room` to spare. Not vis-network's fit: that one reads the boxes of the nodes and their
  // labels as last drawn, which still hold the place of a node just moved into or out of a
  // summary (and of its label, until drawn again).
  function fitTo(ids, room) {
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    nodes.get(ids).forEach(function (n) {
      var r = n.size || 4;
      x0 = Math.min(x0, n.x - r); x1 = Math.max(x1, n.x + r);
      y0 = Math.min(y0, n.y - r); y1 = Math.max(y1, n.y + r);
    });
    if (x0 === Infinity) { return; }
    var scale = Math.min(1, container.clientWidth / (x1 - x0), container.clientHeight / (y1 - y0));
    network.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 }, scale: scale * (room || 1),
                     animation: false });
  }
  function fitVisible() {
    fitTo(nodes.getIds({ filter: function (n) { return !n.hidden; } }), 0.92);  // room for the labels
  }
  function toggle(id) {
    if (state.expanded[id]) { delete state.expanded[id]; } else { state.expanded[id] = true; }
    apply();
    if (state.expanded[id]) { fitTo(unfoldedBy(id), 0.92); }
  }
  // an expanded summary and what it unfolds (an ACO it holds that this view links to others
  // is drawn in its own place, elsewhere)
  function unfoldedBy(id) {
    return [id].concat(byId[id].ch.filter(function (c) {
      return current.nodes[c] && (byId[c].group === "summary" || current.folded[c]);
    }));
  }

  // --- controls --------------------------------------------------------------------------
  function fill(select, items) {
    items.forEach(function (item) { select.appendChild(new Option(String(item[1]), String(item[0]))); });
  }
  var yearSelect = document.getElementById("year");
  var partnerSelect = document.getElementById("partner");
  var stateSelect = document.getElementById("state");
  fill(yearSelect, data.years.map(function (y) { return [y, y]; }));
  if (drawnFor !== "") { yearSelect.remove(0); yearSelect.value = drawnFor; }  // no "all years"
  fill(partnerSelect, data.partners);
  fill(stateSelect, data.states.map(function (s) { return [s, s]; }));
  yearSelect.addEventListener("change", function () { state.year = yearSelect.value; refilter(); });
  partnerSelect.addEventListener("change", function () { state.partner = partnerSelect.value; refilter(); });
  stateSelect.addEventListener("change", function () { state.st = stateSelect.value; refilter(); });
  var depthInput = document.getElementById("depth");
  document.getElementById("focus").addEventListener("click", function () {
    if (selected === null) { details.textContent = "Select an organization first (click it or find it by name)."; return; }
    state.focus = selected;
    state.depth = Math.max(0, Math.min(9, Number(depthInput.value) || 0));
    apply();
    fitVisible();
  });
  function checkAll(selector, checked) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (box) { box.checked = checked; });
  }
  document.getElementById("reset").addEventListener("click", function () {
    state.year = drawnFor; state.partner = ""; state.st = ""; state.focus = null; state.expanded = {};
    yearSelect.value = drawnFor; partnerSelect.value = ""; stateSelect.value = "";
    // and no selection, no search: the address then opens on all, as shown here
    selected = null; state.sel = null; state.q = ""; searchInput.value = ""; clear(matches);
    network.unselectAll();
    [state.kinds, state.ek, state.ev, state.rv].forEach(function (m) { Object.keys(m).forEach(function (k) { m[k] = true; }); });
    checkAll("input.kind, input.edge-kind, input.evidence, input.review", true);
    apply();
    fitVisible();
  });
  var counts = {};
  byId.forEach(function (n) { counts[n.group] = (counts[n.group] || 0) + 1; });
  Array.prototype.forEach.call(document.querySelectorAll("[data-kind]"), function (row) {
    var kind = row.getAttribute("data-kind");
    if (!counts[kind]) { row.style.display = "none"; return; }
    row.querySelector(".count").textContent = String(counts[kind]);
    row.querySelector("input.kind").addEventListener("change", function (ev) {
      state.kinds[kind] = ev.target.checked; refilter();
    });
  });
  var edgeCounts = {};
  edgeData.forEach(function (e) { edgeCounts[e.k] = (edgeCounts[e.k] || 0) + 1; });
  Array.prototype.forEach.call(document.querySelectorAll("[data-edge-kind]"), function (row) {
    var kind = row.getAttribute("data-edge-kind");
    if (!edgeCounts[kind]) { row.style.display = "none"; return; }
    row.querySelector(".count").textContent = String(edgeCounts[kind]);
    row.querySelector("input.edge-kind").addEventListener("change", function (ev) {
      state.ek[kind] = ev.target.checked; refilter();
    });
  });
  function boxes(holder, values, map, className) {
    var place = document.getElementById(holder);
    values.forEach(function (value) {
      var label = el("label", "row"), box = el("input", className);
      box.type = "checkbox"; box.value = value; box.checked = true;
      box.addEventListener("change", function () { map[value] = box.checked; refilter(); });
      label.appendChild(box);
      label.appendChild(document.createTextNode(value));
      place.appendChild(label);
    });
  }
  boxes("evidence-boxes", data.evidence, state.ev, "evidence");
  boxes("review-boxes", data.reviews, state.rv, "review");

  function reveal(id) {
    for (var p = byId[id].par; p !== undefined; p = byId[p].par) { state.expanded[p] = true; }
  }
  function select(id) {
    selected = id; state.sel = id;
    if (!current.nodes[id] && current.folded[id]) { reveal(id); apply(); }
    if (!current.nodes[id]) {
      showDetails(nodeBox(byId[id]));
      details.insertBefore(el("div", "note", "The filters hide this organization: change them (or Show all) to see it on the map."), details.firstChild);
      saveState();
      return false;
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: false });
    showDetails(nodeBox(byId[id]));
    saveState();
    return true;
  }
  var searchInput = document.getElementById("search");
  var matches = document.getElementById("matches");
  function find() {
    var text = searchInput.value.trim().toLowerCase();
    state.q = searchInput.value.trim();
    clear(matches);
    if (!text) { saveState(); return []; }
    var found = byId.filter(function (n) { return n.group !== "summary" && n.name.toLowerCase().indexOf(text) !== -1; });
    found.slice(0, 50).forEach(function (n) {
      var item = el("li"), button = el("button", null, n.name);
      button.type = "button";
      button.addEventListener("click", function () { select(n.id); });
      item.appendChild(button);
      matches.appendChild(item);
    });
    if (found.length > 50) { matches.appendChild(el("li", null, (found.length - 50) + " more; type more of the name")); }
    if (!found.length) { matches.appendChild(el("li", null, "No organization on this map has that name.")); }
    if (found.length) { select(found[0].id); } else { saveState(); }
    return found.map(function (n) { return n.id; });
  }
  document.getElementById("search-go").addEventListener("click", find);
  searchInput.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { find(); } });

  // --- export: what is drawn, as the filters leave it -------------------------------------
  function csvCell(v) {
    var t = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(t)) { t = "'" + t; }  // a spreadsheet must not run it as a formula
    return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }
  function csv(rows) { return rows.map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n"; }
  function shownNodes() { return byId.filter(function (n) { return current.nodes[n.id]; }); }
  function shownEdges() { return edgeData.filter(function (e) { return current.edges[e.id]; }); }
  function nodesCsv() {
    var rows = [["id", "name", "kind", "state", "operator_kind", data.sizeBy.toLowerCase().replace(/ /g, "_"), "year", "x", "y"]];
    var pos = network.getPositions();
    shownNodes().forEach(function (n) {
      var size = sizeOf(n);
      rows.push([n.k, n.name, n.group, n.st || "", n.ok || "", size === null ? "" : size, state.year, Math.round(pos[n.id].x), Math.round(pos[n.id].y)]);
    });
    return csv(rows);
  }
  function linksCsv() {
    var rows = [["source", "source_name", "target", "target_name", "kind", "evidence", "review", "years", "facts"]];
    shownEdges().forEach(function (e) {
      rows.push([byId[e.from].k, byId[e.from].name, byId[e.to].k, byId[e.to].name, e.k, e.ev, e.rv || "",
                 e.f.map(function (f) { return period(f[4], f[5]); }).join("; "),
                 e.f.map(function (f) { return f[0]; }).join(" | ")]);
    });
    return csv(rows);
  }
  function xml(v) {
    return String(v === null || v === undefined ? "" : v).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" }[c];
    }).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
  }
  function gexf() {
    var pos = network.getPositions(), out = [];
    out.push('<?xml version="1.0" encoding="UTF-8"?>');
    out.push('<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">');
    out.push('<meta><creator>aco-kg map</creator><description>' + xml(document.title + (state.year === "" ? ", all years" : ", as in " + state.year)) + '</description></meta>');
    out.push('<graph defaultedgetype="directed"><attributes class="node"><attribute id="kind" title="kind" type="string"/><attribute id="state" title="state" type="string"/><attribute id="size" title="' + xml(data.sizeBy) + '" type="long"/></attributes>');
    out.push('<attributes class="edge"><attribute id="kind" title="kind" type="string"/><attribute id="evidence" title="evidence" type="string"/><attribute id="review" title="review" type="string"/></attributes><nodes>');
    shownNodes().forEach(function (n) {
      var size = sizeOf(n);
      out.push('<node id="' + xml(n.k) + '" label="' + xml(n.name) + '"><attvalues><attvalue for="kind" value="' + xml(n.group) + '"/><attvalue for="state" value="' + xml(n.st) + '"/>' +
               (size === null ? "" : '<attvalue for="size" value="' + size + '"/>') + '</attvalues><viz:position x="' + Math.round(pos[n.id].x) + '" y="' + Math.round(-pos[n.id].y) + '" z="0"/></node>');
    });
    out.push('</nodes><edges>');
    shownEdges().forEach(function (e) {
      out.push('<edge id="' + e.id + '" source="' + xml(byId[e.from].k) + '" target="' + xml(byId[e.to].k) + '" label="' + xml(e.k) + '"><attvalues><attvalue for="kind" value="' + xml(e.k) + '"/><attvalue for="evidence" value="' + xml(e.ev) + '"/><attvalue for="review" value="' + xml(e.rv) + '"/></attvalues></edge>');
    });
    out.push('</edges></graph></gexf>');
    return out.join("\n") + "\n";
  }
  function png() {
    var source = container.querySelector("canvas");
    var canvas = document.createElement("canvas");
    canvas.width = source.width; canvas.height = source.height;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(source, 0, 0);
    return canvas.toDataURL("image/png");
  }
  function download(name, blob) {
    var a = document.createElement("a");
    a.download = name; a.href = URL.createObjectURL(blob); a.style.display = "none";
    document.body.appendChild(a); a.click(); document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  }
  function dataUrlBlob(url) {
    var bytes = atob(url.split(",")[1]), array = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i += 1) { array[i] = bytes.charCodeAt(i); }
    return new Blob([array], { type: "image/png" });
  }
  var exporters = {
    png: function () { return png(); },
    "nodes.csv": nodesCsv, "links.csv": linksCsv, gexf: gexf
  };
  function exportFile(kind) {
    var name = "aco-kg-map" + (state.year === "" ? "" : "-" + state.year) + (kind === "png" ? ".png" : kind === "gexf" ? ".gexf" : "-" + kind);
    var text = exporters[kind]();
    download(name, kind === "png" ? dataUrlBlob(text) : new Blob([text], { type: kind === "gexf" ? "application/xml" : "text/csv" }));
    return name;
  }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-export]"), function (button) {
    button.addEventListener("click", function () { exportFile(button.getAttribute("data-export")); });
  });

  // --- the page's state in its address (#year=...&sel=...), restored on load ---------------
  var keyOf = {};
  byId.forEach(function (n) { keyOf[n.k] = n.id; });
  var restoring = true;  // until the address has been read: the first apply must not overwrite it
  function off(map) { return Object.keys(map).filter(function (k) { return map[k] === false; }).join(","); }
  function saveState() {
    if (restoring) { return; }
    var p = [];
    function put(name, value) { if (value !== "" && value !== null && value !== undefined) { p.push(name + "=" + encodeURIComponent(value)); } }
    put("year", state.year);
    put("partner", state.partner === "" ? "" : byId[Number(state.partner)].k);
    put("state", state.st);
    if (state.focus !== null) { put("focus", byId[state.focus].k); put("depth", state.depth); }
    put("hide-kinds", off(state.kinds)); put("hide-links", off(state.ek));
    put("hide-evidence", off(state.ev)); put("hide-review", off(state.rv));
    put("open", Object.keys(state.expanded).map(function (i) { return byId[Number(i)].k; }).join(","));
    put("q", state.q);
    put("sel", state.sel === null ? "" : byId[state.sel].k);
    var hash = p.join("&");
    if (hash !== location.hash.replace(/^#/, "")) { history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search); }
  }
  function restoreState() {
    var text = location.hash.replace(/^#/, "");
    if (!text) { restoring = false; return false; }
    var p = {};
    text.split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i > 0) { try { p[part.slice(0, i)] = decodeURIComponent(part.slice(i + 1)); } catch (err) { /* ignored */ } }
    });
    function list(v) { return v ? v.split(",") : []; }
    function hide(map, names, selector) {
      names.forEach(function (k) { if (k in map) { map[k] = false; } });
      Array.prototype.forEach.call(document.querySelectorAll(selector), function (box) { box.checked = map[box.value] !== false; });
    }
    restoring = true;
    if (p.year && data.years.indexOf(Number(p.year)) !== -1) { state.year = p.year; yearSelect.value = p.year; }
    if (p.partner && keyOf[p.partner] !== undefined) { state.partner = String(keyOf[p.partner]); partnerSelect.value = state.partner; }
    if (p.state && data.states.indexOf(p.state) !== -1) { state.st = p.state; stateSelect.value = p.state; }
    if (p.focus && keyOf[p.focus] !== undefined) {
      state.focus = keyOf[p.focus];
      state.depth = Math.max(0, Math.min(9, Number(p.depth) || 0));
      depthInput.value = String(state.depth);
    }
    hide(state.kinds, list(p["hide-kinds"]), "input.kind");
    hide(state.ek, list(p["hide-links"]), "input.edge-kind");
    hide(state.ev, list(p["hide-evidence"]), "input.evidence");
    hide(state.rv, list(p["hide-review"]), "input.review");
    list(p.open).forEach(function (k) { if (keyOf[k] !== undefined) { state.expanded[keyOf[k]] = true; } });
    apply();
    if (p.q) { searchInput.value = p.q; find(); }
    if (p.sel && keyOf[p.sel] !== undefined) { select(keyOf[p.sel]); }
    restoring = false;
    saveState();
    return true;
  }

  apply();
  restoreState();
  frame();  // what the address asks for (its filters, its selection), or everything
  // for tests and for the curious: the map's state, read-only in spirit
  marks.controls = performance.now();
  window.__map = { marks: marks, network: network, nodes: nodes, edges: edges, state: state, apply: apply,
                   find: function (text) { searchInput.value = text; return find(); },
                   select: select, toggle: toggle, data: data,
                   exportData: function (kind) { return exporters[kind](); }, exportFile: exportFile,
                   visibleCount: function () { return apply(); },
                   view: function () { return current; } };
}());
