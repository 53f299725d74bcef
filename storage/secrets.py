"""Secrets at rest: tokens are stored only as Fernet tokens under ``SECRETS_KEY``.

Several keys may be given, newest first: anything is read with whichever key wrote it, and
everything written is written with the newest, so adding a key before the old one rotates the
rows as they are written again, and the old key can go once none of its rows is left."""

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_FORMAT = (
    "one or more Fernet keys (as Fernet.generate_key() makes), comma-separated, newest first"
)


class WrongKey(Exception):
    """A stored secret was written under a key that is not among ``SECRETS_KEY``'s."""


def parse_keys(value: str) -> list[str]:
    """The keys of a ``SECRETS_KEY`` value; ValueError (never naming a key) if one is not a
    Fernet key."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    if not keys:
        raise ValueError(f"must be {KEY_FORMAT}")
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ValueError(f"must be {KEY_FORMAT}") from None
    return keys


class Cipher:
    """Seals and opens strings with the keys of ``SECRETS_KEY``, writing with the newest."""

    def __init__(self, keys: Sequence[str]) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise WrongKey("written under a key SECRETS_KEY does not hold") from None
