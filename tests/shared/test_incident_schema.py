"""The basis is one of two shapes, and an emergency exception always carries its reason."""
import pytest
from pydantic import ValidationError

from shared.problems import field_errors
from shared.schemas.incident import BasisIn


def test_consent_is_accepted():
    assert BasisIn.model_validate({"basis": {"kind": "consent"}}).basis.given_by == "patient"


def test_emergency_exception_without_reason_is_refused_with_the_field_named():
    with pytest.raises(ValidationError) as e:
        BasisIn.model_validate({"basis": {"kind": "emergency_exception"}})
    fields = {f["field"] for f in field_errors(e.value)}
    assert "basis.emergency_exception.reason_code" in fields
    assert "basis.emergency_exception.reason_text" in fields


def test_an_unknown_basis_is_refused():
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        BasisIn.model_validate({"basis": {"kind": "curiosity"}})
