import { z } from 'zod';
import { DEFAULT_HOME_READABLE } from './sandbox-home.js';
import { MODEL_PRESET_NAMES } from './model-presets.js';

/**
 * Cairn's configuration: the one schema, with defaults written down once.
 * Read from `$CAIRN_HOME/config.json` (default `~/.cairn/config.json`) and overridden by env.
 * API keys are never stored here: `apiKeyEnv` names the variable that holds one.
 */

export {
  MODEL_PRESET_NAMES,
  isKeylessPreset,
  presetAcceptsReasoningEffort,
  type ModelPresetName,
} from './model-presets.js';

/** An http(s) URL: `localhost:8080/v1` parses as a URL with scheme "localhost:", so say what is meant. */
const httpUrl = () =>
  z.url({
    protocol: /^https?$/,
    error: 'must be an http:// or https:// URL, e.g. "http://127.0.0.1:8080/v1"',
  });

const envVarName = () => z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/**
 * A model to continue on when the one before it fails after its retries (rate limits, 5xx,
 * timeouts, unreachable). Without `preset` or `baseUrl` it is another model of the same endpoint.
 */
export const ModelFallbackSchema = z
  .object({
    preset: z.enum(MODEL_PRESET_NAMES).optional(),
    baseUrl: httpUrl().optional(),
    model: z.string().min(1),
    /** Name of the environment variable holding this endpoint's key (never the key). */
    apiKeyEnv: envVarName().optional(),
  })
  .strict()
  .refine((f) => f.preset !== 'custom' || f.baseUrl !== undefined, {
    error: 'preset "custom" needs a "baseUrl"',
  });

/** Dollars per million tokens, for a cost estimate when the provider reports none. */
export const ModelPriceSchema = z
  .object({
    inputPerMTok: z.number().nonnegative(),
    outputPerMTok: z.number().nonnegative(),
  })
  .strict();

export const ModelConfigSchema = z
  .object({
    preset: z.enum(MODEL_PRESET_NAMES).optional(),
    baseUrl: httpUrl().optional(),
    model: z.string().min(1).optional(),
    /** Name of the environment variable holding the API key. */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    contextWindow: z.number().int().positive().optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    maxRetries: z.number().int().min(0).max(10).default(4),
    requestTimeoutSec: z.number().positive().default(600),
    /** From sending a request to the first streamed chunk: a silent endpoint ends the turn. */
    firstByteTimeoutSec: z.number().positive().default(120),
    /** Longest pause between two chunks of a stream: a stalled stream ends the turn. */
    streamIdleTimeoutSec: z.number().positive().default(60),
    /** Other models offered in the client's model picker. */
    choices: z.array(z.string().min(1)).default([]),
    /** Tried in order when the current model fails after its retries. */
    fallbacks: z.array(ModelFallbackSchema).default([]),
    /** Per model id: the price used for `/status` and the prompt's usage when the provider reports no cost. */
    prices: z.record(z.string().min(1), ModelPriceSchema).default({}),
  })
  .strict();

export const TerminalConfigSchema = z
  .object({
    /** `auto`: sandbox where bubblewrap works, else local (with a notice). */
    backend: z.enum(['auto', 'sandbox', 'local', 'ssh', 'client']).default('auto'),
    network: z.boolean().default(true),
    timeoutSec: z.number().positive().default(120),
    maxTimeoutSec: z.number().positive().default(1800),
    /**
     * Replaced by `toolOutput.maxBytes`, which covers every tool's result. Still accepted so
     * existing configuration files load; ignored.
     */
    maxOutputBytes: z.number().int().positive().optional(),
    maxBackgroundProcesses: z.number().int().positive().default(8),
    /** Secret-looking variables passed to commands anyway. */
    envAllowlist: z.array(z.string()).default([]),
    /** Paths relative to the user's home that sandboxed commands may read; the rest of home is hidden. */
    homeReadable: z.array(z.string().min(1)).default([...DEFAULT_HOME_READABLE]),
    ssh: z
      .object({
        host: z.string().min(1),
        port: z.number().int().positive().default(22),
        user: z.string().optional(),
        identityFile: z.string().optional(),
        remoteWorkspace: z.string().min(1),
        options: z.array(z.string()).default([]),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * What the model reads of one tool result. Past either limit the runner keeps the first and last
 * lines, saves the whole result in `<home>/sessions/<id>/outputs/`, and tells the model where.
 */
export const ToolOutputConfigSchema = z
  .object({
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .default(50 * 1024),
    maxLines: z.number().int().min(20).default(2000),
    /** Saved whole results older than this are removed… */
    keepDays: z.number().positive().default(7),
    /** …and, oldest first, whatever makes all sessions' saved results exceed this. */
    keepMB: z.number().positive().default(200),
  })
  .strict();

export const McpServerConfigSchema = z.union([
  z
    .object({
      type: z.literal('stdio').optional(),
      command: z.string().min(1),
      args: z.array(z.string()).default([]),
      env: z.record(z.string(), z.string()).default({}),
      cwd: z.string().optional(),
    })
    .strict(),
  z
    .object({
      type: z.enum(['http', 'sse']),
      url: httpUrl(),
      headers: z.record(z.string(), z.string()).default({}),
    })
    .strict(),
]);
export type McpServerConfig = z.infer<typeof McpServerConfigSchema>;

/**
 * The web tools. Read from Cairn's home only, so a repository can neither turn them on nor
 * loosen what they may reach.
 */
export const WebConfigSchema = z
  .object({
    /** Offer `web_fetch` at all (independent of `terminal.network`). */
    enabled: z.boolean().default(true),
    /** Offer `web_fetch` in plan mode (it asks there as in ask mode). */
    allowInPlan: z.boolean().default(true),
    /** Hosts (names or IP literals) that may resolve to private, loopback or link-local addresses. */
    allowPrivateHosts: z.array(z.string().min(1)).default([]),
    /** Every host may reach private addresses: for tests and fully local setups. */
    allowPrivateAddresses: z.boolean().default(false),
    timeoutSec: z.number().positive().default(30),
    maxRedirects: z.number().int().min(0).max(20).default(5),
    /** Bytes of a page downloaded at most (after decompression); the rest is not read. */
    maxDownloadBytes: z
      .number()
      .int()
      .min(1024)
      .default(2 * 1024 * 1024),
    /** The search provider for `web_search`; without one the tool is not offered. */
    search: z
      .object({
        provider: z.enum(['searxng', 'brave', 'tavily']),
        /** SearXNG: the instance's base URL (its host may be private: you chose it). */
        url: httpUrl().optional(),
        /** Name of the environment variable holding the provider's key (Brave, Tavily); never the key. */
        apiKeyEnv: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
          .optional(),
        maxResults: z.number().int().min(1).max(20).default(8),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The files of the workspace recorded before each turn that may change them (/undo, /rewind). */
export const CheckpointsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Larger files are left out of checkpoints, with a note. */
    maxFileMB: z.number().positive().default(10),
    /** Checkpoints older than this are removed… */
    keepDays: z.number().positive().default(14),
    /** …and, oldest first, while one workspace's checkpoints take more than this. */
    keepMB: z.number().positive().default(2000),
    /** gitignore patterns left out besides the project's .gitignore and Cairn's defaults. */
    exclude: z.array(z.string().min(1)).default([]),
  })
  .strict();

// Each section defaults to what its own schema gives for `{}` (`prefault`), so no default is
// written twice.
export const CairnConfigSchema = z
  .object({
    model: ModelConfigSchema.prefault({}),
    agent: z
      .object({
        defaultMode: z.enum(['ask', 'accept-edits', 'plan', 'auto']).default('ask'),
        /** Model requests in one prompt turn before it stops with `max_turn_requests`. */
        maxTurnRequests: z.number().int().positive().default(60),
        /** Delegated tasks (`delegate`) running at once per call. */
        maxParallelSubagents: z.number().int().min(1).max(8).default(3),
        /** Wall time a delegated task may take before it is stopped (a call may ask for less). */
        subagentTimeoutSec: z.number().int().min(1).max(3600).default(600),
      })
      .strict()
      .prefault({}),
    terminal: TerminalConfigSchema.prefault({}),
    toolOutput: ToolOutputConfigSchema.prefault({}),
    memory: z
      .object({
        memoryCharLimit: z.number().int().positive().default(2200),
        userCharLimit: z.number().int().positive().default(1400),
      })
      .strict()
      .prefault({}),
    web: WebConfigSchema.prefault({}),
    mcpServers: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), McpServerConfigSchema).default({}),
    mcp: z
      .object({
        /** Share of the context window MCP tool schemas may take before the search bridge is used. */
        maxToolSchemaShare: z.number().min(0).max(1).default(0.1),
        startupTimeoutSec: z.number().positive().default(30),
        callTimeoutSec: z.number().positive().default(300),
      })
      .strict()
      .prefault({}),
    checkpoints: CheckpointsConfigSchema.prefault({}),
    history: z
      .object({
        /** Sessions last active longer ago than this are deleted by `cairn history prune`; unset keeps them forever. */
        keepDays: z.number().int().min(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type CairnConfig = z.infer<typeof CairnConfigSchema>;
export type ModelConfig = z.infer<typeof ModelConfigSchema>;
export type ModelFallback = z.infer<typeof ModelFallbackSchema>;
export type ModelPrice = z.infer<typeof ModelPriceSchema>;
export type TerminalConfig = z.infer<typeof TerminalConfigSchema>;
export type ToolOutputConfig = z.infer<typeof ToolOutputConfigSchema>;
export type WebConfig = z.infer<typeof WebConfigSchema>;
