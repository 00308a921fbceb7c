"""人员名册: add, edit, mark as left, search by pinyin initials, import .xlsx / .csv all or nothing."""

from __future__ import annotations

import datetime as dt
import html as html_module
import io
import re

import pytest
from openpyxl import Workbook

from checklist_app import audit, people, people_import
from checklist_app.extensions import current_handbook, storage

from ..conftest import PROJECT
from .conftest import csrf_from

SAMPLE_CSV = PROJECT / "tests" / "data" / "people-sample.csv"
SAMPLE_XLSX = PROJECT / "tests" / "data" / "people-sample.xlsx"
SAMPLE_NAMES = ["李明", "王芳", "张伟", "赵丽", "陈静"]


def post(client, path, data, page=None, **kwargs):
    """POST a form as a browser does: with the CSRF token of the page it is on."""
    token = csrf_from(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def directory(app) -> list[people.Person]:
    with app.app_context():
        return people.all_people(storage())


def entries(app, action):
    with app.app_context():
        found = audit.entries(storage(), dt.date(2026, 1, 1), dt.date(2026, 12, 31), action=action)
    return found


def listed(html: str) -> list[str]:
    """The names in the directory list of a page."""
    return re.findall(r'<span class="person-name"><strong>(.*?)</strong>', html)


def add(client, **fields):
    values = {
        "name": "李明",
        "employee_no": "",
        "department": "客服部",
        "role": "",
        "phone": "",
        "username": "",
    }
    values.update(fields)
    return post(client, "/admin/people/new", values)


# --- Pinyin --------------------------------------------------------------------------------------------


def test_pinyin_initials_are_computed_on_the_server():
    assert people.pinyin_keys("李明") == (("lm",), "liming")
    assert "zgf" in people.pinyin_keys("曾国藩")[0]  # a surname's rarer reading is searchable too
    assert people.pinyin_keys("欧阳娜娜")[0][0] == "oynn"
    assert people.pinyin_keys("Tom李")[0] == ("tl",)


@pytest.mark.parametrize("query", ["lm", "LM", "l", "li", "liming", "李", "明", "a0012", "A00"])
def test_a_person_is_found_by_name_employee_number_and_initials(query):
    person = people.Person(id="p000000000001", name="李明", department="客服部", employee_no="A0012")
    assert people.matches(person, query)


@pytest.mark.parametrize("query", ["wf", "王", "lx", "B00"])
def test_other_queries_do_not_find_him(query):
    person = people.Person(id="p000000000001", name="李明", department="客服部", employee_no="A0012")
    assert not people.matches(person, query)


# --- The pages -------------------------------------------------------------------------------------------


def test_only_owners_and_admins_manage_people(client, auth):
    auth.login("zhang")
    for path in ("/admin/people", "/admin/people/new", "/admin/people/import", "/admin/people/unlinked"):
        assert client.get(path).status_code == 403, path
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("zhao")  # a policy owner
    assert client.get("/admin/people").status_code == 200


def test_admin_adds_edits_and_marks_a_person_as_left_all_audited(app, client, auth):
    auth.login("admin")
    response = add(client, name="李 明", employee_no="Ａ0012", role="售前客服", phone="138 0013 8000")
    assert response.status_code == 302
    [person] = directory(app)
    assert (person.name, person.employee_no, person.phone) == ("李 明", "A0012", "13800138000")  # NFKC
    edit = f"/admin/people/{person.id}"
    page = client.get(edit).get_data(as_text=True)
    assert 'name="rev" value="1"' in page
    response = post(
        client,
        edit,
        {
            "name": "李明",
            "employee_no": "A0012",
            "department": "客服部",
            "role": "客服主管",
            "phone": "",
            "username": "zhang",
            "rev": "1",
        },
    )
    assert response.status_code == 302
    [person] = directory(app)
    assert (person.name, person.role, person.username, person.phone) == ("李明", "客服主管", "zhang", "")
    response = post(client, f"{edit}/left", {"left_on": "2026-11-30", "rev": str(person.rev)}, page=edit)
    assert response.status_code == 302
    [person] = directory(app)
    assert person.left_on == "2026-11-30" and not person.active
    assert person.active_on(dt.date(2026, 11, 30)) and not person.active_on(dt.date(2026, 12, 1))
    [created] = entries(app, "person.create")
    assert created.after["name"] == "李 明" and created.actor == "admin"
    [edited] = entries(app, "person.edit")
    assert ("role", "售前客服", "客服主管") in edited.changes
    [left] = entries(app, "person.left")
    assert left.after == {"left_on": "2026-11-30"}
    assert listed(client.get("/admin/people").get_data(as_text=True)) == []  # active people by default
    assert "已于 2026-11-30 离职" in client.get("/admin/people?status=left").get_data(as_text=True)


def test_an_edit_from_an_old_page_does_not_overwrite_a_newer_one(app, client, auth):
    auth.login("admin")
    add(client)
    [person] = directory(app)
    fields = {
        "name": "李明",
        "employee_no": "",
        "department": "客服部",
        "role": "",
        "phone": "",
        "username": "",
    }
    post(client, f"/admin/people/{person.id}", {**fields, "phone": "13800138000", "rev": "1"})
    response = post(client, f"/admin/people/{person.id}", {**fields, "phone": "13900139000", "rev": "1"})
    assert response.status_code == 409
    assert "刚被他人修改过" in response.get_data(as_text=True)
    assert directory(app)[0].phone == "13800138000"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "请填写姓名"),
        ({"name": "\u200b"}, "请填写姓名"),
        ({"department": "市场部"}, "部门“市场部”不在制度手册的部门列表里"),
        ({"role": "仓库管理员"}, "岗位“仓库管理员”属于仓储部，不属于客服部"),
        ({"role": "厨师"}, "岗位“厨师”不在制度手册的岗位列表里"),
        ({"phone": "12345"}, "手机号码“12345”格式不对"),
        ({"employee_no": "A 12/3"}, "工号“A 12/3”只能由字母、数字"),
        ({"username": "nobody"}, "没有账号“nobody”"),
    ],
)
def test_a_bad_person_is_refused_with_the_reason(app, client, auth, fields, message):
    auth.login("admin")
    response = add(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert directory(app) == []


def test_employee_numbers_and_accounts_are_unique(app, client, auth):
    auth.login("admin")
    add(client, name="李明", employee_no="A0012", username="zhang")
    response = add(client, name="王芳", employee_no="a0012")
    assert response.status_code == 422 and "工号 a0012 已属于 李明" in response.get_data(as_text=True)
    response = add(client, name="王芳", username="zhang")
    assert response.status_code == 422 and "账号 zhang 已关联到 李明" in response.get_data(as_text=True)


def test_the_list_is_searched_by_pinyin_initials_and_employee_number(app, client, auth):
    auth.login("admin")
    for name, number, department, role in (
        ("李明", "A0012", "客服部", "售前客服"),
        ("王芳", "A0013", "客服部", "售后客服"),
        ("张伟", "W0101", "仓储部", "仓库管理员"),
    ):
        add(client, name=name, employee_no=number, department=department, role=role)
    assert listed(client.get("/admin/people?q=lm").get_data(as_text=True)) == ["李明"]
    assert listed(client.get("/admin/people?q=W01").get_data(as_text=True)) == ["张伟"]
    assert listed(client.get("/admin/people?q=A001").get_data(as_text=True)) == ["李明", "王芳"]
    assert "在职 3 人" in client.get("/admin/people").get_data(as_text=True)


# --- Import ----------------------------------------------------------------------------------------------


def upload(client, name: str, data: bytes):
    return post(
        client,
        "/admin/people/import",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm(client, preview_html: str):
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview_html))
    fields = {k: html_module.unescape(v) for k, v in fields.items()}
    return client.post("/admin/people/import/confirm", data=fields)


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sample_text() -> str:
    return SAMPLE_CSV.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("名册.csv", SAMPLE_CSV.read_bytes()),  # UTF-8 with BOM, as the sample ships
        ("名册.csv", sample_text().encode("utf-8")),  # UTF-8 without BOM
        ("名册.csv", sample_text().encode("gbk")),  # as Excel on Chinese Windows saves "CSV"
        ("名册.txt", sample_text().replace(",", "\t").encode("utf-16")),  # Excel's "Unicode text"
        ("名册.xlsx", SAMPLE_XLSX.read_bytes()),
    ],
    ids=["utf8-bom", "utf8", "gbk", "utf16-tab", "xlsx"],
)
def test_the_sample_file_imports_in_every_encoding_and_format(app, client, auth, name, data):
    auth.login("admin")
    preview = upload(client, name, data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "将新增 5 人，更新 0 人，0 人没有变化" in html
    assert directory(app) == []  # a preview writes nothing
    response = confirm(client, html)
    assert response.status_code == 302
    found = {p.name: p for p in directory(app)}
    assert sorted(found) == sorted(SAMPLE_NAMES)
    assert (found["李明"].employee_no, found["李明"].role, found["李明"].phone) == (
        "A0012",
        "售前客服",
        "13800138000",
    )
    assert found["张伟"].phone == "13900139000" and found["陈静"].phone == "02162345678"
    [entry] = entries(app, "people.import")
    assert (entry.after["added"], entry.after["updated"], entry.after["unchanged"]) == (5, 0, 0)
    assert entry.subject == name


def test_bad_rows_are_reported_by_row_number_and_nothing_is_imported(app, client, auth):
    auth.login("admin")
    add(client, name="李明", employee_no="A0012")
    rows = [
        ["姓名", "工号", "部门", "岗位", "手机"],
        ["王芳", "A0013", "客服部", "售后客服", ""],  # row 2: fine
        ["张伟", "W0101", "市场部", "", ""],  # row 3: unknown department
        ["赵丽", "W0102", "客服部", "仓储主管", ""],  # row 4: role of another department
        ["陈静", "A0013", "运营部", "", ""],  # row 5: 工号 repeats row 2
        ["", "Y0202", "运营部", "", ""],  # row 6: no name
        ["孙强", "Y0203", "运营部", "", "1380013800"],  # row 7: ten digits
        ["周杰", "A0012", "客服部", "", ""],  # row 8: 工号 of 李明 in the directory
        [None, None, None, None, None],  # a blank row is skipped, not an error
        ["吴敏", "Y0204", "运营部", "运营专员", "13700137000"],  # row 10: fine
    ]
    response = upload(client, "名册.xlsx", xlsx(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    errors = dict(re.findall(r'<li data-row="(\d+)">(.*?)</li>', html))
    assert sorted(errors, key=int) == ["3", "4", "5", "6", "7", "8"]
    assert "部门“市场部”不在制度手册的部门列表里" in errors["3"]
    assert "岗位“仓储主管”属于仓储部，不属于客服部" in errors["4"]
    assert "工号 A0013 与第 2 行重复" in errors["5"]
    assert "请填写姓名" in errors["6"]
    assert "手机号码“1380013800”格式不对" in errors["7"]
    assert "工号 A0012 已属于名册里的 李明" in errors["8"]
    assert "有 6 行有错，整个文件都没有导入" in html
    assert 'id="confirm-form"' not in html  # no way to import part of it
    assert [p.name for p in directory(app)] == ["李明"]
    assert entries(app, "people.import") == []


def test_a_second_import_updates_by_employee_number_and_blank_cells_keep_what_is_there(app, client, auth):
    auth.login("admin")
    confirm(client, upload(client, "a.csv", SAMPLE_CSV.read_bytes()).get_data(as_text=True))
    changed = sample_text().replace("王芳,A0013,客服部,售后客服,", "王芳,A0013,客服部,客服主管,13600136000")
    changed = changed.replace("李明,A0012,客服部,售前客服,13800138000", "李明,A0012,客服部,售前客服,")
    changed += "孙强,,运营部,,\r\n"
    html = upload(client, "b.csv", changed.encode("utf-8")).get_data(as_text=True)
    assert "将新增 1 人，更新 1 人，4 人没有变化" in html
    assert "<del>售后客服</del> → <ins>客服主管</ins>" in html
    assert confirm(client, html).status_code == 302
    found = {p.name: p for p in directory(app)}
    assert (found["王芳"].role, found["王芳"].phone) == ("客服主管", "13600136000")
    assert found["李明"].phone == "13800138000"  # the blank cell did not erase it
    assert "孙强" in found and len(found) == 6


def test_a_preview_confirmed_after_the_directory_changed_imports_nothing(app, client, auth):
    auth.login("admin")
    html = upload(client, "a.csv", SAMPLE_CSV.read_bytes()).get_data(as_text=True)
    add(client, name="路人", employee_no="A0012")  # someone took 李明's 工号 meanwhile
    response = confirm(client, html)
    assert response.status_code == 422
    assert "工号 A0012 已属于名册里的 路人" in response.get_data(as_text=True)
    assert [p.name for p in directory(app)] == ["路人"]


def test_a_tampered_preview_is_refused(app, client, auth):
    auth.login("admin")
    html = upload(client, "a.csv", SAMPLE_CSV.read_bytes()).get_data(as_text=True)
    tampered = html.replace("A0012", "A9999")
    response = confirm(client, tampered)
    assert response.status_code == 409 and "名册在预览之后有变化" in response.get_data(as_text=True)
    bad = client.post(
        "/admin/people/import/confirm",
        data={"csrf_token": csrf_from(html), "rows": '[[1, {"x": 1}]]', "fingerprint": "x", "filename": "a"},
    )
    assert bad.status_code == 422 and "预览数据已损坏" in bad.get_data(as_text=True)
    assert directory(app) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.csv", b"", "文件是空的"),
        ("a.csv", "名字,手机\r\n李明,\r\n".encode(), "缺少必填的列：部门"),
        ("a.csv", "姓名,部门\r\n".encode(), "只有列名，没有人员"),
        ("a.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 .xls 文件"),
        ("a.xlsx", b"PK\x03\x04broken", "无法读取这个 Excel 文件"),
        ("a.pdf", b"%PDF-1.4", "只能导入 .xlsx 或 .csv 文件"),
        ("a.csv", b"\xff\xfe\x00", "无法识别文件的编码"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(app, client, auth, name, data, message):
    auth.login("admin")
    response = upload(client, name, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_template_download_is_a_valid_import_file(app):
    with app.test_request_context():
        sheet = people_import.read_csv(people_import.template_csv())
        plan = people_import.plan(sheet.rows, current_handbook().reference, [])
    assert not plan.errors and [c.person.name for c in plan.changes] == ["李明"]


def test_the_sample_files_in_tests_data_match():
    assert SAMPLE_XLSX.exists() and SAMPLE_CSV.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [r.values for r in people_import.read_csv(SAMPLE_CSV.read_bytes()).rows] == [
        r.values for r in people_import.read_xlsx(SAMPLE_XLSX.read_bytes()).rows
    ]


def test_the_import_page_documents_the_format(client, auth):
    auth.login("zhao")
    html = client.get("/admin/people/import").get_data(as_text=True)
    for text in ("姓名", "工号", "部门", "岗位", "手机", "GBK", "UTF-8", ".xlsx", "整个文件都不会导入"):
        assert text in html
    assert client.get("/admin/people/import-template.csv").get_data().startswith(b"\xef\xbb\xbf\xe5\xa7\x93")


def test_malformed_requests_get_a_chinese_4xx(client, auth):
    auth.login("admin")
    assert client.get("/admin/people?q=%00").status_code == 400
    assert client.get("/admin/people/pzzz").status_code == 404
    assert client.get("/admin/people/unlinked?year=99999").status_code == 400
    response = post(client, "/admin/people/import", {}, page="/admin/people/import")
    assert response.status_code == 422 and "请选择要上传的名册文件" in response.get_data(as_text=True)
    response = post(client, "/admin/people/p000000000000/left", {"left_on": "x"}, page="/admin/people")
    assert response.status_code == 404


def test_the_admin_home_leads_an_owner_to_people_too(client, auth):
    auth.login("zhao")
    html = client.get("/admin/people").get_data(as_text=True)
    assert 'href="/admin/people/import"' in html and 'href="/admin/handbook"' in html


NASTY = [
    "",
    "\ud83d",
    "\x00",
    "\x0b",
    "x" * 300,
    "9999",
    "0001",
    "[[1, {}]]",
    '[[1, {"name": 5}]]',
    "p" + "0" * 12,
]


@pytest.mark.parametrize("value", NASTY)
def test_no_nasty_value_gets_a_server_error(app, client, auth, value):
    auth.login("admin")
    safe = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    responses = [
        client.get("/admin/people", query_string={"q": safe, "status": safe}),
        client.get("/admin/people/unlinked", query_string={"year": safe}),
        client.get(f"/admin/people/{html_module.escape(safe)[:50] or 'x'}"),
    ]
    token = csrf_from(client.get("/admin/people/new").get_data(as_text=True))
    fields = dict.fromkeys(people.FIELDS, safe)
    responses.append(client.post("/admin/people/new", data={"csrf_token": token, **fields}))
    for path, form in (
        ("/admin/people/import/confirm", {"rows": safe, "fingerprint": safe, "filename": safe}),
        ("/admin/people/unlinked/link", {"spelling": safe, "person_id": safe, "year": safe}),
        ("/admin/people/p000000000000/left", {"left_on": safe, "rev": safe}),
    ):
        responses.append(client.post(path, data={"csrf_token": token, **form}))
    for response in responses:
        text = response.get_data(as_text=True)
        assert response.status_code < 500, text[:300]
        if response.status_code >= 400:
            assert re.search(r"[\u4e00-\u9fff]", text)
