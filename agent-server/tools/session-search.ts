import { z } from 'zod';
import { userText } from '../core/messages.js';
import type { HistoryStore, SearchHit, SessionMeta, StoredRecord } from '../history/index.js';
import * as path from 'node:path';
import { defineTool, ToolError, type ToolContext, type ToolDefinition, type ToolResult } from './types.js';
import { deniedOutcome } from './denied-outcome.js';

const DEFAULT_HITS = 10;
const CONTEXT_HITS = 5;
const PREVIEW = 160;
const READ_EDGE = 6;
const SCROLL_RADIUS = 4;
const FULL_TEXT = 2_000;
const CURRENT_SESSION_WEIGHT = 0.5;

const inputSchema = z.object({
  query: z
    .string()
    .optional()
    .describe('Words to find in past messages (stemmed; "quoted phrase"; prefix*). Omit to browse or read.'),
  session_id: z.string().optional().describe('Search or read only this session'),
  around: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('With session_id: show the messages around this message number (#n from a hit)'),
  limit: z.number().int().min(1).max(50).optional().describe('Most hits or sessions to return (default 10)'),
  role: z.enum(['user', 'assistant', 'tool']).optional().describe('Only messages from this role'),
  since: z.string().optional().describe('Only messages at or after this date (ISO, e.g. 2026-05-01)'),
  until: z.string().optional().describe('Only messages before this date (ISO)'),
  project: z
    .enum(['current', 'all'])
    .optional()
    .describe(
      'current (default): sessions of this project only. all: every project, only when the user asked for it (asks their permission)',
    ),
});
export type SessionSearchInput = z.infer<typeof inputSchema>;

/** What an "always" answer to a search across every project's history covers. */
export const ALL_PROJECTS_RULE = 'session_search:all-projects';

/**
 * Other projects' conversations can hold their secrets, and a repository's text can steer the
 * model into asking for them: reaching past this project asks the user in every mode (unless
 * they answered "always"), and plan mode does not do it at all.
 */
async function refuseAllProjects(
  input: SessionSearchInput,
  ctx: ToolContext,
): Promise<ToolResult | undefined> {
  const outcome = await ctx.permissions.request(
    {
      toolCallId: ctx.toolCallId,
      toolName: 'session_search',
      category: 'external',
      kind: 'search',
      title:
        "Search the conversation history of every project, not only this one (other projects' conversations may hold their secrets)",
      ruleKey: ALL_PROJECTS_RULE,
      dangerous: true,
      rawInput: input,
    },
    ctx.signal,
  );
  if (outcome.allowed) return undefined;
  const why =
    outcome.reason === 'mode' ? 'plan mode does not reach other projects’ history.' : outcome.message;
  return {
    forModel: `Other projects' history was not searched: ${why} Search this project's sessions instead (project "current", the default).`,
    ...deniedOutcome(outcome),
  };
}

/**
 * `session_search`: the agent's memory of past conversations, with no model calls.
 * query → ranked hits grouped by session; session_id → its start and end; session_id +
 * around → the messages around a hit; nothing → the most recent sessions. Only this project's
 * sessions (the history records each session's workspace folder) unless `project: "all"`.
 */
export function createSessionSearchTool(
  history: HistoryStore,
  currentSessionId: () => string,
): ToolDefinition<SessionSearchInput> {
  return defineTool({
    name: 'session_search',
    description:
      'Search past sessions (including this one) to recall what was said, decided or done. ' +
      'With query: ranked matching messages grouped by session, with a snippet and neighbouring messages. ' +
      'With session_id: that session’s first and last messages; add around=<message number> to read the messages around a hit. ' +
      'With nothing: the most recent sessions. Filters: role, since/until (ISO dates). ' +
      'Covers this project only; project="all" searches every project and asks the user first: use it only when the user asks.',
    inputSchema,
    kind: 'search',
    readOnly: true,
    describe: (input) => ({
      title: input.query
        ? `Search history: ${input.query}`
        : input.session_id
          ? input.around !== undefined
            ? `Read session ${input.session_id} around #${input.around}`
            : `Read session ${input.session_id}`
          : 'Recent sessions',
    }),
    async run(input, ctx) {
      // After a compaction the conversation continues in a child session: that one is "this session".
      let current = currentSessionId();
      for (let child = await history.childOf(current); child; child = await history.childOf(current))
        current = child.id;
      // Sessions are recorded with their resolved workspace folder; that is what "this project" means.
      const project = path.resolve(ctx.workspace.paths.root);
      const allProjects = input.project === 'all';
      const refused = allProjects ? await refuseAllProjects(input, ctx) : undefined;
      if (refused) return refused;
      const cwd = allProjects ? undefined : project;
      if (input.query?.trim()) return discover(history, input, current, cwd, project);
      if (input.session_id) {
        const session = await history.getSession(input.session_id);
        if (!session || (!allProjects && session.cwd !== project))
          throw new ToolError(
            `No session "${input.session_id}" in this project. Call session_search with no arguments to list this project's sessions.`,
          );
        return input.around !== undefined
          ? scroll(history, session, input.around, input.limit, current)
          : readEdges(history, session, current);
      }
      return browse(history, input.limit ?? DEFAULT_HITS, current, cwd);
    },
  });
}

async function discover(
  history: HistoryStore,
  input: SessionSearchInput,
  current: string,
  cwd: string | undefined,
  project: string,
) {
  const query = {
    query: input.query!,
    sessionId: input.session_id,
    cwd,
    role: input.role,
    since: parseDate(input.since, 'since'),
    until: parseDate(input.until, 'until'),
    limit: input.limit ?? DEFAULT_HITS,
  };
  // Across every project, this project's sessions still rank first among equals.
  const outcome = history.searchRanked
    ? await history.searchRanked({ ...query, preferCwd: project })
    : { hits: await history.search(query), matched: 0, tooMany: false };
  const found = outcome.hits;
  // This session's messages are mostly still in the model's context (compaction moves on to a
  // child session), so they rank below other sessions' equally good hits: the question being
  // asked right now should not be its own best answer.
  const hits = input.session_id
    ? found
    : found
        .map((h) => (h.sessionId === current ? { ...h, score: h.score * CURRENT_SESSION_WEIGHT } : h))
        .sort((a, b) => b.score - a.score);
  if (!hits.length) {
    return {
      forModel: `No past messages match "${input.query}". Try fewer or different words, or call session_search with no arguments to list recent sessions.`,
      rawOutput: { hits: [] },
    };
  }
  // Neighbouring messages for the best hits: enough to tell a decision from a passing mention.
  const context = new Map<SearchHit, StoredRecord[]>();
  for (const hit of hits.slice(0, CONTEXT_HITS)) {
    context.set(
      hit,
      await history.readSession(hit.sessionId, { from: Math.max(0, hit.ord - 1), to: hit.ord + 2 }),
    );
  }
  const groups = new Map<string, SearchHit[]>();
  for (const hit of hits) groups.set(hit.sessionId, [...(groups.get(hit.sessionId) ?? []), hit]);
  const lines = [`${hits.length} matching messages in ${groups.size} sessions, best first:`];
  lines.push(...coverageNotes(outcome, input));
  for (const [sessionId, group] of groups) {
    const first = group[0]!;
    lines.push('', sessionHeading(sessionId, first.sessionTitle, first.cwd, current));
    for (const hit of group) {
      lines.push(`  #${hit.ord} ${hit.role}, ${formatDate(hit.at)}: ${oneLine(hit.snippet, 400)}`);
      for (const r of context.get(hit) ?? []) {
        if (r.ord === hit.ord) continue;
        const text = recordPreview(r, PREVIEW);
        if (text) lines.push(`      ${r.ord < hit.ord ? 'before' : 'after'} #${r.ord}: ${text}`);
      }
    }
  }
  lines.push('', 'Read more with session_search {session_id, around: <message number>}.');
  return { forModel: lines.join('\n'), rawOutput: { hits } };
}

async function readEdges(history: HistoryStore, session: SessionMeta, current: string) {
  const total = session.recordCount;
  const head = await history.readSession(session.id, { to: READ_EDGE * 2 });
  const tail =
    total > READ_EDGE * 4 ? await history.readSession(session.id, { from: total - READ_EDGE * 2 }) : [];
  const lines = [sessionHeading(session.id, session.title, session.cwd, current), describeSpan(session)];
  const show = (records: StoredRecord[]) => {
    for (const r of messagesOnly(records).slice(0, READ_EDGE))
      lines.push(`#${r.ord} ${roleOf(r)}: ${recordPreview(r, 600)}`);
  };
  lines.push('', 'Start:');
  show(head);
  if (tail.length) {
    lines.push('', `… (${total} records in all) …`, '', 'End:');
    const last = messagesOnly(tail).slice(-READ_EDGE);
    for (const r of last) lines.push(`#${r.ord} ${roleOf(r)}: ${recordPreview(r, 600)}`);
  }
  lines.push('', 'Read any part with session_search {session_id, around: <message number>}.');
  return { forModel: lines.join('\n'), rawOutput: { session } };
}

async function scroll(
  history: HistoryStore,
  session: SessionMeta,
  around: number,
  limit: number | undefined,
  current: string,
) {
  const radius = limit ?? SCROLL_RADIUS;
  const records = messagesOnly(
    await history.readSession(session.id, { from: Math.max(0, around - radius), to: around + radius + 1 }),
  );
  const lines = [sessionHeading(session.id, session.title, session.cwd, current), describeSpan(session), ''];
  if (!records.length)
    lines.push(`No messages around #${around} (the session has ${session.recordCount} records).`);
  for (const r of records) {
    lines.push(
      `${r.ord === around ? '>>' : ''}#${r.ord} ${roleOf(r)}, ${formatDate(r.at)}:`,
      recordPreview(r, FULL_TEXT, true),
      '',
    );
  }
  return { forModel: lines.join('\n').trimEnd(), rawOutput: { session, ords: records.map((r) => r.ord) } };
}

async function browse(history: HistoryStore, limit: number, current: string, cwd: string | undefined) {
  const { sessions } = await history.listSessions({ limit, cwd });
  if (!sessions.length) return { forModel: 'No sessions are recorded yet.', rawOutput: { sessions } };
  const lines = [`${sessions.length} most recent sessions:`];
  for (const s of sessions) {
    lines.push(`- ${sessionHeading(s.id, s.title, s.cwd, current)}; ${describeSpan(s)}`);
  }
  lines.push('', 'Search with session_search {query}, or read one with session_search {session_id}.');
  return { forModel: lines.join('\n'), rawOutput: { sessions } };
}

function sessionHeading(id: string, title: string | undefined, cwd: string, current: string): string {
  return `Session ${id}${id === current ? ' (this session)' : ''}: "${title ?? 'untitled'}" in ${cwd || 'unknown folder'}`;
}

function describeSpan(s: SessionMeta): string {
  return `${s.recordCount} records, ${formatDate(s.createdAt)} to ${formatDate(s.updatedAt)}`;
}

function messagesOnly(records: StoredRecord[]): StoredRecord[] {
  return records.filter(
    (r) => r.type === 'compaction' || (r.type === 'message' && r.message.role !== 'system'),
  );
}

function roleOf(r: StoredRecord): string {
  if (r.type === 'compaction') return 'summary of earlier turns';
  return r.type === 'message'
    ? r.message.role === 'tool'
      ? `tool ${r.message.name}`
      : r.message.role
    : 'tool call';
}

function recordPreview(r: StoredRecord, max: number, keepLines = false): string {
  if (r.type === 'compaction') return keepLines ? clip(r.summary, max) : oneLine(r.summary, max);
  if (r.type !== 'message') return '';
  const m = r.message;
  let text: string;
  if (m.role === 'user') text = userText(m.content);
  else if (m.role === 'assistant') {
    const calls = m.toolCalls?.map((c) => c.name).join(', ');
    text = [m.content, calls ? `[called ${calls}]` : ''].filter(Boolean).join(' ');
  } else if (m.role === 'tool') text = `${m.isError ? '[error] ' : ''}${m.content}`;
  else text = m.content;
  return keepLines ? clip(text, max) : oneLine(text, max);
}

function oneLine(text: string, max: number): string {
  return clip(text.replace(/\s+/g, ' ').trim(), max);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text;
}

function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function parseDate(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new ToolError(`"${name}" must be an ISO date like 2026-05-01 or 2026-05-01T14:00; got "${text}".`);
  return ms;
}

/** What a search did not cover: too many matches to rank them all, older history left out, a rebuild. */
function coverageNotes(
  outcome: { matched: number; tooMany: boolean; searchedBack?: number; partial?: boolean },
  input: SessionSearchInput,
): string[] {
  const notes: string[] = [];
  if (outcome.tooMany) {
    notes.push(
      `(This query matches too much to rank every match (${outcome.matched}+ messages); only the most recent were ranked. ` +
        `Narrow it: more specific words, a "quoted phrase", role, since/until${input.session_id ? '' : ' or session_id'}.)`,
    );
  }
  if (outcome.searchedBack !== undefined) {
    notes.push(
      `(Searched messages back to ${formatDate(outcome.searchedBack)}; for older ones pass until: "${new Date(outcome.searchedBack).toISOString().slice(0, 10)}".)`,
    );
  }
  if (outcome.partial)
    notes.push('(History is being re-indexed: older sessions may be missing from these results.)');
  return notes;
}
