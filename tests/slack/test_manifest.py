"""manifest.yml: valid for Slack, and exactly what the code registers and calls."""

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.handlers.commands import COMMAND

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = sorted((ROOT.parent / "shared" / "slack").glob("manifest.schema.*.json"))

# The bot-token scope each Web API method the bot calls needs (Slack's method reference).
SCOPE_OF_METHOD = {
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "conversations_open": "im:write",
    "users_info": "users:read",
    "users_lookupByEmail": "users:read.email",
    "views_open": None,
    "views_publish": None,
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "manifest.yml").read_text()))


def _source() -> str:
    return "\n".join(path.read_text() for path in (ROOT / "bot").rglob("*.py"))


@pytest.mark.parametrize("schema_path", SCHEMAS, ids=lambda path: path.name)
def test_manifest_validates_against_slacks_schema(
    manifest: dict[str, Any], schema_path: Path
) -> None:
    schema = json.loads(schema_path.read_text())
    errors = [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(manifest)]
    assert errors == []


def test_the_schemas_are_there() -> None:
    folder = ROOT.parent / "shared" / "slack"
    if not SCHEMAS:
        pytest.fail(
            f"Slack's manifest schemas (manifest.schema.*.json) are not in {folder}: the "
            f"project's shared/ folder must sit beside the checkout, at {ROOT.parent / 'shared'}",
            pytrace=False,
        )
    assert [path.name for path in SCHEMAS] == [
        "manifest.schema.1.0.0.json",
        "manifest.schema.2.0.0.json",
    ]


def test_the_slash_command_is_the_one_the_code_registers(manifest: dict[str, Any]) -> None:
    commands = [command["command"] for command in manifest["features"]["slash_commands"]]
    assert commands == [COMMAND]


def test_the_events_are_those_the_code_listens_to(manifest: dict[str, Any]) -> None:
    listened = set(re.findall(r'app\.event\("([a-z_]+)"\)', _source()))
    assert listened == {"app_home_opened", "team_join"}
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == listened


def test_the_scopes_are_exactly_those_the_calls_need(manifest: dict[str, Any]) -> None:
    called = set(re.findall(r"\.(chat_\w+|conversations_\w+|users_\w+|views_\w+)\(", _source()))
    assert called <= SCOPE_OF_METHOD.keys(), f"add the scope of {called - SCOPE_OF_METHOD.keys()}"
    needed = {SCOPE_OF_METHOD[method] for method in called} - {None} | {"commands"}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_every_request_url_is_the_one_endpoint(manifest: dict[str, Any]) -> None:
    urls = [
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
        *(command["url"] for command in manifest["features"]["slash_commands"]),
    ]
    assert {url.rsplit("/", 2)[-2:] == ["slack", "events"] for url in urls} == {True}
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
