// Checks a value against a Swagger 2.0 definition (the part of JSON Schema Firecracker's API uses):
// types, required fields, no unknown fields, enums, minimum and maximum, $ref and array items.

export interface SchemaNode {
  type?: string;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  $ref?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

/** Every way `value` breaks `node` (empty: it fits), each with its path. */
export function schemaProblems(value: unknown, node: SchemaNode, definitions: Record<string, SchemaNode>, at = '$'): string[] {
  if (node.$ref) {
    const name = node.$ref.replace('#/definitions/', '');
    const target = definitions[name];
    return target ? schemaProblems(value, target, definitions, at) : [`${at}: $ref ${node.$ref} is not in the excerpt`];
  }
  const problems: string[] = [];
  if (node.type && !hasType(value, node.type)) return [`${at}: expected ${node.type}, received ${JSON.stringify(value)}`];
  if (node.enum && !node.enum.includes(value)) problems.push(`${at}: expected one of ${node.enum.join(', ')}, received ${JSON.stringify(value)}`);
  if (typeof value === 'number') {
    if (node.minimum !== undefined && value < node.minimum) problems.push(`${at}: ${value} is below the minimum ${node.minimum}`);
    if (node.maximum !== undefined && value > node.maximum) problems.push(`${at}: ${value} is above the maximum ${node.maximum}`);
  }
  if (Array.isArray(value) && node.items) value.forEach((item, i) => problems.push(...schemaProblems(item, node.items!, definitions, `${at}[${i}]`)));
  if (node.type === 'object' && typeof value === 'object' && value !== null) {
    const fields = value as Record<string, unknown>;
    for (const key of node.required ?? []) if (!(key in fields)) problems.push(`${at}: the required field ${key} is missing`);
    for (const [key, field] of Object.entries(fields)) {
      const property = node.properties?.[key];
      if (!property) problems.push(`${at}: ${key} is no field of it`);
      else problems.push(...schemaProblems(field, property, definitions, `${at}.${key}`));
    }
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}
