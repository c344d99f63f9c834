"""JSON logs carry ids, never payloads: extras outside the allow-list are dropped."""

from __future__ import annotations

import json
import logging

from accord_common.logs import JsonFormatter


def render(**extra: object) -> dict[str, object]:
    record = logging.LogRecord("accord.test", logging.INFO, __file__, 1, "claim priced", None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return json.loads(JsonFormatter("reimbursement-engine").format(record))  # type: ignore[no-any-return]


def test_log_line_is_json_with_service_and_allowed_ids() -> None:
    line = render(claim_id="c-1", event_type="claim.priced")
    assert line["service"] == "reimbursement-engine"
    assert line["msg"] == "claim priced"
    assert line["claim_id"] == "c-1"
    assert line["event_type"] == "claim.priced"


def test_phi_passed_as_extra_never_reaches_the_line() -> None:
    line = render(patient_name="Jane Doe", member_id="W123456789", payload={"dob": "1970-01-01"})
    text = json.dumps(line)
    assert "Jane" not in text
    assert "W123456789" not in text
    assert "1970" not in text


def test_a_library_repeating_itself_is_logged_once_per_period_with_the_count() -> None:
    import logging

    from accord_common.logs import RepeatLimiter

    limiter = RepeatLimiter(every_s=30)

    def record(name: str, at: float) -> logging.LogRecord:
        rec = logging.LogRecord(
            name, logging.ERROR, "f", 1, "Unable connect to node with id %s: %s", (1, "x"), None
        )
        rec.created = at
        return rec

    passed = [r for t in range(6000) if limiter.filter(r := record("aiokafka.client", 1000 + t / 100))]
    assert len(passed) == 2  # t=0 s and t=30 s of a 60 s flood
    assert "repeated 2999 times" in passed[1].getMessage()
    assert limiter.filter(record("accord_common.messaging.consumer", 1000.5))  # our own lines are untouched


def test_the_http_client_does_not_log_each_request_it_sends() -> None:
    """httpx logs every request at INFO with its whole URL (a webhook URL can carry a token)."""
    import httpx
    from accord_common.logs import configure_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("notifier", "INFO")
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)

        def answer(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200)

        seen: list[logging.LogRecord] = []

        class Catch(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                seen.append(record)

        root.addHandler(Catch())
        with httpx.Client(transport=httpx.MockTransport(answer)) as client:
            client.post("https://hooks.example/T0/B0/secret-token", content=b"{}")
        assert not [r for r in seen if "secret-token" in r.getMessage() or "secret-token" in str(r.args)]
    finally:
        root.handlers[:], root.level = handlers, level
        logging.getLogger("httpx").setLevel(logging.NOTSET)
