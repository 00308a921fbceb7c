"""The words a new hire actually types find every page of the real handbook that contains them."""

from __future__ import annotations

import pytest

from ..generator.search_index import SearchIndex

# The first questions of a first day, as the words people type into the box.
NEW_HIRE_QUERIES = [
    "请假",  # 我要怎么请假？
    "病假",  # 病假要什么证明？
    "年假",  # 有没有年假？
    "迟到",  # 迟到扣多少钱？
    "旷工",  # 什么算旷工？
    "打卡",  # 几点打卡？
    "罚款",  # 哪些事会被罚款？
    "差评",  # 差评罚多少？
    "中评",  # 中评罚多少？
    "退款",  # 退款多久处理？
    "响应时间",  # 客服回复要多快？
    "盘点",  # 什么时候盘点？
    "库房",  # 库房门锁谁管？
    "密码",  # 账号密码怎么管？
    "例会",  # 周例会什么时候开？
    "汇报",  # 工作怎么汇报？
    "卫生",  # 卫生检查怎么打分？
    "考核",  # 绩效怎么考核？
    "奖励",  # 有什么奖励？
    "加班",  # 加班怎么算？
    "通报批评",  # 什么情况会被通报批评？
]


@pytest.fixture(scope="module")
def index(real_site):
    return SearchIndex(real_site)


@pytest.mark.parametrize("query", NEW_HIRE_QUERIES)
def test_new_hire_query_finds_every_page_that_contains_it(index, query):
    containing = index.pages_containing(query)
    assert containing, f"no page of the handbook contains {query}"
    missed = containing - index.pages_found(query)
    assert not missed, f"{query}: search misses {sorted(missed)}"
