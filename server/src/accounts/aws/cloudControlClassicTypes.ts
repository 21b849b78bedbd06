/**
 * Which CloudFormation types the Classic discoverers already read, so a scan with
 * `--all-types` does not list them a second time through Cloud Control (one resource, one
 * type token per scan). A test keeps this table and `DISCOVERERS` in step: every Classic
 * token appears here, either under the CloudFormation type it comes from or in
 * CLASSIC_WITHOUT_CFN_TYPE.
 */

/** CloudFormation type -> the Classic tokens the scan already produces for it. */
export const CLASSIC_BY_CFN_TYPE: Readonly<Record<string, readonly string[]>> = {
    // the S3 configuration resources of provider v6+ are properties of AWS::S3::Bucket in CloudFormation
    'AWS::S3::Bucket': [
        'aws:s3/bucket:Bucket',
        'aws:s3/bucketAcl:BucketAcl',
        'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
        'aws:s3/bucketVersioning:BucketVersioning',
        'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
        'aws:s3/bucketLogging:BucketLogging',
        'aws:s3/bucketOwnershipControls:BucketOwnershipControls',
        'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
        'aws:s3/bucketCorsConfiguration:BucketCorsConfiguration',
        'aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration',
        'aws:s3/bucketNotification:BucketNotification',
    ],
    'AWS::S3::BucketPolicy': ['aws:s3/bucketPolicy:BucketPolicy'],
    'AWS::EC2::Instance': ['aws:ec2/instance:Instance'],
    'AWS::EC2::SecurityGroup': ['aws:ec2/securityGroup:SecurityGroup'],
    'AWS::EC2::Volume': ['aws:ebs/volume:Volume'],
    'AWS::EC2::VPC': ['aws:ec2/vpc:Vpc', 'aws:ec2/defaultVpc:DefaultVpc'],
    'AWS::EC2::Subnet': ['aws:ec2/subnet:Subnet'],
    'AWS::EC2::LaunchTemplate': ['aws:ec2/launchTemplate:LaunchTemplate'],
    'AWS::EC2::EIP': ['aws:ec2/eip:Eip'],
    'AWS::EC2::InternetGateway': ['aws:ec2/internetGateway:InternetGateway'],
    'AWS::EC2::NatGateway': ['aws:ec2/natGateway:NatGateway'],
    'AWS::EC2::RouteTable': ['aws:ec2/routeTable:RouteTable'],
    'AWS::EC2::NetworkAcl': ['aws:ec2/networkAcl:NetworkAcl'],
    'AWS::EC2::FlowLog': ['aws:ec2/flowLog:FlowLog'],
    'AWS::EC2::KeyPair': ['aws:ec2/keyPair:KeyPair'],
    // a user's LoginProfile and ManagedPolicyArns are properties of AWS::IAM::User, a role's of AWS::IAM::Role
    'AWS::IAM::User': ['aws:iam/user:User', 'aws:iam/userLoginProfile:UserLoginProfile', 'aws:iam/userPolicyAttachment:UserPolicyAttachment'],
    'AWS::IAM::AccessKey': ['aws:iam/accessKey:AccessKey'],
    'AWS::IAM::Role': ['aws:iam/role:Role', 'aws:iam/rolePolicyAttachment:RolePolicyAttachment'],
    'AWS::IAM::ManagedPolicy': ['aws:iam/policy:Policy'],
    'AWS::IAM::Group': ['aws:iam/group:Group'],
    'AWS::IAM::InstanceProfile': ['aws:iam/instanceProfile:InstanceProfile'],
    'AWS::RDS::DBInstance': ['aws:rds/instance:Instance'],
    'AWS::Lambda::Function': ['aws:lambda/function:Function'],
    'AWS::KMS::Key': ['aws:kms/key:Key'],
    'AWS::KMS::Alias': ['aws:kms/alias:Alias'],
    'AWS::CloudTrail::Trail': ['aws:cloudtrail/trail:Trail'],
    'AWS::DynamoDB::Table': ['aws:dynamodb/table:Table'],
    'AWS::SQS::Queue': ['aws:sqs/queue:Queue'],
    'AWS::SQS::QueuePolicy': ['aws:sqs/queuePolicy:QueuePolicy'],
    'AWS::SNS::Topic': ['aws:sns/topic:Topic'],
    'AWS::SNS::TopicPolicy': ['aws:sns/topicPolicy:TopicPolicy'],
    'AWS::Logs::LogGroup': ['aws:cloudwatch/logGroup:LogGroup'],
    'AWS::ElasticLoadBalancingV2::LoadBalancer': ['aws:lb/loadBalancer:LoadBalancer'],
    'AWS::ElasticLoadBalancingV2::Listener': ['aws:lb/listener:Listener'],
    'AWS::ElasticLoadBalancingV2::TargetGroup': ['aws:lb/targetGroup:TargetGroup'],
    'AWS::AutoScaling::AutoScalingGroup': ['aws:autoscaling/group:Group'],
    'AWS::AutoScaling::LaunchConfiguration': ['aws:ec2/launchConfiguration:LaunchConfiguration'],
    'AWS::Redshift::Cluster': ['aws:redshift/cluster:Cluster'],
    'AWS::CertificateManager::Certificate': ['aws:acm/certificate:Certificate'],
    'AWS::EFS::FileSystem': ['aws:efs/fileSystem:FileSystem'],
    'AWS::Elasticsearch::Domain': ['aws:elasticsearch/domain:Domain'],
    'AWS::OpenSearchService::Domain': ['aws:opensearch/domain:Domain'],
    // a stage's MethodSettings are a property of AWS::ApiGateway::Stage
    'AWS::ApiGateway::Stage': ['aws:apigateway/stage:Stage', 'aws:apigateway/methodSettings:MethodSettings'],
    'AWS::ApiGateway::RestApi': ['aws:apigateway/restApi:RestApi'],
    'AWS::ElasticLoadBalancing::LoadBalancer': ['aws:elb/loadBalancer:LoadBalancer'],
    'AWS::ECR::Repository': ['aws:ecr/repository:Repository'],
    'AWS::EKS::Cluster': ['aws:eks/cluster:Cluster'],
    'AWS::CloudFront::Distribution': ['aws:cloudfront/distribution:Distribution'],
};

/** Classic tokens with no CloudFormation type of their own: account settings and EBS snapshots, which CloudFormation does not model. */
export const CLASSIC_WITHOUT_CFN_TYPE: readonly string[] = ['aws:ebs/encryptionByDefault:EncryptionByDefault', 'aws:ebs/snapshot:Snapshot', 'aws:iam/accountPasswordPolicy:AccountPasswordPolicy'];

/** Whether the Classic discoverers read `cfnType`, so Cloud Control leaves it alone. */
export function coveredByClassic(cfnType: string): boolean {
    return Object.hasOwn(CLASSIC_BY_CFN_TYPE, cfnType);
}
