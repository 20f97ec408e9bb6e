"""Countersigned PDFs as they come back: cut, flipped, padded or replaced, each is accepted or refused cleanly."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from placedesk.db import Database
from placedesk.models import Agreement
from placedesk.models.enums import AgreementStatus
from placedesk.services.agreements import ipa as ag
from tests.robustness import succeeds_or_refuses_cleanly
from tests.services.agreements.helpers import NOW, OFFICER_PASS, TODAY, countersign, make_placement, officer, \
    officer_p12

_state: dict[str, object] = {}


def _sent(db: Database) -> tuple[uuid.UUID, bytes]:
    """One signed agreement waiting for its countersignature, and the provider's good return."""
    if _state.get("db") is not db:
        with db.session_scope() as session:
            placement = make_placement(session)
            agreement = ag.issue_agreement(session, placement, officer=officer(), today=TODAY)
            ag.sign_agreement(session, agreement, identity=officer_p12(), passphrase=OFFICER_PASS,
                              officer=officer(), now=NOW)
            _state.update(db=db, id=agreement.id, good=countersign(agreement.officer_signed_document.content))
    return _state["id"], _state["good"]  # type: ignore[return-value]


_MUTATIONS = st.one_of(
    st.tuples(st.just("cut"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("append"), st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("replace"), st.binary(max_size=200)),
    st.tuples(st.just("text"), st.text(max_size=200)),
)


def _mutate(good: bytes, mutation: tuple) -> bytes:  # type: ignore[type-arg]
    kind = mutation[0]
    if kind == "cut":
        return good[: int(len(good) * mutation[1])]
    if kind == "flip":
        at = min(len(good) - 1, int(len(good) * mutation[1]))
        return good[:at] + bytes([good[at] ^ mutation[2]]) + good[at + 1:]
    if kind == "insert":
        at = int(len(good) * mutation[1])
        return good[:at] + mutation[2] + good[at:]
    if kind == "append":
        return good + mutation[1]
    if kind == "replace":
        return b"%PDF-1.7\n" + mutation[1] + b"\n%%EOF\n"
    return mutation[1].encode("utf-8", "surrogatepass")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=_MUTATIONS)
# Found in a run: a flipped bit in the provider's signature dictionary made pyHanko read a null object.
@example(mutation=("flip", 0.8256593844546019, 1))
def test_any_returned_file_is_accepted_or_refused_cleanly(db: Database, mutation: tuple) -> None:  # type: ignore[type-arg]
    agreement_id, good = _sent(db)
    returned = _mutate(good, mutation)

    def action(session):  # type: ignore[no-untyped-def]
        agreement = session.get(Agreement, agreement_id)
        return ag.import_countersigned(session, agreement, returned, today=TODAY, now=NOW)

    outcome = succeeds_or_refuses_cleanly(db, action)
    if not isinstance(outcome, Exception):
        # Accepted (the exact file, or a change no signature covers, such as the unused padding of the
        # signature value): then it is recorded whole.
        with db.session() as session:
            assert session.get(Agreement, agreement_id).status is AgreementStatus.COUNTERSIGNED
