"""科创走廊 (corridor): innovation corridors, drawn as belts along their anchor points.

Each belt is cut to the basemap districts the published text names and to an envelope of
its published edges (roads, rivers: drawn approximately), then sized to the published area.

Extra fields: ``plan_year`` (year the scope was set), ``superseded`` (year a later
scope replaced it, else None) -- the scenarios filter on them; ``area_basis``:
'published' when the drawn area equals a published figure, 'derived' when no area was
published and ``area_km2`` only measures the drawing; ``corridor``: the corridor a part
belongs to (甬江: 北区 / 南区).
"""

from sample_data import APPROX

# Anchors (REFERENCE.md §1b), WGS84, approximate.
ZJU_YUQUAN = (120.123, 30.265)
ZJU_ZIJINGANG = (120.085, 30.302)
ZIJINGANG_CITY = (120.075, 30.315)
FUTURE_CITY = (119.997, 30.290)
SOUTH_LAKE = (119.935, 30.262)
QINGSHAN_LAKE = (119.800, 30.245)
ZAFU = (119.727, 30.257)
SANJIANGKOU = (121.554, 29.874)
NINGBO_UNIV = (121.630, 29.908)
HIGH_TECH_ZONE = (121.625, 29.905)
CAS_NIMTE = (121.612, 29.932)
YONG_MOUTH = (121.713, 29.965)
SOUTH_HIGHER_EDU = (121.565, 29.815)

PLAN_2021 = ("http://www.handmsg.com/page/2021/0325/14651635.shtml (mirror of the plan text); "
             "http://cdn.keyland.com.cn/news/69793.html")
YONGJIANG_PLAN = "http://zgj.ningbo.gov.cn/art/2020/11/26/art_1229045918_58928367.html"

#: 城西: published edges (14th FYP text) -- east 紫荆花路 / 浙大玉泉 (~120.13°E); south 留和路 ridge and
#: 杭徽高速; north 灯彩街, 东西大道 and 中苕溪.  Points approximate (general knowledge).
CHENGXI_ENVELOPE = [
    (120.130, 30.262), (120.080, 30.258), (120.030, 30.252), (119.950, 30.238), (119.850, 30.222),
    (119.750, 30.218), (119.690, 30.225),  # south: 留和路 ridge → 杭徽高速 (west)
    (119.690, 30.300), (119.800, 30.330), (119.900, 30.365), (120.000, 30.380), (120.060, 30.350),
    (120.100, 30.330), (120.130, 30.300),  # north: 中苕溪 → 东西大道 → 灯彩街 (east)
]
CHENGXI_DISTRICTS = ["西湖区", "余杭区", "临安区"]
#: 2016 scope: east end at 紫金港 (~120.095°E), same north and south edges.
CHENGXI_2016_ENVELOPE = [(min(x, 120.095), y) for x, y in CHENGXI_ENVELOPE]

#: 甬江: north 镇海大道, east 320骆霞线 (Beilun side of the river mouth), west 三江口, south
#: 甬台温高速复线 and 南高教园区学士路; the 甬江 splits 北区 (83 km²) from 南区 (53 km²).
YONGJIANG_NORTH_ENVELOPE = [(121.545, 29.878), (121.545, 29.935), (121.600, 29.975), (121.680, 29.990),
                            (121.725, 29.975), (121.725, 29.940), (121.640, 29.895), (121.560, 29.870)]
YONGJIANG_SOUTH_ENVELOPE = [(121.555, 29.868), (121.650, 29.905), (121.700, 29.935), (121.700, 29.860),
                            (121.640, 29.800), (121.560, 29.795), (121.545, 29.830)]

CORRIDORS = [
    {
        "name": "城西科创大走廊", "name_en": "Hangzhou Chengxi Sci-Tech Innovation Corridor (14th FYP core)",
        "city": "杭州市", "plan_year": 2021, "superseded": None, "area_basis": "published",
        "corridor": "城西科创大走廊",
        "shape": {"type": "belt", "area_km2": 398.0,
                  "path": [ZJU_YUQUAN, ZJU_ZIJINGANG, FUTURE_CITY, SOUTH_LAKE, QINGSHAN_LAKE, ZAFU],
                  "clip": {"districts": CHENGXI_DISTRICTS, "envelope": CHENGXI_ENVELOPE}},
        "source": (f"14th FYP core area ~398 km² in 西湖/余杭/临安, from ZJU Yuquan (line at 紫荆花路, ~120.13°E) to "
                   f"ZAFU; south edge 留和路 ridge and 杭徽高速, north edge 灯彩街 / 东西大道 / 中苕溪: {PLAN_2021}. "
                   f"Shape illustrative (approximate): a belt along 玉泉—紫金港—未来科技城—南湖—青山湖—浙江农林大学 "
                   f"({APPROX}) cut to the basemap districts 西湖/余杭/临安 and to the published edges (drawn "
                   "approximately), sized to 398 km²; not the official boundary"),
    },
    {
        "name": "城西科创大走廊(2016版)", "name_en": "Hangzhou Chengxi Sci-Tech Innovation Corridor (2016–2020 scope)",
        "city": "杭州市", "plan_year": 2016, "superseded": 2021, "area_basis": "published",
        "corridor": "城西科创大走廊",
        "shape": {"type": "belt", "area_km2": 224.0,
                  "path": [ZJU_ZIJINGANG, FUTURE_CITY, SOUTH_LAKE, QINGSHAN_LAKE, ZAFU],
                  "clip": {"districts": CHENGXI_DISTRICTS, "envelope": CHENGXI_2016_ENVELOPE}},
        "source": ("224 km², ~33 km along 文一西路 from ZJU Zijingang to ZAFU (西湖/余杭/临安): "
                   "https://zjnews.zjol.com.cn/zjnews/201805/t20180529_7411175.shtml. Shape illustrative (approximate): "
                   f"a belt along 紫金港—未来科技城—南湖—青山湖—浙江农林大学 ({APPROX}) cut to 西湖/余杭/临安 and to the "
                   "same edges as the 2021 core (east end at 紫金港), sized to 224 km²; replaced by the 14th FYP scope in 2021"),
    },
    {
        "name": "甬江科创大走廊(北区)", "name_en": "Ningbo Yongjiang Sci-Tech Innovation Corridor – north part",
        "city": "宁波市", "plan_year": 2020, "superseded": None, "area_basis": "published",
        "corridor": "甬江科创大走廊",
        "shape": {"type": "belt", "area_km2": 83.0,
                  "path": [(121.560, 29.885), NINGBO_UNIV, CAS_NIMTE, (121.670, 29.955), YONG_MOUTH],
                  "clip": {"districts": ["江北区", "镇海区"], "envelope": YONGJIANG_NORTH_ENVELOPE}},
        "source": (f"Core area 136 km² = north 83 + south 53 km², spatial plan 2019–2035 published 2020-11-26: {YONGJIANG_PLAN}; "
                   "north part between the 甬江 and 镇海大道, from 三江口 to the river mouth (江北/镇海). Shape "
                   f"illustrative (approximate): a belt along 三江口北岸—宁波大学—庄市—甬江口 ({APPROX}) cut to 江北/镇海 "
                   "and to the published edges (drawn approximately), sized to 83 km²"),
    },
    {
        "name": "甬江科创大走廊(南区)", "name_en": "Ningbo Yongjiang Sci-Tech Innovation Corridor – south part",
        "city": "宁波市", "plan_year": 2020, "superseded": None, "area_basis": "published",
        "corridor": "甬江科创大走廊",
        "shape": {"type": "belt", "area_km2": 53.0,
                  "path": [HIGH_TECH_ZONE, (121.600, 29.870), (121.580, 29.840), SOUTH_HIGHER_EDU],
                  "clip": {"districts": ["鄞州区"], "envelope": YONGJIANG_SOUTH_ENVELOPE}},
        "source": (f"South part 53 km² of the 136 km² core (plan published 2020-11-26): {YONGJIANG_PLAN}; south of the "
                   "甬江: 宁波国家高新区 — 东部新城 — 南高教园区 (west edge 学士路, south edge 甬台温高速复线). Shape "
                   f"illustrative (approximate): a belt along 高新区—东部新城—南高教园区 ({APPROX}) cut to 鄞州 and to "
                   "the published edges (drawn approximately), sized to 53 km²"),
    },
    {
        "name": "城南智创大走廊", "name_en": "Ningbo Chengnan Smart-Innovation Corridor (Yinzhou)",
        "city": "宁波市", "plan_year": 2021, "superseded": None, "area_basis": "published",
        "corridor": "城南智创大走廊",
        "shape": {"type": "belt", "area_km2": 80.0,
                  "path": [(121.585, 29.880), (121.580, 29.820), (121.565, 29.760), (121.555, 29.725)],
                  "clip": {"districts": ["鄞州区"]}},
        "source": ("About 80 km², ~20 km north–south along 世纪大道 / 甬台温高速 from 通途路 to 鄞城大道 (鄞州): "
                   "http://m.dingqianjf.com/news/show/488/1241037_0.html (mirror). Axis points and shape "
                   f"illustrative (approximate; {APPROX}), cut to 鄞州; plan_year approximate"),
    },
    {
        "name": "城东智造大走廊", "name_en": "Hangzhou Chengdong Smart-Manufacturing Corridor",
        "city": "杭州市", "plan_year": 2021, "superseded": None, "area_basis": "derived", "illustrative": True,
        "corridor": "城东智造大走廊",
        "shape": {"type": "belt", "width_km": 5.0,
                  "path": [(120.300, 30.420), (120.360, 30.300), (120.430, 30.240)],
                  "clip": {"districts": ["钱塘区", "临平区", "萧山区"]}},
        "source": ("Named corridor in 钱塘/临平/萧山 (临空), total area NOT found; its 制高点 is the Hangzhou Airport "
                   "Economy Demonstration Zone (142.72 km², later 174 km²): "
                   "http://zzhz.zjol.com.cn/hz/csghq/202312/t20231205_26493392.shtml; "
                   "http://www.ce.cn/cysc/newmain/yc/jsxw/202512/t20251222_2658024.shtml. Shape illustrative: a 5 km "
                   f"wide belt 临平—下沙—萧山机场 ({APPROX}) cut to 钱塘/临平/萧山, for drawing only: area_km2 is "
                   "derived from the drawing (area_basis 'derived'), NOT a published figure; plan_year approximate"),
    },
]
