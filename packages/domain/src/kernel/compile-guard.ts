/** A type guard: true exactly when the codec's `is` is true. */
export type Guard = (u: unknown) => boolean;

// The codec fields the compiler reads, by io-ts `_tag`.
interface Node {
  readonly _tag?: string;
  readonly is: Guard;
  readonly type?: Node;
  readonly types?: readonly Node[];
  readonly props?: Readonly<Record<string, Node>>;
  readonly keys?: Readonly<Record<string, unknown>>;
  readonly value?: unknown;
  readonly predicate?: Guard;
}

/** Values the generated code refers to (predicates, literals, nested guards), passed in as parameters. */
class Bindings {
  readonly names: string[] = [];
  readonly values: unknown[] = [];
  /** Variables the guard keeps between calls: the last string each refinement accepted. */
  readonly memos: string[] = [];
  bind(value: unknown): string {
    this.values.push(value);
    this.names.push(`b${this.names.length}`);
    return this.names[this.names.length - 1]!;
  }
  memo(): string {
    this.memos.push(`s${this.memos.length}`);
    return this.memos[this.memos.length - 1]!;
  }
}

/** What a memo holds before its first string: equal to nothing a payload can contain. */
const NOTHING = Object.freeze({});

const hasOwn = Object.prototype.hasOwnProperty;
/** Keyof codecs with at most this many keys compare the string against each key inline. */
const INLINE_KEYS = 16;

/** A JavaScript expression, over the variable named `v`, that is true exactly when `node.is(v)` is. */
const check = (node: Node, v: string, bindings: Bindings): string => {
  switch (node._tag) {
    case 'StringType':
      return `typeof ${v} === "string"`;
    case 'NumberType':
      return `typeof ${v} === "number"`;
    case 'BooleanType':
      return `typeof ${v} === "boolean"`;
    case 'NullType':
      return `${v} === null`;
    case 'UndefinedType':
    case 'VoidType':
      return `${v} === undefined`;
    case 'UnknownType':
    case 'AnyType':
      return 'true';
    case 'NeverType':
      return 'false';
    case 'LiteralType':
      return `${v} === ${bindings.bind(node.value)}`;
    case 'KeyofType': {
      const keys = Object.keys(node.keys!);
      return keys.length <= INLINE_KEYS
        ? `(${keys.map((key) => `${v} === ${JSON.stringify(key)}`).join(' || ') || 'false'})`
        : `typeof ${v} === "string" && hasOwn.call(${bindings.bind(node.keys)}, ${v})`;
    }
    case 'RefinementType': {
      const refined = `(${check(node.type!, v, bindings)}) && ${bindings.bind(node.predicate)}(${v})`;
      if (node.type!._tag !== 'StringType') return refined;
      // A log repeats its ids (one conference, one ballot, a few candidates): a string equal to the last one this
      // refinement accepted is accepted again without running the predicate, which must be pure, as io-ts assumes.
      const memo = bindings.memo();
      return `(${v} === ${memo} || (${refined} && ((${memo} = ${v}), true)))`;
    }
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return `Array.isArray(${v}) && ${v}.every(${bindings.bind(compileGuard(node.type!))})`;
    case 'ExactType':
    case 'ReadonlyType':
      return check(node.type!, v, bindings);
    case 'InterfaceType':
    case 'PartialType':
      // Each object gets its own function, so that it reads each member once into a local.
      return `${bindings.bind(compileGuard(node))}(${v})`;
    case 'UnionType':
      return `(${node.types!.map((type) => `(${check(type, v, bindings)})`).join(' || ') || 'false'})`;
    case 'IntersectionType':
      return `(${node.types!.map((type) => `(${check(type, v, bindings)})`).join(' && ') || 'true'})`;
    default:
      return `${bindings.bind(node.is.bind(node))}(${v})`;
  }
};

/** The body of an object's guard: io-ts's record test, then each member read once and checked. */
const objectBody = (node: Node, bindings: Bindings): string => {
  const partial = node._tag === 'PartialType';
  const lines = ['if (u === null || typeof u !== "object" || Array.isArray(u)) return false;'];
  Object.entries(node.props!).forEach(([key, member], i) => {
    const quoted = JSON.stringify(key);
    const local = `m${i}`;
    lines.push(`const ${local} = u[${quoted}];`);
    // io-ts: a partial member may be undefined; a required member must be present, even if its codec admits undefined.
    lines.push(
      partial
        ? `if (${local} !== undefined && !(${check(member, local, bindings)})) return false;`
        : `if ((${local} === undefined && !hasOwn.call(u, ${quoted})) || !(${check(member, local, bindings)})) return false;`,
    );
  });
  lines.push('return true;');
  return lines.join('\n');
};

/**
 * Compiles an io-ts codec into a guard equal to its `is`, for the replay hot path. io-ts checks an object by looping
 * over its members through one shared call site and wraps every refinement in another call; the compiled guard is
 * straight-line code per object with primitive checks inline, so the only calls left are the codecs' own predicates,
 * and a string refinement skips its predicate for the string it accepted last.
 * Codecs it does not know (custom types, tuples, records, recursion) keep their own `is`. The generated source is
 * built from the codec's JSON-quoted keys only; every predicate and value is passed in, never printed.
 */
export const compileGuard = (codec: { readonly is: Guard }): Guard => {
  const node = codec as Node;
  const bindings = new Bindings();
  const body = node._tag === 'InterfaceType' || node._tag === 'PartialType' ? objectBody(node, bindings) : `return ${check(node, 'u', bindings)};`;
  const memos = bindings.memos.map((name) => `let ${name} = NOTHING;\n`).join('');
  const factory = new Function('hasOwn', 'NOTHING', ...bindings.names, `${memos}return (u) => {\n${body}\n};`) as (...args: unknown[]) => Guard;
  return factory(hasOwn, NOTHING, ...bindings.values);
};
