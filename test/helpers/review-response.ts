import { expect } from 'vitest';
import { isRecord } from '../../shared/guards.js';

/**
 * Asserts the IVS message review response contract: ReviewResult ALLOW or
 * DENY, string Content, string-to-string Attributes, a Reason on DENY, and
 * delivered content no longer than the input in code points.
 */
export function expectValidReviewResponse(response: unknown, inputContent?: unknown): void {
  expect(isRecord(response)).toBe(true);
  if (!isRecord(response)) return;
  expect(Object.keys(response).sort()).toEqual(['Attributes', 'Content', 'ReviewResult']);
  expect(['ALLOW', 'DENY']).toContain(response.ReviewResult);
  expect(typeof response.Content).toBe('string');
  expect(isRecord(response.Attributes)).toBe(true);
  if (!isRecord(response.Attributes)) return;
  for (const value of Object.values(response.Attributes)) expect(typeof value).toBe('string');
  if (response.ReviewResult === 'DENY') {
    expect(typeof response.Attributes.Reason).toBe('string');
    expect(String(response.Attributes.Reason).length).toBeGreaterThan(0);
  }
  if (typeof inputContent === 'string' && typeof response.Content === 'string') {
    expect([...response.Content].length).toBeLessThanOrEqual([...inputContent].length);
  }
}
