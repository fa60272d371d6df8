#!/usr/bin/env python3
"""An external-backend adapter (docs/protocol.md) around another `aslcheck` binary.

Regression checks compare a change with the binary before it:

    aslcheck diff --backend reference \
        --backend "external:python3 scripts/binary-adapter.py /path/to/old/aslcheck" \
        --generate 1000 --history

Each case is run through the old binary's `run` (execution mode, with `--history` when asked)
or `validate` (validate mode); the old binary's output is returned raw, as the protocol wants.
"""
import json
import os
import re
import subprocess
import sys
import tempfile


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def run_case(binary, case, workdir):
    definition = os.path.join(workdir, "definition.json")
    with open(definition, "w") as f:
        json.dump(case["definition"], f)
    mode = case.get("mode", "execution")
    if mode == "validate":
        done = subprocess.run([binary, "validate", definition], capture_output=True, text=True)
        diagnostics = []
        for line in done.stdout.splitlines():
            m = re.match(r"^.*?: ([A-Z_]+): (.*?)(?: at (\S+))?$", line)
            if m and not line.endswith("problems)") and not line.endswith("problem)"):
                diagnostics.append({"code": m.group(1), "message": m.group(2), "location": m.group(3)})
        return {"result": {"valid": done.returncode == 0, "diagnostics": diagnostics}}
    if mode != "execution":
        return {"skipped": {"message": f"mode {mode} is not wrapped"}}
    if case.get("environment", {}).get("workflow_type", "STANDARD") != "STANDARD":
        return {"skipped": {"message": "only STANDARD executions are wrapped"}}
    input_file = os.path.join(workdir, "input.json")
    with open(input_file, "w") as f:
        json.dump(case.get("input"), f)
    argv = [binary, "run", definition, "--input", input_file]
    if case.get("history"):
        argv.append("--history")
    done = subprocess.run(argv, capture_output=True, text=True)
    try:
        return {"result": json.loads(done.stdout)}
    except json.JSONDecodeError:
        return {"errored": {"message": f"exit {done.returncode}: {done.stderr.strip()[-500:]}"}}


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: binary-adapter.py <aslcheck binary>\n")
        return 2
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as workdir:
        for line in sys.stdin:
            request = json.loads(line)
            if request["cmd"] == "start":
                if request.get("version") != 1:
                    sys.stderr.write(f"protocol version {request.get('version')} is not spoken\n")
                    return 1
                version = subprocess.run([binary, "--version"], capture_output=True, text=True)
                reply({"version": 1,
                       "implementation": {"name": "aslcheck-previous", "version": version.stdout.strip(),
                                          "binary": binary},
                       "capabilities": {"modes": ["execution", "validate"], "history": True,
                                        "query_languages": ["JSONPath"]}})
            elif request["cmd"] == "run":
                reply({"seq": request["seq"], **run_case(binary, request["case"], workdir)})
            elif request["cmd"] == "stop":
                return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
