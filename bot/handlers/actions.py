"""Buttons: Accept / Decline on invitations, and the owner's buttons in App Home, lists
and reminders. A button's value only names its target; who may press it is decided here."""

from slack_bolt import App
from slack_bolt.kwargs_injection.args import Args

from bot.blocks import ids, messages, modals
from bot.blocks.text import escape
from bot.core.errors import NotFound
from bot.handlers.common import Deps, Listener, guarded, reply, team_of, user_of
from bot.slack.people import person


def register(app: App, deps: Deps) -> None:
    listeners: dict[str, Listener] = {
        ids.ACCEPT: lambda args: _respond_to_invitation(deps, args, accept=True),
        ids.DECLINE: lambda args: _respond_to_invitation(deps, args, accept=False),
        ids.OPEN_INVITE: lambda args: _open_invite(deps, args),
        ids.MANAGE: lambda args: _open_permissions(deps, args),
        ids.REMOVE: lambda args: _remove(deps, args),
        ids.RESEND: lambda args: _resend(deps, args),
        ids.REVOKE: lambda args: _revoke(deps, args),
    }
    for action_id, listener in listeners.items():
        listener.__name__ = action_id
        app.action(action_id)(guarded(listener))


def _value(args: Args) -> str:
    return str((args.action or {}).get("value") or "")


def _invitation_id(args: Args) -> int:
    value = _value(args)
    if not value.isdigit():
        raise NotFound("That invitation does not exist.")
    return int(value)


def _respond_to_invitation(deps: Deps, args: Args, *, accept: bool) -> None:
    args.ack()
    team, user = team_of(args), user_of(args)
    caller = person(deps.client, user)
    respond = deps.core.invitations.accept if accept else deps.core.invitations.decline
    response = respond(team, _invitation_id(args), user_id=user, user_email=caller.email)
    deps.after_change(team, response.account.owner_user_id, user)


def _open_invite(deps: Deps, args: Args) -> None:
    deps.core.accounts.check_owner(team_of(args), user_of(args), "invite people")
    args.ack()
    deps.client.views_open(trigger_id=args.body["trigger_id"], view=modals.invite_modal())


def _open_permissions(deps: Deps, args: Args) -> None:
    member = deps.core.members.member(team_of(args), actor=user_of(args), email=_value(args))
    args.ack()
    deps.client.views_open(
        trigger_id=args.body["trigger_id"],
        view=modals.permissions_modal(member.email, member.permissions),
    )


def _remove(deps: Deps, args: Args) -> None:
    args.ack()
    team, user = team_of(args), user_of(args)
    change = deps.core.members.remove_access(team, actor=user, email=_value(args))
    _tell(
        args,
        f"{escape(change.member.email)} no longer has access to {escape(change.account.name)}.",
    )
    deps.after_change(team, user, change.member.slack_user_id)


def _resend(deps: Deps, args: Args) -> None:
    args.ack()
    team, user = team_of(args), user_of(args)
    invitation = deps.core.invitations.resend(team, actor=user, email=_value(args))
    _tell(args, f"The invitation to {escape(invitation.email)} was sent again.")
    deps.after_change(team, user)


def _revoke(deps: Deps, args: Args) -> None:
    args.ack()
    team, user = team_of(args), user_of(args)
    invitation = deps.core.invitations.revoke(team, actor=user, email=_value(args))
    _tell(args, f"The invitation to {escape(invitation.email)} was revoked.")
    deps.after_change(team, user)


def _tell(args: Args, text: str) -> None:
    """Confirm in the conversation the button was in; App Home has none (its refresh shows it)."""
    if args.body.get("response_url"):
        reply(args, messages.notice(text))
