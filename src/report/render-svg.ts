/**
 * Charts to SVG in Node: Vega-Lite compiles the spec to Vega, and a headless Vega View (renderer
 * 'none': no DOM, no canvas) writes the scene as SVG markup. The page that embeds it needs no
 * JavaScript and no network, and the same markup becomes the PNG.
 *
 * @example
 * const svg = await renderSvg(chart.spec); // '<svg xmlns=... class="marks" ...>'
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ValueError } from '../core/errors.js';

/**
 * The SVG markup of a Vega-Lite spec (data inline). A spec that Vega-Lite or Vega rejects throws a
 * ValueError naming the chart.
 *
 * @example
 * await renderSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' } } });
 */
export async function renderSvg(spec: TopLevelSpec, name = 'chart'): Promise<string> {
  let view: View | undefined;
  try {
    const vegaSpec = compile(spec).spec;
    // 'none' renders nothing on its own; toSVG builds the markup from the scenegraph
    view = new View(parse(vegaSpec), { renderer: 'none', logLevel: 0 });
    return await view.toSVG();
  } catch (err) {
    throw new ValueError(`chart '${name}'`, `cannot be drawn: ${(err as Error).message}`);
  } finally {
    view?.finalize();
  }
}
