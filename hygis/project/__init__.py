"""The project model: layers, scenarios, plan targets, edit commands and the ``.hygis`` file.

``Project`` (model.py) owns an evented layer list (layerlist.py), the scenario
collection (scenarios.py), plan targets (targets.py) and the command history
(commands.py, scenario_commands.py).  Reading and writing a ``.hygis``
GeoPackage is fileformat.py (``open_project``/``save_project``); crash
recovery is recovery.py; scenario indicators are indicators.py.  Nothing here
imports Qt.
"""

from hygis.project.model import Project

__all__ = ["Project", "open_project", "save_project"]


def __getattr__(name):  # the file format pulls in GDAL: load it on first use only
    if name in ("open_project", "save_project"):
        from hygis.project import fileformat

        return getattr(fileformat, name)
    raise AttributeError(name)
