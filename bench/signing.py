"""Signed requests: any body as Slack would sign it, and the one request part 1 loads every
target with, a ``/billing-invite list`` from the owner."""

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bench.config import CHANNEL, OWNER, SIGNING_SECRET, TEAM

PATH = "/slack/events"
CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class SignedRequest:
    """A form body with the headers Slack would send; valid for five minutes from signing."""

    body: str
    headers: dict[str, str]

    def http(self, host: str, port: int) -> bytes:
        """The whole HTTP/1.1 request, keep-alive."""
        lines = [f"POST {PATH} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines += [f"Content-Length: {len(self.body.encode())}", "", self.body]
        return "\r\n".join(lines).encode()


def list_command(response_url: str) -> SignedRequest:
    """``/billing-invite list`` typed by the account's owner, signed now."""
    body = urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": TEAM,
            "team_domain": "bench",
            "channel_id": CHANNEL,
            "channel_name": "billing",
            "user_id": OWNER,
            "user_name": "owner",
            "command": "/billing-invite",
            "text": "list",
            "api_app_id": "A0BILLING",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "1000.2000.bench",
        }
    )
    return sign(body)


def sign(body: str, content_type: str = CONTENT_TYPE) -> SignedRequest:
    """``body`` with the headers Slack would send it with, signed now."""
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": str(signature),
    }
    return SignedRequest(body, headers)
