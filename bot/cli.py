"""The ``billing-bot`` command: ``serve``, ``migrate`` and ``audit export``."""

import argparse
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import version

import uvicorn
from sqlalchemy import Engine

from bot.audit_export import FORMATS, write_events
from bot.core import BillingAccess
from bot.core.errors import DomainError
from bot.server import build
from bot.settings import (
    DatabaseSettings,
    Settings,
    SettingsError,
    load_database_settings,
    load_settings,
)
from storage.engine import DatabaseUnreachable, ensure_reachable, make_engine
from storage.migrate import upgrade
from storage.unit_of_work import unit_of_work_factory

log = logging.getLogger("billing_bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="billing-bot",
        description="Billing Access for Slack: who may do what on the billing account.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {version('billing-access-for-slack')}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the bot's HTTP server")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: $PORT, else 3000)")
    serve.add_argument(
        "--workers",
        type=int,
        help="worker processes sharing the port (default: $WEB_CONCURRENCY, else 1)",
    )
    serve.add_argument(
        "--socket-mode",
        action="store_true",
        help="take Slack's requests over Socket Mode (needs SLACK_APP_TOKEN) instead of HTTP",
    )
    commands.add_parser("migrate", help="create or upgrade the database schema, then exit")
    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    export = audit_commands.add_parser("export", help="write a team's whole audit trail")
    export.add_argument("--team", required=True, help="the Slack team (workspace) id, T…")
    export.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or jsonl")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    try:
        return _run(arguments)
    except SettingsError as error:
        print(f"billing-bot: {error}", file=sys.stderr)
    except DatabaseUnreachable as error:
        print(f"billing-bot: setting DATABASE_URL: {error}", file=sys.stderr)
    return 2


def _run(arguments: argparse.Namespace) -> int:
    if arguments.command == "migrate":
        return migrate(load_database_settings())
    if arguments.command == "audit":
        return export_audit(load_database_settings(), team=arguments.team, fmt=arguments.format)
    settings = load_settings()
    return serve(
        settings,
        host=arguments.host,
        port=arguments.port or settings.PORT,
        socket_mode=arguments.socket_mode,
        workers=settings.WEB_CONCURRENCY if arguments.workers is None else arguments.workers,
    )


def migrate(settings: DatabaseSettings) -> int:
    _migrated_engine(settings)
    log.info("database schema is up to date")
    return 0


def export_audit(settings: DatabaseSettings, *, team: str, fmt: str) -> int:
    core = BillingAccess.create(unit_of_work_factory(_migrated_engine(settings)))
    try:
        events = core.audit.trail(team)
    except DomainError as error:
        print(f"billing-bot: {error.message}", file=sys.stderr)
        return 2
    write_events(events, sys.stdout, fmt)
    return 0


def _migrated_engine(settings: DatabaseSettings) -> Engine:
    """The database's engine with its schema up to date; ``DatabaseUnreachable`` (before any
    migration starts) when it cannot be opened."""
    engine = make_engine(settings.DATABASE_URL)
    ensure_reachable(engine)
    upgrade(engine)
    return engine


def serve(
    settings: Settings, *, host: str, port: int, socket_mode: bool = False, workers: int = 1
) -> int:
    missing = _missing_for(settings, socket_mode=socket_mode, workers=workers)
    if missing:
        print(f"billing-bot: {missing}", file=sys.stderr)
        return 2
    _migrated_engine(settings).dispose()
    if workers > 1:
        uvicorn.run(
            "bot.server:from_environment",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
        )
    else:
        uvicorn.run(
            build(settings, socket_mode=socket_mode), host=host, port=port, log_level="info"
        )
    return 0


def _missing_for(settings: Settings, *, socket_mode: bool, workers: int) -> str | None:
    if workers < 1:
        return "--workers must be at least 1"
    if socket_mode and workers > 1:
        return "--socket-mode takes one worker: Slack sends each event down one connection"
    if socket_mode and settings.SLACK_APP_TOKEN is None:
        return "setting SLACK_APP_TOKEN is required for --socket-mode"
    if not socket_mode and settings.SLACK_SIGNING_SECRET is None:
        return "setting SLACK_SIGNING_SECRET is required to serve HTTP"
    return None


if __name__ == "__main__":
    sys.exit(main())
