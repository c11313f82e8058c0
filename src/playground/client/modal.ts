// A form the bot opened (a Discord modal), as a native <dialog>: focus stays inside it, Escape
// closes it, and each input carries the label, limits and value the bot gave it.
import { renderMarkdown, type Names } from "./markdown.js";
import type { APIModalInteractionResponseCallbackData } from "./protocol.js";
import { el } from "./render.js";

interface LooseInput {
  type: number;
  custom_id?: string;
  style?: number;
  label?: string;
  description?: string;
  required?: boolean;
  min_length?: number;
  max_length?: number;
  placeholder?: string;
  value?: string;
  content?: string;
  options?: { label: string; value: string; default?: boolean }[];
  min_values?: number;
  max_values?: number;
  components?: LooseInput[];
  component?: LooseInput;
}

/** Sends the values; resolves with a problem to show in the form, or undefined when done. */
export type SubmitForm = (values: Record<string, string>) => Promise<string | undefined>;

let fieldCount = 0;

function field(input: LooseInput, label: string, description?: string): HTMLElement {
  const id = `modal-field-${++fieldCount}`;
  const hintId = `${id}-hint`;
  const required = input.required ?? true;
  const limits =
    input.max_length !== undefined
      ? `${input.min_length ? `${input.min_length}–` : "Up to "}${input.max_length} characters.`
      : "";
  const hint = [description, required ? "" : "Optional.", limits].filter(Boolean).join(" ");
  let control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
  if (input.type === 3) {
    control = el("select", { id, name: input.custom_id, required });
    for (const option of input.options ?? [])
      control.append(el("option", { value: option.value, selected: option.default }, option.label));
  } else {
    const attributes = {
      id,
      name: input.custom_id,
      required,
      placeholder: input.placeholder,
      minlength: input.min_length !== undefined ? String(input.min_length) : undefined,
      maxlength: input.max_length !== undefined ? String(input.max_length) : undefined,
      "aria-describedby": hint ? hintId : undefined,
    };
    control =
      input.style === 2 ? el("textarea", { ...attributes, rows: "3" }) : el("input", attributes);
    control.value = input.value ?? "";
  }
  return el(
    "div",
    { class: "modal-field" },
    el(
      "label",
      { for: id },
      label,
      required && el("span", { class: "required", "aria-hidden": "true" }, " *"),
    ),
    control,
    hint && el("p", { class: "hint", id: hintId }, hint),
  );
}

/** Opens the form; focus returns to `returnTo` when it closes, or to `fallback` if that is gone. */
export function openModal(
  dialog: HTMLDialogElement,
  modal: APIModalInteractionResponseCallbackData,
  names: Names,
  submit: SubmitForm,
  returnTo: HTMLElement | null,
  fallback: HTMLElement,
): void {
  const titleId = "modal-title";
  const problem = el("div", { class: "form-problem", role: "alert" });
  const form = el("form", { class: "modal-form", novalidate: false });
  form.append(el("h2", { id: titleId }, modal.title));
  for (const top of modal.components as unknown as LooseInput[]) {
    if (top.type === 1)
      for (const input of top.components ?? []) form.append(field(input, input.label ?? ""));
    else if (top.type === 18 && top.component)
      form.append(field(top.component, top.label ?? "", top.description));
    else if (top.type === 10) {
      const text = el("div", { class: "modal-text" });
      text.innerHTML = renderMarkdown(top.content ?? "", names);
      form.append(text);
    }
  }
  const cancel = el("button", { type: "button", class: "button secondary" }, "Cancel");
  const send = el("button", { type: "submit", class: "button primary" }, "Submit");
  form.append(problem, el("div", { class: "modal-actions" }, cancel, send));
  cancel.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    for (const control of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(
      "input[name], textarea[name], select[name]",
    ))
      values[control.name] = control.value;
    send.disabled = true;
    problem.textContent = "";
    void submit(values).then((message) => {
      send.disabled = false;
      if (message) problem.textContent = message;
      else dialog.close();
    });
  });
  dialog.replaceChildren(form);
  dialog.setAttribute("aria-labelledby", titleId);
  dialog.addEventListener(
    "close",
    () => {
      dialog.replaceChildren();
      (returnTo?.isConnected ? returnTo : fallback).focus();
    },
    { once: true },
  );
  dialog.showModal();
  form.querySelector<HTMLElement>("input, textarea, select")?.focus();
}
