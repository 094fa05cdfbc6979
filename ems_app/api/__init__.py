"""The hub's HTTP surface, one blueprint per area; each route only parses and calls a service."""
from flask import current_app

from ems_app.hub import Hub


def hub() -> Hub:
    return current_app.extensions["hub"]
