import { RemovalPolicy } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableDefinition } from '../../shared/store/table.ts';

const stringKey = (name: string): Attribute => ({ name, type: AttributeType.STRING });

/**
 * The change feed. Fan-out reads pending changes from the item itself; the images serve the
 * stream filter (only items that carry a change invoke it). tests/aws creates moto's table with it.
 */
export const tableStreamViewType = StreamViewType.NEW_AND_OLD_IMAGES;

/**
 * The one DynamoDB table, built from the declaration in shared/store/table.ts that the local
 * runtime also uses. It holds the only state worth keeping, so it survives `cdk destroy`.
 */
export class Storage extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: stringKey(tableDefinition.partitionKey),
      sortKey: stringKey(tableDefinition.sortKey),
      globalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: ProjectionType[index.projection],
      })),
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      dynamoStream: tableStreamViewType,
      // The AWS managed key (rather than the invisible owned key) puts key use in CloudTrail
      // at no key charge.
      encryption: TableEncryptionV2.awsManagedKey(),
    });
  }
}
