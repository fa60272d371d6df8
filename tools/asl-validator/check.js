// Reads one state machine definition per line (JSON) from stdin and writes one JSON line per
// definition: {"line": n, "isValid": bool, "errors": [...]}. asl-validator mutates what it is
// given, so each definition is validated as a fresh parse.
'use strict';
// asl-validator builds a new Ajv instance, and so recompiles its JSON schemas, on every call
// (~0.2 s each). The options and schemas are the same every time, so one instance is reused:
// validation results are unchanged, thousands of definitions take seconds instead of minutes.
const ajvModule = require('ajv');
const OriginalAjv = ajvModule.default;
let sharedAjv = null;
function SharedAjv(options) {
  if (sharedAjv === null) {
    sharedAjv = new OriginalAjv(options);
    // ajv-formats registers its keywords on every call; the second time they already exist.
    const addKeyword = sharedAjv.addKeyword.bind(sharedAjv);
    sharedAjv.addKeyword = (definition, ...rest) => {
      const names = typeof definition === 'string' ? [definition] : [].concat((definition && definition.keyword) || []);
      if (names.length > 0 && names.every((n) => sharedAjv.getKeyword(n))) return sharedAjv;
      return addKeyword(definition, ...rest);
    };
  }
  return sharedAjv;
}
SharedAjv.prototype = OriginalAjv.prototype;
ajvModule.default = SharedAjv;

const validator = require('asl-validator');
const readline = require('readline');

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let n = 0;
rl.on('line', (line) => {
  n += 1;
  if (line.trim() === '') return;
  let result;
  try {
    result = validator(JSON.parse(line));
  } catch (e) {
    result = { isValid: false, errors: [{ message: String(e) }] };
  }
  process.stdout.write(JSON.stringify({ line: n, isValid: result.isValid, errors: result.errors || [] }) + '\n');
});
