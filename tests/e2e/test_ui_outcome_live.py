"""The ER's outcome form in real browsers: what a physician has half typed stays on screen while
the patient's detail is drawn again (new vitals from the crew, a colleague acknowledging, going
back to the board and returning), and is said to be unsent if the patient leaves the hospital
meanwhile; an outcome recorded on one dashboard shows at once on a colleague's open detail (above
a form being typed there, which then says sending it corrects it), and never reaches the desk's."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from launcher.system import DEMO_HOSPITALS, System
from tests.e2e.conftest import PASSWORD, open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_flow import accept, assert_clean, open_dashboard, open_patient, patient_on

pytestmark = pytest.mark.timeout(300)
HANDOVER_WINDOW_S = 25  # the short system's record is kept this long after handover


def handed_over(system, doctor: Page, crew_user: str, card: str, complaint: str):
    """A patient tokyo-er accepted on `doctor` and handed over by the crew: (crew session, incident id)."""
    crew = http_sign_in(system.hub.url, crew_user)
    wait_online(crew, "tokyo-er")
    iid = open_with_record(crew, card, complaint)
    assert crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]}).status_code == 201
    accept(doctor, iid, complaint.split(" / ")[0])
    assert crew.post(f"{crew.base}/api/incidents/{iid}/handover", json={}).status_code == 200
    return crew, iid


def start_outcome(detail) -> None:
    """The physician opens the form, picks the severity and types a diagnosis; no disposition yet."""
    detail.get_by_test_id("outcome-open").click()
    detail.get_by_test_id("outcome-severity").get_by_role("button", name="中等症（入院）").click()
    detail.get_by_test_id("outcome-diagnosis").fill("I21.9 急性心筋梗塞")


def assert_still_typed(detail) -> None:
    expect(detail.get_by_test_id("outcome-form")).to_be_visible()
    expect(detail.get_by_test_id("outcome-diagnosis")).to_have_value("I21.9 急性心筋梗塞")
    expect(detail.get_by_test_id("outcome-severity").get_by_role("button", name="中等症（入院）")
           ).to_have_attribute("aria-pressed", "true")


def test_a_half_typed_outcome_stays_while_the_detail_is_drawn_again(system, new_page):
    doctor = open_dashboard(new_page, system)
    nurse = open_dashboard(new_page, system, "er-nurse")
    crew, iid = handed_over(system, doctor, "kyukyu1", "SIM-000233", "胸痛 / chest pain")
    detail = open_patient(doctor, iid)
    expect(detail.get_by_test_id("handed-over")).to_be_visible()
    start_outcome(detail)

    # the crew's vitals arrive and are drawn in the same detail
    assert crew.post(f"{crew.base}/api/incidents/{iid}/updates",
                     json={"kind": "vitals", "vitals": {"heart_rate": 131, "systolic_bp": 84}}).status_code == 201
    expect(detail.get_by_test_id("vitals")).to_contain_text("131")
    assert_still_typed(detail)

    # a colleague acknowledges the patient: the whole detail is drawn again
    open_patient(nurse, iid).get_by_test_id("acknowledge").click()
    expect(detail.get_by_test_id("detail-acked")).to_be_visible()
    assert_still_typed(detail)
    expect(detail.get_by_test_id("outcome-diagnosis")).to_be_focused()  # still typing where they were

    # back to the board and the patient opened again: the form is where it was left
    doctor.go_back()
    expect(doctor.locator("#detail-body [data-testid=outcome]")).to_have_count(0)
    detail = open_patient(doctor, iid)
    assert_still_typed(detail)

    detail.get_by_test_id("outcome-disposition").get_by_role("button", name="入院").click()
    detail.get_by_test_id("outcome-send").click()
    recorded = detail.get_by_test_id("outcome-recorded")
    expect(recorded).to_have_attribute("data-severity", "moderate")
    expect(recorded).to_contain_text("I21.9 急性心筋梗塞")
    expect(detail.get_by_test_id("outcome-form")).to_have_count(0)
    assert doctor.evaluate("window.__sameDocument") is True
    assert_clean(doctor, nurse)


def test_an_outcome_recorded_on_one_dashboard_shows_live_on_a_colleagues(system, new_page):
    doctor = open_dashboard(new_page, system)
    nurse = open_dashboard(new_page, system, "er-nurse")
    clerk = open_dashboard(new_page, system, "er-clerk")
    clerk.evaluate("() => { window.__outcomes = 0; Dash.socket.on('outcome', () => window.__outcomes++); }")
    _, iid = handed_over(system, doctor, "kyukyu2", "SIM-000234", "意識障害 / altered consciousness")
    watching = open_patient(nurse, iid)
    expect(watching.get_by_test_id("outcome-none")).to_have_text("未返送")
    patient_on(clerk, iid).get_by_test_id("open-patient").click()
    expect(clerk.locator(f'#detail-body[data-incident="{iid}"]')).to_be_visible()

    other = open_dashboard(new_page, system)  # the physician's second screen, its form half typed
    typing = open_patient(other, iid)
    start_outcome(typing)
    expect(typing.get_by_test_id("outcome-meanwhile")).to_be_hidden()

    detail = open_patient(doctor, iid)
    detail.get_by_test_id("outcome-open").click()
    detail.get_by_test_id("outcome-severity").get_by_role("button", name="重症（3週間以上の入院）").click()
    detail.get_by_test_id("outcome-diagnosis").fill("I61.9 脳内出血")
    detail.get_by_test_id("outcome-disposition").get_by_role("button", name="ICU入室").click()
    detail.get_by_test_id("outcome-send").click()
    expect(detail.get_by_test_id("outcome-recorded")).to_have_attribute("data-severity", "severe")

    shown = watching.get_by_test_id("outcome-recorded")  # the nurse's open detail, no reload, no click
    expect(shown).to_have_attribute("data-severity", "severe")
    expect(shown).to_contain_text("I61.9 脳内出血")
    expect(shown).to_contain_text("ICU入室")
    expect(watching.get_by_test_id("outcome-none")).to_have_count(0)
    # the half-typed form elsewhere: the returned outcome above it, what was typed kept, and sending it now corrects
    expect(typing.get_by_test_id("outcome-recorded")).to_have_attribute("data-severity", "severe")
    expect(typing.get_by_test_id("outcome-meanwhile")).to_be_visible()
    expect(typing.get_by_test_id("outcome-send")).to_have_text("訂正を登録")
    assert_still_typed(typing)

    detail.get_by_test_id("outcome-correct").click()  # a correction reaches the colleague too
    detail.get_by_test_id("outcome-severity").get_by_role("button", name="死亡").click()
    detail.get_by_test_id("outcome-disposition").get_by_role("button", name="死亡").click()
    detail.get_by_test_id("outcome-send").click()
    expect(shown).to_have_attribute("data-version", "2")
    expect(shown).to_have_attribute("data-severity", "death")

    # the desk: no outcome on its screen, and none pushed to it
    expect(clerk.get_by_test_id("outcome")).to_have_count(0)
    assert clerk.evaluate("window.__outcomes") == 0
    for page in (doctor, other, nurse, clerk):
        assert page.evaluate("window.__sameDocument") is True
    assert_clean(doctor, other, nurse, clerk)


@pytest.fixture(scope="module")
def short_window(module_database, tmp_path_factory):
    """One hospital whose record leaves soon after handover, for the patient removed mid-form."""
    db_env = {"ems": module_database("ems"), "tokyo-er": module_database("tokyo-er")}
    running = System(root=tmp_path_factory.mktemp("system"), db_env=db_env,
                     extra_env={"GRANT_WINDOW_AFTER_HANDOVER_S": str(HANDOVER_WINDOW_S)})
    running.start(hospitals=DEMO_HOSPITALS[:1], password=PASSWORD)
    yield running
    running.stop()


def test_an_outcome_being_typed_when_the_patient_leaves_is_said_to_be_unsent(short_window, new_page):
    doctor = open_dashboard(new_page, short_window)
    _, iid = handed_over(short_window, doctor, "kyukyu1", "SIM-000235", "腹痛 / abdominal pain")
    detail = open_patient(doctor, iid)
    start_outcome(detail)

    notice = doctor.locator(f'[data-testid=outcome-unsent-notice][data-incident="{iid}"]')
    expect(notice).to_be_visible(timeout=(HANDOVER_WINDOW_S + 20) * 1000)
    expect(doctor.locator(f'[data-testid=removed-notice][data-incident="{iid}"]')).to_be_visible()
    expect(notice).to_contain_text("初診結果は送信されていません")
    expect(notice.get_by_test_id("outcome-unsent-entered")).to_contain_text("中等症（入院）")
    expect(notice.get_by_test_id("outcome-unsent-entered")).to_contain_text("I21.9 急性心筋梗塞")
    expect(doctor.get_by_test_id("outcome-form")).to_have_count(0)
    doctor.wait_for_timeout(1500)
    expect(notice).to_be_visible()  # stays until dismissed
    notice.get_by_test_id("dismiss-notice").click()
    expect(notice).to_have_count(0)
    assert_clean(doctor)
