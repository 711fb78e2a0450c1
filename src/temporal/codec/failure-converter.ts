/**
 * The failure converter of every client and worker (and of the workflow bundle): error messages and stack traces
 * move into the failure's encoded attributes, a payload, so the payload codec encrypts them like any other data
 * (an activity's error can quote a hire's email). Bundled into workflow code: no Node builtins here.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
