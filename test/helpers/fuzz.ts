/**
 * Shared pieces of the fast-check suites (test/unit/fuzz-*.test.ts): generators for text that
 * looks like the thing being parsed, and the one outcome rule every boundary parser must meet.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

/** Strings built from pieces that parsers care about, plus arbitrary unicode noise. */
export function uriLike(schemes: readonly string[], pieces: readonly string[]): fc.Arbitrary<string> {
  const piece = fc.oneof(
    fc.constantFrom(...pieces),
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.integer({ min: -100_000, max: 100_000 }).map(String),
    fc.constantFrom('?', '&', '=', '/', '//', ':', '@', '%', '%00', '..', ' ', '\n', '#', '[', ']'),
  );
  return fc.oneof(
    fc.tuple(fc.constantFrom(...schemes), fc.array(piece, { maxLength: 10 })).map(([s, p]) => s + p.join('')),
    fc.string({ maxLength: 64 }),
    fc.string({ unit: 'binary', maxLength: 64 }),
  );
}

/**
 * Runs `parse` and checks it either returns a value accepted by `valid`, or throws one error of
 * the expected class with a message a person can read (non-empty, at most `maxChars`).
 */
export function validOrOneClearError<T>(
  parse: () => T,
  errorNames: readonly string[],
  valid: (v: T) => boolean,
  maxChars = 2000,
): void {
  let value: T;
  try {
    value = parse();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect(errorNames).toContain((e as Error).name);
    expect((e as Error).message.length).toBeGreaterThan(0);
    expect((e as Error).message.length).toBeLessThanOrEqual(maxChars);
    return;
  }
  expect(valid(value)).toBe(true);
}
