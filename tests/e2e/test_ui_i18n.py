"""Japanese first, English beside it: the catalogues are complete and compiled, and the
language switch changes the labels the server renders and the ones the scripts write."""
from __future__ import annotations

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from tests.e2e.test_ui_flow import assert_clean, open_dashboard, sign_in
from web.i18n import TRANSLATIONS

pytestmark = pytest.mark.timeout(240)
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


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


def test_language_switch_changes_the_labels_on_tablet_and_dashboard(system, new_page):
    crew = new_page()
    sign_in(crew, system.hub.url, "kyukyu1")
    expect(crew.locator("html")).to_have_attribute("lang", "ja")
    tab = crew.locator('nav.steps button[data-step="identify"] .bi-p')
    crew.locator("#open-incident").click()
    expect(tab).to_have_text("本人確認")
    expect(crew.get_by_test_id("connection").locator(".bi-p")).to_have_text("接続中")  # written by the script

    crew.get_by_role("button", name="English").click()
    expect(crew.locator("html")).to_have_attribute("lang", "en")
    expect(tab).to_have_text("Identify")
    expect(crew.locator('nav.steps button[data-step="identify"] .bi-s')).to_have_text("本人確認")  # still beside it
    expect(crew.get_by_test_id("connection").locator(".bi-p")).to_have_text("Online")
    expect(crew.get_by_test_id("connection").locator(".bi-s")).to_have_text("接続中")
    expect(crew.locator("#sign-out .bi-p")).to_have_text("Sign out")

    crew.get_by_role("button", name="日本語").click()
    expect(crew.locator("html")).to_have_attribute("lang", "ja")
    expect(tab).to_have_text("本人確認")

    doctor = open_dashboard(new_page, system)
    expect(doctor.locator("#inc-title > .bi > .bi-p")).to_have_text("搬送中の患者")
    doctor.get_by_role("button", name="English").click()
    expect(doctor.locator("#inc-title > .bi > .bi-p")).to_have_text("Incoming ambulances")
    expect(doctor.get_by_test_id("live").locator(".bi-p")).to_have_text("live")
    doctor.get_by_role("button", name="日本語").click()
    expect(doctor.locator("#inc-title > .bi > .bi-p")).to_have_text("搬送中の患者")
    assert_clean(crew, doctor)
