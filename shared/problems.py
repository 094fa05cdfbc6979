"""Turn a pydantic ValidationError into a message that names the field and the reason."""
from __future__ import annotations

from pydantic import ValidationError


def field_errors(e: ValidationError) -> list[dict]:
    out = []
    for err in e.errors(include_url=False, include_context=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        out.append({"field": loc or "(body)", "reason": err["msg"]})
    return out


def describe(e: ValidationError) -> str:
    return "; ".join(f"{f['field']}: {f['reason']}" for f in field_errors(e))
