"""Relevance, measured: judged queries over the demo library, ours against a title-LIKE baseline.

Judgements were made by reading the 66 demo texts (miaobi/library/demo/texts/): for each query,
grade 3 is the text a writer looking for it wants, 2 a close second, 1 a useful related text
(same topic, other genre). Queries are what readers type: words run together or spaced, genre
words, traditional characters, years. The baseline is what simple 文库 sites do: titles that
contain the whole query, newest first.

Prints nDCG@10 and the share of queries whose first result is a best (highest-graded) text,
for both; run with `-s` (or see the captured output with -rA) to read them.
"""
import math

import pytest

from miaobi.library.demo.loader import load_demo
from miaobi.library.models import Article
from miaobi.search import services
from miaobi.search.query import parse_query

pytestmark = pytest.mark.django_db

JUDGED = {
    # 讲话稿
    "安全生产讲话": {"jianghua-01": 3, "xinde-06": 1, "zongjie-04": 1, "fangan-03": 1, "shuzhi-04": 1},
    "乡村振兴 讲话": {"jianghua-02": 3, "zhuchici-05": 1, "jihua-01": 1, "xinde-04": 1},
    "党风廉政建设警示教育讲话": {"jianghua-04": 3, "xinde-03": 2, "dangke-03": 1},
    "青年干部座谈会": {"jianghua-05": 3, "xinde-02": 1, "dangke-05": 1},
    "营商环境 讲话": {"jianghua-06": 3, "jihua-02": 1, "fangan-01": 1, "diaoyan-03": 1},
    "集团公司年度工作会议讲话": {"jianghua-03": 3, "zhuchici-02": 1},
    "黨風廉政建設講話": {"jianghua-04": 3, "xinde-03": 1, "shuzhi-02": 1},
    # 心得体会
    "主题教育心得体会": {"xinde-01": 3, "zhuchici-04": 1, "dangke-03": 1},
    "中青年干部培训班心得": {"xinde-02": 3, "jihua-05": 1},
    "廉政警示教育心得": {"xinde-03": 3, "jianghua-04": 2, "dangke-03": 1},
    "驻村工作心得": {"xinde-04": 3, "jianghua-02": 1, "shuzhi-01": 1},
    "读书月 心得体会": {"xinde-05": 3},
    "安全生产培训心得": {"xinde-06": 3, "jianghua-01": 1, "shuzhi-04": 1},
    # 工作总结、计划、方案
    "工会工作总结": {"zongjie-02": 3, "fangan-04": 1, "zhuchici-02": 1, "diaoyan-02": 1},
    "基层治理 工作总结": {"zongjie-01": 3, "huibao-01": 1, "shuzhi-05": 1},
    "医院工作总结": {"zongjie-03": 3, "shuzhi-02": 1, "diaoyan-06": 1},
    "安全生产工作总结": {"zongjie-04": 3, "jianghua-01": 1, "huibao-03": 1},
    "生态环境局工作总结": {"zongjie-05": 3, "diaoyan-05": 1},
    "妇联工作总结": {"zongjie-06": 3, "zhuchici-03": 1},
    "乡村振兴工作计划": {"jihua-01": 3, "jianghua-02": 1, "fangan-02": 1},
    "数字政府建设计划": {"jihua-03": 3, "huibao-02": 1, "fangan-01": 1},
    "教育教学工作计划": {"jihua-04": 3, "shuzhi-03": 1},
    "干部教育培训计划": {"jihua-05": 3, "xinde-02": 1},
    "优化营商环境实施方案": {"fangan-01": 3, "jihua-02": 2, "jianghua-06": 1},
    "农村人居环境整治方案": {"fangan-02": 3, "jihua-01": 1},
    "安全生产治本攻坚": {"fangan-03": 3, "jianghua-01": 1},
    "职工技能提升": {"fangan-04": 3, "zongjie-02": 1},
    "校园食品安全整治": {"fangan-05": 3, "huibao-03": 1},
    "文明城市创建方案": {"fangan-06": 3, "zhici-03": 1},
    # 调研报告、汇报
    "农村养老 调研报告": {"diaoyan-01": 3},
    "新就业形态劳动者权益": {"diaoyan-02": 3, "zongjie-02": 1},
    "中小企业营商环境调研": {"diaoyan-03": 3, "jianghua-06": 1},
    "青年人才流失": {"diaoyan-04": 3},
    "河湖治理调研": {"diaoyan-05": 3, "zongjie-05": 1},
    "基层医疗卫生 调研": {"diaoyan-06": 3, "zongjie-03": 1, "zhici-04": 1},
    "社区精细化治理汇报": {"huibao-01": 3, "zongjie-01": 1},
    "数字政务服务汇报": {"huibao-02": 3, "jihua-03": 1},
    "校园安全工作汇报": {"huibao-03": 3, "fangan-05": 1},
    "党建引领高质量发展": {"huibao-04": 3, "dangke-04": 1},
    "科技创新平台建设": {"huibao-05": 3, "zhici-02": 1, "shuzhi-06": 1},
    # 述职报告
    "乡镇党委副书记述职": {"shuzhi-01": 3},
    "医院院长述职述廉": {"shuzhi-02": 3, "zongjie-03": 1},
    "校长述职报告": {"shuzhi-03": 3},
    "安全总监 述职": {"shuzhi-04": 3},
    "社区党委书记抓党建述职": {"shuzhi-05": 3},
    "科技局长述职述廉": {"shuzhi-06": 3},
    "2025年度述职报告": {"shuzhi-01": 2, "shuzhi-02": 2, "shuzhi-03": 2, "shuzhi-04": 2, "shuzhi-05": 2, "shuzhi-06": 2},
    # 对照检查、主持词、致辞、党课
    "民主生活会对照检查材料": {"duizhao-01": 3, "zhuchici-04": 1, "duizhao-02": 1},
    "教师党员对照检查": {"duizhao-04": 3},
    "社区居委会主任 对照检查": {"duizhao-05": 3},
    "采购经理对照检查": {"duizhao-03": 3},
    "职工代表大会主持词": {"zhuchici-02": 3, "zongjie-02": 1},
    "全县工作会议主持词": {"zhuchici-01": 3},
    "三八妇女节表彰大会主持词": {"zhuchici-03": 3, "zongjie-06": 1},
    "民主生活会 主持词": {"zhuchici-04": 3, "duizhao-01": 1},
    "和美乡村现场推进会": {"zhuchici-05": 3, "jianghua-02": 1},
    "新春团拜会致辞": {"zhici-01": 3},
    "科技创新成果博览会开幕式致辞": {"zhici-02": 3, "huibao-05": 1},
    "文明创建表彰大会致辞": {"zhici-03": 3, "zhuchici-03": 1, "fangan-06": 1},
    "医院合作共建签约仪式": {"zhici-04": 3},
    "新生开学典礼致辞": {"zhici-05": 3},
    "作风建设党课": {"dangke-01": 3, "jianghua-04": 1},
    "为民服务专题党课": {"dangke-02": 3},
    "纪律教育党课": {"dangke-03": 3, "xinde-03": 1},
    "基层党组织建设 党课": {"dangke-04": 3, "shuzhi-05": 1},
    "青年党员党课": {"dangke-05": 3, "jianghua-05": 1},
}


def ndcg_at_10(ranked: list[str], grades: dict[str, int]) -> float:
    def dcg(gains):
        return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:10]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(key, 0) for key in ranked]) / ideal if ideal else 0.0


def best_first(ranked: list[str], grades: dict[str, int]) -> bool:
    return bool(ranked) and grades.get(ranked[0], 0) == max(grades.values())


def evaluate(rank) -> tuple[float, float]:
    ndcg = top1 = 0.0
    for query, judged in JUDGED.items():
        grades = {f"demo:{key}": g for key, g in judged.items()}
        ranked = rank(query)
        ndcg += ndcg_at_10(ranked, grades)
        top1 += best_first(ranked, grades)
    return ndcg / len(JUDGED), top1 / len(JUDGED)


def test_judged_queries_rank_far_better_than_title_like(catalogue):
    load_demo()
    keys = dict(Article.objects.values_list("pk", "external_key"))

    def ours(query):
        return [keys[pk] for pk in services.search(parse_query(query)).shown[:10]]

    def baseline(query):
        return list(Article.objects.published().filter(title__icontains=query).order_by("-published_at")
                    .values_list("external_key", flat=True)[:10])

    ours_ndcg, ours_top1 = evaluate(ours)
    base_ndcg, base_top1 = evaluate(baseline)
    print(f"\nrelevance over {len(JUDGED)} judged queries ({Article.objects.count()} demo texts):")
    print(f"  ours (full-text):   nDCG@10 {ours_ndcg:.3f}   best result first {ours_top1:.0%}")
    print(f"  baseline (title LIKE): nDCG@10 {base_ndcg:.3f}   best result first {base_top1:.0%}")
    assert len(JUDGED) >= 40
    assert ours_ndcg >= base_ndcg + 0.2
    assert ours_top1 >= base_top1 + 0.3
    assert ours_ndcg >= 0.8 and ours_top1 >= 0.8
