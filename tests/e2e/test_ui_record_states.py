"""What a record category says when it lists nothing, and what the critical box holds, read in a
real browser on the crew tablet and on the ER dashboard.

The unit tests show the data carries the truth (shared/summary.py); these show the screens say it:
an ER physician who reads "none" where the source said nothing may give the drug that kills. So
"recorded as none" is the only green, "nothing recorded (unknown)" is amber and never "none", a
source that did not answer says so and since when, and the unknown rows are named at the top of
the critical box. The box holds every allergy the team must know first with its reaction and
severity (an unstated one "severity unknown", never mild), and a drug several sources dispensed
as one line with each source and its date.

The patients are the simulator's: SIM-LONG (an explicit "no known drug allergy", no entry for
contraindications or dialysis) and SIM-CRITICAL (penicillin anaphylaxis, contrast, latex; warfarin
on the claims, the e-prescription service and the EMR). What the screens must say is checked
against the hub's own answer for the record. No admin path switches a running hub's source, so
the "source unavailable" test has a small system of its own whose hub starts with the EMR
sharing service down."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from launcher.system import DEMO_HOSPITALS, System
from shared.summary import CRITICAL_ROWS
from tests.e2e.conftest import PASSWORD, open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_flow import accept, assert_clean, open_dashboard, open_patient, open_tablet, patient_on, screenshot

pytestmark = pytest.mark.timeout(300)

# Each critical row as the screen names it in Japanese (the unknown-rows header joins them with 、).
ROW_NAMES = {"drug_allergies": "薬剤アレルギー", "other_allergies": "その他のアレルギー", "contraindications": "禁忌",
             "anticoagulants": "抗凝固薬", "antiplatelets": "抗血小板薬", "dialysis": "透析", "infections": "感染症"}
SOURCE_NAMES = {"oqc": "オンライン資格確認（レセプト）", "eprescription": "電子処方箋", "emr_sharing": "電子カルテ情報共有"}
HH_MM = r"\d{2}:\d{2}"

# Every state line in `root`: its state class (on itself or on its row), words, colour, and the
# background it is read on (the nearest one that is not transparent).
STATES_JS = """(root) => [...root.querySelectorAll("[data-testid=state]")].map((e) => {
  const row = e.closest("li");
  const kind = [...e.classList, ...row.classList].find((c) => c.startsWith("state-")) || "";
  let background = "rgba(0, 0, 0, 0)";
  for (let n = e; n && /^(transparent|rgba\\(0, 0, 0, 0\\))$/.test(background); n = n.parentElement) {
    background = getComputedStyle(n).backgroundColor;
  }
  return { kind, row: row.dataset.testid || "", text: e.textContent, color: getComputedStyle(e).color, background };
})"""


@pytest.fixture(scope="module")
def emr_down_system(module_database, tmp_path_factory):
    """Hub and one hospital; the hub's simulator answers with the EMR sharing service down."""
    db_env = {"ems": module_database("ems"), "tokyo-er": module_database("tokyo-er")}
    running = System(root=tmp_path_factory.mktemp("system"), db_env=db_env,
                     hub_env_extra={"OQC_CONDITION": "emr_sharing_down"})
    running.start(hospitals=DEMO_HOSPITALS[:1], password=PASSWORD)
    yield running
    running.stop()


def the_hubs_record(crew_http, iid: str) -> dict:
    """What the hub answers for the incident's record: the summary and the critical facts."""
    resp = crew_http.get(f"{crew_http.base}/api/incidents/{iid}/record")
    assert resp.status_code == 200, resp.text
    return resp.json()


def unknown_header(critical: dict) -> str:
    return "、".join(ROW_NAMES[row] for row in CRITICAL_ROWS if row in critical["unknown"])


def colour(css: str) -> tuple[int, int, int]:
    return tuple(int(n) for n in re.findall(r"\d+", css)[:3])


def palette(page: Page, name: str) -> tuple[int, int, int]:
    """A colour of the pages' own palette (web/static/common.css) as the browser computes it."""
    hex_ = page.evaluate("n => getComputedStyle(document.documentElement).getPropertyValue(n).trim()", f"--{name}")
    return tuple(int(hex_[i:i + 2], 16) for i in (1, 3, 5))


def is_green(css: str) -> bool:
    r, g, b = colour(css)
    return g > r + 20 and g > b + 20


def expect_green_only_for_recorded_as_none(root) -> list[dict]:
    """Every state line on screen: green words only for "recorded as none", never on green."""
    states = root.evaluate(STATES_JS)
    assert states, "no state line on screen"
    for s in states:
        assert is_green(s["color"]) == (s["kind"] == "state-none"), s
        assert not is_green(s["background"]), s
    return states


def accepted_at_tokyo_er(doctor: Page, crew_http, iid: str, complaint: str):
    """The patient accepted by tokyo-er on this dashboard, open in its detail."""
    resp = crew_http.post(f"{crew_http.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    assert resp.status_code == 201, resp.text
    accept(doctor, iid, complaint)
    return open_patient(doctor, iid)


def tablet_summary(new_page, system, iid: str, username: str):
    """The crew tablet showing this incident's emergency summary (as after a reload or a resume)."""
    crew = open_tablet(new_page, system, username)
    crew.locator(f'[data-testid=open-incident] button[data-incident="{iid}"]').click()
    expect(crew.get_by_test_id("incident-id")).to_have_text(iid)
    crew.locator('nav.steps button[data-step="summary"]').click()
    record = crew.get_by_test_id("record")
    expect(record.get_by_test_id("critical")).to_be_visible()
    return crew, record


def test_recorded_as_none_is_the_only_green_and_the_unknown_rows_are_named_first(system, new_page):
    """SIM-LONG: her EMR records "no known drug allergy"; contraindications and dialysis have no entry."""
    crew_http = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew_http, "tokyo-er")
    doctor = open_dashboard(new_page, system)
    iid = open_with_record(crew_http, "SIM-LONG", "呼吸困難 / dyspnoea")
    critical = the_hubs_record(crew_http, iid)["critical"]
    none_as_of = critical["states"]["drug_allergies"]["as_of"]
    assert critical["states"]["drug_allergies"]["state"] == "none_recorded" and none_as_of
    assert "drug_allergies" not in critical["unknown"]
    assert {"contraindications", "dialysis"} <= set(critical["unknown"])
    crew, on_tablet = tablet_summary(new_page, system, iid, "kyukyu2")
    on_dashboard = accepted_at_tokyo_er(doctor, crew_http, iid, "呼吸困難 / dyspnoea")
    # The board's list names the unknown rows too: a row without a chip is not "none" (H63).
    listed = patient_on(doctor, iid)
    expect(listed.get_by_test_id("chip-unknown")).to_have_text(f"不明: {unknown_header(critical)}")
    expect(listed.get_by_test_id("chip-unknown")).not_to_contain_text(ROW_NAMES["drug_allergies"])

    for page, root in ((crew, on_tablet), (doctor, on_dashboard)):
        box = root.get_by_test_id("critical")
        none = box.get_by_test_id("critical-drug_allergies")
        expect(none).to_have_attribute("data-state", "none_recorded")
        expect(none).to_have_class(re.compile(r"\bstate-none\b"))
        expect(none.get_by_test_id("state")).to_have_text(f"記録上なし (時点 {none_as_of})")
        expect(none.get_by_test_id("critical-allergy")).to_have_count(0)

        for row in ("contraindications", "dialysis"):
            unknown = box.get_by_test_id(f"critical-{row}")
            expect(unknown).to_have_attribute("data-state", "not_recorded")
            expect(unknown).to_have_class(re.compile(r"\bstate-unknown\b"))
            expect(unknown.get_by_test_id("state")).to_have_text("記録なし（不明）")
        # The unknown rows come first, by name; a recorded "none" is not among them.
        head = box.get_by_test_id("critical-unknown")
        expect(box.locator("li").first).to_have_attribute("data-testid", "critical-unknown")
        expect(head).to_contain_text("不明")
        expect(head.locator(".value")).to_have_text(unknown_header(critical))
        expect(head).not_to_contain_text(ROW_NAMES["drug_allergies"])
        # Below the box too: a category without entries says unknown, never none.
        dialysis = root.get_by_test_id("section-dialysis").get_by_test_id("state")
        expect(dialysis).to_have_class(re.compile(r"\bstate-unknown\b"))
        expect(dialysis).to_have_text("記録なし（不明）")

        states = expect_green_only_for_recorded_as_none(root)
        assert {"state-none", "state-unknown"} <= {s["kind"] for s in states}
        for s in states:
            if s["kind"] == "state-none":
                assert colour(s["color"]) == palette(page, "green"), s
            if s["kind"] == "state-unknown":
                assert colour(s["color"]) == palette(page, "amber"), s
                assert not re.search(r"\bnone\b|記録上なし", s["text"], re.IGNORECASE), s

    assert_clean(crew, doctor)
    screenshot(crew, "tablet-record-states", "#record-view [data-testid=critical]", top="#record-view")
    screenshot(doctor, "dashboard-record-states", "#detail-body [data-testid=critical]",
               top="#detail-body [data-testid=critical]")


def test_the_critical_box_holds_every_first_minute_allergy_and_one_line_per_drug(system, new_page):
    """SIM-CRITICAL: penicillin anaphylaxis (severe), iodinated contrast (moderate), latex (severity
    not given); warfarin dispensed on the claims, the e-prescription service and the EMR."""
    crew_http = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew_http, "tokyo-er")
    doctor = open_dashboard(new_page, system)
    iid = open_with_record(crew_http, "SIM-CRITICAL", "胸痛 / chest pain")
    [warfarin] = [d for d in the_hubs_record(crew_http, iid)["critical"]["drugs"] if d["drug"].startswith("ワルファリン")]
    assert {"oqc", "eprescription"} <= {s["source"] for s in warfarin["seen"]}
    crew, on_tablet = tablet_summary(new_page, system, iid, "kyukyu2")
    on_dashboard = accepted_at_tokyo_er(doctor, crew_http, iid, "胸痛 / chest pain")

    each_source = " · ".join(f"{SOURCE_NAMES[s['source']]} {s['on']}" for s in warfarin["seen"])  # newest first
    for root in (on_tablet, on_dashboard):
        box = root.get_by_test_id("critical")
        drug = box.get_by_test_id("critical-drug_allergies").get_by_test_id("critical-allergy")
        expect(drug).to_have_count(2)
        # Anaphylaxis first, then the rest, each with its reaction, its severity and its source.
        expect(drug.nth(0)).to_contain_text("ペニシリン系抗菌薬: アナフィラキシーショック [アナフィラキシー, 重症]")
        expect(drug.nth(1)).to_contain_text("ヨード造影剤: 嘔吐・血圧低下 [中等症]")
        for line in (drug.nth(0), drug.nth(1)):
            expect(line.locator(".meta")).to_have_text(re.compile(r"^電子カルテ情報共有 \d{4}-\d{2}-\d{2}$"))
        latex = box.get_by_test_id("critical-other_allergies").get_by_test_id("critical-allergy")
        expect(latex).to_have_count(1)
        expect(latex).to_contain_text("ラテックス: 接触蕁麻疹 [ラテックス, 重症度不明]")  # unsaid is unknown, not mild
        expect(latex).not_to_contain_text("軽症")
        expect(latex.locator(".meta")).to_have_text(re.compile(r"^電子カルテ情報共有 \d{4}-\d{2}-\d{2}$"))

        # One line for the drug, however many sources dispensed it: each with its last date.
        line = box.get_by_test_id("critical-anticoagulants").get_by_test_id("critical-drug")
        expect(line).to_have_count(1)
        expect(line).to_contain_text(warfarin["drug"])
        expect(line.locator(".meta")).to_have_text(each_source)
        for source in ("oqc", "eprescription"):
            expect(line.locator(".meta")).to_contain_text(SOURCE_NAMES[source])
        expect(box.get_by_test_id("critical-unknown")).to_have_count(0)
    assert_clean(crew, doctor)


def test_a_source_that_did_not_answer_says_so_and_since_when_never_none(emr_down_system, new_page):
    """SIM-CRITICAL while the EMR sharing service is down: its allergies are not known, not absent."""
    system = emr_down_system
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew_http, "tokyo-er")
    doctor = open_dashboard(new_page, system)
    iid = open_with_record(crew_http, "SIM-CRITICAL", "意識障害 / unconscious")
    critical = the_hubs_record(crew_http, iid)["critical"]
    failed_rows = ("drug_allergies", "other_allergies", "contraindications", "infections")
    assert all(critical["states"][row]["state"] == "unavailable" for row in failed_rows)
    since = critical["states"]["drug_allergies"]["since"]
    crew, on_tablet = tablet_summary(new_page, system, iid, "kyukyu1")
    on_dashboard = accepted_at_tokyo_er(doctor, crew_http, iid, "意識障害 / unconscious")

    for page, root in ((crew, on_tablet), (doctor, on_dashboard)):
        at = page.evaluate("iso => fmt.hm(iso)", since)
        assert re.fullmatch(HH_MM, at), at
        said = f"取得できません（{at}から） · 電子カルテ情報共有"
        box = root.get_by_test_id("critical")
        for row in failed_rows:
            failed = box.get_by_test_id(f"critical-{row}")
            expect(failed).to_have_attribute("data-state", "unavailable")
            expect(failed.get_by_test_id("state")).to_have_text(said)
            expect(failed.get_by_test_id("state")).to_have_class(re.compile(r"\bstate-unavailable\b"))
        # A drug row read in part from the failed service says so beside the drugs the others gave.
        anticoagulants = box.get_by_test_id("critical-anticoagulants")
        expect(anticoagulants).to_have_attribute("data-state", "unavailable")
        expect(anticoagulants.get_by_test_id("critical-drug")).to_contain_text("ワルファリン")
        expect(anticoagulants.get_by_test_id("state")).to_have_text(said)
        expect(box.get_by_test_id("critical-unknown").locator(".value")).to_have_text(unknown_header(critical))
        # Below the box: the categories of the failed service, and beside the medications listed.
        expect(root.get_by_test_id("section-other_allergies").get_by_test_id("state")).to_have_text(said)
        expect(root.get_by_test_id("section-medications").locator("li.state-unavailable")).to_have_text(said)

        states = expect_green_only_for_recorded_as_none(root)
        unavailable = [s for s in states if s["kind"] == "state-unavailable"]
        assert unavailable and all(colour(s["color"]) == palette(page, "red") for s in unavailable), unavailable
        assert all(not re.search(r"\bnone\b|記録上なし", s["text"], re.IGNORECASE) for s in unavailable)

    assert_clean(crew, doctor)
    screenshot(crew, "tablet-record-unavailable", "#record-view [data-testid=critical]", top="#record-view")
    screenshot(doctor, "dashboard-record-unavailable", "#detail-body [data-testid=critical]",
               top="#detail-body [data-testid=critical]")
