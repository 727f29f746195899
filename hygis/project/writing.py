"""Open → change → save a project file as one step against other writers (the CLI's commands
that change a project: ``hygis import``, ``hygis import --append``, ``hygis update``).

::

    with project_for_writing(path) as project:
        project.execute(AddLayer(project, layer))   # saved when the block ends, if anything changed

The project's write lock (:mod:`hygis.project.lock`) is held from opening the file to saving it,
so concurrent writers land one after the other.  An exception inside the block saves nothing:
the file stays byte-for-byte as it was.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from hygis.core.errors import HygisError


@contextlib.contextmanager
def project_for_writing(path, create: bool = False, missing_hint: str = ""):
    """Yield the project stored at ``path`` (a new one named after the file when ``create`` and the
    file does not exist), holding its lock; save it atomically if the block changed it."""
    from hygis.project import Project
    from hygis.project.fileformat import open_project, save_project
    from hygis.project.lock import project_lock

    path = Path(path)
    if not path.exists() and not create:
        raise HygisError("Project {path} does not exist{missing_hint}", path=path, missing_hint=missing_hint)
    if not path.exists() and path.suffix.lower() != ".hygis":
        raise HygisError("A project file ends in .hygis: {file}", file=path.name)
    with project_lock(path):
        project = open_project(path) if path.exists() else Project(title=path.stem)
        yield project
        if project.dirty:
            save_project(project, path)
