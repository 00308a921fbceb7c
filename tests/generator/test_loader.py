"""Re-loading re-parses only what changed, so the app can use the model on every request."""

from __future__ import annotations

from generator import HandbookLoader

from ..conftest import TODAY


def _touch(path, text):
    path.write_text(text, encoding="utf-8")


def test_second_load_reparses_nothing(handbook_copy):
    loader = HandbookLoader(handbook_copy, today=TODAY)
    assert loader.load().reparsed == 6
    second = loader.load()
    assert second.reparsed == 0
    assert second.handbook is not None


def test_only_the_edited_file_is_reparsed_and_its_change_is_seen(handbook_copy):
    loader = HandbookLoader(handbook_copy, today=TODAY)
    first = loader.load().handbook
    path = handbook_copy / "20-客服/service.md"
    _touch(path, path.read_text(encoding="utf-8").replace("不超过50秒", "不超过40秒"))
    result = loader.load()
    assert result.reparsed == 1
    assert "40秒" in result.handbook.check("cs-response-avg").text
    assert result.handbook.clause("cs-response").hash != first.clause("cs-response").hash
    assert result.handbook.clause("cs-refund").hash == first.clause("cs-refund").hash


def test_an_invalid_edit_yields_problems_and_no_model(handbook_copy):
    loader = HandbookLoader(handbook_copy, today=TODAY)
    path = handbook_copy / "20-客服/service.md"
    _touch(
        path, path.read_text(encoding="utf-8").replace("频率: 每日\n对象: 售前", "频率: 每天两次\n对象: 售前")
    )
    result = loader.load()
    assert result.handbook is None
    assert [p.code for p in result.errors] == ["unknown-frequency"]


def test_deleted_and_added_files_are_noticed(handbook_copy):
    loader = HandbookLoader(handbook_copy, today=TODAY)
    loader.load()
    (handbook_copy / "30-仓储物流/warehouse.md").unlink()
    assert loader.load().handbook.policy("wh") is None
    _touch(handbook_copy / "new.md", "# 新页面\n")
    result = loader.load()
    assert result.reparsed == 1 and result.handbook is not None


def test_editing_reference_data_revalidates_every_file(handbook_copy):
    loader = HandbookLoader(handbook_copy, today=TODAY)
    loader.load()
    ref = handbook_copy / "reference.yml"
    _touch(ref, ref.read_text(encoding="utf-8").replace("  - 名称: 售后客服\n    部门: 客服部\n", ""))
    result = loader.load()
    assert result.reparsed == 6
    assert {p.code for p in result.errors} == {"unknown-role"}


def test_an_edit_to_the_synonym_list_alone_is_checked_on_the_next_load(handbook_copy):
    loader = HandbookLoader(handbook_copy, today=TODAY)
    assert not [p for p in loader.load().problems if p.code.startswith("synonym-")]
    _touch(handbook_copy / "synonyms.txt", "罚款 扣钱\n")
    result = loader.load()
    assert result.reparsed == 0  # no policy was parsed again, yet the list was checked
    [problem] = [p for p in result.problems if p.code.startswith("synonym-")]
    assert (problem.code, problem.line) == ("synonym-no-colon", 1)
