import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per function instance; service name and level come from the
 * POWERTOOLS_* variables in serverless.yml. Chat content and sender IPs are
 * personal data: log identifiers, rule ids and verdicts only.
 */
export const logger = new Logger();
