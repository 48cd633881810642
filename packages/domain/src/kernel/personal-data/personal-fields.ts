import type * as t from 'io-ts';
import { isPersonalType } from './personal.js';

/** One step of a field path: a member name, or `'*'` for every element of an array. */
export type PathStep = string | { readonly each: true };

/** A personal field of an event type: where it sits in the payload and whose it is. */
export interface PersonalField {
  readonly path: readonly PathStep[];
  /** The subject, from the encoded payload (see `personal`). */
  readonly subjectOf: (payload: unknown) => string;
}

// The codec fields the walk reads, by io-ts `_tag` (as compileGuard does).
interface Node {
  readonly _tag?: string;
  readonly name: string;
  readonly type?: Node;
  readonly types?: readonly Node[];
  readonly props?: Readonly<Record<string, Node>>;
}

const EACH: PathStep = { each: true };

/** A path as messages and associated data show it: `name`, `contacts[].email`. */
export const describePath = (path: readonly PathStep[]): string =>
  path.map((step, index) => (typeof step === 'string' ? `${index === 0 ? '' : '.'}${step}` : '[]')).join('') || '(root)';

/**
 * Every `personal` field of a payload codec, found by walking its objects, arrays, refinements, exact and readonly
 * wrappers and intersections. A personal field inside a union of other types is refused: which member a stored value
 * took is not known before decoding, so wrap the whole union in `personal` instead.
 */
export const personalFieldsOf = (eventType: string, codec: t.Mixed): readonly PersonalField[] => {
  const found: PersonalField[] = [];
  const walk = (node: Node, path: readonly PathStep[], inUnion: string | undefined): void => {
    if (isPersonalType(node)) {
      if (inUnion !== undefined) {
        throw new TypeError(`Event "${eventType}": the personal field at ${describePath(path)} is inside the union ${inUnion}; ` +
          'mark the whole union personal instead (personal(t.union([...]), { subject }))');
      }
      if (path.length === 0) {
        throw new TypeError(`Event "${eventType}": its whole payload is marked personal; mark its fields instead, leaving the subject's id readable`);
      }
      found.push({ path, subjectOf: node.subjectOf });
      return;
    }
    switch (node._tag) {
      case 'InterfaceType':
      case 'PartialType':
        for (const [key, member] of Object.entries(node.props!)) walk(member, [...path, key], inUnion);
        return;
      case 'ArrayType':
      case 'ReadonlyArrayType':
        return walk(node.type!, [...path, EACH], inUnion);
      case 'RefinementType':
      case 'ExactType':
      case 'ReadonlyType':
        return walk(node.type!, path, inUnion);
      case 'IntersectionType':
        for (const member of node.types!) walk(member, path, inUnion);
        return;
      case 'UnionType':
        for (const member of node.types!) walk(member, path, inUnion ?? node.name);
        return;
      default:
        return;
    }
  };
  walk(codec as unknown as Node, [], undefined);
  return found;
};
