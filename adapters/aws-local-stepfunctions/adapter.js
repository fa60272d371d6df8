#!/usr/bin/env node
// aslcheck adapter for aws-local-stepfunctions (https://github.com/nibble-4bits/aws-local-stepfunctions),
// speaking the external-backend protocol of docs/protocol.md: JSON lines on stdin/stdout,
// `start` → capabilities, `run` → one raw observation, `stop` → exit.
//
// The adapter reports what the library does; it judges nothing. What it adds is the environment
// every implementation gets (docs/fixtures.md):
// - Task states run the fixture functions (aslcheck-echo|fail|flaky|sleep) through the library's
//   `taskResourceLocalHandlers`, as a direct Lambda ARN or through `arn:aws:states:::lambda:invoke`
//   (with the Lambda Invoke envelope); `environment.functions` gives other functions a fixture's
//   behaviour, and the rest return their input; `environment.mock_config` (a Step Functions Local
//   MockConfigFile) mocks Task states by name; cases that call anything else are skipped.
// - Time is virtual: the global timers are replaced by a queue that fires the earliest timer as
//   soon as nothing else is runnable, so Wait states, retry intervals, TimeoutSeconds and the
//   `sleep` fixture cost no wall-clock time and keep their order. (The library's wait/retry
//   overrides would replace the durations instead of keeping them.)
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const crypto = require('node:crypto');

const PROTOCOL_VERSION = 1;
// A run whose virtual clock passes this is aborted (an AWS Standard execution lasts at most a year).
const VIRTUAL_TIME_CAP_MS = 366 * 24 * 3600 * 1000;

// ---------------------------------------------------------------------------------------------
// Virtual time

const realSetImmediate = setImmediate;
const clock = { now: 0, seq: 0, timers: [], pumping: false, onOvertime: null, start: 0 };

function virtualSetTimeout(fn, ms, ...args) {
  const delay = Math.max(0, Number(ms) || 0);
  const timer = {
    due: clock.now + delay,
    seq: clock.seq++,
    fn,
    args,
    cancelled: false,
    ref() { return timer; },
    unref() { return timer; },
    hasRef() { return true; },
    refresh() { return timer; },
    [Symbol.toPrimitive]() { return timer.seq; },
  };
  clock.timers.push(timer);
  schedulePump();
  return timer;
}

function virtualClearTimeout(timer) {
  if (timer && typeof timer === 'object') timer.cancelled = true;
}

function schedulePump() {
  if (!clock.pumping) {
    clock.pumping = true;
    // Two hops through the check phase: whatever is runnable now (promise jobs, immediates the
    // library queued) runs before virtual time moves on.
    realSetImmediate(() => realSetImmediate(pump));
  }
}

function pump() {
  clock.pumping = false;
  clock.timers = clock.timers.filter((t) => !t.cancelled);
  if (clock.timers.length === 0) return;
  clock.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
  const timer = clock.timers.shift();
  if (timer.due - clock.start > VIRTUAL_TIME_CAP_MS && clock.onOvertime) {
    const onOvertime = clock.onOvertime;
    clock.onOvertime = null;
    clock.timers = [];
    onOvertime();
    return;
  }
  clock.now = Math.max(clock.now, timer.due);
  try {
    timer.fn(...timer.args);
  } finally {
    schedulePump();
  }
}

globalThis.setTimeout = virtualSetTimeout;
globalThis.clearTimeout = virtualClearTimeout;

// The library uses Promise.withResolvers (Node >= 22); CI and developers may have Node 20.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

// A promise the library leaves behind (the loser of a race) must not end the process.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`adapter: ignored a rejection nobody handled: ${reason && reason.message ? reason.message : reason}\n`);
});

// Loaded after the timers are replaced.
const { StateMachine, ExecutionError, ExecutionTimeoutError, ExecutionAbortedError } = require('aws-local-stepfunctions');

function libraryVersion() {
  try {
    const file = path.join(path.dirname(require.resolve('aws-local-stepfunctions')), '..', 'package.json');
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Fixture functions (docs/fixtures.md)

class FunctionError extends Error {
  // Shaped like the library's own LambdaInvocationError for a function that raised: the name is
  // the errorType, the message `<errorType>: <errorMessage>`, the cause the error payload.
  constructor(errorType, errorMessage) {
    super(`${errorType}: ${errorMessage}`);
    this.name = errorType;
    this.cause = { errorMessage, errorType, requestId: crypto.randomUUID(), stackTrace: [] };
  }
}

const CONTRACT_ERROR = 'FixtureInputError';

function isInt(v) {
  return typeof v === 'number' && Number.isInteger(v);
}

// Runs function `name` (a fixture, or any other function, which returns its input).
async function invokeFunction(name, input) {
  const field = (k, d) => (input && typeof input === 'object' && typeof input[k] === 'string' ? input[k] : d);
  switch (name) {
    case 'aslcheck-fail':
      throw new FunctionError(field('error', 'FixtureError'), field('cause', ''));
    case 'aslcheck-flaky': {
      const attempt = input && input.attempt;
      const failures = input && input.failures;
      if (!isInt(attempt) || !isInt(failures)) {
        throw new FunctionError(CONTRACT_ERROR, "aslcheck-flaky needs integer fields 'attempt' and 'failures'");
      }
      if (attempt < failures) {
        throw new FunctionError(field('error', 'FlakyError'), `attempt ${attempt} of the first ${failures} fails`);
      }
      return input;
    }
    case 'aslcheck-sleep': {
      const seconds = input && input.seconds;
      if (typeof seconds !== 'number' || !(seconds >= 0) || !Number.isFinite(seconds)) {
        throw new FunctionError(CONTRACT_ERROR, "aslcheck-sleep needs a non-negative number 'seconds'");
      }
      await new Promise((resolve) => setTimeout(resolve, Math.round(seconds * 1000)));
      return input;
    }
    default: // aslcheck-echo and any other function
      return input;
  }
}

// The function name of a Lambda ARN or name (`arn:aws:lambda:r:a:function:NAME[:qualifier]`).
function functionName(nameOrArn) {
  const m = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrArn);
  return m ? m[1] : nameOrArn;
}

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;

// The fixture that gives a function its behaviour: the case's `environment.functions` entry
// (`{"<ARN or name>": "echo|fail|flaky|sleep"}`), else the function's own name (a fixture, or
// any other function, which returns its input).
function behaviourOf(fn, env) {
  const functions = (env && typeof env.functions === 'object' && env.functions) || {};
  const b = functions[fn] !== undefined ? functions[fn] : functions[functionName(fn)];
  return typeof b === 'string' ? `aslcheck-${b}` : functionName(fn);
}

// A handler for a Task state's resource, or a reason why the resource is not emulated.
function handlerFor(resource, env) {
  if (typeof resource !== 'string') return { reason: 'a Task state without a string Resource' };
  if (LAMBDA_ARN.test(resource)) {
    const name = behaviourOf(resource, env);
    return { handler: (input) => invokeFunction(name, input) };
  }
  if (LAMBDA_INVOKE.test(resource)) {
    return {
      handler: async (input) => {
        const target = input && typeof input.FunctionName === 'string' ? behaviourOf(input.FunctionName, env) : '';
        const payload = await invokeFunction(target, input ? input.Payload : undefined);
        const requestId = crypto.randomUUID();
        // The Lambda Invoke response envelope (docs/semantics/task.md §10.4).
        return {
          ExecutedVersion: '$LATEST',
          Payload: payload === undefined ? null : payload,
          SdkHttpMetadata: {
            HttpHeaders: { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId },
            HttpStatusCode: 200,
          },
          SdkResponseMetadata: { RequestId: requestId },
          StatusCode: 200,
        };
      },
    };
  }
  return { reason: `the adapter emulates only Lambda functions; Task resource ${resource} is not emulated` };
}

class MockedError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

// Step Functions Local mocks (`environment.mock_config` + `mock_test_case`, the MockConfigFile
// format): state name → [{first, last, response}]. The n-th call of a state in an execution
// (retries included) gets the response for n.
function mockedStates(env) {
  if (!env || env.mock_config === undefined) return {};
  const config = env.mock_config;
  const machines = Object.values((config && config.StateMachines) || {});
  if (machines.length !== 1) throw new Error('mock_config must have exactly one state machine');
  const testCase = machines[0].TestCases && machines[0].TestCases[env.mock_test_case];
  if (!testCase || typeof testCase !== 'object') throw new Error(`mock_config has no test case ${JSON.stringify(env.mock_test_case)}`);
  const out = {};
  for (const [state, responseName] of Object.entries(testCase)) {
    const responses = (config.MockedResponses || {})[responseName];
    if (!responses || typeof responses !== 'object') throw new Error(`mock_config has no MockedResponses/${responseName}`);
    const ranges = [];
    for (const [key, response] of Object.entries(responses)) {
      const [a, b] = key.includes('-') ? key.split('-').map((x) => Number(x.trim())) : [Number(key), Number(key)];
      ranges.push({ first: a, last: b, response });
    }
    out[state] = { name: responseName, ranges };
  }
  return out;
}

function mockHandler(state, mock) {
  let calls = 0;
  return async () => {
    const call = calls++;
    const hit = mock.ranges.find((r) => r.first <= call && call <= r.last);
    if (!hit) throw new MockedError('States.TaskFailed', `The mocked response '${mock.name}' has no entry for invocation ${call} of state '${state}'.`);
    if (hit.response.Throw) throw new MockedError(String(hit.response.Throw.Error ?? ''), String(hit.response.Throw.Cause ?? ''));
    return hit.response.Return === undefined ? null : hit.response.Return;
  };
}

// Task handlers by state name for every Task state, nested ones included. The library's
// overrides are keyed by state name only.
function taskHandlers(machine, env, mocks, out = {}, resources = {}) {
  const states = machine && typeof machine.States === 'object' && machine.States ? machine.States : {};
  for (const [name, state] of Object.entries(states)) {
    if (!state || typeof state !== 'object') continue;
    if (state.Type === 'Task') {
      if (name in resources && resources[name] !== state.Resource) {
        return { reason: `two Task states named ${JSON.stringify(name)} call different resources; the library's task overrides are per state name` };
      }
      resources[name] = state.Resource;
      if (mocks[name]) {
        out[name] = mockHandler(name, mocks[name]);
      } else {
        const h = handlerFor(state.Resource, env);
        if (h.reason) return { reason: h.reason };
        out[name] = h.handler;
      }
    }
    const nested = [...(Array.isArray(state.Branches) ? state.Branches : []), state.ItemProcessor, state.Iterator].filter(Boolean);
    for (const m of nested) {
      const r = taskHandlers(m, env, mocks, out, resources);
      if (r.reason) return r;
    }
  }
  return { handlers: out };
}

// What the library cannot run at all: reasons to skip.
function unsupported(definition) {
  const text = JSON.stringify(definition);
  if (/"QueryLanguage"\s*:\s*"JSONata"/.test(text)) return 'aws-local-stepfunctions runs JSONPath only (no JSONata)';
  if (/"Assign"\s*:/.test(text)) return 'aws-local-stepfunctions has no variables (Assign)';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Runs

const machines = new Map(); // definition text → StateMachine (validation costs ~90 ms)

function construct(definition) {
  const key = JSON.stringify(definition);
  let sm = machines.get(key);
  if (!sm) {
    sm = new StateMachine(definition);
    if (machines.size > 256) machines.clear();
    machines.set(key, sm);
  }
  return sm;
}

// `State machine definition is invalid, see error(s) below:\n CODE: message\nCODE: message`
function diagnosticsOf(error) {
  const lines = String(error && error.message ? error.message : error).split('\n').slice(1);
  const out = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([A-Z][A-Z_]+): (.*)$/.exec(line);
    out.push(m ? { code: m[1], message: m[2], location: null } : { code: '', message: line, location: null });
  }
  if (out.length === 0) out.push({ code: '', message: String(error && error.message ? error.message : error), location: null });
  return out;
}

function text(v) {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

async function runCase(c) {
  const definition = c.definition;
  if (c.mode === 'validate') {
    try {
      construct(definition);
      return { result: { valid: true, diagnostics: [] } };
    } catch (e) {
      return { result: { valid: false, diagnostics: diagnosticsOf(e) } };
    }
  }
  if (c.mode !== 'execution') return { skipped: { message: `mode ${c.mode} is not supported by aws-local-stepfunctions` } };
  if (c.history) return { skipped: { message: 'aws-local-stepfunctions has no AWS-shaped execution history' } };
  const why = unsupported(definition);
  if (why) return { skipped: { message: why } };
  let mocks;
  try {
    mocks = mockedStates(c.environment);
  } catch (e) {
    return { errored: { message: `the case's environment: ${e.message}` } };
  }
  const tasks = taskHandlers(definition, c.environment, mocks);
  if (tasks.reason) return { skipped: { message: tasks.reason } };
  let sm;
  try {
    sm = construct(definition);
  } catch (e) {
    return { errored: { message: `the definition is invalid: ${e.message}` } };
  }
  clock.timers = [];
  clock.start = clock.now;
  let overtime = false;
  const execution = sm.run(c.input === undefined ? {} : c.input, { overrides: { taskResourceLocalHandlers: tasks.handlers } });
  clock.onOvertime = () => {
    overtime = true;
    execution.abort();
  };
  try {
    const output = await execution.result;
    return { result: { status: 'SUCCEEDED', output: output === undefined ? null : output, error: null, cause: null } };
  } catch (e) {
    if (e instanceof ExecutionError) {
      const inner = e.cause || {};
      return { result: { status: 'FAILED', output: null, error: text(inner.name), cause: text(inner.cause ?? inner.message) } };
    }
    if (e instanceof ExecutionTimeoutError) {
      return { result: { status: 'TIMED_OUT', output: null, error: null, cause: null } };
    }
    if (e instanceof ExecutionAbortedError && overtime) {
      return { errored: { message: 'the execution ran past one year of virtual time and was aborted' } };
    }
    return { errored: { message: `the library threw ${e && e.name}: ${e && e.message}`, context: { stack: String(e && e.stack) } } };
  } finally {
    clock.onOvertime = null;
    clock.timers = [];
  }
}

// ---------------------------------------------------------------------------------------------
// The protocol

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function handle(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (e) {
    process.stderr.write(`adapter: not JSON: ${e.message}\n`);
    process.exit(2);
  }
  switch (request.cmd) {
    case 'start':
      if (request.version !== PROTOCOL_VERSION) {
        process.stderr.write(`adapter: protocol version ${request.version} is not supported (this adapter speaks ${PROTOCOL_VERSION})\n`);
        process.exit(2);
      }
      send({
        version: PROTOCOL_VERSION,
        implementation: {
          name: 'aws-local-stepfunctions',
          version: libraryVersion(),
          language: 'javascript',
          homepage: 'https://github.com/nibble-4bits/aws-local-stepfunctions',
        },
        capabilities: { modes: ['execution', 'validate'], history: false, query_languages: ['JSONPath'], variables: false },
      });
      return;
    case 'run': {
      let reply;
      try {
        reply = await runCase(request.case || {});
      } catch (e) {
        reply = { errored: { message: `adapter failure: ${e && e.message}`, context: { stack: String(e && e.stack) } } };
      }
      send({ seq: request.seq, ...reply });
      return;
    }
    case 'stop':
      process.exit(0);
      return;
    default:
      process.stderr.write(`adapter: unknown command ${JSON.stringify(request.cmd)}\n`);
      process.exit(2);
  }
}

// One request at a time, in order.
const rl = readline.createInterface({ input: process.stdin, terminal: false });
let queue = Promise.resolve();
rl.on('line', (line) => {
  if (line.trim() === '') return;
  queue = queue.then(() => handle(line));
});
rl.on('close', () => {
  queue.then(() => process.exit(0));
});
