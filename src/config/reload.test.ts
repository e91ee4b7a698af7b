import { describe, expect, it } from "vitest";
import { appliedConfig, appliesLive, changedPaths, reloadPlan } from "./reload.js";
import { configSchema, type ConfigInput } from "./schema.js";

const cfg = (input: ConfigInput = {}) => configSchema.parse(input);

describe("appliesLive", () => {
  it.each([
    "agents.defaults.model.primary",
    "agents.list",
    "models.providers.fake.baseUrl",
    "tools.exec.security",
    "tools.deny",
    "session.dmScope",
    "channels.telegram.allowFrom",
    "channels.telegram.dmPolicy",
    "channels.slack.groups",
    "channels.custom.matrix.owners",
    "gateway.nodes.commands",
    "gateway.controlUi.allowedOrigins",
  ])("%s applies live", (key) => expect(appliesLive(key.split("."))).toBe(true));

  it.each([
    "gateway.port",
    "gateway.bind",
    "gateway.customBindHost",
    "gateway.auth.token",
    "gateway.auth.mode",
    "gateway.tls.enabled",
    "gateway.controlUi.enabled",
    "gateway.maxPayloadBytes",
    "channels.telegram.enabled",
    "channels.telegram.botToken",
    "channels.telegram",
    "channels.custom.matrix.enabled",
    "tools.browser.enabled",
    "plugins.allow",
    "memory.enabled",
    "logging.level",
    "somethingNew.key",
  ])("%s needs a restart", (key) => expect(appliesLive(key.split("."))).toBe(false));
});

describe("reloadPlan", () => {
  it("splits a model change from a port change", () => {
    const a = cfg({ gateway: { port: 18789 }, agents: { defaults: { model: { primary: "a/x" } } } });
    const b = cfg({ gateway: { port: 19000 }, agents: { defaults: { model: { primary: "b/y" } } } });
    expect(reloadPlan(a, b)).toEqual({ live: ["agents.defaults.model.primary"], restart: ["gateway.port"] });
  });

  it("no change, no plan", () => {
    expect(reloadPlan(cfg({ gateway: { port: 1 } }), cfg({ gateway: { port: 1 } }))).toEqual({ live: [], restart: [] });
  });

  it("compares arrays whole", () => {
    expect(changedPaths({ a: [1, 2] }, { a: [1, 3] })).toEqual([["a"]]);
  });
});

describe("appliedConfig", () => {
  it("takes the live keys and keeps the running values of the restart keys", () => {
    const a = cfg({ gateway: { port: 18789 }, agents: { defaults: { model: { primary: "a/x" } } } });
    const b = cfg({ gateway: { port: 19000 }, agents: { defaults: { model: { primary: "b/y" } } } });
    const applied = appliedConfig(a, b, reloadPlan(a, b));
    expect(applied.gateway.port).toBe(18789);
    expect(applied.agents.defaults.model.primary).toBe("b/y");
    // Asking again still reports the port as waiting for a restart.
    expect(reloadPlan(applied, b)).toEqual({ live: [], restart: ["gateway.port"] });
  });

  it("a channel added while running waits for the restart", () => {
    const a = cfg({});
    const b = cfg({ channels: { telegram: { enabled: true, botToken: "123:abc" } } });
    const applied = appliedConfig(a, b, reloadPlan(a, b));
    expect(applied.channels.telegram).toBeUndefined();
  });
});
