"""What the peer and the floor share: served on loopback at ``--port`` by uvicorn, with the
same settings as ``billing-bot serve``."""

import argparse
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette


def serve(create_api: Callable[[], Starlette], description: str | None) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(create_api(), host="127.0.0.1", port=port, log_level="info")
