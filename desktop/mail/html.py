"""HTML mail bodies: readable text without hidden content, sanitised markup for display, invisible Unicode.

Three jobs, all on hostile input and all on the sync's hot path (so a regex tokenizer rather than
`html.parser`, which is about five times slower on mail HTML):

- `html_to_text` turns an HTML body into the text a person sees: paragraphs and line breaks, list
  bullets, links as "text (url)", image alt text; no scripts, styles, comments or head. Text a reader
  cannot see is left out and returned apart (`HtmlText.hidden`): `display:none`, `visibility:hidden`,
  the `hidden` attribute, a closed `<details>`, `<template>`, zero or tiny `font-size`, `opacity:0`,
  zero-size boxes with `overflow:hidden`, off-screen positioning, `clip`, `scale(0)`, transparent text
  and text of (nearly) the colour of its background — inline or through a `<style>` sheet. This is
  the deterministic half of the prompt-injection defence (security.md 4.3): the model reads only what
  the merchant can see. Where our reading of the markup is uncertain it errs towards hiding.
- `sanitize_html` gives markup safe to show: nh3 (ammonia) with a short allow-list, no styles, no
  remote or `cid:` resources (images become their alt text), links with `rel="noopener noreferrer
  nofollow"`. Styles are dropped, so text that was hidden shows up in the display: the merchant sees
  what was hidden from them while the model does not read it.
- `strip_invisible` removes zero-width and bidi control characters, Unicode tag characters ("ASCII
  smuggling"), variation-selector runs and other invisible code points, keeping emoji sequences.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape, unescape

import nh3

__all__ = ["HtmlText", "html_to_text", "may_hide", "sanitize_html", "strip_invisible"]

MAX_HTML_CHARS = 2_000_000  # beyond this an HTML body is cut (the raw message is kept by the sync)
MAX_DEPTH = 4096  # open elements tracked; deeper start tags are ignored (hostile nesting)
MAX_HIDDEN = 64  # hidden fragments reported (all are removed from the text regardless)
MAX_URL_SHOWN = 200

# --- invisible Unicode ---------------------------------------------------------------------------------

_INVISIBLE = re.compile(
    # Kept: a subdivision flag (🏴 + tag letters + cancel tag) and a ZWJ inside an emoji sequence.
    "(?P<flag>\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,7}\U000e007f)"
    "|(?P<zwj>(?<=[\u2600-\u27bf\ufe0f\U0001f000-\U0001faff])\u200d(?=[\u2600-\u27bf\U0001f000-\U0001faff]))"
    # Removed: soft hyphen (counted apart), then zero-width, bidi and other invisible format characters,
    # Hangul fillers, interlinear annotations, musical formatting, tag characters, variation-selector
    # supplement, and runs of two or more variation selectors (data smuggled after a visible character).
    "|(?P<shy>\u00ad)"
    "|[\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\u3164\ufeff\uffa0\ufff9-\ufffb\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
    "|[\ufe00-\ufe0f]{2,}"
)
# Every code point _INVISIBLE can match, as one character class: a cheap first look.
_CANDIDATE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U0001d173-\U0001d17a\U000e0000-\U000e007f"
    "\U000e0100-\U000e01ef]"
)
_SOFT_HYPHENS_FLAGGED = 3  # a soft hyphen or two is typography; more is a pattern


def strip_invisible(text: str) -> tuple[str, bool]:
    """Remove invisible code points; returns (clean text, whether something suspicious was found).

    A byte-order mark at the very start is an encoding artefact: removed, not reported. Soft hyphens
    are always removed but reported only from three on.
    """
    if text.isascii() or _CANDIDATE.search(text) is None:
        return text, False
    found = 0
    shy = 0

    def replace(m: re.Match[str]) -> str:
        nonlocal found, shy
        if m.lastgroup in ("flag", "zwj"):
            return m.group()
        if m.lastgroup == "shy":
            if m.start() > 0 and text[m.start() - 1] in "ÃÂ":
                return m.group()  # "í" as UTF-8 read as Latin-1: mojibake to repair, not a trick
            shy += 1
        elif not (m.start() == 0 and m.group() == "\ufeff"):
            found += 1
        return ""

    clean = _INVISIBLE.sub(replace, text)
    return clean, found > 0 or shy >= _SOFT_HYPHENS_FLAGGED


# --- colours ---------------------------------------------------------------------------------------------

Color = tuple[float, float, float, float]  # r, g, b in 0-255, alpha in 0-1

_NAMED_COLOURS = (  # CSS named and system colours
    "aliceblue:f0f8ff antiquewhite:faebd7 aqua:00ffff aquamarine:7fffd4 azure:f0ffff beige:f5f5dc bisque:ffe4c4 "
    "black:000000 blanchedalmond:ffebcd blue:0000ff blueviolet:8a2be2 brown:a52a2a burlywood:deb887 "
    "cadetblue:5f9ea0 chartreuse:7fff00 chocolate:d2691e coral:ff7f50 cornflowerblue:6495ed cornsilk:fff8dc "
    "crimson:dc143c cyan:00ffff darkblue:00008b darkcyan:008b8b darkgoldenrod:b8860b darkgray:a9a9a9 "
    "darkgreen:006400 darkgrey:a9a9a9 darkkhaki:bdb76b darkmagenta:8b008b darkolivegreen:556b2f "
    "darkorange:ff8c00 darkorchid:9932cc darkred:8b0000 darksalmon:e9967a darkseagreen:8fbc8f "
    "darkslateblue:483d8b darkslategray:2f4f4f darkslategrey:2f4f4f darkturquoise:00ced1 darkviolet:9400d3 "
    "deeppink:ff1493 deepskyblue:00bfff dimgray:696969 dimgrey:696969 dodgerblue:1e90ff firebrick:b22222 "
    "floralwhite:fffaf0 forestgreen:228b22 fuchsia:ff00ff gainsboro:dcdcdc ghostwhite:f8f8ff gold:ffd700 "
    "goldenrod:daa520 gray:808080 green:008000 greenyellow:adff2f grey:808080 honeydew:f0fff0 hotpink:ff69b4 "
    "indianred:cd5c5c indigo:4b0082 ivory:fffff0 khaki:f0e68c lavender:e6e6fa lavenderblush:fff0f5 "
    "lawngreen:7cfc00 lemonchiffon:fffacd lightblue:add8e6 lightcoral:f08080 lightcyan:e0ffff "
    "lightgoldenrodyellow:fafad2 lightgray:d3d3d3 lightgreen:90ee90 lightgrey:d3d3d3 lightpink:ffb6c1 "
    "lightsalmon:ffa07a lightseagreen:20b2aa lightskyblue:87cefa lightslategray:778899 lightslategrey:778899 "
    "lightsteelblue:b0c4de lightyellow:ffffe0 lime:00ff00 limegreen:32cd32 linen:faf0e6 magenta:ff00ff "
    "maroon:800000 mediumaquamarine:66cdaa mediumblue:0000cd mediumorchid:ba55d3 mediumpurple:9370db "
    "mediumseagreen:3cb371 mediumslateblue:7b68ee mediumspringgreen:00fa9a mediumturquoise:48d1cc "
    "mediumvioletred:c71585 midnightblue:191970 mintcream:f5fffa mistyrose:ffe4e1 moccasin:ffe4b5 "
    "navajowhite:ffdead navy:000080 oldlace:fdf5e6 olive:808000 olivedrab:6b8e23 orange:ffa500 orangered:ff4500 "
    "orchid:da70d6 palegoldenrod:eee8aa palegreen:98fb98 paleturquoise:afeeee palevioletred:db7093 "
    "papayawhip:ffefd5 peachpuff:ffdab9 peru:cd853f pink:ffc0cb plum:dda0dd powderblue:b0e0e6 purple:800080 "
    "rebeccapurple:663399 red:ff0000 rosybrown:bc8f8f royalblue:4169e1 saddlebrown:8b4513 salmon:fa8072 "
    "sandybrown:f4a460 seagreen:2e8b57 seashell:fff5ee sienna:a0522d silver:c0c0c0 skyblue:87ceeb "
    "slateblue:6a5acd slategray:708090 slategrey:708090 snow:fffafa springgreen:00ff7f steelblue:4682b4 "
    "tan:d2b48c teal:008080 thistle:d8bfd8 tomato:ff6347 turquoise:40e0d0 violet:ee82ee wheat:f5deb3 "
    "white:ffffff whitesmoke:f5f5f5 yellow:ffff00 yellowgreen:9acd32 window:ffffff windowtext:000000 "
    "canvas:ffffff canvastext:000000 buttonface:f0f0f0 buttontext:000000 graytext:6d6d6d highlighttext:ffffff "
    "linktext:0000ee"
)
_NAMED = dict(item.split(":") for item in _NAMED_COLOURS.split())
_WHITE: Color = (255.0, 255.0, 255.0, 1.0)
_BLACK: Color = (0.0, 0.0, 0.0, 1.0)
_TRANSPARENT: Color = (0.0, 0.0, 0.0, 0.0)
_INHERIT = "inherit"
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?%?")
_HEX = re.compile(r"#?([0-9a-f]{3,8})")
_MIN_CONTRAST = 1.25  # WCAG contrast ratio under which text counts as invisible (#e6e6e6 on white ≈ 1.25)
_MIN_ALPHA = 0.1


@lru_cache(maxsize=1024)
def _parse_color(value: str, legacy: bool = False) -> Color | str | None:
    """A CSS colour → RGBA; "inherit" for inherit/currentColor; None when unknown (no judgement made)."""
    v = value.strip().lower()
    if v in ("inherit", "currentcolor", "initial", "unset", "revert", "revert-layer", ""):
        return _INHERIT
    if v == "transparent":
        return _TRANSPARENT
    if v in _NAMED:
        return _hex_color(_NAMED[v])
    if v.startswith("#") or (legacy and _HEX.fullmatch(v)):
        m = _HEX.fullmatch(v)
        return _hex_color(m.group(1)) if m else None
    if v.startswith(("rgb", "hsl")):
        nums = _NUMBER.findall(v)
        if len(nums) < 3:
            return None
        alpha = _fraction(nums[3]) if len(nums) > 3 else 1.0
        if v.startswith("rgb"):
            r, g, b = (_channel(n) for n in nums[:3])
        else:
            r, g, b = _hsl(float(nums[0].rstrip("%")), _fraction(nums[1]), _fraction(nums[2]))
        return (r, g, b, alpha)
    return None


def _hex_color(digits: str) -> Color | None:
    if len(digits) in (3, 4):
        digits = "".join(c * 2 for c in digits)
    if len(digits) == 6:
        digits += "ff"
    if len(digits) != 8:
        return None
    r, g, b, a = (int(digits[i:i + 2], 16) for i in range(0, 8, 2))
    return (float(r), float(g), float(b), a / 255)


def _channel(token: str) -> float:
    if token.endswith("%"):
        return max(0.0, min(255.0, float(token[:-1]) * 2.55))
    return max(0.0, min(255.0, float(token)))


def _fraction(token: str) -> float:
    value = float(token[:-1]) / 100 if token.endswith("%") else float(token)
    return max(0.0, min(1.0, value if not token.endswith("%") or value <= 1 else value / 100))


def _hsl(h: float, s: float, lum: float) -> tuple[float, float, float]:
    h = h if math.isfinite(h) else 0.0
    s = s / 100 if s > 1 else s
    lum = lum / 100 if lum > 1 else lum
    c = (1 - abs(2 * lum - 1)) * s
    hp = (h % 360) / 60
    x = c * (1 - abs(hp % 2 - 1))
    r, g, b = [(c, x, 0.0), (x, c, 0.0), (0.0, c, x), (0.0, x, c), (x, 0.0, c), (c, 0.0, x)][int(hp) % 6]
    m = lum - c / 2
    return ((r + m) * 255, (g + m) * 255, (b + m) * 255)


@lru_cache(maxsize=1024)
def _luminance(color: Color) -> float:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(color[0]) + 0.7152 * lin(color[1]) + 0.0722 * lin(color[2])


def _invisible_ink(color: Color | None, background: Color | None) -> bool:
    """Transparent text, or text too close to its background colour to be read."""
    if color is None:
        return False
    if color[3] <= _MIN_ALPHA:
        return True
    if background is None:
        return False
    la, lb = _luminance(color), _luminance(background)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05) < _MIN_CONTRAST


# --- CSS: declarations, lengths, the hiding rules ----------------------------------------------------

Declarations = dict[str, tuple[str, bool]]  # property → (value, !important)

_RELEVANT = frozenset((
    "display", "visibility", "opacity", "font-size", "font", "color", "-webkit-text-fill-color", "background",
    "background-color", "background-image", "height", "max-height", "width", "max-width", "line-height",
    "overflow", "overflow-x", "overflow-y", "text-indent", "position", "left", "top", "right", "bottom",
    "margin", "margin-left", "margin-top", "clip", "clip-path", "transform", "scale", "zoom", "filter",
    "content-visibility",
))
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", re.S)
_LENGTH = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))([a-z%]*)")
_UNIT_PX = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6,
            "vw": 10.0, "vh": 8.0, "vmin": 8.0, "vmax": 10.0}  # viewport units for a ~1000×800 reading pane
_FONT_KEYWORDS = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0,
                  "x-large": 24.0, "xx-large": 32.0, "xxx-large": 48.0}
_TINY_FONT_PX = 3.0
_FAR_PX = 1000.0


def _css_unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(1):
            code = int(m.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return m.group(2)

    return _CSS_ESCAPE.sub(one, text)


def _declarations(style: str) -> Declarations:
    """The hiding-relevant declarations of a style attribute or rule body (later wins, !important sticks)."""
    if "/*" in style:
        style = _CSS_COMMENT.sub(" ", style)
    if "\\" in style:
        style = _css_unescape(style)
    out: Declarations = {}
    for decl in style.lower().split(";"):
        prop, sep, value = decl.partition(":")
        if not sep:
            continue
        prop = prop.strip()
        if prop not in _RELEVANT:
            continue
        important = False
        if "!" in value:
            value, _, flag = value.partition("!")
            important = flag.strip().startswith("important")
        previous = out.get(prop)
        if previous is not None and previous[1] and not important:
            continue
        out[prop] = (value.strip(), important)
    return out


def _merge(into: Declarations, decls: Declarations) -> None:
    for prop, (value, important) in decls.items():
        previous = into.get(prop)
        if previous is None or important or not previous[1]:
            into[prop] = (value, important)


def _px(value: str, font: float) -> float | None:
    """A CSS length in px (em/% relative to `font`); functions (calc, min, clamp…) → their smallest term."""
    if "(" in value:
        terms = [_px(t.group(0), font) for t in _LENGTH.finditer(value)]
        known = [t for t in terms if t is not None]
        return min(known) if known else None
    m = _LENGTH.fullmatch(value.strip())
    if m is None:
        return None
    number, unit = float(m.group(1)), m.group(2)
    if unit in ("", "px"):
        return number if unit or number == 0 else None
    if unit in ("em", "%", "ex", "ch", "rem"):
        scale = {"em": font, "%": font / 100, "ex": font / 2, "ch": font / 2, "rem": 16.0}[unit]
        return number * scale
    factor = _UNIT_PX.get(unit)
    return number * factor if factor is not None else None


def _font_size(decls: Declarations, parent: float) -> float:
    value = decls.get("font-size", ("", False))[0]
    if not value and "font" in decls:
        for token in decls["font"][0].split():
            candidate = token.split("/", 1)[0]
            if candidate in _FONT_KEYWORDS or _px(candidate, parent) is not None:
                value = candidate
                break
    if not value:
        return parent
    if value in _FONT_KEYWORDS:
        return _FONT_KEYWORDS[value]
    if value == "smaller":
        return parent * 0.83
    if value == "larger":
        return parent * 1.2
    size = _px(value, parent)
    return parent if size is None else max(size, 0.0)


def _number(value: str) -> float | None:
    m = _NUMBER.match(value.strip())
    if m is None:
        return None
    token = m.group(0)
    return float(token[:-1]) / 100 if token.endswith("%") else float(token)


def _far(value: str, font: float) -> bool:
    return any(abs(px) >= _FAR_PX for t in value.split() if (px := _px(t, font)) is not None)


def _gone(decls: Declarations, font: float) -> bool:
    """Whether these declarations take the element, and everything in it, out of sight."""
    get = decls.get
    if (v := get("display")) and v[0].startswith("none"):
        return True
    if (v := get("content-visibility")) and v[0].startswith("hidden"):
        return True
    for prop in ("opacity", "zoom", "scale"):
        if (v := get(prop)) and (n := _number(v[0])) is not None and n <= 0.05 and (prop != "zoom" or n > 0):
            return True
    if (v := get("filter")) and re.search(r"opacity\(\s*0*(?:\.0*)?%?\s*\)", v[0]):
        return True
    if (v := get("transform")) and _transform_hides(v[0], font):
        return True
    clipped = any((v := get(p)) and v[0].startswith(("hidden", "clip")) for p in ("overflow", "overflow-x",
                                                                                   "overflow-y"))
    if clipped:
        for prop in ("height", "max-height", "width", "max-width", "line-height"):
            if (v := get(prop)) and (px := _px(v[0], font)) is not None and px <= 1:
                return True
    if (v := get("text-indent")) and (px := _px(v[0].split()[0] if v[0] else "", font)) is not None \
            and px <= -_FAR_PX / 5:
        return True
    for prop in ("left", "top", "right", "bottom", "margin-left", "margin-top", "margin"):
        if (v := get(prop)) and (prop.startswith("margin") or "position" in decls) and _far(v[0], font):
            return True
    if (v := get("clip")) and v[0].startswith("rect("):
        sizes = [abs(px) for t in _LENGTH.finditer(v[0]) if (px := _px(t.group(0), font)) is not None]
        if sizes and max(sizes) <= 1:
            return True
    return bool((v := get("clip-path")) and _clip_path_hides(v[0]))


def _transform_hides(value: str, font: float) -> bool:
    for m in re.finditer(r"(scale[xyz3d]*|matrix(?:3d)?|translate[xyz3d]*)\(([^)]*)\)", value):
        kind, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
        if kind.startswith("scale"):
            if any((n := _number(a)) is not None and abs(n) <= 0.05 for a in args):
                return True
        elif kind == "matrix" and len(args) == 6:
            a, _b, _c, d = (_number(x) for x in args[:4])
            if (a is not None and abs(a) <= 0.05) or (d is not None and abs(d) <= 0.05):
                return True
        elif kind.startswith("translate") and any(_far(a, font) for a in args):
            return True
    return False


def _clip_path_hides(value: str) -> bool:
    if value.startswith("inset("):
        nums = [n for t in value[6:].split() if (n := _number(t)) is not None and t.endswith("%")]
        return bool(nums) and max(nums) >= 0.5
    if value.startswith(("circle(", "ellipse(")):
        first = value[value.index("(") + 1:].split(")")[0].split()
        return bool(first) and (n := _number(first[0])) is not None and n == 0
    return False


def _background(decls: Declarations, attrs: dict[str, str]) -> Color | str | None:
    """The element's own background colour; "inherit" when it has none (the parent's shows through)."""
    if "background" in attrs:
        return None  # a background image we never load: no judgement on colours
    color: Color | str | None = _INHERIT
    if "bgcolor" in attrs:
        color = _parse_color(attrs["bgcolor"], legacy=True)
    for prop in ("background", "background-color", "background-image"):
        if prop not in decls:
            continue
        value = decls[prop][0]
        if "url(" in value or "gradient" in value:
            return None
        if prop == "background-image":
            continue
        if prop == "background":
            if value in ("none", ""):
                continue
            tokens = re.findall(r"(?:rgba?|hsla?)\([^)]*\)|#[0-9a-f]+|[a-z]+", value)
            parsed = [p for t in tokens if isinstance(p := _parse_color(t), tuple)]
            color = parsed[0] if parsed else color
        else:
            color = _parse_color(value)
    if isinstance(color, tuple) and color[3] <= _MIN_ALPHA:
        return _INHERIT
    return color


# --- style sheets ------------------------------------------------------------------------------------------

_DYNAMIC = re.compile(r":(?:hover|active|focus|focus-within|focus-visible|visited|target|checked)\b|::?(?:before|"
                      r"after|first-line|first-letter|selection|placeholder|marker|backdrop)\b")
_COMPOUND_SPLIT = re.compile(r"[\s>+~]+")
_PSEUDO = re.compile(r":{1,2}[\w-]+(?:\([^)]*\))?|\[[^\]]*\]")
_SIMPLE = re.compile(r"([.#]?)(-?[_a-zA-Z\u00a0-\uffff][\w\u00a0-\uffff-]*|\*)")
_MEDIA_FALSE = re.compile(r"\bprint\b|\bspeech\b|prefers-color-scheme\s*:\s*dark|max-(?:device-)?width\s*:\s*(\d+)")


@dataclass(frozen=True, slots=True)
class _Rule:
    tier: int  # 0 tag/universal, 1 class, 2 id: a coarse specificity
    order: int
    tag: str | None
    classes: frozenset[str]
    ident: str | None
    decls: Declarations


class _StyleSheet:
    """The hiding-relevant rules of the `<style>` elements, matched on tag, classes and id.

    Descendant and sibling combinators are reduced to their last compound selector and attribute or
    structural pseudo-classes are ignored, so a rule matches more elements than it would in a browser:
    this errs towards hiding. Rules behind dynamic pseudo-classes (:hover…) or for pseudo-elements never
    apply at rest and are skipped, as are @media blocks that a desktop reading pane would not match.
    """

    def __init__(self) -> None:
        self.by_tag: dict[str, list[_Rule]] = {}
        self.by_class: dict[str, list[_Rule]] = {}
        self.by_id: dict[str, list[_Rule]] = {}
        self.universal: list[_Rule] = []
        self.count = 0

    def add(self, css: str, depth: int = 0) -> None:
        if "/*" in css:
            css = _CSS_COMMENT.sub(" ", css)
        if "\\" in css:
            css = _css_unescape(css)
        if "<!--" in css or "-->" in css:
            css = css.replace("<!--", " ").replace("-->", " ")
        level, start, prelude = 0, 0, ""
        for m in re.finditer(r"[{}]", css):
            if m.group() == "{":
                if level == 0:
                    prelude = css[start:m.start()].rsplit(";", 1)[-1].strip()
                    start = m.end()
                level += 1
            elif level > 0:
                level -= 1
                if level == 0:
                    self._block(prelude, css[start:m.start()], depth)
                    start = m.end()
            if self.count > 5000:
                break

    def _block(self, prelude: str, body: str, depth: int) -> None:
        if prelude.startswith("@"):
            keyword = prelude.split(None, 1)[0].lower()
            if depth < 3 and (keyword in ("@supports", "@layer", "@document", "@container")
                              or (keyword == "@media" and _media_applies(prelude[6:]))):
                self.add(body, depth + 1)
            return
        decls = _declarations(body)
        if not decls:
            return
        for selector in prelude.split(","):
            selector = selector.strip()
            if not selector or _DYNAMIC.search(selector):
                continue
            compound = _PSEUDO.sub("", _COMPOUND_SPLIT.split(selector)[-1])
            tag: str | None = None
            classes: set[str] = set()
            ident: str | None = None
            for prefix, name in _SIMPLE.findall(compound):
                if prefix == ".":
                    classes.add(name.lower())
                elif prefix == "#":
                    ident = name.lower()
                elif name != "*":
                    tag = name.lower()
            self.count += 1
            rule = _Rule(2 if ident else 1 if classes else 0, self.count, tag, frozenset(classes), ident, decls)
            if ident:
                self.by_id.setdefault(ident, []).append(rule)
            elif classes:
                self.by_class.setdefault(min(classes), []).append(rule)
            elif tag:
                self.by_tag.setdefault(tag, []).append(rule)
            else:
                self.universal.append(rule)

    def has_tag_rules(self, tag: str) -> bool:
        return bool(self.universal) or tag in self.by_tag

    def declarations(self, tag: str, classes: frozenset[str], ident: str | None) -> Declarations:
        found = list(self.universal)
        found += self.by_tag.get(tag, ())
        for cls in classes:
            found += self.by_class.get(cls, ())
        if ident:
            found += self.by_id.get(ident, ())
        out: Declarations = {}
        for rule in sorted(found, key=lambda r: (r.tier, r.order)):
            if (rule.tag is None or rule.tag == tag) and rule.classes <= classes \
                    and (rule.ident is None or rule.ident == ident):
                _merge(out, rule.decls)
        return out


def _media_applies(query: str) -> bool:
    """Whether a desktop reading pane (~1000 px wide, light theme, screen) matches an @media query.

    A negated query ("not print") is taken as matching: applying a rule can only hide more.
    """
    for alternative in query.lower().split(","):
        if alternative.strip().startswith("not "):
            return True
        m = _MEDIA_FALSE.search(alternative)
        if m is None or (m.group(1) is not None and int(m.group(1)) >= 1000):
            return True
    return False


# --- the walk ----------------------------------------------------------------------------------------------


class _State:
    """How an open element renders: computed once per distinct (parent, relevant attributes)."""

    __slots__ = ("background", "collapsed", "color", "font", "gone", "hidden", "pre", "visible")

    def __init__(self, *, gone: bool, visible: bool, font: float, color: Color | None, background: Color | None,
                 collapsed: bool = False, pre: bool = False) -> None:
        self.gone = gone
        self.visible = visible
        self.font = font
        self.color = color
        self.background = background
        self.collapsed = collapsed  # a closed <details>: only its <summary> shows
        self.pre = pre
        self.hidden = gone or collapsed or not visible or font <= _TINY_FONT_PX or _invisible_ink(color, background)


# States are interned, so that equal states are one object: the walk's memos below are then shared by
# every message (mail HTML repeats: the same clients, the same shop templates), and stay bounded.
_STATES: dict[tuple[object, ...], _State] = {}
_PLANS: dict[tuple[object, ...], tuple[_State, str, bool]] = {}  # (sheet, parent, tag, raw attributes) →
_DERIVED: dict[tuple[object, ...], _State] = {}  # (sheet, parent, tag, state attributes…) → state
_MEMO_LIMIT = 20_000


def _state(*, gone: bool, visible: bool, font: float, color: Color | None, background: Color | None,
           collapsed: bool = False, pre: bool = False) -> _State:
    key = (gone, visible, font, color, background, collapsed, pre)
    state = _STATES.get(key)
    if state is None:
        state = _STATES[key] = _State(gone=gone, visible=visible, font=font, color=color, background=background,
                                      collapsed=collapsed, pre=pre)
    return state


_ROOT = _state(gone=False, visible=True, font=16.0, color=_BLACK, background=_WHITE)

# A tag as HTML5 reads it: a quote opens a value only right after "=", and a quoted value may hold ">";
# a stray quote elsewhere is part of an attribute name. Possessive, so hostile markup stays linear.
_TOKEN = re.compile(
    r"<(?:(/?)([A-Za-z][^\s/>]*)"
    r"((?:[^>\"'=]++|=[ \t\n\r\f]*+(?:\"[^\"]*+\"|'[^']*+'|(?![\"'])[^\s>]*+)|[\"'])*+)>"
    r"|(!--)"            # a comment
    r"|([!?/])"          # doctype, CDATA, processing instruction, bogus comment
    r"|([A-Za-z]))"      # a tag whose quote or ">" never comes: a browser shows nothing after it
)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_RAW_TEXT = frozenset(("script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript",
                       "template", "svg", "math"))
_RAW_END = {tag: re.compile(rf"</{tag}[\s/>]", re.I) for tag in _RAW_TEXT}
_VOID = frozenset(("area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
                   "keygen", "link", "meta", "param", "source", "track", "wbr"))
_SOFT, _PARA, _HARD = "\x00", "\x01", "\x02"  # a block edge, a paragraph edge, a <br>
_PARA_TAGS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "dl", "table", "pre",
                        "hr", "figure", "address", "fieldset", "form"))
_SOFT_TAGS = frozenset(("div", "tr", "li", "dt", "dd", "section", "article", "header", "footer", "nav", "aside",
                        "main", "center", "caption", "details", "summary", "figcaption", "legend", "body",
                        "hgroup", "option", "tbody", "thead", "tfoot", "html", "search"))
# Start tags that end an open <p> (HTML5 "in button scope"); not <table>, which does not in quirks mode.
_CLOSES_P = frozenset(("address", "article", "aside", "blockquote", "center", "details", "div", "dl", "fieldset",
                       "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
                       "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "ul", "li", "dd", "dt"))
# Elements an end tag cannot reach through (HTML5 "has an element in scope"): `</div>` inside a cell of
# a table inside a hidden <div> is ignored by browsers, so the cell stays hidden; so it does here.
_SCOPE = frozenset(("applet", "caption", "html", "table", "td", "th", "marquee", "object", "template"))
_TABLE_SCOPE = frozenset(("html", "table", "template"))
# HTML5's "special" elements: the end tag of any other element (span, b, font…) is ignored when one of
# these stands between it and the current node, so `<b><div style=display:none>x</b>y` keeps "y" hidden.
_SPECIAL_TAGS = frozenset((
    "address", "applet", "area", "article", "aside", "base", "basefont", "bgsound", "blockquote", "body", "br",
    "button", "caption", "center", "col", "colgroup", "dd", "details", "dir", "div", "dl", "dt", "embed",
    "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6",
    "head", "header", "hgroup", "hr", "html", "iframe", "img", "input", "keygen", "li", "link", "listing", "main",
    "marquee", "menu", "meta", "nav", "noembed", "noframes", "noscript", "object", "ol", "p", "param",
    "plaintext", "pre", "script", "search", "section", "select", "source", "style", "summary", "table", "tbody",
    "td", "template", "textarea", "tfoot", "th", "thead", "title", "tr", "track", "ul", "wbr", "xmp",
))
_SCOPES = {"li": _SCOPE | {"ol", "ul"}, "dd": _SCOPE | {"dl"}, "dt": _SCOPE | {"dl"}, "p": _SCOPE | {"button"},
           "td": _TABLE_SCOPE, "th": _TABLE_SCOPE, "tr": _TABLE_SCOPE, "tbody": _TABLE_SCOPE,
           "thead": _TABLE_SCOPE, "tfoot": _TABLE_SCOPE, "caption": _TABLE_SCOPE,
           "table": frozenset(("html", "template"))}
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)(?:</style[\s/>]|$)", re.I | re.S)
_STATE_ATTRS = ("style", "class", "id", "hidden", "bgcolor", "color", "background", "open", "text")
_STATEFUL = frozenset(("details", "pre", "listing", "plaintext"))
_ATTR_EFFECTS = ("hidden", "bgcolor", "color", "background", "text")  # they change a state by themselves
_NEEDS_ATTRS = frozenset(("a", "img"))
_LIST_TAGS = frozenset(("ul", "ol"))
_CELLS = frozenset(("td", "th"))
_CELL_STARTS = frozenset(("td", "th", "tr"))
_ITEM_STARTS = frozenset(("li", "dd", "dt"))
_SPACES = re.compile(r"[ \t\r\n\f]+")
_BREAK_RUN = re.compile(r"[ \xa0]*[\x00\x01\x02][ \xa0\x00\x01\x02]*")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TAGS_IN_RAW = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class HtmlText:
    """Readable text of an HTML body; `hidden` holds the text that was hidden from a reader (removed)."""

    text: str
    hidden: tuple[str, ...] = ()


def _attributes(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for name, dq, sq, bare in _ATTR.findall(raw):
        key = name.lower()
        if key not in attrs:  # the first of duplicated attributes wins, as in browsers
            value = dq or sq or bare
            attrs[key] = unescape(value) if "&" in value else value
    return attrs


def _comment_end(markup: str, start: int) -> int:
    """Where the comment opened at `start` ends; at the end of the markup when it is never closed."""
    ends = [i + len(mark) for mark in ("-->", "--!>") if (i := markup.find(mark, start + 2)) >= 0]
    return min(ends) if ends else len(markup)


def _break(m: re.Match[str]) -> str:
    return _break_run(m.group())


@lru_cache(maxsize=512)
def _break_run(run: str) -> str:
    """Newlines for a run of block edges and <br>s (spaces around them dropped)."""
    run = run.replace(" ", "").replace("\xa0", "")
    lines = 0
    for i, ch in enumerate(run):
        # a <br> right before the end of a block adds no line; one alone in a block does
        if ch == _HARD and (i > 0 or i + 1 == len(run) or run[i + 1] == _HARD):
            lines += 1
    if _PARA in run:
        lines = max(lines + 1, 2)
    elif _SOFT in run:
        lines += 1
    return "\n" * min(lines, 2)


_IMPLIES_CLOSE = _CLOSES_P | _CELL_STARTS
_INTERESTING = re.compile(r"style|class|id\b|hidden|color|background|open|href|alt|text", re.I)
# Tags the memoised fast path leaves to `_Walk.start`: they close others, count, link, or show alt text
# (and any tag of _CLOSES_P while a <p> is open).
_ALWAYS_SLOW = _CELL_STARTS | _ITEM_STARTS | _LIST_TAGS | _STATEFUL | {"a", "img", "br"}
_SPACE_FIX = re.compile(r"[\t\r\n\f][ \t\r\n\f]*| [ \t\r\n\f]+")  # only where something changes
_BREAK_FIX = re.compile(r"[\x00\x01\x02][ \xa0\x00\x01\x02]*")


class _Walk:
    """One pass over the markup with a stack of open elements and how each one renders.

    Browsers' tree building is followed where it decides what is hidden: end tags only reach elements
    in scope, some start tags end an open <p>, <li>, or table cell. Where this approximation can differ
    from a browser it keeps an element open rather than closing it, so hidden text stays hidden.

    It runs on every HTML body the sync sees, so the loop is written for speed: ordinary start tags
    go through a memo keyed on (parent state, tag, raw attribute text), and each tag name keeps the
    stack positions where it is open, so scope checks take constant time whatever the nesting.
    """

    def __init__(self, sheet: _StyleSheet | None) -> None:
        self.out: list[str] = []
        self.hidden: list[list[str]] = []
        self.last_hidden = False
        self.stack: list[tuple[str, _State, tuple[int, str] | None]] = []
        self.open_at: dict[str, list[int]] = {}
        self.specials: list[int] = []  # stack positions of open special elements
        self.sheet = sheet
        self.cache = _DERIVED
        self.plans = _PLANS
        self.list_counters: list[int] = []

    def emit(self, text: str, state: _State) -> None:
        if state.hidden:
            if not text.isspace():
                if self.last_hidden or len(self.hidden) >= MAX_HIDDEN:
                    self.hidden[-1].append(" " + text)
                else:
                    self.hidden.append([text])
                self.last_hidden = True
            return
        if state.pre:
            text = text.replace("\r\n", "\n").replace("\n", _HARD)
        self.out.append(text)
        if self.last_hidden and not text.isspace():
            self.last_hidden = False

    def derive(self, tag: str, attrs: dict[str, str], parent: _State) -> _State:
        try:
            return self._derive(tag, attrs, parent)
        except (ArithmeticError, ValueError, IndexError, KeyError):
            # CSS we could not evaluate (absurd numbers…): it may hide what follows, so take it as hidden
            return _state(gone=True, visible=parent.visible, font=parent.font, color=parent.color,
                          background=parent.background, pre=parent.pre)

    def _derive(self, tag: str, attrs: dict[str, str], parent: _State) -> _State:
        decls: Declarations = {}
        if self.sheet is not None:
            classes = frozenset(attrs.get("class", "").lower().split())
            decls = self.sheet.declarations(tag, classes, attrs.get("id", "").strip().lower() or None)
        if "style" in attrs:
            _merge(decls, _declarations(attrs["style"]))
        if not decls and not parent.collapsed and tag not in _STATEFUL and not any(
                name in attrs for name in _ATTR_EFFECTS):
            return parent  # nothing here changes how it renders: share the parent's state (and memos)
        font = _font_size(decls, parent.font)
        gone = parent.gone or _gone(decls, font)
        if "hidden" in attrs and ("display" not in decls or decls["display"][0].startswith("none")):
            gone = True
        if parent.collapsed and tag != "summary":
            gone = True
        visible = parent.visible
        if "visibility" in decls:
            value = decls["visibility"][0]
            if value.startswith(("hidden", "collapse")):
                visible = False
            elif value.startswith("visible"):
                visible = True
        color: Color | str | None = _INHERIT
        if tag == "font" and "color" in attrs:
            color = _parse_color(attrs["color"], legacy=True)
        elif tag == "body" and "text" in attrs:
            color = _parse_color(attrs["text"], legacy=True)
        for prop in ("color", "-webkit-text-fill-color"):  # the WebKit fill colour wins where it is set
            if prop in decls and (value_color := _parse_color(decls[prop][0])) != _INHERIT:
                color = value_color
        background = _background(decls, attrs)
        return _state(
            gone=gone, visible=visible, font=font,
            color=parent.color if color == _INHERIT else color if isinstance(color, tuple) else None,
            background=(parent.background if background == _INHERIT
                        else background if isinstance(background, tuple) else None),
            collapsed=tag == "details" and "open" not in attrs and not gone,
            pre=parent.pre or tag in ("pre", "listing", "plaintext"),
        )

    def state_for(self, tag: str, raw_attrs: str, parent: _State) -> tuple[_State, dict[str, str]]:
        """The state of a new element, and its attributes when they were needed."""
        interesting = bool(raw_attrs) and _INTERESTING.search(raw_attrs) is not None
        sheet = self.sheet
        if not (interesting or parent.collapsed or tag in _STATEFUL
                or (sheet is not None and sheet.has_tag_rules(tag))):
            return parent, {}
        attrs = _attributes(raw_attrs) if interesting else {}
        key = (sheet, parent, tag, *map(attrs.get, _STATE_ATTRS))
        state = self.cache.get(key)
        if state is None:
            state = self.cache[key] = self.derive(tag, attrs, parent)
        return state, attrs

    def find_open(self, tag: str, boundaries: frozenset[str]) -> int:
        """Stack index of the innermost open `tag` reachable in scope (no boundary element above it), or -1."""
        positions = self.open_at.get(tag)
        if not positions:
            return -1
        index = positions[-1]
        open_at = self.open_at
        for boundary in boundaries:
            above = open_at.get(boundary)
            if above and above[-1] > index and boundary != tag:
                return -1
        return index

    def pop_to(self, index: int) -> None:
        open_at, out, specials = self.open_at, self.out, self.specials
        while specials and specials[-1] >= index:
            specials.pop()
        for name, state, link in reversed(self.stack[index:]):
            positions = open_at[name]
            positions.pop()
            if not positions:
                del open_at[name]
            if link is not None:
                self.finish_link(*link)
            if name in _LIST_TAGS and self.list_counters:
                self.list_counters.pop()
            if not state.hidden:
                if name in _PARA_TAGS:
                    out.append(_PARA)
                elif name in _SOFT_TAGS:
                    out.append(_SOFT)
        del self.stack[index:]

    def close_implied(self, tag: str) -> None:
        """What a start tag ends before it opens: a <p>, the previous list item or table cell."""
        open_at = self.open_at
        if tag in _CELL_STARTS:
            for name in ("td", "th", "tr") if tag == "tr" else ("td", "th"):
                if name in open_at and (index := self.find_open(name, _TABLE_SCOPE)) >= 0:
                    self.pop_to(index)
            return
        if tag in _ITEM_STARTS:
            for name in ("li",) if tag == "li" else ("dd", "dt"):
                if name in open_at and (index := self.find_open(name, _SCOPES[name])) >= 0:
                    self.pop_to(index)
        if "p" in open_at and (index := self.find_open("p", _SCOPES["p"])) >= 0:
            self.pop_to(index)

    def push(self, tag: str, state: _State, link: tuple[int, str] | None) -> None:
        depth = len(self.stack)
        if depth >= MAX_DEPTH:
            return
        positions = self.open_at.get(tag)
        if positions is None:
            self.open_at[tag] = [depth]
        else:
            positions.append(depth)
        if tag in _SPECIAL_TAGS:
            self.specials.append(depth)
        self.stack.append((tag, state, link))

    def plan(self, tag: str, raw_attrs: str, parent: _State) -> tuple[_State, str, bool]:
        """For an ordinary start tag: its state, what it writes first, and whether it stays open."""
        state, _ = self.state_for(tag, raw_attrs, parent)
        before = ""
        if not state.hidden:
            before = _PARA if tag in _PARA_TAGS else _SOFT if tag in _SOFT_TAGS else " " if tag in _CELLS else ""
        return state, before, tag not in _VOID

    def start(self, tag: str, raw_attrs: str) -> None:
        """A start tag that needs more than the memo: implied closes, lists, links, alt text."""
        if tag in _IMPLIES_CLOSE:
            self.close_implied(tag)
        parent = self.stack[-1][1] if self.stack else _ROOT
        state, attrs = self.state_for(tag, raw_attrs, parent)
        if tag in _VOID:
            if not state.hidden:
                if tag == "br":
                    self.out.append(_HARD)
                elif tag == "hr":
                    self.out.append(_PARA)
            if tag == "img" and (alt := attrs.get("alt", "").strip()):
                self.emit(alt, state)
            return
        visible = not state.hidden
        if visible:
            if tag in _PARA_TAGS:
                self.out.append(_PARA)
            elif tag in _SOFT_TAGS:
                self.out.append(_SOFT)
                if tag == "li":
                    counter = self.list_counters[-1] if self.list_counters else 0
                    if counter > 0:
                        self.list_counters[-1] += 1
                    self.out.append(f"{counter}. " if counter > 0 else "- ")
            elif tag in _CELLS:
                self.out.append(" ")
        if tag in _LIST_TAGS and len(self.stack) < MAX_DEPTH:
            self.list_counters.append(1 if tag == "ol" else 0)
        link = None
        if tag == "a" and visible and (href := attrs.get("href", "").strip()):
            link = (len(self.out), href)
        self.push(tag, state, link)

    def end(self, tag: str) -> None:
        if tag == "br":  # </br> is read as <br>
            if not (self.stack[-1][1] if self.stack else _ROOT).hidden:
                self.out.append(_HARD)
            return
        if tag in _SPECIAL_TAGS:  # closes what is open above it, within its scope
            index = self.find_open(tag, _SCOPES.get(tag, _SCOPE))
        else:  # ignored if a special element was opened after it (see _SPECIAL_TAGS)
            positions = self.open_at.get(tag)
            index = positions[-1] if positions else -1
            if index >= 0 and self.specials and self.specials[-1] > index:
                index = -1
        if index >= 0:
            self.pop_to(index)
        elif tag == "p":  # a stray </p> makes an empty paragraph
            self.out.append(_PARA)

    def finish_link(self, start: int, href: str) -> None:
        lowered = href.lower()
        if lowered.startswith("mailto:"):
            shown = href[7:].split("?", 1)[0].strip()
        elif lowered.startswith(("http://", "https://")):
            shown = href if len(href) <= MAX_URL_SHOWN else href[:MAX_URL_SHOWN] + "…"
        else:
            return
        label = _SPACES.sub(" ", "".join(self.out[start:])).strip(" \x00\x01\x02")
        bare = shown.split("://", 1)[-1].rstrip("/").lower()
        if label and shown and bare not in label.lower():
            self.out.append(f" ({shown})")

    def template(self, content: str) -> None:
        """<template> content is inert, never rendered: all of its text is hidden."""
        text = _SPACES.sub(" ", unescape(_TAGS_IN_RAW.sub(" ", content))).strip()
        if text and len(self.hidden) < MAX_HIDDEN:
            self.hidden.append([text])
            self.last_hidden = False

    def run(self, markup: str) -> None:
        pos, end = 0, len(markup)
        search = _TOKEN.search
        stack, out, open_at, plans, sheet = self.stack, self.out, self.open_at, self.plans, self.sheet
        while pos < end:
            m = search(markup, pos)
            start = end if m is None else m.start()
            if start > pos:
                text = markup[pos:start]
                if "&" in text:
                    text = unescape(text)
                state = stack[-1][1] if stack else _ROOT
                if state.hidden or state.pre:
                    self.emit(text, state)
                else:
                    out.append(text)
                    if self.last_hidden and not text.isspace():
                        self.last_hidden = False
            if m is None:
                return
            slash, name, raw_attrs, comment, other, _ = m.groups()
            if name is not None:
                tag = name.lower()
                pos = m.end()
                if slash:
                    if stack and stack[-1][0] == tag and stack[-1][2] is None and tag not in _LIST_TAGS:
                        state = stack.pop()[1]  # the common case: closing the innermost element
                        opened = open_at[tag]
                        opened.pop()
                        if not opened:
                            del open_at[tag]
                        if self.specials and self.specials[-1] == len(stack):
                            self.specials.pop()
                        if not state.hidden:
                            if tag in _PARA_TAGS:
                                out.append(_PARA)
                            elif tag in _SOFT_TAGS:
                                out.append(_SOFT)
                    else:
                        self.end(tag)
                elif tag in _RAW_TEXT:
                    closing = _RAW_END[tag].search(markup, pos)
                    if tag == "template":
                        self.template(markup[pos:closing.start() if closing else end])
                    gt = markup.find(">", closing.start()) if closing else -1
                    pos = end if gt < 0 else gt + 1
                elif tag == "br" and (not raw_attrs or raw_attrs.isspace() or raw_attrs == "/"):
                    if not (stack[-1][1] if stack else _ROOT).hidden:
                        out.append(_HARD)
                elif tag in _ALWAYS_SLOW or ("p" in open_at and tag in _CLOSES_P):
                    self.start(tag, raw_attrs)
                else:
                    parent = stack[-1][1] if stack else _ROOT
                    key = (sheet, parent, tag, raw_attrs)
                    plan = plans.get(key)
                    if plan is None:
                        plan = plans[key] = self.plan(tag, raw_attrs, parent)
                    state, before, stays_open = plan
                    if before:
                        out.append(before)
                    if stays_open and len(stack) < MAX_DEPTH:  # self.push, inlined
                        positions = open_at.get(tag)
                        if positions is None:
                            open_at[tag] = [len(stack)]
                        else:
                            positions.append(len(stack))
                        if tag in _SPECIAL_TAGS:
                            self.specials.append(len(stack))
                        stack.append((tag, state, None))
            elif comment:  # a comment ends at the first "-->" or "--!>" (also "<!-->" and "<!--->")
                pos = _comment_end(markup, start)
            elif other:
                gt = markup.find(">", m.end())
                pos = end if gt < 0 else gt + 1
            else:
                return  # a tag whose quote or ">" never comes: a browser shows nothing after it

    def result(self, *, text: bool = True) -> HtmlText:
        hidden = tuple(h for frag in self.hidden if (h := _SPACES.sub(" ", "".join(frag)).strip()))
        if not text:
            return HtmlText("", hidden)
        return HtmlText(self.text(), hidden)

    def text(self) -> str:
        text = "".join(self.out)
        text = _SPACE_FIX.sub(" ", text)
        text = text.replace(" \x00", "\x00").replace(" \x01", "\x01").replace(" \x02", "\x02")
        text = _BREAK_FIX.sub(_break, text).strip(" \n")
        if _CONTROLS.search(text):
            text = _CONTROLS.sub("", text)
        return text


# Every way `html_to_text` can hide text needs one of these in the markup: a hiding property or
# attribute, a font size, a colour, <details>, <template> or <style>, a far offset (3+ digits), or a
# style attribute with an entity or a CSS escape (which could spell any of them). Plain substring
# tests, then regexes whose repetitions are bounded or cannot backtrack.
_HIDING_WORDS = ("display", "visib", "opacity", "zoom", "scale", "filter", "transform", "overflow", "indent",
                 "clip", "font-size", "color", "colour", "background", "hidden", "<details", "<template", "<style")
_FONT_SHORTHAND = re.compile(r"(?<![\w-])font\s*:")
_FAR_OFFSET = re.compile(  # 3+ digits, or a unit worth 16 px or more (99em is far), or an expression
    r"(?<![\w-])(?:left|top|right|bottom|margin[\w-]*)\s*:[^;\"'>]{0,64}?"
    r"(?:\d{3}|\d\s*(?:r?em|ex|ch|in|cm|mm|pc|q)\b|calc|var|min|max|clamp)")
_BODY_TEXT = re.compile(r"<body\b[^>]*?\btext\s*=")  # <body text="white">: the legacy text colour
_ESCAPED_STYLE = re.compile(r"style\s*=\s*(?:\"[^\"&\\]*+[&\\]|'[^'&\\]*+[&\\]|[^\s>&\\\"']*+[&\\])")


def may_hide(markup: str) -> bool:
    """False when nothing in `markup` can hide text: `html_to_text` would report no hidden fragment."""
    low = markup[:MAX_HTML_CHARS].lower()
    if any(word in low for word in _HIDING_WORDS):
        return True
    return any(p.search(low) is not None for p in (_FONT_SHORTHAND, _FAR_OFFSET, _ESCAPED_STYLE, _BODY_TEXT))


@lru_cache(maxsize=128)
def _sheet(blocks: tuple[str, ...]) -> _StyleSheet | None:
    """The style sheet of these <style> contents (cached: mail clients repeat theirs verbatim)."""
    sheet = _StyleSheet()
    for css in blocks:
        sheet.add(css)
    return sheet if sheet.count else None


def html_to_text(markup: str, *, with_text: bool = True) -> HtmlText:
    """The text a reader sees in `markup`, and apart from it the fragments hidden from them.

    With `with_text=False` only the hidden fragments are wanted (the text is left empty): for an HTML
    alternative whose text/plain sibling gives the text.
    """
    if len(markup) > MAX_HTML_CHARS:
        markup = markup[:MAX_HTML_CHARS]
    if "\x00" in markup or "\x01" in markup or "\x02" in markup:
        markup = markup.replace("\x00", "\ufffd").replace("\x01", " ").replace("\x02", " ")
    if len(_PLANS) > _MEMO_LIMIT or len(_DERIVED) > _MEMO_LIMIT or len(_STATES) > _MEMO_LIMIT:
        _PLANS.clear()  # losing the memos costs time, never correctness
        _DERIVED.clear()
        _STATES.clear()
        _STATES[(False, True, 16.0, _BLACK, _WHITE, False, False)] = _ROOT
    # Style sheets apply to the whole document wherever they stand, so they are read first. A <style>
    # inside a comment or script is read too: that can only hide more.
    blocks = tuple(m.group(1) for m in _STYLE_BLOCK.finditer(markup))
    walk = _Walk(_sheet(blocks) if blocks else None)
    walk.run(markup)
    return walk.result(text=with_text)


# --- sanitising for display ------------------------------------------------------------------------------

_ALLOWED_TAGS = {
    "a", "abbr", "address", "b", "bdi", "big", "blockquote", "br", "caption", "center", "cite", "code", "col",
    "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u",
    "ul", "var",
}
_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    clean_content_tags={
        "script", "style", "title", "template", "noscript", "iframe", "object", "embed", "applet", "noembed",
        "noframes", "frameset", "frame", "svg", "math", "select", "textarea", "button", "head",
    },
    attributes={
        "a": {"href", "title"},
        "img": {"alt"},  # never src: no remote (or cid:) resource is ever fetched; see _IMG_ALT
        "td": {"colspan", "rowspan", "align", "valign"},
        "th": {"colspan", "rowspan", "align", "valign"},
        "ol": {"start", "type"},
        "*": {"dir", "lang"},
    },
    url_schemes={"http", "https", "mailto", "tel"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
# ammonia serialises an allowed <img> as exactly `<img>` or `<img alt="…">` (quotes in the value are
# written &quot;), so this pattern cannot run past the tag.
_IMG_ALT = re.compile(r'<img(?: alt="([^"]*)")?>')


# html5ever (under nh3), like any HTML5 tree builder, spends time in proportion to the nesting depth on
# each start tag: 20,000 nested <div> take ~1 s. Browsers stop nesting at 512 (Blink); so does this,
# by cutting the markup where it would go deeper. Only long markup can nest that deep: shorter is
# passed as it is.
MAX_NESTING = 512
_QUICK_TAGS = 4000
_OPEN_CLOSE = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
_NOT_NESTING = _VOID | {"p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp"}


def _nesting_cut(markup: str) -> int:
    """Where `markup` first nests deeper than MAX_NESTING (its length if never)."""
    if markup.count("<") <= _QUICK_TAGS:
        return len(markup)
    depth = 0
    for m in _OPEN_CLOSE.finditer(markup):
        if m.group(2).lower() in _NOT_NESTING:
            continue
        if m.group(1):
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > MAX_NESTING:
                return m.start()
    return len(markup)


def sanitize_html(markup: str) -> str:
    """Markup safe to display: allow-listed tags, no scripts, styles, handlers or remote resources."""
    if len(markup) > MAX_HTML_CHARS:
        markup = markup[:MAX_HTML_CHARS]
    markup = markup[:_nesting_cut(markup)]
    clean = _CLEANER.clean(markup)
    if "<img" in clean:
        clean = _IMG_ALT.sub(lambda m: escape(unescape(m.group(1) or ""), quote=False), clean)
    return clean
