"""Files of every format the uploads accept, good and bad, made on the fly."""

from __future__ import annotations

import io
import json
import zipfile

STORY = (
    "Venezuela asked Russia for radars and missiles on Tuesday, according to "
    "letters seen by reporters. The United States struck boats near the coast "
    "and officials in Washington said more strikes were possible. China was "
    "asked to speed up the production of radar detection systems as well."
)


def pdf(text: str | None = STORY) -> bytes:
    """A one-page PDF; with text=None the page has no text layer (like a scan)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def encrypted_pdf(user_password: str = "secret", algorithm: str = "RC4-128") -> bytes:
    """With user_password="" anyone may open it (only the owner's rights are
    protected), as many published PDFs are."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    writer.encrypt(
        user_password=user_password, owner_password="owner", algorithm=algorithm
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx(text: str = STORY, title: str = "") -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.core_properties.title = title
    document.core_properties.author = ""
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def html(body: str = f"<p>{STORY}</p>", head: str = "") -> bytes:
    return (
        f"<!doctype html><html><head>{head}</head><body><article>{body}"
        "</article></body></html>"
    ).encode()


def eml(body: str = STORY, date: str = "Tue, 28 Oct 2025 09:00:00 +0000") -> bytes:
    return (
        f"From: Desk <desk@example.org>\nTo: analysts@example.org\n"
        f"Subject: Caracas letters\nDate: {date}\nContent-Type: text/plain; "
        f"charset=utf-8\n\n{body}\n"
    ).encode()


def zipped(entries: dict[str, bytes], level: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb(megabytes: int = 20) -> bytes:
    return zipped({"bomb.txt": b"\0" * (megabytes * 1024 * 1024)})


def records_json(records) -> bytes:
    return json.dumps(records).encode()


def jsonl(records) -> bytes:
    return "\n".join(json.dumps(r) for r in records).encode()


def record(n: int, **fields) -> dict:
    return {
        "title": f"Story {n}",
        "text": f"Story number {n}: {STORY}",
        "publisher": "Wire",
        "url": f"https://example.org/{n}",
        "published": "2025-10-28",
        **fields,
    }


_COUNTRIES = [
    ("Russia", "Moscow"),
    ("Ukraine", "Kyiv"),
    ("China", "Beijing"),
    ("Japan", "Tokyo"),
    ("Venezuela", "Caracas"),
    ("Colombia", "Bogota"),
    ("Iran", "Tehran"),
    ("Israel", "Jerusalem"),
    ("India", "New Delhi"),
    ("Pakistan", "Islamabad"),
    ("Turkey", "Ankara"),
    ("Greece", "Athens"),
    ("Brazil", "Brasilia"),
    ("Argentina", "Buenos Aires"),
    ("Egypt", "Cairo"),
    ("Ethiopia", "Addis Ababa"),
    ("Poland", "Warsaw"),
    ("Germany", "Berlin"),
]
_SENTENCES = [
    "{a} accused {b} of violating the ceasefire along the border on {day}.",
    "The government of {a} threatened to impose sanctions on {b} over the dispute.",
    "{a} asked {b} for military aid, including radars and air defence systems.",
    "Officials in {ca} said that {a} was considering airstrikes against {b}.",
    "{a} and {b} signed a trade agreement in {cb} after months of talks.",
    "{a} expelled two diplomats from {b}, the foreign ministry in {ca} said.",
    "Troops from {a} shelled positions held by {b} near the frontier.",
    "{a} condemned {b} for the arrest of its citizens, according to state media.",
    "The president of {a} praised {b} for its help after the floods.",
    "{a} denied that it had sent weapons to rebels fighting {b}.",
    "Analysts in {cb} warned that {a} could cut gas supplies to {b} this winter.",
    "{a} recalled its ambassador from {b} in protest at the decision.",
    "A spokesman in {ca} said {a} would hold joint naval drills with {b}.",
    "{a} offered to mediate between {b} and its neighbours, diplomats said.",
    "Police said the weather in {ca} had been unusually warm for the season.",
    "Markets in {cb} rose slightly as investors waited for new figures.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def article_texts(count: int, seed: int = 7, sentences: int = 6) -> list[str]:
    """Distinct news-like English articles, each naming a few pairs of countries."""
    import random

    rng = random.Random(seed)
    texts = []
    for n in range(count):
        lines = [f"Report {n} from the {rng.choice(_DAYS)} briefing."]
        for template in rng.sample(_SENTENCES, sentences):
            (a, ca), (b, cb) = rng.sample(_COUNTRIES, 2)
            lines.append(template.format(a=a, b=b, ca=ca, cb=cb, day=rng.choice(_DAYS)))
        texts.append(" ".join(lines))
    return texts
