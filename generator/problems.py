"""Validation problems as sortable values, with one constructor per kind of mistake.

Every message is Chinese (policy owners read it), names the wrong value and ends
with the fix. Codes are stable ASCII identifiers that tests and tools match on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in the handbook source, positioned at a file and line."""

    path: str
    line: int
    severity: str
    code: str
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        label = "错误" if self.is_error else "提醒"
        text = f"{self.path}:{self.line}: [{label}] {self.message}"
        return f"{text}；{self.hint}" if self.hint else text


class HandbookError(Exception):
    """The handbook cannot be loaded; ``problems`` holds every problem found, sorted."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.is_error]
        super().__init__(f"{len(errors)} 个错误:\n" + "\n".join(map(str, errors)))


def _p(path, line, code, message, hint="", severity=ERROR) -> Problem:
    return Problem(str(path), int(line), severity, code, message, hint)


# --- front matter -----------------------------------------------------------


def yaml_syntax(path, line, detail, hint="") -> Problem:
    return _p(
        path,
        line,
        "yaml-syntax",
        f"文件开头的 YAML 信息区格式错误：{detail}",
        hint or "检查冒号后是否有空格、缩进是否对齐、引号是否成对",
    )


def yaml_duplicate_key(path, line, key, first_line) -> Problem:
    return _p(
        path,
        line,
        "yaml-duplicate-key",
        f"信息区里字段 {key} 写了两次（第一次在第 {first_line} 行），只有后一次会生效",
        "删除其中一行；列表有多项时写在同一行方括号里，例如 applies_to: [售前客服, 售后客服]",
    )


def frontmatter_unclosed(path, line) -> Problem:
    return _p(
        path, line, "frontmatter-unclosed", "文件开头的 --- 信息区没有结束", "在信息区最后一行之后加一行 ---"
    )


def missing_field(path, line, field, example) -> Problem:
    return _p(path, line, "missing-field", f"缺少必填字段 {field}", f"请加上一行，例如 {example}")


def wrong_type(path, line, field, value, expected, example) -> Problem:
    return _p(path, line, "wrong-type", f"字段 {field} 的值 {value!r} 应为{expected}", f"例如 {example}")


def unknown_field(path, line, field, known) -> Problem:
    return _p(
        path,
        line,
        "unknown-field",
        f"不认识的字段 {field}",
        "可用字段：" + "、".join(known) + "（检查是否拼写错误）",
    )


ID_RULE = "编号只能用小写英文字母 a–z、数字 0–9 和连字符 -，且以字母或数字开头，例如 cs-response-1"


def _id_fault(value) -> str:
    """What exactly breaks the id rule, in words an owner can act on."""
    text = str(value)
    if not text:
        return "编号是空的"
    if any(c.isupper() for c in text if c.isascii()):
        return "有大写字母"
    if any(ord(c) > 0x2E80 for c in text):
        return "有汉字或中文标点"
    if any(c.isspace() for c in text):
        return "有空格"
    if "_" in text:
        return "有下划线 _"
    if text.startswith("-"):
        return "以连字符开头"
    return "有不允许的字符"


def _id_suggestion(value) -> str | None:
    text = re.sub(r"[\s_.]+", "-", str(value).strip().lower())
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", text) and text != str(value):
        return text
    return None


def bad_id(path, line, what, value) -> Problem:
    suggestion = _id_suggestion(value)
    hint = ID_RULE + (f"；可以改成 {suggestion}" if suggestion else "")
    if any(ord(c) > 0x2E80 for c in str(value)):
        hint += "；中文名称写在标题或检查内容里，编号用英文或拼音缩写"
    return _p(path, line, "bad-id", f"{what} {value!r} 不合规：{_id_fault(value)}", hint)


def bad_date(path, line, field, value) -> Problem:
    return _p(
        path,
        line,
        "bad-date",
        f"字段 {field} 的值 {value!r} 不是有效日期",
        "请写成 年-月-日，例如 2026-01-31",
    )


def review_overdue(path, line, value, today) -> Problem:
    return _p(
        path,
        line,
        "review-overdue",
        f"复审日期 review: {value} 已过（今天是 {today}）",
        "请复审本制度后更新 review 日期和 version",
        severity=WARNING,
    )


# --- versions against the last release ---------------------------------------


def version_not_bumped(path, line, policy_id, version, release, suggested) -> Problem:
    return _p(
        path,
        line,
        "version-not-bumped",
        f"制度 {policy_id} 的内容自第 {release} 版发布后有修改，但 version 仍是 {version}",
        f'请把这一行改为 version: "{suggested}"，让看过旧版的人知道它变了',
    )


def version_lowered(path, line, policy_id, version, released, release, suggested) -> Problem:
    return _p(
        path,
        line,
        "version-lowered",
        f"制度 {policy_id} 的 version {version} 低于第 {release} 版已发布的 {released}",
        f'版本只能升高：请改为 version: "{suggested}"',
    )


# --- structure --------------------------------------------------------------


def clause_without_id(path, line, title, suggestion) -> Problem:
    return _p(
        path,
        line,
        "clause-missing-id",
        f"条款标题 {title!r} 没有固定锚点",
        f"在标题末尾加上 {{#{suggestion}}}，以后改标题也不要改这个编号",
    )


def check_outside_clause(path, line, check_id) -> Problem:
    return _p(
        path,
        line,
        "check-outside-clause",
        f"检查项 {check_id} 不在任何条款之内",
        "把检查项移到它所执行的条款（## 或 ### 标题）下面",
    )


def check_in_plain_page(path, line, check_id) -> Problem:
    return _p(
        path,
        line,
        "check-outside-policy",
        f"检查项 {check_id} 写在了没有制度信息区的页面里",
        "检查项只能写在制度文件中：在文件开头加上 --- 信息区（id、title、owner 等）",
    )


def heading_level_one(path, line, title) -> Problem:
    return _p(
        path,
        line,
        "clause-level-one",
        f"标题 {title!r} 只用了一个 #：它不算条款，下面的检查项会被算到上一个条款里",
        "条款标题用两个或三个 #，例如 ## 第三条 中差评处理 {#cs-bad-review}；制度名称已写在信息区的 title 里",
    )


def heading_without_space(path, line, text) -> Problem:
    shown = text if len(text) <= 30 else text[:30] + "…"
    return _p(
        path,
        line,
        "heading-no-space",
        f"{shown!r} 的 # 后面没有空格：它不会成为标题（条款），下面的检查项会被算到上一个条款里",
        "在 # 和标题文字之间加一个空格，例如 ## 第三条 中差评处理 {#cs-bad-review}",
    )


def check_block_indented(path, line, how) -> Problem:
    return _p(
        path,
        line,
        "check-indented",
        f"检查项的开头 /// 检查 {how}：这样它不会成为检查项，不会出现在检查清单上，"
        "页面上还会原样显示“/// 检查 | …”这几个字",
        "把整个检查项（从 /// 检查 到结束的 ///）顶格写：行首不要有空格，也不要放在编号列表、"
        "项目列表或引用（>）里；前后各空一行",
    )


def unclosed_fence(path, line, fence, checks, clauses) -> Problem:
    lost = []
    if clauses:
        lost.append(f"{clauses} 个条款")
    if checks:
        lost.append(f"{checks} 个检查项")
    what = "后面的" + "和".join(lost) + "都被当成了代码，不会生效" if lost else "后面的内容都会显示成代码"
    return _p(
        path,
        line,
        "fence-unclosed",
        f"这一行的 {fence} 开始了一个代码块，但直到文件末尾都没有结束：{what}",
        f"这一行多半是从示例里多复制来的，删除它；如果确实要展示一段代码，在代码结束处再写一行 {fence}",
    )


def fence_hides_rules(path, line, close_line, fence, checks, clauses) -> Problem:
    lost = [f"{n} 个{what}" for n, what in ((clauses, "条款"), (checks, "检查项")) if n]
    return _p(
        path,
        line,
        "fence-hides-rules",
        f"第 {line} 行和第 {close_line} 行的 {fence} 把中间的"
        + "和".join(lost)
        + "变成了代码块，它们不会生效",
        f"这两行多半是从示例里多复制来的，删除它们；如果确实要展示写法示例，把第 {line} 行写成 {fence}text",
    )


def unclosed_block(path, line, check_id) -> Problem:
    return _p(
        path, line, "check-unclosed", f"检查项 {check_id} 没有结束标记", "在检查项最后一行之后单独写一行 ///"
    )


def bad_block_header(path, line, header) -> Problem:
    return _p(
        path,
        line,
        "check-bad-header",
        f"检查项开头 {header!r} 格式不对",
        "请写成 /// 检查 | 检查项编号，例如 /// 检查 | cs-response-1"
        "（竖线 | 前后可以有空格，编号里不能有空格）",
    )


def check_no_text(path, line, check_id) -> Problem:
    return _p(
        path,
        line,
        "check-missing-text",
        f"检查项 {check_id} 没有检查内容",
        "在 /// 检查 行的下一行写一句可以核对的话，例如 客服平均响应时间不超过50秒",
    )


def check_missing_attr(path, line, check_id, attr, example) -> Problem:
    return _p(
        path, line, "check-missing-field", f"检查项 {check_id} 缺少 {attr}", f"请加上一行，例如 {example}"
    )


def check_unknown_attr(path, line, key, known) -> Problem:
    return _p(
        path, line, "check-unknown-field", f"检查项里不认识的属性 {key!r}", "可用属性：" + "、".join(known)
    )


def check_duplicate_attr(path, line, key) -> Problem:
    return _p(
        path,
        line,
        "check-duplicate-field",
        f"检查项里属性 {key} 写了两次",
        "每个属性只写一行，多个值用顿号或逗号隔开",
    )


def unknown_frequency(path, line, value, events=(), holidays=()) -> Problem:
    from .frequencies import diagnose, summary  # the registry: one list for messages and the guide

    events_text = "、".join(events) if events else "（reference.yml 中尚未登记事件）"
    holidays_text = "、".join(holidays) if holidays else "（reference.yml 中尚未登记节假日）"
    known = diagnose(value, tuple(holidays))
    return _p(
        path,
        line,
        "unknown-frequency",
        f"频率 {value!r} 无法识别" + (f"：{known[0]}" if known else ""),
        (f"{known[1]}；" if known else "")
        + f"可用：{summary()}，或 reference.yml 里登记的事件：{events_text}；"
        f"节假日：{holidays_text}；推断的频率在后面加（推断）",
    )


def holiday_bad_date(path, line, name, value) -> Problem:
    return _p(
        path,
        line,
        "holiday-bad-date",
        f"节假日 {name} 的日期 {value!r} 不是有效日期",
        "写成 年-月-日，例如 2027-02-06；几个年份的日期用顿号或逗号隔开，或每个日期一行“- 2027-02-06”",
    )


def holiday_calendar_ends(path, line, name, last, today) -> Problem:
    shown = f"最后一个日期是 {last.isoformat()}" if last else "没有日期"
    return _p(
        path,
        line,
        "holiday-calendar-ends",
        f"节假日 {name} 在今后一年里没有日期（{shown}），按它计算的“{name}前…天”检查不会再出现",
        f"在 reference.yml 的 节假日 里补上 {name} {today.year + 1} 年的日期（放假第一天）",
        severity=WARNING,
    )


def holiday_without_dates(path, line, name) -> Problem:
    return _p(
        path,
        line,
        "holiday-no-dates",
        f"节假日 {name} 没有写日期",
        "在名称下一行写 日期: 2027-01-01、2028-01-01（放假第一天，每年一个）",
    )


def bad_number(path, line, attr, value, example) -> Problem:
    return _p(path, line, "bad-number", f"{attr} {value!r} 不是一个数", f"例如 {example}")


def bad_fine(path, line, value, reason="") -> Problem:
    return _p(
        path,
        line,
        "bad-fine",
        f"罚款 {value!r} 无法识别" + (f"：{reason}" if reason else ""),
        "请写一个金额，例如 罚款: 50元，按次数计的写 罚款: 5元/处（也可以写 元/次、元/项、元/人，"
        "检查人填写次数，罚款 = 次数 × 金额）；逐次加重的用；分档并写明计次周期，例如 "
        "罚款: 50元；同月第二次100元；第三次起200元（也可写 第二次翻倍、第三次起扣当月全部工资）；"
        "金额不同的情形（如中评、差评）请拆成两个检查项",
    )


def bad_sanction(path, line, value, known) -> Problem:
    return _p(
        path,
        line,
        "bad-sanction",
        f"处分 {value!r} 无法识别",
        "可用：" + "、".join(known) + "（扣工资写 扣当月工资10%），几种并用时用顿号分开，例如 处分: 通报批评",
    )


def bad_reading(path, line, value) -> Problem:
    return _p(
        path,
        line,
        "bad-reading",
        f"读数 {value!r} 无法识别",
        "写 名称、单位和限值，例如 读数: 温度 ℃ ≤ 5、读数: 湿度 % 40–70、读数: 平均响应时间 秒 ≤ 50"
        "（可用 ≤ < ≥ > 或范围 下限–上限，下限要小于上限）",
    )


def bad_rectify(path, line, value) -> Problem:
    return _p(
        path,
        line,
        "bad-rectify",
        f"整改期限 {value!r} 无法识别",
        "写发现问题后几天内要整改好，例如 整改期限: 当天、整改期限: 次日、整改期限: 3天（最多 90 天）",
    )


def bad_photo(path, line, value) -> Problem:
    return _p(
        path,
        line,
        "bad-photo",
        f"照片 {value!r} 无法识别",
        "写什么时候必须拍照：照片: 必须（合格、不合格都要拍）或 照片: 不合格时（不合格才要拍）；"
        "不要求拍照就删掉这一行",
    )


def _not_in_reference(path, line, code, what, group, value, known) -> Problem:
    return _p(
        path,
        line,
        code,
        f"{what} {value!r} 不在 reference.yml 的{group}列表中",
        "可用：" + "、".join(sorted(known)) + f"；新{what}请先加到 handbook/reference.yml",
    )


def unknown_role(path, line, value, known) -> Problem:
    return _not_in_reference(path, line, "unknown-role", "岗位", "角色", value, known)


def unknown_area(path, line, value, known) -> Problem:
    return _not_in_reference(path, line, "unknown-area", "区域", "区域", value, known)


def duplicate_id(path, line, what, value, other, why="") -> Problem:
    """``path:line`` is the newer use of ``value`` (when ``why`` says how that is known)."""
    known = f"（{why}），这一处是新写的" if why else ""
    return _p(
        path,
        line,
        "duplicate-id",
        f"{what} {value!r} 重复：{other} 已经用了这个编号{known}",
        "编号在整个手册中必须唯一：请给这一处换一个编号；已发布的编号不要改动",
    )


def broken_link(path, line, target, reason) -> Problem:
    return _p(
        path,
        line,
        "broken-link",
        f"链接 {target!r} 无效：{reason}",
        "请检查文件路径和 # 后面的条款编号（条款编号见标题末尾的 {#…}）",
    )


# --- reference data ---------------------------------------------------------


def reference_missing(path) -> Problem:
    return _p(
        path,
        1,
        "reference-missing",
        "找不到参考数据文件 reference.yml",
        "在 handbook/ 下建立 reference.yml，登记角色、部门、区域和事件",
    )


def reference_invalid(path, line, detail, hint) -> Problem:
    return _p(path, line, "reference-invalid", f"参考数据有误：{detail}", hint)


def reference_yaml(path, line, detail, hint) -> Problem:
    return _p(
        path,
        line,
        "reference-yaml",
        f"reference.yml 格式错误：{detail}",
        hint + "；reference.yml 改好之前，不检查制度里的岗位、区域和事件",
    )


def reference_structure(path, line, detail, hint) -> Problem:
    return _p(
        path,
        line,
        "reference-structure",
        f"reference.yml 格式错误：{detail}",
        hint + "；reference.yml 改好之前，不检查制度里的岗位、区域和事件",
    )


def reference_duplicate(path, line, group, name, first_line) -> Problem:
    return _p(
        path,
        line,
        "reference-duplicate",
        f"{group} {name!r} 在 reference.yml 里登记了两次（第一次在第 {first_line} 行）",
        "删除重复的一项；同一名称只登记一次",
    )


def reference_unknown_area(path, line, department, area, known) -> Problem:
    return _p(
        path,
        line,
        "reference-unknown-area",
        f"部门 {department} 的区域 {area!r} 不在 reference.yml 的区域列表中",
        "可用：" + "、".join(known) + "；新的区域请先登记在 区域: 下",
    )


def role_inherits_many(path, line, role, department, count, threshold, areas) -> Problem:
    where = "、".join(f"{area} {n} 项" for area, n in areas)
    fix = (
        f"在 reference.yml 的部门 {department} 下写 区域: [...]，只列这个部门工作的地方"
        if department
        else "先给这个岗位写 部门:，再在那个部门下写 区域: [...]，只列它工作的地方"
    )
    return _p(
        path,
        line,
        "role-inherits-many",
        f"新岗位 {role} 通过“全体员工”会得到 {count} 个检查项（超过 {threshold} 个；{where}）",
        fix + "：全体员工的检查项写了区域的，只给有这个区域的部门；也可以在检查项的 对象 里写具体岗位",
        severity=WARNING,
    )


def reference_unknown_department(path, line, role, department, known) -> Problem:
    return _p(
        path,
        line,
        "reference-unknown-department",
        f"岗位 {role} 所属的部门 {department!r} 不在 reference.yml 的部门列表中",
        "可用：" + "、".join(known) + f"；改成已登记的部门，或先在“部门:”下登记 - 名称: {department}",
    )


def reference_unknown_head(path, line, department, head, known) -> Problem:
    return _p(
        path,
        line,
        "reference-unknown-head",
        f"部门 {department} 的负责人 {head!r} 不在 reference.yml 的岗位列表中",
        "负责人写岗位名称（不是人名），可用：" + "、".join(known) + f"；或先在“角色:”下登记 - 名称: {head}",
    )


# --- scoring and penalties --------------------------------------------------


def bad_scoring(path, line, detail, hint) -> Problem:
    return _p(path, line, "bad-scoring", f"评分规则 scoring 有误：{detail}", hint)


def bad_penalties(path, line, detail, hint) -> Problem:
    return _p(path, line, "bad-penalties", f"处罚规则 penalties 有误：{detail}", hint)


def duplicate_penalties(path, line, first) -> Problem:
    return _p(
        path,
        line,
        "duplicate-penalties",
        f"处罚规则 penalties 已在 {first} 写过",
        "全手册只在奖惩制度中写一次 penalties，删除这里的一份",
    )


def bad_deduction(path, line, value) -> Problem:
    return _p(
        path,
        line,
        "bad-deduction",
        f"扣分 {value!r} 写不出每次扣几分",
        "写成 扣分: 2（每处扣2分），或 扣分: 按人数档（按 scoring 的 size_bands 扣分）",
    )


def band_without_bands(path, line, check_id) -> Problem:
    return _p(
        path,
        line,
        "deduction-without-bands",
        f"检查项 {check_id} 写了“扣分: 按人数档”，但本制度的 scoring 没有 size_bands（人数档）",
        "在信息区的 scoring 下加 size_bands，或把扣分改成具体分数，例如 扣分: 2",
    )


def points_without_scoring(path, line, check_id) -> Problem:
    return _p(
        path,
        line,
        "points-without-scoring",
        f"检查项 {check_id} 写了分值或扣分，但本制度信息区没有 scoring，检查表不会计算本制度的得分",
        "要计分就在信息区加 scoring（至少 full_marks: 100）；只作说明可以忽略本提醒",
        severity=WARNING,
    )


def points_total_mismatch(path, line, full_marks, total, count) -> Problem:
    full, tot = f"{full_marks:g}", f"{total:g}"
    effect = (
        f"全部不合格也只扣 {tot} 分，得分不会低于 {full_marks - total:g} 分"
        if total < full_marks
        else "扣分超过满分的部分不计（得分最低 0 分）"
    )
    return _p(
        path,
        line,
        "points-total-mismatch",
        f"满分 full_marks: {full}，但本制度 {count} 个计分检查项的分值加起来是 {tot}：{effect}",
        f"把 full_marks 改成 {tot}，或调整各检查项的分值，让它们加起来等于满分",
        severity=WARNING,
    )


def missing_headcount(path, line, department, policy_id) -> Problem:
    return _p(
        path,
        line,
        "missing-headcount",
        f"部门 {department} 没有登记人数，制度 {policy_id} 按人数档扣分时无法确定它属于哪一档",
        f"在 reference.yml 的部门 {department} 下加一行 人数: 12（填实际人数）",
    )


# --- the file itself ----------------------------------------------------------
# A file that cannot be read as UTF-8 text; the loader reports it and loads every other file.


def not_utf8(path, line, byte, guess=None) -> Problem:
    looks = f"，看起来是 {guess} 编码" if guess else ""
    return _p(
        path,
        line,
        "not-utf8",
        f"文件不是 UTF-8 编码（第一个无法识别的字节 0x{byte:02X} 在这一行{looks}）",
        "请用 UTF-8 另存为：记事本选“另存为”，编码选“UTF-8”；WPS 选“另存为”→“纯文本”→“UTF-8”；"
        "VS Code 点右下角的编码，选“通过编码保存”→ UTF-8",
    )


def truncated_file(path, line) -> Problem:
    return _p(
        path,
        line,
        "truncated-file",
        "文件在最后一个字符的中间断开了（只存下了半个字），文件可能没有保存完整，或复制、同步时中断",
        "在编辑器里打开本文件，检查最后几行是否完整，补全后重新保存为 UTF-8；必要时从备份或版本记录中恢复",
    )


# What each invisible character usually is, so the owner knows where it came from.
_CHARACTER_ORIGINS = {
    0x00: "空字符，通常是文件已损坏，或把 UTF-16 文件当作了普通文本",
    0x0B: "Word 的手动换行符 Shift+Enter，从 Word 复制文字时会一起带过来",
    0x0C: "Word 的分页符 Ctrl+Enter，从 Word 复制文字时会一起带过来",
    0x7F: "删除符，通常是从其他软件复制粘贴带来的",
    0x2028: "Unicode 行分隔符，从网页或 PDF 复制文字时会带过来",
    0x2029: "Unicode 段分隔符，从网页或 PDF 复制文字时会带过来",
}
_WORD_BREAKS = frozenset((0x0B, 0x0C))


def _character_origin(code: int) -> str:
    if code in _CHARACTER_ORIGINS:
        return _CHARACTER_ORIGINS[code]
    if 0x80 <= code <= 0x9F:
        return "C1 控制字符，通常是编码转换出错，例如把 Windows 的弯引号转错了"
    if 0xD800 <= code <= 0xDFFF or code >= 0xFDD0:  # surrogates and noncharacters
        return "非字符，通常是文件损坏或编码转换出错"
    return "看不见的控制字符，通常是从其他软件复制粘贴带来的"


def forbidden_character(path, line, chars, more_lines=0) -> Problem:
    codes = sorted({ord(c) for c in chars})
    named = "；".join(f"U+{code:04X}（{_character_origin(code)}）" for code in codes)
    more = f"（本文件还有 {more_lines} 行有同样的问题）" if more_lines else ""
    hint = "删除它：在编辑器里打开“显示不可见字符”找到后删除，或把这一行重新输入一遍"
    if _WORD_BREAKS & set(codes):
        hint += (
            "；需要换行就直接按回车。以后从 Word 复制前，"
            "可先用“查找和替换”把 ^l（手动换行符）替换成 ^p（段落标记）"
        )
    return _p(path, line, "control-character", f"这一行有看不见的控制字符 {named}{more}", hint)


def file_unreadable(path, reason) -> Problem:
    return _p(
        path,
        1,
        "file-unreadable",
        f"无法读取文件：{reason}",
        "检查文件是否正被其他程序占用、文件权限是否正确，然后重试",
    )


def parse_failed(path, detail) -> Problem:
    return _p(
        path,
        1,
        "parse-failed",
        f"读取本文件时程序出错：{detail}",
        "其他文件不受影响；请检查本文件最近的修改，找不到原因时把本文件和这条提示发给技术同事",
    )


# --- HTML that could run script or load content ------------------------------
# The handbook is served from the app's own origin: nothing in a policy may run code there.

_FIX_HTML = "请删除这段 HTML；需要强调请用 Markdown 的 **加粗** 或 !!! 提示框"
_TAG_REASONS = {
    "script": "手册不允许运行脚本",
    "noscript": "手册不允许运行脚本",
    "style": "手册不允许改写页面样式或加载外部内容",
    "link": "手册不允许改写页面样式或加载外部内容",
    "iframe": "手册不允许嵌入其他网页或插件",
    "frame": "手册不允许嵌入其他网页或插件",
    "frameset": "手册不允许嵌入其他网页或插件",
    "object": "手册不允许嵌入其他网页或插件",
    "embed": "手册不允许嵌入其他网页或插件",
    "applet": "手册不允许嵌入其他网页或插件",
    "portal": "手册不允许嵌入其他网页或插件",
    "form": "手册不允许放表单或输入框",
    "input": "手册不允许放表单或输入框",
    "button": "手册不允许放表单或输入框",
    "select": "手册不允许放表单或输入框",
    "textarea": "手册不允许放表单或输入框",
    "meta": "它会改变页面的跳转或地址",
    "base": "它会改变页面上所有链接的地址",
    "svg": "内嵌的图形里可以藏脚本",
    "math": "内嵌的公式里可以藏脚本",
    "template": "手册不允许运行脚本",
}


def html_tag(path, line, tag, allowed) -> Problem:
    reason = _TAG_REASONS.get(
        tag, "手册只允许少数排版用的 HTML 标签：" + "、".join(f"<{t}>" for t in allowed)
    )
    return _p(path, line, "html-tag", f"制度正文里不能写 <{tag}>：{reason}", _FIX_HTML)


def html_event_handler(path, line, attribute) -> Problem:
    return _p(
        path,
        line,
        "html-event-handler",
        f"制度正文里不能写 {attribute}=…：以 on 开头的属性是事件处理程序，会运行脚本",
        f"删除 {attribute}=… 这一段（写在 HTML 标签里或 {{: …}} 属性里的都算）；" + _FIX_HTML,
    )


def html_attribute(path, line, attribute, allowed) -> Problem:
    return _p(
        path,
        line,
        "html-attribute",
        f"制度正文里的 HTML 不能带属性 {attribute}：它能改写页面或加载外部内容",
        "可用的属性只有 " + "、".join(allowed) + "；要改颜色、字号请改用 Markdown 的 **加粗** 或 !!! 提示框",
    )


def unsafe_url(path, line, url, scheme, allowed) -> Problem:
    shown = url if len(url) <= 40 else url[:40] + "…"
    return _p(
        path,
        line,
        "unsafe-url",
        f"链接地址 {shown!r} 以 {scheme}: 开头，点开会运行脚本或打开藏在链接里的网页",
        "链接只能指向手册里的页面，或以 "
        + "、".join(f"{s}:" for s in allowed)
        + " 开头的地址；请改成正常的网址或删除这个链接",
    )


def remote_image(path, line, url) -> Problem:
    shown = url if len(url) <= 40 else url[:40] + "…"
    return _p(
        path,
        line,
        "remote-image",
        f"图片地址 {shown!r} 在其他网站上：手册不从其他网站加载内容（仓库里断网的手机也要能看）",
        "把图片存到 handbook/ 文件夹里（例如 handbook/assets/），再用相对路径引用，"
        "例如 ![示意图](../assets/示意图.png)",
    )


# --- the search synonym list (handbook/synonyms.txt) ---------------------------

_SYNONYM_EXAMPLE = "例如 罚款：扣钱、罚钱"


def synonym_no_colon(path, line, text) -> Problem:
    shown = text if len(text) <= 30 else text[:30] + "…"
    return _p(
        path,
        line,
        "synonym-no-colon",
        f"同义词表这一行没有冒号，分不出手册里的词和常说的词：{shown!r}",
        f"写成“手册里的词：常说的词、另一个说法”，{_SYNONYM_EXAMPLE}；说明文字请以 # 开头",
    )


def synonym_no_term(path, line, text) -> Problem:
    return _p(
        path,
        line,
        "synonym-no-term",
        f"同义词表这一行冒号前面是空的：{text!r}",
        f"在冒号前写上手册里用的词，{_SYNONYM_EXAMPLE}",
    )


def synonym_no_words(path, line, term) -> Problem:
    return _p(
        path,
        line,
        "synonym-no-words",
        f"同义词表里“{term}”后面没有写任何常说的词",
        f"在冒号后写上大家会输入的说法，用顿号分开，{_SYNONYM_EXAMPLE}；或删除这一行",
    )


def synonym_bad_character(path, line, word) -> Problem:
    return _p(
        path,
        line,
        "synonym-bad-character",
        f"同义词表里的 {word!r} 含有符号（< > & 引号 括号 * | 等），搜索词只能是文字和数字",
        "删掉这些符号；一个说法里有冒号时请只留一个冒号，放在手册里的词后面",
    )


def synonym_too_long(path, line, word, limit) -> Problem:
    return _p(
        path,
        line,
        "synonym-too-long",
        f"同义词表里的 {word!r} 有 {len(word)} 个字，像一句话而不是一个搜索词",
        f"只写大家会输入的词或短语（{limit} 个字以内），例如“罚多少钱”而不是整句问题",
    )


def synonym_same_as_term(path, line, term) -> Problem:
    return _p(
        path,
        line,
        "synonym-same-as-term",
        f"同义词表里“{term}”又写在了自己的说法里，这个说法不起作用",
        f"从冒号后面删掉“{term}”",
        severity=WARNING,
    )


def synonym_term_unused(path, line, term) -> Problem:
    return _p(
        path,
        line,
        "synonym-term-unused",
        f"手册里没有出现“{term}”这个词，这一行的说法搜不到任何条款",
        "把冒号前的词改成条款里真实的写法（可以先在网站上搜一下），或删除这一行",
        severity=WARNING,
    )


def synonym_term_inside_word(path, line, term, word) -> Problem:
    return _p(
        path,
        line,
        "synonym-term-inside-word",
        f"手册里的“{term}”只出现在“{word}”这样更长的词里，这一行的说法会找到讲“{word}”的条款",
        f"确认这是想要的意思；不是的话删除这一行，或把冒号前改成“{word}”",
        severity=WARNING,
    )
