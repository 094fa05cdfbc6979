"""The hub's grant-signing keys, rotated by kid with an overlap.

`rotate()` makes a new key current; older keys stay in the JWKS until every grant they could
have signed has expired (the hard cap plus a margin), then they are retired. Several hub
processes share the directory, so each notices a rotation on its next use."""
from __future__ import annotations

import os
import time
from pathlib import Path

from shared.tokens.keys import KeyStore


class KeyRing:
    def __init__(self, directory: str | os.PathLike, retire_after_s: int):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.retire_after_s = retire_after_s
        self._pointer = self.directory / "current"
        self._seen_mtime = -1.0
        self._keys: dict[str, KeyStore] = {}
        if not self._pointer.exists():
            self.rotate()
        self.refresh()

    def refresh(self) -> None:
        mtime = self._pointer.stat().st_mtime
        if mtime == self._seen_mtime:
            return
        keys = {}
        for pem in sorted(self.directory.glob("key-*.pem")):
            try:
                store = KeyStore(self.directory, name=pem.stem, create=False)
            except FileNotFoundError:  # retired by another process meanwhile
                continue
            keys[store.kid] = store
        self._keys, self._seen_mtime = keys, mtime
        self._current = self._pointer.read_text().strip()

    @property
    def current(self) -> KeyStore:
        self.refresh()
        for store in self._keys.values():
            if store.path.stem == self._current:
                return store
        raise RuntimeError(f"current signing key {self._current} is missing from {self.directory}")

    def public_keys(self) -> dict[str, object]:
        self.refresh()
        return {kid: k.private_key.public_key() for kid, k in self._keys.items()}

    def jwks(self) -> dict:
        self.refresh()
        return {"keys": [k.public for k in self._keys.values()]}

    def rotate(self) -> str:
        """A new current key; a key is deleted once it has not been current for the overlap
        (the hard cap plus a margin), so every grant it signed has expired. Returns the new kid."""
        name = f"key-{time.time_ns()}"
        store = KeyStore(self.directory, name=name)
        if self._pointer.exists():  # the outgoing key stops signing now: its overlap starts now
            (self.directory / f"{self._pointer.read_text().strip()}.retired").write_text(str(time.time()))
        tmp = self.directory / "current.tmp"
        tmp.write_text(name)
        os.replace(tmp, self._pointer)  # atomic: a reader sees the old or the new pointer
        cutoff = time.time() - self.retire_after_s
        for mark in self.directory.glob("key-*.retired"):
            if float(mark.read_text() or 0) < cutoff:
                (self.directory / f"{mark.stem}.pem").unlink(missing_ok=True)
                mark.unlink()
        self._seen_mtime = -1.0
        return store.kid
