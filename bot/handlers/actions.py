"""Buttons: Accept / Decline on invitations, and the owner's buttons in App Home, lists
and reminders. A button's value only names its target; who may press it is decided here."""

from collections.abc import Callable
from typing import Protocol

from slack_bolt import App
from slack_bolt.kwargs_injection.args import Args

from bot.blocks import ids, messages, modals
from bot.blocks.messages import Message
from bot.core.errors import NotFound
from bot.handlers.caller import caller_of
from bot.handlers.common import Deps, Listener, reply
from bot.slack.people import person
from storage.tables import Invitation


class InvitationChange(Protocol):
    def __call__(self, team_id: str, *, actor: str, email: str) -> Invitation: ...


Confirmation = Callable[[Invitation], Message]
_LARGEST_ID = 2**31 - 1
"""Ids are INTEGER columns: 32 bits on PostgreSQL."""


def register(app: App, deps: Deps) -> None:
    listeners: dict[str, Listener] = {
        ids.ACCEPT: lambda args: _respond_to_invitation(deps, args, accept=True),
        ids.DECLINE: lambda args: _respond_to_invitation(deps, args, accept=False),
        ids.OPEN_INVITE: lambda args: _open_invite(deps, args),
        ids.MANAGE: lambda args: _open_permissions(deps, args),
        ids.REMOVE: lambda args: _remove(deps, args),
        ids.RESEND: lambda args: _change_invitation(
            deps, args, deps.core.invitations.resend, messages.invitation_resent
        ),
        ids.REVOKE: lambda args: _change_invitation(
            deps, args, deps.core.invitations.revoke, messages.invitation_revoked
        ),
    }
    for action_id, listener in listeners.items():
        listener.__name__ = action_id
        app.action(action_id)(deps.guarded(listener))


def _value(args: Args) -> str:
    return str((args.action or {}).get("value") or "")


def _invitation_id(args: Args) -> int:
    """The id a button names; a forged one (``²``, ``-1``, 25 nines) names no invitation."""
    value = _value(args)
    if not (value.isascii() and value.isdigit() and int(value) <= _LARGEST_ID):
        raise NotFound("That invitation does not exist.")
    return int(value)


def _respond_to_invitation(deps: Deps, args: Args, *, accept: bool) -> None:
    args.ack()
    deps.later(args, lambda: _respond(deps, args, accept=accept))


def _respond(deps: Deps, args: Args, *, accept: bool) -> None:
    caller = caller_of(args)
    team, user = caller.where_and_who
    email = person(args.client, user).email
    respond = deps.core.invitations.accept if accept else deps.core.invitations.decline
    response = respond(
        team,
        _invitation_id(args),
        user_id=user,
        user_email=email,
        user_organisation=caller.organisation,
    )
    deps.after_change(team, response.account.owner_user_id, user)


def _open_invite(deps: Deps, args: Args) -> None:
    deps.core.accounts.check_owner(
        caller_of(args).team_id, caller_of(args).user_id, "invite people"
    )
    deps.open_modal(args, modals.invite_modal())


def _open_permissions(deps: Deps, args: Args) -> None:
    member = deps.core.members.member(
        caller_of(args).team_id, actor=caller_of(args).user_id, email=_value(args)
    )
    deps.open_modal(args, modals.permissions_modal(member.email, member.permissions))


def _remove(deps: Deps, args: Args) -> None:
    args.ack()
    deps.later(args, lambda: _remove_access(deps, args))


def _remove_access(deps: Deps, args: Args) -> None:
    team, user = caller_of(args).where_and_who
    change = deps.core.members.remove_access(team, actor=user, email=_value(args))
    _tell(args, messages.access_removed(change.account, change.member.email))
    deps.after_change(team, user, change.member.slack_user_id)


def _change_invitation(
    deps: Deps, args: Args, change: InvitationChange, confirmation: Confirmation
) -> None:
    args.ack()

    def work() -> None:
        team, user = caller_of(args).where_and_who
        invitation = change(team, actor=user, email=_value(args))
        _tell(args, confirmation(invitation))
        deps.after_change(team, user)

    deps.later(args, work)


def _tell(args: Args, message: Message) -> None:
    """Confirm in the conversation the button was in; App Home has none (its refresh shows it)."""
    if args.body.get("response_url"):
        reply(args, message)
