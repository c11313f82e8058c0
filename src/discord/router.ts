import {
  MessageFlags,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  type Message,
  type MessageComponentInteraction,
  type ModalSubmitInteraction,
} from "discord.js";
import type { Logger } from "pino";
import type { AppContext } from "../app/context.js";
import { answerSafely } from "../interactions/boundary.js";
import type { Choice, CommandModule } from "../interactions/types.js";
import { LIMITS } from "./limits.js";
import type { AnswerMeta, MessagePayload, Reply } from "./payload.js";
import { StaleInteractionError, STALE_FORM } from "../errors.js";
import { checkComponentOrigin } from "../interactions/origin.js";
import {
  componentOrigin,
  toAutocompleteCall,
  toCommandCall,
  toComponentCall,
  toModalCall,
} from "./convert.js";
import { watchQueue } from "../ops/metrics.js";
import { traceDone, traceInteraction, traceResponded } from "./trace.js";

/** Work still running after this long is deferred, well inside Discord's 3 s. */
export const DEFER_AFTER_MS = 1_500;
/** Autocomplete cannot be deferred: answer something before Discord gives up. */
export const AUTOCOMPLETE_BUDGET_MS = 2_000;

export interface RouterDeps {
  readonly registry: ReadonlyMap<string, CommandModule>;
  readonly context: () => AppContext;
  readonly logger: Logger;
  /** Called with each public answer once it is posted (to make it bookmarkable). */
  readonly onAnswer?: (message: Message, answer: AnswerMeta) => Promise<void>;
}

const isEphemeral = (p: MessagePayload) => ((p.flags ?? 0) & MessageFlags.Ephemeral) !== 0;

const filesOf = (p: MessagePayload) =>
  (p.files ?? []).map((f) => ({ attachment: Buffer.from(f.data, "utf8"), name: f.name }));

function replyOptions(p: MessagePayload): InteractionReplyOptions {
  return {
    content: p.content,
    embeds: p.embeds ?? [],
    components: p.components as InteractionReplyOptions["components"],
    allowedMentions: { parse: [] },
    flags: isEphemeral(p) ? MessageFlags.Ephemeral : undefined,
    files: filesOf(p),
  };
}

function editOptions(p: MessagePayload): InteractionEditReplyOptions {
  return {
    content: p.content ?? null,
    embeds: p.embeds ?? [],
    components: (p.components ?? []) as InteractionEditReplyOptions["components"],
    allowedMentions: { parse: [] },
    files: filesOf(p),
  };
}

const sleep = (ms: number) =>
  new Promise<"late">((resolve) => setTimeout(() => resolve("late"), ms).unref());

/**
 * Routes every interaction to the command that owns it: by command name, or by the first
 * segment of a component's custom id. Each interaction is answered exactly once.
 */
export function createRouter({ registry, context, logger, onAnswer }: RouterDeps) {
  const inFlight = new Set<Promise<unknown>>();
  watchQueue("interactions", () => inFlight.size);

  async function route(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return autocomplete(interaction);
    if (interaction.isChatInputCommand()) return command(interaction);
    if (interaction.isMessageComponent()) return component(interaction);
    if (interaction.isModalSubmit()) return modal(interaction);
  }

  function contextOf(interaction: Pick<Interaction, "id" | "guildId" | "channelId" | "user">) {
    return {
      interaction: interaction.id,
      guild: interaction.guildId,
      channel: interaction.channelId,
      user: interaction.user.id,
    };
  }

  async function autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const module = registry.get(interaction.commandName);
    const log = { ...contextOf(interaction), command: interaction.commandName };
    const fallback = () => {
      try {
        return module?.autocompleteFallback?.(context()) ?? [];
      } catch {
        return [];
      }
    };
    let choices: Choice[] = [];
    let outcome: "ok" | "fallback" | "failed" = "ok";
    try {
      if (module?.autocomplete) {
        const work = module.autocomplete(toAutocompleteCall(interaction), context());
        const answer = await Promise.race([work, sleep(AUTOCOMPLETE_BUDGET_MS)]);
        if (answer === "late") {
          logger.warn(log, "autocomplete ran out of time; offering the fallback list");
          outcome = "fallback";
          choices = fallback();
        } else {
          choices = answer;
        }
      }
    } catch (error) {
      logger.error({ err: error, ...log }, "autocomplete failed; offering the fallback list");
      outcome = "failed";
      choices = fallback();
    }
    const safe = choices
      .filter((c) => c.name.length >= 1 && c.value.length <= LIMITS.choiceValue)
      .slice(0, LIMITS.autocompleteChoices)
      .map((c) => ({ ...c, name: c.name.slice(0, LIMITS.choiceName) }));
    await interaction.respond(safe).catch((error: unknown) => {
      logger.warn({ err: error, ...contextOf(interaction) }, "could not answer autocomplete");
    });
    traceDone(interaction, outcome);
  }

  async function command(interaction: ChatInputCommandInteraction): Promise<void> {
    const module = registry.get(interaction.commandName);
    const log = { ...contextOf(interaction), command: interaction.commandName };
    const work = answerSafely(
      async () => {
        if (!module) throw new Error(`no handler for /${interaction.commandName}`);
        return module.execute(toCommandCall(interaction), context());
      },
      logger,
      log,
    );
    await deliver(interaction, work, log, false, module?.privateReplies);
  }

  async function component(interaction: MessageComponentInteraction): Promise<void> {
    const owner = interaction.customId.split(":")[0] ?? "";
    const module = registry.get(owner);
    const log = { ...contextOf(interaction), customId: interaction.customId };
    const work = answerSafely(
      async () => {
        // Before any handler: a button acts only where the bot put it, for whom it put it.
        checkComponentOrigin(
          interaction.customId,
          interaction.user.id,
          componentOrigin(interaction),
        );
        if (!module?.component)
          throw new StaleInteractionError(`no command handles "${interaction.customId}"`);
        return module.component(toComponentCall(interaction), context());
      },
      logger,
      log,
    );
    await deliver(interaction, work, log, true);
  }

  async function modal(interaction: ModalSubmitInteraction): Promise<void> {
    const owner = interaction.customId.split(":")[0] ?? "";
    const module = registry.get(owner);
    const log = { ...contextOf(interaction), customId: interaction.customId };
    const work = answerSafely(
      async () => {
        if (!module?.modal)
          throw new StaleInteractionError(
            `no command handles "${interaction.customId}"`,
            STALE_FORM,
          );
        return module.modal(toModalCall(interaction), context());
      },
      logger,
      log,
    );
    await deliver(interaction, work, log, interaction.isFromMessage());
  }

  /** Replies at once when the work is quick; otherwise defers, then edits or follows up. */
  async function deliver(
    interaction: ChatInputCommandInteraction | MessageComponentInteraction | ModalSubmitInteraction,
    work: Promise<Reply>,
    log: Record<string, unknown>,
    isComponent: boolean,
    privateReplies = false,
  ): Promise<void> {
    let posted: Message | null | undefined;
    let answer: Reply | undefined;
    try {
      const early = await Promise.race([work, sleep(DEFER_AFTER_MS)]);
      if (early !== "late") {
        answer = early;
        if (early.modal && !interaction.isModalSubmit()) {
          await interaction.showModal(early.modal);
        } else if (early.update && isComponent) {
          await (interaction as MessageComponentInteraction).update(editOptions(early.payload));
        } else {
          const sent = await interaction.reply({
            ...replyOptions(early.payload),
            withResponse: wantsMessage(early),
          } as InteractionReplyOptions & { withResponse: true });
          posted = sent?.resource?.message;
        }
        traceResponded(interaction);
      } else {
        const privately = !isComponent && privateReplies;
        if (isComponent) await (interaction as MessageComponentInteraction).deferUpdate();
        else await interaction.deferReply(privately ? { flags: MessageFlags.Ephemeral } : {});
        traceResponded(interaction);
        // A form can only be the first answer; past the deferral, say so instead.
        const late = await work.then((r) =>
          r.modal ? { payload: { ...r.payload, flags: MessageFlags.Ephemeral } } : r,
        );
        answer = late;
        if (isComponent && !late.update) {
          posted = await interaction.followUp(replyOptions(late.payload));
        } else if (isEphemeral(late.payload) && !privately && !isComponent) {
          // A public deferral cannot turn private, and the first follow-up would fill it: remove
          // the "thinking…" message first, then answer privately.
          await interaction.deleteReply().catch(() => undefined);
          posted = await interaction.followUp(replyOptions(late.payload));
        } else {
          posted = await interaction.editReply(editOptions(late.payload));
        }
      }
    } catch (error) {
      logger.error({ err: error, ...log }, "could not deliver a reply");
      traceDone(interaction, "undelivered");
      return;
    }
    if (answer) traceDone(interaction, answer);
    if (posted && answer?.answer && !isEphemeral(answer.payload) && !answer.update && onAnswer) {
      await onAnswer(posted, answer.answer).catch((error: unknown) =>
        logger.warn({ err: error, ...log }, "could not make the answer bookmarkable"),
      );
    }
  }

  /** Only public answers need their message back. */
  function wantsMessage(reply: Reply): boolean {
    return !!reply.answer && !isEphemeral(reply.payload) && !!onAnswer;
  }

  return {
    handle(interaction: Interaction): void {
      traceInteraction(interaction, logger);
      const task = route(interaction).catch((error: unknown) => {
        logger.error({ err: error, ...contextOf(interaction) }, "interaction routing failed");
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    },
    /** Resolves once every interaction already received has been answered. */
    async drain(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },
  };
}
