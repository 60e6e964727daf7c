/**
 * Shapes of credentials that must never leave in an export, whoever they belong to: provider
 * API keys, cloud and chat tokens, private keys, bearer headers and `…_KEY=value` assignments.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{40,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  /\bhf_[A-Za-z0-9]{30,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\b[Bb]earer\s+[A-Za-z0-9._~+/-]{20,}=*/g,
  /\b(?:[A-Z0-9_]*(?:API_?KEY|SECRET|TOKEN|PASSWORD|PASSWD))\s*[=:]\s*["']?(?!\[REDACTED\])[^\s"']{8,}/g,
];

export const REDACTION = '[REDACTED]';

/**
 * Removes secrets from exported text: the exact values Cairn knows (model keys, the values of
 * credential-named variables) first, then anything shaped like a credential. Counts what it did.
 */
export class SecretRedactor {
  count = 0;
  private readonly values: string[];

  constructor(knownValues: readonly string[]) {
    // Longest first, so a key that contains another is replaced whole.
    this.values = [...new Set(knownValues.filter((v) => v.length >= 8))].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (!out.includes(value)) continue;
      const parts = out.split(value);
      this.count += parts.length - 1;
      out = parts.join(REDACTION);
    }
    for (const pattern of SECRET_PATTERNS) {
      out = out.replace(pattern, () => {
        this.count++;
        return REDACTION;
      });
    }
    return out;
  }
}
