"""A long list shown a page at a time: which items a page holds and what its pager says."""

from __future__ import annotations

import pytest

from checklist_app.paging import Paging, page_of
from checklist_app.services import NotFound


def test_a_page_holds_its_slice_and_knows_its_positions_among_all():
    items = list(range(1, 121))  # 120 items, 50 a page
    first, last = Paging(1, 50, 120), Paging(3, 50, 120)
    assert (first.pages, first.first, first.last, first.of(items)) == (3, 1, 50, items[:50])
    assert (last.first, last.last, last.of(items)) == (101, 120, items[100:])


def test_an_empty_list_is_one_empty_page():
    empty = Paging(1, 50, 0)
    assert (empty.pages, empty.of([]), empty.checked("history.page.none")) == (1, [], empty)


def test_a_page_past_the_last_is_not_found_and_says_how_many_pages_there_are():
    with pytest.raises(NotFound) as refused:
        Paging(4, 50, 120).checked("history.page.none")
    assert refused.value.status == 404
    assert "没有第 4 页（共 3 页）" in str(refused.value)


def test_the_page_of_an_item_counts_from_one():
    assert [page_of(index, 50) for index in (0, 49, 50, 119)] == [1, 1, 2, 3]
