"""Creating the workspace's billing account, its settings, and who a viewer is."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.core.authority import is_owner, require_owner
from bot.core.channels import release_kept
from bot.core.context import CoreContext, Timings, account_id, record
from bot.core.context import require_account as _require_account
from bot.core.emails import normalise_email
from bot.core.errors import Conflict, InvalidInput, NotAuthorized
from bot.core.permissions import ALL_KEYS
from storage.tables import Account, Member, MemberRole
from storage.unit_of_work import UniqueViolation

MAX_NAME_LENGTH = 200
MAX_DURATION = timedelta(days=365)


class ViewerRole(StrEnum):
    OWNER = "owner"
    USER = "user"
    OUTSIDER = "outsider"


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the account, and what they hold on it."""

    account: Account | None
    role: ViewerRole
    member: Member | None


class AccountExists(Conflict):
    def __init__(self, account: Account) -> None:
        super().__init__(
            f"This workspace already has a billing account, {account.name}. Nothing was changed."
        )
        self.account = account


class AccountService:
    def __init__(self, context: CoreContext) -> None:
        self._context = context

    def setup(
        self,
        team_id: str,
        name: str,
        *,
        actor: str,
        actor_email: str,
        actor_is_workspace_admin: bool,
        channel_id: str,
        actor_organisation: str | None = None,
        enterprise_id: str | None = None,
    ) -> Account:
        """Create the account; the caller becomes its owner, the channel its reminders channel.
        ``actor_organisation`` is the caller's own workspace when it is another one (someone
        from another organisation in a shared channel): they never set up or own an account.
        ``enterprise_id``: the workspace's Enterprise Grid organisation, if it has one."""
        if actor_organisation is not None:
            raise NotAuthorized(
                "Sorry, only a member of this workspace can set up its billing account, and "
                f"you are signed in from another organisation ({actor_organisation})."
            )
        if not actor_is_workspace_admin:
            raise NotAuthorized(
                "Sorry, only a Slack workspace admin or owner can set up the billing account."
            )
        clean_name = _account_name(name)
        owner_email = normalise_email(actor_email)
        now = self._context.now()
        with self._context.uow() as uow:
            existing = uow.accounts.for_team(team_id)
            if existing is not None:
                raise AccountExists(existing)
            account = uow.accounts.add(
                Account(
                    team_id=team_id,
                    name=clean_name,
                    owner_user_id=actor,
                    reminders_channel_id=channel_id,
                    created_at=now,
                    slack_enterprise_id=enterprise_id,
                )
            )
            try:
                uow.flush()
            except UniqueViolation:
                raise AccountExists(self._existing(team_id)) from None
            uow.members.add(
                Member(
                    account_id=account_id(account),
                    email=owner_email,
                    slack_user_id=actor,
                    role=MemberRole.OWNER,
                    permissions=list(ALL_KEYS),
                    created_at=now,
                    updated_at=now,
                )
            )
            record(
                uow,
                account,
                at=now,
                actor=actor,
                action="account.created",
                target=owner_email,
                after=ALL_KEYS,
                detail=clean_name,
            )
            uow.commit()
            return account

    def _existing(self, team_id: str) -> Account:
        with self._context.uow(read_only=True) as uow:
            return _require_account(uow, team_id)

    def find(self, team_id: str) -> Account | None:
        with self._context.uow(read_only=True) as uow:
            return uow.accounts.for_team(team_id)

    def require(self, team_id: str) -> Account:
        with self._context.uow(read_only=True) as uow:
            return _require_account(uow, team_id)

    def check_owner(self, team_id: str, actor: str, doing: str) -> Account:
        """The account, if ``actor`` owns it; a refusal naming ``doing`` otherwise."""
        with self._context.as_owner(team_id, actor, doing, read_only=True) as (_uow, account):
            return account

    def viewer(self, team_id: str, user_id: str) -> Viewer:
        with self._context.uow(read_only=True) as uow:
            account = uow.accounts.for_team(team_id)
            if account is None:
                return Viewer(None, ViewerRole.OUTSIDER, None)
            member = uow.members.active_by_slack_user(account_id(account), user_id)
            if is_owner(account, user_id):
                return Viewer(account, ViewerRole.OWNER, member)
            role = ViewerRole.USER if member is not None else ViewerRole.OUTSIDER
            return Viewer(account, role, member)

    def timings(self, account: Account) -> Timings:
        return self._context.defaults.for_account(account)

    def update_settings(
        self,
        team_id: str,
        *,
        actor: str,
        reminders_channel_id: str,
        timings: Timings,
    ) -> Account:
        """Set the reminders channel and the account's own timings."""
        channel = reminders_channel_id.strip()
        if not channel:
            raise InvalidInput("Choose a channel for reminders.")
        for label, value in _named(timings):
            _check_duration(label, value)
        now = self._context.now()
        with self._context.uow() as uow:
            account = _require_account(uow, team_id)
            require_owner(account, actor, "change the settings")
            before = _describe(account, self._context.defaults.for_account(account))
            moved = account.reminders_channel_id != channel
            account.reminders_channel_id = channel
            if moved and account.channel_problem is not None:
                # The new channel is unknown until the bot tries it: what was kept goes there.
                release_kept(uow, account, now)
            account.reminder_first_after_s = _seconds(timings.reminder_first_after)
            account.reminder_repeat_every_s = _seconds(timings.reminder_repeat_every)
            account.invite_expires_after_s = _seconds(timings.invite_expires_after)
            uow.accounts.add(account)
            after = _describe(account, timings)
            record(
                uow,
                account,
                at=now,
                actor=actor,
                action="settings.changed",
                detail=f"{before} -> {after}",
            )
            uow.commit()
            return account


def _account_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput("Give the billing account a name: `/billing-invite setup NAME`.")
    if len(clean) > MAX_NAME_LENGTH:
        raise InvalidInput(f"The account name is too long (at most {MAX_NAME_LENGTH} characters).")
    return clean


def _named(timings: Timings) -> list[tuple[str, timedelta]]:
    return [
        ("The first reminder", timings.reminder_first_after),
        ("The reminder interval", timings.reminder_repeat_every),
        ("The invitation lifetime", timings.invite_expires_after),
    ]


def _check_duration(label: str, value: timedelta) -> None:
    if value <= timedelta(0):
        raise InvalidInput(f"{label} must be longer than zero.")
    if value > MAX_DURATION:
        raise InvalidInput(f"{label} must be at most 365 days.")


def _seconds(value: timedelta) -> int:
    return int(value.total_seconds())


def _describe(account: Account, timings: Timings) -> str:
    return (
        f"channel={account.reminders_channel_id} "
        f"first={_seconds(timings.reminder_first_after)}s "
        f"repeat={_seconds(timings.reminder_repeat_every)}s "
        f"expiry={_seconds(timings.invite_expires_after)}s"
    )
