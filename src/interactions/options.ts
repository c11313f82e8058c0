import { UserError } from "../errors.js";
import type { CommandCall } from "./types.js";

export function stringOption(call: CommandCall, name: string): string | undefined {
  const value = call.options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new UserError(`The \`${name}\` option must be text.`);
  return value;
}

export function requiredString(call: CommandCall, name: string): string {
  const value = stringOption(call, name)?.trim();
  if (!value) throw new UserError(`Give a \`${name}\`.`);
  return value;
}
