"""Passwords never appear in any output, whatever characters they hold.

A real server that checks passwords; one role per hostile password (spaces,
``@``, ``#:@/%?=&``, quotes, backslashes, unicode, leading blanks); each given as
a percent-encoded URL, as a secrets table with a raw ``password`` key, and with an
``sslpassword``. Every output is swept for every spelling of the password (as
typed, percent-encoded in either case, JSON- and HTML-escaped) and for every run
of four or more letters and digits in it: the CLI in every format, error lines
(wrong password, unreachable server, an unencoded ``@``), the history store's
rows, what was logged, every element of every dashboard page, and the downloads.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import psycopg
import pytest
import sqlalchemy as sa
import tomli_w
from psycopg import sql
from streamlit.testing.v1 import AppTest

from apms_ops import history as history_module
from apms_ops.connections import Environment, configured_environments, mask_secrets
from apms_ops.errors import OpsError
from apms_ops.history import HistoryStore, run_audit
from apms_ops.invariants import run_invariants
from apms_ops.reports import FORMATS, render
from apms_ops.review import run_review
from apms_ops.ui import navigation, report, widgets
from conftest import ROOT, RUN_TAG, SEED_FILES, SEEDS

PASSWORDS = [
    "wqpz XKCD vbnm",
    "Kq@Wz:Yt/Rb#Pl?Mn=Hj&Gf%41",
    "#:@/%?=&",
    "Ünï-Çødé-Пароль-密码Zx",
    "Qu'ote\"Dbl\\Bks;--/*Cm*/",
    "  Lead Trail  ",
]
SSL_PASSWORD = "Ssl Pw@Dk#9%Vq"


def spellings(secret: str) -> set[str]:
    """How a leaked secret could look in an output."""
    forms = {secret, quote(secret, safe=""), quote(secret, safe="").lower(), quote_plus(secret, safe=""), html.escape(secret),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], widgets.md_escape(secret)}
    # A partial leak (the tail after an unencoded '@', say) shows as a distinctive run of letters and digits.
    forms |= set(re.findall(r"[^\W_]{4,}", secret))
    return {f.strip() for f in forms if f.strip()}


def leaks(text: str | bytes, secrets=PASSWORDS + [SSL_PASSWORD]) -> list[str]:
    if isinstance(text, bytes):
        return [s for secret in secrets for s in spellings(secret) if s.encode() in text]
    return [s for secret in secrets for s in spellings(secret) if s in text]


@pytest.fixture(scope="module")
def hostile(password_server):
    """``[(role, password)]`` on the password server, each a superuser of a seeded ``sweep`` database."""
    admin = f"postgresql://postgres:right-password@127.0.0.1:{password_server}/postgres"
    roles = [(f"{RUN_TAG}_pw{i}", pw) for i, pw in enumerate(PASSWORDS)]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS sweep WITH (FORCE)")
        conn.execute("CREATE DATABASE sweep")
        for role, pw in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER PASSWORD {}").format(sql.Identifier(role), sql.Literal(pw)))
    with psycopg.connect(admin.rsplit("/", 1)[0] + "/sweep") as conn:
        for f in SEED_FILES["staging"]:
            conn.execute((SEEDS / f).read_text())
    yield password_server, roles
    from apms_ops.connections import dispose_engines

    dispose_engines()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS sweep WITH (FORCE)")
        for role, _ in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def url_for(port: int, role: str, pw: str, ssl: bool = False) -> str:
    query = f"?sslmode=disable&sslpassword={quote(SSL_PASSWORD, safe='')}" if ssl else ""
    return f"postgresql://{role}:{quote(pw, safe='')}@127.0.0.1:{port}/sweep{query}"


def secrets_file(tmp_path: Path, port: int, roles, *, wrong: bool = False) -> Path:
    """One environment per role, with the raw password as a key (and an sslpassword)."""
    tables = {f"env{i}": {"host": "127.0.0.1", "port": port, "database": "sweep", "username": role,
                          "password": pw + ("-wrong" if wrong else ""), "profile": "apms", "allow_invariants": True,
                          "query": {"sslmode": "disable", "sslpassword": SSL_PASSWORD}}
              for i, (role, pw) in enumerate(roles)}
    path = tmp_path / ("wrong.toml" if wrong else "secrets.toml")
    path.write_text(tomli_w.dumps({"connections": tables}))
    return path


def cli(*args, secrets: Path | None = None, history_url: str, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APMS_OPS_SECRETS")}
    env.update(APMS_OPS_SECRETS=str(secrets) if secrets else "/nonexistent/secrets.toml", APMS_OPS_HISTORY_URL=history_url,
               PYTHONPATH=str(ROOT), **extra)
    proc = subprocess.run([sys.executable, "-m", "apms_ops", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=180, stdin=subprocess.DEVNULL)
    return proc.stdout + proc.stderr


def test_mask_secrets_replaces_every_spelling():
    for pw in PASSWORDS:
        text = " | ".join(s for s in spellings(pw) if len(s) == len(pw) or s != pw.strip())
        masked = mask_secrets(f"postgresql://u:{quote(pw, safe='')}@h/d {text}", pw)
        assert not [s for s in (pw, quote(pw, safe=""), quote(pw, safe="").lower(), json.dumps(pw)[1:-1], html.escape(pw))
                    if s in masked], masked


def test_every_cli_output_is_masked(hostile, tmp_path):
    port, roles = hostile
    history_url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    secrets = secrets_file(tmp_path, port, roles)
    runs, wrong = [], []
    for i, (role, pw) in enumerate(roles):
        url = url_for(port, role, pw, ssl=True)
        # Every format for the most hostile password (the renderers themselves are swept in-process below).
        for fmt in FORMATS if i == 1 else ("json",):
            runs.append(("check", "--dsn", url, "--format", fmt))
        runs.append(("audit", "--env", f"env{i}", "--report", str(tmp_path / f"r{i}.md")))
        # Error lines: a wrong password, an unencoded '@' in the URL (and, once, an unreachable server).
        wrong.append(len(runs))
        runs.append(("check", "--dsn", url_for(port, role, pw + "x", ssl=True)))
        runs.append(("check", "--dsn", f"postgresql://{role}:{pw}@127.0.0.1:{port}/sweep"))
        if i == 1:
            runs.append(("check", "--dsn", url_for(1, role, pw, ssl=True)))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:  # subprocesses: the threads only wait
        outputs = list(pool.map(lambda args: cli(*args, history_url=history_url, secrets=secrets), runs))
    for i in wrong:
        assert "password authentication failed" in outputs[i], outputs[i]
    outputs += [(tmp_path / f"r{i}.md").read_text() for i in range(len(roles))]
    outputs.append(cli("check", "--env", "env1", history_url=history_url, secrets=secrets_file(tmp_path, port, roles, wrong=True)))
    for fmt in ("markdown", "html"):
        outputs.append(cli("report", "--env", "env0", "--format", fmt, history_url=history_url, secrets=secrets))
    outputs.append(cli("history", "list", "--limit", "100", history_url=history_url))
    for out in outputs:
        assert not leaks(out), (leaks(out), out[-800:])


def test_history_rows_reports_and_logs_are_masked(hostile, tmp_path, caplog):
    port, roles = hostile
    caplog.set_level(logging.DEBUG)
    store = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite3'}")
    texts = []
    for role, pw in roles:
        env = Environment(role, url_for(port, role, pw, ssl=True), source="dsn", allow_invariants=True)
        review, run_id = run_audit(env, store)
        run_invariants(env, ["lifecycle"], profile="apms", store=store)
        extras = store.report_extras(review, run_id=run_id)
        texts += [render(review, fmt, **extras) for fmt in FORMATS] + [json.dumps(review.to_dict(include_facts=True), default=str)]
        try:
            run_review(Environment(role, url_for(port, role, pw + "!"), source="dsn"))
        except OpsError as exc:
            texts.append(str(exc))
        else:
            raise AssertionError("a wrong password must not connect")
    with store.engine.connect() as conn:
        for table in history_module.metadata.sorted_tables:
            texts.append(json.dumps([dict(r) for r in conn.execute(sa.select(table)).mappings()], default=str, ensure_ascii=False))
    texts.append(caplog.text)
    for text in texts:
        assert not leaks(text), leaks(text)


def test_every_dashboard_page_and_download_is_masked(hostile, tmp_path, monkeypatch, caplog):
    port, roles = hostile
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("APMS_OPS_SECRETS", str(secrets_file(tmp_path, port, roles)))
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    pages = [p.path for p in navigation.available_pages(ROOT)]
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180).run()
    seen = 0
    for env in configured_environments():
        at.sidebar.selectbox(key="apms_ops.environment").select(env.name).run()
        for page in pages:
            at.switch_page(page).run()
            assert not at.exception, (env.name, page, [e.value for e in at.exception])
            for node in at._tree:
                proto = getattr(node, "proto", None)
                if proto is not None:
                    assert not leaks(proto.SerializeToString()), (env.name, page, leaks(proto.SerializeToString()))
                    assert not leaks(str(proto)), (env.name, page)
                    seen += 1
            for df in at.dataframe:
                assert not leaks(df.value.to_csv()), (env.name, page)
        assert any(env.masked_url in str(c.value) for c in at.sidebar.caption), "the sidebar shows the masked DSN"
        review = run_review(env, with_facts=True)
        for fmt in ("markdown", "html"):
            assert not leaks(report.report_text(review, fmt)), fmt
        assert not leaks(widgets.review_json(review))
    # A wrong password: the panels say so, masked.
    monkeypatch.setenv("APMS_OPS_SECRETS", str(secrets_file(tmp_path, port, roles, wrong=True)))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180).run()
    assert any("Authentication failed" in str(e.proto.title) for e in at.error)
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is not None:
            assert not leaks(proto.SerializeToString())
    assert seen > 100
    assert not leaks(caplog.text)
