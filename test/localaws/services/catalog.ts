// Every service the local AWS serves, by SigV4 service name.
import { cloudtrail, dynamodb, kms, logs, sqs } from './jsonServices';
import { ec2 } from './ec2';
import { iam } from './iam';
import { lambda } from './lambda';
import { rds, sns } from './rdsSns';
import { s3 } from './s3';
import { sts } from './sts';
import type { ServiceDefinition, ServiceName } from './types';

export const SERVICES: Record<ServiceName, ServiceDefinition> = { sts, s3, ec2, iam, rds, lambda, kms, cloudtrail, dynamodb, sqs, sns, logs };
