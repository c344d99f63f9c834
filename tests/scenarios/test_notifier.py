"""A revenue-cycle team's notifications while the billing system's webhook endpoint is slow and the
notifier is restarted (SIGTERM, as in a rolling deployment) mid-send.

registry: payer, fee schedule (CPT 99213 at $100.00), contract activated -> engine prices two claims
-> two 835s pay $80.00 each -> two claim.variance_detected -> notifier: the team's mail and a fast
endpoint get each at once while the billing system holds its webhook; the restart waits for that
webhook's answer and records it, so nothing is sent twice.
"""

from __future__ import annotations

import email
import email.policy
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from accord_common.devstack.demo_money import underpaying_remittance
from accord_common.devstack.stack import SERVICES, RunningService, Stack
from accord_common.testing import _process

from tests.scenarios.workflows import activate_acme_professional

from .conftest import Tenant, eventually

HOLD_SECONDS = 40.0  # the billing system's longest answer, under the 45 s timeout set below
LEASE = "ACCORD_NOTIFIER_DELIVERY_LEASE_SECONDS"
TIMEOUT = "ACCORD_NOTIFIER_WEBHOOK_TIMEOUT_SECONDS"


@dataclass
class BillingEndpoint:
    """A webhook receiver that holds each request until `release` is set (at most HOLD_SECONDS)."""

    hold: bool = False
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    in_progress: int = 0
    answered: int = 0
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        endpoint, lock = self, threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with lock:
                    endpoint.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    endpoint.in_progress += 1
                try:
                    if endpoint.hold:
                        endpoint.release.wait(HOLD_SECONDS)
                    self.send_response(204)
                    self.end_headers()
                    with lock:
                        endpoint.answered += 1
                except OSError:
                    pass
                finally:
                    with lock:
                        endpoint.in_progress -= 1

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/accord"

    def about(self, claim_id: str) -> list[dict[str, str]]:
        return [headers for headers, body in self.received if claim_id.encode() in body]

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


def restart_notifier(stack: Stack, t: Tenant | None = None, **env: str) -> None:
    """SIGTERM the notifier (it drains), then start it again with `env` added, on a fresh port (the
    machine is shared: another stack may take the old port while the notifier is down)."""
    stack.kill("notifier", signal.SIGTERM)
    stack.config.extra_env.update(env)
    spec = next(s for s in SERVICES if s.name == "notifier")
    port, log_path = _process.free_port(), stack.services["notifier"].log_path
    popen = _process.spawn(
        [sys.executable, "-m", "notifier.cli", "serve", "--port", str(port)],
        log_path=log_path,
        env=stack.env_for(spec),
    )
    stack.services["notifier"] = RunningService(spec, port, popen, log_path)
    stack.wait_ready(names=["notifier"])
    if t is not None:
        t.clients.pop("notifier", None)  # its client knew the old port


def mails_to(stack: Stack, recipient: str) -> list[EmailMessage]:
    found = []
    for path in sorted(stack.mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if recipient in str(message["To"]):
            found.append(message)  # type: ignore[arg-type]
    return found


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    return "" if part is None else str(part.get_content())  # type: ignore[attr-defined]


def priced_claim(t: Tenant, contract_id: str, pcn: str) -> str:
    """An office visit (CPT 99213, $150.00 charged on 14 March 2026), priced at $100.00."""
    line = {
        "code_system": "CPT",
        "code": "99213",
        "units": 1,
        "charge": "150.00",
        "service_date": "2026-03-14",
    }
    claim = t.post(
        "engine",
        "/v1/claims",
        {
            "patient_control_number": pcn,
            "payer_id": "60054",
            "contract_id": contract_id,
            "place_of_service": "11",
            "lines": [line],
        },
    )
    priced = eventually(
        f"claim {pcn} priced",
        lambda: (c := t.get("engine", f"/v1/claims/{claim['id']}"))["status"] == "priced" and c,
    )
    assert priced["expected_allowed"] == "100.00"
    return str(claim["id"])


@pytest.mark.timeout(900)  # two restarts of the notifier and a wait past a lease, on a shared machine
def test_a_slow_billing_webhook_and_a_rolling_restart_neither_delay_nor_double_a_notification(
    new_tenant: Any, stack: Stack
) -> None:
    # The billing system is waited for up to 45 s; a lease of 60 s (not 120) so that a send left
    # unrecorded by the rolling restart would come again within this test.
    restart_notifier(stack, **{LEASE: "60", TIMEOUT: "45"})
    t = new_tenant("notifier")
    billing, analytics = BillingEndpoint(hold=True), BillingEndpoint()
    recipient = f"revenue-cycle-{uuid.uuid4().hex[:8]}@clinic.example"
    try:
        for name, url in (("billing system", billing.url), ("analytics", analytics.url)):
            t.post(
                "notifier",
                "/v1/subscriptions",
                {
                    "name": name,
                    "event_types": ["claim.variance_detected"],
                    "channel": {"kind": "webhook", "url": url},
                },
            )
        t.post(
            "notifier",
            "/v1/subscriptions",
            {
                "name": "Revenue cycle",
                "event_types": ["claim.variance_detected"],
                "channel": {"kind": "email", "recipients": [recipient]},
            },
        )
        contract_id = str(activate_acme_professional(t)["id"])
        pcns = [f"SCN-NTF-{uuid.uuid4().hex[:6]}-{n}" for n in (1, 2)]
        claims = [priced_claim(t, contract_id, pcn) for pcn in pcns]

        t.post("engine", "/v1/remittances/json", underpaying_remittance(pcns[0]))
        eventually("the billing system holding the first webhook", lambda: billing.about(claims[0]))
        t.post("engine", "/v1/remittances/json", underpaying_remittance(pcns[1]))
        second = eventually(
            "the second claim's mail",
            lambda: [m for m in mails_to(stack, recipient) if pcns[1] in text_of(m)],
            timeout=30,
        )[0]
        assert billing.answered == 0, "the mail waited for the slow billing system"
        eventually("the second webhook at the fast endpoint", lambda: analytics.about(claims[1]), timeout=5)

        # A rolling restart while the billing system still holds its webhook(s): the notifier waits
        # for the answer and records it before it exits.
        assert billing.in_progress >= 1
        threading.Timer(1.0, billing.release.set).start()
        for setting in (LEASE, TIMEOUT):
            stack.config.extra_env.pop(setting)
        restart_notifier(stack, t)  # with the usual settings again
        time.sleep(62)  # past the 60 s lease: anything left unrecorded would have been sent again

        hooks = Counter(h["webhook-id"] for h in billing.about(claims[0]) + billing.about(claims[1]))
        assert len(hooks) == 2 and set(hooks.values()) == {1}, hooks
        assert [len(analytics.about(c)) for c in claims] == [1, 1]
        mails = mails_to(stack, recipient)
        assert len(mails) == 2 and len({str(m["Message-ID"]) for m in mails}) == 2

        text = text_of(second)
        assert f"Claim {pcns[1]} was paid $80.00 by Acme Health Plan" in text  # named as people read it
        for figure in (
            "Expected allowed:       $100.00",
            "Paid:                   $80.00",
            "$20.00 (underpaid)",
        ):
            assert figure in text, figure
        assert "Thursday 2 April 2026" in text  # the remittance's date
        appeal = eventually(
            "the appeal deadline",
            lambda: [
                o
                for o in t.get("tracker", "/v1/obligations", claim_id=claims[1])["items"]
                if o["kind"] == "appeal"
            ],
        )[0]
        assert appeal["due_date"] == "2026-09-29"  # 180 days after the 2 April 2026 remittance
        deliveries = t.get("notifier", "/v1/deliveries", status="delivered", limit=100)["items"]
        assert len(deliveries) == 6 and all(len(d["attempts"]) == 1 for d in deliveries)
    finally:
        billing.stop()
        analytics.stop()
        for setting in (LEASE, TIMEOUT):
            stack.config.extra_env.pop(setting, None)
