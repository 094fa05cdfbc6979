"""The clinical safety log keeps its own rules: every hazard with a control is in the register,
every rating is read from the log's own matrix, and every test named as evidence exists. A
reviewer reads the register first; a hazard missing from it, or rated higher or lower than its
section, is one nobody weighs."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOG = (ROOT / "docs" / "clinical-safety.md").read_text(encoding="utf-8")
SEVERITIES = ["Minor", "Significant", "Considerable", "Major", "Catastrophic"]
RATING = re.compile(r"(Minor|Significant|Considerable|Major|Catastrophic) × (Very high|High|Medium|Low|Very low) = \*\*(\d)\*\*")


def matrix() -> dict[tuple[str, str], int]:
    header = re.search(r"^\| likelihood ↓ / severity → \|(.*)\|$", LOG, re.M)
    assert header, "the 5 × 5 matrix is not where the log keeps it"
    severities = [cell.strip() for cell in header.group(1).split("|")]
    assert sorted(severities) == sorted(SEVERITIES)
    rows = re.findall(r"^\| \*\*(Very high|High|Medium|Low|Very low)\*\* \|((?: \d \|){5})$", LOG, re.M)
    assert len(rows) == 5
    return {(severity, likelihood): int(n) for likelihood, cells in rows
            for severity, n in zip(severities, cells.split("|")[:-1])}


CONTROLLED = LOG.split("\n## Hazards with controls and evidence", 1)[1].split("\n## Open hazards", 1)[0]


def sections() -> dict[str, str]:
    """Each hazard with controls (### Hnn), its heading and text up to the next heading."""
    return {part.split()[0]: part for part in re.split(r"^### ", CONTROLLED, flags=re.M)[1:]}


REGISTER_ROWS = re.findall(r"^\| \[(H\d+)\]\(#([^)]+)\) \| (.+?) \| (\d) \| (\d) \|$", LOG, re.M)


def register() -> dict[str, tuple[str, str, int, int]]:
    return {h: (anchor, title, int(before), int(after)) for h, anchor, title, before, after in REGISTER_ROWS}


def github_anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_every_hazard_with_controls_is_in_the_register_once_and_links_to_its_section():
    headings = re.findall(r"^### (H\d+) ", CONTROLLED, re.M)
    assert len(headings) == len(set(headings)), "a hazard's section twice"
    assert len(REGISTER_ROWS) == len({row[0] for row in REGISTER_ROWS}), "a hazard twice in the register"
    held, listed = sections(), register()
    assert sorted(held) == sorted(listed)
    for h, (anchor, title, _, _) in listed.items():
        heading = held[h].splitlines()[0]
        assert heading == f"{h} {title}", f"{h}: the register's title is not the section's"
        assert anchor == github_anchor(heading), f"{h}: the link does not reach its section"


def test_every_rating_is_the_matrixs_and_the_register_gives_the_sections_own():
    m = matrix()
    for severity, likelihood, n in RATING.findall(LOG):  # open hazards' too
        assert int(n) == m[severity, likelihood], f"{severity} × {likelihood} is {m[severity, likelihood]}, not {n}"
    for h, text in sections().items():
        ratings = RATING.findall(text)
        assert len(ratings) >= 2, f"{h}: a risk before controls and a residual risk, each rated"
        for severity, likelihood, n in ratings:
            assert int(n) == m[severity, likelihood], f"{h}: {severity} × {likelihood} is {m[severity, likelihood]}, not {n}"
        _, _, before, after = register()[h]
        assert (before, after) == (int(ratings[0][2]), int(ratings[-1][2])), f"{h}: the register says otherwise"


def named_tests() -> list[tuple[str, str]]:
    """`tests/x.py::test_a` and the `::test_b` after it, which names a test of the same file."""
    named, file = [], None
    for path, name in re.findall(r"(tests/[\w/]+\.py)?::(test_\w+)", CONTROLLED):
        file = path or file
        assert file, f"::{name} names no file before it"
        named.append((file, name))
    return named


def test_every_test_named_as_evidence_exists():
    missing = [f"{file}::{name}" for file, name in sorted(set(named_tests()))
               if not (ROOT / file).exists()
               or not re.search(rf"^(?:async )?def {name}\(", (ROOT / file).read_text(encoding="utf-8"), re.M)]
    missing += [file for file in sorted(set(re.findall(r"tests/[\w/]+\.py", CONTROLLED))) if not (ROOT / file).exists()]
    assert missing == []


def test_every_link_within_the_log_reaches_a_heading():
    headings = {github_anchor(h) for h in re.findall(r"^#+ (.+)$", LOG, re.M)}
    assert sorted(set(re.findall(r"\]\(#([^)]+)\)", LOG)) - headings) == []
