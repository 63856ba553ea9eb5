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
  function nodeBox(n) {
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-title", n.name));
    n.f.forEach(function (kv) {
      var row = el("div");
      row.appendChild(el("span", "tip-key", kv[0] + ": "));
      row.appendChild(el("span", null, kv[1]));
      box.appendChild(row);
    });
    n.s.forEach(function (s) { box.appendChild(el("div", "tip-src", sourceText(s[0], s[1], s[2]))); });
    return box;
  }
  function edgeBox(e) {
    var box = el("div", "tip");
    var kind = data.edgeKinds[e.k] ? data.edgeKinds[e.k].label : e.k;
    box.appendChild(el("div", "tip-title", kind + ": " + byId[e.from].name + " \u2192 " + byId[e.to].name));
    if (e.dashes) { box.appendChild(el("div", "tip-key", "Inferred by the curator, not reported by the source")); }
    e.f.forEach(function (f) {
      box.appendChild(el("div", "tip-fact", "\u2022 " + f[0] + " [" + period(f[4], f[5]) + "]"));
      box.appendChild(el("div", "tip-src", sourceText(f[1], f[2], f[3])));
    });
    return box;
  }

  // --- the network ---------------------------------------------------------------------
  var nodes = new vis.DataSet(byId.map(function (n) {
    return { id: n.id, label: n.label, group: n.group, x: n.x, y: n.y, value: n.value, hidden: false };
  }));
  var edges = new vis.DataSet(edgeData.map(function (e) {
    var item = { id: e.id, from: e.from, to: e.to, width: e.width, dashes: e.dashes ? [6, 4] : false,
                 color: { color: e.color, highlight: e.color, hover: e.color, inherit: false },
                 label: e.label || undefined, smooth: e.smooth, hidden: false };
    if (e.arrows) { item.arrows = e.arrows; }
    return item;
  }));
  var groups = {};
  Object.keys(data.kinds).forEach(function (k) {
    var kind = data.kinds[k];
    groups[k] = { shape: kind.shape, color: { background: kind.color, border: "#333333",
                  highlight: { background: kind.color, border: "#000000" },
                  hover: { background: kind.color, border: "#000000" } } };
  });
  var options = {
    physics: false,
    layout: { improvedLayout: false, randomSeed: 0 },
    interaction: { hover: true, tooltipDelay: 100000, hideEdgesOnDrag: data.large,
                   hideEdgesOnZoom: data.large, multiselect: false },
    nodes: { borderWidth: 1, font: { size: 14, strokeWidth: 4, strokeColor: "#ffffff" },
             scaling: { min: 8, max: 34, label: { enabled: true, min: 13, max: 20, drawThreshold: 7 } } },
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
  // leave a margin around the drawing so that the outermost labels are not cut off
  network.moveTo({ scale: network.getScale() * 0.9, animation: false });

  // --- tooltips and details (text only) --------------------------------------------------
  var tooltip = document.getElementById("tooltip");
  var details = document.getElementById("details");
  function showTip(box, pointer) {
    clear(tooltip);
    tooltip.appendChild(box);
    var rect = container.getBoundingClientRect();
    tooltip.style.left = Math.min(rect.left + pointer.x + 14, window.innerWidth - 440) + "px";
    tooltip.style.top = (rect.top + pointer.y + 14) + "px";
    tooltip.style.display = "block";
  }
  function hideTip() { tooltip.style.display = "none"; }
  network.on("hoverNode", function (p) { showTip(nodeBox(byId[p.node]), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(edgeBox(edgeData[p.edge]), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);
  var selected = null;
  function showDetails(box) { clear(details); details.appendChild(box); }
  network.on("click", function (p) {
    if (p.nodes.length) { selected = p.nodes[0]; showDetails(nodeBox(byId[selected])); }
    else if (p.edges.length) { showDetails(edgeBox(edgeData[p.edges[0]])); }
  });

  // --- filters: the same rules as kg.products.maps.restrict --------------------------------------
  var state = { year: "", partner: "", st: "", focus: null, depth: 2, kinds: {} };
  Object.keys(data.kinds).forEach(function (k) { state.kinds[k] = true; });

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

  function visible() {
    var keep = byId.map(function () { return true; });
    var active = edgeData.map(function () { return true; });
    var undated = 0;
    if (state.year !== "") {
      var year = Number(state.year), linked = new Set(), still = new Set();
      edgeData.forEach(function (e, i) {
        linked.add(e.from); linked.add(e.to);
        active[i] = activeIn(e, year);
        if (active[i]) {
          still.add(e.from); still.add(e.to);
          if (e.f.some(function (f) { return (f[4] === null || f[5] === null) && activeIn({ per: [[f[4], f[5]]] }, year); })) { undated += 1; }
        }
      });
      keep = keep.map(function (k, i) { return still.has(i) || !linked.has(i); });
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
    var showEdge = edgeData.map(function (e, i) { return active[i] && keep[e.from] && keep[e.to]; });
    return { nodes: keep, edges: showEdge, undated: undated };
  }

  var status = document.getElementById("status");
  var yearNote = document.getElementById("year-note");
  function apply() {
    var v = visible();
    var nodeChanges = [], edgeChanges = [], shownNodes = 0, shownEdges = 0;
    nodes.forEach(function (n) {
      var hidden = !v.nodes[n.id];
      if (!hidden) { shownNodes += 1; }
      if (n.hidden !== hidden) { nodeChanges.push({ id: n.id, hidden: hidden }); }
    });
    edges.forEach(function (e) {
      var hidden = !v.edges[e.id];
      if (!hidden) { shownEdges += 1; }
      if (e.hidden !== hidden) { edgeChanges.push({ id: e.id, hidden: hidden }); }
    });
    if (nodeChanges.length) { nodes.update(nodeChanges); }
    if (edgeChanges.length) { edges.update(edgeChanges); }
    status.textContent = "Showing " + shownNodes + " of " + byId.length + " organizations and " +
      shownEdges + " of " + edgeData.length + " links";
    yearNote.textContent = state.year === "" ? "" :
      (v.undated + " link(s) shown for " + state.year + " have no start or end date; they are kept, not assumed ended.");
    return { nodes: shownNodes, edges: shownEdges };
  }

  // --- controls --------------------------------------------------------------------------
  function fill(select, items) {
    items.forEach(function (item) { select.appendChild(new Option(String(item[1]), String(item[0]))); });
  }
  var yearSelect = document.getElementById("year");
  var partnerSelect = document.getElementById("partner");
  var stateSelect = document.getElementById("state");
  fill(yearSelect, data.years.map(function (y) { return [y, y]; }));
  fill(partnerSelect, data.partners);
  fill(stateSelect, data.states.map(function (s) { return [s, s]; }));
  yearSelect.addEventListener("change", function () { state.year = yearSelect.value; apply(); });
  partnerSelect.addEventListener("change", function () { state.partner = partnerSelect.value; apply(); });
  stateSelect.addEventListener("change", function () { state.st = stateSelect.value; apply(); });
  var depthInput = document.getElementById("depth");
  document.getElementById("focus").addEventListener("click", function () {
    if (selected === null) { details.textContent = "Select an organization first (click it or find it by name)."; return; }
    state.focus = selected;
    state.depth = Math.max(0, Math.min(9, Number(depthInput.value) || 0));
    apply();
    network.fit({ nodes: nodes.getIds({ filter: function (n) { return !n.hidden; } }), animation: false });
  });
  document.getElementById("reset").addEventListener("click", function () {
    state.year = ""; state.partner = ""; state.st = ""; state.focus = null;
    yearSelect.value = ""; partnerSelect.value = ""; stateSelect.value = "";
    Object.keys(state.kinds).forEach(function (k) { state.kinds[k] = true; });
    Array.prototype.forEach.call(document.querySelectorAll("input.kind"), function (box) { box.checked = true; });
    apply();
    network.fit({ animation: false });
  });
  var counts = {};
  byId.forEach(function (n) { counts[n.group] = (counts[n.group] || 0) + 1; });
  Array.prototype.forEach.call(document.querySelectorAll("[data-kind]"), function (row) {
    var kind = row.getAttribute("data-kind");
    if (!counts[kind]) { row.style.display = "none"; return; }
    row.querySelector(".count").textContent = String(counts[kind]);
    row.querySelector("input.kind").addEventListener("change", function (ev) {
      state.kinds[kind] = ev.target.checked; apply();
    });
  });
  var edgeCounts = {};
  edgeData.forEach(function (e) { edgeCounts[e.k] = (edgeCounts[e.k] || 0) + 1; });
  Array.prototype.forEach.call(document.querySelectorAll("[data-edge-kind]"), function (row) {
    if (!edgeCounts[row.getAttribute("data-edge-kind")]) { row.style.display = "none"; }
  });

  function select(id) {
    selected = id;
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showDetails(nodeBox(byId[id]));
  }
  var searchInput = document.getElementById("search");
  var matches = document.getElementById("matches");
  function find() {
    var text = searchInput.value.trim().toLowerCase();
    clear(matches);
    if (!text) { return []; }
    var found = byId.filter(function (n) { return n.name.toLowerCase().indexOf(text) !== -1; });
    found.slice(0, 50).forEach(function (n) {
      var item = el("li"), button = el("button", null, n.name);
      button.type = "button";
      button.addEventListener("click", function () { select(n.id); });
      item.appendChild(button);
      matches.appendChild(item);
    });
    if (found.length > 50) { matches.appendChild(el("li", null, (found.length - 50) + " more; type more of the name")); }
    if (!found.length) { matches.appendChild(el("li", null, "No organization on this map has that name.")); }
    if (found.length) { select(found[0].id); }
    return found.map(function (n) { return n.id; });
  }
  document.getElementById("search-go").addEventListener("click", find);
  searchInput.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { find(); } });

  apply();
  // for tests and for the curious: the map's state, read-only in spirit
  marks.controls = performance.now();
  window.__map = { marks: marks, network: network, nodes: nodes, edges: edges, state: state, apply: apply,
                   find: function (text) { searchInput.value = text; return find(); },
                   select: select };
}());
