// Audit family "runtime": the Node.js running SimpleClaw must carry the security
// fixes of 22.12.0 (docs/security-model.md). The CLI refuses older Node itself, so this mostly
// fires when the audit code is imported by something started another way.
import { isSupportedNode, MIN_NODE_VERSION } from "../infra/runtime.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding } from "./types.js";

export const nodeVersionCheck = {
  id: "runtime.node_version_unsupported",
  severity: ["critical"],
  fixable: false,
  title: `Node.js older than ${MIN_NODE_VERSION}`,
  meaning: `SimpleClaw needs Node.js >= ${MIN_NODE_VERSION}, the floor that carries the fixes for CVE-2025-59466 (async_hooks DoS) and CVE-2026-21636 (permission-model bypass).`,
  remedy: "Run SimpleClaw with the project's pinned Node 22 (npm start / npx simpleclaw) or upgrade Node.js.",
} satisfies CheckDef;

export function nodeVersionFinding(version: string, where: string): Finding | undefined {
  if (isSupportedNode(version)) return undefined;
  return finding(nodeVersionCheck, {
    detail: `${where} runs on Node.js ${version}, older than ${MIN_NODE_VERSION}.`,
    evidence: `${where}: node ${version}`,
  });
}

export function auditRuntime(input: AuditInput): Finding[] {
  const f = nodeVersionFinding(input.nodeVersion, "this process");
  return f ? [f] : [];
}

export const runtimeFamily: CheckFamily = { name: "runtime", checks: [nodeVersionCheck], run: auditRuntime };
