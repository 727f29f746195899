"""The three map scenarios of the sample project: 现状 2020, 规划 2025, 愿景 2035.

Plain dicts for :meth:`hygis.project.scenarios.Scenario.from_dict`; ``layers`` is keyed by the
sample project's fixed layer ids (see ``LAYER_IDS`` in tools/build_sample_project.py).
"""

#: Hangzhou–Ningbo bay area, from ZAFU (Lin'an) in the west to Meishan island in the east.
BAY_EXTENT = (119.60, 29.55, 122.10, 30.60)
#: All of Zhejiang (the 山海协作 parks in Lishui and Quzhou included).
PROVINCE_EXTENT = (118.00, 27.00, 123.00, 31.20)

#: 愿景 2035 shows enclaves by status (operating / planned).
ENCLAVE_BY_STATUS = {"mode": "categorized", "field": "status", "marker": "circle", "size": 10.0,
                     "stroke": "#ffffff", "categories": {"operating": "#d7301f", "planned": "#fdae61"},
                     "label_field": "name"}



def flagships(year: int | None, existing_only: bool = False) -> dict:
    """Layer states of the flagship-project layers for a scenario year.

    现状 (``existing_only``) shows what was in operation by ``year``; 规划 shows what existed or was
    planned by ``year`` (projects without a year are the plan's own, so they show); 愿景 (None) shows all.
    """
    if year is None:  # 愿景: everything, and the enclave flows between city pairs (互设)
        return {**{lid: {"visible": True, "filter": ""} for lid in ("newarea", "canal", "transport", "hub", "platform")},
                "flow": {"visible": True, "filter": ""}}
    dated = f"year is None or year <= {year}"
    built = f"status == 'operating' and (year is None or year <= {year})"
    return {
        "newarea": {"visible": True, "filter": f"year <= {year}"},
        "canal": {"visible": True, "filter": ""},
        "transport": {"visible": True, "filter": built if existing_only else dated},
        "hub": {"visible": True, "filter": built if existing_only else dated},
        "platform": {"visible": True, "filter": f"year <= {year}"},
        "flow": {"visible": False, "filter": ""},
    }


SCENARIOS = [
    {
        "name": "现状 2020", "year": 2020, "title": "杭甬“双城记”现状（2020年）",
        "subtitle": "行动计划出台前的基础格局：科创走廊、自贸片区与已运营飞地",
        "extent": BAY_EXTENT,
        "layers": {
            "corridor": {"visible": True, "filter": "plan_year <= 2020 and (superseded is None or superseded > 2020)"},
            "ftz": {"visible": True, "filter": ""},
            "coastline": {"visible": True, "filter": "year <= 2020"},
            "heritage": {"visible": True, "filter": ""},
            "enclave": {"visible": True, "filter": "year_opened <= 2020 and status == 'operating'"},
            **flagships(2020, existing_only=True),
        },
        "indicators": [{"type": "enclave_target"},
                       {"type": "coverage", "target": "自贸片区", "zones": "basemap:city"},
                       {"type": "coverage", "target": "科创走廊", "zones": "basemap:district"}],
        "notes": ("2020年是“十三五”收官之年。城西科创大走廊按2016年规划范围约224平方公里建设，"
                  "甬江科创大走廊空间规划于2020年11月发布，核心区约136平方公里。"
                  "2020年9月，浙江自贸试验区扩区，新设杭州片区（37.51平方公里）和宁波片区（46平方公里）。"
                  "此时已运营的飞地以衢州海创园（2012年，全省首个科创飞地）和山海协作产业园为代表，约十个。"
                  "《浙江省生态海岸带建设方案》于2020年7月印发，杭州湾南岸各先行段尚未启动。"),
    },
    {
        "name": "规划 2025", "year": 2025, "title": "杭甬“双城记”规划目标（2025年）",
        "subtitle": "五年行动计划：互设飞地50个以上，两市地区生产总值4.3万亿元",
        "extent": BAY_EXTENT,
        "layers": {
            "corridor": {"visible": True, "filter": "plan_year <= 2025 and superseded is None"},
            "ftz": {"visible": True, "filter": ""},
            "coastline": {"visible": True, "filter": "year <= 2025"},
            "heritage": {"visible": True, "filter": ""},
            "enclave": {"visible": True, "filter": "year_opened <= 2025"},
            **flagships(2025),
        },
        "indicators": [{"type": "enclave_target"},
                       {"type": "coverage", "target": "自贸片区", "zones": "basemap:city"},
                       {"type": "coverage", "target": "科创走廊", "zones": "basemap:district"}],
        "notes": ("2021年8月2日发布《唱好杭州、宁波“双城记”五年行动计划》，构建“1+3”目标体系，实施八大专项行动和十大标志性工程。"
                  "城西科创大走廊“十四五”核心区扩至约398平方公里，自浙大玉泉校区至浙江农林大学。"
                  "目标：杭甬两市与省内其他地区互设科创（产业）飞地50个以上；图中飞地按设立年份筛选（含规划中的示意项目）。"
                  "生态海岸带钱塘新区、前湾新区先行段推进建设。"
                  "2025年两市地区生产总值约4.17万亿元，4.3万亿元目标尚有差距（来源见目标表）。"),
    },
    {
        "name": "愿景 2035", "year": 2035, "title": "杭甬“双城记”愿景（2035年）",
        "subtitle": "双城经济圈与山海协作：全部飞地、走廊与海岸带",
        "extent": PROVINCE_EXTENT,
        "layers": {
            "corridor": {"visible": True, "filter": "superseded is None"},
            "ftz": {"visible": True, "filter": ""},
            "coastline": {"visible": True, "filter": ""},
            "heritage": {"visible": True, "filter": ""},
            "enclave": {"visible": True, "filter": "", "style": ENCLAVE_BY_STATUS},
            **flagships(None),
        },
        "indicators": [{"type": "enclave_target"},
                       {"type": "coverage", "target": "自贸片区", "zones": "basemap:city"},
                       {"type": "coverage", "target": "科创走廊", "zones": "basemap:district"}],
        "notes": ("展望2035年，杭甬双城经济圈全面形成，杭绍甬一体化深入推进。"
                  "飞地按状态着色：红色为已运营，橙色为规划中（规划项目均为示意）。"
                  "山海协作产业园连接丽水、衢州等山区县与杭甬两市；浙东运河文化带串联西兴至甬江口的世界遗产点；"
                  "杭州湾南岸生态海岸带各段全线贯通（部分段落为示意）。"),
    },
]
