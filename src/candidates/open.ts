import type { CatalogKnowledge } from "../catalog/knowledge.js";
import type { Candidate, CandidateRepository } from "./repository.js";

/** More than a moderator pages through; the rest wait for the next look. */
const OPEN_LIMIT = 500;

/** Whether the server's catalogue has an entry of this name or alias (added since it was found). */
export function namesEntry(knowledge: CatalogKnowledge, name: string): boolean {
  return knowledge.any.find(name, 1)[0]?.tier === "exact";
}

/**
 * The server's open candidates, newest first: found in gathered documents, not dismissed here,
 * and not (or no longer) the name of an entry in the server's catalogue.
 */
export async function openCandidates(
  candidates: Pick<CandidateRepository, "listCandidates">,
  knowledge: CatalogKnowledge,
  guildId: string,
): Promise<Candidate[]> {
  const all = await candidates.listCandidates(guildId, { limit: OPEN_LIMIT });
  return all.filter((c) => !namesEntry(knowledge, c.name));
}
