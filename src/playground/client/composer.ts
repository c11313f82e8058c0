// The message box: "/" lists the commands the bot registered, then each option is hinted with
// its description; fixed choices, channels and people are listed here, and autocompleted options
// ask the bot as you type, as in Discord. Enter sends; ↑ ↓ and Tab pick from the list.
import {
  commandOptions,
  convert,
  localChoices,
  parseLine,
  type ChoiceDef,
  type Leaf,
  type LineContext,
  type OptionValue,
  type ParsedLine,
  type Segment,
} from "./command-line.js";
import { el } from "./render.js";

export interface ComposerHooks {
  /** The commands this person may use here, and what option values can name. */
  context(): { leaves: readonly Leaf[]; line: LineContext };
  autocomplete(
    command: string,
    options: Record<string, OptionValue>,
    focused: string,
  ): Promise<ChoiceDef[]>;
  /** Runs a command; resolves with a problem to show, or undefined. */
  run(command: string, options: Record<string, OptionValue>): Promise<string | undefined>;
  say(text: string): Promise<string | undefined>;
}

interface Item {
  readonly label: string;
  readonly detail: string;
  pick(): void;
}

const AUTOCOMPLETE_DELAY_MS = 120;

export class Composer {
  private items: Item[] = [];
  private highlighted = -1;
  private readonly picked = new Map<string, ChoiceDef>();
  private asked = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending = false;

  constructor(
    private readonly form: HTMLFormElement,
    private readonly input: HTMLInputElement,
    private readonly popup: HTMLElement,
    private readonly hint: HTMLElement,
    private readonly problem: HTMLElement,
    private readonly hooks: ComposerHooks,
  ) {
    input.addEventListener("input", () => {
      this.problem.textContent = "";
      this.refresh();
    });
    input.addEventListener("keydown", (event) => this.key(event));
    // Leaving the box closes the list, unless focus came straight back (a click on the list).
    input.addEventListener("blur", () =>
      setTimeout(() => {
        if (document.activeElement !== this.input) this.close();
      }, 150),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send();
    });
  }

  /** The channel changed: a new placeholder, and nothing half-picked carried over. */
  reset(placeholder: string): void {
    this.input.placeholder = placeholder;
    this.input.setAttribute("aria-label", placeholder);
    this.picked.clear();
    this.refresh();
  }

  refresh(): void {
    // Whatever the bot was asked for the previous text no longer applies.
    clearTimeout(this.timer);
    this.asked++;
    const { leaves, line } = this.hooks.context();
    const parsed = parseLine(this.input.value, leaves);
    if (parsed.kind === "text") {
      this.close();
      this.showHint("Type / for the bot's commands, or write a message.");
    } else if (parsed.kind === "command") {
      const query = parsed.query.trimStart().toLowerCase();
      const starts = leaves.filter((l) => l.path.startsWith(query));
      const found = starts.length ? starts : leaves.filter((l) => l.path.includes(query));
      this.show(
        found.map((leaf) => ({
          label: `/${leaf.path}`,
          detail: leaf.description,
          pick: () => {
            this.input.value = `/${leaf.path} `;
            this.picked.clear();
            this.refresh();
          },
        })),
        0,
      );
      this.showHint(
        found.length
          ? "Commands: ↑ ↓ to choose, Tab or Enter to pick, Esc to close."
          : `No command starts with /${query}.`,
      );
    } else {
      this.options(parsed, line);
    }
  }

  private options(parsed: Extract<ParsedLine, { kind: "options" }>, line: LineContext): void {
    const { leaf, active } = parsed;
    this.optionHints(parsed);
    if (!active) return this.close();
    // A value just picked from the list is complete: nothing more to suggest for it.
    if (this.picked.get(active.option.name)?.name === active.raw.trim()) return this.close();
    const local = localChoices(active.option, active.raw, line);
    if (local) {
      if (/\s$/.test(active.raw) && convert(active.option, active.raw, line).ok)
        return this.close();
      return this.show(this.choiceItems(active, local, false), -1);
    }
    if (!active.option.autocomplete) return this.close();
    // Ask the bot, as Discord does on each keystroke; only the latest answer counts, and until
    // it comes Enter sends what is typed rather than picking from the previous list.
    const ask = ++this.asked;
    this.highlighted = -1;
    this.mark();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const others: Record<string, OptionValue> = {};
      for (const segment of parsed.segments) {
        if (segment === active) continue;
        const converted = convert(segment.option, segment.raw, line);
        const choice = this.picked.get(segment.option.name);
        if (choice && choice.name === segment.raw.trim())
          others[segment.option.name] = choice.value;
        else if (converted.ok) others[segment.option.name] = converted.value;
      }
      others[active.option.name] = active.raw.trim();
      this.hooks
        .autocomplete(leaf.path, others, active.option.name)
        .then((choices) => {
          if (ask === this.asked && document.activeElement === this.input)
            this.show(this.choiceItems(active, choices, true), -1);
        })
        .catch(() => undefined);
    }, AUTOCOMPLETE_DELAY_MS);
  }

  /** `remember`: the bot's choices send their value, not the name shown. */
  private choiceItems(segment: Segment, choices: readonly ChoiceDef[], remember: boolean): Item[] {
    return choices.map((choice) => ({
      label: choice.name,
      detail: "",
      pick: () => {
        const value = this.input.value;
        this.input.value = `${value.slice(0, segment.start)}${segment.explicit ? "" : `${segment.option.name}:`}${choice.name} `;
        if (remember) this.picked.set(segment.option.name, choice);
        this.refresh();
      },
    }));
  }

  /** Each option of the command, the one being typed described; optional ones can be added. */
  private optionHints(parsed: Extract<ParsedLine, { kind: "options" }>): void {
    const { leaf, active, segments } = parsed;
    const given = new Set(segments.map((s) => s.option.name));
    const chips = leaf.options.map((option) => {
      const current = active?.option.name === option.name;
      const label = `${option.name}${option.required ? "*" : ""}`;
      if (given.has(option.name))
        return el("span", { class: `chip${current ? " current" : " given"}` }, label);
      const add = el(
        "button",
        { type: "button", class: "chip", "aria-label": `Add option ${option.name}` },
        `+ ${label}`,
      );
      add.addEventListener("click", () => {
        const value = this.input.value;
        this.input.value = `${value}${/\s$/.test(value) ? "" : " "}${option.name}:`;
        this.input.focus();
        this.refresh();
      });
      return add;
    });
    const described = active?.option ?? leaf.options.find((o) => !given.has(o.name));
    const text = described
      ? `${described.name}${described.required ? " (required)" : ""}: ${described.description}`
      : leaf.description;
    this.hint.replaceChildren(
      el("span", { class: "command-name" }, `/${leaf.path}`),
      ...chips,
      el("span", { class: "option-description" }, text),
    );
  }

  private showHint(text: string): void {
    this.hint.replaceChildren(text);
  }

  private show(items: Item[], highlighted: number): void {
    this.items = items.slice(0, 25);
    this.highlighted = this.items.length ? highlighted : -1;
    if (this.items.length === 0) return this.close();
    this.popup.replaceChildren(
      ...this.items.map((item, i) => {
        const option = el(
          "li",
          {
            id: `suggestion-${i}`,
            role: "option",
            class: "suggestion",
            "aria-selected": String(i === this.highlighted),
          },
          el("span", { class: "suggestion-label" }, item.label),
          item.detail && el("span", { class: "suggestion-detail" }, item.detail),
        );
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          item.pick();
        });
        return option;
      }),
    );
    this.popup.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.mark();
  }

  private mark(): void {
    this.popup.querySelectorAll("[role=option]").forEach((node, i) => {
      node.setAttribute("aria-selected", String(i === this.highlighted));
      if (i === this.highlighted) node.scrollIntoView({ block: "nearest" });
    });
    if (this.highlighted >= 0)
      this.input.setAttribute("aria-activedescendant", `suggestion-${this.highlighted}`);
    else this.input.removeAttribute("aria-activedescendant");
  }

  private close(): void {
    this.items = [];
    this.highlighted = -1;
    this.popup.hidden = true;
    this.popup.replaceChildren();
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  private key(event: KeyboardEvent): void {
    const open = !this.popup.hidden && this.items.length > 0;
    const n = this.items.length;
    if (event.key === "ArrowDown" && open) {
      this.highlighted = (this.highlighted + 1) % n;
      this.mark();
    } else if (event.key === "ArrowUp" && open) {
      this.highlighted = (this.highlighted - 1 + n) % n;
      this.mark();
    } else if (event.key === "Enter" && open && this.highlighted >= 0) {
      this.items[this.highlighted]!.pick();
    } else if (event.key === "Tab" && !event.shiftKey && open) {
      this.items[Math.max(this.highlighted, 0)]!.pick();
    } else if (event.key === "Escape" && open) {
      this.close();
    } else {
      return;
    }
    event.preventDefault();
  }

  private async send(): Promise<void> {
    if (this.sending) return;
    const text = this.input.value;
    if (text.trim() === "") return;
    const { leaves, line } = this.hooks.context();
    const parsed = parseLine(text, leaves);
    let problem: string | undefined;
    if (parsed.kind === "command") {
      problem = `/${parsed.query.trim()} is not one of the bot's commands here. Type / to see them.`;
    } else {
      this.sending = true;
      try {
        if (parsed.kind === "text") problem = await this.hooks.say(text);
        else {
          const built = commandOptions(parsed, line, this.picked);
          problem = built.problems.length
            ? built.problems.join(" ")
            : await this.hooks.run(parsed.leaf.path, built.options);
        }
      } finally {
        this.sending = false;
      }
    }
    if (problem) {
      this.problem.textContent = problem;
      return;
    }
    this.input.value = "";
    this.picked.clear();
    this.refresh();
  }
}
