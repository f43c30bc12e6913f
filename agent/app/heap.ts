// V8's young generation starts at 1 MiB per half and doubles each time enough objects have
// survived a scavenge since it last grew: up to 16 MiB per half on Node 20, 64 MiB on Node 24.
// An agent keeps each collection's snapshot until the next, so its survivors never stop adding
// up, and the young generation grew to its maximum within a minute of serving (20-30 MB more
// resident memory at 200 cgroups, measured by npm run bench -- --cost). A growth factor of 1
// keeps it at its first size: a little more often a cheap scavenge, no growth. This flag is
// read when V8 decides to grow, so setting it at start (not on Node's command line) is enough,
// and the memlens command needs no V8 flags (test/app/heap.test.ts checks both Node versions
// of CI). Imported first by main.ts.
import { setFlagsFromString } from 'node:v8'

export const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1'

setFlagsFromString(YOUNG_GENERATION_FLAG)
