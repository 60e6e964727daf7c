import type { PermissionOption, RequestPermissionRequest } from '@agentclientprotocol/sdk';

/** What the user chose to approve without asking, per workspace (`cairn.autoApprove.*`). */
export type AutoApproveSettings = { reads: boolean; edits: boolean };

/**
 * The option to pick without asking, or null to ask the user. Only reads and edits can be
 * auto-approved, only when the user turned that on, and only with an "allow once" option the
 * agent itself offered: nothing is approved that the user did not choose.
 */
export function autoApprovalOption(
  request: Pick<RequestPermissionRequest, 'toolCall' | 'options'>,
  settings: AutoApproveSettings,
): PermissionOption | null {
  const kind = request.toolCall.kind;
  const allowed = (kind === 'read' && settings.reads) || (kind === 'edit' && settings.edits);
  if (!allowed) return null;
  // Auto-approval is an "always" given in advance: when the agent offers no "always" (a file
  // that runs code outside the sandbox), the user answers every time.
  if (!request.options.some((o) => o.kind === 'allow_always')) return null;
  return request.options.find((o) => o.kind === 'allow_once') ?? null;
}

/** The option an Accept / Reject click on an edit review stands for. */
export function reviewAnswerOption(options: PermissionOption[], accept: boolean): PermissionOption | null {
  const order = accept
    ? (['allow_once', 'allow_always'] as const)
    : (['reject_once', 'reject_always'] as const);
  for (const kind of order) {
    const o = options.find((x) => x.kind === kind);
    if (o) return o;
  }
  return null;
}
