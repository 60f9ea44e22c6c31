"""Vector PDF pages put together from the one-page PDFs that Graphviz writes.

Graphviz (`dot -Tpdf`, through cairo) writes one graph per file. Slides need one file
of many pages, each with several pieces: a title, the graph scaled to fill, a caption
and a legend. `compose` does that without a PDF library: every piece's page becomes a
form XObject (its drawing, fonts and all, reused as a unit), and each output page
draws its pieces with a scale and an offset. Text stays text and lines stay lines, at
any zoom; a piece used on every page (the title, the legend) is stored once.

Only what cairo writes is read: classic cross-reference tables, one page, one content
stream. Anything else raises ValueError rather than writing a broken file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Piece", "Placement", "compose", "read_piece"]

_OBJECT = re.compile(rb"(\d+) 0 obj\b")
_REF = re.compile(rb"(\d+) 0 R\b")


@dataclass(frozen=True)
class Piece:
    """One page of a PDF, kept as its objects, ready to be drawn inside other pages.

    Attributes:
        width, height: its MediaBox, in points.
        objects: object number -> (dictionary text, stream bytes or None), without the
            file's catalog, page tree, page and document information.
        contents: the page's content stream (still compressed) and its filter.
        resources: the page's /Resources and /Group entries, as written.
    """

    width: float
    height: float
    objects: dict[int, tuple[bytes, bytes | None]] = field(repr=False)
    contents: tuple[bytes, bytes] = field(repr=False)
    resources: bytes = field(repr=False)


@dataclass(frozen=True)
class Placement:
    """A piece drawn on a page: its lower-left corner at (x, y) points, enlarged `scale` times."""

    piece: int
    x: float
    y: float
    scale: float = 1.0


def read_piece(pdf: bytes) -> Piece:
    """The single page of `pdf` (as cairo writes it) as a Piece.

    Raises:
        ValueError: for a file that is not a one-page PDF of the form cairo writes.
    """
    objects = _objects(pdf)
    pages = [n for n, (head, _) in objects.items() if re.search(rb"/Type\s*/Page\b", head)]
    if len(pages) != 1:
        raise ValueError(f"expected a PDF of one page, found {len(pages)} pages")
    head = objects[pages[0]][0]
    box = re.search(rb"/MediaBox\s*\[\s*([-\d.\s]+)\]", head)
    contents = re.search(rb"/Contents\s+(\d+) 0 R", head)
    if not box or not contents:
        raise ValueError("the PDF's page has no MediaBox or no single content stream")
    x0, y0, x1, y1 = (float(v) for v in box.group(1).split())
    content_head, stream = objects[int(contents.group(1))]
    if stream is None:
        raise ValueError("the PDF's page content is not a stream")
    filters = re.search(rb"/Filter\s*(/\w+)", content_head)
    resources = re.search(rb"/Resources\s+\d+ 0 R", head)
    group = re.search(rb"/Group\s*<<.*?>>", head, re.S)
    kept = {
        n: value
        for n, value in objects.items()
        if n not in (pages[0], int(contents.group(1)))
        and not re.search(rb"/Type\s*/(Catalog|Pages)\b|/Producer\b", value[0])
    }
    return Piece(
        width=x1 - x0,
        height=y1 - y0,
        objects=kept,
        contents=(stream, filters.group(1) if filters else b""),
        resources=b" ".join(m.group(0) for m in (resources, group) if m),
    )


def compose(
    pieces: list[Piece],
    pages: list[list[Placement]],
    *,
    size: tuple[float, float],
    background: tuple[float, float, float] = (1.0, 1.0, 1.0),
    title: str = "",
) -> bytes:
    """A PDF whose pages each draw some of `pieces`, all of one `size` (points).

    Args:
        pieces: the drawings (from `read_piece`); each is stored once.
        pages: per page, where each piece goes.
        size: the page's width and height, in points (13.333 x 7.5 in is 960 x 540).
        background: the page's colour, red, green and blue from 0 to 1.
        title: the document's title, shown by PDF viewers.

    Returns:
        The PDF file's bytes.
    """
    out = _Writer()
    forms = []
    for piece in pieces:
        offset = out.reserve(max(piece.objects, default=0))
        for n, (head, stream) in sorted(piece.objects.items()):
            out.put(offset + n, _renumbered(head, offset), stream)
        resources = _renumbered(piece.resources, offset)
        data, codec = piece.contents
        form = b"<< /Type /XObject /Subtype /Form /BBox [0 0 %s %s] %s%s /Length %d >>" % (
            _num(piece.width),
            _num(piece.height),
            resources,
            _filter(codec),
            len(data),
        )
        forms.append(out.add(form, data))
    parent = out.reserve(1) + 1
    kids = []
    names = b" ".join(b"/P%d %d 0 R" % (k, ref) for k, ref in enumerate(forms))
    for placements in pages:
        drawing = [b"%s rg 0 0 %s %s re f" % (_rgb(background), _num(size[0]), _num(size[1]))]
        for p in placements:
            drawing.append(
                b"q %s 0 0 %s %s %s cm /P%d Do Q"
                % (_num(p.scale), _num(p.scale), _num(p.x), _num(p.y), p.piece)
            )
        stream = b"\n".join(drawing)
        content = out.add(b"<< /Length %d >>" % len(stream), stream)
        kids.append(
            out.add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R "
                b"/Resources << /XObject << %s >> >> >>"
                % (parent, _num(size[0]), _num(size[1]), content, names)
            )
        )
    kid_refs = b" ".join(b"%d 0 R" % k for k in kids)
    out.put(parent, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kid_refs, len(kids)))
    catalog = out.add(b"<< /Type /Catalog /Pages %d 0 R >>" % parent)
    info = out.add(b"<< /Title %s /Producer (tracegrad) >>" % _text(title))
    return out.finish(catalog, info)


class _Writer:
    """Objects numbered from 1, written with a cross-reference table at the end."""

    def __init__(self) -> None:
        self.objects: dict[int, bytes] = {}
        self.top = 0

    def reserve(self, count: int) -> int:
        """Set aside numbers top+1 .. top+count; returns top before (the offset)."""
        start = self.top
        self.top += count
        return start

    def put(self, number: int, head: bytes, stream: bytes | None = None) -> None:
        body = head if stream is None else head + b"\nstream\n" + stream + b"\nendstream"
        self.objects[number] = b"%d 0 obj\n%s\nendobj\n" % (number, body)

    def add(self, head: bytes, stream: bytes | None = None) -> int:
        number = self.reserve(1) + 1
        self.put(number, head, stream)
        return number

    def finish(self, root: int, info: int) -> bytes:
        chunks = [b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"]
        offsets = {}
        position = len(chunks[0])
        for number in range(1, self.top + 1):
            body = self.objects.get(number, b"%d 0 obj\nnull\nendobj\n" % number)
            offsets[number] = position
            chunks.append(body)
            position += len(body)
        table = [b"xref\n0 %d\n0000000000 65535 f \n" % (self.top + 1)]
        table += [b"%010d 00000 n \n" % offsets[n] for n in range(1, self.top + 1)]
        chunks += table
        chunks.append(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (self.top + 1, root, info, position)
        )
        return b"".join(chunks)


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every object of `pdf`: number -> (dictionary text, stream bytes or None)."""
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("not a PDF file")
    found = list(_OBJECT.finditer(pdf))
    lengths = {}
    for m in found:  # the plain numbers, which streams' /Length may point at
        number = re.match(rb"\s*(\d+)\s*endobj", pdf[m.end() : m.end() + 40])
        if number:
            lengths[int(m.group(1))] = int(number.group(1))
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    position = 0
    for m in found:
        if m.start() < position:
            continue  # "N 0 obj" inside a stream read already
        start = m.end()
        marker = pdf.find(b"stream", start)
        end = pdf.find(b"endobj", start)
        if end < 0:
            raise ValueError(f"object {m.group(1).decode()} of the PDF does not end")
        if 0 <= marker < end:
            head = pdf[start:marker].strip()
            length = re.search(rb"/Length\s+(\d+)(\s+0 R)?", head)
            if not length:
                raise ValueError(f"stream {m.group(1).decode()} of the PDF has no /Length")
            size = lengths[int(length.group(1))] if length.group(2) else int(length.group(1))
            data_start = marker + len(b"stream")
            data_start += 2 if pdf[data_start : data_start + 2] == b"\r\n" else 1
            stream: bytes | None = pdf[data_start : data_start + size]
            end = pdf.find(b"endobj", data_start + size)
        else:
            head, stream = pdf[start:end].strip(), None
        objects[int(m.group(1))] = (head, stream)
        position = end
    return objects


def _renumbered(text: bytes, offset: int) -> bytes:
    return _REF.sub(lambda m: b"%d 0 R" % (int(m.group(1)) + offset), text)


def _filter(codec: bytes) -> bytes:
    return b" /Filter " + codec if codec else b""


def _num(x: float) -> bytes:
    return (b"%.4f" % x).rstrip(b"0").rstrip(b".") or b"0"


def _rgb(color: tuple[float, float, float]) -> bytes:
    return b" ".join(_num(c) for c in color)


def _text(text: str) -> bytes:
    """A PDF string: UTF-16 with its byte-order mark, as hexadecimal (any character)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"
