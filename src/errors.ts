/**
 * An error whose message is written for the member who caused it. The interaction boundary shows
 * it as an ephemeral reply; every other error is logged and answered with a generic message.
 */
export class UserError extends Error {
  override readonly name = "UserError";
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

export const STALE_BUTTON = "This button is no longer valid.";
export const STALE_FORM = "This form is no longer valid. Run the command again.";

/**
 * A button, menu or form the bot did not give this member here: not on the message it came
 * from, on another member's private reply, saved in another server, or with a custom id that
 * does not parse. Discord lets none through unaltered, so it is stale or tampered with: the
 * member sees a short private message, and the log gets `detail` at info level, not an error.
 */
export class StaleInteractionError extends UserError {
  constructor(
    readonly detail: string,
    shown: string = STALE_BUTTON,
  ) {
    super(shown);
  }
}

/** What a member sees when the store does not answer in time or cannot be reached. */
export const STORE_UNAVAILABLE =
  "modeldex cannot reach its database right now, so it could not do that. Please try again in a minute.";

/**
 * The store did not answer within its deadline, or could not be reached (a database that is down,
 * restarting or out of connections). The member gets `STORE_UNAVAILABLE`, privately; the log gets
 * the operation and the cause.
 */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  constructor(
    readonly operation: string,
    readonly reason: string,
  ) {
    super(`the store did not answer ${operation}: ${reason}`);
  }
}
