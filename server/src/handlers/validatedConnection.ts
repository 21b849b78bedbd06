/**
 * The server's door for requests: every custom request (`policyInsights/…`) registered
 * through the returned connection has its params validated against
 * validation/boundarySchemas.ts before its handler runs, and the failures of every request
 * it serves (the language features too) are answered by the one error policy (answerErrors
 * in serverContext.ts). A bad request is answered with InvalidParams naming the field, and
 * its handler never sees it, so nothing is stored from it. Handlers keep registering with
 * `connection.onRequest(X.type, …)` and `connection.onHover(…)` as before and throw what
 * they throw: nothing in them translates errors.
 */
import { CodeActionRequest, CodeLensRequest, CompletionRequest, ErrorCodes, HoverRequest, ResponseError, type Connection } from 'vscode-languageserver/node';
import { REQUEST_SCHEMAS, requestParamsProblem } from '../validation/boundarySchemas';
import { answerErrors } from './serverContext';

const CUSTOM_PREFIX = 'policyInsights/';

/** The language features the server provides, by the connection method that registers each. */
const FEATURES: Record<string, string> = {
    onCompletion: CompletionRequest.method,
    onHover: HoverRequest.method,
    onCodeLens: CodeLensRequest.method,
    onCodeAction: CodeActionRequest.method,
};

function methodOf(type: unknown): string | undefined {
    if (typeof type === 'string') return type;
    if (typeof type === 'object' && type !== null && 'method' in type && typeof type.method === 'string') return type.method;
    return undefined;
}

/**
 * `onStarted` is called when each request starts, and the function it returns once the request
 * is answered (the server's idle timer: it releases nothing while a request runs).
 */
export function validatedConnection(connection: Connection, onStarted: () => () => void = () => () => undefined): Connection {
    const onRequest = connection.onRequest.bind(connection) as (...args: unknown[]) => unknown;
    const log = (message: string) => connection.console.error(message);
    const answer = async <T>(method: string, work: () => T | Promise<T>): Promise<T> => {
        const settled = onStarted();
        try {
            return await answerErrors(method, work, log);
        } finally {
            settled();
        }
    };
    const guarded = (...args: unknown[]): unknown => {
        const method = methodOf(args[0]);
        const handler = args[1];
        if (method === undefined || !method.startsWith(CUSTOM_PREFIX) || typeof handler !== 'function') return onRequest(...args);
        // throws at registration for a request without a schema: it must get one before it ships
        requestParamsProblem(method, {});
        const checked = REQUEST_SCHEMAS[method] !== null;
        return onRequest(args[0], (params: unknown, ...rest: unknown[]) => {
            const problem = checked ? requestParamsProblem(method, params) : null;
            if (problem) throw new ResponseError(ErrorCodes.InvalidParams, `${method}: ${problem}. Nothing was changed.`);
            return answer(method, () => (handler as (...a: unknown[]) => unknown)(params, ...rest));
        });
    };
    return new Proxy(connection, {
        get(target, property, receiver) {
            if (property === 'onRequest') return guarded;
            const feature = typeof property === 'string' ? FEATURES[property] : undefined;
            const register = Reflect.get(target, property, receiver) as unknown;
            if (feature === undefined || typeof register !== 'function') return register;
            return (handler: (...a: unknown[]) => unknown) => register.call(target, (...args: unknown[]) => answer(feature, () => handler(...args)));
        },
    });
}
