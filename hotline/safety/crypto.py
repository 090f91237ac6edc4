"""Encryption at rest: Fernet with HOTLINE_SECRET_KEY; older keys still read (rotation)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

MARK = "f1:"  # sealed values start with this; anything else is legacy plain text


def _fernet(secret: str) -> Fernet:
    """A Fernet key derived from an operator's secret of any length."""
    digest = hashlib.sha256(b"hotline-at-rest:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class Sealer:
    """Seal with the first key; unseal with any of them."""

    def __init__(self, secrets: tuple[str, ...] | list[str]):
        if not secrets:
            raise ValueError("at least one secret key is needed")
        self._multi = MultiFernet([_fernet(s) for s in secrets])

    def seal(self, plain: str) -> str:
        return MARK + self._multi.encrypt(plain.encode()).decode()

    def unseal(self, sealed: str) -> str:
        if not sealed.startswith(MARK):
            return sealed
        try:
            return self._multi.decrypt(sealed[len(MARK) :].encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot decrypt: the key that sealed this is not configured") from exc

    def rotate(self, sealed: str) -> str:
        """Re-seal under the current key (for `hotline rotate-keys`); ValueError if unreadable."""
        if not sealed.startswith(MARK):
            return sealed
        try:
            return MARK + self._multi.rotate(sealed[len(MARK) :].encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot decrypt: the key that sealed this is not configured") from exc


# -- the process's sealer: configured by create_app, or from the environment in a worker -------
_sealer: Sealer | None = None
_stable: str = ""


def configure(secret_keys: tuple[str, ...] | list[str], hash_key: str = "") -> None:
    """Use these keys in this process (the first seals; all of them unseal).

    hash_key: the stable key (Settings.hash_key) that MACs and hashes derive from; by default
    the oldest of the secret keys, as config.hash_key_of decides.
    """
    global _sealer, _stable
    _sealer = Sealer(secret_keys)
    _stable = hash_key or list(secret_keys)[-1]


def _current() -> Sealer:
    if _sealer is None:
        from hotline.config import load_settings

        settings = load_settings()
        configure(settings.secret_keys, settings.hash_key)
    assert _sealer is not None
    return _sealer


def stable_key(purpose: str) -> bytes:
    """A 32-byte key for one purpose (the audit chain, CSRF), derived from the stable hash key.

    It does not change when HOTLINE_SECRET_KEY rotates, so what it signed stays verifiable.
    """
    _current()
    return hmac.new(_stable.encode(), b"hotline:" + purpose.encode(), hashlib.sha256).digest()


def current() -> Sealer:
    """This process's sealer (for `hotline rotate-keys`)."""
    return _current()


def seal(plain: str) -> str:
    """A number, message text or session as stored: encrypted, unreadable without the key."""
    return _current().seal(plain)


def unseal(stored: str | None) -> str:
    """Read back what seal() stored."""
    return _current().unseal(stored) if stored else ""
