import type { BaseInteraction } from "discord.js";
import type { Logger } from "pino";
import {
  observeAutocomplete,
  observeInteraction,
  type AutocompleteOutcome,
  type InteractionKind,
  type InteractionOutcome,
} from "../ops/metrics.js";
import type { Reply } from "./payload.js";

interface Trace {
  readonly logger: Logger;
  readonly started: number;
  firstMs?: number;
  done: boolean;
}

/** One per interaction in flight, dropped with the interaction. */
const traces = new WeakMap<BaseInteraction, Trace>();

/** Starts the clock on an interaction as it arrives. */
export function traceInteraction(interaction: BaseInteraction, logger: Logger): void {
  traces.set(interaction, { logger, started: performance.now(), done: false });
}

/** The first response (a reply, a deferral, a form or an update) reached Discord. */
export function traceResponded(interaction: BaseInteraction): void {
  const trace = traces.get(interaction);
  if (trace && trace.firstMs === undefined) trace.firstMs = performance.now() - trace.started;
}

/**
 * The final answer reached Discord, or could not: one `info` line (autocomplete at `debug`) and
 * the metrics. The reply tells whether the boundary refused the input or caught a failure.
 */
export function traceDone(
  interaction: BaseInteraction,
  result: Reply | InteractionOutcome | AutocompleteOutcome,
): void {
  const trace = traces.get(interaction);
  if (!trace || trace.done) return;
  trace.done = true;
  const totalMs = Math.round(performance.now() - trace.started);
  const where = {
    interaction: interaction.id,
    guild: interaction.guildId,
    user: interaction.user.id,
  };
  if (interaction.isAutocomplete()) {
    const outcome = result as AutocompleteOutcome;
    observeAutocomplete(interaction.commandName, outcome, totalMs);
    trace.logger.debug(
      { kind: "autocomplete", command: interaction.commandName, ...where, totalMs, outcome },
      "interaction",
    );
    return;
  }
  const { kind, command, detail } = describe(interaction);
  const outcome: InteractionOutcome =
    typeof result === "string" ? (result as InteractionOutcome) : (result.failure?.kind ?? "ok");
  const errorId = typeof result === "string" ? undefined : result.failure?.errorId;
  const firstMs = trace.firstMs === undefined ? undefined : Math.round(trace.firstMs);
  observeInteraction(command, kind, outcome, firstMs, totalMs);
  trace.logger.info(
    { kind, command, ...detail, ...where, firstResponseMs: firstMs, totalMs, outcome, errorId },
    "interaction",
  );
}

function describe(interaction: BaseInteraction): {
  kind: InteractionKind;
  command: string;
  detail: Record<string, string | undefined>;
} {
  if (interaction.isChatInputCommand()) {
    const subcommand = interaction.options.getSubcommand(false) ?? undefined;
    return { kind: "command", command: interaction.commandName, detail: { subcommand } };
  }
  if (interaction.isMessageComponent() || interaction.isModalSubmit()) {
    // Custom ids start with the command that owns them.
    const owner = interaction.customId.split(":")[0] || "unknown";
    return {
      kind: interaction.isModalSubmit() ? "modal" : "component",
      command: owner,
      detail: { customId: interaction.customId },
    };
  }
  return { kind: "command", command: "unknown", detail: {} };
}
