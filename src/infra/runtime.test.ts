import { describe, expect, it } from "vitest";
import { MIN_NODE_VERSION, isSupportedNode, nodeVersionProblem } from "./runtime.js";

describe("isSupportedNode", () => {
  it("has the documented floor 22.12.0", () => {
    expect(MIN_NODE_VERSION).toBe("22.12.0");
  });

  it.each([
    ["v18.20.4", false],
    ["v20.18.1", false],
    ["v20.99.99", false],
    ["v22.0.0", false],
    ["v22.11.0", false],
    ["v22.11.99", false],
    ["v22.12.0", true],
    ["22.12.0", true],
    ["v22.12.1", true],
    ["v22.23.3", true],
    ["v23.0.0", true],
    ["v24.1.0", true],
    ["v100.0.0", true],
  ])("%s -> %s", (version, ok) => {
    expect(isSupportedNode(version)).toBe(ok);
  });

  it("compares numerically, not as strings", () => {
    expect(isSupportedNode("v22.9.0")).toBe(false); // "9" > "1" as a string
    expect(isSupportedNode("v22.100.0")).toBe(true);
    expect(isSupportedNode("v9.99.99", "22.12.0")).toBe(false);
  });

  it("accepts pre-release suffixes of a new enough version", () => {
    expect(isSupportedNode("v22.12.0-nightly2024")).toBe(true);
    expect(isSupportedNode("v22.11.0-rc.1")).toBe(false);
  });

  it("refuses unparseable versions", () => {
    for (const v of ["", "v22", "v22.12", "latest", "vX.Y.Z", "22.x.0"]) expect(isSupportedNode(v)).toBe(false);
  });

  it("honours a custom minimum", () => {
    expect(isSupportedNode("v20.0.0", "20.0.0")).toBe(true);
    expect(isSupportedNode("v19.9.9", "20.0.0")).toBe(false);
  });
});

describe("nodeVersionProblem", () => {
  it("is null on supported versions", () => {
    for (const v of ["v22.12.0", "v22.23.3", "v23.3.0", "v24.0.0"]) expect(nodeVersionProblem(v)).toBeNull();
  });

  it("is null for the Node running the tests (the project pins Node 22)", () => {
    expect(nodeVersionProblem()).toBeNull();
  });

  it.each(["v20.18.1", "v22.11.0"])("explains %s in one sentence naming both versions", (v) => {
    const msg = nodeVersionProblem(v);
    expect(msg).not.toBeNull();
    expect(msg).toContain("22.12.0");
    expect(msg).toContain(v);
    expect(msg!.split("\n")).toHaveLength(1);
    expect(msg!.trim().endsWith(".")).toBe(true);
  });
});
