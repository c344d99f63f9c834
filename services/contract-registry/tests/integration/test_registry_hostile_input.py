"""Hostile and careless input to the registry on PostgreSQL (issue 13): amounts off the bound, file
names that broke downloads, executables declared as text, work before authentication, chunked
bodies over the limit, OPTIONS. Each was a 500, a dropped connection or a silent acceptance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import unquote

import httpx
import pytest
from registry_helpers import CSV_HEADER, import_csv, new_payer, ok

from conftest import Registry

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


@pytest.mark.parametrize("amount", ["1e999999", "1e30", "NaN", "sNaN", "１５０", "150e0", "12,000.00"])
async def test_a_fee_schedule_amount_off_the_bound_is_a_422_naming_the_cell(
    registry: Registry, amount: str
) -> None:
    response = await import_csv(
        registry.a, CSV_HEADER + f'CPT,99213,,11,,unit,amount,"{amount}",,2026-01-01,\n'
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert (error["row"], error["column"]) == (2, "amount"), error


def _raw_multipart(filename: str, content: bytes) -> dict[str, object]:
    """A multipart upload naming the file as a careless client does: raw UTF-8, quotes escaped with a
    backslash, a line feed as is (httpx would percent-encode them, hiding the case)."""
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
    body = (
        b"--XBOUNDARYX\r\n"
        + f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'.encode()
        + b"Content-Type: application/pdf\r\n\r\n"
        + content
        + b"\r\n--XBOUNDARYX--\r\n"
    )
    return {"content": body, "headers": {"Content-Type": "multipart/form-data; boundary=XBOUNDARYX"}}


@pytest.mark.parametrize(
    ("filename", "fallback"),
    [
        ("合同.pdf", "__.pdf"),
        ('a"; filename=evil.html; x=".pdf', "a__ filename=evil.html_ x=_.pdf"),
        ("two\nlines.pdf", "two lines.pdf"),
    ],
)
async def test_any_file_name_downloads_with_an_encoded_content_disposition(
    registry: Registry, filename: str, fallback: str
) -> None:
    body = b"%PDF-1.7\n" + filename.encode()
    document = ok(await registry.a.post("/v1/documents", **_raw_multipart(filename, body)), 201)
    download = await registry.a.get(f"/v1/documents/{document['id']}/content")
    assert download.status_code == 200 and download.content == body
    disposition = download.headers["content-disposition"]
    assert disposition.startswith(f"attachment; filename=\"{fallback}\"; filename*=UTF-8''"), disposition
    assert disposition.count(";") == 2  # no parameter injected
    assert unquote(disposition.split("''", 1)[1]) == filename.replace("\n", " ")
    assert download.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("content", [ELF, MZ, b"caf\xe9 latin-1", b"text with a \x00 NUL"])
async def test_a_text_plain_upload_must_really_be_text(registry: Registry, content: bytes) -> None:
    response = await registry.a.post("/v1/documents", files={"file": ("notes.txt", content, "text/plain")})
    assert response.status_code == 415, response.text
    assert "not text/plain" in response.json()["detail"]


async def test_plain_utf8_text_is_accepted(registry: Registry) -> None:
    text = "Renewal notice: 90 days — café\r\n\tsigned\n".encode()
    ok(await registry.a.post("/v1/documents", files={"file": ("notes.txt", text, "text/plain")}), 201)


async def test_unauthenticated_malformed_json_is_a_401_and_a_wrong_scope_a_403(registry: Registry) -> None:
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(registry.app), base_url="http://registry")
    async with anonymous:
        response = await anonymous.post(
            "/v1/payers", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 401, response.text
        bad_key = {"Authorization": "Bearer acc_nope_not-a-key", "Content-Type": "application/json"}
        response = await anonymous.post("/v1/payers", content=b"[" * 10_000, headers=bad_key)
        assert response.status_code == 401, response.text
        response = await anonymous.post(
            "/v1/documents", files={"file": ("a.pdf", b"%PDF-1.7", "application/pdf")}
        )
        assert response.status_code == 401, response.text


async def _chunks(size: int) -> AsyncIterator[bytes]:
    yield b'{"name": "'
    for _ in range(size // 65536 + 1):
        yield b"x" * 65536
    yield b'"}'


async def test_an_oversized_chunked_json_body_is_a_413(registry: Registry) -> None:
    limit = registry.settings.max_request_bytes
    response = await registry.a.post(
        "/v1/payers", content=_chunks(limit + 1), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers  # sent chunked
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_options_lists_every_method_of_the_path(registry: Registry) -> None:
    payer = await new_payer(registry.a)
    response = await registry.a.options(f"/v1/payers/{payer['id']}")
    assert response.status_code == 204
    assert response.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH"
    wrong = await registry.a.put(f"/v1/payers/{payer['id']}", json={})
    assert wrong.status_code == 405 and wrong.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH"
    assert (await registry.a.options("/v1/no-such-thing")).status_code == 404


@pytest.mark.parametrize(
    ("path", "body"),
    [("/v1/payers", {"name": "\u0000"}), ("/v1/payers", {"name": "Acme\u0000 Health", "plans": []})],
)
async def test_text_with_a_nul_character_is_a_422_and_nothing_is_written(
    registry: Registry, path: str, body: dict[str, object]
) -> None:
    """PostgreSQL cannot store U+0000 (found by fuzzing: a 500); the document's patterns exclude it."""
    before = ok(await registry.a.get("/v1/payers"), 200)["items"]
    response = await registry.a.post(path, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "name", "message": "text may not contain the NUL character (U+0000)"}
    ]
    assert ok(await registry.a.get("/v1/payers"), 200)["items"] == before


async def test_nul_in_a_query_parameter_is_a_422_not_a_500(registry: Registry) -> None:
    """The database refuses it (character_not_in_repertoire): answered as a 422 problem."""
    response = await registry.a.get("/v1/contracts", params={"payer_id": "a\x00b"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["message"] == "text may not contain the NUL character (U+0000)"
