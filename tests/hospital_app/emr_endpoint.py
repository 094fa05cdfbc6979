"""A tiny FHIR transaction endpoint of our own, standing in for a hospital's EMR in the tests
(this module's tests and tests/e2e/test_fhir_journey.py): werkzeug on a loopback port, in a thread.

`mode` says how it answers the next transaction: "file" a transaction-response (201 for each new
resource, 200 with the same id for one whose identifier it has already seen: the conditional
create), "refuse" 422 with an OperationOutcome, "slow" nothing until long after any timeout."""
from __future__ import annotations

import itertools
import json
import threading
import time

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

REFUSAL = "Patient.birthDate does not match the patient registered under this name"


class Emr:
    def __init__(self, token: str | None = None):
        self.mode, self.token = "file", token
        self.received: list[tuple[dict, dict]] = []  # (headers, bundle) of every transaction
        self._ids: dict[str, str] = {}                # ifNoneExist -> the id it made
        self._next = itertools.count(1000)
        self._server = make_server("127.0.0.1", 0, self._answer, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/fhir"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()

    @Request.application
    def _answer(self, request: Request) -> Response:
        if request.method != "POST" or request.path != "/fhir":
            return _fhir(404, _outcome("not-found", "only transactions are taken here"))
        if self.token and request.headers.get("Authorization") != f"Bearer {self.token}":
            return _fhir(401, _outcome("security", "a Bearer token is required"))
        bundle = json.loads(request.get_data())
        self.received.append((dict(request.headers), bundle))
        if self.mode == "slow":
            time.sleep(3)
        if self.mode == "refuse":
            return _fhir(422, _outcome("business-rule", REFUSAL))
        return _fhir(200, {"resourceType": "Bundle", "type": "transaction-response",
                           "entry": [self._made(e["request"]) for e in bundle["entry"]]})

    def _made(self, request: dict) -> dict:
        key = request.get("ifNoneExist")
        if key in self._ids:
            return {"response": {"status": "200 OK", "location": f"{self._ids[key]}/_history/1"}}
        made = f"{request['url']}/{next(self._next)}"
        if key:
            self._ids[key] = made
        return {"response": {"status": "201 Created", "location": f"{made}/_history/1"}}


def _outcome(code: str, text: str) -> dict:
    return {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": code, "diagnostics": text}]}


def _fhir(status: int, body: dict) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/fhir+json")
