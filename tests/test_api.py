"""The access API's bearer token: only the configured, non-empty token opens it, whatever the
case of the scheme; and its 404s are in the API's words."""

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from bot.api import access_routes
from bot.core import BillingAccess
from tests.conftest import TEAM


def _get(billing: BillingAccess, path: str, *, token: str, authorization: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=Starlette(routes=access_routes(billing, token)))

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            headers = {"Authorization": authorization}
            return await client.get(f"/api/v1/teams/{path}", headers=headers)

    return asyncio.run(get())


def _users(billing: BillingAccess, *, token: str, authorization: str) -> int:
    return _get(billing, f"{TEAM}/users", token=token, authorization=authorization).status_code


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_configured_token_opens_the_api_whatever_the_case_of_the_scheme(
    billing: BillingAccess, scheme: str
) -> None:
    assert _users(billing, token="s3cret", authorization=f"{scheme} s3cret") == 200


@pytest.mark.parametrize(
    "authorization",
    ["Bearer ", "Bearer", "", "Bearer s3cret2", "Bearer S3CRET", "Basic s3cret", "s3cret",
     "Bearers3cret", "bearer  s3cret", " s3cret"],
)  # fmt: skip
def test_anything_else_is_refused(billing: BillingAccess, authorization: str) -> None:
    assert _users(billing, token="s3cret", authorization=authorization) == 401


@pytest.mark.parametrize("token", ["", "  "])
def test_a_blank_token_lets_nobody_in(billing: BillingAccess, token: str) -> None:
    assert _users(billing, token=token, authorization=f"Bearer {token}") == 401


@pytest.mark.parametrize("path", ["T0NOPE/users", "T0NOPE/users/ana@example.com"])
def test_a_team_without_an_account_is_a_404_in_the_apis_words(
    billing: BillingAccess, path: str
) -> None:
    response = _get(billing, path, token="s3cret", authorization="Bearer s3cret")
    assert (response.status_code, response.json()) == (
        404,
        {"error": "no billing account for this team"},
    )


def test_an_unknown_email_is_a_404_naming_it(billing: BillingAccess) -> None:
    response = _get(billing, f"{TEAM}/users/nobody@example.com", token="s3cret",
                    authorization="Bearer s3cret")  # fmt: skip
    assert response.status_code == 404
    assert "nobody@example.com" in response.json()["error"]
