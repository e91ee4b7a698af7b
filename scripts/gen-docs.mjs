// Regenerates docs generated from code (run by `npm run docs` after a build).
import { mkdirSync, writeFileSync } from "node:fs";
import { configReferenceMarkdown } from "../dist/config/reference.js";
import { auditChecksMarkdown } from "../dist/audit/registry.js";
import { cliReferenceMarkdown } from "../dist/cli/reference.js";

writeFileSync(new URL("../docs/configuration.md", import.meta.url), configReferenceMarkdown());
console.log("wrote docs/configuration.md");

writeFileSync(new URL("../docs/cli-reference.md", import.meta.url), cliReferenceMarkdown());
console.log("wrote docs/cli-reference.md");

mkdirSync(new URL("../docs/security/", import.meta.url), { recursive: true });
writeFileSync(new URL("../docs/security/audit-checks.md", import.meta.url), auditChecksMarkdown());
console.log("wrote docs/security/audit-checks.md");
