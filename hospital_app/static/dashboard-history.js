// The full history as the hub grouped it (shared/history_groups.py): by category, each drug once
// with its first and last dispensing and every regimen it had (a dose change is never historyFolded
// away: it is marked on the line and each dose keeps its own dates), newest first, each line with
// every source that holds it and that source's as-of date. A filter box narrows the lines as the
// physician types, matching the words of both languages (a category, "anticoagulant", 抗凝固).
// A group with no lines says what its source said; a group whose source did not answer stays on
// screen under any filter, because "nothing matches" must not be read past a source that is down.
"use strict";

// Message ids kept in tables: `HistoryIds.one` returns the id as it is and marks it for the extractor (web/i18n.py).
const HistoryIds = { one: (msgid) => msgid };
const HISTORY_TITLES = {
  drug_allergies: HistoryIds.one("Drug allergies"), other_allergies: HistoryIds.one("Other allergies"), contraindications: HistoryIds.one("Contraindications"),
  medications: HistoryIds.one("Medications"), dialysis: HistoryIds.one("Dialysis"), infections: HistoryIds.one("Infections"), diagnoses: HistoryIds.one("Diagnoses"), visits: HistoryIds.one("Visits"),
  surgeries: HistoryIds.one("Surgeries"), treatments: HistoryIds.one("Treatments"), labs: HistoryIds.one("Lab results"), checkups: HistoryIds.one("Checkups"), documents: HistoryIds.one("Documents"),
};
// Codes the hub puts on a line, as message ids (worded in the chosen language, searched in both).
const HISTORY_TAGS = {
  anticoagulant: HistoryIds.one("anticoagulant"), antiplatelet: HistoryIds.one("antiplatelet"), inpatient: HistoryIds.one("inpatient"), outpatient: HistoryIds.one("outpatient"),
  hemodialysis: HistoryIds.one("hemodialysis"), peritoneal: HistoryIds.one("peritoneal dialysis"), positive: HistoryIds.one("positive"), negative: HistoryIds.one("negative"),
  anaphylaxis: HistoryIds.one("anaphylaxis"), severe: HistoryIds.one("severe"), moderate: HistoryIds.one("moderate"), mild: HistoryIds.one("mild"), severity_unknown: HistoryIds.one("severity unknown"),
  contrast: HistoryIds.one("contrast media"), latex: HistoryIds.one("latex"), food: HistoryIds.one("food"), environment: HistoryIds.one("environment"), biologic: HistoryIds.one("biologic"),
  referral_letter: HistoryIds.one("referral letter"), discharge_summary: HistoryIds.one("discharge summary"), checkup_report: HistoryIds.one("checkup report"),
};
const WARN_TAGS = new Set(["anticoagulant", "antiplatelet", "anaphylaxis", "severe", "positive"]);

// Full-width and half-width, case: "ＷＡＲＦ" finds "warf".
const historyFolded = (s) => String(s || "").normalize("NFKC").toLowerCase();

const FullHistory = {
  // Both languages' words for the filter (the page itself shows the chosen one only): the scripts'
  // catalogue, fetched once (the browser caches it) when a history is first drawn.
  messages: null,
  async catalogue() {
    if (!FullHistory.messages) {
      FullHistory.messages = fetch("/i18n/messages.json", { credentials: "same-origin" })
        .then((r) => r.json()).then((d) => d.messages || {}).catch(() => ({}));
    }
    return FullHistory.messages;
  },
  words: {},
  inEvery(msgid) {
    return [msgid, ...Object.values(FullHistory.words).map((m) => m[msgid]).filter(Boolean)].join(" ");
  },

  span(first, last) { return first === last || !last ? `${first || "?"}` : `${first || "?"} – ${last}`; },

  seen(line) {
    return el("span", { cls: "meta", testid: "source" },
      (line.seen || []).map((s) => `${sourceName(s.source)} · ${I18N.one("as of")} ${s.as_of}`).join(" / "));
  },

  tag(code) {
    const id = HISTORY_TAGS[code];
    return el("span", { cls: `tag${WARN_TAGS.has(code) ? " warn" : ""}`, testid: "history-tag", data: { tag: code },
      text: id ? I18N.one(id) : code });
  },

  doses(line) {
    if (!line.doses || !line.doses.length) return null;
    if (line.doses.length === 1) {  // one regimen all along: its dosage, no list to read
      return el("div", { cls: "notes", testid: "dose", data: { latest: "true" }, text: line.doses[0].dose });
    }
    const ol = el("ol", { cls: "doses", testid: "doses" });
    line.doses.forEach((d, i) => ol.append(el("li", { testid: "dose", data: { latest: String(i === 0) } },
      el("span", { text: `${d.drug} ${d.dose}` }), " ",
      el("span", { cls: "range", text: `${FullHistory.span(d.first, d.last)} (${I18N.one("{n} times", { n: d.dispensings })})` }))));
    return ol;
  },

  line(line, group) {
    const changed = line.doses && line.doses.length > 1;
    const li = el("li", { cls: `history-line${changed ? " dose-changed" : ""}`, testid: "history-line",
      data: { key: line.key, category: group.category } },
      el("div", { cls: "head" }, el("strong", { cls: "name", testid: "history-name", text: line.name }),
        ...(line.tags || []).map(FullHistory.tag),
        el("span", { cls: "range", testid: "history-range", text: FullHistory.span(line.first, line.last) }),
        el("span", { cls: "count", text: I18N.one("{n} times", { n: line.count }) }),
        changed ? el("span", { cls: "tag warn", testid: "dose-changed" },
          `⚠ ${I18N.one("dose changed")} ${line.doses[0].first}`) : ""),
      FullHistory.doses(line),
      (line.notes || []).length ? el("div", { cls: "notes", text: line.notes.join(" / ") }) : "",
      (line.institutions || []).length ? el("div", { cls: "meta", text: line.institutions.join("、") }) : "",
      FullHistory.seen(line));
    // What the filter matches: the line as drawn, plus the tag and category words of both languages.
    const words = [HISTORY_TITLES[group.category], ...(line.tags || []).map((t) => HISTORY_TAGS[t])].filter(Boolean)
      .map(FullHistory.inEvery);
    li.dataset.search = historyFolded(`${li.textContent} ${words.join(" ")} ${changed ? FullHistory.inEvery("dose changed") : ""}`);
    return li;
  },

  // `record`: the ungrouped record the hub sent with it, for what a line cannot hold (a checkup's table).
  group(group, record) {
    const title = HISTORY_TITLES[group.category] || group.category;
    const lines = group.lines || [];
    const unavailable = Object.values(group.status || {}).some((s) => s.state === "unavailable");
    const section = el("section", { cls: "record-section history-group", testid: `section-${group.category}`,
      data: { category: group.category, unavailable: String(unavailable) } },
      el("h4", {}, bi(title), ` (${lines.length})`,
        lines.length < group.entries ? el("span", { cls: "meta", text: I18N.one("from {n} entries", { n: group.entries }) }) : ""));
    const ul = el("ul");
    for (const [cls, t] of sectionStates(group.status || {}, group.categories || [group.category], !lines.length)) {
      ul.append(el("li", { cls: `empty ${cls}`, testid: "state", text: t }));
    }
    ul.append(...lines.map((line) => FullHistory.line(line, group)));
    if (group.category === "checkups") {
      for (const li of ul.querySelectorAll("[data-testid=history-line]")) {
        const checkup = ((record || {}).checkups || []).find((c) => c.checked_on === li.dataset.key);
        const table = checkup && checkupTable(checkup);
        if (table) li.append(table);
      }
    }
    section.append(ul);
    section.dataset.search = historyFolded(FullHistory.inEvery(title));
    return section;
  },

  // Every term must appear in the line (or in its group's name); empty shows everything.
  filter(box, query) {
    const terms = historyFolded(query).split(/\s+/).filter(Boolean);
    let shown = 0, total = 0;
    for (const section of box.querySelectorAll(".history-group")) {
      let any = false;
      for (const li of section.querySelectorAll("[data-testid=history-line]")) {
        const hit = terms.every((t) => li.dataset.search.includes(t) || section.dataset.search.includes(t));
        li.hidden = !hit; total += 1; if (hit) { shown += 1; any = true; }
      }
      section.hidden = terms.length > 0 && !any && section.dataset.unavailable !== "true" &&
        !terms.every((t) => section.dataset.search.includes(t));
    }
    const count = box.querySelector("[data-testid=history-count]");
    count.textContent = terms.length ? I18N.one("{shown} of {total} lines", { shown, total }) : I18N.one("{total} lines", { total });
    box.querySelector("[data-testid=history-nothing]").hidden = !(terms.length && shown === 0);
  },

  async render(box, history, record) {
    FullHistory.words = await FullHistory.catalogue();
    const input = el("input", { testid: "history-filter", attrs: { type: "search", id: "history-filter", autocomplete: "off",
      placeholder: I18N.one("drug, diagnosis, place…") } });
    const groups = (history && history.groups) || [];
    box.replaceChildren(el("h3", {}, bi("Full history")),
      el("div", { cls: "history-tools" }, el("label", { attrs: { for: "history-filter" } }, bi("Filter")), input,
        el("span", { cls: "meta", testid: "history-count", attrs: { "aria-live": "polite" } })),
      el("p", { cls: "empty", testid: "history-nothing", attrs: { hidden: "" } }, bi("No line matches the filter")),
      ...groups.map((g) => FullHistory.group(g, record)));
    input.addEventListener("input", () => FullHistory.filter(box, input.value));
    FullHistory.filter(box, "");
  },
};
