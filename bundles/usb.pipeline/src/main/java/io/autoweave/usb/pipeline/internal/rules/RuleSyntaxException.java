package io.autoweave.usb.pipeline.internal.rules;

/** A rule file error that says where (1-based line and column) and what was expected there. */
public final class RuleSyntaxException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String detail;

    RuleSyntaxException(int line, int column, String detail) {
        super("line " + line + ", column " + column + ": " + detail);
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    int line() {
        return line;
    }

    int column() {
        return column;
    }

    /** The message without the position prefix. */
    String detail() {
        return detail;
    }
}
