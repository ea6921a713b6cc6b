package io.autoweave.commons.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A text table for the shell: a header row and rows of cells, each column as wide as its widest cell, two spaces
 * between columns, the last column not padded (it may be long: a location, a detail). Null cells print as {@code -}.
 */
public final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    public Table(String... headers) {
        if (headers.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.columns = headers.length;
        rows.add(headers.clone());
    }

    /** Adds a row; it must have as many cells as there are columns. */
    public Table row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("row of " + cells.length + " cells in a table of " + columns
                    + " columns");
        }
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            r[i] = cells[i] == null ? "-" : cells[i].toString().replace('\n', ' ');
        }
        rows.add(r);
        return this;
    }

    /** Rows without the header. */
    public int size() {
        return rows.size() - 1;
    }

    @Override
    public String toString() {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                b.append(r[i]);
                if (i < columns - 1) {
                    b.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            // trailing blanks of an empty last cell would only confuse diff and grep
            int end = b.length();
            while (end > 0 && b.charAt(end - 1) == ' ') {
                end--;
            }
            b.setLength(end);
            b.append(System.lineSeparator());
        }
        return b.toString().stripTrailing();
    }
}
