"""The embedded demo PostgreSQL server.

With no database configured, apms-ops reviews two demo databases served by a
PostgreSQL server that the project owns. It is started from server binaries
already on the machine (``initdb``, ``pg_ctl`` and ``postgres``), never from a
download.

Where the binaries come from, first match wins:

1. ``$APMS_OPS_PG_BINDIR`` if set (a folder holding the three programs);
2. a folder of ``PATH`` holding all three (symlinks are followed, so
   ``/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb`` gives the
   real bin folder);
3. ``pg_config --bindir``;
4. ``/usr/lib/postgresql/*/bin``, highest version first;
5. the bundled binaries of the ``pgserver`` pip package, if it is installed
   (``<site-packages>/pgserver/pginstall/bin``; it is not a requirement).

Where the server lives (the *root* folder):

* ``DemoServer(root=...)``, else ``$APMS_OPS_DEMO_DIR``, else
  ``<cache>/apms-ops/demo`` where ``<cache>`` is ``$XDG_CACHE_HOME`` or
  ``~/.cache``.
* The root holds ``data/`` (the cluster), ``port`` (the TCP port chosen at the
  first start, replaced by a free one if it is taken at a later start),
  ``postgres.log``, ``seeded.json`` (sha256 of the seed files each database
  was built from) and ``lock`` (an ``fcntl.flock`` so that two processes
  calling :meth:`DemoServer.ensure_running` at once do not both run initdb or
  seed).

Running as root: ``postgres`` refuses to run as root, so ``initdb`` and
``pg_ctl`` then run as an unprivileged *server user*: ``postgres`` if that user
exists, else ``nobody`` (``subprocess.run(..., user=, group=,
extra_groups=[])``). That user cannot traverse ``/root``, so the default root
folder is then ``~<server user>/.cache/apms-ops/demo`` when that home exists
and the server user can write to it (``/var/lib/postgresql/.cache/apms-ops/demo``
on Debian), else ``/var/tmp/apms-ops-demo-<server user>``. Whatever the root
(also one given by argument or ``$APMS_OPS_DEMO_DIR``), it and the folders
created for it are chowned to the server user and the data folder is mode
0700; every folder above the root must be traversable by the server user
(``/tmp/pytest-of-root/...`` is not: a :class:`DemoError` says so).

The server listens on 127.0.0.1 only, with no unix socket, and trusts every
local TCP connection (``initdb --auth=trust -U postgres``): any local user can
connect as the ``postgres`` superuser. It holds demo data only; never point it
at real data.

Seeding: each database of :data:`DEMO_DATABASES` is created if missing and
filled by running its seed files (plain SQL, no psql backslash commands nor
``COPY ... FROM stdin``, no transaction control) in order in one transaction.
A failure drops the database and raises :class:`DemoError` naming the file.
When a seed file changes, the next ``ensure_running`` drops and rebuilds that
database (hand-made changes in it are lost; the other database is kept).

Manual use::

    python -m apms_ops.demo_server [start|stop|status]
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import hashlib
import importlib.util
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import psycopg
from psycopg import sql

__all__ = ["DEMO_DATABASES", "DemoError", "DemoServer", "find_server_binaries"]

DEMO_DATABASES: dict[str, list[str]] = {
    "apms_staging": ["apms_schema.sql", "apms_staging_constraints.sql", "apms_data.sql"],
    "apms_fixed": ["apms_schema.sql", "apms_fixed_constraints.sql", "apms_data.sql"],
}

SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
LISTEN_ADDRESS = "127.0.0.1"
SUPERUSER = "postgres"

START_TIMEOUT_S = 60  # pg_ctl -w -t
STOP_TIMEOUT_S = 60
INITDB_TIMEOUT_S = 300
LOCK_TIMEOUT_S = 600  # another process may be seeding large files
CONNECT_TIMEOUT_S = 10
LOG_ROTATE_BYTES = 10 * 1024 * 1024

# Module-level so that tests can point the search elsewhere.
_PG_LIB_GLOB = "/usr/lib/postgresql/*/bin"
_DEFAULT_SEEDS_DIR = Path(__file__).resolve().parent.parent / "sql" / "seeds"

_version_cache: dict[str, str | None] = {}


class DemoError(Exception):
    """Any failure of the demo server; ``str(error)`` is one readable line."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


# --------------------------------------------------------------------------- binaries


def _has_programs(folder: Path) -> bool:
    return all(
        (folder / name).is_file() and os.access(folder / name, os.X_OK) for name in SERVER_PROGRAMS
    )


def _version_key(folder: str) -> tuple[int, ...]:
    name = Path(folder).parent.name  # /usr/lib/postgresql/<name>/bin
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (-1,)


def _pgserver_bindir() -> Path | None:
    """The bin folder bundled by the ``pgserver`` pip package, if it is installed.

    ``pgserver`` keeps ``initdb``, ``pg_ctl`` and ``postgres`` in
    ``<package>/pginstall/bin`` (its ``_commands.POSTGRES_BIN_PATH``). The
    package is located without importing it, so its own dependencies need not
    be importable.
    """
    try:
        spec = importlib.util.find_spec("pgserver")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    locations = list(spec.submodule_search_locations or [])
    if not locations and spec.origin:
        locations = [str(Path(spec.origin).parent)]
    for location in locations:
        candidate = Path(location) / "pginstall" / "bin"
        if _has_programs(candidate):
            return candidate
    return None


def _candidate_bindirs() -> Iterator[Path]:
    """Every folder holding the three server programs, in order of preference."""
    seen: set[Path] = set()

    def fresh(folder: Path) -> bool:
        key = folder.resolve()
        if key in seen:
            return False
        seen.add(key)
        return True

    override = os.environ.get("APMS_OPS_PG_BINDIR")
    if override and _has_programs(Path(override)) and fresh(Path(override)):
        yield Path(override)

    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if not entry:
            continue
        folder = Path(entry)
        if not _has_programs(folder):
            continue
        real = (folder / "initdb").resolve().parent
        if real != folder and _has_programs(real):
            folder = real
        if fresh(folder):
            yield folder

    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10,
                stdin=subprocess.DEVNULL,
            )
            bindir = Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
        except (OSError, subprocess.SubprocessError):
            bindir = None
        if bindir and _has_programs(bindir) and fresh(bindir):
            yield bindir

    for entry in sorted(glob.glob(_PG_LIB_GLOB), key=_version_key, reverse=True):
        folder = Path(entry)
        if _has_programs(folder) and fresh(folder):
            yield folder

    bundled = _pgserver_bindir()
    if bundled and fresh(bundled):
        yield bundled


def find_server_binaries() -> Path:
    """The bin folder holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Raises DemoError naming what was searched when there is none.
    """
    for folder in _candidate_bindirs():
        return folder
    raise DemoError(
        "no PostgreSQL server binaries (initdb, pg_ctl and postgres together) found in "
        f"$APMS_OPS_PG_BINDIR, PATH, `pg_config --bindir`, {_PG_LIB_GLOB} or the pgserver "
        "pip package; install PostgreSQL server binaries (e.g. `apt-get install postgresql`) "
        "or set DATABASE_URL to review an existing database"
    )


def _binaries_version(bindir: Path) -> str | None:
    """``15.20 (Debian 15.20-0+deb12u1)`` from ``postgres --version``, cached per folder."""
    key = str(bindir)
    if key not in _version_cache:
        try:
            out = subprocess.run(
                [str(bindir / "postgres"), "--version"], capture_output=True, text=True,
                timeout=10, stdin=subprocess.DEVNULL,
            )
            text = out.stdout.strip()
            _version_cache[key] = text.split(")", 1)[1].strip() if ")" in text else (text or None)
        except (OSError, subprocess.SubprocessError):
            _version_cache[key] = None
    return _version_cache[key]


def _major(version: str | None) -> str | None:
    if not version:
        return None
    parts = re.findall(r"\d+", version)
    if not parts:
        return None
    # 9.6 -> "9.6"; 10 and later -> "15"
    return f"{parts[0]}.{parts[1]}" if int(parts[0]) < 10 and len(parts) > 1 else parts[0]


# --------------------------------------------------------------------------- users & folders


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged user the server runs as when we are root; None otherwise."""
    if not _running_as_root():
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise DemoError("running as root but neither a 'postgres' nor a 'nobody' user exists to run the server")


def _user_may(path: Path, user: pwd.struct_passwd, write: bool = False) -> bool:
    """Whether ``user`` can traverse every folder down to ``path`` (and write it)."""
    if user.pw_uid == 0:
        return True
    groups = set(os.getgrouplist(user.pw_name, user.pw_gid))

    def allowed(st: os.stat_result, want: int) -> bool:  # want: 0o7-style rwx bits
        if st.st_uid == user.pw_uid:
            bits = (st.st_mode >> 6) & 7
        elif st.st_gid in groups:
            bits = (st.st_mode >> 3) & 7
        else:
            bits = st.st_mode & 7
        return bits & want == want

    try:
        path = path.resolve()
        for folder in reversed(path.parents):
            if not allowed(folder.stat(), 1):
                return False
        return allowed(path.stat(), 3 if write else 1)
    except OSError:
        return False


def _default_root() -> Path:
    env_dir = os.environ.get("APMS_OPS_DEMO_DIR")
    if env_dir:
        return Path(env_dir).expanduser()
    user = _server_user()
    if user is None:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(cache).expanduser() / "apms-ops" / "demo"
    home = Path(user.pw_dir)
    if home.is_dir() and _user_may(home, user, write=True):
        return home / ".cache" / "apms-ops" / "demo"
    return Path("/var/tmp") / f"apms-ops-demo-{user.pw_name}"


def _first_line(text: object) -> str:
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip() or "unknown error"


# --------------------------------------------------------------------------- server


class DemoServer:
    """The embedded demo server in one root folder (see the module docstring)."""

    def __init__(self, root: Path | None = None, seeds_dir: Path | None = None):
        self.root = Path(root).expanduser().absolute() if root is not None else _default_root().absolute()
        self.seeds_dir = Path(seeds_dir) if seeds_dir is not None else _DEFAULT_SEEDS_DIR
        self.data_dir = self.root / "data"
        self.log_file = self.root / "postgres.log"
        self.port_file = self.root / "port"
        self.seeded_file = self.root / "seeded.json"
        self.lock_file = self.root / "lock"
        self._user = _server_user()
        self._bindir: Path | None = None
        self._thread_lock = threading.Lock()
        #: What the last ensure_running() did: "initdb", "start", "seed:<db>", ...
        self.last_actions: list[str] = []

    # ----------------------------------------------------------------- public API

    def ensure_running(self) -> dict[str, str]:
        """Init if needed, start if not running, (re)seed databases whose seed files changed.

        Returns ``{database: url}`` for every database of DEMO_DATABASES.
        """
        actions: list[str] = []
        try:
            hashes = self._seed_hashes()  # fail early, before touching anything
            self._prepare_root()
            with self._locked():
                bindir = self._binaries()
                port = self._running_port()
                if port is None:
                    if not (self.data_dir / "PG_VERSION").is_file():
                        self._initdb(bindir)
                        actions.append("initdb")
                    self._check_data_version(bindir)
                    port = self._start(bindir)
                    actions.append("start")
                for database in self._reseed_needed(port, hashes):
                    self._seed_database(port, database, hashes[database])
                    actions.append(f"seed:{database}")
        except DemoError:
            raise
        except psycopg.Error as exc:
            raise DemoError(f"demo server at {self.root}: {_first_line(exc)}") from None
        except (OSError, subprocess.SubprocessError) as exc:
            raise DemoError(f"demo server at {self.root}: {_first_line(exc)}") from None
        finally:
            self.last_actions = actions
        return {database: self._url(port, database) for database in DEMO_DATABASES}

    def url(self, database: str) -> str:
        """``postgresql://postgres@127.0.0.1:<port>/<database>`` (the server need not be running)."""
        port = self._running_port_quick() or self._stored_port()
        if port is None:
            raise DemoError(f"the demo server in {self.root} was never started: call ensure_running() first")
        return self._url(port, database)

    def status(self) -> dict:
        """``{"running", "port", "data_dir", "bindir", "version"}`` plus ``root``, ``log_file``, ``server_user``."""
        try:
            bindir: Path | None = self._binaries()
        except DemoError:
            bindir = None
        port = self._running_port() if bindir else self._running_port_quick()
        running = port is not None
        version = _binaries_version(bindir) if bindir else None
        if version is None:
            with contextlib.suppress(OSError):
                version = (self.data_dir / "PG_VERSION").read_text().strip() or None
        return {
            "running": running,
            "port": port if running else self._stored_port(),
            "data_dir": str(self.data_dir),
            "bindir": str(bindir) if bindir else None,
            "version": version,
            "root": str(self.root),
            "log_file": str(self.log_file),
            "server_user": self._user.pw_name if self._user else None,
        }

    def stop(self) -> None:
        """``pg_ctl stop -m fast``; a no-op when the server is not running."""
        if not (self.data_dir / "PG_VERSION").is_file():
            return
        try:
            with self._locked():
                if self._running_port() is None:
                    return
                result = self._run(
                    [str(self._binaries() / "pg_ctl"), "stop", "-D", str(self.data_dir),
                     "-m", "fast", "-w", "-t", str(STOP_TIMEOUT_S)],
                    timeout=STOP_TIMEOUT_S + 30,
                )
                if result.returncode != 0 and self._running_port() is not None:
                    raise DemoError(
                        f"could not stop the demo server in {self.data_dir}: "
                        f"{_first_line(result.stderr or result.stdout)}"
                    )
        except (OSError, subprocess.SubprocessError) as exc:
            raise DemoError(f"could not stop the demo server in {self.data_dir}: {_first_line(exc)}") from None

    # ----------------------------------------------------------------- folders, locking, processes

    def _prepare_root(self) -> None:
        """Create the root (chowned to the server user when running as root)."""
        created: list[Path] = []
        folder = self.root
        while not folder.exists():
            created.append(folder)
            folder = folder.parent
        for path in reversed(created):
            with contextlib.suppress(FileExistsError):
                path.mkdir(mode=0o755)
        user = self._user
        if user is None:
            return
        for path in created + [self.root]:
            st = path.stat()
            if st.st_uid != user.pw_uid or st.st_gid != user.pw_gid:
                os.chown(path, user.pw_uid, user.pw_gid)
        if self.root.stat().st_mode & 0o700 != 0o700:
            os.chmod(self.root, self.root.stat().st_mode | 0o700)
        if not _user_may(self.root, user, write=True):
            blocker = next(
                (str(p) for p in reversed(self.root.parents) if not _user_may(p, user)), str(self.root)
            )
            raise DemoError(
                f"running as root, the demo server runs as user {user.pw_name!r}, which cannot reach "
                f"{self.root} ({blocker} is not traversable by it); use a folder it can reach, "
                "e.g. APMS_OPS_DEMO_DIR=/var/tmp/apms-ops-demo"
            )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Exclusive fcntl.flock on <root>/lock (per open file, so it also orders threads)."""
        with self._thread_lock:
            fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                deadline = time.monotonic() + LOCK_TIMEOUT_S
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise DemoError(
                                f"timed out after {LOCK_TIMEOUT_S}s waiting for {self.lock_file} "
                                "(another process is starting or seeding the demo server)"
                            ) from None
                        time.sleep(0.05)
                yield
            finally:
                os.close(fd)  # releases the lock

    def _binaries(self) -> Path:
        if self._bindir is None:
            self._bindir = find_server_binaries()
        return self._bindir

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        env.pop("LANGUAGE", None)
        if self._user is not None:
            env.update(HOME=self._user.pw_dir, USER=self._user.pw_name, LOGNAME=self._user.pw_name)
        return env

    def _run(self, args: list[str], timeout: float) -> subprocess.CompletedProcess:
        """Run a server program, as the server user when we are root.

        Output goes to temporary files, not pipes: a pipe inherited by the
        postmaster that ``pg_ctl start`` leaves behind could block the read.
        """
        kwargs: dict = {}
        if self._user is not None:
            kwargs.update(user=self._user.pw_uid, group=self._user.pw_gid, extra_groups=[])
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            try:
                proc = subprocess.run(
                    args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, text=True,
                    cwd=self.root, env=self._env(), timeout=timeout, **kwargs,
                )
            except subprocess.TimeoutExpired:
                raise DemoError(f"{Path(args[0]).name} {args[1]} did not finish within {timeout:.0f}s") from None
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(args, proc.returncode, out.read(), err.read())

    # ----------------------------------------------------------------- init / start

    def _initdb(self, bindir: Path) -> None:
        staging = self.root / "data.init"
        if staging.exists():
            shutil.rmtree(staging)  # left over by an interrupted initdb
        if self.data_dir.exists():  # a data folder without PG_VERSION: not a cluster
            shutil.rmtree(self.data_dir)
        result = self._run(
            [str(bindir / "initdb"), "-D", str(staging), "--auth=trust", "-U", SUPERUSER,
             "--encoding=UTF8", "--locale=C", "--no-instructions"],
            timeout=INITDB_TIMEOUT_S,
        )
        if result.returncode != 0:
            with contextlib.suppress(OSError):
                shutil.rmtree(staging)
            detail = next(
                (line for line in (result.stderr + "\n" + result.stdout).splitlines()
                 if "initdb:" in line and ("error" in line or "FATAL" in line)),
                _first_line(result.stderr or result.stdout),
            )
            raise DemoError(f"initdb failed for {self.data_dir}: {detail.strip()}")
        os.replace(staging, self.data_dir)
        if self._user is not None:
            os.chown(self.data_dir, self._user.pw_uid, self._user.pw_gid)
        os.chmod(self.data_dir, 0o700)
        with contextlib.suppress(FileNotFoundError):
            self.seeded_file.unlink()  # a new cluster has none of the old databases

    def _check_data_version(self, bindir: Path) -> None:
        data_version = (self.data_dir / "PG_VERSION").read_text().strip()
        binaries = _major(_binaries_version(bindir))
        if binaries is None or binaries == data_version:
            return
        for other in _candidate_bindirs():
            if _major(_binaries_version(other)) == data_version:
                self._bindir = other
                return
        raise DemoError(
            f"the demo data folder {self.data_dir} was made by PostgreSQL {data_version} but the server "
            f"binaries in {bindir} are {binaries}; delete {self.root} (the demo data is rebuilt)"
        )

    def _start(self, bindir: Path) -> int:
        bindir = self._bindir or bindir  # _check_data_version may have picked another folder
        preferred = self._stored_port()
        last_error = ""
        for _attempt in range(3):
            port = preferred if preferred is not None and _port_free(preferred) else _free_port()
            preferred = None
            self._write_port(port)
            self._rotate_log()
            offset = self.log_file.stat().st_size if self.log_file.exists() else 0
            options = f"-c listen_addresses={LISTEN_ADDRESS} -c unix_socket_directories='' -p {port}"
            result = self._run(
                [str(bindir / "pg_ctl"), "start", "-D", str(self.data_dir), "-l", str(self.log_file),
                 "-w", "-t", str(START_TIMEOUT_S), "-o", options],
                timeout=START_TIMEOUT_S + 30,
            )
            if result.returncode == 0:
                return self._running_port_quick() or port
            log = self._read_log_from(offset)
            last_error = _log_error(log) or _first_line(result.stderr or result.stdout)
            if "could not bind" in log or "already in use" in log:
                continue  # someone took the port between the check and the start
            break
        raise DemoError(f"could not start the demo server ({last_error}); see {self.log_file}")

    def _rotate_log(self) -> None:
        with contextlib.suppress(OSError):
            if self.log_file.stat().st_size > LOG_ROTATE_BYTES:
                os.replace(self.log_file, self.log_file.with_name(self.log_file.name + ".1"))

    def _read_log_from(self, offset: int) -> str:
        try:
            with open(self.log_file, "rb") as fh:
                fh.seek(offset)
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # ----------------------------------------------------------------- ports

    def _stored_port(self) -> int | None:
        try:
            port = int(self.port_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return port if 0 < port < 65536 else None

    def _write_port(self, port: int) -> None:
        if self._stored_port() == port:
            return
        tmp = self.port_file.with_name(f"port.{os.getpid()}.tmp")
        tmp.write_text(f"{port}\n")
        os.replace(tmp, self.port_file)

    def _running_port_quick(self) -> int | None:
        """The port from postmaster.pid if its process is alive (no subprocess)."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, owned by another user
        return port

    def _running_port(self) -> int | None:
        """The port of our running server, as ``pg_ctl status`` sees it; None if not running."""
        if not (self.data_dir / "PG_VERSION").is_file():
            return None
        result = self._run([str(self._binaries() / "pg_ctl"), "status", "-D", str(self.data_dir)], timeout=30)
        if result.returncode != 0:
            return None
        port = self._running_port_quick()
        if port is not None:
            with contextlib.suppress(OSError):
                self._write_port(port)
        return port

    @staticmethod
    def _url(port: int, database: str) -> str:
        return f"postgresql://{SUPERUSER}@{LISTEN_ADDRESS}:{port}/{database}"

    # ----------------------------------------------------------------- seeding

    def _seed_hashes(self) -> dict[str, str]:
        hashes: dict[str, str] = {}
        for database, files in DEMO_DATABASES.items():
            digest = hashlib.sha256()
            for name in files:
                path = self.seeds_dir / name
                try:
                    content = path.read_bytes()
                except OSError as exc:
                    raise DemoError(f"seed file {path} for {database} cannot be read: {exc.strerror or exc}") from None
                digest.update(name.encode() + b"\0" + str(len(content)).encode() + b"\0" + content)
            hashes[database] = digest.hexdigest()
        return hashes

    def _load_seeded(self) -> dict:
        try:
            data = json.loads(self.seeded_file.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_seeded(self, data: dict) -> None:
        tmp = self.seeded_file.with_name(f"seeded.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.seeded_file)

    def _connect(self, port: int, database: str) -> psycopg.Connection:
        try:
            return psycopg.connect(self._url(port, database), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            raise DemoError(f"cannot connect to the demo server on port {port}: {_first_line(exc)}") from None

    def _reseed_needed(self, port: int, hashes: dict[str, str]) -> list[str]:
        seeded = self._load_seeded()
        with self._connect(port, "postgres") as conn:
            existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        return [
            database for database in DEMO_DATABASES
            if database not in existing or (seeded.get(database) or {}).get("sha256") != hashes[database]
        ]

    def _drop_database(self, conn: psycopg.Connection, database: str) -> None:
        name = sql.Identifier(database)
        if conn.info.server_version >= 130000:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        else:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))

    def _seed_database(self, port: int, database: str, digest: str) -> None:
        """Drop and create ``database``, then run its seed files in one transaction."""
        seeded = self._load_seeded()
        if seeded.pop(database, None) is not None:
            self._save_seeded(seeded)
        with self._connect(port, "postgres") as admin:
            self._drop_database(admin, database)
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(database))
            )
            current = None
            try:
                with self._connect(port, database) as conn:
                    with conn.transaction():
                        for name in DEMO_DATABASES[database]:
                            current = name
                            text = (self.seeds_dir / name).read_text(encoding="utf-8")
                            if text.strip():
                                conn.execute(text.encode("utf-8"))  # no params: simple query, many statements
            except (psycopg.Error, OSError, UnicodeDecodeError) as exc:
                with contextlib.suppress(psycopg.Error):
                    self._drop_database(admin, database)
                where = f"{self.seeds_dir / current}" if current else "connect"
                raise DemoError(f"seeding {database} failed in {where}: {_first_line(exc)}") from None
        seeded = self._load_seeded()
        seeded[database] = {
            "sha256": digest,
            "files": list(DEMO_DATABASES[database]),
            "seeded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        self._save_seeded(seeded)


# --------------------------------------------------------------------------- helpers


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # postgres sets SO_REUSEADDR too, so a port in TIME_WAIT counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LISTEN_ADDRESS, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LISTEN_ADDRESS, 0))
        return sock.getsockname()[1]


def _log_error(log: str) -> str:
    for line in reversed(log.splitlines()):
        if any(level in line for level in ("FATAL:", "PANIC:", "ERROR:")):
            return line.strip()
    return ""


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "start"
    if command not in ("start", "stop", "status") or len(args) > 1:
        print("usage: python -m apms_ops.demo_server [start|stop|status]", file=sys.stderr)
        return 2
    server = DemoServer()
    try:
        if command == "start":
            started = time.perf_counter()
            urls = server.ensure_running()
            did = ", ".join(server.last_actions) or "already running, seeds unchanged"
            print(f"demo server in {server.root} ({did}; {time.perf_counter() - started:.2f}s)")
            for database, url in urls.items():
                print(f"{database}: {url}")
        elif command == "stop":
            was_running = server.status()["running"]
            server.stop()
            print(f"demo server in {server.root} {'stopped' if was_running else 'was not running'}")
        else:
            for key, value in server.status().items():
                print(f"{key}: {value}")
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
