"""A stand-in WHMCS External API for tests, following ``../shared/whmcs/API.md``."""

from tests.whmcs_stub.portal import EMAIL_KINDS, PERMISSIONS, Invite, Link, SentEmail, StubContact
from tests.whmcs_stub.server import API_PATH, RecordedCall, WhmcsStub

__all__ = [
    "API_PATH",
    "EMAIL_KINDS",
    "PERMISSIONS",
    "Invite",
    "Link",
    "RecordedCall",
    "SentEmail",
    "StubContact",
    "WhmcsStub",
]
