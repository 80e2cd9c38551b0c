// The annograph web page: YASGUI (vendored, see vendor/yasgui/README.md) set up to work offline,
// with the project's prefixes and vocabulary for autocompletion, the saved queries in a side list
// (run through the saved-query API, parameters bound by the server), and result IRIs that open
// the server's entity pages.
"use strict";

const config = JSON.parse(document.getElementById("config").textContent);
const $ = (id) => document.getElementById(id);
const { Yasqe, Yasr } = Yasgui;
const ENDPOINT = new URL("/query", window.location.href).href;
const SOLUTIONS = "application/sparql-results+json";
let queries = new Map(); // the saved queries by name, from /api/queries

function prefixLines() {
  return Object.entries(config.prefixes)
    .map(([prefix, iri]) => `PREFIX ${prefix}: <${iri}>`)
    .join("\n");
}

function escapeHtml(text) {
  const replacements = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  return text.replace(/[&<>"']/g, (c) => replacements[c]);
}

function shorten(iri) {
  let best = null;
  for (const [prefix, namespace] of Object.entries(config.prefixes)) {
    if (iri.startsWith(namespace) && (!best || namespace.length > best[1].length)) {
      best = [prefix, namespace];
    }
  }
  const local = best ? iri.slice(best[1].length) : null;
  return local !== null && /^[\w.-]*$/.test(local) ? `${best[0]}:${local}` : `<${iri}>`;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

// -- YASGUI, offline ------------------------------------------------------------------------

// Autocompletion from this project only: its prefixes instead of the list bundled in YASQE,
// and the classes and properties of its ontology instead of a web service (LOV). With a list
// (not a function) YASQE completes in the page and asks no server.
function useLocalCompletions() {
  const prefixes = Object.entries(config.prefixes).map(([p, iri]) => `${p}: <${iri}>`).sort();
  const local = (name, list) =>
    Yasqe.registerAutocompleter({ ...Yasqe.Autocompleters[name], get: list, bulk: true });
  local("prefixes", prefixes);
  local("class", config.vocabulary.classes);
  local("property", config.vocabulary.properties);
  Yasqe.defaults.prefixCcApi = null;
}

// The result table, with the project's entities linked to their pages on this server.
class EntityTable extends Yasr.plugins.table {
  // Values as people read them ("3", not "3"^^xsd:integer) until the user unticks Simple view,
  // whose choice YASR stores and passes back here.
  draw(persistent) {
    return super.draw({ compact: true, ...persistent });
  }

  getUriLinkFromBinding(binding, prefixes) {
    if (!binding.value.startsWith(config.entityNamespace)) {
      return super.getUriLinkFromBinding(binding, prefixes);
    }
    const href = `/entity?id=${encodeURIComponent(binding.value)}`;
    return `<a class="iri entity" href="${escapeHtml(href)}">${escapeHtml(shorten(binding.value))}</a>`;
  }
}

// Charts of results that have a number column, drawn by Chart.js (vendored with the page:
// YASGUI's own chart plugin loads Google Charts from the web). Above the chart, the kind of
// chart and the columns that label and size it; by default a bar per row, labelled by the first
// column that is not a number and sized by the first that is.
const CHART_KINDS = { bar: "bars", horizontal: "horizontal bars", line: "line", pie: "pie" };
const CHART_ROWS = 500; // a chart of more rows than this is unreadable: the first ones

class ResultChart {
  constructor(yasr) {
    this.yasr = yasr;
    this.label = "Chart";
    this.priority = 5; // after the table, which stays the default view
    this.kind = "bar";
  }

  columns() {
    const vars = this.yasr.results?.getVariables() || [];
    const rows = this.yasr.results?.getBindings() || [];
    const isNumber = (name) =>
      rows.length > 0 && rows.every((row) => row[name] && row[name].value !== "" && !isNaN(Number(row[name].value)));
    const numbers = vars.filter(isNumber);
    return { numbers, labels: vars.filter((name) => !numbers.includes(name)), rows };
  }

  canHandleResults() {
    const { numbers, labels } = this.columns();
    return numbers.length > 0 && labels.length > 0;
  }

  getIcon() {
    return element("span", { class: "chart-icon", "aria-hidden": "true" }, "▮▮");
  }

  draw() {
    const { numbers, labels, rows } = this.columns();
    if (!numbers.includes(this.value)) this.value = numbers[0];
    if (!labels.includes(this.by)) this.by = labels[0];
    const choice = (name, options, chosen, change) => {
      const select = element("select", { "aria-label": name, "data-choice": name },
        ...Object.entries(options).map(([value, text]) => element("option", { value }, text)));
      select.value = chosen;
      select.addEventListener("change", () => { change(select.value); this.draw(); });
      return element("label", {}, `${name} `, select);
    };
    const asOptions = (names) => Object.fromEntries(names.map((name) => [name, name]));
    const controls = element("div", { class: "chart-controls" },
      choice("chart", CHART_KINDS, this.kind, (kind) => { this.kind = kind; }),
      choice("label", asOptions(labels), this.by, (name) => { this.by = name; }),
      choice("value", asOptions(numbers), this.value, (name) => { this.value = name; }));
    const shown = rows.slice(0, CHART_ROWS);
    const name = (term) => (!term ? "" : term.type === "uri" ? shorten(term.value) : term.value);
    const horizontal = this.kind === "horizontal";
    const height = horizontal ? Math.max(300, 22 * shown.length) : 420;
    const canvas = element("canvas", { role: "img", "aria-label": `${this.value} by ${this.by}` });
    const note = rows.length > CHART_ROWS ? element("p", { class: "chart-note" }, `the first ${CHART_ROWS} of ${rows.length} rows`) : "";
    const box = element("div", { class: "chart-box", style: `height: ${height}px` }, canvas);
    this.chart?.destroy();
    this.yasr.resultsEl.replaceChildren(controls, note, box);
    this.chart = new Chart(canvas, {
      type: horizontal ? "bar" : this.kind,
      data: {
        labels: shown.map((row) => name(row[this.by])),
        datasets: [{ label: this.value, data: shown.map((row) => Number(row[this.value].value)) }],
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: this.kind === "pie" } },
      },
    });
  }
}

function startYasgui() {
  useLocalCompletions();
  Yasr.registerPlugin("table", EntityTable);
  Yasr.registerPlugin("chart", ResultChart);
  return new Yasgui($("yasgui"), {
    requestConfig: { endpoint: ENDPOINT, method: "POST" },
    copyEndpointOnNewTab: true,
    // This server is the one endpoint: no public endpoints offered in the catalogue.
    endpointCatalogueOptions: { getData: () => [{ endpoint: ENDPOINT }], keys: [] },
    yasqe: { collapsePrefixesOnLoad: true, value: `${prefixLines()}\n\nSELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 20\n` },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table" },
    tabName: "Query",
  });
}

// -- saved queries ----------------------------------------------------------------------------

function savedText(query) {
  return query.sparql.split("\n").filter((line) => !line.startsWith("#+")).join("\n").trim();
}

function tabNamed(yasgui, name) {
  const id = yasgui.persistentConfig.getTabs().find((id) => yasgui.persistentConfig.getTab(id).name === name);
  return id === undefined ? undefined : yasgui.selectTabId(id);
}

// A saved query opens in a tab of its own (named after it), made once and selected after.
function openSaved(yasgui, query) {
  const tab = tabNamed(yasgui, query.name) ||
    yasgui.addTab(true, { name: query.name, yasqe: { value: savedText(query) } });
  showForm(tab.getName());
  return tab;
}

function parameterField(parameter) {
  const id = `param-${parameter.name}`;
  let input;
  if (parameter.enum.length) {
    input = element("select", { id, name: parameter.name });
    if (!parameter.required) input.append(element("option", { value: "" }, ""));
    for (const value of parameter.enum) input.append(element("option", { value }, value));
  } else {
    input = element("input", { id, name: parameter.name, placeholder: parameter.type });
  }
  if (parameter.default !== null) input.value = parameter.default;
  if (parameter.required) input.required = true;
  return element("label", { for: id }, `${parameter.name} `, input);
}

// The form of the saved query a tab shows, if it shows one.
function showForm(tabName) {
  const query = queries.get(tabName);
  for (const button of document.querySelectorAll("#query-list button")) {
    button.setAttribute("aria-pressed", String(button.dataset.query === tabName));
  }
  const shown = !$("saved").hidden && $("saved").dataset.query === tabName;
  $("saved").hidden = !query;
  if (!query || shown) return; // the same query's form keeps the values typed in it
  $("status").textContent = "";
  $("saved").dataset.query = query.name;
  $("saved-name").textContent = query.name;
  $("saved-summary").textContent = query.description || query.summary;
  $("params").replaceChildren(...query.parameters.map(parameterField));
}

async function errorText(response, text) {
  try {
    const error = JSON.parse(text);
    return error.error + (error.hint ? ` (${error.hint})` : "");
  } catch {
    return text || response.statusText;
  }
}

// Runs the saved query through /api/queries/NAME: the server binds the values as RDF terms,
// so a value never becomes SPARQL text. The answer is drawn in the tab's result view.
async function runSaved(yasgui) {
  const query = queries.get($("saved").dataset.query);
  const params = new URLSearchParams();
  for (const input of $("params").elements) {
    if (input.value !== "") params.append(input.name, input.value);
  }
  const tab = openSaved(yasgui, query); // the tab may have been closed since
  params.set("format", query.formats[0]);
  $("status").textContent = "running…";
  const started = performance.now();
  let summary;
  try {
    const response = await fetch(`${query.url}?${params}`);
    const text = await response.text();
    const contentType = response.headers.get("Content-Type") || "";
    const executionTime = Math.round(performance.now() - started);
    summary = response.ok
      ? { data: text, contentType, status: response.status, executionTime }
      : { error: { status: response.status, text: await errorText(response, text) }, executionTime };
    $("status").textContent = response.ok ? rowCount(text, contentType) : `error ${response.status}`;
  } catch (error) {
    summary = { error: { text: String(error) } };
    $("status").textContent = "error";
  }
  tab.getYasr().setResponse(summary);
}

function rowCount(text, contentType) {
  if (!contentType.startsWith(SOLUTIONS)) return "done";
  const data = JSON.parse(text);
  if ("boolean" in data) return String(data.boolean);
  const rows = data.results.bindings.length;
  return `${rows} row${rows === 1 ? "" : "s"}`;
}

async function loadQueries(yasgui) {
  const list = await (await fetch("/api/queries")).json();
  queries = new Map(list.map((query) => [query.name, query]));
  const items = list.map((query) => {
    const button = element("button", { type: "button", "data-query": query.name, "aria-pressed": "false" },
      query.name, element("small", {}, query.summary));
    button.addEventListener("click", () => openSaved(yasgui, query));
    return element("li", {}, button);
  });
  $("query-list").replaceChildren(...items);
  showForm(yasgui.getTab().getName());
}

const yasgui = startYasgui();
yasgui.on("tabSelect", (_yasgui, id) => showForm(yasgui.persistentConfig.getTab(id).name));
$("run-saved").addEventListener("click", () => runSaved(yasgui));
window.annograph = { yasgui }; // for the tests and the curious: the page's YASGUI
loadQueries(yasgui);
