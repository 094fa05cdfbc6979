"""The hub on the ambulance side: the tablet UI, incidents, grants and the audit trail."""
from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from ems_app import config as config_module
from ems_app.hub import Hub
from ems_app.notifier import Notifier
from web import admin, http, i18n, openapi, vendor


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    cfg = config_module.load(overrides)
    app.config.update(cfg)
    hub = Hub.from_config(cfg)
    app.extensions["hub"] = hub
    http.init_app(app)
    i18n.init_app(app)

    from ems_app.api import auth, fhir, figures, hospital_gateway, hospitals, incidents, pages, patient, review, shares
    for module in (auth, incidents, fhir, hospitals, hospital_gateway, shares, review, patient, pages, figures):
        app.register_blueprint(module.bp)
    from ems_app.api import outcomes
    app.register_blueprint(outcomes.bp)  # the ER's outcome, read by the crew
    app.register_blueprint(vendor.bp)
    auth.init_app(app)  # server-side sessions and the accounts (web/login.py)
    from ems_app.api import factors
    factors.init_app(app)  # second factors (web/factors.py)
    app.register_blueprint(admin.bp)
    openapi.init_app(app, "PreArrival hub (ems_app)", {
        "session": {"type": "apiKey", "in": "cookie", "name": cfg["SESSION_COOKIE_NAME"]},
        "hospital": {"type": "apiKey", "in": "header", "name": "Authorization",
                     "description": "`DPoP <grant+jwt>` plus a `DPoP` proof header signed by the hospital key (RFC 9449)"}})

    # One SocketIO per app (not a module global) so tests can build many apps in one process.
    socketio = SocketIO(app, async_mode=cfg["ASYNC_MODE"], message_queue=cfg["SOCKETIO_MESSAGE_QUEUE"],
                        channel=cfg["SOCKETIO_CHANNEL"], logger=False, engineio_logger=False)
    http.trust_proxies(app, cfg["PROXY_HOPS"])
    from ems_app import realtime
    realtime.register(socketio)
    hub.notifier = Notifier(socketio)
    return app


def start_background_work(app: Flask) -> None:
    """What only a serving process runs (not CLI commands, not in-process tests)."""
    if app.config["EXPIRY_SWEEP_S"] > 0:
        app.extensions["socketio"].start_background_task(
            _sweep_forever, app.extensions["socketio"], app.extensions["hub"], app.config["EXPIRY_SWEEP_S"])


def _sweep_forever(socketio, hub: Hub, every_s: float) -> None:
    """End expired grants and tell their hospitals, so a stream stops when its grant does; close
    finished incidents so their records are purged."""
    import logging

    from ems_app.services.lifecycle import close_finished, sweep_expired
    from ems_app.services.refusal_limit import summarise_ended
    while True:
        socketio.sleep(every_s)
        try:
            sweep_expired(hub)
            close_finished(hub)
            summarise_ended(hub)  # a flood of refused redemptions: one trail entry per ended window
        except Exception:  # a database hiccup must not stop the sweeper for good
            logging.getLogger(__name__).exception("grant expiry sweep failed")
