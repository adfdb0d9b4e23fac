"""The studio's standard genres (文种) and topics (主题), created by migrations-free setup and the demo."""

GENRES = [
    ("讲话稿", "jianghua", "领导讲话、会议讲话、动员讲话"),
    ("心得体会", "xinde", "学习、培训、教育活动的心得体会"),
    ("工作总结", "zongjie", "年度、半年、专项工作总结"),
    ("工作计划", "jihua", "年度工作计划与工作要点"),
    ("调研报告", "diaoyan", "专题调研与情况调查报告"),
    ("述职报告", "shuzhi", "个人述职、述职述廉报告"),
    ("主持词", "zhuchici", "会议、仪式、活动主持词"),
    ("致辞", "zhici", "开幕、表彰、节日致辞"),
    ("汇报材料", "huibao", "工作情况汇报、经验交流材料"),
    ("实施方案", "fangan", "专项行动与工作实施方案"),
    ("党课讲稿", "dangke", "专题党课讲稿"),
    ("对照检查材料", "duizhao", "民主生活会、组织生活会对照检查材料"),
]

TAGS = [
    ("主题教育", "zhuti-jiaoyu"), ("工会", "gonghui"), ("乡村振兴", "xiangcun-zhenxing"),
    ("党风廉政", "dangfeng-lianzheng"), ("安全生产", "anquan-shengchan"), ("基层治理", "jiceng-zhili"),
    ("营商环境", "yingshang-huanjing"), ("生态环保", "shengtai-huanbao"), ("青年工作", "qingnian"),
    ("作风建设", "zuofeng-jianshe"), ("干部培训", "ganbu-peixun"), ("数字政府", "shuzi-zhengfu"),
    ("民生保障", "minsheng-baozhang"), ("组织建设", "zuzhi-jianshe"), ("科技创新", "keji-chuangxin"),
    ("文明创建", "wenming-chuangjian"), ("妇女儿童", "funv-ertong"), ("教育工作", "jiaoyu"),
    ("医疗卫生", "yiliao-weisheng"), ("企业管理", "qiye-guanli"),
]
