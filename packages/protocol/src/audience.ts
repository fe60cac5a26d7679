import { z } from 'zod';
import { LIMITS } from './limits.js';
import { IdentifierSchema, NameSchema, TextSchema } from './primitives.js';

/** One audience criterion, e.g. `{ field: "age", op: "between", value: [25, 45] }`. */
export const AudienceCriterionSchema = z.strictObject({
  field: NameSchema,
  op: z.enum(['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between', 'exists']),
  value: z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.array(z.union([z.string(), z.number()])).max(100),
  ]),
});
export type AudienceCriterion = z.infer<typeof AudienceCriterionSchema>;

/**
 * Who an option (or, from 1.1, one action) targets: a segment id, how it was selected, and how large it is.
 *
 * - `criteria`: every one must hold (AND).
 * - `anyOf` (1.1): groups of criteria, at least one group of which must hold as a whole (OR of ANDs), on top of
 *   `criteria`; e.g. the 24 age-and-gender groups of an ad account, any of which a reallocation touches.
 * - `estimatedSize`: contacts (people the platform can address one by one, e.g. CRM records).
 * - `estimatedReach` (1.1): unique people an ad platform expects to reach, its own estimate, not contacts.
 * - `estimatedImpressions` (1.1): ad impressions expected (one person can see many), not people.
 */
export const AudienceSchema = z
  .strictObject({
    segmentId: IdentifierSchema,
    description: TextSchema.optional(),
    estimatedSize: z.int().min(0),
    criteria: z.array(AudienceCriterionSchema).max(LIMITS.MAX_CRITERIA),
    anyOf: z
      .array(z.array(AudienceCriterionSchema).min(1).max(LIMITS.MAX_CRITERIA))
      .min(1)
      .max(LIMITS.MAX_CRITERIA)
      .optional(),
    estimatedReach: z.int().min(0).optional(),
    estimatedImpressions: z.int().min(0).optional(),
  })
  .meta({ id: 'Audience' });
export type Audience = z.infer<typeof AudienceSchema>;
