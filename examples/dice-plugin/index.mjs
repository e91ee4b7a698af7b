// An example SimpleClaw plugin: one agent tool and one chat command.
// Install it with `simpleclaw plugins install examples/dice-plugin --allow`.
import { randomInt } from "node:crypto";

function roll(count, sides) {
  const rolls = Array.from({ length: count }, () => randomInt(1, sides + 1));
  return { rolls, total: rolls.reduce((a, b) => a + b, 0) };
}

export function register(api) {
  const maxDice = api.config?.maxDice ?? 100;
  const { z } = api;

  api.registerTool({
    name: "roll_dice",
    description: "Roll dice and return each roll and the total.",
    inputSchema: z.object({
      count: z.number().int().min(1).max(maxDice).default(1),
      sides: z.number().int().min(2).max(1000).default(6),
    }),
    execute: async ({ count, sides }) => {
      const r = roll(count, sides);
      return `rolled ${count}d${sides}: ${r.rolls.join(", ")} (total ${r.total})`;
    },
  });

  api.registerCommand({
    name: "roll",
    description: "/roll [NdM] — roll dice without asking the model",
    handler: (args) => {
      const m = /^(\d*)d(\d+)$/i.exec(args.trim() || "1d6");
      if (!m) return "Usage: /roll 2d6";
      const count = Math.min(Number(m[1] || 1), maxDice);
      const sides = Math.max(2, Number(m[2]));
      const r = roll(count, sides);
      return `${count}d${sides}: ${r.rolls.join(", ")} (total ${r.total})`;
    },
  });
}
