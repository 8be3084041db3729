import type { NextFunction, Request, RequestHandler, Response } from "express";
import { describe, expect, it, vi } from "vitest";
import { bundledSpec } from "../generated-files.js";
import { operationsOf } from "./operations.js";
import { operationDispatcher } from "./typed-route.js";

const contract = operationsOf(bundledSpec);

/** A request as the contract validator leaves it: `req.openapi` names the operation it matched. */
function matched(operationId: string | undefined, pathParams: Record<string, string> = {}): Request {
  const openapi = operationId === undefined ? undefined : { schema: { operationId }, pathParams };
  return { openapi, params: {} } as unknown as Request;
}

describe("operationDispatcher", () => {
  it("calls the handler of the operation the validator matched, with the path's parameters it decoded", () => {
    const get = vi.fn<RequestHandler>();
    const list = vi.fn<RequestHandler>();
    const dispatch = operationDispatcher(contract, [
      { operationId: "listDestinations", handler: list },
      { operationId: "getDestination", handler: get },
    ]);
    const req = matched("getDestination", { destination_id: "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01" });
    const next = vi.fn();
    dispatch(req, {} as Response, next as unknown as NextFunction);
    expect(get).toHaveBeenCalledOnce();
    expect(list).not.toHaveBeenCalled();
    expect(next).not.toHaveBeenCalled();
    expect(req.params).toEqual({ destination_id: "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01" });
  });

  it("passes on a request outside the contract, and one whose operation has no handler here", () => {
    const dispatch = operationDispatcher(contract, [{ operationId: "getDestination", handler: vi.fn() }]);
    for (const req of [matched(undefined), matched("listDestinations")]) {
      const next = vi.fn();
      dispatch(req, {} as Response, next as unknown as NextFunction);
      expect(next).toHaveBeenCalledWith();
    }
  });

  it("stops start-up for an operation the contract does not have, or two handlers of one", () => {
    const handler = vi.fn<RequestHandler>();
    expect(() => operationDispatcher(contract, [{ operationId: "getDestinaton" as never, handler }])).toThrow(
      "no operation getDestinaton in the contract",
    );
    expect(() =>
      operationDispatcher(contract, [
        { operationId: "getDestination", handler },
        { operationId: "getDestination", handler },
      ]),
    ).toThrow("two handlers for getDestination");
  });
});
