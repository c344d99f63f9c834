"""Documents: type allow-list (415), size limit (413), duplicates (the existing document), download, links."""

from __future__ import annotations

import hashlib
from pathlib import Path

from registry_helpers import new_contract, ok

from conftest import Registry

PDF = b"%PDF-1.7\n" + b"contract text " * 500


def _stored(registry: Registry) -> list[bytes]:
    """Every file's bytes in the document store's directory."""
    return [p.read_bytes() for p in Path(registry.settings.documents_dir).rglob("*") if p.is_file()]


async def test_upload_download_returns_the_same_bytes_and_hash(registry: Registry) -> None:
    document = ok(
        await registry.a.post("/v1/documents", files={"file": ("acme.pdf", PDF, "application/pdf")}), 201
    )
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest() and document["size_bytes"] == len(PDF)
    download = await registry.a.get(f"/v1/documents/{document['id']}/content")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["x-content-sha256"] == document["sha256"]
    assert document["already_stored"] is False
    duplicate = ok(
        await registry.a.post("/v1/documents", files={"file": ("copy.pdf", PDF, "application/pdf")}), 200
    )
    assert (duplicate["id"], duplicate["filename"], duplicate["already_stored"]) == (
        document["id"],
        "acme.pdf",
        True,
    )
    assert sum(content == PDF for content in _stored(registry)) == 1  # the second copy was not kept
    cid = (await new_contract(registry.a))["id"]
    linked = ok(
        await registry.a.post(f"/v1/contracts/{cid}/documents", json={"document_id": document["id"]}), 201
    )
    assert [(d["id"], d["version"]) for d in linked] == [(document["id"], 1)]
    actions = [e["action"] for e in ok(await registry.a.get(f"/v1/contracts/{cid}/audit"))["items"]]
    assert "document.linked" in actions


async def test_the_same_bytes_in_another_organisation_are_not_a_duplicate(registry: Registry) -> None:
    body = b"%PDF-1.4 another organisation's copy"
    mine = ok(await registry.a.post("/v1/documents", files={"file": ("a.pdf", body, "application/pdf")}), 201)
    theirs = ok(
        await registry.b.post("/v1/documents", files={"file": ("b.pdf", body, "application/pdf")}), 201
    )
    assert theirs["id"] != mine["id"]
    assert (theirs["filename"], theirs["already_stored"]) == ("b.pdf", False)
    assert (await registry.b.get(f"/v1/documents/{mine['id']}/content")).status_code == 404


async def test_too_large_is_413_and_nothing_is_kept(registry: Registry) -> None:
    big = b"%PDF-1.7\n" + b"x" * (registry.settings.max_upload_bytes + 1)
    response = await registry.a.post("/v1/documents", files={"file": ("big.pdf", big, "application/pdf")})
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
    assert str(registry.settings.max_upload_bytes) in response.json()["detail"]
    assert all(len(content) <= registry.settings.max_upload_bytes for content in _stored(registry))


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(
    registry: Registry,
) -> None:
    """The body is tiny and valid: only the declared Content-Length can have refused it."""
    declared = registry.settings.max_upload_bytes + 1024 * 1024
    response = await registry.a.post(
        "/v1/documents",
        files={"file": ("small.txt", b"small", "text/plain")},
        headers={"Content-Length": str(declared)},
    )
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert str(registry.settings.max_upload_bytes) in problem["detail"]
    assert problem["errors"][0]["field"] == "file"


async def test_wrong_types_are_415(registry: Registry) -> None:
    for name, content, content_type in [
        ("run.exe", b"MZ\x90\x00", "application/x-msdownload"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
    ]:
        response = await registry.a.post("/v1/documents", files={"file": (name, content, content_type)})
        assert response.status_code == 415, response.text
    ok(
        await registry.a.post(
            "/v1/documents", files={"file": ("notes.txt", b"renewal call 2026-03-01", "text/plain")}
        ),
        201,
    )
