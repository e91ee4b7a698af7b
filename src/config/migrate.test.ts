import { describe, expect, it } from "vitest";
import { CONFIG_VERSION, MIGRATIONS, configVersion, leafPaths, migrateConfig, withVersion, type Migration } from "./migrate.js";
import { validateConfig } from "./io.js";

describe("configVersion", () => {
  it("treats a config without version as the oldest (0)", () => {
    expect(configVersion({})).toEqual({ ok: true, version: 0, current: false, older: true });
  });
  it("accepts the current version", () => {
    expect(configVersion({ version: CONFIG_VERSION })).toMatchObject({ ok: true, current: true, older: false });
  });
  it("reports a newer version", () => {
    const v = configVersion({ version: CONFIG_VERSION + 1 });
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.newer).toBe(CONFIG_VERSION + 1);
      expect(v.problem).toMatch(/newer than this simpleclaw understands/);
    }
  });
  it.each([["1"], [1.5], [0], [-1], [null]])("refuses version %j", (bad) => {
    expect(configVersion({ version: bad }).ok).toBe(false);
  });
});

describe("the registry", () => {
  it("forms one chain from 0 to the current version", () => {
    let v = 0;
    while (v < CONFIG_VERSION) {
      const m = MIGRATIONS.find((x) => x.from === v);
      expect(m, `migration from ${v}`).toBeDefined();
      expect(m!.to).toBeGreaterThan(v);
      v = m!.to;
    }
    expect(v).toBe(CONFIG_VERSION);
  });
});

describe("migration 0 → 1", () => {
  const m01 = MIGRATIONS.find((m) => m.from === 0)!;
  const old = { $schema: "./schema.json", gateway: { port: 19000, auth: { token: "t".repeat(40) } }, tools: { exec: { ask: "always" } } };

  it("adds version 1 after $schema and keeps every other key and value", () => {
    const out = m01.up(structuredClone(old));
    expect(Object.keys(out)).toEqual(["$schema", "version", "gateway", "tools"]);
    expect(out).toEqual({ ...old, version: 1 });
  });
  it("does not mutate its input", () => {
    const input = structuredClone(old);
    m01.up(input);
    expect(input).toEqual(old);
  });
  it("produces a config that validates", () => {
    expect(validateConfig(m01.up(structuredClone(old))).ok).toBe(true);
  });
});

describe("migrateConfig", () => {
  it("migrates a version-less config to the current version", () => {
    const r = migrateConfig({ gateway: { port: 1234 } });
    expect(r).toMatchObject({ from: 0, to: CONFIG_VERSION, lost: [], retired: [] });
    expect(r.raw.version).toBe(CONFIG_VERSION);
    expect(r.steps).toHaveLength(CONFIG_VERSION);
  });
  it("is a no-op on a current config", () => {
    const raw = withVersion({ gateway: { port: 1 } }, CONFIG_VERSION);
    const r = migrateConfig(raw);
    expect(r.steps).toEqual([]);
    expect(r.raw).toEqual(raw);
  });
  it("refuses a newer config", () => {
    expect(() => migrateConfig({ version: CONFIG_VERSION + 5 })).toThrow(/newer than this simpleclaw understands/);
  });
  it("passes unknown keys through, so validation reports them instead of losing them", () => {
    const r = migrateConfig({ gateway: { port: 1, bogus: true }, mystery: { a: [1, 2] } });
    expect(r.lost).toEqual([]);
    expect(r.raw).toMatchObject({ gateway: { bogus: true }, mystery: { a: [1, 2] } });
    const v = validateConfig(r.raw);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.problems.join("\n")).toContain("gateway.bogus: unknown key");
      expect(v.problems.join("\n")).toContain("mystery: unknown key");
    }
  });
  it("reports a key a migration drops without declaring it", () => {
    const careless: Migration[] = [
      {
        from: 0,
        to: 1,
        summary: "careless",
        up: (raw) => {
          const { tools: _gone, ...rest } = raw;
          return { ...rest, version: 1 };
        },
      },
    ];
    const r = migrateConfig({ tools: { exec: { ask: "always" }, deny: ["x"] }, gateway: { port: 1 } }, { migrations: careless, target: 1 });
    expect(r.lost.sort()).toEqual(["tools.deny[0]", "tools.exec.ask"]);
  });
  it("reports a declared move with its note, and follows a chain of steps", () => {
    const chain: Migration[] = [
      { from: 0, to: 1, summary: "stamp", up: (raw) => withVersion(raw, 1) },
      {
        from: 1,
        to: 2,
        summary: "rename old.flag to fresh.flag",
        retires: { "old.flag": "moved to fresh.flag" },
        up: (raw) => {
          const { old, ...rest } = raw as { old?: { flag?: unknown } };
          return { ...withVersion(rest, 2), fresh: { flag: old?.flag } };
        },
      },
    ];
    const r = migrateConfig({ old: { flag: true } }, { migrations: chain, target: 2 });
    expect(r).toMatchObject({ from: 0, to: 2, lost: [], retired: [{ path: "old.flag", note: "moved to fresh.flag" }] });
    expect(r.raw).toEqual({ version: 2, fresh: { flag: true } });
    expect(r.steps).toHaveLength(2);
  });
  it("fails when no migration continues the chain", () => {
    expect(() => migrateConfig({ version: CONFIG_VERSION }, { migrations: MIGRATIONS, target: CONFIG_VERSION + 1 })).toThrow(new RegExp(`no migration from config version ${CONFIG_VERSION}`));
  });
});

describe("leafPaths", () => {
  it("lists nested keys, array items and empty containers", () => {
    expect(leafPaths({ a: { b: 1, c: [] }, d: [{ e: "x" }], f: {} }).sort()).toEqual(["a.b", "a.c", "d[0].e", "f"]);
  });
});

describe("version 1 → 2: session.dmScope", () => {
  it('"per-peer" and "per-channel-peer" become "per-sender"; "main" and an unset scope stay as they are', () => {
    for (const old of ["per-peer", "per-channel-peer"]) {
      const r = migrateConfig({ version: 1, session: { dmScope: old } });
      expect(r.raw).toEqual({ version: 2, session: { dmScope: "per-sender" } });
      expect(r.lost).toEqual([]);
    }
    expect(migrateConfig({ version: 1, session: { dmScope: "main" } }).raw).toEqual({ version: 2, session: { dmScope: "main" } });
    expect(migrateConfig({ version: 1, gateway: { port: 1 } }).raw).toEqual({ version: 2, gateway: { port: 1 } });
  });
});
