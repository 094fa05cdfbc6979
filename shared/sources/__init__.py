"""Where records come from. The real OQC is a closed national network; the apps talk to any
source through this interface so a real connector can be added without touching the rest."""
from __future__ import annotations

from datetime import date
from typing import Literal, Protocol

from pydantic import BaseModel

from shared.schemas.record import EmergencyRecord


class CardRead(BaseModel):
    """What the card reader hands over: the card, never the record itself."""
    card_id: str
    kind: Literal["physical", "smartphone"]
    certificate_expires: date
    has_photo: bool


class RegisteredContact(BaseModel):
    """Where the patient asked to be told things: a phone for SMS or an e-mail address. `masked`
    is all a page may show ("090-****-1234"); the address itself goes only to the outbox."""
    channel: Literal["sms", "email"]
    address: str
    masked: str


class RecordSourceError(Exception):
    """A failure the crew must see as a clear message; the incident goes on without the record."""
    code = "source_error"
    message_ja = "記録を取得できません"

    def __init__(self, detail: str = ""):
        super().__init__(detail or self.code)
        self.detail = detail


class CardNotFound(RecordSourceError):
    code = "card_not_found"
    message_ja = "該当する資格情報がありません"


class CertificateExpired(RecordSourceError):
    code = "certificate_expired"
    message_ja = "カードの電子証明書の有効期限が切れています"


class SourceUnavailable(RecordSourceError):
    code = "source_unavailable"
    message_ja = "オンライン資格確認システムに接続できません"


class RecordSource(Protocol):
    def read_card(self, card_id: str) -> CardRead:
        """Validate a card as the reader presents it. Raises CardNotFound, CertificateExpired."""

    def fetch(self, card_id: str, *, today: date | None = None) -> EmergencyRecord:
        """The full record for a card. Raises RecordSourceError subclasses when nothing can be had.
        When one of the services behind the source (e-prescriptions, EMR sharing) fails or times out
        while the others answer, the record comes back with that service's categories marked
        unavailable in `status` (`shared.schemas.record.unavailable`), never as empty lists alone;
        a category the service explicitly records as none (e.g. "no known drug allergy") is
        none_recorded."""

    def cards(self) -> list[str]:
        """Cards a simulated reader may present (empty for a real source)."""

    def registered_contact(self, card_id: str) -> RegisteredContact | None:
        """The contact the card's holder registered for one-time codes, or None when there is none
        (or the source cannot say: the national service keeps it behind マイナポータル)."""
