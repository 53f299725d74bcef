"""The ``billing-bot`` command: ``serve`` and ``migrate``."""

import argparse
import logging
import sys
from collections.abc import Sequence

import uvicorn

from bot.settings import Settings, SettingsError, load_settings
from bot.web import create_web_app
from storage.engine import make_engine
from storage.migrate import upgrade

log = logging.getLogger("billing_bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="billing-bot",
        description="Billing Access for Slack: who may do what on the billing account.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the bot's HTTP server")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: $PORT, else 3000)")
    commands.add_parser("migrate", help="create or upgrade the database schema, then exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"billing-bot: {error}", file=sys.stderr)
        return 2
    if arguments.command == "migrate":
        return migrate(settings)
    return serve(settings, host=arguments.host, port=arguments.port or settings.PORT)


def migrate(settings: Settings) -> int:
    upgrade(make_engine(settings.DATABASE_URL))
    log.info("database schema is up to date")
    return 0


def serve(settings: Settings, *, host: str, port: int) -> int:
    if settings.SLACK_SIGNING_SECRET is None:
        print(
            "billing-bot: setting SLACK_SIGNING_SECRET is required to serve HTTP", file=sys.stderr
        )
        return 2
    engine = make_engine(settings.DATABASE_URL)
    upgrade(engine)
    uvicorn.run(create_web_app(engine), host=host, port=port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
