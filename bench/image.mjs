#!/usr/bin/env node
// The container image: built from the project's Dockerfile with podman
// (test/container/build-image.sh, base images made locally and cached), then its size as
// podman reports it (uncompressed, all layers) and the build's wall time (warm when the
// layer cache already has the dependencies, as after `npm test`). `npm run bench` calls it;
// standalone: `node bench/image.mjs [--json]`. Skips, with the reason, without root or
// podman, runc and mmdebstrap (as `npm test` does).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const TAG = "localhost/simpleclaw:bench";
const JSON_OUT = process.argv.includes("--json");

function result() {
  if (process.getuid?.() !== 0) return { skipped: "needs root (rootful podman)" };
  const absent = ["podman", "runc", "mmdebstrap"].filter((c) => spawnSync(c, ["--version"], { stdio: "ignore" }).status !== 0);
  if (absent.length) return { skipped: `not installed: ${absent.join(", ")}` };
  const t0 = performance.now();
  const b = spawnSync("bash", [join(REPO, "test/container/build-image.sh"), TAG], { cwd: REPO, encoding: "utf8", maxBuffer: 64 << 20 });
  const buildMs = performance.now() - t0;
  if (b.status !== 0) return { error: `build failed: ${(b.stderr || "").trim().split("\n").slice(-3).join(" / ")}` };
  const size = (img) => {
    const r = spawnSync("bash", [join(REPO, "test/container/podman.sh"), "image", "inspect", "--format", "{{.Size}}", img], { encoding: "utf8" });
    return r.status === 0 ? Number(r.stdout.trim()) : NaN;
  };
  return { image: TAG, bytes: size(TAG), baseBytes: size("docker.io/library/debian:bookworm-slim"), buildMs };
}

const r = result();
if (JSON_OUT) process.stdout.write(`${JSON.stringify(r)}\n`);
else if (r.skipped || r.error) process.stdout.write(`image: ${r.skipped ? "skipped" : "n/a"} (${r.skipped ?? r.error})\n`);
else process.stdout.write(`image ${r.image}: ${(r.bytes / 1e6).toFixed(0)} MB (base ${(r.baseBytes / 1e6).toFixed(0)} MB), built in ${(r.buildMs / 1000).toFixed(0)} s\n`);
