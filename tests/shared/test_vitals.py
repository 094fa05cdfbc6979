"""A paramedic's typo must come back naming the field and the reason."""
import pytest
from pydantic import ValidationError

from shared.problems import field_errors
from shared.schemas.vitals import IncidentUpdate, Vitals


def errors_of(**data) -> dict[str, str]:
    with pytest.raises(ValidationError) as e:
        Vitals(**data)
    return {f["field"]: f["reason"] for f in field_errors(e.value)}


def test_a_plausible_set_is_accepted():
    v = Vitals(heart_rate=120, systolic_bp=90, diastolic_bp=60, spo2=94, respiratory_rate=24,
               temperature=38.5, jcs=10, gcs={"eye": 3, "verbal": 4, "motor": 6})
    assert v.gcs.total == 13


@pytest.mark.parametrize("field,value,reason", [
    ("heart_rate", 400, "less than or equal to 300"),
    ("spo2", 104, "less than or equal to 100"),
    ("temperature", 52.0, "less than or equal to 45"),
    ("respiratory_rate", -1, "greater than or equal to 0"),
])
def test_out_of_range_values_name_the_field_and_limit(field, value, reason):
    errors = errors_of(**{field: value})
    assert reason in errors[field]


def test_jcs_must_be_a_value_on_the_scale():
    assert "JCS must be one of" in errors_of(jcs=15)["jcs"]


def test_gcs_components_are_checked_separately():
    errors = errors_of(gcs={"eye": 5, "verbal": 5, "motor": 6})
    assert "gcs.eye" in errors


def test_diastolic_not_below_systolic_is_refused():
    assert "diastolic_bp must be lower than systolic_bp" in " ".join(errors_of(systolic_bp=80, diastolic_bp=90).values())


def test_an_empty_set_is_refused():
    assert "at least one vital sign" in " ".join(errors_of().values())


def test_unknown_fields_are_refused_not_dropped():
    assert "pulse" in errors_of(pulse=80)


def test_an_update_needs_the_payload_its_kind_names():
    with pytest.raises(ValidationError, match="needs 'eta_minutes'"):
        IncidentUpdate(kind="eta", text="10 min")
    assert IncidentUpdate(kind="eta", eta_minutes=10).eta_minutes == 10
