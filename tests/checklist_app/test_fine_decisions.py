"""视情节: an owner decides the amount of a ranged fine within its range, on the ledger page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from checklist_app import audit
from checklist_app.extensions import current_handbook, storage
from checklist_app.generation import Target

from .conftest import CS_LEAD, DAY, complete, csrf_from, make_test_app
from .reporting.test_ledger_tiers import FINES

LEDGER = "/reports/ledger?month=2026-11"


@pytest.fixture
def app(tmp_path, handbook_dir, sample_site, clock, accounts):
    (handbook_dir / "20-客服" / "fines.md").write_text(FINES, encoding="utf-8")
    app = make_test_app(handbook_dir, sample_site, tmp_path / "data", clock, accounts)
    with app.app_context():
        for n, count in ((1, 1), (2, 1)):  # the second incident of the month: 视情节 100–300 元
            day = DAY - dt.timedelta(days=10 - n)
            complete(
                current_handbook(),
                storage(),
                Target("role", "售前客服"),
                {"fx-incident": (count, "小李")},
                day,
                CS_LEAD,
            )
    return app


def _form(page: str) -> dict:
    form = page[page.index('class="decide-form"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields["csrf_token"] = csrf_from(page)
    return fields


def test_an_owner_decides_the_amount_and_the_total_follows(app, client, auth):
    auth.login("zhao")
    page = client.get(LEDGER).get_data(as_text=True)
    assert "视情节 100–300 元：合计暂按最低计" in page and "本次罚款金额（100–300 元）" in page
    response = client.post(
        "/reports/ledger/decide", data={**_form(page), "amount": "２５０", "note": "情节较重"}
    )
    assert response.status_code == 302 and "#line-" in response.headers["Location"]
    page = client.get(LEDGER).get_data(as_text=True)
    assert "视情节 100–300 元，赵 已定" in page or "已定" in page
    assert "300元" in page.replace(" ", "") or "300 元" in page  # 50 + 250
    with app.app_context():
        (entry,) = [
            e
            for e in audit.entries(storage(), DAY - dt.timedelta(days=30), DAY)
            if e.action == "ledger.decide"
        ]
    assert (entry.before, entry.after) == ({"amount": 100.0}, {"amount": 250.0, "note": "情节较重"})


@pytest.mark.parametrize(
    ("amount", "message"), [("350", "金额要在 100–300 元之间"), ("abc", "不是一个数"), ("", "金额要在")]
)
def test_an_amount_outside_the_range_or_not_a_number_is_refused_in_chinese(
    app, client, auth, amount, message
):
    auth.login("zhao")
    page = client.get(LEDGER).get_data(as_text=True)
    response = client.post("/reports/ledger/decide", data={**_form(page), "amount": amount})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert storage().decisions.all() == {}


def test_an_inspector_may_not_decide_and_a_line_without_a_range_cannot_be_changed(app, client, auth):
    auth.login("zhao")
    page = client.get(LEDGER).get_data(as_text=True)
    form = _form(page)
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("zhang")
    refused = client.post(
        "/reports/ledger/decide", data={**form, "csrf_token": auth.token(), "amount": "200"}
    )
    assert refused.status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("zhao")
    first = form["ref"].rsplit("#", 1)[0]
    with app.app_context():
        other = [
            r["id"] for r in storage().completions.list(DAY - dt.timedelta(days=30), DAY) if r["id"] != first
        ][0]
    fixed = {
        **form,
        "csrf_token": csrf_from(client.get(LEDGER).get_data(as_text=True)),
        "ref": f"{other}#fx-incident",
    }
    response = client.post("/reports/ledger/decide", data={**fixed, "amount": "60"})
    assert response.status_code == 422 and "不能改" in response.get_data(as_text=True)
    response = client.post("/reports/ledger/decide", data={**fixed, "ref": "nope#x", "amount": "60"})
    assert response.status_code == 404
