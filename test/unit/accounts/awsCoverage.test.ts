/** Which AWS types a scan covered, from its service errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsCoverage } from '../../../server/src/accounts/aws/awsCoverage';
import { DISCOVERERS } from '../../../server/src/accounts/aws/awsDiscovery';
import { AWS_SERVICES } from '../../../server/src/accounts/aws/awsServiceTypes';

describe('AWS type coverage', () => {
    it('is built from the SDK-free table, which says of each service what its discoverer does (service, scope, types, in scan order)', () => {
        assert.deepEqual(
            AWS_SERVICES.map(({ service, scope, types }) => ({ service, scope, types: [...types] })),
            DISCOVERERS.map(({ service, scope, types }) => ({ service, scope, types: [...types] })),
        );
    });

    it('lists every discovered type once, scanned when no service failed', () => {
        const coverage = awsCoverage([]);
        assert.equal(coverage.length, new Set(DISCOVERERS.flatMap((d) => d.types)).size);
        assert.ok(coverage.every((c) => c.state === 'scanned'));
    });

    it('tells denied services from failed ones, with their regions, and skips global types in a one-region scan', () => {
        const coverage = awsCoverage(
            [
                { service: 'redshift', region: 'us-west-2', code: 'AccessDenied', message: 'User: x is not authorized to perform: redshift:DescribeClusters' },
                { service: 'elbv2', region: 'eu-west-1', code: 'Throttling', message: 'Rate exceeded' },
                { service: 'elbv2', region: 'us-east-1', code: 'AccessDenied', message: 'denied' },
            ],
            false,
        );
        const of = (type: string) => coverage.find((c) => c.type === type);
        assert.deepEqual(of('aws:redshift/cluster:Cluster'), { type: 'aws:redshift/cluster:Cluster', service: 'redshift', state: 'denied', regions: ['us-west-2'], code: 'AccessDenied', message: 'User: x is not authorized to perform: redshift:DescribeClusters' });
        // one region throttled away: not a permissions problem
        assert.equal(of('aws:lb/listener:Listener')?.state, 'failed');
        assert.deepEqual(of('aws:lb/listener:Listener')?.regions, ['eu-west-1', 'us-east-1']);
        assert.equal(of('aws:iam/userLoginProfile:UserLoginProfile')?.state, 'skipped');
        assert.equal(of('aws:efs/fileSystem:FileSystem')?.state, 'scanned');
    });
});
