import {
  BUDGET_PERIODS as WIRE_BUDGET_PERIODS,
  CAP_SCOPE_TYPES as WIRE_CAP_SCOPE_TYPES,
  WIRE_PROCEDURES,
  type WireInput,
  type WireOutput,
  type WireProcedurePath,
} from '@handoff/protocol';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { OPERATION_ROLES, PUBLIC_PROCEDURES } from '../../src/access.js';
import { type AppRouter, appRouter } from '../../src/api/router.js';
import { CAP_SCOPE_TYPES } from '../../src/budget/cap.js';
import { BUDGET_PERIODS } from '../../src/budget/period.js';

/*
 * The gateway's router is the wire API of @handoff/protocol (WIRE_PROCEDURES), nothing more or less: the same
 * procedure paths with the same kinds, each input parsed by the protocol's schema, each admitted role the one the
 * protocol lists, and (checked by tsc) each procedure's inferred output assignable to the protocol's output type.
 * The answers themselves are checked against the output schemas in test/http/wire-outputs.test.ts.
 */

/** The router's procedures by dotted path (tRPC keeps a flat map beside the nested record). */
const procedures = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { type: string; inputs: unknown[] } }
>;
const PATHS = Object.keys(WIRE_PROCEDURES) as WireProcedurePath[];

describe('the router is the wire API', () => {
  test('its procedure paths are exactly the keys of WIRE_PROCEDURES', () => {
    expect(Object.keys(procedures).sort()).toEqual([...PATHS].sort());
  });

  test.each(PATHS)('%s has the kind and input schema the protocol gives', (path) => {
    const wire = WIRE_PROCEDURES[path];
    const routed = procedures[path]?._def;
    expect(routed?.type).toBe(wire.kind);
    expect(routed?.inputs).toEqual(wire.input === null ? [] : [wire.input]);
    if (wire.input !== null) expect(routed?.inputs[0]).toBe(wire.input);
  });

  test('the roles the gateway admits are the roles the protocol lists', () => {
    const admitted = Object.fromEntries(PATHS.map((p) => [p, [...WIRE_PROCEDURES[p].roles]]));
    const open = Object.fromEntries(PUBLIC_PROCEDURES.map((p) => [p, []]));
    expect(admitted).toEqual({ ...open, ...OPERATION_ROLES });
  });

  test("the gateway's cap vocabularies are the protocol's", () => {
    expect([...CAP_SCOPE_TYPES]).toEqual([...WIRE_CAP_SCOPE_TYPES]);
    expect([...BUDGET_PERIODS]).toEqual([...WIRE_BUDGET_PERIODS]);
  });

  test('every procedure answers a type the protocol output admits, and takes its input', () => {
    /** The member of a router's nested inputs/outputs at a dotted path. */
    type At<R, P extends string> = P extends `${infer A}.${infer B}`
      ? A extends keyof R
        ? B extends keyof R[A]
          ? R[A][B]
          : never
        : never
      : P extends keyof R
        ? R[P]
        : never;
    type Outputs = inferRouterOutputs<AppRouter>;
    type Inputs = inferRouterInputs<AppRouter>;
    /** The paths whose router output is not assignable to the protocol's (never when none drifts). */
    type OutputDrift = {
      [P in WireProcedurePath]: At<Outputs, P> extends WireOutput<P> ? never : P;
    }[WireProcedurePath];
    /** The paths whose protocol input the router would not take. */
    type InputDrift = {
      [P in WireProcedurePath]: WireInput<P> extends At<Inputs, P> ? never : P;
    }[WireProcedurePath];
    expectTypeOf<OutputDrift>().toEqualTypeOf<never>();
    expectTypeOf<InputDrift>().toEqualTypeOf<never>();
  });
});
