// The aco-kg workbench: YASGUI on this server's endpoint, with the query catalogue as examples.
// Text from the catalogue is only ever set with textContent, never as HTML.
(function () {
  "use strict";
  var entries = JSON.parse(document.getElementById("catalogue-data").textContent);
  var endpoint = window.location.origin + document.getElementById("endpoint").textContent;
  var byName = {};
  entries.forEach(function (entry) { byName[entry.name] = entry; });

  // Only the autocompleters that need no network: YASQE's bundled prefixes (prefixCcApi
  // unset) and the query's own variables; the 'property' and 'class' ones ask the LOV service.
  var completers = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.autocompleters = completers;
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  Yasgui.defaults.yasqe.value = entries.length ? entries[0].text : "";

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    populateFromUrl: false,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: []
    },
    yasqe: { autocompleters: completers, prefixCcApi: null }
  });
  window.__workbench = { yasgui: yasgui, entries: entries };

  function tabs() {
    return Object.keys(yasgui._tabs).map(function (id) { return yasgui.getTab(id); });
  }

  function showQuestion(tab) {
    var entry = tab ? byName[tab.getName()] : null;
    document.getElementById("question").textContent = entry ? entry.question : "";
    var query = tab ? tab.getQuery() : "";
    ["csv", "tsv", "json"].forEach(function (format) {
      var link = document.getElementById("download-" + format);
      link.href = "/sparql?download=" + format + "&query=" + encodeURIComponent(query);
      link.setAttribute("download", (entry ? entry.name.replace("/", "-") : "query") + "." + format);
    });
  }

  function open(entry) {
    var found = tabs().filter(function (tab) { return tab.getName() === entry.name; })[0];
    if (found) {
      yasgui.selectTabId(found.getId());
    } else {
      yasgui.addTab(true, { name: entry.name, yasqe: { value: entry.text },
                            requestConfig: { endpoint: endpoint } });
    }
    showQuestion(yasgui.getTab());
  }

  // every tab queries this server, whatever a restored tab held
  tabs().forEach(function (tab) {
    if (tab.getEndpoint() !== endpoint) { tab.setEndpoint(endpoint); }
  });
  var first = yasgui.getTab();
  if (first && entries.length && tabs().length === 1 && first.getQuery() === entries[0].text) {
    first.setName(entries[0].name);
  }
  yasgui.on("tabSelect", function (instance, id) { showQuestion(yasgui.getTab(id)); });
  yasgui.on("tabChange", function (instance, tab) { showQuestion(yasgui.getTab()); });
  showQuestion(yasgui.getTab());

  var groups = document.getElementById("groups");
  var lists = {};
  entries.forEach(function (entry) {
    if (!lists[entry.group]) {
      var holder = document.createElement(entry.group === "research" ? "div" : "details");
      var title = document.createElement(entry.group === "research" ? "h3" : "summary");
      title.textContent = entry.groupTitle;
      holder.appendChild(title);
      lists[entry.group] = document.createElement("ul");
      holder.appendChild(lists[entry.group]);
      groups.appendChild(holder);
    }
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.className = "example";
    button.type = "button";
    button.dataset.name = entry.name;
    var question = document.createElement("span");
    question.className = "question";
    question.textContent = entry.question;
    var name = document.createElement("span");
    name.className = "name";
    name.textContent = entry.name;
    button.appendChild(question);
    button.appendChild(document.createElement("br"));
    button.appendChild(name);
    if (entry.parameters.length) {
      var params = document.createElement("span");
      params.className = "params";
      params.textContent = " \u2014 parameters: " + entry.parameters.map(function (p) {
        return p.name + " (" + p.type + (p.required ? "" : ", optional") + ")";
      }).join(", ");
      button.appendChild(params);
    }
    button.addEventListener("click", function () { open(entry); });
    item.appendChild(button);
    lists[entry.group].appendChild(item);
  });

  document.getElementById("find").addEventListener("input", function (event) {
    var words = event.target.value.toLowerCase();
    groups.querySelectorAll("li").forEach(function (item) {
      item.hidden = words !== "" && item.textContent.toLowerCase().indexOf(words) < 0;
    });
  });
  window.__workbenchReady = true;
})();
