"""The invitation email: plain text and HTML from the same facts, escaped by Jinja2."""

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.mail.facts import Facts

TEMPLATES = Environment(
    loader=PackageLoader("bot.mail", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def invitation_email(facts: Facts, link: str, *, sender: Address, now: datetime) -> EmailMessage:
    """The multipart message inviting ``facts.email``; ``link`` is the page to answer on."""
    context = {"facts": facts, "link": link}
    message = EmailMessage()
    message["Subject"] = f"{facts.inviter} invited you to the billing account {facts.account}"
    message["From"] = sender
    message["To"] = facts.email
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(TEMPLATES.get_template("invitation.txt").render(context))
    html = TEMPLATES.get_template("invitation.html").render(context)
    message.add_alternative(html, subtype="html")
    return message
