import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PermissionOption } from '@agentclientprotocol/sdk';
import { autoApprovalOption, reviewAnswerOption } from '../../../extension/approval-policy.js';

const options: PermissionOption[] = [
  { optionId: 'always', name: 'Always', kind: 'allow_always' },
  { optionId: 'once', name: 'Once', kind: 'allow_once' },
  { optionId: 'no', name: 'No', kind: 'reject_once' },
];
const req = (kind: 'read' | 'edit' | 'execute') => ({ toolCall: { toolCallId: 't', kind }, options });

test('nothing is auto-approved unless the user turned it on', () => {
  assert.equal(autoApprovalOption(req('read'), { reads: false, edits: false }), null);
  assert.equal(autoApprovalOption(req('edit'), { reads: true, edits: false }), null);
});

test('auto-approval picks the agent’s allow-once option for reads and edits only', () => {
  const all = { reads: true, edits: true };
  assert.equal(autoApprovalOption(req('read'), all)?.optionId, 'once');
  assert.equal(autoApprovalOption(req('edit'), all)?.optionId, 'once');
  assert.equal(autoApprovalOption(req('execute'), all), null);
  assert.equal(autoApprovalOption({ ...req('read'), options: [options[2]!] }, all), null);
});

test('Accept and Reject map onto the offered options', () => {
  assert.equal(reviewAnswerOption(options, true)?.optionId, 'once');
  assert.equal(reviewAnswerOption(options, false)?.optionId, 'no');
  assert.equal(reviewAnswerOption([options[0]!], false), null);
});

test('an edit offered without "always" (a file that runs code outside the sandbox) is never auto-approved', () => {
  const noAlways = options.filter((o) => o.kind !== 'allow_always');
  const request = { toolCall: { toolCallId: 't', kind: 'edit' as const }, options: noAlways };
  assert.equal(autoApprovalOption(request, { reads: true, edits: true }), null);
});
