import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PluginHost } from "./host.js";

const quiet = { info() {}, warn() {}, error() {} };
const tool = (name: string) => ({ name, description: "d", inputSchema: z.object({}), execute: async () => "ok" });

describe("plugin registration", () => {
  it("nothing is visible until commit; registering after commit is refused", () => {
    const host = new PluginHost(new Set(["read"]));
    const { api, commit } = host.stage("p", undefined, quiet);
    api.registerTool(tool("roll"));
    expect(host.tools).toHaveLength(0);
    expect(commit()?.tools).toEqual(["roll"]);
    expect(host.tools.map((t) => t.group)).toEqual(["plugins"]);
    expect(() => api.registerTool(tool("later"))).toThrow(/after register\(\) finished/);
    expect(() => api.on("gateway:start", () => {})).toThrow(/after register\(\) finished/);
    expect(host.tools.map((t) => t.name)).toEqual(["roll"]);
  });

  it("built-in tool names, reserved commands and channel ids cannot be taken", () => {
    const host = new PluginHost(new Set(["read"]));
    const { api } = host.stage("p", undefined, quiet);
    expect(() => api.registerTool(tool("read"))).toThrow(/already taken/);
    expect(() => api.registerCommand({ name: "approve", description: "", handler: () => "" })).toThrow(/already taken/);
    expect(() => api.registerChannel({ id: "telegram", create: () => ({}) as never })).toThrow(/reserved/);
    expect(() => api.registerTool({ ...tool("x"), inputSchema: {} as never })).toThrow(/zod inputSchema/);
  });

  it("a throwing before_tool_call hook blocks the call (fail closed)", async () => {
    const host = new PluginHost();
    const { api, commit } = host.stage("guard", undefined, quiet);
    api.on("before_tool_call", () => {
      throw new Error("oops");
    });
    commit();
    expect(await host.beforeToolCall({ toolName: "exec", input: {}, sessionKey: "agent:main:main", agentId: "main" })).toMatch(/hook failed/);
  });
});
