/**
 * Tables with named columns: CSV, TSV and JSONL streamed row by row (rows.ts), the label column
 * as classes (labels.ts), the features as a float32 matrix chosen by column name (read.ts), and
 * chosen columns with their text kept (columns.ts); a whole file at once, as text cells (whole.ts),
 * for the readers that cannot wait; the csv-parse options they all share (parse.ts).
 *
 * @example
 * const t = await readTable('iris.csv', { label: 'species', classes: { names: ['setosa', 'versicolor', 'virginica'] } });
 */
export { openTable, tableFormat, type OpenTable, type TableFormat, type TableRecord } from './rows.js';
export { DEFAULT_MISSING, LabelColumn, declaredClasses, type DeclaredClasses } from './labels.js';
export { featureValue, readTable, type SpilledFeatures, type Table, type TableSpec } from './read.js';
export { parseTableText, readTableCells, type TableCells } from './whole.js';
export { checkHeader, CSV_RECORD_OPTIONS, parseRecords, type ParsedRecord } from './parse.js';
export { readTableColumns, type TableColumn, type TableColumns } from './columns.js';
export { isNumberText } from './cells.js';
