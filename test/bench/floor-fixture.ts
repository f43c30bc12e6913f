// A C floor summary for the report tests: 100 cgroups, 7 files each, 8 ms a pass (4 ms of CPU).
import type { FloorSummary } from '../../bench/floor.js'

export const FLOOR: FloorSummary = {
  cgroups: 100,
  files: 7,
  fields: 30,
  nsPerPass: [],
  cpuNsPerPass: [],
  openedPerPass: 700,
  missingPerPass: 0,
  bytesPerPass: 1,
  absentFields: 0,
  checksum: 1,
  runs: 1,
  passes: 3,
  medianMs: 8,
  cpuMedianMs: 4,
}
