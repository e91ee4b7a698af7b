// Model call deadlines (docs/agents.md#deadlines, agents.defaults.timeouts): a fetch
// that gives up when the model sends no response headers within `firstByteMs` or falls
// silent for `idleMs` between body chunks. The overall step deadline is an AbortSignal
// made in run.ts. Each failure is a ModelTimeout, which moves on to a fallback when
// nothing has streamed yet and otherwise ends the run with a timeout error.

export type DeadlineKind = "firstByte" | "idle" | "step";

export interface Deadlines {
  firstByteMs: number;
  idleMs: number;
  stepMs: number;
}

const KEY: Record<DeadlineKind, string> = {
  firstByte: "agents.defaults.timeouts.firstByteSeconds",
  idle: "agents.defaults.timeouts.idleSeconds",
  step: "agents.defaults.timeouts.stepSeconds",
};

export class ModelTimeout extends Error {
  override readonly name = "ModelTimeout";
  constructor(
    readonly kind: DeadlineKind,
    readonly ms: number,
  ) {
    const s = `${ms / 1000} s`;
    super(
      kind === "firstByte"
        ? `no response within ${s} (${KEY[kind]})`
        : kind === "idle"
          ? `the answer stalled for ${s} (${KEY[kind]})`
          : `the step took longer than ${s} (${KEY[kind]})`,
    );
  }
}

/** The ModelTimeout somewhere in an error's cause chain (the AI SDK wraps errors). */
export function findTimeout(err: unknown): ModelTimeout | undefined {
  for (let e = err, i = 0; e && i < 8; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof ModelTimeout) return e;
  }
  return undefined;
}

export function deadlinesFromConfig(t: { firstByteSeconds: number; idleSeconds: number; stepSeconds: number }): Deadlines {
  return { firstByteMs: t.firstByteSeconds * 1000, idleMs: t.idleSeconds * 1000, stepMs: t.stepSeconds * 1000 };
}

/** A fetch for the AI SDK providers that enforces the first-byte and idle deadlines. */
export function deadlineFetch(d: Pick<Deadlines, "firstByteMs" | "idleMs">, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const ctl = new AbortController();
    const signal = init?.signal ? AbortSignal.any([init.signal, ctl.signal]) : ctl.signal;
    const firstByte = setTimeout(() => ctl.abort(new ModelTimeout("firstByte", d.firstByteMs)), d.firstByteMs);
    let res: Response;
    try {
      res = await base(input, { ...init, signal });
    } catch (err) {
      throw ctl.signal.aborted ? ctl.signal.reason : err;
    } finally {
      clearTimeout(firstByte);
    }
    if (!res.body) return res;
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const idle = setTimeout(() => ctl.abort(new ModelTimeout("idle", d.idleMs)), d.idleMs);
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (err) {
          controller.error(ctl.signal.aborted ? ctl.signal.reason : err);
        } finally {
          clearTimeout(idle);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
