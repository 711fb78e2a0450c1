/**
 * The trial balance is a CSV the controller opens in a spreadsheet: a name from the ledger that starts like a
 * formula must arrive as text, and the amounts must stay numbers (a negative amount is not a formula).
 */
import { parseCsv } from '../../activities/financial-close/bank-statement';
import type { TrialBalance } from '../../activities/financial-close/general-ledger';
import { trialBalanceCsv } from '../../activities/financial-close/statements';
import { numberCell, textCell } from '../../activities/kit/spreadsheet-csv';

const FORMULAS = ['=HYPERLINK("https://evil.example","Cash")', '+1+cmd|" /C calc"!A0', '-2+3', '@SUM(A1:A9)', '\tTab', '\rReturn', '＝1+1'];

function balanceNamed(names: string[]): TrialBalance {
  const rows = names.map((name, i) => ({ code: String(1000 + i), name, type: 'asset' as const, debit: 12_500, credit: 0 }));
  return {
    period: '2026-10',
    rateSetId: 'live/2026-10',
    scopes: [{ scope: 'acme-us', name: '=Acme', currency: 'USD', rows, totalDebit: 12_500 * names.length, totalCredit: -250 }],
  };
}

describe('the trial balance CSV', () => {
  it('turns every text cell that starts like a formula into text with a leading quote, and quotes it', () => {
    const csv = trialBalanceCsv(balanceNamed(FORMULAS));
    const [, ...rows] = parseCsv(csv);
    expect(rows.slice(0, FORMULAS.length).map((r) => r[3])).toEqual(FORMULAS.map((f) => `'${f}`));
    expect(rows.at(-1)![3]).toBe('Total =Acme');
    expect(csv.split('\r\n')[1]).toBe('"acme-us","USD","1000","\'=HYPERLINK(""https://evil.example"",""Cash"")","asset",125.00,0.00');
  });

  it('keeps amounts as bare plain decimals, negative ones too, so a spreadsheet reads numbers', () => {
    const csv = trialBalanceCsv(balanceNamed(['Cash at bank']));
    const lines = csv.split('\r\n');
    expect(lines[1]).toBe('"acme-us","USD","1000","Cash at bank","asset",125.00,0.00');
    expect(lines[2]).toBe('"acme-us","USD","TOTAL","Total =Acme","",125.00,-2.50');
  });

  it('quotes text holding commas, quotes and line breaks, and refuses text as a number', () => {
    expect(textCell('a "b", c\nd')).toBe('"a ""b"", c\nd"');
    expect(textCell('plain')).toBe('"plain"');
    expect(numberCell('-1250.00')).toBe('-1250.00');
    expect(() => numberCell('-1+1')).toThrow(RangeError);
    expect(() => numberCell('=1')).toThrow(RangeError);
  });
});
