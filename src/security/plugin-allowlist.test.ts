import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { integrityDecision, loadDecision, phantomAllowEntries } from "./plugin-allowlist.js";

const plugins = (p: unknown) => configSchema.parse({ plugins: p }).plugins;

describe("plugin load decision", () => {
  it("with plugins.allow set, only listed ids load; everything else is blocked", () => {
    const p = plugins({ allow: ["dice"] });
    expect(loadDecision("dice", p)).toEqual({ load: true });
    expect(loadDecision("evil", p)).toMatchObject({ load: false, status: "blocked" });
    // Near-misses are not matches.
    expect(loadDecision("Dice", p)).toMatchObject({ load: false });
    expect(loadDecision("dice2", p)).toMatchObject({ load: false });
  });

  it("an empty allow list loads nothing", () => {
    expect(loadDecision("dice", plugins({ allow: [] }))).toMatchObject({ load: false, status: "blocked" });
  });

  it("without plugins.allow a plugin loads, with a warning", () => {
    const d = loadDecision("dice", plugins({}));
    expect(d.load).toBe(true);
    expect(d.load && d.warning).toMatch(/plugins\.allow/);
  });

  it("enabled: false wins over allow", () => {
    expect(loadDecision("dice", plugins({ allow: ["dice"], entries: { dice: { enabled: false } } }))).toMatchObject({ load: false, status: "disabled" });
  });

  it("phantom allow entries are reported", () => {
    expect(phantomAllowEntries(plugins({ allow: ["dice", "gone"] }), ["dice"])).toEqual(["gone"]);
  });
});

describe("plugin integrity decision", () => {
  const ok = { recorded: "sha512-AAA", recordedVersion: 2, currentVersion: 2, actual: "sha512-AAA" };
  it("loads only when the current hash equals the recorded one", () => {
    expect(integrityDecision(ok)).toEqual({ ok: true });
    expect(integrityDecision({ ...ok, actual: "sha512-AAB" })).toMatchObject({ ok: false, reason: expect.stringMatching(/integrity mismatch/) });
  });
  it("fails closed: unreadable folder, missing hash, a record made by the old hash", () => {
    expect(integrityDecision({ ...ok, actual: undefined })).toMatchObject({ ok: false });
    expect(integrityDecision({ ...ok, recorded: undefined })).toMatchObject({ ok: false });
    expect(integrityDecision({ ...ok, recorded: "" , actual: "" })).toMatchObject({ ok: false });
    expect(integrityDecision({ ...ok, recordedVersion: undefined })).toMatchObject({ ok: false, reason: expect.stringMatching(/older SimpleClaw/) });
  });
});
