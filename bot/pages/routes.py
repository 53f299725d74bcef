"""``/invitations/{token}``: the emailed link's page, and its Accept and Decline forms.

Every answer carries strict security headers. A dead, unknown or malformed token gets the
same page, which says nothing of other invitations; failed lookups are counted per client
address (``FailedLookups``). The forms carry a CSRF token matched against a cookie (double
submit), and their bodies are bounded."""

import hmac
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.core import BillingAccess
from bot.core.errors import DomainError
from bot.core.invitations import Response as Answer
from bot.mail.facts import facts_of
from bot.pages.limits import FailedLookups
from bot.pages.render import page
from bot.slack.edge import Refused, bounded_body, declared_over

CSRF_COOKIE = "invitation_csrf"
CSRF_FIELD = "csrf"
MAX_FORM_BYTES = 1024
"""The form is a CSRF token and one word; anything much larger is not from the page."""


def invitation_routes(
    core: BillingAccess,
    after_answer: Callable[[Answer], None],
    *,
    secure_cookies: bool,
    lookups: FailedLookups | None = None,
) -> list[BaseRoute]:
    """The page's routes. ``after_answer`` tells the owner and refreshes App Homes, as after
    a click in Slack; ``secure_cookies`` when the page is served over HTTPS."""
    failures = lookups or FailedLookups()

    def too_many(address: str) -> Response:
        response = page("problem.html", 429, problem=TOO_MANY)
        response.headers["Retry-After"] = str(failures.retry_after(address))
        return response

    async def show(request: Request) -> Response:
        address = _address(request)
        if failures.blocked(address):
            return too_many(address)
        linked = await run_in_threadpool(core.links.find, request.path_params["token"])
        if linked is None:
            failures.failed(address)
            return page("problem.html", 404, problem=DEAD)
        if not linked.answerable:
            return page("problem.html", 410, problem=EXPIRED)
        invitation = linked.invitation
        facts = facts_of(linked.account, invitation, invitation.inviter_name)
        csrf = secrets.token_urlsafe(32)
        response = page("invitation.html", 200, facts=facts, csrf=csrf)
        response.set_cookie(
            CSRF_COOKIE,
            csrf,
            path="/invitations/",
            httponly=True,
            samesite="strict",
            secure=secure_cookies,
        )
        return response

    async def answer(request: Request) -> Response:
        address = _address(request)
        if failures.blocked(address):
            return too_many(address)
        form = await _form(request)
        if isinstance(form, Refused):
            return page("problem.html", form.status, problem=BAD_FORM)
        choice = form.get("choice")
        if not _csrf_matches(request, form) or choice not in ("accept", "decline"):
            return page("problem.html", 403, problem=BAD_FORM)
        token = request.path_params["token"]
        if await run_in_threadpool(core.links.find, token) is None:
            failures.failed(address)
            return page("problem.html", 404, problem=DEAD)
        try:
            answered = await run_in_threadpool(
                lambda: core.links.answer(token, accept=choice == "accept")
            )
        except DomainError as refusal:
            return page("problem.html", 409, problem=refusal.message)
        after_answer(answered)
        invitation = answered.invitation
        facts = facts_of(answered.account, invitation, invitation.inviter_name)
        return page("answered.html", 200, facts=facts, accepted=choice == "accept")

    return [
        Route("/invitations/{token}", show, methods=["GET"]),
        Route("/invitations/{token}", answer, methods=["POST"]),
    ]


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


async def _form(request: Request) -> dict[str, str] | Refused:
    """The urlencoded form, bounded; one value per field."""
    if declared_over(request, MAX_FORM_BYTES):
        return Refused(413, "form declared larger than the limit")
    body = await bounded_body(request, MAX_FORM_BYTES)
    if isinstance(body, Refused):
        return body
    try:
        fields = parse_qs(body.decode("ascii"), max_num_fields=4)
    except (UnicodeDecodeError, ValueError):
        return Refused(400, "not a form")
    return {name: values[0] for name, values in fields.items()}


def _csrf_matches(request: Request, form: dict[str, str]) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    given = form.get(CSRF_FIELD, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), given.encode())


DEAD = (
    "This invitation link is not valid. It may have been answered already, withdrawn, or "
    "replaced by a newer email. Ask the person who invited you to send it again if you still "
    "need access."
)
EXPIRED = (
    "This invitation has expired. Ask the person who invited you to send it again if you "
    "still need access."
)
BAD_FORM = (
    "That answer could not be taken: it did not come from the invitation page as it was "
    "shown. Open the link from your email again and choose there."
)
TOO_MANY = "Too many invalid links were tried from your address. Wait a while and try again."
