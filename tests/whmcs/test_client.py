"""The WHMCS client against the stand-in over loopback: every action, every kind of error, and
credentials that never show."""

import concurrent.futures
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr

from bot.whmcs import (
    EMAIL_KINDS,
    AlreadyLinked,
    AuthenticationFailed,
    ClientUser,
    Contact,
    NotFound,
    Refused,
    Unreachable,
    WhmcsClient,
    WhmcsConfig,
    WhmcsError,
)
from storage.tables import CONTACT_EMAIL_KINDS
from tests.whmcs_stub import PERMISSIONS, WhmcsStub

IDENTIFIER = "id-4f1c9a7e2b"
SECRET = "secret-9d8e7f6a5b4c"
ACCESS_KEY = "access-key-3c2b1a0f"
OWNER_EMAIL = "boss@acme.example"
ANA = "ana@acme.example"
TIMEOUT = 0.5


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx would send even loopback traffic through a proxy named in the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stub() -> Iterator[WhmcsStub]:
    with WhmcsStub(IDENTIFIER, SECRET, access_key=ACCESS_KEY) as running:
        yield running


def config_for(url: str, **changes: Any) -> WhmcsConfig:
    fields: dict[str, Any] = {
        "api_url": url,
        "identifier": SecretStr(IDENTIFIER),
        "secret": SecretStr(SECRET),
        "access_key": SecretStr(ACCESS_KEY),
        **changes,
    }
    return WhmcsConfig(**fields)


@pytest.fixture
def whmcs(stub: WhmcsStub) -> Iterator[WhmcsClient]:
    with WhmcsClient(config_for(stub.api_url), timeout_seconds=TIMEOUT) as client:
        yield client


@pytest.fixture
def client_id(stub: WhmcsStub) -> int:
    return stub.add_client(OWNER_EMAIL, firstname="John", lastname="Smith", companyname="Acme")


def answering(answer: dict[str, Any], status: int = 200) -> WhmcsClient:
    """A client whose every call gets ``answer`` (for shapes the stand-in never makes)."""
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=answer))
    return WhmcsClient(config_for("http://whmcs.invalid/includes/api.php"), transport=transport)


# Clients and users


def test_client_details_with_its_users(stub: WhmcsStub, whmcs: WhmcsClient, client_id: int) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["invoices"], name="Ana Lee")
    details = whmcs.get_clients_details(client_id=client_id)
    owner = ClientUser(stub.owner_user_id(client_id) or 0, OWNER_EMAIL, "John Smith", True)
    assert details.client_id == client_id
    assert (details.email, details.name) == (OWNER_EMAIL, "Acme")
    assert details.users == (owner, ClientUser(ana, ANA, "Ana Lee", False))
    assert details.owner == owner


def test_a_client_without_users_or_company(stub: WhmcsStub, whmcs: WhmcsClient) -> None:
    lonely = stub.add_client(
        "old@client.example", firstname="Old", lastname="Timer", without_users=True
    )
    details = whmcs.get_clients_details(client_id=lonely)
    assert (details.users, details.owner, details.name) == ((), None, "Old Timer")


def test_an_unknown_client_is_not_found(whmcs: WhmcsClient) -> None:
    with pytest.raises(NotFound) as caught:
        whmcs.get_clients_details(client_id=999)
    assert caught.value.message == "Client Not Found"
    assert str(caught.value) == "WHMCS GetClientsDetails: refused: Client Not Found"


def test_permissions_in_catalogue_order(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["quotes", "invoices"])
    owner = stub.owner_user_id(client_id) or 0
    theirs = whmcs.get_user_permissions(client_id=client_id, user_id=ana)
    assert (theirs.user_id, theirs.client_id, theirs.is_owner) == (ana, client_id, False)
    assert theirs.permissions == ("invoices", "quotes")
    owners = whmcs.get_user_permissions(client_id=client_id, user_id=owner)
    assert (owners.is_owner, owners.permissions) == (True, PERMISSIONS)


def test_keys_the_product_does_not_know_are_left_out() -> None:
    answer = {"result": "success", "user_id": "7", "client_id": "1", "is_owner": False}
    with answering({**answer, "permissions": ["quotes", "newthing", "invoices"]}) as whmcs:
        found = whmcs.get_user_permissions(client_id=1, user_id=7)
    assert (found.user_id, found.client_id, found.permissions) == (7, 1, ("invoices", "quotes"))


@pytest.mark.parametrize(
    ("user", "client", "message"),
    [
        ("nobody", "client", "Invalid User ID requested"),
        ("ana", "nowhere", "Invalid Client ID requested"),
        ("stranger", "client", "User is not associated with client"),
    ],
)
def test_users_and_clients_not_found(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int, user: str, client: str, message: str
) -> None:
    users = {
        "nobody": 999,
        "ana": stub.portal_add_user(client_id, ANA, ["quotes"]),
        "stranger": stub.add_user("stranger@else.example"),
    }
    ids = {"client_id": client_id if client == "client" else 999, "user_id": users[user]}
    calls: list[Callable[[], object]] = [
        lambda: whmcs.get_user_permissions(**ids),
        lambda: whmcs.update_user_permissions(**ids, permissions=["quotes"]),
        lambda: whmcs.delete_user_client(**ids),
    ]
    for make_call in calls:
        with pytest.raises(NotFound) as caught:
            make_call()
        assert caught.value.message == message


def test_permissions_are_sent_as_one_comma_separated_set(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["tickets"])
    now = whmcs.update_user_permissions(
        client_id=client_id, user_id=ana, permissions=["invoices", "quotes"]
    )
    assert now == ("invoices", "quotes")
    assert stub.permissions_of(client_id, ANA) == ("invoices", "quotes")
    (sent,) = stub.calls_to("UpdateUserPermissions")
    assert sent.args["permissions"] == "invoices,quotes"


def test_the_owner_cannot_be_edited_or_removed(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    owner = stub.owner_user_id(client_id) or 0
    with pytest.raises(Refused) as edited:
        whmcs.update_user_permissions(client_id=client_id, user_id=owner, permissions=["quotes"])
    with pytest.raises(Refused) as removed:
        whmcs.delete_user_client(client_id=client_id, user_id=owner)
    assert type(edited.value) is Refused and type(removed.value) is Refused
    assert edited.value.message == "Permissions cannot be set on a client owner"
    assert removed.value.message == "You cannot remove the account owner"


def test_an_empty_permission_set_is_refused(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["tickets"])
    with pytest.raises(Refused, match="Missing permissions definition"):
        whmcs.update_user_permissions(client_id=client_id, user_id=ana, permissions=[])


def test_removing_a_user(stub: WhmcsStub, whmcs: WhmcsClient, client_id: int) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["tickets"])
    whmcs.delete_user_client(client_id=client_id, user_id=ana)
    assert stub.permissions_of(client_id, ANA) is None


def test_inviting_twice_sends_two_invitations(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    for _ in range(2):
        whmcs.create_client_invite(
            client_id=client_id, email=ANA, permissions=["quotes", "invoices"]
        )
    assert len(stub.pending_invites()) == 2
    assert stub.calls_to("CreateClientInvite")[0].args == {
        "client_id": str(client_id),
        "email": ANA,
        "permissions": "quotes,invoices",
    }
    stub.follow_invite(ANA)
    assert stub.permissions_of(client_id, ANA) == ("invoices", "quotes")


def test_inviting_a_user_already_linked(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    stub.portal_add_user(client_id, ANA, ["tickets"])
    with pytest.raises(AlreadyLinked) as caught:
        whmcs.create_client_invite(client_id=client_id, email=ANA, permissions=["quotes"])
    assert caught.value.message == "User already associated with client"


def test_invitation_refusals(whmcs: WhmcsClient, client_id: int) -> None:
    with pytest.raises(NotFound, match="Invalid client id"):
        whmcs.create_client_invite(client_id=999, email=ANA, permissions=["quotes"])
    with pytest.raises(Refused) as caught:
        whmcs.create_client_invite(
            client_id=client_id, email="not-an-email", permissions=["quotes"]
        )
    assert type(caught.value) is Refused
    assert caught.value.message == "The email address entered is not valid"


def test_users_are_found_across_pages(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.whmcs.client._PAGE_SIZE", 2)
    emails = [f"ana{n}@acme.example" for n in range(5)]
    ids = [stub.portal_add_user(client_id, email, ["quotes"]) for email in emails]
    found = whmcs.get_users(search="ana")
    assert [user.user_id for user in found] == ids
    assert [user.email for user in found] == emails
    assert found[0].clients[0].client_id == client_id and not found[0].clients[0].is_owner
    assert len(stub.calls_to("GetUsers")) == 3
    assert whmcs.get_users(search="nobody") == ()


def test_an_email_goes_to_the_client_as_escaped_text(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    whmcs.send_email(client_id=client_id, subject="Your code", text="Code <1234567>\nThanks")
    (email,) = stub.sent_emails()
    assert (email.to, email.subject) == (OWNER_EMAIL, "Your code")
    assert email.message == "Code &lt;1234567&gt;<br>\nThanks"
    with pytest.raises(Refused, match="Sending Failed"):
        whmcs.send_email(client_id=999, subject="S", text="T")


# Contacts


def test_contacts_added_listed_updated_and_deleted(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    assert whmcs.get_contacts(client_id=client_id) == ()
    contact_id = whmcs.add_contact(
        client_id=client_id,
        email="cara@acme.example",
        name="  Cara  de la Cruz ",
        email_kinds=["invoice", "general"],
    )
    expected = Contact(
        contact_id, client_id, "cara@acme.example", "Cara de la Cruz", ("general", "invoice")
    )
    assert whmcs.get_contacts(client_id=client_id) == (expected,)
    (stored,) = stub.contacts_of(client_id)
    assert (stored.firstname, stored.lastname) == ("Cara", "de la Cruz")
    whmcs.update_contact(contact_id=contact_id, email_kinds=["support"])
    (updated,) = whmcs.get_contacts(client_id=client_id)
    assert updated.email_kinds == ("support",)
    whmcs.delete_contact(contact_id=contact_id)
    assert stub.contacts_of(client_id) == []


def test_contacts_are_read_across_pages(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.whmcs.client._PAGE_SIZE", 2)
    ids = [stub.portal_add_contact(client_id, f"c{n}@acme.example") for n in range(3)]
    found = whmcs.get_contacts(client_id=client_id)
    assert [contact.contact_id for contact in found] == ids
    assert all(contact.email_kinds == EMAIL_KINDS for contact in found)


def test_contacts_not_found(whmcs: WhmcsClient) -> None:
    with pytest.raises(NotFound, match="Client ID Not Found"):
        whmcs.add_contact(client_id=999, email="c@x.example", name="C", email_kinds=[])
    with pytest.raises(NotFound, match="Contact ID Not Found"):
        whmcs.update_contact(contact_id=999, email_kinds=[])
    with pytest.raises(NotFound, match="Contact ID Not Found"):
        whmcs.delete_contact(contact_id=999)


def test_an_unknown_kind_of_email_is_a_programming_error(
    whmcs: WhmcsClient, stub: WhmcsStub, client_id: int
) -> None:
    with pytest.raises(ValueError, match="newsletter"):
        whmcs.add_contact(
            client_id=client_id, email="c@x.example", name="C", email_kinds=["newsletter"]
        )
    assert stub.calls == []


def test_email_kinds_are_the_products() -> None:
    assert EMAIL_KINDS == CONTACT_EMAIL_KINDS


def test_ids_answered_as_strings_and_empty_listings() -> None:
    with answering({"result": "success", "totalresults": "0", "contacts": []}) as whmcs:
        assert whmcs.get_contacts(client_id=1) == ()
    row = {
        "id": "12",
        "userid": "3",
        "email": "c@x.example",
        "firstname": "C",
        "generalemails": "1",
    }
    answer: dict[str, Any] = {"result": "success", "totalresults": "1"}
    with answering({**answer, "contacts": {"contact": [row]}}) as whmcs:
        assert whmcs.get_contacts(client_id=3) == (
            Contact(12, 3, "c@x.example", "C", ("general",)),
        )


# What goes wrong


def test_http_500_is_unreachable(stub: WhmcsStub, whmcs: WhmcsClient, client_id: int) -> None:
    stub.fail_next("GetClientsDetails")
    with pytest.raises(Unreachable) as caught:
        whmcs.get_clients_details(client_id=client_id)
    assert str(caught.value) == (
        "WHMCS GetClientsDetails: HTTP 500 (text/html; charset=utf-8) is not an API answer"
    )


def test_html_on_200_is_unreachable(stub: WhmcsStub, whmcs: WhmcsClient, client_id: int) -> None:
    stub.answer_html_next("CreateClientInvite")
    with pytest.raises(Unreachable, match="HTTP 200"):
        whmcs.create_client_invite(client_id=client_id, email=ANA, permissions=["quotes"])


def test_a_timeout_is_unreachable_within_the_timeout(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    stub.time_out_next("GetClientsDetails", 5.0)
    started = time.monotonic()
    with pytest.raises(Unreachable, match="ReadTimeout"):
        whmcs.get_clients_details(client_id=client_id)
    assert time.monotonic() - started < TIMEOUT + 0.5


def test_a_lost_answer_is_unreachable_though_the_change_was_made(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    stub.lose_answer_next("CreateClientInvite")
    with pytest.raises(Unreachable, match="RemoteProtocolError"):
        whmcs.create_client_invite(client_id=client_id, email=ANA, permissions=["quotes"])
    assert len(stub.pending_invites()) == 1
    assert len(stub.calls_to("CreateClientInvite")) == 1  # not retried


def test_no_server_is_unreachable(stub: WhmcsStub) -> None:
    url = stub.api_url
    stub.stop()
    with WhmcsClient(config_for(url)) as whmcs, pytest.raises(Unreachable, match="ConnectError"):
        whmcs.get_clients_details(client_id=1)


@pytest.mark.parametrize("status", [200, 500])
def test_result_error_is_a_refusal_whatever_the_status(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int, status: int
) -> None:
    stub.error_next("DeleteContact", "Something odd", status=status)
    with pytest.raises(Refused) as caught:
        whmcs.delete_contact(contact_id=1)
    assert caught.value.message == "Something odd"


@pytest.mark.parametrize(
    "answer",
    [
        {"status": "error", "message": "Client ID Not Found"},
        {"result": "success", "client_id": 1},
        ["result", "success"],
    ],
)
def test_an_answer_without_result_or_of_another_shape_is_unreachable(answer: Any) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    config = config_for("http://whmcs.invalid/includes/api.php")
    with WhmcsClient(config, transport=transport) as whmcs, pytest.raises(Unreachable):
        whmcs.get_clients_details(client_id=1)


def test_bad_credentials_fail_authentication(stub: WhmcsStub) -> None:
    config = config_for(stub.api_url, secret=SecretStr("wrong-secret"))
    with WhmcsClient(config) as whmcs, pytest.raises(AuthenticationFailed) as caught:
        whmcs.get_users()
    assert caught.value.message == "Authentication Failed"
    assert str(caught.value) == "WHMCS GetUsers: refused the bot's access: Authentication Failed"


def test_authentication_failure_on_403(stub: WhmcsStub, whmcs: WhmcsClient) -> None:
    stub.error_next("GetUsers", "Authentication Failed", status=403)
    with pytest.raises(AuthenticationFailed):
        whmcs.get_users()


def test_outside_the_ip_allow_list_the_access_key_is_sent() -> None:
    with WhmcsStub(IDENTIFIER, SECRET, access_key=ACCESS_KEY, ip_allowed=False) as stub:
        with WhmcsClient(config_for(stub.api_url)) as whmcs:
            assert whmcs.get_users() == ()
        without_key = config_for(stub.api_url, access_key=None)
        with WhmcsClient(without_key) as whmcs, pytest.raises(AuthenticationFailed) as caught:
            whmcs.get_users()
        assert caught.value.message == "Invalid IP 127.0.0.1"


def test_an_api_role_without_the_action_fails_authentication() -> None:
    with (
        WhmcsStub(IDENTIFIER, SECRET, allowed_actions=["GetUsers"]) as stub,
        WhmcsClient(config_for(stub.api_url)) as whmcs,
        pytest.raises(AuthenticationFailed, match="getclientsdetails"),
    ):
        whmcs.get_clients_details(client_id=1)


# Connections


def test_one_connection_is_reused(stub: WhmcsStub, whmcs: WhmcsClient, client_id: int) -> None:
    for _ in range(5):
        whmcs.get_clients_details(client_id=client_id)
    assert stub.connections_opened == 1


def test_the_pool_bounds_concurrent_requests() -> None:
    with WhmcsStub(IDENTIFIER, SECRET, latency_seconds=0.05) as stub:
        config = config_for(stub.api_url, max_concurrency=2)
        with WhmcsClient(config) as whmcs, concurrent.futures.ThreadPoolExecutor(6) as pool:
            list(pool.map(lambda _: whmcs.get_users(), range(12)))
        assert stub.max_concurrent_requests == 2
        assert stub.connections_opened == 2


# Credentials never show


def failures(stub: WhmcsStub, client_id: int) -> list[Callable[[WhmcsClient], object]]:
    """One call for each kind of failure, the stub primed for it."""
    stub.fail_next("GetUsers")
    stub.time_out_next("GetUsers", 5.0)
    stub.answer_html_next("GetUsers")
    stub.lose_answer_next("GetUsers")
    stub.error_next("GetUsers", "Authentication Failed")
    return [
        *[lambda whmcs: whmcs.get_users()] * 5,
        lambda whmcs: whmcs.get_clients_details(client_id=999),
        lambda whmcs: whmcs.create_client_invite(client_id=client_id, email="x", permissions=["a"]),
    ]


def test_credentials_never_appear_in_errors_or_logs(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    caught: list[WhmcsError] = []
    with caplog.at_level(logging.DEBUG):
        for make_call in failures(stub, client_id):
            with pytest.raises(WhmcsError) as failure:
                make_call(whmcs)
            logging.getLogger("test").exception("call failed", exc_info=failure.value)
            caught.append(failure.value)
    assert {type(error) for error in caught} >= {
        Unreachable,
        AuthenticationFailed,
        NotFound,
        Refused,
    }
    shown = [str(error) for error in caught] + [repr(error) for error in caught]
    shown += [caplog.text, repr(config_for(stub.api_url)), repr(whmcs)]
    assert "httpcore" in caplog.text  # the transport's debug lines were captured too
    for text in shown:
        for credential in (IDENTIFIER, SECRET, ACCESS_KEY):
            assert credential not in text


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_calls_and_errors_are_counted_by_action(
    stub: WhmcsStub, whmcs: WhmcsClient, client_id: int
) -> None:
    action = {"action": "GetClientsDetails"}
    calls, unreachable, missing = (
        _count("billing_whmcs_calls_total", **action),
        _count("billing_whmcs_errors_total", **action, error="Unreachable"),
        _count("billing_whmcs_errors_total", **action, error="NotFound"),
    )
    whmcs.get_clients_details(client_id=client_id)
    stub.fail_next("GetClientsDetails")
    with pytest.raises(Unreachable):
        whmcs.get_clients_details(client_id=client_id)
    with pytest.raises(NotFound):
        whmcs.get_clients_details(client_id=999)
    assert _count("billing_whmcs_calls_total", **action) == calls + 3
    assert _count("billing_whmcs_errors_total", **action, error="Unreachable") == unreachable + 1
    assert _count("billing_whmcs_errors_total", **action, error="NotFound") == missing + 1
