import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { ephemeral, type Reply } from "../discord/payload.js";
import {
  isUserError,
  StaleInteractionError,
  STORE_UNAVAILABLE,
  StoreUnavailableError,
} from "../errors.js";

/** What a member sees when a command fails: the id finds the logged error and its stack. */
export function genericFailure(errorId: string): string {
  return `Something went wrong on our side. It has been logged as error \`${errorId}\`; please try again in a moment, and quote that id to a moderator if it keeps happening.`;
}

/**
 * The one place errors become replies: a UserError's message is shown to the member; anything
 * else is logged with its context, its stack and a short id, and answered generically with that
 * id, so no stack trace, query or token ever reaches a user.
 */
export async function answerSafely(
  work: () => Promise<Reply>,
  logger: Logger,
  context: Record<string, unknown>,
): Promise<Reply> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StaleInteractionError) {
      logger.info({ ...context, reason: error.detail }, "refused a stale or tampered interaction");
      return { ...ephemeral(error.message), failure: { kind: "rejected" } };
    }
    if (isUserError(error)) return { ...ephemeral(error.message), failure: { kind: "rejected" } };
    if (error instanceof StoreUnavailableError) {
      // An outage, not a bug: one warning line, and the member knows to try again.
      logger.warn(
        { ...context, operation: error.operation, reason: error.reason },
        "store unavailable",
      );
      return { ...ephemeral(STORE_UNAVAILABLE), failure: { kind: "failed" } };
    }
    const errorId = randomBytes(4).toString("hex");
    logger.error({ err: error, errorId, ...context }, "interaction failed");
    return { ...ephemeral(genericFailure(errorId)), failure: { kind: "failed", errorId } };
  }
}
