package io.autoweave.commons.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The name a configuration key had before it was renamed, on the attribute method of a configuration annotation.
 * {@link LastGoodConfig} still reads a value under the old name when the new one is not set, and logs a warning that
 * names both (so an operator's existing {@code .cfg} keeps working and says what to rename).
 *
 * @since 1.1
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OldName {
    /** The old property name, for example {@code maxLen}. */
    String value();
}
