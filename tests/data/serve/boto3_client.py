"""boto3 against `aslcheck serve` (tests/serve.rs passes the endpoint URL).

Runs the seed's patterns through the API as a Python test suite would: create, start,
describe, history, a synchronous EXPRESS execution, a nested execution, and the typed errors.
Prints "boto3 client: all checks passed" at the end; any failed check raises.
"""

import json
import sys

import boto3
from botocore.config import Config

ENDPOINT = sys.argv[1]
ROLE = "arn:aws:iam::123456789012:role/test"
# StartSyncExecution goes to `sync-<host>` unless the prefix is switched off (127.0.0.1 has no
# such name).
sfn = boto3.client("stepfunctions", endpoint_url=ENDPOINT, region_name="us-east-1",
                   config=Config(inject_host_prefix=False))


def create(name, definition, kind="STANDARD"):
    return sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE, type=kind
    )["stateMachineArn"]


def check(what, got, want):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


# Polling: a Choice loop around a Wait, as the seed's Polling pattern does (three rounds).
polling = create("Polling", {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.round", "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 30, "Next": "Check"},
        "Check": {"Type": "Pass",
                  "Parameters": {"round.$": "States.MathAdd($.round, 1)"}, "Next": "Done?"},
        "Done?": {"Type": "Choice",
                  "Choices": [{"Variable": "$.round", "NumericGreaterThanEquals": 3,
                               "Next": "Complete"}],
                  "Default": "Wait"},
        "Complete": {"Type": "Succeed"},
    },
})
started = sfn.start_execution(stateMachineArn=polling, name="poll-1", input="{}")
described = sfn.describe_execution(executionArn=started["executionArn"])
check("status", described["status"], "SUCCEEDED")
check("output", json.loads(described["output"]), {"round": 3})
took = (described["stopDate"] - described["startDate"]).total_seconds()
check("virtual time of three waits", round(took), 90)
events = sfn.get_execution_history(executionArn=started["executionArn"], maxResults=1000)["events"]
waits = [e for e in events if e["type"] == "WaitStateEntered"]
check("wait rounds", len(waits), 3)
check("last event", events[-1]["type"], "ExecutionSucceeded")
newest_first = sfn.get_execution_history(
    executionArn=started["executionArn"], reverseOrder=True, maxResults=1
)
check("reverse order", newest_first["events"][0]["type"], "ExecutionSucceeded")
if "nextToken" not in newest_first:
    raise AssertionError("a page of one event has a next token")

# Saga: a failing step caught, its compensation run, and the execution failed on purpose.
saga = create("Saga", {
    "StartAt": "Book",
    "States": {
        "Book": {"Type": "Pass", "Result": "booked", "ResultPath": "$.booking", "Next": "Pay"},
        "Pay": {"Type": "Parallel", "Branches": [{"StartAt": "Charge", "States": {
                    "Charge": {"Type": "Fail", "Error": "PaymentFailed",
                               "Cause": "card declined"}}}],
                "Catch": [{"ErrorEquals": ["PaymentFailed"], "ResultPath": "$.error",
                           "Next": "CancelBooking"}],
                "End": True},
        "CancelBooking": {"Type": "Pass", "Result": "cancelled", "ResultPath": "$.booking",
                          "Next": "Failed"},
        "Failed": {"Type": "Fail", "Error": "OrderFailed", "Cause": "payment failed"},
    },
})
failed = sfn.start_execution(stateMachineArn=saga, input="{}")
d = sfn.describe_execution(executionArn=failed["executionArn"])
check("saga status", d["status"], "FAILED")
check("saga error", d["error"], "OrderFailed")
entered = [e["stateEnteredEventDetails"]["name"]
           for e in sfn.get_execution_history(executionArn=failed["executionArn"])["events"]
           if "stateEnteredEventDetails" in e]
check("saga order", entered, ["Book", "Pay", "Charge", "CancelBooking", "Failed"])

# A parent starts a child machine and waits for its JSON output (.sync:2).
child = create("Child", {"StartAt": "P", "States": {"P": {"Type": "Pass",
                         "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True}}})
parent = create("Parent", {"StartAt": "Run", "States": {"Run": {"Type": "Task",
    "Resource": "arn:aws:states:::states:startExecution.sync:2",
    "Parameters": {"StateMachineArn": child, "Input": {"n.$": "$.n"}},
    "OutputPath": "$.Output", "End": True}}})
run = sfn.start_execution(stateMachineArn=parent, input=json.dumps({"n": 21}))
d = sfn.describe_execution(executionArn=run["executionArn"])
check("nested output", json.loads(d["output"]), {"doubled": 42})

# EXPRESS, synchronously.
express = create("Express", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                 kind="EXPRESS")
sync = sfn.start_sync_execution(stateMachineArn=express, input=json.dumps({"x": 1}))
check("sync status", sync["status"], "SUCCEEDED")
check("sync output", json.loads(sync["output"]), {"x": 1})

# Typed errors.
try:
    sfn.describe_execution(
        executionArn="arn:aws:states:us-east-1:123456789012:execution:Polling:nope")
    raise AssertionError("DescribeExecution of an unknown execution succeeded")
except sfn.exceptions.ExecutionDoesNotExist:
    pass
try:
    sfn.start_execution(stateMachineArn=polling, name="poll-1", input="{}")
    raise AssertionError("a closed execution's name was reused")
except sfn.exceptions.ExecutionAlreadyExists:
    pass
try:
    create("Bad", {"StartAt": "Missing", "States": {"A": {"Type": "Succeed"}}})
    raise AssertionError("an invalid definition was accepted")
except sfn.exceptions.InvalidDefinition as e:
    if "MISSING_TRANSITION_TARGET" not in str(e):
        raise
try:
    sfn.start_sync_execution(stateMachineArn=polling)
    raise AssertionError("StartSyncExecution ran a STANDARD machine")
except sfn.exceptions.StateMachineTypeNotSupported:
    pass

names = sorted(m["name"] for m in sfn.list_state_machines()["stateMachines"])
check("machines", names, ["Child", "Express", "Parent", "Polling", "Saga"])
sfn.delete_state_machine(stateMachineArn=saga)
check("after delete", len(sfn.list_state_machines()["stateMachines"]), 4)
print("boto3 client: all checks passed")
