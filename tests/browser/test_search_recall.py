"""What new hires and inspectors type into the handbook's search finds the clause that answers it.

The questions are a specification written from the real handbook: single words, everyday words
the handbook does not use, and whole questions as people type them on a phone. Each names the
clause (its id, the anchor of its result link) that answers it; a few rules are stated in two
clauses, and either answers. The test types each one into the real search box of the real
handbook's site in Chromium, without a key press (so it also proves that `input` starts a
search), reads the results the page shows and asks for the answer among the first five.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TOP = 5
REQUIRED_RECALL = 0.95

# (what is typed, the clause ids that answer it)
QUESTIONS: list[tuple[str, tuple[str, ...]]] = [
    # single words and the handbook's own terms
    ("响应时间", ("cs-response",)),
    ("旷工", ("att-late",)),
    ("全勤奖", ("att-full-attendance",)),
    ("盘点", ("wh-stocktake",)),
    ("差评罚款", ("cs-bad-review",)),
    ("七天无理由退货", ("cs-as-return",)),
    ("消防演练", ("office-env-fire",)),
    ("绩效工资", ("perf-pay",)),
    # everyday words the handbook does not use
    ("扣钱", ("reward-fine-list", "home-top-fines")),
    ("病假条", ("leave-general",)),
    ("工牌", ("conduct-dress",)),
    ("摸鱼", ("conduct-focus",)),
    ("晨会", ("meet-morning", "meet-schedule")),
    ("工资", ("perf-pay",)),
    ("客诉", ("cs-as-complaint", "cs-attitude")),
    ("退钱", ("cs-as-refund",)),
    ("盘库", ("wh-stocktake",)),
    ("公众号", ("promo-wechat",)),
    # questions, typed as people ask them
    ("差评罚多少钱", ("cs-bad-review",)),
    ("中评罚多少", ("cs-bad-review",)),
    ("迟到几次会被批评", ("att-late",)),
    ("请病假要什么证明", ("leave-general",)),
    ("客服回复慢会罚款吗", ("cs-response",)),
    ("被买家投诉罚多少钱", ("cs-attitude",)),
    ("请假要提前几天", ("leave-notice",)),
    ("出差要提前申请吗", ("leave-notice",)),
    ("突然生病怎么请假", ("leave-emergency",)),
    ("几点上班", ("att-hours",)),
    ("忘记打卡怎么办", ("att-clock",)),
    ("全勤奖多少钱", ("att-full-attendance",)),
    ("加班怎么算", ("att-overtime",)),
    ("上班能玩手机吗", ("conduct-focus",)),
    ("上班可以听歌吗", ("conduct-focus",)),
    ("能穿拖鞋上班吗", ("conduct-dress",)),
    ("开会中途可以走吗", ("meet-discipline",)),
    ("早会几点开", ("meet-morning", "meet-schedule")),
    ("日报几点交", ("report-daily",)),
    ("计划完不成怎么办", ("report-plan",)),
    ("库房门没锁罚多少", ("wh-door-lock",)),
    ("每周哪天盘点", ("wh-stocktake",)),
    ("退款前要确认什么", ("cs-as-refund", "wh-return-refund")),
    ("谁能给顾客退款", ("cs-as-refund",)),
    ("换货运费谁出", ("cs-as-exchange",)),
    ("下班要关电脑吗", ("office-env-closing", "wh-daily-safety")),
    ("办公室能吃饭吗", ("office-env-5s",)),
    ("卫生检查怎么扣分", ("office-hygiene-scoring",)),
    ("卫生最差的部门罚多少", ("office-hygiene-rewards",)),
    ("零食能带回座位吗", ("office-hygiene-snack",)),
    ("密码能保存在电脑上吗", ("sec-account-password",)),
    ("客户资料能外传吗", ("sec-info-customer", "sec-info-secrets")),
    ("发邮件要抄送领导吗", ("infopub-email",)),
    ("电话响几声要接", ("phone-answer",)),
    ("接电话态度不好被投诉", ("phone-complaint",)),
    ("主管最多能罚多少钱", ("reward-authority",)),
    ("罚的钱交到哪里", ("reward-fund", "cs-fines")),
    ("违规几次会被开除", ("reward-repeat",)),
    ("公司支付宝能用吗", ("fin-rules",)),
    ("能用公司快递寄私人东西吗", ("fin-rules",)),
    ("新员工要培训什么", ("train-onboarding",)),
    ("提成怎么算", ("perf-pay", "cs-target")),
    ("缺货了会罚款吗", ("ops-product-stock",)),
    ("店铺被扣分怎么办", ("shop-maint-violation",)),
    ("活动上线前要做什么", ("promo-prep",)),
    ("微博每天发几条", ("promo-weibo",)),
    ("订单当天要发货吗", ("wh-dispatch",)),
    ("客服什么时候吃饭", ("cs-meal",)),
    ("交接班要注意什么", ("cs-handover",)),
    ("晚班几点下班", ("cs-hours",)),
    ("客服不在线罚多少", ("cs-roster",)),
    ("档案多久归档一次", ("archive-daily",)),
    ("考核结果分几个等级", ("perf-results",)),
    ("上班聊QQ会怎样", ("conduct-focus",)),
]


def shown_answers(page) -> list[str]:
    """Clause ids of the results a reader sees, in order.

    Each result group starts with its page's heading; the heading counts as an answer only when
    it shows the page's own text (the page itself matched). Entries folded under "在该页上还有"
    are not visible and do not count.
    """
    return page.evaluate(
        """() => [...document.querySelectorAll('.md-search-result__list a.md-search-result__link')]
            .filter(a => a.offsetParent !== null && !a.closest('details:not([open])'))
            .filter(a => a.querySelector('h2') || a.querySelector('article > :not(h1):not(.md-icon)'))
            .map(a => decodeURIComponent(new URL(a.href).hash.slice(1) || new URL(a.href).pathname))"""
    )


def ask(page, query: str) -> list[str]:
    box = page.locator("input.md-search__input")
    box.fill(query)  # no key press: the search must start on the `input` event
    meta = page.locator(".md-search-result__meta")
    expect(meta).not_to_have_text("键入以开始搜索", timeout=10_000)
    page.wait_for_function(
        """q => { const box = document.querySelector('input.md-search__input');
                  return box.value === q && document.querySelector('.md-search-result__meta').textContent
                      .match(/结果|没有找到/) }""",
        arg=query,
    )
    page.wait_for_timeout(150)  # the bundle renders the list right after the count
    return shown_answers(page)


def test_the_answer_is_in_the_first_five_results(phone, real_site_url):
    phone.goto(real_site_url)
    phone.locator("label.md-header__button[for='__search']").click()
    expect(phone.locator("input.md-search__input")).to_be_focused()
    misses = []
    for query, answers in QUESTIONS:
        shown = ask(phone, query)[:TOP]
        if not set(answers) & set(shown):
            misses.append(f"{query} → 期望 {answers}，前{TOP}条：{shown}")
        phone.locator("input.md-search__input").fill("")
    recall = 1 - len(misses) / len(QUESTIONS)
    print(f"\nsearch recall: {len(QUESTIONS) - len(misses)}/{len(QUESTIONS)} = {recall:.1%} in the top {TOP}")
    print("\n".join(misses))
    assert len(QUESTIONS) >= 40
    assert recall >= REQUIRED_RECALL, "\n".join(misses)
