"""The embedded demo server, against the real PostgreSQL binaries of this machine.

Each test gets its own root folder under /var/tmp (a folder the unprivileged
server user can reach when the tests run as root) and tiny seed files; every
server started is stopped in teardown.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest

from apms_ops import demo_server
from apms_ops.demo_server import DEMO_DATABASES, DemoError, DemoServer, find_server_binaries

REPO = Path(__file__).resolve().parent.parent
PG15_BIN = Path("/usr/lib/postgresql/15/bin")

SEEDS = {
    "apms_schema.sql": "CREATE TABLE items (id int PRIMARY KEY, name text);\n",
    "apms_staging_constraints.sql": "ALTER TABLE items ADD CONSTRAINT items_name_nonempty CHECK (name <> '');\n",
    "apms_fixed_constraints.sql": "CREATE UNIQUE INDEX items_name_uq ON items (name);\n",
    "apms_data.sql": "INSERT INTO items VALUES (1, 'alpha'), (2, 'beta');\n-- 100% plain SQL\n",
}


def write_seeds(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SEEDS.items():
        (folder / name).write_text(text)
    return folder


def query(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else []


def databases(server: DemoServer) -> set[str]:
    return {row[0] for row in query(server.url("postgres"), "SELECT datname FROM pg_database")}


def force_stop(root: Path) -> None:
    """Last resort in teardown if stop() failed: signal the postmaster directly."""
    pid_file = root / "data" / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, signal.SIGQUIT)
    except (OSError, ValueError, IndexError):
        pass


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return write_seeds(tmp_path / "seeds")


@pytest.fixture
def demo_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="apms-demo-test-", dir="/var/tmp"))  # mode 0700, owned by us
    yield root
    force_stop(root)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def server(demo_root: Path, seeds: Path) -> DemoServer:
    srv = DemoServer(root=demo_root, seeds_dir=seeds)
    yield srv
    try:
        srv.stop()
    finally:
        force_stop(demo_root)


# --------------------------------------------------------------------------- binaries


def test_find_server_binaries_finds_pg15():
    bindir = find_server_binaries()
    assert bindir == PG15_BIN
    for name in ("initdb", "pg_ctl", "postgres"):
        assert (bindir / name).is_file()


def test_path_symlinks_resolve_to_real_bindir(tmp_path, monkeypatch):
    links = tmp_path / "bin"
    links.mkdir()
    for name in ("initdb", "pg_ctl", "postgres"):
        (links / name).symlink_to(PG15_BIN / name)
    monkeypatch.delenv("APMS_OPS_PG_BINDIR", raising=False)
    monkeypatch.setenv("PATH", str(links))
    assert find_server_binaries() == PG15_BIN


def test_no_binaries_is_a_readable_error(tmp_path, monkeypatch):
    monkeypatch.delenv("APMS_OPS_PG_BINDIR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no programs, no pg_config
    monkeypatch.setattr(demo_server, "_PG_LIB_GLOB", str(tmp_path / "nothing" / "*" / "bin"))
    monkeypatch.setattr(demo_server, "_pgserver_bindir", lambda: None)
    with pytest.raises(DemoError) as info:
        find_server_binaries()
    message = str(info.value)
    assert "\n" not in message
    for word in ("PATH", "pg_config", "pgserver", "install PostgreSQL", "DATABASE_URL"):
        assert word in message


def test_pgserver_package_layout_is_used_last(tmp_path, monkeypatch):
    # pgserver keeps its bundled server in <site-packages>/pgserver/pginstall/bin.
    package = tmp_path / "site" / "pgserver"
    bindir = package / "pginstall" / "bin"
    bindir.mkdir(parents=True)
    (package / "__init__.py").write_text("raise ImportError('must not be imported')\n")
    for name in ("initdb", "pg_ctl", "postgres"):
        (bindir / name).symlink_to(PG15_BIN / name)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delenv("APMS_OPS_PG_BINDIR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(demo_server, "_PG_LIB_GLOB", str(tmp_path / "nothing" / "*" / "bin"))
    assert demo_server._pgserver_bindir() == bindir
    assert find_server_binaries() == bindir


# --------------------------------------------------------------------------- root folder


def test_default_root(monkeypatch, tmp_path):
    monkeypatch.setenv("APMS_OPS_DEMO_DIR", str(tmp_path / "explicit"))
    assert DemoServer().root == tmp_path / "explicit"

    monkeypatch.delenv("APMS_OPS_DEMO_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = DemoServer().root
    if os.geteuid() == 0:
        # The server runs as postgres (or nobody), which cannot traverse /root.
        import pwd

        user = pwd.getpwnam("postgres")
        assert root == Path(user.pw_dir) / ".cache" / "apms-ops" / "demo"
        assert not str(root).startswith(str(Path.home()))
    else:
        assert root == tmp_path / "cache" / "apms-ops" / "demo"
    assert DemoServer().seeds_dir == REPO / "sql" / "seeds"


def test_root_the_server_user_cannot_reach(tmp_path, seeds):
    # pytest's tmp_path lives under /tmp/pytest-of-<user>, mode 0700.
    srv = DemoServer(root=tmp_path / "demo", seeds_dir=seeds)
    if os.geteuid() == 0:
        with pytest.raises(DemoError, match="cannot reach"):
            srv.ensure_running()
        assert not (tmp_path / "demo" / "data").exists()
    else:
        try:
            assert set(srv.ensure_running()) == set(DEMO_DATABASES)
        finally:
            srv.stop()


# --------------------------------------------------------------------------- lifecycle


def test_first_start_creates_and_seeds_both_databases(server, demo_root):
    assert server.status()["running"] is False
    started = time.perf_counter()
    urls = server.ensure_running()
    elapsed = time.perf_counter() - started
    print(f"\nfirst start (initdb + start + seed): {elapsed:.2f}s")

    assert server.last_actions == ["initdb", "start", "seed:apms_staging", "seed:apms_fixed"]
    port = int((demo_root / "port").read_text())
    assert urls == {db: f"postgresql://postgres@127.0.0.1:{port}/{db}" for db in DEMO_DATABASES}
    assert server.url("apms_fixed") == urls["apms_fixed"]

    for url in urls.values():
        assert query(url, "SELECT id, name FROM items ORDER BY id") == [(1, "alpha"), (2, "beta")]
    # each database got its own constraints file
    staging_checks = query(urls["apms_staging"], "SELECT conname FROM pg_constraint WHERE contype = 'c'")
    assert ("items_name_nonempty",) in staging_checks
    assert query(urls["apms_staging"], "SELECT 1 FROM pg_indexes WHERE indexname = 'items_name_uq'") == []
    assert query(urls["apms_fixed"], "SELECT 1 FROM pg_indexes WHERE indexname = 'items_name_uq'") == [(1,)]

    # 127.0.0.1 only, no unix socket, UTF8 / C
    settings = dict(query(urls["apms_fixed"], "SELECT name, setting FROM pg_settings WHERE name IN "
                                              "('listen_addresses', 'unix_socket_directories', 'lc_collate', "
                                              "'server_encoding', 'port')"))
    assert settings == {"listen_addresses": "127.0.0.1", "unix_socket_directories": "", "lc_collate": "C",
                        "server_encoding": "UTF8", "port": str(port)}
    assert not list(demo_root.glob("**/.s.PGSQL.*"))

    seeded = json.loads((demo_root / "seeded.json").read_text())
    assert set(seeded) == set(DEMO_DATABASES)
    assert all(len(entry["sha256"]) == 64 for entry in seeded.values())
    assert (demo_root / "postgres.log").is_file()

    data = (demo_root / "data").stat()
    assert data.st_mode & 0o777 == 0o700
    if os.geteuid() == 0:
        import pwd

        server_user = pwd.getpwnam("postgres")
        assert data.st_uid == server_user.pw_uid
        assert demo_root.stat().st_uid == server_user.pw_uid
        assert query(urls["apms_fixed"], "SELECT current_setting('data_directory')") == [(str(demo_root / "data"),)]
        assert server.status()["server_user"] == "postgres"


def test_second_call_is_fast_and_does_not_reseed(server, demo_root):
    urls = server.ensure_running()
    query(urls["apms_staging"], "INSERT INTO items VALUES (99, 'by hand')")
    seeded_before = (demo_root / "seeded.json").read_bytes()

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        assert server.ensure_running() == urls
        timings.append(time.perf_counter() - started)
        assert server.last_actions == []
    print(f"\nwarm ensure_running: {min(timings) * 1000:.0f}-{max(timings) * 1000:.0f} ms")
    assert max(timings) < 1.0

    # a fresh object on the same root (another process would do the same)
    assert DemoServer(root=demo_root, seeds_dir=server.seeds_dir).ensure_running() == urls
    assert (demo_root / "seeded.json").read_bytes() == seeded_before
    assert query(urls["apms_staging"], "SELECT name FROM items WHERE id = 99") == [("by hand",)]


def test_changed_seed_file_reseeds_that_database_only(server, seeds, demo_root):
    urls = server.ensure_running()
    for url in urls.values():
        query(url, "INSERT INTO items VALUES (99, 'by hand')")
    before = json.loads((demo_root / "seeded.json").read_text())

    (seeds / "apms_staging_constraints.sql").write_text(
        "ALTER TABLE items ADD CONSTRAINT items_id_positive CHECK (id > 0);\n"
    )
    assert server.ensure_running() == urls
    assert server.last_actions == ["seed:apms_staging"]
    after = json.loads((demo_root / "seeded.json").read_text())
    assert after["apms_fixed"] == before["apms_fixed"]
    assert after["apms_staging"]["sha256"] != before["apms_staging"]["sha256"]
    assert query(urls["apms_staging"], "SELECT count(*) FROM items WHERE id = 99") == [(0,)]
    assert ("items_id_positive",) in query(urls["apms_staging"], "SELECT conname FROM pg_constraint")
    assert query(urls["apms_fixed"], "SELECT count(*) FROM items WHERE id = 99") == [(1,)]

    # a file both databases use reseeds both
    (seeds / "apms_data.sql").write_text("INSERT INTO items VALUES (3, 'gamma');\n")
    server.ensure_running()
    assert server.last_actions == ["seed:apms_staging", "seed:apms_fixed"]
    for url in urls.values():
        assert query(url, "SELECT id FROM items ORDER BY id") == [(3,)]


def test_failed_seed_drops_the_database_and_names_the_file(server, seeds, demo_root):
    (seeds / "apms_fixed_constraints.sql").write_text(
        "CREATE UNIQUE INDEX items_name_uq ON items (name);\nALTER TABLE nowhere ADD COLUMN x int;\n"
    )
    with pytest.raises(DemoError) as info:
        server.ensure_running()
    message = str(info.value)
    assert "\n" not in message
    assert "apms_fixed" in message and "apms_fixed_constraints.sql" in message
    assert 'relation "nowhere" does not exist' in message
    assert "apms_fixed" not in databases(server)
    assert "apms_staging" in databases(server)
    assert set(json.loads((demo_root / "seeded.json").read_text())) == {"apms_staging"}

    (seeds / "apms_fixed_constraints.sql").write_text(SEEDS["apms_fixed_constraints.sql"])
    urls = server.ensure_running()
    assert server.last_actions == ["seed:apms_fixed"]
    assert query(urls["apms_fixed"], "SELECT count(*) FROM items") == [(2,)]


def test_missing_seed_file_is_a_demo_error(server, seeds):
    (seeds / "apms_data.sql").unlink()
    with pytest.raises(DemoError, match="apms_data.sql"):
        server.ensure_running()


def test_dropped_database_is_recreated(server):
    urls = server.ensure_running()
    query(server.url("postgres"), 'DROP DATABASE "apms_fixed" WITH (FORCE)')
    assert server.ensure_running() == urls
    assert server.last_actions == ["seed:apms_fixed"]


def test_stop_then_ensure_running_reuses_the_data(server, demo_root):
    with pytest.raises(DemoError, match="never started"):
        server.url("apms_fixed")
    server.stop()  # nothing to stop yet: a no-op

    urls = server.ensure_running()
    query(urls["apms_fixed"], "INSERT INTO items VALUES (99, 'by hand')")
    seeded = (demo_root / "seeded.json").read_bytes()

    started = time.perf_counter()
    server.stop()
    print(f"\nstop: {time.perf_counter() - started:.2f}s")
    assert server.status()["running"] is False
    assert not (demo_root / "data" / "postmaster.pid").exists()
    server.stop()  # already stopped: a no-op

    started = time.perf_counter()
    assert server.ensure_running() == urls  # the kept port was free
    print(f"restart with existing data: {time.perf_counter() - started:.2f}s")
    assert server.last_actions == ["start"]
    assert (demo_root / "seeded.json").read_bytes() == seeded
    assert query(urls["apms_fixed"], "SELECT name FROM items WHERE id = 99") == [("by hand",)]


def test_taken_port_is_replaced_at_next_start(server, demo_root):
    import socket

    old = server.ensure_running()
    old_port = int((demo_root / "port").read_text())
    server.stop()
    with socket.socket() as blocker:
        # SO_REUSEADDR: the stopped server may leave the port in TIME_WAIT, which would make
        # this bind fail; a listening socket still keeps postgres off the port.
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", old_port))
        blocker.listen()
        urls = server.ensure_running()
    new_port = int((demo_root / "port").read_text())
    assert new_port != old_port
    assert server.last_actions == ["start"]
    assert urls == {db: url.replace(f":{old_port}/", f":{new_port}/") for db, url in old.items()}
    assert query(urls["apms_staging"], "SELECT count(*) FROM items") == [(2,)]


def test_status(server, demo_root):
    status = server.status()
    assert status == {
        "running": False, "port": None, "data_dir": str(demo_root / "data"), "bindir": str(PG15_BIN),
        "version": status["version"], "root": str(demo_root), "log_file": str(demo_root / "postgres.log"),
        "server_user": "postgres" if os.geteuid() == 0 else None,
    }
    assert status["version"].startswith("15.")

    urls = server.ensure_running()
    status = server.status()
    assert status["running"] is True
    assert isinstance(status["port"], int)
    assert urls["apms_fixed"].endswith(f":{status['port']}/apms_fixed")

    server.stop()
    status = server.status()
    assert status["running"] is False
    assert status["port"] == int((demo_root / "port").read_text())  # the port it will try next


# --------------------------------------------------------------------------- concurrency


def test_concurrent_threads_initdb_and_seed_once(demo_root, seeds, server):
    servers = [DemoServer(root=demo_root, seeds_dir=seeds) for _ in range(3)]
    barrier = threading.Barrier(len(servers))
    results: list = [None] * len(servers)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = servers[i].ensure_running()
        except Exception as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(servers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(isinstance(r, dict) for r in results), results
    assert results[0] == results[1] == results[2]
    actions = [a for s in servers for a in s.last_actions]
    assert sorted(actions) == sorted(["initdb", "start", "seed:apms_staging", "seed:apms_fixed"])


def test_concurrent_processes_initdb_and_seed_once(demo_root, seeds, server):
    script = (
        "import json, sys\n"
        "from apms_ops.demo_server import DemoServer\n"
        "s = DemoServer(root=sys.argv[1], seeds_dir=sys.argv[2])\n"
        "urls = s.ensure_running()\n"
        "print(json.dumps({'urls': urls, 'actions': s.last_actions}))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(demo_root), str(seeds)], cwd=REPO, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(json.loads(out))
    assert outputs[0]["urls"] == outputs[1]["urls"]
    actions = outputs[0]["actions"] + outputs[1]["actions"]
    assert sorted(actions) == sorted(["initdb", "start", "seed:apms_staging", "seed:apms_fixed"])
    assert server.ensure_running() == outputs[0]["urls"]
    assert server.last_actions == []


# --------------------------------------------------------------------------- CLI


def test_cli_start_status_stop(demo_root, seeds, server, monkeypatch, capsys):
    monkeypatch.setenv("APMS_OPS_DEMO_DIR", str(demo_root))
    monkeypatch.setattr(demo_server, "_DEFAULT_SEEDS_DIR", seeds)
    assert demo_server.main(["start"]) == 0
    out = capsys.readouterr().out
    assert "apms_staging: postgresql://postgres@127.0.0.1:" in out
    assert "apms_fixed: postgresql://postgres@127.0.0.1:" in out
    assert demo_server.main(["status"]) == 0
    assert "running: True" in capsys.readouterr().out
    assert demo_server.main(["stop"]) == 0
    assert "stopped" in capsys.readouterr().out
    assert demo_server.main(["status"]) == 0
    assert "running: False" in capsys.readouterr().out
    assert demo_server.main(["bogus"]) == 2
