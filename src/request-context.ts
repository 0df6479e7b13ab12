import { AsyncLocalStorage } from 'node:async_hooks';

/** What every piece of work started by one HTTP request can learn of it (for log lines written far from the request, such as outbound calls). */
export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export const currentRequestId = (): string | undefined => requestContext.getStore()?.requestId;
