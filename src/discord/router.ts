import {
  MessageFlags,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  type MessageComponentInteraction,
  type ModalSubmitInteraction,
} from "discord.js";
import type { Logger } from "pino";
import type { AppContext } from "../app/context.js";
import { StaleInteractionError, STALE_FORM } from "../errors.js";
import { answerSafely } from "../interactions/boundary.js";
import { checkComponentOrigin } from "../interactions/origin.js";
import type { Choice, CommandModule } from "../interactions/types.js";
import type { InteractionFollowUps, RepliableInteraction } from "./followups.js";
import { LIMITS } from "./limits.js";
import { ephemeral, type AnswerMeta, type MessagePayload, type Reply } from "./payload.js";
import { watchQueue } from "../ops/metrics.js";
import {
  componentOrigin,
  toAutocompleteCall,
  toCommandCall,
  toComponentCall,
  toModalCall,
} from "./convert.js";
import { traceDone, traceInteraction, traceResponded } from "./trace.js";
import { WorkQueue } from "./work-queue.js";

/** A direct answer not ready this long after the interaction arrived is deferred, well inside 3 s. */
export const DIRECT_ANSWER_BUDGET_MS = 1_000;
/** Autocomplete cannot be deferred: answer something this long after arrival at the latest. */
export const AUTOCOMPLETE_BUDGET_MS = 2_000;
/** How many deferred answers are worked on at once. */
export const WORK_CONCURRENCY = 4;
/** What a member hears when even the queue of deferred work is full. */
export const BUSY_MESSAGE =
  "I'm answering a lot of requests right now. Please try again in a moment.";

/** Where a public answer was posted, to make it bookmarkable. */
export interface PostedAnswer {
  readonly id: string;
  readonly channelId: string;
  readonly guildId: string | null;
}

export interface RouterDeps {
  readonly registry: ReadonlyMap<string, CommandModule>;
  readonly context: () => AppContext;
  readonly logger: Logger;
  /** Sends edits and follow-ups of deferred answers, retrying what fails. */
  readonly followUps: InteractionFollowUps;
  /** How many deferred answers may wait for their turn; past it, members are told to retry. */
  readonly queueLimit: number;
  /** Called with each public answer once it is posted (to make it bookmarkable). */
  readonly onAnswer?: (message: PostedAnswer, answer: AnswerMeta) => Promise<void>;
}

type Answerable =
  ChatInputCommandInteraction | MessageComponentInteraction | ModalSubmitInteraction;

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

/**
 * Lets waiting callers go one per turn of the event loop, in order. Between two of them the loop
 * polls for I/O, so an answer computed in one turn is on its way before the next is computed,
 * and interactions that arrived meanwhile are acknowledged.
 */
function turns(): () => Promise<void> {
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (waiting.length > 0) setImmediate(release);
    next?.();
  };
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === 1) setImmediate(release);
    });
}

const sleep = (ms: number) =>
  new Promise<"late">((resolve) => setTimeout(() => resolve("late"), Math.max(0, ms)).unref());

/**
 * When Discord created the interaction (its id's timestamp), or when it arrived if that is
 * earlier by this clock: deadlines count from here, not from when a busy loop got to it.
 */
function arrivalOf(interaction: Pick<Interaction, "createdTimestamp">): number {
  return Math.min(interaction.createdTimestamp, Date.now());
}

/**
 * Routes every interaction to the command that owns it: by command name, or by the first
 * segment of a component's custom id. Each interaction is answered exactly once.
 *
 * How the first response goes out is decided as the interaction arrives. A command whose work
 * takes real time (`heavy`) queues it; when the queue is busy, the interaction is deferred at
 * once. Anything else, and heavy work that starts at once, is answered directly, and deferred
 * only if its answer is not ready `DIRECT_ANSWER_BUDGET_MS` after the interaction arrived (its
 * id's timestamp), so a busy moment never eats into Discord's 3 s.
 */
export function createRouter({
  registry,
  context,
  logger,
  followUps,
  queueLimit,
  onAnswer,
}: RouterDeps) {
  const inFlight = new Set<Promise<unknown>>();
  // Deferrals still on their way to Discord: until they are sent, queued work runs one at a time.
  let deferring = 0;
  const queue = new WorkQueue(queueLimit, WORK_CONCURRENCY, () => deferring > 0);
  const nextTurn = turns();
  watchQueue("interactions", () => inFlight.size);
  watchQueue("deferred-work", () => queue.depth);

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
    const arrivedAt = arrivalOf(interaction);
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
    await nextTurn();
    try {
      if (module?.autocomplete) {
        const work = module.autocomplete(toAutocompleteCall(interaction), context());
        const left = arrivedAt + AUTOCOMPLETE_BUDGET_MS - Date.now();
        const answer = await Promise.race([work, sleep(left)]);
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
    const work = () =>
      answerSafely(
        async () => {
          if (!module) throw new Error(`no handler for /${interaction.commandName}`);
          return module.execute(toCommandCall(interaction), context());
        },
        logger,
        log,
      );
    await answer(interaction, module, work, log, false);
  }

  async function component(interaction: MessageComponentInteraction): Promise<void> {
    const owner = interaction.customId.split(":")[0] ?? "";
    const module = registry.get(owner);
    const log = { ...contextOf(interaction), customId: interaction.customId };
    const work = () =>
      answerSafely(
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
    await answer(interaction, module, work, log, true);
  }

  async function modal(interaction: ModalSubmitInteraction): Promise<void> {
    const owner = interaction.customId.split(":")[0] ?? "";
    const module = registry.get(owner);
    const log = { ...contextOf(interaction), customId: interaction.customId };
    const work = () =>
      answerSafely(
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
    await answer(interaction, module, work, log, interaction.isFromMessage());
  }

  async function answer(
    interaction: Answerable,
    module: CommandModule | undefined,
    work: () => Promise<Reply>,
    log: Record<string, unknown>,
    isComponent: boolean,
  ): Promise<void> {
    const arrivedAt = arrivalOf(interaction);
    const privately = !isComponent && !!module?.privateReplies;
    let posted: PostedAnswer | undefined;
    let reply: Reply | undefined;
    try {
      // Heavy work waits its turn in the queue; when the queue is busy, the interaction is
      // deferred at once rather than after a wait.
      if (module?.heavy && queue.full) return await busy(interaction, log);
      if (module?.heavy && !queue.idle) {
        // The work waits for its deferral: acknowledging every member comes first.
        reply = await queue.tryRun(work, defer(interaction, isComponent, privately))!;
        posted = await deliverLate(interaction, reply, arrivedAt, isComponent, privately);
      } else {
        // Heavy work starts on a later turn of the queue; anything else waits its turn here, so
        // the deferrals of interactions that arrived with this one go out first.
        const running = module?.heavy ? queue.tryRun(work) : nextTurn().then(work);
        if (!running) return await busy(interaction, log);
        const early = await Promise.race([
          running,
          sleep(arrivedAt + DIRECT_ANSWER_BUDGET_MS - Date.now()),
        ]);
        if (early !== "late") {
          reply = early;
          posted = await deliverAtOnce(interaction, early, isComponent);
        } else {
          await defer(interaction, isComponent, privately);
          reply = await running;
          posted = await deliverLate(interaction, reply, arrivedAt, isComponent, privately);
        }
      }
    } catch (error) {
      logger.error({ err: error, ...log }, "could not deliver a reply");
      traceDone(interaction, "undelivered");
      return;
    }
    if (reply) traceDone(interaction, reply);
    if (posted && reply?.answer && !isEphemeral(reply.payload) && !reply.update && onAnswer) {
      await onAnswer(posted, reply.answer).catch((error: unknown) =>
        logger.warn({ err: error, ...log }, "could not make the answer bookmarkable"),
      );
    }
  }

  async function busy(interaction: Answerable, log: Record<string, unknown>) {
    logger.warn(log, "too busy: the queue of deferred work is full");
    await interaction.reply(replyOptions(ephemeral(BUSY_MESSAGE).payload));
    traceResponded(interaction);
    traceDone(interaction, "busy");
  }

  async function defer(interaction: Answerable, isComponent: boolean, privately: boolean) {
    deferring++;
    try {
      if (isComponent) await (interaction as MessageComponentInteraction).deferUpdate();
      else await interaction.deferReply(privately ? { flags: MessageFlags.Ephemeral } : {});
      traceResponded(interaction);
    } finally {
      if (--deferring === 0) queue.schedule();
    }
  }

  /** The first response is the answer itself. */
  async function deliverAtOnce(
    interaction: Answerable,
    reply: Reply,
    isComponent: boolean,
  ): Promise<PostedAnswer | undefined> {
    if (reply.modal && !interaction.isModalSubmit()) {
      await interaction.showModal(reply.modal);
      traceResponded(interaction);
      return undefined;
    }
    if (reply.update && isComponent) {
      await (interaction as MessageComponentInteraction).update(editOptions(reply.payload));
      traceResponded(interaction);
      return undefined;
    }
    const sent = await interaction.reply({
      ...replyOptions(reply.payload),
      withResponse: wantsMessage(reply),
    } as InteractionReplyOptions & { withResponse: true });
    traceResponded(interaction);
    const message = sent?.resource?.message;
    return message
      ? { id: message.id, channelId: message.channelId, guildId: interaction.guildId }
      : undefined;
  }

  /** After a deferral: edit the response, or follow it up. */
  async function deliverLate(
    interaction: RepliableInteraction,
    answer: Reply,
    arrivedAt: number,
    isComponent: boolean,
    privately: boolean,
  ): Promise<PostedAnswer> {
    // A form can only be the first answer; past the deferral, say so instead.
    const late: Reply = answer.modal
      ? { payload: { ...answer.payload, flags: MessageFlags.Ephemeral } }
      : answer;
    let message;
    if (isComponent && !late.update) {
      message = await followUps.followUp(interaction, late.payload, arrivedAt);
    } else if (isEphemeral(late.payload) && !privately && !isComponent) {
      // A public deferral cannot turn private, and the first follow-up would fill it: remove the
      // "thinking…" message first, then answer privately.
      await followUps.delete(interaction, arrivedAt).catch(() => undefined);
      message = await followUps.followUp(interaction, late.payload, arrivedAt);
    } else {
      message = await followUps.edit(interaction, late.payload, arrivedAt);
    }
    return { id: message.id, channelId: message.channel_id, guildId: interaction.guildId };
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
