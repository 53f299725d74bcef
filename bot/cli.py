"""The ``billing-bot`` command: ``serve``, ``migrate`` and ``audit export``."""

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import version

import uvicorn
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.audit_export import FORMATS, write_events
from bot.core import BillingAccess, utc_now
from bot.core.errors import NotFound
from bot.metrics import MULTIPROCESS_DIR
from bot.server import build
from bot.settings import (
    DatabaseSettings,
    Settings,
    SettingsError,
    load_database_settings,
    load_settings,
)
from bot.slack.setup import WRONG_KEY, installation_store
from storage.engine import (
    DatabaseUnreachable,
    ensure_reachable,
    make_engine,
    make_read_only_engine,
    shown,
)
from storage.migrate import alembic_config, upgrade
from storage.secrets import WrongKey
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
    commands.add_parser(
        "reseal-tokens",
        help="write every stored Slack token again under SECRETS_KEY's newest key (OAuth)",
    )
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
    if arguments.command == "reseal-tokens":
        return reseal_tokens(settings)
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


def reseal_tokens(settings: Settings) -> int:
    """Rewrite the stored tokens under the newest key, so older keys can be dropped."""
    if settings.oauth is None:
        print("billing-bot: reseal-tokens needs the OAuth settings (SLACK_CLIENT_ID …)",
              file=sys.stderr)  # fmt: skip
        return 2
    engine = _migrated_engine(settings)
    try:
        store = installation_store(settings.oauth, unit_of_work_factory(engine), utc_now)
        log.info("resealed %d installations under the newest key", store.reseal())
    except WrongKey:  # one installation written under a key no longer listed
        raise SettingsError(WRONG_KEY) from None
    finally:
        engine.dispose()
    return 0


def export_audit(settings: DatabaseSettings, *, team: str, fmt: str) -> int:
    """Write ``team``'s audit trail from the database as it is: nothing is created, changed or
    migrated (a database that is missing or not migrated is one line and exit status 2)."""
    engine = make_read_only_engine(settings.DATABASE_URL)
    try:
        ensure_reachable(engine)
        problem = _schema_problem(engine, shown(make_url(settings.DATABASE_URL)))
        if problem is not None:
            print(f"billing-bot: {problem}", file=sys.stderr)
            return 2
        core = BillingAccess.create(unit_of_work_factory(engine))
        try:
            events = core.audit.trail(team)
        except NotFound:
            print(
                f"billing-bot: no billing account for team {team} in this database", file=sys.stderr
            )
            return 2
        write_events(events, sys.stdout, fmt)
        return 0
    finally:
        engine.dispose()


def _schema_problem(engine: Engine, where: str) -> str | None:
    """Why the schema of the database at ``where`` is not the one this version reads, or None
    when it is. Read from Alembic's version table without Alembic (which logs as it starts)."""
    try:
        with engine.connect() as connection:
            current = (
                set(connection.scalars(text("SELECT version_num FROM alembic_version")))
                if inspect(connection).has_table("alembic_version")
                else set()
            )
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0]
        raise DatabaseUnreachable(f"could not read {where}: {reason}") from None
    script = ScriptDirectory.from_config(alembic_config())
    if current == set(script.get_heads()):
        return None
    if not current:
        return f"the database at {where} has no schema: run `billing-bot migrate` first"
    if all(_known(script, revision) for revision in current):
        return f"the database at {where} has an older schema: run `billing-bot migrate` first"
    return f"the database at {where} has a schema newer than this billing-bot"


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


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
    engine = _migrated_engine(settings)
    try:
        if settings.oauth is not None:  # before any worker starts: a wrong key is one line
            installation_store(settings.oauth, unit_of_work_factory(engine), utc_now)
    finally:
        engine.dispose()
    if workers > 1:
        with _metrics_shared_by_workers(settings):
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


@contextmanager
def _metrics_shared_by_workers(settings: Settings) -> Iterator[None]:
    """With metrics on, the workers write theirs to one empty folder, which /metrics in any of
    them adds up (prometheus-client's multiprocess mode); one given in the environment is
    used as it is."""
    if settings.METRICS_TOKEN is None or os.environ.get(MULTIPROCESS_DIR):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="billing-bot-metrics-") as folder:
        os.environ[MULTIPROCESS_DIR] = folder
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_DIR]


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
