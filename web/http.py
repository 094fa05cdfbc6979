"""Parse JSON bodies with pydantic and answer every refusal as a clear JSON message.

A refusal (`shared.errors.Refused`) is answered in the user's language: its message id is
translated here, at the edge, from the Flask-Babel catalogue, and so is each field's reason.
The Socket.IO handlers answer with the same `reply()`."""
from __future__ import annotations

from typing import TypeVar

from flask import Flask, current_app, has_request_context, jsonify, request
from flask_babel import force_locale, gettext
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from shared.errors import N_, Refused
from shared.problems import BODY, refused
from web import i18n

M = TypeVar("M", bound=BaseModel)

# What Werkzeug's own refusals (no route, wrong method, too large...) say to an API client.
HTTP_MESSAGES = {
    400: N_("the request is not valid"),
    401: N_("sign in first"),
    403: N_("you may not do this"),
    404: N_("not found"),
    405: N_("this method is not allowed here"),
    413: N_("the request is too large"),
    415: N_("Content-Type must be application/json"),
    429: N_("too many requests; wait a moment"),
    500: N_("something went wrong on the server"),
    503: N_("the service is unavailable; try again shortly"),
}
HTTP_OTHER = N_("the request could not be handled (HTTP %(http_status)s)")
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other services may share the domain


def body(model: type[M]) -> M:
    """The request's JSON body as `model`, or a 400 that says what is wrong, whatever was sent."""
    try:
        data = request.get_json(silent=True)
        if data is None:
            raise Refused(400, "request body must be a JSON object", "not_json")
        for text in _texts(data):
            if "\x00" in text:  # valid JSON ("\u0000"), but PostgreSQL text cannot hold it; no field needs it
                raise Refused(400, "request body contains a NUL character", "nul_character")
            try:
                text.encode()
            except UnicodeEncodeError:  # a lone surrogate ("\ud800")
                raise Refused(400, "request body contains text that is not valid Unicode", "not_unicode") from None
        return model.model_validate(data)
    except ValidationError as e:
        raise refused(e) from None
    except RecursionError:  # nested about as deep as the parser goes: Werkzeug catches only ValueError
        raise Refused(400, "request body is nested too deeply", "too_deep") from None


def _texts(data):
    """Every string in a parsed JSON body, keys too."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _texts(value)
    elif isinstance(data, list):
        for value in data:
            yield from _texts(value)


def reply(e: Refused) -> dict:
    """The refusal as a client gets it, in the language of this request or Socket.IO connection:
    {"error", "message", "fields" (only when there are some)}. The message names each field's
    problem after the summary, since the pages show `message` alone."""
    # flask_babel keeps the locale in `g`, which several socket events (or a test's requests)
    # share when an app context was already pushed: read this connection's cookie every time.
    with force_locale(i18n.select_locale() if has_request_context() else i18n.DEFAULT):
        message = _translated(e.message, e.params)
        fields = [{"field": f.field, "reason": _translated(f.reason, f.params)} for f in e.fields]
    out = {"error": e.code, "message": message}
    if fields:
        out["message"] = f"{message}: " + "; ".join(
            f["reason"] if f["field"] == BODY else f"{f['field']}: {f['reason']}" for f in fields)
        out["fields"] = fields
    return out


def _translated(msgid: str, params: dict) -> str:
    text = gettext(msgid)
    try:
        return text % params if params else text
    except (KeyError, ValueError, TypeError):  # a catalogue entry with broken placeholders
        return msgid % params


def init_app(app: Flask, refusal_type: type[Exception] | None = None) -> None:
    # `refusal_type` is what callers passed when each app had its own error type; there is one now.
    @app.errorhandler(Refused)
    def _refused(e: Refused):
        resp = jsonify(reply(e))
        if "retry_after_s" in e.params:  # a throttle says when to come back (RFC 9110, 10.2.3)
            resp.headers["Retry-After"] = str(max(1, int(e.params["retry_after_s"])))
        return resp, e.status

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            said = Refused(e.code, HTTP_MESSAGES.get(e.code, HTTP_OTHER), e.name.lower().replace(" ", "_"),
                           http_status=e.code)
            resp = jsonify(reply(said))
            # Werkzeug's own headers stay: Allow on a 405, Retry-After, WWW-Authenticate...
            for name, value in e.get_headers():
                if name.lower() != "content-type":
                    resp.headers[name] = value
            return resp, e.code
        return e

    @app.before_request
    def _no_nul_in_path():
        # No route of ours names anything with a NUL in it, and PostgreSQL text cannot hold one.
        if "\x00" in request.path:
            raise Refused(404, HTTP_MESSAGES[404], "not_found")

    @app.before_request
    def _json_only_for_writes():
        # A cross-site form cannot send application/json without a CORS preflight we never
        # grant, so this plus SameSite=Strict cookies closes CSRF on the API.
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.path.startswith("/api/") \
                and not request.is_json:
            raise Refused(415, "Content-Type must be application/json", "unsupported_media_type")

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        if request.path.startswith("/api/"):
            resp.headers["Cache-Control"] = "no-store"
        if request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE"):
            # Served over https (directly, or behind a proxy trusted with PROXY_HOPS): a browser
            # that came once never again tries plain http, where the session could be stripped.
            resp.headers.setdefault("Strict-Transport-Security", HSTS)
        return resp


def trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies, take scheme, host and client address from their
    X-Forwarded-* headers: DPoP proofs sign the public https URL, share links must be https,
    and throttles need the real client. Applied outside Socket.IO so its same-origin check
    sees the public origin too. With 0 hops (no proxy) those headers are ignored."""
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
