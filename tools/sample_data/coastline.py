"""生态海岸带 (coastline): ecological coastline sections of the Hangzhou Bay south shore (REFERENCE.md §3).

Extra field ``year``: year the section was designated or started (the scenarios
filter on it). Provincial programme: 《浙江省生态海岸带建设方案》, 2020-07.
No official alignment, length or endpoint was found for any pilot section:
all lines are drawn through approximate anchor nodes.
"""

from sample_data import APPROX

COASTLINE = [
    {"name": "钱塘新区先行段", "section": "钱塘区 下沙沿江“四十里” + 大江东沿江—江海湿地", "status": "under_construction",
     "year": 2021,
     "shape": {"type": "multiline", "paths": [
         # 下沙: north bank of the 钱塘江, 九堡 → 下沙 east end
         [(120.315, 30.290), (120.340, 30.288), (120.365, 30.298), (120.385, 30.316), (120.392, 30.325)],
         # 大江东: south bank, 河庄 → 义蓬 → 临江 → 江海湿地
         [(120.455, 30.300), (120.500, 30.330), (120.560, 30.345), (120.620, 30.345), (120.690, 30.330)]]},
     "source": ("Provincial pilot section; length and endpoints NOT found. Drawn as two riverside pieces that do not "
                "cross the estuary: the 下沙 north bank (沿江“四十里”) and the 大江东 south bank ending at 江海湿地 / "
                "钱塘大湾区湿地公园 (start-up block opened 2024-05: http://www.ximalaya.com/sound/728732513; "
                "http://hzgou.cn/news/chengshi/hangzhou/2023-08-14/194184.html); ends are assumptions and both lines "
                f"are hand-drawn along the banks, approximate (~1–2 km; {APPROX}). Status and year illustrative")},
    {"name": "前湾新区先行段", "section": "杭州湾国家湿地公园—跨海大桥南岸—前湾新区", "status": "completed", "year": 2022,
     "shape": {"type": "line", "path": [(121.100, 30.320), (121.150, 30.320), (121.225, 30.315),
                                         (121.310, 30.310), (121.400, 30.300)]},
     "source": ("Provincial pilot section, type 滨海湿地型, in Ningbo's plan (2022-08) of 1 provincial + 4 municipal "
                "sections to be basically built by 2025: http://doctoratti.com.cn/chanjing/2022-08-16/95920.html "
                "(mirror of 中国宁波网). Length and endpoints NOT found; line through 杭州湾国家湿地公园 and the bridge's "
                f"south landing, {APPROX}. Status 'completed' illustrative (target 'basically built by 2025')")},
    {"name": "萧山区海塘安澜工程(七甲船闸—九上顺坝盘头段)", "section": "萧山 钱塘江南岸", "status": "under_construction",
     "year": 2024,
     "shape": {"type": "segment", "center": (120.450, 30.270), "length_km": 14.88, "bearing_deg": 72.0},
     "source": ("14.88 km, 300-year standard, started end 2024, due 2027: "
                "https://www.xiaoshan.gov.cn/art/2025/9/16/art_1302904_59115781.html. Drawn as a straight 14.88 km "
                f"line centred on the anchor ({APPROX}); alignment illustrative")},
    {"illustrative": True, "name": "绍兴滨海段(示意)", "section": "钱塘临江—绍兴滨海—上虞曹娥江口—余姚/慈溪", "status": "planned", "year": 2025,
     "shape": {"type": "line", "path": [(120.550, 30.280), (120.680, 30.200), (120.830, 30.180),
                                         (121.050, 30.250)]},
     "source": ("illustrative: section invented for drawing along the reference's illustrative south-shore nodes "
                f"萧山临江—绍兴滨海—上虞曹娥江口—余姚/慈溪 (not an official alignment; {APPROX}); status and year illustrative")},
    {"name": "梅山海洋城市新阳台", "section": "北仑 梅山岛", "status": "planned", "year": 2022,
     "shape": {"type": "line", "path": [(121.945, 29.805), (121.970, 29.780), (121.990, 29.755)]},
     "source": ("One of Ningbo's 4 municipal pilot sections (plan 2022-08): "
                "http://doctoratti.com.cn/chanjing/2022-08-16/95920.html. Line illustrative around the anchor "
                f"({APPROX}); status illustrative")},
]
