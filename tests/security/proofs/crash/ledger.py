"""What the server acknowledged during the crash-safety proof, and what each record may read
back as after a kill."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: an attempted value that is not known in advance (the id of the asset an acceptance makes)
UNKNOWN = object()


@dataclass
class Expectation:
    """A record the server acknowledged (a 2xx answer): `role` reads it back at `path`, and
    each field holds one of its allowed values (None: any value, since a later attempt whose
    answer the kill cut off may have set it to something the client cannot know)."""

    path: str
    role: str
    fields: dict[str, list[Any] | None] = field(default_factory=dict)
    #: the sha256 (hex) of the content at `path` (an uploaded version)
    sha256: str | None = None


def same(values: dict[str, Any], *names: str) -> dict[str, list[Any] | None]:
    """The fields `names` must read back exactly as sent."""
    return {name: [values[name]] for name in names}


class Ledger:
    """Every acknowledged write, keyed by (kind, id). Thread-safe: the clients share it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.records: dict[tuple[str, Any], Expectation] = {}
        self.counts: Counter[str] = Counter()
        #: records acknowledged or changed since the last re-read
        self.fresh: set[tuple[str, Any]] = set()

    def acknowledge(self, kind: str, ident: Any, expectation: Expectation) -> None:
        with self.lock:
            self.records[(kind, ident)] = expectation
            self.counts[kind] += 1
            self.fresh.add((kind, ident))

    def attempt(self, key: tuple[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """Before a change that a kill may cut off: allow its values too (the server may have
        committed it without answering). Returns what to restore if the server refuses it."""
        with self.lock:
            record = self.records.get(key)
            if record is None:
                return {}
            self.fresh.add(key)
            before = {name: record.fields.get(name) for name in changes}
            for name, value in changes.items():
                allowed = record.fields.get(name)
                record.fields[name] = (
                    None if value is UNKNOWN or allowed is None else [*allowed, value]
                )
            return before

    def refused(self, key: tuple[str, Any], before: dict[str, Any]) -> None:
        """The server answered >= 400: nothing of the attempt was committed."""
        with self.lock:
            if key in self.records:
                self.records[key].fields.update(before)

    def settle(self, key: tuple[str, Any], values: dict[str, Any]) -> None:
        """The change was acknowledged: these are the values now."""
        with self.lock:
            if key in self.records:
                self.records[key].fields.update({k: [v] for k, v in values.items()})

    def due(
        self, rng: random.Random, sample: int | None
    ) -> list[tuple[tuple[str, Any], Expectation]]:
        """What to re-read after a kill: every record acknowledged or changed since the last
        re-read and `sample` of the others (None: all of them)."""
        with self.lock:
            keys = sorted(self.records, key=str)
            older = [k for k in keys if k not in self.fresh]
            if sample is not None:
                older = rng.sample(older, min(sample, len(older)))
            chosen = sorted(self.fresh, key=str) + older
            self.fresh = set()
            return [(key, self.records[key]) for key in chosen]
