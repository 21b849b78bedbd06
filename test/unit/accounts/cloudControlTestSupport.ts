/**
 * The demo account with Cloud Control resources: models written as Cloud Control returns
 * them (PascalCase, as the CloudFormation resource schemas name them), and types whose
 * handlers answer the ways AWS's do when a type cannot be listed or read.
 */
import type { LocalAwsFixture } from '../../localaws/fixture';
import { demoFixture } from './accountsTestSupport';

/**
 * ECS clusters in us-west-2 (AWS::ECS::Cluster, a type Classic does not read): Container Insights
 * `disabled` on the first two, `enhanced` on the third (on, as Security Hub ECS.12 counts it), the rest `enabled`.
 */
export const ECS_CLUSTERS = 25;

/**
 * `throttled`: one type is throttled on every call, so its retries run out. The SDK's adaptive
 * retry then slows every later Cloud Control call of that region for a while (as it should
 * against a throttling AWS), which costs a test tens of seconds: only the test of that fault asks for it.
 */
export function cloudControlFixture(options: { throttled?: boolean } = {}): LocalAwsFixture {
    const fixture = demoFixture();
    const account = fixture.accounts[0];
    const id = account.accountId;
    account.resources ??= {};
    const west = (account.resources['us-west-2'] ??= {});
    const east = (account.resources['us-east-1'] ??= {});
    west.cloudcontrol = {
        resources: {
            'AWS::ECS::Cluster': Array.from({ length: ECS_CLUSTERS }, (_, i) => {
                const name = `team-app-${String(i).padStart(2, '0')}`;
                return {
                    Identifier: name,
                    Properties: {
                        ClusterName: name,
                        Arn: `arn:aws:ecs:us-west-2:${id}:cluster/${name}`,
                        ClusterSettings: [{ Name: 'containerInsights', Value: i < 2 ? 'disabled' : i === 2 ? 'enhanced' : 'enabled' }],
                        CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
                        Configuration: {
                            ExecuteCommandConfiguration: {
                                KmsKeyId: `arn:aws:kms:us-west-2:${id}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
                                Logging: 'OVERRIDE',
                                LogConfiguration: { CloudWatchLogGroupName: `/ecs/exec/${name}`, CloudWatchEncryptionEnabled: true, S3BucketName: 'exec-logs', S3EncryptionEnabled: true },
                            },
                        },
                        Tags: [{ Key: 'team', Value: 'platform' }],
                    },
                };
            }),
            // its list handler returns only the identifier: the scan reads the rest with GetResource
            'AWS::SecretsManager::Secret': [
                {
                    Identifier: `arn:aws:secretsmanager:us-west-2:${id}:secret:db-password-AbCdEf`,
                    Properties: { Id: `arn:aws:secretsmanager:us-west-2:${id}:secret:db-password-AbCdEf`, Name: 'db-password', KmsKeyId: 'alias/aws/secretsmanager', Description: 'the database password' },
                },
                // deleted between the list and the read
                { Identifier: `arn:aws:secretsmanager:us-west-2:${id}:secret:old-token-XyZ123`, Properties: { Id: `arn:aws:secretsmanager:us-west-2:${id}:secret:old-token-XyZ123`, Name: 'old-token' } },
            ],
            // Classic reads buckets and ECR repositories; Cloud Control must not list them a second time
            'AWS::S3::Bucket': [{ Identifier: 'never-listed', Properties: { BucketName: 'never-listed' } }],
            'AWS::ECR::Repository': [{ Identifier: 'never/listed', Properties: { RepositoryName: 'never/listed' } }],
            'AWS::DynamoDB::GlobalTable': [
                {
                    Identifier: 'orders',
                    Properties: { TableName: 'orders', SSESpecification: { SSEEnabled: true, SSEType: 'KMS' }, StreamSpecification: { StreamViewType: 'NEW_IMAGE' } },
                },
            ],
        },
        identifierOnly: ['AWS::SecretsManager::Secret'],
        goneBeforeRead: [`arn:aws:secretsmanager:us-west-2:${id}:secret:old-token-XyZ123`],
        unsupported: ['AWS::EC2::VPCCidrBlock'],
        needsParent: { 'AWS::ApiGatewayV2::Route': 'ApiId' },
        denied: ['AWS::GuardDuty::Detector'],
        throttled: options.throttled ? ['AWS::SSM::Parameter'] : [],
    };
    east.cloudcontrol = {
        resources: {
            // global: listed once from the home region, stored in the parent account
            'AWS::IAM::OIDCProvider': [{ Identifier: `arn:aws:iam::${id}:oidc-provider/token.actions.githubusercontent.com`, Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'], Arn: `arn:aws:iam::${id}:oidc-provider/token.actions.githubusercontent.com` } }],
        },
    };
    return fixture;
}
