"""The signed Bitstring Status List credential a verifier fetches (GET /api/public/status-lists/<id>).

Built on request from the bits in the table, signed as a vc+jwt with the key that signed the list's
credentials, and kept in the list's item: the next request is answered from that copy while no
revocation has landed since and it is less than RESIGN_AFTER old. So KMS signs once per revocation and
twice a day per list, however many verifiers ask, and a revocation is in the very next answer.

Only the status-list function runs this: it alone of the public functions may sign (template.yaml).
"""

from __future__ import annotations

from datetime import datetime

from .. import clock
from ..certificates.status_list import LIST_VALIDITY, RESIGN_AFTER, status_list_credential
from ..dal import status_lists
from ..domain.errors import NotFound
from ..settings import settings


def signed_list(list_id: str) -> str:
    """The list credential as a compact JWS (vc+jwt)."""
    state = status_lists.read(list_id)
    if state is None:
        raise NotFound("There is no such status list.")
    now = clock.now()
    if state.token and state.token_version == state.version and state.token_until:
        signed_at = datetime.fromisoformat(state.token_until) - LIST_VALIDITY
        if signed_at <= now < signed_at + RESIGN_AFTER:
            return state.token
    from ..certificates.jws import sign_credential
    from ..dal.signing import KmsSigner

    credential = status_list_credential(
        settings().public_base_url, list_id, state.academy_id, state.revoked, now
    )
    token = sign_credential(credential, KmsSigner.for_this_environment(state.key_id))
    status_lists.keep_token(state, token, (now + LIST_VALIDITY).isoformat())
    return token
