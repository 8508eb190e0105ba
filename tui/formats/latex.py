"""LaTeX -> Unicode for display and search, only where a value holds LaTeX."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .macros import Macros, expand

_LATEX_CHARS = re.compile(r"[\\{}$~]|--")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _converter():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False)


def decode(value: str, macros: Macros | None = None, german: bool = False) -> str:
    """Decoded Unicode for a BibTeX field value; plain values pass untouched (fast). The
    file's `macros`, the built-in ones and quotation ligatures (German ones for `german`
    entries) are expanded first (see macros.py)."""
    if not value:
        return ""
    value = expand(value, macros, german) if macros is not None and macros.defined else _expand_cached(value, german)
    if _LATEX_CHARS.search(value):
        value = _decode_latex(value)
    return _SPACE.sub(" ", value).strip()


@lru_cache(maxsize=65536)
def _expand_cached(value: str, german: bool) -> str:
    return expand(value, None, german)


@lru_cache(maxsize=65536)
def _decode_latex(value: str) -> str:
    if "\\" not in value and "$" not in value:
        # braces, dashes and ties only: no need for the (slow) full LaTeX walker
        return (value.replace("{", "").replace("}", "").replace("---", "\u2014")
                .replace("--", "\u2013").replace("~", "\u00a0"))
    fast = _simple(value)
    if fast is not None:
        return fast
    try:
        return _converter().latex_to_text(value)
    except Exception:  # pylatexenc is lenient, but never let display decoding fail an import
        return value.replace("{", "").replace("}", "")


# A fast path for the LaTeX most BibTeX holds: accents, letters like \ss, escaped specials,
# \emph-like styles, braces, ties and dashes, inline math (kept as written), macros pylatexenc
# does not know (dropped, as it does); pylatexenc (much slower) gets anything else. Its output
# is pylatexenc's for the same input, but where pylatexenc loses text (_LOGOS, _TEXT_STYLES,
# \slash and the dashes below): tests/formats/test_latex.py compares the two on three .bib
# files of ../shared/data (over 10,000 values the fast path takes, without those) and on
# hand-made values.
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "k": "\u0328",
            "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
            "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ"}
_ACCENT_BASE = {"i": "i", "j": "j"}  # an accent on \i is on i
_ESCAPES = {"&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}",
            ",": " ", " ": " ", "/": "", "-": "\u00ad", ":": " ", ";": " ", "!": "", "@": ""}
_WORDS = {"par": "", "textendash": "\u2013", "textemdash": "\u2014", "ldots": "\u2026",
          "slash": "/", "Dash": "\u2014", "emdash": "\u2014", "endash": "\u2013",  # (pylatexenc drops these 4)
          "dots": "\u2026", "textbackslash": "\\", "textquoteright": "\u2019", "textquoteleft": "\u2018",
          "quad": " ", "qquad": " ", "Mc": "Mc"}  # (TUGboat's `\Mc Gaffey`)
_DROPPED = {"vphantom", "hphantom", "phantom"}
_STYLES = {"emph", "textit", "textbf", "textsc", "textrm", "textsf", "textsl", "textmd"}
# Where pylatexenc loses text, this says what the LaTeX prints: it drops a macro it does not
# know, so `Publishing \& \TeX` read "Publishing &" and `{\TeX}'s DVI files` "'s DVI files"
# (TUGboat's 2,720 entries: 1,450 values with \TeX); and drops `\texttt{x}` with its argument.
_LOGOS = {"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2\u03b5", "BibTeX": "BibTeX", "BibLaTeX": "BibLaTeX",
          "AmSTeX": "AmS-TeX", "AmSLaTeX": "AmS-LaTeX", "ConTeXt": "ConTeXt", "LuaTeX": "LuaTeX",
          "LuaLaTeX": "LuaLaTeX", "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "pdfTeX": "pdfTeX",
          "pdfLaTeX": "pdfLaTeX", "eTeX": "e-TeX", "SliTeX": "SliTeX", "MF": "METAFONT", "MP": "METAPOST",
          "METAFONT": "METAFONT", "METAPOST": "METAPOST"}
_TEXT_STYLES = {"texttt", "textup", "textnormal", "mbox"}  # their argument is text pylatexenc drops
_PLAIN = re.compile(r"[^\\{}$~\-%&#^_`']+")


class _Bail(Exception):
    pass


def _simple(value: str) -> str | None:
    """`value` decoded when it holds only LaTeX this handles; None otherwise."""
    try:
        out, end = _group(value, 0, False)
    except (_Bail, IndexError):
        return None
    return out if end == len(value) else None


def _group(s: str, i: int, closing: bool) -> tuple[str, int]:
    """Text from i to the matching `}` (closing) or the end; returns it and where it stopped."""
    out: list[str] = []
    n = len(s)
    while i < n:
        m = _PLAIN.match(s, i)
        if m:
            out.append(m.group())
            i = m.end()
            continue
        c = s[i]
        if c == "{":
            text, i = _group(s, i + 1, True)
            out.append(text)
        elif c == "}":
            if not closing:
                raise _Bail
            return "".join(out), i + 1
        elif c == "~":
            out.append("\u00a0")
            i += 1
        elif c == "-":
            if s.startswith("---", i):
                out.append("\u2014")
                i += 3
            elif s.startswith("--", i):
                out.append("\u2013")
                i += 2
            else:
                out.append("-")
                i += 1
        elif c == "'" or c == "`":
            if s.startswith("''", i) or s.startswith("``", i):
                out.append("\u201d" if c == "'" else "\u201c")
                i += 2
            else:
                out.append(c)
                i += 1
        elif c in "#^_":  # (outside math: kept, as pylatexenc does)
            out.append(c)
            i += 1
        elif c == "\\":
            text, i = _macro(s, i + 1)
            out.append(text)
        elif c == "$" and not s.startswith("$$", i):  # inline math, kept as it is (pylatexenc's "verbatim")
            end = s.find("$", i + 1)
            while end > 0 and s[end - 1] == "\\":
                end = s.find("$", end + 1)
            if end < 0:
                raise _Bail
            out.append(s[i:end + 1])
            i = end + 1
        else:  # $$ % &: pylatexenc's
            raise _Bail
    if closing:
        raise _Bail
    return "".join(out), i


def _macro(s: str, i: int) -> tuple[str, int]:
    """The macro whose name starts at i (after the backslash)."""
    if s[i].isascii() and s[i].isalpha():
        j = i
        while j < len(s) and s[j].isascii() and s[j].isalpha():
            j += 1
        name, letters = s[i:j], True
    else:
        name, j, letters = s[i], i + 1, False
    if not letters and name in _ESCAPES:
        return _ESCAPES[name], j
    if name == "\\":  # a line break; its * (spaces before it too) and a [space] right after dropped
        k = j
        while k < len(s) and s[k] in " \t\n":
            k += 1
        if k < len(s) and s[k] == "*":
            j = k + 1
        if j < len(s) and s[j] == "[":
            end = s.find("]", j)
            if end < 0:
                raise _Bail
            j = end + 1
        return "\n", j
    if name in _LOGOS:
        # the space after it kept (TeX would swallow it): `\TeX users` reads, and is found, as
        # two words, not "TeXusers"
        return _LOGOS[name], j
    after = j
    if letters:
        j = _skip_space(s, j)
    if name in _ACCENTS:
        j = _skip_space(s, j)
        base, j = _argument(s, j)
        base = {"ı": "i", "ȷ": "j"}.get(base, base)
        if len(base) > 1:
            raise _Bail
        return (unicodedata.normalize("NFC", base + _ACCENTS[name]) if base else ""), j
    if name in _LETTERS:
        return _LETTERS[name], j
    if name in _WORDS:
        return _WORDS[name], j
    if name in _DROPPED:  # and its argument
        if j >= len(s) or s[j] != "{":
            raise _Bail
        return "", _group(s, j + 1, True)[1]
    if name == "url":  # the address as written (pylatexenc cut it at a %, a comment to LaTeX)
        if j >= len(s) or s[j] != "{":
            raise _Bail
        end = s.find("}", j)
        if end < 0 or "{" in s[j + 1:end] or "\\" in s[j + 1:end]:
            raise _Bail
        return f"<{s[j + 1:end]}>", end + 1
    if name in _STYLES or name in _TEXT_STYLES:
        if j >= len(s) or s[j] != "{":
            raise _Bail
        return _group(s, j + 1, True)
    if letters and name not in _known_macros() and name not in ("begin", "end"):  # (environments: pylatexenc's)
        if name[0].isupper() and (after == len(s) or s.startswith("{}", after) or s[after] in "}\\.,;:!?)/-'"):
            # what reads as a logo: a macro in capitals pylatexenc does not know, standing alone
            # (TUGboat's `{\Java}`, `\XML{}`, `\CTAN\ `, `\VAX.`), is printed as its name, as
            # _LOGOS; one before a word is more likely a switch (`{\SMC SGML}`): dropped
            return name, after
        return "", j  # as pylatexenc: the name goes, any {argument} after it stays as a group
    raise _Bail


@lru_cache(maxsize=1)
def _known_macros() -> frozenset[str]:
    """The macros pylatexenc has a rule for (its arguments, or its text): the rest it drops."""
    from pylatexenc.latex2text import get_default_latex_context_db as text_rules
    from pylatexenc.latexwalker import get_default_latex_context_db as argument_rules

    return frozenset(spec.macroname for db in (argument_rules(), text_rules()) for spec in db.iter_macro_specs())


def _argument(s: str, j: int) -> tuple[str, int]:
    """An accent's argument: a {group}, a letter macro, or one character."""
    c = s[j]
    if c == "{":
        return _group(s, j + 1, True)
    if c == "\\":
        k = j + 1
        while k < len(s) and s[k].isascii() and s[k].isalpha():
            k += 1
        name = s[j + 1:k]
        if name in _ACCENT_BASE or name in _LETTERS:
            k = _skip_space(s, k)
            return _ACCENT_BASE.get(name) or _LETTERS[name], k
        raise _Bail
    if c in "}$%&#^_~\n\\":
        raise _Bail
    return c, j + 1


def _skip_space(s: str, j: int) -> int:
    """After a control word: spaces and one line end are skipped; a blank line is a paragraph, kept."""
    k = j
    while k < len(s) and s[k] in " \t\n":
        k += 1
    return j if s.count("\n", j, k) >= 2 else k
