import { describe, expect, it } from "vitest";
import { sandboxRequired } from "./sandbox-scope.js";

describe("sandboxRequired", () => {
  it("follows the mode", () => {
    expect(sandboxRequired("off", "agent:main:telegram:group:1")).toBe(false);
    expect(sandboxRequired("all", "agent:main:main")).toBe(true);
    expect(sandboxRequired("non-main", "agent:main:main")).toBe(false);
    expect(sandboxRequired("non-main", "agent:main:direct:42")).toBe(true);
  });
  it("treats a malformed or look-alike key as non-main (fails closed)", () => {
    expect(sandboxRequired("non-main", "agent:main:main:")).toBe(true);
    expect(sandboxRequired("non-main", "agent:main:main:x")).toBe(true);
    expect(sandboxRequired("non-main", "garbage")).toBe(true);
  });
});
