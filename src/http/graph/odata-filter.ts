import { GraphError } from './errors.js';

/**
 * OData `$filter` syntax, parsed whole before any route looks at what it
 * means, as the reference does (godata parses, then each handler walks the
 * tree): text that is not an expression is 400 invalidRequest, and only a
 * well-formed expression can be 501 for using something a route does not
 * implement. Routes interpret the tree (odata.ts for drives,
 * odata-directory.ts for users).
 */
export type FilterNode =
  | { kind: 'logical'; op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: string; left: FilterNode; right: FilterNode }
  | { kind: 'arithmetic'; op: string; left: FilterNode; right: FilterNode }
  | { kind: 'call'; name: string; args: FilterNode[] }
  | { kind: 'lambda'; collection: string; quantifier: 'any' | 'all'; variable?: string; body?: FilterNode }
  | { kind: 'list'; items: FilterNode[] }
  /** A property path (`driveType`, `m/id`, `@libre.graph…`). */
  | { kind: 'member'; path: string }
  /**
   * A run of characters that is no OData token (`storage-users-1$a1b2…`):
   * the Spaces API documentation writes drive filter values bare, so only a
   * route can say whether one is acceptable where it stands.
   */
  | { kind: 'bare'; text: string }
  | { kind: 'literal'; type: 'string' | 'guid' | 'number' | 'boolean' | 'null' | 'date'; value: string };

type Token = { kind: 'string' | 'word' | 'open' | 'close' | 'comma' | 'colon'; text: string };

const COMPARISON = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'has', 'in']);
const ARITHMETIC = new Set(['add', 'sub', 'mul', 'div', 'divby', 'mod']);
const KEYWORDS = new Set(['and', 'or', 'not', ...COMPARISON, ...ARITHMETIC]);
/** Deeper nesting than any real filter: refused before recursion could exhaust the stack. */
const MAX_DEPTH = 64;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;
const DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?/;
const MEMBER = /^[A-Za-z_@$][\w.@$]*(?:\/[A-Za-z_@$][\w.@$]*)*$/;
const LAMBDA = /^(.+)\/(any|all)$/;

const syntaxError = (message: string): never => {
  throw new GraphError(400, 'invalidRequest', `invalid filter: ${message}`);
};

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) syntaxError('unterminated string literal');
        if (text[j] === "'" && text[j + 1] === "'") {
          value += "'";
          j += 2;
        } else if (text[j] === "'") break;
        else value += text[j++];
      }
      out.push({ kind: 'string', text: value });
      i = j + 1;
    } else if (c === '(' || c === ')' || c === ',' || c === ':') {
      out.push({ kind: c === '(' ? 'open' : c === ')' ? 'close' : c === ',' ? 'comma' : 'colon', text: c });
      i++;
    } else {
      // A date-time literal holds colons; any other word ends at a delimiter.
      const date = DATE.exec(text.slice(i));
      let j = date && (i + date[0].length === text.length || /[\s(),]/.test(text[i + date[0].length]!)) ? i + date[0].length : i;
      while (j < text.length && !/[\s'(),:]/.test(text[j]!)) j++;
      out.push({ kind: 'word', text: text.slice(i, j) });
      i = j;
    }
  }
  return out;
}

const keyword = (t: Token | undefined): string | undefined => (t?.kind === 'word' && KEYWORDS.has(t.text.toLowerCase()) ? t.text.toLowerCase() : undefined);

function wordNode(text: string): FilterNode {
  if (text === 'true' || text === 'false') return { kind: 'literal', type: 'boolean', value: text };
  if (text === 'null') return { kind: 'literal', type: 'null', value: text };
  if (GUID.test(text)) return { kind: 'literal', type: 'guid', value: text };
  if (NUMBER.test(text)) return { kind: 'literal', type: 'number', value: text };
  if (DATE.exec(text)?.[0] === text) return { kind: 'literal', type: 'date', value: text };
  if (MEMBER.test(text)) return { kind: 'member', path: text };
  return { kind: 'bare', text };
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.or();
    const rest = this.tokens[this.i];
    if (rest) syntaxError(`unexpected '${rest.text}'`);
    // A property may be a boolean one; a literal, a list or a non-OData word never is a condition.
    if (node.kind === 'literal' || node.kind === 'bare' || node.kind === 'list') syntaxError('the filter is no condition');
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++] ?? syntaxError('unexpected end of filter');
  }

  private expect(kind: Token['kind'], what: string): Token {
    const t = this.next();
    if (t.kind !== kind) syntaxError(`expected ${what}, found '${t.text}'`);
    return t;
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) syntaxError('nested too deeply');
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private or(): FilterNode {
    let left = this.and();
    while (keyword(this.peek()) === 'or') {
      this.i++;
      left = { kind: 'logical', op: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (keyword(this.peek()) === 'and') {
      this.i++;
      left = { kind: 'logical', op: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterNode {
    if (keyword(this.peek()) === 'not') {
      this.i++;
      return this.nested(() => ({ kind: 'not', operand: this.unary() }));
    }
    return this.compare();
  }

  private compare(): FilterNode {
    const left = this.additive();
    const op = keyword(this.peek());
    if (!op || !COMPARISON.has(op)) return left;
    this.i++;
    return { kind: 'compare', op, left, right: this.additive() };
  }

  private additive(): FilterNode {
    let left = this.primary();
    for (let op = keyword(this.peek()); op && ARITHMETIC.has(op); op = keyword(this.peek())) {
      this.i++;
      left = { kind: 'arithmetic', op, left, right: this.primary() };
    }
    return left;
  }

  private primary(): FilterNode {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'literal', type: 'string', value: t.text };
    if (t.kind === 'open') {
      return this.nested(() => {
        const items = this.commaList();
        return items.length === 1 ? items[0]! : { kind: 'list', items };
      });
    }
    if (t.kind !== 'word' || keyword(t)) return syntaxError(`unexpected '${t.text}'`);
    if (this.peek()?.kind !== 'open') return wordNode(t.text);
    this.i++;
    const lambda = LAMBDA.exec(t.text);
    if (!MEMBER.test(t.text)) syntaxError(`'${t.text}' cannot be called`);
    return this.nested(() => (lambda ? this.lambda(lambda[1]!, lambda[2] as 'any' | 'all') : { kind: 'call', name: t.text, args: this.commaList(true) }));
  }

  /** Expressions up to the closing parenthesis (the opening one is read); `()` only where empty is allowed. */
  private commaList(emptyAllowed = false): FilterNode[] {
    if (emptyAllowed && this.peek()?.kind === 'close') {
      this.i++;
      return [];
    }
    const items = [this.or()];
    while (this.peek()?.kind === 'comma') {
      this.i++;
      items.push(this.or());
    }
    this.expect('close', "')'");
    return items;
  }

  /** `collection/any(v: expression)`, or `collection/any()`. */
  private lambda(collection: string, quantifier: 'any' | 'all'): FilterNode {
    if (this.peek()?.kind === 'close') {
      this.i++;
      return { kind: 'lambda', collection, quantifier };
    }
    const variable = this.expect('word', 'a lambda variable');
    if (!/^[A-Za-z_]\w*$/.test(variable.text)) syntaxError(`invalid lambda variable '${variable.text}'`);
    this.expect('colon', "':'");
    const body = this.or();
    this.expect('close', "')'");
    return { kind: 'lambda', collection, quantifier, variable: variable.text, body };
  }
}

/** The expression tree of a `$filter`; undefined for an absent or blank one. Syntax errors are 400 invalidRequest. */
export function parseFilter(raw: string | undefined): FilterNode | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return new Parser(tokenize(raw)).parse();
}

/** The operator at the root of a tree, as the reference names it in "unsupported filter operand: <op>". */
export function rootOperator(node: FilterNode): string | undefined {
  switch (node.kind) {
    case 'logical':
    case 'compare':
    case 'arithmetic':
      return node.op;
    case 'not':
      return 'not';
    case 'call':
      return node.name;
    case 'lambda':
      return node.quantifier;
    default:
      return undefined;
  }
}
