"""The ER dashboard never hides what it missed, in a real browser: a live push that overtakes the
reload after a reconnect loses nothing, an update lost on the way is fetched again, and `seen`
never goes past a gap. And the record leaving the hospital is never silent: the countdown to its
purge shows after handover, and a removed patient leaves a notice saying why, until dismissed."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from launcher.system import DEMO_HOSPITALS, System
from tests.e2e.conftest import PASSWORD, open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.held import wait_until
from tests.e2e.test_ui_flow import accept, assert_clean, open_dashboard, open_patient, patient_on, set_language

pytestmark = pytest.mark.timeout(300)
HANDOVER_WINDOW_S = 20  # the record is kept this long after handover, so the purge comes within the test


@pytest.fixture(scope="module")
def system(module_database, tmp_path_factory):
    """Its own, with one hospital and a short window after handover."""
    db_env = {"ems": module_database("ems"), "tokyo-er": module_database("tokyo-er")}
    running = System(root=tmp_path_factory.mktemp("system"), db_env=db_env,
                     extra_env={"GRANT_WINDOW_AFTER_HANDOVER_S": str(HANDOVER_WINDOW_S)})
    running.start(hospitals=DEMO_HOSPITALS[:1], password=PASSWORD)
    yield running
    running.stop()


def accepted_and_open(system, doctor: Page, card: str, complaint: str):
    """A patient tokyo-er accepted on this dashboard, open in its detail: (crew session, incident id, detail)."""
    crew = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")
    iid = open_with_record(crew, card, complaint)
    assert crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]}).ok
    accept(doctor, iid, complaint)
    return crew, iid, open_patient(doctor, iid)


def note(crew, iid: str, n: int) -> None:
    resp = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json={"kind": "note", "text": f"経過メモ {n}"})
    assert resp.status_code == 201, resp.text


def notes_shown(detail) -> list[int]:
    return sorted(int(re.search(r"経過メモ (\d+)", t).group(1)) for t in detail.get_by_test_id("note").all_inner_texts())


def spy_on_seen(page: Page) -> None:
    """Record every `seen` the page sends as it goes out on the socket, with how many of the
    patient's notes were on screen then (window.__seen). Every update here is a note."""
    page.evaluate("""() => {
      window.__seen = [];
      const emit = Dash.socket.emit.bind(Dash.socket);
      Dash.socket.emit = (event, data, ...rest) => {
        if (event === "seen") window.__seen.push([data.seq, document.querySelectorAll("[data-testid=note]").length]);
        return emit(event, data, ...rest);
      };
    }""")


def seen_sent(page: Page) -> list[int]:
    return [seq for seq, _shown in page.evaluate("window.__seen")]


def seen_past_the_screen(page: Page) -> list[list[int]]:
    """Each `seen` sent for more than the notes on screen then (1..n shown means n may be seen)."""
    return [s for s in page.evaluate("window.__seen") if s[0] > s[1]]


def seen_at_the_hub(crew, iid: str) -> int:
    return crew.get(f"{crew.base}/api/incidents/{iid}/updates").json()["seen_seq"]


def test_a_push_that_overtakes_the_reload_loses_nothing_and_seen_waits_for_the_gap(system, new_page):
    doctor = open_dashboard(new_page, system)
    crew, iid, detail = accepted_and_open(system, doctor, "SIM-000401", "腹痛 / abdominal pain")
    spy_on_seen(doctor)
    for n in (1, 2, 3):
        note(crew, iid, n)
    expect(detail.get_by_test_id("note")).to_have_count(3)
    wait_until(doctor, "seen up to 3", lambda: seen_sent(doctor)[-1:] == [3])

    # The reload after the reconnect, and any refetch of this patient, are answered as of when they
    # were asked but delivered only when the test says: so the live push below overtakes them.
    held: dict[str, tuple] = {}

    def hold(route):
        held["list" if route.request.url.endswith("/api/patients") else "one"] = (route, route.fetch())
    doctor.route(lambda url: url.endswith("/api/patients") or url.endswith(f"/api/patients/{iid}"), hold)

    doctor.evaluate("Dash.socket.disconnect()")
    expect(doctor.get_by_test_id("live")).to_have_attribute("data-state", "offline")
    for n in range(4, 11):  # missed: the page is not listening
        note(crew, iid, n)
    er = http_sign_in(system.hospitals["tokyo-er"].url, "er-doctor")
    wait_until(doctor, "the ER's copy holds 10 updates",
               lambda: er.get(f"{er.base}/api/patients/{iid}").json()["last_seq"] == 10)
    doctor.evaluate("Dash.socket.connect()")
    wait_until(doctor, "the reload asked for the patients", lambda: "list" in held)
    note(crew, iid, 11)  # pushed live, before the reload's answer
    expect(detail.get_by_test_id("note").filter(has_text="経過メモ 11")).to_be_visible()
    wait_until(doctor, "the gap made the page ask for the patient again", lambda: "one" in held)
    assert notes_shown(detail) == [1, 2, 3, 11]
    doctor.wait_for_timeout(1500)  # time for a wrong `seen` to reach the hub
    assert max(seen_sent(doctor)) == 3 and seen_at_the_hub(crew, iid) == 3  # nothing past the gap

    route, answer = held.pop("list")
    route.fulfill(response=answer)  # the reload's answer, older than the push: it merges
    expect(detail.get_by_test_id("note")).to_have_count(11)
    assert notes_shown(detail) == list(range(1, 12))
    wait_until(doctor, "seen up to 11", lambda: max(seen_sent(doctor)) == 11)
    wait_until(doctor, "the crew sees it seen", lambda: seen_at_the_hub(crew, iid) == 11)
    route, answer = held.pop("one")
    route.fulfill(response=answer)
    doctor.wait_for_timeout(500)
    assert notes_shown(detail) == list(range(1, 12))  # once each
    assert seen_past_the_screen(doctor) == []
    assert_clean(doctor)


def test_an_update_lost_on_the_way_is_fetched_again_before_seen_goes_past_it(system, new_page):
    doctor = open_dashboard(new_page, system)
    crew, iid, detail = accepted_and_open(system, doctor, "SIM-000402", "発熱 / fever")
    spy_on_seen(doctor)
    doctor.evaluate("""() => {  // the push of update 2 never reaches the page
      const apply = Dash.applyUpdate;
      Dash.applyUpdate = (u) => { if (u.seq !== 2) apply(u); };
    }""")
    note(crew, iid, 1)
    expect(detail.get_by_test_id("note")).to_have_count(1)
    note(crew, iid, 2)
    note(crew, iid, 3)
    expect(detail.get_by_test_id("note")).to_have_count(3)
    assert notes_shown(detail) == [1, 2, 3]
    wait_until(doctor, "seen up to 3", lambda: seen_sent(doctor)[-1:] == [3])
    assert seen_sent(doctor) == [1, 3] and seen_past_the_screen(doctor) == []  # never 3 while 2 was missing
    assert_clean(doctor)


def test_the_purge_is_counted_down_after_handover_and_a_removed_patient_leaves_a_notice(system, new_page):
    doctor = open_dashboard(new_page, system)
    nurse = open_dashboard(new_page, system, "er-nurse")
    set_language(nurse, "en")
    nurse.reload()
    expect(nurse.locator("html")).to_have_attribute("lang", "en")
    expect(nurse.get_by_test_id("live")).to_have_attribute("data-state", "online")

    crew, iid, detail = accepted_and_open(system, doctor, "SIM-000403", "胸痛 / chest pain")
    name = doctor.evaluate("iid => Dash.patients.get(iid).identity.name", iid)
    expect(patient_on(doctor, iid).get_by_test_id("purge")).to_be_hidden()  # hours left, not handed over
    detail.get_by_test_id("handover").click()
    expect(detail.get_by_test_id("handed-over")).to_be_visible()
    countdown = re.compile(r"0:[0-2]\d")
    for page in (doctor, nurse):
        expect(patient_on(page, iid).get_by_test_id("purge")).to_be_visible()
        expect(patient_on(page, iid).get_by_test_id("purge")).to_have_text(countdown)
    expect(detail.get_by_test_id("detail-purge")).to_have_text(countdown)

    for page in (doctor, nurse):  # the window runs out: the record is purged here
        notice = page.locator(f'[data-testid=removed-notice][data-incident="{iid}"]')
        expect(notice).to_be_visible(timeout=(HANDOVER_WINDOW_S + 15) * 1000)
        expect(notice).to_have_attribute("data-reason", "handover_window_over")
        expect(notice.get_by_test_id("removed-who")).to_contain_text(name)
        expect(patient_on(page, iid)).to_have_count(0)
    expect(nurse.locator(f'[data-testid=removed-notice][data-incident="{iid}"] [data-testid=removed-why] .bi-p')
           ).to_have_text("the time to keep the record after handover is over")
    expect(doctor.get_by_test_id("detail-removed")).to_have_attribute("data-reason", "handover_window_over")
    doctor.wait_for_timeout(2000)
    expect(doctor.get_by_test_id("removed-notice")).to_be_visible()  # stays until dismissed
    doctor.get_by_test_id("removed-notice").get_by_test_id("dismiss-notice").click()
    expect(doctor.get_by_test_id("removed-notice")).to_have_count(0)
    expect(nurse.get_by_test_id("removed-notice")).to_have_count(1)  # each screen's own

    crew, closed, detail = accepted_and_open(system, doctor, "SIM-000404", "めまい / dizziness")
    assert crew.post(f"{crew.base}/api/incidents/{closed}/close", json={}).ok  # before any handover
    for page in (doctor, nurse):
        notice = page.locator(f'[data-testid=removed-notice][data-incident="{closed}"]')
        expect(notice).to_have_attribute("data-reason", "closed_before_handover")
    expect(nurse.locator(f'[data-testid=removed-notice][data-incident="{closed}"] [data-testid=removed-why] .bi-p')
           ).to_have_text("the incident was closed before handover")
    expect(doctor.get_by_test_id("detail-removed")).to_have_attribute("data-reason", "closed_before_handover")
    assert_clean(doctor, nurse)
