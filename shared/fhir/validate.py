"""Every resource of a Bundle against the FHIR models of fhir.resources.

Why it exists: a Bundle our export builds, or one a national endpoint sends, must at least be
FHIR: the right elements, types, cardinalities and formats (dates, instants, codes). The models
check that; what the JP-CLINS profiles add on top (fixed systems and codes, required elements)
is checked by the tests' table. fhir.resources' default models are R5: its R4B package is
R4's for every resource used here, so that is the one we validate against."""
from __future__ import annotations

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError


def problems(bundle: dict) -> list[str]:
    """One line per invalid resource ("entry 3 Observation: ..."), the Bundle itself first; [] if valid."""
    out = _check(bundle, "Bundle", {**bundle, "entry": []})
    for i, entry in enumerate(bundle.get("entry", [])):
        resource = entry.get("resource", {})
        out += _check(resource, f"entry {i} {resource.get('resourceType')}", resource)
    return out


def _check(resource: dict, where: str, body: dict) -> list[str]:
    try:
        get_fhir_model_class(resource.get("resourceType", "")).model_validate(body)
    except (ValidationError, KeyError, ValueError) as e:
        return [f"{where}: {e}"]
    return []
