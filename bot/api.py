"""The access API the billing portal asks: who may do what (DESIGN §5)."""

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.bearer import bearer_check
from bot.core import BillingAccess
from bot.core.context import NO_ACCOUNT
from bot.core.errors import InvalidInput, NotFound
from bot.core.members import UserAccess

log = logging.getLogger(__name__)

NO_TEAM = "no billing account for this team"
"""The 404 for a team without an account (the core's words are for people in Slack)."""


def access_routes(core: BillingAccess, token: str) -> list[BaseRoute]:
    """The API's routes, for requests bearing ``token``."""
    authorized = bearer_check(token)

    async def users(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "a valid bearer token is required")
        team_id = request.path_params["team_id"]
        return await run_in_threadpool(
            _answer, lambda: [_user(a) for a in core.members.all_access(team_id)]
        )

    async def user(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "a valid bearer token is required")
        team_id, email = request.path_params["team_id"], request.path_params["email"]
        return await run_in_threadpool(
            _answer, lambda: _user(core.members.access_for(team_id, email))
        )

    return [
        Route("/api/v1/teams/{team_id}/users", users, methods=["GET"]),
        Route("/api/v1/teams/{team_id}/users/{email}", user, methods=["GET"]),
    ]


def _answer(produce: Callable[[], object]) -> Response:
    try:
        return JSONResponse(produce())
    except NotFound as error:
        return _error(404, NO_TEAM if error.message == NO_ACCOUNT else error.message)
    except InvalidInput as error:
        return _error(400, error.message)
    except SQLAlchemyError:
        log.exception("the access API could not read the database")
        return _error(503, "the database is unavailable; try again shortly")


def _error(status: int, message: str) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _user(access: UserAccess) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email": access.email,
        "role": access.role.value,
        "status": access.status,
        "permissions": list(access.permissions),
        "slack_user_id": access.slack_user_id,
    }
    if access.invitation is not None:
        body["invitation"] = {
            "permissions": list(access.invitation.permissions),
            "invited_by": access.invitation.invited_by_user_id,
            "sent_at": access.invitation.sent_at.isoformat(),
            "expires_at": access.invitation.expires_at.isoformat(),
        }
    return body
