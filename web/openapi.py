"""Serve `/openapi.json`, built from the app's own routes and their pydantic models."""
from __future__ import annotations

from flask import Flask, jsonify

from shared.openapi import build_document


def init_app(app: Flask, title: str, security_schemes: dict) -> None:
    @app.get("/openapi.json")
    def openapi_document():
        """The OpenAPI 3.1 document of this app."""
        # Static files (the app's and each blueprint's) are files, not API.
        routes = [(r.rule, r.methods, app.view_functions[r.endpoint]) for r in app.url_map.iter_rules()
                  if r.endpoint.rpartition(".")[2] != "static"]
        return jsonify(build_document(title, "0.1.0", routes, security_schemes))
