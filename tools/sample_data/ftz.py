"""自贸片区 (ftz): the Hangzhou and Ningbo Areas of the China (Zhejiang) Pilot FTZ (REFERENCE.md §2).

Each polygon is a rounded rectangle around its anchor, scaled to its stated area
(equal-area km²). Only the Binjiang block (11.32 km²), the Hangzhou CBZ (2.01 km²)
and Ningbo's three bonded zones have published areas; the other blocks split the
remainder of the zone total and say "illustrative". The whole 宁波片区 lies in 北仑
(梅山 and 大榭 included): its blocks are cut to the 北仑 district of the basemap.
"""

from sample_data import APPROX

MIDDLE_EAST = "https://middleastfreezone.com/Zhejiang-Pilot-Free-Trade-Zone-(FTZ)"
EXPANSION = "expansion plan published 2020-09-21 (State Council); inaugurated ~2020-09-24"

MEISHAN_CBZ = {
    "name": "宁波梅山综合保税区", "name_en": "Ningbo Meishan Comprehensive Bonded Zone", "zone": "宁波片区",
    "sub_area": "梅山综合保税区",
    "shape": {"type": "rect", "center": (121.967, 29.777), "area_km2": 5.69, "aspect": 1.2, "rotation_deg": 20},
    "source": f"5.69 km²: {MIDDLE_EAST}. Outline illustrative (approximate: sized to 5.69 km², {APPROX})"}
BEILUN_PORT_CBZ = {
    "name": "宁波北仑港综合保税区", "name_en": "Ningbo Beilun Port Comprehensive Bonded Zone", "zone": "宁波片区",
    "sub_area": "北仑港综合保税区",
    "shape": {"type": "rect", "center": (121.865, 29.920), "area_km2": 2.99, "aspect": 1.4, "rotation_deg": 0},
    "source": f"2.99 km²: {MIDDLE_EAST}. Outline illustrative (approximate: sized to 2.99 km², {APPROX})"}
NINGBO_BONDED = {
    "name": "宁波保税区", "name_en": "Ningbo Bonded Area", "zone": "宁波片区", "sub_area": "宁波保税区",
    "shape": {"type": "rect", "center": (121.826, 29.908), "area_km2": 2.30, "aspect": 1.2, "rotation_deg": 0},
    "source": (f"2.3 km²: {MIDDLE_EAST}; http://m.buyfromyiwu.com/n1858175/China-to-expand-Zhejiang-Free-Trade-Zone.htm. "
               f"Outline illustrative (approximate: sized to 2.3 km², {APPROX})")}

FTZ = [
    # -- 杭州片区 37.51 km² = 滨江 11.32 + (钱塘 + 萧山) 26.19 -------------------------------------
    {"name": "杭州片区滨江区块", "name_en": "Hangzhou Area – Binjiang block", "zone": "杭州片区", "sub_area": "滨江区块",
     "shape": {"type": "rect", "center": (120.200, 30.195), "area_km2": 11.32, "aspect": 1.5, "rotation_deg": 15},
     "source": ("11.32 km², construction started 2020-10-30: "
                "https://hznews.hangzhou.com.cn/jingji/content/2020-10/30/content_7843547.htm. Outline illustrative "
                f"(rounded rectangle sized to 11.32 km² around the anchor, {APPROX})")},
    {"name": "杭州综合保税区", "name_en": "Hangzhou Comprehensive Bonded Zone", "zone": "杭州片区", "sub_area": "钱塘区块",
     "shape": {"type": "rect", "center": (120.370, 30.300), "area_km2": 2.01, "aspect": 1.3, "rotation_deg": 0},
     "source": ("2.01 km², part of the Qiantang block: https://reportify.cn/news/1175432726485012480; "
                f"{MIDDLE_EAST}. Outline illustrative (sized to 2.01 km², {APPROX})")},
    {"illustrative": True, "name": "杭州片区钱塘区块(大创小镇·东部湾)", "name_en": "Hangzhou Area – Qiantang block (rest)", "zone": "杭州片区",
     "sub_area": "钱塘区块",
     "shape": {"type": "rect", "center": (120.325, 30.312), "area_km2": 11.09, "aspect": 1.6, "rotation_deg": 10},
     "source": ("Block launched 2020-11-09 (CBZ + 大创小镇 + 东部湾总部基地): "
                "https://ori.hangzhou.com.cn/ornews/content/2020-11/10/content_7850141.htm. Area NOT found: "
                "illustrative 11.09 km² (钱塘 + 萧山 = 26.19 km² derived; split between them illustrative); "
                f"outline illustrative ({APPROX})")},
    {"illustrative": True, "name": "杭州片区萧山区块", "name_en": "Hangzhou Area – Xiaoshan (airport) block", "zone": "杭州片区",
     "sub_area": "萧山区块",
     "shape": {"type": "rect", "center": (120.430, 30.240), "area_km2": 13.09, "aspect": 1.3, "rotation_deg": 30},
     "source": ("Block named at http://finance.guhantai.com/finance/20210923/237331.html. Area NOT found: "
                "illustrative 13.09 km² so that 钱塘 + 萧山 = 26.19 km² (= 37.51 − 11.32, derived); "
                f"outline illustrative ({APPROX})")},
    # -- 宁波片区 46 km², all in 北仑 (梅山 and 大榭 included) ------------------------------------------
    MEISHAN_CBZ,
    BEILUN_PORT_CBZ,
    NINGBO_BONDED,
    {"illustrative": True, "name": "宁波片区北仑区块(示意)", "name_en": "Ningbo Area – Beilun block (illustrative)", "zone": "宁波片区",
     "sub_area": "北仑区块(示意)",
     "shape": {"type": "rect", "center": (121.800, 29.885), "area_km2": 19.02, "aspect": 1.6, "rotation_deg": 10,
               "clip": {"districts": ["北仑区"], "minus": [NINGBO_BONDED["shape"], BEILUN_PORT_CBZ["shape"]]}},
     "source": ("illustrative: the Ningbo Area is 46 km², all in 北仑 (梅山 and 大榭 included), run by the 北仑 / "
                f"Ningbo ETDZ government ({MIDDLE_EAST}; http://m.buyfromyiwu.com/n1858175/China-to-expand-Zhejiang-Free-Trade-Zone.htm); "
                "sub-blocks beyond the three bonded zones are NOT published. This block (新碶/小港 around the bonded "
                f"zones) and its 19.02 km² are illustrative, drawn to make up the 46 km² total ({APPROX})")},
    {"illustrative": True, "name": "宁波片区大榭区块(示意)", "name_en": "Ningbo Area – Daxie block (illustrative)",
     "zone": "宁波片区", "sub_area": "大榭区块(示意)",
     "shape": {"type": "rect", "center": (121.950, 29.935), "area_km2": 8.0, "aspect": 1.3, "rotation_deg": 0,
               "clip": {"districts": ["北仑区"]}},
     "source": ("illustrative: 大榭 (北仑) is part of the 46 km² Ningbo Area per the published descriptions "
                f"({MIDDLE_EAST}; https://www.qubanbao.cn/yule/528427.html); its own extent is NOT published: "
                f"8 km² on 大榭岛 drawn to make up the total ({APPROX})")},
    {"illustrative": True, "name": "宁波片区梅山区块(示意)", "name_en": "Ningbo Area – Meishan block (illustrative)",
     "zone": "宁波片区", "sub_area": "梅山区块(示意)",
     "shape": {"type": "rect", "center": (121.980, 29.812), "area_km2": 8.0, "aspect": 1.0, "rotation_deg": 20,
               "clip": {"districts": ["北仑区"], "minus": [MEISHAN_CBZ["shape"]]}},
     "source": ("illustrative: 梅山 (北仑) is part of the 46 km² Ningbo Area beyond its 5.69 km² bonded zone "
                f"({MIDDLE_EAST}); extent NOT published: 8 km² on 梅山岛 drawn to make up the total ({APPROX})")},
]

#: Stated zone totals (km²) the features must add up to.
ZONE_TOTALS = {"杭州片区": 37.51, "宁波片区": 46.0}
CREATED = EXPANSION
