/** StepRegistry: which handler runs a step type, and which types the executor treats as instant or as containers. */
import { StepRegistry, type StepType } from '../src';

const handler = (type: string, instant?: boolean): StepType => ({
  type,
  ...(instant === undefined ? {} : { instant }),
  run: async () => ({ kind: 'output', output: type }),
});

describe('StepRegistry', () => {
  const exactSearch = handler('elasticsearch.search', true);
  const es = handler('elasticsearch.');
  const esIndices = handler('elasticsearch.indices.');
  const http = handler('http', false);
  const log = handler('console', true);
  const registry = new StepRegistry().register(es, http).register(log, esIndices, exactSearch);

  it('finds exact names first, then the longest matching prefix, whatever the registration order', () => {
    expect(registry.get('http')).toBe(http);
    expect(registry.get('elasticsearch.search')).toBe(exactSearch);
    expect(registry.get('elasticsearch.indices.create')).toBe(esIndices);
    expect(registry.get('elasticsearch.esql.query')).toBe(es);
  });

  it('finds nothing for an unknown type; a prefix is not an exact name', () => {
    expect(registry.get('nope')).toBeUndefined();
    expect(registry.get('elasticsearch')).toBeUndefined();
    expect(registry.get('https')).toBeUndefined();
  });

  it('a later registration of the same exact name replaces the earlier one', () => {
    const again = handler('http', true);
    const r = new StepRegistry().register(http).register(again);
    expect(r.get('http')).toBe(again);
    expect(r.types()).toEqual([again]);
  });

  it('lists every registered type: exact names in order, then prefixes longest first', () => {
    expect(registry.types().map((t) => t.type)).toEqual(['http', 'console', 'elasticsearch.search', 'elasticsearch.indices.', 'elasticsearch.']);
    expect(new StepRegistry().types()).toEqual([]);
  });

  it('containers are if/switch/foreach/while, whether registered or not', () => {
    for (const type of ['if', 'switch', 'foreach', 'while']) expect(registry.isContainer(type)).toBe(true);
    for (const type of ['http', 'console', 'wait', 'nope']) expect(registry.isContainer(type)).toBe(false);
  });

  it('instant: containers, and types marked instant (also through a prefix); not unmarked, false or unknown types', () => {
    expect(registry.isInstant('foreach')).toBe(true);
    expect(registry.isInstant('loop.break')).toBe(true);
    expect(registry.isInstant('loop.continue')).toBe(true);
    expect(registry.isInstant('console')).toBe(true);
    expect(registry.isInstant('elasticsearch.search')).toBe(true);
    expect(registry.isInstant('elasticsearch.esql.query')).toBe(false);
    expect(registry.isInstant('http')).toBe(false);
    expect(registry.isInstant('nope')).toBe(false);
    const viaPrefix = new StepRegistry().register(handler('local.', true));
    expect(viaPrefix.isInstant('local.anything')).toBe(true);
  });
});
