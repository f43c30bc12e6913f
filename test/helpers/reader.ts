// The reader the reading tests use: native unless MEMLENS_NATIVE=0, so test/kernel/js-path.test.ts
// runs the same tests again through node:fs, as config.ts would choose for the agent.
import { PseudoFileReader } from '../../agent/kernel/fs.js'

export const NATIVE_READER = process.env['MEMLENS_NATIVE'] !== '0'

export function testReader(): PseudoFileReader {
  return new PseudoFileReader({ native: NATIVE_READER })
}
