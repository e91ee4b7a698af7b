// Regenerates docs generated from code (run by `npm run docs` after a build).
import { writeFileSync } from "node:fs";
import { configReferenceMarkdown } from "../dist/config/reference.js";

writeFileSync(new URL("../docs/configuration.md", import.meta.url), configReferenceMarkdown());
console.log("wrote docs/configuration.md");
