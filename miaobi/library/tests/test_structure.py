import pytest

from miaobi.library.structure import parse_structure


def headings(body):
    outline = parse_structure(body)
    return [(b.level, body[b.start:b.title_end]) for b in outline.blocks if b.kind == "heading"]


@pytest.mark.parametrize("line, level", [
    ("一、强化理论武装", 1), ("十二、其他事项", 1), ("二.加强队伍建设", 1), ("三．做好宣传", 1),
    ("第一部分 基本情况", 1), ("第二章 总则", 1),
    ("（一）加强组织领导", 2), ("(二)压实工作责任", 2), ("（ 三 ）强化督查", 2),
    ("1.抓好渠道改造", 3), ("2．抓好塘坝清淤", 3), ("3、做好验收", 3), ("１．全角数字", 3), ("10.第十项", 3),
    ("（1）清淤土方就近利用", 4), ("(2)完成一座验收一座", 4), ("（１）全角括号数字", 4),
    ("①第一项内容", 5),
])
def test_every_heading_pattern_is_recognised(line, level):
    assert headings(f"开头一段话。\n{line}\n正文一段。") == [(level, line)]


@pytest.mark.parametrize("line", [
    "1.5亿元资金已经到位。", "2025年全县粮食产量再创新高。", "一是加强领导，二是压实责任。",
    "一二三四五都是数字。", "（注：本文数据截至年底）", "3.14是圆周率的近似值。",
])
def test_ordinary_paragraphs_are_not_headings(line):
    assert headings(f"开头。\n{line}\n结尾。") == []


def test_run_in_heading_ends_at_its_first_full_stop():
    body = "（一）加强组织领导。各单位要成立工作专班，主要负责同志亲自抓，分管同志具体抓，确保各项任务有人管、有人抓、有人落实，形成齐抓共管的工作格局。"
    outline = parse_structure(body)
    block = outline.blocks[0]
    assert block.kind == "heading" and block.is_run_in
    assert body[block.start:block.title_end] == "（一）加强组织领导。"


def test_salutation_only_at_the_start():
    outline = parse_structure("同志们：\n今天我们开会。\n各位：\n再说一句。")
    kinds = [b.kind for b in outline.blocks]
    assert kinds == ["salutation", "paragraph", "paragraph", "paragraph"]


def test_offsets_are_verbatim_with_indentation_crlf_and_blank_lines():
    body = "\r\n  各位领导、同志们：\r\n\r\n\u3000\u3000今天的会议很重要。\r\n一、总体要求 \r\n  正文。"
    outline = parse_structure(body)
    texts = [body[b.start:b.end] for b in outline.blocks]
    assert texts == ["各位领导、同志们：", "今天的会议很重要。", "一、总体要求", "正文。"]
    assert [b.kind for b in outline.blocks] == ["salutation", "paragraph", "heading", "paragraph"]


def test_sections_group_blocks_under_level_one_headings():
    from miaobi.conftest import SPEECH

    outline = parse_structure(SPEECH)
    sections = outline.sections()
    assert sections[0].heading is None and len(sections[0].blocks) == 1
    assert [SPEECH[s.heading.start:s.heading.end][:2] for s in sections[1:]] == ["一、", "二、", "三、"]
    assert [len(s.blocks) for s in sections[1:]] == [3, 5, 2]


def test_empty_and_whitespace_bodies_parse():
    assert parse_structure("").blocks == []
    assert parse_structure(" \n\u3000\n").blocks == []
