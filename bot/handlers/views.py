"""Modal submissions: Invite New User, Manage Permissions, Add Contact, Settings. Field errors
keep the modal open (`response_action: errors`); authority is checked again on every submission."""

from datetime import timedelta

from slack_bolt import App
from slack_bolt.kwargs_injection.args import Args

from bot.blocks import ids, messages, modals
from bot.core import Timings
from bot.core.emails import parse_email_list
from bot.core.errors import Conflict, InvalidEmail, InvalidInput
from bot.durations import parse_duration
from bot.handlers.caller import caller_of
from bot.handlers.common import Deps
from bot.slack.channels import settle_channel

CHOOSE_ONE = "Choose at least one permission, or pick All Permissions."


def register(app: App, deps: Deps) -> None:
    app.view(ids.INVITE_MODAL)(deps.guarded(lambda args: _invite(deps, args)))
    app.view(ids.PERMISSIONS_MODAL)(deps.guarded(lambda args: _save_permissions(deps, args)))
    app.view(ids.CONTACT_MODAL)(deps.guarded(lambda args: _add_contact(deps, args)))
    app.view(ids.SETTINGS_MODAL)(deps.guarded(lambda args: _save_settings(deps, args)))


def _values(args: Args) -> dict[str, object]:
    return dict(((args.view or {}).get("state") or {}).get("values") or {})


def _invite(deps: Deps, args: Args) -> None:
    form = modals.parse_invite(_values(args))
    try:
        emails = parse_email_list(form.emails_text)
    except InvalidInput as error:
        args.ack(**modals.field_errors(**{ids.EMAILS_BLOCK: error.message}))
        return
    if not form.grant_all and not form.permissions:
        args.ack(**modals.field_errors(**{ids.PERMISSIONS_BLOCK: CHOOSE_ONE}))
        return
    team, user = caller_of(args).where_and_who
    result = deps.core.invitations.invite(team, actor=user, emails=emails, permissions=form.granted)
    args.ack(
        response_action="update",
        view=modals.message_modal("Invite New User", messages.invite_outcome(result)),
    )
    deps.after_change(team, user)


def _save_permissions(deps: Deps, args: Args) -> None:
    permissions = modals.parse_permissions(_values(args))
    if not permissions:
        args.ack(**modals.field_errors(**{ids.PERMISSIONS_BLOCK: CHOOSE_ONE}))
        return
    team, user = caller_of(args).where_and_who
    email = str((args.view or {}).get("private_metadata") or "")
    change = deps.core.members.set_permissions(
        team, actor=user, email=email, permissions=permissions
    )
    args.ack()
    deps.after_change(team, user, change.member.slack_user_id)


def _add_contact(deps: Deps, args: Args) -> None:
    form = modals.parse_contact(_values(args))
    team, user = caller_of(args).where_and_who
    try:
        contact = deps.core.contacts.add(
            team,
            actor=user,
            email=form.email,
            name=form.name,
            email_kinds=form.email_kinds,
        )
    except (InvalidEmail, Conflict) as error:
        args.ack(**modals.field_errors(**{ids.CONTACT_EMAIL_BLOCK: error.message}))
        return
    args.ack(
        response_action="update",
        view=modals.message_modal("Add Contact", messages.contact_added(contact)),
    )
    deps.after_change(team, deps.core.accounts.require(team).owner_user_id)


def _save_settings(deps: Deps, args: Args) -> None:
    form = modals.parse_settings(_values(args))
    durations: dict[str, timedelta] = {}
    errors: dict[str, str] = {}
    for block, text in (
        (ids.FIRST_BLOCK, form.first),
        (ids.REPEAT_BLOCK, form.repeat),
        (ids.EXPIRY_BLOCK, form.expiry),
    ):
        try:
            durations[block] = parse_duration(text)
        except ValueError as error:
            errors[block] = f"{str(error).capitalize()}."
    if not form.channel_id:
        errors[ids.CHANNEL_BLOCK] = "Choose a channel for reminders."
    if errors:
        args.ack(**modals.field_errors(**errors))
        return
    timings = Timings(
        durations[ids.FIRST_BLOCK], durations[ids.REPEAT_BLOCK], durations[ids.EXPIRY_BLOCK]
    )
    team, user = caller_of(args).where_and_who
    account = deps.core.accounts.update_settings(
        team, actor=user, reminders_channel_id=form.channel_id, timings=timings
    )
    args.ack()
    channel = account.reminders_channel_id

    def settle() -> None:
        settle_channel(deps.core, args.client, team, channel, tell_owner=True)
        deps.after_change(team, user)

    deps.later(args, settle)
