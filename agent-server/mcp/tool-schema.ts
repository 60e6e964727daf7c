/**
 * MCP servers describe tool inputs with any JSON schema; OpenAI-compatible function calling (and
 * the local servers that imitate it) accept a narrower dialect. This rewrites a schema into that
 * dialect without changing what it accepts for ordinary inputs.
 */

type Schema = Record<string, unknown>;

/** Keywords some providers reject outright and the model does not need. */
const DROPPED_KEYWORDS = new Set(['$schema', '$id', '$comment', '$anchor', '$dynamicAnchor', '$vocabulary']);
/** How deep `$ref`s are expanded before a recursive schema is cut off. */
const MAX_REF_DEPTH = 6;

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolvePointer(root: Schema, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function sanitiseNode(node: unknown, root: Schema, refDepth: number): Schema {
  // `true` accepts anything, `false` nothing; function calling wants objects.
  if (node === false) return { not: {} };
  if (!isObject(node)) return {};

  if (typeof node.$ref === 'string') {
    const target = refDepth < MAX_REF_DEPTH ? resolvePointer(root, node.$ref) : undefined;
    const { $ref: _ref, ...siblings } = node;
    const expanded =
      target === undefined ? { description: 'Recursive or external value (any JSON).' } : target;
    return sanitiseNode({ ...(isObject(expanded) ? expanded : {}), ...siblings }, root, refDepth + 1);
  }

  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.has(key) || key === '$defs' || key === 'definitions') continue;
    switch (key) {
      case 'properties':
        if (isObject(value)) {
          out.properties = Object.fromEntries(
            Object.entries(value).map(([name, sub]) => [name, sanitiseNode(sub, root, refDepth)]),
          );
        }
        break;
      case 'items':
        // Tuple form (`items: [...]`) is older draft syntax many providers reject: accept any of them.
        out.items = Array.isArray(value)
          ? { anyOf: value.map((sub) => sanitiseNode(sub, root, refDepth)) }
          : sanitiseNode(value, root, refDepth);
        break;
      case 'additionalProperties':
      case 'not':
      case 'contains':
      case 'propertyNames':
        out[key] = typeof value === 'boolean' ? value : sanitiseNode(value, root, refDepth);
        break;
      case 'oneOf':
      case 'anyOf':
      case 'allOf':
        if (Array.isArray(value)) {
          // `oneOf` is not supported by several providers; for a model's arguments `anyOf` means the same.
          const target = key === 'allOf' ? 'allOf' : 'anyOf';
          out[target] = value.map((sub) => sanitiseNode(sub, root, refDepth));
        }
        break;
      default:
        out[key] = value;
    }
  }

  const types = Array.isArray(out.type) ? out.type : [out.type];
  if (types.includes('array') && out.items === undefined) out.items = {};
  if (types.includes('object') && isObject(out.properties) && Array.isArray(out.required)) {
    const known = out.properties;
    out.required = out.required.filter((name) => typeof name === 'string' && name in known);
  }
  return out;
}

/** The schema to show the model for an MCP tool's `inputSchema`: always an object schema. */
export function sanitiseToolSchema(inputSchema: unknown): Schema {
  const root = isObject(inputSchema) ? inputSchema : {};
  const out = sanitiseNode(root, root, 0);
  if (out.type !== 'object') {
    // Tool arguments are always an object; a server that says otherwise still gets one.
    return { type: 'object', properties: {}, ...(out.description ? { description: out.description } : {}) };
  }
  if (!isObject(out.properties)) out.properties = {};
  return out;
}

/** Rough token count of a tool as it is sent to the model (≈ 4 characters a token for JSON). */
export function estimateToolTokens(name: string, description: string, schema: Schema): number {
  return Math.ceil((name.length + description.length + JSON.stringify(schema).length) / 4) + 10;
}
