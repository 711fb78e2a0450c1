/**
 * What a sender posts to the event gateway, and the headers that sign it.
 */
import { z } from 'zod';

/**
 * The body of `POST /events/<type>`: JSON (`Content-Type: application/json`), at most EVENTS_MAX_BODY_BYTES.
 *
 * ```json
 * { "id": "hire-2026-0042", "data": { "employeeId": "E1001", "...": "the event's data" } }
 * ```
 *
 * - `id`: the sender's id for this event, 1-128 characters of `A-Z a-z 0-9 . _ : -`. The gateway acts once per
 *   (source, id): the same event delivered again is answered `200 { duplicate: true }` and signals nothing.
 * - `data`: a JSON object, validated with the route's schema (the route is chosen by `<type>` in the URL).
 *
 * Nothing else: the type is in the URL, who sent it and when are in the signed headers
 * (`X-Overture-Source`, `X-Overture-Timestamp`, `X-Overture-Signature`, see ./signature).
 */
export const eventEnvelopeSchema = z
  .object({
    id: z.string({ error: 'is required' }).regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits, ".", "_", ":" or "-"'),
    data: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }),
  })
  .strict();

export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;

/** Event types as they appear in `POST /events/<type>` and in the registry's routes. */
export const EVENT_TYPE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
