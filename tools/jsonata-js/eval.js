// Evaluates JSONata expressions with jsonata-js, one per line of stdin:
//   {"expr": "...", "input": <json, absent for undefined>, "bindings": {<name>: <json>}}
// and writes one JSON line per expression in the shape `aslcheck eval` prints:
//   {"result": V} | {"undefined": true} | {"error": CODE, "message": "..."}
// The expression may be given with or without the {% %} delimiters. Optional "timeout_ms" and
// "max_depth" bound the evaluation (defaults 1000 ms and 1000 levels, aslcheck's defaults):
// jsonata-js has no limits of its own, so they are kept through its evaluation entry and exit
// hooks, and a breach is U1001 as in aslcheck. A single built-in call cannot be interrupted
// that way, so evaluations run in a worker thread that is replaced when it takes more than
// twice the time limit (plus a second); that case is reported as U1001 too.
'use strict';
const { Worker, isMainThread, parentPort } = require('worker_threads');
const readline = require('readline');

const STACK = 'Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive.';
const TIMEOUT = 'Expression evaluation timeout: Check for infinite loop';

function strip(text) {
  return text.startsWith('{%') && text.endsWith('%}') ? text.slice(2, -2) : text;
}

function isFunction(value) {
  return typeof value === 'function' || Boolean(value && (value._jsonata_lambda || value._jsonata_function));
}

async function evaluate(jsonata, request) {
  let expression;
  try {
    expression = jsonata(strip(request.expr));
  } catch (e) {
    return { error: e.code || e.name || 'ERROR', message: String(e.message) };
  }
  const timeout = request.timeout_ms || 1000;
  const maxDepth = request.max_depth || 1000;
  const started = Date.now();
  let depth = 0;
  expression.assign(Symbol.for('jsonata.__evaluate_entry'), () => {
    depth += 1;
    if (depth > maxDepth) throw { code: 'U1001', message: STACK };
    if (Date.now() - started > timeout) throw { code: 'U1001', message: TIMEOUT };
  });
  expression.assign(Symbol.for('jsonata.__evaluate_exit'), () => {
    depth -= 1;
  });
  try {
    const result = await expression.evaluate(request.input, request.bindings || {});
    if (result === undefined) return { undefined: true };
    if (isFunction(result)) {
      return {
        error: 'States.QueryEvaluationError',
        message: 'The expression returned an unsupported result type (a function)',
      };
    }
    // JSON.stringify drops undefined members, as the conversion to JSON on the Rust side does;
    // a function inside a value becomes "" there, and here too.
    return { result: JSON.parse(JSON.stringify(result, (key, value) => (isFunction(value) ? '' : value))) };
  } catch (e) {
    return { error: (e && (e.code || e.name)) || 'ERROR', message: String(e && e.message) };
  }
}

if (!isMainThread) {
  const jsonata = require('jsonata');
  parentPort.on('message', async (line) => {
    let out;
    try {
      out = await evaluate(jsonata, JSON.parse(line));
    } catch (e) {
      out = { error: 'HARNESS', message: String(e && e.message) };
    }
    parentPort.postMessage(out);
  });
} else {
  let worker = null;
  const start = () => {
    worker = new Worker(__filename);
  };
  const ask = (line) => new Promise((resolve) => {
    let limit = 1000;
    try {
      limit = JSON.parse(line).timeout_ms || 1000;
    } catch (e) { /* the worker reports it */ }
    const timer = setTimeout(() => {
      worker.removeAllListeners('message');
      worker.terminate();
      start();
      resolve({ error: 'U1001', message: TIMEOUT });
    }, 2 * limit + 1000);
    worker.once('message', (out) => {
      clearTimeout(timer);
      resolve(out);
    });
    worker.postMessage(line);
  });
  (async () => {
    start();
    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of rl) {
      if (line.trim() === '') continue;
      process.stdout.write(JSON.stringify(await ask(line)) + '\n');
    }
    await worker.terminate();
  })();
}
