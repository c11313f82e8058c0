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
