import type * as acp from '@agentclientprotocol/sdk';
import type { PermissionAnswer, PermissionPrompter, PermissionRequest } from '../permissions/gate.js';
import { toAcpToolContent } from './translate.js';
import type { AgentContext } from './rpc/index.js';

/** The four ACP permission options, in the order editors show them. */
export function permissionOptions(request: PermissionRequest): acp.PermissionOption[] {
  const always =
    request.category === 'edit'
      ? 'Always allow edits in this project'
      : request.category === 'execute'
        ? 'Always allow this exact command'
        : request.category === 'network'
          ? 'Always allow this site in this project'
          : 'Always allow this tool';
  return [
    { optionId: 'allow_once', name: 'Allow', kind: 'allow_once' },
    // A file that runs code outside the sandbox is asked about every time: no "always" to offer.
    ...(request.runsOutsideSandbox || request.askEveryTime
      ? []
      : [{ optionId: 'allow_always', name: always, kind: 'allow_always' as const }]),
    { optionId: 'reject_once', name: 'Reject', kind: 'reject_once' },
    // Asked every time: "always reject" would silently refuse the next one.
    ...(request.askEveryTime
      ? []
      : [{ optionId: 'reject_always', name: 'Always reject', kind: 'reject_always' as const }]),
  ];
}

const ANSWERS: Record<string, PermissionAnswer> = {
  allow_once: 'allow_once',
  allow_always: 'allow_always',
  reject_once: 'reject_once',
  reject_always: 'reject_always',
};

/** Asks the editor's user through `session/request_permission`. */
export class ClientPermissionPrompter implements PermissionPrompter {
  constructor(
    private readonly client: AgentContext,
    private readonly sessionId: string,
  ) {}

  async ask(request: PermissionRequest, signal: AbortSignal): Promise<PermissionAnswer> {
    if (signal.aborted) return 'cancelled';
    let response: acp.RequestPermissionResponse;
    try {
      response = await this.client.request(
        'session/request_permission',
        {
          sessionId: this.sessionId,
          toolCall: {
            toolCallId: request.toolCallId,
            title: request.title,
            kind: request.kind,
            status: 'pending',
            ...(request.content ? { content: request.content.map(toAcpToolContent) } : {}),
            ...(request.locations ? { locations: request.locations } : {}),
            ...(request.rawInput !== undefined ? { rawInput: request.rawInput } : {}),
            // Lets a client hold dangerous commands to a stricter standard (`cairn run --yes` does).
            ...(request.dangerous ? { _meta: { cairn: { dangerous: true } } } : {}),
          },
          options: permissionOptions(request),
        },
        // session/cancel answers pending permission requests: the client replies `cancelled`.
        { cancellationSignal: signal, stopWaitingOnCancel: true },
      );
    } catch (err) {
      if (signal.aborted) return 'cancelled';
      throw err;
    }
    if (signal.aborted || response.outcome.outcome === 'cancelled') return 'cancelled';
    return ANSWERS[response.outcome.optionId] ?? 'reject_once';
  }
}
