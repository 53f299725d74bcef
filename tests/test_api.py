"""The access API's bearer token: only the configured, non-empty token opens it."""

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from bot.api import access_routes
from bot.core import BillingAccess
from tests.conftest import TEAM


def _users(billing: BillingAccess, *, token: str, authorization: str) -> int:
    transport = httpx.ASGITransport(app=Starlette(routes=access_routes(billing, token)))

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            headers = {"Authorization": authorization}
            return await client.get(f"/api/v1/teams/{TEAM}/users", headers=headers)

    return asyncio.run(get()).status_code


def test_the_configured_token_opens_the_api(billing: BillingAccess) -> None:
    assert _users(billing, token="s3cret", authorization="Bearer s3cret") == 200


@pytest.mark.parametrize("authorization", ["Bearer ", "Bearer", "", "Bearer s3cret2"])
def test_anything_else_is_refused(billing: BillingAccess, authorization: str) -> None:
    assert _users(billing, token="s3cret", authorization=authorization) == 401


@pytest.mark.parametrize("token", ["", "  "])
def test_a_blank_token_lets_nobody_in(billing: BillingAccess, token: str) -> None:
    assert _users(billing, token=token, authorization=f"Bearer {token}") == 401
