import t from 'tap'
import { ApiException } from '@kubernetes/client-node'
import { DecodeError, WatchError, accessAdvice, errorReasonFor, serverMessage, statusCode } from '../../agent/kube/kube-errors.js'

const forbiddenBody = JSON.stringify({ kind: 'Status', code: 403, message: 'pods is forbidden: User "x" cannot list resource "pods"' })

function watchHttpError(status: number): Error {
  // What the library's Watch raises for a non-200 answer.
  return Object.assign(new Error('Forbidden'), { statusCode: status })
}

t.test('statusCode and errorReasonFor', async (t) => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
  const cases: [string, unknown, 'list' | 'watch', number | undefined, string][] = [
    ['list 403 ApiException', new ApiException(403, 'Unknown API Status Code!', forbiddenBody, {}), 'list', 403, 'forbidden'],
    ['list 401 ApiException', new ApiException(401, 'x', '', {}), 'list', 401, 'unauthorized'],
    ['list 500 ApiException', new ApiException(500, 'x', '', {}), 'list', 500, 'list'],
    ['watch HTTP 403', watchHttpError(403), 'watch', 403, 'forbidden'],
    ['watch HTTP 410', watchHttpError(410), 'watch', 410, 'gone'],
    ['watch HTTP 503', watchHttpError(503), 'watch', 503, 'watch'],
    ['watch ERROR event 500', new WatchError('x', 500), 'watch', 500, 'watch'],
    ['connection refused: code is a string', refused, 'list', undefined, 'list'],
    ['connection refused on watch', refused, 'watch', undefined, 'watch'],
    ['decode', new DecodeError('x'), 'watch', undefined, 'decode'],
    ['bad JSON', new SyntaxError('Unexpected token'), 'list', undefined, 'decode'],
    ['not an error at all', 'boom', 'watch', undefined, 'watch'],
    ['null', null, 'list', undefined, 'list'],
  ]
  for (const [name, er, phase, status, reason] of cases) {
    t.equal(statusCode(er), status, `${name}: status`)
    t.equal(errorReasonFor(phase, er), reason, `${name}: reason`)
  }
})

t.test('serverMessage prefers the Status message the server sent', async (t) => {
  t.equal(
    serverMessage(new ApiException(403, 'HTTP-Code: 403\nMessage: Unknown', forbiddenBody, {})),
    'pods is forbidden: User "x" cannot list resource "pods"',
  )
  t.equal(
    serverMessage(new ApiException(500, 'HTTP-Code: 500\nMessage: Unknown\nBody: x', 'plain text', {})),
    'HTTP-Code: 500',
    'first line only',
  )
  t.equal(serverMessage(new ApiException(500, 'HTTP-Code: 500', '{not json', {})), 'HTTP-Code: 500')
  t.equal(serverMessage({ body: { message: 'from an object body' } }), 'from an object body')
  t.equal(serverMessage(new Error('connect ECONNREFUSED')), 'connect ECONNREFUSED')
  t.equal(serverMessage('plain'), 'plain')
})

t.test('accessAdvice says what to fix', async (t) => {
  const forbidden = accessAdvice(403, 'node-7')
  for (const needle of ['get, list and watch', 'pods', 'ClusterRole', 'spec.nodeName=node-7', 'cluster-wide']) t.match(forbidden, needle)
  t.match(accessAdvice(401, 'node-7'), /token/)
})
