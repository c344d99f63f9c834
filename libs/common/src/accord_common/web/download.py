"""Headers for a file the API serves: an RFC 6266 / RFC 5987 Content-Disposition whatever the name."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """`attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded name>`.

    The stored name is never echoed raw: a quote, backslash, semicolon or line feed in it cannot add
    a parameter or break the header, and a name outside Latin-1 (`合同.pdf`) is sent percent-encoded
    (browsers use filename*, old clients the fallback, where each such character is `_`)."""
    name = "".join(" " if unicodedata.category(c).startswith("C") else c for c in filename).strip()
    name = name or "download"
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
