"""科创走廊 (corridor): innovation corridors, drawn as belts along their anchor points.

Extra fields: ``plan_year`` (year the scope was set), ``superseded`` (year a later
scope replaced it, else None) -- the scenarios filter on them.
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
CAS_NIMTE = (121.612, 29.932)
YONG_MOUTH = (121.713, 29.965)
BEILUN_E = (121.780, 29.930)

CORRIDORS = [
    {
        "name": "城西科创大走廊", "name_en": "Hangzhou Chengxi Sci-Tech Innovation Corridor (14th FYP core)",
        "city": "杭州市", "plan_year": 2021, "superseded": None,
        "shape": {"type": "belt", "area_km2": 398.0,
                  "path": [ZJU_YUQUAN, ZJU_ZIJINGANG, FUTURE_CITY, SOUTH_LAKE, QINGSHAN_LAKE, ZAFU]},
        "source": ("14th FYP core area ~398 km² from ZJU Yuquan (east) to ZAFU (west): "
                   "http://www.handmsg.com/page/2021/0325/14651635.shtml (mirror of the plan text); "
                   "http://cdn.keyland.com.cn/news/69793.html. Shape illustrative: a belt along the anchors "
                   f"玉泉—紫金港—未来科技城—南湖—青山湖—浙江农林大学 ({APPROX}), buffered to a width (~8.6 km) "
                   "that gives 398 km²; not the official boundary"),
    },
    {
        "name": "城西科创大走廊(2016版)", "name_en": "Hangzhou Chengxi Sci-Tech Innovation Corridor (2016–2020 scope)",
        "city": "杭州市", "plan_year": 2016, "superseded": 2021,
        "shape": {"type": "belt", "area_km2": 224.0,
                  "path": [ZJU_ZIJINGANG, FUTURE_CITY, SOUTH_LAKE, QINGSHAN_LAKE, ZAFU]},
        "source": ("224 km², ~33 km along 文一西路 from ZJU Zijingang to ZAFU: "
                   "https://zjnews.zjol.com.cn/zjnews/201805/t20180529_7411175.shtml. Shape illustrative: a belt "
                   f"along the anchors 紫金港—未来科技城—南湖—青山湖—浙江农林大学 ({APPROX}), buffered to a width "
                   "that gives 224 km²; replaced by the 14th FYP scope in 2021"),
    },
    {
        "name": "甬江科创大走廊", "name_en": "Ningbo Yongjiang Sci-Tech Innovation Corridor",
        "city": "宁波市", "plan_year": 2020, "superseded": None,
        "shape": {"type": "belt", "area_km2": 136.0,
                  "path": [SANJIANGKOU, NINGBO_UNIV, CAS_NIMTE, YONG_MOUTH, BEILUN_E]},
        "source": ("Core area 136 km² (north 83, south 53), spatial plan 2019–2035 published 2020-11-26: "
                   "http://zgj.ningbo.gov.cn/art/2020/11/26/art_1229045918_58928367.html. Shape illustrative: a "
                   f"belt along 三江口—宁波大学/高新区—庄市—甬江口—北仑 ({APPROX}) buffered to give 136 km²"),
    },
    {
        "name": "城南智创大走廊", "name_en": "Ningbo Chengnan Smart-Innovation Corridor (Yinzhou)",
        "city": "宁波市", "plan_year": 2021, "superseded": None,
        "shape": {"type": "belt", "area_km2": 80.0,
                  "path": [(121.585, 29.880), (121.580, 29.820), (121.565, 29.760), (121.555, 29.725)]},
        "source": ("About 80 km², ~20 km north–south along 世纪大道 / 甬台温高速 from 通途路 to 鄞城大道: "
                   "http://m.dingqianjf.com/news/show/488/1241037_0.html (mirror). Axis points and shape "
                   f"illustrative ({APPROX}); plan_year approximate"),
    },
    {
        "name": "城东智造大走廊", "name_en": "Hangzhou Chengdong Smart-Manufacturing Corridor",
        "city": "杭州市", "plan_year": 2021, "superseded": None,
        "shape": {"type": "belt", "width_km": 5.0,
                  "path": [(120.300, 30.420), (120.360, 30.300), (120.430, 30.240)]},
        "source": ("Named corridor, total area NOT found; its 制高点 is the Hangzhou Airport Economy Demonstration "
                   "Zone (142.72 km², later 174 km²): http://zzhz.zjol.com.cn/hz/csghq/202312/t20231205_26493392.shtml; "
                   "http://www.ce.cn/cysc/newmain/yc/jsxw/202512/t20251222_2658024.shtml. Shape illustrative: a 5 km "
                   f"wide belt 临平—下沙—萧山机场 ({APPROX}), for drawing only (its area is not a published figure); "
                   "plan_year approximate"),
    },
]
