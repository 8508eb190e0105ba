"""Encodings: decoded when it can be told reliably, else one error naming the file and --encoding.

Reliable: a BOM (UTF-8, UTF-16 LE/BE), UTF-16 without a BOM (its NUL bytes), JabRef's
`% Encoding:` line, and UTF-8 itself. Not reliable: latin-1, windows-1252, GBK, Shift-JIS
without a declaration; those need `--encoding`, and with it they import exactly. Never a
byte silently replaced, never a traceback.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from tests.conftest import require_shared_data
from tui.cli import main
from tui.formats import FormatError, parse_path
from tui.store import Store

TEXT = {
    "latin": ("Über die Ästhetik: café, naïveté", "Jürgen Müller"),
    "cp1252": ("“Quoted” — the €uro’s dash", "François Œdipe"),
    "gbk": ("中文标题：测试", "王 力"),
    "sjis": ("日本語のタイトル", "山田 太郎"),
    "greek": ("Ἡ ἀρχή τῆς φιλοσοφίας", "Ἀριστοτέλης"),
}


def bib(title: str, author: str) -> str:
    return f"@article{{k1,\n  title = {{{title}}},\n  author = {{{author}}},\n  year = {{2001}},\n}}\n"


def ibid(*args) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def assert_no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def imported(db, key: str = "k1") -> tuple[str, str]:
    store = Store(db, read_only=True)
    try:
        w = store.work(key)
        return w.title, w.authors[0].name
    finally:
        store.close()


# Encodings that can be told from the bytes alone: decoded without being asked.
DETECTED = [
    ("utf-8", "utf-8", b""),
    ("utf-8-bom", "utf-8", b"\xef\xbb\xbf"),
    ("utf-16-le-bom", "utf-16-le", b"\xff\xfe"),
    ("utf-16-be-bom", "utf-16-be", b"\xfe\xff"),
    ("utf-16-le-nobom", "utf-16-le", b""),
    ("utf-16-be-nobom", "utf-16-be", b""),
    ("jabref-declared-windows-1252", "cp1252", b"% Encoding: windows-1252\n\n"),
    ("jabref-declared-latin-1", "latin-1", b"% Encoding: ISO-8859-1\n\n"),
    ("jabref-declared-gbk", "gbk", b"% Encoding: GBK\n\n"),
    ("jabref-declared-shift-jis", "shift_jis", b"% Encoding: Shift_JIS\n"),
]


def _writable(codec: str, sample: str) -> bool:
    try:
        bib(*TEXT[sample]).encode(codec)
    except UnicodeEncodeError:
        return False
    return True


# every sample in every detectable encoding that can write it (cp1252 has no Chinese)
_DETECTABLE = [(d, s) for d in DETECTED for s in sorted(TEXT) if _writable(d[1], s)]


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("name, codec, head, sample", [(*d, s) for d, s in _DETECTABLE],
                         ids=[f"{d[0]}-{s}" for d, s in _DETECTABLE])
def test_detectable_encodings_are_decoded(name, codec, head, sample, crlf, tmp_path, cases):
    title, author = TEXT[sample]
    text = bib(title, author)
    if crlf:
        text = text.replace("\n", "\r\n")
    data = head.decode("ascii").encode(codec) if head.startswith(b"%") else head
    data += text.encode(codec)
    path = tmp_path / "w.bib"
    path.write_bytes(data)
    db = tmp_path / "catalog.db"
    result = ibid("import", "--db", db, path)
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    assert imported(db) == (title, author)


# Encodings that cannot be told apart reliably: refused without --encoding, exact with it.
GUESSED = [("latin-1", "latin"), ("cp1252", "cp1252"), ("gbk", "gbk"), ("shift_jis", "sjis"),
           ("iso-8859-7", "greek"), ("cp1252", "latin"), ("gb18030", "gbk")]


@pytest.mark.parametrize("encoding, sample", GUESSED, ids=[f"{e}-{s}" for e, s in GUESSED])
def test_other_encodings_need_encoding_and_then_import_exactly(encoding, sample, tmp_path, cases):
    title, author = TEXT[sample]
    if sample == "greek":
        title, author = "Η αρχή της φιλοσοφίας", "Αριστοτέλης"  # monotonic: ISO-8859-7 has no polytonic
    path = tmp_path / "w.bib"
    path.write_bytes(bib(title, author).encode(encoding))
    db = tmp_path / "catalog.db"
    cases(2)
    refused = ibid("import", "--db", db, path)
    assert_no_traceback(refused)
    assert refused.exit_code == 1
    [line] = refused.stderr.splitlines()
    assert line.startswith(f"ibid: {path}:2: not UTF-8") and "--encoding" in line
    assert not db.exists() or Store(db).count() == 0  # nothing half-written
    ok = ibid("import", "--db", db, "--encoding", encoding, path)
    assert ok.exit_code == 0, ok.output
    assert imported(db) == (title, author)


BROKEN = [
    ("utf-8-bom-then-latin1", b"\xef\xbb\xbf@article{k, title={caf\xe9}}\n", "not UTF-8"),
    ("utf-16-odd-length", b"\xff\xfe@\x00a\x00r\x00x", "not UTF-16"),
    ("utf-16-lone-surrogate", b"\xff\xfe\x00\xd8@\x00", "not UTF-16"),
    ("utf-16-be-odd-length", b"\xfe\xff\x00@\x00", "not UTF-16"),
    ("utf-8-truncated-sequence", "@article{k, title={中}}\n".encode()[:-5], "not UTF-8"),
    ("utf-8-overlong", b"@article{k, title={\xc0\xaf}}\n", "not UTF-8"),
    ("utf-8-surrogate", b"@article{k, title={\xed\xa0\x80}}\n", "not UTF-8"),
    ("declared-utf8-but-latin1", b"% Encoding: UTF-8\n@article{k, title={caf\xe9}}\n", "not UTF-8"),
    ("declared-unknown-codec", b"% Encoding: klingon-8\n@article{k, title={caf\xe9}}\n", "not UTF-8"),
    ("pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF"),
    ("gzip", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "gzip-compressed"),
    ("zip", b"PK\x03\x04\x14\x00\x00\x00", "a zip archive"),
    ("sqlite", b"SQLite format 3\x00" + bytes(100), "a SQLite database"),
    ("nul-and-high-bytes", b"@article{k,\x00\xff\xfe\x00 title={x}}" * 3, "binary"),
]


@pytest.mark.parametrize("name, data, says", BROKEN, ids=[b[0] for b in BROKEN])
def test_undecodable_files_are_refused_in_one_line(name, data, says, tmp_path, cases):
    path = tmp_path / "w.bib"
    path.write_bytes(data)
    with pytest.raises(FormatError) as err:
        parse_path(path)
    assert str(path) in str(err.value) and says in str(err.value)
    db = tmp_path / "catalog.db"
    result = ibid("import", "--db", db, path)
    assert_no_traceback(result)
    [line] = result.stderr.splitlines()
    assert line.startswith(f"ibid: {path}") and says in line and result.exit_code == 1
    if says.startswith("not UTF"):
        assert "--encoding" in line


@pytest.mark.parametrize("encoding", ["no-such-codec", "utf-32", "rot13", "base64"])
def test_a_wrong_encoding_option_is_one_line(encoding, tmp_path):
    path = tmp_path / "w.bib"
    path.write_bytes(bib(*TEXT["latin"]).encode("latin-1"))
    result = ibid("import", "--db", tmp_path / "catalog.db", "--encoding", encoding, path)
    assert_no_traceback(result)
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1, result.output


# ---------------------------------------------------------------------------- the real files


REAL = [
    ("bib/bibtexparser-v1-tests/article_start_with_bom.bib", None, "ok"),
    ("bib/bibtexparser-v1-tests/book_bom.bib", None, "ok"),
    ("bib/jabref/fileformat/encoding-utf-16BE-without-header.bib", None, "ok"),
    ("bib/jabref/fileformat/encoding-windows-1252-with-header.bib", None, "ok"),
    # (JabRef's "without-header" file does carry the `% Encoding:` line: it is the BOM it lacks)
    ("bib/jabref/fileformat/encoding-windows-1252-without-header.bib", None, "ok"),
    ("bib/jabref/fileformat/encoding-windows-1252-without-header.bib", "cp1252", "ok"),
    ("bib/jabref/fileformat/encoding-windows-1252-but-utf-8-declared--decoding-fails.bib", None, "--encoding"),
    ("bib/bibtexparser-v2-tests/gbk_test.bib", None, "--encoding"),
    ("bib/bibtexparser-v2-tests/gbk_test.bib", "gbk", "ok"),
]


@pytest.mark.parametrize("relative, encoding, outcome", REAL,
                         ids=[f"{r.rsplit('/', 1)[-1]}-{e or 'detect'}" for r, e, _ in REAL])
def test_real_encoded_files(relative, encoding, outcome, tmp_path):
    path = require_shared_data(relative)
    args = ["--encoding", encoding] if encoding else []
    result = ibid("import", "--db", tmp_path / "catalog.db", *args, path)
    assert_no_traceback(result)
    if outcome == "ok":
        assert result.exit_code == 0, result.output
        store = Store(tmp_path / "catalog.db", read_only=True)
        text = " ".join(w.title + w.abstract + " ".join(a.name for a in w.authors) for w in store.works())
        store.close()
        assert "\ufffd" not in text
    else:
        [line] = result.stderr.splitlines()
        assert result.exit_code == 1 and line.startswith(f"ibid: {path}:") and outcome in line


def test_windows_1252_with_header_reads_the_degree_sign(tmp_path):
    path = require_shared_data("bib/jabref/fileformat/encoding-windows-1252-with-header.bib")
    batch = parse_path(path)
    # the one entry has no key (refused, with its line); its text decoded right all the same
    assert [p.line for p in batch.problems] == [3]
    assert "25° C" in path.read_bytes().decode("cp1252")


def test_gbk_real_file_with_encoding_keeps_the_chinese(tmp_path):
    path = require_shared_data("bib/bibtexparser-v2-tests/gbk_test.bib")
    batch = parse_path(path, "gbk")
    text = " ".join(w.title + " " + " ".join(a.name for a in w.authors) for w in batch.works)
    assert batch.works and any("\u4e00" <= c <= "\u9fff" for c in text)
    assert "\ufffd" not in text
