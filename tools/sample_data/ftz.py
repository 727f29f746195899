"""自贸片区 (ftz): the Hangzhou and Ningbo Areas of the China (Zhejiang) Pilot FTZ (REFERENCE.md §2).

Each polygon is a rounded rectangle around its anchor, scaled to its stated area
(equal-area km²). Only the Binjiang block (11.32 km²), the Hangzhou CBZ (2.01 km²)
and Ningbo's three bonded zones have published areas; the other blocks split the
remainder of the zone total and say "illustrative".
"""

from sample_data import APPROX

MIDDLE_EAST = "https://middleastfreezone.com/Zhejiang-Pilot-Free-Trade-Zone-(FTZ)"
EXPANSION = "expansion plan published 2020-09-21 (State Council); inaugurated ~2020-09-24"

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
    {"name": "杭州片区钱塘区块(大创小镇·东部湾)", "name_en": "Hangzhou Area – Qiantang block (rest)", "zone": "杭州片区",
     "sub_area": "钱塘区块",
     "shape": {"type": "rect", "center": (120.325, 30.312), "area_km2": 11.09, "aspect": 1.6, "rotation_deg": 10},
     "source": ("Block launched 2020-11-09 (CBZ + 大创小镇 + 东部湾总部基地): "
                "https://ori.hangzhou.com.cn/ornews/content/2020-11/10/content_7850141.htm. Area NOT found: "
                "illustrative 11.09 km² (钱塘 + 萧山 = 26.19 km² derived; split between them illustrative); "
                f"outline illustrative ({APPROX})")},
    {"name": "杭州片区萧山区块", "name_en": "Hangzhou Area – Xiaoshan (airport) block", "zone": "杭州片区",
     "sub_area": "萧山区块",
     "shape": {"type": "rect", "center": (120.430, 30.240), "area_km2": 13.09, "aspect": 1.3, "rotation_deg": 30},
     "source": ("Block named at http://finance.guhantai.com/finance/20210923/237331.html. Area NOT found: "
                "illustrative 13.09 km² so that 钱塘 + 萧山 = 26.19 km² (= 37.51 − 11.32, derived); "
                f"outline illustrative ({APPROX})")},
    # -- 宁波片区 46 km² ------------------------------------------------------------------------------
    {"name": "宁波梅山综合保税区", "name_en": "Ningbo Meishan Comprehensive Bonded Zone", "zone": "宁波片区",
     "sub_area": "梅山综合保税区",
     "shape": {"type": "rect", "center": (121.967, 29.777), "area_km2": 5.69, "aspect": 1.2, "rotation_deg": 20},
     "source": f"5.69 km²: {MIDDLE_EAST}. Outline illustrative (sized to 5.69 km², {APPROX})"},
    {"name": "宁波北仑港综合保税区", "name_en": "Ningbo Beilun Port Comprehensive Bonded Zone", "zone": "宁波片区",
     "sub_area": "北仑港综合保税区",
     "shape": {"type": "rect", "center": (121.865, 29.920), "area_km2": 2.99, "aspect": 1.4, "rotation_deg": 0},
     "source": f"2.99 km²: {MIDDLE_EAST}. Outline illustrative (sized to 2.99 km², {APPROX})"},
    {"name": "宁波保税区", "name_en": "Ningbo Bonded Area", "zone": "宁波片区", "sub_area": "宁波保税区",
     "shape": {"type": "rect", "center": (121.826, 29.908), "area_km2": 2.30, "aspect": 1.2, "rotation_deg": 0},
     "source": f"2.3 km²: {MIDDLE_EAST}; http://m.buyfromyiwu.com/n1858175/China-to-expand-Zhejiang-Free-Trade-Zone.htm. "
               f"Outline illustrative (sized to 2.3 km², {APPROX})"},
    {"name": "宁波片区北仑区块(示意)", "name_en": "Ningbo Area – Beilun block (illustrative)", "zone": "宁波片区",
     "sub_area": "北仑区块(示意)",
     "shape": {"type": "rect", "center": (121.780, 29.875), "area_km2": 10.02, "aspect": 1.5, "rotation_deg": 10},
     "source": ("illustrative: the Ningbo Area is 46 km², managed by the Ningbo ETDZ / Beilun "
                f"({MIDDLE_EAST}); sub-blocks beyond the three bonded zones are NOT confirmed. This block and its "
                f"10.02 km² are invented to make up the total ({APPROX})")},
    {"name": "宁波片区大榭区块(示意)", "name_en": "Ningbo Area – Daxie block (illustrative, unverified)",
     "zone": "宁波片区", "sub_area": "大榭区块(示意)",
     "shape": {"type": "rect", "center": (121.955, 29.925), "area_km2": 8.0, "aspect": 1.3, "rotation_deg": 0},
     "source": ("illustrative: 大榭 as a sub-block is NOT confirmed (REFERENCE.md §2); area 8 km² invented to make "
                f"up the 46 km² total; centre moved ~2 km south-east of the reference point (121.940, 29.940) to keep it on land "
                f"({APPROX})")},
    {"name": "宁波片区前湾区块(示意)", "name_en": "Ningbo Area – Qianwan block (illustrative, unverified)",
     "zone": "宁波片区", "sub_area": "前湾区块(示意)",
     "shape": {"type": "rect", "center": (121.260, 30.300), "area_km2": 12.0, "aspect": 1.8, "rotation_deg": 0},
     "source": ("illustrative: 前湾 as a sub-block is NOT confirmed (name taken from the brief, REFERENCE.md §2); "
                f"area 12 km² invented to make up the 46 km² total ({APPROX})")},
    {"name": "宁波片区空港区块(示意)", "name_en": "Ningbo Area – Airport block (illustrative, unverified)",
     "zone": "宁波片区", "sub_area": "空港区块(示意)",
     "shape": {"type": "rect", "center": (121.462, 29.827), "area_km2": 5.0, "aspect": 1.4, "rotation_deg": 0},
     "source": ("illustrative: 空港 as a sub-block is NOT confirmed (REFERENCE.md §2); area 5 km² invented to make "
                f"up the 46 km² total ({APPROX})")},
]

#: Stated zone totals (km²) the features must add up to.
ZONE_TOTALS = {"杭州片区": 37.51, "宁波片区": 46.0}
CREATED = EXPANSION
