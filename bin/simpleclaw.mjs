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
// `--version` is the one command that needs nothing else: answer before loading the CLI.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  const { version } = await import("../dist/infra/version.js");
  process.stdout.write(`${version}\n`);
  process.exit(0);
}
// node:sqlite is stable enough for us but still prints an ExperimentalWarning on Node 22;
// keep the terminal clean for that one warning and print every other warning as usual.
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (w.name === "ExperimentalWarning" && /SQLite/.test(w.message)) return;
  process.stderr.write(`${w.name}: ${w.message}\n`);
});
// `simpleclaw doctor | head -3`: a reader that goes away is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}
const { main } = await import("../dist/cli/main.js");
await main(process.argv);
