"""运河遗产 (heritage): Zhedong Canal / Grand Canal heritage points, Hangzhou–Ningbo (REFERENCE.md §5).

heritage_level: 'world' for components of the Grand Canal World Heritage site (2014), otherwise the
national key listing the reference gives. Extra fields: name_en, district.
"""

from sample_data import APPROX

WH = "https://en.wikipedia.org/wiki/Eastern_Zhejiang_Canal; http://www.ningbo-china.com/news/city-news/3088.html"

PARK = "大运河国家文化公园"

HERITAGE = [
    {"name": "西兴过塘行码头", "name_en": "Xixing Transshipment Wharves", "city": "杭州市", "district": "滨江区",
     "heritage_level": "world", "category": "wharf", "shape": {"type": "point", "lonlat": (120.218, 30.208)},
     "source": f"WH component (2014), 浙东运河之头: http://hzcbs.com/yhwhdb/files/basic-html/page40.html; https://xixing.info/; coords {APPROX}"},
    {"name": "浙东运河萧山段(衙前)", "name_en": "Zhedong Canal, Xiaoshan section (Yaqian node)", "city": "杭州市",
     "district": "萧山区", "heritage_level": "world", "category": "channel node",
     "shape": {"type": "point", "lonlat": (120.370, 30.170)},
     "source": ("On the 浙东运河主线, one of Hangzhou's five Grand Canal World Heritage channels (2014): "
                f"https://m.qiquwen.com/h/44968.html; {WH}; 23.6 km in Xiaoshan, national key 2013: "
                f"https://wbdl.hzwbzx.cn/house?id=33; coords {APPROX}")},
    {"name": "古纤道", "name_en": "Ancient Towpath", "city": "绍兴市", "district": "柯桥区",
     "heritage_level": "world", "category": "towpath", "shape": {"type": "point", "lonlat": (120.430, 30.075)},
     "source": ("WH component; national key batch 3 (1988): http://xzzxedu.org/xzzxedu/古纤道/0; "
                f"https://wbdl.hzwbzx.cn/house?id=34; point at the midpoint, {APPROX}")},
    {"name": "八字桥", "name_en": "Bazi Bridge", "city": "绍兴市", "district": "越城区",
     "heritage_level": "world", "category": "bridge", "shape": {"type": "point", "lonlat": (120.591, 30.000)},
     "source": f"WH component; rebuilt 1256: https://www.uczhidao.com/...; coords {APPROX}"},
    {"name": "八字桥历史文化街区", "name_en": "Bazi Bridge Historic Block", "city": "绍兴市", "district": "越城区",
     "heritage_level": "world", "category": "historic block", "shape": {"type": "point", "lonlat": (120.593, 30.003)},
     "source": ("WH component: https://jiemenglao.com/suanming/341658.html (repost); coords approximate "
                "(moved ~200 m north of the bridge so the two points do not overlap)")},
    {"name": "曹娥江运河过江处(上虞)", "name_en": "Cao'e River crossing, Shangyu", "city": "绍兴市", "district": "上虞区",
     "heritage_level": "world", "category": "channel node", "shape": {"type": "point", "lonlat": (120.865, 30.010)},
     "source": f"On the WH channel 浙东运河上虞—余姚段: {WH}; coords {APPROX}"},
    {"name": "余姚姚江运河段", "name_en": "Yuyao canal node (Yao River)", "city": "宁波市", "district": "余姚市",
     "heritage_level": "world", "category": "channel node", "shape": {"type": "point", "lonlat": (121.155, 30.045)},
     "source": f"On the WH channel 浙东运河上虞—余姚段: {WH}; coords {APPROX}"},
    {"name": "宁波三江口", "name_en": "Ningbo Sanjiangkou", "city": "宁波市", "district": "海曙区",
     "heritage_level": "world", "category": "channel node", "shape": {"type": "point", "lonlat": (121.554, 29.874)},
     "source": f"WH component (channel/section), confluence forming the 甬江: {WH}; coords {APPROX}"},
    {"name": "庆安会馆(甬东天后宫)", "name_en": "Qing'an Guild Hall", "city": "宁波市", "district": "鄞州区",
     "heritage_level": "world", "category": "guild hall", "shape": {"type": "point", "lonlat": (121.559, 29.875)},
     "source": ("WH component; national key batch 5 (2001). Wikipedia coords (29°52′29″N 121°33′32″E) via "
                "https://www.wiki2.zh-cn.nina.az/%E7%94%AC%E4%B8%9C%E5%A4%A9%E5%90%8E%E5%AE%AB.html")},
    {"name": "永丰库遗址", "name_en": "Yongfeng Warehouse Site", "city": "宁波市", "district": "海曙区",
     "heritage_level": "national", "category": "archaeological site",
     "shape": {"type": "point", "lonlat": (121.5430861, 29.8763417)},
     "source": ("NOT a Grand Canal component; national key batch 6 (2006); Maritime Silk Road tentative list: "
                "https://zh.wikipedia.org/zh-hant/%E6%B0%B8%E4%B8%B0%E5%BA%93%E9%81%97%E5%9D%80 (coords)")},
    {"name": "甬江口(镇海)", "name_en": "Yong River mouth (canal east end)", "city": "宁波市", "district": "镇海区",
     "heritage_level": "national", "category": "channel node", "shape": {"type": "point", "lonlat": (121.713, 29.965)},
     "source": ("East terminus of the 239 km Zhedong Canal: https://en.wikipedia.org/wiki/Eastern_Zhejiang_Canal. "
                "Level: the Zhedong Canal as a whole is a national key site (batch 7, 2013); the node has no listing "
                f"of its own. Coords {APPROX}")},
    {"name": "拱宸桥", "name_en": "Gongchen Bridge", "city": "杭州市", "district": "拱墅区",
     "heritage_level": "world", "category": "bridge", "shape": {"type": "point", "lonlat": (120.144, 30.319)},
     "source": f"WH component; national key 2013; built 1631: https://baike.com/wikiid/5777518750501846434; coords {APPROX}"},
    {"name": "桥西历史街区", "name_en": "Qiaoxi Historic Block", "city": "杭州市", "district": "拱墅区",
     "heritage_level": "world", "category": "historic block", "shape": {"type": "point", "lonlat": (120.141, 30.318)},
     "source": "WH component: https://m.qiquwen.com/h/44968.html; coords approximate (REFERENCE.md)"},
    {"name": "富义仓", "name_en": "Fuyi Granary", "city": "杭州市", "district": "拱墅区",
     "heritage_level": "world", "category": "granary", "shape": {"type": "point", "lonlat": (120.156, 30.293)},
     "source": ("WH component; national key 2013; built 1880–1884: "
                "http://www.gongshu.gov.cn/art/2020/1/9/art_1228993757_41560842.html; coords approximate (REFERENCE.md)")},
    {"name": "广济桥(塘栖)", "name_en": "Guangji Bridge (Tangqi)", "city": "杭州市", "district": "临平区",
     "heritage_level": "world", "category": "bridge", "shape": {"type": "point", "lonlat": (120.192, 30.485)},
     "source": f"WH component (Hangzhou's first-batch WH sites: https://m.qiquwen.com/h/44968.html); coords {APPROX}"},
    {"name": "凤山水城门遗址", "name_en": "Fengshan Water Gate Site", "city": "杭州市", "district": "上城区",
     "heritage_level": "world", "category": "water gate", "shape": {"type": "point", "lonlat": (120.170, 30.233)},
     "source": ("WH component; built 1359, the only surviving of 5 water gates: "
                "https://zzfmdn.com/art/浙江名胜古迹有哪些景点.html; coords approximate (REFERENCE.md)")},
]

# 大运河国家文化公园: the national park plan (《长城、大运河、长征国家文化公园建设方案》, 2019; general knowledge)
# covers the Grand Canal, 浙东运河 included; its sites here are the canal's World Heritage components.
for _site in HERITAGE:
    _site["cultural_park"] = PARK if _site["heritage_level"] == "world" else None
    if _site["cultural_park"]:
        _site["source"] += ("; 大运河国家文化公园 site (the park covers the Grand Canal's World Heritage components: "
                            "2019 national plan, general knowledge)")
