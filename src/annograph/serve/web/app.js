// The annograph web page: a SPARQL editor, the saved queries, and results with links to entities.
"use strict";

const config = JSON.parse(document.getElementById("config").textContent);
const $ = (id) => document.getElementById(id);
const SOLUTIONS = "application/sparql-results+json";
let current = null; // the saved query shown in the form

function prefixLines() {
  return Object.entries(config.prefixes)
    .map(([prefix, iri]) => `PREFIX ${prefix}: <${iri}>`)
    .join("\n");
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

function termNode(term) {
  if (!term) return "";
  if (term.type === "uri") {
    const local = term.value.startsWith(config.entityNamespace);
    // Only web IRIs become links: never a javascript: or file: IRI from the data.
    if (!local && !/^https?:\/\//.test(term.value)) return shorten(term.value);
    const href = local ? `/entity?id=${encodeURIComponent(term.value)}` : term.value;
    const link = element("a", { href, class: local ? "entity" : "external" }, shorten(term.value));
    if (!local) link.setAttribute("rel", "noopener");
    return link;
  }
  if (term.type === "literal") {
    const span = element("span", term["xml:lang"] ? { lang: term["xml:lang"] } : {}, term.value);
    if (term["xml:lang"]) return element("span", {}, span, " ", element("span", { class: "lang" }, "@" + term["xml:lang"]));
    return span;
  }
  return `_:${term.value}`;
}

function showSolutions(data) {
  const results = $("results");
  results.replaceChildren();
  if ("boolean" in data) {
    results.append(element("p", { class: "boolean" }, String(data.boolean)));
    $("status").textContent = "done";
    return;
  }
  const vars = data.head.vars;
  const head = element("tr", {}, ...vars.map((name) => element("th", {}, name)));
  const rows = data.results.bindings.map((row) =>
    element("tr", {}, ...vars.map((name) => element("td", {}, termNode(row[name])))));
  results.append(element("table", { class: "results" }, element("thead", {}, head), element("tbody", {}, ...rows)));
  $("status").textContent = `${rows.length} row${rows.length === 1 ? "" : "s"}`;
}

async function show(response) {
  const type = (response.headers.get("Content-Type") || "").split(";")[0];
  if (!response.ok) {
    let message = await response.text();
    if (type === "application/json") {
      const error = JSON.parse(message);
      message = error.error + (error.hint ? ` (${error.hint})` : "");
    }
    $("results").replaceChildren(element("p", { class: "error" }, message));
    $("status").textContent = `error ${response.status}`;
    return;
  }
  if (type === SOLUTIONS) {
    showSolutions(await response.json());
  } else {
    $("results").replaceChildren(element("pre", {}, await response.text()));
    $("status").textContent = "done";
  }
}

async function run(request) {
  $("status").textContent = "running…";
  try {
    await show(await request);
  } catch (error) {
    $("results").replaceChildren(element("p", { class: "error" }, String(error)));
    $("status").textContent = "error";
  }
}

function runEditor() {
  const body = new URLSearchParams({ query: $("editor").value });
  run(fetch("/query", { method: "POST", body, headers: { Accept: `${SOLUTIONS}, text/turtle;q=0.9` } }));
}

function runSaved() {
  const params = new URLSearchParams();
  for (const input of $("params").elements) {
    if (input.value !== "") params.append(input.name, input.value);
  }
  params.set("format", current.formats[0]);
  run(fetch(`${current.url}?${params}`));
}

function select(query, button) {
  current = query;
  for (const other of document.querySelectorAll("#query-list button")) other.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-pressed", "true");
  $("saved").hidden = false;
  $("saved-name").textContent = query.name;
  $("saved-summary").textContent = query.description || query.summary;
  const fields = query.parameters.map((parameter) => {
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
  });
  $("params").replaceChildren(...fields);
  $("editor").value = query.sparql.split("\n").filter((line) => !line.startsWith("#+")).join("\n").trim();
}

async function loadQueries() {
  const queries = await (await fetch("/api/queries")).json();
  const items = queries.map((query) => {
    const button = element("button", { type: "button", "data-query": query.name, "aria-pressed": "false" },
      query.name, element("small", {}, query.summary));
    button.addEventListener("click", () => select(query, button));
    return element("li", {}, button);
  });
  $("query-list").replaceChildren(...items);
}

$("editor").value = `${prefixLines()}\n\nSELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 20\n`;
$("run").addEventListener("click", runEditor);
$("run-saved").addEventListener("click", runSaved);
loadQueries();
