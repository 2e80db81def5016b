/**
 * SVG to PNG with resvg (a Rust renderer whose prebuilt binary comes as a platform package from
 * the npm registry: nothing is downloaded at install or run time). Text is drawn with the system's
 * fonts; the PNG is rendered at twice the SVG's size so it stays sharp in a terminal viewer.
 *
 * @example
 * fs.writeFileSync('chart.png', svgToPng(await renderSvg(chart.spec)));
 */
import { Resvg } from '@resvg/resvg-js';

/**
 * PNG bytes of an SVG document, on a white background, scaled by `scale`.
 *
 * @example
 * const png = svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
 */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
