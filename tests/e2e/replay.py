"""Slack's real request bodies, as the SDK teams wrote them down, made ready to post.

The corpus lives beside the checkout, in ``../shared/slack/replay_payloads/`` (see its README),
and is read from there, never copied into the repository. Each file holds one body and how it
travels (``wire``): a slash command's form fields, an interactivity ``payload=`` form field, or
an Events API JSON body. ``adapted/`` bodies hold placeholders, filled in per post:

- ``@@EVENT_ID@@``: a fresh event id, so Slack's de-duplication hides nothing;
- ``@@RESPONSE_URL@@``: a response_url of the stand-in Slack (as is every response_url the
  samples wrote down);
- ``@@TRIGGER@@``: a fresh trigger id;
- ``@@EMAIL@@``: a fresh email address to invite;
- ``@@INV:email@@``: the id of the pending invitation to that email.

``adapted/`` names the bot's action, callback and block ids as they were when it was written;
``CORPUS_IDS`` maps them onto the ids the bot uses now, so a renamed id is fixed here, not
in the corpus.
"""

import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bot.blocks import ids

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "slack" / "replay_payloads"
FOLDERS = ("original", "adapted")
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

CORPUS_IDS: Mapping[str, str] = {
    # Buttons (action_id).
    "invitation_accept": ids.ACCEPT,
    "invitation_decline": ids.DECLINE,
    "invitation_resend": ids.RESEND,
    "invitation_revoke": ids.REVOKE,
    "manage_permissions": ids.MANAGE,
    "remove_access": ids.REMOVE,
    "open_invite_modal": ids.OPEN_INVITE,
    # Modals (callback_id).
    "invite_modal": ids.INVITE_MODAL,
    "permissions_modal": ids.PERMISSIONS_MODAL,
    "settings_modal": ids.SETTINGS_MODAL,
    # The Invite New User modal's blocks and inputs (view.state.values).
    "emails": ids.EMAILS_BLOCK,
    "emails_input": ids.EMAILS_INPUT,
    "grant": ids.GRANT_BLOCK,
    "grant_mode": ids.GRANT_INPUT,
    "permissions": ids.PERMISSIONS_BLOCK,
    "permissions_more": ids.PERMISSIONS_MORE_BLOCK,
    "permissions_input": ids.PERMISSIONS_INPUT,
}
"""The corpus's ids (as ``adapted/`` spells them) -> the bot's ids now."""

CORPUS_GRANT_VALUES: Mapping[str, str] = {"all": ids.GRANT_ALL, "choose": ids.GRANT_CHOOSE}

_INVITATION = re.compile(r"@@INV:([^@]+@[^@]+)@@")
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter):06d}"


@dataclass(frozen=True)
class Payload:
    """One file of the corpus."""

    folder: str
    id: str
    kind: str
    wire: str
    """``form`` (its body is the form's fields), ``payload`` (its body is the JSON of the
    ``payload`` form field) or ``json`` (an Events API body)."""
    body: dict[str, Any]
    changes: tuple[str, ...]
    """How ``adapted/`` changed the original (empty for ``original/``)."""

    @property
    def name(self) -> str:
        return f"{self.folder}/{self.id}"


def corpus_problem() -> str | None:
    """Why the corpus cannot be read, or None."""
    if not all((CORPUS / folder).is_dir() for folder in FOLDERS):
        return (
            f"Slack's real request bodies are not in {CORPUS} (original/ and adapted/): the "
            f"project's shared/ folder must sit beside the checkout, at {CORPUS.parents[1]}"
        )
    return None


def load_corpus() -> list[Payload]:
    """Every payload of ``original/`` and ``adapted/``, by folder and name; [] if missing."""
    if corpus_problem() is not None:
        return []
    return [_load(folder, path) for folder in FOLDERS for path in _files(folder)]


def _files(folder: str) -> list[Path]:
    return sorted((CORPUS / folder).glob("*.json"))


def _load(folder: str, path: Path) -> Payload:
    data = json.loads(path.read_text())
    return Payload(
        folder=folder,
        id=str(data["id"]),
        kind=str(data["kind"]),
        wire=str(data["wire"]),
        body=dict(data["body"]),
        changes=tuple(data.get("changes") or ()),
    )


@dataclass(frozen=True)
class Fill:
    """What the placeholders of one post become."""

    response_url: Callable[[str], str]
    """A response_url of the stand-in Slack, by name."""
    invitation_id: Callable[[str], int]
    """The id of the pending invitation to an email."""
    email_domain: str = "acme.example.com"


@dataclass(frozen=True)
class Post:
    """A body ready to sign and send."""

    body: str
    content_type: str


def render(payload: Payload, fill: Fill) -> Post:
    """``payload`` with its placeholders filled and the corpus's ids mapped, as Slack sends it."""
    text = json.dumps(payload.body)
    text = _INVITATION.sub(lambda match: str(fill.invitation_id(match.group(1))), text)
    text = text.replace("@@EVENT_ID@@", unique("EvReplay"))
    text = text.replace("@@TRIGGER@@", unique("replay.trigger."))
    text = text.replace("@@EMAIL@@", f"{unique('replay')}@{fill.email_domain}")
    text = text.replace("@@RESPONSE_URL@@", fill.response_url(unique("replay")))
    if "@@" in text:
        raise ValueError(f"{payload.name}: a placeholder this loader does not know: {text}")
    body: dict[str, Any] = json.loads(text)
    _aim_response_urls(body, fill.response_url)
    if payload.folder == "adapted":
        _map_ids(body)
    if payload.wire == "form":
        return Post(urlencode({key: _form_value(value) for key, value in body.items()}), FORM)
    if payload.wire == "payload":
        return Post(urlencode({"payload": json.dumps(body)}), FORM)
    if payload.wire == "json":
        return Post(json.dumps(body), JSON)
    raise ValueError(f"{payload.name}: unknown wire {payload.wire!r}")


def _aim_response_urls(node: object, response_url: Callable[[str], str]) -> None:
    """Point the samples' response URLs (``hooks.slack.com``, ``localhost:8888``) at the
    stand-in Slack: the bot must not post to the real one, nor wait on a name it cannot
    resolve."""
    if isinstance(node, list):
        for item in node:
            _aim_response_urls(item, response_url)
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "response_url" and isinstance(value, str) and value.startswith("http"):
            if not value.startswith(response_url("")):
                node[key] = response_url(unique("replay"))
        else:
            _aim_response_urls(value, response_url)


def _form_value(value: object) -> str:
    """A form field as Slack encodes it (booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _mapped(corpus_id: object) -> object:
    return CORPUS_IDS.get(corpus_id, corpus_id) if isinstance(corpus_id, str) else corpus_id


def _map_ids(body: dict[str, Any]) -> None:
    for action in body.get("actions") or []:
        if isinstance(action, dict) and "action_id" in action:
            action["action_id"] = _mapped(action["action_id"])
    view = body.get("view")
    if not isinstance(view, dict):
        return
    if "callback_id" in view:
        view["callback_id"] = _mapped(view["callback_id"])
    values = (view.get("state") or {}).get("values")
    if isinstance(values, dict):
        view["state"]["values"] = {
            _mapped(block): (
                {_mapped(key): _map_option(element) for key, element in inputs.items()}
                if isinstance(inputs, dict)
                else inputs
            )
            for block, inputs in values.items()
        }


def _map_option(element: object) -> object:
    if isinstance(element, dict) and element.get("type") == "radio_buttons":
        option = element.get("selected_option")
        if isinstance(option, dict) and isinstance(option.get("value"), str):
            option["value"] = CORPUS_GRANT_VALUES.get(option["value"], option["value"])
    return element


def corpus_ids_used(payloads: list[Payload]) -> set[str]:
    """The action and callback ids ``adapted/`` aims at this bot (each must be mapped)."""
    found: set[str] = set()
    for payload in payloads:
        if payload.folder != "adapted":
            continue
        for change in payload.changes:
            match = re.match(r'(actions\.\d+\.action_id|view\.callback_id): .* -> "(.*)"$', change)
            if match:
                found.add(match.group(2))
    return found
