import { handle } from 'hono/aws-lambda';
import { createLambdaApp } from '../shared/aws/api-app.ts';

export const handler = handle(createLambdaApp());
