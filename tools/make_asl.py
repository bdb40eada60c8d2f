"""Writes statemachine/journey.asl.json. Kept so the ASL's repetitive Retry/Catch blocks stay identical;
the JSON file is the source the template deploys and the tests check."""

import json
from pathlib import Path

DAY = 86_400
TRANSIENT = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "TransientError",
]
RETRY = [
    {
        "ErrorEquals": TRANSIENT,
        "IntervalSeconds": 2,
        "MaxAttempts": 4,
        "BackoffRate": 2.0,
        "JitterStrategy": "FULL",
    }
]
FAIL = {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordFailure"}


def await_step(step: str, timeout_days: int, result: str, nxt: str, comment: str) -> dict:
    return {
        "Type": "Task",
        "Comment": comment,
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {
            "FunctionName": "${AwaitStepFunctionArn}",
            "Payload": {
                "journey_id.$": "$.journey_id",
                "step": step,
                "task_token.$": "$$.Task.Token",
                "execution_arn.$": "$$.Execution.Id",
            },
        },
        "TimeoutSeconds": timeout_days * DAY,
        "ResultPath": f"$.{result}",
        "Retry": RETRY,
        "Catch": [{"ErrorEquals": ["Withdrawn"], "ResultPath": "$.error", "Next": "Withdrawn"}, FAIL],
        "Next": nxt,
    }


def invoke(
    function: str, payload: dict, result: str | None, nxt: str, comment: str, catch_next: str | None = None
) -> dict:
    state = {
        "Type": "Task",
        "Comment": comment,
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {
            "FunctionName": "${" + function + "}",
            "Payload": {"journey_id.$": "$.journey_id", **payload},
        },
        "ResultSelector": {"value.$": "$.Payload"},
        "ResultPath": f"$.{result}" if result else None,
        "Retry": RETRY,
        # Email never blocks a journey: a notification that keeps failing is recorded and skipped.
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.notify_error", "Next": catch_next}]
        if catch_next
        else [FAIL],
        "Next": nxt,
    }
    if result is None:
        del state["ResultSelector"]
    return state


def notify(kind: str, nxt: str) -> dict:
    return invoke(
        "NotifyFunctionArn", {"kind": kind}, None, nxt, f"Email: {kind.replace('_', ' ')}.", catch_next=nxt
    )


def continue_at(start_at: str, comment: str) -> dict:
    # A Lambda starts the next execution: moto's optimised states:startExecution integration fails
    # ("States.Runtime: 'StateMachineArn'"), and a Lambda makes the new execution's name idempotent.
    # The new execution is named after this one: a retried task (its first attempt succeeded but the
    # answer was lost) then finds the execution it started, however far that one has moved the journey.
    state = invoke(
        "RecordStageFunctionArn",
        {"continue_at": start_at, "from_execution.$": "$$.Execution.Name"},
        None,
        "ContinuedInNewExecution",
        comment,
    )
    return state


def record_stage(stage: str, nxt: str, comment: str) -> dict:
    return invoke("RecordStageFunctionArn", {"stage": stage}, None, nxt, comment)


states = {
    "Start": {
        "Type": "Choice",
        "Comment": "A journey starts at reflection; re-engagement, a new claim and resumption start later.",
        "Choices": [
            {"Variable": "$.start_at", "IsPresent": False, "Next": "Reflection"},
            {"Variable": "$.start_at", "StringEquals": "workshop", "Next": "Workshop"},
            {"Variable": "$.start_at", "StringEquals": "decision", "Next": "Decision"},
            {"Variable": "$.start_at", "StringEquals": "claim_development", "Next": "ClaimDevelopment"},
            {"Variable": "$.start_at", "StringEquals": "submission", "Next": "CheckClaim"},
            {"Variable": "$.start_at", "StringEquals": "awaiting_panel", "Next": "AwaitPanel"},
            {"Variable": "$.start_at", "StringEquals": "panel_review", "Next": "PanelReview"},
            {"Variable": "$.start_at", "StringEquals": "interview", "Next": "Interview"},
            {"Variable": "$.start_at", "StringEquals": "certificate", "Next": "IssueCertificate"},
        ],
        "Default": "Reflection",
    },
    # Steps 1-3, in the first execution (at most 180 days of waiting).
    "Reflection": await_step(
        "reflection",
        60,
        "reflection",
        "Workshop",
        "Step 1: the practitioner reflects on each framework element.",
    ),
    "Workshop": await_step(
        "workshop",
        60,
        "workshop",
        "Decision",
        "Step 2: the academy lead records attendance at the one-day workshop.",
    ),
    "Decision": await_step(
        "decision",
        60,
        "decision",
        "RouteDecision",
        "Step 3: ready now, ready in 12-18 months, or further development.",
    ),
    "RouteDecision": {
        "Type": "Choice",
        "Choices": [
            {
                "Variable": "$.decision.readiness",
                "StringEquals": "ready_now",
                "Next": "ContinueAtClaimDevelopment",
            },
            {"Variable": "$.decision.readiness", "StringEquals": "ready_12_18_months", "Next": "Defer"},
        ],
        "Default": "Close",
    },
    "Defer": record_stage(
        "deferred",
        "Deferred",
        "Ends this execution; a schedule starts a new one at the decision on the chosen date.",
    ),
    "Deferred": {"Type": "Succeed", "Comment": "Ready in 12-18 months: re-engagement is scheduled."},
    "Close": record_stage("closed", "NotifySignposting", "Considering further development: closed."),
    "NotifySignposting": notify("signposting", "Closed"),
    "Closed": {
        "Type": "Succeed",
        "Comment": "Further development: signposted, no claim open. When ready the practitioner decides "
        "again: a new execution starts at the decision (journeys.decide_again).",
    },
    "ContinueAtClaimDevelopment": continue_at(
        "claim_development",
        "Steps 4-6 run in a fresh execution so that no execution nears Standard's one-year limit.",
    ),
    "ContinuedInNewExecution": {"Type": "Succeed"},
    # Steps 4-6, in the second execution (at most 352 days of waiting).
    "ClaimDevelopment": await_step(
        "claim_development",
        240,
        "claim",
        "RouteClaim",
        "Step 4: six months (plus one extension) to build the claim; reminders and the deadline are scheduled.",
    ),
    "RouteClaim": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.claim.event", "StringEquals": "lapsed", "Next": "RecordLapse"}],
        "Default": "NotifySubmitted",
    },
    # After the practitioner's answer (issue 19): the claim's reminders deleted, its arrival confirmed.
    "NotifySubmitted": notify("claim_submitted", "CheckClaim"),
    "RecordLapse": record_stage("lapsed", "NotifyLapsed", "The deadline passed without a submission."),
    "NotifyLapsed": notify("lapsed", "Lapsed"),
    "Lapsed": {"Type": "Succeed", "Comment": "Lapse recorded; the practitioner may decide again later."},
    "CheckClaim": invoke(
        "CheckClaimFunctionArn",
        {},
        "check",
        "RouteCheck",
        "Step 5: every framework element has evidence and a narrative.",
    ),
    "RouteCheck": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.check.value.complete", "BooleanEquals": True, "Next": "AssignPanel"}],
        "Default": "ReturnToClaimDevelopment",
    },
    "ReturnToClaimDevelopment": continue_at(
        "claim_development", "Incomplete: back to claim development, keeping the original deadline."
    ),
    "AssignPanel": invoke(
        "AssignPanelFunctionArn",
        {},
        "panel",
        "RoutePanel",
        "A panel of peers and experts with no conflict of interest.",
    ),
    "RoutePanel": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.panel.value.assigned", "BooleanEquals": True, "Next": "NotifyPanel"}],
        "Default": "NotifyLeads",
    },
    # The academy's leads are told the claim waits for them (once per assignment that found no panel).
    "NotifyLeads": notify("panel_attention", "AwaitPanel"),
    "AwaitPanel": await_step(
        "awaiting_panel",
        28,
        "panel_resolution",
        "NotifyPanel",
        "No valid panel: the journey waits for the academy lead to resolve it.",
    ),
    "NotifyPanel": notify("panel_assigned", "PanelReview"),
    "PanelReview": await_step(
        "panel_review",
        42,
        "review",
        "NotifyReviewsIn",
        "Each panel member reviews the evidence element by element.",
    ),
    # After the last reviewer's answer (issue 19): the reviewers' reminders deleted, the leads alerted.
    "NotifyReviewsIn": invoke(
        "NotifyFunctionArn",
        {"kind": "reviews_in", "flags.$": "$.review.flags"},
        None,
        "Interview",
        "All reviews in: the reminders deleted, the academy's leads alerted.",
        catch_next="Interview",
    ),
    "Interview": await_step(
        "interview",
        42,
        "interview",
        "RouteOutcome",
        "Step 6: the developmental interview; the chair records the outcome.",
    ),
    "RouteOutcome": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.interview.outcome", "StringEquals": "not_yet", "Next": "NotifyOutcome"}],
        "Default": "IssueCertificate",
    },
    "IssueCertificate": invoke(
        "IssueCertificateFunctionArn",
        {},
        "certificate",
        "NotifyOutcome",
        "Exactly one signed certificate per validated outcome.",
    ),
    "NotifyOutcome": notify("outcome", "Done"),
    "Done": {"Type": "Succeed"},
    "Withdrawn": {"Type": "Succeed", "Comment": "The practitioner withdrew; the API recorded it."},
    "RecordFailure": {
        "Type": "Task",
        "Comment": "No execution dies silently: the failure is recorded on the journey, which can be resumed.",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {
            "FunctionName": "${RecordFailureFunctionArn}",
            "Payload": {
                "journey_id.$": "$.journey_id",
                "error.$": "$.error.Error",
                "cause.$": "$.error.Cause",
                "execution_arn.$": "$$.Execution.Id",
            },
        },
        "ResultPath": None,
        "Retry": RETRY,
        "Next": "JourneyFailed",
    },
    "JourneyFailed": {
        "Type": "Fail",
        "Error": "JourneyStepFailed",
        "Cause": "A step failed; see the failure recorded on the journey.",
    },
}

definition = {
    "Comment": "System OD Validation: one practitioner's six-step journey (JSONPath).",
    "StartAt": "Start",
    "States": states,
}

if __name__ == "__main__":
    import sys

    out = Path(__file__).resolve().parent.parent / "statemachine" / "journey.asl.json"
    text = json.dumps(definition, indent=2) + "\n"
    if "--check" in sys.argv:
        if out.read_text() != text:
            sys.exit(f"{out} is out of date: run python tools/make_asl.py")
        print(f"{out.name} is up to date")
    else:
        out.write_text(text)
        print(f"wrote {out}")
