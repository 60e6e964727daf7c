/**
 * Prompt-injection and exfiltration patterns, matched against one logical line of text
 * (a soft-wrapped paragraph joined, or one list item), after normalisation (NFKC, hidden
 * characters removed, look-alike letters folded, lower case, whitespace collapsed).
 *
 * Each rule is written against a realistic attack and checked against benign text that
 * looks similar (see test/unit/security): "ignore whitespace in diffs", install one-liners
 * with curl, an Authorization header with $GITHUB_TOKEN, "never send secrets to third parties".
 */

export interface ThreatRule {
  id: string;
  reason: string;
  test(line: string): boolean;
}

// ---- shared fragments (lower case) ----

const SECRET_VAR =
  /(\$\{?|\$env:|%)[a-z0-9_]*(api_?key|secret|token|passw(or)?d|passwd|credential|private_?key|access_?key|auth)[a-z0-9_]*\}?%?/;
const SECRET_FILE =
  /(~|\$home|\$\{home\}|\/root|\/home\/[^/\s]+)\/\.(ssh|aws|gnupg|docker\/config|kube|config\/gh|netrc|npmrc|pypirc|pgpass|git-credentials)\b|\bid_(rsa|ed25519|ecdsa|dsa)\b(?!\.pub)|(^|[\s'"=@<\/])\.env\b(?!\.(example|sample|template|dist))|\/etc\/shadow\b|(^|[\s'"=@<\/])\.(netrc|pgpass|git-credentials|npmrc|pypirc)\b|\.aws\/credentials\b/;
const NET_SENDER =
  /(^|[\s|;&(`$])(sudo\s+)?(curl|wget|nc|ncat|netcat|socat|telnet|sendmail|invoke-webrequest|invoke-restmethod|iwr|irm)(\s|$)/;
const ENV_DUMP =
  /(^|[\s|;&(`$])(printenv|env|export\s+-p|declare\s+-x|get-childitem\s+env:|gci\s+env:)\s*($|[|)`;&>])/;
/** A negation earlier in the same clause turns a rule ("never send tokens to …") into advice. */
const NEGATION =
  /\b(never|not|no|avoid|without|refuse|forbidden|prohibited|mustn't|don't|dont|doesn't|shouldn't|can't|cannot|won't)\b/;

function negatedBefore(line: string, index: number): boolean {
  const clauseStart = Math.max(
    line.lastIndexOf('.', index - 1),
    line.lastIndexOf(';', index - 1),
    line.lastIndexOf('!', index - 1),
    line.lastIndexOf('?', index - 1),
    line.lastIndexOf(':', index - 1),
  );
  return NEGATION.test(line.slice(clauseStart + 1, index));
}

/** True when `re` (global) matches somewhere not preceded by a negation in its clause. */
function affirmed(line: string, re: RegExp): boolean {
  re.lastIndex = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (!negatedBefore(line, m.index)) return true;
    re.lastIndex = m.index + 1;
  }
  return false;
}

const any =
  (...res: RegExp[]) =>
  (line: string) =>
    res.some((re) => re.test(line));

// ---- instruction override ----

const IGNORE_VERB = String.raw`\b(ignore|disregard|forget|override|bypass|neglect|abandon)\s+`;
const INSTRUCTION_NOUN = String.raw`(instructions?|prompts?|rules|directives|directions|guidelines|guardrails|constraints|commands|programming|system\s+message)\b`;
/** "ignore all previous instructions", "ignore your previous build rules". */
const IGNORE_PREVIOUS = new RegExp(
  IGNORE_VERB +
    String.raw`(all\s+|any\s+|of\s+|the\s+|my\s+|your\s+|these\s+|those\s+)*(previous|prior|above|earlier|preceding|former|original|initial)\s+(\w+\s+)?` +
    INSTRUCTION_NOUN,
);
/** "disregard your rules", "override the system prompt", "ignore safety guidelines". */
const IGNORE_OWN = new RegExp(
  IGNORE_VERB + String.raw`(all\s+|any\s+|of\s+|the\s+)*(your|system|developer|safety)\s+` + INSTRUCTION_NOUN,
);
/** "ignore all instructions" — but not "ignore all instructions found in web pages" (defensive advice). */
const IGNORE_ALL = new RegExp(
  IGNORE_VERB +
    String.raw`(all|every|any)\s+(other\s+)?` +
    INSTRUCTION_NOUN +
    String.raw`(?!\s+(in|from|inside|found|embedded|contained|within|on|that\s+appear))`,
);
const FORGET_EVERYTHING =
  /\b(forget|disregard|ignore)\s+(everything|all|anything)\s+(above|before|previously|you\s+(were|have\s+been)\s+(told|given|instructed))\b/;

// ---- against the user ----

const IGNORE_USER_A =
  /\b(ignore|disregard|override)\s+(what\s+)?(the|this)\s+(user|human)\s*($|[.,;:!]|\s+(says|said|asks|wants|types|writes|requests?|tells|and|if|when|until|completely|entirely)\b)/g;
const IGNORE_USER_B =
  /\b(ignore|disregard|override)\s+(the\s+|any\s+|all\s+)?(user|human)('s|s)?\s+(instructions?|requests?|messages?|commands?|wishes|questions|corrections|objections|refusals?)\b/g;
const DONT_OBEY_USER = /\b(do\s+not|don't|never)\s+(obey|listen\s+to|follow)\s+(the\s+)?(user|human)\b/;
/**
 * "never override what the user asks", "never let it override the user": the verb itself is
 * negated (a negation right before it, at most a couple of filler words between), which is the
 * opposite order. A negation further back ("if the user says no, ignore the user") is not.
 */
function verbNegated(line: string, index: number): boolean {
  return /\b(never|not|don't|dont|doesn't|mustn't|shouldn't|cannot|can't|won't)\s+((let|it|them|ever|to|be|you)\s+){0,2}$/.test(
    line.slice(Math.max(0, index - 60), index),
  );
}
function againstUser(line: string): boolean {
  for (const re of [IGNORE_USER_A, IGNORE_USER_B]) {
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (!verbNegated(line, m.index)) return true;
      re.lastIndex = m.index + 1;
    }
  }
  return DONT_OBEY_USER.test(line);
}
/**
 * Secrecy toward the user. Real agent docs say "do not tell the user to type done" (wording
 * advice) and "do not stash without telling the user" (transparency): only the bare order to
 * keep something from the user counts.
 */
const WITHOUT_TELLING = /\bwithout\s+(telling|informing|alerting)\s+(the\s+)?(user|human)\b/g;
const HIDE_FROM_USER_PHRASES = any(
  /\b(do\s+not|don't|never)\s+(tell|inform)\s+(the\s+)?(user|human)(\s+about\s+(this|it|that|these|them|what\s+you)\b|\s+anything\b|\s*($|[.,;:!)]))/,
  /\b(do\s+not|don't|never)\s+mention\s+(this|it|that|anything)\s+to\s+(the\s+)?(user|human)\b/,
  /\b(do\s+not|don't|never)\s+let\s+(the\s+)?(user|human)\s+(know|see|notice|find\s+out)\b/,
  /\b(hide|conceal|keep)\s+(this|it|that|these|them|everything|the\s+\w+)\s+(secret\s+)?(hidden\s+)?from\s+(the\s+)?(user|human)\b/,
  /\bwithout\s+(the\s+)?(user|human)\s+(knowing|noticing|seeing|finding\s+out)\b/,
  /\b(the\s+)?(user|human)\s+(must|should)\s+(not|never)\s+(know|notice|find\s+out|be\s+told)\b/,
);
const HIDE_FROM_USER = (line: string) => HIDE_FROM_USER_PHRASES(line) || affirmed(line, WITHOUT_TELLING);

// ---- role hijack and fake conversation structure ----

const ROLE_HIJACK = any(
  /\byou\s+are\s+now\s+(dan\b|jailbroken|unrestricted|unfiltered|uncensored|evil|free\s+of|no\s+longer|in\s+(developer|dev|god|jailbreak|dan|unrestricted|admin|sudo)\s+mode)/,
  /\b(developer|god|jailbreak|dan)\s+mode\s+(is\s+)?(now\s+)?(enabled|activated|on|unlocked)\b/,
  /\b(act|behave|respond|operate)\s+as\s+(if|though)\s+you\s+(have|had)\s+no\s+(restrictions|rules|limits|limitations|guidelines|filters|guardrails)\b/,
  /\byou\s+(have|has)\s+no\s+(restrictions|rules|limits|limitations|guidelines|filters|guardrails)\b/,
  /\byour\s+(new|real|true|actual)\s+(instructions|task|goal|purpose|objective|role|directive)\s+(is|are)\b/,
  /\b(new|updated|revised|real)\s+system\s+(prompt|instructions?|message)\s*(:|is|are|follows)/,
  /\bsystem\s+(prompt\s+)?(override|update|injection)\b/,
  /\bbegin\s+(new\s+)?system\s+(prompt|instructions?|message)\b/,
);
const CHAT_TOKENS =
  /<\|(im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>|\[\/?inst\]|<<\/?sys>>|^\s*<\/?(system|system_prompt|system-prompt)>/;

const PROMPT_LEAK =
  /\b(reveal|print|output|repeat|leak|dump|disclose|send|share)\s+(me\s+)?(your|the\s+full|the\s+hidden|the\s+entire|all\s+your)\s+(system\s+prompt|hidden\s+instructions|initial\s+instructions|instructions\s+verbatim)/;

/**
 * "bypass the permission checks" as an order (at the start of a clause, or after "you must",
 * "please"…), not "an attempt to bypass the permission model" in documentation.
 */
const BYPASS_SAFETY =
  /(^|[.;:!?,]\s*|\b(and|then)\s+)(you\s+(must|should|need\s+to|have\s+to|can|may)\s+|please\s+|always\s+|just\s+|now\s+|first\s+|quietly\s+|silently\s+)*(bypass|circumvent|evade|get\s+around)\s+(the\s+|all\s+|any\s+|your\s+)?((sandbox|permissions?|approvals?|safety|security)\b|content\s+(filters?|scanner|checks?))/;

// ---- exfiltration ----

function pipesSecretsToNetwork(line: string): boolean {
  const pipe = /\|\s*(sudo\s+)?(curl|wget|nc|ncat|netcat|socat|telnet|sendmail|openssl\s+s_client)\b/.exec(
    line,
  );
  if (!pipe) return false;
  const before = line.slice(0, pipe.index);
  return ENV_DUMP.test(before + ' ') || SECRET_FILE.test(before) || SECRET_VAR.test(before);
}

const CODE_NET =
  /\b(requests\.(post|get|put)|urllib\.request|urlopen|fetch\(|axios(\.(post|get|put))?\(|https?\.request|xmlhttprequest)/;
const CODE_ENV_OBJECT = /\bos\.environ\b(?!\s*(\.get|\[))|\bprocess\.env\b(?!\s*(\.|\[))/;
const CODE_SENDS_ENV = { test: (line: string) => CODE_NET.test(line) && CODE_ENV_OBJECT.test(line) };

function networkCommandCarriesSecrets(line: string): boolean {
  // Code that posts the whole environment: requests.post(url, data=dict(os.environ)).
  if (CODE_SENDS_ENV.test(line)) return true;
  if (!NET_SENDER.test(line)) return false;
  // Command substitution that dumps the environment or reads a secret file.
  for (const m of line.matchAll(/\$\(([^)]*)\)|`([^`]*)`/g)) {
    const inner = (m[1] ?? m[2] ?? '') + ' ';
    if (
      ENV_DUMP.test(' ' + inner) ||
      (/\b(cat|base64|head|tail|tar|xxd|gpg)\b/.test(inner) && SECRET_FILE.test(inner))
    )
      return true;
  }
  // Credentials sent where they belong (an auth header, --user, curl's own netrc) are normal API use.
  const rest = line
    .replace(/(^|\s)(-h|--header)(\s*=?\s*)("[^"]*"|'[^']*'|\S+)/g, ' ')
    .replace(/(^|\s)(-u|--user|--oauth2-bearer)(\s*=?\s*)("[^"]*"|'[^']*'|\S+)/g, ' ')
    .replace(/--netrc(-file|-optional)?(\s*=?\s*\S+)?/g, ' ');
  return SECRET_FILE.test(rest) || SECRET_VAR.test(rest);
}

const SECRET_NOUN = String.raw`(api[\s_-]?keys?|secrets?|tokens?|credentials?|passwords?|private\s+keys?|ssh\s+keys?|env(ironment)?\s+var(iable)?s?|\.env\b|~\/\.ssh|~\/\.aws|id_rsa|cookies|session\s+ids?)`;
const SEND_SECRETS_TO = new RegExp(
  String.raw`\b(send|post|upload|transmit|forward|exfiltrate|leak|e-?mail|copy|pipe|beacon)\b(?:[^\n.;]|\.(?=\S)){0,80}?(?<![a-z0-9])` +
    SECRET_NOUN +
    String.raw`(?:[^\n.;]|\.(?=\S)){0,80}?\b(to|into|at|via)\s+(https?:\/\/|www\.|[\w.+-]+@[\w-]+\.[a-z]|(\d{1,3}\.){3}\d{1,3}|[^\n.;]{0,30}\b(webhook|pastebin|requestbin|ngrok|discord|telegram|attacker|external\s+(server|endpoint|url)|remote\s+(server|endpoint))\b)`,
  'g',
);
const DISCLOSE_SECRETS = new RegExp(
  String.raw`\b(include|paste|put|embed|append|insert|print|output|echo|leak)\b(?:[^\n.;]|\.(?=\S)){0,40}?(?<![a-z0-9])(the\s+)?(contents?\s+of\s+)?` +
    String.raw`(~\/\.ssh\/\S*|~\/\.aws\/\S*|id_rsa|id_ed25519|\.env\b|api[\s_-]?keys?|secrets|all\s+environment\s+variables|all\s+env\s+vars)` +
    String.raw`(?:[^\n.;]|\.(?=\S)){0,60}?\b(in|into|to)\s+(your|the|every|each|a|all)\s+(replies|reply|responses?|answers?|output|commits?|commit\s+messages?|pull\s+requests?|prs?|issues?|comments?|messages?)\b`,
  'g',
);
const IMAGE_BEACON = /!\[[^\]]*\]\(\s*https?:\/\/[^)\s]*\?[^)\s]*=\s*(\{|\$|<|\[|%7b)/;
const SSH_BACKDOOR =
  /\b(echo|printf|cat)\b[^\n]*\b(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+)\s+aaaa[^\n]*>>?\s*\S*authorized_keys\b/;

export const THREAT_RULES: ThreatRule[] = [
  {
    id: 'ignore-instructions',
    reason: 'prompt injection: tells the model to drop its instructions',
    test: any(IGNORE_PREVIOUS, IGNORE_OWN, IGNORE_ALL, FORGET_EVERYTHING),
  },
  {
    id: 'against-user',
    reason: 'prompt injection: tells the model to disobey the user',
    test: againstUser,
  },
  {
    id: 'hide-from-user',
    reason: 'deception: tells the model to hide things from the user',
    test: HIDE_FROM_USER,
  },
  { id: 'role-hijack', reason: 'prompt injection: tries to replace the model’s role', test: ROLE_HIJACK },
  { id: 'chat-tokens', reason: 'prompt injection: fake chat-template markers', test: any(CHAT_TOKENS) },
  { id: 'prompt-leak', reason: 'prompt injection: asks for the hidden prompt', test: any(PROMPT_LEAK) },
  {
    id: 'bypass-safety',
    reason: 'prompt injection: asks to switch off safety checks',
    test: any(BYPASS_SAFETY),
  },
  {
    id: 'exfil-command',
    reason: 'exfiltration: a command that sends secrets over the network',
    test: (line) => pipesSecretsToNetwork(line) || networkCommandCarriesSecrets(line),
  },
  {
    id: 'exfil-request',
    reason: 'exfiltration: asks to send or reveal secrets',
    test: (line) => affirmed(line, SEND_SECRETS_TO) || affirmed(line, DISCLOSE_SECRETS),
  },
  {
    id: 'exfil-image',
    reason: 'exfiltration: an image link built to carry data out',
    test: any(IMAGE_BEACON),
  },
  { id: 'ssh-backdoor', reason: 'persistence: adds an SSH key to authorized_keys', test: any(SSH_BACKDOOR) },
];
