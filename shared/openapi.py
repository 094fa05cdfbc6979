"""OpenAPI 3.1 documents generated from the pydantic models the routes actually parse.

A route declares its models with `@api(...)`; `build_document` walks the app's routes, so a
route without a declaration is still listed and nothing is written by hand."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema


def api(summary: str, *, body: type[BaseModel] | None = None, response=None,
        auth: str = "session", tag: str | None = None, errors: Iterable[int] = ()) -> Callable:
    """Attach the documentation to a view function; Flask is unaware of it."""
    def mark(view):
        view._openapi = {"summary": summary, "body": body, "response": response, "auth": auth,
                         "tag": tag, "errors": tuple(errors)}
        return view
    return mark


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def repl(m):
        params.append({"name": m.group(2), "in": "path", "required": True,
                       "schema": {"type": "integer" if m.group(1) == "int" else "string"}})
        return "{" + m.group(2) + "}"
    return re.sub(r"<(?:(\w+):)?(\w+)>", repl, rule), params


def build_document(title: str, version: str, routes: Iterable[tuple[str, set[str], Callable]],
                   security_schemes: dict) -> dict:
    """`routes`: (rule, methods, view) for every URL rule of the app."""
    paths: dict = {}
    models: set[type[BaseModel]] = set()
    ops = []
    for rule, methods, view in routes:
        meta = getattr(view, "_openapi", None)
        for method in sorted(m for m in methods if m not in ("HEAD", "OPTIONS")):
            ops.append((rule, method.lower(), meta, view))
            if meta:
                models.update(m for m in (meta["body"], meta["response"])
                              if isinstance(m, type) and issubclass(m, BaseModel))
    _, defs = models_json_schema([(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
                                 ref_template="#/components/schemas/{model}")
    for rule, method, meta, view in ops:
        path, params = _path(rule)
        op: dict = {"operationId": f"{method}_{view.__name__}", "parameters": params,
                    "responses": {"200": {"description": "OK"}}}
        if meta:
            op["summary"] = meta["summary"]
            if meta["tag"]:
                op["tags"] = [meta["tag"]]
            op["security"] = [] if meta["auth"] == "none" else [{meta["auth"]: []}]
            if meta["body"]:
                op["requestBody"] = {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{meta['body'].__name__}"}}}}
                op["responses"]["400"] = {"description": "Invalid input; the message names the field"}
            if meta["response"] is not None:
                op["responses"]["200"]["content"] = {"application/json": {"schema": _schema(meta["response"])}}
            for code in meta["errors"]:
                op["responses"][str(code)] = {"description": _REASONS.get(code, "Error")}
        else:
            op["summary"] = (view.__doc__ or view.__name__).strip().splitlines()[0]
        paths.setdefault(path, {})[method] = op
    return {"openapi": "3.1.0", "info": {"title": title, "version": version}, "paths": paths,
            "components": {"schemas": defs.get("$defs", {}), "securitySchemes": security_schemes}}


_REASONS = {401: "Not signed in or credential invalid", 403: "Signed in but not allowed",
            404: "No such resource", 409: "Conflicts with the current state",
            422: "Understood but cannot be done", 503: "A dependency is unavailable"}


def _schema(response) -> dict:
    if isinstance(response, type) and issubclass(response, BaseModel):
        return {"$ref": f"#/components/schemas/{response.__name__}"}
    return TypeAdapter(response).json_schema(ref_template="#/components/schemas/{model}")
