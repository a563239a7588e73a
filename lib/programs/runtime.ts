/**
 * `programs`: what every program endpoint of this process shares — the
 * server-wide settings the command line gives them (`--max-forks`,
 * `--passenv`, `--closems`, the message limits, the logger), the fork
 * count behind `--max-forks`, and the live processes, so that shutdown can
 * end every one of them. One per isolate, like the topic registry.
 *
 * @module
 */
import { unrefTimeout } from "../core/flow_control.ts";
import { Logger } from "../log.ts";
import { DEFAULTS } from "../options.ts";
import type { ProgramStats } from "./stats.ts";

/** The settings `main.ts` hands every program endpoint. */
export interface ProgramSettings {
  /** Where start, exit and stderr lines go. */
  log: Logger;
  /** Processes at once over every program endpoint; 0 = no cap. */
  maxForks: number;
  /** Longest output line (text) or chunk (binary) sent as one message. */
  maxMessageSize: number;
  /** Client bytes queued for a program's stdin before closing 1013. */
  sendBufferLimit: number;
  /** Variables of the server's environment that programs get. */
  passEnv: readonly string[];
  /** Added to each wait before a signal (websocketd's `--closems`). */
  closeMs: number;
}

/** A live process as shutdown sees it. */
export interface LiveProgram {
  /** SIGKILL to the process (and its group, where allowed), now. */
  killNow(): void;
}

/**
 * An admitted upgrade's place under the fork limits: reserved at
 * `accept()`, claimed when the process starts, released when it ends. An
 * upgrade that never opens (the client left before the 101) gives its place
 * back after `RESERVE_MS`.
 */
export interface ForkTicket {
  claim(): void;
  release(): void;
}

/** How long an admitted upgrade may take to open before its place lapses. */
const RESERVE_MS = 10_000;

/** Polling step while waiting for programs to end at shutdown. */
const POLL_MS = 20;

/** After the final SIGKILL, how long shutdown waits for the exits. */
const REAP_MS = 500;

/**
 * The shared state of program endpoints.
 *
 * @example
 * ```ts
 * import { programs } from "./runtime.ts";
 * import { ProgramStats } from "./stats.ts";
 * import assert from "node:assert/strict";
 * programs.configure({ maxForks: 1 });
 * const stats = new ProgramStats();
 * const first = programs.reserve(stats, 0);
 * assert.equal(typeof programs.reserve(stats, 0), "string"); // over the cap
 * (first as { release(): void }).release();
 * programs.configure({ maxForks: 0 });
 * ```
 */
export class ProgramRuntime {
  /** The settings in force; `configure()` changes them. */
  readonly settings: ProgramSettings = {
    log: new Logger("info"),
    maxForks: DEFAULTS.maxForks,
    maxMessageSize: DEFAULTS.maxMessageSize,
    sendBufferLimit: DEFAULTS.sendBufferLimit,
    passEnv: DEFAULTS.passEnv,
    closeMs: DEFAULTS.closeMs,
  };
  #held = 0;
  #live = new Set<LiveProgram>();
  #groupKill: boolean | null = null;
  #unloadHooked = false;

  /** Changes some settings (the rest stay). */
  configure(settings: Partial<ProgramSettings>): void {
    Object.assign(this.settings, settings);
  }

  /**
   * Whether signals may go to a program's whole process group: Deno's
   * `Deno.kill(-pgid)` needs `--allow-run` without a list (a list allows
   * spawning those programs and `child.kill()`, not `Deno.kill`).
   */
  get groupKill(): boolean {
    this.#groupKill ??=
      Deno.permissions.querySync({ name: "run" }).state === "granted";
    return this.#groupKill;
  }

  /** Places held under `--max-forks` (running or about to start). */
  get held(): number {
    return this.#held;
  }

  /** Processes alive now, over every program endpoint. */
  get live(): number {
    return this.#live.size;
  }

  /**
   * A place for one more process of an endpoint (`endpointMax`: its own
   * cap, 0 for none), or the reason for a 503.
   */
  reserve(stats: ProgramStats, endpointMax: number): ForkTicket | string {
    const { maxForks } = this.settings;
    if (maxForks > 0 && this.#held >= maxForks) {
      stats.refused++;
      return `${maxForks} programs are running, the server's limit (--max-forks); retry later`;
    }
    if (endpointMax > 0 && stats.running + stats.reserved >= endpointMax) {
      stats.refused++;
      return `${endpointMax} programs of this endpoint are running, its limit (maxForks); retry later`;
    }
    return new Ticket(this, stats);
  }

  /** For `Ticket`: one place more (+1) or less (-1). */
  hold(delta: 1 | -1): void {
    this.#held += delta;
  }

  /** A process started: shutdown must end it. */
  track(program: LiveProgram): void {
    this.#live.add(program);
    if (!this.#unloadHooked) {
      this.#unloadHooked = true;
      // Programs run in their own process group, so they outlive the
      // server unless killed: Deno.exit() (the shutdown deadline, a second
      // Ctrl+C) dispatches `unload` first.
      globalThis.addEventListener("unload", () => this.killAll());
    }
  }

  /** A process ended. */
  untrack(program: LiveProgram): void {
    this.#live.delete(program);
  }

  /** SIGKILL to every live program, now (synchronous: safe before exit). */
  killAll(): void {
    for (const program of this.#live) program.killNow();
  }

  /**
   * Waits up to `ms` for every program to end (their connections are
   * closing, so each is being stopped), then kills what is left and waits
   * briefly for the exits to be reaped.
   */
  async endAll(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#live.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (this.#live.size === 0) return;
    this.killAll();
    const reaped = Date.now() + REAP_MS;
    while (this.#live.size > 0 && Date.now() < reaped) {
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

class Ticket implements ForkTicket {
  #runtime: ProgramRuntime;
  #stats: ProgramStats;
  #state: "reserved" | "claimed" | "free" = "reserved";
  #lapse: ReturnType<typeof setTimeout>;

  constructor(runtime: ProgramRuntime, stats: ProgramStats) {
    this.#runtime = runtime;
    this.#stats = stats;
    runtime.hold(1);
    stats.reserved++;
    this.#lapse = unrefTimeout(() => this.release(), RESERVE_MS);
  }

  claim(): void {
    if (this.#state !== "reserved") return;
    this.#state = "claimed";
    this.#stats.reserved--;
    clearTimeout(this.#lapse);
  }

  release(): void {
    if (this.#state === "free") return;
    if (this.#state === "reserved") this.#stats.reserved--;
    this.#state = "free";
    clearTimeout(this.#lapse);
    this.#runtime.hold(-1);
  }
}

/**
 * The one runtime of this isolate.
 *
 * @example
 * ```ts ignore
 * programs.configure({ log, maxForks: options.maxForks });
 * ```
 */
export const programs: ProgramRuntime = new ProgramRuntime();
