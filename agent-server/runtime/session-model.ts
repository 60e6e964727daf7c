import { REASONING_EFFORTS, type ModelClient, type ReasoningEffort } from '../core/model-client.js';
import { FallbackModelClient } from '../model/fallback-client.js';
import { resolveFallbacks } from '../model/fallbacks.js';
import { modelLists, type ModelListCache } from '../model/model-list.js';
import { OpenAIModelClient } from '../model/openai-client.js';
import { displayUrl } from '../model/display-url.js';
import type { ResolvedModel } from '../model/resolve.js';
import type { RuntimeServices } from './services.js';
import { ModelNotConfiguredError } from './agent-session.js';

/** The session config option (ACP `set_config_option`) that holds the reasoning effort. */
export const REASONING_EFFORT_OPTION = 'reasoning_effort';

export function isReasoningEffort(value: string | undefined): value is ReasoningEffort {
  return (REASONING_EFFORTS as readonly (string | undefined)[]).includes(value);
}

const labelOf = (m: ResolvedModel) => `${m.model} (${m.presetLabel}, ${displayUrl(m.baseUrl)})`;

/**
 * The model side of one session: builds its model client (the chosen model, then
 * `model.fallbacks`), keeps the `reasoning_effort` choice every request reads, checks model ids
 * against the endpoint's list, and describes it all for `/status`.
 */
export class SessionModelControls {
  private current: ModelClient | undefined;
  private readonly fallbackProblems: string[] = [];

  constructor(
    private readonly services: RuntimeServices,
    /** The session's `reasoning_effort` option value, read at every request. */
    private readonly effortOption: () => string | undefined,
    private readonly lists: ModelListCache = modelLists,
  ) {}

  /** Unset (or not a known level): the parameter is not sent and the model's own default applies. */
  get reasoningEffort(): ReasoningEffort | undefined {
    const value = this.effortOption();
    return isReasoningEffort(value) ? value : undefined;
  }

  /** Offered unless the endpoint is known to refuse it. */
  get offersReasoningEffort(): boolean {
    return this.services.model.ok && this.services.model.model.acceptsReasoningEffort !== false;
  }

  /** The client for `modelId` (unset: the configured model), with the configured fallbacks behind it. */
  build(modelId?: string): ModelClient | ModelNotConfiguredError {
    const resolution = this.services.model;
    if (!resolution.ok) return new ModelNotConfiguredError(resolution.problem, resolution.hint);
    const primary = modelId ? { ...resolution.model, model: modelId } : resolution.model;
    const fallbacks = resolveFallbacks(this.services.config.model.fallbacks, primary, this.services.env);
    this.fallbackProblems.splice(0, Infinity, ...fallbacks.problems);
    const client = (m: ResolvedModel): ModelClient =>
      this.services.modelClient?.(m) ??
      new OpenAIModelClient(m, {
        // An endpoint known to refuse the parameter never gets it (a fallback on another endpoint).
        reasoningEffort: m.acceptsReasoningEffort === false ? undefined : () => this.reasoningEffort,
      });
    this.current = fallbacks.models.length
      ? new FallbackModelClient(
          [primary, ...fallbacks.models].map((m) => ({ client: client(m), label: labelOf(m) })),
        )
      : client(primary);
    return this.current;
  }

  /** Undefined when the endpoint offers `modelId` or has no list; else the error naming the choices. */
  async checkModel(modelId: string): Promise<string | undefined> {
    if (!this.services.model.ok) return undefined;
    const { baseUrl, apiKey } = this.services.model.model;
    return this.lists.problemWith({ baseUrl, apiKey }, modelId);
  }

  /** Whether the endpoint's /models lists `modelId`; undefined when the endpoint has no list. */
  async endpointOffers(modelId: string): Promise<boolean | undefined> {
    if (!this.services.model.ok) return undefined;
    const { baseUrl, apiKey } = this.services.model.model;
    return (await this.lists.list({ baseUrl, apiKey }))?.includes(modelId);
  }

  /** Warnings for the first turn: a configured model the endpoint does not list, unusable fallbacks. */
  async startWarnings(): Promise<string[]> {
    if (!this.services.model.ok) return [];
    const problem = await this.checkModel(this.services.model.model.model);
    return [...(problem ? [problem] : []), ...this.fallbackProblems];
  }

  /** Lines for `/status`. */
  statusLines(): string[] {
    const resolution = this.services.model;
    if (!resolution.ok) return [`Endpoint: ${resolution.problem}`];
    const lines = [`Endpoint: ${displayUrl(resolution.model.baseUrl)} (${resolution.model.presetLabel})`];
    const answering =
      this.current instanceof FallbackModelClient ? this.current.fallbackAnswering : undefined;
    if (answering) lines.push(`Answering: ${answering} (fallback)`);
    const fallbacks = this.services.config.model.fallbacks.map((f) => f.model);
    if (fallbacks.length) lines.push(`Fallbacks: ${fallbacks.join(' → ')}`);
    if (this.offersReasoningEffort)
      lines.push(`Reasoning effort: ${this.reasoningEffort ?? 'model default'}`);
    return lines;
  }
}
