// Asserts that a promise rejects with an NdxpError of the given code (and message): store suites use it.
import type { Test } from 'tap'
import { NdxpError, type ErrorCode } from '../../contracts/errors.js'

/** Resolves to the NdxpError the promise rejects with, after checking its code (and message). */
export async function expectError (t: Test, promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<NdxpError | undefined> {
  const outcome = await promise.then(() => 'resolved', (e: unknown) => e)
  if (!(outcome instanceof NdxpError)) {
    t.fail(`expected an NdxpError ${code}, got ${outcome instanceof Error ? `${outcome.name}: ${outcome.message}` : String(outcome)}`)
    return undefined
  }
  t.equal(outcome.code, code, `${code}: ${outcome.message.slice(0, 160)}`)
  if (message !== undefined) t.match(outcome.message, message)
  return outcome
}
