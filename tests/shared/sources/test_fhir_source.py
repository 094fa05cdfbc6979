"""The FHIR record source against the simulator's FHIR endpoint on a real loopback port.

No mocks: launcher.fhir_simulator serves the real simulator through werkzeug in a thread, and
the source talks HTTP to it, with its real timeouts and retries. The simulator's operating
conditions make the endpoint slow or down, and the tests watch what the crew would see."""
from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from werkzeug.serving import make_server

from ems_app import config
from ems_app.hub import Hub
from launcher.fhir_simulator import create_app
from shared.fhir import codes
from shared.sources import CardNotFound, CertificateExpired, SourceUnavailable
from shared.sources.fhir import FhirSource
from shared.sources.simulator import DEFAULT_TODAY, OqcSimulator

TOKEN = "s3cret-token"


class Endpoint:
    """The simulator's FHIR endpoint on 127.0.0.1, counting the requests it gets."""

    def __init__(self, sim: OqcSimulator):
        self.sim, self.hits = sim, 0
        app = create_app(sim, token=TOKEN)

        @app.before_request
        def count():
            self.hits += 1

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}/fhir"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def source(self, **kw) -> FhirSource:
        return FhirSource(self.base, **{"token": TOKEN, "today": lambda: DEFAULT_TODAY, "backoff_s": 0, **kw})

    def close(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="module")
def endpoint():
    e = Endpoint(OqcSimulator(patients=30))
    yield e
    e.close()


@pytest.fixture(autouse=True)
def up(endpoint):
    endpoint.sim.set_condition("up")
    endpoint.hits = 0
    yield
    endpoint.sim.set_condition("up")


@pytest.mark.parametrize("card", ["SIM-CRITICAL", "SIM-LONG", "SIM-EMPTY", "SIM-PHONE", "SIM-000007"])
def test_the_record_over_http_is_the_simulators(endpoint, card):
    source = endpoint.source()
    assert source.read_card(card) == endpoint.sim.read_card(card)
    assert source.fetch(card) == endpoint.sim.fetch(card)


def test_unknown_card_is_card_not_found(endpoint):
    source = endpoint.source()
    with pytest.raises(CardNotFound):
        source.read_card("SIM-NOPE")
    with pytest.raises(CardNotFound):
        source.fetch("SIM-NOPE")
    assert endpoint.hits == 2  # a clear answer, not retried


def test_expired_certificate_is_the_endpoints_verdict(endpoint):
    source = endpoint.source(today=lambda: date(2000, 1, 1))  # our clock would call it valid
    with pytest.raises(CertificateExpired):
        source.read_card("SIM-EXPIRED")
    with pytest.raises(CertificateExpired):
        source.fetch("SIM-EXPIRED")


def test_expired_certificate_by_our_clock(endpoint):
    expires = endpoint.sim.read_card("SIM-000001").certificate_expires
    with pytest.raises(CertificateExpired):
        endpoint.source(today=lambda: expires.replace(year=expires.year + 1)).read_card("SIM-000001")


def test_down_is_retried_then_source_unavailable(endpoint):
    endpoint.sim.set_condition("down")
    source = endpoint.source(retries=2)
    with pytest.raises(SourceUnavailable, match="down"):
        source.fetch("SIM-CRITICAL")
    assert endpoint.hits == 3  # the first try and two retries


def test_slow_is_a_timeout_then_source_unavailable(endpoint):
    endpoint.sim.set_condition("slow", latency_s=1.5)
    source = endpoint.source(timeout_s=0.3, retries=1)
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="did not answer"):
        source.read_card("SIM-CRITICAL")
    assert time.monotonic() - started < 1.4  # two tries of 0.3 s, never the endpoint's 1.5 s
    assert endpoint.hits == 2


def test_a_brief_outage_is_ridden_out_by_the_retries(endpoint):
    endpoint.sim.set_condition("down")
    threading.Timer(0.25, endpoint.sim.set_condition, ("up",)).start()
    source = endpoint.source(retries=4, backoff_s=0.2)  # 0, 0.4, 0.8 ... s between tries
    assert source.fetch("SIM-000003") == endpoint.sim.fetch("SIM-000003")
    assert endpoint.hits > 2


def test_one_service_down_comes_back_unavailable(endpoint):
    endpoint.sim.set_condition("emr_sharing_down")
    record = endpoint.source().fetch("SIM-CRITICAL")
    assert record.diagnoses == [] and record.status["diagnoses"].state == "unavailable"
    assert record.visits and record.status["visits"].state == "recorded"


def test_no_endpoint_is_source_unavailable():
    source = FhirSource("http://127.0.0.1:9/fhir", timeout_s=0.5, retries=1, backoff_s=0)
    with pytest.raises(SourceUnavailable, match="did not answer"):
        source.read_card("SIM-CRITICAL")


def test_an_endpoint_that_is_not_fhir_is_source_unavailable():
    def not_fhir(environ, start_response):
        status = "404 Not Found" if environ["PATH_INFO"].startswith("/wrong") else "200 OK"
        start_response(status, [("Content-Type", "text/html")])
        return [b"<html>a web page</html>"]

    server = make_server("127.0.0.1", 0, not_fhir, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        source = FhirSource(f"http://127.0.0.1:{server.server_port}/wrong", retries=0)
        with pytest.raises(SourceUnavailable, match="404"):  # a wrong base URL, not "no such card"
            source.fetch("SIM-CRITICAL")
        with pytest.raises(SourceUnavailable, match="without a Bundle"):
            FhirSource(f"http://127.0.0.1:{server.server_port}/page", retries=0).read_card("SIM-CRITICAL")
    finally:
        server.shutdown()


def test_the_token_is_required(endpoint):
    with pytest.raises(SourceUnavailable, match="Bearer"):
        endpoint.source(token=None).read_card("SIM-CRITICAL")
    with pytest.raises(SourceUnavailable):
        endpoint.source(token="wrong").fetch("SIM-CRITICAL")


def test_four_attribute_search_is_a_fhir_search(endpoint):
    face = endpoint.sim.fetch("SIM-000012").card
    source = endpoint.source()
    assert source.search_by_attributes(face.kana, face.birth_date, face.sex, face.address[:6]) == ["SIM-000012"]
    assert source.search_by_attributes(face.kana, date(1900, 1, 1), face.sex, face.address[:6]) == []
    assert source.cards() == []


def test_endpoint_speaks_fhir(endpoint):
    import requests
    headers = {"Authorization": f"Bearer {TOKEN}"}
    meta = requests.get(f"{endpoint.base}/metadata", headers=headers, timeout=5)
    assert meta.headers["Content-Type"].startswith("application/fhir+json")
    assert meta.json()["resourceType"] == "CapabilityStatement"
    other = requests.get(f"{endpoint.base}/Patient", params={"identifier": f"{codes.MEMBER_ID}|x"}, headers=headers,
                         timeout=5)
    assert other.status_code == 400 and other.json()["resourceType"] == "OperationOutcome"


def test_the_hub_picks_the_source_from_its_settings(endpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("EMS_INSTANCE", str(tmp_path))
    cfg = config.load({"DATABASE_URL": f"sqlite:///{tmp_path / 'ems.db'}", "RECORD_SOURCE": "fhir",
                       "FHIR_BASE_URL": endpoint.base, "FHIR_TOKEN": TOKEN, "FHIR_TIMEOUT_S": "2"})
    hub = Hub.from_config(cfg)
    assert isinstance(hub.source, FhirSource) and hub.source.timeout_s == 2.0
    assert hub.source.fetch("SIM-CRITICAL") == endpoint.sim.fetch("SIM-CRITICAL")
    assert isinstance(Hub.from_config({**cfg, "RECORD_SOURCE": "simulator"}).source, OqcSimulator)
    for wrong in ({"RECORD_SOURCE": "fihr"}, {"FHIR_BASE_URL": None}):
        with pytest.raises(ValueError):
            Hub.from_config({**cfg, **wrong})
