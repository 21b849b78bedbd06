/**
 * What each AWS service a scan reads produces, with no AWS SDK: its name, how its tasks are
 * planned (scope) and its type tokens. Account coverage, `policy validate`'s
 * [undiscovered-type] warning and the Cloud Control exclusions need only these facts, so the
 * language server answers them without loading the scanners and their SDK clients (some 78 MB
 * of an idle server, issue 14). The discoverers (awsDiscovery.ts DISCOVERERS) take their type
 * tokens from here; a test keeps their service, scope and types equal to AWS_SERVICES.
 */
import type { AwsServiceName } from './awsClients';

/** The service name Cloud Control's tasks and errors carry in scan status and MAPPING.md (`--all-types`). */
export const CLOUD_CONTROL_SERVICE = 'cloudcontrol';

export const S3_TYPES = {
    bucket: 'aws:s3/bucket:Bucket',
    publicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
    policy: 'aws:s3/bucketPolicy:BucketPolicy',
    versioning: 'aws:s3/bucketVersioning:BucketVersioning',
    encryption: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
    logging: 'aws:s3/bucketLogging:BucketLogging',
    acl: 'aws:s3/bucketAcl:BucketAcl',
    ownershipControls: 'aws:s3/bucketOwnershipControls:BucketOwnershipControls',
    lifecycle: 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
    cors: 'aws:s3/bucketCorsConfiguration:BucketCorsConfiguration',
    website: 'aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration',
    notification: 'aws:s3/bucketNotification:BucketNotification',
} as const;

export const EC2_TYPES = {
    instance: 'aws:ec2/instance:Instance',
    securityGroup: 'aws:ec2/securityGroup:SecurityGroup',
    volume: 'aws:ebs/volume:Volume',
    vpc: 'aws:ec2/vpc:Vpc',
    defaultVpc: 'aws:ec2/defaultVpc:DefaultVpc',
    subnet: 'aws:ec2/subnet:Subnet',
} as const;

export const EC2_NETWORK_TYPES = {
    launchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
    eip: 'aws:ec2/eip:Eip',
    internetGateway: 'aws:ec2/internetGateway:InternetGateway',
    natGateway: 'aws:ec2/natGateway:NatGateway',
    routeTable: 'aws:ec2/routeTable:RouteTable',
    networkAcl: 'aws:ec2/networkAcl:NetworkAcl',
    flowLog: 'aws:ec2/flowLog:FlowLog',
    keyPair: 'aws:ec2/keyPair:KeyPair',
    snapshot: 'aws:ebs/snapshot:Snapshot',
    encryptionByDefault: 'aws:ebs/encryptionByDefault:EncryptionByDefault',
} as const;

export const IAM_TYPES = {
    user: 'aws:iam/user:User',
    accessKey: 'aws:iam/accessKey:AccessKey',
    userPolicyAttachment: 'aws:iam/userPolicyAttachment:UserPolicyAttachment',
    role: 'aws:iam/role:Role',
    policy: 'aws:iam/policy:Policy',
    userLoginProfile: 'aws:iam/userLoginProfile:UserLoginProfile',
    group: 'aws:iam/group:Group',
    rolePolicyAttachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
    instanceProfile: 'aws:iam/instanceProfile:InstanceProfile',
    accountPasswordPolicy: 'aws:iam/accountPasswordPolicy:AccountPasswordPolicy',
} as const;

export const DATA_TYPES = {
    rdsInstance: 'aws:rds/instance:Instance',
    lambdaFunction: 'aws:lambda/function:Function',
    kmsKey: 'aws:kms/key:Key',
    trail: 'aws:cloudtrail/trail:Trail',
    table: 'aws:dynamodb/table:Table',
    queue: 'aws:sqs/queue:Queue',
    topic: 'aws:sns/topic:Topic',
    logGroup: 'aws:cloudwatch/logGroup:LogGroup',
    kmsAlias: 'aws:kms/alias:Alias',
    queuePolicy: 'aws:sqs/queuePolicy:QueuePolicy',
    topicPolicy: 'aws:sns/topicPolicy:TopicPolicy',
} as const;

export const LB_TYPES = {
    loadBalancer: 'aws:lb/loadBalancer:LoadBalancer',
    listener: 'aws:lb/listener:Listener',
    targetGroup: 'aws:lb/targetGroup:TargetGroup',
} as const;

export const AUTOSCALING_TYPES = {
    group: 'aws:autoscaling/group:Group',
    launchConfiguration: 'aws:ec2/launchConfiguration:LaunchConfiguration',
} as const;

export const STORAGE_SEARCH_TYPES = {
    efsFileSystem: 'aws:efs/fileSystem:FileSystem',
    redshiftCluster: 'aws:redshift/cluster:Cluster',
    opensearchDomain: 'aws:opensearch/domain:Domain',
    elasticsearchDomain: 'aws:elasticsearch/domain:Domain',
} as const;

export const API_CERTIFICATE_TYPES = {
    restApi: 'aws:apigateway/restApi:RestApi',
    stage: 'aws:apigateway/stage:Stage',
    methodSettings: 'aws:apigateway/methodSettings:MethodSettings',
    certificate: 'aws:acm/certificate:Certificate',
} as const;

export const CLASSIC_LB_TYPE = 'aws:elb/loadBalancer:LoadBalancer';

export const CONTAINER_TYPES = {
    repository: 'aws:ecr/repository:Repository',
    cluster: 'aws:eks/cluster:Cluster',
} as const;

export const CLOUDFRONT_TYPE = 'aws:cloudfront/distribution:Distribution';

/** One service's part of a scan, as its discoverer declares it. */
export interface AwsServiceTypes {
    service: AwsServiceName;
    /**
     * regional: one task per region; global: one task for the account (IAM, CloudFront), resources in
     * the parent; s3: one task for the account, resources in their bucket's region.
     */
    scope: 'regional' | 'global' | 's3';
    /** Every type token this service can produce: when it fails, these are kept as they were. */
    types: readonly string[];
}

/** Every service a Classic scan reads, in DISCOVERERS' order (the order progress and coverage list them). */
export const AWS_SERVICES: readonly AwsServiceTypes[] = [
    { service: 's3', scope: 's3', types: Object.values(S3_TYPES) },
    { service: 'ec2', scope: 'regional', types: [...Object.values(EC2_TYPES), ...Object.values(EC2_NETWORK_TYPES)] },
    { service: 'iam', scope: 'global', types: Object.values(IAM_TYPES) },
    { service: 'rds', scope: 'regional', types: [DATA_TYPES.rdsInstance] },
    { service: 'lambda', scope: 'regional', types: [DATA_TYPES.lambdaFunction] },
    { service: 'kms', scope: 'regional', types: [DATA_TYPES.kmsKey, DATA_TYPES.kmsAlias] },
    { service: 'cloudtrail', scope: 'regional', types: [DATA_TYPES.trail] },
    { service: 'dynamodb', scope: 'regional', types: [DATA_TYPES.table] },
    { service: 'sqs', scope: 'regional', types: [DATA_TYPES.queue, DATA_TYPES.queuePolicy] },
    { service: 'sns', scope: 'regional', types: [DATA_TYPES.topic, DATA_TYPES.topicPolicy] },
    { service: 'logs', scope: 'regional', types: [DATA_TYPES.logGroup] },
    { service: 'elbv2', scope: 'regional', types: Object.values(LB_TYPES) },
    { service: 'autoscaling', scope: 'regional', types: Object.values(AUTOSCALING_TYPES) },
    { service: 'efs', scope: 'regional', types: [STORAGE_SEARCH_TYPES.efsFileSystem] },
    { service: 'redshift', scope: 'regional', types: [STORAGE_SEARCH_TYPES.redshiftCluster] },
    { service: 'opensearch', scope: 'regional', types: [STORAGE_SEARCH_TYPES.opensearchDomain, STORAGE_SEARCH_TYPES.elasticsearchDomain] },
    { service: 'apigateway', scope: 'regional', types: [API_CERTIFICATE_TYPES.restApi, API_CERTIFICATE_TYPES.stage, API_CERTIFICATE_TYPES.methodSettings] },
    { service: 'acm', scope: 'regional', types: [API_CERTIFICATE_TYPES.certificate] },
    { service: 'elb', scope: 'regional', types: [CLASSIC_LB_TYPE] },
    { service: 'ecr', scope: 'regional', types: [CONTAINER_TYPES.repository] },
    { service: 'eks', scope: 'regional', types: [CONTAINER_TYPES.cluster] },
    { service: 'cloudfront', scope: 'global', types: [CLOUDFRONT_TYPE] },
];
