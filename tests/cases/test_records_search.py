"""Disclosures and advisory sessions are searchable by exactly the roles that may read them
(by their titles and advice: descriptions and privileged notes are sealed, never indexed)."""

import pytest

from tests.support import ROLES, make_disclosure, make_session
from tracker.cases import search
from tracker.cases.disclosures import service as disclosures
from tracker.cases.sessions import service as advice
from tracker.db import db

DISCLOSURE_READERS = {"lawyer", "company", "auditor"}
ADVICE_READERS = {"lawyer", "company"}


def _hits(user, q):
    return {
        (e.record_type, e.record_id)
        for e in db.session.execute(search.search_entries(user, q)).scalars()
    }


@pytest.mark.parametrize("role", ROLES)
def test_search_follows_the_matrix(world, role):
    d = make_disclosure(world.project, world.users["company"], title="Gallium bridge")
    s = make_session(world.project, world.users["lawyer"], advice="Quarantine the wafers")
    user = world.users[role]
    assert (("disclosure", d.id) in _hits(user, "gallium")) == (role in DISCLOSURE_READERS)
    assert (("session", s.id) in _hits(user, "wafers")) == (role in ADVICE_READERS)
    # privileged notes are never indexed, not even for lawyers
    assert _hits(user, "breach") == set()


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_outsiders_find_nothing(world, role):
    make_disclosure(world.project, world.users["company"], title="Gallium bridge")
    make_session(world.project, world.users["lawyer"], advice="Quarantine the wafers")
    outsider = world.outsiders[role]
    assert _hits(outsider, "gallium") == set() and _hits(outsider, "wafers") == set()


def test_edits_reindex(world):
    d = make_disclosure(world.project, world.users["company"])
    d.status = "needs_info"
    db.session.flush()
    disclosures.resubmit_disclosure(
        d, d.version, {"title": "Hafnium oxide stack", "description": "Tantalum layers"}
    )
    lawyer = world.users["lawyer"]
    assert ("disclosure", d.id) in _hits(lawyer, "hafnium")
    assert ("disclosure", d.id) not in _hits(lawyer, "gallium")
    # the description is sealed at rest: never indexed
    assert ("disclosure", d.id) not in _hits(lawyer, "tantalum")
    s = make_session(world.project, lawyer)
    advice.update_session(s, s.version, {"topics": ["Tidal turbines"]})
    assert ("session", s.id) in _hits(lawyer, "tidal")
