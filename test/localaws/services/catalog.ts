// Every service the local AWS serves, by SigV4 service name.
import { acm, cloudtrail, dynamodb, kms, logs, sqs } from './jsonServices';
import { autoscaling, elasticloadbalancing, redshift } from './queryServices';
import { cloudfront } from './cloudfront';
import { ecr, eks } from './containerServices';
import { apigateway, elasticfilesystem, es } from './restJsonServices';
import { ec2 } from './ec2';
import { iam } from './iam';
import { lambda } from './lambda';
import { rds, sns } from './rdsSns';
import { s3 } from './s3';
import { sts } from './sts';
import type { ServiceDefinition, ServiceName } from './types';

/** One entry per service: adding a service is one line here and its name in SERVICE_NAMES. */
export const SERVICES: Record<ServiceName, ServiceDefinition> = {
    sts,
    s3,
    ec2,
    iam,
    rds,
    lambda,
    kms,
    cloudtrail,
    dynamodb,
    sqs,
    sns,
    logs,
    elasticloadbalancing,
    autoscaling,
    redshift,
    acm,
    elasticfilesystem,
    es,
    apigateway,
    ecr,
    eks,
    cloudfront,
};
