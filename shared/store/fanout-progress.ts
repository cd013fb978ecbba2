import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, type Table } from './dynamo.ts';
import { fanoutProgressKey } from './keys.ts';

/** One shard of one subscription index partition, and where its walk goes on (absent: from the start). */
export interface FanoutUnit {
  partition: string;
  shard: number;
  cursor?: Record<string, unknown>;
}

/** A fan-out that one invocation did not finish: the units still being walked by continuations. */
export interface FanoutProgress {
  units: FanoutUnit[];
  updatedAt: string;
}

const unitId = (unit: Pick<FanoutUnit, 'partition' | 'shard'>) => `${unit.partition}@${unit.shard}`;

interface ProgressItem {
  units: Record<string, { partition: string; shard: number; cursor?: string }>;
  updatedAt: string;
}

/**
 * How far a continued fan-out of one change has got. The change is cleared from its event only
 * when the last unit is done, so the sweeper can tell a fan-out that is under way (recently
 * advanced) from one whose continuations were lost (resumed from the cursors kept here).
 */
export class FanoutProgressStore {
  constructor(private readonly table: Table) {}

  async get(eventId: string, change: string): Promise<FanoutProgress | undefined> {
    const result = await this.table.client.send(
      new GetCommand({
        TableName: this.table.name,
        Key: fanoutProgressKey(eventId, change),
        ConsistentRead: true,
      }),
    );
    const item = result.Item as ProgressItem | undefined;
    if (!item) return undefined;
    return {
      updatedAt: item.updatedAt,
      units: Object.values(item.units).map(({ partition, shard, cursor }) => ({
        partition,
        shard,
        ...(cursor ? { cursor: JSON.parse(cursor) as Record<string, unknown> } : {}),
      })),
    };
  }

  /** Records the units left after the first invocation (replacing what an earlier try left). */
  async start(eventId: string, change: string, units: FanoutUnit[], now: Date): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          ...fanoutProgressKey(eventId, change),
          type: 'fanout-progress',
          units: Object.fromEntries(
            units.map((unit) => [
              unitId(unit),
              {
                partition: unit.partition,
                shard: unit.shard,
                ...(unit.cursor ? { cursor: JSON.stringify(unit.cursor) } : {}),
              },
            ]),
          ),
          updatedAt: now.toISOString(),
        },
      }),
    );
  }

  /** Moves a unit's cursor on; false when the unit is done already (a duplicate continuation). */
  async advance(eventId: string, change: string, unit: FanoutUnit, now: Date): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: fanoutProgressKey(eventId, change),
          UpdateExpression: 'SET #units.#unit.#cursor = :cursor, updatedAt = :now',
          ConditionExpression: 'attribute_exists(#units.#unit)',
          ExpressionAttributeNames: { '#units': 'units', '#unit': unitId(unit), '#cursor': 'cursor' },
          ExpressionAttributeValues: {
            ':cursor': JSON.stringify(unit.cursor ?? null),
            ':now': now.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Marks a unit done; answers how many units are left (0: the change's fan-out is complete). */
  async finish(eventId: string, change: string, unit: FanoutUnit, now: Date): Promise<number> {
    try {
      const result = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: fanoutProgressKey(eventId, change),
          UpdateExpression: 'REMOVE #units.#unit SET updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#units': 'units', '#unit': unitId(unit) },
          ExpressionAttributeValues: { ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Object.keys((result.Attributes as ProgressItem | undefined)?.units ?? {}).length;
    } catch (error) {
      if (isConditionFailure(error)) return 0; // finished and cleared by another continuation
      throw error;
    }
  }

  async delete(eventId: string, change: string): Promise<void> {
    await this.table.client.send(
      new DeleteCommand({ TableName: this.table.name, Key: fanoutProgressKey(eventId, change) }),
    );
  }

  /** Whether the unit is still to be walked (a duplicate continuation of a finished unit is not). */
  static includes(progress: FanoutProgress, unit: Pick<FanoutUnit, 'partition' | 'shard'>): boolean {
    return progress.units.some((candidate) => unitId(candidate) === unitId(unit));
  }
}
