import { describe, expect, it } from "vitest";
import { commandDefinitions } from "../../commands/index.js";
import {
  commandOptions,
  leaves,
  localChoices,
  parseLine,
  type CommandDef,
  type LineContext,
  type ParsedLine,
} from "../../src/playground/client/command-line.js";

const all = leaves(commandDefinitions() as unknown as CommandDef[]);
const context: LineContext = {
  channels: [
    { id: "100000000000000001", name: "general" },
    { id: "100000000000000002", name: "recaps" },
  ],
  roles: [{ id: "100000000000000003", name: "Moderators" }],
  people: [{ id: "100000000000000004", name: "ada" }],
};

function options(line: string, picked = new Map()) {
  const parsed = parseLine(line, all) as Extract<ParsedLine, { kind: "options" }>;
  expect(parsed.kind).toBe("options");
  return commandOptions(parsed, context, picked);
}

describe("the playground's message box", () => {
  it("GIVEN the registered commands THEN subcommands are listed as commands of their own", () => {
    const paths = all.map((l) => l.path);
    expect(paths).toContain("model");
    expect(paths).toContain("entry add");
    expect(paths).toContain("recap-config set");
    expect(paths).not.toContain("entry");
  });

  it("GIVEN text without a slash, or a command still being typed THEN it is a message, or a command to pick", () => {
    expect(parseLine("hello", all)).toEqual({ kind: "text" });
    expect(parseLine("/mod", all)).toEqual({ kind: "command", query: "mod" });
    expect(parseLine("/entry", all)).toEqual({ kind: "command", query: "entry" });
  });

  it("GIVEN a bare value THEN it fills the first required option", () => {
    expect(options("/model opus 4.5")).toEqual({ options: { name: "opus 4.5" }, problems: [] });
  });

  it("GIVEN named options THEN each value runs to the next option, longer names first", () => {
    expect(options("/search query:distillation attacks from:2026")).toEqual({
      options: { query: "distillation attacks", from: "2026" },
      problems: [],
    });
    expect(options("/entry add kind:lab lab-kind:non lab:Google DeepMind")).toEqual({
      options: { kind: "lab", "lab-kind": "non-profit", lab: "Google DeepMind" },
      problems: [],
    });
  });

  it("GIVEN choices, numbers and channels THEN they are sent as Discord would, from a name or a unique start", () => {
    expect(options("/recap-config set channel:#recaps day:monday time:09:00 timezone:UTC")).toEqual(
      {
        options: { channel: "100000000000000002", day: 1, time: "09:00", timezone: "UTC" },
        problems: [],
      },
    );
  });

  it("GIVEN a picked autocomplete choice THEN its value is sent, unless the text was changed since", () => {
    const picked = new Map([
      ["name", { name: "Claude Opus 4.5 — Anthropic", value: "claude-opus-4-5" }],
    ]);
    expect(options("/model name:Claude Opus 4.5 — Anthropic ", picked).options).toEqual({
      name: "claude-opus-4-5",
    });
    expect(options("/model name:Claude Opus 4.5 — Anthropic x", picked).options).toEqual({
      name: "Claude Opus 4.5 — Anthropic x",
    });
  });

  it("GIVEN bad or missing values THEN every problem is listed at once and nothing is sent", () => {
    expect(options("/recap-config set channel:#nowhere day:someday")).toEqual({
      options: {},
      problems: [
        "channel: this server has no channel #nowhere.",
        "day must be one of: Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday.",
        "/recap-config set needs time.",
        "/recap-config set needs timezone.",
      ],
    });
    expect(options("/bookmarks clear everything").problems).toEqual([
      "/bookmarks clear takes no value “everything”.",
    ]);
  });

  it("GIVEN an option with fixed choices or a channel THEN the list offers the ones that match", () => {
    const set = all.find((l) => l.path === "recap-config set")!;
    const option = (name: string) => set.options.find((o) => o.name === name)!;
    expect(localChoices(option("day"), "t", context)!.map((c) => c.name)).toEqual([
      "Tuesday",
      "Thursday",
      "Saturday",
    ]);
    expect(localChoices(option("channel"), "#rec", context)).toEqual([
      { name: "#recaps", value: "100000000000000002" },
    ]);
    expect(localChoices(option("time"), "09", context)).toBeUndefined();
  });
});
