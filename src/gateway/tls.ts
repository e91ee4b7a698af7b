// Optional TLS for the gateway: an operator-supplied cert/key, or a self-signed cert
// generated once and kept in <state>/tls (key 600). Clients pin its SHA-256 fingerprint.
import { existsSync, readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import type { Config } from "../config/schema.js";
import { ensureDir, writeFileAtomic } from "../infra/atomic-fs.js";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import { expandHome } from "../config/paths.js";
import { autoCertPaths, fingerprintOf } from "../net/tls.js";

export interface TlsMaterial {
  cert: string;
  key: string;
  /** "AB:CD:…" SHA-256 fingerprint of the certificate, as Node prints it. */
  fingerprint256: string;
}

export async function loadTls(config: Config, tlsDir: string): Promise<TlsMaterial | undefined> {
  const t = config.gateway.tls;
  if (!t.enabled) return undefined;
  if (t.certPath && t.keyPath) {
    try {
      const cert = readFileSync(expandHome(t.certPath), "utf8");
      const key = readFileSync(expandHome(t.keyPath), "utf8");
      return { cert, key, fingerprint256: fingerprintOf(cert) };
    } catch (err) {
      throw new UserError(`cannot load the TLS certificate or key (${errorMessage(err)}); check gateway.tls.certPath and gateway.tls.keyPath.`, EXIT.config);
    }
  }
  const paths = autoCertPaths(tlsDir);
  if (existsSync(paths.cert) && existsSync(paths.key)) {
    const cert = readFileSync(paths.cert, "utf8");
    const x509 = new X509Certificate(cert);
    if (new Date(x509.validTo).getTime() > Date.now() + 24 * 3600_000) {
      return { cert, key: readFileSync(paths.key, "utf8"), fingerprint256: x509.fingerprint256 };
    }
  }
  const { generate } = await import("selfsigned");
  const notAfter = new Date(Date.now() + 825 * 24 * 3600_000);
  const pems = await generate([{ name: "commonName", value: "simpleclaw-gateway" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: false },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  ensureDir(tlsDir, 0o700);
  writeFileAtomic(paths.key, pems.private, 0o600);
  writeFileAtomic(paths.cert, pems.cert, 0o644);
  return { cert: pems.cert, key: pems.private, fingerprint256: fingerprintOf(pems.cert) };
}
