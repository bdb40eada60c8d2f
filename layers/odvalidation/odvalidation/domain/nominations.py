"""Who may be given a role, named supporter, or asked to attest evidence. Pure rules, tested without AWS:
each returns the refusal, in words the person asking can act on, or None when the choice is allowed.

Access follows from these choices (a lead's group scopes them to the academy in their token; a supporter
link opens a claim's drafts and evidence; an attestation is counted as someone else's word), so a wrong
choice is a way into someone else's records or a claim vouched for by its own author."""

from __future__ import annotations

from .academies import academy
from .errors import InvalidInput
from .models import Person


class AttesterRefused(InvalidInput):
    """The person asked to attest may not (attester_refusal): a page shows it against the email field."""


def _same_address(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().lower() == b.strip().lower() != ""


def role_refusal(existing: Person, academy_id: str) -> str | None:
    """Why an existing account may not be given a role in `academy_id`. A role applies in the academy the
    account belongs to (the academy in its sign-in, which only that academy sets), so a role given "in"
    another academy would really be a role in the person's own academy, granted by someone who does not
    lead it. The national lead, who may act for any academy, invites them to their own academy instead."""
    if existing.academy_id == academy_id:
        return None
    invited = academy(academy_id).name
    if existing.academy_id is None:
        return (
            f"{existing.email} already has an account that belongs to no academy, so it cannot be given "
            f"a role in {invited}. Ask the national team to give them the role."
        )
    theirs = academy(existing.academy_id).name
    return (
        f"{existing.email} already has an account with {theirs}, not {invited}. A person takes a role in "
        f"their own academy, so a lead of {theirs} must invite them."
    )


def supporter_refusal(
    candidate: Person,
    *,
    practitioner_id: str,
    academy_id: str,
    seated: set[str],
    in_same_cohort: bool,
) -> str | None:
    """Why `candidate` may not be named supporter of a practitioner's claim in `academy_id`.

    A supporter reads the draft claim and its evidence and comments on it, so they must be someone the
    claim can be shown to and who is not judging it: not the practitioner, someone of the practitioner's
    academy (the academy's lead invites its supporters, and a national lead sees figures, not claims),
    not another practitioner being validated in the same cohort (their claims are judged alongside), and
    not a member of the panel reviewing this claim (a supporter is a conflict of interest for its panel:
    domain/panels/rules.py keeps them off it)."""
    if candidate.id == practitioner_id:
        return "Name someone other than yourself as your supporter."
    if candidate.academy_id != academy_id:
        return (
            f"{candidate.name} is not part of {academy(academy_id).name}. Your supporter must be someone your "
            "academy lead has invited: ask them to invite the person you have in mind."
        )
    if in_same_cohort:
        return (
            f"{candidate.name} is being validated in your cohort, so they cannot also support your claim. "
            "Name someone who is not a practitioner in your cohort."
        )
    if candidate.id in seated:
        return (
            f"{candidate.name} sits on the panel reviewing your claim, so they cannot also be your supporter. "
            "Name someone else."
        )
    return None


def attester_refusal(
    email: str, *, practitioner_emails: list[str], supporter_email: str | None
) -> str | None:
    """Why `email` may not be asked to confirm a practitioner's evidence: an attestation is another
    person's word that the work happened, so it may come neither from the practitioner (any of their
    addresses on record) nor from their supporter, who helped write the claim."""
    if any(_same_address(email, own) for own in practitioner_emails):
        return (
            "You cannot confirm your own evidence. Ask someone else who saw the work, such as a system "
            "leader you worked with."
        )
    if _same_address(email, supporter_email):
        return (
            "Your supporter helps you build your claim, so they cannot confirm its evidence. Ask someone "
            "else who saw the work, such as a system leader you worked with."
        )
    return None
