"""The hospital app's HTTP surface: sign-in, inquiries, patients, pages."""
from flask import current_app

from shared.storage import Database


def db() -> Database:
    return current_app.extensions["db"]
