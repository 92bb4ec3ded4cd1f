import { isRecord } from '../../shared/guards.js';

/**
 * Reading a packaged CloudFormation template for the template tests: resources by type, the IAM grants of a
 * function's role, conditions evaluated as CloudFormation would. Every accessor validates what it reads and
 * throws on a shape it does not know, so a template it cannot judge fails the test instead of passing it.
 */

export type Json = Record<string, unknown>;

export function object(value: unknown, what: string): Json {
  if (!isRecord(value)) throw new Error(`${what} is not an object: ${JSON.stringify(value)}`);
  return value;
}

export function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} is not a string: ${JSON.stringify(value)}`);
  return value;
}

/** IAM and CloudFormation take one value or a list of them. */
export function oneOrMany(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** `{ Ref: id }` → id. */
export function refOf(value: unknown, what: string): string {
  return text(object(value, what).Ref, `${what}.Ref`);
}

/** `{ "Fn::GetAtt": [id, attribute] }` → [id, attribute]. */
export function getAttOf(value: unknown, what: string): [string, string] {
  const parts = object(value, what)['Fn::GetAtt'];
  if (!Array.isArray(parts) || parts.length !== 2) throw new Error(`${what} is not an Fn::GetAtt`);
  return [text(parts[0], `${what} resource`), text(parts[1], `${what} attribute`)];
}

export interface Resource {
  readonly id: string;
  readonly type: string;
  readonly properties: Json;
  readonly condition: string | undefined;
  readonly deletionPolicy: unknown;
}

export class Template {
  readonly resources: ReadonlyMap<string, Resource>;
  private readonly conditions: Json;
  private readonly parameters: Json;
  readonly outputs: Json;

  constructor(raw: unknown) {
    const template = object(raw, 'template');
    const resources = new Map<string, Resource>();
    for (const [id, value] of Object.entries(object(template.Resources, 'Resources'))) {
      const resource = object(value, id);
      resources.set(id, {
        id,
        type: text(resource.Type, `${id}.Type`),
        properties: resource.Properties === undefined ? {} : object(resource.Properties, `${id}.Properties`),
        condition: resource.Condition === undefined ? undefined : text(resource.Condition, `${id}.Condition`),
        deletionPolicy: resource.DeletionPolicy,
      });
    }
    this.resources = resources;
    this.conditions = template.Conditions === undefined ? {} : object(template.Conditions, 'Conditions');
    this.parameters = template.Parameters === undefined ? {} : object(template.Parameters, 'Parameters');
    this.outputs = object(template.Outputs, 'Outputs');
  }

  resource(id: string, type?: string): Resource {
    const resource = this.resources.get(id);
    if (resource === undefined) throw new Error(`no resource ${id}`);
    if (type !== undefined && resource.type !== type)
      throw new Error(`${id} is a ${resource.type}, not a ${type}`);
    return resource;
  }

  ofType(type: string): Resource[] {
    return [...this.resources.values()].filter((resource) => resource.type === type);
  }

  /** A stack parameter's declaration; its value is its Default (osls passes no parameter values). */
  parameter(name: string): Json {
    return object(this.parameters[name], `parameter ${name}`);
  }

  /** A condition of the Conditions section, as CloudFormation evaluates it (the functions this template uses). */
  condition(name: string): boolean {
    return this.evaluate(this.conditions[name], name);
  }

  private evaluate(value: unknown, what: string): boolean {
    const entries = Object.entries(object(value, what));
    const [entry] = entries;
    if (entry === undefined || entries.length > 1) throw new Error(`${what}: not a condition`);
    const [fn, args] = entry;
    if (!Array.isArray(args)) throw new Error(`${what}: ${fn} without a list of arguments`);
    switch (fn) {
      case 'Fn::Not':
        return !this.evaluate(args[0], what);
      case 'Fn::And':
        return args.every((arg) => this.evaluate(arg, what));
      case 'Fn::Or':
        return args.some((arg) => this.evaluate(arg, what));
      case 'Fn::Equals':
        return this.scalar(args[0], what) === this.scalar(args[1], what);
      default:
        throw new Error(`${what}: ${fn} is not evaluated here`);
    }
  }

  /**
   * An Fn::Equals operand: a string, or a parameter's value (a Ref to a parameter is a string, whatever its type).
   * A number here would make the outcome depend on CloudFormation's coercion: refused.
   */
  private scalar(value: unknown, what: string): string {
    if (typeof value === 'string') return value;
    return String(this.parameter(refOf(value, what)).Default);
  }

  /** A property value with Fn::If resolved, AWS::NoValue as undefined and parameters as their values. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (!isRecord(value)) return value;
    if (value.Ref === 'AWS::NoValue') return undefined;
    if (typeof value.Ref === 'string' && value.Ref in this.parameters)
      return this.parameter(value.Ref).Default;
    const branches = value['Fn::If'];
    if (Array.isArray(branches) && branches.length === 3) {
      return this.resolve(this.condition(text(branches[0], 'Fn::If condition')) ? branches[1] : branches[2]);
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]));
  }

  /** The Lambda functions, by the logical id osls gives them (`<Name>LambdaFunction`). */
  functions(): Resource[] {
    return this.ofType('AWS::Lambda::Function');
  }

  /** The IAM policy statements a function's role carries: inline, and managed policies of this stack only. */
  roleStatements(functionId: string): Json[] {
    const fn = this.resource(functionId, 'AWS::Lambda::Function');
    const [roleId] = getAttOf(fn.properties.Role, `${functionId}.Role`);
    const role = this.resource(roleId, 'AWS::IAM::Role');
    const documents: unknown[] = [];
    for (const policy of oneOrMany(role.properties.Policies ?? [])) {
      documents.push(object(policy, `${roleId} policy`).PolicyDocument);
    }
    for (const arn of oneOrMany(role.properties.ManagedPolicyArns ?? [])) {
      // An AWS managed policy (AWSLambdaBasicExecutionRole's logs on "*") is not this stack's to bound.
      const managed = this.resource(refOf(arn, `${roleId} managed policy`), 'AWS::IAM::ManagedPolicy');
      documents.push(managed.properties.PolicyDocument);
    }
    return documents.flatMap((document) =>
      oneOrMany(object(document, `${roleId} policy document`).Statement).map((statement) =>
        object(statement, `${roleId} statement`),
      ),
    );
  }

  /**
   * A role's grants as `action resource` lines: the resource is a logical id (an `Fn::GetAtt Arn` of this stack),
   * `<service> <resource>` for an ARN pattern of this account and Region, or `*`. Any other form throws.
   */
  grants(functionId: string): string[] {
    const lines = new Set<string>();
    for (const statement of this.roleStatements(functionId)) {
      if (statement.Effect !== 'Allow') throw new Error(`${functionId}: a statement that is not Allow`);
      for (const action of oneOrMany(statement.Action)) {
        for (const resource of oneOrMany(statement.Resource)) {
          lines.add(`${text(action, `${functionId} action`)} ${this.describeResource(resource, functionId)}`);
        }
      }
    }
    return [...lines].sort();
  }

  private describeResource(resource: unknown, functionId: string): string {
    if (resource === '*') return '*';
    if (isRecord(resource) && 'Fn::GetAtt' in resource) {
      const [id, attribute] = getAttOf(resource, `${functionId} resource`);
      if (attribute !== 'Arn') throw new Error(`${functionId}: a resource by ${id}.${attribute}`);
      this.resource(id);
      return id;
    }
    if (isRecord(resource) && typeof resource['Fn::Sub'] === 'string') {
      const match = /^arn:\$\{AWS::Partition\}:([a-z]+):\$\{AWS::Region\}:\$\{AWS::AccountId\}:(.+)$/.exec(
        resource['Fn::Sub'],
      );
      if (match !== null) return `${match[1]} ${match[2]}`;
    }
    throw new Error(
      `${functionId}: a resource neither of this stack nor of its account: ${JSON.stringify(resource)}`,
    );
  }
}

/** `{ "Fn::Join": ["", parts] }` or a string, with references written `{Ref}`: a principal like `logs.{AWS::Region}.amazonaws.com`. */
export function joined(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  const join = object(value, what)['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1]))
    throw new Error(`${what}: not a join`);
  return join[1].map((part) => (typeof part === 'string' ? part : `{${refOf(part, what)}}`)).join('');
}
