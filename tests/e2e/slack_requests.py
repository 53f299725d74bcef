"""Requests as Slack sends them to the Request URL: signed, in Slack's documented shapes
(form-encoded slash commands, ``payload=`` interactivity, JSON events)."""

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from bot.blocks import ids
from tests.slack_stub import SlackStub

TEAM = "T0001"
APP_ID = "A0BILLING"
_counter = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_counter):06d}"


class SlackDriver:
    """Sends what Slack would send on behalf of a person, signed with the app's secret."""

    def __init__(self, base_url: str, secret: str, stub: SlackStub) -> None:
        self.base_url = base_url
        self.secret = secret
        self.stub = stub
        self.http = httpx.Client(timeout=10)  # one connection pool: a client per request is slow

    def post(
        self,
        body: str,
        content_type: str,
        *,
        secret: str | None = None,
        age_seconds: int = 0,
        headers: dict[str, str] | None = None,
        sent_body: str | None = None,
    ) -> httpx.Response:
        """Sign ``body`` and send it (or ``sent_body``, to forge a body altered in transit)."""
        timestamp = str(int(time.time()) - age_seconds)
        signature = SignatureVerifier(secret or self.secret).generate_signature(
            timestamp=timestamp, body=body
        )
        signed = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": str(signature)}
        return self.http.post(
            f"{self.base_url}/slack/events",
            content=(body if sent_body is None else sent_body).encode(),
            headers={"Content-Type": content_type, **signed, **(headers or {})},
        )

    def command(
        self, user: str, text: str, *, channel: str = "C0BILLING", team: str = TEAM
    ) -> httpx.Response:
        return self.post(
            command_body(
                user, text, self.stub.response_url(_unique("cmd")), channel=channel, team=team
            ),
            "application/x-www-form-urlencoded",
        )

    def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    def click(
        self, user: str, action_id: str, value: str, *, in_home: bool = False, team: str = TEAM
    ) -> httpx.Response:
        return self.interact(
            click_payload(
                user,
                action_id,
                value,
                team=team,
                response_url=None if in_home else self.stub.response_url(_unique("act")),
            )
        )

    def submit(
        self, user: str, view: dict[str, Any], values: dict[str, Any], *, team: str = TEAM
    ) -> httpx.Response:
        return self.interact(submission_payload(user, view, values, team=team))

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        team: str = TEAM,
    ) -> httpx.Response:
        body = json.dumps(event_body(event, event_id=event_id or _unique("Ev"), team=team))
        headers = (
            {}
            if retry_num is None
            else {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        )
        return self.post(body, "application/json", headers=headers)


def command_body(user: str, text: str, response_url: str, *, channel: str, team: str) -> str:
    return urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "billing",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/billing-invite",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": _unique("trigger."),
        }
    )


def _user(user: str, team: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team}


def click_payload(
    user: str, action_id: str, value: str, *, team: str, response_url: str | None
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user, team),
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "trigger_id": _unique("trigger."),
        "team": {"id": team, "domain": "acme"},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [
            {
                "action_id": action_id,
                "block_id": _unique("b"),
                "value": value,
                "type": "button",
                "text": {"type": "plain_text", "text": "Button"},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if response_url is None:
        payload["container"] = {"type": "view", "view_id": "V0HOME"}
        payload["view"] = {
            "id": "V0HOME",
            "type": "home",
            "team_id": team,
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
        }
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": "D0DM",
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": "D0DM", "name": "directmessage"}
        payload["message"] = {"type": "message", "ts": "1700000000.000100", "text": ""}
        payload["response_url"] = response_url
    return payload


def submission_payload(
    user: str, view: dict[str, Any], values: dict[str, Any], *, team: str
) -> dict[str, Any]:
    submitted = {
        **view,
        "id": view.get("id", "V0MODAL"),
        "team_id": team,
        "state": {"values": values},
        "hash": "1700000000.abcdef",
        "app_id": APP_ID,
    }
    submitted.setdefault("private_metadata", "")
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "acme"},
        "user": _user(user, team),
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "trigger_id": _unique("trigger."),
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def event_body(event: dict[str, Any], *, event_id: str, team: str) -> dict[str, Any]:
    return {
        "token": "deprecated-verification-token",
        "team_id": team,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "is_ext_shared_channel": False,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team,
                "user_id": "U0BOT0001",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }


def invite_values(emails: str, permissions: list[str] | None) -> dict[str, Any]:
    """``state.values`` of the Invite New User modal; ``None`` permissions means All."""
    grant = ids.GRANT_ALL if permissions is None else ids.GRANT_CHOOSE
    chosen = [
        {"text": {"type": "plain_text", "text": key}, "value": key} for key in permissions or []
    ]
    return {
        ids.EMAILS_BLOCK: {ids.EMAILS_INPUT: {"type": "plain_text_input", "value": emails}},
        ids.GRANT_BLOCK: {
            ids.GRANT_INPUT: {"type": "radio_buttons", "selected_option": {"value": grant}}
        },
        ids.PERMISSIONS_BLOCK: {
            ids.PERMISSIONS_INPUT: {"type": "checkboxes", "selected_options": chosen}
        },
    }
