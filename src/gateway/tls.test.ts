import { X509Certificate, createPrivateKey } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../config/io.js";
import type { Config } from "../config/schema.js";
import { UserError } from "../infra/errors.js";
import { loadTls } from "./tls.js";
import { autoCertPaths, fingerprintOf, normalizeFingerprint } from "../net/tls.js";

function config(raw: Record<string, unknown>): Config {
  const v = validateConfig(raw);
  if (!v.ok) throw new Error(v.problems.join("; "));
  return v.config;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "simpleclaw-tls-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("loadTls", () => {
  it("returns undefined when TLS is off", async () => {
    expect(await loadTls(config({}), join(dir, "off"))).toBeUndefined();
    expect(existsSync(join(dir, "off"))).toBe(false);
  });

  it("autoGenerate creates a cert and a 600 key in a 700 folder, and reuses them", async () => {
    const tlsDir = join(dir, "auto", "tls");
    const cfg = config({ gateway: { tls: { enabled: true, autoGenerate: true } } });
    const first = await loadTls(cfg, tlsDir);
    expect(first).toBeDefined();
    const paths = autoCertPaths(tlsDir);
    expect(statSync(tlsDir).mode & 0o777).toBe(0o700);
    expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(statSync(paths.cert).mode & 0o777).toBe(0o644);
    expect(readFileSync(paths.key, "utf8")).toBe(first!.key);
    expect(readFileSync(paths.cert, "utf8")).toBe(first!.cert);

    const x509 = new X509Certificate(first!.cert);
    expect(x509.fingerprint256).toBe(first!.fingerprint256);
    expect(first!.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(x509.subjectAltName).toContain("DNS:localhost");
    expect(x509.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(x509.checkPrivateKey(createPrivateKey(first!.key))).toBe(true);
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 24 * 3600_000);

    const second = await loadTls(cfg, tlsDir);
    expect(second!.fingerprint256).toBe(first!.fingerprint256);
    expect(second!.key).toBe(first!.key);
  });

  it("regenerates a certificate that is about to expire", async () => {
    // An already-expired certificate in place of the generated one.
    const tlsDir = join(dir, "expired");
    const cfg = config({ gateway: { tls: { enabled: true, autoGenerate: true } } });
    const first = await loadTls(cfg, tlsDir);
    const { generate } = await import("selfsigned");
    const old = await generate([{ name: "commonName", value: "old" }], {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      notBeforeDate: new Date(Date.now() - 10 * 24 * 3600_000),
      notAfterDate: new Date(Date.now() - 24 * 3600_000),
    });
    const paths = autoCertPaths(tlsDir);
    writeFileSync(paths.cert, old.cert);
    writeFileSync(paths.key, old.private);
    const next = await loadTls(cfg, tlsDir);
    expect(next!.fingerprint256).not.toBe(fingerprintOf(old.cert));
    expect(next!.fingerprint256).not.toBe(first!.fingerprint256);
    expect(new Date(new X509Certificate(next!.cert).validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it("loads an operator-supplied certificate and key", async () => {
    const generated = await loadTls(config({ gateway: { tls: { enabled: true, autoGenerate: true } } }), join(dir, "src"));
    const certPath = join(dir, "op-cert.pem");
    const keyPath = join(dir, "op-key.pem");
    writeFileSync(certPath, generated!.cert);
    writeFileSync(keyPath, generated!.key, { mode: 0o600 });
    const loaded = await loadTls(config({ gateway: { tls: { enabled: true, certPath, keyPath } } }), join(dir, "unused"));
    expect(loaded).toEqual({ cert: generated!.cert, key: generated!.key, fingerprint256: generated!.fingerprint256 });
    expect(existsSync(join(dir, "unused"))).toBe(false);
  });

  it("a missing certPath/keyPath is a clear config error (exit 78), not a stack trace", async () => {
    const cfg = config({ gateway: { tls: { enabled: true, certPath: join(dir, "nope-cert.pem"), keyPath: join(dir, "nope-key.pem") } } });
    const err = await loadTls(cfg, join(dir, "x")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(78);
    expect((err as UserError).message).toContain("gateway.tls.certPath");
    expect((err as UserError).message).toContain("nope-cert.pem");
  });

  it("a certPath that is not a certificate is a clear config error", async () => {
    const bad = join(dir, "garbage.pem");
    writeFileSync(bad, "not a certificate");
    const cfg = config({ gateway: { tls: { enabled: true, certPath: bad, keyPath: bad } } });
    const err = await loadTls(cfg, join(dir, "y")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(78);
  });
});

describe("normalizeFingerprint", () => {
  const canonical = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
  const bare = canonical.replace(/:/g, "");

  it("accepts the colon form, the bare form, lowercase and prefixes", () => {
    expect(normalizeFingerprint(canonical)).toBe(canonical);
    expect(normalizeFingerprint(bare)).toBe(canonical);
    expect(normalizeFingerprint(bare.toLowerCase())).toBe(canonical);
    expect(normalizeFingerprint(canonical.toLowerCase())).toBe(canonical);
    expect(normalizeFingerprint(`sha256/${canonical}`)).toBe(canonical);
    expect(normalizeFingerprint(`SHA256:${bare}`)).toBe(canonical);
    expect(normalizeFingerprint(`sha-256:${bare.toLowerCase()}`)).toBe(canonical);
    expect(normalizeFingerprint(`  ${canonical}  `)).toBe(canonical);
  });

  it("matches what fingerprintOf reports for a real certificate", async () => {
    const t = await loadTls(config({ gateway: { tls: { enabled: true, autoGenerate: true } } }), join(dir, "fp"));
    expect(normalizeFingerprint(t!.fingerprint256.replace(/:/g, "").toLowerCase())).toBe(t!.fingerprint256);
  });

  it("does not make different fingerprints equal", () => {
    const other = canonical.slice(0, -2) + "88";
    expect(normalizeFingerprint(other)).not.toBe(normalizeFingerprint(canonical));
    expect(normalizeFingerprint("")).toBe("");
    expect(normalizeFingerprint("zz")).toBe("");
  });
});
