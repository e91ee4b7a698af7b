#!/usr/bin/env node
// SimpleClaw CLI entry. Checks the Node.js version before loading anything else,
// because the rest of the code relies on Node >= 22.12.0 (node:sqlite, security fixes).
let runtime;
try {
  runtime = await import("../dist/infra/runtime.js");
} catch {
  process.stderr.write("error: simpleclaw is not built yet; run `npm install` (or `npm run build`) in the project folder first.\n");
  process.exit(1);
}
const problem = runtime.nodeVersionProblem(process.version);
if (problem) {
  process.stderr.write(`error: ${problem}\n`);
  process.exit(1);
}
const { main } = await import("../dist/cli/main.js");
await main(process.argv);
