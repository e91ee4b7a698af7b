// The container and Kubernetes packaging, checked without a Docker engine or a cluster:
// the Dockerfile, docker-compose.yml and deploy/k8s/*.yaml are parsed and their security
// properties asserted; the image's HEALTHCHECK command and its environment are run
// against a real gateway.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { configSchema } from "../src/config/schema.js";
import { startGateway } from "../src/gateway/start.js";
import { auditGateway } from "../src/audit/gateway.js";
import type { AuditInput } from "../src/audit/types.js";
import { cleanupAll, onCleanup, randomToken, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const REPO = join(import.meta.dirname, "..");
const read = (p: string) => readFileSync(join(REPO, p), "utf8");

// ---- a small Dockerfile reader ---------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

function dockerfileStages(text: string): Stage[] {
  const logical: string[] = [];
  let cur = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (cur === "" && (line === "" || line.startsWith("#"))) continue;
    if (cur !== "" && line.startsWith("#")) continue; // comments inside a continued instruction
    if (line.endsWith("\\")) {
      cur += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push((cur + line).trim());
    cur = "";
  }
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s*(.*)$/s.exec(l)!;
    const op = m[1]!.toUpperCase();
    const args = m[2]!;
    if (op === "FROM") {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      stages.push({ from: f[1]!, name: f[2], instructions: [] });
      continue;
    }
    if (!stages.length) throw new Error(`instruction before FROM: ${l}`);
    stages.at(-1)!.instructions.push({ op, args });
  }
  return stages;
}

const all = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op);
const envOf = (s: Stage): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const i of all(s, "ENV")) for (const m of i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, "");
  return env;
};

const stages = dockerfileStages(read("Dockerfile"));
const build = stages[0]!;
const runtime = stages.at(-1)!;

describe("Dockerfile", () => {
  it("is multi-stage: builds on node:22, runs on Debian slim with only the node binary added", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.from).toMatch(/^node:22(?:[.-]|$)/);
    // Same Debian release as the build stage, so the copied node binary finds its libraries.
    expect(runtime.from).toBe("debian:bookworm-slim");
    expect(build.from).toContain("bookworm");
    const runs = all(build, "RUN").map((i) => i.args).join("\n");
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    expect(runs).toMatch(/npm prune --omit=dev\b/);
    // The runtime stage installs nothing and compiles nothing: it only copies the build output.
    expect(all(runtime, "RUN").map((i) => i.args).join("\n")).not.toMatch(/npm|apt-get|curl|wget/);
    const copies = all(runtime, "COPY").map((i) => i.args);
    expect(copies.every((a) => a.includes(`--from=${build.name}`))).toBe(true);
    expect(copies).toContainEqual(`--from=${build.name} /usr/local/bin/node /usr/local/bin/node`);
    // The node user the official images have (uid/gid 1000: docs/deploy.md, deploy/k8s runAsUser).
    const setup = all(runtime, "RUN").map((i) => i.args).join("\n");
    expect(setup).toMatch(/groupadd --gid 1000 node/);
    expect(setup).toMatch(/useradd --uid 1000 --gid node\b/);
  });

  it("runs as the non-root node user, and never switches back to root", () => {
    const users = all(runtime, "USER").map((i) => i.args.trim());
    expect(users.at(-1)).toBe("node");
    expect(users.filter((u) => /^(root|0)(:|$)/.test(u))).toEqual([]);
    // Nothing after USER runs with privileges or changes ownership.
    const afterUser = runtime.instructions.slice(runtime.instructions.findIndex((i) => i.op === "USER"));
    expect(afterUser.filter((i) => i.op === "RUN")).toEqual([]);
    // The code is copied without --chown: root owns it, so the gateway cannot rewrite it.
    expect(all(runtime, "COPY").some((i) => i.args.includes("--chown"))).toBe(false);
  });

  it("keeps all state in the /app/data volume and listens beyond loopback on 18789", () => {
    expect(all(runtime, "WORKDIR").at(-1)?.args.trim()).toBe("/app");
    const env = envOf(runtime);
    expect(env.SIMPLECLAW_STATE_DIR).toBe("/app/data");
    expect(env.SIMPLECLAW_GATEWAY_BIND).toBe("lan");
    expect(env.SIMPLECLAW_GATEWAY_TOKEN).toBeUndefined(); // never baked into the image
    expect(all(runtime, "VOLUME").map((i) => i.args).join(" ")).toContain("/app/data");
    expect(all(runtime, "EXPOSE").map((i) => i.args.trim())).toContain("18789");
    const runs = all(runtime, "RUN").map((i) => i.args).join("\n");
    expect(runs).toMatch(/chown node:node \/app\/data/);
    expect(runs).toMatch(/chmod 700 \/app\/data/);
    const cmd = JSON.parse(all(runtime, "CMD").at(-1)!.args) as string[];
    expect(cmd).toEqual(["node", "bin/simpleclaw.mjs", "gateway"]);
  });

  it("copies everything bin/simpleclaw.mjs needs into the image", () => {
    const runs = all(build, "RUN").map((i) => i.args).join("\n");
    const cp = /cp -R ([^&]+?) \/out\//.exec(runs)?.[1]?.split(/\s+/) ?? [];
    for (const need of ["package.json", "bin", "dist", "node_modules"]) expect(cp).toContain(need);
    expect(all(runtime, "COPY").map((i) => i.args).join("\n")).toMatch(/\/out\/? \/app\/?/);
  });

  it("has a HEALTHCHECK on /healthz that needs no curl", () => {
    const hc = all(runtime, "HEALTHCHECK");
    expect(hc).toHaveLength(1);
    expect(hc[0]!.args).toContain("/healthz");
    expect(hc[0]!.args).not.toMatch(/\bcurl\b|\bwget\b/);
  });

  it(".dockerignore keeps local state, secrets and build output out of the context", () => {
    const ignored = read(".dockerignore").split("\n").map((l) => l.trim());
    for (const p of ["node_modules", "dist", ".git", ".env", "**/credentials", "**/simpleclaw.json", "**/state.db*"]) expect(ignored).toContain(p);
  });
});

function healthcheckArgv(): string[] {
  const args = all(runtime, "HEALTHCHECK")[0]!.args;
  const json = args.slice(args.indexOf("CMD") + 3).trim();
  const argv = JSON.parse(json) as string[];
  expect(argv[0]).toBe("node");
  return argv;
}

describe("the image's environment and HEALTHCHECK against a real gateway", () => {
  it("with the image's ENV the gateway listens on 0.0.0.0 and generates its token into the state dir", async () => {
    const env = envOf(runtime);
    const state = tempStateDir();
    const said: string[] = [];
    const gw = await startGateway({ env: { ...env, SIMPLECLAW_STATE_DIR: state.dir }, port: 0, pretty: null, say: (l) => said.push(l) });
    onCleanup(() => gw.close());
    expect(gw.url).toMatch(/^ws:\/\/0\.0\.0\.0:\d+\/ws$/);
    const saved = JSON.parse(readFileSync(state.configPath, "utf8")) as Json;
    expect(saved.gateway.auth.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(said.join("\n")).toContain("Generated a gateway token");

    // The HEALTHCHECK command, run as Docker would (port from SIMPLECLAW_GATEWAY_PORT here).
    // (async: the gateway runs in this process, so a blocking spawn would starve it)
    const [, ...rest] = healthcheckArgv();
    const healthcheck = () =>
      new Promise<number | null>((resolve) => {
        const child = execFile(process.execPath, rest, { env: { PATH: process.env.PATH, SIMPLECLAW_GATEWAY_PORT: String(gw.port) }, timeout: 10_000 });
        child.on("exit", (code) => resolve(code));
      });
    expect(await healthcheck()).toBe(0);
    await gw.close();
    expect(await healthcheck()).toBe(1);
  });

  it("with the image's ENV and auth mode none, the gateway refuses to start", async () => {
    const env = envOf(runtime);
    const state = tempStateDir({ gateway: { auth: { mode: "none" } } });
    await expect(startGateway({ env: { ...env, SIMPLECLAW_STATE_DIR: state.dir }, port: 0, pretty: null, say: () => {} })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 with gateway\.auth\.mode "none"/,
    );
  });

  it("SIMPLECLAW_GATEWAY_TOKEN beats the config and nothing is generated", async () => {
    const env = envOf(runtime);
    const state = tempStateDir();
    const token = randomToken();
    const gw = await startGateway({ env: { ...env, SIMPLECLAW_STATE_DIR: state.dir, SIMPLECLAW_GATEWAY_TOKEN: token }, port: 0, pretty: null, say: () => {} });
    onCleanup(() => gw.close());
    expect(gw.ctx.auth).toMatchObject({ mode: "token", secret: token, source: "env" });
    expect(existsSync(state.configPath)).toBe(false);
  });
});

describe("the security audit sees the container's bind", () => {
  const audit = (raw: Record<string, unknown>, env: Record<string, string | undefined>) =>
    auditGateway({ config: configSchema.parse(raw), env } as unknown as AuditInput).map((f) => f.checkId);

  it("SIMPLECLAW_GATEWAY_BIND=lan counts as a non-loopback bind, as at start-up", () => {
    const env = { ...envOf(runtime), SIMPLECLAW_GATEWAY_TOKEN: randomToken() + randomToken() };
    expect(audit({}, env)).toContain("gateway.tls_off_remote");
    expect(audit({}, { SIMPLECLAW_GATEWAY_TOKEN: env.SIMPLECLAW_GATEWAY_TOKEN })).not.toContain("gateway.tls_off_remote");
    expect(audit({ gateway: { auth: { mode: "none" } } }, envOf(runtime))).toContain("gateway.bind_no_auth");
  });
});

describe("docker-compose.yml", () => {
  const compose = parse(read("docker-compose.yml")) as Json;
  const services = Object.entries(compose.services as Record<string, Json>);

  it("defines one hardened gateway service", () => {
    expect(services).toHaveLength(1);
    const [, svc] = services[0]!;
    expect(svc.read_only).toBe(true);
    expect(svc.cap_drop).toEqual(["ALL"]);
    expect(svc.cap_add).toBeUndefined();
    expect(svc.privileged).toBeUndefined();
    expect(svc.security_opt).toContainEqual(expect.stringMatching(/^no-new-privileges(:true)?$/));
    expect((svc.tmpfs as string[]).some((t) => t === "/tmp" || t.startsWith("/tmp:"))).toBe(true);
    expect(svc.network_mode).toBeUndefined(); // not "host"
    expect(svc.user === undefined || svc.user === "node" || svc.user === "1000").toBe(true);
  });

  it("keeps state in a named volume at /app/data and nothing else writable", () => {
    const [, svc] = services[0]!;
    expect(svc.environment.SIMPLECLAW_STATE_DIR).toBe("/app/data");
    expect(svc.volumes).toEqual(["simpleclaw-data:/app/data"]);
    expect(Object.keys(compose.volumes)).toEqual(["simpleclaw-data"]);
  });

  it("publishes the port on the host's loopback only", () => {
    const [, svc] = services[0]!;
    expect(svc.ports.length).toBeGreaterThan(0);
    for (const p of svc.ports as string[]) expect(String(p)).toMatch(/^127\.0\.0\.1:\d+:18789$/);
  });

  it("takes the token from an env_file, never inline", () => {
    const [, svc] = services[0]!;
    expect(svc.env_file).toBeDefined();
    expect(svc.environment.SIMPLECLAW_GATEWAY_TOKEN).toBeUndefined();
    expect(read("docker-compose.yml")).not.toMatch(/SIMPLECLAW_GATEWAY_TOKEN=[A-Za-z0-9]/);
    expect(read(".gitignore").split("\n")).toContain("simpleclaw.env");
  });
});

// ---- Kubernetes ------------------------------------------------------------------------

const K8S = "deploy/k8s";
const k8sDocs: Json[] = readdirSync(join(REPO, K8S))
  .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
  .flatMap((f) => parseAllDocuments(read(join(K8S, f))).map((d) => ({ ...(d.toJS() as Json), __file: f })));
const kind = (k: string) => k8sDocs.filter((d) => d.kind === k);
const one = (k: string) => {
  const found = kind(k);
  expect(found, k).toHaveLength(1);
  return found[0]!;
};

describe("deploy/k8s", () => {
  it("kustomization lists every manifest except the example Secret (no placeholder token goes live)", () => {
    const kust = parse(read(join(K8S, "kustomization.yaml"))) as Json;
    const files = readdirSync(join(REPO, K8S)).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    expect([...kust.resources].sort()).toEqual(files.filter((f) => f !== "secret.example.yaml").sort());
    expect(kust.namespace).toBe(one("Namespace").metadata.name);
    expect(kust.secretGenerator).toBeUndefined();
  });

  it("Deployment: one replica, Recreate, non-root, read-only root, no privileges, RuntimeDefault seccomp", () => {
    const dep = one("Deployment");
    expect(dep.spec.replicas).toBe(1);
    expect(dep.spec.strategy.type).toBe("Recreate");
    const pod = dep.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.securityContext.capabilities.add).toBeUndefined();
    expect(c.securityContext.privileged ?? false).toBe(false);
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
  });

  it("Deployment: state on the PVC at /app/data, /tmp an emptyDir, token from the Secret", () => {
    const dep = one("Deployment");
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    const env = Object.fromEntries((c.env as Json[]).map((e) => [e.name, e]));
    expect(env.SIMPLECLAW_STATE_DIR.value).toBe("/app/data");
    expect(env.SIMPLECLAW_GATEWAY_BIND.value).toBe("lan");
    const secret = one("Secret");
    expect(env.SIMPLECLAW_GATEWAY_TOKEN.value).toBeUndefined();
    expect(env.SIMPLECLAW_GATEWAY_TOKEN.valueFrom.secretKeyRef).toEqual({ name: secret.metadata.name, key: "token" });
    expect(Object.keys(secret.stringData)).toContain("token");
    expect(secret.__file).toBe("secret.example.yaml");

    const mounts = Object.fromEntries((c.volumeMounts as Json[]).map((m) => [m.mountPath, m.name]));
    expect(Object.keys(mounts).sort()).toEqual(["/app/data", "/tmp"]);
    const vols = Object.fromEntries((pod.volumes as Json[]).map((v) => [v.name, v]));
    expect(vols[mounts["/app/data"]].persistentVolumeClaim.claimName).toBe(one("PersistentVolumeClaim").metadata.name);
    expect(vols[mounts["/tmp"]].emptyDir).toBeDefined();
    expect(one("PersistentVolumeClaim").spec.accessModes).toEqual(["ReadWriteOnce"]);
  });

  it("Deployment: liveness and readiness probes on /healthz of the gateway port", () => {
    const c = one("Deployment").spec.template.spec.containers[0];
    const port = (c.ports as Json[]).find((p) => p.containerPort === 18789);
    expect(port).toBeDefined();
    for (const probe of [c.livenessProbe, c.readinessProbe]) {
      expect(probe.httpGet.path).toBe("/healthz");
      expect([port.name, 18789]).toContain(probe.httpGet.port);
    }
  });

  it("Service: ClusterIP on 18789", () => {
    const svc = one("Service");
    expect(svc.spec.type).toBe("ClusterIP");
    expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 18789 })]);
    expect(svc.spec.selector).toEqual(one("Deployment").spec.template.metadata.labels);
  });

  it("NetworkPolicy: ingress only to 18789 from chosen pods; egress only DNS and HTTPS to public addresses", () => {
    const np = one("NetworkPolicy");
    expect(np.spec.podSelector.matchLabels).toEqual(one("Deployment").spec.template.metadata.labels);
    expect([...np.spec.policyTypes].sort()).toEqual(["Egress", "Ingress"]);
    for (const rule of np.spec.ingress as Json[]) {
      expect(rule.from?.length).toBeGreaterThan(0); // never "from anywhere"
      expect(rule.ports).toEqual([{ protocol: "TCP", port: 18789 }]);
      for (const peer of rule.from as Json[]) expect(peer.ipBlock).toBeUndefined();
    }
    const egressPorts = (np.spec.egress as Json[]).flatMap((r) => (r.ports as Json[]).map((p) => p.port));
    expect([...new Set(egressPorts)].sort()).toEqual([443, 53]);
    for (const rule of np.spec.egress as Json[]) expect(rule.ports?.length).toBeGreaterThan(0);
    const https = (np.spec.egress as Json[]).find((r) => r.ports.some((p: Json) => p.port === 443));
    const except: string[] = https.to[0].ipBlock.except;
    for (const cidr of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]) expect(except).toContain(cidr);
  });

  it("Namespace enforces the restricted Pod Security Standard", () => {
    expect(one("Namespace").metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });
});
