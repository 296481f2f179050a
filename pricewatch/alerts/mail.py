"""Email the alerts through an SMTP server: $PRICEWATCH_SMTP_HOST, _PORT (25), _USER, _PASSWORD, _STARTTLS=1,
$PRICEWATCH_ALERT_FROM and $PRICEWATCH_ALERT_TO (comma-separated). The password never lives in the repo."""
import os
import smtplib
from email.message import EmailMessage

from foundation.errors import PricewatchError
from pricewatch.alerts import NotConfigured


def alert_line(alert: dict) -> str:
    discount = f" (-{alert['discount_percent']}%)" if alert.get("discount_percent") else ""
    return (f"{alert['title']}: {alert['price']} {alert['currency']}{discount} at {alert['store_name']} "
            f"{alert['region']} - {alert['reason']}\n  {alert.get('url') or ''}".rstrip())


class EmailChannel:
    name = "email"

    def __init__(self, host: str, port: int, sender: str, recipients: list[str], user: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 30.0):
        self.host, self.port, self.sender, self.recipients = host, port, sender, recipients
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    @classmethod
    def from_env(cls, environ=os.environ):
        host, recipients = environ.get("PRICEWATCH_SMTP_HOST"), environ.get("PRICEWATCH_ALERT_TO")
        if not host or not recipients:
            raise NotConfigured
        return cls(host, int(environ.get("PRICEWATCH_SMTP_PORT") or 25),
                   environ.get("PRICEWATCH_ALERT_FROM") or "pricewatch@localhost",
                   [address.strip() for address in recipients.split(",") if address.strip()],
                   environ.get("PRICEWATCH_SMTP_USER"), environ.get("PRICEWATCH_SMTP_PASSWORD"),
                   environ.get("PRICEWATCH_SMTP_STARTTLS") == "1")

    def message(self, alerts: list[dict]) -> EmailMessage:
        message = EmailMessage()
        message["From"], message["To"] = self.sender, ", ".join(self.recipients)
        first = alerts[0]
        message["Subject"] = (f"pricewatch: {first['title']} {first['price']} {first['currency']}"
                              + (f" and {len(alerts) - 1} more" if len(alerts) > 1 else ""))
        message.set_content("\n".join(alert_line(alert) for alert in alerts) + "\n")
        return message

    def send(self, alerts: list[dict]) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(self.message(alerts))
        except (smtplib.SMTPException, OSError) as exc:
            raise PricewatchError(f"SMTP server {self.host}:{self.port} refused the alerts: {exc}") from exc
