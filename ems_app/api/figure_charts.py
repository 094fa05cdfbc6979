"""The figures as pictures: SVG drawn on the server from the suppressed answer, so a chart can
never show more than the table beside it, and the page needs no chart script (the CSP allows no
inline script, and nothing is loaded from elsewhere).

A count table is one stacked bar per row, a colour per column; what suppression hid is drawn
hatched and grey, as one piece (its size is the row's total less what is shown, which the table
already tells). Times are a bar to the median and a whisker to the 90th percentile."""
from __future__ import annotations

from markupsafe import escape

# Colour-blind-safe (Okabe-Ito), then greys: partitions rarely have more than six parts.
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999", "#666666",
           "#333333"]
WIDTH, LABEL_W, VALUE_W, ROW_H, LEGEND_ROW_H = 820, 190, 70, 24, 20
BAR_W = WIDTH - LABEL_W - VALUE_W - 10


def _text(x: float, y: float, text, anchor: str = "start", size: int = 12, weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="#222">{escape(str(text))}</text>')


def _svg(height: float, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" font-family="sans-serif">'
            f'<title>{escape(title)}</title>'
            '<defs><pattern id="hidden" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ddd"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="2"/></pattern></defs>'
            + "".join(body) + "</svg>")


def _legend(labels: list[str], with_hidden: str | None) -> tuple[list[str], float]:
    body, x, y = [], LABEL_W, 14.0
    items = [(COLOURS[i % len(COLOURS)], label) for i, label in enumerate(labels)]
    if with_hidden:
        items.append(("url(#hidden)", with_hidden))
    for colour, label in items:
        step = 22 + 7.5 * len(str(label)) if str(label).isascii() else 22 + 12.5 * len(str(label))
        if x + step > WIDTH:
            x, y = LABEL_W, y + LEGEND_ROW_H
        body.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>')
        body.append(_text(x + 16, y, label, size=11))
        x += step
    return body, y + 12


def counts(table: dict, hidden_label: str) -> str:
    """A stacked bar per row of a suppressed count table."""
    rows = list(zip(table["row_labels"], table["cells"], table["row_totals"]))
    lengths = []
    for _label, cells, total in rows:
        shown = sum(v for v in cells if isinstance(v, int))
        lengths.append(total if isinstance(total, int) else shown)
    scale = BAR_W / max([*lengths, 1])
    body, top = _legend(table["column_labels"], hidden_label)
    for r, ((label, cells, total), length) in enumerate(zip(rows, lengths)):
        y = top + 6 + r * ROW_H
        body.append(_text(LABEL_W - 6, y + 15, label, anchor="end"))
        x = float(LABEL_W)
        for c, value in enumerate(cells):
            if isinstance(value, int) and value > 0:
                body.append(f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="{value * scale:.1f}" height="{ROW_H - 6}" '
                            f'fill="{COLOURS[c % len(COLOURS)]}"><title>{escape(table["column_labels"][c])}: '
                            f'{value}</title></rect>')
                x += value * scale
        rest = length - sum(v for v in cells if isinstance(v, int))
        if any(not isinstance(v, int) for v in cells):
            width = max(rest * scale, 6.0)
            body.append(f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="{width:.1f}" height="{ROW_H - 6}" '
                        f'fill="url(#hidden)"/>')
        body.append(_text(WIDTH - 4, y + 15, total, anchor="end"))
    return _svg(top + 12 + len(rows) * ROW_H, body, table["title"])


def times(measure: dict, median_label: str, p90_label: str, none_label: str) -> str:
    """The median as a bar and the 90th percentile as a whisker, per row; rows under 10 cases say so."""
    rows = list(zip(measure["row_labels"], measure["median"], measure["p90"]))
    scale = BAR_W / max([p for _l, _m, p in rows if p is not None] + [1])
    body, top = _legend([median_label, p90_label], None)
    for r, (label, median, p90) in enumerate(rows):
        y = top + 6 + r * ROW_H
        body.append(_text(LABEL_W - 6, y + 15, label, anchor="end"))
        if median is None:
            body.append(_text(LABEL_W + 4, y + 15, none_label, size=11))
            continue
        body.append(f'<rect x="{LABEL_W}" y="{y + 5:.1f}" width="{median * scale:.1f}" height="{ROW_H - 10}" '
                    f'fill="{COLOURS[0]}"/>')
        end = LABEL_W + p90 * scale
        body.append(f'<line x1="{LABEL_W + median * scale:.1f}" y1="{y + ROW_H / 2:.1f}" x2="{end:.1f}" '
                    f'y2="{y + ROW_H / 2:.1f}" stroke="{COLOURS[1]}" stroke-width="3"/>')
        body.append(f'<line x1="{end:.1f}" y1="{y + 4:.1f}" x2="{end:.1f}" y2="{y + ROW_H - 4:.1f}" '
                    f'stroke="{COLOURS[1]}" stroke-width="3"/>')
        body.append(_text(WIDTH - 4, y + 15, f"{median} / {p90}", anchor="end"))
    return _svg(top + 12 + len(rows) * ROW_H, body, measure["title"])
