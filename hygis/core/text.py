"""Texts a user reads, kept as templates so the desktop app can show them in the user's language.

A :class:`Label` is the English text (what the CLI prints and the log keeps) that also remembers
its template and values: ``hygis.ui`` translates the template through ``hygis/i18n/<lang>.json``
and fills in the same values.  Command labels (undo steps, context "Command") and error messages
(:class:`hygis.core.errors.HygisError`, context "Error") both use it.
"""

from __future__ import annotations


class Label(str):
    """The English text of ``template`` filled with ``values``, keeping both for translation.
    A value that is itself a Label (a reason, a property name) is translated too.

    >>> Label("Add layer {name}", name="飞地")
    'Add layer 飞地'
    """

    template: str
    values: dict

    def __new__(cls, template: str, /, **values):  # positional: a field may be named "template"
        obj = super().__new__(cls, template.format(**values) if values else template)
        obj.template, obj.values = template, values
        return obj

    def __reduce__(self):  # copies and pickles keep the template
        return _label, (self.template, self.values)


def _label(template, values):
    return Label(template, **values)


class Bilingual(str):
    """A name that carries its own Chinese text (an analysis parameter's label, a schema field):
    the English text as a str, ``zh`` for the desktop app in Chinese."""

    zh: str

    def __new__(cls, en: str, zh: str):
        obj = super().__new__(cls, en)
        obj.zh = zh
        return obj

    def __reduce__(self):
        return Bilingual, (str(self), self.zh)


class Joined(str):
    """Texts joined by ``sep`` ("a; b"), each translated on its own by the desktop app (a list of
    Labels inside a message: what a shapefile would cut, the invalid geometries found)."""

    items: tuple
    sep: str

    def __new__(cls, items, sep: str = "; "):
        items = tuple(items)
        obj = super().__new__(cls, sep.join(str(i) for i in items))
        obj.items, obj.sep = items, sep
        return obj

    def __reduce__(self):
        return Joined, (self.items, self.sep)
