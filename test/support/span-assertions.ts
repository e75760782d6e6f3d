/**
 * What the instrumentation packages' tests check on a GenAI span, again and
 * again: a successful call's span (client kind, its attributes, no error, no
 * message content unless opted in), a failed call's span, the status of a cost
 * that could not be computed, and the captured messages when opted in.
 */

import {
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_STATUS_REASON,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
} from '@aicost/core';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { expect } from 'vitest';

/** A client span with (at least) `attributes`, not an error, and no message content (privacy by default). */
export function expectClientSpanWithoutContent(
  span: ReadableSpan,
  attributes: Record<string, unknown>,
): void {
  expect(span.kind).toBe(SpanKind.CLIENT);
  expect(span.attributes).toMatchObject(attributes);
  expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
  expect(span.attributes[ATTR_GEN_AI_INPUT_MESSAGES]).toBeUndefined();
  expect(span.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBeUndefined();
}

/** An error span whose `error.type` is `errorType`. */
export function expectErrorSpan(span: ReadableSpan, errorType: string): void {
  expect(span.status.code).toBe(SpanStatusCode.ERROR);
  expect(span.attributes[ATTR_ERROR_TYPE]).toBe(errorType);
}

/** No cost (never $0): the status says `unpriced`, and why when `reason` is given. */
export function expectUnpriced(span: ReadableSpan, reason?: string): void {
  expect(span.attributes[ATTR_AICOST_COST_STATUS]).toBe('unpriced');
  if (reason !== undefined) expect(span.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe(reason);
}

/** The captured input messages (`gen_ai.input.messages`), parsed (as untyped as `JSON.parse`). */
export function inputMessages(span: ReadableSpan): any {
  return JSON.parse(String(span.attributes[ATTR_GEN_AI_INPUT_MESSAGES]));
}

/** The captured output messages (`gen_ai.output.messages`), parsed (as untyped as `JSON.parse`). */
export function outputMessages(span: ReadableSpan): any {
  return JSON.parse(String(span.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]));
}
