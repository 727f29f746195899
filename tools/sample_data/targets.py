"""Plan targets of the 《唱好杭州、宁波“双城记”五年行动计划》 (2021-08-02), REFERENCE.md §6.

Plain dicts for :class:`hygis.project.targets.PlanTarget`. Targets are for 2025, with the plan's operator
(">30 %" is ``operator=">", target=30``). Baselines are 2020 (the year before the plan) where a 2020 figure
is known, otherwise the earliest reported year (its year is stored). ``latest`` is the most recent reported
actual the reference gives, with ``latest_year`` and ``latest_source`` (None where none was found).
"""

PRESS = "2021-08-02 provincial press conference, http://4317.com.cn/cs/2021/0803/51752.html (mirror)"
GDP_2020 = ("2020: 杭州 16,106 + 宁波 12,408.7 = 28,514.7 亿元 (2020 statistical bulletins of the two cities; "
            "general knowledge, approximate — not in REFERENCE.md)")
WENXIAOBAI = "https://blob.wenxiaobai.com/article/18227085-5c97-34b7-1f83-030a21346dc3"

TARGETS = [
    {"key": "gdp_total", "name_zh": "杭甬两市地区生产总值", "name_en": "Combined GDP of Hangzhou and Ningbo",
     "unit": "亿元", "target": 43000, "baseline": 28514.7, "baseline_year": 2020, "latest": 41700, "latest_year": 2025,
     "baseline_source": GDP_2020,
     "latest_source": ("2025 ≈ 4.17万亿+ (HZ >2.3万亿 + NB 1.87万亿), 中新网 2026-01-25 reposted at "
                       "https://sxnbgy.com/b/YoGa_74567.html (spam mirror: treat with care)"),
     "source": (f"Target 4.3万亿: {PRESS}. Actuals (HZ + NB, 亿元): {GDP_2020}; 2021 ≈ 32,704 (general knowledge, "
                "approximate); 2022 34,457 (http://e.hznews.com/hzrb/pc/content/202303/14/content_1039051.html); "
                f"2023 ≈ 36,512 (general knowledge, approximate); 2024 ≈ 40,008 ({WENXIAOBAI}; "
                "http://senqingzn.com/dy/article/JO99A8MJ0556375Z.html); 2025 ≈ 4.17万亿+ (中新网 2026-01-25, "
                "reposted at https://sxnbgy.com/b/YoGa_74567.html, spam mirror: treat with care)")},
    {"key": "new_talent", "name_zh": "新增人才资源总量", "name_en": "New talent resources", "unit": "万人",
     "target": 100, "operator": "≥", "source": f"Target ≥100万: {PRESS}; no actual found"},
    {"key": "digital_economy_share", "name_zh": "杭州数字经济核心产业增加值占GDP比重",
     "name_en": "Hangzhou digital-economy core industries, share of GDP", "unit": "%", "target": 30, "operator": ">",
     "baseline": 26.6, "baseline_year": 2020, "latest": 28.8, "latest_year": 2024,
     "baseline_source": ("2020 26.6 % (¥4,290亿; Hangzhou 2020 statistical bulletin, general knowledge, approximate "
                         "— not in REFERENCE.md)"),
     "latest_source": f"2024 28.8 % (¥6,305亿): {WENXIAOBAI}",
     "source": ("Target >30%: " + PRESS + ". 2020 26.6 % (general knowledge, approximate); 2021 27.1% "
                "(https://dinovaliano.com/news/chanye/20220401/1439131754177_4.shtml); "
                f"2024 28.8% ({WENXIAOBAI})")},
    {"key": "pct_applications", "name_zh": "杭州PCT国际专利申请量", "name_en": "Hangzhou PCT patent applications",
     "unit": "件", "target": 2500, "source": f"Target 2,500: {PRESS}; no actual found"},
    {"key": "shipping_index_rank", "name_zh": "宁波(舟山)新华·波罗的海国际航运中心发展指数排名",
     "name_en": "Ningbo rank, Xinhua–Baltic Intl Shipping Centre Development Index", "unit": "位",
     "target": 8, "operator": "≤", "layer": "四港联动", "baseline": 13, "baseline_year": 2019, "latest": 8, "latest_year": 2024,
     "higher_is_better": False,
     "baseline_source": ("2019 13th (no 2020 rank in the reference): "
                         "https://www.ndrc.gov.cn/fggz/qykf/xxjc/202108/t20210831_1295833.html"),
     "latest_source": "2024 8th: http://idyueduqi.com/nw4411/20240822/827808b151174446aa48025136a8e927.html",
     "source": ("Target 8th: " + PRESS + ". 2019 13th, 2021 10th (https://www.ndrc.gov.cn/fggz/qykf/xxjc/202108/t20210831_1295833.html); "
                "2024 8th (http://idyueduqi.com/nw4411/20240822/827808b151174446aa48025136a8e927.html)")},
    {"key": "single_champions", "name_zh": "宁波国家级制造业单项冠军企业数",
     "name_en": "Ningbo national manufacturing single-champion firms", "unit": "家", "target": 100,
     "baseline": 63, "baseline_year": 2021, "latest": 104, "latest_year": 2024,
     "baseline_source": ("~2021, after batch 6: 63 (no 2020 figure in the reference): "
                         "http://cq.crane-net.com/news/show.php?itemid=2053"),
     "latest_source": "2024 white paper: 104: http://senqingzn.com/dy/article/JO99A8MJ0556375Z.html",
     "source": ("Target 100: " + PRESS + ". ~2021 63 (http://cq.crane-net.com/news/show.php?itemid=2053); "
                "2024 104 (http://senqingzn.com/dy/article/JO99A8MJ0556375Z.html)")},
    {"key": "road_density", "name_zh": "杭绍甬等级以上公路网密度", "name_en": "Hang-Shao-Yong graded road density",
     "unit": "km/km²", "target": 1.15, "computed": "road_density", "layer": "通勤圈交通",
     "source": (f"Target 1.15 km/km²: {PRESS}; no actual found (computed by hygis from a road layer when one is "
                "loaded). 杭绍甬智慧高速 opened early 2024: https://zjnews.zjol.com.cn/zjnews/202405/t20240510_26832834.shtml")},
    {"key": "tech_contracts", "name_zh": "两市技术合同成交额", "name_en": "Technology-contract turnover between the two cities",
     "unit": "亿元", "target": 30, "source": f"Target ¥30亿: {PRESS}; no actual found"},
    {"key": "industrial_chain_output", "name_zh": "共建标志性产业链产值规模",
     "name_en": "Output of jointly built flagship industrial chains", "unit": "亿元", "target": 21000,
     "source": f"Target ¥2.1万亿: {PRESS}; no actual found"},
    {"key": "social_card_services", "name_zh": "社保卡居民服务“一卡通”应用项目数",
     "name_en": "Social-security-card 'one card' services", "unit": "项", "target": 180,
     "source": f"Target 180 items: {PRESS}; no actual found"},
    {"key": "enclave_count", "name_zh": "互设科创(产业)飞地数量", "name_en": "Mutually established sci-tech/industrial enclaves",
     "unit": "个", "target": 50, "operator": "≥", "computed": "enclave_count",
     "source": (f"Target ≥50 (杭甬两市与省内其他地区互设科创(产业)飞地数量): {PRESS}; no consolidated actual found, "
                "computed by hygis from the 飞地 layer")},
    {"key": "yrd_gdp_share", "name_zh": "杭甬都市区GDP占长三角比重", "name_en": "Hangzhou + Ningbo metro areas, share of YRD GDP",
     "unit": "%", "target": 20.8, "source": f"Target 20.8%: {PRESS}; no actual found"},
    {"key": "yrd_population_share", "name_zh": "杭甬都市区年末常住人口占长三角比重",
     "name_en": "Hangzhou + Ningbo metro areas, share of YRD population", "unit": "%", "target": 19.3,
     "source": f"Target 19.3%: {PRESS}; no actual found"},
]
