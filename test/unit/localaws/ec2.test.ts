// EC2 (EC2 Query protocol) through the real @aws-sdk/client-ec2.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    DescribeInstancesCommand,
    DescribeSecurityGroupsCommand,
    DescribeSubnetsCommand,
    DescribeVolumesCommand,
    DescribeVpcsCommand,
    EC2Client,
    EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { startLocalAws, type LocalAws } from '../../localaws/server';
import { DEMO_FIXTURE, clientConfig } from './localawsSupport';

let aws: LocalAws;
let west: EC2Client;

before(async () => {
    aws = await startLocalAws({ fixture: DEMO_FIXTURE });
    west = new EC2Client(clientConfig(aws, 'us-west-2'));
});
after(() => aws.stop());

describe('EC2 on the local AWS', () => {
    it('describes instances in reservations, with state, groups, tags and metadata options', async () => {
        const out = await west.send(new DescribeInstancesCommand({}));
        const instances = out.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
        assert.deepEqual(instances.map((i) => i.InstanceId), ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002']);
        const web = instances[0];
        assert.equal(web.State?.Name, 'running');
        assert.equal(web.PublicIpAddress, '54.200.10.10');
        assert.deepEqual(web.SecurityGroups?.map((g) => g.GroupId), ['sg-0a1b2c3d4e5f60001', 'sg-0a1b2c3d4e5f60002']);
        assert.deepEqual(web.Tags, [{ Key: 'Name', Value: 'web-1' }, { Key: 'team', Value: 'web' }]);
        assert.equal(web.MetadataOptions?.HttpTokens, 'optional');
        assert.ok(web.LaunchTime instanceof Date);
        assert.equal(instances[1].Tags, undefined, 'the second instance is untagged');
        assert.equal(out.Reservations?.[0].OwnerId, '123456789012');
        const byId = await west.send(new DescribeInstancesCommand({ InstanceIds: ['i-0a1b2c3d4e5f60002'] }));
        assert.deepEqual(byId.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId)), ['i-0a1b2c3d4e5f60002']);
        const gone = await west.send(new DescribeInstancesCommand({ InstanceIds: ['i-0a1b2c3d4e5f60002', 'i-00000000000000000'] })).catch((e: unknown) => e);
        assert.ok(gone instanceof EC2ServiceException);
        assert.equal(gone.name, 'InvalidInstanceID.NotFound');
        assert.match(gone.message, /i-00000000000000000/);
    });

    it('describes security groups with their ingress rules', async () => {
        const out = await west.send(new DescribeSecurityGroupsCommand({}));
        const open = out.SecurityGroups?.find((g) => g.GroupName === 'ssh-open-to-world');
        assert.deepEqual(open?.IpPermissions, [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'anyone' }] }]);
        assert.equal(open?.OwnerId, '123456789012');
        const web = out.SecurityGroups?.find((g) => g.GroupName === 'web-https');
        assert.deepEqual(web?.IpPermissions?.[0].Ipv6Ranges, [{ CidrIpv6: '::/0' }]);
    });

    it('describes volumes, VPCs and subnets per region', async () => {
        const volumes = (await west.send(new DescribeVolumesCommand({}))).Volumes ?? [];
        assert.deepEqual(volumes.map((v) => [v.VolumeId, v.Encrypted, v.Size]), [
            ['vol-0a1b2c3d4e5f60001', false, 30],
            ['vol-0a1b2c3d4e5f60002', true, 100],
        ]);
        assert.equal(volumes[0].Attachments?.[0].InstanceId, 'i-0a1b2c3d4e5f60001');
        assert.deepEqual((await west.send(new DescribeVpcsCommand({}))).Vpcs?.map((v) => [v.VpcId, v.IsDefault]), [['vpc-0a1b2c3d4e5f60001', false]]);
        const subnets = (await west.send(new DescribeSubnetsCommand({}))).Subnets ?? [];
        assert.deepEqual(subnets.map((s) => [s.SubnetId, s.MapPublicIpOnLaunch]), [
            ['subnet-0a1b2c3d4e5f60001', true],
            ['subnet-0a1b2c3d4e5f60002', false],
        ]);
        const east = new EC2Client(clientConfig(aws, 'us-east-1'));
        assert.deepEqual((await east.send(new DescribeVolumesCommand({}))).Volumes?.map((v) => v.VolumeId), ['vol-0e1f2a3b4c5d60001']);
        const other = new EC2Client(clientConfig(aws, 'eu-central-1'));
        assert.deepEqual((await other.send(new DescribeInstancesCommand({}))).Reservations, []);
    });

    it('filters by tag, tag key and field, and refuses filter names EC2 does not know', async () => {
        const byTag = await west.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['web-1'] }] }));
        assert.deepEqual(byTag.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId)), ['i-0a1b2c3d4e5f60001']);
        const running = await west.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }, { Name: 'instance-type', Values: ['m5.large'] }] }));
        assert.deepEqual(running.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId)), ['i-0a1b2c3d4e5f60002']);
        const unencrypted = await west.send(new DescribeVolumesCommand({ Filters: [{ Name: 'encrypted', Values: ['false'] }] }));
        assert.deepEqual(unencrypted.Volumes?.map((v) => v.VolumeId), ['vol-0a1b2c3d4e5f60001']);
        const tagged = await west.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag-key', Values: ['team'] }] }));
        assert.deepEqual(tagged.SecurityGroups?.map((g) => g.GroupName), ['ssh-open-to-world']);
        const unknown = await west.send(new DescribeVpcsCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })).catch((e: unknown) => e);
        assert.ok(unknown instanceof EC2ServiceException);
        assert.equal(unknown.name, 'InvalidParameterValue');
        assert.match(unknown.message, /The filter 'no-such-filter' is invalid/);
    });

    it('rejects MaxResults outside 5..1000 and unknown tokens as EC2 does', async () => {
        const tooSmall = await west.send(new DescribeVolumesCommand({ MaxResults: 2 })).catch((e: unknown) => e);
        assert.ok(tooSmall instanceof EC2ServiceException);
        assert.equal(tooSmall.name, 'InvalidParameterValue');
        assert.match(tooSmall.message, /MaxResults/);
        const badToken = await west.send(new DescribeVolumesCommand({ NextToken: 'not-a-token' })).catch((e: unknown) => e);
        assert.ok(badToken instanceof EC2ServiceException);
        assert.equal(badToken.name, 'InvalidNextToken');
    });
});
