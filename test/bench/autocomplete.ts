import type { AppContext } from "../../src/app/context.js";
import { choicesFor } from "../../commands/catalog-shared.js";

/** Every prefix of a set of names as typed, with a few typos: what autocomplete sees per keystroke. */
export function autocompleteInputs(ctx: AppContext): string[] {
  const names = [...ctx.catalog.catalog.byId.values()].map((e) => e.entry.name.toLowerCase());
  const inputs: string[] = [""];
  for (const name of names) {
    for (let i = 1; i <= name.length; i++) inputs.push(name.slice(0, i));
    if (name.length > 4) inputs.push(name.slice(0, 2) + name.slice(3)); // a dropped letter
  }
  return inputs;
}

export function measureAutocomplete(ctx: AppContext): {
  calls: number;
  p50: number;
  p95: number;
  max: number;
} {
  const inputs = autocompleteInputs(ctx);
  const times: number[] = [];
  for (const input of inputs) {
    const t = performance.now();
    choicesFor(ctx.catalog, "model", input);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { calls: times.length, p50: at(0.5), p95: at(0.95), max: times.at(-1) ?? 0 };
}
