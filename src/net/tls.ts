// TLS certificate identity shared by the gateway and its local clients: where the
// auto-generated certificate lives in the state dir, and its SHA-256 fingerprint, which
// clients pin instead of trusting a CA.
import { X509Certificate } from "node:crypto";
import { join } from "node:path";

export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Normalizes "ab:cd…" / "abcd…" / "sha256/AB:CD…" to "AB:CD:…" for comparison. */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/^sha-?256[:/]/i, "").replace(/[^0-9a-f]/gi, "").toUpperCase();
  return hex.match(/.{2}/g)?.join(":") ?? "";
}

export function autoCertPaths(tlsDir: string) {
  return { cert: join(tlsDir, "gateway-cert.pem"), key: join(tlsDir, "gateway-key.pem") };
}
