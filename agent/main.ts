#!/usr/bin/env node
// The memlens command: wiring only. Exit codes: 0 ok, 1 runtime failure, 2 usage or setup
// error (a wrong flag, no memory cgroup hierarchy).
import './app/heap.js'
import { runCli } from './cli/run.js'
import { UsageError } from './kernel/errors.js'

runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then(
  (code) => {
    if (code !== undefined) process.exitCode = code
  },
  (er: unknown) => {
    const usage = er instanceof UsageError
    process.stderr.write(`memlens: ${er instanceof Error ? er.message : String(er)}${usage ? ' (see memlens --help)' : ''}\n`)
    process.exitCode = usage ? 2 : 1
  },
)
