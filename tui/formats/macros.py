"""The LaTeX a .bib file means beyond what the decoder knows: macros the file defines in
@preamble, sort-key no-ops, language and quotation macros, TeX's quotation ligatures and
the symbols pylatexenc drops. Applied to a value before it is decoded for display and
search (the raw fields keep the LaTeX as written)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# what pylatexenc drops (`\pounds 5` read "5"), and the quotation marks of babel and csquotes
SYMBOLS = {
    "pounds": "£", "textpounds": "£", "S": "§", "P": "¶", "copyright": "©", "ddag": "‡", "dag": "†",
    "euro": "€", "EUR": "€", "texteuro": "€", "textdegree": "°", "degree": "°", "textbar": "|",
    "textless": "<", "textgreater": ">", "textunderscore": "_", "checkmark": "✓", "textquotedbl": '"',
    "textminus": "−", "textbraceleft": "{", "textbraceright": "}", "textborn": "*", "textdied": "†",
    "textmarried": "⚭", "textdivorced": "⚮", "textleaf": "🙧", "textguarani": "₲", "textlquill": "⁅",
    "textrquill": "⁆", "textlbrackdbl": "⟦", "textrbrackdbl": "⟧", "lq": "‘", "rq": "’",
    "glqq": "„", "grqq": "“", "glq": "‚", "grq": "‘", "flqq": "«", "frqq": "»", "flq": "‹", "frq": "›",
}

# babel's and polyglossia's languages, for `\text<language>{…}`
LANGUAGES = (
    "afrikaans albanian american arabic armenian australian austrian basque belarusian bengali "
    "brazilian breton british bulgarian canadian catalan chinese croatian czech danish dutch "
    "english esperanto estonian farsi finnish french galician georgian german greek hebrew hindi "
    "hungarian icelandic indonesian interlingua irish italian japanese kannada korean latin "
    "latvian lithuanian macedonian malay marathi mongolian naustrian newzealand ngerman "
    "norsk norwegian nswissgerman nynorsk persian polish portuges portuguese romanian russian "
    "sanskrit serbian slovak slovene slovenian spanish swedish swissgerman tamil telugu thai "
    "tibetan turkish turkmen ukrainian urdu uppersorbian vietnamese welsh UKenglish USenglish"
).split()

GERMAN = {"german", "ngerman", "austrian", "naustrian", "swissgerman", "nswissgerman", "deutsch",
          "de", "deu", "ger"}


@dataclass(frozen=True)
class Macro:
    """A macro as \\newcommand defines it: `nargs` arguments, the first optional when
    `default` is given, and the body with #1, #2 ... (or a function of the arguments)."""

    nargs: int = 0
    default: str | None = None
    body: str | Callable[[list[str], int, bool], str] = ""


def _text(args: list[str], level: int, german: bool) -> str:
    return "{" + args[-1] + "}"


def _quote(args: list[str], level: int, german: bool) -> str:
    # the outer quotes, or the inner ones inside another quotation
    marks = (("„", "“"), ("‚", "‘")) if german else (("“", "”"), ("‘", "’"))
    left, right = marks[level % 2]
    return left + args[-1] + right


QUOTES = {"enquote", "mkbibquote", "textquote"}

BUILT_IN: dict[str, Macro] = {
    **{name: Macro(0, None, char) for name, char in SYMBOLS.items()},
    # (as \newcommand counts them: the optional argument is one of nargs)
    "foreignlanguage": Macro(3, "", _text), "textlang": Macro(3, "", _text),
    "hyphenrules": Macro(1), "selectlanguage": Macro(1),
    **{f"text{lang}": Macro(2, "", _text) for lang in LANGUAGES},
    **{name: Macro(1, None, _quote) for name in QUOTES},
    "mkbibemph": Macro(1, None, _text), "mkbibitalic": Macro(1, None, _text), "mkbibbold": Macro(1, None, _text),
    "mkbibacro": Macro(1, None, _text), "mkbibparens": Macro(1, None, "(#1)"),
    "mkbibbrackets": Macro(1, None, "[#1]"),
}

# sort-key no-ops files use without defining them (`\noopsort{1984}`, `\SortNoop{a}`, `\sortkey`):
# print nothing, with their argument
_NO_OP = re.compile(r"no+p|[A-Za-z]*[Ss][Oo][Rr][Tt][A-Za-z]*|NOOP", re.I)


def _names(names) -> re.Pattern:
    """A control word among `names`, the built-in ones, or a no-op's; its name is group 1."""
    alternatives = "|".join(re.escape(n) for n in sorted({*names, *BUILT_IN}, key=len, reverse=True))
    return re.compile(rf"\\({alternatives}|[A-Za-z]*[Ss][Oo][Rr][Tt][A-Za-z]*|[Nn][Oo]+[Pp])(?![A-Za-z])\*?")


_BUILT_IN = _names(())
_LIGATURES = re.compile(r"``|''|(?<![\\`])`(?!`)")
_GERMAN_LIGATURES = re.compile(r",,|\"`|\"'")


@dataclass
class Macros:
    """The macros one file (and the files of an import before it) defines in @preamble."""

    defined: dict[str, Macro] = field(default_factory=dict)
    _pattern: re.Pattern | None = None

    def define(self, name: str, macro: Macro, replace: bool = True) -> None:
        """Add a definition (\\providecommand: `replace` False)."""
        if replace or name not in self.defined:
            self.defined[name] = macro
            self._pattern = None

    def pattern(self) -> re.Pattern:
        """A control word this file defines, or a built-in one."""
        if self._pattern is None:
            self._pattern = _names(self.defined)
        return self._pattern

    def read_preamble(self, text: str) -> None:
        """The definitions in a @preamble's text: \\newcommand, \\renewcommand, \\providecommand,
        \\DeclareRobustCommand, \\def (and \\gdef, \\edef, \\xdef)."""
        for m in _DEFINITION.finditer(text):
            if m.group("def"):
                name, nargs, default = m.group("defname"), len(m.group("params") or "") // 2, None
            else:
                name = m.group("name") or m.group("bare")
                nargs = int(m.group("nargs") or 0)
                default = m.group("default")
            body = _group(text, m.end() - 1)
            if body is None or not _for_text(body[0], nargs):
                continue
            self.define(name, Macro(nargs, default, body[0]), replace=m.group("how") != "providecommand")


_DEFINITION = re.compile(
    r"\\(?:(?P<how>newcommand|renewcommand|providecommand|DeclareRobustCommand)\*?\s*"
    r"(?:\{\s*\\(?P<name>[A-Za-z]+)\s*\}|\\(?P<bare>[A-Za-z]+))\s*(?:\[\s*(?P<nargs>\d)\s*\])?\s*"
    r"(?:\[(?P<default>[^\]]*)\])?\s*\{"
    r"|(?P<def>[gex]?def)\s*\\(?P<defname>[A-Za-z]+)\s*(?P<params>(?:#\d)*)\s*\{)")


# TeX's own programming: a macro built of these typesets something (`\\ocirc`'s ring, raised
# in an \\hbox) that a string cannot show; left undefined, its argument shows as text
_PRIMITIVE = re.compile(
    r"\\(if[a-z]*|fi|else|setbox|[hv]box|box|dimen\w*|advance|kern|raise|lower|[hv]skip|hss|[rl]lap|"
    r"accent|ooalign|expandafter|csname|endcsname|relax|char|wd|ht|dp|penalty|global|let|the|number|"
    r"makeatletter|makeatother|scriptscriptstyle|scriptstyle|mathchar|[hv]fil+|smash|[hv]rule|catcode|"
    r"uppercase|lowercase|futurelet|afterassignment|@\w*)(?![A-Za-z])")


def _for_text(body: str, nargs: int) -> bool:
    """Whether a definition says what its text reads. Not one built of TeX's primitives, nor
    one that prints something in place of all its arguments: that is a stand-in for text a
    document cannot typeset (`\\newcommand{\\bibcyr}[1]{---}` for Cyrillic), and the
    argument itself is what a reader wants."""
    if _PRIMITIVE.search(body):
        return False
    return not (nargs and body.strip() and not re.search(r"#\d", body))


def _group(s: str, i: int) -> tuple[str, int] | None:
    """The text of the braced group opening at i, and where it ends (after it); None if it never closes."""
    depth, j = 0, i
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
        j += 1
    return None


def _argument(s: str, i: int) -> tuple[str, int] | None:
    """A macro's argument at i (spaces before it skipped): a {group}, a control word, one character."""
    while i < len(s) and s[i] in " \t\n":
        i += 1
    if i >= len(s):
        return None
    if s[i] == "{":
        return _group(s, i)
    if s[i] == "}":
        return None
    if s[i] == "\\":
        j = i + 1
        while j < len(s) and s[j].isascii() and s[j].isalpha():
            j += 1
        j = max(j, i + 2)
        return s[i:j], j
    return s[i], i + 1


def _optional(s: str, i: int) -> tuple[str | None, int]:
    j = i
    while j < len(s) and s[j] in " \t\n":
        j += 1
    if j < len(s) and s[j] == "[":
        end = s.find("]", j)
        if end > 0:
            return s[j + 1:end], end + 1
    return None, i


_MATH = re.compile(r"(?<!\\)\$")
_LIMIT = 500  # expansions in one value: a macro defined by itself stops here


def expand(value: str, macros: Macros | None = None, german: bool = False) -> str:
    """`value` with the file's macros and the built-in ones expanded, and TeX's quotation
    ligatures as the quotation marks they print; inline math is left as it is."""
    if "\\" not in value and "`" not in value and "''" not in value and not (german and (",," in value or '"' in value)):
        return value
    if "$" in value:
        parts = _MATH.split(value)
        if len(parts) % 2:  # (an unclosed $: no math)
            return "$".join(p if n % 2 else _expand_text(p, macros, german) for n, p in enumerate(parts))
    return _expand_text(value, macros, german)


def _expand_text(value: str, macros: Macros | None, german: bool) -> str:
    if "\\" in value:
        value = _expand(value, macros, german, 0, [0])
    if german:
        value = _GERMAN_LIGATURES.sub(lambda m: "„" if m.group() in (",,", '"`') else "“", value)
    if "`" in value or "''" in value:
        value = _ligatures(value, german)
    return value


def _ligatures(value: str, german: bool) -> str:
    out, i = [], 0
    for m in _LIGATURES.finditer(value):
        if m.start() < i:
            continue
        c = m.group()
        if c == "``":
            out += [value[i:m.start()], "“"]
        elif c == "''":
            if m.start() > 0 and value[m.start() - 1] == "\\":
                continue  # an accent: \''
            out += [value[i:m.start()], "“" if german else "”"]
        else:  # ` ... ': the closing ' the first not followed by a letter (Turing's stays)
            close = re.compile(r"(?<!\\)'(?![\w'])").search(value, m.end())
            if close is None:
                continue
            out += [value[i:m.start()], "‚" if german else "‘", value[m.end():close.start()], "‘" if german else "’"]
            i = close.end()
            continue
        i = m.end()
    out.append(value[i:])
    return "".join(out)


def _expand(s: str, macros: Macros | None, german: bool, level: int, count: list[int]) -> str:
    pattern = macros.pattern() if macros and macros.defined else _BUILT_IN
    out, i = [], 0
    while (m := pattern.search(s, i)) and count[0] < _LIMIT:
        name = m.group(1)
        starred = m.group().endswith("*")
        macro = (macros.defined.get(name) if macros else None) or BUILT_IN.get(name)
        if macro is None:
            if not _NO_OP.fullmatch(name):
                out.append(s[i:m.end()])
                i = m.end()
                continue
            macro = Macro(1)  # a sort-key no-op nobody defined
        count[0] += 1
        j, args = m.end(), []
        if macro.nargs and macro.default is not None:
            opt, j = _optional(s, j)
            args.append(macro.default if opt is None else opt)
        while len(args) < macro.nargs:
            arg = _argument(s, j)
            if arg is None:
                break
            args.append(arg[0])
            j = arg[1]
        if len(args) < macro.nargs:  # not enough arguments: left as written
            out.append(s[i:m.end()])
            i = m.end()
            continue
        out.append(s[i:m.start()])
        if callable(macro.body):
            inner = level + (1 if name in QUOTES else 0) + (1 if starred and name in QUOTES else 0)
            args = [_expand(a, macros, german, inner, count) for a in args]
            out.append(macro.body(args, level + (1 if starred and name in QUOTES else 0), german))
        else:
            body = re.sub(r"#(\d)", lambda d: args[int(d.group(1)) - 1] if int(d.group(1)) <= len(args) else "",
                          macro.body)
            out.append(_expand(body, macros, german, level, count))
        if macro.nargs == 0:
            # TeX drops the spaces after a control word: so here after a symbol (`\pounds 5` is
            # £5), but not after a file's macro for a word (`\TUB is`: two words, as latex's logos)
            if name in SYMBOLS and not (macros and name in macros.defined):
                while j < len(s) and s[j] in " \t\n":
                    j += 1
            if s.startswith("{}", j):
                j += 2
        i = j
    out.append(s[i:])
    return "".join(out)


def language_is_german(fields: dict[str, str]) -> bool:
    """Whether an entry's `langid` or `language` says German."""
    lang = (fields.get("langid") or fields.get("language") or "").strip().strip("{}").lower()
    return lang in GERMAN or lang.startswith(("de-", "de_"))
