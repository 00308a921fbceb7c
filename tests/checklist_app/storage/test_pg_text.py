"""PostgreSQL text cannot hold NUL: typed or pasted NULs never become a server error."""

from __future__ import annotations

from .writer import SHORT, record


def test_a_nul_in_a_key_or_in_content_is_stored_as_a_replacement_character(open_backend):
    storage = open_backend("postgresql", [SHORT])
    assert storage.completions.find("2026-11-23.ab\x00cd") is None
    assert storage.users.get("zh\x00ang") is None
    rec = record("daily|2026-11-23|role:a", "k1")
    rec["items"][0]["note"] = "地面\x00有纸屑"
    stored, created = storage.completions.save(rec)
    assert created
    assert storage.completions.get("daily|2026-11-23|role:a")["items"][0]["note"] == "地面\ufffd有纸屑"
    storage.attempts.clear("account:zh\x00ang")
