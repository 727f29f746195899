"""交通线路 (transport): the 杭绍甬 1-hour commuting circle, the 杭绍甬智慧高速 and the 浙东运河.

Flagship projects of the plan (十大标志性工程: 杭绍甬一小时通勤圈; 浙东运河文化带). Lines run through
approximate station / node positions (general knowledge), so alignments are approximate; ``length_km`` is
measured on the drawing (a published length, where one exists, is in ``published_length_km``).
Extra fields: ``published_length_km``, ``heritage_level`` (the canal), ``illustrative``.
"""

from sample_data import APPROX

XIAOYONG_163 = "https://www.163.com/dy/article/K9R74HEA05448ZCM.html"
XIAOYONG_2023 = "http://www.dingqianjf.com/news/show/486/1555789_0.html (mirror)"
KEQIAO = "https://www.6g9.cn/bkkp/dde1cAz5XUlZRDw.html (secondary)"
CIXI = "http://www.admirer.cn/dy/article/KH3EHHFD05448ZCM.html (mirror of a 网易 article, treat with care)"
SMART_HW = "https://zjnews.zjol.com.cn/zjnews/202405/t20240510_26832834.shtml; http://av069.com/news/guonei/2024-04-05/1450372.html (mirror of 新华社 2024-04-05)"
CANAL = "https://en.wikipedia.org/wiki/Eastern_Zhejiang_Canal; http://www.ningbo-china.com/news/city-news/3088.html"

# Stations / nodes (general knowledge, approximate)
HANGZHOU_SOUTH = (120.288, 30.170)  # 杭州南站 (萧山)
SHAOXING_STN = (120.573, 30.012)
NINGBO_STN = (121.536, 29.862)
XIAOSHAN_AIRPORT = (120.434, 30.236)

TRANSPORT = [
    {"name": "萧甬铁路(杭绍甬城际列车)", "name_en": "Xiaoshan–Ningbo Railway (Hangzhou–Shaoxing–Ningbo intercity trains)",
     "mode": "railway", "status": "operating", "year": 1959, "published_length_km": 147.0,
     "shape": {"type": "line", "path": [HANGZHOU_SOUTH, (120.400, 30.120), (120.490, 30.078), SHAOXING_STN,
                                         (120.740, 30.020), (120.870, 30.030), (121.000, 30.045), (121.160, 30.045),
                                         (121.330, 29.985), (121.470, 29.950), (121.555, 29.940), NINGBO_STN]},
     "source": (f"萧甬段 rebuilt 1953–1959, through-running 宁波—杭州南 city trains on it since 2023-08-01, 147 km, "
                f"7 stations: {XIAOYONG_163}; {XIAOYONG_2023}. Line through the stations 杭州南—柯桥—绍兴—上虞—余姚—"
                f"庄桥—宁波 ({APPROX}); alignment approximate")},
    {"name": "杭州至柯桥城际(杭绍城际)", "name_en": "Hangzhou–Keqiao intercity (Shaoxing Metro Line 1, Keqiao section)",
     "mode": "intercity", "status": "operating", "year": 2021, "published_length_km": 20.3,
     "shape": {"type": "line", "path": [(120.290, 30.168), (120.370, 30.158), (120.430, 30.110), (120.490, 30.090)]},
     "source": (f"20.3 km, 10 stations, 姑娘桥 (萧山, interchange with Hangzhou Line 5) — 中国轻纺城 (柯桥), opened "
                f"2021-06: {KEQIAO}. Line through the ends and 衙前/钱清 ({APPROX}); alignment approximate")},
    {"name": "江南水乡线绍兴—萧山机场段(示意)", "name_en": "Jiangnan Water-Town Line, Shaoxing – Xiaoshan Airport (illustrative)",
     "mode": "intercity", "status": "planned", "year": None, "published_length_km": None, "illustrative": True,
     "shape": {"type": "line", "path": [(120.590, 30.080), (120.520, 30.150), XIAOSHAN_AIRPORT]},
     "source": ("illustrative: named among the 1-hour commuting-circle lines of the plan (issue 14 brief); alignment, "
                "length and year NOT found: drawn from 绍兴北 to 萧山机场 for the map only "
                f"({APPROX})")},
    {"name": "宁波至慈溪市域铁路", "name_en": "Ningbo–Cixi suburban railway", "mode": "suburban_rail",
     "status": "under_construction", "year": None, "published_length_km": None,
     "shape": {"type": "line", "path": [(121.555, 29.945), (121.520, 30.030), (121.420, 30.110), (121.270, 30.170)]},
     "source": (f"Under construction; Cixi (the province's largest county economy) has no passenger railway yet: {CIXI}. "
                f"Length and opening year NOT found; line 宁波(庄桥)—慈溪城区 through approximate nodes ({APPROX})")},
    {"name": "杭绍甬智慧高速", "name_en": "Hangzhou–Shaoxing–Ningbo smart expressway", "mode": "expressway",
     "status": "operating", "year": 2024, "published_length_km": None,
     "shape": {"type": "line", "path": [(120.470, 30.260), (120.620, 30.180), (120.880, 30.110), (121.120, 30.100),
                                         (121.350, 30.050), (121.550, 29.990), (121.690, 29.975)]},
     "source": (f"Opened just before the 2024 Spring Festival, cutting the Hangzhou–Ningbo trip by ~30 min: {SMART_HW}. "
                f"Length NOT in the reference; line through 钱塘—绍兴滨海—上虞—余姚—慈溪南—镇海 ({APPROX}), "
                "alignment approximate")},
]

CANAL_LINE = [
    {"name": "浙东运河", "name_en": "Eastern Zhejiang Canal (main line)", "mode": "waterway", "status": "operating",
     "year": None, "published_length_km": 239.0, "heritage_level": "world",
     "shape": {"type": "line", "path": [(120.218, 30.208), (120.270, 30.180), (120.370, 30.170), (120.440, 30.100),
                                         (120.490, 30.075), (120.591, 30.000), (120.700, 30.000), (120.865, 30.010),
                                         (121.000, 30.040), (121.155, 30.045), (121.330, 29.980), (121.450, 29.910),
                                         (121.554, 29.874), (121.640, 29.915), (121.713, 29.965)]},
     "source": (f"About 239 km from 西兴 (滨江) to the 甬江 mouth (镇海), part of the Grand Canal World Heritage site "
                f"(2014; Hangzhou's WH channels include 浙东运河主线): {CANAL}; https://m.qiquwen.com/h/44968.html. "
                "Line through the reference's canal nodes 西兴—萧山—衙前—钱清—柯桥—绍兴—上虞(曹娥)—余姚—丈亭—三江口—"
                f"甬江口 ({APPROX}); the drawing is shorter than 239 km because it does not follow every bend")},
]
