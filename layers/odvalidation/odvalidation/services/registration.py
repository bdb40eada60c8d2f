"""Self-registration: what follows when a person confirms the account they made themselves.

A module of its own (not people.py) so that the post-confirmation trigger imports only what it uses.
"""

from __future__ import annotations

from ..dal import identity
from ..domain.basics import Role

# Cognito calls the post-confirmation trigger with this source when a person confirms their own sign-up
# (ConfirmSignUp, or an administrator's AdminConfirmSignUp); a forgotten-password reset has another.
SELF_SIGN_UP = "PostConfirmation_ConfirmSignUp"


def on_confirmed(*, user_pool_id: str, username: str, trigger_source: str) -> bool:
    """A person confirmed their own sign-up: they are a practitioner, whichever client they signed up with.

    Returns whether they were added. Adding someone already in the group changes nothing, so a retried
    trigger is safe. Other roles are given only by invitation (services/people.py)."""
    if trigger_source != SELF_SIGN_UP:
        return False
    identity.add_to_group(email=username, group=Role.PRACTITIONER.value, user_pool_id=user_pool_id)
    return True
