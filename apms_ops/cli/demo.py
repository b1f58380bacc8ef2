"""``demo``: the embedded demo PostgreSQL (start, stop, status, url)."""

from __future__ import annotations

from apms_ops.errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("demo", help="start, stop or inspect the embedded demo PostgreSQL (apms_staging, apms_fixed)")
    p.add_argument("action", nargs="?", choices=("start", "stop", "status"), default="start")
    p.set_defaults(func=run_demo_command)


def run_demo_command(args) -> int:
    from apms_ops.connections import DEMO_ENVIRONMENTS
    from apms_ops.demo_server import DemoError, DemoServer

    server = DemoServer()
    try:
        if args.action == "stop":
            server.stop()
            print("demo server stopped")
            return 0
        if args.action == "status":
            st = server.status()
            print(f"running: {st['running']}  port: {st['port']}  data: {st['data_dir']}  binaries: {st['bindir']}  version: {st['version']}")
            return 0
        urls = server.ensure_running()
    except DemoError as exc:
        raise ConfigError(f"demo: {exc}") from None
    for env_name, db in DEMO_ENVIRONMENTS.items():
        print(f"{env_name:<13} {urls[db]}")
    print("review one with: python -m apms_ops check --env demo-staging --format markdown")
    print("the server keeps running (also after the dashboard stops) until: python -m apms_ops demo stop")
    return 0
