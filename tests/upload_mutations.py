"""Ways to damage an upload, for the fuzz tests and the regression cases of damaged files: bytes
flipped, inserted, deleted or cut off anywhere; for zip-based formats (.xlsx, .docx) an XML part cut,
repeated or given a stray `<`, `&` or NUL and zipped again; and the compressed data of one member
damaged while the zip directory stays intact (the directory still promises a readable part)."""

from __future__ import annotations

import io
import struct
import zipfile

from hypothesis import strategies as st

STRAYS = (b"<", b"&", b"\x00", b"</", b"&#0;", b"]]>", b'"', b"<!DOCTYPE x [", b"\xff\xfe")
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length


def member_data_span(data: bytes, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Where a member's compressed bytes lie in the archive (after its local header)."""
    signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    assert signature == b"PK\x03\x04"
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    return start, start + info.compress_size


def damage_member(data: bytes, name: str, offset: int, xor: int = 0xFF) -> bytes:
    """The archive with one byte of `name`'s compressed data (`offset` into it) flipped; the
    local headers and the central directory are untouched."""
    start, end = member_data_span(data, zipfile.ZipFile(io.BytesIO(data)).getinfo(name))
    assert start + offset < end
    out = bytearray(data)
    out[start + offset] ^= xor
    return bytes(out)


@st.composite
def byte_mutations(draw, data: bytes) -> bytes:
    """One to four byte-level edits anywhere in the file."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not out:
            break
        kind = draw(st.sampled_from(("flip", "insert", "delete", "truncate")))
        at = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[at] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del out[at:at + draw(st.integers(1, 64))]
        else:
            del out[at:]
    return bytes(out)


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


@st.composite
def part_mutations(draw, data: bytes) -> bytes:
    """The archive zipped again with one XML part cut, a slice of it repeated, or a stray token
    inserted: a well-formed zip around damaged XML."""
    members = _members(data)
    xml = [i for i, (info, _) in enumerate(members) if info.filename.endswith((".xml", ".rels"))]
    index = draw(st.sampled_from(xml))
    body = members[index][1]
    start = draw(st.integers(0, len(body)))
    kind = draw(st.sampled_from(("cut", "repeat", "stray")))
    if kind == "stray":
        body = body[:start] + draw(st.sampled_from(STRAYS)) + body[start:]
    else:
        end = draw(st.integers(start, min(len(body), start + 2000)))
        if kind == "cut":
            body = body[:start] + body[end:]
        else:
            body = body[:end] + body[start:end] * draw(st.integers(1, 3)) + body[end:]
    members[index] = (members[index][0], body)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members:
            archive.writestr(info.filename, content)
    return buffer.getvalue()


@st.composite
def compressed_data_damage(draw, data: bytes) -> bytes:
    """One to three bytes flipped inside one member's compressed data, the zip directory intact:
    the damage only shows when that member is inflated (zlib errors, bad CRC)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = [info for info in archive.infolist() if info.compress_size > 0]
    info = draw(st.sampled_from(infos))
    out = data
    for _ in range(draw(st.integers(1, 3))):
        out = damage_member(out, info.filename, draw(st.integers(0, info.compress_size - 1)),
                            draw(st.integers(1, 255)))
    return out
