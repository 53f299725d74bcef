"""The stand-in WHMCS, driven over loopback HTTP with httpx as ``../shared/whmcs/API.md`` says
WHMCS answers: every action, its error strings, the owner rules, the portal's side, faults."""

import concurrent.futures
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.core.permissions import ALL_KEYS
from storage.tables import CONTACT_EMAIL_KINDS
from tests.whmcs_stub import EMAIL_KINDS, PERMISSIONS, WhmcsStub

OWNER_EMAIL = "boss@acme.example"
ANA = "ana@acme.example"


@pytest.fixture
def stub() -> Iterator[WhmcsStub]:
    with WhmcsStub() as running:
        yield running


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    """One client for the module: building one costs 0.1 s (its TLS context)."""
    with httpx.Client(timeout=5.0) as client:
        yield client


@pytest.fixture
def client_id(stub: WhmcsStub) -> int:
    return stub.add_client(OWNER_EMAIL, firstname="John", lastname="Smith", companyname="Acme")


def post(http: httpx.Client, stub: WhmcsStub, action: str, **params: object) -> httpx.Response:
    form = {
        "action": action,
        "identifier": stub.identifier,
        "secret": stub.secret,
        "responsetype": "json",
        **{name: str(value) for name, value in params.items()},
    }
    return http.post(stub.api_url, data=form)


def call(http: httpx.Client, stub: WhmcsStub, action: str, **params: object) -> dict[str, Any]:
    response = post(http, stub, action, **params)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def error(message: str) -> dict[str, str]:
    return {"result": "error", "message": message}


def invite(http: httpx.Client, stub: WhmcsStub, client_id: int, email: str, keys: str) -> None:
    answer = call(
        http, stub, "CreateClientInvite", client_id=client_id, email=email, permissions=keys
    )
    assert answer == {"result": "success"}


def test_catalogues_are_the_products() -> None:
    assert PERMISSIONS == ALL_KEYS
    assert EMAIL_KINDS == CONTACT_EMAIL_KINDS


# Calling it


def test_it_serves_includes_api_php_on_loopback_until_stopped(http: httpx.Client) -> None:
    with WhmcsStub() as stub:
        assert stub.api_url.startswith("http://127.0.0.1:")
        assert stub.api_url.endswith("/includes/api.php")
        assert http.post(stub.api_url.replace("api.php", "other.php")).status_code == 404
        url = stub.api_url
    with pytest.raises(httpx.ConnectError):
        http.post(url, data={"action": "GetUsers"})


@pytest.mark.parametrize(
    "credentials",
    [
        {"identifier": "stub-identifier", "secret": "wrong"},
        {"identifier": "wrong", "secret": "stub-secret-value"},
        {"username": "stub-identifier", "password": "wrong"},
        {},
    ],
)
def test_bad_credentials_are_refused_on_http_200(
    stub: WhmcsStub, http: httpx.Client, credentials: dict[str, str]
) -> None:
    response = http.post(
        stub.api_url, data={"action": "GetUsers", "responsetype": "json", **credentials}
    )
    assert (response.status_code, response.json()) == (200, error("Authentication Failed"))


def test_username_and_password_work_as_identifier_and_secret(
    stub: WhmcsStub, http: httpx.Client
) -> None:
    form = {"action": "GetUsers", "username": stub.identifier, "password": stub.secret}
    response = http.post(stub.api_url, data={**form, "responsetype": "json"})
    assert response.json()["result"] == "success"


def test_outside_the_ip_allow_list_only_the_access_key_gets_in(http: httpx.Client) -> None:
    with WhmcsStub(access_key="the-access-key", ip_allowed=False) as stub:
        assert call(http, stub, "GetUsers") == error("Invalid IP 127.0.0.1")
        assert call(http, stub, "GetUsers", accesskey="wrong") == error("Invalid IP 127.0.0.1")
        assert call(http, stub, "GetUsers", accesskey="the-access-key")["result"] == "success"


def test_an_api_role_allows_only_its_actions(http: httpx.Client) -> None:
    with WhmcsStub(allowed_actions=["GetUsers"]) as stub:
        assert call(http, stub, "GetUsers")["result"] == "success"
        assert call(http, stub, "GetClientsDetails", clientid=1) == error(
            'Invalid Permissions: API action "getclientsdetails" is not allowed'
        )


def test_an_unknown_action_is_command_not_found_and_names_ignore_case(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    assert call(http, stub, "GetToDoList") == error("Command Not Found")
    assert call(http, stub, "getclientsdetails", clientid=client_id)["result"] == "success"


def test_without_responsetype_json_the_answer_is_xml(stub: WhmcsStub, http: httpx.Client) -> None:
    form = {"action": "GetUsers", "identifier": stub.identifier, "secret": stub.secret}
    response = http.post(stub.api_url, data=form)
    assert response.headers["content-type"].startswith("text/xml")
    assert "<result>success</result>" in response.text


def test_calls_are_recorded_without_credentials(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    call(http, stub, "GetClientsDetails", clientid=client_id, accesskey="k")
    (recorded,) = stub.calls_to("GetClientsDetails")
    assert recorded.args == {"clientid": str(client_id)}
    assert recorded.ok and recorded.response is not None
    assert recorded.response["client_id"] == client_id


# GetClientsDetails


def test_client_details_list_its_users_with_the_owner(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["invoices"], name="Ana Lee")
    answer = call(http, stub, "GetClientsDetails", clientid=str(client_id))
    users = [
        {
            "id": stub.owner_user_id(client_id),
            "name": "John Smith",
            "email": OWNER_EMAIL,
            "is_owner": True,
        },
        {"id": ana, "name": "Ana Lee", "email": ANA, "is_owner": False},
    ]
    assert answer["result"] == "success"
    assert (answer["client_id"], answer["userid"], answer["id"]) == (client_id,) * 3
    assert (answer["companyname"], answer["email"]) == ("Acme", OWNER_EMAIL)
    assert answer["users"] == {"user": users}
    assert answer["client"]["users"] == {"user": users}


def test_client_details_by_email(stub: WhmcsStub, http: httpx.Client, client_id: int) -> None:
    answer = call(http, stub, "GetClientsDetails", email=OWNER_EMAIL.upper())
    assert answer["client_id"] == client_id


def test_a_client_without_users_has_an_empty_list(stub: WhmcsStub, http: httpx.Client) -> None:
    lonely = stub.add_client("old@client.example", without_users=True)
    assert call(http, stub, "GetClientsDetails", clientid=lonely)["users"] == []


def test_client_details_errors(stub: WhmcsStub, http: httpx.Client, client_id: int) -> None:
    assert call(http, stub, "GetClientsDetails", clientid=999) == error("Client Not Found")
    assert call(http, stub, "GetClientsDetails", email="no@one.example") == error(
        "Client Not Found"
    )
    assert call(http, stub, "GetClientsDetails") == error("Either clientid Or email Is Required")


# Users and permissions


def test_the_owner_has_all_13_permissions(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    owner = stub.owner_user_id(client_id)
    answer = call(http, stub, "GetUserPermissions", user_id=owner, client_id=client_id)
    assert answer == {
        "result": "success",
        "user_id": owner,
        "client_id": client_id,
        "is_owner": True,
        "permissions": list(PERMISSIONS),
    }


def test_permissions_are_replaced_and_answered_in_catalogue_order(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["tickets"])
    answer = call(
        http,
        stub,
        "UpdateUserPermissions",
        user_id=ana,
        client_id=client_id,
        permissions="quotes,invoices,quotes",
    )
    assert answer == {
        "result": "success",
        "user_id": ana,
        "client_id": client_id,
        "permissions": ["invoices", "quotes"],
    }
    got = call(http, stub, "GetUserPermissions", user_id=ana, client_id=client_id)
    assert (got["is_owner"], got["permissions"]) == (False, ["invoices", "quotes"])


def test_user_and_client_errors(stub: WhmcsStub, http: httpx.Client, client_id: int) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["invoices"])
    stranger = stub.add_user("stranger@else.example")
    for action in ("GetUserPermissions", "UpdateUserPermissions", "DeleteUserClient"):
        extra = {"permissions": "invoices"} if action == "UpdateUserPermissions" else {}
        assert call(http, stub, action, user_id=999, client_id=client_id, **extra) == error(
            "Invalid User ID requested"
        )
        assert call(http, stub, action, user_id=ana, client_id=999, **extra) == error(
            "Invalid Client ID requested"
        )
        assert call(http, stub, action, user_id=stranger, client_id=client_id, **extra) == error(
            "User is not associated with client"
        )


def test_the_owner_cannot_be_edited_or_removed(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    owner = stub.owner_user_id(client_id)
    assert call(
        http,
        stub,
        "UpdateUserPermissions",
        user_id=owner,
        client_id=client_id,
        permissions="quotes",
    ) == error("Permissions cannot be set on a client owner")
    assert call(http, stub, "DeleteUserClient", user_id=owner, client_id=client_id) == error(
        "You cannot remove the account owner"
    )
    assert stub.permissions_of(client_id, OWNER_EMAIL) == PERMISSIONS


def test_permissions_must_be_given(stub: WhmcsStub, http: httpx.Client, client_id: int) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["invoices"])
    answer = call(
        http, stub, "UpdateUserPermissions", user_id=ana, client_id=client_id, permissions=""
    )
    assert answer == error("Missing permissions definition")


def test_removing_a_user_unlinks_but_keeps_the_login(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["invoices"])
    assert call(http, stub, "DeleteUserClient", user_id=ana, client_id=client_id) == {
        "result": "success"
    }
    assert stub.permissions_of(client_id, ANA) is None
    (user,) = call(http, stub, "GetUsers", search="ana")["users"]
    assert (user["id"], user["clients"]) == (ana, [])


def test_get_users_searches_pages_and_sorts(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["invoices"], name="Ana Lee")
    bob = stub.add_user("bob@else.example", name="Bob Ana")
    owner = stub.owner_user_id(client_id)
    found = call(http, stub, "GetUsers", search="ana")
    assert [user["id"] for user in found["users"]] == [ana, bob]  # email, last name
    assert call(http, stub, "GetUsers", search="ana lee")["totalresults"] == 1
    page = call(http, stub, "GetUsers", limitstart=1, limitnum=1, sorting="DESC")
    assert (page["totalresults"], page["startnumber"], page["numreturned"]) == (3, 1, 1)
    assert [user["id"] for user in page["users"]] == [ana]
    (first,) = call(http, stub, "GetUsers", search="boss")["users"]
    assert first["clients"] == [{"id": client_id, "isOwner": True}]
    assert first["id"] == owner and set(first) >= {"firstname", "lastname", "datecreated"}


# Invitations


def test_an_invitation_is_followed_with_the_latest_permissions(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    invite(http, stub, client_id, ANA, "invoices")
    invite(http, stub, client_id, ANA, "quotes,tickets")
    assert len(stub.pending_invites()) == 2  # nothing is idempotent: two emails went out
    assert stub.permissions_of(client_id, ANA) is None
    ana = stub.follow_invite(ANA, name="Ana Lee")
    assert stub.permissions_of(client_id, ANA) == ("quotes", "tickets")
    users = call(http, stub, "GetClientsDetails", clientid=client_id)["users"]["user"]
    assert {"id": ana, "name": "Ana Lee", "email": ANA, "is_owner": False} in users


def test_an_invitee_with_a_login_keeps_it(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    existing = stub.add_user(ANA, name="Ana Lee")
    invite(http, stub, client_id, ANA.upper(), "invoices")
    assert stub.follow_invite(ANA) == existing


def test_following_needs_a_pending_invitation(stub: WhmcsStub, client_id: int) -> None:
    with pytest.raises(LookupError):
        stub.follow_invite(ANA)


def test_invitation_errors(stub: WhmcsStub, http: httpx.Client, client_id: int) -> None:
    stub.portal_add_user(client_id, ANA, ["invoices"])
    cases = [
        ({"client_id": 999, "email": "x@y.example", "permissions": "quotes"}, "Invalid client id"),
        ({"client_id": client_id, "permissions": "quotes"}, "Email is required"),
        (
            {"client_id": client_id, "email": "not-an-email", "permissions": "quotes"},
            "The email address entered is not valid",
        ),
        ({"client_id": client_id, "email": "x@y.example"}, "User permissions are required"),
        (
            {"client_id": client_id, "email": ANA, "permissions": "quotes"},
            "User already associated with client",
        ),
    ]
    for params, message in cases:
        assert call(http, stub, "CreateClientInvite", **params) == error(message)
    assert stub.pending_invites() == []


# SendEmail


def test_a_custom_email_goes_to_the_clients_address(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    answer = call(
        http,
        stub,
        "SendEmail",
        id=client_id,
        customtype="general",
        customsubject="Your code",
        custommessage="Code: 1234567\nThanks",
    )
    assert answer == {"result": "success"}
    (email,) = stub.sent_emails()
    assert (email.client_id, email.to, email.subject) == (client_id, OWNER_EMAIL, "Your code")
    assert email.message == "Code: 1234567<br>\nThanks"


def test_send_email_errors(stub: WhmcsStub, http: httpx.Client, client_id: int) -> None:
    full = {"id": client_id, "customtype": "general", "customsubject": "S", "custommessage": "M"}
    cases = [
        ({**full, "id": ""}, "A related ID is required"),
        ({**full, "customsubject": ""}, "A subject is required for a custom message"),
        ({**full, "custommessage": ""}, "A message body is required for a custom message"),
        ({**full, "customtype": "nonsense"}, "Invalid message type provided"),
        ({**full, "id": 999}, "Sending Failed. Please see documentation."),
    ]
    for params, message in cases:
        assert call(http, stub, "SendEmail", **params) == error(message)
    assert stub.sent_emails() == []


# Contacts


def test_contacts_are_added_listed_updated_and_deleted(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    added = call(
        http,
        stub,
        "AddContact",
        clientid=client_id,
        firstname="Cara",
        lastname="Diaz",
        email="cara@acme.example",
        **{"email_preferences[general]": 1, "email_preferences[invoice]": 1},
        **{"email_preferences[product]": 0},
    )
    contact_id = added["contactid"]
    listed = call(http, stub, "GetContacts", userid=client_id)
    assert (listed["totalresults"], listed["numreturned"]) == (1, 1)
    (contact,) = listed["contacts"]["contact"]
    assert contact["id"] == contact_id and contact["userid"] == client_id
    assert {kind: contact[f"{kind}emails"] for kind in EMAIL_KINDS} == {
        "general": True,
        "product": False,
        "domain": False,
        "invoice": True,
        "support": False,
        "affiliate": False,
    }
    updated = call(
        http,
        stub,
        "UpdateContact",
        contactid=contact_id,
        lastname="Díaz",
        **{"email_preferences[general]": 0, "email_preferences[support]": 1},
    )
    assert updated == {"result": "success", "contactid": contact_id}
    (after,) = stub.contacts_of(client_id)
    assert (after.firstname, after.lastname) == ("Cara", "Díaz")
    assert after.email_kinds == {"invoice", "support"}
    deleted = call(http, stub, "DeleteContact", contactid=contact_id)
    assert deleted == {"result": "success", "contactid": contact_id}
    assert call(http, stub, "GetContacts", userid=client_id)["contacts"] == {"contact": []}


def test_contacts_are_listed_per_client_by_email_and_in_pages(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    other = stub.add_client("other@else.example")
    ids = [stub.portal_add_contact(client_id, f"c{n}@acme.example") for n in range(3)]
    stub.portal_add_contact(other, "c0@acme.example")
    page = call(http, stub, "GetContacts", userid=client_id, limitstart=1, limitnum=1)
    assert (page["totalresults"], page["startnumber"], page["numreturned"]) == (3, 1, 1)
    assert [contact["id"] for contact in page["contacts"]["contact"]] == [ids[1]]
    by_email = call(http, stub, "GetContacts", userid=client_id, email="C2@acme.example")
    assert [contact["id"] for contact in by_email["contacts"]["contact"]] == [ids[2]]


def test_contact_errors(stub: WhmcsStub, http: httpx.Client) -> None:
    assert call(http, stub, "AddContact", clientid=999, email="x@y.example") == error(
        "Client ID Not Found"
    )
    assert call(http, stub, "UpdateContact", contactid=999) == error("Contact ID Not Found")
    assert call(http, stub, "DeleteContact", contactid=999) == error("Contact ID Not Found")


# The portal's side


def test_the_owner_edits_users_in_the_client_area(stub: WhmcsStub, client_id: int) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["quotes", "invoices"])
    assert stub.permissions_of(client_id, ANA) == ("invoices", "quotes")
    stub.portal_set_permissions(client_id, ana, ["tickets"])
    assert stub.permissions_of(client_id, ANA) == ("tickets",)
    stub.portal_remove_user(client_id, ana)
    assert stub.permissions_of(client_id, ANA) is None
    assert stub.user_id_of(ANA) == ana
    owner = stub.owner_user_id(client_id)
    assert owner is not None
    with pytest.raises(ValueError, match="cannot be set on a client owner"):
        stub.portal_set_permissions(client_id, owner, ["tickets"])
    with pytest.raises(ValueError, match="cannot remove the account owner"):
        stub.portal_remove_user(client_id, owner)


def test_the_owner_edits_contacts_in_the_client_area(stub: WhmcsStub, client_id: int) -> None:
    contact_id = stub.portal_add_contact(
        client_id, "cara@acme.example", name="Cara Diaz", email_kinds=["invoice"]
    )
    (contact,) = stub.contacts_of(client_id)
    assert (contact.id, contact.lastname, contact.email_kinds) == (
        contact_id,
        "Diaz",
        frozenset({"invoice"}),
    )
    stub.portal_remove_contact(contact_id)
    assert stub.contacts_of(client_id) == []


# Faults


def test_a_failed_call_answers_an_html_500_without_the_change(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    stub.fail_next("CreateClientInvite", times=2)
    for _ in range(2):
        response = post(
            http, stub, "CreateClientInvite", client_id=client_id, email=ANA, permissions="quotes"
        )
        assert response.status_code == 500
        assert response.headers["content-type"].startswith("text/html")
    assert stub.pending_invites() == []
    assert len(stub.failed_calls) == 2 and stub.calls == []
    invite(http, stub, client_id, ANA, "quotes")
    assert len(stub.pending_invites()) == 1


def test_an_html_page_on_200_makes_no_change(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    stub.answer_html_next("AddContact")
    response = post(http, stub, "AddContact", clientid=client_id, email="c@acme.example")
    assert response.status_code == 200 and response.text.startswith("<!DOCTYPE html>")
    assert stub.contacts_of(client_id) == []


def test_an_error_on_200_makes_no_change(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["quotes"])
    stub.error_next("DeleteUserClient", "Something went wrong")
    answer = call(http, stub, "DeleteUserClient", user_id=ana, client_id=client_id)
    assert answer == error("Something went wrong")
    assert stub.permissions_of(client_id, ANA) == ("quotes",)
    stub.error_next("GetUsers", "Authentication Failed", status=403)
    assert post(http, stub, "GetUsers").status_code == 403


def test_a_timeout_makes_no_change(stub: WhmcsStub, client_id: int) -> None:
    stub.time_out_next("CreateClientInvite", 1.0)
    with httpx.Client(timeout=0.2) as impatient, pytest.raises(httpx.ReadTimeout):
        post(
            impatient,
            stub,
            "CreateClientInvite",
            client_id=client_id,
            email=ANA,
            permissions="quotes",
        )
    assert stub.pending_invites() == []


def test_a_slow_answer_still_made_the_change(stub: WhmcsStub, client_id: int) -> None:
    stub.delay_next("CreateClientInvite", 1.0)
    with httpx.Client(timeout=0.2) as impatient, pytest.raises(httpx.ReadTimeout):
        post(
            impatient,
            stub,
            "CreateClientInvite",
            client_id=client_id,
            email=ANA,
            permissions="quotes",
        )
    assert len(stub.pending_invites()) == 1


def test_a_dropped_answer_still_made_the_change(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    ana = stub.portal_add_user(client_id, ANA, ["quotes"])
    stub.lose_answer_next("DeleteUserClient")
    with pytest.raises(httpx.RemoteProtocolError):
        post(http, stub, "DeleteUserClient", user_id=ana, client_id=client_id)
    assert stub.permissions_of(client_id, ANA) is None
    (recorded,) = stub.calls_to("DeleteUserClient")
    assert recorded.ok


def test_an_answer_lost_in_a_500_still_made_the_change(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    stub.lose_answer_next("CreateClientInvite", how="500")
    response = post(
        http, stub, "CreateClientInvite", client_id=client_id, email=ANA, permissions="quotes"
    )
    assert response.status_code == 500
    assert len(stub.pending_invites()) == 1


def test_faults_are_per_action_and_counted(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    stub.error_next("GetUsers", "Nope")
    assert call(http, stub, "GetClientsDetails", clientid=client_id)["result"] == "success"
    assert call(http, stub, "getusers") == error("Nope")
    assert call(http, stub, "GetUsers")["result"] == "success"


# Load


def test_connections_are_kept_alive_for_reuse(
    stub: WhmcsStub, http: httpx.Client, client_id: int
) -> None:
    for _ in range(5):
        call(http, stub, "GetClientsDetails", clientid=client_id)
    assert stub.connections_opened == 1


def test_stopping_closes_kept_connections(http: httpx.Client) -> None:
    with WhmcsStub() as stub:
        call(http, stub, "GetUsers")
        url = stub.api_url
    with pytest.raises(httpx.TransportError):
        http.post(url, data={"action": "GetUsers"})


def test_latency_and_the_most_concurrent_requests_seen() -> None:
    with WhmcsStub(latency_seconds=0.1) as stub, httpx.Client(timeout=5.0) as http:
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(lambda _: call(http, stub, "GetUsers"), range(3)))
        assert stub.max_concurrent_requests == 3
        stub.reset_calls()
        call(http, stub, "GetUsers")
        assert stub.max_concurrent_requests == 1
