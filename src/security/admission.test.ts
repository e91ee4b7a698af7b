import { describe, expect, it } from "vitest";
import { admissionKey, admitConnection, admitUpgrade, MAX_CONNECTIONS_PER_ADDRESS, MAX_PENDING_PER_ADDRESS, MAX_PENDING_TOTAL, type PendingConn } from "./admission.js";

const conn = (id: number, address: string, openedAt = id): PendingConn<number> => ({ id, address, openedAt });

describe("pre-auth admission", () => {
  it("admits until one address holds the per-address limit, then refuses that address only", () => {
    const pending = Array.from({ length: MAX_PENDING_PER_ADDRESS - 1 }, (_, i) => conn(i, "10.0.0.9"));
    expect(admitUpgrade("10.0.0.9", pending)).toEqual({ ok: true });
    pending.push(conn(999, "10.0.0.9"));
    expect(admitUpgrade("10.0.0.9", pending)).toMatchObject({ ok: false, status: 429 });
    expect(admitUpgrade("10.0.0.10", pending)).toEqual({ ok: true });
  });

  it("counts a network, not an address: rotating through an IPv6 /64 buys nothing", () => {
    const v6 = Array.from({ length: MAX_PENDING_PER_ADDRESS }, (_, i) => conn(i, `2001:db8:1:2::${(i + 1).toString(16)}`));
    expect(admitUpgrade("2001:db8:1:2:ffff::1", v6)).toMatchObject({ ok: false, status: 429 });
    expect(admitUpgrade("2001:db8:1:3::1", v6)).toEqual({ ok: true }); // another /64
    // Loopback counts address by address: a local flood from 127.0.0.2 does not refuse the owner's 127.0.0.1.
    const lo = Array.from({ length: MAX_PENDING_PER_ADDRESS }, (_, i) => conn(i, "127.0.0.2"));
    expect(admitUpgrade("127.0.0.2", lo)).toMatchObject({ ok: false, status: 429 });
    expect(admitUpgrade("127.0.0.1", lo)).toEqual({ ok: true });
    // IPv4 addresses stay separate (a NAT'd office is not one attacker).
    const v4 = Array.from({ length: MAX_PENDING_PER_ADDRESS }, (_, i) => conn(i, "192.0.2.7"));
    expect(admitUpgrade("192.0.2.8", v4)).toEqual({ ok: true });
    expect(admitUpgrade("::ffff:192.0.2.7", v4)).toMatchObject({ ok: false, status: 429 });
  });

  it("at the global cap admits the newcomer and evicts the oldest connection of the busiest address", () => {
    // a spread-out flood: 16 addresses; 10.1.0.3 holds one more than the others
    const pending: PendingConn<number>[] = [];
    for (let i = 0; i < MAX_PENDING_TOTAL - 1; i++) pending.push(conn(i, `10.1.0.${i % 16}`, 1000 + i));
    pending.push(conn(5000, "10.1.0.3", 2000));
    expect(pending).toHaveLength(MAX_PENDING_TOTAL);
    // oldest of 10.1.0.3 is id 3 (opened at 1003)
    expect(admitUpgrade("127.0.0.1", pending)).toEqual({ ok: true, evict: 3 });
  });

  it("never evicts the owner's single pending connection while a flooding address holds more", () => {
    const owner = conn(-1, "127.0.0.1", 0); // the oldest of all
    const pending = [owner, ...Array.from({ length: MAX_PENDING_TOTAL - 1 }, (_, i) => conn(i, `10.2.0.${i % 20}`, 10 + i))];
    const d = admitUpgrade("10.2.0.99", pending);
    expect(d.ok).toBe(true);
    expect(d.ok && d.evict).not.toBe(-1);
    expect(d.ok && d.evict).toBe(0); // 10.2.0.0's oldest
  });

  it("among equally busy addresses evicts the oldest", () => {
    const pending = [conn(1, "a", 50), conn(2, "b", 10), conn(3, "c", 30)];
    expect(admitUpgrade("d", pending, { perAddress: 5, total: 3 })).toEqual({ ok: true, evict: 2 });
  });

  it("honours configured limits", () => {
    const pending = [conn(1, "a"), conn(2, "a")];
    expect(admitUpgrade("a", pending, { perAddress: 2, total: 100 })).toMatchObject({ ok: false, status: 429 });
    expect(admitUpgrade("b", pending, { perAddress: 2, total: 100 })).toEqual({ ok: true });
  });
});

describe("open TCP connections per client network", () => {
  it("attack: one network may not hold more than its share of gateway.maxConnections", () => {
    expect(admitConnection(MAX_CONNECTIONS_PER_ADDRESS - 1, false)).toBe(true);
    expect(admitConnection(MAX_CONNECTIONS_PER_ADDRESS, false)).toBe(false);
    expect(MAX_CONNECTIONS_PER_ADDRESS).toBeLessThan(2048); // the default gateway.maxConnections
  });

  it("counts by network like admission: an IPv6 /64 is one, loopback address by address", () => {
    expect(admissionKey("2001:db8:1:2::1")).toBe(admissionKey("2001:db8:1:2:ffff::9"));
    expect(admissionKey("2001:db8:1:3::1")).not.toBe(admissionKey("2001:db8:1:2::1"));
    expect(admissionKey("::ffff:192.0.2.7")).toBe(admissionKey("192.0.2.7"));
    expect(admissionKey("127.0.0.2")).not.toBe(admissionKey("127.0.0.1"));
  });

  it("control: a trusted proxy carries everyone's connections and is not capped", () => {
    expect(admitConnection(MAX_CONNECTIONS_PER_ADDRESS * 4, true)).toBe(true);
  });
});
