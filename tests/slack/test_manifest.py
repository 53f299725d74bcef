"""manifest.yml: valid for Slack, and exactly what the code registers and calls."""

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.handlers.commands import COMMAND
from bot.slack.oauth_config import REDIRECT_PATH
from bot.slack.scopes import BOT_SCOPES

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = sorted((ROOT.parent / "shared" / "slack").glob("manifest.schema.*.json"))

# The bot-token scopes each Web API method the bot calls needs (Slack's method reference).
SCOPES_OF_METHOD: dict[str, set[str]] = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "conversations_join": {"channels:join"},
    # Public channels need channels:read, private ones groups:read.
    "conversations_info": {"channels:read", "groups:read"},
    "conversations_open": {"im:write"},
    "users_info": {"users:read"},
    "users_lookupByEmail": {"users:read.email"},
    "views_open": set(),
    "views_publish": set(),
}
# The scopes without which Slack does not send a bot event (Slack's event reference).
SCOPES_OF_EVENT: dict[str, set[str]] = {
    "app_home_opened": set(),
    "team_join": {"users:read"},
    "member_joined_channel": {"channels:read", "groups:read"},
    "member_left_channel": {"channels:read", "groups:read"},
    "channel_left": {"channels:read"},
    "group_left": {"groups:read"},
    "app_uninstalled": set(),
    "tokens_revoked": set(),
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


def _listened() -> set[str]:
    return set(re.findall(r'app\.event\("([a-z_]+)"\)', _source()))


def test_the_events_are_those_the_code_listens_to(manifest: dict[str, Any]) -> None:
    listened = _listened()
    assert listened <= SCOPES_OF_EVENT.keys(), (
        f"add the scopes of {listened - SCOPES_OF_EVENT.keys()}"
    )
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == listened


def test_the_scopes_are_exactly_those_the_calls_and_events_need(manifest: dict[str, Any]) -> None:
    called = set(re.findall(r"\.(chat_\w+|conversations_\w+|users_\w+|views_\w+)\(", _source()))
    assert called <= SCOPES_OF_METHOD.keys(), (
        f"add the scopes of {called - SCOPES_OF_METHOD.keys()}"
    )
    needed = {"commands"}.union(
        *(SCOPES_OF_METHOD[method] for method in called),
        *(SCOPES_OF_EVENT[event] for event in _listened()),
    )
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_an_install_asks_for_exactly_the_manifests_scopes(manifest: dict[str, Any]) -> None:
    assert list(BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]


def test_the_redirect_url_is_the_one_the_bot_serves(manifest: dict[str, Any]) -> None:
    [url] = manifest["oauth_config"]["redirect_urls"]
    assert url.endswith(REDIRECT_PATH)


def test_every_request_url_is_the_one_endpoint(manifest: dict[str, Any]) -> None:
    urls = [
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
        *(command["url"] for command in manifest["features"]["slash_commands"]),
    ]
    assert {url.rsplit("/", 2)[-2:] == ["slack", "events"] for url in urls} == {True}
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
