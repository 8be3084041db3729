/**
 * The operations of the bundled contract, as the HTTP front needs them before the validator runs:
 * which ones take a JSON body, and which query parameters are integers. Read once at start, so
 * the contract stays the one place these facts are written.
 */
export interface Operation {
  operationId: string;
  method: string;
  /** The contract's path template, e.g. `/v1/destinations/{destination_id}`. */
  path: string;
  matches: RegExp;
  jsonBody: boolean;
  /** The JSON body's top-level arrays that have a maxItems: property name → maxItems. */
  arrayLimits: Map<string, number>;
}

interface SpecNode {
  $ref?: string;
  [key: string]: unknown;
}

const METHODS = ["get", "put", "post", "patch", "delete"] as const;

export function operationsOf(spec: object): Operation[] {
  const root = spec as { paths: Record<string, Record<string, SpecNode>> };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(root.paths)) {
    const matches = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}/?$`);
    for (const method of METHODS) {
      const op = item[method] as (SpecNode & { operationId: string; requestBody?: { content?: object } }) | undefined;
      if (!op) continue;
      const content = (deref(spec, op.requestBody)?.content ?? {}) as Record<string, { schema?: SpecNode }>;
      const json = content["application/json"];
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        matches,
        jsonBody: json !== undefined,
        arrayLimits: arrayLimits(spec, json?.schema),
      });
    }
  }
  return operations;
}

/** The maxItems of a body schema's top-level array properties, by property name. */
function arrayLimits(spec: object, schema: SpecNode | undefined): Map<string, number> {
  const properties = (deref(spec, schema)?.properties ?? {}) as Record<string, SpecNode>;
  const limits = new Map<string, number>();
  for (const [name, raw] of Object.entries(properties)) {
    const property = deref(spec, raw) as { type?: string; maxItems?: number } | undefined;
    if (property?.type === "array" && property.maxItems !== undefined) limits.set(name, property.maxItems);
  }
  return limits;
}

/** The operation a request is for, or undefined (an unknown path or method). */
export function operationFor(operations: Operation[], method: string, path: string): Operation | undefined {
  const m = method === "HEAD" ? "GET" : method;
  return operations.find((o) => o.method === m && o.matches.test(path));
}

/**
 * The integer query parameters, by name as a query string spells them (`page[size]` for the
 * `size` property of the deepObject `page`), with the largest `maximum` the contract gives one.
 */
export function integerQueryParameters(spec: object): Map<string, number | undefined> {
  const limits = new Map<string, number | undefined>();
  const add = (name: string, maximum: number | undefined) => {
    const unbounded = maximum === undefined || (limits.has(name) && limits.get(name) === undefined);
    // A parameter with no maximum in any one operation has none: undefined.
    limits.set(name, unbounded ? undefined : Math.max(limits.get(name) ?? maximum, maximum));
  };
  const root = spec as { paths: Record<string, Record<string, SpecNode & { parameters?: SpecNode[] }>> };
  for (const item of Object.values(root.paths)) {
    const lists = [item.parameters, ...METHODS.map((m) => item[m]?.parameters)];
    for (const raw of lists.flat()) {
      const p = deref(spec, raw) as { in?: string; name?: string; schema?: SpecNode } | undefined;
      if (p?.in !== "query" || !p.name) continue;
      const schema = deref(spec, p.schema) as
        | (IntegerSchema & { properties?: Record<string, IntegerSchema> })
        | undefined;
      if (schema?.type === "integer") add(p.name, schema.maximum);
      for (const [property, s] of Object.entries(schema?.properties ?? {}))
        if (s.type === "integer") add(`${p.name}[${property}]`, s.maximum);
    }
  }
  return limits;
}

interface IntegerSchema {
  type?: string;
  maximum?: number;
}

/** Follows a local `$ref` (`#/components/...`) of the bundle. */
function deref<T extends SpecNode>(spec: object, node: T | undefined): T | undefined {
  if (!node?.$ref) return node;
  let at: unknown = spec;
  for (const part of node.$ref.replace(/^#\//, "").split("/")) at = (at as Record<string, unknown>)[part];
  return deref(spec, at as T);
}

/** The `default` of a property of a shared parameter (`Page`'s `size`, say), as the contract sets it. */
export function parameterDefault(spec: object, parameter: string, property: string): unknown {
  const root = spec as { components: { parameters: Record<string, SpecNode & { schema?: SpecNode }> } };
  const schema = deref(spec, root.components.parameters[parameter]?.schema) as
    | { properties?: Record<string, { default?: unknown }> }
    | undefined;
  return schema?.properties?.[property]?.default;
}
