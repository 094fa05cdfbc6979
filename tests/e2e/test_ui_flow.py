"""The patient journey as people do it, in real browsers on real servers.

The HTTP journey test proves the API; this proves the screens: a paramedic on the crew tablet
and a physician on the ER dashboard, each in their own browser context, see each other's
actions without reloading, and nothing anyone typed ever runs as code. It also saves the
screenshots (for docs/screenshots with `--screenshots docs/screenshots`), each screen in Japanese
and in English. Every wait is one of Playwright's auto-waiting expect()s. The helpers here are
shared by the other test_ui_* files."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.conftest import screenshots_folder
from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.timeout(300)

SCREENSHOTS = screenshots_folder()
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


@pytest.fixture(scope="module")
def system(own_system):
    """Its own: the alert rings for every patient on the board not yet acknowledged, and the
    screenshots show this module's patients only."""
    return own_system


def set_language(page: Page, lang: str) -> None:
    """What the language switch does: the `lang` cookie for this site, then a reload."""
    url = re.match(r"https?://[^/]+", page.url).group(0)
    page.context.add_cookies([{"name": "lang", "value": lang, "url": url}])


def screenshot(page: Page, name: str, ready: str, top: str | None = None) -> None:
    """<name>.ja.png and <name>.en.png of the page as it is now, in SCREENSHOTS; the English
    one after a reload in English (`ready` is a selector visible once the page has settled)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("ja", "en"):
        if lang == "en":
            set_language(page, "en")
            page.reload()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator(ready).first).to_be_visible()
        if top:
            page.locator(top).first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(SCREENSHOTS / f"{name}.{lang}.png"))
    set_language(page, "ja")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator(ready).first).to_be_visible()


def sign_in(page: Page, url: str, username: str, path: str = "/") -> None:
    page.goto(url + path)
    page.get_by_label("ユーザーID").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page.locator("#who")).not_to_be_empty()


def open_dashboard(new_page, system, username: str = "er-doctor", hospital: str = "tokyo-er") -> Page:
    page = new_page()
    sign_in(page, system.hospitals[hospital].url, username)
    expect(page.get_by_test_id("live")).to_have_attribute("data-state", "online")
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads or navigates
    return page


def open_tablet(new_page, system, username: str = "kyukyu1") -> Page:
    page = new_page()
    sign_in(page, system.hub.url, username)
    expect(page.locator("#start-view")).to_be_visible()
    return page


def open_incident(crew: Page, complaint: str) -> str:
    crew.locator("#complaint").fill(complaint)
    crew.locator("#open-incident").click()
    expect(crew.get_by_test_id("incident-id")).to_have_text(re.compile(r"\S+"))
    return crew.get_by_test_id("incident-id").inner_text()


def identify_and_fetch(crew: Page, reason: str, card: str = "SIM-CRITICAL") -> None:
    crew.locator("#card-select").select_option(card)
    crew.get_by_label("券面写真と本人を照合した").check()
    crew.locator("#read-card").click()
    expect(crew.get_by_test_id("card-status")).to_contain_text("本人確認済")
    expect(crew.locator("#step-basis")).to_be_visible()
    crew.locator("#exception-reason").select_option("unconscious")
    crew.get_by_label("状況").fill(reason)
    crew.locator("#exception").click()
    expect(crew.locator("#step-summary")).to_be_visible()
    crew.locator("#fetch").click()
    expect(crew.get_by_test_id("critical-anticoagulants")).to_contain_text("ワルファリン")
    expect(crew.get_by_test_id("critical-drug_allergies")).to_contain_text("ペニシリン")


def hospital_row(crew: Page, hospital_id: str):
    return crew.locator(f'[data-testid=hospital][data-hospital="{hospital_id}"]')


def ask(crew: Page, *hospital_ids: str) -> None:
    crew.locator('nav.steps button[data-step="hospitals"]').click()
    for hid in hospital_ids:
        row = hospital_row(crew, hid)
        expect(row.get_by_test_id("hospital-state")).to_contain_text("接続中")
        row.get_by_role("checkbox").check()
    crew.locator("#ask").click()
    for hid in hospital_ids:
        inquiry = crew.locator(f'[data-testid=inquiry][data-hospital="{hid}"]')
        expect(inquiry).to_have_attribute("data-status", "pending")


def inquiry_on(doctor: Page, iid: str):
    return doctor.locator(f'[data-testid=inquiry][data-incident="{iid}"]')


def accept(doctor: Page, iid: str, complaint_text: str) -> None:
    inquiry = inquiry_on(doctor, iid)
    expect(inquiry).to_contain_text(complaint_text)
    expect(inquiry).to_have_attribute("data-status", "pending")
    inquiry.get_by_test_id("accept").click()
    expect(inquiry).to_have_count(0)  # answered: it leaves the requests, the patient comes in
    expect(patient_on(doctor, iid)).to_have_count(1)


def patient_on(doctor: Page, iid: str):
    return doctor.locator(f'[data-testid=patient][data-incident="{iid}"]')


def open_patient(doctor: Page, iid: str):
    patient_on(doctor, iid).get_by_test_id("open-patient").click()
    detail = doctor.locator(f'#detail-body[data-incident="{iid}"]')
    expect(detail.get_by_test_id("critical")).to_be_visible()
    return detail


def share_qr(crew: Page) -> None:
    """The QR share for a hospital that is not enrolled, made once in each language (screenshots)."""
    for lang in ("ja", "en"):
        if lang == "en":
            set_language(crew, "en")
            crew.reload()
        expect(crew.locator("html")).to_have_attribute("lang", lang)
        crew.locator("#share-box summary").click()
        crew.locator("#share-recipient").fill("みなと診療所 / Minato Clinic")
        crew.locator("#share-form button[type=submit]").click()
        expect(crew.get_by_test_id("share-passcode")).to_have_text(re.compile(r"^\d{6}$"))
        expect(crew.locator("#share-qr")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
        expect(crew.get_by_test_id("share-expiry")).not_to_be_empty()
        crew.locator("#share-box").evaluate("e => e.scrollIntoView({block: 'start'})")
        crew.screenshot(path=str(SCREENSHOTS / f"tablet-share.{lang}.png"))
    set_language(crew, "ja")
    crew.reload()
    expect(crew.locator("#step-hospitals")).to_be_visible()


def assert_clean(*pages: Page) -> None:
    for page in pages:
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.js_errors == [], page.js_errors


def test_paramedic_and_physician_see_each_other_live(system, new_page):
    crew = new_page()
    crew.goto(system.hub.url + "/")
    expect(crew.locator("#login-form")).to_be_visible()
    screenshot(crew, "tablet-signin", "#login-form")

    doctor = open_dashboard(new_page, system)
    nurse_shinjuku = requests.Session()
    assert nurse_shinjuku.post(f"{system.hospitals['shinjuku-hp'].url}/api/auth/login",
                               json={"username": "er-nurse", "password": PASSWORD}).ok

    sign_in(crew, system.hub.url, "kyukyu1")
    iid = open_incident(crew, "意識障害 / unconscious")
    expect(crew.locator("#step-identify")).to_be_visible()
    crew.locator("#card-select").select_option("SIM-CRITICAL")
    screenshot(crew, "tablet-identify", "#step-identify")
    identify_and_fetch(crew, "JCS300、家族不在")
    screenshot(crew, "tablet-summary", "[data-testid=critical]")

    # Two hospitals at once: one declines (with its reason), the other accepts; both arrive live.
    ask(crew, "tokyo-er", "shinjuku-hp")
    [asked] = [q for q in nurse_shinjuku.get(f"{system.hospitals['shinjuku-hp'].url}/api/inquiries").json()
               if q["incident_id"] == iid]
    assert nurse_shinjuku.post(f"{system.hospitals['shinjuku-hp'].url}/api/inquiries/{asked['inquiry_id']}/answer",
                               json={"accept": False, "reason": "no_bed"}).ok
    declined = crew.locator('[data-testid=inquiry][data-hospital="shinjuku-hp"]')
    expect(declined).to_have_attribute("data-status", "declined")
    expect(declined).to_contain_text("満床")
    screenshot(doctor, "dashboard-inquiry", "[data-testid=accept]")
    doctor.evaluate("window.__sameDocument = true")  # from here on, nothing may reload it
    accept(doctor, iid, "意識障害 / unconscious")
    expect(crew.locator('[data-testid=inquiry][data-hospital="tokyo-er"]')).to_have_attribute("data-status", "accepted")
    expect(crew.get_by_test_id("grant")).to_contain_text("閲覧権限 残り")
    expect(crew.get_by_test_id("er-state")).to_have_attribute("data-acknowledged", "no")
    screenshot(crew, "tablet-hospitals", "[data-testid=inquiries]")

    share_qr(crew)

    # The patient on the dashboard: critical facts first; the alert rings until acknowledged.
    expect(doctor.get_by_test_id("alert")).to_have_attribute("data-alerting", "true")
    detail = open_patient(doctor, iid)
    expect(detail.get_by_test_id("critical-anticoagulants")).to_contain_text("ワルファリン")
    expect(detail.get_by_test_id("critical-drug_allergies")).to_contain_text("ペニシリン")
    expect(detail.get_by_test_id("detail-basis")).to_contain_text("緊急時例外")
    expect(detail.get_by_test_id("vitals")).to_contain_text("バイタル未着")

    # Vitals: the number pad, one tap for JCS; the crew sees the update go to "seen".
    crew.locator('nav.steps button[data-step="vitals"]').click()
    crew.get_by_label("心拍数").click()
    for key in "128":
        crew.locator(f'#keypad button[data-key="{key}"]').click()
    expect(crew.get_by_label("心拍数")).to_have_value("128")
    form = crew.locator("#vitals-form")
    for name, value in {"systolic_bp": "88", "diastolic_bp": "52", "spo2": "91", "respiratory_rate": "24"}.items():
        form.locator(f'[name="{name}"]').fill(value)
    crew.locator('[data-jcs="300"]').click()
    expect(crew.locator('[data-jcs="300"]')).to_have_attribute("aria-pressed", "true")
    form.locator("button[type=submit]").click()
    first = crew.locator('[data-testid=update][data-seq="1"]')
    expect(first).to_contain_text("HR 128")
    expect(first).to_have_attribute("data-state", "seen")  # the physician has the patient open
    crew.locator("#note-text").fill("右瞳孔散大 / right pupil dilated")
    crew.locator("#note-form button[type=submit]").click()
    expect(crew.locator('[data-testid=update][data-seq="2"]')).to_have_attribute("data-state", "seen")

    expect(detail.get_by_test_id("vitals")).to_contain_text("HR 128")
    expect(detail.get_by_test_id("vitals")).to_contain_text("BP 88/52")
    expect(detail.get_by_test_id("vitals")).to_contain_text("JCS 300")
    expect(detail.get_by_test_id("trend")).to_have_attribute("data-points", "1")
    expect(detail.get_by_test_id("note")).to_contain_text("右瞳孔散大 / right pupil dilated")
    expect(patient_on(doctor, iid)).to_have_attribute("data-acuity", "red")
    screenshot(crew, "tablet-vitals", "#vitals-form")

    detail.get_by_test_id("acknowledge").click()
    expect(doctor.get_by_test_id("alert")).to_have_attribute("data-alerting", "false")
    expect(crew.get_by_test_id("er-state")).to_have_attribute("data-acknowledged", "yes")
    assert doctor.evaluate("window.__sameDocument") is True  # all of it arrived without a reload
    assert_clean(crew, doctor)
    screenshot(doctor, "dashboard-patient", "#detail-body [data-testid=critical]")

    # Handover, then close: the tablet goes back to the start and forgets the incident.
    crew.locator('nav.steps button[data-step="handover"]').click()
    crew.locator("#handover").click()
    crew.locator("#confirm-yes").click()
    expect(crew.get_by_test_id("handover-status")).to_contain_text("引継ぎ済")
    crew.locator("#close").click()
    crew.locator("#confirm-yes").click()
    expect(crew.locator("#start-view")).to_be_visible()
    assert crew.evaluate("localStorage.getItem('prearrival.incident')") is None
    # The ER keeps the record for the handover window whatever the crew does next (a close after
    # handover ends the hub's copy, never the open record in front of the physician).
    doctor.wait_for_timeout(1000)
    expect(patient_on(doctor, iid)).to_have_count(1)
    expect(detail.get_by_test_id("vitals")).to_contain_text("JCS 300")
    assert_clean(crew, doctor)


def test_typed_markup_is_shown_as_text_and_never_runs(system, new_page):
    doctor = open_dashboard(new_page, system)
    crew = open_tablet(new_page, system)
    iid = open_incident(crew, XSS)
    expect(crew.get_by_test_id("incident-complaint")).to_have_text(XSS)
    identify_and_fetch(crew, XSS)
    ask(crew, "tokyo-er")

    accept(doctor, iid, XSS)
    expect(patient_on(doctor, iid).get_by_test_id("patient-complaint")).to_have_text(XSS)
    detail = open_patient(doctor, iid)
    expect(detail.get_by_test_id("detail-complaint")).to_contain_text(XSS)

    crew.locator('nav.steps button[data-step="vitals"]').click()
    crew.locator("#note-text").fill(XSS)
    crew.locator("#note-form button[type=submit]").click()
    expect(crew.locator('[data-testid=update][data-kind="note"]')).to_contain_text(XSS)
    expect(detail.get_by_test_id("note")).to_contain_text(XSS)

    for page, root in ((crew, "#incident-view"), (doctor, "#board")):
        expect(page.locator(f"{root} img:not(#share-qr), {root} script")).to_have_count(0)
    assert_clean(crew, doctor)  # no handler ran, and the CSP had nothing to refuse


TARGETS_TOO_SMALL = """() => {
  const bad = [];
  for (const e of document.querySelectorAll("button, input, select, textarea, summary")) {
    const r = (e.type === "checkbox" ? e.closest("label") || e : e).getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not on screen
    const what = e.id || e.name || e.textContent.trim().slice(0, 20);
    if (r.height < 48 || r.width < 48) bad.push(`${e.tagName}#${what} ${r.width}x${r.height}`);
  }
  const wide = document.documentElement.scrollWidth;
  if (wide > innerWidth) bad.push(`page scrolls sideways: ${wide}`);
  return bad;
}"""


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800)])
def test_tablet_fits_landscape_with_48px_targets(system, new_page, size):
    crew = open_tablet(new_page, system)
    crew.set_viewport_size({"width": size[0], "height": size[1]})
    assert crew.evaluate(TARGETS_TOO_SMALL) == []
    open_incident(crew, "腰痛 / back pain")
    for step in ("identify", "basis", "summary", "hospitals", "vitals", "handover"):
        crew.locator(f'nav.steps button[data-step="{step}"]').click()
        expect(crew.locator(f"#step-{step}")).to_be_visible()
        if step == "hospitals":
            expect(crew.get_by_test_id("hospital").first).to_be_visible()
            crew.locator("#share-box summary").click()
        if step == "identify":
            for mode in ("phone", "nocard", "card"):
                crew.locator(f'[data-mode="{mode}"]').click()
                assert crew.evaluate(TARGETS_TOO_SMALL) == [], (step, mode)
        assert crew.evaluate(TARGETS_TOO_SMALL) == [], step
        expect(crew.get_by_test_id("connection")).to_be_in_viewport()  # the status bar never scrolls away
    assert_clean(crew)
