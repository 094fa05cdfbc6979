"""One language on screen at a time, Japanese by default and English by choice: the catalogues
are complete and compiled; no label is shown beside its translation on the tablet or the
dashboard, in either language; the choice follows the user to a fresh browser at sign-in;
switching keeps what was typed and not yet sent; clinical codes from the sources and the age
beside the date of birth are said in the chosen language."""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from launcher.system import DEMO_HOSPITALS
from tests.e2e.test_ui_flow import (ask, assert_clean, identify_and_fetch, open_dashboard, open_incident, open_tablet,
                                    patient_on, sign_in)
from web.i18n import TRANSLATIONS

pytestmark = pytest.mark.timeout(300)
HOSPITALS = DEMO_HOSPITALS[:1]  # own_system starts tokyo-er alone
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def system(own_system):
    """Its own: these tests store users' language choices, which would follow those users into
    the other modules' tests at their next sign-in."""
    return own_system


def test_every_message_has_japanese_and_the_compiled_catalogue_is_current():
    assert CATALOGUES, "no .po catalogue under web/translations"
    for po in CATALOGUES:
        with po.open("rb") as f:
            source = read_po(f)
        with po.with_suffix(".mo").open("rb") as f:
            compiled = read_mo(f)
        untranslated = [m.id for m in source if m.id and not m.string]
        assert untranslated == [], f"{po}: untranslated {untranslated}"
        assert {m.id: m.string for m in source if m.id} == {m.id: m.string for m in compiled if m.id}, \
            f"{po.with_suffix('.mo')} is stale: run `python -m web.i18n compile`"


def label_pairs() -> list[tuple[str, str]]:
    """(English, Japanese) of every label in the catalogue that reads differently in each."""
    with (TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f)
    pairs = []
    for m in catalogue:
        if not m.id or not m.string or isinstance(m.id, tuple) or "{" in m.id or "%(" in m.id:
            continue
        if len(m.id) >= 3 and m.id != m.string and JAPANESE.search(m.string):
            pairs.append((m.id, m.string))
    return pairs


VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.replace(/\\s+/g, " ").trim();
    const e = n.parentElement;
    if (!text || !e || e.closest("option, script, style")) continue;
    if (!e.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    out.push(text);
  }
  for (const s of document.querySelectorAll("select")) {
    if (s.checkVisibility() && s.selectedOptions.length) out.push(s.selectedOptions[0].textContent.trim());
  }
  return out;
}"""


def doubled_labels(page: Page) -> list[str]:
    """Every label on screen shown with its translation: in one text as the doubled text read
    ("確認 / Acknowledge"), or as two texts of their own ("Handover" and "引継ぎ"). A record's
    Japanese words beside an English tag ("ラテックス: ... [latex]") are the source's data, not a
    doubled label."""
    texts = page.evaluate(VISIBLE_TEXT)
    whole = set(texts)
    found = []
    for en, ja in label_pairs():
        together = [t for t in texts if f"{ja} / {en}" in t or f"{en} / {ja}" in t]
        if together or (en in whole and ja in whole):
            found.append(f"{en} / {ja}: {together[:1] or 'apart'}")
    return found


def one_language(page: Page, lang: str, screen: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.locator(".bi-s").count() == 0, screen
    assert doubled_labels(page) == [], screen


def switch(page: Page, to: str) -> None:
    page.get_by_role("button", name="English" if to == "en" else "日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", to)


def open_patient(doctor: Page, iid: str):
    patient_on(doctor, iid).locator("button.open").click()
    detail = doctor.locator(f'#detail-body[data-incident="{iid}"]')
    expect(detail.get_by_test_id("critical")).to_be_visible()
    return detail


def age_today(birth: str) -> int:
    born, today = date.fromisoformat(birth), datetime.now(ZoneInfo("Asia/Tokyo")).date()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def test_one_language_on_tablet_and_dashboard_with_codes_and_age_in_it(system, new_page):
    crew = open_tablet(new_page, system)
    doctor = open_dashboard(new_page, system)
    iid = open_incident(crew, "胸痛")
    identify_and_fetch(crew, "JCS300、家族不在")   # SIM-CRITICAL: hemodialysis, HCV positive
    ask(crew, "tokyo-er")
    inquiry = doctor.locator(f'[data-testid=inquiry][data-incident="{iid}"]')
    expect(inquiry.get_by_test_id("accept")).to_be_visible()
    one_language(doctor, "ja", "dashboard: inquiry")
    expect(doctor.locator("#who")).to_have_text(re.compile(r"\(医師\)$"))   # the role in words, not its code
    # The check itself finds a doubled label, whichever way it was written.
    doctor.evaluate("""() => { for (const t of ['確認 / Acknowledge', 'Handover', '引継ぎ']) {
      document.body.append(Object.assign(document.createElement('p'), {className: 'probe', textContent: t})); } }""")
    assert sorted(doubled_labels(doctor)) == ["Acknowledge / 確認: ['確認 / Acknowledge']", "Handover / 引継ぎ: apart"]
    doctor.evaluate("() => { for (const p of document.querySelectorAll('p.probe')) p.remove(); }")
    inquiry.get_by_test_id("accept").click()
    expect(patient_on(doctor, iid)).to_be_visible()
    detail = open_patient(doctor, iid)

    # The sources' codes and the age, in Japanese.
    birth = crew.get_by_test_id("birth-date").inner_text()[:10]
    age = age_today(birth)
    expect(crew.get_by_test_id("birth-date")).to_have_text(f"{birth} ({age}歳)")
    expect(doctor.locator("#detail-head")).to_contain_text(f"{birth} ({age}歳)")
    for page, where in ((crew, crew.locator("#record-view")), (doctor, detail)):
        expect(where.get_by_test_id("critical-dialysis")).to_contain_text(re.compile(r"血液透析 \(最終 \d{4}-\d{2}-\d{2}\)"))
        expect(where.get_by_test_id("critical-infections")).to_contain_text("HCV抗体 陽性")
        expect(where.get_by_test_id("section-dialysis")).to_contain_text("血液透析")
        expect(where.get_by_test_id("section-dialysis")).not_to_contain_text("hemodialysis")

    one_language(crew, "ja", "tablet: summary")
    one_language(doctor, "ja", "dashboard: patient")
    crew.locator('nav.steps button[data-step="vitals"]').click()
    one_language(crew, "ja", "tablet: vitals")

    switch(crew, "en")
    switch(doctor, "en")
    expect(crew.locator("#step-vitals")).to_be_visible()      # the same step after the reload
    one_language(crew, "en", "tablet: vitals (en)")
    crew.locator('nav.steps button[data-step="summary"]').click()
    expect(crew.get_by_test_id("critical-dialysis")).to_contain_text(re.compile(r"hemodialysis \(last \d{4}-\d{2}-\d{2}\)"))
    expect(crew.get_by_test_id("critical-infections")).to_contain_text("HCV antibody positive")
    expect(crew.get_by_test_id("birth-date")).to_have_text(f"{birth} ({age} y)")
    one_language(crew, "en", "tablet: summary (en)")
    detail = open_patient(doctor, iid)
    expect(doctor.locator("#detail-head")).to_contain_text(f"{birth} ({age} y)")
    expect(detail.get_by_test_id("critical-infections")).to_contain_text("HCV antibody positive")
    one_language(doctor, "en", "dashboard: patient (en)")
    expect(doctor.locator("#who")).to_have_text(re.compile(r"\(Physician\)$"))

    switch(crew, "ja")
    switch(doctor, "ja")
    expect(crew.locator('nav.steps button[data-step="identify"]')).to_contain_text("本人確認")
    expect(crew.locator('nav.steps button[data-step="identify"]')).not_to_contain_text("Identify")
    expect(doctor.locator("#inc-title")).to_contain_text("搬送中の患者")
    assert_clean(crew, doctor)


def test_the_language_follows_the_user_to_a_fresh_browser(system, new_page):
    first = open_tablet(new_page, system, "kyukyu2")
    switch(first, "en")
    expect(first.locator("#sign-out")).to_have_text("Sign out")

    elsewhere = new_page()                      # another tablet: no cookie, Japanese sign-in page
    sign_in(elsewhere, system.hub.url, "kyukyu2")
    expect(elsewhere.locator("html")).to_have_attribute("lang", "en")
    expect(elsewhere.locator("#sign-out")).to_have_text("Sign out")
    expect(elsewhere.locator("#open-incident")).to_have_text("New incident")

    nurse = open_dashboard(new_page, system, "er-nurse")
    switch(nurse, "en")
    other_screen = new_page()
    sign_in(other_screen, system.hospitals["tokyo-er"].url, "er-nurse")
    expect(other_screen.locator("html")).to_have_attribute("lang", "en")
    expect(other_screen.locator("#inc-title")).to_contain_text("Incoming ambulances")
    assert_clean(first, elsewhere, nurse, other_screen)


def test_switching_language_keeps_what_was_typed_and_not_sent(system, new_page):
    crew = new_page()
    crew.goto(system.hub.url + "/")
    crew.get_by_label("ユーザーID").fill("kyukyu1")
    crew.get_by_label("パスワード").fill("never kept")
    switch(crew, "en")
    expect(crew.get_by_label("User ID")).to_have_value("kyukyu1")
    expect(crew.get_by_label("Password")).to_have_value("")          # a password never goes to storage
    switch(crew, "ja")

    sign_in(crew, system.hub.url, "kyukyu1")
    crew.locator("#complaint").fill("呼吸困難、起座呼吸")
    crew.locator("#location").fill("港区芝公園 4-2")
    switch(crew, "en")
    expect(crew.locator("#complaint")).to_have_value("呼吸困難、起座呼吸")
    expect(crew.locator("#location")).to_have_value("港区芝公園 4-2")
    crew.locator("#open-incident").click()
    expect(crew.get_by_test_id("incident-id")).to_have_text(re.compile(r"\S+"))

    crew.locator('nav.steps button[data-step="vitals"]').click()
    crew.locator("#vitals-form input[name=heart_rate]").fill("128")
    crew.locator("#note-text").fill("右瞳孔散大、まだ送っていない")
    switch(crew, "ja")
    expect(crew.locator("#step-vitals")).to_be_visible()
    expect(crew.locator("#vitals-form input[name=heart_rate]")).to_have_value("128")
    expect(crew.locator("#note-text")).to_have_value("右瞳孔散大、まだ送っていない")
    assert crew.evaluate("Object.keys(sessionStorage).filter((k) => k.includes('unsent'))") == []  # gone once restored

    doctor = new_page()
    doctor.goto(system.hospitals["tokyo-er"].url + "/")
    doctor.get_by_label("ユーザーID").fill("er-doctor")
    switch(doctor, "en")
    expect(doctor.get_by_label("User ID")).to_have_value("er-doctor")
    switch(doctor, "ja")
    assert_clean(crew, doctor)
