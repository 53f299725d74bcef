"""Domain objects for the block builder tests (no database), and checks on their payloads."""

import json
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.blocks.kit import Message
from bot.core.contact_emails import ALL_EMAIL_KINDS
from bot.core.permissions import ALL_KEYS
from storage.tables import (
    Account,
    AuditEvent,
    Contact,
    Invitation,
    InvitationStatus,
    Member,
    MemberRole,
    MemberStatus,
)
from tests.blockkit_limits import assert_valid_message

NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
OWNER = "U0OWNER"
OWNER_EMAIL = "owner@acme.example.com"
# Typed by people: none of it may ever reach Slack unescaped.
RAW_MARKUP = ("<!channel>", "<@U123>", "<!here>", "<https://evil.example|click>")
HOSTILE = "Acme <!channel> <@U123> <!here> *bold* & <https://evil.example|click> Co"
HUGE = "Ω" * 10_000
HUGE_EMAIL = "a" * 10_000 + "@example.com"
MORE = re.compile(r"…and (\d+) more")


def account(name: str = "Acme Ltd") -> Account:
    return Account(
        id=1,
        team_id="T1",
        name=name,
        owner_user_id=OWNER,
        reminders_channel_id="C1",
        created_at=NOW - timedelta(days=30),
    )


def member(
    email: str = "finance@acme.example.com",
    permissions: Sequence[str] = ("invoices", "quotes"),
    *,
    role: MemberRole = MemberRole.USER,
    status: MemberStatus = MemberStatus.ACTIVE,
    slack_user_id: str | None = "U1",
) -> Member:
    return Member(
        account_id=1,
        email=email,
        slack_user_id=slack_user_id,
        role=role,
        status=status,
        permissions=list(permissions),
        created_at=NOW - timedelta(days=10),
        updated_at=NOW - timedelta(days=1),
    )


def owner() -> Member:
    return member(OWNER_EMAIL, ALL_KEYS, role=MemberRole.OWNER, slack_user_id=OWNER)


def invitation(
    email: str = "new@acme.example.com",
    permissions: Sequence[str] = ("domains",),
    *,
    id: int | None = 7,
    status: InvitationStatus = InvitationStatus.PENDING,
    invitee_user_id: str | None = None,
) -> Invitation:
    return Invitation(
        id=id,
        account_id=1,
        email=email,
        permissions=list(permissions),
        status=status,
        invited_by_user_id=OWNER,
        invitee_user_id=invitee_user_id,
        created_at=NOW - timedelta(days=3),
        sent_at=NOW - timedelta(days=3),
        expires_at=NOW + timedelta(days=4),
    )


def contact(
    email: str = "accounts@acme.example.com",
    name: str = "Accounts Payable",
    email_kinds: Sequence[str] = ALL_EMAIL_KINDS,
) -> Contact:
    return Contact(
        account_id=1,
        email=email,
        name=name,
        added_by_user_id=OWNER,
        created_at=NOW,
        email_kinds=list(email_kinds),
    )


def event(
    action: str = "permissions.changed",
    *,
    actor: str = OWNER,
    target: str = "finance@acme.example.com",
    before: Sequence[str] | None = ("invoices",),
    after: Sequence[str] | None = ("invoices", "quotes"),
    detail: str = "",
) -> AuditEvent:
    return AuditEvent(
        account_id=1,
        at=NOW - timedelta(hours=2),
        actor_user_id=actor,
        action=action,
        target=target,
        permissions_before=None if before is None else list(before),
        permissions_after=None if after is None else list(after),
        detail=detail,
    )


def many_members(count: int) -> list[Member]:
    return [owner()] + [member(f"user{i}@acme.example.com") for i in range(count - 1)]


def many_invitations(count: int) -> list[Invitation]:
    return [invitation(f"invitee{i}@acme.example.com", id=i + 1) for i in range(count)]


def many_contacts(count: int) -> list[Contact]:
    return [contact(f"contact{i}@acme.example.com", f"Contact {i}") for i in range(count)]


def assert_valid(message: Message) -> None:
    assert message.text
    assert_valid_message(message.blocks, message.text)


def assert_no_raw_markup(payload: object) -> None:
    """Nothing a person typed survives as a mention, broadcast or link anywhere in the JSON."""
    dumped = json.dumps(payload, ensure_ascii=False)
    for markup in RAW_MARKUP:
        assert markup not in dumped


def walk(node: object) -> Iterator[dict[str, Any]]:
    """Every object in a payload, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def texts(payload: object) -> list[str]:
    """The text of every text object (what Slack renders)."""
    return [
        obj["text"]
        for obj in walk(payload)
        if obj.get("type") in {"plain_text", "mrkdwn"} and isinstance(obj.get("text"), str)
    ]


def rendered(payload: object) -> str:
    return "\n".join(texts(payload))


def rendered_mrkdwn(payload: object) -> str:
    """The text Slack parses for mentions and links: mrkdwn only (plain_text is shown as is)."""
    return "\n".join(obj["text"] for obj in walk(payload) if obj.get("type") == "mrkdwn")


def buttons(payload: object, action_id: str | None = None) -> list[dict[str, Any]]:
    return [
        obj
        for obj in walk(payload)
        if obj.get("type") == "button" and action_id in {None, obj.get("action_id")}
    ]


def action_ids(payload: object) -> set[str]:
    return {obj["action_id"] for obj in walk(payload) if "action_id" in obj}


def left_out(payload: object) -> int:
    """How many rows the payload's "…and N more" lines say were left out."""
    return sum(int(n) for text in texts(payload) for n in MORE.findall(text))


def block_count(payload: dict[str, Any] | Message) -> int:
    return len(payload.blocks if isinstance(payload, Message) else payload["blocks"])
