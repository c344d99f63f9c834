"""Send mail over SMTP with aiosmtplib: one message, a text and an HTML part."""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import aiosmtplib

from notifier.config import NotifierSettings
from notifier.ports import OutgoingMail, SendResult

ACCEPTED = 250


class SmtpMailSender:
    def __init__(self, settings: NotifierSettings) -> None:
        self._settings = settings

    def compose(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._settings.mail_from
        message["To"] = ", ".join(mail.recipients)
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = mail.message_id
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        for attachment in mail.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
            )
        return message

    async def send(self, mail: OutgoingMail) -> SendResult:
        settings = self._settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        started = time.perf_counter()
        client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            start_tls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=password,
            timeout=settings.smtp_timeout_seconds,
        )
        try:
            refused = await _send_and_quit(client, self.compose(mail))
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0]
            return SendResult(first.code, _since(started), f"recipient refused: {first.message}")
        except aiosmtplib.SMTPResponseException as exc:
            return SendResult(exc.code, _since(started), exc.message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return SendResult(None, _since(started), f"{type(exc).__name__}: {exc}")
        error = f"{len(refused)} recipient(s) refused" if refused else None
        return SendResult(ACCEPTED, _since(started), error)


async def _send_and_quit(client: aiosmtplib.SMTP, message: EmailMessage) -> dict[str, Any]:
    """Send on a fresh connection, then say QUIT. A send that fails or is cancelled (the service
    stopping) drops the connection at once: `aiosmtplib.send` would first wait for the answer to
    QUIT, and a mail server stuck mid-DATA would then hold up shutdown for the whole timeout."""
    try:
        await client.connect()
        refused, _ = await client.send_message(message)
    except BaseException:
        client.close()
        raise
    try:
        await client.quit()
    except aiosmtplib.SMTPException:
        pass  # the message was accepted; a failed goodbye changes nothing
    finally:
        client.close()
    return dict(refused)


def _since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
