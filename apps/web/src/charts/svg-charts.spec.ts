import { formatPeriod, formatSigned, formatValue } from './number-format';
import { boxPlot, escapeXml, linearScale, niceDomain, shareBar, trendLine } from './svg-charts';

describe('charts', () => {
  it('scales linearly and rounds axis bounds outward', () => {
    const x = linearScale([0, 100], [30, 570]);
    expect(x(0)).toBe(30);
    expect(x(50)).toBe(300);
    expect(niceDomain([43.2, 61.7, 55])).toEqual([40, 70]);
    expect(niceDomain([5, 5])).toEqual([4, 6]);
  });

  it('draws a box plot whose box spans the quartiles and whose words say the numbers', () => {
    const svg = boxPlot({
      id: 'box-rwm',
      measureLabel: 'RWM <expected>',
      unit: 'percent',
      decimals: 0,
      lowerQuartile: 50,
      median: 60,
      upperQuartile: 70,
      value: 45,
      schoolName: 'Alderwood & Co',
    });
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="box-rwm-title box-rwm-desc"/);
    expect(svg).toContain(
      '<title id="box-rwm-title">RWM &lt;expected&gt;: school against its group</title>',
    );
    expect(svg).toContain(
      'from 50% (lower quartile) to 70% (upper quartile), with the median at 60%',
    );
    expect(svg).toContain('Alderwood &amp; Co is at 45%');
    // No inline style (the CSP allows none): presentation attributes only.
    expect(svg).not.toContain('style=');
    const rect = /<rect x="([\d.]+)" y="26" width="([\d.]+)"/.exec(svg)!;
    const x = linearScale([40, 70], [30, 570]);
    expect(Number(rect[1])).toBeCloseTo(x(50), 1);
    expect(Number(rect[2])).toBeCloseTo(x(70) - x(50), 1);
  });

  it('says when the school has no value rather than drawing one', () => {
    const svg = boxPlot({
      id: 'b',
      measureLabel: 'm',
      lowerQuartile: 1,
      median: 2,
      upperQuartile: 3,
      value: null,
      schoolName: 'S',
    });
    expect(svg).toContain('S has no value to show.');
    expect(svg).not.toContain('<path');
  });

  it('draws the trend of the school and of the group median, skipping a missing year', () => {
    const svg = trendLine({
      id: 't',
      measureLabel: 'Progress',
      decimals: 1,
      periods: ['201617', '201718', '201819'],
      school: [1.2, null, 2.5],
      groupMedian: [0.5, 0.6, 0.4],
      schoolName: 'S',
    });
    expect(svg).toContain('S: 2016/17: 1.2, 2017/18: no value, 2018/19: 2.5.');
    expect(svg).toContain('Group median: 2016/17: 0.5, 2017/18: 0.6, 2018/19: 0.4.');
    expect(svg.match(/<circle /g)!.length).toBe(3); // two school points and the legend's
    expect(svg).toContain('stroke-dasharray="8 5"');
  });

  it('fills a share bar in proportion', () => {
    const svg = shareBar('s', '% EAL', 0.25);
    expect(svg).toContain('width="30.0"');
    expect(svg).toContain('% EAL: 25% of the distance');
  });

  it('escapes markup', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('formats values, signed gaps and periods as the pages show them', () => {
    expect(formatValue(61.25, 'percent', 1)).toBe('61.3%');
    expect(formatValue(12345, 'gbp', 0)).toBe('£12,345');
    expect(formatValue(null)).toBe('');
    expect(formatSigned(-2.5, 'percent', 1)).toBe('−2.5 percentage points');
    expect(formatSigned(0.4, 'score', 2)).toBe('+0.40');
    expect(formatPeriod('201819')).toBe('2018/19');
  });
});
