/**
 * The runs search as visibility queries: every value is quoted so it cannot add a clause (injection attempts stay
 * inside their literal), children are folded, the counters drop only state and needs-attention, and a cursor
 * belongs to its query.
 */
import { childrenClause, counterQueries, quoteValue, searchQuery, TOP_LEVEL_CLAUSE } from '../../src/client/run-search';
import { BadCursorError, decodeCursor, encodeCursor } from '../../src/client/runs-page';

/** Every quoted literal of a query, read as visibility reads it (backslash escapes), and the text outside them. */
function literals(query: string): { values: string[]; outside: string } {
  const values: string[] = [];
  let outside = '';
  for (let i = 0; i < query.length; i++) {
    if (query[i] !== "'") {
      outside += query[i];
      continue;
    }
    let value = '';
    for (i++; query[i] !== "'"; i++) {
      if (i >= query.length) throw new Error(`unterminated literal in ${query}`);
      value += query[i] === '\\' ? query[++i] : query[i];
    }
    values.push(value);
    outside += '?';
  }
  return { values, outside };
}

describe('quoting', () => {
  it.each([
    ["x' OR '1'='1", 'a quote that would close the literal'],
    ["x\\' OR WorkflowId != '", 'a backslash that would escape the closing quote'],
    ['x\\', 'a trailing backslash'],
    ["'); DROP TABLE executions_visibility; --", 'SQL after the literal'],
    ['%_*', 'LIKE wildcards (STARTS_WITH escapes them on the server)'],
  ])('keeps %j inside one literal (%s)', (value) => {
    const query = searchQuery({ idPrefix: value });
    const { values, outside } = literals(query);
    expect(values).toContain(value);
    // Nothing of the value reached the query's own text: it has the same clauses as any other prefix.
    expect(outside).toBe(literals(searchQuery({ idPrefix: 'plain' })).outside);
    expect(quoteValue(value)).toBe(`'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  });
});

describe('searchQuery', () => {
  it('lists top-level runs of every process by default', () => {
    const query = searchQuery({});
    expect(query).toMatch(/^OvertureProcess IN \('onboarding', /);
    expect(query).toContain(TOP_LEVEL_CLAUSE);
    expect(searchQuery({ topLevelOnly: false })).not.toContain('ParentWorkflowId');
  });

  it('turns each filter into its clause', () => {
    const query = searchQuery({
      idPrefix: 'onboarding-E1',
      process: 'onboarding',
      state: 'completed',
      step: 'createAccount',
      startedAfter: new Date('2026-12-01T00:00:00Z'),
      startedBefore: new Date('2026-12-08T00:00:00Z'),
      waitingBefore: new Date('2026-12-07T09:00:00+01:00'),
      needsAttention: true,
      waiting: 'child',
    });
    expect(query).toBe(
      [
        "OvertureProcess IN ('onboarding')",
        TOP_LEVEL_CLAUSE,
        "WorkflowId STARTS_WITH 'onboarding-E1'",
        "OvertureStep = 'createAccount' AND ExecutionStatus = 'Running'",
        "OvertureWaitingFor = 'child-person' AND ExecutionStatus = 'Running'",
        "StartTime >= '2026-12-01T00:00:00.000Z'",
        "StartTime < '2026-12-08T00:00:00.000Z'",
        "OvertureWaitingSince < '2026-12-07T08:00:00.000Z' AND ExecutionStatus = 'Running'",
        "OvertureStatus = 'completed'",
        "OvertureNeedsAttention = true AND ExecutionStatus = 'Running'",
      ].join(' AND '),
    );
  });

  it('reads an open state of open runs only, and an outside end from Temporal', () => {
    expect(searchQuery({ state: 'running' })).toContain("OvertureStatus = 'running' AND ExecutionStatus = 'Running'");
    expect(searchQuery({ state: 'terminated' })).toContain("ExecutionStatus = 'Terminated'");
    expect(searchQuery({ state: 'aborted' })).toContain("OvertureStatus = 'aborted'");
    expect(searchQuery({ state: 'aborted' })).not.toContain("ExecutionStatus = 'Running'");
  });

  it("finds a run's children by parent and by the kit's id prefix, quoted", () => {
    expect(childrenClause('close-2026-11')).toBe("(ParentWorkflowId = 'close-2026-11' OR WorkflowId STARTS_WITH 'close-2026-11/')");
    expect(literals(childrenClause("a' OR 'b")).values).toEqual(["a' OR 'b", "a' OR 'b/"]);
  });
});

describe('counterQueries', () => {
  it('keep every filter but state and needs-attention', () => {
    const queries = counterQueries({ idPrefix: 'x', process: 'onboarding', state: 'completed', needsAttention: true });
    for (const query of Object.values(queries)) {
      expect(query).toContain("WorkflowId STARTS_WITH 'x'");
      expect(query).toContain("OvertureProcess IN ('onboarding')");
      expect(query).not.toContain("OvertureStatus = 'completed' AND");
    }
    expect(queries.total).not.toContain('OvertureNeedsAttention');
    expect(queries.needsAttention).toContain('OvertureNeedsAttention = true');
    expect(queries.aborted).toContain("OvertureStatus IN ('aborted', 'rejected')");
  });
});

describe('cursor', () => {
  const token = Uint8Array.from([0, 1, 2, 250, 255, 46]);

  it('gives back the token for the same query', () => {
    const cursor = encodeCursor('q1', token);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect([...decodeCursor('q1', cursor)]).toEqual([...token]);
  });

  it('refuses a cursor of other filters, or no cursor at all', () => {
    const cursor = encodeCursor('q1', token);
    expect(() => decodeCursor('q2', cursor)).toThrow(BadCursorError);
    expect(() => decodeCursor('q1', 'not a cursor!')).toThrow(BadCursorError);
    expect(() => decodeCursor('q1', Buffer.from('a.b.c').toString('base64url'))).toThrow(BadCursorError);
    expect(() => decodeCursor('q1', 'A'.repeat(5000))).toThrow(BadCursorError);
  });
});
