"""A broken handbook file never takes the app down: the last good model is served, 制度状态 shows why.

Each test saves a file the way an editor or a sync might leave it (GBK, Word's line break, cut
off, a <script>) while the app runs (RELOAD_INTERVAL is 0, so the next request sees it).
"""

from __future__ import annotations

import pytest

from .conftest import Auth, make_test_app

SERVICE = "20-客服/service.md"
DAILY = "/checklists/daily/2026-11-23/role:售前客服"
SERVED_TEXT = "抽查前一日聊天记录，客服平均响应时间不超过50秒"  # from the last good model


def _gbk(root):
    path = root / SERVICE
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    return f"{SERVICE}:3</code>", "文件不是 UTF-8 编码"


def _word_break(root):
    path = root / SERVICE
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("聊天记录")].count("\n") + 1
    path.write_text(text.replace("聊天记录", "\x0b聊天记录", 1), encoding="utf-8")
    return f"{SERVICE}:{line}</code>", "看不见的控制字符 U+000B"


def _cut(root):
    path = root / SERVICE
    text = path.read_text(encoding="utf-8")
    data = text.encode("utf-8")
    path.write_bytes(data[: data.index("不得超过".encode()) + 1])
    line = text[: text.index("不得超过")].count("\n") + 1
    return f"{SERVICE}:{line}</code>", "文件在最后一个字符的中间断开了"


def _reference_gbk(root):
    path = root / "reference.yml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    return "reference.yml:1</code>", "文件不是 UTF-8 编码"


def _script(root):
    path = root / SERVICE
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("客服部的日常")].count("\n") + 1
    path.write_text(
        text.replace("客服部的日常", "<script>alert(1)</script>客服部的日常", 1), encoding="utf-8"
    )
    return f"{SERVICE}:{line}</code>", "制度正文里不能写 &lt;script&gt;"


FAULTS = {
    "gbk": _gbk,
    "word-break": _word_break,
    "cut": _cut,
    "reference-gbk": _reference_gbk,
    "script": _script,
}


@pytest.mark.parametrize("fault", FAULTS)
def test_pages_keep_serving_the_last_good_model_and_the_status_shows_the_problem(
    client, auth, handbook_dir, fault
):
    auth.login("admin")
    assert client.get(DAILY).status_code == 200  # the good model is loaded
    where, message = FAULTS[fault](handbook_dir)
    home = client.get("/")
    assert home.status_code == 200
    daily = client.get(DAILY)
    assert daily.status_code == 200
    assert SERVED_TEXT in daily.get_data(as_text=True)
    status = client.get("/admin/handbook")
    assert status.status_code == 200
    html = status.get_data(as_text=True)
    assert "手册有 1 个错误，应用仍在使用上一次正确的版本" in html
    assert where in html
    assert message in html


def test_the_owner_sees_the_fix_and_the_status_clears_once_the_file_is_saved_again(
    client, auth, handbook_dir
):
    good = (handbook_dir / SERVICE).read_text(encoding="utf-8")
    auth.login("zhao")
    _gbk(handbook_dir)
    html = client.get("/admin/handbook").get_data(as_text=True)
    assert "请用 UTF-8 另存为" in html  # the fix, not just the message
    (handbook_dir / SERVICE).write_text(good, encoding="utf-8")
    assert "手册检查通过" in client.get("/admin/handbook").get_data(as_text=True)


def test_an_app_started_on_a_broken_file_before_any_release_still_answers(
    tmp_path, handbook_dir, sample_site, clock, accounts
):
    where, message = _word_break(handbook_dir)
    app = make_test_app(handbook_dir, sample_site, tmp_path / "data", clock, accounts)
    client = app.test_client()
    # A fresh instance whose draft is broken publishes nothing: no handbook yet, rather than a crash.
    assert client.get("/handbook/").status_code == 404
    Auth(client).login("admin")
    assert client.get(DAILY).status_code == 503  # no good model yet: "unavailable", not a crash
    status = client.get("/admin/handbook")
    assert status.status_code == 200
    html = status.get_data(as_text=True)
    assert "还没有可以使用的版本" in html
    assert where in html and message in html


def test_a_loader_crash_keeps_the_last_good_model(client, auth, app, monkeypatch):
    from checklist_app.extensions import handbook_source

    auth.login("admin")
    with app.app_context():
        source = handbook_source()
    good = source.state.handbook

    def crash():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(source.loader, "load", crash)
    assert client.get(DAILY).status_code == 200
    assert source.state.handbook is good
    html = client.get("/admin/handbook").get_data(as_text=True)
    assert "RuntimeError: disk on fire" in html
