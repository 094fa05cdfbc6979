"""Turn a pydantic ValidationError into one problem per field, in words a user can be shown.

Pydantic's own text is English for developers ("String should have at least 3 characters") and
reached Japanese screens raw. Here each error type has a message id whose placeholders come
from the error's context, so the edge (`web.http.reply`) translates every reason like any
other message; a type not in the table says only that the value is not valid."""
from __future__ import annotations

from pydantic import ValidationError

from shared.errors import FieldProblem, Invalid, N_, Refused

BODY = "(body)"  # a problem with the input as a whole (a model validator's), not one field

WHOLE_NUMBER = N_("should be a whole number")
NUMBER = N_("should be a number")
TRUE_OR_FALSE = N_("should be true or false")
DATE = N_("should be a date (YYYY-MM-DD)")
DATE_TIME = N_("should be a date and time (ISO 8601)")
OBJECT = N_("should be an object")
ONE_OF = N_("should be one of %(expected)s")

REASONS = {
    "missing": N_("is required"),
    "extra_forbidden": N_("is not an accepted field"),
    "string_type": N_("should be text"),
    "string_too_short": N_("should have at least %(min_length)s characters"),
    "string_too_long": N_("should have at most %(max_length)s characters"),
    "string_pattern_mismatch": N_("is not in the expected format"),
    "int_type": WHOLE_NUMBER, "int_parsing": WHOLE_NUMBER, "int_from_float": WHOLE_NUMBER,
    "float_type": NUMBER, "float_parsing": NUMBER, "finite_number": NUMBER,
    "bool_type": TRUE_OR_FALSE, "bool_parsing": TRUE_OR_FALSE,
    "greater_than_equal": N_("should be greater than or equal to %(ge)s"),
    "less_than_equal": N_("should be less than or equal to %(le)s"),
    "greater_than": N_("should be greater than %(gt)s"),
    "less_than": N_("should be less than %(lt)s"),
    "multiple_of": N_("should be a multiple of %(multiple_of)s"),
    "literal_error": ONE_OF, "enum": ONE_OF,
    "union_tag_invalid": N_("should be one of %(expected_tags)s"),
    "union_tag_not_found": N_("needs %(discriminator)s"),
    "model_type": OBJECT, "model_attributes_type": OBJECT, "dict_type": OBJECT,
    "list_type": N_("should be a list"),
    "too_short": N_("should have at least %(min_length)s items"),
    "too_long": N_("should have at most %(max_length)s items"),
    "date_type": DATE, "date_parsing": DATE, "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": DATE,
    "datetime_type": DATE_TIME, "datetime_parsing": DATE_TIME, "datetime_from_date_parsing": DATE_TIME,
    "datetime_object_invalid": DATE_TIME,
    "json_invalid": N_("is not valid JSON"),
}
NOT_VALID = N_("is not valid")
CHECK_INPUT = N_("check what you entered")


def field_problems(e: ValidationError) -> list[FieldProblem]:
    out = []
    for err in e.errors(include_url=False, include_context=True, include_input=False):
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        out.append(_problem(loc or BODY, err["type"], err.get("ctx") or {}))
    return out


def _problem(where: str, kind: str, ctx: dict) -> FieldProblem:
    if kind in ("value_error", "assertion_error"):
        error = ctx.get("error")
        if isinstance(error, Invalid):
            return FieldProblem(where, error.message, error.params)
        # Our own validator's English (a plain ValueError): shown as written, never pydantic's.
        return FieldProblem(where, str(error) if error is not None else NOT_VALID)
    reason = REASONS.get(kind)
    if reason is None:
        return FieldProblem(where, NOT_VALID)
    params = {k: _plain(v) for k, v in ctx.items() if f"%({k})s" in reason}
    return FieldProblem(where, reason, params)


def _plain(value) -> str:
    # pydantic lists choices as "'a', 'b' or 'c'": the "or" would be English on any screen.
    text = str(value)
    head, sep, last = text.rpartition(" or ")
    return f"{head}, {last}" if sep and text.startswith("'") else text


def refused(e: ValidationError) -> Refused:
    """The 400 an invalid body gets: a summary the pages can show, and the problem per field."""
    return Refused(400, CHECK_INPUT, "invalid", fields=field_problems(e))


def field_errors(e: ValidationError) -> list[dict]:
    """The problems in English, for tests and logs."""
    return [{"field": p.field, "reason": p.english} for p in field_problems(e)]


NUL = N_("should not contain a NUL character")
NOT_UNICODE = N_("should be valid Unicode text")


def storable(value: str) -> str:
    """A text field's validator for what reaches a database: valid JSON ("\\u0000", "\\ud800"),
    but PostgreSQL text refuses NUL and a lone surrogate cannot be encoded at all (the socket fuzz
    found both reaching a query)."""
    if "\x00" in value:
        raise Invalid(NUL)
    try:
        value.encode()
    except UnicodeEncodeError:
        raise Invalid(NOT_UNICODE) from None
    return value
