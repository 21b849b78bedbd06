// Lambda (REST-JSON): ListFunctions with Marker/NextMarker.
import * as sdk from '@aws-sdk/client-lambda';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import type { ServiceDefinition } from './types';

const invalid = (message: string) => new AwsError('InvalidParameterValueException', 400, message);

export const lambda: ServiceDefinition = {
    name: 'lambda',
    protocol: 'restJson',
    sdk,
    routes: [{ method: 'GET', path: /^\/2015-03-31\/functions\/?$/, operation: 'ListFunctions' }],
    errors: {
        throttle: { code: 'TooManyRequestsException', status: 429 },
        accessDenied: { code: 'AccessDeniedException', status: 403 },
        unknownKey: { code: 'UnrecognizedClientException', status: 403 },
        badSignature: { code: 'InvalidSignatureException', status: 403 },
        expiredToken: { code: 'ExpiredTokenException', status: 403 },
        missingAuth: { code: 'MissingAuthenticationTokenException', status: 403 },
        unknownOperation: { code: 'UnknownOperationException', status: 404 },
        internal: { code: 'ServiceException', status: 500 },
    },
    handlers: {
        ListFunctions: (ctx) => {
            const functions = ctx.state.regional(ctx.account, ctx.region, 'lambda', 'functions');
            const limit = pageSize(ctx.params.get('MaxItems') ?? undefined, 'MaxItems', 1, 10000, 50, invalid);
            const page = pageOf(functions, ctx.params.get('Marker') ?? undefined, limit, `lambda:${ctx.region}`, invalid('Invalid Marker'));
            return { Functions: page.items, NextMarker: page.next };
        },
    },
};
