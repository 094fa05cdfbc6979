"""The hub sends the full history grouped with it, within the grant's scope: what the physician
reads is one line per drug with its dates and doses, not one line per monthly dispensing."""
from tests.ems_app.conftest import accept

PHYSICIAN = {"X-Requested-By": "physician:#3"}


def test_the_full_history_comes_grouped_one_line_per_drug(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital, card_id="SIM-CRITICAL")
    full = hospital.redeem(hub_app.test_client(), iid, grant, query="?view=full", headers=PHYSICIAN).json
    record, groups = full["record"], {g["category"]: g for g in full["history"]["groups"]}
    dispensings = sum(len(record[c]) for c in ("medications", "eprescriptions", "prescriptions"))
    meds = groups["medications"]
    assert dispensings > 500 and meds["entries"] == dispensings
    assert len(meds["lines"]) < 20  # one per drug
    warfarin = next(line for line in meds["lines"] if "ワルファリン" in line["name"])
    assert warfarin["tags"] == ["anticoagulant"] and warfarin["first"] < warfarin["last"]
    assert warfarin["seen"] and all(s["as_of"] for s in warfarin["seen"])
    assert [line["last"] for line in meds["lines"]] == sorted((line["last"] for line in meds["lines"]), reverse=True)
    # Every category the grant covers is there, each with what its source said.
    assert set(groups["contraindications"]["status"]) == {"contraindications"}
    assert groups["dialysis"]["lines"][0]["tags"] == ["hemodialysis"]


def test_a_strength_change_reaches_the_physician_as_a_dose_change(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital, card_id="SIM-LONG")
    full = hospital.redeem(hub_app.test_client(), iid, grant, query="?view=full", headers=PHYSICIAN).json
    meds = next(g for g in full["history"]["groups"] if g["category"] == "medications")
    edoxaban = next(line for line in meds["lines"] if "リクシアナ" in line["name"])
    assert [d["drug"] for d in edoxaban["doses"]] == ["リクシアナ錠30mg", "リクシアナ錠60mg"]


def test_the_summary_view_is_not_grouped(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital)
    assert "history" not in hospital.redeem(hub_app.test_client(), iid, grant).json
