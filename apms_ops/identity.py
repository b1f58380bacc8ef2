"""Which database a result is about: the server's system identifier, the database's name and oid, host and port.

An environment is a name people give a URL; the database behind it can change
(a staging server rebuilt, a URL pointed elsewhere, two ``--dsn`` runs of two
databases). Reviews, invariant runs, acceptances and sign-offs carry the
identity of the database they were made on, so history never compares two
databases without saying so and an acceptance never clears another database's
finding.

The system identifier comes from ``pg_control_system()``, which some servers
revoke from PUBLIC; then the identity falls back to host, port and database
oid, and says why (``note``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from apms_ops import sqlfiles
from apms_ops.connections import Environment, normalize_url

UNREADABLE = ("the server's system identifier is not readable by this role (pg_control_system() needs EXECUTE: "
              "GRANT EXECUTE ON FUNCTION pg_catalog.pg_control_system() TO <role>); identified by host, port and database oid")


@dataclass(frozen=True)
class DatabaseIdentity:
    database: str
    database_oid: int
    host: str
    port: int
    system_identifier: str | None = None
    note: str | None = None  # why the system identifier is missing

    @property
    def key(self) -> str:
        """What two runs must share to be of the same database."""
        if self.system_identifier:
            return f"{self.system_identifier}/{self.database_oid}"
        return f"{self.host}:{self.port}/{self.database_oid}"

    @property
    def label(self) -> str:
        system = f"system {self.system_identifier}" if self.system_identifier else "system identifier unknown"
        return f"{self.database} (oid {self.database_oid}) on {self.host}:{self.port}, {system}"

    def to_dict(self) -> dict:
        return {**asdict(self), "key": self.key, "label": self.label}


def read_identity(conn: Connection, env: Environment) -> DatabaseIdentity:
    """The identity of the database ``conn`` is connected to (one statement, two when the system identifier is readable)."""
    row = conn.execute(sa.text(sqlfiles.load("identity/01_database.sql"))).mappings().one()
    system_identifier, note = None, UNREADABLE
    if row["may_read_system_identifier"]:
        try:
            with conn.begin_nested():
                system_identifier = conn.execute(sa.text(sqlfiles.load("identity/02_system_identifier.sql"))).scalar()
            note = None
        except sa.exc.DBAPIError as exc:
            note = f"the server's system identifier could not be read ({' '.join(str(getattr(exc, 'orig', exc)).split())})"
    url = normalize_url(env.url)
    host = url.host or url.query.get("host") or "localhost"
    return DatabaseIdentity(
        database=row["database"], database_oid=int(row["database_oid"]),
        host=",".join(host) if isinstance(host, tuple) else str(host), port=int(url.port or 5432),
        system_identifier=system_identifier, note=note,
    )


def identity_key(identity: dict | None) -> str | None:
    """The key of an identity as stored in a result (``None`` for results saved before identities)."""
    return (identity or {}).get("key") or None


def identity_label(identity: dict | None) -> str:
    return (identity or {}).get("label") or "an unidentified database (saved before database identities were recorded)"
