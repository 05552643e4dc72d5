"""Keep input text out of folium's templates: placeholders filled in after the page is rendered.

folium and branca build a page by compiling Jinja2 templates, and they compile
more than their own: ``folium.Element(text)`` compiles ``text``, and every
``MacroElement`` (layers, the layer control, our drawing script) has its
rendered output compiled *again* as the template of a new ``Element``.  HTML
escaping leaves ``{{ }}`` and ``{% %}`` alone, so a premises called
``The {{ 6*7 }} Inn`` would show ``The 42 Inn``, and worse expressions would
run Python on the analyst's machine.

So no string that came from an input file is ever handed to folium.  Each one
goes into a :class:`PageSlots` and folium sees only an opaque placeholder (ASCII
letters and digits, which every Jinja filter and JSON encoder leaves as they
are).  After ``Figure.render()`` the placeholders are replaced in one pass, so
the text is never compiled and a placeholder written inside input text is
never expanded.  Two kinds of slot:

* *markup* (:meth:`PageSlots.markup`): HTML or JavaScript that licvisit writes
  (the side panel, the drawing script), with any input text already escaped as
  text.  Filled before the offline check, so the check sees our markup.
* *data* (:meth:`PageSlots.data`, :meth:`PageSlots.js_text`): JSON read by the
  page's own script, or the body of a JavaScript string literal.  Filled after
  the offline check, which looks instead at the markup inside the data's
  strings (the popups' HTML), so escaped input text such as
  ``url(http://...)`` in a premises name is not taken for a remote load.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from licvisit.render.offline import external_resources, json_for_script, raw_element

__all__ = ["PageSlots", "raw_element"]


class PageSlots:
    """Placeholders for the text of one page, and the text that replaces them after rendering."""

    def __init__(self) -> None:
        # A fresh random tag per page: input text cannot guess it, and it never reaches the output.
        self._tag = "lvslot" + secrets.token_hex(8)
        self._pattern = re.compile(re.escape(self._tag) + r"([md])(\d+)z")
        self._values: dict[str, list[str]] = {"m": [], "d": []}
        self._markup_in_data: list[str] = []

    def _add(self, kind: str, text: str) -> str:
        self._values[kind].append(text)
        return f"{self._tag}{kind}{len(self._values[kind]) - 1}z"

    def markup(self, text: str) -> str:
        """Return a placeholder for markup or script licvisit wrote (input text in it already escaped)."""
        return self._add("m", text)

    def data(self, obj: Any) -> str:
        """Return a placeholder for ``obj`` as script-safe JSON (see :func:`json_for_script`)."""
        self._collect_markup(obj)
        return self._add("d", json_for_script(obj))

    def text_data(self, obj: Any) -> str:
        """Return a placeholder for ``obj`` as script-safe JSON whose strings the page only shows as text.

        For data that the page's own script puts in with ``textContent`` (the
        outcome form, street names), never as markup: its strings are not taken
        for markup by the offline check, so a condition reading
        ``<img src=http://...>`` is shown as it is and loads nothing.
        """
        return self._add("d", json_for_script(obj))

    def js_text(self, text: str) -> str:
        """Return a placeholder for ``text`` inside a double-quoted JavaScript or JSON string literal."""
        self._collect_markup(text)
        # ASCII-only, as folium's own ``tojson`` writes layer names; the same characters are escaped.
        return self._add("d", json_for_script(str(text), ascii_only=True)[1:-1])

    def _collect_markup(self, obj: Any) -> None:
        if isinstance(obj, str):
            if "<" in obj:
                self._markup_in_data.append(obj)
        elif isinstance(obj, dict):
            for v in obj.values():
                self._collect_markup(v)
        elif isinstance(obj, list | tuple):
            for v in obj:
                self._collect_markup(v)

    def fill_markup(self, page: str) -> str:
        """Replace the markup placeholders in ``page`` (data placeholders inside them are kept)."""
        return self._fill(page, "m")

    def fill_data(self, page: str) -> str:
        """Replace the data placeholders in ``page``; call last."""
        return self._fill(page, "d")

    def data_resources(self) -> list[str]:
        """Remote URLs that the markup inside the data strings would load (escaped input text ignored)."""
        return [u for text in self._markup_in_data for u in external_resources(text)]

    def _fill(self, page: str, kind: str) -> str:
        values = self._values[kind]
        seen: set[int] = set()

        def sub(m: re.Match[str]) -> str:
            if m.group(1) != kind:
                return m.group(0)
            i = int(m.group(2))
            seen.add(i)
            return values[i]

        out = self._pattern.sub(sub, page)
        if len(seen) != len(values):
            # A placeholder that folium dropped or changed would lose text silently: a bug, not bad input.
            raise RuntimeError(
                f"{len(values) - len(seen)} page text placeholder(s) not found after rendering"
            )
        return out
