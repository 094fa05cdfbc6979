"""The OQC simulator behind a FHIR R4 endpoint, so the FHIR record source runs over real HTTP.

Why it exists: `RECORD_SOURCE=fhir` (shared.sources.fhir) must be tried, in the demo and in
the tests, against something that answers like a national FHIR service: searches, errors as
OperationOutcome, slowness and outages. This serves the simulator's patients that way:

  GET [base]/metadata                            the CapabilityStatement
  GET [base]/Patient?identifier=<system>|<id>    the card as a Patient (system: our card id)
  GET [base]/Patient?name=&birthdate=&gender=&address=   the 4-attribute search (all four)
  GET [base]/Patient/<id>                        one Patient
  GET [base]/Patient/<id>/$everything            the whole record (shared.fhir.export)

An expired certificate is the simulator's verdict, sent as an OperationOutcome in the search
Bundle (search mode "outcome"); its operating conditions ("slow", "down", one service down)
show as latency, 503 and unavailable categories. With a token set, every request needs it as
a Bearer token.

Why in launcher/: it stands in for an outside service, like the processes launcher starts, and
belongs to neither app; shared/ stays free of Flask (the FHIR itself is built in shared.fhir).
`python -m launcher.fhir_simulator run --port 8090` serves it at http://127.0.0.1:8090/fhir
(OQC_SEED, OQC_CONDITION and FHIR_TOKEN from the environment)."""
from __future__ import annotations

import argparse
import hmac
import json
import os
import uuid
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, request

from shared.fhir import codes as c
from shared.fhir.export import patient_resource, record_bundle
from shared.sources import CardNotFound, CertificateExpired, RecordSourceError, SourceUnavailable
from shared.sources.simulator import OqcSimulator

FHIR_JSON = "application/fhir+json"
# HTTP status for each failure the simulator can report (OperationOutcome issue code, status).
FAILURES = {CardNotFound: ("not-found", 404), CertificateExpired: ("business-rule", 422),
            SourceUnavailable: ("transient", 503)}


def create_app(simulator: OqcSimulator | None = None, *, token: str | None = None) -> Flask:
    app = Flask(__name__)
    app.register_blueprint(fhir_blueprint(simulator or OqcSimulator(), token=token), url_prefix="/fhir")
    app.add_url_rule("/healthz", "healthz", lambda: {"ok": True})
    return app


def fhir_blueprint(sim: OqcSimulator, *, token: str | None = None) -> Blueprint:
    bp = Blueprint("fhir", __name__)
    # Opaque ids, so a Patient's URL does not carry the card id.
    ids = {_patient_id(card): card for card in sim.cards()}

    @bp.before_request
    def _authorised():
        given = request.headers.get("Authorization", "")
        if token and not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return _outcome(401, "security", "a Bearer token is required")

    @bp.errorhandler(RecordSourceError)
    def _failed(e: RecordSourceError):
        code, status = next(v for k, v in FAILURES.items() if isinstance(e, k))
        return _outcome(status, code, str(e), detail=e.code)

    @bp.get("/metadata")
    def metadata():
        return _fhir({"resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
                      "date": datetime.now(UTC).date().isoformat(), "fhirVersion": "4.0.1", "format": ["json"],
                      "rest": [{"mode": "server", "resource": [{
                          "type": "Patient", "interaction": [{"code": "read"}, {"code": "search-type"}],
                          "searchParam": [{"name": n, "type": t} for n, t in (
                              ("identifier", "token"), ("name", "string"), ("birthdate", "date"),
                              ("gender", "token"), ("address", "string"))],
                          "operation": [{"name": "everything",
                                         "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"}]}]}]})

    @bp.get("/Patient")
    def search():
        args = request.args
        if "identifier" in args:
            system, _, value = args["identifier"].rpartition("|")
            if system != c.CARD_ID:
                return _outcome(400, "not-supported", f"identifier system {system or '(none)'} is not searchable here")
            return _searchset(_matches(sim, [value]))
        attributes = [args.get(k, "") for k in ("name", "birthdate", "gender", "address")]
        if not all(attributes):
            return _outcome(400, "required", "search by identifier, or by name, birthdate, gender and address")
        try:
            cards = sim.search_by_attributes(*attributes)
        except ValueError as e:
            return _outcome(400, "invalid", str(e))
        return _searchset(_matches(sim, cards))

    @bp.get("/Patient/<pid>")
    def read(pid: str):
        return _fhir(_patient(sim, _card_of(ids, pid), pid))

    @bp.get("/Patient/<pid>/$everything")
    def everything(pid: str):
        card = _card_of(ids, pid)
        bundle = record_bundle(sim.fetch(card), card=sim.read_card(card))
        bundle["entry"][0]["resource"]["id"] = pid
        return _fhir({**bundle, "id": str(uuid.uuid4()), "type": "searchset", "total": len(bundle["entry"])})

    return bp


def _patient_id(card: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{c.LOCAL}/patient/{card}").hex


def _card_of(ids: dict[str, str], pid: str) -> str:
    if pid not in ids:
        raise CardNotFound(f"no Patient/{pid}")
    return ids[pid]


def _patient(sim: OqcSimulator, card: str, pid: str) -> dict:
    read = sim.read_card(card)  # first: an expired certificate stops here, as at the reader
    return {**patient_resource(sim.fetch(card).card, read), "id": pid}


def _matches(sim: OqcSimulator, cards: list[str]) -> list[dict]:
    """Search entries for the cards: a Patient each, or the reason a card cannot be read."""
    out = []
    for card in cards:
        try:
            out.append({"fullUrl": f"{request.url_root}fhir/Patient/{_patient_id(card)}",
                        "resource": _patient(sim, card, _patient_id(card)), "search": {"mode": "match"}})
        except CardNotFound:
            continue  # a search that finds nothing has not failed
        except CertificateExpired as e:
            out.append({"resource": _outcome_resource("business-rule", str(e), e.code), "search": {"mode": "outcome"}})
    return out


def _searchset(entries: list[dict]) -> Response:
    return _fhir({"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "searchset",
                  "total": sum(e["search"]["mode"] == "match" for e in entries),
                  "link": [{"relation": "self", "url": request.url}], "entry": entries})


def _outcome_resource(code: str, text: str, detail: str | None = None) -> dict:
    issue = {"severity": "error", "code": code, "diagnostics": text}
    if detail:
        issue["details"] = {"coding": [{"system": c.SOURCE_ERROR, "code": detail}]}
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def _outcome(status: int, code: str, text: str, detail: str | None = None) -> Response:
    return _fhir(_outcome_resource(code, text, detail), status)


def _fhir(resource: dict, status: int = 200) -> Response:
    return Response(json.dumps(resource, ensure_ascii=False), status, content_type=f"{FHIR_JSON}; charset=utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m launcher.fhir_simulator")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    sim = OqcSimulator(seed=int(os.environ.get("OQC_SEED", 2025)))
    sim.set_condition(os.environ.get("OQC_CONDITION", "up"))
    app = create_app(sim, token=os.environ.get("FHIR_TOKEN") or None)
    app.run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
