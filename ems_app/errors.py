"""Refusals the services raise; the web layer turns them into a 4xx with the message."""


class Refused(Exception):
    def __init__(self, status: int, message: str, code: str = "refused"):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
