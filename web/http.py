"""Parse JSON bodies with pydantic and answer every refusal as a clear JSON message."""
from __future__ import annotations

import json
from typing import TypeVar

from flask import Flask, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from shared.problems import describe, field_errors

M = TypeVar("M", bound=BaseModel)


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str = "error", fields: list | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.fields = status, message, code, fields


def body(model: type[M]) -> M:
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "request body must be a JSON object / JSONで送信してください", "not_json")
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise ApiError(400, "request body contains text that is not valid Unicode", "not_unicode") from None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise ApiError(400, describe(e), "invalid", field_errors(e)) from None


def init_app(app: Flask, refusal_type: type[Exception] | None = None) -> None:
    @app.errorhandler(ApiError)
    def _api_error(e: ApiError):
        payload = {"error": e.code, "message": e.message}
        if e.fields:
            payload["fields"] = e.fields
        return jsonify(payload), e.status

    if refusal_type is not None:
        @app.errorhandler(refusal_type)
        def _refused(e):
            return jsonify({"error": e.code, "message": e.message}), e.status

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return jsonify({"error": e.name.lower().replace(" ", "_"), "message": e.description}), e.code
        return e

    @app.before_request
    def _json_only_for_writes():
        # A cross-site form cannot send application/json without a CORS preflight we never
        # grant, so this plus SameSite=Strict cookies closes CSRF on the API.
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.path.startswith("/api/") \
                and not request.is_json:
            raise ApiError(415, "Content-Type must be application/json", "unsupported_media_type")

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
        return resp


def trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies, take scheme, host and client address from their
    X-Forwarded-* headers: DPoP proofs sign the public https URL, share links must be https,
    and throttles need the real client. Applied outside Socket.IO so its same-origin check
    sees the public origin too. With 0 hops (no proxy) those headers are ignored."""
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
