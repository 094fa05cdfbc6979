"""The emergency record in HL7 FHIR R4, in the national JP-CLINS form where it has one.

`export` builds Bundles from a record (and an incident), `read` maps a Bundle back to the
record, `validate` checks every resource against the FHIR R4 models. Free of Flask: the
hub, the FHIR record source and the simulator's FHIR endpoint all use it. See docs/fhir.md."""
from .export import IncidentContext, clins_bundles, record_bundle
from .read import NotARecord, read_record

__all__ = ["IncidentContext", "NotARecord", "clins_bundles", "read_record", "record_bundle"]
