// A vitest reporter (after the default one, vitest.config.ts) that ends the run with ONE
// line when tests were skipped because a system package is missing here, naming the
// packages to install. The skips themselves are recorded by test/helpers/system-deps.ts
// in the test workers, through a file whose path this reporter hands them in the env.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reporter } from "vitest/node";
import { PACKAGES, RECORD_ENV, type SystemDep } from "./system-deps.js";

interface Skip {
  dep: SystemDep;
  file: string;
  reason?: string;
}

export default class SystemDepsReporter implements Reporter {
  private dir = "";
  private record = "";

  onInit(): void {
    this.dir = mkdtempSync(join(tmpdir(), "simpleclaw-system-deps-"));
    this.record = join(this.dir, "skips.jsonl");
    // The workers are started after this, so they inherit it.
    process.env[RECORD_ENV] = this.record;
  }

  onTestRunEnd(): void {
    let text = "";
    try {
      text = readFileSync(this.record, "utf8");
    } catch {
      // nothing was skipped
    }
    rmSync(this.dir, { recursive: true, force: true });
    const skips = text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Skip);
    if (!skips.length) return;
    const byDep = new Map<SystemDep, { files: Set<string>; reasons: Set<string> }>();
    for (const s of skips) {
      const e = byDep.get(s.dep) ?? { files: new Set(), reasons: new Set() };
      e.files.add(s.file);
      if (s.reason) e.reasons.add(s.reason);
      byDep.set(s.dep, e);
    }
    const deps = [...byDep.keys()].sort();
    const parts = deps.map((d) => `${d} [${[...byDep.get(d)!.reasons].join("; ")}] (${[...byDep.get(d)!.files].sort().join(", ")})`);
    const install = [...new Set(deps.flatMap((d) => PACKAGES[d]))].join(" ");
    process.stdout.write(
      `\nSKIPPED for missing system packages: ${parts.join(", ")}. To run them: apt-get install ${install} (as .ci/run does; it sets SIMPLECLAW_REQUIRE_SYSTEM_DEPS=1 so that none is skipped there).\n`,
    );
  }
}
