// The generated client's requests have no timeout of their own: this middleware hands one an
// AbortSignal, which the caller fires from a timer.
import { Observable, type ObservableMiddleware } from '@kubernetes/client-node'

export function abortOn(signal: AbortSignal): ObservableMiddleware {
  return {
    pre: (context) => {
      context.setSignal(signal)
      return new Observable(Promise.resolve(context))
    },
    post: (context) => new Observable(Promise.resolve(context)),
  }
}
