"""The ``layer_styles`` table of a ``.hygis`` file: QGIS opens every layer with hygis' style.

Each save writes one row per vector layer (QGIS' schema and conventions: ``f_table_name``,
``f_geometry_column`` 'geom', ``styleQML``, ``styleSLD``, ``useAsDefault`` 1, ``owner``
'hygis').  The project JSON records a hash of each QML hygis wrote, so a row is hygis' own
only while its QML is byte-identical to it.  Rows QGIS users added -- for their own tables or
for hygis layers (QGIS' "Save as default") -- are kept: for a hygis layer they follow the
layer when its table is renamed and stop being the default (hygis read them on open and its
own row now says the same), for other tables they are not touched.
"""

from __future__ import annotations

import hashlib
import sqlite3

from hygis.project.gpkg import quote_ident
from hygis.project.qgis_sld import layer_sld
from hygis.project.qgis_style import STYLE_OWNER, layer_qml

TABLE = "layer_styles"
MAX_QML = 4 * 1024 * 1024
#: Where a kept row of a hygis layer points while the save rewrites the layer's table.
PARKED = "hygis:layer:"
CREATE = (f'CREATE TABLE IF NOT EXISTS {TABLE} ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
          '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
          '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
          '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
          "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))")


def qml_hash(qml) -> str:
    data = qml.encode("utf-8", "surrogatepass") if isinstance(qml, str) else bytes(qml or b"")
    return hashlib.sha256(data).hexdigest()


def _has_table(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).fetchone() is not None


def forget(con: sqlite3.Connection, owned: dict[str, tuple[str, str]]) -> None:
    """Before the previous save's tables are dropped: delete hygis' rows of them and park the
    other rows of hygis layers under the layer id.  ``owned``: {table: (layer id, QML hash)}."""
    if not owned or not _has_table(con):
        return
    lowered = {t.lower(): v for t, v in owned.items()}
    rows = con.execute(f"SELECT id, f_table_name, styleQML FROM {TABLE}").fetchall()
    for rid, table, qml in rows:
        hit = lowered.get(str(table).lower())
        if hit is None:
            continue
        layer_id, ours = hit
        if ours and qml_hash(qml) == ours:
            con.execute(f"DELETE FROM {TABLE} WHERE id = ?", (rid,))
        else:
            con.execute(f"UPDATE {TABLE} SET f_table_name = ? WHERE id = ?", (PARKED + layer_id, rid))


def write(con: sqlite3.Connection, layers: list, tables: dict[str, str]) -> dict[str, str]:
    """Write hygis' default style row of each vector layer; returns {layer id: QML hash}."""
    from hygis.layers.vector import VectorLayer

    con.execute(CREATE)
    con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
                "VALUES (?, 'attributes', ?, 'QGIS layer styles')", (TABLE, TABLE))
    hashes = {}
    for layer in layers:
        if not isinstance(layer, VectorLayer):
            continue
        table = tables[layer.id]
        con.execute(f"UPDATE {TABLE} SET f_table_name = ?, useAsDefault = 0 WHERE f_table_name = ?",
                    (table, PARKED + layer.id))
        con.execute(f"UPDATE {TABLE} SET useAsDefault = 0 WHERE f_table_name = ?", (table,))
        qml = layer_qml(layer)
        con.execute(f"INSERT INTO {TABLE} (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                    "styleName, styleQML, styleSLD, useAsDefault, description, owner) "
                    "VALUES ('', '', ?, 'geom', ?, ?, ?, 1, ?, ?)",
                    (table, layer.name, qml, layer_sld(layer), f"hygis style of {layer.name}", STYLE_OWNER))
        hashes[layer.id] = qml_hash(qml)
    con.execute(f"DELETE FROM {TABLE} WHERE f_table_name LIKE ?", (PARKED + "%",))  # layers removed since
    return hashes


def read_defaults(con: sqlite3.Connection) -> dict[str, str]:
    """{table: QML} of the style QGIS would load for each table (default first, then newest)."""
    kind = con.execute("SELECT type FROM sqlite_master WHERE name = ?", (TABLE,)).fetchone()
    if not kind or kind[0] != "table":
        return {}
    out: dict[str, str] = {}
    rows = con.execute(f"SELECT f_table_name, styleQML FROM {quote_ident(TABLE)} "
                       "WHERE length(styleQML) <= ? AND typeof(styleQML) = 'text' "
                       "ORDER BY useAsDefault DESC, update_time DESC, id DESC", (MAX_QML,)).fetchall()
    for table, qml in rows:
        if isinstance(table, str) and table not in out:
            out[table] = qml
    return out
