// The comm (/proc/PID/status Name) a Node.js child of this test gets: "node" on Node 20, but
// Node 22+ names its main thread "MainThread", and the main thread's name is the process's.
import { readFileSync } from 'node:fs'

export function nodeComm(): string {
  return /^Name:\t(.*)$/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1] ?? 'node'
}
