// A FIFO for tests of what readers do with one, with a safety net: a reader that blocks in
// open() or read() on it (the bug these tests guard against) is set free every few seconds by
// a separate process that opens the FIFO read-write and closes it again, so a regression fails
// its assertions instead of hanging the suite. The net is torn down with the test.
import { spawn, spawnSync } from 'node:child_process'

interface Teardown {
  teardown(fn: () => void): void
}

export function makeFifo(t: Teardown, path: string, freeAfterSeconds = 5): void {
  const made = spawnSync('mkfifo', [path], { encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`mkfifo ${path}: ${made.stderr}`)
  // `<>` opens a FIFO read-write, which never blocks on Linux and counts as a writer: a blocked
  // open() returns; when it is closed again a blocked read() sees EOF.
  const net = spawn('sh', ['-c', `while :; do sleep ${freeAfterSeconds}; exec 3<>"$0"; sleep 1; exec 3>&-; done`, path], {
    stdio: 'ignore',
  })
  t.teardown(() => {
    net.kill('SIGKILL')
  })
}
