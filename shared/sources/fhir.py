"""A record source that reads the patient's record from a FHIR R4 endpoint (JP-CLINS).

Why it exists: the national services publish the emergency-relevant record as HL7 FHIR in
the JP-CLINS form, and a regional deployment may sit behind a FHIR gateway to them. With
`RECORD_SOURCE=fhir` the hub reads the card and the record over HTTP instead of from the
simulator: `Patient?identifier=` finds the patient by the card, `Patient/<id>/$everything`
brings the record, and shared.fhir.read maps it to the same EmergencyRecord the simulator
gives, so nothing downstream changes.

An ambulance cannot wait: every request has a connect and a read timeout, idempotent GETs are
retried a few times with backoff (urllib3's Retry: connection errors, read timeouts, 429/502/
503/504 honouring Retry-After), and whatever is left is a clear SourceUnavailable, never a
hang or a stack trace. The endpoint's own refusals come as OperationOutcome and map to the
RecordSourceError the crew understands. Setting up a real endpoint: docs/fhir.md."""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import date

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from shared.fhir import codes
from shared.fhir.read import NotARecord, card_id, card_read, read_record
from shared.schemas.record import EmergencyRecord
from shared.sources import CardNotFound, CardRead, CertificateExpired, RecordSourceError, SourceUnavailable

FHIR_JSON = "application/fhir+json"
ERRORS: dict[str, type[RecordSourceError]] = {e.code: e for e in (CardNotFound, CertificateExpired, SourceUnavailable)}


class FhirSource:
    """A RecordSource (shared.sources) over a FHIR endpoint at `base_url`."""

    def __init__(self, base_url: str, *, token: str | None = None, timeout_s: float = 5.0, retries: int = 2,
                 backoff_s: float = 0.2, today: Callable[[], date] = date.today):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"FHIR_BASE_URL must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token, self.timeout_s, self.today = token, timeout_s, today
        self.retry = Retry(total=retries, connect=retries, read=retries, status=retries, other=0,
                           backoff_factor=backoff_s, status_forcelist=(429, 502, 503, 504),
                           allowed_methods=frozenset({"GET"}), respect_retry_after_header=True, raise_on_status=False)
        self._local = threading.local()  # one Session per thread: Sessions are not thread-safe

    @classmethod
    def from_config(cls, cfg: dict) -> "FhirSource":
        if not cfg.get("FHIR_BASE_URL"):
            raise ValueError("RECORD_SOURCE=fhir needs FHIR_BASE_URL (docs/fhir.md)")
        return cls(cfg["FHIR_BASE_URL"], token=cfg.get("FHIR_TOKEN"), timeout_s=cfg["FHIR_TIMEOUT_S"],
                   retries=cfg["FHIR_RETRIES"])

    # The RecordSource protocol.
    def read_card(self, card_id: str) -> CardRead:
        patient = self._patient(card_id)
        try:
            card = card_read(patient)
        except (KeyError, ValueError, TypeError, StopIteration) as e:
            raise SourceUnavailable(f"the FHIR endpoint sent a card we cannot read: {e!r}") from None
        if card is None:  # a plain JP-CLINS Patient says nothing of the card: the reader has checked it
            card = CardRead(card_id=card_id, kind="physical", certificate_expires=date.max, has_photo=True)
        if card.certificate_expires < self.today():
            raise CertificateExpired(f"certificate of {card_id} expired on {card.certificate_expires}")
        return card

    def fetch(self, card_id: str, *, today: date | None = None) -> EmergencyRecord:
        """The record as the endpoint holds it now (`today` is the simulator's: a real source has one clock)."""
        patient = self._patient(card_id)
        bundle = self._get(f"Patient/{patient['id']}/$everything")
        try:
            return read_record(bundle)
        except (NotARecord, ValueError, KeyError, TypeError, AttributeError) as e:
            raise SourceUnavailable(f"the FHIR endpoint sent a record we cannot read: {e}") from None

    def cards(self) -> list[str]:
        return []  # a real endpoint lists no patients to a card reader

    def registered_contact(self, card_id: str) -> None:
        """A FHIR endpoint does not hand out the patient's contact for codes: the patient's own
        path is マイナポータル's hand-off (docs/security.md)."""
        return None

    def search_by_attributes(self, name: str, birth_date: date | str, sex: str, address: str) -> list[str]:
        """The 4-attribute fallback as a FHIR search; every term must be given (the endpoint matches
        names exactly, birth dates and sex as given, addresses by their start)."""
        bundle = self._get("Patient", params={"name": name, "birthdate": str(birth_date), "gender": sex,
                                              "address": address})
        return [card for card in (card_id(p) for p in _matches(bundle)) if card]

    # HTTP.
    def _patient(self, card: str) -> dict:
        bundle = self._get("Patient", params={"identifier": f"{codes.CARD_ID}|{card}"})
        matches = _matches(bundle)
        if not matches:
            raise CardNotFound(f"no Patient for card {card!r}")
        if not re.fullmatch(r"[A-Za-z0-9.-]{1,64}", str(matches[0].get("id", ""))):  # FHIR's id, and safe in a path
            raise SourceUnavailable("the FHIR endpoint sent a Patient without a valid id")
        return matches[0]

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.mount("http://", HTTPAdapter(max_retries=self.retry))
            session.mount("https://", HTTPAdapter(max_retries=self.retry))
            session.headers["Accept"] = FHIR_JSON
            if self.token:
                session.headers["Authorization"] = f"Bearer {self.token}"
        return session

    def _get(self, path: str, params: dict | None = None) -> dict:
        url = f"{self.base_url}/{path}"
        try:
            reply = self._session().get(url, params=params, timeout=(min(self.timeout_s, 3.05), self.timeout_s))
        except requests.RequestException as e:  # timeouts, refused connections, retries used up
            raise SourceUnavailable(f"FHIR endpoint {self.base_url} did not answer: {_why(e)}") from None
        try:
            body = reply.json()
        except ValueError:
            body = {}
        if reply.ok and body.get("resourceType") == "Bundle":
            for entry in body.get("entry", []):  # a search may carry its refusal as an outcome entry
                if entry.get("search", {}).get("mode") == "outcome":
                    _raise(entry.get("resource", {}), reply.status_code)
            return body
        _raise(body, reply.status_code)
        raise SourceUnavailable(f"FHIR endpoint {self.base_url} answered {reply.status_code} without a Bundle")


def _why(e: requests.RequestException) -> str:
    """The last failure behind a request error (requests wraps a used-up Retry as ConnectionError)."""
    reason = getattr(e.args[0], "reason", None) if e.args else None
    return f"{type(reason or e).__name__} after retries" if reason else type(e).__name__


def _matches(bundle: dict) -> list[dict]:
    return [e["resource"] for e in bundle.get("entry", [])
            if e.get("resource", {}).get("resourceType") == "Patient" and e.get("search", {}).get("mode", "match") == "match"]


def _raise(outcome: dict, status: int) -> None:
    """The RecordSourceError an OperationOutcome (or a bare HTTP status) stands for, if any."""
    issues = outcome.get("issue", []) if outcome.get("resourceType") == "OperationOutcome" else []
    if 200 <= status < 300:  # a warning in an answer is no refusal
        issues = [i for i in issues if i.get("severity") in ("error", "fatal")]
    for issue in issues:
        for coding in issue.get("details", {}).get("coding", []):
            if coding.get("system") == codes.SOURCE_ERROR and coding.get("code") in ERRORS:
                raise ERRORS[coding["code"]](issue.get("diagnostics", ""))
    if 200 <= status < 300 and not issues:
        return
    # A bare 404 is a wrong FHIR_BASE_URL or a vanished Patient, never "no such card": a search that
    # finds nothing answers 200 with an empty Bundle.
    said = "; ".join(i.get("diagnostics", i.get("code", "")) for i in issues) or f"HTTP {status}"
    raise SourceUnavailable(f"FHIR endpoint refused: {said}")
