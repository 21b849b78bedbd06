/**
 * How a failure crosses the wire and reaches a person, for every side (server, CLI, client,
 * webviews): the response code of the failures that are the user's to fix, and the one way
 * to read a message from anything thrown. Imports nothing, so each bundle can take it.
 */

/**
 * The JSON-RPC error code of a request the server refused for a reason the user can act on
 * (bad input, a refused operation, a pack that does not load, an untrusted workspace): the
 * client shows its message as it is. Any other failure is an internal error, whose stack is
 * in the server's log (handlers/serverContext.ts answerErrors).
 */
export const USER_ERROR_CODE = 1;

/** The message of anything thrown: an Error's message, or the thrown value as text. */
export function errorMessage(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
