// Reading what is typed in the message box as Discord's client does: "/" starts a command, then
// options as `name:value` (the first required one needs no name). Values are typed from the
// command definitions the bot registered, so the bot receives what Discord would send.

/** Option types, as Discord numbers them (the page imports no runtime code from libraries). */
export const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

export interface ChoiceDef {
  readonly name: string;
  readonly value: string | number;
}

export interface OptionDef {
  readonly name: string;
  readonly description: string;
  readonly type: number;
  readonly required?: boolean;
  readonly autocomplete?: boolean;
  readonly choices?: readonly ChoiceDef[];
  readonly min_length?: number;
  readonly max_length?: number;
  readonly min_value?: number;
  readonly max_value?: number;
  readonly options?: readonly OptionDef[];
}

export interface CommandDef {
  readonly name: string;
  readonly description: string;
  readonly options?: readonly OptionDef[];
}

/** A command as members pick it: "model", or "entry add" for a subcommand. */
export interface Leaf {
  readonly path: string;
  readonly description: string;
  readonly options: readonly OptionDef[];
}

export interface Named {
  readonly id: string;
  readonly name: string;
}

/** What option values can name: the server's channels and roles, and its people. */
export interface LineContext {
  readonly channels: readonly Named[];
  readonly roles: readonly Named[];
  readonly people: readonly Named[];
}

export function leaves(commands: readonly CommandDef[]): Leaf[] {
  const out: Leaf[] = [];
  const isSub = (o: OptionDef): boolean =>
    o.type === OptionType.Subcommand || o.type === OptionType.SubcommandGroup;
  const walk = (path: string, description: string, options: readonly OptionDef[]): void => {
    const subs = options.filter(isSub);
    if (subs.length === 0) {
      out.push({ path, description, options });
      return;
    }
    for (const sub of subs) walk(`${path} ${sub.name}`, sub.description, sub.options ?? []);
  };
  for (const command of commands) walk(command.name, command.description, command.options ?? []);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export interface Segment {
  readonly option: OptionDef;
  /** The value as typed (untrimmed). */
  readonly raw: string;
  /** Where the value starts in the line. */
  readonly start: number;
  /** Typed as `name:value`, rather than as the first required option's bare value. */
  readonly explicit: boolean;
}

export type ParsedLine =
  | { readonly kind: "text" }
  /** Still choosing a command: `query` is what follows "/". */
  | { readonly kind: "command"; readonly query: string }
  | {
      readonly kind: "options";
      readonly leaf: Leaf;
      readonly segments: readonly Segment[];
      /** The option being typed: the last one on the line. */
      readonly active: Segment | undefined;
      /** Text that fits no option. */
      readonly stray: string;
    };

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");

export function parseLine(text: string, all: readonly Leaf[]): ParsedLine {
  if (!text.startsWith("/")) return { kind: "text" };
  const lower = text.toLowerCase();
  // A whole command name counts once a space follows it, or when nothing else is typed.
  const leaf = all
    .filter((l) => lower.startsWith(`/${l.path} `) || lower === `/${l.path}`)
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!leaf) return { kind: "command", query: text.slice(1) };

  const bodyStart = Math.min(leaf.path.length + 2, text.length);
  const body = text.slice(bodyStart);
  const names = leaf.options.map((o) => o.name).sort((a, b) => b.length - a.length);
  const markers: { option: OptionDef; at: number; valueAt: number }[] = [];
  if (names.length > 0) {
    const pattern = new RegExp(`(^|\\s)(${names.map(escapeRegExp).join("|")}):`, "g");
    for (let m = pattern.exec(body); m; m = pattern.exec(body)) {
      const at = m.index + m[1]!.length;
      markers.push({
        option: leaf.options.find((o) => o.name === m![2])!,
        at,
        valueAt: at + m[2]!.length + 1,
      });
    }
  }
  const segments: Segment[] = [];
  const bare = body.slice(0, markers[0]?.at ?? body.length);
  let stray = "";
  if (bare.trim() !== "") {
    const named = new Set(markers.map((m) => m.option.name));
    const target =
      leaf.options.find((o) => o.required && !named.has(o.name)) ??
      leaf.options.find((o) => !named.has(o.name));
    if (target) segments.push({ option: target, raw: bare, start: bodyStart, explicit: false });
    else stray = bare.trim();
  }
  markers.forEach((marker, i) => {
    const end = markers[i + 1]?.at ?? body.length;
    segments.push({
      option: marker.option,
      raw: body.slice(marker.valueAt, end),
      start: bodyStart + marker.valueAt,
      explicit: true,
    });
  });
  return { kind: "options", leaf, segments, active: segments.at(-1), stray };
}

export type OptionValue = string | number | boolean;
export type Converted =
  | { readonly ok: true; readonly value: OptionValue }
  | { readonly ok: false; readonly error: string };

const fail = (error: string): Converted => ({ ok: false, error });

function byName(list: readonly Named[], raw: string, sigil: string): Named | undefined {
  const wanted = raw.replace(new RegExp(`^\\${sigil}`), "").toLowerCase();
  return list.find((n) => n.id === raw || n.name.toLowerCase() === wanted);
}

/**
 * Suggestions Discord's client offers without asking the bot: fixed choices, true/false, and the
 * server's channels, roles and people. Undefined when the option is free text or autocompleted.
 */
export function localChoices(
  option: OptionDef,
  raw: string,
  context: LineContext,
): ChoiceDef[] | undefined {
  const typed = raw.trim().toLowerCase();
  const keep = (choices: readonly ChoiceDef[]): ChoiceDef[] =>
    choices.filter((c) => c.name.toLowerCase().includes(typed.replace(/^[#@]/, ""))).slice(0, 25);
  if (option.choices && option.choices.length > 0) return keep(option.choices);
  const named = (list: readonly Named[], sigil: string): ChoiceDef[] =>
    keep(list.map((n) => ({ name: `${sigil}${n.name}`, value: n.id })));
  switch (option.type) {
    case OptionType.Boolean:
      return keep([
        { name: "True", value: "true" },
        { name: "False", value: "false" },
      ]);
    case OptionType.Channel:
      return named(context.channels, "#");
    case OptionType.Role:
      return named(context.roles, "@");
    case OptionType.User:
      return named(context.people, "@");
    case OptionType.Mentionable:
      return [...named(context.roles, "@"), ...named(context.people, "@")].slice(0, 25);
    default:
      return undefined;
  }
}

/** A typed value as the option's type, or what is wrong with it. */
export function convert(option: OptionDef, raw: string, context: LineContext): Converted {
  const text = raw.trim();
  const name = option.name;
  if (option.choices && option.choices.length > 0) {
    const lower = text.toLowerCase();
    const exact = option.choices.find(
      (c) => c.name.toLowerCase() === lower || String(c.value).toLowerCase() === lower,
    );
    const starts = option.choices.filter((c) => c.name.toLowerCase().startsWith(lower));
    const choice = exact ?? (lower && starts.length === 1 ? starts[0] : undefined);
    if (!choice)
      return fail(`${name} must be one of: ${option.choices.map((c) => c.name).join(", ")}.`);
    return { ok: true, value: choice.value };
  }
  switch (option.type) {
    case OptionType.String:
      if (text.length < (option.min_length ?? 1))
        return fail(`${name} needs at least ${option.min_length ?? 1} character(s).`);
      if (text.length > (option.max_length ?? 6000))
        return fail(`${name} takes at most ${option.max_length ?? 6000} characters.`);
      return { ok: true, value: text };
    case OptionType.Integer:
    case OptionType.Number: {
      const integer = option.type === OptionType.Integer;
      const value = Number(text);
      if (text === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
        return fail(`${name} must be ${integer ? "a whole number" : "a number"}.`);
      if (value < (option.min_value ?? -Infinity) || value > (option.max_value ?? Infinity))
        return fail(
          `${name} must be between ${option.min_value ?? "-∞"} and ${option.max_value ?? "∞"}.`,
        );
      return { ok: true, value };
    }
    case OptionType.Boolean: {
      const lower = text.toLowerCase();
      if (["true", "yes"].includes(lower)) return { ok: true, value: true };
      if (["false", "no"].includes(lower)) return { ok: true, value: false };
      return fail(`${name} must be True or False.`);
    }
    case OptionType.Channel: {
      const channel = byName(context.channels, text, "#");
      return channel
        ? { ok: true, value: channel.id }
        : fail(`${name}: this server has no channel ${text || "(none given)"}.`);
    }
    case OptionType.Role:
    case OptionType.User:
    case OptionType.Mentionable: {
      const lists =
        option.type === OptionType.Role
          ? context.roles
          : option.type === OptionType.User
            ? context.people
            : [...context.roles, ...context.people];
      const found = byName(lists, text, "@");
      return found
        ? { ok: true, value: found.id }
        : fail(`${name}: nobody here is called ${text || "(none given)"}.`);
    }
    default:
      return fail(`${name}: the playground cannot send this kind of option.`);
  }
}

/** A choice picked from a list: its name stands in the box, its value is what is sent. */
export type Picked = ReadonlyMap<string, ChoiceDef>;

/** The options to send, or every problem at once. */
export function commandOptions(
  parsed: Extract<ParsedLine, { kind: "options" }>,
  context: LineContext,
  picked: Picked,
): { options: Record<string, OptionValue>; problems: string[] } {
  const options: Record<string, OptionValue> = {};
  const problems: string[] = [];
  if (parsed.stray) problems.push(`/${parsed.leaf.path} takes no value “${parsed.stray}”.`);
  for (const segment of parsed.segments) {
    const choice = picked.get(segment.option.name);
    if (choice && choice.name === segment.raw.trim()) {
      options[segment.option.name] = choice.value;
      continue;
    }
    const converted = convert(segment.option, segment.raw, context);
    if (converted.ok) options[segment.option.name] = converted.value;
    else problems.push(converted.error);
  }
  for (const option of parsed.leaf.options)
    if (
      option.required &&
      !(option.name in options) &&
      !problems.some((p) => p.startsWith(option.name))
    )
      problems.push(`/${parsed.leaf.path} needs ${option.name}.`);
  return { options, problems };
}
