"""OpenAPI 3.1 documents generated from the pydantic models the routes actually parse.

A route declares its models with `@api(...)`; `build_document` walks the app's routes, so a
route without a declaration is still listed and nothing is written by hand. The statuses a
route can answer are derived from the same rules the apps apply (web/http.py, web/login.py):
a JSON refusal for bad input, a missing session, a wrong role, an unknown path parameter, a
write that is not JSON; a route adds its own with `errors=`. Schemathesis holds the document
to the API (tests/fuzz/test_openapi_fuzz.py)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

WRITES = ("post", "put", "patch", "delete")

# What every refusal looks like (web.http.reply).
REFUSAL = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "a stable code a client can act on"},
        "message": {"type": "string", "description": "in the user's language (cookie `lang`), naming each field"},
        "fields": {"type": "array", "items": {
            "type": "object", "required": ["field", "reason"],
            "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}},
    },
}
# A write without a model still needs Content-Type: application/json (the CSRF rule); the body is ignored.
EMPTY_BODY = {"type": "object", "maxProperties": 0, "description": "nothing: an empty JSON object"}


def api(summary: str, *, body: type[BaseModel] | None = None, response=None, query: type[BaseModel] | None = None,
        auth: str = "session", tag: str | None = None, errors: Iterable[int] = (), ok: Iterable[int] = (200,),
        page: bool = False) -> Callable:
    """Attach the documentation to a view function; Flask is unaware of it. `query` is a model
    whose fields are the query parameters; `ok` the success statuses (201 where a route
    creates); `page` an HTML page rather than JSON."""
    def mark(view):
        view._openapi = {"summary": summary, "body": body, "response": response, "query": query, "auth": auth,
                         "tag": tag, "errors": tuple(errors), "ok": tuple(ok), "page": page}
        return view
    return mark


_RULE_ARG = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def repl(m):
        converter, args, name = m.group(1), m.group(2) or "", m.group(3)
        schema: dict = {"type": "integer", "minimum": 0} if converter == "int" else {"type": "string"}
        if converter == "int":
            bounds = dict(re.findall(r"(min|max)\s*=\s*(\d+)", args))
            if "min" in bounds:
                schema["minimum"] = int(bounds["min"])
            if "max" in bounds:
                schema["maximum"] = int(bounds["max"])
        elif converter != "path":
            schema["pattern"] = "^[^/]+$"  # Flask's default converter stops at a slash
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"
    return _RULE_ARG.sub(repl, rule), params


def _query(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        # A query parameter is absent or text, never null: `X | None` documents as X.
        kinds = [k for k in prop.get("anyOf", ()) if k != {"type": "null"}]
        if len(kinds) == 1:
            prop = {**{k: v for k, v in prop.items() if k not in ("anyOf", "default")}, **kinds[0]}
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            param["description"] = prop["description"]
        out.append(param)
    return out


def _statuses(path: str, method: str, meta: dict, path_params: list, roles) -> list[int]:
    """Every status the route can answer besides success, from the rules the apps apply."""
    codes = set(meta["errors"])
    if path.startswith("/api/"):
        if meta["body"] or meta["query"]:
            codes.add(400)
        if meta["body"]:
            codes.add(413)  # longer than MAX_CONTENT_LENGTH
        if method in WRITES:
            codes.add(415)  # a write that is not JSON
        if meta["auth"] == "session":
            codes.add(401)
        if meta["auth"] == "hospital":
            codes.update((401, 403))
        if roles:
            codes.add(403)
    if path_params:
        codes.add(404)  # a value the route's converter does not take matches no route
    return sorted(codes)


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
    schemas = {**defs.get("$defs", {}), "Refusal": REFUSAL}
    for rule, method, meta, view in ops:
        paths.setdefault(_path(rule)[0], {})[method] = _operation(rule, method, meta, view)
    return {"openapi": "3.1.0", "info": {"title": title, "version": version}, "paths": paths,
            "components": {"schemas": schemas, "securitySchemes": security_schemes}}


def _operation(rule: str, method: str, meta: dict | None, view) -> dict:
    path, params = _path(rule)
    op: dict = {"operationId": f"{method}_{view.__name__}", "parameters": params}
    if not meta:
        op["summary"] = (view.__doc__ or view.__name__).strip().splitlines()[0]
        op["responses"] = {"200": {"description": "OK"}}
        for code in _statuses(path, method, {"errors": (), "body": None, "query": None, "auth": "none"}, params, ()):
            op["responses"][str(code)] = {"description": _REASONS.get(code, "Error")}
        return op
    op["summary"] = meta["summary"]
    if meta["tag"]:
        op["tags"] = [meta["tag"]]
    op["security"] = [] if meta["auth"] == "none" else [{meta["auth"]: []}]
    if getattr(view, "roles", ()):
        op["x-roles"] = list(view.roles)  # who may call it; every other role gets 403
    if meta["query"] is not None:
        op["parameters"] = params + _query(meta["query"])
    if meta["body"]:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{meta['body'].__name__}"}}}}
    elif method in WRITES and path.startswith("/api/"):
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": EMPTY_BODY}}}
    responses: dict = {}
    for code in meta["ok"]:
        responses[str(code)] = {"description": _REASONS.get(code, "OK")}
        if meta["page"]:
            responses[str(code)]["content"] = {"text/html": {"schema": {"type": "string"}}}
        elif meta["response"] is not None:
            responses[str(code)]["content"] = {"application/json": {"schema": _schema(meta["response"])}}
    refusal = {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}}
    for code in _statuses(path, method, meta, params, getattr(view, "roles", ())):
        responses[str(code)] = {"description": _REASONS.get(code, "Error")}
        if path.startswith("/api/"):
            responses[str(code)]["content"] = refusal
    op["responses"] = responses
    return op


_REASONS = {200: "OK", 201: "Created", 400: "Invalid input; the message names the field",
            401: "Not signed in or credential invalid", 403: "Signed in but not allowed",
            404: "No such resource", 409: "Conflicts with the current state", 410: "Gone for good",
            413: "The request is too large", 415: "Content-Type must be application/json",
            422: "Understood but cannot be done", 429: "Too many attempts; wait (Retry-After)",
            503: "A dependency is unavailable"}


def _schema(response) -> dict:
    if isinstance(response, type) and issubclass(response, BaseModel):
        return {"$ref": f"#/components/schemas/{response.__name__}"}
    return TypeAdapter(response).json_schema(ref_template="#/components/schemas/{model}")
