"""Many short, distinct 汇报-style texts for batch tests. Written for these tests; every one differs."""
from __future__ import annotations

TOWNS = ["青石镇", "柳林乡", "东坪街道", "河口镇", "梨园乡", "南岗街道", "双桥镇", "白沙乡", "枫林街道", "清溪镇"]
TOPICS = ["农村道路养护", "社区养老服务", "人居环境整治", "校园周边安全", "小微企业帮扶", "防汛备汛"]
SENTENCES = [
    "今年以来，{town}把{topic}列入年度重点任务，成立了由主要负责同志牵头的工作专班。",
    "截至{month}月底，累计投入资金{money}万元，完成年度计划的{pct}%。",
    "我们坚持问题导向，先后{n}次深入村组和企业走访，梳理出群众反映集中的问题{m}条。",
    "针对人员力量不足的短板，从机关抽调{n}名年轻干部下沉一线，实行包片负责。",
    "在推进过程中，注重把{topic}与基层治理结合起来，做到一体谋划、一体推进。",
    "一是健全制度机制。制定了工作方案和考核细则，明确时间表和责任人。",
    "二是强化督促检查。每月召开一次调度会，对进度滞后的单位进行通报提醒。",
    "三是加强宣传引导。通过村广播、微信群和入户走访，提高群众的知晓率和参与度。",
    "工作中也存在一些问题：资金筹措渠道单一，部分项目前期准备不够充分。",
    "少数干部主动作为不够，工作标准有待进一步提高，群众满意度还有提升空间。",
    "下一步，我们将紧盯年度目标，倒排工期、挂图作战，确保{month}月前完成全部任务。",
    "同时积极争取上级政策和资金支持，引导社会力量参与，拓宽投入渠道。",
    "还要建立长效管护机制，防止重建设、轻管理，让群众长期受益。",
    "实践表明，只有把群众的事当成自己的事，{topic}才能真正落地见效。",
]


def report(i: int) -> tuple[str, str]:
    """(title, body) of the i-th text: its own town, topic, figures and choice of sentences."""
    town, topic = TOWNS[i % len(TOWNS)], TOPICS[(i // len(TOWNS)) % len(TOPICS)]
    values = {"town": town, "topic": topic, "month": 3 + i % 9, "money": 120 + 37 * i, "pct": 40 + i % 55,
              "n": 5 + i % 17, "m": 11 + i % 23}
    picked = [SENTENCES[(i + 3 * k) % len(SENTENCES)] for k in range(6)]
    body = "\n".join([f"{town}{topic}工作情况汇报（第{i + 1}期）"] + [s.format(**values) for s in picked])
    return f"关于{town}{topic}工作情况的汇报（{i + 1}）", body
