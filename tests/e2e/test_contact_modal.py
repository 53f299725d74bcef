"""`/billing-invite contact add` with no email: the Add Contact form, through signed requests."""

import json
from typing import Any

from bot.blocks import ids
from bot.core import BillingAccess
from tests.core.helpers import add_user
from tests.e2e.conftest import OWNER, Running
from tests.e2e.steps import opened_view, set_up

TEAM = "T0001"
LEE = "lee@example.com"
CONTACTS_ONLY = "only the owner of Acme Ltd and people allowed to View &amp; Manage Contacts"
EVERY_KIND = ["general", "product", "domain", "invoice", "support", "affiliate"]


def contact_values(email: str, name: str = "", kinds: list[str] | None = None) -> dict[str, Any]:
    """``state.values`` of the Add Contact modal; ``None`` kinds leaves all six ticked."""
    ticked = EVERY_KIND if kinds is None else kinds

    def typed(action_id: str, value: str) -> dict[str, Any]:
        return {action_id: {"type": "plain_text_input", "value": value}}

    return {
        ids.CONTACT_NAME_BLOCK: typed(ids.CONTACT_NAME_INPUT, name),
        ids.CONTACT_EMAIL_BLOCK: typed(ids.CONTACT_EMAIL_INPUT, email),
        ids.CONTACT_KINDS_BLOCK: {
            ids.CONTACT_KINDS_INPUT: {
                "type": "checkboxes",
                "selected_options": [{"value": kind} for kind in ticked],
            }
        },
    }


def said(answer: object) -> str:
    """What an answer shows, as JSON with its characters unescaped."""
    return json.dumps(answer, ensure_ascii=False)


def command(running: Running, text: str, user: str = OWNER) -> str:
    return said(running.slack.command(user, text).json())


def core(running: Running) -> BillingAccess:
    return running.bot.deps.core


def contacts(running: Running) -> dict[str, list[str]]:
    listed = core(running).contacts.list(TEAM, actor=OWNER)
    return {contact.email: contact.email_kinds for contact in listed}


def contact_form(running: Running, user: str = OWNER) -> dict[str, Any]:
    assert running.slack.command(user, "contact add").status_code == 200
    return opened_view(running, ids.CONTACT_MODAL)


def test_the_form_adds_a_contact_who_gets_only_the_emails_ticked(running: Running) -> None:
    set_up(running)
    form = contact_form(running)
    values = contact_values("Lee@Example.com", "Lee Park", ["support", "invoice"])
    answer = running.slack.submit(OWNER, form, values).json()
    assert answer["response_action"] == "update"
    assert "lee@example.com is now a contact. They get: Invoice, Support emails." in said(answer)
    assert contacts(running) == {LEE: ["invoice", "support"]}
    listed = command(running, "contacts")
    assert "*lee@example.com* — Lee Park\\nInvoice, Support emails" in listed
    audit = command(running, "audit")
    assert "*Contact added* · lee@example.com" in audit
    assert "Lee Park · Invoice, Support emails" in audit


def test_a_bad_or_taken_email_keeps_the_form_open_with_the_error_under_it(
    running: Running,
) -> None:
    set_up(running)
    form = contact_form(running)
    answer = running.slack.submit(OWNER, form, contact_values("lee@")).json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [ids.CONTACT_EMAIL_BLOCK]
    assert "not a valid email address" in answer["errors"][ids.CONTACT_EMAIL_BLOCK]
    assert contacts(running) == {}
    running.slack.command(OWNER, f"contact add {LEE}")
    answer = running.slack.submit(OWNER, form, contact_values("LEE@example.com")).json()
    assert answer == {
        "response_action": "errors",
        "errors": {ids.CONTACT_EMAIL_BLOCK: f"{LEE} is already a contact."},
    }


def test_contact_add_with_an_email_still_gives_every_email(running: Running) -> None:
    set_up(running)
    reply = command(running, f"contact add {LEE} Lee")
    assert "lee@example.com is now a contact. They get: All emails." in reply
    assert contacts(running) == {LEE: EVERY_KIND}
    assert "*lee@example.com* — Lee\\nAll emails" in command(running, "contacts")


def test_only_the_owner_and_contact_managers_get_and_submit_the_form(running: Running) -> None:
    set_up(running)
    add_user(core(running), "cy@example.com", "U0CY", ["contacts"])
    add_user(core(running), "bo@example.com", "U0BO", ["invoices"])
    assert CONTACTS_ONLY in command(running, "contact add", "U0BO")
    assert running.stub.opened_views() == []
    form = contact_form(running, "U0CY")
    answer = running.slack.submit("U0BO", form, contact_values(LEE)).json()
    assert CONTACTS_ONLY in said(answer)
    assert contacts(running) == {}
    running.slack.submit("U0CY", form, contact_values(LEE, kinds=[]))
    assert contacts(running) == {LEE: []}
