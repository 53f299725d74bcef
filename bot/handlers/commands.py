"""`/billing-invite`: each verb of DESIGN §4, answered only to the person who typed it."""

from collections.abc import Callable

from slack_bolt import App
from slack_bolt.kwargs_injection.args import Args

from bot.blocks import messages, modals, portal
from bot.blocks.channel import account_ready
from bot.blocks.text import escape
from bot.core.connection import CONNECTING
from bot.grammar import Command, Verb, parse_command
from bot.handlers.caller import caller_of, elsewhere
from bot.handlers.common import Deps, reply
from bot.slack.channels import settle_channel
from bot.slack.people import person

COMMAND = "/billing-invite"
USERS_REPLY = "users"
"""The kind under which the owner's table is kept (see ``ReplyCache``)."""

Handler = Callable[[Deps, Args, Command], None]


def register(app: App, deps: Deps) -> None:
    def on_command(args: Args) -> None:
        command = parse_command(str(args.body.get("text") or ""))
        HANDLERS[command.verb](deps, args, command)

    app.command(COMMAND)(deps.guarded(on_command))


def open_invite(deps: Deps, args: Args, command: Command) -> None:
    team, user = caller_of(args).where_and_who
    deps.core.accounts.check_owner(team, user, "invite people")
    deps.open_modal(args, modals.invite_modal(command.emails))


def show_users(deps: Deps, args: Args, _command: Command) -> None:
    team, user = caller_of(args).where_and_who
    account = deps.core.accounts.check_owner(team, user, "see the users of the account")
    now = deps.clock()

    def build() -> messages.Message:
        seen = deps.core.members.overview(team, actor=user)
        return messages.user_table(seen.account, seen.members, seen.pending, now)

    deps.replies.acknowledge(args.ack, USERS_REPLY, account, now, build)


def show_pending(deps: Deps, args: Args, _command: Command) -> None:
    team, user = caller_of(args).where_and_who
    pending = deps.core.invitations.pending(team, actor=user)
    _answer(args, messages.pending_list(deps.core.accounts.require(team), pending, deps.clock()))


def open_permissions(deps: Deps, args: Args, command: Command) -> None:
    team, user = caller_of(args).where_and_who
    member = deps.core.members.member(team, actor=user, email=command.emails[0])
    deps.open_modal(args, modals.permissions_modal(member.email, member.permissions))


def confirm_removal(deps: Deps, args: Args, command: Command) -> None:
    team, user = caller_of(args).where_and_who
    member = deps.core.members.member(
        team, actor=user, email=command.emails[0], doing="remove access"
    )
    _answer(args, messages.remove_confirmation(member.email))


def resend(deps: Deps, args: Args, command: Command) -> None:
    team, user = caller_of(args).where_and_who
    invitation = deps.core.invitations.resend(team, actor=user, email=command.emails[0])
    _answer(args, messages.invitation_resent(invitation))
    deps.after_change(team, user)


def revoke(deps: Deps, args: Args, command: Command) -> None:
    team, user = caller_of(args).where_and_who
    invitation = deps.core.invitations.revoke(team, actor=user, email=command.emails[0])
    _answer(args, messages.invitation_revoked(invitation))
    deps.after_change(team, user)


def show_contacts(deps: Deps, args: Args, _command: Command) -> None:
    team, user = caller_of(args).where_and_who
    contacts = deps.core.contacts.list(team, actor=user)
    _answer(args, messages.contacts_list(deps.core.accounts.require(team), contacts))


def add_contact(deps: Deps, args: Args, command: Command) -> None:
    team, user = caller_of(args).where_and_who
    if not command.emails:
        deps.core.contacts.check_manager(team, user)
        deps.open_modal(args, modals.contact_modal())
        return
    contact = deps.core.contacts.add(
        team, actor=user, email=command.emails[0], name=command.argument
    )
    _answer(args, messages.contact_added(contact))
    deps.after_change(team, deps.core.accounts.require(team).owner_user_id)


def remove_contact(deps: Deps, args: Args, command: Command) -> None:
    team, user = caller_of(args).where_and_who
    contact = deps.core.contacts.remove(team, actor=user, email=command.emails[0])
    _answer(args, messages.notice(f"{escape(contact.email)} is no longer a contact."))
    deps.after_change(team, deps.core.accounts.require(team).owner_user_id)


def setup(deps: Deps, args: Args, command: Command) -> None:
    args.ack()
    deps.later(args, lambda: _set_up(deps, args, command))


def _set_up(deps: Deps, args: Args, command: Command) -> None:
    caller = caller_of(args)
    team, user = caller.where_and_who
    slack_user = person(args.client, user)
    channel = str(args.body.get("channel_id") or "")
    deps.core.accounts.setup(
        team,
        command.argument,
        actor=user,
        actor_email=slack_user.email,
        actor_is_workspace_admin=slack_user.is_admin,
        channel_id=channel,
        actor_organisation=caller.organisation or elsewhere(slack_user.team_id, team),
        enterprise_id=args.context.enterprise_id,
    )
    settle_channel(deps.core, args.client, team, channel, tell_owner=False)
    reply(args, account_ready(deps.core.accounts.require(team)))
    deps.homes.refresh(team, user)


def open_settings(deps: Deps, args: Args, _command: Command) -> None:
    team, user = caller_of(args).where_and_who
    account = deps.core.accounts.check_owner(team, user, "change the settings")
    timings = deps.core.accounts.timings(account)
    deps.open_modal(args, modals.settings_modal(account.reminders_channel_id, timings))


def show_audit(deps: Deps, args: Args, _command: Command) -> None:
    team, user = caller_of(args).where_and_who
    events = deps.core.audit.recent(team, actor=user)
    _answer(args, messages.audit_list(deps.core.accounts.require(team), events))


def start_connecting(deps: Deps, args: Args, command: Command) -> None:
    """Have WHMCS email the client a code: acknowledged at once, answered once WHMCS has."""
    team, user = caller_of(args).where_and_who
    deps.core.accounts.check_owner(team, user, CONNECTING)
    if deps.core.connection.enabled:
        _answer(args, portal.checking_client(command.client_id))
    else:
        args.ack()  # the core says why it cannot connect, right after
    deps.later(args, lambda: _email_code(deps, args, command))


def _email_code(deps: Deps, args: Args, command: Command) -> None:
    team, user = caller_of(args).where_and_who
    deps.core.connection.start(team, actor=user, client_id=command.client_id)
    reply(args, portal.code_sent(command.client_id))


def finish_connecting(deps: Deps, args: Args, command: Command) -> None:
    team, user = caller_of(args).where_and_who
    account = deps.core.connection.finish(
        team, actor=user, client_id=command.client_id, code=command.code
    )
    _answer(args, portal.connected(account))
    deps.after_change(team, user)


def disconnect(deps: Deps, args: Args, _command: Command) -> None:
    team, user = caller_of(args).where_and_who
    account = deps.core.connection.disconnect(team, actor=user)
    _answer(args, portal.disconnected(account))
    deps.after_change(team, user)


def show_usage(_deps: Deps, args: Args, command: Command) -> None:
    not_understood = command.argument if command.verb == Verb.UNKNOWN else None
    _answer(args, messages.usage(not_understood))


def _answer(args: Args, message: messages.Message) -> None:
    args.ack(text=message.text, blocks=message.blocks)


HANDLERS: dict[Verb, Handler] = {
    Verb.INVITE: open_invite,
    Verb.LIST: show_users,
    Verb.PENDING: show_pending,
    Verb.PERMISSIONS: open_permissions,
    Verb.REMOVE: confirm_removal,
    Verb.RESEND: resend,
    Verb.REVOKE: revoke,
    Verb.CONTACTS: show_contacts,
    Verb.CONTACT_ADD: add_contact,
    Verb.CONTACT_REMOVE: remove_contact,
    Verb.SETUP: setup,
    Verb.SETTINGS: open_settings,
    Verb.AUDIT: show_audit,
    Verb.CONNECT: start_connecting,
    Verb.CONNECT_WITH_CODE: finish_connecting,
    Verb.DISCONNECT: disconnect,
    Verb.HELP: show_usage,
    Verb.UNKNOWN: show_usage,
}
