import { z } from 'zod';
import {
  IdentifierSchema,
  NameSchema,
  TextSchema,
  TimestampSchema,
  UriSchema,
} from './primitives.js';

/** A client named as proof, e.g. in a case study. `permissionToName` records whether the client agreed. */
export const NamedClientEvidenceSchema = z.strictObject({
  type: z.literal('named_client'),
  clientName: NameSchema,
  permissionToName: z.boolean(),
  note: TextSchema.optional(),
});

/** An outcome with a number: `metric` moved to `value` (in `unit`), optionally from `baseline`, over `period`. */
export const QuantifiedOutcomeEvidenceSchema = z.strictObject({
  type: z.literal('quantified_outcome'),
  metric: NameSchema,
  value: z.number(),
  unit: NameSchema.meta({ description: 'e.g. percent, EUR, contacts, days' }),
  baseline: z.number().optional(),
  period: NameSchema.optional(),
  clientName: NameSchema.optional(),
});

/** A published source with its URL. */
export const CitationEvidenceSchema = z.strictObject({
  type: z.literal('citation'),
  title: NameSchema,
  url: UriSchema,
  publisher: NameSchema.optional(),
  accessedAt: TimestampSchema.optional(),
});

/** A reference to one of the plan's `inputs` (by `inputId`), optionally with the query or slice used. */
export const DatasetReferenceEvidenceSchema = z.strictObject({
  type: z.literal('dataset_reference'),
  inputId: IdentifierSchema,
  query: TextSchema.optional(),
  finding: TextSchema,
});

/** One typed piece of evidence behind a strategy option, discriminated on `type`. */
export const EvidenceSchema = z
  .discriminatedUnion('type', [
    NamedClientEvidenceSchema,
    QuantifiedOutcomeEvidenceSchema,
    CitationEvidenceSchema,
    DatasetReferenceEvidenceSchema,
  ])
  .meta({ id: 'Evidence' });

export type Evidence = z.infer<typeof EvidenceSchema>;
/** The evidence types: `named_client`, `quantified_outcome`, `citation`, `dataset_reference`. */
export type EvidenceType = Evidence['type'];
