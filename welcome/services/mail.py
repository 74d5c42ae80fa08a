"""Sending e-mail through the configured SMTP server."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from flask_babel import gettext as _

from welcome.services.errors import DomainError

#: Seconds to wait for the SMTP server before giving up.
SMTP_TIMEOUT = 20


class MailError(DomainError):
    """The e-mail could not be delivered to the SMTP server."""

    status_code = 502


def mail_configured() -> bool:
    return bool(current_app.config["WELCOME_MAIL_SERVER"])


def send_mail(to: str, subject: str, body: str, reply_to: str | None = None) -> str:
    """Hand one plain-text message to the SMTP server.

    :return: the Message-ID, for the record.
    :raises MailError: when the server cannot be reached or refuses the message.
    """
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["WELCOME_MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["WELCOME_MAIL_SENDER"].split("@")[-1])
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(body)
    server, port = config["WELCOME_MAIL_SERVER"], config["WELCOME_MAIL_PORT"]
    try:
        if config["WELCOME_MAIL_SSL"]:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server, port, timeout=SMTP_TIMEOUT,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server, port, timeout=SMTP_TIMEOUT)
        with smtp:
            if config["WELCOME_MAIL_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["WELCOME_MAIL_USERNAME"]:
                smtp.login(config["WELCOME_MAIL_USERNAME"], config["WELCOME_MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The technical details go to the log for IT; staff read what it means for them.
        current_app.logger.warning("Sending mail to %s failed: %r", to, error)
        raise MailError(_failure(error)) from error
    return message["Message-ID"]


def _failure(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        problem = _("The mail server did not accept the app's sign-in.")
    elif isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        problem = _("The mail server refused the address.")
    elif isinstance(error, smtplib.SMTPException):
        problem = _("The mail server refused the e-mail.")
    else:
        problem = _("The mail server could not be reached.")
    return _("%(problem)s The e-mail was not sent and nothing was recorded; try again later or "
             "hand over by phone. If it keeps happening, tell IT.", problem=problem)
