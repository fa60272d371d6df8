"""boto3 against `aslcheck serve` (tests/serve.rs passes the endpoint URL).

Runs the seed's patterns through the API as a Python test suite would: create, start,
describe, history, callbacks (Human approval: approve, reject, expire, heartbeats), an
activity worker, a synchronous EXPRESS execution, a nested execution, TestState, a redrive, and
the typed errors.
Prints "boto3 client: all checks passed" at the end; any failed check raises.
"""

import json
import sys
import time

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

# Human approval, the seed's machine: the approval task waits for its token, which the client
# reads from the history (the TaskScheduled parameters hold the Payload the function got).
def human_approval(name, timeout, heartbeat=None):
    wait = {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "SendApprovalEmail",
                       "Payload": {"token.$": "$$.Task.Token", "request.$": "$"}},
        "TimeoutSeconds": timeout,
        "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "RequestExpired"}],
        "Next": "CheckApproval"}
    if heartbeat:
        wait["HeartbeatSeconds"] = heartbeat
    return create(name, {
        "StartAt": "SubmitRequest",
        "States": {
            "SubmitRequest": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                              "Parameters": {"FunctionName": "CreateApprovalRequest",
                                             "Payload.$": "$"},
                              "ResultSelector": {"request.$": "$.Payload"},
                              "Next": "WaitForApproval"},
            "WaitForApproval": wait,
            "CheckApproval": {"Type": "Choice",
                              "Choices": [{"Variable": "$.approved", "BooleanEquals": True,
                                           "Next": "ProcessApproved"}],
                              "Default": "ProcessRejected"},
            "ProcessApproved": {"Type": "Succeed"},
            "ProcessRejected": {"Type": "Fail", "Error": "Rejected"},
            "RequestExpired": {"Type": "Fail", "Error": "Expired"},
        },
    })


def token_of(execution_arn):
    """The waiting task's token, from the execution's history while it waits."""
    for _ in range(200):
        d = sfn.describe_execution(executionArn=execution_arn)
        check("status while waiting", d["status"], "RUNNING")
        events = sfn.get_execution_history(executionArn=execution_arn)["events"]
        for e in events:
            if e["type"] == "TaskScheduled":
                params = json.loads(e["taskScheduledEventDetails"]["parameters"])
                if params["FunctionName"] == "SendApprovalEmail":
                    check("events so far", [e["type"] for e in events][-3:],
                          ["TaskScheduled", "TaskStarted", "TaskSubmitted"])
                    return params["Payload"]["token"]
        time.sleep(0.01)
    raise AssertionError("no token in the history of " + execution_arn)


def ended(execution_arn):
    for _ in range(500):
        d = sfn.describe_execution(executionArn=execution_arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.01)
    raise AssertionError(execution_arn + " still runs")


approval = human_approval("HumanApproval", 604800, heartbeat=3600)
approve = sfn.start_execution(stateMachineArn=approval, name="approve",
                              input=json.dumps({"order": 7}))["executionArn"]
token = token_of(approve)
sfn.send_task_heartbeat(taskToken=token)
sfn.send_task_success(taskToken=token, output=json.dumps({"approved": True}))
d = ended(approve)
check("approved", d["status"], "SUCCEEDED")
check("approved output", json.loads(d["output"]), {"approved": True})
kinds = [e["type"] for e in sfn.get_execution_history(executionArn=approve)["events"]]
after = kinds[kinds.index("TaskSubmitted") + 1:]
check("after the callback", after[:3], ["TaskSucceeded", "TaskStateExited", "ChoiceStateEntered"])
check("approval ends", after[-1], "ExecutionSucceeded")
try:
    sfn.send_task_success(taskToken=token, output="{}")
    raise AssertionError("a closed task's token was accepted")
except sfn.exceptions.TaskTimedOut:
    pass

reject = sfn.start_execution(stateMachineArn=approval, name="reject", input="{}")["executionArn"]
token = token_of(reject)
try:
    sfn.send_task_success(taskToken=token, output="{not json")
    raise AssertionError("an output that is not JSON was accepted")
except sfn.exceptions.InvalidOutput:
    pass
sfn.send_task_failure(taskToken=token, error="Rejected.ByManager", cause="too expensive")
d = ended(reject)
check("rejected", d["status"], "FAILED")
check("rejected error", d["error"], "Rejected.ByManager")
check("rejected cause", d["cause"], "too expensive")

# The same machine with a one-second timeout: nobody answers, the Catch sends it to Expired.
expiring = human_approval("HumanApprovalExpiring", 1)
expire = sfn.start_execution(stateMachineArn=expiring, input="{}")["executionArn"]
d = ended(expire)
check("expired", d["status"], "FAILED")
check("expired error", d["error"], "Expired")

# Stopping a waiting execution ends it as ABORTED, its history the events so far.
stop = sfn.start_execution(stateMachineArn=approval, name="stop", input="{}")["executionArn"]
token = token_of(stop)
sfn.stop_execution(executionArn=stop, error="Cancelled", cause="by the test")
d = sfn.describe_execution(executionArn=stop)
check("stopped", d["status"], "ABORTED")
kinds = [e["type"] for e in sfn.get_execution_history(executionArn=stop)["events"]]
check("stopped history", kinds[-2:], ["TaskSubmitted", "ExecutionAborted"])
for bad, error in [("not-a-token", sfn.exceptions.InvalidToken),
                   ("AQC" + "A" * 128, sfn.exceptions.TaskDoesNotExist)]:
    try:
        sfn.send_task_heartbeat(taskToken=bad)
        raise AssertionError(f"the token {bad!r} was accepted")
    except error:
        pass

# An activity worker: the task waits in the activity's queue until GetActivityTask takes it.
activity = sfn.create_activity(name="Review")["activityArn"]
check("activity arn", activity, "arn:aws:states:us-east-1:123456789012:activity:Review")
check("CreateActivity again", sfn.create_activity(name="Review")["activityArn"], activity)
check("described activity", sfn.describe_activity(activityArn=activity)["name"], "Review")
check("activities", [a["name"] for a in sfn.list_activities()["activities"]], ["Review"])
worker = create("Worker", {"StartAt": "Review", "States": {"Review": {
    "Type": "Task", "Resource": activity, "TimeoutSeconds": 600, "HeartbeatSeconds": 60,
    "Parameters": {"doc.$": "$.doc"}, "End": True}}})
run = sfn.start_execution(stateMachineArn=worker, input=json.dumps({"doc": "d1"}))["executionArn"]
task = sfn.get_activity_task(activityArn=activity, workerName="worker-1")
check("activity input", json.loads(task["input"]), {"doc": "d1"})
sfn.send_task_heartbeat(taskToken=task["taskToken"])
sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"reviewed": True}))
d = ended(run)
check("activity status", d["status"], "SUCCEEDED")
check("activity output", json.loads(d["output"]), {"reviewed": True})
events = sfn.get_execution_history(executionArn=run)["events"]
kinds = [e["type"] for e in events]
check("activity events", [k for k in kinds if k.startswith("Activity")],
      ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"])
started = next(e for e in events if e["type"] == "ActivityStarted")
check("worker name", started["activityStartedEventDetails"]["workerName"], "worker-1")
sfn.delete_activity(activityArn=activity)
try:
    sfn.get_activity_task(activityArn=activity)
    raise AssertionError("a deleted activity was polled")
except sfn.exceptions.ActivityDoesNotExist:
    pass

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

# TestState: the approval step of a workflow tested alone, as the developer guide's examples do
# (https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html).
workflow = {"StartAt": "Route", "States": {
    "Route": {"Type": "Choice", "Choices": [
        {"Variable": "$.amount", "NumericGreaterThan": 100, "Next": "Approve"}],
        "Default": "Done"},
    "Approve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "approve", "Payload.$": "$"},
                "ResultSelector": {"ok.$": "$.Payload.approved"}, "ResultPath": "$.approval",
                "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"],
                           "IntervalSeconds": 3, "BackoffRate": 2, "MaxAttempts": 4}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure",
                           "Next": "Rejected"}],
                "Next": "Done"},
    "Rejected": {"Type": "Fail", "Error": "Rejected"},
    "Done": {"Type": "Succeed"}}}
routed = sfn.test_state(definition=json.dumps(workflow), stateName="Route",
                        input=json.dumps({"amount": 250}))
check("TestState Choice", (routed["status"], routed["nextState"]), ("SUCCEEDED", "Approve"))
approved = sfn.test_state(definition=json.dumps(workflow), stateName="Approve",
                          input=json.dumps({"amount": 250}), inspectionLevel="DEBUG",
                          mock={"result": json.dumps({"Payload": {"approved": True}})})
check("TestState mocked Task", (approved["status"], approved["nextState"]), ("SUCCEEDED", "Done"))
check("TestState output", json.loads(approved["output"]), {"amount": 250, "approval": {"ok": True}})
check("TestState afterResultSelector",
      json.loads(approved["inspectionData"]["afterResultSelector"]), {"ok": True})
throttled = sfn.test_state(definition=json.dumps(workflow), stateName="Approve",
                           inspectionLevel="DEBUG", stateConfiguration={"retrierRetryCount": 2},
                           mock={"errorOutput": {"error": "Lambda.TooManyRequestsException",
                                                 "cause": "slow down"}})
check("TestState retry", (throttled["status"], throttled["inspectionData"]["errorDetails"]),
      ("RETRIABLE", {"retryIndex": 0, "retryBackoffIntervalSeconds": 12}))
caught = sfn.test_state(definition=json.dumps(workflow), stateName="Approve",
                        mock={"errorOutput": {"error": "Approval.Denied", "cause": "no"}})
check("TestState catch", (caught["status"], caught["nextState"], caught["error"]),
      ("CAUGHT_ERROR", "Rejected", "Approval.Denied"))
try:
    sfn.test_state(definition=json.dumps(workflow), stateName="Nowhere")
    raise AssertionError("TestState of an unknown state succeeded")
except sfn.exceptions.ValidationException:
    pass

# Redrive: a Parallel whose second branch fails until the execution is redriven; the redrive
# runs that branch again, not the first one, and the history goes on under the same ARN.
redo = create("Redo", {"StartAt": "Work", "States": {
    "Work": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Kept", "States": {"Kept": {"Type": "Pass", "Result": "kept", "End": True}}},
        {"StartAt": "Gate", "States": {
            "Gate": {"Type": "Choice", "Default": "Fine", "Choices": [
                {"Variable": "$$.Execution.RedriveCount", "NumericEquals": 0, "Next": "Boom"}]},
            "Boom": {"Type": "Fail", "Error": "Flaky"},
            "Fine": {"Type": "Pass", "Result": "fine", "End": True}}}]}}})
failed = sfn.start_execution(stateMachineArn=redo)["executionArn"]
check("before redrive", ended(failed)["status"], "FAILED")
check("redrivable", sfn.describe_execution(executionArn=failed)["redriveStatus"], "REDRIVABLE")
sfn.redrive_execution(executionArn=failed, clientToken="once")
redriven = ended(failed)
check("after redrive", (redriven["status"], json.loads(redriven["output"]), redriven["redriveCount"]),
      ("SUCCEEDED", ["kept", "fine"], 1))
kinds = [e["type"] for e in sfn.get_execution_history(executionArn=failed)["events"]]
check("redriven history", kinds.count("ExecutionRedriven"), 1)
check("Kept ran once", sum(1 for e in sfn.get_execution_history(executionArn=failed)["events"]
                           if e.get("stateEnteredEventDetails", {}).get("name") == "Kept"), 1)
try:
    sfn.redrive_execution(executionArn=failed)
    raise AssertionError("a succeeded execution was redriven")
except sfn.exceptions.ExecutionNotRedrivable:
    pass

names = sorted(m["name"] for m in sfn.list_state_machines()["stateMachines"])
check("machines", names, ["Child", "Express", "HumanApproval", "HumanApprovalExpiring",
                          "Parent", "Polling", "Redo", "Saga", "Worker"])
sfn.delete_state_machine(stateMachineArn=saga)
check("after delete", len(sfn.list_state_machines()["stateMachines"]), 8)
print("boto3 client: all checks passed")
