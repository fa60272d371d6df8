// Runs a benchmark machine on aws-local-stepfunctions through its in-process API, the way a user
// of that library would: the StateMachine is constructed once, then run N times in a row, each
// run awaited before the next. Prints executions per second of each round, then best and median.
//
//   node benches/aws-local-stepfunctions.js MACHINE.json INPUT.json ITERATIONS ROUNDS
//
// benches/compare.sh runs this and `aslcheck bench` on the same machines in one window.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const library = path.join(__dirname, '..', 'adapters', 'aws-local-stepfunctions', 'node_modules', 'aws-local-stepfunctions');
const { StateMachine } = require(library);

async function main() {
  const [machineFile, inputFile, iterationsText, roundsText] = process.argv.slice(2);
  if (!machineFile || !inputFile) {
    console.error('usage: node benches/aws-local-stepfunctions.js MACHINE.json INPUT.json [ITERATIONS] [ROUNDS]');
    process.exit(2);
  }
  const definition = JSON.parse(fs.readFileSync(machineFile, 'utf8'));
  const input = JSON.parse(fs.readFileSync(inputFile, 'utf8'));
  const iterations = Number(iterationsText || 2000);
  const rounds = Number(roundsText || 5);
  const machine = new StateMachine(definition);

  // One run first, so that the result is checked and the JIT has seen the code.
  const first = await machine.run(input).result;
  if (first === undefined) throw new Error('the machine produced no output');

  const rates = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      await machine.run(input).result;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const rate = iterations / seconds;
    rates.push(rate);
    console.log(`round ${round + 1}: ${iterations} executions in ${seconds.toFixed(3)} s = ${Math.round(rate)} executions/s`);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  console.log(`best ${Math.round(sorted[sorted.length - 1])} executions/s, median ${Math.round(sorted[Math.floor(sorted.length / 2)])} executions/s`);
}

main().catch((e) => { console.error(e); process.exit(1); });
