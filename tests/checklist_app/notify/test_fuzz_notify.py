"""Malformed input to 未完成, 公示栏 and 管理 → 通知: never a server error, always a Chinese refusal."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from ..test_fuzz import FUZZ, _client, assert_clean_refusal, fuzz_app, nasty_text  # noqa: F401 - fixture

PAGES = (
    "/reports/missed",
    "/reports/noticeboard",
    "/admin/notify/",
    "/admin/notify/{x}",
)
PARAMS = ("from", "to", "department", "kind", "late", "date")
FIELDS = ("name", "platform", "department", "webhook", "secret", "kinds", "enabled", "clear_secret")


def _clean(value: str) -> str:
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


@FUZZ
@given(
    page=st.sampled_from(PAGES),
    part=nasty_text,
    query=st.dictionaries(st.sampled_from(PARAMS), nasty_text, max_size=4),
)
def test_no_get_gets_a_server_error(fuzz_app, page, part, query):  # noqa: F811
    client = _client(fuzz_app, "admin")
    path = page.format(x=quote(part.encode("utf-8", "surrogatepass"), safe="") or "x")
    assert_clean_refusal(client.get(path, query_string={k: _clean(v) for k, v in query.items()}))


@FUZZ
@given(form=st.dictionaries(st.sampled_from(FIELDS), nasty_text, max_size=8))
def test_no_robot_form_gets_a_server_error(fuzz_app, form):  # noqa: F811
    client = _client(fuzz_app, "admin")  # the fuzz app has CSRF off, so bodies reach the form's checks
    assert_clean_refusal(client.post("/admin/notify/", data={k: _clean(v) for k, v in form.items()}))
