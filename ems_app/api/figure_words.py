"""The figures' codes in the reader's language, and the CSV: at the edge, so the page, the charts,
the API and the CSV say the same words from one catalogue (Japanese by default)."""
from __future__ import annotations

import csv
import io

from flask_babel import gettext
from sqlalchemy import select

from ems_app.models import Hospital
from shared.errors import N_

TITLES = {
    "difficulty": N_("Difficult transports (4+ inquiries and 30+ min on scene)"),
    "card": N_("My Number card use (Myna-Kyukyu)"),
    "not_read": N_("Why the card was not read"),
    "basis": N_("Consent or emergency exception"),
    "inquiries": N_("Acceptance inquiries per case"),
    "outcomes": N_("Outcome by severity at first diagnosis"),
    "declines": N_("Declines by hospital and reason"),
    "call_to_acceptance": N_("Call to acceptance (minutes)"),
    "acceptance_to_arrival": N_("Acceptance to arrival at hospital (minutes)"),
}
COLUMNS = {
    "difficult": N_("Difficult transport"), "not_difficult": N_("Not difficult"),
    "unknown": N_("Unknown (scene times not recorded)"),
    "card_photo": N_("Card with photo"), "smartphone": N_("Smartphone card"),
    "attributes": N_("4-attribute search"), "not_read": N_("Card not read"),
    "not_carried": N_("Card not carried"), "declined": N_("Patient declined"),
    "urgent": N_("No time (urgent)"), "unreadable": N_("Card could not be read"), "other": N_("Other"),
    "certificate_expired": N_("Card certificate expired"), "card_not_found": N_("No match for the card"),
    "source_unavailable": N_("OQC unavailable"), "not_recorded": N_("Reason not recorded"),
    "consent": N_("Consent"), "emergency_exception": N_("Emergency exception"), "none": N_("No basis recorded"),
    "0": N_("none asked"), "1": "1", "2": "2", "3": "3", "4": "4", "5+": "5+",
    "death": N_("Death"), "severe": N_("Severe"), "moderate": N_("Moderate"), "mild": N_("Mild"),
    "not_returned": N_("Outcome not returned"),
    "no_bed": N_("No bed"), "no_specialist": N_("No specialist"), "treating_others": N_("Treating other patients"),
    "equipment": N_("Equipment unavailable"),
}
BY = {"week": N_("Week from"), "station": N_("Ambulance unit"), "hospital": N_("Hospital")}
NOT_TRANSPORTED = N_("No destination")
SUPPRESSED = N_("<10: fewer than 10 cases; *: hidden so that a <10 cannot be worked out from the totals")


def column_label(code: str) -> str:
    return gettext(COLUMNS[code]) if code in COLUMNS else code


def hospital_names(s) -> dict[str, str]:
    return {h.id: h.name for h in s.execute(select(Hospital.id, Hospital.name))}


def labelled(answer: dict, names: dict[str, str]) -> dict:
    """The answer with a title, row labels and column labels in the reader's language."""
    by = answer["filters"]["by"]

    def row_label(key: str, dimension: str) -> str:
        if dimension == "hospital":
            return gettext(NOT_TRANSPORTED) if key == "none" else names.get(key, key)
        return key

    for table in answer["tables"]:
        dimension = "hospital" if table["id"] == "declines" else by
        table["title"] = gettext(TITLES[table["id"]])
        table["row_labels"] = [row_label(k, dimension) for k in table["rows"]]
        table["column_labels"] = [column_label(c) for c in table["columns"]]
        table["by_label"] = gettext(BY[dimension])
    for measure in answer["times"]:
        measure["title"] = gettext(TITLES[measure["id"]])
        measure["row_labels"] = [row_label(k, by) for k in measure["rows"]]
    answer["by_label"] = gettext(BY[by])
    answer["suppression_note"] = gettext(SUPPRESSED)
    return answer


def as_csv(answer: dict) -> str:
    """One line per figure: table, row, column, value; the values exactly as the page shows them."""
    out = io.StringIO()
    w = _SafeWriter(csv.writer(out, lineterminator="\n"))
    total = gettext("Total")
    w.writerow([gettext("Table"), gettext("Row"), gettext("Column"), gettext("Value")])
    for t in answer["tables"]:
        for label, cells, row_total in zip(t["row_labels"], t["cells"], t["row_totals"]):
            for column, value in zip(t["column_labels"], cells):
                w.writerow([t["title"], label, column, value])
            w.writerow([t["title"], label, total, row_total])
        for column, value in zip(t["column_labels"], t["column_totals"]):
            w.writerow([t["title"], total, column, value])
        w.writerow([t["title"], total, total, t["total"]])
    cases, median, p90 = gettext("Cases"), gettext("Median"), gettext("90th percentile")
    for m in answer["times"]:
        for label, n, med, p in zip(m["row_labels"], m["cases"], m["median"], m["p90"]):
            w.writerows([[m["title"], label, cases, n], [m["title"], label, median, _blank(med)],
                         [m["title"], label, p90, _blank(p)]])
        w.writerows([[m["title"], total, cases, m["cases_total"]], [m["title"], total, median, _blank(m["median_all"])],
                     [m["title"], total, p90, _blank(m["p90_all"])]])
    w.writerow([answer["suppression_note"]])
    return out.getvalue()


def _blank(value) -> str:
    return "" if value is None else str(value)


class _SafeWriter:
    """A spreadsheet runs a cell that starts with = + - @ as a formula: such text (a unit's or a
    hospital's name) is written with a leading apostrophe, as OWASP advises for CSV."""

    def __init__(self, writer):
        self.writer = writer

    def writerow(self, row):
        self.writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
                              for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)
