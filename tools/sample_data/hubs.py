"""枢纽 (hub): 杭甬“四港”联动 -- seaport areas, inland port, airports and sea–rail hubs (十大标志性工程).

Points at approximate positions (general knowledge); ``year`` is the opening year where known.
"""

from sample_data import APPROX

BALTIC = "https://www.ndrc.gov.cn/fggz/qykf/xxjc/202108/t20210831_1295833.html"
CANAL2 = "http://av069.com/news/guonei/2024-04-05/1450372.html (mirror of 新华社 2024-04-05)"


def _h(name, name_en, hub_type, city, lonlat, source, year=None, status="operating", illustrative=False):
    return {"name": name, "name_en": name_en, "hub_type": hub_type, "city": city, "status": status, "year": year,
            "illustrative": illustrative, "shape": {"type": "point", "lonlat": lonlat}, "source": source}


HUBS = [
    _h("宁波舟山港北仑港区", "Ningbo-Zhoushan Port – Beilun area", "seaport", "宁波市", (121.845, 29.935),
       f"Port area of 宁波舟山港 (the plan's shipping-centre target: {BALTIC}); point {APPROX}"),
    _h("宁波舟山港穿山港区", "Ningbo-Zhoushan Port – Chuanshan area", "seaport", "宁波市", (121.950, 29.895),
       f"Port area of 宁波舟山港; point {APPROX}"),
    _h("宁波舟山港梅山港区", "Ningbo-Zhoushan Port – Meishan area", "seaport", "宁波市", (121.985, 29.765),
       f"Port area of 宁波舟山港 on 梅山岛; point {APPROX}"),
    _h("宁波舟山港镇海港区", "Ningbo-Zhoushan Port – Zhenhai area", "seaport", "宁波市", (121.720, 29.962),
       f"Port area of 宁波舟山港 at the 甬江 mouth; point {APPROX}"),
    _h("宁波舟山港金塘港区", "Ningbo-Zhoushan Port – Jintang area", "seaport", "舟山市", (121.890, 30.030),
       f"Port area of 宁波舟山港 on 金塘岛 (舟山); point {APPROX}"),
    _h("杭州内河港(京杭运河二通道·八堡)", "Hangzhou inland port (Grand Canal 2nd channel, Babao lock)", "inland_port",
       "杭州市", (120.310, 30.290),
       f"京杭运河杭州段二通道 opened 2023-07-18 through the 八堡船闸 to the 钱塘江: {CANAL2}; point {APPROX}", 2023),
    _h("杭州萧山国际机场", "Hangzhou Xiaoshan International Airport", "airport", "杭州市", (120.434, 30.236),
       f"Airport (opened 2000, general knowledge); point {APPROX}", 2000),
    _h("宁波栎社国际机场", "Ningbo Lishe International Airport", "airport", "宁波市", (121.462, 29.827),
       f"Airport (opened 1990, general knowledge); point {APPROX}", 1990),
    _h("北仑港站(海铁联运)", "Beilun port station (sea–rail hub)", "rail_sea", "宁波市", (121.835, 29.915),
       f"Sea–rail intermodal hub of 宁波舟山港 at 北仑 (general knowledge); point {APPROX}"),
    _h("绍兴港海铁联运枢纽(示意)", "Shaoxing sea–rail hub (illustrative)", "rail_sea", "绍兴市", (120.880, 30.080),
       "illustrative: a 海铁联运 hub on the 萧甬铁路 at 上虞 drawn to show the 四港 link inland; NOT a sourced "
       f"site ({APPROX})", status="planned", illustrative=True),
]
