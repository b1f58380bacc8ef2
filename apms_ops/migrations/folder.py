"""A Prisma migrations folder (``prisma/migrations``), read the way Prisma reads it.

Every sub-directory is one migration, named ``<timestamp>_<name>``, in
lexicographic order, holding a ``migration.sql``. ``migration_lock.toml`` at the
top names the provider. Prisma records the SHA-256 of the script (hex, 64
characters) in ``_prisma_migrations.checksum`` and, when it compares, accepts the
file as it is, with CRLF turned into LF, or with LF turned into CRLF (git may
have changed line endings), and, for rows written by old Prisma versions, a hex
string whose bytes were not zero-padded.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from apms_ops.errors import ConfigError

SCRIPT_NAME = "migration.sql"
LOCKFILE_NAME = "migration_lock.toml"
PROVIDER = "postgresql"
PROVIDERS = {"postgresql", "postgres"}  # Prisma writes "postgresql"; "postgres" is the schema's alias
CHECKSUM_LENGTH = 64

# First line of a migration that must not run inside a transaction block
# (CREATE INDEX CONCURRENTLY): Prisma runs a one-statement script outside one,
# and a runner that wraps each script in BEGIN/COMMIT must not wrap this one.
NON_TRANSACTIONAL_MARK = "-- apms-ops: non-transactional"


def checksum(script: bytes) -> str:
    """The checksum Prisma records for ``script``: SHA-256, lowercase hex."""
    return hashlib.sha256(script).hexdigest()


def _unpadded_hex(digest: bytes) -> str:
    return "".join(f"{b:x}" for b in digest)


def script_matches_checksum(script: bytes, recorded: str | None) -> bool:
    """Whether Prisma would take ``script`` as the one recorded with ``recorded``.

    Same rules as Prisma's schema engine: the file as is, CRLF -> LF, LF -> CRLF;
    a recorded value of another length than 64 is compared with the old,
    unpadded hex rendering.
    """
    recorded = recorded or ""
    old_format = bool(recorded) and len(recorded) != CHECKSUM_LENGTH
    for variant in (script, script.replace(b"\r\n", b"\n"), script.replace(b"\n", b"\r\n")):
        digest = hashlib.sha256(variant).digest()
        if (_unpadded_hex(digest) if old_format else digest.hex()) == recorded:
            return True
    return False


@dataclass(frozen=True)
class FolderMigration:
    """One migration directory of the folder."""

    name: str
    path: Path
    script: bytes

    @cached_property
    def checksum(self) -> str:
        return checksum(self.script)

    @property
    def text(self) -> str:
        return self.script.decode("utf-8")

    @property
    def script_path(self) -> Path:
        return self.path / SCRIPT_NAME

    @property
    def non_transactional(self) -> bool:
        return self.text.lstrip().startswith(NON_TRANSACTIONAL_MARK)

    def matches(self, recorded: str | None) -> bool:
        return script_matches_checksum(self.script, recorded)


@dataclass(frozen=True)
class MigrationsFolder:
    path: Path
    migrations: tuple[FolderMigration, ...]
    provider: str | None = None

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.migrations]

    def get(self, name: str) -> FolderMigration | None:
        return next((m for m in self.migrations if m.name == name), None)


def _lockfile_provider(path: Path) -> str | None:
    """The provider ``migration_lock.toml`` names (None without the file)."""
    lock = path / LOCKFILE_NAME
    if not lock.is_file():
        return None
    try:
        text = lock.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{lock}: cannot read: {exc}") from None
    try:
        provider = tomllib.loads(text).get("provider")
        if isinstance(provider, str):
            return provider
    except tomllib.TOMLDecodeError:
        pass
    # Prisma itself reads the first line that starts with "provider".
    line = next((ln for ln in text.splitlines() if ln.startswith("provider")), None)
    return line.removeprefix("provider = ").strip('"') if line else "<provider not found>"


def read_folder(path: str | Path) -> MigrationsFolder:
    """Every migration of a Prisma migrations folder, in the order Prisma applies them.

    Raises ``ConfigError`` (one line naming the path) when the folder is not
    there, a migration has no readable ``migration.sql``, or the lock file names
    another provider than PostgreSQL: Prisma would refuse the folder too.
    """
    root = Path(path).expanduser()
    if not root.is_dir():
        raise ConfigError(f"{root}: migrations folder not found (give the app's prisma/migrations directory)")
    provider = _lockfile_provider(root)
    if provider is not None and provider not in PROVIDERS:
        raise ConfigError(f"{root / LOCKFILE_NAME}: provider is {provider!r}, not {PROVIDER!r}: this folder is not for a PostgreSQL database")
    migrations = []
    try:
        entries = sorted((e for e in root.iterdir() if e.is_dir()), key=lambda e: e.name)
    except OSError as exc:
        raise ConfigError(f"{root}: cannot list: {exc.strerror or exc}") from None
    for entry in entries:
        script_path = entry / SCRIPT_NAME
        try:
            script = script_path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{script_path}: cannot read the migration script: {exc.strerror or exc}") from None
        try:
            script.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{script_path}: not UTF-8 (byte {exc.start}); Prisma cannot read it either") from None
        migrations.append(FolderMigration(entry.name, entry, script))
    return MigrationsFolder(root, tuple(migrations), provider)
