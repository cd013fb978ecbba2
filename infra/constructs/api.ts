import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CorsHttpMethod,
  type CorsPreflightOptions,
  HttpApi,
  HttpRoute,
  HttpRouteKey,
  type HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FEED_PACKAGE_FILES } from '../../shared/feeds/packages.ts';
import { corsPolicy } from '../../shared/http/cors.ts';
import { SWAGGER_UI_FILES, SWAGGER_UI_PACKAGE } from '../../shared/http/docs-assets.ts';
import type { LogLevel } from '../../shared/platform/logger.ts';
import { bindQueue, bindSecret, bindTable } from './bindings.ts';
import { DatelineFunction } from './dateline-function.ts';

export interface ApiProps {
  /** Name of the HTTP API in the console, e.g. `dateline-dev`. */
  name: string;
  table: ITableV2;
  tokenSigningKey: ISecret;
  deliveryQueue: IQueue;
  /** Base URL for links; defaults to the API's own URL. */
  publicUrl?: string;
  /** Origins allowed every method; empty means any origin, GET only. */
  corsOrigins: string[];
  throttle: { rateLimit: number; burstLimit: number };
  logLevel: LogLevel;
}

/**
 * Access log fields. `$context.path` carries no query string, so confirmation and unsubscribe
 * tokens (`?token=`) never reach the access log.
 */
export const accessLogFields = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
};

/** The API's CORS policy (shared/http/cors.ts) as API Gateway takes it. */
export function corsFor(origins: string[]): CorsPreflightOptions {
  const policy = corsPolicy(origins);
  return {
    allowOrigins: policy.origins,
    // CorsHttpMethod's values are the method names, ANY is '*'.
    allowMethods: policy.methods as CorsHttpMethod[],
    allowHeaders: policy.allowHeaders,
    exposeHeaders: policy.exposeHeaders,
    maxAge: Duration.seconds(policy.maxAgeSeconds),
  };
}

/** The HTTP API: every route goes to the one Hono app in functions/api.ts. */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly handler: DatelineFunction;
  readonly accessLogs: LogGroup;
  /** The API's invoke URL, without a trailing slash. */
  readonly url: string;
  /** The base URL the functions use in links. */
  readonly publicUrl: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: props.name,
      description: 'Dateline: timeline of international-affairs events, with alerts',
      // Created below, so that it can carry throttling and access logs.
      createDefaultStage: false,
      corsPreflight: corsFor(props.corsOrigins),
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      },
    });
    // stage.url ends in "/" and is a token, so the slash cannot be trimmed; build the same URL without it.
    const stack = Stack.of(this);
    this.url = `https://${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.publicUrl = props.publicUrl ?? this.url;

    this.handler = new DatelineFunction(this, 'Handler', {
      entry: 'api.ts',
      description: 'Dateline: HTTP API (Hono)',
      logLevel: props.logLevel,
      // More memory buys more CPU: a faster cold start on the request path.
      memorySize: 1024,
      timeout: Duration.seconds(10),
      environment: { PUBLIC_URL: this.publicUrl },
      // /docs serves Swagger UI's files from the bundle's node_modules, read on first request; the
      // feeds import their libraries from there on first use (shared/feeds/packages.ts).
      packageFiles: { [SWAGGER_UI_PACKAGE]: SWAGGER_UI_FILES, ...FEED_PACKAGE_FILES },
    });
    // Items and table queries only: the API's code queries no index and writes no batch.
    bindTable(this.handler, props.table, { access: 'RW' });
    bindSecret(this.handler, props.tokenSigningKey);
    bindQueue(this.handler, props.deliveryQueue, 'send');

    const route = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('Handler', this.handler, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization happens in the app: reads are public by design, writes need an API key (hashed in ' +
        'DynamoDB, scoped) or a subscription management token, which an API Gateway authorizer cannot check ' +
        'without a second Lambda hop on every request.',
    });
  }
}
