"""POST the alerts as JSON to $PRICEWATCH_ALERT_WEBHOOK_URL (Slack/Discord bridges, n8n, Home Assistant...)."""
import json
import os
import urllib.error
import urllib.request

from foundation.errors import PricewatchError
from pricewatch.alerts import NotConfigured
from pricewatch.tabular import as_json


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, timeout: float = 10.0):
        self.url = url
        self.timeout = timeout

    @classmethod
    def from_env(cls, environ=os.environ):
        url = environ.get("PRICEWATCH_ALERT_WEBHOOK_URL")
        if not url:
            raise NotConfigured
        return cls(url)

    def send(self, alerts: list[dict]) -> None:
        body = json.dumps({"alerts": alerts}, default=as_json, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError) as exc:
            raise PricewatchError(f"webhook {self.url} refused the alerts: {exc}") from exc
