"""A small project with three scenarios (different layers, filters, extents) for the scenario UI tests."""

from hygis.project import Project
from hygis.project.scenario_commands import AddScenario
from tests.factories import corridor_layer, enclave_layer

EXTENTS = {"现状 2020": (119.9, 29.9, 120.4, 30.3), "规划 2025": (119.5, 29.8, 120.8, 30.5),
           "愿景 2035": (119.0, 29.0, 121.5, 31.0)}


def three_scenario_project() -> Project:
    p = Project("测试")
    corridor, enclaves = corridor_layer(), enclave_layer(6)
    p.layers.append(corridor)
    p.layers.append(enclaves)
    specs = [{"type": "enclave_target", "target": 6}, {"type": "count", "layer": "科创走廊"}]
    for name, flt, corridor_on in (("现状 2020", "year_opened <= 2016", False),
                                   ("规划 2025", "year_opened <= 2018", True), ("愿景 2035", "", True)):
        enclaves.filter, corridor.visible = flt, corridor_on
        p.execute(AddScenario(p, name, extent=EXTENTS[name], title=f"{name} 标题", subtitle="副标题",
                              notes=f"{name} 讲稿", indicators=specs))
    enclaves.filter, corridor.visible = "", True
    p.history.clear()
    return p
