// The page's calls to the playground server (same origin, JSON).
import type {
  APIApplicationCommand,
  AutocompleteRequest,
  Choice,
  ClickRequest,
  CommandRequest,
  DismissRequest,
  MessageView,
  ModalRequest,
  Outcome,
  ReactRequest,
  RecapRequest,
  SayRequest,
  WorldView,
} from "./protocol.js";

/** What the server said went wrong, in words for the page. */
export class ApiError extends Error {}

async function call<T>(path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(
      path,
      body === undefined
        ? {}
        : {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
          },
    );
  } catch {
    throw new ApiError("The playground is not answering. Is `npm start` still running?");
  }
  const data = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new ApiError(data.error ?? `The playground answered ${response.status}.`);
  return data as T;
}

const query = (params: Record<string, string>): string => new URLSearchParams(params).toString();

export const api = {
  world: () => call<WorldView>("/api/world"),
  messages: (as: string, channel: string) =>
    call<MessageView[]>(`/api/messages?${query({ as, channel })}`),
  commands: (as: string, server: string) =>
    call<APIApplicationCommand[]>(`/api/commands?${query({ as, server })}`),
  attachmentUrl: (as: string, channel: string, message: string, name: string) =>
    `/api/attachment?${query({ as, channel, message, name })}`,
  command: (request: CommandRequest) => call<Outcome>("/api/command", request),
  autocomplete: (request: AutocompleteRequest) => call<Choice[]>("/api/autocomplete", request),
  click: (request: ClickRequest) => call<Outcome>("/api/click", request),
  submit: (request: ModalRequest) => call<Outcome>("/api/modal", request),
  react: (request: ReactRequest) => call<Outcome>("/api/react", request),
  say: (request: SayRequest) => call<Outcome>("/api/say", request),
  dismiss: (request: DismissRequest) => call<Outcome>("/api/dismiss", request),
  recap: (request: RecapRequest) => call<Outcome>("/api/recap", request),
  reset: () => call<Outcome>("/api/reset", {}),
};
