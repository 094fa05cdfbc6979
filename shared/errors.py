"""The one error type both apps raise, over HTTP and over Socket.IO alike.

A refusal carries a status, a stable code a client can act on, and a message id: the English
text, with `%(name)s` placeholders filled from `params`. The message is translated only at the
edge (`web.http.reply`), in the user's language, so the domain never builds a bilingual string
and a reader of the catalogue sees every message a user can get. `fields` names what was wrong
in the input, one entry per field, each with its own message id.

`python -m web.i18n extract` collects the ids from `Refused(status, "...")`, `FieldProblem(field,
"...")`, `Invalid("...")` and `N_("...")`, so a message id is always a string literal there."""
from __future__ import annotations

from dataclasses import dataclass, field


def N_(msgid: str) -> str:
    """Mark a message id kept in a table (translated later, at the edge) for the extractor."""
    return msgid


def english(msgid: str, params: dict) -> str:
    return msgid % params if params else msgid


@dataclass(frozen=True)
class FieldProblem:
    field: str                                # the path into the input: "basis.emergency_exception.reason_text"
    reason: str                               # a message id, like Refused.message
    params: dict = field(default_factory=dict)

    @property
    def english(self) -> str:
        return english(self.reason, self.params)


class Refused(Exception):
    def __init__(self, status: int, message: str, code: str = "refused", *,
                 fields: list[FieldProblem] | None = None, **params):
        super().__init__(english(message, params))
        self.status, self.message, self.code = status, message, code
        self.fields, self.params = list(fields or ()), params

    def __str__(self) -> str:
        # The fields belong in the English text too: a log line must say what was wrong.
        text = super().__str__()
        if not self.fields:
            return text
        return f"{text}: " + "; ".join(f"{f.field}: {f.english}" for f in self.fields)

    @property
    def english(self) -> str:
        """The message in English, for logs and the audit trail (never the user's input)."""
        return str(self)


class Invalid(ValueError):
    """A validator's complaint as a message id and its params. Pydantic wraps a ValueError into
    its error list, and shared.problems turns this one into a FieldProblem that is translated,
    where a plain ValueError's text can only be shown as written."""

    def __init__(self, message: str, **params):
        super().__init__(english(message, params))
        self.message, self.params = message, params
