package io.autoweave.fuzz;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A Jazzer fuzz test whose every input must finish within 30 s: "no hang" is part of each parser's contract. Jazzer
 * passes the JUnit timeout to libFuzzer ({@code -timeout=30}) while fuzzing; generous, because CI machines are
 * shared.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@FuzzTest
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public @interface ParserFuzzTest {
}
