import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, resourceNamed, synth } from './synth.ts';

let template: Template;

beforeAll(() => {
  template = synth().template;
});

describe('HTTP API', () => {
  it('is an HTTP API named after the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', Name: 'dateline-dev' });
  });

  it('sends every request ($default route) to the API function with payload format 2.0', () => {
    const handler = logicalId(template, 'AWS::Lambda::Function', 'ApiHandler');
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [handler, 'Arn'] },
    });
  });

  it('lets only this API invoke the function', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'ApiHandler'), 'Arn'] },
      SourceArn: Match.objectLike({
        'Fn::Join': [
          '',
          Match.arrayWith([{ Ref: logicalId(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi') }]),
        ],
      }),
    });
  });

  it('throttles the default stage with the default rate and burst', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('writes JSON access logs, with the request id, to its own log group', () => {
    const stage = resourceNamed(template, 'AWS::ApiGatewayV2::Stage', 'ApiHttpApiDefaultStage')
      .Properties as {
      AccessLogSettings: { DestinationArn: unknown; Format: string };
    };
    expect(stage.AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(template, 'AWS::Logs::LogGroup', 'ApiAccessLogs'), 'Arn'],
    });
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });

  it('logs the path without its query string (which carries tokens), and no headers or parameters', () => {
    const { Format } = (
      resourceNamed(template, 'AWS::ApiGatewayV2::Stage', 'ApiHttpApiDefaultStage').Properties as {
        AccessLogSettings: { Format: string };
      }
    ).AccessLogSettings;
    const variables = Object.values(JSON.parse(Format) as Record<string, string>);
    expect(variables).toContain('$context.path');
    expect(
      variables.filter((variable) => /querystring|header|request\.|\$input|authorizer/i.test(variable)),
    ).toEqual([]);
  });

  it('allows cross-origin GET from any origin and nothing else by default', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['*'],
        AllowMethods: ['GET', 'HEAD', 'OPTIONS'],
        AllowHeaders: Match.not(Match.arrayWith(['authorization'])),
      },
    });
  });

  it('links to its own URL when no publicUrl is given', () => {
    const api = logicalId(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi');
    const fn = resourceNamed(template, 'AWS::Lambda::Function', 'ApiHandler');
    expect(
      JSON.stringify(
        (fn.Properties.Environment as { Variables: { PUBLIC_URL: unknown } }).Variables.PUBLIC_URL,
      ),
    ).toContain(`{"Ref":"${api}"}`);
  });
});
