"""飞地 (enclave): science and industry enclaves (科创飞地 / 产业飞地), REFERENCE.md §4.

Schema mapping: 科创/研发/数字经济飞地 → 'science'; 产业飞地, 山海协作产业园, 消薄飞地 and
生态飞地 → 'industry' (消薄 and 生态 enclaves earn income from industrial/office property).
Extra field: ``origin_county`` (the county/district that set it up).  Whether an enclave counts
toward the plan's "杭甬两市与省内其他地区互设飞地 ≥ 50" is derived from the data by
hygis.analysis.enclave_rule (intra-city and cross-province enclaves do not count).

The first 19 rows are every enclave the reference names; the rest are illustrative planned
enclaves (status 'planned', 2024–2027) added so the 50-enclave analysis has a realistic spread.
"""

from sample_data import APPROX

NFNEWS = "https://static.nfnews.com/content/202408/07/c9442170.html"
QWITALY = "http://wap.qwitaly.com/wap/video/50065.html"
FEIDI = "https://feidionline.com/NewsStd_823.html"
CE_YINQU = "http://www.ce.cn/cysc/newmain/yc/jsxw/202304/25/t20230425_38517191.shtml"
CHINA_COM = "http://big5.china.com.cn/gate/big5/zjnews.china.com.cn/yuanchuan/2024-02-20/413007.html"
SHANHAI_PARKS = "http://zjnews.china.com.cn/jrzj/2019-09-05/187059.html"


def _e(name, host_city, host_district, origin_city, origin_county, enclave_type, status, year, lonlat, source):
    return {"illustrative": source.startswith("illustrative"), "name": name, "host_city": host_city,
            "host_district": host_district, "origin_city": origin_city,
            "origin_county": origin_county, "enclave_type": enclave_type, "status": status, "year_opened": year,
            "shape": {"type": "point", "lonlat": lonlat}, "source": source}


REAL = [
    _e("衢州海创园", "杭州市", "余杭区", "衢州市", "衢州市", "science", "operating", 2012, (120.000, 30.285),
       f"Est. 2012, ZJ's first sci-tech enclave: {NFNEWS}; http://z.hangzhou.com.cn/2018/2018dzhqshxzsjb/content/content_7025189.htm; coords {APPROX}"),
    _e("江山—江干科创飞地", "杭州市", "上城区", "衢州市", "江山市", "science", "operating", 2019, (120.225, 30.330),
       "Opened 12-24, year digits lost in the source: year approximate (probably 2019): "
       f"http://bbs.jiangshanzx.com/archiver/showtopic-10495.aspx (repost of 钱江晚报); host 江干区 is now 上城区; coords {APPROX}"),
    _e("萧龙科创园", "杭州市", "萧山区", "丽水市", "龙泉市", "science", "operating", 2024, (120.270, 30.180),
       f"山海协作科创飞地 of Longquan with ZJU, opened 2024-09: {QWITALY}; exact site not found, coords {APPROX}"),
    _e("杭州丽水数字大厦", "杭州市", None, "丽水市", "丽水市", "science", "operating", 2019, (120.010, 30.280),
       "数字经济飞地, in operation 2019-09: https://www.prnasia.com/story/346980-1.shtml; host district NOT "
       f"confirmed, point placed at 城西 ({APPROX})"),
    _e("嵊州市驻杭研发飞地", "杭州市", "余杭区", "绍兴市", "嵊州市", "science", "operating", 2020, (120.020, 30.280),
       "R&D enclave at 未来科技城 万利大厦, policy 2020-05 (opening year taken as 2020, year approximate): "
       f"http://sznews.zjol.com.cn/sznews/system/2020/05/07/032482677.shtml; coords {APPROX}"),
    _e("崇福融杭创新中心", "杭州市", None, "嘉兴市", "桐乡市(崇福镇)", "science", "operating", 2022, (120.210, 30.260),
       f"Opened 2022-10-27 at 钱江浙商创投中心: {CHINA_COM}; host district NOT confirmed; coords {APPROX}"),
    _e("缙云大厦(消薄飞地)", "杭州市", "富阳区", "丽水市", "缙云县", "industry", "operating", 2019, (120.012, 30.098),
       f"消薄 enclave (mapped to 'industry') pooled by 134 weak villages, in 富阳 银湖科技城: {FEIDI}; opening year "
       "unknown, best estimate 2019 (year approximate); coords approximate: the reference point (~120.045, 30.125) "
       "falls in 西湖区 (转塘) on the basemap, so the point is moved ~4 km south-west into 富阳 银湖街道 (REFERENCE.md)"),
    _e("千岛湖智谷大厦(生态飞地)", "杭州市", "西湖区", "杭州市", "淳安县", "industry", "operating", 2019, (120.100, 30.280),
       f"生态飞地 (mapped to 'industry'), 本域保护、异地发展: {FEIDI}; intra-city (Chun'an is in Hangzhou), so not "
       f"counted in the target; opening year unknown, best estimate 2019 (year approximate); coords {APPROX}"),
    _e("鄞州—衢江产业飞地", "宁波市", "鄞州区", "衢州市", "衢江区", "industry", "operating", 2021, (121.750, 29.750),
       f"Work began 2021-12, 1501 mu, output > ¥5亿 in 2022: {CE_YINQU}; coords {APPROX}"),
    _e("鄞衢科创飞地", "宁波市", "鄞州区", "衢州市", "衢江区", "science", "operating", 2021, (121.550, 29.820),
       f"At Ningbo Southern Business District, mentioned in {CE_YINQU} (text cut off); status assumed, opening year "
       f"unknown, best estimate 2021 (year approximate); coords {APPROX}"),
    _e("慈溪—常山产业飞地", "宁波市", "慈溪市", "衢州市", "常山县", "industry", "operating", 2021, (121.495, 30.180),
       f"Groundbreaking 2021-09-24 at Cixi Binhai ETDZ, 200 mu: http://zgkjsz.com/page/2023/1116/22725239.shtml; coords {APPROX}"),
    _e("莲都(江北)高新产业协同发展中心", "宁波市", "江北区", "丽水市", "莲都区", "science", "operating", 2021,
       (121.530, 29.920),
       "科创飞地, signed 11-26, year not in the excerpt (twinning since 2018): best estimate 2021 (year approximate): "
       f"https://nb.ifeng.com/c/881jsbObUTs; coords {APPROX}"),
    _e("宁波前湾新区丽水科创产业园", "宁波市", "慈溪市", "丽水市", "丽水经开区", "industry", "operating", 2019,
       (121.270, 30.300),
       "丽水经开区飞地, agreement 2019-05-31: http://zjrb.zjol.com.cn/html/2019-07/24/content_3249677.htm; "
       f"http://www.studyofnet.com/236402145.html; coords {APPROX}"),
    _e("宁波—青田山海协作保税飞地", "宁波市", "北仑区", "丽水市", "青田县", "industry", "operating", 2020,
       (121.826, 29.908),
       f"Named in {QWITALY} (text cut off): details unverified, host bonded area assumed; opening year unknown, "
       f"best estimate 2020 (year approximate); coords {APPROX}"),
    _e("宿州市杭州科创飞地", "杭州市", "西湖区", "安徽省宿州市", "宿州市", "science", "operating", 2023,
       (120.090, 30.310),
       f"Unveiled 2023 at 紫金港科技城 华策中心: {CHINA_COM}; cross-province, so not counted in the ZJ target; coords {APPROX}"),
    _e("松阳—余姚山海协作产业园", "丽水市", "松阳县", "宁波市", "余姚市", "industry", "operating", 2013,
       (119.480, 28.450),
       f"Provincial 山海协作 park co-built by Yuyao in Songyang: {SHANHAI_PARKS}; opening year unknown, best estimate "
       f"2013 (year approximate); coords {APPROX}"),
    _e("龙泉—萧山山海协作产业园", "丽水市", "龙泉市", "杭州市", "萧山区", "industry", "operating", 2013,
       (119.140, 28.070),
       f"Provincial 山海协作 park co-built by Xiaoshan in Longquan: {SHANHAI_PARKS}; opening year unknown, best "
       f"estimate 2013 (year approximate); coords {APPROX}"),
    _e("杭州高新区(滨江)萧山特别合作园", "杭州市", "萧山区", "杭州市", "滨江区", "science", "operating", 2022,
       (120.230, 30.130),
       "Intra-Hangzhou enclave-type park, 13.48 km², unveiled 2022-03-03 (intra-city: not counted in the target): "
       f"https://zjnews.zjol.com.cn/202203/t20220304_23889336.shtml; coords {APPROX}"),
    _e("滨富特别合作区", "杭州市", "富阳区", "杭州市", "滨江区", "industry", "operating", 2022, (120.020, 30.030),
       "Intra-Hangzhou, in the Fuyang opto-mechatronic park (intra-city: not counted in the target): "
       "http://news.guhantai.com/rd/2022/0311/100014436.html; opening year not stated, 2022 from the article date "
       f"(year approximate); coords {APPROX}"),
]

ILLUSTRATIVE = "illustrative: planned enclave invented for the sample project (not a real project); coords approximate"

PLANNED = [
    _e("开化县杭州科创飞地(规划)", "杭州市", "余杭区", "衢州市", "开化县", "science", "planned", 2025, (119.985, 30.300), ILLUSTRATIVE),
    _e("文成县杭州科创飞地(规划)", "杭州市", "滨江区", "温州市", "文成县", "science", "planned", 2025, (120.185, 30.190), ILLUSTRATIVE),
    _e("磐安县杭州科创飞地(规划)", "杭州市", "拱墅区", "金华市", "磐安县", "science", "planned", 2026, (120.135, 30.335), ILLUSTRATIVE),
    _e("天台县杭州科创飞地(规划)", "杭州市", "上城区", "台州市", "天台县", "science", "planned", 2026, (120.200, 30.250), ILLUSTRATIVE),
    _e("遂昌县临平产业飞地(规划)", "杭州市", "临平区", "丽水市", "遂昌县", "industry", "planned", 2025, (120.300, 30.430), ILLUSTRATIVE),
    _e("庆元县钱塘产业飞地(规划)", "杭州市", "钱塘区", "丽水市", "庆元县", "industry", "planned", 2026, (120.500, 30.300), ILLUSTRATIVE),
    _e("甬杭科创飞地(规划)", "杭州市", "西湖区", "宁波市", "宁波市", "science", "planned", 2024, (120.075, 30.320), ILLUSTRATIVE),
    _e("杭甬协同创新中心(规划)", "宁波市", "鄞州区", "杭州市", "杭州市", "science", "planned", 2024, (121.620, 29.900), ILLUSTRATIVE),
    _e("泰顺县宁波科创飞地(规划)", "宁波市", "海曙区", "温州市", "泰顺县", "science", "planned", 2025, (121.540, 29.865), ILLUSTRATIVE),
    _e("武义县北仑产业飞地(规划)", "宁波市", "北仑区", "金华市", "武义县", "industry", "planned", 2026, (121.830, 29.870), ILLUSTRATIVE),
    _e("三门县前湾产业飞地(规划)", "宁波市", "慈溪市", "台州市", "三门县", "industry", "planned", 2027, (121.310, 30.280), ILLUSTRATIVE),
    _e("龙游县镇海科创飞地(规划)", "宁波市", "镇海区", "衢州市", "龙游县", "science", "planned", 2025, (121.600, 29.955), ILLUSTRATIVE),
    _e("景宁县奉化产业飞地(规划)", "宁波市", "奉化区", "丽水市", "景宁畲族自治县", "industry", "planned", 2027, (121.410, 29.660), ILLUSTRATIVE),
    _e("衢江—萧山智造园(规划)", "衢州市", "衢江区", "杭州市", "萧山区", "industry", "planned", 2025, (118.960, 28.980), ILLUSTRATIVE),
    _e("丽水—宁波山海协作产业园(规划)", "丽水市", "莲都区", "宁波市", "宁波市", "industry", "planned", 2026, (119.920, 28.450), ILLUSTRATIVE),
]

ENCLAVES = REAL + PLANNED
