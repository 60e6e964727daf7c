import { closestName } from '../config/config-problems.js';
import { proxiedFetch } from '../web/proxy-fetch.js';
import { displayUrl } from './display-url.js';

/** Longest wait for an endpoint's `/models`: the list is a check, never a reason to hang. */
const LIST_TIMEOUT_MS = 5000;
/** Model ids named in an error, at most (OpenRouter lists hundreds). */
const NAMED_CHOICES = 30;

/** What a model-list request needs: where, and the key (kept in memory only). */
export interface ModelListEndpoint {
  baseUrl: string;
  apiKey: string;
}

export type ModelListFetch = (
  endpoint: ModelListEndpoint,
  signal: AbortSignal,
) => Promise<string[] | undefined>;

/**
 * GET `<baseUrl>/models` (OpenAI's list shape: `{data: [{id}]}`) → the ids, or undefined when the
 * endpoint has no usable list (no route, an error, another shape, too slow): not every endpoint
 * offers one, and a missing list is never an error.
 */
export const fetchModelList: ModelListFetch = async (endpoint, signal) => {
  try {
    const url = `${endpoint.baseUrl.replace(/\/+$/, '')}/models`;
    const get = (await proxiedFetch(new URL(url), process.env)) ?? fetch;
    const response = await get(url, {
      headers: { authorization: `Bearer ${endpoint.apiKey}`, accept: 'application/json' },
      signal: AbortSignal.any([signal, AbortSignal.timeout(LIST_TIMEOUT_MS)]),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { data?: unknown };
    if (!Array.isArray(body.data)) return undefined;
    const ids = body.data.flatMap((m: unknown) =>
      m && typeof (m as { id?: unknown }).id === 'string' ? [(m as { id: string }).id] : [],
    );
    return ids.length ? ids : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Each endpoint's model list, asked once per process (per base URL and key) and kept: model ids
 * are checked against it when a session starts and when the user switches models.
 */
export class ModelListCache {
  private readonly lists = new Map<string, Promise<string[] | undefined>>();

  constructor(private readonly fetchList: ModelListFetch = fetchModelList) {}

  list(endpoint: ModelListEndpoint): Promise<string[] | undefined> {
    const key = `${endpoint.baseUrl}\n${endpoint.apiKey}`;
    let list = this.lists.get(key);
    if (!list) {
      list = this.fetchList(endpoint, new AbortController().signal);
      this.lists.set(key, list);
    }
    return list;
  }

  /**
   * Undefined when `model` is offered (or the endpoint has no list); else a sentence naming the
   * choices, the nearest first when one looks like a typo.
   */
  async problemWith(endpoint: ModelListEndpoint, model: string): Promise<string | undefined> {
    const ids = await this.list(endpoint);
    if (!ids || ids.includes(model)) return undefined;
    return unknownModelMessage(model, endpoint.baseUrl, ids);
  }
}

export function unknownModelMessage(model: string, baseUrl: string, ids: readonly string[]): string {
  const near = closestName(model, ids);
  const named = [...new Set([...(near ? [near] : []), ...ids])].slice(0, NAMED_CHOICES);
  const more = ids.length > named.length ? `, and ${ids.length - named.length} more` : '';
  return (
    `The endpoint at ${displayUrl(baseUrl)} has no model "${model}"` +
    (near ? ` — did you mean "${near}"?` : '.') +
    ` It offers: ${named.join(', ')}${more}.`
  );
}

/** One cache for the process. */
export const modelLists = new ModelListCache();
