"""Send mail over SMTP with aiosmtplib: one message, a text and an HTML part."""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.utils import formatdate

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
        return message

    async def send(self, mail: OutgoingMail) -> SendResult:
        settings = self._settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        started = time.perf_counter()
        try:
            refused, _ = await aiosmtplib.send(
                self.compose(mail),
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                start_tls=settings.smtp_starttls,
                username=settings.smtp_username,
                password=password,
                timeout=settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0]
            return SendResult(first.code, _since(started), f"recipient refused: {first.message}")
        except aiosmtplib.SMTPResponseException as exc:
            return SendResult(exc.code, _since(started), exc.message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return SendResult(None, _since(started), f"{type(exc).__name__}: {exc}")
        error = f"{len(refused)} recipient(s) refused" if refused else None
        return SendResult(ACCEPTED, _since(started), error)


def _since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
