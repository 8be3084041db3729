import type { Request, RequestHandler, Response } from "express";
import type { operations } from "../../generated/schema.js";
import type { Operation } from "./operations.js";
import { requestPath } from "./problem.js";
import { matchedOperation } from "./validator.js";

// Handlers are typed from the contract: what they receive is what the (already validated)
// request holds, and what they return must be a documented success for that operation.
export type OperationId = keyof operations;
type Op<O extends OperationId> = operations[O];
type Params<O extends OperationId> = Op<O>["parameters"];

export type PathParams<O extends OperationId> =
  Params<O> extends { path: infer P }
    ? P extends undefined | never
      ? Record<string, never>
      : P
    : Record<string, never>;
export type QueryParams<O extends OperationId> =
  Params<O> extends { query?: infer Q } ? NonNullable<Q> : Record<string, never>;
// Every media type an operation takes: JSON as parsed, text (text/csv) as a string.
type BodyOf<R> = R extends { content: infer C } ? C[keyof C] : undefined;
export type RequestBody<O extends OperationId> =
  Op<O> extends { requestBody: infer R } ? BodyOf<R> : Op<O> extends { requestBody?: infer R } ? BodyOf<R> : undefined;

type Responses<O extends OperationId> = Op<O>["responses"];
type SuccessStatus<O extends OperationId> = Extract<keyof Responses<O>, 200 | 201 | 202 | 204>;
type JsonOf<R> = R extends { content: { "application/json": infer B } } ? B : undefined;

export type Reply<O extends OperationId> = {
  [S in SuccessStatus<O>]: { status: S; body: JsonOf<Responses<O>[S]>; headers?: Record<string, string> };
}[SuccessStatus<O>];

export interface Input<O extends OperationId> {
  accountId: string;
  params: PathParams<O>;
  query: QueryParams<O>;
  body: RequestBody<O>;
  /** The request path without its query (for links). */
  path: string;
}

/** The account the auth middleware resolved for this request. */
export function accountOf(res: Response): string {
  const id = res.locals.accountId as unknown;
  if (typeof id !== "string") throw new Error("route reached without authentication");
  return id;
}

/** A handler bound to an operation of the contract; where it is mounted comes from the contract too. */
export interface OperationRoute {
  operationId: OperationId;
  handler: RequestHandler;
}

/**
 * What a handler of operation O receives. The validator has checked params, query and body
 * against the same contract these types come from, which is what makes the casts sound.
 */
function inputOf<O extends OperationId>(req: Request, res: Response): Input<O> {
  return {
    accountId: accountOf(res),
    params: req.params as unknown as PathParams<O>,
    query: req.query as unknown as QueryParams<O>,
    body: req.body as RequestBody<O>,
    path: requestPath(req),
  };
}

/**
 * The handler of operation O, answering with JSON. (Express 5 passes a rejected promise to the
 * error handler: no wrapper needed.)
 */
export function route<O extends OperationId>(
  operationId: O,
  handle: (input: Input<O>) => Promise<Reply<O>>,
): OperationRoute {
  const handler: RequestHandler = async (req: Request, res: Response) => {
    const reply = await handle(inputOf<O>(req, res));
    res.status(reply.status).set(reply.headers ?? {});
    if (reply.body === undefined) res.end();
    else res.json(reply.body);
  };
  return { operationId, handler };
}

/**
 * The handler of an operation whose answer is written as a stream (a CSV download): the same
 * typed input, and the response to write to. An error before the first byte is a problem+json;
 * after it, the connection is cut (the client sees a truncated download, never a wrong one).
 */
export function streamRoute<O extends OperationId>(
  operationId: O,
  handle: (input: Input<O>, res: Response) => Promise<void>,
): OperationRoute {
  const handler: RequestHandler = (req: Request, res: Response) => handle(inputOf<O>(req, res), res);
  return { operationId, handler };
}

/**
 * The handlers, each called for the operation the contract validator matched the request to: the
 * request is routed once, by the validator, instead of a second time by a router testing every
 * route's path in turn. A route whose operation the contract does not know stops start-up, so a
 * handler cannot serve an operation that is not there; the path's parameters are the validator's.
 */
export function operationDispatcher(contract: Operation[], routes: OperationRoute[]): RequestHandler {
  const handlers = new Map<string, RequestHandler>();
  for (const { operationId, handler } of routes) {
    if (!contract.some((o) => o.operationId === operationId))
      throw new Error(`no operation ${operationId} in the contract`);
    if (handlers.has(operationId)) throw new Error(`two handlers for ${operationId}`);
    handlers.set(operationId, handler);
  }
  return (req, res, next) => {
    const matched = matchedOperation(req);
    const handler = matched && handlers.get(matched.operationId);
    if (!handler) return next();
    // Express set req.params for this middleware's own (parameterless) mount: the operation's are the validator's.
    req.params = matched.params;
    return handler(req, res, next);
  };
}
