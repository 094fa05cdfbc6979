"""The ER dashboard's Socket.IO namespace (/dashboard): pushed, never polled.

Staff connect with their signed-in session; clinical staff join the clinical room and get
the record and vitals, the desk joins the desk room and gets only what registration needs.
Pushes go through `Dashboard`; what dashboards send comes in through `DashboardEvents`."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import request
from flask_socketio import SocketIO

from hospital_app.realtime.dashboard import CLINICAL, DESK, NS, Dashboard
from hospital_app.realtime.events import DashboardEvents
from shared.errors import Refused
from shared.storage import Database
from web.http import reply

if TYPE_CHECKING:
    from hospital_app.gateway import Gateway

__all__ = ["CLINICAL", "DESK", "NS", "Dashboard", "DashboardEvents", "register"]
log = logging.getLogger(__name__)


def register(socketio: SocketIO, db: Database, gateway: Gateway) -> None:
    socketio.on_namespace(DashboardEvents(db, gateway))

    @socketio.on_error(NS)
    def answer_refusal(e: Exception) -> dict:
        """What an event handler raised becomes its reply (the client's callback gets it)."""
        if isinstance(e, Refused):
            return reply(e)
        # A bug, not the client's fault: logged whole here, and the dashboard still gets an answer.
        log.error("dashboard: %s failed", request.event["message"], exc_info=e)
        return reply(Refused(500, "something went wrong on the server", "internal"))
