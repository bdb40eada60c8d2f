"""Static checks of statemachine/journey.asl.json against template.yaml and the domain.

The workflow is two Standard executions chained together (steps 1-3, then steps 4-6: a task starts
the next execution, through states:startExecution or a Lambda told where to `continue_at`), so every
check below walks the graph of ONE execution: a path starts at `StartAt` and ends at a Succeed or Fail
state, or at the task that continues the journey in a fresh execution (which the
check of that execution's own `Start` choice covers). Catch edges are edges too: a journey can take them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from odvalidation.domain.journey import ALLOWED
from odvalidation.domain.models import Outcome, Readiness, Stage

ROOT = Path(__file__).resolve().parents[2]
ASL_PATH = ROOT / "statemachine" / "journey.asl.json"
TEMPLATE_PATH = ROOT / "template.yaml"

YEAR_SECONDS = 365 * 86_400
CALLBACK = ".waitForTaskToken"
START_EXECUTION = "arn:aws:states:::states:startExecution"
TRANSIENT_LAMBDA_ERRORS = {"Lambda.ServiceException", "Lambda.TooManyRequestsException"}

# Names used by the workflow that are not Stage values. "submission" is the step the practitioner
# takes through the API: the API moves the journey claim_development -> submitted and then resumes the
# claim-development callback, so the workflow never records it itself. "certificate" is where a
# resumed journey picks up after a validated outcome, which the API recorded when the interview ended.
STEP_TO_STAGE: dict[str, Stage] = {"submission": Stage.SUBMITTED, "certificate": Stage.VALIDATED}

# States the workflow only reaches after the API has moved the journey (it records the move, then
# resumes the callback): entering them means the journey is at this stage.
API_SET_ON_ENTRY: dict[str, Stage] = {
    "CheckClaim": Stage.SUBMITTED,  # the practitioner submitted the claim
    "IssueCertificate": Stage.VALIDATED,  # the interview's outcome was a level
    "Withdrawn": Stage.WITHDRAWN,  # the practitioner withdrew (the callback fails with "Withdrawn")
}
# The same for one Choice branch: "not yet" goes straight to the outcome email, no certificate.
API_SET_ON_EDGE: dict[tuple[str, str], Stage] = {("RouteOutcome", "NotifyOutcome"): Stage.NOT_YET_VALIDATED}


def to_stage(name: str) -> Stage:
    return STEP_TO_STAGE.get(name) or Stage(name)


@cache
def asl() -> dict[str, Any]:
    return json.loads(ASL_PATH.read_text())


@cache
def template() -> dict[str, Any]:
    return yaml_parse(TEMPLATE_PATH.read_text())


def states() -> dict[str, dict[str, Any]]:
    return asl()["States"]


def state_machine_props() -> dict[str, Any]:
    return template()["Resources"]["JourneyStateMachine"]["Properties"]


def is_task(state: dict[str, Any]) -> bool:
    return state["Type"] == "Task"


def is_callback(state: dict[str, Any]) -> bool:
    return is_task(state) and state["Resource"].endswith(CALLBACK)


def is_start_execution(state: dict[str, Any]) -> bool:
    return is_task(state) and state["Resource"].startswith(START_EXECUTION)


def continues_at(state: dict[str, Any]) -> str | None:
    """Where a state hands the journey to a fresh execution, if it does: either the
    states:startExecution integration, or a Lambda task told to start it (`continue_at` in its payload)."""
    if is_start_execution(state):
        return str(state["Parameters"]["Input"]["start_at"])
    if is_task(state) and "continue_at" in state.get("Parameters", {}).get("Payload", {}):
        return str(state["Parameters"]["Payload"]["continue_at"])
    return None


def function_of(state: dict[str, Any]) -> str | None:
    name = state.get("Parameters", {}).get("FunctionName", "")
    found = re.fullmatch(r"\$\{(\w+)\}", name)
    return found.group(1) if found else None


def successors(name: str) -> list[str]:
    """Every state this one can hand over to, Catch routes included."""
    state = states()[name]
    if state["Type"] in {"Succeed", "Fail"}:
        return []
    targets: list[str] = []
    if state["Type"] == "Choice":
        targets += [choice["Next"] for choice in state["Choices"]]
        if "Default" in state:
            targets.append(state["Default"])
    elif "Next" in state:
        targets.append(state["Next"])
    targets += [catch["Next"] for catch in state.get("Catch", [])]
    return list(dict.fromkeys(targets))


def paths() -> Iterator[list[str]]:
    """Every path of one execution from StartAt to a Succeed, a Fail, or the task that continues it."""

    def walk(path: list[str]) -> Iterator[list[str]]:
        here = states()[path[-1]]
        if here["Type"] in {"Succeed", "Fail"} or continues_at(here) is not None:
            yield path
            return
        for nxt in successors(path[-1]):
            if nxt in path:  # test_the_workflow_is_acyclic reports it; stop here rather than loop
                continue
            yield from walk([*path, nxt])

    yield from walk([asl()["StartAt"]])


def waiting_seconds(name: str) -> int:
    state = states()[name]
    if is_callback(state):
        # No timeout means it may wait for ever: more than any year.
        return int(state.get("TimeoutSeconds", 100 * YEAR_SECONDS))
    if state["Type"] == "Wait":
        return int(state["Seconds"])
    return 0


def stage_set_by(name: str) -> Stage | None:
    """The stage a state puts the journey at (or finds it at), if it is a stage-setting state."""
    state = states()[name]
    if name in API_SET_ON_ENTRY:
        return API_SET_ON_ENTRY[name]
    payload = state.get("Parameters", {}).get("Payload", {})
    if is_callback(state):
        return to_stage(payload["step"])
    if continues_at(state) is not None:
        return to_stage(str(continues_at(state)))
    if function_of(state) == "RecordStageFunctionArn":
        return to_stage(payload["stage"])
    return None


def stage_moves(path: list[str]) -> list[tuple[Stage, Stage, str]]:
    """Consecutive stage changes along a path, each with the states that made it (for messages)."""
    moves: list[tuple[Stage, Stage, str]] = []
    last: tuple[Stage, str] | None = None
    for before, name in zip([None, *path], path, strict=False):
        stage = API_SET_ON_EDGE.get((before, name)) if before else None
        for current in (stage, stage_set_by(name)):
            if current is None:
                continue
            if last is not None and last[0] != current:
                moves.append((last[0], current, f"{last[1]} -> {name}"))
            last = (current, name)
    return moves


# ------------------------------------------------------------------ substitutions


def test_every_placeholder_has_a_substitution_and_every_substitution_is_used() -> None:
    used = set(re.findall(r"\$\{(\w+)\}", ASL_PATH.read_text()))
    substituted = set(state_machine_props()["DefinitionSubstitutions"])
    assert used - substituted == set(), "placeholders in the ASL with no DefinitionSubstitution"
    assert substituted - used == set(), "DefinitionSubstitutions the ASL never uses"


def test_the_template_deploys_this_asl_file() -> None:
    assert (ROOT / state_machine_props()["DefinitionUri"]).resolve() == ASL_PATH
    assert state_machine_props()["Type"] == "STANDARD"


def test_the_asl_file_is_what_make_asl_writes() -> None:
    # The generator keeps the repeated Retry/Catch blocks identical; a hand edit would drift from it.
    import runpy

    generated = runpy.run_path(str(ROOT / "tools" / "make_asl.py"), run_name="make_asl")["definition"]
    assert asl() == json.loads(json.dumps(generated))


# ------------------------------------------------------------------ shape of the graph


def test_every_target_exists() -> None:
    names = set(states())
    assert asl()["StartAt"] in names
    missing = {(name, nxt) for name in states() for nxt in successors(name) if nxt not in names}
    assert missing == set()


def test_every_state_is_reachable_from_start() -> None:
    seen: set[str] = set()
    todo = [asl()["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += successors(name)
    assert set(states()) - seen == set(), "states no path reaches"


def test_the_workflow_is_acyclic() -> None:
    # Loops back (an incomplete claim, a second claim) go through a fresh execution instead, which is
    # what makes the one-year sum below mean anything.
    visiting: set[str] = set()
    done: set[str] = set()
    cycles: list[str] = []

    def visit(name: str) -> None:
        visiting.add(name)
        for nxt in successors(name):
            if nxt in visiting:
                cycles.append(f"{name} -> {nxt}")
            elif nxt not in done:
                visit(nxt)
        visiting.discard(name)
        done.add(name)

    visit(asl()["StartAt"])
    assert cycles == []


def test_no_jsonata_and_no_variables() -> None:
    # moto's Step Functions runs JSONPath only: JSONata and Assign would not run locally.
    assert asl().get("QueryLanguage", "JSONPath") == "JSONPath"
    for name, state in states().items():
        assert state.get("QueryLanguage", "JSONPath") == "JSONPath", name
        assert {"Assign", "Arguments", "Output"} & set(state) == set(), name


# ------------------------------------------------------------------ tasks: timeouts, retries, catches


def test_every_callback_task_has_a_timeout() -> None:
    callbacks = {name: s for name, s in states().items() if is_callback(s)}
    assert len(callbacks) >= 6  # the human steps: reflection ... interview
    no_timeout = [name for name, s in callbacks.items() if not s.get("TimeoutSeconds")]
    assert no_timeout == []


def test_waits_are_fixed_so_the_year_can_be_added_up() -> None:
    # A Wait driven by the input (SecondsPath/TimestampPath) could run past the year unseen.
    dynamic = [n for n, s in states().items() if s["Type"] == "Wait" and "Seconds" not in s]
    assert dynamic == []


def test_no_path_runs_past_a_year() -> None:
    longest = max(paths(), key=lambda path: sum(map(waiting_seconds, path)))
    total = sum(map(waiting_seconds, longest))
    assert total <= YEAR_SECONDS, f"{total / 86_400:.0f} days along {' -> '.join(longest)}"


def test_every_task_retries_transient_errors() -> None:
    for name, state in states().items():
        if not is_task(state):
            continue
        retried = {error for retry in state.get("Retry", []) for error in retry["ErrorEquals"]}
        assert retried, f"{name} has no Retry"
        if state["Resource"].startswith("arn:aws:states:::lambda:invoke"):
            assert retried >= TRANSIENT_LAMBDA_ERRORS, name
        for retry in state["Retry"]:
            assert retry["MaxAttempts"] >= 2, name


def test_every_task_catches_everything_into_a_recorded_place() -> None:
    """No execution dies silently: the last Catch takes States.ALL to RecordFailure, except that an
    email goes onward (a failed email never blocks a journey) and RecordFailure itself ends in Fail."""
    for name, state in states().items():
        if not is_task(state) or name == "RecordFailure":
            continue
        catches = state.get("Catch", [])
        assert catches, f"{name} has no Catch"
        last = catches[-1]
        assert last["ErrorEquals"] == ["States.ALL"], name
        if function_of(state) == "NotifyFunctionArn":
            assert last["Next"] == state["Next"], f"{name}: a failed email must not stop the journey"
            assert last["ResultPath"] not in {"$", None}, f"{name}: the journey's input must survive"
        else:
            assert last["Next"] == "RecordFailure", name
        for catch in catches:
            if catch["Next"] == "RecordFailure":
                # RecordFailure reads $.error.Error and $.error.Cause.
                assert catch["ResultPath"] == "$.error", name


def test_record_failure_retries_and_then_fails_the_execution() -> None:
    record = states()["RecordFailure"]
    assert function_of(record) == "RecordFailureFunctionArn"
    assert record.get("Retry")
    assert "Catch" not in record  # nowhere left to go: a failed execution raises the alarm
    assert states()[record["Next"]]["Type"] == "Fail"


# ------------------------------------------------------------------ the domain's transitions


def test_every_stage_name_in_the_workflow_is_a_domain_stage() -> None:
    for name in states():
        stage_set_by(name)  # raises ValueError for a name Stage does not know
    for choice in states()["Start"]["Choices"]:
        if "StringEquals" in choice:
            to_stage(choice["StringEquals"])


def test_each_start_at_lands_on_the_state_for_that_stage() -> None:
    # Re-engagement, a second claim and resumption start a fresh execution at a named stage.
    start = states()["Start"]
    for choice in start["Choices"]:
        if "StringEquals" in choice:
            assert stage_set_by(choice["Next"]) == to_stage(choice["StringEquals"]), choice
    for choice in start["Choices"]:
        if choice.get("IsPresent") is False:
            assert stage_set_by(choice["Next"]) == Stage.REFLECTION
    assert stage_set_by(start["Default"]) == Stage.REFLECTION


def test_every_continuation_names_a_start_at_that_the_start_choice_routes() -> None:
    routed = {c["StringEquals"] for c in states()["Start"]["Choices"] if "StringEquals" in c}
    continuations = {name: continues_at(state) for name, state in states().items() if continues_at(state)}
    assert continuations, "steps 4-6 must run in a fresh execution (the one-year limit)"
    for name, start_at in continuations.items():
        assert start_at in routed, name
        state = states()[name]
        if is_start_execution(state):
            assert state["Parameters"]["StateMachineArn.$"] == "$$.StateMachine.Id", name
        # The execution ends once it has handed over: nothing more may happen in it.
        assert states()[state["Next"]]["Type"] == "Succeed", name


def test_choices_compare_with_domain_values() -> None:
    # A typo in a Choice would send every journey down the Default branch.
    domain_values = {
        "$.decision.readiness": {r.value for r in Readiness},
        "$.interview.outcome": {o.value for o in Outcome},
    }
    seen = set()
    for state in states().values():
        for choice in state.get("Choices", []):
            if choice["Variable"] in domain_values and "StringEquals" in choice:
                seen.add(choice["Variable"])
                assert choice["StringEquals"] in domain_values[choice["Variable"]], choice
    assert seen == set(domain_values)


def all_moves() -> dict[tuple[Stage, Stage], str]:
    found: dict[tuple[Stage, Stage], str] = {}
    for path in paths():
        for before, after, where in stage_moves(path):
            found.setdefault((before, after), where)
    return found


def test_the_walk_sees_the_whole_journey() -> None:
    # Guards the mapping above: if a state were renamed the walk would quietly see fewer moves.
    moves = set(all_moves())
    expected = {
        (Stage.REFLECTION, Stage.WORKSHOP),
        (Stage.WORKSHOP, Stage.DECISION),
        (Stage.DECISION, Stage.CLAIM_DEVELOPMENT),
        (Stage.DECISION, Stage.DEFERRED),
        (Stage.DECISION, Stage.CLOSED),
        (Stage.CLAIM_DEVELOPMENT, Stage.SUBMITTED),
        (Stage.CLAIM_DEVELOPMENT, Stage.LAPSED),
        (Stage.SUBMITTED, Stage.CLAIM_DEVELOPMENT),
        (Stage.SUBMITTED, Stage.PANEL_REVIEW),
        (Stage.SUBMITTED, Stage.AWAITING_PANEL),
        (Stage.AWAITING_PANEL, Stage.PANEL_REVIEW),
        (Stage.PANEL_REVIEW, Stage.INTERVIEW),
        (Stage.INTERVIEW, Stage.VALIDATED),
        (Stage.INTERVIEW, Stage.NOT_YET_VALIDATED),
    }
    assert expected <= moves


def move_params() -> list[Any]:
    return [
        pytest.param(move, id=f"{move[0].value}->{move[1].value}") for move in sorted(all_moves(), key=str)
    ]


@pytest.mark.parametrize("move", move_params())
def test_the_workflow_only_makes_moves_the_domain_allows(move: tuple[Stage, Stage]) -> None:
    before, after = move
    assert after in ALLOWED[before], f"{before} -> {after} at {all_moves()[move]} is not in journey.ALLOWED"
