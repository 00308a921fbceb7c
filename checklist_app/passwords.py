"""The password rules: long enough, not one repeated character, not a common password, not the username.

One function, :func:`problems`, says everything wrong with a proposed password
(in Chinese, from strings.py); creating an account, resetting a password and
changing one's own all go through it. The common passwords are a list shipped
with the package (``data/common-passwords.txt``), compared lower-case with
surrounding spaces trimmed.
"""

from __future__ import annotations

import functools
from importlib import resources

from .strings import t

MIN_LENGTH = 10
# Long enough for any passphrase; keeps a megabyte "password" away from scrypt.
MAX_LENGTH = 128


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-case."""
    text = resources.files(__package__).joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def problems(password: object, username: str = "") -> list[str]:
    """Why ``password`` may not be used by ``username``: one message per broken rule, [] if none."""
    if not isinstance(password, str) or not password:
        return [t("password.missing")]
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: cannot be hashed, and no keyboard types it
        return [t("password.unreadable")]
    found = []
    if len(password) < MIN_LENGTH:
        found.append(t("password.too_short", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        found.append(t("password.too_long", n=MAX_LENGTH))
    if len(set(password)) == 1:
        found.append(t("password.repeated"))
    if username and password.strip().lower() == username.strip().lower():
        found.append(t("password.is_username"))
    elif password.strip().lower() in common_passwords():
        found.append(t("password.common"))
    return found
