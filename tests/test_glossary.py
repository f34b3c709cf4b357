"""One Korean term per concept (docs/glossary.md): no catalogue translation uses a rejected
synonym, and no particle follows a value chosen at run time (`NDA #%(id)s는`)."""

from __future__ import annotations

import pathlib
import re

from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"
#: a placeholder followed by a particle that depends on the value's last sound
PARTICLE = re.compile(r"%\(\w+\)[sd](은|는|이|가|을|를|와|과)(?=[\s.,:;()]|$)")


def glossary() -> dict[str, str]:
    """Rejected synonym -> the term to use instead."""
    rejected = {}
    for line in GLOSSARY.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("Concept", "") or set(cells[0]) <= {"-"}:
            continue
        for synonym in filter(None, (s.strip() for s in cells[3].split(","))):
            rejected[synonym] = cells[1]
    return rejected


def translations() -> list[tuple[str, str, str]]:
    """(catalogue, msgid, msgstr) of every Korean translation, plural forms included."""
    found = []
    for path in sorted((ROOT / "tracker").glob("**/translations*/ko/LC_MESSAGES/messages.po")):
        with path.open("rb") as f:
            catalogue = read_po(f)
        for message in catalogue:
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            found.extend((str(path.relative_to(ROOT)), msgid, s) for s in strings if s)
    return found


def renderings() -> dict[tuple[str | None, str], set[str]]:
    """(context, msgid) -> its Korean translations across every catalogue (the catalogues are
    merged into one at run time, so two of them would show one of the two at random)."""
    found: dict[tuple[str | None, str], set[str]] = {}
    for path in sorted((ROOT / "tracker").glob("**/translations*/ko/LC_MESSAGES/messages.po")):
        with path.open("rb") as f:
            for message in read_po(f):
                if message.id and message.string:
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    text = message.string if isinstance(message.string, str) else message.string[0]
                    found.setdefault((message.context, msgid), set()).add(text)
    return found


def test_one_message_has_one_translation_in_every_catalogue():
    """A word with two meanings in English ("Action": an audited act or a follow-up's task)
    takes a context (`pgettext`); the same message in two catalogues says the same."""
    twice = {key: texts for key, texts in renderings().items() if len(texts) > 1}
    assert not twice, "\n".join(f"{k!r}: {sorted(t)}" for k, t in sorted(twice.items()))


def slips(rows: list[tuple[str, str, str]], rejected: dict[str, str]) -> list[str]:
    out = []
    for path, msgid, text in rows:
        for synonym, term in rejected.items():
            if synonym in text:
                out.append(f"{path}: {msgid!r} uses {synonym!r}, say {term!r}")
        for particle in PARTICLE.findall(text):
            out.append(f"{path}: {msgid!r}: a particle ({particle}) after a placeholder")
    return out


def test_the_glossary_lists_the_terms_of_the_issue():
    rejected = glossary()
    for synonym, term in {
        "프로젝트": "과제",
        "위험 검토": "위험 평가",
        "자료 공유": "자료 제공",
        "반출": "자료 제공",
        "기술 이전 대장": "자료 제공 대장",
        "기한 지남": "기한 경과",
    }.items():
        assert rejected[synonym] == term


def test_no_catalogue_uses_a_rejected_synonym_or_a_guessed_particle():
    found = slips(translations(), glossary())
    assert not found, "\n".join(found)


def test_a_slip_is_found():
    rows = [
        ("x.po", "My projects", "내 프로젝트"),
        ("x.po", "NDA #%(id)s covers", "NDA #%(id)s는 포함합니다."),
        ("x.po", "Projects", "과제"),
        ("x.po", "Valid after %(d)s", "%(d)s이후 유효"),
    ]
    found = slips(rows, glossary())
    assert len(found) == 2
    assert "'프로젝트'" in found[0] and "(는)" in found[1]
