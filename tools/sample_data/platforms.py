"""创新平台 (platform) and 产业平台 (newarea): the plan's labs and the 杭绍甬产业创新带 areas."""

from sample_data import APPROX

PLATFORMS = [
    {"name": "之江实验室", "name_en": "Zhejiang Lab", "platform_type": "provincial_lab", "city": "杭州市", "year": 2017,
     "shape": {"type": "point", "lonlat": (119.935, 30.262)},
     "source": f"At 南湖, 余杭 (a node of the 城西 corridor axis; REFERENCE.md §1b); founded 2017 (general knowledge); coords {APPROX}"},
    {"name": "甬江实验室", "name_en": "Yongjiang Laboratory", "platform_type": "provincial_lab", "city": "宁波市", "year": 2021,
     "shape": {"type": "point", "lonlat": (121.612, 29.932)},
     "source": ("Start-up area on 中官西路, 庄市 (镇海), with the CAS Ningbo Institute of Materials (REFERENCE.md §1b); "
                f"founded 2021 (general knowledge); coords {APPROX}")},
]

NEWAREAS = [
    {"name": "杭州钱塘新区", "name_en": "Hangzhou Qiantang New Area", "city": "杭州市", "area_type": "new_area",
     "year": 2019, "published_area_km2": 531.7, "area_basis": "drawn",
     "shape": {"type": "districts", "names": ["钱塘区"]},
     "source": ("Set up 2019-04 (531.7 km², general knowledge, approximate), the administrative 钱塘区 since 2021: "
                "drawn as the basemap's 钱塘区 polygon, which includes the estuary water, so the drawn area is larger "
                "than the published one")},
    {"name": "宁波前湾新区", "name_en": "Ningbo Qianwan New Area", "city": "宁波市", "area_type": "new_area", "year": 2019,
     "published_area_km2": 604.0, "area_basis": "published",
     "shape": {"type": "rect", "center": (121.250, 30.270), "area_km2": 604.0, "aspect": 2.0, "rotation_deg": 8,
               "clip": {"districts": ["慈溪市", "余姚市"]}},
     "source": ("Set up 2019 on the 杭州湾 south shore (慈溪/余姚), planned area ~604 km² (general knowledge, "
                f"approximate). Outline illustrative (approximate: sized to 604 km² around the anchor, {APPROX})")},
    {"name": "绍兴滨海新区(示意)", "name_en": "Shaoxing Binhai New Area (illustrative outline)", "city": "绍兴市",
     "area_type": "new_area", "year": 2019, "published_area_km2": None, "area_basis": "derived", "illustrative": True,
     "shape": {"type": "belt", "width_km": 9.0, "path": [(120.520, 30.140), (120.680, 30.120), (120.860, 30.100)],
               "clip": {"districts": ["柯桥区", "越城区", "上虞区"]}},
     "source": ("illustrative: the new area between 杭州 and 宁波 on the 杭州湾 south shore (柯桥/越城/上虞 north), "
                "set up 2019 (general knowledge); its extent and area are NOT in the reference: a 9 km belt drawn for the "
                f"map only ({APPROX})")},
]
