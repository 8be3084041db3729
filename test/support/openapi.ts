import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** The bundled contract, read once, and what the tests need to know about it. */
export const document = JSON.parse(
  readFileSync(new URL("../../generated/openapi.json", import.meta.url), "utf8"),
) as OpenApi;

interface OpenApi {
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
}
type Json = Record<string, unknown>;

export interface Operation {
  operationId: string;
  method: string;
  path: string;
  statuses: number[];
  raw: Json;
}

const METHODS = ["get", "put", "post", "delete", "patch"];

/** Follows a `#/components/...` reference of a non-schema object. */
export function deref<T = Json>(node: unknown): T {
  let current = node as Json;
  while (typeof current?.$ref === "string") {
    const parts = (current.$ref as string).replace(/^#\//, "").split("/");
    current = parts.reduce<Json>(
      (n, p) => n[p.replace(/~1/g, "/").replace(/~0/g, "~")] as Json,
      document as unknown as Json,
    );
  }
  return current as T;
}

export const operations: Operation[] = Object.entries(document.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => m in item).map((method) => {
    const raw = item[method] as Json;
    const responses = raw.responses as Record<string, unknown>;
    return {
      operationId: raw.operationId as string,
      method: method.toUpperCase(),
      path,
      statuses: Object.keys(responses).map(Number),
      raw,
    };
  }),
);

export function operation(operationId: string): Operation {
  const op = operations.find((o) => o.operationId === operationId);
  if (!op) throw new Error(`no operation ${operationId} in the contract`);
  return op;
}

export interface ResponseSpec {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: unknown; examples?: Record<string, unknown> }>;
}

export function responseOf(operationId: string, status: number): ResponseSpec {
  const op = operation(operationId);
  const response = (op.raw.responses as Record<string, unknown>)[String(status)];
  if (!response) throw new Error(`${operationId} does not document ${status}`);
  return deref<ResponseSpec>(response);
}

export interface HeaderSpec {
  required?: boolean;
  schema: Json;
}

// The whole document is one schema resource, so `#/components/schemas/X` references inside it
// resolve exactly as in the bundle. strict: false because OpenAPI adds its own keywords (example).
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document as unknown as Json, "openapi.json");
const compiled = new Map<string, ValidateFunction>();

/** Validates a value against a schema node of the document (by JSON pointer). */
export function validatorAt(pointer: string): ValidateFunction {
  let validate = compiled.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi.json#${pointer}` });
    compiled.set(pointer, validate);
  }
  return validate;
}

/** Validates a response body against what the contract says for (operation, status, media type). */
export function validateBody(operationId: string, status: number, mediaType: string, body: unknown): string[] {
  const op = operation(operationId);
  const responseNode = (op.raw.responses as Json)[String(status)] as Json;
  const base =
    typeof responseNode.$ref === "string"
      ? (responseNode.$ref as string).slice(1)
      : `/paths/${op.path.replace(/~/g, "~0").replace(/\//g, "~1")}/${op.method.toLowerCase()}/responses/${status}`;
  const pointer = `${base}/content/${mediaType.replace(/~/g, "~0").replace(/\//g, "~1")}/schema`;
  const validate = validatorAt(pointer);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

/** Validates a header value (a string on the wire) against its documented schema. */
export function validateHeader(header: HeaderSpec, value: string): boolean {
  const validate = ajv.compile(header.schema);
  const typed = header.schema.type === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
  return validate(typed) as boolean;
}
