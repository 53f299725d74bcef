"""The Web API methods the stub implements, answering with Slack's documented shapes."""

from collections.abc import Callable, Mapping
from typing import Any

from tests.slack_stub.errors import ApiError
from tests.slack_stub.ids import (
    BOT_ID,
    BOT_USER_ID,
    BOT_USER_NAME,
    TEAM_DOMAIN,
    TEAM_ID,
    TEAM_URL,
)
from tests.slack_stub.workspace import Workspace

Args = Mapping[str, Any]
Handler = Callable[[Workspace, Args], dict[str, Any]]

_CONVERSATION_PREFIXES = ("C", "G", "D")
_USER_PREFIXES = ("U", "W")


def dispatch(workspace: Workspace, method: str, args: Args) -> dict[str, Any]:
    """Run ``method`` and return its success body; raises ApiError for Slack errors."""
    handler = _HANDLERS.get(method)
    if handler is None:
        raise ApiError("unknown_method")
    return {"ok": True, **handler(workspace, args)}


def _required(args: Args, name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value:
        raise ApiError("invalid_arguments", f"missing required field: {name}")
    return value


def _optional(args: Args, name: str) -> str | None:
    value = args.get(name)
    return value if isinstance(value, str) else None


def _view(args: Args) -> dict[str, Any]:
    view = args.get("view")
    if not isinstance(view, dict):
        raise ApiError("invalid_arguments", "missing required field: view")
    return view


def _require_content(args: Args) -> None:
    if not any(args.get(field) for field in ("text", "markdown_text", "blocks", "attachments")):
        raise ApiError("no_text")


def _destination(workspace: Workspace, channel: str) -> str:
    """A conversation the bot may post to; a user id stands for the bot's DM with that user,
    as in Slack. Channels follow Slack's membership rules (see ``channels.py``)."""
    if workspace.messages.is_conversation(channel):
        return channel
    if channel.startswith(_USER_PREFIXES) and workspace.users.exists(channel):
        return workspace.messages.open_conversation([channel])
    workspace.channels.check_can_post(channel)
    return channel


def _existing_conversation(args: Args) -> str:
    """chat.update and chat.delete take a conversation id; Slack documents user ids as wrong."""
    channel = _required(args, "channel")
    if not channel.startswith(_CONVERSATION_PREFIXES):
        raise ApiError("channel_not_found")
    return channel


def auth_test(workspace: Workspace, args: Args) -> dict[str, Any]:
    """Who the bot token belongs to."""
    return {
        "url": TEAM_URL
        if workspace.team_id == TEAM_ID
        else f"https://{workspace.team_id}.slack.com/",
        "team": workspace.name,
        "user": BOT_USER_NAME,
        "team_id": workspace.team_id,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def team_info(workspace: Workspace, args: Args) -> dict[str, Any]:
    """The workspace itself; other teams are ``team_not_found``."""
    if args.get("team", workspace.team_id) != workspace.team_id:
        raise ApiError("team_not_found")
    team = {
        "id": workspace.team_id,
        "name": workspace.name,
        "domain": TEAM_DOMAIN,
        "email_domain": "",
        "icon": {"image_default": True},
    }
    return {"team": team}


def users_info(workspace: Workspace, args: Args) -> dict[str, Any]:
    """One user by id."""
    return {"user": workspace.users.get(_required(args, "user")).to_api()}


def users_lookup_by_email(workspace: Workspace, args: Args) -> dict[str, Any]:
    """One active user by email, ignoring case."""
    return {"user": workspace.users.by_email(_required(args, "email")).to_api()}


def conversations_open(workspace: Workspace, args: Args) -> dict[str, Any]:
    """Open (or find) the DM with one user, or the group DM with several."""
    user_ids = [user_id.strip() for user_id in (_optional(args, "users") or "").split(",")]
    user_ids = [user_id for user_id in user_ids if user_id]
    if not user_ids:
        raise ApiError("users_list_not_supplied")
    for user_id in user_ids:
        workspace.users.get(user_id)
    return {"channel": {"id": workspace.messages.open_conversation(user_ids)}}


def conversations_join(workspace: Workspace, args: Args) -> dict[str, Any]:
    """The bot joins a public channel (scope ``channels:join``); private ones it cannot."""
    channel, already = workspace.channels.join(_required(args, "channel"))
    answer: dict[str, Any] = {"channel": channel.to_api()}
    if already:
        answer["warning"] = "already_in_channel"
        answer["response_metadata"] = {"warnings": ["already_in_channel"]}
    return answer


def conversations_info(workspace: Workspace, args: Args) -> dict[str, Any]:
    """A channel the bot can see, with ``is_member`` saying whether the bot is in it."""
    return {"channel": workspace.channels.visible(_required(args, "channel")).to_api()}


def chat_post_message(workspace: Workspace, args: Args) -> dict[str, Any]:
    """Post a bot message; a user id as channel posts to the DM with that user."""
    channel = _destination(workspace, _required(args, "channel"))
    _require_content(args)
    message = workspace.messages.post(channel, args)
    return {"channel": channel, "ts": message["ts"], "message": message}


def chat_post_ephemeral(workspace: Workspace, args: Args) -> dict[str, Any]:
    """Show a message to one user in a conversation."""
    channel = _destination(workspace, _required(args, "channel"))
    user = _required(args, "user")
    if not workspace.users.exists(user):
        raise ApiError("user_not_in_channel")
    _require_content(args)
    return {"message_ts": workspace.messages.post_ephemeral(channel, user, args)}


def chat_update(workspace: Workspace, args: Args) -> dict[str, Any]:
    """Edit a message the bot posted."""
    channel = _existing_conversation(args)
    _require_content(args)
    message = workspace.messages.update(channel, _required(args, "ts"), args)
    return {
        "channel": channel,
        "ts": message["ts"],
        "text": message.get("text", ""),
        "message": message,
    }


def chat_delete(workspace: Workspace, args: Args) -> dict[str, Any]:
    """Delete a message the bot posted."""
    channel = _existing_conversation(args)
    ts = _required(args, "ts")
    workspace.messages.delete(channel, ts)
    return {"channel": channel, "ts": ts}


def _trigger(args: Args) -> str:
    return _optional(args, "trigger_id") or _optional(args, "interactivity_pointer") or ""


def views_open_or_push(workspace: Workspace, args: Args) -> dict[str, Any]:
    """Open or push a modal, exchanging a trigger id that has not been used before."""
    return {"view": workspace.views.open_modal(_trigger(args), _view(args))}


def views_update(workspace: Workspace, args: Args) -> dict[str, Any]:
    """Replace a view named by ``view_id`` or ``external_id``; a stale ``hash`` conflicts."""
    view_ref = {name: args[name] for name in ("view_id", "external_id") if args.get(name)}
    if not view_ref:
        raise ApiError("invalid_arguments", "missing required field: view_id or external_id")
    return {"view": workspace.views.update(view_ref, _view(args), _optional(args, "hash"))}


def views_publish(workspace: Workspace, args: Args) -> dict[str, Any]:
    """Publish a user's Home tab."""
    user_id = _required(args, "user_id")
    workspace.users.get(user_id)
    return {"view": workspace.views.publish(user_id, _view(args), _optional(args, "hash"))}


_HANDLERS: dict[str, Handler] = {
    "auth.test": auth_test,
    "team.info": team_info,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
    "conversations.open": conversations_open,
    "conversations.join": conversations_join,
    "conversations.info": conversations_info,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "views.open": views_open_or_push,
    "views.push": views_open_or_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
