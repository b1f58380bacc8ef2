"""Reading TOML files people write by hand (secrets, profiles, acceptances): every failure is one line naming the file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from apms_ops.errors import ConfigError, OpsError


def parse_toml(text: str | bytes, source: str, error: type[OpsError] = ConfigError) -> dict:
    """The TOML document ``text`` (from ``source``), or ``error`` with one readable line."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"{source}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                        "TOML files must be saved as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively: a few hundred levels exhaust the stack.
        raise error(f"{source}: not valid TOML: arrays or inline tables nested too deeply") from None


def read_toml(path: Path, error: type[OpsError] = ConfigError, what: str = "read") -> dict:
    """The TOML file at ``path``; a missing, unreadable, non-UTF-8 or malformed file raises ``error`` naming it."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot {what}: {exc.strerror or exc}") from None
    return parse_toml(data, str(path), error)
