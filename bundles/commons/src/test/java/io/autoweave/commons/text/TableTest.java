package io.autoweave.commons.text;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class TableTest {

    @Test
    public void columnsAreAsWideAsTheirWidestCellAndTheLastIsNotPadded() {
        String t = new Table("ID", "NAME", "DETAIL").row(1, "a", "x").row(100, "longer name", null).toString();
        assertEquals(String.join(System.lineSeparator(),
                "ID   NAME         DETAIL",
                "1    a            x",
                "100  longer name  -"), t);
    }

    @Test
    public void aRowOfTheWrongLengthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Table("A", "B").row("only one"));
    }
}
