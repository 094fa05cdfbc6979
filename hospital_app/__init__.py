"""The ER side: the gateway to the hub and the pre-arrival dashboard."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from hospital_app import config as config_module
from flask_socketio import SocketIO
from shared.storage import Database
from shared.tokens import KeyStore
from web import admin, http, i18n, openapi, vendor

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    cfg = config_module.load(overrides)
    app.config.update(cfg)
    db = Database(cfg["DATABASE_URL"], cfg["DATABASE_SCHEMA"], MIGRATIONS, cfg["DATABASE_POOL_SIZE"])
    db.migrate()
    app.extensions["db"] = db
    app.extensions["hospital_key"] = KeyStore(cfg["INSTANCE"] / "keys", name="hospital-key")
    http.init_app(app)
    i18n.init_app(app)

    from hospital_app.api import auth, emr, inquiries, pages, patients, printing
    for module in (auth, inquiries, patients, emr, pages, printing):
        app.register_blueprint(module.bp)
    from hospital_app.api import availability, outcome
    app.register_blueprint(availability.bp)  # this ER's acceptance status
    app.register_blueprint(outcome.bp)  # the outcome returned to the fire service
    app.register_blueprint(vendor.bp)
    auth.init_app(app)  # server-side sessions and the accounts (web/login.py)
    from hospital_app.api import factors
    factors.init_app(app)  # second factors (web/factors.py)
    app.register_blueprint(admin.bp)
    openapi.init_app(app, "PreArrival hospital (hospital_app)", {
        "session": {"type": "apiKey", "in": "cookie", "name": cfg["SESSION_COOKIE_NAME"]}})

    # One SocketIO per app (not a module global) so tests can build many apps in one process.
    socketio = SocketIO(app, async_mode=cfg["ASYNC_MODE"], message_queue=cfg["SOCKETIO_MESSAGE_QUEUE"],
                      channel=cfg["SOCKETIO_CHANNEL"], logger=False, engineio_logger=False)
    http.trust_proxies(app, cfg["PROXY_HOPS"])
    from hospital_app import realtime
    from hospital_app.gateway import Gateway
    gateway = Gateway(cfg, db, app.extensions["hospital_key"], realtime.Dashboard(socketio))
    app.extensions["gateway"] = gateway
    realtime.register(socketio, db, gateway)
    if cfg["GATEWAY"]:
        gateway.start()
    return app
