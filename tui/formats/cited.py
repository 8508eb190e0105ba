"""The citation keys a manuscript cites, and the keys written back for one.

`cited_keys(path)` reads what LaTeX, biber or the writer left behind and gives the keys
in the order they are first cited, each once:

- a LaTeX `.aux`: BibTeX's `\\citation{a,b}`, biblatex's `\\abx@aux@cite{0}{key}` (and the
  older `\\abx@aux@cite{key}`), and the `.aux` of each `\\include`d file through its
  `\\@input{part.aux}` line;
- a biber `.bcf`: its `<bcf:citekey>` elements;
- a `.tex` (or `.ltx`) file: the cite commands of LaTeX, natbib and biblatex with their
  optional arguments, and the files it brings in by `\\input`, `\\include` and `\\subfile`;
  not what is commented out or verbatim;
- Markdown for pandoc (`.md`, `.markdown`, `.qmd`, `.Rmd`): `[@key]`, `@key`,
  `[-@key; @other, p. 3]`, `@{odd key}`, in the text and in the front matter (`nocite:`,
  and, as pandoc does, any other field); not in code, nor in e-mail addresses.

`\\nocite{*}` (or `@*`) cites every work: `Cited.all`. What was passed over (a file that is
not there, bytes that are not UTF-8) is in `Cited.problems`; a file that cannot be read at
all raises FormatError.

`format_keys(keys, style)` writes keys for a manuscript: `\\cite{a,b}`, `[@a; @b]` or `a, b`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import FormatError, Problem
from .textfile import read_bytes

MAX_BYTES = 50 * 1024 * 1024  # a manuscript, its .aux or .bcf, is never near this
SUFFIXES = {".aux": "aux", ".bcf": "bcf", ".tex": "tex", ".ltx": "tex",
            ".md": "markdown", ".markdown": "markdown", ".qmd": "markdown", ".rmd": "markdown"}
KNOWN = ".aux, .bcf, .tex, .ltx, .md, .markdown, .qmd, .Rmd"
# biblatex's own entry, which it cites in the .aux it writes for BibTeX: not a work
_CONTROL = "biblatex-control"


@dataclass
class Cited:
    """What a manuscript cites: its keys in order of first citation, each once."""

    keys: list[str] = field(default_factory=list)
    all: bool = False  # `\nocite{*}`, `\citation{*}`, pandoc's `nocite: @*`
    problems: list[Problem] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set, init=False, repr=False, compare=False)

    def add(self, key: str) -> None:
        """Cite `key` (kept as written); `*` cites every work."""
        if key == "*":
            self.all = True
        elif key and key not in self._seen:
            self._seen.add(key)
            self.keys.append(key)

    def note(self, file: Path | str, line: int | None, message: str) -> None:
        self.problems.append(Problem(str(file), line, message, kind="skipped"))


def cited_keys(*paths: Path | str) -> Cited:
    """The keys the manuscript files cite, in order of first citation across them."""
    cited = Cited()
    for path in paths:
        path = Path(path)
        kind = SUFFIXES.get(path.suffix.lower())
        if kind is None:
            raise FormatError(f"{path}: not a manuscript ibid reads (it reads {KNOWN})")
        text = _read(path, cited)
        if kind == "aux":
            _aux(path, text, cited, {path.resolve()})
        elif kind == "bcf":
            _bcf(path, text, cited)
        elif kind == "tex":
            _Tex(path, cited).read(path, text, [path.resolve()])
        else:
            _markdown(text, cited)
    return cited


def _read(path: Path, cited: Cited) -> str:
    """The file as text: refused whole (FormatError) when missing, binary or too large;
    bytes that are not UTF-8 replaced, and said."""
    data = read_bytes(path, MAX_BYTES, "a manuscript")  # (its size said before a byte is read)
    if b"\x00" in data:
        raise FormatError(f"{path}: a binary file, not a manuscript")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        cited.note(path, line, "not UTF-8: read with the bytes that are not replaced (a key there may be misspelt)")
        return data.decode("utf-8", errors="replace")


def _included(including: Path, line: int, target: Path, cited: Cited) -> str | None:
    """An included file's text, or None with the reason noted at the including line."""
    try:
        return _read(target, cited)
    except FormatError as exc:
        cited.note(including, line, f"skipped {target}: {str(exc).removeprefix(f'{target}: ')}")
        return None


# --- .aux -----------------------------------------------------------------------------

_AUX = re.compile(r"\\citation\{([^}]*)\}|\\abx@aux@cite\{([^}]*)\}(?:\{([^}]*)\})?|\\@input\{([^}]*)\}")


def _aux(path: Path, text: str, cited: Cited, reading: set[Path]) -> None:
    for match in _AUX.finditer(text):
        bibtex, first, second, include = match.groups()
        if bibtex is not None:
            for key in bibtex.split(","):
                if key.strip() != _CONTROL:
                    cited.add(key.strip())
        elif first is not None:
            cited.add((second if second is not None else first).strip())
        else:
            line = text.count("\n", 0, match.start()) + 1
            target = path.parent / include.strip()
            if target.resolve() in reading:
                cited.note(path, line, f"{include} includes itself: read once")
                continue
            if not target.exists():
                cited.note(path, line, f"no {include} beside {path.name} (the .aux of an \\include); skipped")
                continue
            inner = _included(path, line, target, cited)
            if inner is not None:
                _aux(target, inner, cited, reading | {target.resolve()})


# --- .bcf -----------------------------------------------------------------------------

try:  # guards against entity expansion (billion laughs) and external entities
    from defusedxml import ElementTree as _SafeET  # type: ignore[import-not-found]
except ImportError:  # without it, a DOCTYPE (where entities are declared) is refused
    _SafeET = None

_DOCTYPE = re.compile(r"<!DOCTYPE|<!ENTITY", re.I)


def _bcf(path: Path, text: str, cited: Cited) -> None:
    import xml.etree.ElementTree as ET

    if _SafeET is None and _DOCTYPE.search(text):
        line = text.count("\n", 0, _DOCTYPE.search(text).start()) + 1
        raise FormatError(f"{path}:{line}: a DOCTYPE in a .bcf (biber never writes one): refused")
    parse = _SafeET.fromstring if _SafeET is not None else ET.fromstring
    try:
        root = parse(text)
    except ET.ParseError as exc:
        line, _ = exc.position
        raise FormatError(f"{path}:{line}: not well-formed XML ({str(exc).split(':')[0]})") from None
    except Exception as exc:  # defusedxml's refusals (EntitiesForbidden, DTDForbidden ...)
        raise FormatError(f"{path}: refused ({type(exc).__name__})") from None
    if _local(root.tag) != "controlfile":
        raise FormatError(f"{path}: not a biber control file (its root is <{_local(root.tag)}>)")
    for element in root.iter():
        if _local(element.tag) == "citekey":
            cited.add((element.text or "").strip())


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# --- .tex -----------------------------------------------------------------------------

_CITE = {
    "cite", "Cite", "citep", "Citep", "citet", "Citet", "citealt", "Citealt", "citealp", "Citealp",
    "citenum", "parencite", "Parencite", "textcite", "Textcite", "autocite", "Autocite",
    "footcite", "footcitetext", "smartcite", "Smartcite", "supercite", "citeauthor", "Citeauthor",
    "citeyear", "citeyearpar", "citeurl", "citetitle", "Citetitle", "citedate", "fullcite",
    "footfullcite", "nocite",
}
_MULTICITE = {"cites", "Cites", "parencites", "Parencites", "textcites", "Textcites", "autocites",
              "Autocites", "footcites", "footcitetexts", "smartcites", "Smartcites", "supercites"}
_VERBATIM = {"verbatim", "verbatim*", "Verbatim", "Verbatim*", "lstlisting", "minted", "comment",
             "BVerbatim", "LVerbatim"}
_INPUT = {"input", "include", "subfile"}
_TOKEN = re.compile(r"%|\\(?:([A-Za-z@]+)|.)", re.S)
_BEGIN = re.compile(r"\s*\{([A-Za-z*]+)\}")
_SPACE = re.compile(r"[ \t]*(?:\r?\n[ \t]*)?")  # TeX skips spaces and one line end between arguments


class _Tex:
    """One .tex manuscript and the files it brings in."""

    def __init__(self, main: Path, cited: Cited):
        self.root = main.parent
        self.cited = cited
        self.read_files: set[Path] = set()

    def read(self, path: Path, text: str, stack: list[Path]) -> None:
        self.read_files.add(path.resolve())
        pos, end = 0, len(text)
        while (match := _TOKEN.search(text, pos)) is not None:
            pos = match.end()
            if match.group(0) == "%":
                newline = text.find("\n", pos)
                pos = end if newline < 0 else newline + 1
                continue
            name = match.group(1)
            if name is None:
                continue  # \%, \\, \{ ...: text
            if name in ("verb", "lstinline") and pos < end:
                pos = self._skip_verb(text, pos)
            elif name == "begin":
                env = _BEGIN.match(text, pos)
                if env and env.group(1) in _VERBATIM:
                    close = text.find("\\end{" + env.group(1) + "}", env.end())
                    pos = end if close < 0 else close
            elif name in _CITE:
                pos = self._cite(path, text, pos, multi=False)
            elif name in _MULTICITE:
                pos = self._cite(path, text, pos, multi=True)
            elif name in _INPUT:
                pos = self._input(path, text, pos, name, stack)

    @staticmethod
    def _skip_verb(text: str, pos: int) -> int:
        if text[pos] == "*":
            pos += 1
        if pos >= len(text) or text[pos].isalpha() or text[pos].isspace():
            return pos
        close = text.find("}" if text[pos] == "{" else text[pos], pos + 1)  # \lstinline{...} too
        newline = text.find("\n", pos + 1)
        if close < 0 or (0 <= newline < close):
            return pos + 1  # LaTeX would stop here with an error; read on
        return close + 1

    def _cite(self, path: Path, text: str, pos: int, multi: bool) -> int:
        start = pos
        if text.startswith("*", pos):
            pos += 1
        if multi:
            for _ in range(2):  # (multiprenote)(multipostnote)
                after = self._group(text, _SPACE.match(text, pos).end(), "(", ")")
                if after is None:
                    break
                pos = after[1]
        while True:
            for _ in range(2):  # [prenote][postnote]
                after = self._group(text, _SPACE.match(text, pos).end(), "[", "]")
                if after is None:
                    break
                pos = after[1]
            keys = self._group(text, _SPACE.match(text, pos).end(), "{", "}")
            if keys is None:
                if not multi or pos == start:
                    line = text.count("\n", 0, start) + 1
                    self.cited.note(path, line, "a cite command without its {keys} (or not closed): skipped")
                return pos
            for key in _uncomment(keys[0]).split(","):
                self.cited.add(key.strip())
            pos = keys[1]
            if not multi:
                return pos
            following = _SPACE.match(text, pos).end()
            if following >= len(text) or text[following] not in "[{":
                return pos

    @staticmethod
    def _group(text: str, pos: int, opening: str, closing: str) -> tuple[str, int] | None:
        """The text of a group opening at `pos` (nested braces, and nested `opening`s, kept
        whole) and the position after it; None when none opens there or it is not closed."""
        if pos >= len(text) or text[pos] != opening:
            return None
        depth, braces, i = 0, 0, pos
        while i < len(text):
            char = text[i]
            if char == "\\":
                i += 2
                continue
            if char == "%":
                newline = text.find("\n", i)
                i = len(text) if newline < 0 else newline + 1
                continue
            if opening != "{" and char == "{":
                braces += 1
            elif opening != "{" and char == "}":
                braces = max(braces - 1, 0)
            elif braces == 0 and char == opening:
                depth += 1
            elif braces == 0 and char == closing:
                depth -= 1
                if depth == 0:
                    return text[pos + 1:i], i + 1
            i += 1
        return None

    def _input(self, path: Path, text: str, pos: int, command: str, stack: list[Path]) -> int:
        group = self._group(text, _SPACE.match(text, pos).end(), "{", "}")
        if group is None:
            return pos  # `\input file` without braces, or a definition: not followed
        name = _uncomment(group[0]).strip()
        line = text.count("\n", 0, pos) + 1
        target = self._find(path, name, command)
        if target is None:
            self.cited.note(path, line, f"\\{command}{{{name}}}: no such file beside the manuscript; skipped")
            return group[1]
        resolved = target.resolve()
        if resolved in stack:
            self.cited.note(path, line, f"\\{command}{{{name}}} brings in a file already being read "
                                        "(an include cycle): skipped")
        elif resolved not in self.read_files:
            inner = _included(path, line, target, self.cited)
            if inner is not None:
                self.read(target, inner, stack + [resolved])
        return group[1]

    def _find(self, including: Path, name: str, command: str) -> Path | None:
        # LaTeX looks from where it runs (the main file's folder); subfiles from the including file's
        folders = [including.parent, self.root] if command == "subfile" else [self.root, including.parent]
        if command == "include" or Path(name).suffix.lower() != ".tex":
            names = [name + ".tex"] if command == "include" else [name + ".tex", name]
        else:
            names = [name]
        for folder in folders:
            for candidate in names:
                target = folder / candidate
                if target.is_file():
                    return target
        return None


def _uncomment(text: str) -> str:
    """`a,% why\n b` -> `a, b`: what a comment hides inside an argument is not a key."""
    return re.sub(r"(?<!\\)%[^\n]*(\n|$)", "", text)


# --- Markdown for pandoc ------------------------------------------------------------------

# pandoc's key: a letter, digit or _ first, then those and internal punctuation (followed by one
# of them), or `:`/`/` before `/` (URLs); `@{...}` holds anything else but spaces; not after a letter
# or digit (e-mail addresses), nor escaped. Checked against pandoc 2.17's own reading.
_AT = re.compile(r"(?<![^\W_])(?<![\\@/`])@(?:\{([^{}\s]+)\}|(\*)|(\w(?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*))")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s")


def _markdown(text: str, cited: Cited) -> None:
    lines = text.splitlines()
    body_from = 0
    if lines and lines[0].strip() == "---":
        close = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if close is not None:
            # pandoc reads every metadata string as Markdown, and cites what they cite (a key in the
            # title as well as in `nocite`): checked with pandoc 2.17
            _citations("\n".join(lines[1:close]), cited)
            body_from = close + 1
    prose: list[str] = []
    fence: str | None = None
    previous_blank, in_list = True, False
    for line in lines[body_from:]:
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            prose.append("")
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            prose.append("")
            continue
        blank = not line.strip()
        indented = line.startswith(("    ", "\t"))
        if indented and previous_blank and not in_list:
            prose.append("")  # an indented code block (in a list it is the item's text)
            continue  # previous_blank stays: the block goes on to its next blank line
        if not blank and not indented:
            in_list = bool(_LIST_ITEM.match(line))
        prose.append(line)
        previous_blank = blank
    body = "\n".join(prose)
    body = _HTML_COMMENT.sub(" ", body)
    body = _CODE_SPAN.sub(lambda m: " " if "\n\n" not in m.group(0) else m.group(0), body)
    _citations(body, cited)


def _citations(text: str, cited: Cited) -> None:
    for match in _AT.finditer(text):
        braced, star, bare = match.groups()
        cited.add("*" if star else (braced if braced is not None else bare))


# --- keys for a manuscript --------------------------------------------------------------

CITE_FORMATS = ("latex", "pandoc", "plain")
_PANDOC_KEY = re.compile(r"^\w(?:\w|[:.#$%&\-+?<>~/](?=\w))*$")


def format_keys(keys: Iterable[str], style: str) -> str:
    """Keys as a manuscript cites them: `latex` `\\cite{a,b}`, `pandoc` `[@a; @b]`, `plain` `a, b`."""
    keys = list(keys)
    if style == "latex":
        return "\\cite{" + ",".join(keys) + "}"
    if style == "pandoc":
        return "[" + "; ".join("@" + (k if _PANDOC_KEY.match(k) else "{" + k + "}") for k in keys) + "]"
    if style == "plain":
        return ", ".join(keys)
    raise ValueError(f"unknown citation format {style!r} (known: {', '.join(CITE_FORMATS)})")
