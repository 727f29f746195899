"""File operations of the main window: new/open/save/save as, add layers, drops, map export.

Functions take the :class:`~hygis.ui.mainwindow.MainWindow`; errors a user can
cause are shown in a dialog (``window.show_error``) and never raised, so the app
stays usable.  Heavy modules (``hygis.io``, rendering) are imported lazily to keep
start-up fast.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from hygis.project.commands import AddLayer
from hygis.ui.undo import label_text
from hygis.core.errors import CancelledError, HygisError
from hygis.core.text import Joined
from hygis.ui.error_dialog import error_message
from hygis.project import Project
from hygis.project.fileformat import open_project, save_project

PROJECT_SUFFIX = ".hygis"
VECTOR_PATTERNS = "*.gpkg *.shp *.geojson *.json *.kml *.gml *.csv *.dxf *.zip *.fgb *.tab"
RASTER_PATTERNS = "*.tif *.tiff *.img *.vrt *.asc *.nc *.jp2"


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def project_filter() -> str:
    return _tr("hygis projects (*.hygis)")


def layer_filter() -> str:
    return ";;".join([_tr("All supported files") + f" ({VECTOR_PATTERNS} {RASTER_PATTERNS})",
                      _tr("Vector files") + f" ({VECTOR_PATTERNS})", _tr("Raster files") + f" ({RASTER_PATTERNS})",
                      _tr("All files (*)")])


# -- unsaved changes ------------------------------------------------------------------------------
def ask_save(window) -> QMessageBox.StandardButton:
    """Ask Save/Discard/Cancel about unsaved changes (tests replace this function)."""
    buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
               | QMessageBox.StandardButton.Cancel)
    name = window.project.title or (window.project.path.name if window.project.path else _tr("Untitled project"))
    return QMessageBox.question(window, _tr("Unsaved changes"),
                                _tr("Save the changes to “{name}” before closing it?").format(name=name),
                                buttons, QMessageBox.StandardButton.Save)


def maybe_save(window) -> bool:
    """True if the current project may be closed (saved, discarded or clean).  A commit of linked
    layers' edits still running finishes first (it saves the project's new base)."""
    team = getattr(window, "team", None)
    if team is not None:
        team.wait()
    if window.project is None or not window.project.dirty:
        return True
    answer = ask_save(window)
    if answer == QMessageBox.StandardButton.Save:
        return save(window)
    return answer == QMessageBox.StandardButton.Discard


# -- new / open / save ----------------------------------------------------------------------------
def new_project(window) -> None:
    if maybe_save(window):
        window.set_project(Project())


def open_dialog(window) -> None:
    if not maybe_save(window):
        return
    start = str(window.project.path.parent) if window.project.path else ""
    path, _ = QFileDialog.getOpenFileName(window, _tr("Open Project"), start,
                                          project_filter() + ";;" + layer_filter())
    if path:
        open_path(window, path)


def open_with_prompt(window, path) -> bool:
    return maybe_save(window) and open_path(window, path)


def opens_through_import_dialog(path) -> bool:
    """True for files opened via the import dialog (vector files; not .hygis projects nor rasters)."""
    return Path(path).suffix.lower() != PROJECT_SUFFIX and not is_raster(path)


def open_path(window, path) -> bool:
    """Open ``path``: a .hygis project, or a GIS file as a new project holding its layers.

    A vector file goes through the import dialog (preview, encoding override) like
    Add Layer; cancelling it keeps the open project.
    """
    path = Path(path)
    if opens_through_import_dialog(path):
        return open_vector_as_project(window, path)
    try:
        if path.suffix.lower() == PROJECT_SUFFIX:
            project = open_project(path)
        else:
            layers = load_layers(window, path)
            project = Project(title=path.stem)
            for layer in layers:
                project.layers.append(layer)
    except CancelledError:
        return False
    except (HygisError, OSError) as exc:
        window.show_error(exc if isinstance(exc, HygisError) else HygisError("Cannot open {path}: {reason}", path=path, reason=exc))
        return False
    window.set_project(project)
    if path.suffix.lower() == PROJECT_SUFFIX:
        window.settings.add_recent(path)
        window.update_recent_menu()
    return True


def open_vector_as_project(window, path) -> bool:
    """A new project titled after ``path`` holding the layers the user imports from it.

    The layers are added by :func:`add_layer_files` (the import dialog); the new
    project replaces the open one only once there is something to add, and starts
    clean with an empty undo history, as an opened project does.
    """
    project = Project(title=Path(path).stem)
    if add_layer_files(window, [path], new_project=project) == 0:
        return False
    project.history.clear()
    project.mark_clean()
    return True


def save(window) -> bool:
    if window.project.path is None:
        return save_as(window)
    return save_to(window, window.project.path)


def save_as(window) -> bool:
    start = str(window.project.path) if window.project.path else (window.project.title or "project") + PROJECT_SUFFIX
    path, _ = QFileDialog.getSaveFileName(window, _tr("Save Project As"), start, project_filter())
    if not path:
        return False
    if not path.lower().endswith(PROJECT_SUFFIX):
        path += PROJECT_SUFFIX
    return save_to(window, path)


def save_to(window, path, overwrite: bool = False) -> bool:
    """Save the project to ``path`` and mark it clean; errors are shown.

    If another program replaced the file since it was opened here, the user chooses:
    overwrite it, save under another name, or cancel (never a silent overwrite).
    """
    from hygis.project.lock import ChangedOnDisk

    team = getattr(window, "team", None)
    if team is not None:  # the previous save's commit to the database finishes first (its new base)
        team.wait()
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        saved = save_project(window.project, path, overwrite=overwrite)
    except ChangedOnDisk:
        QApplication.restoreOverrideCursor()
        from hygis.ui.disk_watch import confirm_overwrite

        answer = confirm_overwrite(window, Path(path))
        if answer == "overwrite":
            return save_to(window, path, overwrite=True)
        return save_as(window) if answer == "save_as" else False
    except (HygisError, OSError) as exc:
        QApplication.restoreOverrideCursor()
        window.show_error(exc if isinstance(exc, HygisError) else HygisError("Cannot save {path}: {reason}", path=path, reason=exc))
        return False
    QApplication.restoreOverrideCursor()
    window.project.mark_clean()
    window.settings.add_recent(saved or path)
    window.update_recent_menu()
    window.statusBar().showMessage(_tr("Saved {path}").format(path=saved or path), 5000)
    if team is not None:  # live linked layers: their pending edits go to the database now (hygis.ui.db)
        team.after_save()
    return True


# -- layers ---------------------------------------------------------------------------------------
def is_raster(path) -> bool:
    """True for the raster files Add Layer reads directly (vector files go through the import dialog)."""
    return f"*{Path(path).suffix.lower()}" in RASTER_PATTERNS.split()


def load_layers(window, path) -> list:
    """Read the layers of a vector/raster file off the UI thread (``hygis.io.load_layers``)."""
    try:
        from hygis.io import load_layers as io_load
    except ImportError:
        raise HygisError("Reading GIS files is not available in this installation") from None

    def _work(p, progress=None, cancelled=None):
        return io_load(p)

    return window.run_task(_tr("Reading {name}…").format(name=Path(path).name), _work, str(path))


def run_import_dialog(dialog) -> bool:
    """Show the import dialog modally; True if the user imported (tests replace this function)."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def import_vector(window, path, project=None) -> list:
    """The layers of a vector file read through the import dialog ([] if cancelled).

    The dialog previews the first rows and lets the user override the text
    encoding, datum, CRS and layer kind; garbled text is refused there.  A file
    that cannot be previewed raises :class:`HygisError` instead of opening it.
    Features appended to a layer of ``project`` (default: the window's) are added
    there as one undoable command and no new layer is returned.
    """
    from hygis.ui.import_dialog import ImportDialog

    project = project if project is not None else window.project
    dialog = ImportDialog(path, window, project)
    try:
        if dialog.preview is None:
            shown = dialog.error_label.text()  # the dialog's reason, already in the UI language
            raise HygisError(shown) if shown else HygisError("Cannot read {file}", file=Path(path).name)
        if not run_import_dialog(dialog):
            return []
        if dialog.append_command is not None:
            project.execute(dialog.append_command)
            window.statusBar().showMessage(label_text(dialog.append_command.label), 8000)
            return []
        return list(dialog.layers)
    finally:
        dialog.deleteLater()


def add_layer_dialog(window) -> None:
    paths, _ = QFileDialog.getOpenFileNames(window, _tr("Add Layer"), "", layer_filter())
    if paths:
        add_layer_files(window, paths)


def add_layer_files(window, paths, new_project=None) -> int:
    """Add the layers of each file (rasters read directly, vector files through the import dialog).

    Each layer is one undoable AddLayer command; errors are shown; returns how many were added.
    With ``new_project``, that project is shown just before the first layers are
    added to it (so a cancelled or failed import leaves the open project alone).
    """
    added = 0
    for path in paths:
        try:
            layers = load_layers(window, path) if is_raster(path) else import_vector(window, path, new_project)
        except CancelledError:
            break
        except (HygisError, OSError) as exc:
            window.show_error(exc if isinstance(exc, HygisError) else HygisError("Cannot read {path}: {reason}", path=path, reason=exc))
            continue
        if layers and new_project is not None:
            window.set_project(new_project)
            new_project = None
        added += add_layers(window, layers)
    return added


def add_layers(window, layers) -> int:
    """Add ``layers`` to the window's project, each as an undoable step; returns how many.

    Import warnings go to the status bar; the view zooms to the project's extent
    if it was empty, else to the last layer added.
    """
    project = window.project
    was_empty = len(project.layers) == 0
    for layer in layers:
        project.execute(AddLayer(project, layer))
        warnings = getattr(layer, "import_warnings", [])
        if warnings:
            window.statusBar().showMessage(f"{layer.name}: {error_message(Joined(warnings))}", 15000)
    if layers and was_empty and project.full_extent() is not None:
        window.canvas.set_extent(project.full_extent())
    elif layers and layers[-1].bounds:
        window.canvas.zoom_to_layer(layers[-1])
    return len(layers)


def dropped_paths(mime) -> list[str]:
    """Local file paths of a drag's mime data."""
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


def drop_files(window, paths) -> None:
    """A dropped .hygis opens as the project; any other file is added as layers."""
    projects = [p for p in paths if p.lower().endswith(PROJECT_SUFFIX)]
    if projects and len(paths) == 1:
        open_with_prompt(window, projects[0])
    else:
        add_layer_files(window, [p for p in paths if not p.lower().endswith(PROJECT_SUFFIX)])


# -- export ---------------------------------------------------------------------------------------
def export_image_dialog(window):
    """File ▸ Export Map Image…: size, DPI, title, furniture and file (the canvas extent)."""
    from hygis.ui.export_image_dialog import open_export_image_dialog

    return open_export_image_dialog(window)


def export_image(window, path, size=(1920, 1080)) -> bool:
    """Write the current view (legend, scale bar, north arrow) to PNG/SVG/PDF by suffix."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        from hygis.ui.render import export_map

        export_map(window.project, path, size, extent=window.canvas.extent())
    except (HygisError, OSError) as exc:
        window.show_error(exc if isinstance(exc, HygisError) else HygisError("Cannot write {path}: {reason}", path=path, reason=exc))
        return False
    finally:
        QApplication.restoreOverrideCursor()
    window.statusBar().showMessage(_tr("Exported {path}").format(path=path), 5000)
    return True
