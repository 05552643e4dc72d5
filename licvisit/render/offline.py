"""Make folium maps work with no network: embed vendored assets, strip every CDN link.

Folium adds ``<script src="https://cdn...">`` and ``<link href="https://...">``
tags for Leaflet, jQuery, Bootstrap, Font Awesome and each plugin it uses.
On a tablet with no signal that is a blank page.  :func:`make_offline`
removes every such link from the map's element tree before rendering and puts
the vendored copies in ``licvisit/render/assets`` inline instead (images in
the CSS become ``data:`` URIs).  :func:`external_resources` lists anything
left that would make the browser fetch from the network; :func:`assert_offline`
raises if there is any.  We do not use jQuery, Bootstrap or Font Awesome:
our popups are plain Leaflet popups and our markers are ``DivIcon``s.

Safe serialisation for data put inside ``<script>``: :func:`json_for_script`.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).parent / "assets"

# (asset name, kind, file under assets/); order matters: Leaflet first.
BUNDLES: dict[str, list[tuple[str, str]]] = {
    "leaflet": [("js", "leaflet/leaflet.js"), ("css", "leaflet/leaflet.css")],
    "fullscreen": [
        ("js", "leaflet.fullscreen/Control.FullScreen.js"),
        ("css", "leaflet.fullscreen/Control.FullScreen.css"),
    ],
    "locate": [
        ("js", "leaflet.locatecontrol/L.Control.Locate.min.js"),
        ("css", "leaflet.locatecontrol/L.Control.Locate.min.css"),
    ],
    "heat": [("js", "leaflet.heat/leaflet_heat.min.js")],
}

_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def _data_uri(path: Path) -> str:
    return f"data:{_MIME[path.suffix]};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@functools.cache
def asset_text(rel: str) -> str:
    """Return a vendored file's text; relative ``url(...)`` in CSS become data URIs."""
    path = ASSETS / rel
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".css":

        def inline(m: re.Match[str]) -> str:
            target = m.group(2)
            if target.startswith(("data:", "#")):
                return m.group(0)
            local = (path.parent / target).resolve()
            if not local.is_file() or ASSETS.resolve() not in local.parents:
                raise FileNotFoundError(f"vendored CSS {rel} refers to {target}, which is not vendored")
            return f'url("{_data_uri(local)}")'

        text = _CSS_URL.sub(inline, text)
    # Source maps are not vendored; the comment would only make developer tools look for one.
    text = re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", text)
    # A literal "</script" or "</style" inside an asset would end the tag early.
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def own_asset(rel: str) -> str:
    """Return the text of one of licvisit's own page assets (``assets/*.css``, ``*.js``) exactly as stored.

    Unlike :func:`asset_text` (vendored files), nothing is rewritten: the page
    style sheets and script templates are put in the pages as they are.
    """
    return (ASSETS / rel).read_text(encoding="utf-8")


def inline_assets(names: list[str]) -> str:
    """Return ``<style>`` and ``<script>`` tags holding the named bundles."""
    css, js = [], []
    for name in names:
        for kind, rel in BUNDLES[name]:
            (css if kind == "css" else js).append((rel, asset_text(rel)))
    parts = [f"<style>/* {rel} */\n{text}\n</style>" for rel, text in css]
    parts += [f"<script>/* {rel} */\n{text}\n</script>" for rel, text in js]
    return "\n".join(parts)


def raw_element(text: str):
    """Return a folium element that writes ``text`` into the page as it is, never compiling it."""
    return _raw_class()(text)


@functools.cache
def _raw_class():
    """Build the element class once, on first use (importing folium is slow)."""
    from branca.element import Element
    from jinja2 import Template

    class RawHtml(Element):
        """An element whose text is a template *variable*, so Jinja2 copies it and compiles nothing."""

        _template = Template("{{ this.text }}")

        def __init__(self, text: str):
            super().__init__()
            self._name = "RawHtml"
            self.text = text

    return RawHtml


def _walk(element: Any):
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def make_offline(m: Any, bundles: list[str]) -> Any:
    """Strip folium's CDN links from map ``m`` (and every child) and embed ``bundles``.

    Call after every layer and plugin has been added and before rendering.
    Returns the root ``Figure``.
    """
    # The assets are our vendored files, but they are not Jinja2 templates either: never compile them.
    fig = m.get_root()
    for el in _walk(fig):
        # Instance attributes shadow the class lists folium renders as <script src>/<link href>.
        if hasattr(el, "default_js"):
            el.default_js = []
        if hasattr(el, "default_css"):
            el.default_css = []
    fig.header.add_child(raw_element(inline_assets(["leaflet", *bundles])), name="licvisit_assets", index=0)
    return fig


# Inside <script> (JavaScript that could write a tag or a style) and as a last resort:
# src/href on loading tags, CSS url()/@import, srcset.
_LOADING = re.compile(
    r"<(?:script|img|iframe|embed|source|audio|video|input)\b[^>]*?\bsrc\s*=\s*['\"]?\s*((?:https?:)?//[^'\" >]+)"
    r"|<link\b[^>]*?\bhref\s*=\s*['\"]?\s*((?:https?:)?//[^'\" >]+)"
    r"|url\(\s*['\"]?\s*((?:https?:)?//[^'\")]+)"
    r"|@import\s+['\"]((?:https?:)?//[^'\"]+)",
    re.IGNORECASE,
)
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
# Attributes whose value the browser fetches by itself, on any element (<a href> only navigates).
_FETCHED = {"src", "poster", "data", "background", "formaction", "lowsrc", "dynsrc"}
_HREF_FETCHED = {"link", "image", "use", "feimage", "script"}


class _ResourceScanner(HTMLParser):
    """Walk a page's markup and collect what it would fetch; text between tags is never looked at.

    Input text reaches our pages only as escaped text (or inside a quoted
    attribute such as ``aria-label``), so a premises called
    ``url(http://x)`` is words on the page, not a load: only markup that
    licvisit and its libraries wrote is checked.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in: str | None = None

    def _url(self, value: str | None) -> None:
        if value and _REMOTE.match(value):
            self.found.append(value.strip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in _FETCHED or (name in ("href", "xlink:href") and tag in _HREF_FETCHED):
                self._url(value)
            elif name in ("srcset", "imagesrcset") and value:
                for part in value.split(","):
                    self._url(part.strip().split(" ")[0])
            elif name == "style" and value:
                self.found.extend(_css_urls(value))
            elif name == "content" and tag == "meta" and value and "url=" in value.lower():
                self._url(value.lower().split("url=", 1)[1].strip("'\" "))
        if tag in ("script", "style"):
            self._in = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in = None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.found.extend(_css_urls(data))
        elif self._in == "script":
            self.found.extend(next(g for g in m.groups() if g) for m in _LOADING.finditer(data))


def _css_urls(css: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in _LOADING.finditer(css) if m.group(3) or m.group(4)]


def external_resources(html: str) -> list[str]:
    """Return every remote URL the page's markup would load by itself (links in ``<a href>`` excepted).

    Looks at tags and their attributes, ``<style>`` and ``style=``, and what
    ``<script>`` code could write; never at the text between tags, where
    escaped input text lives.
    """
    scanner = _ResourceScanner()
    scanner.feed(html)
    scanner.close()
    return scanner.found


def assert_offline(html: str, allowed_prefixes: tuple[str, ...] = ()) -> None:
    """Raise ValueError if ``html`` would load anything from the network.

    ``allowed_prefixes`` are URL prefixes the user configured (a tile server).
    """
    bad = [u for u in external_resources(html) if not u.startswith(allowed_prefixes)]
    if bad:
        raise ValueError(f"map would load {len(bad)} remote resource(s), first {bad[0]!r}; expected none")


def json_for_script(obj: Any, *, ascii_only: bool = False) -> str:
    """Serialise ``obj`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc. so that no input string can
    close the script tag or open a comment; U+2028/2029 are escaped because
    older JavaScript engines treat them as line ends.  ``ascii_only`` writes
    every other non-ASCII character as ``\\uXXXX`` too.
    """
    text = json.dumps(obj, ensure_ascii=ascii_only, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def csp_meta(tiles_url: str | None = None) -> str:
    """Return a Content-Security-Policy ``<meta>`` that forbids every load but inline code and data URIs.

    Belt and braces: even if a future change let a remote ``src`` slip in, or
    an input string became markup, the browser would refuse to fetch it.  A
    configured tile server's origin is allowed for images (``{s}``
    subdomains become ``*``).
    """
    img = "data: blob:"
    if tiles_url:
        m = re.match(r"^(https?://)([^/]+)", tiles_url)
        if m:
            host = m.group(2).replace("{s}", "*")
            img += " " + (m.group(1) + host if "{" not in host else m.group(1).rstrip("/"))
    policy = (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        f"img-src {img}; base-uri 'none'; form-action 'none'"
    )
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
