import type { z } from 'zod';

/**
 * Turns JSON syntax errors and schema issues in `config.json` into sentences a user can act
 * on: where (line/column or key), what was expected, and the closest valid key for a typo.
 */

/** `JSON.parse`'s message → "line L, column C: reason". Node 20 reports a character offset. */
export function describeJsonSyntaxError(text: string, err: Error): string {
  const position = /at position (\d+)/.exec(err.message);
  const offset = position ? Number(position[1]) : text.length;
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = before[before.length - 1]!.length + 1;
  const reason = err.message
    .replace(/\s*in JSON at position \d+.*$/, '')
    .replace(/^Unexpected end of JSON input$/, 'the file ends before the JSON does');
  return `line ${line}, column ${column}: ${reason}`;
}

type AnySchema = z.ZodType;

/** The `def` of a zod 4 schema, loosely typed: only the fields walked below are read. */
interface SchemaDef {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  valueType?: AnySchema;
  options?: AnySchema[];
  element?: AnySchema;
  in?: AnySchema;
}

const defOf = (schema: AnySchema): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The object keys a schema accepts at `path` (unions: every branch's keys). */
export function keysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let current: AnySchema[] = [schema];
  const unwrap = (s: AnySchema): AnySchema[] => {
    const def = defOf(s);
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === 'pipe' && def.in) return unwrap(def.in);
    if (def.type === 'union' && def.options) return def.options.flatMap(unwrap);
    return [s];
  };
  for (const segment of path) {
    current = current.flatMap(unwrap).flatMap((s): AnySchema[] => {
      const def = defOf(s);
      if (def.type === 'object' && def.shape) {
        const next = def.shape[String(segment)];
        return next ? [next] : [];
      }
      if (def.type === 'record' && def.valueType) return [def.valueType];
      if (def.type === 'array' && def.element) return [def.element];
      return [];
    });
  }
  const keys = current
    .flatMap(unwrap)
    .flatMap((s) => (defOf(s).type === 'object' ? Object.keys(defOf(s).shape ?? {}) : []));
  return [...new Set(keys)];
}

/** Edit distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The valid name nearest to `wrong` (case-insensitive), when it is near enough to be a typo. */
export function closestName(wrong: string, valid: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of valid) {
    const distance = editDistance(wrong.toLowerCase(), name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value)})`;
    case 'number':
      return `a number (${value})`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object ({…})',
  array: 'a list ([…])',
  record: 'an object ({…})',
};

/** One schema issue (parsed with `reportInput: true`) → lines of the form "key: problem". */
export function describeConfigIssue(schema: AnySchema, issue: z.core.$ZodIssue): string[] {
  const where = (path: readonly PropertyKey[]) => (path.length ? path.map(String).join('.') : '(top level)');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = keysAt(schema, issue.path);
      return issue.keys.map((key) => {
        const near = closestName(key, valid);
        const hint = near ? `did you mean "${near}"? ` : '';
        return `${where([...issue.path, key])}: unknown key; ${hint}valid keys here: ${valid.join(', ')}`;
      });
    }
    case 'invalid_type': {
      if (issue.input === undefined)
        return [`${where(issue.path)}: required (${EXPECTED[issue.expected] ?? issue.expected})`];
      return [
        `${where(issue.path)}: expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${typeName(issue.input)}`,
      ];
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const near = typeof issue.input === 'string' ? closestName(issue.input, options) : undefined;
      return [
        `${where(issue.path)}: ${JSON.stringify(issue.input)} is not one of ${options.join(', ')}` +
          (near ? `; did you mean "${near}"?` : ''),
      ];
    }
    case 'invalid_format':
      // A key pasted where its variable's name belongs is never echoed back.
      if (issue.path[issue.path.length - 1] === 'apiKeyEnv')
        return [
          `${where(issue.path)}: ${issue.message} (the value is not shown: if it is an API key, put it in the environment and name the variable here)`,
        ];
      return [`${where(issue.path)}: ${issue.message} (got ${JSON.stringify(issue.input)})`];
    default:
      return [`${where(issue.path)}: ${issue.message}`];
  }
}
