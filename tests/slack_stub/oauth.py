"""The stand-in's tokens and its OAuth v2 app: which token belongs to which workspace, which are
revoked, and ``oauth.v2.access`` exchanging a code (or, with token rotation, a refresh token)
for a bot token, refusing what Slack documents it refuses. Not thread-safe: SlackStub
serialises access."""

import base64
import binascii
import itertools
from dataclasses import dataclass, field
from typing import Any

from tests.slack_stub.errors import ApiError
from tests.slack_stub.ids import APP_ID, BOT_USER_ID

DEFAULT_EXPIRES_IN = 43_200  # Slack's rotating tokens live 12 hours


@dataclass
class Grant:
    team_id: str
    team_name: str
    redirect_uri: str
    scopes: str
    installer: str
    enterprise: dict[str, str] | None


@dataclass
class Tokens:
    """Bot tokens by the workspace they work in; a revoked token answers ``token_revoked``."""

    teams: dict[str, str] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)

    def team_of(self, token: str | None) -> str:
        """The workspace of a working token; Slack's error for any other."""
        if not token:
            raise ApiError("not_authed")
        if token in self.revoked:
            raise ApiError("token_revoked")
        if token not in self.teams:
            raise ApiError("invalid_auth")
        return self.teams[token]

    def revoke_team(self, team_id: str) -> None:
        self.revoked |= {token for token, team in self.teams.items() if team == team_id}


@dataclass
class OAuthApp:
    """The app's credentials, and what Slack hands out for them."""

    tokens: Tokens
    client_id: str = ""
    client_secret: str = ""
    rotation: bool = False
    expires_in: int = DEFAULT_EXPIRES_IN
    """Lifetime of the next rotating token handed out for a code."""
    _grants: dict[str, Grant] = field(default_factory=dict)
    _refresh: dict[str, str] = field(default_factory=dict)
    """Unused refresh tokens, by the workspace they refresh."""
    _counter: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))

    def approve(self, grant: Grant) -> str:
        """Someone allowed the app in a workspace: the code Slack puts in the redirect."""
        code = f"code-{grant.team_id}-{next(self._counter)}"
        self._grants[code] = grant
        return code

    def access(self, args: dict[str, Any], authorization: str) -> dict[str, Any]:
        """``oauth.v2.access``: credentials by HTTP Basic or form fields, as Slack takes them."""
        client_id, client_secret = _credentials(args, authorization)
        if not client_id or client_id != self.client_id:
            raise ApiError("invalid_client_id")
        if client_secret != self.client_secret:
            raise ApiError("bad_client_secret")
        if args.get("grant_type") == "refresh_token":
            return self._refreshed(str(args.get("refresh_token") or ""))
        if args.get("grant_type") not in (None, "authorization_code"):
            raise ApiError("invalid_grant_type")
        grant = self._grants.pop(str(args.get("code") or ""), None)
        if grant is None:
            raise ApiError("invalid_code")
        if args.get("redirect_uri") != grant.redirect_uri:
            raise ApiError("bad_redirect_uri")
        return self._answer(grant.team_id, grant, self.expires_in)

    def _refreshed(self, refresh_token: str) -> dict[str, Any]:
        team_id = self._refresh.pop(refresh_token, None)
        if team_id is None:
            raise ApiError("invalid_refresh_token")
        return {"token_type": "bot", **self._token(team_id, DEFAULT_EXPIRES_IN)}

    def _answer(self, team_id: str, grant: Grant, expires_in: int) -> dict[str, Any]:
        return {
            "app_id": APP_ID,
            "authed_user": {"id": grant.installer},
            "scope": grant.scopes,
            "token_type": "bot",
            "bot_user_id": BOT_USER_ID,
            "team": {"id": team_id, "name": grant.team_name},
            "enterprise": grant.enterprise,
            "is_enterprise_install": False,
            **self._token(team_id, expires_in),
        }

    def _token(self, team_id: str, expires_in: int) -> dict[str, Any]:
        n = next(self._counter)
        prefix = "xoxe.xoxb" if self.rotation else "xoxb"
        token = f"{prefix}-{team_id}-{n}"
        self.tokens.teams[token] = team_id
        if not self.rotation:
            return {"access_token": token}
        refresh = f"xoxe-1-{team_id}-{n}"
        self._refresh[refresh] = team_id
        return {"access_token": token, "refresh_token": refresh, "expires_in": expires_in}


def _credentials(args: dict[str, Any], authorization: str) -> tuple[str, str]:
    if authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError("invalid_client_id") from None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return str(args.get("client_id") or ""), str(args.get("client_secret") or "")
