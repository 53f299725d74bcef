"""Members of the stand-in workspace, shaped like Slack's user object."""

from dataclasses import dataclass
from typing import Any

from tests.slack_stub.errors import ApiError
from tests.slack_stub.ids import BOT_ID, BOT_USER_ID, BOT_USER_NAME, TEAM_ID

_FIRST_UPDATED = 1_700_000_000


@dataclass(frozen=True)
class StubUser:
    """One workspace member; ``email`` is None for bots."""

    id: str
    email: str | None
    name: str
    real_name: str
    team_id: str = TEAM_ID
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        """The user object as ``users.info`` and ``users.lookupByEmail`` return it."""
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": self._profile(),
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": _FIRST_UPDATED,
        }

    def _profile(self) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "team": self.team_id,
        }
        if self.email is not None:
            profile["email"] = self.email
        if self.is_bot:
            profile["bot_id"] = BOT_ID
        return profile


BOT_USER = StubUser(
    id=BOT_USER_ID, email=None, name=BOT_USER_NAME, real_name="Billing Access", is_bot=True
)


class UserDirectory:
    """Users by id, with the bot user always present."""

    def __init__(self) -> None:
        self._users: dict[str, StubUser] = {BOT_USER.id: BOT_USER}

    def add(self, user: StubUser) -> None:
        """Add ``user``, replacing any user with the same id."""
        self._users[user.id] = user

    def exists(self, user_id: str) -> bool:
        """Whether a user with ``user_id`` was added."""
        return user_id in self._users

    def get(self, user_id: str) -> StubUser:
        """The user with ``user_id``; ``user_not_found`` when there is none."""
        user = self._users.get(user_id)
        if user is None:
            raise ApiError("user_not_found")
        return user

    def by_email(self, email: str) -> StubUser:
        """The active user with this email, ignoring case; ``users_not_found`` otherwise.

        Slack answers ``users_not_found`` for deactivated users too.
        """
        wanted = email.casefold()
        for user in self._users.values():
            if user.email is not None and user.email.casefold() == wanted and not user.deleted:
                return user
        raise ApiError("users_not_found")
